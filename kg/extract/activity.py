"""The reported activity: its date, places and tactics, with the outcomes.

Dates are resolved against the release date: "Wednesday, 22 July" in a
release of 23 July 2020 is 2020-07-22; "yesterday", "last week" and a bare
weekday likewise. Without a release date only dates that carry a year are
resolved. Street-level places (roads, closes, avenues) are left out: they
point at homes, and the graph holds no private individuals.
"""
from __future__ import annotations

import datetime as dt
import re
from functools import cache

from .. import lexicon
from ..findings import Activity, Span
from .draft import Draft
from .outcomes import find_breakdown, find_outcomes

_MONTHS = {m.lower(): i for i, m in enumerate(
    ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"], 1)}
_MONTHS.update({k[:3]: v for k, v in list(_MONTHS.items())})
_MONTHS["sept"] = 9
_WEEKDAYS = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]
_MONTH = r"(?P<month>January|February|March|April|May|June|July|August|September|October|November|December|Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sept?|Oct|Nov|Dec)\.?"
_WEEKDAY = r"(?:(?P<weekday>Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday),?\s+(?:the\s+)?)?"
_DAY = r"(?P<day>[0-3]?\d)(?:st|nd|rd|th)?"
_YEAR = r"(?:,?\s+(?P<year>(?:19|20)\d\d))?"
_DATES = [
    re.compile(rf"\b{_WEEKDAY}{_DAY}\s+(?:of\s+)?{_MONTH}{_YEAR}\b"),
    re.compile(rf"\b{_WEEKDAY}{_MONTH}\s+{_DAY}\b{_YEAR}"),
]
_RANGE = re.compile(rf"\b(?:between|from)\s+(?:{_MONTH.replace('month', 'm1')}\s+(?P<d1>[0-3]?\d)|(?P<d1b>[0-3]?\d)(?:st|nd|rd|th)?(?:\s+{_MONTH.replace('month', 'm1b')})?)"
                    rf"\s+(?:and|to|until|-)\s+(?:{_MONTH.replace('month', 'm2')}\s+(?P<d2>[0-3]?\d)|(?P<d2b>[0-3]?\d)(?:st|nd|rd|th)?(?:\s+{_MONTH.replace('month', 'm2b')})?)")
_RELATIVE = re.compile(r"\b(?P<rel>yesterday|today|this\s+morning|this\s+afternoon|this\s+evening|tonight|last\s+night|last\s+week|"
                       r"(?:on|last)\s+(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)(?!\s*,?\s*(?:the\s+)?\d))\b", re.I)
_ACTIVITY_WORDS = re.compile(r"\b(?:arrest\w*|raid\w*|warrants?|seiz\w*|operation|took\s+place|carried\s+out|executed|patrol\w*|targeted|launched|day\s+of\s+action|week\s+of\s+action|stopped|recovered)\b", re.I)
_STREET = re.compile(r"\b(?:Road|Street|Close|Avenue|Lane|Drive|Way|Crescent|Terrace|Gardens|Grove|Mews|Walk|Row|Place|Court|Rise|Hill|View|Estate)$")
_PLACE_NAME = r"[A-Z][a-z][\w'-]*(?:[ -]+(?:upon|on|under|le|in|by)?[ -]*[A-Z][a-z][\w'-]*){0,2}"
_PLACE = re.compile(rf"\b(?:in|across|throughout|around|near|into)[ ]+(?P<place>{_PLACE_NAME})")
_MORE_PLACES = re.compile(rf"[ ]*(?:,[ ]*(?:and[ ]+)?|[ ]+and[ ]+)(?P<place>{_PLACE_NAME})")


def find_activity(draft: Draft) -> Activity:
    outcomes = tuple(find_outcomes(draft))
    breakdown = tuple(find_breakdown(draft))
    start, end, date_span = _activity_date(draft)
    notes = []
    headline = next((q for q in outcomes if q.kind == "arrest" and q.headline), None)
    if breakdown:
        total = sum(g.total for g in breakdown)
        if headline is None:
            notes.append(f"The arrest breakdown lists {total} arrests but the release gives no headline figure.")
        elif total != int(headline.value):
            notes.append(f"The arrest breakdown sums to {total} but the headline reports {int(headline.value)} arrests.")
    return Activity(start=start, end=end, date_span=date_span, places=tuple(_places(draft)),
                    tactics=tuple(_tactics(draft)), outcomes=outcomes, breakdown=breakdown, notes=tuple(notes))


def resolve_date(month: int, day: int, year: int | None, weekday: str | None, release: dt.date | None) -> dt.date | None:
    """A calendar date from its parts, the year taken from the release date where missing."""
    if year is not None:
        try:
            return dt.date(year, month, day)
        except ValueError:
            return None
    if release is None:
        return None
    candidates = []
    for y in (release.year - 1, release.year, release.year + 1):
        try:
            candidates.append(dt.date(y, month, day))
        except ValueError:
            continue
    if weekday:
        matching = [c for c in candidates if _WEEKDAYS[c.weekday()] == weekday.lower()]
        candidates = matching or candidates
    near = [c for c in candidates if -300 <= (c - release).days <= 60]
    pool = near or candidates
    return min(pool, key=lambda c: abs((c - release).days)) if pool else None


def _relative(phrase: str, release: dt.date | None) -> tuple[dt.date, dt.date | None] | None:
    if release is None:
        return None
    phrase = re.sub(r"\s+", " ", phrase.lower())
    if phrase in ("today", "this morning", "this afternoon", "this evening", "tonight"):
        return release, None
    if phrase in ("yesterday", "last night"):
        return release - dt.timedelta(days=1), None
    if phrase == "last week":
        monday = release - dt.timedelta(days=release.weekday() + 7)
        return monday, monday + dt.timedelta(days=6)
    weekday = _WEEKDAYS.index(phrase.split()[-1])
    back = (release.weekday() - weekday) % 7
    if phrase.startswith("last") and back == 0:
        back = 7
    return release - dt.timedelta(days=back), None


def _activity_date(draft: Draft) -> tuple[dt.date | None, dt.date | None, Span | None]:
    text = draft.text
    release = draft.document.date
    found: list[tuple[int, int, dt.date, dt.date | None]] = []
    for m in _RANGE.finditer(text.norm):
        m1 = m.group("m1") or m.group("m1b") or m.group("m2") or m.group("m2b")
        m2 = m.group("m2") or m.group("m2b") or m1
        d1, d2 = m.group("d1") or m.group("d1b"), m.group("d2") or m.group("d2b")
        if not (m1 and d1 and d2):
            continue
        first = resolve_date(_MONTHS[m1.lower().rstrip(".")], int(d1), None, None, release)
        last = resolve_date(_MONTHS[m2.lower().rstrip(".")], int(d2), None, None, release)
        if first:
            found.append((m.start(), m.end(), first, last if last and last >= first else None))
    calendar = sorted((m for pattern in _DATES for m in pattern.finditer(text.norm)), key=lambda m: m.start())
    for i, m in enumerate(calendar):
        if any(s <= m.start() < e for s, e, *_ in found):
            continue
        year = int(m.group("year")) if m.group("year") else None
        following = calendar[i + 1] if i + 1 < len(calendar) else None
        joined = following is not None and re.fullmatch(r"\s*(?:to|until|till|and|-)\s*", text.norm[m.end():following.start()])
        if year is None and joined and following.group("year"):
            year = int(following.group("year"))  # "from Monday 26 April to Sunday 2 May 2021"
        date = resolve_date(_MONTHS[m.group("month").lower().rstrip(".")], int(m.group("day")), year, m.group("weekday"), release)
        if not date:
            continue
        end_date = None
        if joined:
            end_date = resolve_date(_MONTHS[following.group("month").lower().rstrip(".")], int(following.group("day")),
                                    int(following.group("year")) if following.group("year") else date.year,
                                    following.group("weekday"), None)
            if end_date and end_date < date:
                end_date = None
        found.append((m.start(), following.end() if end_date else m.end(), date, end_date))
    for m in _RELATIVE.finditer(text.norm):
        if any(s <= m.start() < e for s, e, *_ in found):
            continue
        resolved = _relative(m.group("rel"), release)
        if resolved:
            found.append((m.start(), m.end(), resolved[0], resolved[1]))
    if not found:
        return None, None, None
    found.sort()

    def about_activity(item: tuple[int, int, dt.date, dt.date | None]) -> bool:
        s, e = text.sentence_at(item[0])
        return bool(_ACTIVITY_WORDS.search(text.norm, s, e)) and not text.in_quote(item[0])

    chosen = next((f for f in found if about_activity(f)), found[0])
    return chosen[2], chosen[3], text.span(chosen[0], chosen[1], "pattern:date")


def _places(draft: Draft) -> list[Span]:
    text = draft.text
    words = lexicon.words()
    skip = words["months"] | words["weekdays"] | words["function_words"]
    places: list[Span] = []
    seen: set[str] = set()

    def consider(start: int, name: str) -> bool:
        name = re.sub(r"\s+(?:and|by|in|on)$", "", name.strip())
        name = re.sub(r"'s$", "", name)
        if text.in_quote(start):
            return False
        first = name.split()[0]
        if first in skip or _STREET.search(name) or name in seen:
            return False
        end = start + len(name)
        if draft.at(start, end, "force", "unit", "partner", "operation"):
            return False
        if any(s.start <= start < s.end for person in draft.people for s in person.spans):
            return False
        if re.search(r"\b(?:Police|Crime|Court|Council|Team|Unit|Operation|Week|Day|Act|Service)\b", name):
            return False
        seen.add(name)
        places.append(text.span(start, end, "pattern:place-after-preposition"))
        return True

    for m in _PLACE.finditer(text.norm):
        if not consider(m.start("place"), m.group("place")):
            continue
        pos = m.end("place")
        while True:
            more = _MORE_PLACES.match(text.norm, pos)
            if not more or not consider(more.start("place"), more.group("place")):
                break
            pos = more.end("place")
    return places


@cache
def _tactic_pattern() -> tuple[re.Pattern[str], list[str]]:
    """All tactics in one pattern, a named group each: one pass over the text finds them all."""
    tactics = [t for t in lexicon.tactics() if t.pattern is not None]
    combined = "|".join(f"(?P<t{i}>{t.pattern.pattern})" for i, t in enumerate(tactics))
    # Every tactic starts a word: anchoring the alternation there spares trying it inside words.
    return re.compile(rf"\b(?:{combined})"), [t.id for t in tactics]  # lower-case patterns, run on Text.lower


def _tactics(draft: Draft) -> list[tuple[str, Span]]:
    """Each tactic the release names, with its first mention."""
    pattern, ids = _tactic_pattern()
    first: dict[str, Span] = {}
    for m in pattern.finditer(draft.text.lower):
        tactic = ids[int(m.lastgroup[1:])]
        if tactic not in first:
            first[tactic] = draft.text.span(m.start(), m.end(), f"vocabulary:tactic:{tactic}")
    return [(tactic, first[tactic]) for tactic in ids if tactic in first]
