#!/usr/bin/env python3
"""Clean news pages with rfi-clean across Spark executors, writing JSON Lines.

Two inputs, either or both:

  --jsonl PATH   a JSON Lines dataset of {"id", "url", "html", ...} records (files, a folder or a
                 glob, anything sc.textFile reads): each partition is piped through one
                 `rfi-clean --jsonl` process (RDD.pipe), which returns every record with its
                 "html" cleaned and what the clean found under "rfi_clean", in order.
  --warc PATH    WARC files (*.warc, *.warc.gz; anything sc.binaryFiles reads): each file is
                 written to the executor's local disk and cleaned by `rfi-clean --format json
                 FILE`, one JSON line per cleaned page, its "source" set to the file's URI.

  --out DIR      where the JSON Lines go: DIR/jsonl/part-* and DIR/warc/part-*.

rfi-clean must be on each executor: installed on its PATH (or baked into its image), or shipped
with `spark-submit --files /path/to/rfi-clean` and named with `--rfi-clean ./rfi-clean` (YARN and
Kubernetes put --files in the executor's working folder; local and standalone mode in
SparkFiles' folder, which this job looks in too for the WARC side). Damaged records, bad lines
and pages rfi-clean refuses are reported by rfi-clean on the executor's stderr; the job goes on
(bad JSON Lines records come back as {"id", "line", "error"} lines).
"""

import argparse
import json
import os
import shutil
import subprocess
import tempfile

from pyspark import SparkFiles
from pyspark.sql import SparkSession


def resolve(binary):
    """The rfi-clean to run on this executor: a path as given, else PATH, else SparkFiles."""
    if os.sep in binary:
        return binary
    found = shutil.which(binary)
    if found:
        return found
    shipped = SparkFiles.get(binary)
    if os.path.exists(shipped):
        return shipped
    raise FileNotFoundError(f"{binary}: not on PATH and not shipped with --files")


def clean_warcs(binary):
    """Returns a mapPartitions function: each (uri, bytes) WARC file to its cleaned JSON lines."""

    def run(files):
        exe = resolve(binary)
        for uri, content in files:
            name = os.path.basename(uri.rstrip("/"))
            with tempfile.TemporaryDirectory(prefix="rfi-clean-") as tmp:
                path = os.path.join(tmp, name)
                with open(path, "wb") as f:
                    f.write(content)
                done = subprocess.run(
                    [exe, "--format", "json", "--quiet", path],
                    stdout=subprocess.PIPE,
                    stderr=subprocess.PIPE,
                    check=False,
                )
            # 0: all clean; 2: some records damaged or refused (said on stderr), the rest cleaned.
            if done.returncode not in (0, 2):
                raise RuntimeError(f"{uri}: rfi-clean exited {done.returncode}: {done.stderr!r}")
            if done.stderr:
                print(done.stderr.decode("utf-8", "replace"), end="", flush=True)
            for line in done.stdout.decode("utf-8").splitlines():
                page = json.loads(line)
                page["source"] = uri
                yield json.dumps(page, ensure_ascii=False)

    return run


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--jsonl", help="JSON Lines input (path, folder or glob)")
    parser.add_argument("--warc", help="WARC input (path, folder or glob)")
    parser.add_argument("--out", required=True, help="output folder (must not exist)")
    parser.add_argument("--rfi-clean", default="rfi-clean", help="the binary on the executors")
    parser.add_argument("--partitions", type=int, default=None, help="JSON Lines partitions")
    args = parser.parse_args()
    if not args.jsonl and not args.warc:
        parser.error("give --jsonl, --warc or both")

    spark = SparkSession.builder.appName("rfi-clean").getOrCreate()
    sc = spark.sparkContext
    if args.jsonl:
        records = sc.textFile(args.jsonl, minPartitions=args.partitions)
        # One `rfi-clean --jsonl` per partition. rfi-clean exits 2 when a line is bad, and
        # writes an error line for it: checkCode=False keeps those lines instead of failing.
        # PySpark starts the command with the environment given here only: pass PATH on, so
        # that a bare `rfi-clean` is looked up on the executors' PATH.
        path = {"PATH": os.environ.get("PATH", os.defpath)}
        cleaned = records.pipe(f"{args.rfi_clean} --jsonl --quiet", env=path, checkCode=False)
        cleaned.saveAsTextFile(os.path.join(args.out, "jsonl"))
    if args.warc:
        warcs = sc.binaryFiles(args.warc)
        pages = warcs.mapPartitions(clean_warcs(args.rfi_clean))
        pages.saveAsTextFile(os.path.join(args.out, "warc"))
    spark.stop()


if __name__ == "__main__":
    main()
