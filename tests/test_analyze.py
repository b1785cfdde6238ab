"""kg analyze (centrality and communities), kg export --format graphml|gexf, and kg render's options."""
from __future__ import annotations

import csv
import io

import networkx as nx
from click.testing import CliRunner

from kg.analyze import collaboration_network, rankings
from kg.cli import main
from kg.store import Store
from kg.view import graph_view


def run(*args: str, ok: bool = True) -> str:
    result = CliRunner().invoke(main, list(args))
    assert (result.exit_code == 0) == ok, result.output
    return result.output


def test_collaboration_network_links_who_shares_an_operation_or_release(examples_store) -> None:
    with Store.open(examples_store, read_only=True) as store:
        view = graph_view(store)
    net = collaboration_network(view)
    label = nx.get_node_attributes(net, "label")
    by_name = {v: k for k, v in label.items()}
    assert {d["kind"] for _, d in net.nodes(data=True)} <= {"force", "unit", "partner"}
    kent, nca = by_name["Kent Police"], by_name["National Crime Agency"]
    assert net.has_edge(kent, nca) and net[kent][nca]["operations"] == 1
    # every pair of organisations in one operation is linked
    for op in (n for n, d in view.nodes(data=True) if d["kind"] == "operation"):
        members = {s for s, _ in view.in_edges(op) if s in net}
        assert all(net.has_edge(a, b) for a in members for b in members if a != b)
    rows = rankings(net)
    assert len(rows) == net.number_of_nodes()
    assert rows == sorted(rows, key=lambda r: (-r["betweenness"], -r["weighted"], -r["releases"], r["name"]))
    between = nx.betweenness_centrality(net)
    assert {r["iri"]: r["betweenness"] for r in rows} == {n: round(b, 4) for n, b in between.items()}
    # communities partition the network
    communities = {}
    for r in rows:
        communities.setdefault(r["community"], set()).add(r["iri"])
    assert set().union(*communities.values()) == set(net)


def test_analyze_table_and_csv(examples_store) -> None:
    table = run("analyze", "--store", str(examples_store), "--top", "5")
    assert "betweenness" in table and "Communities" in table
    rows = list(csv.DictReader(io.StringIO(run("analyze", "--store", str(examples_store), "-f", "csv", "--top", "0"))))
    assert rows and set(rows[0]) == {"name", "type", "releases", "partners", "weighted", "degree", "betweenness",
                                     "community", "iri"}
    assert rows[0]["name"] in table
    only = list(csv.DictReader(io.StringIO(run("analyze", "--store", str(examples_store), "-f", "csv",
                                               "--types", "force", "--top", "0"))))
    assert only and {r["type"] for r in only} == {"force"}


def test_export_graphml_and_gexf_keep_types_and_release_counts(examples_store, tmp_path) -> None:
    with Store.open(examples_store, read_only=True) as store:
        view = graph_view(store)
    for fmt in ("graphml", "gexf"):
        out = tmp_path / f"kg.{fmt}"
        run("export", "--store", str(examples_store), "-o", str(out))
        back = nx.read_graphml(out) if fmt == "graphml" else nx.read_gexf(out)
        assert set(back) == set(view)
        assert back.number_of_edges() == view.number_of_edges()
        for n, d in view.nodes(data=True):
            assert back.nodes[n]["type"] == d["kind"] and int(back.nodes[n]["releases"]) == d["releases"]
            assert back.nodes[n]["label"] == d["label"]
        relations = {d["relation"] for _, _, d in back.edges(data=True)}
        assert {"unit of", "took part in", "partner in"} <= relations
    assert run("export", "--store", str(examples_store), "-f", "graphml").lstrip().startswith("<?xml")


def test_render_options_on_the_command_line(examples_store, tmp_path) -> None:
    out = tmp_path / "focus.html"
    assert "Wrote" in run("render", "--store", str(examples_store), "-o", str(out), "--focus", "Kent Police",
                          "--depth", "2", "--types", "force,unit,operation,partner", "--since", "2020-01-01",
                          "--until", "2030-01-01", "--max-nodes", "10")
    page = out.read_text(encoding="utf-8")
    assert "policekg: around Kent Police" in page and "folded" in page
    assert "nothing in the graph is named" in run("render", "--store", str(examples_store), "-o", str(out),
                                                  "--focus", "Nobody At All", ok=False)
    assert "unknown type" in run("render", "--store", str(examples_store), "-o", str(out), "--types", "ship", ok=False)
    rq = tmp_path / "q.rq"
    rq.write_text("CONSTRUCT { ?p schema:memberOf ?o } WHERE { GRAPH ?r { ?m a org:Membership ; org:member ?p ; "
                  "org:organization ?o } }", encoding="utf-8")
    assert "Wrote" in run("render", "--store", str(examples_store), "-o", str(out), "--query", str(rq))
    assert "CONSTRUCT" in run("render", "--store", str(examples_store), "-o", str(out), "--query",
                              "SELECT * WHERE { ?s ?p ?o } LIMIT 1", ok=False)
