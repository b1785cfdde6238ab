"""The findings so far for one release, while the extractors run.

Each extractor is a small function that reads the text and what earlier
extractors found, and adds mentions to the draft (as spaCy's rule-based
components add entities to a Doc). `Draft.findings()` freezes the result.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache

from ..documents import Document
from ..findings import Activity, Entity, Findings, Person, Quote, Span
from .text import Text


@dataclass
class Mention:
    kind: str
    key: str
    name: str
    span: Span


@dataclass
class EntityInfo:
    """What is known of one entity beyond its mentions."""

    canonical: str = ""  # the gazetteer's canonical name, if any
    aliases: set[str] = field(default_factory=set)
    forces: tuple[str, ...] = ()
    force_rule: str = ""
    scope: str = ""


class Draft:
    def __init__(self, document: Document) -> None:
        self.document = document
        self.text = Text(document.text)
        self.mentions: list[Mention] = []
        self.info: dict[tuple[str, str], EntityInfo] = {}
        self.people: list[Person] = []
        self.quotes: list[Quote] = []
        self.activity = Activity()
        self.main_force: str | None = None
        self._sorted: dict[tuple[str, ...], list[Mention]] = {}  # of_kind's answers until a mention changes

    # ---------------------------------------------------------------- mentions

    def add(self, kind: str, key: str, name: str, start: int, end: int, rule: str) -> Mention | None:
        """Record a mention, unless the same entity is already mentioned at that place."""
        span = self.text.span(start, end, rule)
        for m in self.mentions:
            if m.kind == kind and m.key == key and m.span.start < span.end and span.start < m.span.end:
                return None
        mention = Mention(kind, key, name, span)
        self.mentions.append(mention)
        self._sorted.clear()
        self.info.setdefault((kind, key), EntityInfo())
        return mention

    def of_kind(self, *kinds: str) -> list[Mention]:
        # Asked for tens of thousands of times a release: kept until a mention is added or `changed()`.
        found = self._sorted.get(kinds)
        if found is None:
            found = self._sorted[kinds] = sorted((m for m in self.mentions if m.kind in kinds), key=lambda m: m.span.start)
        return list(found)

    def changed(self) -> None:
        """Say that a mention's kind or key was rewritten in place, so answers kept by of_kind are stale."""
        self._sorted.clear()

    def keys(self, kind: str) -> list[str]:
        """Entity keys of one kind, in order of first mention."""
        seen: dict[str, None] = {}
        for m in self.of_kind(kind):
            seen.setdefault(m.key)
        return list(seen)

    def at(self, start: int, end: int, *kinds: str) -> list[Mention]:
        """Mentions of the given kinds overlapping [start, end)."""
        return [m for m in self.of_kind(*kinds) if m.span.start < end and start < m.span.end]

    def entity_info(self, kind: str, key: str) -> EntityInfo:
        return self.info.setdefault((kind, key), EntityInfo())

    def name_of(self, kind: str, key: str) -> str:
        """How the release names an entity: its canonical name if written out, else the fullest spelling."""
        names = [m.name for m in self.of_kind(kind) if m.key == key]
        if not names:
            return key
        info = self.info.get((kind, key))
        if kind == "force" and info and info.canonical:
            return info.canonical
        if info and info.canonical and any(n.lower() == info.canonical.lower() for n in names):
            return info.canonical
        spelled = [n for n in names if not _looks_like_acronym(n)]
        if not spelled:
            return names[0]
        capitalised = [n for n in spelled if any(c.isupper() for c in n)] or spelled
        if kind in ("unit", "operation"):
            return capitalised[0]
        return max(capitalised, key=len)

    # ---------------------------------------------------------------- result

    def findings(self) -> Findings:
        entities = []
        for kind in ("force", "unit", "operation", "partner"):
            for key in self.keys(kind):
                spans = tuple(sorted({m.span for m in self.mentions if m.kind == kind and m.key == key}))
                info = self.info.get((kind, key), EntityInfo())
                name = self.name_of(kind, key)
                aliases = tuple(sorted(({m.name for m in self.mentions if m.kind == kind and m.key == key} | info.aliases) - {name}))
                entities.append(Entity(kind, key, name, spans, aliases, tuple(info.forces), info.force_rule, info.scope))
        return Findings(self.document, tuple(entities), tuple(self.people), tuple(self.quotes),
                        self.activity, self.main_force)


@lru_cache(maxsize=1 << 14)
def _looks_like_acronym(name: str) -> bool:
    letters = [c for c in name if c.isalpha()]
    return bool(letters) and sum(c.isupper() for c in letters) >= max(2, len(letters) - 1) and " " not in name.strip()
