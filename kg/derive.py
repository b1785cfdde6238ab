"""The derived graph: what needs the whole corpus, kept up to date incrementally.

A release graph says only what that release says. What takes many releases
to know lives once, in the derived graph, so that the union of all graphs
never repeats it and a query reaches it in one lookup:

- every named entity's full types, its `skos:prefLabel` (the name most
  releases use; ties: shortest, then alphabetical) and `pk:releaseCount`;
- every unit's `org:unitOf`, once: the forces its releases tie it to or,
  for a unit no release ties to a force (and not regional or national),
  the force of the one forced unit of the same key elsewhere (with
  `skos:exactMatch` to that unit);
- roles outside the rank scheme get their one `skos:prefLabel`;
- `<derived> pk:covers <release>` for every release accounted for;
- the running totals the aggregate queries read (`kg/totals.py`).

Only what new or replaced releases touch is recomputed, each touched
subject from all the release graphs that name it, so the result is the
same whatever order releases came in and however the work was split.
Crash safety rests on two markers: a release graph the derived graph does
not yet cover is picked up by the next refresh, and replacing a release
marks what its old graph named as `pk:pending` in the same transaction.
"""
from __future__ import annotations

from collections import defaultdict

from pyoxigraph import Literal, NamedNode

from . import lexicon, totals
from .resolve import Identity
from .store import Store, batches as _batches, iris as _iris
from .vocab import ORG, PK, PKV, QB, RDF, RDFS, SCHEMA, SKOS, XSD, sparql_prefixes

_ROUND = 5000  # releases a refresh takes in at once

# The full types of each kind of entity, by the first segment of its IRI after the base.
_KINDS = {
    "force": (PK.PoliceForce, ORG.FormalOrganization, SCHEMA.GovernmentOrganization),
    "unit": (PK.PoliceUnit, ORG.OrganizationalUnit),
    "operation": (PK.Operation, SCHEMA.Event),
    "organisation": (PK.PartnerAgency, ORG.Organization),
    "person": (SCHEMA.Person,),
    "place": (SCHEMA.Place,),
}


def pending_marks(derived: str, release: str) -> str:
    """SPARQL Update that marks what a release graph names as pending, before it is replaced."""
    return (f"INSERT {{ GRAPH <{derived}> {{ <{derived}> <{PK.pending.value}> ?x }} }} WHERE {{ GRAPH <{release}> {{ "
            f"{{ <{release}> <{SCHEMA.mentions.value}> ?x }} UNION {{ ?m <{ORG.role.value}> ?x . ?x <{RDFS.label.value}> ?l }} }} }} ;\n"
            f"DELETE DATA {{ GRAPH <{derived}> {{ <{derived}> <{PK.covers.value}> <{release}> }} }}")


def refresh(store: Store, identity: Identity) -> int:
    """Bring the derived graph up to date with the release graphs; returns the subjects recomputed."""
    derived = identity.graph("derived")
    d = NamedNode(derived)
    if not store.has_graph(derived):
        store.extend([_quad(d, RDF.type, PK.DerivedGraph, d)])
    uncovered = [r["r"] for r in store.rows(sparql_prefixes() + f"""
        SELECT ?r WHERE {{ GRAPH ?r {{ ?r a schema:NewsArticle }}
                           FILTER NOT EXISTS {{ GRAPH <{derived}> {{ <{derived}> pk:covers ?r }} }} }}""")]
    gone = [r["r"] for r in store.rows(sparql_prefixes() + f"""
        SELECT ?r WHERE {{ GRAPH <{derived}> {{ <{derived}> pk:covers ?r }}
                           FILTER NOT EXISTS {{ GRAPH ?r {{ ?r a schema:NewsArticle }} }} }}""")]
    pending = [r["x"] for r in store.rows(f"SELECT ?x WHERE {{ GRAPH <{derived}> {{ <{derived}> <{PK.pending.value}> ?x }} }}")]
    if not uncovered and not gone and not pending:
        return 0
    # Rounds of a bounded number of releases keep memory flat however many came in at once; an entity
    # several rounds touch is recomputed from all its releases each time, so the end is the same.
    # The totals are gathered over the rounds and written once, at the end, with every release's
    # `pk:covers`: their lists grow with the corpus, and writing them each round cost as much again
    # every round. A crash before the end leaves the releases uncovered, and a re-run redoes them.
    # A replaced or removed release took what it added to the totals with its old graph: recount them
    # all, from every release graph there is (the uncovered ones included).
    recount = _recount(store, identity) if gone or pending else None
    tally = totals.Tally(store, identity, derived, recount)
    rounds = list(_batches(sorted(uncovered), _ROUND)) or [[]]
    recomputed = 0
    for i, batch in enumerate(rounds):
        last = i == len(rounds) - 1
        recomputed += _refresh_round(store, identity, batch, pending if i == 0 else [], tally,
                                     (uncovered, gone, pending) if last else None)
        store.release_memory()
    return recomputed


def _recount(store: Store, identity: Identity) -> dict[str, totals.Group]:
    releases = sorted(r["r"] for r in store.rows("SELECT ?r WHERE { GRAPH ?r { ?r a <%s> } }" % SCHEMA.NewsArticle.value))
    counted: dict[str, totals.Group] = {}
    for batch in _batches(releases, _ROUND):
        for iri, group in totals.contributions(store, identity, batch).items():
            if iri in counted:
                counted[iri].add(group)
            else:
                counted[iri] = group
    return counted


def _refresh_round(store: Store, identity: Identity, batch: list[str], pending: list[str], tally: totals.Tally,
                   end: tuple[list[str], list[str], list[str]] | None) -> int:
    """Recompute what these releases touch; `end` (all uncovered, gone, pending) makes it the last round."""
    derived = identity.graph("derived")
    touched: set[str] = set(pending)
    roles: set[str] = set()
    for part in _batches(sorted(batch)):
        for row in store.rows(sparql_prefixes() + f"""
            SELECT DISTINCT ?x ?role WHERE {{ VALUES ?r {{ {_iris(part)} }} GRAPH ?r {{
              {{ ?r schema:mentions ?x }} UNION {{ ?m org:role ?role . ?role rdfs:label ?l }} }} }}"""):
            if row["x"]:
                touched.add(row["x"])
            if row["role"]:
                roles.add(row["role"])
    roles |= {x for x in touched if x.startswith(PKV.term("role/").value)}
    touched -= roles
    touched |= _units_sharing_keys(store, sorted(x for x in touched if _kind(identity, x) == "unit"))

    labels: dict[str, str] = {}
    quads = _describe_entities(store, identity, sorted(touched), labels) + _describe_roles(store, sorted(roles))
    tally.add(batch, labels)  # before this round's labels are written: a rename is seen against the old one
    subjects = sorted(touched | roles)
    steps, body = tally.steps() if end else ([], "")
    body += "".join(f"<{s}> <{p}> {o} .\n" for s, p, o in quads)
    for part in _batches(subjects):
        steps.append(f"DELETE {{ GRAPH <{derived}> {{ ?s ?p ?o }} }} WHERE {{ VALUES ?s {{ {_iris(part)} }} GRAPH <{derived}> {{ ?s ?p ?o }} }}")
    if end:
        uncovered, gone, all_pending = end
        if all_pending:
            steps.append(f"DELETE WHERE {{ GRAPH <{derived}> {{ <{derived}> <{PK.pending.value}> ?x }} }}")
        for part in _batches(gone):
            steps.append("DELETE DATA { GRAPH <%s> { %s } }" % (derived, " ".join(f"<{derived}> <{PK.covers.value}> <{r}> ." for r in part)))
        body += "".join(f"<{derived}> <{PK.covers.value}> <{r}> .\n" for r in uncovered)
    if body:
        steps.append(f"INSERT DATA {{ GRAPH <{derived}> {{\n{body}}} }}")
    if steps:
        store.update(" ;\n".join(steps))
    return len(subjects)


def rebuild(store: Store, identity: Identity) -> int:
    """Recompute the derived graph from nothing (the incremental refresh must agree with this)."""
    store.update(f"DROP SILENT GRAPH <{identity.graph('derived')}>")
    return refresh(store, identity)


def _describe_entities(store: Store, identity: Identity, entities: list[str],
                       labels: dict[str, str]) -> list[tuple[str, str, str]]:
    """The derived facts of these entities; `labels` is given each one's new skos:prefLabel."""
    gazetteer = {identity.force(key) for key in lexicon.forces()}
    out: list[tuple[str, str, str]] = []
    counts: dict[str, int] = {}
    names: dict[str, list[tuple[int, int, str]]] = defaultdict(list)
    for batch in _batches(entities):
        values = _iris(batch)
        for row in store.rows(sparql_prefixes() + f"""
            SELECT ?e (COUNT(?g) AS ?n) WHERE {{ VALUES ?e {{ {values} }} GRAPH ?g {{ ?g schema:mentions ?e }} }} GROUP BY ?e"""):
            counts[row["e"]] = int(row["n"])
    # A gazetteer force's label is the reference graph's. The others' names are read as two
    # subqueries joined by hashing: each is one range scan an entity, where the two patterns side
    # by side cost an index lookup for every release that names it (most of a round's time at
    # 70,000 releases: a unit or force touched every round is named by thousands).
    named = [e for e in entities if e not in gazetteer]
    for batch in _batches(named):
        values = _iris(batch)
        for row in store.rows(sparql_prefixes() + f"""
            SELECT ?e ?name (COUNT(DISTINCT ?g) AS ?n) WHERE {{
              {{ SELECT ?e ?g ?name WHERE {{ VALUES ?e {{ {values} }} GRAPH ?g {{ ?e schema:name ?name }} }} }}
              {{ SELECT ?e ?g WHERE {{ VALUES ?e {{ {values} }} GRAPH ?g {{ ?g schema:mentions ?e }} }} }}
            }} GROUP BY ?e ?name"""):
            names[row["e"]].append((-int(row["n"]), len(row["name"]), row["name"]))
    learnt = _learnt_forces(store, identity, [e for e in entities if _kind(identity, e) == "unit"])
    for entity in entities:
        if not counts.get(entity):
            continue  # no release names it any more: nothing derived remains
        out.append((entity, PK.releaseCount.value, _int(counts[entity])))
        if entity in gazetteer:
            continue  # types and preferred label live in the reference graph
        for rdf_type in _KINDS.get(_kind(identity, entity), ()):
            out.append((entity, RDF.type.value, f"<{rdf_type.value}>"))
        if names.get(entity):
            labels[entity] = min(names[entity])[2]
            out.append((entity, SKOS.prefLabel.value, _str(labels[entity])))
        for predicate, obj in learnt.get(entity, ()):
            out.append((entity, predicate, f"<{obj}>"))
    return out


def _describe_roles(store: Store, roles: list[str]) -> list[tuple[str, str, str]]:
    out: list[tuple[str, str, str]] = []
    labels: dict[str, list[tuple[int, int, str]]] = defaultdict(list)
    for batch in _batches(roles):
        for row in store.rows(sparql_prefixes() + f"""
            SELECT ?role ?label (COUNT(DISTINCT ?g) AS ?n) WHERE {{ VALUES ?role {{ {_iris(batch)} }}
              GRAPH ?g {{ ?role rdfs:label ?label }} }} GROUP BY ?role ?label"""):
            labels[row["role"]].append((-int(row["n"]), len(row["label"]), row["label"]))
    for role in roles:
        if not labels.get(role):
            continue
        out += [(role, RDF.type.value, f"<{SKOS.Concept.value}>"), (role, RDF.type.value, f"<{ORG.Role.value}>"),
                (role, SKOS.inScheme.value, f"<{PKV.term('role').value}>"),
                (role, SKOS.prefLabel.value, _str(min(labels[role])[2]))]
    return out


def _units_sharing_keys(store: Store, units: list[str]) -> set[str]:
    """Every unit with the key of a touched unit: a new forced unit can settle a loose one's force."""
    keys: set[str] = set()
    for batch in _batches(units):
        keys |= {r["key"] for r in store.rows(sparql_prefixes() + f"""
            SELECT DISTINCT ?key WHERE {{ VALUES ?u {{ {_iris(batch)} }} GRAPH ?g {{ ?u pk:unitKey ?key }} }}""")}
    found: set[str] = set()
    for batch in _batches(sorted(keys)):
        values = " ".join(_str(k) for k in batch)
        found |= {r["u"] for r in store.rows(sparql_prefixes() + f"""
            SELECT DISTINCT ?u WHERE {{ VALUES ?key {{ {values} }} GRAPH ?g {{ ?u pk:unitKey ?key }} }}""")}
    return found


def _learnt_forces(store: Store, identity: Identity, units: list[str]) -> dict[str, list[tuple[str, str]]]:
    """For loose units: the force of the one forced unit of the same key, where there is exactly one."""
    by_key: dict[str, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
    scoped: set[str] = set()
    # A unit's key is part of its IRI, the same in every release: its key, forces and scope are read
    # apart, each one range scan a unit, instead of two lookups for every release that names it.
    for batch in _batches(units):
        values = _iris(batch)
        keys = {r["u"]: r["key"] for r in store.rows(sparql_prefixes() + f"""
            SELECT DISTINCT ?u ?key WHERE {{ VALUES ?u {{ {values} }} GRAPH ?g {{ ?u pk:unitKey ?key }} }}""")}
        for unit, key in keys.items():
            by_key[key].setdefault(unit, set())  # a unit of that key, with or without a force
        for row in store.rows(sparql_prefixes() + f"""
            SELECT DISTINCT ?u ?force WHERE {{ VALUES ?u {{ {values} }} GRAPH ?g {{ ?u org:unitOf ?force }} }}"""):
            if row["u"] in keys:
                by_key[keys[row["u"]]][row["u"]].add(row["force"])
        scoped |= {r["u"] for r in store.rows(sparql_prefixes() + f"""
            SELECT DISTINCT ?u WHERE {{ VALUES ?u {{ {values} }} GRAPH ?g {{ ?u pk:scope ?scope }} }}""") if r["u"] in keys}
    out: dict[str, list[tuple[str, str]]] = {}
    for key, members in by_key.items():
        forced = {u: f for u, f in members.items() if f}
        for unit, own in forced.items():
            out[unit] = [(ORG.unitOf.value, f) for f in sorted(own)]
        if len(forced) != 1:
            continue
        (forced_iri, forces), = forced.items()
        for unit, own in members.items():
            if own or unit in scoped:
                continue
            out[unit] = [(SKOS.exactMatch.value, forced_iri)] + [(ORG.unitOf.value, f) for f in sorted(forces)]
    return out


def _kind(identity: Identity, iri: str) -> str:
    return identity.local(iri).split("/", 1)[0]


def _str(value: str) -> str:
    return str(Literal(value))


def _int(value: int) -> str:
    return str(Literal(str(value), datatype=XSD.integer))


def _quad(s, p, o, g):
    from pyoxigraph import Quad

    return Quad(s, p, o, g)


__all__ = ["refresh", "rebuild", "pending_marks"]
