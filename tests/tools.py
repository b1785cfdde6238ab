"""Real outside tools for the tests: an Oxigraph server, raptor's rapper.

Nothing here is mocked: `oxigraph_server` starts the `oxigraph` binary (the
`oxigraph` PyPI package, in the `test` extra) on a free loopback port and
kills it at teardown; `rapper` is Debian's raptor2-utils. A missing tool
skips its tests with a message naming the package, unless
POLICEKG_REQUIRE_TOOLS=1 (CI sets it): then the test fails, so CI can never
pass by skipping.
"""
from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

import pytest


def need(tool: str, package: str) -> str:
    """The path of a command, or skip (fail under POLICEKG_REQUIRE_TOOLS) naming the package that brings it."""
    here = Path(sys.executable).parent / tool  # installed into the venv by a PyPI package
    path = str(here) if here.is_file() else shutil.which(tool)
    if path:
        return path
    if os.environ.get("POLICEKG_REQUIRE_TOOLS"):
        pytest.fail(f"POLICEKG_REQUIRE_TOOLS is set but `{tool}` is not installed ({package}; .ci/run installs it)")
    pytest.skip(f"`{tool}` is not installed: install {package} to run these tests")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class OxigraphServer:
    """A running `oxigraph serve`: its base URL and helpers that speak the SPARQL protocols to it."""

    url: str
    process: subprocess.Popen
    location: Path

    @property
    def query_url(self) -> str:
        return self.url + "/query"

    @property
    def store_url(self) -> str:
        return self.url + "/store"

    def select(self, sparql: str) -> list[dict[str, dict]]:
        """Rows of a SELECT as SPARQL JSON bindings (term dicts), by the SPARQL 1.1 Protocol (POST)."""
        import json

        request = urllib.request.Request(self.query_url, data=sparql.encode("utf-8"), method="POST", headers={
            "Content-Type": "application/sparql-query", "Accept": "application/sparql-results+json"})
        with urllib.request.urlopen(request, timeout=60) as answer:
            return json.load(answer)["results"]["bindings"]

    def quad_count(self) -> int:
        """Quads in the named graphs (under a union default graph, the default graph is not addressable apart)."""
        rows = self.select("SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }")
        return int(rows[0]["n"]["value"])

    def load_nquads(self, data: bytes) -> None:
        """POST a whole dataset to the store endpoint (Graph Store Protocol, dataset level)."""
        request = urllib.request.Request(self.store_url, data=data, method="POST",
                                         headers={"Content-Type": "application/n-quads"})
        with urllib.request.urlopen(request, timeout=120) as answer:
            answer.read()

    def clear(self) -> None:
        request = urllib.request.Request(self.url + "/update", data=b"CLEAR ALL", method="POST",
                                         headers={"Content-Type": "application/sparql-update"})
        with urllib.request.urlopen(request, timeout=60) as answer:
            answer.read()


def start_oxigraph(location: Path, union_default_graph: bool = True, timeout: float = 30.0) -> OxigraphServer:
    """Start `oxigraph serve` on a free loopback port and wait until it answers a query."""
    binary = need("oxigraph", "the `oxigraph` PyPI package (pip install 'policekg[test]')")
    port = free_port()
    args = [binary, "serve", "--location", str(location), "--bind", f"127.0.0.1:{port}"]
    if union_default_graph:
        args.append("--union-default-graph")
    log = open(location.parent / f"oxigraph-{port}.log", "wb")
    process = subprocess.Popen(args, stdout=log, stderr=subprocess.STDOUT)
    server = OxigraphServer(f"http://127.0.0.1:{port}", process, location)
    deadline = time.monotonic() + timeout
    while True:
        if process.poll() is not None:
            log.close()
            raise RuntimeError(f"oxigraph serve exited with {process.returncode}: "
                               + (location.parent / f"oxigraph-{port}.log").read_text(errors="replace"))
        try:
            server.select("SELECT * WHERE { } LIMIT 1")
            return server
        except (urllib.error.URLError, ConnectionError, OSError):
            if time.monotonic() > deadline:
                stop_oxigraph(server)
                raise RuntimeError(f"oxigraph serve did not answer on port {port} within {timeout} s") from None
            time.sleep(0.1)


def stop_oxigraph(server: OxigraphServer) -> None:
    server.process.terminate()
    try:
        server.process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        server.process.kill()
        server.process.wait()


@pytest.fixture
def oxigraph_server(tmp_path):
    """A fresh, empty Oxigraph server with union default graph semantics, for one test."""
    location = tmp_path / "oxigraph"
    location.mkdir()
    server = start_oxigraph(location)
    yield server
    stop_oxigraph(server)


@pytest.fixture(scope="session")
def rapper() -> str:
    """Raptor's command-line parser (Debian raptor2-utils): an RDF parser independent of Oxigraph and rdflib."""
    return need("rapper", "Debian's raptor2-utils (apt-get install raptor2-utils)")


def rapper_count(rapper: str, path: Path, syntax: str) -> int:
    """How many triples (or quads) rapper reads from a file; fails the test on any parse error."""
    done = subprocess.run([rapper, "--count", "--input", syntax, str(path)], capture_output=True, text=True,
                          timeout=300)
    if done.returncode != 0 or "error" in done.stderr.lower():
        pytest.fail(f"rapper could not parse {path.name} as {syntax}:\n{done.stderr[-2000:]}")
    # rapper: Parsing returned 1234 triples
    for line in done.stderr.splitlines():
        if "returned" in line:
            return int(line.split("returned", 1)[1].split()[0])
    pytest.fail(f"rapper printed no count for {path.name}:\n{done.stderr[-2000:]}")
