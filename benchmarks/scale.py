"""How policekg holds up as the store grows: ingest, memory, disk, queries, page, export, and rdflib beside it.

    .venv/bin/python benchmarks/scale.py [--sizes 1000 10000] [--workers 1 2] [--kind mixed] [--keep DIR]

For each size, writes a corpus with benchmarks/generate.py (invented
releases, and ../shared/corpus/dev varied per copy when it is present, about
7.5 KB a release), then measures, each as the user would run it:

* `kg ingest` with 1 and 2 workers: releases/s, quads/s, peak memory (RSS
  of the command and its workers), store size per release;
* every named query in-process (p50 and p95 of `--repeats` runs) and as a
  whole `kg query` process (wall time and peak memory);
* `kg render` (wall time, peak memory, nodes drawn);
* `kg export` to N-Quads and N-Triples (quads/s, peak memory);
* `kg compact` (wall time, store size after);
* up to `--rdflib-max` releases, the same N-Quads loaded into rdflib's
  in-memory Dataset and the six evaluation queries run there.

Prints Markdown tables (pasted into docs/benchmarks.md). Figures, never
tests: nothing here asserts a speed.
"""
from __future__ import annotations

import argparse
import os
import platform
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from kg import queries as named  # noqa: E402
from kg.store import Store  # noqa: E402

BIN = Path(sys.executable).parent
KG = [str(BIN / "kg")] if (BIN / "kg").exists() else [sys.executable, "-m", "kg"]
EVALUATION = ("forces", "units", "operations", "partners", "people", "arrests")
STAGES = ("ingest", "queries", "render", "export", "compact", "rdflib")
PARAMS = {"evidence": {"name": "Tarian"}}  # a regional unit many releases name


def run(args: list[str]) -> tuple[float, float, str]:
    """Wall seconds, peak RSS in MB of the command and everything it waited for, and its stdout."""
    code = ("import resource, subprocess, sys, time; t = time.perf_counter(); "
            "p = subprocess.run(sys.argv[1:], capture_output=True, text=True); "
            "el = time.perf_counter() - t; "
            "sys.stderr.write(p.stderr); print(el, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss); "
            "sys.stdout.write(p.stdout); sys.exit(p.returncode)")
    done = subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True)
    if done.returncode:
        raise SystemExit(f"{' '.join(args)} failed:\n{done.stderr[-2000:]}")
    first, _, rest = done.stdout.partition("\n")
    elapsed, rss = first.split()
    return float(elapsed), int(rss) / 1024, rest


def du(path: Path) -> int:
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file())


def machine() -> str:
    cpu = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
        mem = int(Path("/proc/meminfo").read_text().split()[1]) / 1024 / 1024
    except OSError:
        mem = 0
    import pyoxigraph
    import rdflib
    return (f"{os.cpu_count()} cores ({cpu}), {mem:.0f} GiB RAM, {platform.system()} {platform.release()}, "
            f"Python {platform.python_version()}, pyoxigraph {pyoxigraph.__version__}, rdflib {rdflib.__version__}")


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000])
    ap.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    ap.add_argument("--kind", default="mixed", choices=("mixed", "synthetic", "dev"))
    ap.add_argument("--repeats", type=int, default=5, help="in-process runs of each query (p50, p95)")
    ap.add_argument("--rdflib-max", type=int, default=1000, help="largest size also loaded into rdflib")
    ap.add_argument("--keep", type=Path, default=None, help="keep corpora and stores in this folder")
    ap.add_argument("--stages", nargs="+", choices=STAGES, default=list(STAGES),
                    help="what to measure; without ingest, the store kept in --keep by an earlier run is read")
    ap.add_argument("--query-budget", type=float, default=60.0,
                    help="stop repeating a query in-process once its runs took this many seconds")
    ap.add_argument("--drop-exports", action="store_true", help="delete each export once measured (large sizes)")
    args = ap.parse_args()
    if "ingest" not in args.stages and args.keep is None:
        ap.error("without the ingest stage, --keep must name the folder of an earlier run")
    scratch = args.keep or Path(tempfile.mkdtemp(prefix="policekg-bench-"))
    scratch.mkdir(parents=True, exist_ok=True)
    print(f"machine: {machine()}\n")
    try:
        for size in args.sizes:
            bench(size, args, scratch)
    finally:
        if args.keep is None:
            shutil.rmtree(scratch, ignore_errors=True)


def bench(size: int, args, scratch: Path) -> None:
    corpus = scratch / f"corpus-{args.kind}-{size}.jsonl"
    if not corpus.exists():
        subprocess.run([sys.executable, str(ROOT / "benchmarks" / "generate.py"), str(size), "-o", str(corpus),
                        "--kind", args.kind], check=True, capture_output=True)
    kb = corpus.stat().st_size / size / 1024
    print(f"## {size:,} releases ({args.kind}, {kb:.1f} KB each)\n")
    store = None if "ingest" in args.stages else scratch / f"store-{args.kind}-{size}-w{args.workers[0]}"
    if store is not None and not store.is_dir():
        raise SystemExit(f"no store at {store}: run the ingest stage first")
    if store is None:
        print("| ingest | wall | releases/s | quads/s | peak RSS | store | per release | quads per release |")
        print("| --- | --- | --- | --- | --- | --- | --- | --- |")
    for workers in args.workers if store is None else []:
        path = scratch / f"store-{args.kind}-{size}-w{workers}"
        shutil.rmtree(path, ignore_errors=True)
        elapsed, rss, _ = run([*KG, "ingest", str(corpus), "--store", str(path), "-q", "-j", str(workers)])
        s = Store.open(path, read_only=True)
        quads = len(s._ox)
        s.close()
        disk = du(path)
        print(f"| {workers} worker{'s' if workers > 1 else ''} | {elapsed:.0f} s | {size / elapsed:.1f} | "
              f"{quads / elapsed:,.0f} | {rss:,.0f} MB | {disk / 2**30:.2f} GB | {disk / size / 1024:.0f} KB | "
              f"{quads / size:.0f} |", flush=True)
        if store is None:
            store = path
    print()
    s = Store.open(store, read_only=True)
    quads = len(s._ox)
    s.close()
    if "queries" in args.stages:
        queries(store, args)
    if "render" in args.stages:
        page = scratch / f"graph-{size}.html"
        elapsed, rss, out = run([*KG, "render", "--store", str(store), "-o", str(page)])
        print(f"`kg render`: {elapsed:.1f} s, peak RSS {rss:,.0f} MB, page {page.stat().st_size / 2**20:.1f} MB "
              f"({out.strip().splitlines()[-1] if out.strip() else ''})\n")
    nquads = scratch / f"kg-{size}.nq"
    if "export" in args.stages:
        print("| export | wall | quads/s | peak RSS | file |")
        print("| --- | --- | --- | --- | --- |")
        for fmt, workers, target in (("nquads", 1, nquads), ("nquads", 2, nquads),
                                     ("ntriples", 1, scratch / f"kg-{size}.nt")):
            elapsed, rss, _ = run([*KG, "export", "--store", str(store), "--format", fmt, "-o", str(target),
                                   "-j", str(workers)])
            print(f"| {fmt}{f' -j {workers}' if workers > 1 else ''} | {elapsed:.1f} s | {quads / elapsed:,.0f} | "
                  f"{rss:,.0f} MB | {target.stat().st_size / 2**20:,.0f} MB |", flush=True)
            if args.drop_exports and not (fmt == "nquads" and "rdflib" in args.stages and size <= args.rdflib_max):
                target.unlink()
        print()
    if "compact" in args.stages:
        before = du(store)
        elapsed, rss, _ = run([*KG, "compact", "--store", str(store)])
        after = du(store)
        print(f"`kg compact`: {elapsed:.0f} s, peak RSS {rss:,.0f} MB, {before / 2**30:.2f} GB -> {after / 2**30:.2f} GB "
              f"({after / size / 1024:.0f} KB a release, {after / quads:.0f} bytes a quad)\n")
    if "rdflib" in args.stages and size <= args.rdflib_max and nquads.exists():
        rdflib_side(nquads, size)


def queries(store: Path, args) -> None:
    print("| query | rows | in-process p50 | p95 | runs | `kg query` process | peak RSS |")
    print("| --- | --- | --- | --- | --- | --- | --- |")
    s = Store.open(store, read_only=True)
    for name, query in sorted(named.named_queries().items()):
        times = []
        while len(times) < args.repeats and sum(times) < args.query_budget:
            t = time.perf_counter()
            found = named.rows(s, query, PARAMS.get(name))
            times.append(time.perf_counter() - t)
        s.close()
        extra = [a for k, v in PARAMS.get(name, {}).items() for a in ("--param", f"{k}={v}")]
        elapsed, rss, _ = run([*KG, "query", name, "--store", str(store), "--format", "csv", *extra])
        s = Store.open(store, read_only=True)
        print(f"| {name} | {len(found):,} | {statistics.median(times) * 1000:,.0f} ms | {pct(times, 0.95) * 1000:,.0f} ms "
              f"| {len(times)} | {elapsed * 1000:,.0f} ms | {rss:,.0f} MB |", flush=True)
    s.close()
    print()


def rdflib_side(nquads: Path, size: int) -> None:
    """The same graph in rdflib's in-memory store, the six evaluation queries over the union of its graphs."""
    import rdflib

    t = time.perf_counter()
    data = rdflib.Dataset(default_union=True)
    data.parse(nquads, format="nquads")
    load = time.perf_counter() - t
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"rdflib in-memory, same N-Quads: load {load:.1f} s ({size / load:.1f} releases/s), "
          f"peak RSS {peak:,.0f} MB\n")
    print("| query | rdflib | rows |")
    print("| --- | --- | --- |")
    for name in EVALUATION:
        text = named.named_queries()[name].text
        t = time.perf_counter()
        n = len(list(data.query(text)))
        print(f"| {name} | {(time.perf_counter() - t) * 1000:,.0f} ms | {n:,} |", flush=True)
    print()


if __name__ == "__main__":
    main()
