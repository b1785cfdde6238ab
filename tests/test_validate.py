"""kg validate: the examples conform to ontology/shapes.ttl; a deliberately broken graph does not, and says where."""
from __future__ import annotations

import subprocess
import sys

import pytest

from kg.api import open as open_graph
from kg.store import Store

from .conftest import EXAMPLES

pytest.importorskip("pyshacl", reason="kg validate needs pySHACL: pip install 'policekg[validate]'")

RELEASE = "https://w3id.org/policekg/id/release/kent-2024-op-harbourlight-county-lines"


def kg(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "kg", *args], capture_output=True, text=True, timeout=300)


def test_the_examples_conform(examples_store) -> None:
    done = kg("validate", "--store", str(examples_store))
    assert done.returncode == 0, done.stdout + done.stderr
    assert "conforms to shapes.ttl" in done.stdout
    with open_graph(examples_store, read_only=True) as graph:
        report = graph.validate()
    assert report.conforms and report.violations == () and report.triples > 1000


@pytest.fixture
def broken_store(tmp_path):
    """One example release, then a quote without its text and a span whose exact text is empty, in its graph."""
    path = tmp_path / "store"
    with open_graph(path) as graph:
        assert graph.ingest([EXAMPLES / "kent-2024-op-harbourlight-county-lines.txt"]).ok
    with Store.open(path) as store:
        store.update(f"""PREFIX schema: <https://schema.org/> PREFIX oa: <http://www.w3.org/ns/oa#>
            INSERT DATA {{ GRAPH <{RELEASE}> {{
              <{RELEASE}#char=0,4> a schema:Quotation ; schema:isPartOf <{RELEASE}> .
              <{RELEASE}#char=5,9> oa:exact "" . }} }}""")
    return path


def test_a_broken_graph_fails_and_each_violation_is_named(broken_store) -> None:
    done = kg("validate", "--store", str(broken_store))
    assert done.returncode == 1
    lines = done.stdout.splitlines()
    assert len(lines) == 2, done.stdout
    quote, span = sorted(lines)
    assert quote.startswith(f"violation: <{RELEASE}#char=0,4> schema:text: ")
    assert span.startswith(f"violation: <{RELEASE}#char=5,9> oa:exact: ") and '(value: "")' in span
    assert "does not conform" in done.stderr and "2 results" in done.stderr


def test_the_report_from_python(broken_store) -> None:
    with open_graph(broken_store, read_only=True) as graph:
        report = graph.validate()
    assert not report.conforms
    assert {(v.focus, v.path) for v in report.violations} == {
        (f"<{RELEASE}#char=0,4>", "schema:text"), (f"<{RELEASE}#char=5,9>", "oa:exact")}
