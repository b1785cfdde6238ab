"""Pieces of the extractors the golden cases do not pin down one by one."""
from __future__ import annotations

import datetime as dt

import pytest

from kg import lexicon
from kg.extract import extract
from kg.extract.activity import resolve_date
from kg.extract.operations import operation_name
from kg.extract.units import unit_key

from .conftest import release, summarise


@pytest.mark.parametrize("spelling, rank", [
    ("DCI", "detective-chief-inspector"), ("Det Supt", "detective-superintendent"), ("Det Insp", "detective-inspector"),
    ("Ch Insp", "chief-inspector"), ("PC", "police-constable"), ("ACC", "assistant-chief-constable"),
    ("Chief inspector", "chief-inspector"), ("PCC", "police-and-crime-commissioner"), ("DAC", "deputy-assistant-commissioner"),
])
def test_rank_spellings(spelling: str, rank: str) -> None:
    assert lexicon.rank_of(spelling) == rank


def test_every_reference_force_is_in_the_gazetteer_with_its_police_uk_id() -> None:
    import csv

    from .conftest import SHARED

    reference = SHARED / "reference" / "uk-police-forces.csv"
    if not reference.exists():
        pytest.skip("../shared/reference is not beside this checkout")
    forces = {f.name: f for f in lexicon.forces().values()}
    with reference.open(encoding="utf-8") as f:
        for row in csv.DictReader(f):
            assert row["name"] in forces, row["name"]
            assert (forces[row["name"]].police_uk_id or "") == row["police_uk_id"]
            for alias in filter(None, row["aliases"].split("|")):
                assert lexicon.force_spellings()[lexicon.fold(alias)] == forces[row["name"]].id


def test_operation_names() -> None:
    assert operation_name("Op", "Orochi") == "Operation Orochi"
    assert operation_name("OPERATION", "VENICE") == "Operation Venice"
    assert operation_name("Project", "Servator") == "Project Servator"


def test_unit_keys_join_spellings() -> None:
    assert unit_key("South West ROCU") == unit_key("South West Regional Organised Crime Unit") == "swrocu"
    assert unit_key("Op Raptor team") == unit_key("Operation Raptor teams")


@pytest.mark.parametrize("parts, release_date, want", [
    ((7, 22, None, "Wednesday"), dt.date(2020, 7, 23), dt.date(2020, 7, 22)),
    ((12, 22, None, None), dt.date(2021, 1, 5), dt.date(2020, 12, 22)),
    ((3, 11, None, None), dt.date(2019, 3, 8), dt.date(2019, 3, 11)),
    ((5, 24, 2023, None), None, dt.date(2023, 5, 24)),
    ((5, 24, None, "Wednesday"), None, None),
])
def test_dates_resolve_against_the_release(parts, release_date, want) -> None:
    assert resolve_date(*parts, release_date) == want


def test_relative_dates() -> None:
    got = summarise(extract(release("Kent Police arrested four people yesterday in raids.", date="2022-06-10")))
    assert got["date"] == "2022-06-09"
    got = summarise(extract(release("Kent Police executed warrants last week.", date="2022-06-10")))
    assert got["date"] == "2022-05-30"


def test_main_force_is_the_publisher_when_known() -> None:
    text = "Officers arrested five people. Inspector Jo Bright said more would follow."
    findings = extract(release(text, publisher="Sussex Police"))
    assert findings.main_force == "sussex"
    assert summarise(findings)["people"][0]["organisation"] == "Sussex Police"  # though the text never names it


def test_more_than_gives_a_lower_bound_and_the_headline() -> None:
    got = summarise(extract(release("Officers made more than 30 arrests and seized over \u00a35,000 in cash.")))
    assert got["arrests"] == 30
    cash = [o for o in got["outcomes"] if o["kind"] == "cash-seized"]
    assert cash[0]["value"] == 5000 and cash[0]["bound"] == "min"


def test_no_number_means_no_headline() -> None:
    got = summarise(extract(release("Officers arrested a 19-year-old man and a 22-year-old woman in Barnet.")))
    assert got["arrests"] is None


def test_date_ranges_share_their_year() -> None:
    findings = extract(release("Operation Sceptre runs from Monday 26 April to Sunday 2 May 2021 across the county, "
                               "with officers carrying out weapon sweeps."))
    assert (findings.activity.start, findings.activity.end) == (dt.date(2021, 4, 26), dt.date(2021, 5, 2))
