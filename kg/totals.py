"""Running totals in the derived graph, so that aggregate queries read one node per group.

An aggregate over every release (forces that worked together, arrests by
force and month, offences) costs Oxigraph a join step per release, entity
and activity: seconds at 10,000 releases, minutes at 100,000. What the
queries group by is small (a few hundred force pairs, a few thousand force
months), so the derived graph keeps each group's totals as one RDF Data
Cube observation, and the queries read those:

    <{base}total/force-pair/force/essex/force/kent> a qb:Observation ;
        qb:dataSet pk:forcePairTotals ;
        pk:refForce <{base}force/essex>, <{base}force/kent> ;
        pk:releaseCount 2 ; pk:operationList "Operation Ashgrove" ;
        pk:documentList "pair-one; pair-two" .

Each kind of total is data: a SPARQL query of what one release contributes
(one row per release and group, the release's own aggregate, exactly the
inner part of the query the total replaces), the variables that key a
group, the ones summed, the ones gathered as links. New releases add their
contributions to the groups they touch, in the same transaction that marks
them covered, so a crash leaves totals and coverage in step. A replaced or
removed release took what it contributed with its old graph, so then every
total is recounted from all the release graphs. Sums and sets do not depend
on order: any order of releases, any split of the work, gives the same
triples as one rebuild.
"""
from __future__ import annotations

import sys
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Iterable

from pyoxigraph import Literal, NamedNode

from .resolve import Identity
from .store import Store, batches as _batches, iris as _iris
from .vocab import PK, PKV, QB, RDF, SCHEMA, SKOS, XSD, sparql_prefixes

_SEPARATOR = "; "


@dataclass(frozen=True)
class Total:
    """One kind of running total: its groups, what it sums and gathers, and what a release contributes."""

    name: str                                   # IRI segment: {base}total/<name>/<key>/...
    dataset: NamedNode                          # the qb:DataSet its observations belong to
    keys: tuple[tuple[str, NamedNode], ...]     # variables that key a group, with their predicate
    contribution: str                           # SELECT ?release ?document <keys> <sums> <links> over GRAPH ?release
    sums: tuple[tuple[str, NamedNode], ...] = ()   # added up over the group's releases
    # values any release gives whose skos:prefLabels are kept, sorted, as one literal under the predicate:
    # a listing then reads one node a group, not a lookup per value (hundreds a group); the values
    # themselves are not kept (a link each doubled what a refresh writes), the release graphs have them
    links: tuple[tuple[str, NamedNode], ...] = ()
    documents: bool = False                     # keep the sorted identifiers of its releases
    # (variable, within): the keys are each pair of the variable's values within one value of `within`,
    # in IRI order; Oxigraph joins the pairs in SPARQL at some 40 us a row, Python in a fraction
    pairs: tuple[str, str] | None = None


TOTALS: tuple[Total, ...] = (
    Total(
        "force-pair", PK.forcePairTotals,
        keys=(("a", PK.refForce), ("b", PK.refForce)),
        links=(("op", PK.operationList),),
        documents=True, pairs=("force", "activity"),
        contribution="""
        SELECT ?release ?document ?activity ?force ?op WHERE {
          GRAPH ?release {
            ?release dcterms:identifier ?document .
            ?activity a pk:ReportedActivity ;
                      schema:organizer ?force .
            ?force a pk:PoliceForce .
            OPTIONAL { ?activity schema:superEvent ?op }
          }
        }"""),
    Total(
        "force-month", PK.forceMonthTotals,
        keys=(("f", PK.refForce), ("month", PK.refMonth)),
        sums=(("arrestCount", PK.arrestCount), ("cashValue", PK.cashSeized)),
        contribution="""
        SELECT ?release ?f ?month (MAX(COALESCE(?v, 0)) AS ?arrestCount) (MAX(COALESCE(?c, 0)) AS ?cashValue) WHERE {
          GRAPH ?release {
            ?release pk:mainForce ?f .
            ?activity schema:subjectOf ?release .
            OPTIONAL { ?activity schema:startDate ?start }
            OPTIONAL { ?release schema:datePublished ?published }
            OPTIONAL { ?activity pk:outcome ?o . ?o pk:headline true ; schema:value ?v }
            OPTIONAL { ?activity pk:outcome ?cash . ?cash pk:outcomeKind pkv:outcome\\/cash-seized ; schema:value ?c }
          }
          BIND (COALESCE(SUBSTR(STR(COALESCE(?start, ?published)), 1, 7), "") AS ?month)
        }
        GROUP BY ?release ?f ?month"""),
    Total(
        "offence", PK.offenceTotals,
        keys=(("concept", PK.refOffence),),
        sums=(("arrests", PK.arrestCount),),
        contribution="""
        SELECT ?release ?concept (SUM(?count) AS ?arrests) WHERE {
          GRAPH ?release {
            ?line a pk:BreakdownLine ;
                  schema:value ?count ;
                  pk:offence ?concept ;
                  pk:inBreakdown ?heading .
            OPTIONAL { ?heading pk:forForce ?headingForce }
          }
        }
        GROUP BY ?release ?concept"""),
    Total(
        "offence-force", PK.offenceForceTotals,
        keys=(("concept", PK.refOffence), ("headingForce", PK.refForce)),
        sums=(("arrests", PK.arrestCount),),
        contribution="""
        SELECT ?release ?concept ?headingForce (SUM(?count) AS ?arrests) WHERE {
          GRAPH ?release {
            ?line a pk:BreakdownLine ;
                  schema:value ?count ;
                  pk:offence ?concept ;
                  pk:inBreakdown ?heading .
            ?heading pk:forForce ?headingForce .
          }
        }
        GROUP BY ?release ?concept ?headingForce"""),
)


@dataclass
class Group:
    """The totals of one group so far."""

    total: Total
    keys: tuple[str, ...]                       # the key values as N-Triples terms
    releases: int = 0
    sums: dict[str, Decimal] = field(default_factory=dict)
    decimal: set[str] = field(default_factory=set)   # sums some xsd:decimal went into
    links: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))  # this refresh's values
    labels: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    documents: set[str] = field(default_factory=set)

    def add(self, other: Group) -> None:
        self.releases += other.releases
        for name, value in other.sums.items():
            self.sums[name] = self.sums.get(name, Decimal(0)) + value
        self.decimal |= other.decimal
        for name, values in other.links.items():
            self.links[name] |= values
        for name, values in other.labels.items():
            self.labels[name] |= values
        self.documents |= other.documents


def contributions(store: Store, identity: Identity, releases: list[str],
                  totals: Iterable[Total] = TOTALS) -> dict[str, Group]:
    """What these releases add to every total, by the IRI of the group."""
    groups: dict[str, Group] = {}
    for total in totals:
        for batch in _batches(sorted(releases)):
            # the dataset names the batch's graphs: Oxigraph then reads those alone (a VALUES block
            # binding ?release is joined only after the pattern was matched in every graph)
            solutions = store.query(sparql_prefixes() + total.contribution, named_graphs=batch)
            seen: set[tuple[str, str]] = set()
            for row in (_paired(solutions, total) if total.pairs else solutions):
                if any(row[name] is None for name, _ in total.keys):
                    continue
                keys = tuple(str(row[name]) for name, _ in total.keys)
                iri = group_iri(identity, total, [row[name] for name, _ in total.keys])
                group = groups.get(iri) or groups.setdefault(iri, Group(total, keys))
                release = row["release"].value
                if (iri, release) not in seen:  # the release's own sums come once, whatever its links
                    seen.add((iri, release))
                    group.releases += 1
                    for name, _ in total.sums:
                        term = row[name]
                        value = Decimal(term.value) if term is not None else Decimal(0)
                        group.sums[name] = group.sums.get(name, Decimal(0)) + value
                        if term is not None and term.datatype != XSD.integer:
                            group.decimal.add(name)
                    if total.documents:
                        group.documents.add(row["document"].value)
                for name, _ in total.links:
                    if row[name] is not None:
                        group.links[name].add(sys.intern(str(row[name])))  # one string per value, however many groups
    return groups


def _paired(solutions, total: Total) -> Iterable[dict]:
    """Rows of `total.pairs`' two values within one `within`, with the within's links."""
    name, within = total.pairs
    found: dict[tuple, tuple[set, dict[str, set]]] = {}
    for row in solutions:
        key = (row["release"], row["document"], row[within])
        values, links = found.setdefault(key, (set(), defaultdict(set)))
        values.add(row[name])
        for link, _ in total.links:
            links[link].add(row[link])
    (a, _), (b, _) = total.keys
    for (release, document, _), (values, links) in found.items():
        ordered = sorted(values, key=lambda term: term.value)
        combined = [{}]
        for link, _ in total.links:
            combined = [dict(row, **{link: value}) for row in combined for value in links[link] or {None}]
        for i, first in enumerate(ordered):
            for second in ordered[i + 1:]:
                for row in combined:
                    yield {"release": release, "document": document, a: first, b: second, **row}


def group_iri(identity: Identity, total: Total, keys: list) -> str:
    """Minted from the group's keys: an entity by its IRI's path, a literal by its text ('' as 'none')."""
    segments = ["total", total.name]
    for term in keys:
        if isinstance(term, NamedNode):
            local = identity.local(term.value)
            if local == term.value and term.value.startswith(str(PKV)):
                local = term.value[len(str(PKV)):]
            segments += local.split("/")
        else:
            segments.append(term.value or "none")
    return identity.iri(*segments)


def read(store: Store, derived: str, iris: list[str]) -> dict[str, Group]:
    """The totals the derived graph holds for these groups."""
    by_dataset = {str(t.dataset): t for t in TOTALS}
    found: dict[str, Group] = {}
    rows: dict[str, list] = defaultdict(list)
    for batch in _batches(sorted(iris)):
        for row in store.query(f"SELECT ?t ?p ?o WHERE {{ VALUES ?t {{ {_iris(batch)} }} GRAPH <{derived}> {{ ?t ?p ?o }} }}"):
            rows[row["t"].value].append((row["p"].value, row["o"]))
    for iri, facts in rows.items():
        dataset = next((o for p, o in facts if p == QB.dataSet.value), None)
        total = by_dataset.get(str(dataset)) if isinstance(dataset, NamedNode) else None
        if total is None:
            continue
        keyed: dict[str, list[str]] = defaultdict(list)
        for p, o in facts:
            keyed[p].append(str(o))
        for values in keyed.values():
            values.sort(reverse=True)  # popped smallest first: two keys of one predicate come in IRI order
        group = Group(total, tuple(keyed[p.value].pop() for _, p in total.keys))
        sums = {p.value: name for name, p in total.sums}
        lists = {p.value: name for name, p in total.links}
        for p, o in facts:
            if p == PK.releaseCount.value:
                group.releases = int(o.value)
            elif p in sums:
                group.sums[sums[p]] = Decimal(o.value)
                if o.datatype != XSD.integer:
                    group.decimal.add(sums[p])
            elif p in lists:
                group.labels[lists[p]] |= set(o.value.split(_SEPARATOR)) if o.value else set()
            elif p == PK.documentList.value:
                group.documents |= set(o.value.split(_SEPARATOR))
        found[iri] = group
    return found


def clear(derived: str, iris: list[str]) -> str:
    """SPARQL Update removing these groups' triples, to be written anew."""
    return (f"DELETE {{ GRAPH <{derived}> {{ ?s ?p ?o }} }} WHERE {{ VALUES ?s {{ {_iris(iris)} }} "
            f"GRAPH <{derived}> {{ ?s ?p ?o }} }}")


def label_links(store: Store, identity: Identity, derived: str, groups: dict[str, Group], fresh: dict[str, str],
                before: dict[str, str]) -> None:
    """Give each group the labels of its values, and follow every value renamed by this refresh.

    `fresh` holds the labels this refresh writes (entity to skos:prefLabel),
    `before` those entities' labels as they were before it; every other
    label is read from the store as it stands. A renamed value
    (an operation most releases now spell otherwise) is found again in the
    release graphs that name it, and so are the groups it is in: those drop
    the old name, unless another of their values still has it, and take the
    new one.
    """
    if not any(total.links for total in TOTALS):
        return
    values = {v[1:-1] for group in groups.values() for name, _ in group.total.links for v in group.links.get(name, ())}
    labels = _labels(store, sorted(values - set(fresh)))
    labels.update(fresh)
    for group in groups.values():
        for name, _ in group.total.links:
            group.labels[name] |= {labels[v[1:-1]] for v in group.links.get(name, ()) if v[1:-1] in labels}
    renamed = {e: (before[e], fresh[e]) for e in sorted(fresh) if e in before and before[e] != fresh[e]}
    for entity, (old, new) in renamed.items():
        # values that, once this refresh is written, still carry the old name
        namesakes = {r["e"].value for r in store.query(
            f"SELECT ?e WHERE {{ ?e <{SKOS.prefLabel.value}> {Literal(old)} }}")}
        namesakes = {e for e in namesakes if fresh.get(e, old) == old} | {e for e, l in fresh.items() if l == old}
        namesakes.discard(entity)
        keeping = set(_groups_with(store, identity, sorted(namesakes)))
        for iri, name in _groups_with(store, identity, [entity]).items():
            if iri not in groups:
                groups.update(read(store, derived, [iri]))
            if iri not in groups:
                continue
            if iri not in keeping:
                groups[iri].labels[name].discard(old)
            groups[iri].labels[name].add(new)
    for group in groups.values():
        group.links.clear()  # named now; the values were only kept to find their labels


def _groups_with(store: Store, identity: Identity, entities: list[str]) -> dict[str, str]:
    """The groups (and link variable) holding any of these values, found through the releases that name them."""
    if not entities:
        return {}
    releases = sorted({r["r"].value for batch in _batches(entities) for r in store.query(
        f"SELECT DISTINCT ?r WHERE {{ VALUES ?e {{ {_iris(batch)} }} GRAPH ?r {{ ?r <{SCHEMA.mentions.value}> ?e }} }}")})
    wanted = {f"<{e}>" for e in entities}
    found: dict[str, str] = {}
    linked = [total for total in TOTALS if total.links]
    for iri, group in contributions(store, identity, releases, linked).items():
        for name, _ in group.total.links:
            if group.links.get(name, set()) & wanted:
                found[iri] = name
    return found


def _labels(store: Store, entities: list[str]) -> dict[str, str]:
    found: dict[str, str] = {}
    for batch in _batches(entities):
        for row in store.query(f"SELECT ?e ?l WHERE {{ VALUES ?e {{ {_iris(batch)} }} ?e <{SKOS.prefLabel.value}> ?l }}"):
            found[row["e"].value] = row["l"].value
    return found


class Tally:
    """The totals one refresh brings up to date, gathered over its rounds and written once at its end.

    Each round adds what its releases contribute (and the totals held for
    groups it is first to touch) before its own labels are written, so a
    rename is seen against the label the store had before the refresh.
    Held totals are read once per group, and nothing is written until
    `steps`, so a group's releases are never counted twice.
    """

    def __init__(self, store: Store, identity: Identity, derived: str, recount: dict[str, Group] | None = None) -> None:
        self.store, self.identity, self.derived = store, identity, derived
        self.recount = recount is not None
        self.groups: dict[str, Group] = dict(recount) if recount is not None else {}
        self.fresh: dict[str, str] = {}   # labels this refresh writes
        self.before: dict[str, str] = {}  # those entities' labels before it

    def add(self, releases: list[str], labels: dict[str, str]) -> None:
        self.before.update(_labels(self.store, sorted(e for e in labels if e not in self.fresh)))
        self.fresh.update(labels)
        if self.recount or not releases:
            return  # a recount took every release in already
        new = contributions(self.store, self.identity, releases)
        for iri, held in read(self.store, self.derived, [iri for iri in new if iri not in self.groups]).items():
            new[iri].add(held)
        for iri, group in new.items():
            if iri in self.groups:
                self.groups[iri].add(group)
            else:
                self.groups[iri] = group

    def steps(self) -> tuple[list[str], str]:
        """The update steps that clear the groups written anew, and their triples."""
        label_links(self.store, self.identity, self.derived, self.groups, self.fresh, self.before)
        if self.recount:  # every total written anew
            steps = [f"DELETE WHERE {{ GRAPH <{self.derived}> {{ ?t <{QB.dataSet.value}> ?set ; ?p ?o }} }}"]
        else:
            steps = [clear(self.derived, batch) for batch in _batches(sorted(self.groups))]
        body = "".join(f"<{s}> <{p}> {o} .\n" for iri in sorted(self.groups) for s, p, o in triples(iri, self.groups[iri]))
        return steps, body


def triples(iri: str, group: Group) -> list[tuple[str, str, str]]:
    """The observation of a group, as (subject, predicate, object in N-Triples)."""
    total = group.total
    out = [(iri, RDF.type.value, f"<{QB.Observation.value}>"), (iri, QB.dataSet.value, f"<{total.dataset.value}>"),
           (iri, PK.releaseCount.value, str(Literal(str(group.releases), datatype=XSD.integer)))]
    out += [(iri, predicate.value, key) for (_, predicate), key in zip(total.keys, group.keys)]
    for name, predicate in total.sums:
        value = group.sums.get(name, Decimal(0))
        if name in group.decimal:
            literal = Literal(_decimal(value), datatype=XSD.decimal)
        else:
            literal = Literal(str(int(value)), datatype=XSD.integer)
        out.append((iri, predicate.value, str(literal)))
    for name, listed in total.links:
        out.append((iri, listed.value, str(Literal(_SEPARATOR.join(sorted(group.labels.get(name, ())))))))
    if total.documents:
        out.append((iri, PK.documentList.value, str(Literal(_SEPARATOR.join(sorted(group.documents))))))
    return out


def _decimal(value: Decimal) -> str:
    text = format(value.normalize(), "f")
    return text if "." in text else text + ".0"


__all__ = ["TOTALS", "Total", "Group", "Tally", "contributions", "read", "triples", "group_iri", "clear", "label_links"]
