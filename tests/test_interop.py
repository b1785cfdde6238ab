"""Into other tools: exports parsed by independent parsers, named queries run unchanged elsewhere.

Every export of the examples' store is read by raptor's rapper, pyoxigraph
and rdflib, and the counts agree across formats; every named query gives
the rows `kg query` gives in rdflib's SPARQL engine (over the TriG export,
default graph the union of its graphs) and in a real Oxigraph server.
"""
from __future__ import annotations

import json
import subprocess
import sys
from decimal import Decimal, InvalidOperation
from pathlib import Path

import pyoxigraph
import pytest
import rdflib

from kg import queries
from kg.store import Store, ontology_graphs

from .tools import rapper_count, start_oxigraph, stop_oxigraph

DATASETS = {"trig": "trig", "nquads": "nquads", "jsonld": None}   # format -> rapper's parser name
FLAT = {"turtle": "turtle", "ntriples": "ntriples"}
SUFFIX = {"trig": ".trig", "nquads": ".nq", "jsonld": ".jsonld", "turtle": ".ttl", "ntriples": ".nt"}
OX_FORMAT = {"trig": pyoxigraph.RdfFormat.TRIG, "nquads": pyoxigraph.RdfFormat.N_QUADS,
             "jsonld": pyoxigraph.RdfFormat.JSON_LD, "turtle": pyoxigraph.RdfFormat.TURTLE,
             "ntriples": pyoxigraph.RdfFormat.N_TRIPLES}
RDFLIB_FORMAT = {"trig": "trig", "nquads": "nquads", "jsonld": "json-ld", "turtle": "turtle", "ntriples": "nt"}
PARAMS = {"evidence": {"name": "Violent Crime Taskforce"}}


def kg(*args: str) -> subprocess.CompletedProcess:
    """The installed command, as a user runs it."""
    return subprocess.run([sys.executable, "-m", "kg", *args], capture_output=True, text=True, timeout=300)


@pytest.fixture(scope="module")
def exports(examples_store, tmp_path_factory) -> dict[tuple[str, bool], Path]:
    """Every format, with and without the ontology, written by `kg export`."""
    folder = tmp_path_factory.mktemp("exports")
    written = {}
    for fmt in SUFFIX:
        for with_ontology in (False, True):
            path = folder / f"kg{'-ontology' if with_ontology else ''}{SUFFIX[fmt]}"
            done = kg("export", "--store", str(examples_store), "--format", fmt, "-o", str(path),
                      *(["--with-ontology"] if with_ontology else []))
            assert done.returncode == 0, done.stderr
            written[fmt, with_ontology] = path
    return written


def _pyoxigraph_count(path: Path, fmt: str) -> int:
    return sum(1 for _ in pyoxigraph.parse(path=str(path), format=OX_FORMAT[fmt]))


def _rdflib_count(path: Path, fmt: str) -> int:
    if fmt in FLAT:
        return len(rdflib.Graph().parse(path, format=RDFLIB_FORMAT[fmt]))
    dataset = rdflib.Dataset()
    dataset.parse(path, format=RDFLIB_FORMAT[fmt])
    return sum(1 for _ in dataset.quads((None, None, None, None)))


@pytest.mark.parametrize("with_ontology", [False, True], ids=["graph", "with-ontology"])
def test_every_export_parses_in_three_tools_and_the_counts_agree(exports, examples_store, rapper, with_ontology):
    with Store.open(examples_store, read_only=True) as store:
        quads = len(store)
        triples = len({q.triple for q in store})
    shipped = [t for path in ontology_graphs().values() for t in pyoxigraph.parse(path=str(path))] if with_ontology else []
    want_quads = quads + len(shipped)
    with Store.open(examples_store, read_only=True) as store:
        want_triples = triples + len({t for t in shipped if not any(store._ox.quads_for_pattern(t.subject, t.predicate, t.object))})
    assert want_triples < want_quads  # release graphs repeat triples: the flat count is a real check
    for fmt in SUFFIX:
        path = exports[fmt, with_ontology]
        want = want_quads if fmt in DATASETS else want_triples
        counts = {"pyoxigraph": _pyoxigraph_count(path, fmt), "rdflib": _rdflib_count(path, fmt)}
        syntax = DATASETS.get(fmt) if fmt in DATASETS else FLAT[fmt]
        if syntax:  # raptor has no JSON-LD parser (its "json" is RDF/JSON)
            counts["rapper"] = rapper_count(rapper, path, syntax)
        assert counts == {tool: want for tool in counts}, fmt


def test_with_ontology_puts_ontology_and_shapes_in_their_own_graphs(exports) -> None:
    from rdflib.compare import isomorphic

    dataset = rdflib.Dataset()
    dataset.parse(exports["nquads", True], format="nquads")
    for graph, path in ontology_graphs().items():
        held = rdflib.Graph()
        for triple in dataset.graph(rdflib.URIRef(graph)):
            held.add(triple)
        assert len(held) > 50 and isomorphic(held, rdflib.Graph().parse(path, format="turtle")), graph
    assert (None, rdflib.RDF.type, rdflib.URIRef("http://www.w3.org/ns/shacl#NodeShape"),
            rdflib.URIRef("https://w3id.org/policekg/shapes")) in dataset


# ---------------------------------------------------------------------------- named queries elsewhere

def _number(value: str):
    try:
        number = Decimal(value)
    except InvalidOperation:
        return value
    return int(number) if number == number.to_integral_value() else float(number)


_NUMERIC = ("integer", "decimal", "double", "float", "int", "long", "nonNegativeInteger")


def _plain(term: dict | None):
    """A SPARQL JSON binding as a comparable value: numbers by value (2, 2.0 and "2"^^xsd:decimal alike)."""
    if term is None:
        return None
    datatype = term.get("datatype", "")
    if term["type"] == "literal" and datatype.rsplit("#", 1)[-1] in _NUMERIC:
        return _number(term["value"])
    if datatype.endswith("#boolean"):
        return term["value"] in ("true", "1")
    value = term["value"]
    # GROUP_CONCAT lists come in no set order
    return "; ".join(sorted(value.split("; "))) if "; " in value else value


def _rowset(names: list[str], bindings: list[dict]) -> set[tuple]:
    return {tuple((n, _plain(b.get(n))) for n in names) for b in bindings}


def _kg_query_rows(store: Path, name: str) -> tuple[list[str], set[tuple]]:
    params = [arg for k, v in PARAMS.get(name, {}).items() for arg in ("--param", f"{k}={v}")]
    done = kg("query", name, "--store", str(store), "--format", "json", *params)
    assert done.returncode == 0, done.stderr
    answer = json.loads(done.stdout)
    names = answer["head"]["vars"]
    return names, _rowset(names, answer["results"]["bindings"])


def _query_text(name: str) -> str:
    """The text of a named query as any SPARQL client would send it (parameters bound by VALUES)."""
    q = queries.named_queries()[name]
    return queries.with_values(q.text, queries.bind(q, PARAMS.get(name, {})))


def _rdflib_json(result) -> list[dict]:
    return json.loads(result.serialize(format="json"))["results"]["bindings"]


@pytest.fixture(scope="module", params=["examples", "dev"])
def corpus_store(request, examples_store, tmp_path_factory) -> tuple[Path, dict[str, Path]]:
    """The examples' store, then the shared dev corpus's (more variety) where it is present, with their exports."""
    store = examples_store if request.param == "examples" else request.getfixturevalue("dev_store_or_examples")
    if request.param == "dev" and store == examples_store:
        pytest.skip("the shared dev corpus is absent: the examples alone were compared")
    folder = tmp_path_factory.mktemp(f"exports-{request.param}")
    paths = {}
    for fmt in ("trig", "nquads"):
        paths[fmt] = folder / f"kg{SUFFIX[fmt]}"
        done = kg("export", "--store", str(store), "--format", fmt, "-o", str(paths[fmt]))
        assert done.returncode == 0, done.stderr
    return store, paths


@pytest.fixture(scope="module")
def kg_rows(corpus_store) -> dict[str, tuple[list[str], set[tuple]]]:
    return {name: _kg_query_rows(corpus_store[0], name) for name in queries.named_queries()}


@pytest.fixture(scope="module")
def rdflib_dataset(corpus_store) -> rdflib.Dataset:
    dataset = rdflib.Dataset(default_union=True)
    dataset.parse(corpus_store[1]["trig"], format="trig")
    return dataset


@pytest.fixture(scope="module")
def loaded_oxigraph(corpus_store, tmp_path_factory):
    """A real `oxigraph serve --union-default-graph` holding the N-Quads export."""
    location = tmp_path_factory.mktemp("oxigraph-loaded") / "db"
    location.mkdir()
    server = start_oxigraph(location)
    try:
        server.load_nquads(corpus_store[1]["nquads"].read_bytes())
        yield server
    finally:
        stop_oxigraph(server)


@pytest.mark.parametrize("name", sorted(queries.named_queries()))
def test_named_query_runs_unchanged_in_rdflib(name, rdflib_dataset, kg_rows) -> None:
    names, want = kg_rows[name]
    text = _query_text(name)
    assert "PREFIX" in text  # no prefix comes from the engine: the query declares its own
    got = _rowset(names, _rdflib_json(rdflib_dataset.query(text)))
    assert got == want
    assert want or name == "data-quality", f"{name} gave no rows"


@pytest.mark.parametrize("name", sorted(queries.named_queries()))
def test_named_query_runs_unchanged_in_an_oxigraph_server(name, loaded_oxigraph, kg_rows) -> None:
    names, want = kg_rows[name]
    got = _rowset(names, loaded_oxigraph.select(_query_text(name)))
    assert got == want


def test_forces_together_lists_shared_operations_when_some_releases_name_none(tmp_path) -> None:
    """Engines differ on an unbound value in GROUP_CONCAT; the query keeps every value bound, so all agree."""
    corpus = tmp_path / "pair.jsonl"
    corpus.write_text(
        json.dumps({"id": "pair-one", "date": "2024-03-04", "text": "Kent Police and Essex Police arrested 12 people "
                    "during Operation Ashgrove, a week of action against county lines drug dealing."}) + "\n"
        + json.dumps({"id": "pair-two", "date": "2024-05-06", "text": "Kent Police and Essex Police arrested four "
                      "people in a joint patrol against knife crime."}) + "\n", encoding="utf-8")
    store = tmp_path / "store"
    assert kg("ingest", str(corpus), "--store", str(store), "-q").returncode == 0
    names, rows = _kg_query_rows(store, "forces-together")
    want = {(("force1", "Essex Police"), ("force2", "Kent Police"), ("releases", 2),
             ("operations", "Operation Ashgrove"), ("documents", "pair-one; pair-two"))}
    assert rows == want
    trig = tmp_path / "kg.trig"
    assert kg("export", "--store", str(store), "-o", str(trig)).returncode == 0
    dataset = rdflib.Dataset(default_union=True)
    dataset.parse(trig, format="trig")
    assert _rowset(names, _rdflib_json(dataset.query(_query_text("forces-together")))) == want
