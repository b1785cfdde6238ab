"""Golden extraction cases: tests/cases/<name>/release.txt against expected.json.

Each expected.json lists, for the keys it has, exactly what the extractor
must find (forces, units with their forces, operations, partners, people
with rank and organisation, headline arrests, date, places), what must be
among the findings (outcomes, quotes, breakdown), and what must be absent
anywhere in the release's graph (private people).
"""
from __future__ import annotations

import json

import pytest

from kg.documents import read_file
from kg.emit import release_quads
from kg.extract import extract
from kg.resolve import Identity, resolve

from .conftest import CASES, summarise

NAMES = sorted(p.name for p in CASES.iterdir() if (p / "release.txt").is_file())


def _load(name: str):
    document = next(read_file(CASES / name / "release.txt"))
    expected = json.loads((CASES / name / "expected.json").read_text(encoding="utf-8"))
    return document, expected


@pytest.mark.parametrize("name", NAMES)
def test_case(name: str) -> None:
    document, expected = _load(name)
    findings = extract(document)
    got = summarise(findings)
    for key in ("forces", "operations", "partners"):
        if key in expected:
            assert got[key] == sorted(expected[key]), key
    if "units" in expected:
        want = sorted(({"name": u["name"], "forces": sorted(u["forces"])} for u in expected["units"]),
                      key=lambda u: u["name"])
        assert got["units"] == want
    if "people" in expected:
        got_people = {p["name"]: p for p in got["people"]}
        assert sorted(got_people) == sorted(p["name"] for p in expected["people"])
        for person in expected["people"]:
            mine = got_people[person["name"]]
            for field in ("rank", "organisation", "temporary", "acting"):
                if field in person:
                    assert mine[field] == person[field], (person["name"], field)
    for key in ("arrests", "date", "places", "notes"):
        if key in expected:
            assert got[key] == expected[key], key
    for outcome in expected.get("outcomes", []):
        assert any(all(o.get(k) == v for k, v in outcome.items()) for o in got["outcomes"]), outcome
    for quote in expected.get("quotes", []):
        assert any(q["speaker"] == quote["speaker"] and q["text"].startswith(quote["starts"]) for q in got["quotes"]), quote
    for group in expected.get("breakdown", []):
        assert dict(group, offences=sorted(group["offences"])) in got["breakdown"], group
    if "absent" in expected:
        graph_text = "\n".join(str(q) for q in release_quads(resolve(findings, Identity("https://example.org/kg/"))))
        people = {p["name"] for p in got["people"]}
        for name in expected["absent"]:
            assert name not in people
            assert f'"{name}"' not in graph_text and name.lower().replace(" ", "-") not in graph_text
