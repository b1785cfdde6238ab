"""Run the endpoint: what `kg serve` calls.

One uvicorn process answers HTTP; `workers` query processes each hold a
read-only handle on the store (see pool.py). The server binds to loopback
unless told otherwise: the endpoint has no authentication, so binding to
another interface publishes the graph to that network, and it says so.
"""
from __future__ import annotations

import ipaddress
import logging
import sys

from ..store import Store, StoreError

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 7878


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def check_store(path) -> str:
    """Open the store read-only once, so a wrong --store fails with the store's own message before serving."""
    store = Store.open(path, read_only=True)
    try:
        return store.base_iri() or ""
    finally:
        store.close()


def serve(store, host: str = DEFAULT_HOST, port: int = DEFAULT_PORT, timeout: float = 30.0,
          max_rows: int = 10_000, workers: int = 2, max_nodes: int = 2000, log_level: str = "info") -> None:
    """Serve the store until interrupted; raises StoreError when it cannot be opened."""
    import uvicorn

    from .app import create_app

    base = check_store(store)
    if not is_loopback(host):
        print(f"warning: binding to {host}: anyone who can reach this machine on port {port} can query the "
             "graph (the endpoint is read-only and has no authentication)", file=sys.stderr)
    shown = f"[{host}]" if ":" in host else host
    print(f"Serving {store} at http://{shown}:{port}/  (SPARQL: http://{shown}:{port}/sparql; "
         f"query limit {timeout:g} s, {max_rows:,} rows; {workers} query worker{'s' if workers != 1 else ''})",
         file=sys.stderr)
    if base and not base.startswith(f"http://{shown}:{port}/"):
        print(f"Entity pages are at the paths of their IRIs under {base}; the IRIs themselves resolve here "
             f"when the store's base IRI points at this server (kg ingest --base-iri http://{shown}:{port}/id/).",
             file=sys.stderr)
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    app = create_app(str(store), workers=workers, timeout=timeout, max_rows=max_rows, max_nodes=max_nodes)
    uvicorn.run(app, host=host, port=port, log_level=log_level, access_log=log_level == "debug",
                timeout_graceful_shutdown=5)
