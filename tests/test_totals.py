"""Running totals of the derived graph: they answer what the release graphs themselves say.

Each reference query below is the aggregate over every release graph that
the named query answered before its totals existed; the named query, now
reading the totals, must give the same rows on every corpus at hand, for
every value of its parameter, after a replacement as after a first ingest.
"""
from __future__ import annotations

import json
import shutil
from collections import Counter
from pathlib import Path

import pytest

from kg import derive, queries, totals
from kg.api import open as open_graph
from kg.resolve import Identity
from kg.store import Store
from kg.vocab import DEFAULT_BASE_IRI

from .conftest import EXAMPLES

REFERENCE = {
    "forces-together": """PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX schema: <https://schema.org/>
PREFIX dcterms: <http://purl.org/dc/terms/>
PREFIX pk: <https://w3id.org/policekg/ontology#>
SELECT ?force1 ?force2 (COUNT(DISTINCT ?release) AS ?releases)
       (REPLACE(GROUP_CONCAT(DISTINCT COALESCE(CONCAT(?operation, "; "), ""); separator=""), "; $", "") AS ?operations)
       (GROUP_CONCAT(DISTINCT ?document; separator="; ") AS ?documents)
WHERE {
  {
    # the pairs of each release, found inside its graph alone
    SELECT DISTINCT ?release ?activity ?a ?b WHERE {
      GRAPH ?release {
        ?activity a pk:ReportedActivity ;
                  schema:organizer ?a, ?b .
        ?a a pk:PoliceForce .
        ?b a pk:PoliceForce .
        FILTER (STR(?a) < STR(?b))
      }
    }
  }
  ?a skos:prefLabel ?labelA .
  ?b skos:prefLabel ?labelB .
  BIND (IF(STR(?labelA) < STR(?labelB), ?labelA, ?labelB) AS ?force1)
  BIND (IF(STR(?labelA) < STR(?labelB), ?labelB, ?labelA) AS ?force2)
  FILTER (!BOUND(?force) || ?force1 = ?force || ?force2 = ?force)
  GRAPH ?release { ?release dcterms:identifier ?document }
  OPTIONAL {
    GRAPH ?release { ?activity schema:superEvent ?op }
    ?op skos:prefLabel ?operation .
  }
}
GROUP BY ?force1 ?force2
ORDER BY DESC(?releases) ?force1 ?force2
""",
    "offences": """PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX schema: <https://schema.org/>
PREFIX pk: <https://w3id.org/policekg/ontology#>
SELECT ?offence ?group (SUM(?count) AS ?arrests) (COUNT(DISTINCT ?release) AS ?releases)
WHERE {
  GRAPH ?release {
    ?line a pk:BreakdownLine ;
          schema:value ?count ;
          pk:offence ?concept ;
          pk:inBreakdown ?heading .
  }
  ?concept skos:prefLabel ?offence .
  OPTIONAL { ?concept skos:broader ?broader . ?broader skos:prefLabel ?group }
  OPTIONAL {
    GRAPH ?release { ?heading pk:forForce ?headingForceNode }
    ?headingForceNode skos:prefLabel ?headingForce .
  }
  FILTER (!BOUND(?force) || ?headingForce = ?force)
}
GROUP BY ?offence ?group
ORDER BY DESC(?arrests) ?offence
""",
    "arrests-by-force-month": """PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX schema: <https://schema.org/>
PREFIX pk: <https://w3id.org/policekg/ontology#>
SELECT ?force ?month (COUNT(DISTINCT ?release) AS ?releases) (SUM(?arrestCount) AS ?arrests) (SUM(?cashValue) AS ?cash_gbp)
WHERE {
  {
    SELECT ?release ?f ?month (MAX(COALESCE(?v, 0)) AS ?arrestCount) (MAX(COALESCE(?c, 0)) AS ?cashValue) WHERE {
      GRAPH ?release {
        ?release pk:mainForce ?f .
        ?activity schema:subjectOf ?release .
        OPTIONAL { ?activity schema:startDate ?start }
        OPTIONAL { ?release schema:datePublished ?published }
        OPTIONAL { ?activity pk:outcome ?o . ?o pk:headline true ; schema:value ?v }
        OPTIONAL { ?activity pk:outcome ?cash . ?cash pk:outcomeKind <https://w3id.org/policekg/vocab/outcome/cash-seized> ; schema:value ?c }
      }
      BIND (COALESCE(SUBSTR(STR(COALESCE(?start, ?published)), 1, 7), "") AS ?month)
    }
    GROUP BY ?release ?f ?month
  }
  ?f skos:prefLabel ?force .
}
GROUP BY ?force ?month
ORDER BY ?force ?month
""",
}

PARAMS = ({}, {"force": "Kent Police"}, {"force": "Metropolitan Police Service"}, {"force": "Essex Police"},
          {"force": "No Such Police"})


def _rows(store: Store, query: queries.NamedQuery, params: dict) -> Counter:
    """Rows as comparable values; a GROUP_CONCAT's order is the engine's, so its items are compared as a set."""
    out = []
    for row in queries.rows(store, query, params):
        out.append(tuple((k, tuple(sorted(v.split("; "))) if k in ("operations", "documents") else v)
                         for k, v in sorted(row.items())))
    return Counter(out)


def _assert_totals_answer_as_release_graphs(store_path: Path) -> int:
    compared = 0
    with Store.open(store_path, read_only=True) as store:
        for name, text in REFERENCE.items():
            named = queries.named_queries()[name]
            reference = queries.parse_query(named.text.split("PREFIX", 1)[0] + text, name)
            for params in PARAMS:
                want = _rows(store, reference, params)
                assert _rows(store, named, params) == want, (name, params)
                compared += sum(want.values())
    return compared


@pytest.mark.parametrize("corpus", ["examples", "dev"])
def test_totals_answer_what_the_release_graphs_say(corpus, examples_store, dev_store_or_examples) -> None:
    store = examples_store if corpus == "examples" else dev_store_or_examples
    if corpus == "dev" and store == examples_store:
        pytest.skip("the shared dev corpus is absent: the examples alone were compared")
    assert _assert_totals_answer_as_release_graphs(store) > 20


def test_totals_follow_replaced_and_new_releases(tmp_path) -> None:
    """A replaced release's old contribution goes; a new one's is added; the totals then equal a rebuild."""
    folder = tmp_path / "corpus"
    shutil.copytree(EXAMPLES, folder, ignore=shutil.ignore_patterns("gold"))
    store = tmp_path / "store"
    with open_graph(store) as graph:
        graph.ingest([folder])
    before = _offence_arrests(store)
    kent = folder / "kent-2024-op-harbourlight-county-lines.txt"
    kent.write_text(" date 2024-03-01 Kent Police and Essex Police arrested 6 people in Operation Harbourlight.\n",
                    encoding="utf-8")
    (folder / "extra.jsonl").write_text(json.dumps({
        "id": "extra-breakdown", "date": "2024-06-02",
        "text": "Essex Police arrested 3 people.\n\nEssex Police:\n3 x Possession of an offensive weapon\n"}) + "\n",
        encoding="utf-8")
    with open_graph(store) as graph:
        graph.ingest([folder])
    after = _offence_arrests(store)
    assert after != before
    assert _assert_totals_answer_as_release_graphs(store) > 10
    identity = Identity(DEFAULT_BASE_IRI)
    with Store.open(store) as opened:
        observed = sorted(str(q) for q in opened.quads(identity.graph("derived")) if "/total/" in str(q.subject))
        derive.rebuild(opened, identity)
        rebuilt = sorted(str(q) for q in opened.quads(identity.graph("derived")) if "/total/" in str(q.subject))
    assert observed == rebuilt and len(rebuilt) > 30


def _offence_arrests(store: Path) -> dict:
    with Store.open(store, read_only=True) as opened:
        return {r["offence"]: r["arrests"] for r in queries.rows(opened, queries.named_queries()["offences"])}


def test_group_iris_come_from_keys_not_counters() -> None:
    from pyoxigraph import Literal, NamedNode

    identity = Identity(DEFAULT_BASE_IRI)
    month = next(t for t in totals.TOTALS if t.name == "force-month")
    iri = totals.group_iri(identity, month, [NamedNode(identity.force("kent")), Literal("2024-03")])
    assert iri == DEFAULT_BASE_IRI + "total/force-month/force/kent/2024-03"
    assert totals.group_iri(identity, month, [NamedNode(identity.force("kent")), Literal("")]).endswith("/kent/none")


def test_a_renamed_operation_is_renamed_in_the_totals_that_list_it(tmp_path) -> None:
    """The pair's release is not touched again, yet the name most releases use now differs: the list follows."""
    pair = {"id": "pair-a", "date": "2024-03-04", "text": "Kent Police and Essex Police arrested 12 people during "
            "Operation Ashgrove, a week of action against county lines drug dealing."}
    solos = [{"id": f"solo-{i}", "date": "2024-03-05", "text": f"Kent Police arrested {i + 2} people during Operation "
              "AshGrove, a week of action against county lines drug dealing."} for i in range(2)]
    (tmp_path / "a.jsonl").write_text(json.dumps(pair) + "\n", encoding="utf-8")
    (tmp_path / "b.jsonl").write_text("".join(json.dumps(s) + "\n" for s in solos), encoding="utf-8")
    store = tmp_path / "store"
    together = queries.named_queries()["forces-together"]
    names = []
    for corpus in ("a.jsonl", "b.jsonl"):
        with open_graph(store) as graph:
            graph.ingest([tmp_path / corpus])
        with Store.open(store, read_only=True) as opened:
            names.append([r["operations"] for r in queries.rows(opened, together)])
    assert names == [["Operation Ashgrove"], ["Operation AshGrove"]]
    assert _assert_totals_answer_as_release_graphs(store) > 3
    identity = Identity(DEFAULT_BASE_IRI)
    with Store.open(store) as opened:
        observed = sorted(str(q) for q in opened.quads(identity.graph("derived")))
        derive.rebuild(opened, identity)
        assert sorted(str(q) for q in opened.quads(identity.graph("derived"))) == observed
