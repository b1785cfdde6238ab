"""Identity across releases: which mentions in different releases are one node of the graph.

Invented releases of several forces are ingested into a real store (in both
orders); the test reads back which IRIs the people, units and operations got.
"""
from __future__ import annotations

from pathlib import Path

import kg

RELEASES = {
    # Avon's release quotes its own officer.
    "avon-2024-larch-burglary": """ date 2024-02-01 Avon and Somerset Constabulary's Operation Larch targets burglars

Avon and Somerset Constabulary has arrested six people under Operation Larch, its burglary inquiry in Bath.

Detective Inspector Rhona Vale, of Avon and Somerset Constabulary, said: "Burglars who come to Bath will be caught."

Officers also joined Operation Sceptre, the national week of action against knife crime.
""",
    # Wiltshire's release quotes the same Avon officer, tied to Avon in the text.
    "wilts-2024-joint-patrols": """ date 2024-02-09 Wiltshire Police patrols the border with neighbours

Wiltshire Police ran patrols on the A36 with officers from a neighbouring force.

Detective Inspector Rhona Vale, of Avon and Somerset Constabulary, said: "Crime does not stop at the county line."

Wiltshire Police officers took part in Operation Sceptre, the national knife crime week, at Salisbury.
""",
    # Cumbria uses the same codename for unrelated work.
    "cumbria-2024-larch-sheep": """ date 2024-03-03 Cumbria Constabulary's Operation Larch against sheep theft

Cumbria Constabulary has launched Operation Larch to stop sheep theft on the fells.

Detective Inspector Rhona Vale said the thefts had cost farmers thousands of pounds.
""",
    # The Met names its taskforce with an acronym; a later release spells it another way.
    "met-2024-vct-knives": """ date 2024-04-01 Metropolitan Police Service seizes knives in Croydon

The Metropolitan Police Service's Violent Crime Taskforce (VCT) seized 20 knives in Croydon.

VCT officers patrolled the town centre all week.
""",
    "met-2024-vct-camden": """ date 2024-05-01 Metropolitan Police Service patrols in Camden

Officers from the Met's Violent Crime Task Force arrested four people in Camden.
""",
    # A later release ties the two Larch operations together.
    "avon-2024-larch-joint": """ date 2024-06-01 Avon and Somerset Constabulary and Cumbria Constabulary join up

Operation Larch became a joint operation of Avon and Somerset Constabulary and Cumbria Constabulary this week.
""",
}


def _write(folder: Path, names: list[str]) -> Path:
    folder.mkdir()
    for name in names:
        (folder / f"{name}.txt").write_text(RELEASES[name], encoding="utf-8")
    return folder


def _iris(graph, kind: str, name: str) -> dict[str, str]:
    """release id -> IRI of the entity of that type and name in that release."""
    rows = graph.query(f"""SELECT DISTINCT ?document ?e WHERE {{ GRAPH ?g {{
        ?e a {kind} ; schema:name ?name . ?g dcterms:identifier ?document . FILTER(STR(?name) = "{name}") }} }}""")
    return {str(r["document"]): str(r["e"]) for r in rows}


def _ingest(tmp_path: Path, label: str, names: list[str]):
    graph = kg.open(tmp_path / f"store-{label}")
    report = graph.ingest([_write(tmp_path / f"docs-{label}", names)])
    assert report.ok, report.problems
    return graph


def test_one_officer_quoted_by_two_forces_is_one_person(tmp_path) -> None:
    with _ingest(tmp_path, "a", sorted(RELEASES)) as graph:
        people = _iris(graph, "schema:Person", "Rhona Vale")
    assert people["avon-2024-larch-burglary"] == people["wilts-2024-joint-patrols"]
    # Cumbria's release ties its Rhona Vale to no other force than Cumbria's own: another person.
    assert people["cumbria-2024-larch-sheep"] != people["avon-2024-larch-burglary"]


def test_a_unit_spelled_two_ways_is_one_node(tmp_path) -> None:
    with _ingest(tmp_path, "a", sorted(RELEASES)) as graph:
        rows = graph.query("""SELECT DISTINCT ?document ?u WHERE { GRAPH ?g {
            ?u a pk:PoliceUnit . ?g dcterms:identifier ?document } }""")
        units = {str(r["document"]): str(r["u"]) for r in rows if str(r["document"]).startswith("met-")}
        labels = graph.query("""SELECT ?u ?label WHERE { ?d a pk:DerivedGraph . GRAPH ?d { ?u a pk:PoliceUnit ; skos:prefLabel ?label } }""")
    assert units["met-2024-vct-knives"] == units["met-2024-vct-camden"]
    assert units["met-2024-vct-knives"].endswith("/unit/metropolitan/violent-crime-taskforce")
    assert [str(r["label"]) for r in labels if str(r["u"]) == units["met-2024-vct-knives"]] == ["Violent Crime Taskforce"]


def test_one_codename_of_two_forces_is_two_operations_unless_tied(tmp_path) -> None:
    with _ingest(tmp_path, "a", sorted(RELEASES)) as graph:
        larch = _iris(graph, "pk:Operation", "Operation Larch")
        sceptre = _iris(graph, "pk:Operation", "Operation Sceptre")
        ties = graph.query("""SELECT ?a ?b WHERE { GRAPH ?g { ?a a pk:Operation ; skos:exactMatch ?b } }""")
    assert larch["avon-2024-larch-burglary"] != larch["cumbria-2024-larch-sheep"]
    # The national week is one operation whichever force's release names it.
    assert sceptre["avon-2024-larch-burglary"] == sceptre["wilts-2024-joint-patrols"]
    # The joint release ties each force's Larch to the joint one.
    joint = larch["avon-2024-larch-joint"]
    assert {str(r["b"]) for r in ties if str(r["a"]) == joint} == {larch["avon-2024-larch-burglary"], larch["cumbria-2024-larch-sheep"]}


def test_identity_does_not_depend_on_ingest_order(tmp_path) -> None:
    names = sorted(RELEASES)
    query = """SELECT DISTINCT ?e WHERE { GRAPH ?g { ?g schema:mentions ?e } }"""
    with _ingest(tmp_path, "forward", names) as graph:
        forward = sorted(str(r["e"]) for r in graph.query(query))
    reverse_store = None
    for i, name in enumerate(reversed(names)):  # one release at a time, last first
        folder = _write(tmp_path / f"docs-reverse-{i}", [name])
        reverse_store = reverse_store or kg.open(tmp_path / "store-reverse")
        assert reverse_store.ingest([folder]).ok
    with reverse_store as graph:
        backward = sorted(str(r["e"]) for r in graph.query(query))
    assert forward == backward
