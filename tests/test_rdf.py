"""The graph itself: golden RDF, provenance offsets, SHACL shapes, ontology coverage, identity."""
from __future__ import annotations

from pathlib import Path

import pytest
import rdflib
from rdflib.compare import graph_diff, isomorphic, to_isomorphic

from kg.documents import find_files, read_file
from kg.ingest import build_release
from kg.resolve import Identity
from kg.store import Store
from kg.vocab import DEFAULT_BASE_IRI

from .conftest import EXAMPLES, ROOT

GOLDEN = Path(__file__).resolve().parent / "golden" / "kent-2024-op-harbourlight-county-lines.trig"


def _dataset(quads) -> rdflib.Dataset:
    ds = rdflib.Dataset()
    ds.parse(data="".join(f"{q} .\n" for q in quads), format="nquads")
    return ds


def test_release_graph_matches_golden_rdf() -> None:
    built = build_release(next(read_file(EXAMPLES / "kent-2024-op-harbourlight-county-lines.txt")), Identity(DEFAULT_BASE_IRI))
    got = _dataset(built.quads).graph(rdflib.URIRef(built.graph))
    golden = rdflib.Dataset()
    golden.parse(GOLDEN, format="trig")
    want = golden.graph(rdflib.URIRef(built.graph))
    assert len(got) == len(want) > 250
    if not isomorphic(got, want):
        _, only_got, only_want = graph_diff(to_isomorphic(got), to_isomorphic(want))
        pytest.fail("graph differs from tests/golden (run tests/golden/regenerate.py if the change is meant):\n"
                    f"only now: {sorted(map(str, only_got))[:10]}\nonly golden: {sorted(map(str, only_want))[:10]}")


def test_every_selector_points_at_its_exact_text(examples_store) -> None:
    store = Store.open(examples_store, read_only=True)
    texts = {}
    files, _ = find_files([EXAMPLES])
    for path in files:
        for item in read_file(path):
            texts[item.id] = item.text
    rows = store.rows("""
        SELECT ?doc ?span ?exact WHERE { GRAPH ?release {
          ?span oa:exact ?exact . ?release a schema:NewsArticle ; dcterms:identifier ?doc } }""")
    quotes = store.rows("""
        SELECT ?doc ?span ?exact WHERE { GRAPH ?release {
          ?span a schema:Quotation ; schema:text ?exact . ?release dcterms:identifier ?doc } }""")
    store.close()
    assert len(rows) > 150 and len(quotes) > 10
    for row in rows + quotes:
        release, _, fragment = row["span"].partition("#char=")
        start, end = map(int, fragment.split(","))
        assert release.endswith("/release/" + row["doc"])
        assert texts[row["doc"]][start:end] == row["exact"], row


def test_every_entity_annotation_has_spans_and_evidence(examples_store) -> None:
    store = Store.open(examples_store, read_only=True)
    missing = store.rows("""
        SELECT ?entity WHERE {
          VALUES ?type { pk:PoliceUnit pk:Operation pk:PartnerAgency schema:Person }
          ?entity a ?type .
          FILTER NOT EXISTS { GRAPH ?g { ?a oa:hasBody ?entity ; oa:hasTarget/pk:evidence ?rule } } }""")
    store.close()
    assert missing == []


def test_graph_conforms_to_shacl_shapes(examples_store, tmp_path) -> None:
    pyshacl = pytest.importorskip("pyshacl")
    store = Store.open(examples_store, read_only=True)
    out = tmp_path / "kg.nq"
    store.export(str(out), "nquads")
    store.close()
    data = rdflib.Dataset()
    data.parse(out, format="nquads")
    union = rdflib.Graph()
    for s, p, o, _ in data.quads():
        union.add((s, p, o))
    shapes = rdflib.Graph().parse(ROOT / "ontology" / "shapes.ttl", format="turtle")
    conforms, _, report = pyshacl.validate(union, shacl_graph=shapes)
    assert conforms, report


def test_ontology_defines_every_pk_term_the_graph_uses(examples_store) -> None:
    ontology = rdflib.Graph().parse(ROOT / "ontology" / "policekg.ttl", format="turtle")
    RDFS = rdflib.RDFS
    store = Store.open(examples_store, read_only=True)
    used = {r["t"] for r in store.rows("""
        SELECT DISTINCT ?t WHERE { { ?s ?t ?o } UNION { ?s a ?t } FILTER(STRSTARTS(STR(?t), STR(pk:))) }""")}
    store.close()
    assert len(used) > 20
    for term in used:
        ref = rdflib.URIRef(term)
        assert (ref, RDFS.label, None) in ontology, f"{term} has no rdfs:label in ontology/policekg.ttl"
        assert (ref, RDFS.comment, None) in ontology, f"{term} has no rdfs:comment in ontology/policekg.ttl"


def test_iris_follow_the_base_and_canonical_keys() -> None:
    document = next(read_file(EXAMPLES / "met-2023-op-northgate-rail.txt"))
    one = build_release(document, Identity("https://example.org/kg/"))
    two = build_release(document, Identity("https://example.org/kg/"))
    assert one.quads == two.quads
    subjects = {q.subject.value for q in one.quads}
    assert "https://example.org/kg/unit/metropolitan/violent-crime-taskforce" in subjects
    assert "https://example.org/kg/operation/metropolitan/operation-northgate" in subjects
    assert all(s.startswith(("https://example.org/kg/", "https://w3id.org/policekg/vocab/")) for s in subjects)


def test_bad_base_iri_is_refused() -> None:
    with pytest.raises(ValueError, match="absolute IRI"):
        Identity("not an iri")


def test_named_queries_answer_the_same_on_a_trig_export(examples_store, dev_store_or_examples) -> None:
    """The store and a TriG export loaded elsewhere (union default graph) give the same answers."""
    from collections import Counter

    import pyoxigraph

    from kg import queries
    from kg.store import python_value

    for store_path in {examples_store, dev_store_or_examples}:
        store = Store.open(store_path, read_only=True)
        other = pyoxigraph.Store()
        other.load(store_export(store, "trig"), format=pyoxigraph.RdfFormat.TRIG)
        for name, q in queries.named_queries().items():
            params = {"name": "Violent Crime Taskforce"} if name == "evidence" else {}
            text = queries.with_values(q.text, queries.bind(q, params))
            got = Counter(tuple(sorted((k, _unordered(v)) for k, v in r.items())) for r in store.rows(text))
            solutions = other.query(text, use_default_graph_as_union=True)  # the query declares its own prefixes
            names = [v.value for v in solutions.variables]
            want = Counter(tuple(sorted((n, _unordered(python_value(s[n]))) for n in names)) for s in solutions)
            assert got == want, name
            assert got or name in ("data-quality",), f"{name} gave no rows"
        store.close()


def test_a_flat_export_still_answers_entity_questions(examples_store) -> None:
    """Turtle keeps each entity's one preferred label and its types: questions about entities work there."""
    import pyoxigraph

    store = Store.open(examples_store, read_only=True)
    flat = pyoxigraph.Store()
    flat.load(store_export(store, "turtle"), format=pyoxigraph.RdfFormat.TURTLE)
    question = """PREFIX pk: <https://w3id.org/policekg/ontology#> PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
        SELECT DISTINCT ?name WHERE { ?u a pk:PoliceUnit ; skos:prefLabel ?name }"""
    assert sorted(str(s["name"].value) for s in flat.query(question)) == sorted(r["name"] for r in store.rows(question))
    store.close()


def _unordered(value):
    """GROUP_CONCAT lists come in no set order: compare them as sets."""
    return "; ".join(sorted(value.split("; "))) if isinstance(value, str) and "; " in value else value


def store_export(store: Store, fmt: str) -> bytes:
    import io

    out = io.BytesIO()
    store.export(out, fmt)
    return out.getvalue()
