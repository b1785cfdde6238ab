"""Give every finding its IRI: the third stage of the flow.

IRIs are minted from canonical keys and reference ids, never from counters,
so the same release gives the same IRIs whatever the order, the number of
workers or the machine, and graphs built apart merge by plain union:

    {base}force/<id>                          a force (police.uk id where it has one)
    {base}unit/<force>[+<force>]/<unit-key>   a unit of one or more forces
    {base}unit/<unit-key>                     a unit with no known force
    {base}operation/<force>[+<force>]/<slug>  a force's operation: operation/kent/operation-venice
    {base}operation/<slug>                    a national one, or one no force is tied to
    {base}organisation/<key>                  a partner agency
    {base}person/<home>/<name-slug>           home: the person's force, else their organisation
    {base}release/<id>                        a release, and the named graph of what it asserts
    {base}release/<id>#<start>-<end>          a span of its text

This stage also makes the last privacy check: a person named anywhere in the
release as a suspect, defendant or victim is dropped entirely.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, replace
from urllib.parse import quote

from .findings import Findings, Person
from .lexicon import slug

_SEGMENT_SAFE = "-._~+"


@dataclass(frozen=True)
class Identity:
    """Mints the IRIs of one graph under a base IRI."""

    base: str

    def __post_init__(self) -> None:
        if not re.match(r"^[a-z][a-z0-9+.-]*:", self.base):
            raise ValueError(f"base IRI {self.base!r} is not an absolute IRI (it needs a scheme, e.g. https://)")
        if not self.base.endswith(("/", "#")):
            object.__setattr__(self, "base", self.base + "/")

    def iri(self, *segments: str) -> str:
        return self.base + "/".join(quote(s, safe=_SEGMENT_SAFE) for s in segments)

    def release(self, release_id: str) -> str:
        return self.iri("release", release_id)

    def graph(self, name: str) -> str:
        return self.iri("graph", name)

    def force(self, key: str) -> str:
        return self.iri("force", key)

    def unit(self, key: str, forces: tuple[str, ...]) -> str:
        if forces:
            return self.iri("unit", "+".join(sorted(set(forces))), key)
        return self.iri("unit", key)

    def operation(self, key: str, forces: tuple[str, ...] = ()) -> str:
        if forces:
            return self.iri("operation", "+".join(sorted(set(forces))), key)
        return self.iri("operation", key)

    def partner(self, key: str) -> str:
        return self.iri("organisation", key)

    def person(self, home: str | None, name: str) -> str:
        return self.iri("person", home, slug(name)) if home else self.iri("person", slug(name))

    def place(self, name: str) -> str:
        return self.iri("place", slug(name))

    def activity(self, release_id: str) -> str:
        return self.release(release_id) + "#activity"

    def local(self, iri: str) -> str:
        """The part of an IRI after the base: 'unit/kent/chief-constables-crime-squad'."""
        return iri[len(self.base):] if iri.startswith(self.base) else iri


@dataclass(frozen=True)
class Resolved:
    """A release's findings with the IRI of everything in them."""

    findings: Findings
    identity: Identity
    iris: dict[tuple[str, str], str]  # (kind, key) -> IRI; kind "person" for people

    @property
    def release(self) -> str:
        return self.identity.release(self.findings.document.id)

    def of(self, kind: str, key: str) -> str:
        return self.iris[(kind, key)]


def resolve(findings: Findings, identity: Identity) -> Resolved:
    findings = _without_private_people(findings)
    iris: dict[tuple[str, str], str] = {}
    for entity in findings.entities:
        if entity.kind == "force":
            iris[("force", entity.key)] = identity.force(entity.key)
        elif entity.kind == "unit":
            iris[("unit", entity.key)] = identity.unit(entity.key, entity.forces)
        elif entity.kind == "operation":
            iris[("operation", entity.key)] = identity.operation(entity.key, () if entity.scope == "national" else entity.forces)
        else:
            iris[("partner", entity.key)] = identity.partner(entity.key)
    for person in findings.people:
        iris[("person", person.key)] = identity.person(_home(findings, person), person.name)
    return Resolved(findings, identity, iris)


def _home(findings: Findings, person: Person) -> str | None:
    """Where a person's IRI lives: their force, or the organisation they speak for."""
    if person.organisation is None:
        return None
    kind, key = person.organisation
    if kind == "force":
        return key
    entity = findings.entity(kind, key)
    if kind == "unit" and entity is not None and entity.forces:
        return "+".join(sorted(entity.forces))
    return key


def _without_private_people(findings: Findings) -> Findings:
    from .extract.people import is_private
    from .extract.draft import Draft

    if not findings.people:
        return findings
    draft = Draft(findings.document)
    text = draft.text.norm
    kept = []
    for person in findings.people:
        private = False
        for m in re.finditer(re.escape(person.name), text):
            if is_private(draft, m.start(), m.end()):
                private = True
                break
        if not private:
            kept.append(person)
    if len(kept) == len(findings.people):
        return findings
    keys = {p.key for p in kept}
    quotes = tuple(q if q.speaker in keys else replace(q, speaker=None) for q in findings.quotes)
    return replace(findings, people=tuple(kept), quotes=quotes)
