"""Police forces: by name and alias, by place + "police", and in lists.

"the Met", "MPS" and "Metropolitan Police Service" are one force; so are
"Kent police" and "Kent Police". A county alone ("officers in Kent") is a
place, except where the grammar makes it a force: in a list that ends in a
force ("Devon and Cornwall, Dorset and Wiltshire Police"), after "forces
including", in "a joint Surrey and Sussex operation", or as the subject of
"joined forces with".
"""
from __future__ import annotations

import re
from functools import cache

from .. import lexicon
from ..lexicon import alternation, fold
from .draft import Draft

# A name followed by these is not a force mention: "Dorset Police and Crime Commissioner".
_NOT_AFTER = re.compile(r"\s*(?:,\s*Fire\s+(?:and|&)\s+Crime|(?:and|&)\s+Crime\s+(?:Commissioner|Plan|Panel)|Federation\b|Authority\b)", re.I)
_MET_VERB_AFTER = re.compile(r"\s+(?:with|by|up|at|in|on|for|to|the|a|an|his|her|their|our|its|them|him)\b")
# An acronym spelled out as a list of places: "ABC (Kent, Essex and Sussex)", a collaboration of forces.
_GROUP = r"[A-Z]{{2,6}}\s*\((?:{place})(?:\s*,\s*(?:and\s+)?(?:{place})|\s+(?:and|&)\s+(?:{place}))+\)"
_PREPOSITION_BEFORE = re.compile(r"\b(?:in|across|of|from|into|throughout|around|to|at|near|within|for|outside|between|and|&|over|towards?|through|north|south|east|west|rural|urban)\s+$", re.I)


@cache
def _patterns() -> dict[str, re.Pattern[str]]:
    spelled = [s for force in lexicon.forces().values() for s in (force.name, *force.aliases)]
    words = [s for s in spelled if not s.isupper() and s.lower() != "the met"]
    acronyms = [s for s in spelled if s.isupper() or re.fullmatch(r"[A-Z][A-Za-z]*[A-Z]+", s)]
    places = [p for f in lexicon.forces().values() for p in f.places]
    place_alt = alternation(places)
    return {
        "name": re.compile(rf"\b(?:{alternation(words, lower=True)})\b"),  # run on Text.lower
        "acronym": re.compile(rf"\b(?:{alternation(acronyms, flexible_and=False)})(?:'s|s)?\b"),
        "met": re.compile(r"\bMet\b(?:'s)?"),
        "place_police": re.compile(rf"\b({alternation(places, lower=True)})\s+(?:police|constabulary|forces?)\b"),  # on Text.lower
        "place": re.compile(rf"\b(?:{place_alt})\b"),
        "list_tail": re.compile(rf"(?:(?:{place_alt})\s*(?:,\s*(?:and\s+|&\s+)?|\s+and\s+|\s*&\s*))+(?:the\s+)?$"),
        "forces_including": re.compile(
            rf"\bforces\s*,?\s+(?:which\s+|that\s+)?(?:include|includes|included|including|such\s+as|from|of)\s+"
            rf"((?:{place_alt})(?:\s*,\s*(?:and\s+)?(?:{place_alt})|\s+(?:and|&)\s+(?:{place_alt}))*)", re.I),
        "joint": re.compile(rf"\bjoint\s+((?:{place_alt})(?:\s*,\s*(?:{place_alt}))*\s+(?:and|&)\s+(?:{place_alt}))\s+"
                            r"(?:police\s+)?(?:operation|investigation|team|unit|patrols?|initiative|campaign|effort|response|week)", re.I),
        "subject": re.compile(rf"(?:^|[.!?]\s+|\n)\s*({place_alt})(?:\s*\([^)]{{0,40}}\))?\s+(?:has\s+|have\s+)?"
                              r"(?:joined\s+forces|teamed\s+up|partnered|worked\s+(?:with|alongside)|working\s+(?:with|alongside))"),
        # "colleagues from Avon, Hertfordshire and ABC (Kent, Essex and Sussex)": a list of two or more.
        "colleagues_from": re.compile(
            rf"\b(?:colleagues|officers|officials|teams|detectives|counterparts)\s+from\s+(?:the\s+)?"
            rf"((?:{place_alt}|{_GROUP.format(place=place_alt)})(?:\s*,\s*(?:and\s+)?(?:{place_alt}|{_GROUP.format(place=place_alt)})"
            rf"|\s+(?:and|&)\s+(?:{place_alt}|{_GROUP.format(place=place_alt)}))+)(?![\w-])(?!\s+[A-Z])"),  # not "... Suffolk County Council"
        "us_at": re.compile(rf"\b(?:us|we|colleagues)\s+(?:here\s+)?at\s+({place_alt})\b"),
        "foreign": re.compile(r"\b((?:[A-Z][a-z]+\s+){1,3})(?:National\s+)?Police\b"),
    }


def _force_of(text: str) -> str | None:
    key = fold(text)
    key = re.sub(r"'s$", "", key)
    table = lexicon.force_spellings()
    if key in table:
        return table[key]
    if key.endswith("s") and key[:-1] in table:
        return table[key[:-1]]
    return None


def _place_force(place: str) -> str | None:
    return lexicon.force_places().get(fold(place))


def add_force(draft: Draft, force_id: str, start: int, end: int, rule: str) -> bool:
    """Record a mention of a gazetteer force, unless another force is named at that place."""
    if any(m.key != force_id for m in draft.at(start, end, "force")):
        return False  # inside another force's name: "New South Wales Police" is not South Wales Police
    force = lexicon.forces()[force_id]
    if not draft.add("force", force_id, force.name, start, end, rule):
        return False
    info = draft.entity_info("force", force_id)
    info.canonical, info.scope = force.name, force.kind
    return True


def find_forces(draft: Draft) -> None:
    text = draft.text.norm
    p = _patterns()

    _find_foreign_forces(draft)

    def add(force_id: str, start: int, end: int, rule: str) -> None:
        add_force(draft, force_id, start, end, rule)

    for m in p["name"].finditer(draft.text.lower):
        if _NOT_AFTER.match(text, m.end()) and m.group().endswith("police"):
            continue
        force_id = _force_of(m.group())
        if force_id:
            add(force_id, m.start(), m.end(), f"gazetteer:force-name:{text[m.start():m.end()]}")
    for m in p["acronym"].finditer(text):
        force_id = _force_of(m.group())
        if force_id:
            add(force_id, m.start(), m.end(), f"gazetteer:force-alias:{m.group()}")
    for m in p["met"].finditer(text):
        if text.startswith(" Office", m.end()):
            continue  # the Met Office forecasts weather
        if _MET_VERB_AFTER.match(text, m.end()) and draft.text.is_sentence_start(m.start()):
            continue  # "Met with residents..."
        add("metropolitan", m.start(), m.start() + 3, "gazetteer:force-alias:the Met")
    for m in p["place_police"].finditer(draft.text.lower):
        if _NOT_AFTER.match(text, m.end()):
            continue
        force_id = _place_force(m.group(1))
        if force_id and text[m.start(1)].isupper():
            add(force_id, m.start(), m.end(), "pattern:place+police")

    # Lists of places that end in a force: "Devon and Cornwall, Dorset and Wiltshire Police".
    for mention in draft.of_kind("force"):
        sentence_start, _ = draft.text.sentence_at(mention.span.start)
        head = text[sentence_start:mention.span.start]
        tail = p["list_tail"].search(head)
        if tail:
            for place in p["place"].finditer(head, tail.start()):
                force_id = _place_force(place.group())
                if force_id:
                    add(force_id, sentence_start + place.start(), sentence_start + place.end(), "pattern:list-ending-in-force")
    for rule in ("forces_including", "joint", "subject", "us_at", "colleagues_from"):
        for m in p[rule].finditer(text):
            for place in p["place"].finditer(text, m.start(1), m.end(1)):
                force_id = _place_force(place.group())
                if force_id:
                    add(force_id, place.start(), place.end(), f"pattern:{rule.replace('_', '-')}")


def _find_foreign_forces(draft: Draft) -> None:
    """"New South Wales Police", "Dutch National Police": police services abroad."""
    countries = lexicon.words()["countries"]
    for m in _patterns()["foreign"].finditer(draft.text.norm):
        place = m.group(1).strip()
        # Keep the longest trailing run of words that names a country, state or nationality.
        words = place.split()
        for i in range(len(words)):
            candidate = " ".join(words[i:])
            if candidate in countries:
                start = m.start(1) + place.index(words[i]) if i else m.start(1)
                name = draft.text.raw[start:m.end()]
                if not draft.at(start, m.end(), "force"):
                    key = lexicon.slug(name)
                    if draft.add("force", key, name, start, m.end(), "pattern:country+police"):
                        draft.entity_info("force", key).scope = "foreign"
                break
