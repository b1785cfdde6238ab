"""A bounded load test of `kg serve`: concurrent clients on 127.0.0.1 for a fixed time.

    .venv/bin/python benchmarks/serve_load.py [--store DIR] [--clients 8] [--duration 20] [--workers 2] [--pages]

Starts the real `kg serve` on a free loopback port over the store given
(default: the bundled examples, ingested into a temporary folder), then runs
`--clients` threads, each with one keep-alive HTTP connection, sending the
named queries (those that need no parameter) round-robin as
application/sparql-query for `--duration` seconds; with `--pages`, every
other request is an entity page instead. It stops by itself, stops the
server, and prints throughput, latency percentiles and errors (any non-200
answer or failed connection; the run exits non-zero unless there are none).
Figures, not tests: nothing here is asserted in the suite.
"""
from __future__ import annotations

import argparse
import http.client
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from kg import queries  # noqa: E402


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def build_examples(folder: Path) -> Path:
    store = folder / "store"
    subprocess.run([sys.executable, "-m", "kg", "ingest", str(ROOT / "examples"), "--store", str(store), "-q"],
                   check=True, stdout=subprocess.DEVNULL)
    return store


def wait_ready(port: int, process: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if process.poll() is not None:
            sys.exit(f"kg serve ended with {process.returncode}:\n{log.read_text()}")
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            conn.request("GET", "/sparql?query=" + urllib.parse.quote("ASK {}"))
            if conn.getresponse().status == 200:
                conn.close()
                return
        except OSError:
            pass
        time.sleep(0.1)
    sys.exit("kg serve did not answer within 120 s")


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    k = (len(ordered) - 1) * p / 100
    low = int(k)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (k - low)


def client(port: int, requests_: list[tuple[str, str, str, bytes | None, dict]], offset: int, stop_at: float,
           results: list, errors: list) -> None:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    i = offset
    while time.monotonic() < stop_at:
        name, method, path, body, headers = requests_[i % len(requests_)]
        i += 1
        start = time.perf_counter()
        try:
            conn.request(method, path, body=body, headers=headers)
            response = conn.getresponse()
            data = response.read()
            elapsed = time.perf_counter() - start
            if response.status != 200:
                errors.append((name, response.status, data[:200]))
            else:
                results.append((name, elapsed, len(data)))
        except (OSError, http.client.HTTPException) as err:
            errors.append((name, type(err).__name__, str(err)))
            conn.close()
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    conn.close()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--store", type=Path, default=None, help="store to serve (default: the examples, built to a temp dir)")
    ap.add_argument("--clients", type=int, default=8, help="concurrent clients (default 8)")
    ap.add_argument("--duration", type=float, default=20.0, help="seconds of load (default 20)")
    ap.add_argument("--workers", type=int, default=2, help="kg serve query workers (default 2)")
    ap.add_argument("--pages", action="store_true", help="mix entity pages in with the queries")
    args = ap.parse_args()

    with tempfile.TemporaryDirectory(prefix="policekg-load-") as tmp:
        tmp = Path(tmp)
        store = args.store or build_examples(tmp)
        port = free_port()
        log = tmp / "serve.log"
        with open(log, "wb") as out:
            server = subprocess.Popen([sys.executable, "-m", "kg", "serve", "--store", str(store), "--port", str(port),
                                       "--workers", str(args.workers), "--timeout", "60"],
                                      stdout=out, stderr=subprocess.STDOUT)
        try:
            wait_ready(port, server, log)
            named = [(name, q) for name, q in queries.named_queries().items() if all(p.optional for p in q.params)]
            requests_ = [(name, "POST", "/sparql", q.text.encode("utf-8"),
                          {"Content-Type": "application/sparql-query", "Accept": "application/sparql-results+json"})
                         for name, q in named]
            if args.pages:
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
                sparql = "SELECT DISTINCT ?e WHERE { ?e skos:prefLabel ?l ; pk:releaseCount ?n } LIMIT 40"
                conn.request("GET", "/sparql?query=" + urllib.parse.quote(sparql))
                iris = [b["e"]["value"] for b in json.loads(conn.getresponse().read())["results"]["bindings"]]
                conn.close()
                pages = [("page", "GET", urllib.parse.urlsplit(iri).path, None, {"Accept": "text/html"}) for iri in iris]
                requests_ = [r for pair in zip(requests_ * (len(pages) // len(requests_) + 1), pages) for r in pair]
            results: list = []
            errors: list = []
            stop_at = time.monotonic() + args.duration
            started = time.perf_counter()
            threads = [threading.Thread(target=client, args=(port, requests_, i * 3, stop_at, results, errors))
                       for i in range(args.clients)]
            for t in threads:
                t.start()
            for t in threads:
                t.join()
            elapsed = time.perf_counter() - started
        finally:
            server.terminate()
            try:
                server.wait(30)
            except subprocess.TimeoutExpired:
                server.kill()

    latencies = [r[1] * 1000 for r in results]
    print(f"store: {args.store or 'examples/ (built to a temporary store)'}; machine: {os.cpu_count()} cores; kg serve with {args.workers} query workers")
    print(f"{args.clients} clients for {elapsed:.1f} s over {len(requests_)} distinct requests "
          f"({len(named)} named queries{', entity pages' if args.pages else ''})")
    print(f"requests   {len(results) + len(errors):>8,}   throughput {len(results) / elapsed:8.1f} req/s")
    print(f"latency ms  p50 {percentile(latencies, 50):7.1f}   p95 {percentile(latencies, 95):7.1f}   "
          f"p99 {percentile(latencies, 99):7.1f}   max {max(latencies, default=float('nan')):7.1f}")
    by_name: dict[str, list[float]] = {}
    for name, seconds, _ in results:
        by_name.setdefault(name, []).append(seconds * 1000)
    for name, values in sorted(by_name.items()):
        print(f"  {name:<24} {len(values):>6} requests  median {statistics.median(values):7.1f} ms")
    print(f"errors     {len(errors)}")
    for error in errors[:10]:
        print(f"  {error}")
    sys.exit(1 if errors else 0)


if __name__ == "__main__":
    main()
