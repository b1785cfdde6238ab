"""What the extractors found in one release: plain frozen data.

Findings are the hand-over between `extract` and `resolve`. Every finding
carries the spans it was read from and the rule that read it (its evidence),
so that the graph can say why each entity is there.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from .documents import Document


@dataclass(frozen=True, order=True)
class Span:
    """A stretch of the release text: offsets into `Document.text`, the exact text, and the rule."""

    start: int
    end: int
    text: str
    rule: str = ""


@dataclass(frozen=True)
class Entity:
    """A force, unit, operation or partner that a release names.

    `key` identifies it within its kind (a gazetteer id or a canonical slug);
    `name` is how this release names it.
    """

    kind: str  # "force" | "unit" | "operation" | "partner"
    key: str
    name: str
    spans: tuple[Span, ...]
    aliases: tuple[str, ...] = ()
    forces: tuple[str, ...] = ()  # units: ids of the forces they belong to
    force_rule: str = ""  # units: how the force was told
    scope: str = ""  # forces: territorial/special/foreign; units: force/regional/national; partners: kind


@dataclass(frozen=True)
class Person:
    """A named officer or official who speaks or acts in the release."""

    key: str  # name slug
    name: str
    spans: tuple[Span, ...]
    rank: str | None = None  # rank or role concept id from ranks.csv
    role: str | None = None  # a role as written, for people outside the rank scheme
    temporary: bool = False
    acting: bool = False
    organisation: tuple[str, str] | None = None  # (kind, key) of an Entity of the same release
    organisation_rule: str = ""


@dataclass(frozen=True)
class Quote:
    span: Span  # the quoted words
    speaker: str | None  # Person.key, or None when no speaker could be told


@dataclass(frozen=True)
class Quantity:
    """A reported outcome: arrests, charges, seizures, people safeguarded..."""

    kind: str  # outcome concept id
    value: float
    span: Span
    bound: str = "exact"  # exact | min (more than) | max (almost) | approx (around)
    unit: str | None = None  # GBP, kg, g, wraps...
    item: str | None = None  # drug or weapon concept id
    drug_class: str | None = None
    headline: bool = False


@dataclass(frozen=True)
class BreakdownLine:
    count: int
    offences: tuple[str, ...]  # offence concept ids
    span: Span


@dataclass(frozen=True)
class BreakdownGroup:
    """Arrests listed under one heading of an arrest breakdown ("Essex:")."""

    heading: Span
    forces: tuple[str, ...]
    units: tuple[str, ...]
    lines: tuple[BreakdownLine, ...]

    @property
    def total(self) -> int:
        return sum(line.count for line in self.lines)


@dataclass(frozen=True)
class Activity:
    """What the release reports was done: when, where, how, with what result."""

    start: dt.date | None = None
    end: dt.date | None = None
    date_span: Span | None = None
    places: tuple[Span, ...] = ()
    tactics: tuple[tuple[str, Span], ...] = ()
    outcomes: tuple[Quantity, ...] = ()
    breakdown: tuple[BreakdownGroup, ...] = ()
    notes: tuple[str, ...] = ()


@dataclass(frozen=True)
class Findings:
    document: Document
    entities: tuple[Entity, ...] = ()
    people: tuple[Person, ...] = ()
    quotes: tuple[Quote, ...] = ()
    activity: Activity = field(default_factory=Activity)
    main_force: str | None = None  # the force the release plainly comes from

    def of_kind(self, kind: str) -> tuple[Entity, ...]:
        return tuple(e for e in self.entities if e.kind == kind)

    def entity(self, kind: str, key: str) -> Entity | None:
        return next((e for e in self.entities if e.kind == kind and e.key == key), None)
