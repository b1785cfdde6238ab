"""The project's gazetteers and word lists, loaded once from `kg/data/`.

Rules are data: a new force alias, rank spelling, agency or offence is a line
in a CSV file, not a code change. This module only reads those files and
compiles them into the lookups and regular expressions the extractors share.
"""
from __future__ import annotations

import csv
import re
import unicodedata
from dataclasses import dataclass
from functools import cache, lru_cache
from pathlib import Path

DATA = Path(__file__).resolve().parent / "data"


_AMPERSAND = re.compile(r"\s*&\s*")
_SPACES = re.compile(r"\s+")


@lru_cache(maxsize=1 << 16)  # the same few thousand spellings are folded over and over
def fold(text: str) -> str:
    """A spelling folded for comparison: case, quotes, '&', spacing and a leading 'the'."""
    text = unicodedata.normalize("NFKC", text).replace("\u2019", "'").replace("\u2018", "'")
    text = _AMPERSAND.sub(" and ", text)
    text = _SPACES.sub(" ", text).strip().lower()
    return text[4:] if text.startswith("the ") else text


def slug(text: str) -> str:
    """A lower-case, hyphenated key for IRIs: 'Chief Constable's Crime Squad' -> 'chief-constables-crime-squad'."""
    text = unicodedata.normalize("NFKD", fold(text)).encode("ascii", "ignore").decode()
    text = text.replace("'", "")
    return re.sub(r"[^a-z0-9]+", "-", text).strip("-") or "unnamed"


def _rows(name: str) -> list[dict[str, str]]:
    with (DATA / name).open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(line for line in f if not line.startswith("#")))


def _sections(name: str) -> dict[str, list[str]]:
    sections: dict[str, list[str]] = {}
    current = None
    for line in (DATA / name).read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        if line.startswith("[") and line.endswith("]"):
            current = sections.setdefault(line[1:-1], [])
        elif current is not None:
            current.append(line)
    return sections


def _split(value: str | None) -> tuple[str, ...]:
    return tuple(v.strip() for v in (value or "").split("|") if v.strip())


def _is_acronym(spelling: str) -> bool:
    return bool(re.fullmatch(r"[A-Z][A-Za-z]{0,1}[A-Z]{1,5}s?|[A-Z]{2,}|[A-Z][a-z]?[A-Z]+", spelling.replace(" ", "")))


def alternation(spellings: list[str], flexible_and: bool = True, lower: bool = False) -> str:
    """A regex matching any of the spellings, shaped as a trie so matching stays fast.

    Spaces match any run of spaces; with flexible_and, "and" and "&" match
    each other; with lower, the spellings are lower-cased (match them against
    `Text.lower`). Python's re tries every branch of a flat alternation at
    every position; sharing prefixes cuts that to the branches that fit.
    """
    variants = set()
    for spelling in spellings:
        spelling = spelling.replace("\u2019", "'")
        spelling = spelling.lower() if lower else spelling
        variants.add(spelling)
        if flexible_and and re.search(r" (?:and|&) ", spelling):
            variants.add(re.sub(r" and ", " & ", spelling))
            variants.add(re.sub(r" & ", " and ", spelling))
    trie: dict = {}
    for spelling in variants:
        node = trie
        for token in re.findall(r" |[^ ]", re.sub(r" +", " ", spelling.strip())):
            node = node.setdefault(token, {})
        node[""] = {}
    return _trie_pattern(trie)


def _trie_pattern(node: dict) -> str:
    ends = "" in node
    branches = [(r"\s+" if key == " " else re.escape(key)) + _trie_pattern(child)
                for key, child in sorted(node.items()) if key]
    if not branches:
        return ""
    body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
    if ends:
        return f"(?:{body})?" if len(branches) == 1 and len(body) > 1 else body + "?"
    return body


# --------------------------------------------------------------------------- forces

@dataclass(frozen=True)
class Force:
    id: str
    name: str
    aliases: tuple[str, ...]
    places: tuple[str, ...]
    police_uk_id: str | None
    country: str
    kind: str


@cache
def forces() -> dict[str, Force]:
    return {
        row["id"]: Force(row["id"], row["name"], _split(row["aliases"]), _split(row["places"]),
                         row["police_uk_id"] or None, row["country"], row["kind"])
        for row in _rows("forces.csv")
    }


@cache
def force_spellings() -> dict[str, str]:
    """Folded name or alias -> force id."""
    table: dict[str, str] = {}
    for force in forces().values():
        for spelling in (force.name, *force.aliases):
            table[fold(spelling)] = force.id
    return table


@cache
def force_places() -> dict[str, str]:
    """Folded place name ('kent', 'devon and cornwall') -> force id."""
    return {fold(place): force.id for force in forces().values() for place in force.places}


# --------------------------------------------------------------------------- ranks and roles

@dataclass(frozen=True)
class Rank:
    id: str
    label: str
    spellings: tuple[str, ...]
    kind: str  # "police" or "official"
    order: int


@cache
def ranks() -> dict[str, Rank]:
    return {row["id"]: Rank(row["id"], row["label"], _split(row["spellings"]), row["kind"],
                            int(row["order"]) if row["order"] else -1)
            for row in _rows("ranks.csv")}


@cache
def rank_spellings() -> dict[str, str]:
    """Spelling (case kept for abbreviations, folded for words) -> rank id."""
    table: dict[str, str] = {}
    for rank in ranks().values():
        for spelling in rank.spellings:
            key = spelling if _is_acronym(spelling.rstrip(".")) else fold(spelling)
            table[key] = rank.id
    return table


@lru_cache(maxsize=1 << 14)
def rank_of(spelling: str) -> str | None:
    """The rank id of one spelling ('Det Supt', 'DCI', 'detective inspector')."""
    spelling = re.sub(r"\s+", " ", spelling.strip())
    table = rank_spellings()
    return table.get(spelling) or table.get(spelling.rstrip(".")) or table.get(fold(spelling))


# --------------------------------------------------------------------------- agencies and units

@dataclass(frozen=True)
class Body:
    """A named organisation from a gazetteer: a partner agency or a unit beyond one force."""

    id: str
    name: str
    aliases: tuple[str, ...]
    kind: str


@cache
def agencies() -> dict[str, Body]:
    return {row["id"]: Body(row["id"], row["name"], _split(row["aliases"]), row["kind"])
            for row in _rows("agencies.csv")}


@cache
def shared_units() -> dict[str, Body]:
    return {row["id"]: Body(row["id"], row["name"], _split(row["aliases"]), row["scope"])
            for row in _rows("units.csv")}


@cache
def unit_words() -> dict[str, list[str]]:
    return _sections("unit_words.txt")


@cache
def unit_expansions() -> list[tuple[re.Pattern[str], str]]:
    pairs = []
    for line in unit_words()["expansions"]:
        short, _, long = (part.strip() for part in line.partition("="))
        pairs.append((re.compile(rf"\b{re.escape(short)}\b"), long))
    return pairs


@cache
def words() -> dict[str, frozenset[str]]:
    return {name: frozenset(items) for name, items in _sections("words.txt").items()}


@cache
def generic_bodies() -> frozenset[str]:
    lines = (DATA / "bodies.txt").read_text(encoding="utf-8").splitlines()
    return frozenset(fold(line) for line in lines if line.strip() and not line.startswith("#"))


# --------------------------------------------------------------------------- SKOS schemes

@dataclass(frozen=True)
class Concept:
    id: str
    label: str
    pattern: re.Pattern[str] | None = None
    broader: str | None = None
    extra: str | None = None  # drug class, outcome unit


def _concepts(name: str, extra: str | None = None) -> list[Concept]:
    concepts = []
    for row in _rows(name):
        pattern = re.compile(rf"\b(?:{row['pattern']})\b", re.I) if row.get("pattern") else None
        concepts.append(Concept(row["id"], row["label"], pattern, row.get("broader") or None,
                                row.get(extra) if extra else None))
    return concepts


@cache
def offences() -> list[Concept]:
    return _concepts("offences.csv")


@cache
def tactics() -> list[Concept]:
    return _concepts("tactics.csv")


@cache
def drugs() -> list[Concept]:
    return _concepts("drugs.csv", extra="class")


@cache
def weapons() -> list[Concept]:
    return _concepts("weapons.csv")


@cache
def outcome_kinds() -> list[Concept]:
    return _concepts("outcomes.csv", extra="unit")
