"""kg push: the graph into a real Oxigraph server by the Graph Store Protocol, one PUT per graph."""
from __future__ import annotations

import pytest

from kg import queries
from kg.api import open as open_graph
from kg.push import PushError
from kg.store import Store

from .test_interop import _kg_query_rows, _query_text, _rowset, kg
from .tools import free_port


def test_after_a_push_every_named_query_on_the_server_gives_kg_querys_rows(examples_store, oxigraph_server) -> None:
    done = kg("push", oxigraph_server.store_url, "--store", str(examples_store))
    assert done.returncode == 0, done.stderr
    with Store.open(examples_store, read_only=True) as store:
        quads, graphs = len(store), len(store.graph_names())
    assert f"Pushed {graphs} graphs ({quads:,} quads)" in done.stdout
    assert oxigraph_server.quad_count() == quads
    for name in queries.named_queries():
        names, want = _kg_query_rows(examples_store, name)
        assert _rowset(names, oxigraph_server.select(_query_text(name))) == want, name


def test_a_second_push_replaces_instead_of_duplicating(examples_store, oxigraph_server) -> None:
    with open_graph(examples_store, read_only=True) as graph:
        first = graph.push(oxigraph_server.store_url)
        after_first = oxigraph_server.quad_count()
        seen = []
        second = graph.push(oxigraph_server.store_url, progress=lambda done, total: seen.append((done, total)))
    assert first.ok and second.ok and first.pushed == second.pushed == len(seen) > 5
    assert seen[-1] == (second.pushed, second.pushed)
    assert oxigraph_server.quad_count() == after_first == first.quads


def test_a_refused_request_names_the_release_and_the_answer_and_the_push_goes_on(examples_store, oxigraph_server):
    wrong = oxigraph_server.url + "/no-such-endpoint"
    done = kg("push", wrong, "--store", str(examples_store), "-q")
    assert done.returncode == 1
    with Store.open(examples_store, read_only=True) as store:
        graphs = len(store.graph_names())
        ids = [r["id"] for r in store.rows("SELECT ?id WHERE { GRAPH ?g { ?g a schema:NewsArticle ; dcterms:identifier ?id } }")]
    errors = [line for line in done.stderr.splitlines() if line.startswith("error: ")]
    assert len(errors) == graphs  # every graph was tried, not only the first
    for document in ids:
        line = next(e for e in errors if e.startswith(f"error: release {document} <"))
        assert "HTTP 404" in line and "not supported by this server" in line  # Oxigraph's own words
    assert any(e.startswith("error: derived graph <") for e in errors)
    assert f"{graphs} failed" in done.stdout
    assert oxigraph_server.quad_count() == 0


def test_an_unreachable_server_stops_the_push_with_a_clear_error(examples_store) -> None:
    url = f"http://127.0.0.1:{free_port()}/store"  # nothing listens there
    done = kg("push", url, "--store", str(examples_store), "-q")
    assert done.returncode == 1 and f"cannot reach {url}" in done.stderr and "0 of" in done.stderr
    with open_graph(examples_store, read_only=True) as graph, pytest.raises(PushError, match="not an http"):
        graph.push("ftp://example.org/store")
