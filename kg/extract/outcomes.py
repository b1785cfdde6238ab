"""Reported outcomes as typed quantities, and arrest breakdowns.

Arrests, charges, cash, drugs (by class and weight), weapons, vehicles,
phones, people safeguarded, county lines closed, warrants and searches:
each a `Quantity` with its bound ("more than £40,000" is a lower bound).

The headline arrests are those of the main activity: the first count the
release gives, skipping counts from another phase ("27 arrests last month",
"a further 79", "since the investigation began") and preferring a later
exact figure to an earlier round one ("more than 50 ... 54 arrests").

An arrest breakdown (lines like "1 x Possession of an offensive weapon"
under a force heading) becomes per-force counts with offences; where its sum
disagrees with the headline, a note records the disagreement.
"""
from __future__ import annotations

import re
from functools import cache

from .. import lexicon
from ..findings import BreakdownGroup, BreakdownLine, Quantity, Span
from .draft import Draft
from .forces import add_force

_WORD_NUMBERS = {
    "a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
    "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14, "fifteen": 15,
    "sixteen": 16, "seventeen": 17, "eighteen": 18, "nineteen": 19, "twenty": 20, "thirty": 30, "forty": 40,
    "fifty": 50, "sixty": 60, "seventy": 70, "eighty": 80, "ninety": 90, "hundred": 100, "a dozen": 12,
    "dozen": 12, "a hundred": 100,
}
_NUMBER_WORDS = "|".join(sorted((w for w in _WORD_NUMBERS if w not in ("a", "an")), key=len, reverse=True))
NUM = rf"(?:\d{{1,3}}(?:,\d{{3}})+|\d+(?:\.\d+)?|(?:{_NUMBER_WORDS})(?:[- ](?:one|two|three|four|five|six|seven|eight|nine))?)"
BOUND = r"(?P<bound>more\s+than|over|in\s+excess\s+of|at\s+least|upwards\s+of|almost|nearly|up\s+to|just\s+under|around|about|approximately|approx\.?|an\s+estimated|some|a\s+total\s+of|a\s+further|another)?\s*"
_BOUNDS = {"more than": "min", "over": "min", "in excess of": "min", "at least": "min", "upwards of": "min",
           "almost": "max", "nearly": "max", "up to": "max", "just under": "max",
           "around": "approx", "about": "approx", "approximately": "approx", "approx": "approx", "approx.": "approx",
           "an estimated": "approx", "some": "approx"}
PEOPLE = r"(?:people|persons|individuals|suspects|men|women|males|females|youths|adults|teenagers|teens|offenders|criminals|others|of\s+them|boys|girls|juveniles)"
MONEY = r"\u00a3\s?(?P<money>\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?)\s*(?P<scale>million|m|bn|billion|k)?\b"

_ARRESTS = [
    re.compile(rf"\b{BOUND}(?P<n>{NUM})\s+(?:(?:more|further|other|separate|additional|police|drug-related|drugs?)\s+)?arrests\b", re.I),
    re.compile(rf"\b{BOUND}(?P<n>{NUM})\s+{PEOPLE}(?:[\s,]+[\w-]+){{0,8}}?[\s,]+(?:(?:were|have\s+been|had\s+been|has\s+been|was|being|now|all|so\s+far)\s+)*arrested\b", re.I),
    re.compile(rf"\b(?P<n>one)\s+(?:person|man|woman|teenager|youth|boy|girl|suspect)\s+(?:has\s+been|was|had\s+been)\s+(?:\w+\s+)?arrested\b", re.I),
    re.compile(rf"\b{BOUND}(?P<n>{NUM})\s+(?:were|have\s+been|had\s+been)\s+arrested\b", re.I),
    re.compile(rf"\b(?:arrested|arrest)\s+{BOUND}(?P<n>{NUM})(?:\s+(?:{PEOPLE}|suspected\s+\w+|in\b))?", re.I),
    re.compile(rf"\bwith\s+(?P<n>{NUM})\s+arrested\b", re.I),
]
_OTHER_PHASE = re.compile(
    r"\b(?:last\s+(?:month|year|week's)|previous(?:ly)?|earlier\s+this\s+year|since\s+(?:the\s+)?(?:\w+\s+){0,3}(?:began|started|launch|launched|20\d\d|it\s+began)"
    r"|in\s+total\s+(?:have\s+)?(?:now\s+)?(?:been\s+)?(?:arrested\s+)?since|(?:last|this)\s+year\s+alone|so\s+far\s+this\s+year|to\s+date\s+since)", re.I)
_NOT_A_COUNT_AFTER = re.compile(r"^(?:-|\s)?(?:year|years|yr)s?[- ]old|^\s*(?:or|and)\s+(?:interviewed|reported|summonsed|charged)|^\s*(?:%|per\s*cent)", re.I)

_PEOPLE_LIKE = rf"(?:{PEOPLE}|children|young\s+people|adults|victims)"
_COUNTED = {
    "charge": [
        rf"\b{BOUND}(?P<n>{NUM})\s+(?:{PEOPLE}\s+)?(?:(?:were|have\s+been|had\s+been|have\s+now\s+been)\s+)?charged\b",
        rf"\bcharged\s+{BOUND}(?P<n>{NUM})\s+{PEOPLE}"],
    "people-safeguarded": [
        rf"\b{BOUND}(?P<n>{NUM})\s+(?:vulnerable\s+)?{_PEOPLE_LIKE}?\s*(?:\w+\s+){{0,2}}?(?:were|have\s+been|had\s+been|being)?\s*safeguarded\b",
        rf"\bsafeguarded\s+{BOUND}(?P<n>{NUM})\s+(?:vulnerable\s+)?{_PEOPLE_LIKE}"],
    "county-lines-closed": [
        rf"\b(?:shut\s+down|closed|dismantled|taken\s+out|disrupted)\s+{BOUND}(?P<n>{NUM})\s+(?:suspected\s+)?['\"]?(?:county\s+)?(?:drugs?\s+)?lines?\b",
        rf"\b{BOUND}(?P<n>{NUM})\s+(?:suspected\s+)?(?:county|drug|deal)\s+lines?\s+(?:\w+\s+){{0,2}}?(?:were\s+|have\s+been\s+)?(?:shut\s+down|closed|dismantled)"],
    "warrants-executed": [
        rf"\b{BOUND}(?P<n>{NUM})\s+(?:search\s+|drugs?\s+|arrest\s+)?warrants\s+(?:were\s+|have\s+been\s+)?(?:executed|carried\s+out|served)",
        rf"\bexecut(?:ed|ing)\s+{BOUND}(?P<n>{NUM})\s+(?:search\s+|drugs?\s+)?warrants"],
    "stop-searches": [
        rf"\b{BOUND}(?P<n>{NUM})\s+(?:(?:people|persons)\s+(?:were\s+)?(?:stopped\s+and\s+)?searched|stop\s+and\s+search(?:es)?|stop[- ]searches|searches)\b"],
    "vehicles-seized": [
        rf"\b{BOUND}(?P<n>{NUM})\s+(?:stolen\s+|illegal\s+)?(?:vehicles|cars|motorbikes|e-bikes|vans)\s+(?:\w+\s+){{0,3}}?(?:were\s+|have\s+been\s+)?(?:seized|recovered)",
        rf"\bseized\s+(?:\w+\s+){{0,4}}?{BOUND}(?P<n>{NUM})\s+(?:\w+\s+)?(?:vehicles|cars)\b"],
    "phones-seized": [
        rf"\b{BOUND}(?P<n>{NUM})\s+(?:mobile\s+|deal\s+line\s+mobile\s+|burner\s+|county\s+line\s+)?(?:tele)?phones\b"],
}
_COUNTED_PATTERNS = {kind: [re.compile(p, re.I) for p in patterns] for kind, patterns in _COUNTED.items()}
_KEYWORDS = {name: re.compile(pattern, re.I) for name, pattern in {
    "arrest": r"arrest|into\s+custody", "cash": r"cash", "drug": r"drug", "weight": r"\d\s*(?:kg|kilo|g\b|gram|tonne|oz)",
    "wraps": r"\b(?:wraps|bags|pills|tablets|plants|deals)\b",
    "weapon": r"weapon|knife|knives|firearm|gun|machete|sword|duster|crossbow|\baxe|blade|pistol",
    "charge": r"charged", "people-safeguarded": r"safeguarded", "county-lines-closed": r"\blines?\b",
    "warrants-executed": r"warrant", "stop-searches": r"search", "vehicles-seized": r"vehicle|\bcars\b|bikes|\bvans\b",
    "phones-seized": r"phone",
}.items()}
_CASH = [
    re.compile(rf"\b{BOUND}{MONEY}\s*(?:in\s+|of\s+)?(?:suspected\s+|illicit\s+|criminal\s+)*(?:\w+\s+)?cash\b", re.I),
    re.compile(rf"\bcash\s+(?:seizures?\s+)?(?:totalling|totaling|of|worth|amounting\s+to)\s+{BOUND}{MONEY}", re.I),
    re.compile(rf"\bseized\s+{BOUND}{MONEY}\s+(?:in\s+)?cash", re.I),
]
_DRUG_VALUE = [
    re.compile(rf"\b{BOUND}{MONEY}(?:-|\s)worth\s+of\s+(?:\w+\s+){{0,3}}?drugs\b", re.I),
    re.compile(rf"\bdrugs\s+(?:\w+\s+){{0,3}}?(?:worth|valued\s+at|with\s+a\s+(?:street\s+)?value\s+of)\s+{BOUND}{MONEY}", re.I),
    re.compile(rf"\b{BOUND}{MONEY}\s+(?:of|in)\s+(?:\w+\s+){{0,2}}?drugs\b", re.I),
]
_WEIGHT = re.compile(rf"\b{BOUND}(?P<n>\d+(?:\.\d+)?|\d{{1,3}}(?:,\d{{3}})+)\s*(?P<unit>kg|kgs|kilos?|kilograms?|g|grams?|grammes?|tonnes?|oz)\s+(?:of\s+)?(?P<what>(?:suspected\s+|illegal\s+|high[- ]purity\s+|herbal\s+)?[\w ]{{2,30}}?)(?=[,.;:)\n]|\s+(?:and|plus|with|was|were|seized|worth|had)\b|$)", re.I)
_WRAPS = re.compile(rf"\b{BOUND}(?P<n>{NUM})\s+(?P<unit>wraps|bags|pills|tablets|plants|deals)\s+of\s+(?P<what>[\w ]{{2,30}}?)(?=[,.;:)\n]|\s+(?:and|plus|with|was|were|seized|believed)\b|$)", re.I)
_WEAPONS = re.compile(rf"\b{BOUND}(?P<n>{NUM})\s+(?P<what>(?:[\w-]+\s+){{0,2}}?(?:weapons?|knives|knife|firearms?|guns?|handguns?|shotguns?|machetes?|swords?|knuckle[- ]?dusters?|crossbows?|axes?|blades?|pistols?))\b", re.I)


def number(text: str) -> float | None:
    text = text.strip().lower().replace(",", "")
    if text in _WORD_NUMBERS:
        return float(_WORD_NUMBERS[text])
    parts = re.split(r"[- ]", text)
    if len(parts) == 2 and parts[0] in _WORD_NUMBERS and parts[1] in _WORD_NUMBERS:
        return float(_WORD_NUMBERS[parts[0]] + _WORD_NUMBERS[parts[1]])
    try:
        return float(text)
    except ValueError:
        return None


def _money(match: re.Match[str]) -> float:
    value = float(match.group("money").replace(",", ""))
    scale = (match.group("scale") or "").lower()
    return value * {"million": 1e6, "m": 1e6, "bn": 1e9, "billion": 1e9, "k": 1e3}.get(scale, 1)


def _bound(match: re.Match[str]) -> str:
    word = re.sub(r"\s+", " ", (match.groupdict().get("bound") or "").lower())
    return _BOUNDS.get(word, "exact")


def _drug(what: str) -> tuple[str | None, str | None]:
    """(drug concept id, class) of a phrase like 'crack cocaine' or 'class A drugs'."""
    for drug in lexicon.drugs():
        if drug.pattern and drug.pattern.search(what):
            return drug.id, drug.extra
    klass = re.search(r"\bclass\s*-?\s*([ABC])\b", what, re.I)
    if klass:
        return None, klass.group(1).upper()
    if re.search(r"\b(?:drugs|substances?|narcotics)\b", what, re.I):
        return None, None
    return "", None


def _weapon(what: str) -> str | None:
    for weapon in lexicon.weapons():
        if weapon.pattern and weapon.pattern.search(what):
            return weapon.id
    return None


def find_outcomes(draft: Draft) -> list[Quantity]:
    text = draft.text
    norm = text.norm
    found: list[Quantity] = []

    def add(kind: str, m: re.Match[str], value: float | None, **extra) -> None:
        if value is None:
            return
        start, end = m.start(), m.end()
        for q in found:
            if q.kind == kind and q.span.start < end and start < q.span.end:
                return
        found.append(Quantity(kind=kind, value=value, span=text.span(start, end, f"pattern:{kind}"), bound=_bound(m), **extra))

    def matches(pattern: re.Pattern[str], keyword: str):
        """Run a pattern only over the sentences that hold its keyword: most of a release holds none."""
        for s, e in text.sentences_with(_KEYWORDS[keyword]):
            yield from pattern.finditer(norm, s, e)

    for pattern in _CASH:
        for m in matches(pattern, "cash"):
            add("cash-seized", m, _money(m), unit="GBP")
    for pattern in _DRUG_VALUE:
        for m in matches(pattern, "drug"):
            if not any(q.kind == "cash-seized" and q.span.start <= m.start("money") < q.span.end for q in found):
                add("drug-value-seized", m, _money(m), unit="GBP")
    for pattern, keyword in ((_WEIGHT, "weight"), (_WRAPS, "wraps")):
        for m in matches(pattern, keyword):
            drug, klass = _drug(m.group("what"))
            if drug == "":
                continue
            unit = m.group("unit").lower()
            unit = {"kgs": "kg", "kilo": "kg", "kilos": "kg", "kilogram": "kg", "kilograms": "kg", "gram": "g", "grams": "g",
                    "gramme": "g", "grammes": "g", "tonne": "t", "tonnes": "t"}.get(unit, unit)
            add("drugs-seized", m, number(m.group("n")), unit=unit, item=drug, drug_class=klass)
    for m in matches(_WEAPONS, "weapon"):
        if _NOT_A_COUNT_AFTER.match(norm, m.end("n")):
            continue
        weapon = _weapon(m.group("what"))
        if weapon and not re.search(r"\b(?:sweeps?|arch(?:es)?|crime|offences?|amnesty|bins?|surrender)\b", norm[m.end():m.end() + 12], re.I):
            kind = "firearms-seized" if weapon in ("firearm", "imitation-firearm") else "weapons-seized"
            add(kind, m, number(m.group("n")), item=weapon)
    for kind, patterns in _COUNTED_PATTERNS.items():
        for pattern in patterns:
            for m in matches(pattern, kind):
                if not _NOT_A_COUNT_AFTER.match(norm, m.end("n")):
                    add(kind, m, number(m.group("n")))
    for start, end in _seizure_list_items(draft):
        line = norm[start:end]
        for kind, pattern in (("vehicles-seized", _LISTED_VEHICLES), ("cash-seized", _LISTED_CASH)):
            m = pattern.match(line)
            if m:
                value = _money(m) if kind == "cash-seized" else number(m.group("n"))
                shifted = re.compile(re.escape(m.group())).search(norm, start)
                add(kind, shifted, value, **({"unit": "GBP"} if kind == "cash-seized" else {}))
    found.extend(_arrests(draft))
    return sorted(found, key=lambda q: (q.span.start, q.kind))


_SEIZURE_LIST = re.compile(r"\b(?:seized|recovered|seizures?|found)(?:\s+(?:included?|were|are))?\s*:\s*$", re.I)
_LISTED_VEHICLES = re.compile(rf"[-\u2022*]?\s*{BOUND}(?P<n>{NUM})\s+(?:stolen\s+)?(?:vehicles|cars|motorbikes|vans|e-bikes)\b", re.I)
_LISTED_CASH = re.compile(rf"[-\u2022*]?\s*{BOUND}{MONEY}\s*(?:in\s+cash|cash)?\s*$", re.I)


def _seizure_list_items(draft: Draft) -> list[tuple[int, int]]:
    """The bullet lines of a list introduced by "officers seized:" or "Among the items seized included:"."""
    items = []
    in_list = False
    for start, end in draft.text.lines:
        line = draft.text.norm[start:end]
        if _SEIZURE_LIST.search(line):
            in_list = True
            continue
        if in_list and re.match(r"\s*[-\u2022*]", line):
            items.append((start, end))
        else:
            in_list = False
    return items


_ALL_OF_THEM = re.compile(rf"\b[Aa]ll\s+(?P<n>{NUM})\s+(?:of\s+them\s+|{PEOPLE}\s+|suspects\s+)?(?:were|have\s+been|had\s+been|remain|are)\s+"
                          r"(?:\w+\s+)?(?:released|bailed|charged|remanded|interviewed|held|in\s+custody)\b")
_PART = re.compile(rf"(?<!aged )\b(?:(?P<n>{NUM})\s+(?:[\w-]+\s+)?"
                   r"(?:men|women|boys|girls|teenagers|youths|males|females|juveniles|adults|people|man|woman|boy|girl|teenager|youth)"
                   r"|(?P<one>an?)\s+(?:[\w-]+\s+)?(?:man|woman|boy|girl|teenager|youth))\b"
                   r"(?![- ]*(?:year|aged\s+\d+\s+and))", re.I)
_PARTS_VERB = re.compile(r"\b(?:were|have\s+been|had\s+been|have\s+all\s+been)\s+(?:all\s+)?(?:arrested|taken\s+into\s+custody|taking\s+into\s+custody)\b", re.I)


def _parts_arrested(norm: str, start: int, end: int) -> tuple[int, int, float] | None:
    """The sum of groups arrested together: "Two women, aged 30 and 41, and six men were arrested" gives 8.

    Each group is a number and a noun for people; numbers inside an age list
    ("aged 19 and 22", "two aged 23") are ages or sub-groups, not groups.
    """
    verb = _PARTS_VERB.search(norm, start, end)
    if verb is None:
        return None
    groups = [m for m in _PART.finditer(norm, start, verb.start()) if m.group("one") or number(m.group("n"))]
    numbered = [g for g in groups if g.group("n")]
    # "a man and a woman were arrested" tells people one by one; a number among the groups makes it a count.
    if not numbered or (len(groups) < 2 and not re.search(r"into\s+custody", verb.group())):
        return None
    if any(re.search(r"\b(?:of\s+(?:them|those|whom)|including)\b", norm[g.start() - 12:g.start()]) for g in groups):
        return None  # "two of them" is a part of a count already given
    return groups[0].start(), verb.end(), float(sum(number(g.group("n")) if g.group("n") else 1 for g in groups))


def _arrests(draft: Draft) -> list[Quantity]:
    """Every arrest count, the headline one flagged."""
    text = draft.text
    norm = text.norm
    counts: list[tuple[int, int, float, str, bool]] = []  # start, end, value, bound, eligible
    sentences = text.sentences_with(_KEYWORDS["arrest"])
    for s, e in sentences:
        parts = _parts_arrested(norm, s, e)
        if parts:
            counts.append((*parts, "exact", not _OTHER_PHASE.search(norm[parts[0]:e])))
    for pattern in _ARRESTS:
        for m in (m for s, e in sentences for m in pattern.finditer(norm, s, e)):
            if _NOT_A_COUNT_AFTER.match(norm, m.end("n")):
                continue
            value = number(m.group("n"))
            if value is None or value != int(value) or value <= 0:
                continue
            if any(s <= m.start("n") < e for s, e, *_ in counts):
                continue
            sentence_start, sentence_end = text.sentence_at(m.start())
            clause = norm[m.start():sentence_end]
            bound_word = (m.groupdict().get("bound") or "").lower()
            eligible = not (_OTHER_PHASE.search(clause[:140]) or bound_word.startswith(("a further", "another"))
                            or re.search(r"\b(?:further|previous|other)\s+$", norm[max(sentence_start, m.start() - 12):m.start()], re.I)
                            or re.search(r"^\s+(?:arrests?\s+)?(?:last|in\s+20\d\d)", norm[m.end():m.end() + 20], re.I))
            counts.append((m.start(), m.end(), value, _bound(m), bool(eligible)))
    counts.sort()
    headline = None
    eligible = [c for c in counts if c[4]]
    if eligible:
        headline = eligible[0]
        if headline[3] in ("min", "approx"):
            for later in eligible[1:]:
                if later[3] == "exact" and headline[2] <= later[2] <= headline[2] * 1.5:
                    headline = later
                    break
        # "Three people were arrested ... a fourth man was arrested ... All four were released": the total.
        for m in _ALL_OF_THEM.finditer(norm, headline[1]):
            value = number(m.group("n"))
            if value and value > headline[2] and headline[3] == "exact":
                headline = (m.start(), m.end(), value, "exact", True)
                counts.append(headline)
                break
    return [Quantity(kind="arrest", value=value, span=text.span(start, end, "pattern:arrest-count"), bound=bound,
                     headline=(start, end, value, bound, ok) == headline)
            for start, end, value, bound, ok in counts]


# ---------------------------------------------------------------------------- breakdowns

_BREAKDOWN_LINE = re.compile(r"^\s*[-\u2022*]?\s*(?P<n>\d{1,3})\s*[xX\u00d7]\s*(?P<what>\S.*?)\s*$")
_HEADING = re.compile(r"^\s*(?P<heading>[^\n:]{2,60}?)\s*:\s*$")


def find_breakdown(draft: Draft) -> list[BreakdownGroup]:
    """Arrests listed under headings: 'Essex :' then '1 x Drug driving' lines."""
    text = draft.text
    groups: list[BreakdownGroup] = []
    heading = None
    lines: list[BreakdownLine] = []

    def close() -> None:
        if heading is not None and lines:
            if not draft.at(heading.start, heading.end, "force"):
                _heading_places(draft, heading)
            forces = tuple(dict.fromkeys(m.key for m in draft.at(heading.start, heading.end, "force")))
            units = tuple(dict.fromkeys(m.key for m in draft.at(heading.start, heading.end, "unit")))
            groups.append(BreakdownGroup(heading, forces, units, tuple(lines)))

    for start, end in text.lines:
        line = text.norm[start:end]
        m = _BREAKDOWN_LINE.match(line)
        if m and heading is not None:
            offences = tuple(_offences(m.group("what")))
            lines.append(BreakdownLine(int(m.group("n")), offences,
                                       text.span(start, end, "pattern:breakdown-line")))
            continue
        h = _HEADING.match(line)
        if h:
            close()
            heading = text.span(start + h.start("heading"), start + h.end("heading"), "pattern:breakdown-heading")
            lines = []
        elif not m:
            close()
            heading, lines = None, []
    close()
    return [g for g in groups if g.forces or g.units]


def _heading_places(draft: Draft, heading: Span) -> None:
    """A county heading an arrest breakdown ("Essex :") stands for its force."""
    for m in re.finditer(r"[A-Z][\w&'-]*(?:\s+(?:and\s+|&\s+)?[A-Z][\w'-]*)*", heading.text):
        force_id = lexicon.force_places().get(lexicon.fold(m.group()))
        if force_id:
            start = heading.start + m.start()
            add_force(draft, force_id, start, start + len(m.group()), "pattern:breakdown-heading")


def _offences(what: str) -> list[str]:
    """The offence concepts a breakdown line names, most specific first, each stretch matched once."""
    remaining = what
    found = []
    for offence in lexicon.offences():
        if offence.pattern is None:
            continue
        m = offence.pattern.search(remaining)
        if m:
            found.append(offence.id)
            remaining = remaining[:m.start()] + " " * (m.end() - m.start()) + remaining[m.end():]
    return found
