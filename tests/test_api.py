"""The Python API a notebook uses."""
from __future__ import annotations

import pytest

import kg

from .conftest import EXAMPLES


def test_open_ingest_query(tmp_path) -> None:
    with kg.open(tmp_path / "store") as graph:
        report = graph.ingest([EXAMPLES / "gmp-2023-op-lantern-dawn-raids.txt"])
        assert report.ok and report.releases == ["gmp-2023-op-lantern-dawn-raids"]
        assert graph.query("operations") == [{"document": "gmp-2023-op-lantern-dawn-raids", "name": "Operation Lantern"}]
        rows = graph.query("people")
        assert rows == [{"document": "gmp-2023-op-lantern-dawn-raids", "name": "Priya Ashdown",
                         "rank": "Detective Chief Inspector", "organisation": "Serious Organised Crime Group"}]
        counted = graph.query("SELECT (COUNT(*) AS ?n) WHERE { ?q a schema:Quotation }")
        assert counted == [{"n": 2}]
        assert graph.stats()["releases"] == 1


def test_dataframe(examples_store) -> None:
    pytest.importorskip("pandas")
    with kg.open(examples_store, read_only=True) as graph:
        frame = graph.dataframe("arrests")
    assert list(frame.columns) == ["document", "arrests"]
    assert frame.set_index("document").loc["swrocu-2023-op-tidewater-week", "arrests"] == 61


def test_read_only_never_creates(tmp_path) -> None:
    with pytest.raises(kg.api.StoreError):
        kg.open(tmp_path / "nothing-here", read_only=True)
    assert not (tmp_path / "nothing-here").exists()
