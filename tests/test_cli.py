"""The command line end to end: click's runner for each command, and the installed `kg` itself."""
from __future__ import annotations

import csv
import io
import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import rdflib
from click.testing import CliRunner

from kg import queries
from kg.cli import main

from .conftest import EXAMPLES, ROOT


def run(*args: str) -> str:
    result = CliRunner().invoke(main, list(args))
    assert result.exit_code == 0, result.output
    return result.output


@pytest.mark.parametrize("name", sorted(queries.named_queries()))
def test_every_named_query_gives_its_columns_as_csv(examples_store, name) -> None:
    q = queries.named_queries()[name]
    params = ["--param=name=Violent Crime Taskforce"] if name == "evidence" else []
    out = run("query", name, "--store", str(examples_store), "--format", "csv", *params)
    rows = list(csv.reader(io.StringIO(out)))
    assert rows[0] == list(q.columns)
    assert len(rows) > 1, f"{name} gave no rows on the examples"


def test_required_columns_and_values_for_the_evaluation(examples_store) -> None:
    people = list(csv.DictReader(io.StringIO(run("query", "people", "--store", str(examples_store), "-f", "csv"))))
    odell = next(r for r in people if r["name"] == "Claire Odell")
    assert odell == {"document": "kent-2024-op-harbourlight-county-lines", "name": "Claire Odell",
                     "rank": "Detective Superintendent", "organisation": "County Lines and Gangs Team"}
    arrests = {r["document"]: r["arrests"] for r in csv.DictReader(io.StringIO(run("query", "arrests", "--store", str(examples_store), "-f", "csv")))}
    assert arrests["kent-2024-op-harbourlight-county-lines"] == "27"
    assert arrests["scotland-2024-op-cairnhill-results"] == "43"


def test_query_formats(examples_store) -> None:
    store = str(examples_store)
    data = json.loads(run("query", "forces", "--store", store, "-f", "json"))
    assert data["head"]["vars"] == ["document", "name"] and len(data["results"]["bindings"]) == 16
    tsv = run("query", "forces", "--store", store, "-f", "tsv").splitlines()
    assert tsv[0] == "?document\t?name" and len(tsv) == 17
    table = run("query", "forces", "--store", store)
    assert "Metropolitan Police Service" in table and table.rstrip().endswith("(16 rows)")
    assert run("query", "ASK { ?f a pk:PoliceForce }", "--store", store) == "true\n"


def test_query_parameters(examples_store) -> None:
    out = run("query", "forces-together", "--store", str(examples_store), "-f", "csv", "--param", "force=Kent Police")
    pairs = {(r["force1"], r["force2"]) for r in csv.DictReader(io.StringIO(out))}
    assert pairs == {("British Transport Police", "Kent Police"), ("Essex Police", "Kent Police")}
    result = CliRunner().invoke(main, ["query", "forces", "--store", str(examples_store), "--param", "nope=1"])
    assert result.exit_code == 1 and "has no parameter 'nope'" in result.output
    result = CliRunner().invoke(main, ["query", "evidence", "--store", str(examples_store)])
    assert result.exit_code == 1 and "needs --param name=" in result.output


# A value each parameter can take on the examples, and what every row must then show.
NARROWING = {"name": "Violent Crime Taskforce", "force": "Kent Police", "speaker": "Claire Odell"}


@pytest.mark.parametrize("name", sorted(n for n, q in queries.named_queries().items() if q.params))
def test_every_parameter_narrows_its_query(examples_store, name) -> None:
    """A parameter is bound where the query reads it: a name nobody uses gives no rows, a real one fewer.

    (A VALUES block outside a subquery that does not project the variable binds nothing: `evidence`
    once answered every entity's spans, whatever name it was given.)"""
    from kg.store import Store

    q = queries.named_queries()[name]
    store = Store.open(examples_store, read_only=True)
    try:
        every = queries.rows(store, q, {p.name: NARROWING[p.name] for p in q.params if not p.optional})
        for p in q.params:
            base = {x.name: NARROWING[x.name] for x in q.params if not x.optional and x.name != p.name}
            assert queries.rows(store, q, {**base, p.name: "No Such Name Anywhere"}) == [], (name, p.name)
            some = queries.rows(store, q, {**base, p.name: NARROWING[p.name]})
            assert some, (name, p.name)
            if p.optional:
                assert len(some) < len(every), (name, p.name)
    finally:
        store.close()
    if name == "evidence":
        assert {r["exact"] for r in some if r["exact"]} == {"Violent Crime Taskforce"}


@pytest.mark.parametrize("fmt, parse_as, dataset", [
    ("trig", "trig", True), ("nquads", "nquads", True), ("jsonld", "json-ld", True),
    ("turtle", "turtle", False), ("ntriples", "nt", False)])
def test_export_formats_load_in_rdflib(examples_store, tmp_path, fmt, parse_as, dataset) -> None:
    out = tmp_path / f"kg.{fmt}"
    run("export", "--store", str(examples_store), "--format", fmt, "-o", str(out))
    graph = rdflib.Dataset() if dataset else rdflib.Graph()
    graph.parse(out, format=parse_as)
    assert len(graph) > 1000 if not dataset else len(list(graph.quads())) > 1000
    if dataset:
        names = {str(g.identifier) for g in graph.graphs()}
        assert any(n.endswith("/release/met-2023-op-northgate-rail") for n in names)


@pytest.mark.parametrize("with_ontology", [False, True])
def test_nquads_by_several_workers_are_the_same_bytes_and_every_quad(examples_store, tmp_path, with_ontology) -> None:
    import pyoxigraph

    extra = ["--with-ontology"] if with_ontology else []
    one, three = tmp_path / "one.nq", tmp_path / "three.nq"
    run("export", "--store", str(examples_store), "-f", "nquads", "-o", str(one), "-j", "1", *extra)
    run("export", "--store", str(examples_store), "-f", "nquads", "-o", str(three), "-j", "3", *extra)
    assert one.read_bytes() == three.read_bytes()
    exported = set(pyoxigraph.parse(path=str(three), format=pyoxigraph.RdfFormat.N_QUADS))
    store = pyoxigraph.Store.read_only(str(examples_store))
    held = set(store)
    assert held <= exported and len(exported) == len(one.read_bytes().splitlines())
    graphs = {q.graph_name.value for q in exported}
    assert (graphs - {g.value for g in store.named_graphs()} == {"https://w3id.org/policekg/ontology",
                                                                  "https://w3id.org/policekg/shapes"}) == with_ontology
    assert not list(tmp_path.glob(".kg-export-*"))  # the workers' parts are gone


def test_several_workers_write_nquads_only(examples_store, tmp_path) -> None:
    result = CliRunner().invoke(main, ["export", "--store", str(examples_store), "-f", "turtle",
                                       "-o", str(tmp_path / "kg.ttl"), "-j", "2"])
    assert result.exit_code != 0 and "only nquads is written by several workers" in result.output


def test_stats(examples_store) -> None:
    figures = json.loads(run("stats", "--store", str(examples_store), "-f", "json"))
    assert figures["releases"] == 9
    assert figures["entities"]["forces"] == 15 and figures["entities"]["operations"] == 9
    assert "releases" in run("stats", "--store", str(examples_store))


def test_render_writes_an_offline_page(examples_store, tmp_path) -> None:
    out = tmp_path / "page.html"
    assert "Wrote" in run("render", "--store", str(examples_store), "-o", str(out))
    page = out.read_text(encoding="utf-8")
    assert "Content-Security-Policy" in page and "default-src 'none'" in page
    assert "<script src=" not in page and "<link" not in page


def test_queries_lists_every_named_query() -> None:
    out = run("queries")
    for name, q in queries.named_queries().items():
        assert name in out and q.title in out


def _kg() -> list[str]:
    installed = Path(sys.executable).parent / "kg"
    if installed.exists():
        return [str(installed)]
    found = shutil.which("kg")
    if not found:
        pytest.skip("the kg command is not installed in this environment (pip install -e .)")
    return [found]


def test_installed_command_end_to_end(tmp_path) -> None:
    store = tmp_path / "runs" / "first" / "store"  # folders that do not exist yet are made
    done = subprocess.run(_kg() + ["ingest", str(EXAMPLES), "--store", str(store)], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert "Ingested 9 releases" in done.stdout
    out = subprocess.run(_kg() + ["query", "operations", "--store", str(store), "--format", "csv"],
                         capture_output=True, text=True, check=True).stdout
    assert "kent-2024-op-harbourlight-county-lines,Operation Harbourlight" in out.splitlines()
    module = subprocess.run([sys.executable, "-m", "kg", "query", "arrests", "--store", str(store), "-f", "csv"],
                            capture_output=True, text=True, check=True, cwd=ROOT).stdout
    assert "met-2023-op-northgate-rail,18" in module.splitlines()
