#!/usr/bin/env bash
# Runs examples/spark/clean_job.py with PySpark (from PyPI, in target/spark-venv) in local mode,
# local[2], on generated pages as JSON Lines and on the WARC files of the WARC tests
# (tests/warc/make_warc.py, warcio in target/warc-venv), and checks that its output equals the
# single-process CLI's, record for record. Prints the wall time of the Spark job and of
# `rfi-clean --jsonl -j2` on the same JSON Lines.
#
# Usage: examples/spark/test_job.sh          Env: SPARK_TEST_PAGES (default 200)
set -euo pipefail

root=$(cd "$(dirname "$0")/../.." && pwd)
pages=${SPARK_TEST_PAGES:-200}
work="$root/target/spark-test"
bin="$root/target/release/rfi-clean"

if [ ! -x "$root/target/spark-venv/bin/spark-submit" ]; then
    python3 -m venv "$root/target/spark-venv"
    "$root/target/spark-venv/bin/pip" install -q -r "$root/examples/spark/requirements.txt"
fi
if [ ! -x "$root/target/warc-venv/bin/python" ]; then
    python3 -m venv "$root/target/warc-venv"
    "$root/target/warc-venv/bin/pip" install -q -r "$root/tests/warc/requirements.txt"
fi
cargo build --locked --quiet --release -p rfi-clean-cli

rm -rf "$work"
mkdir -p "$work/in/warc"
python3 "$root/crates/rfi-clean/benches/gen-corpus" --count "$pages" --seed 3 --out "$work/corpus" > /dev/null
python3 - "$work/corpus" "$work/in/pages.jsonl" <<'PY'
import json, pathlib, sys
corpus, out = pathlib.Path(sys.argv[1]), sys.argv[2]
with open(out, "w", encoding="utf-8") as f:
    for i, p in enumerate(sorted(corpus.glob("rfi-*.txt"))):
        url = "https://www.rfi.fr/fr/%d" % i if i % 2 else None
        f.write(json.dumps({"id": p.name, "url": url, "html": p.read_text("utf-8")}, ensure_ascii=False) + "\n")
PY
"$root/target/warc-venv/bin/python" "$root/tests/warc/make_warc.py" "$work/made" > /dev/null
cp "$work/made/crawl.warc.gz" "$work/made/crawl.warc" "$work/made/whole.warc.gz" "$work/in/warc/"

# The single-process CLI.
"$bin" --jsonl "$work/in/pages.jsonl" > "$work/cli.jsonl"
start=$(date +%s.%N)
"$bin" --jsonl -j2 < "$work/in/pages.jsonl" > "$work/cli-j2.jsonl"
cli_seconds=$(awk -v s="$start" -v e="$(date +%s.%N)" 'BEGIN { print e - s }')
cmp "$work/cli.jsonl" "$work/cli-j2.jsonl"
status=0
"$bin" --format json --quiet "$work"/in/warc/* > "$work/cli-warc.jsonl" 2> "$work/cli-warc.err" || status=$?
[ "$status" = 2 ] || { echo "test_job: expected exit 2 (damaged records), got $status" >&2; exit 1; }

# The Spark job, local[2], rfi-clean on the PATH.
start=$(date +%s.%N)
PATH="$root/target/release:$PATH" PYSPARK_PYTHON="$root/target/spark-venv/bin/python" \
    "$root/target/spark-venv/bin/spark-submit" --master 'local[2]' \
    --conf spark.ui.enabled=false --conf spark.driver.host=127.0.0.1 \
    "$root/examples/spark/clean_job.py" \
    --jsonl "$work/in/pages.jsonl" --partitions 2 --warc "$work/in/warc" --out "$work/out" \
    > "$work/spark.log" 2>&1 || { tail -40 "$work/spark.log" >&2; exit 1; }
spark_seconds=$(awk -v s="$start" -v e="$(date +%s.%N)" 'BEGIN { print e - s }')

python3 - "$work" <<'PY'
import glob, json, os, sys
work = sys.argv[1]

def lines(pattern):
    out = []
    for path in sorted(glob.glob(pattern)):
        with open(path, encoding="utf-8") as f:
            out += [json.loads(l) for l in f if l.strip()]
    return out

cli, spark = lines(work + "/cli.jsonl"), lines(work + "/out/jsonl/part-*")
assert len(cli) > 0 and len(spark) == len(cli), (len(cli), len(spark))
key = lambda r: r["id"]
assert sorted(cli, key=key) == sorted(spark, key=key), "JSON Lines: Spark differs from the CLI"

def by_record(records):
    for r in records:
        r["source"] = os.path.basename(r["source"])
    return sorted(records, key=lambda r: (r["source"], r["record_id"]))

cli_w, spark_w = by_record(lines(work + "/cli-warc.jsonl")), by_record(lines(work + "/out/warc/part-*"))
assert len(cli_w) > 0 and len(spark_w) == len(cli_w), (len(cli_w), len(spark_w))
assert cli_w == spark_w, "WARC: Spark differs from the CLI"
print("test_job: %d JSON Lines records and %d WARC pages, Spark == CLI" % (len(cli), len(cli_w)))
PY
bytes=$(wc -c < "$work/in/pages.jsonl")
awk -v b="$bytes" -v s="$spark_seconds" -v c="$cli_seconds" -v n="$pages" 'BEGIN {
    printf "test_job: %d pages (%.1f MB): Spark local[2] job %.1f s (JSON Lines and WARC, JVM start included), rfi-clean --jsonl -j2 %.2f s\n", n, b / 1e6, s, c
}'
