"""Throughput of policekg: extraction alone, and ingestion end to end into an on-disk store.

    .venv/bin/python benchmarks/throughput.py [--copies N] [--workers 1 2]

Reads the releases of ../shared/corpus/dev/docs (falling back to examples/
where the shared corpus is absent), repeats them under new identifiers to
make a batch of a realistic size, and prints releases a second for each
stage. Figures, not tests: speed is never asserted in the test suite.
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from kg.api import open as open_graph  # noqa: E402
from kg.documents import find_files, read_file  # noqa: E402
from kg.extract import extract  # noqa: E402
from kg.ingest import build_release  # noqa: E402
from kg.resolve import Identity  # noqa: E402


def corpus() -> list:
    shared = ROOT.parent / "shared" / "corpus" / "dev" / "docs"
    source = shared if shared.is_dir() else ROOT / "examples"
    files, _ = find_files([source])
    return [doc for f in files for doc in read_file(f) if hasattr(doc, "text")], source


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--copies", type=int, default=20, help="how many times to repeat the corpus (default 20)")
    ap.add_argument("--workers", type=int, nargs="+", default=[1, 2], help="worker counts to ingest with")
    args = ap.parse_args()
    docs, source = corpus()
    print(f"corpus: {len(docs)} releases from {source}, {sum(len(d.text) for d in docs):,} characters; "
          f"machine: {os.cpu_count()} cores, Python {sys.version.split()[0]}")

    timings = []
    for _ in range(5):
        start = time.perf_counter()
        for doc in docs:
            extract(doc)
        timings.append(time.perf_counter() - start)
    best = min(timings)
    print(f"extract          {len(docs) / best:8.0f} releases/s  (best of 5; median {len(docs) / statistics.median(timings):.0f})")

    identity = Identity("https://w3id.org/policekg/id/")
    start = time.perf_counter()
    quads = sum(len(build_release(doc, identity).quads) for doc in docs)
    elapsed = time.perf_counter() - start
    print(f"extract+emit     {len(docs) / elapsed:8.0f} releases/s  ({quads / len(docs):.0f} quads a release)")

    with tempfile.TemporaryDirectory() as scratch:
        batch = Path(scratch) / "batch.jsonl"
        with batch.open("w", encoding="utf-8") as f:
            for copy in range(args.copies):
                for doc in docs:
                    f.write(json.dumps({"id": f"{doc.id}-{copy}", "text": doc.text,
                                        "date": doc.date.isoformat() if doc.date else None}) + "\n")
        n = args.copies * len(docs)
        for workers in args.workers:
            store = Path(scratch) / f"store-{workers}"
            # one .jsonl a worker, so the batch can spread over processes
            parts = []
            lines = batch.read_text(encoding="utf-8").splitlines()
            for w in range(workers):
                part = Path(scratch) / f"part-{workers}-{w}.jsonl"
                part.write_text("\n".join(lines[w::workers]) + "\n", encoding="utf-8")
                parts.append(part)
            start = time.perf_counter()
            with open_graph(store) as graph:
                report = graph.ingest(parts, workers=workers)
            elapsed = time.perf_counter() - start
            assert report.ok and len(report.releases) == n
            print(f"ingest, {workers} worker{'s' if workers > 1 else ' '}  {n / elapsed:8.0f} releases/s  "
                  f"({n} releases, {report.quads:,} quads, {elapsed:.1f} s, store and derived graph included)")
            start = time.perf_counter()
            with open_graph(store) as graph:
                graph.ingest(parts, workers=workers)
            elapsed = time.perf_counter() - start
            print(f"re-ingest, {workers} w.  {n / elapsed:8.0f} releases/s  (every release replaced in its own transaction)")


if __name__ == "__main__":
    main()
