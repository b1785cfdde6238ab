"""Ingestion into a real on-disk store: batches, replacement, order independence, bad input, store errors."""
from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from kg.api import open as open_graph
from kg.store import Store, StoreError

from .conftest import EXAMPLES


def _quads(store_path: Path) -> set[str]:
    with Store.open(store_path, read_only=True) as store:
        return {str(q) for q in store}


def _release_ids(store_path: Path) -> set[str]:
    with Store.open(store_path, read_only=True) as store:
        return {r["id"] for r in store.rows("SELECT ?id WHERE { ?r a schema:NewsArticle ; dcterms:identifier ?id }")}


def test_reingesting_gives_the_same_graph(tmp_path) -> None:
    store = tmp_path / "store"
    with open_graph(store) as graph:
        first = graph.ingest([EXAMPLES])
    before = _quads(store)
    with open_graph(store) as graph:
        second = graph.ingest([EXAMPLES])
    assert second.unchanged == first.releases and len(first.releases) == 9 and second.releases == []
    assert _quads(store) == before
    with open_graph(store) as graph:  # re-extracting unchanged releases replaces them with the same quads
        third = graph.ingest([EXAMPLES], refresh=True)
    assert third.releases == first.releases
    assert _quads(store) == before


def test_order_and_workers_do_not_change_the_graph(tmp_path) -> None:
    files = sorted(p for p in EXAMPLES.iterdir() if p.is_file())
    assert len(files) == 8
    with open_graph(tmp_path / "a") as graph:
        graph.ingest(files)
    with open_graph(tmp_path / "b") as graph:
        graph.ingest(list(reversed(files)), workers=2)
    with open_graph(tmp_path / "c") as graph:  # one file at a time, newest first
        for f in reversed(files):
            graph.ingest([f])
    a = _quads(tmp_path / "a")
    assert a == _quads(tmp_path / "b") == _quads(tmp_path / "c")


def test_reingesting_a_changed_release_replaces_what_it_said(tmp_path) -> None:
    docs = tmp_path / "docs"
    docs.mkdir()
    release = docs / "r1.txt"
    release.write_text(" date 2021-01-05 Kent Police arrested 4 people in Operation Alpha.\n", encoding="utf-8")
    store = tmp_path / "store"
    with open_graph(store) as graph:
        graph.ingest([docs])
        assert graph.query("operations") == [{"document": "r1", "name": "Operation Alpha"}]
    release.write_text(" date 2021-01-05 Essex Police arrested 6 people in Operation Bravo.\n", encoding="utf-8")
    with open_graph(store) as graph:
        graph.ingest([docs])
        assert graph.query("operations") == [{"document": "r1", "name": "Operation Bravo"}]
        assert graph.query("forces") == [{"document": "r1", "name": "Essex Police"}]
        assert graph.query("arrests") == [{"document": "r1", "arrests": 6}]


def _bad_batch(folder: Path) -> dict[str, str]:
    """One good release and one of each kind of bad input; returns file name -> expected reason."""
    folder.mkdir()
    (folder / "good.txt").write_text(" date 2022-03-01 Surrey Police arrested 3 people in Operation Kestrel.\n", encoding="utf-8")
    (folder / "empty.txt").write_bytes(b"")
    (folder / "binary.txt").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)))
    (folder / "big.txt").write_text("Kent Police " * 2000, encoding="utf-8")
    (folder / "baddate.txt").write_text(" date 2022-13-45 Kent Police arrested two men.\n", encoding="utf-8")
    (folder / "gone.txt").symlink_to(folder / "does-not-exist.txt")
    lines = [json.dumps({"id": "jl-good", "text": "Dorset Police arrested 5 people in Operation Heron."}),
             "{not json",
             json.dumps({"id": "jl-notext"}),
             json.dumps({"id": "jl-baddate", "text": "Essex Police arrested 2.", "date": "yesterday"})]
    (folder / "corpus.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return {"empty.txt": "empty", "binary.txt": "binary", "big.txt": "over the", "baddate.txt": "not a date",
            "gone.txt": "cannot read", "corpus.jsonl:2": "not valid JSON", "corpus.jsonl:3": "`text`",
            "corpus.jsonl:4": "not a date"}


def test_bad_input_is_reported_and_the_rest_goes_in(tmp_path) -> None:
    expected = _bad_batch(tmp_path / "in")
    with open_graph(tmp_path / "store") as graph:
        report = graph.ingest([tmp_path / "in"], max_bytes=10_000)
    assert report.releases == ["good", "jl-good"]
    problems = {Path(p.source).name: p.reason for p in report.problems}
    assert set(problems) == set(expected)
    for name, reason in expected.items():
        assert reason in problems[name], (name, problems[name])
    assert _release_ids(tmp_path / "store") == {"good", "jl-good"}


def test_cli_ends_non_zero_with_one_line_a_problem(tmp_path) -> None:
    from click.testing import CliRunner

    from kg.cli import main

    expected = _bad_batch(tmp_path / "in")
    result = CliRunner().invoke(main, ["ingest", str(tmp_path / "in"), "--store", str(tmp_path / "s"), "--max-bytes", "10000"])
    assert result.exit_code == 1
    errors = [line for line in result.output.splitlines() if line.startswith("error: ")]
    assert len(errors) == len(expected)
    assert "Ingested 2 releases" in result.output and "8 items failed" in result.output
    assert "Traceback" not in result.output


def test_cp1252_release_is_decoded_with_a_warning(tmp_path) -> None:
    text = " date 2020-02-02 Norfolk Police seized \u00a340,000 in cash \u2013 \u201cthe biggest haul this year\u201d, said Det Supt Ann Cole\u2019s team.\n"
    path = tmp_path / "win.txt"
    path.write_bytes(text.encode("cp1252"))
    with open_graph(tmp_path / "store") as graph:
        report = graph.ingest([path])
        assert report.ok and report.releases == ["win"]
        assert any("Windows-1252" in w for w in report.warnings)
        rows = graph.query("SELECT ?v WHERE { ?o pk:outcomeKind ?k ; schema:value ?v . "
                           "?o prov:wasDerivedFrom/oa:exact ?e FILTER(CONTAINS(?e, '\u00a3')) }")
        assert rows == [{"v": 40000}]


def test_a_release_that_now_fails_keeps_its_old_graph(tmp_path) -> None:
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "r.txt").write_text("Kent Police arrested 4 people in Operation Alpha.\n", encoding="utf-8")
    with open_graph(tmp_path / "store") as graph:
        graph.ingest([docs])
    before = _quads(tmp_path / "store")
    (docs / "r.txt").write_bytes(b"\x00\x01\x02 broken")
    with open_graph(tmp_path / "store") as graph:
        report = graph.ingest([docs])
    assert not report.ok
    assert _quads(tmp_path / "store") == before


def test_duplicate_release_ids_in_one_batch_are_refused(tmp_path) -> None:
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    (tmp_path / "a" / "same.txt").write_text("Kent Police arrested 4 people.\n", encoding="utf-8")
    (tmp_path / "b" / "same.txt").write_text("Essex Police arrested 6 people.\n", encoding="utf-8")
    with open_graph(tmp_path / "store") as graph:
        report = graph.ingest([tmp_path / "a", tmp_path / "b"])
    assert report.releases == []
    assert len(report.problems) == 2 and all("claimed by 2 items" in p.reason for p in report.problems)


def test_a_units_force_is_learnt_from_another_release(tmp_path) -> None:
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "tied.txt").write_text("Officers from Kent Police's Marine Unit checked boats at Ramsgate.\n", encoding="utf-8")
    (docs / "silent.txt").write_text("The Marine Unit checked eleven boats in the harbour on Monday.\n", encoding="utf-8")
    for order in ([docs / "silent.txt", docs / "tied.txt"], [docs / "tied.txt", docs / "silent.txt"]):
        store = tmp_path / f"store-{order[0].stem}"
        with open_graph(store) as graph:
            for path in order:
                graph.ingest([path])
            rows = graph.query("units")
        assert {(r["document"], r["name"], r["force"]) for r in rows} == {
            ("tied", "Marine Unit", "Kent Police"), ("silent", "Marine Unit", "Kent Police")}


def test_store_errors_are_messages_not_tracebacks(tmp_path) -> None:
    with pytest.raises(StoreError, match="no store at"):
        Store.open(tmp_path / "missing", read_only=True)
    notes = tmp_path / "notes"
    notes.mkdir()
    (notes / "mine.txt").write_text("my notes", encoding="utf-8")
    with pytest.raises(StoreError, match="not empty and is not a policekg store"):
        Store.open(notes)
    with pytest.raises(StoreError, match="not a policekg store"):
        Store.open(notes, read_only=True)


def test_a_locked_store_says_so(tmp_path) -> None:
    store = tmp_path / "store"
    Store.open(store).close()
    holder = subprocess.Popen([sys.executable, "-c", textwrap.dedent(f"""
        import sys, time
        from kg.store import Store
        s = Store.open({str(store)!r})
        print("open", flush=True)
        time.sleep(30)
    """)], stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "open"
        with pytest.raises(StoreError, match="in use by another process"):
            Store.open(store)
        from click.testing import CliRunner

        from kg.cli import main
        result = CliRunner().invoke(main, ["ingest", str(EXAMPLES), "--store", str(store)])
        assert result.exit_code == 1 and "in use by another process" in result.output and "Traceback" not in result.output
    finally:
        holder.kill()
        holder.wait()


def test_a_store_built_under_one_base_refuses_another(tmp_path) -> None:
    store = tmp_path / "store"
    with open_graph(store, base_iri="https://example.org/one/") as graph:
        graph.ingest([EXAMPLES / "met-2023-op-northgate-rail.txt"])
    with pytest.raises(StoreError, match="built with base IRI https://example.org/one/"):
        open_graph(store, base_iri="https://example.org/two/")
    with open_graph(store) as graph:  # no base asked for: the store's own is used
        report = graph.ingest([EXAMPLES / "gmp-2023-op-lantern-dawn-raids.txt"])
        assert report.ok
        assert all(r["o"].startswith("https://example.org/one/")
                   for r in graph.query("SELECT ?o WHERE { ?r schema:mentions ?o }"))


def test_compact_keeps_every_quad_shrinks_a_chunked_store_and_stays_usable(tmp_path, monkeypatch) -> None:
    import kg.ingest
    from kg.store import compact, disk_size

    monkeypatch.setattr(kg.ingest, "CHUNK_QUADS", 300)  # many small bulk loads, as a big ingest makes
    path = tmp_path / "store"
    with open_graph(path) as graph:
        assert graph.ingest([EXAMPLES]).ok
    quads = _quads(path)
    before, after = compact(path)
    assert after < before
    assert disk_size(path) == after and _quads(path) == quads
    assert not (tmp_path / "store.compacting").exists() and not (tmp_path / "store.before-compacting").exists()
    with open_graph(path) as graph:
        report = graph.ingest([EXAMPLES])
        assert report.ok and report.unchanged
        assert graph.query("forces")
    result = subprocess.run([sys.executable, "-m", "kg", "compact", "--store", str(path)],
                            capture_output=True, text=True)
    assert result.returncode == 0 and "Compacted" in result.stdout and _quads(path) == quads


def test_compact_refuses_a_store_in_use(tmp_path) -> None:
    from kg.store import compact

    path = tmp_path / "store"
    with open_graph(path) as graph:
        assert graph.ingest([EXAMPLES / "met-2023-op-northgate-rail.txt"]).ok
        with pytest.raises(StoreError, match="in use"):
            compact(path)
    assert _release_ids(path) == {"met-2023-op-northgate-rail"}
