"""What lets ingestion scale: identical output over workers and Dask, streaming corpora, crash safety, incremental derivation."""
from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from kg import derive
from kg.api import open as open_graph
from kg.documents import find_files, read_file
from kg.ingest import build_release
from kg.resolve import Identity
from kg.store import Store
from kg.vocab import DEFAULT_BASE_IRI

from .conftest import EXAMPLES


def _corpus(path: Path, copies: int) -> Path:
    """The bundled examples repeated under new identifiers, as one JSON Lines corpus."""
    files, _ = find_files([EXAMPLES])
    docs = [d for f in files for d in read_file(f)]
    with path.open("w", encoding="utf-8") as out:
        for copy in range(copies):
            for d in docs:
                record = {"id": f"{d.id}-{copy}", "text": d.text}
                if d.date:
                    record["date"] = d.date.isoformat()
                out.write(json.dumps(record) + "\n")
    return path


def _sorted_nquads(store_path: Path) -> list[str]:
    with Store.open(store_path, read_only=True) as store:
        return sorted(str(q) for q in store)


def test_two_workers_write_exactly_the_quads_of_one(tmp_path) -> None:
    corpus = _corpus(tmp_path / "c.jsonl", 6)
    with open_graph(tmp_path / "one") as graph:
        one = graph.ingest([corpus, EXAMPLES])
    with open_graph(tmp_path / "two") as graph:
        two = graph.ingest([EXAMPLES, corpus], workers=2)
    assert one.releases == two.releases and len(one.releases) == 9 * 7
    assert _sorted_nquads(tmp_path / "one") == _sorted_nquads(tmp_path / "two")


def test_a_dask_cluster_writes_exactly_the_quads_of_one_process(tmp_path) -> None:
    distributed = pytest.importorskip("distributed", reason="Dask's distributed scheduler: pip install 'policekg[dask]'")
    corpus = _corpus(tmp_path / "c.jsonl", 3)
    with open_graph(tmp_path / "one") as graph:
        graph.ingest([corpus])
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as cluster:
        with distributed.Client(cluster) as client:
            with open_graph(tmp_path / "dask") as graph:
                report = graph.ingest([corpus], dask=client)
            assert len(report.releases) == 27 and report.ok
            with open_graph(tmp_path / "by-address") as graph:  # as `kg ingest --dask ADDRESS` does
                graph.ingest([corpus], dask=cluster.scheduler_address)
    assert _sorted_nquads(tmp_path / "one") == _sorted_nquads(tmp_path / "dask") == _sorted_nquads(tmp_path / "by-address")


def test_a_jsonl_corpus_streams_with_a_limit_per_release(tmp_path) -> None:
    corpus = _corpus(tmp_path / "c.jsonl", 4)
    with corpus.open("a", encoding="utf-8") as out:
        out.write(json.dumps({"id": "too-big", "text": "Kent Police said. " * 400}) + "\n")
    seen = []
    limit = 6_000  # larger than every example, smaller than the file and than the last line
    assert corpus.stat().st_size > limit
    with open_graph(tmp_path / "s") as graph:
        report = graph.ingest([corpus], max_bytes=limit, progress=lambda done, total: seen.append((done, total)))
    assert len(report.releases) == 36
    assert [p.source for p in report.problems] == [f"{corpus}:37"]
    assert "limit for one release" in report.problems[0].reason
    assert seen[-1] == (37, 37) and all(total == 37 for _, total in seen)


def test_duplicate_ids_across_a_stream_are_both_refused(tmp_path) -> None:
    corpus = tmp_path / "d.jsonl"
    corpus.write_text("\n".join(json.dumps({"id": i, "text": f"Kent Police arrested {n} people in Operation {w}."})
                                for i, n, w in (("a", 2, "Alder"), ("b", 3, "Birch"), ("a", 4, "Cedar"))) + "\n")
    with open_graph(tmp_path / "s") as graph:
        report = graph.ingest([corpus])
        assert report.releases == ["b"] and len(report.problems) == 2
        assert [r["document"] for r in graph.query("operations")] == ["b"]


def test_incremental_derived_graph_equals_one_rebuilt_from_scratch(tmp_path) -> None:
    files = sorted(p for p in EXAMPLES.iterdir() if p.is_file())
    store_path = tmp_path / "s"
    changed = tmp_path / "kent-2024-op-harbourlight-county-lines.txt"
    with open_graph(store_path) as graph:
        for f in files:  # one file at a time: each ingest touches a few entities
            graph.ingest([f])
        # Replace one release with text that drops its units and names another force.
        changed.write_text(" date 2024-03-01 Essex Police arrested 6 people in Operation Harbourlight.\n", encoding="utf-8")
        graph.ingest([changed])
    identity = Identity(DEFAULT_BASE_IRI)
    derived = identity.graph("derived")
    with Store.open(store_path) as store:
        incremental = sorted(str(q) for q in store.quads(derived))
        derive.rebuild(store, identity)
        rebuilt = sorted(str(q) for q in store.quads(derived))
    assert incremental == rebuilt and len(rebuilt) > 100
    assert not any("pending" in q for q in rebuilt)


def test_a_refresh_in_rounds_of_one_release_equals_one_round(tmp_path, monkeypatch) -> None:
    corpus = _corpus(tmp_path / "c.jsonl", 2)
    identity = Identity(DEFAULT_BASE_IRI)
    derived = identity.graph("derived")
    with open_graph(tmp_path / "s") as graph:
        graph.ingest([corpus, EXAMPLES])
    with Store.open(tmp_path / "s") as store:
        whole = sorted(str(q) for q in store.quads(derived))
        monkeypatch.setattr(derive, "_ROUND", 1)  # every release its own round, as a corpus of millions would go
        assert derive.rebuild(store, identity) >= len(whole) // 20
        in_rounds = sorted(str(q) for q in store.quads(derived))
    assert in_rounds == whole and any("releaseCount" in q for q in whole)


def test_a_recount_over_many_rounds_names_operations_first_seen_in_later_rounds(tmp_path, monkeypatch) -> None:
    # A replaced release makes the refresh recount every total; the operations of releases in later
    # rounds have no label in the store yet when the recount is made, and must still be listed.
    identity = Identity(DEFAULT_BASE_IRI)
    derived = identity.graph("derived")
    first = tmp_path / "first.jsonl"
    first.write_text(json.dumps({"id": "a", "text": "Kent Police and Essex Police arrested 2 people in Operation Alder."}) + "\n")
    later = tmp_path / "later.jsonl"
    later.write_text("\n".join(json.dumps({"id": i, "text": f"Kent Police and Essex Police arrested {n} people in Operation {w}."})
                               for i, n, w in (("a", 5, "Alder"), ("b", 3, "Birch"), ("c", 4, "Cedar"))) + "\n")
    with open_graph(tmp_path / "s") as graph:
        graph.ingest([first])
        monkeypatch.setattr(derive, "_ROUND", 1)  # "a" replaced (a recount), then "b" and "c" each a round
        graph.ingest([later])
        rows = graph.query("forces-together")
    assert [(r["releases"], r["operations"], r["documents"]) for r in rows] == [
        (3, "Operation Alder; Operation Birch; Operation Cedar", "a; b; c")]
    with Store.open(tmp_path / "s") as store:
        in_rounds = sorted(str(q) for q in store.quads(derived))
        monkeypatch.setattr(derive, "_ROUND", 5000)
        derive.rebuild(store, identity)
        assert sorted(str(q) for q in store.quads(derived)) == in_rounds


_KILLER = """
import sys
from kg.api import open as open_graph
with open_graph(sys.argv[1]) as graph:
    graph.ingest([sys.argv[2]])
"""


def test_sigkill_mid_ingest_leaves_only_whole_releases_and_a_rerun_completes(tmp_path) -> None:
    corpus = _corpus(tmp_path / "c.jsonl", 40)  # 360 releases
    expected = {}
    identity = Identity(DEFAULT_BASE_IRI)
    for doc in read_file(corpus):
        built = build_release(doc, identity)
        expected[built.graph] = {str(q) for q in built.quads}
    store_path = tmp_path / "s"
    env = dict(os.environ, POLICEKG_CHUNK_QUADS="3000")  # many small bulk loads, so a kill lands between them
    partial = []
    for delay in (1.0, 1.6, 2.2):
        proc = subprocess.Popen([sys.executable, "-c", _KILLER, str(store_path), str(corpus)], env=env)
        time.sleep(delay)
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        with Store.open(store_path, read_only=True) as store:
            releases = [g for g in store.graph_names() if "/release/" in g]
            partial.append(len(releases))
            for graph in releases:
                assert {str(q) for q in store.quads(graph)} == expected[graph], f"{graph} is not whole"
    assert any(0 < n < 360 for n in partial), partial  # the kills did land mid-ingest
    with open_graph(store_path) as graph:
        report = graph.ingest([corpus])
    assert report.ok and len(report.releases) + len(report.unchanged) == 360
    with open_graph(tmp_path / "clean") as graph:
        graph.ingest([corpus])
    assert _sorted_nquads(store_path) == _sorted_nquads(tmp_path / "clean")
