"""Times one Python peer over the corpus, single thread, interpreter start excluded.

    python bench.py TOOL CORPUS_DIR PASSES

TOOL is nh3, bleach or trafilatura. Every file's HTML payload (the envelope's first four lines
left out, as in the Rust harness) is read into memory first; 50 documents warm up; then PASSES
timed passes over all documents. Prints one JSON line: tool, version, payload bytes, seconds per
pass.
"""

import json
import sys
import time
from importlib.metadata import version
from pathlib import Path


def payload(text):
    if not text.startswith("<!--"):
        return text
    at = 0
    for _ in range(4):
        nl = text.find("\n", at)
        if nl < 0:
            return text
        at = nl + 1
    return text[at:]


def tool(name):
    if name == "nh3":
        import nh3

        return nh3.clean
    if name == "bleach":
        import bleach

        return bleach.clean
    if name == "trafilatura":
        import trafilatura

        return trafilatura.extract
    raise SystemExit(f"unknown tool {name}")


def main():
    name, corpus, passes = sys.argv[1], Path(sys.argv[2]), int(sys.argv[3])
    docs = [payload(p.read_text("utf-8")) for p in sorted(corpus.glob("rfi-*.txt"))]
    size = sum(len(d.encode("utf-8")) for d in docs)
    run = tool(name)
    for d in docs[:50]:
        run(d)
    seconds = []
    for _ in range(passes):
        start = time.perf_counter()
        for d in docs:
            run(d)
        seconds.append(time.perf_counter() - start)
    print(json.dumps({"tool": name, "version": version(name), "bytes": size, "seconds": seconds}))


main()
