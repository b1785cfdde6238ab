"""Findings to RDF: the fourth stage of the flow.

`release_quads` writes everything one release asserts into its own named
graph (the release IRI), each entity tied to the spans that name it through
a Web Annotation (`<release#local> oa:hasBody <entity> ; oa:hasTarget
<release#char=S,E>`), each span carrying its exact text and the rule that
read it (`pk:evidence`).

`reference_quads` writes the reference graph: the ontology, every force of
the gazetteer, and the SKOS schemes of ranks, roles, offences, outcomes,
tactics, drugs and weapons.
"""
from __future__ import annotations

import datetime as dt
import hashlib
from typing import Iterable

from pyoxigraph import Literal, NamedNode, Quad, RdfFormat, parse

from . import __version__, lexicon
from .findings import Quantity, Span
from .resolve import Identity, Resolved
from .resources import resource_dir
from .vocab import DCTERMS, OA, ORG, PK, PKV, PROV, RDF, RDFS, SCHEMA, SKOS, XSD



def _literal(value) -> Literal:
    if isinstance(value, bool):
        return Literal("true" if value else "false", datatype=XSD.boolean)
    if isinstance(value, int):
        return Literal(str(value), datatype=XSD.integer)
    if isinstance(value, float):
        if value == int(value):
            return Literal(str(int(value)), datatype=XSD.integer)
        return Literal(repr(value), datatype=XSD.decimal)
    if isinstance(value, dt.date):
        return Literal(value.isoformat(), datatype=XSD.date)
    return Literal(str(value))


class _Graph:
    """Collects the quads of one named graph."""

    def __init__(self, graph: str) -> None:
        self.graph = NamedNode(graph)
        self.quads: list[Quad] = []

    def add(self, subject: str | NamedNode, predicate: NamedNode, obj) -> None:
        s = subject if isinstance(subject, NamedNode) else NamedNode(subject)
        o = obj if isinstance(obj, (NamedNode, Literal)) else _literal(obj)
        self.quads.append(Quad(s, predicate, o, self.graph))

    def types(self, subject: str, *types: NamedNode) -> None:
        for t in types:
            self.add(subject, RDF.type, t)


_TYPES = {"unit": PK.PoliceUnit, "operation": PK.Operation, "partner": PK.PartnerAgency, "force": PK.PoliceForce}


def release_quads(resolved: Resolved) -> list[Quad]:
    """Everything one release asserts, in its own named graph.

    The graph is laid out so that a query reaches any of it from the
    release in a few index lookups (`GRAPH ?release { ... }`): entities as
    this release names them, its memberships, quotes, activity and
    outcomes, and compact provenance (one annotation per entity whose
    targets are RFC 5147 `#char=start,end` fragments of the release).
    Nothing here is said about an entity beyond what the release says; the
    corpus-wide view (preferred labels, full types, release counts) lives
    once in the derived graph, so the union of graphs never repeats it.
    """
    findings = resolved.findings
    document = findings.document
    identity = resolved.identity
    release = resolved.release
    g = _Graph(release)
    spans = _Spans(g, release)

    g.add(release, RDF.type, SCHEMA.NewsArticle)
    g.add(release, DCTERMS.identifier, document.id)
    if document.date:
        g.add(release, SCHEMA.datePublished, document.date)
    if document.url:
        g.add(release, SCHEMA.url, NamedNode(document.url) if _is_iri(document.url) else Literal(document.url))
    if document.title:
        g.add(release, SCHEMA.headline, document.title)
    if document.publisher:
        force = lexicon.force_spellings().get(lexicon.fold(document.publisher))
        if force:
            g.add(release, SCHEMA.publisher, NamedNode(identity.force(force)))
        else:
            g.add(release, PK.publisherName, document.publisher)
    if findings.main_force:
        g.add(release, PK.mainForce, NamedNode(identity.force(findings.main_force)))
    g.add(release, PK.textDigest, "sha256:" + hashlib.sha256(document.text.encode("utf-8")).hexdigest())
    g.add(release, PK.extractorVersion, __version__)

    for entity in findings.entities:
        iri = resolved.of(entity.kind, entity.key)
        g.add(release, SCHEMA.mentions, NamedNode(iri))
        g.add(iri, RDF.type, _TYPES[entity.kind])
        if entity.kind != "force" or entity.key not in lexicon.forces():
            g.add(iri, SCHEMA.name, entity.name)  # a gazetteer force's names are the reference graph's
        if entity.kind == "force":
            if entity.key not in lexicon.forces():
                g.add(iri, PK.forceKind, PKV.term(f"force-kind/{entity.scope or 'foreign'}"))
        elif entity.kind == "unit":
            g.add(iri, PK.unitKey, Literal(entity.key))
            for force in entity.forces:
                g.add(iri, ORG.unitOf, NamedNode(identity.force(force)))
            if entity.scope in ("regional", "national"):
                g.add(iri, PK.scope, Literal(entity.scope))
        elif entity.kind == "operation":
            if entity.scope == "national":
                g.add(iri, PK.scope, Literal("national"))
            elif len(entity.forces) > 1:
                # A joint operation is the same operation as each force's own of that codename.
                for force in entity.forces:
                    g.add(iri, SKOS.exactMatch, NamedNode(identity.operation(entity.key, (force,))))
        elif entity.kind == "partner" and entity.scope:
            g.add(iri, PK.partnerKind, Literal(entity.scope))
        for alias in entity.aliases:
            g.add(iri, SKOS.altLabel, alias)
        evidence = [f"unitOf: {entity.force_rule}"] if entity.kind == "unit" and entity.force_rule else []
        _annotate(g, spans, identity, release, iri, entity.spans, evidence)

    for person in findings.people:
        _person(g, spans, resolved, person)
    for quote in findings.quotes:
        quote_iri = spans.iri(quote.span)
        g.add(quote_iri, RDF.type, SCHEMA.Quotation)
        g.add(quote_iri, SCHEMA.text, quote.span.text)
        g.add(quote_iri, SCHEMA.isPartOf, NamedNode(release))
        if quote.speaker and ("person", quote.speaker) in resolved.iris:
            g.add(quote_iri, SCHEMA.creator, NamedNode(resolved.of("person", quote.speaker)))
    _activity(g, spans, resolved)
    return list(dict.fromkeys(g.quads))


def _is_iri(value: str) -> bool:
    return value.startswith(("http://", "https://")) and not any(c in value for c in ' <>"{}|\\^`')


class _Spans:
    """The release's spans as RFC 5147 fragment IRIs, each described once.

    `<release#char=10,25>` names characters 10 to 25 of the release text
    (Python string offsets, after the date header); it carries the exact
    text and the rule that read it. One node per span, however many facts
    point at it, keeps provenance complete at a few quads a span.
    """

    def __init__(self, g: _Graph, release: str) -> None:
        self.g = g
        self.release = release
        self.seen: dict[tuple[int, int], set[str]] = {}

    def iri(self, span: Span) -> str:
        return f"{self.release}#char={span.start},{span.end}"

    def target(self, span: Span) -> NamedNode:
        iri = self.iri(span)
        key = (span.start, span.end)
        rules = self.seen.get(key)
        if rules is None:
            rules = self.seen[key] = set()
            self.g.add(iri, OA.exact, span.text)
        if span.rule and span.rule not in rules:
            rules.add(span.rule)
            self.g.add(iri, PK.evidence, span.rule)
        return NamedNode(iri)


def _annotate(g: _Graph, spans: _Spans, identity: Identity, release: str, body: str,
              found: Iterable[Span], evidence: Iterable[str] = (), local: str | None = None) -> str:
    """One annotation per (release, body): the spans that name it and why."""
    annotation = f"{release}#{local or identity.local(body)}"
    # No `a oa:Annotation`: oa:hasBody's domain entails it, and at one per
    # entity per release the explicit type was a fifteenth of the store.
    g.add(annotation, OA.hasBody, NamedNode(body))
    for span in found:
        g.add(annotation, OA.hasTarget, spans.target(span))
    for item in evidence:
        g.add(annotation, PK.evidence, item)
    return annotation


def _person(g: _Graph, spans: _Spans, resolved: Resolved, person) -> None:
    identity, release = resolved.identity, resolved.release
    iri = resolved.of("person", person.key)
    g.add(iri, RDF.type, SCHEMA.Person)
    g.add(iri, SCHEMA.name, person.name)
    g.add(release, SCHEMA.mentions, NamedNode(iri))
    _annotate(g, spans, identity, release, iri, person.spans)
    if person.rank is None and person.role is None and person.organisation is None:
        return
    role = None
    if person.role:
        role = PKV.term(f"role/{lexicon.slug(person.role)}")
        g.types(role.value, SKOS.Concept, ORG.Role)
        g.add(role, RDFS.label, person.role)  # its one skos:prefLabel is the derived graph's
        g.add(role, SKOS.inScheme, PKV.term("role"))
    elif person.rank:
        role = PKV.term(f"rank/{person.rank}")
    org = resolved.of(*person.organisation) if person.organisation else None
    segments = ["as", (role.value.rsplit("/", 1)[-1] if role else "member")]
    if person.temporary:
        segments.append("temporary")
    if person.acting:
        segments.append("acting")
    if org:
        segments += ["of", identity.local(org)]
    membership = iri + "/" + "/".join(segments)
    g.add(membership, RDF.type, ORG.Membership)
    g.add(membership, ORG.member, NamedNode(iri))
    if role is not None:
        g.add(membership, ORG.role, role)
    if org:
        g.add(membership, ORG.organization, NamedNode(org))
    if person.temporary:
        g.add(membership, PK.temporary, True)
    if person.acting:
        g.add(membership, PK.acting, True)
    # A membership is read from the person's first mention: it points at that
    # span directly (as outcomes do) rather than through an annotation of its own.
    if person.spans:
        g.add(membership, PROV.wasDerivedFrom, spans.target(person.spans[0]))
    if person.organisation_rule:
        g.add(membership, PK.evidence, f"organisation: {person.organisation_rule}")


def _activity(g: _Graph, spans: _Spans, resolved: Resolved) -> None:
    findings, identity, release = resolved.findings, resolved.identity, resolved.release
    activity = findings.activity
    iri = identity.activity(findings.document.id)
    g.types(iri, PK.ReportedActivity, SCHEMA.Event)
    g.add(iri, SCHEMA.subjectOf, NamedNode(release))
    if activity.start:
        g.add(iri, SCHEMA.startDate, activity.start)
        if activity.end:
            g.add(iri, SCHEMA.endDate, activity.end)
        if activity.date_span:
            _annotate(g, spans, identity, release, iri, [activity.date_span], local="activity/date")
    for entity in findings.entities:
        target = NamedNode(resolved.of(entity.kind, entity.key))
        if entity.kind == "operation":
            g.add(iri, SCHEMA.superEvent, target)
        elif entity.kind in ("force", "unit"):
            g.add(iri, SCHEMA.organizer, target)
        else:
            g.add(iri, SCHEMA.contributor, target)
    for span in activity.places:
        place = identity.place(span.text)
        g.add(place, RDF.type, SCHEMA.Place)
        g.add(place, SCHEMA.name, span.text)
        g.add(release, SCHEMA.mentions, NamedNode(place))
        g.add(iri, SCHEMA.location, NamedNode(place))
        _annotate(g, spans, identity, release, place, [span])
    for tactic, span in activity.tactics:
        g.add(iri, PK.tactic, PKV.term(f"tactic/{tactic}"))
        _annotate(g, spans, identity, release, PKV.term(f"tactic/{tactic}").value, [span], local=f"tactic/{tactic}")
    for quantity in activity.outcomes:
        _outcome(g, spans, resolved, iri, quantity)
    for group in activity.breakdown:
        group_iri = f"{release}#arrests-by/{group.heading.start}-{group.heading.end}"
        g.types(group_iri, PK.ArrestBreakdown)  # a schema:QuantitativeValue by the ontology
        g.add(group_iri, PK.outcomeKind, PKV.term("outcome/arrest"))
        g.add(group_iri, SCHEMA.value, group.total)
        g.add(group_iri, SCHEMA.name, group.heading.text)
        for force in group.forces:
            g.add(group_iri, PK.forForce, NamedNode(identity.force(force)))
        for unit in group.units:
            if ("unit", unit) in resolved.iris:
                g.add(group_iri, PK.forUnit, NamedNode(resolved.of("unit", unit)))
        g.add(iri, PK.arrestBreakdown, NamedNode(group_iri))
        g.add(group_iri, PROV.wasDerivedFrom, spans.target(group.heading))
        for line in group.lines:
            line_iri = f"{release}#arrests-by/{line.span.start}-{line.span.end}"
            g.types(line_iri, PK.BreakdownLine)
            g.add(line_iri, SCHEMA.value, line.count)
            g.add(line_iri, PK.inBreakdown, NamedNode(group_iri))
            for offence in line.offences:
                g.add(line_iri, PK.offence, PKV.term(f"offence/{offence}"))
            g.add(line_iri, PROV.wasDerivedFrom, spans.target(line.span))
    for i, note in enumerate(activity.notes, start=1):
        note_iri = f"{release}#quality-note-{i}"
        g.types(note_iri, OA.Annotation, PK.DataQualityNote)
        g.add(note_iri, OA.motivatedBy, OA.assessing)
        g.add(note_iri, OA.hasTarget, NamedNode(iri))
        g.add(note_iri, OA.bodyValue, note)


def _outcome(g: _Graph, spans: _Spans, resolved: Resolved, activity: str, quantity: Quantity) -> None:
    iri = f"{resolved.release}#outcome/{quantity.kind}-{quantity.span.start}-{quantity.span.end}"
    monetary = quantity.unit == "GBP"
    # pk:Outcome is a schema:QuantitativeValue by the ontology; only money says more.
    g.types(iri, PK.Outcome, *([SCHEMA.MonetaryAmount] if monetary else []))
    g.add(iri, PK.outcomeKind, PKV.term(f"outcome/{quantity.kind}"))
    g.add(iri, SCHEMA.value, quantity.value)
    if quantity.bound == "min":
        g.add(iri, SCHEMA.minValue, quantity.value)
    elif quantity.bound == "max":
        g.add(iri, SCHEMA.maxValue, quantity.value)
    elif quantity.bound == "approx":
        g.add(iri, PK.approximate, True)
    if monetary:
        g.add(iri, SCHEMA.currency, Literal("GBP"))
    elif quantity.unit:
        g.add(iri, SCHEMA.unitText, Literal(quantity.unit))
    if quantity.item:
        scheme = "drug" if quantity.kind == "drugs-seized" else "weapon"
        g.add(iri, PK.item, PKV.term(f"{scheme}/{quantity.item}"))
    if quantity.drug_class:
        g.add(iri, PK.drugClass, PKV.term(f"drug-class/{quantity.drug_class}"))
    if quantity.headline:
        g.add(iri, PK.headline, True)
    g.add(activity, PK.outcome, NamedNode(iri))
    g.add(iri, PROV.wasDerivedFrom, spans.target(quantity.span))


# ---------------------------------------------------------------------------- reference graph

def reference_quads(identity: Identity) -> list[Quad]:
    """The ontology, the forces gazetteer and the SKOS schemes, in the reference graph."""
    g = _Graph(identity.graph("reference"))
    g.add(g.graph, RDF.type, PK.ReferenceGraph)
    for triple in parse(path=str(resource_dir("ontology") / "policekg.ttl"), format=RdfFormat.TURTLE):
        g.quads.append(Quad(triple.subject, triple.predicate, triple.object, g.graph))
    g.add(g.graph, PK.baseIri, Literal(identity.base))
    g.add(g.graph, PK.extractorVersion, __version__)

    for force in lexicon.forces().values():
        iri = identity.force(force.id)
        g.types(iri, PK.PoliceForce, ORG.FormalOrganization, SCHEMA.GovernmentOrganization)
        g.add(iri, SCHEMA.name, force.name)
        g.add(iri, SKOS.prefLabel, force.name)
        for alias in force.aliases:
            g.add(iri, SKOS.altLabel, alias)
        if force.police_uk_id:
            g.add(iri, PK.policeUkId, Literal(force.police_uk_id))
            g.add(iri, RDFS.seeAlso, NamedNode(f"https://data.police.uk/api/forces/{force.police_uk_id}"))
        g.add(iri, PK.forceKind, PKV.term(f"force-kind/{force.kind}"))
        g.add(iri, SCHEMA.areaServed, Literal(force.country))

    def scheme(name: str, label: str) -> NamedNode:
        node = PKV.term(name)
        g.types(node.value, SKOS.ConceptScheme)
        g.add(node, SKOS.prefLabel, label)
        return node

    def concept(scheme_node: NamedNode, local: str, label: str, *extra: NamedNode) -> NamedNode:
        node = PKV.term(local)
        g.types(node.value, SKOS.Concept, *extra)
        g.add(node, SKOS.prefLabel, label)
        g.add(node, SKOS.inScheme, scheme_node)
        return node

    kinds = scheme("force-kind", "Kinds of police force")
    for kind, label in (("territorial", "Territorial police force"), ("special", "Special police force"),
                        ("service", "Service police"), ("foreign", "Police service outside the UK")):
        concept(kinds, f"force-kind/{kind}", label)
    ranks = scheme("rank", "UK police ranks")
    roles = scheme("role", "Roles of officials and partners")
    for rank in lexicon.ranks().values():
        node = concept(ranks if rank.kind == "police" else roles, f"rank/{rank.id}", rank.label, ORG.Role)
        for spelling in rank.spellings:
            if spelling != rank.label:
                g.add(node, SKOS.altLabel, spelling)
        if rank.order >= 0:
            g.add(node, PK.seniority, rank.order)
    offences = scheme("offence", "Offences in arrest breakdowns")
    for offence in lexicon.offences():
        node = concept(offences, f"offence/{offence.id}", offence.label)
        if offence.broader:
            group = concept(offences, f"offence/group/{offence.broader}", offence.broader.replace("-", " ").capitalize())
            g.add(node, SKOS.broader, group)
    outcomes = scheme("outcome", "Kinds of reported outcome")
    for outcome in lexicon.outcome_kinds():
        concept(outcomes, f"outcome/{outcome.id}", outcome.label)
    tactics = scheme("tactic", "Policing tactics")
    for tactic in lexicon.tactics():
        concept(tactics, f"tactic/{tactic.id}", tactic.label)
    drugs = scheme("drug", "Controlled drugs")
    for klass in "ABC":
        concept(drugs, f"drug-class/{klass}", f"Class {klass} drugs")
    for drug in lexicon.drugs():
        node = concept(drugs, f"drug/{drug.id}", drug.label)
        if drug.extra:
            g.add(node, SKOS.broader, PKV.term(f"drug-class/{drug.extra}"))
    weapons = scheme("weapon", "Kinds of weapon")
    for weapon in lexicon.weapons():
        concept(weapons, f"weapon/{weapon.id}", weapon.label)
    return list(dict.fromkeys(g.quads))
