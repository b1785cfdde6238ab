"""Spokespeople and named officers, their ranks, organisations and quotes.

A person enters the graph only through the grammar of an official voice: a
rank or title before the name ("T/Detective Superintendent Shaun White",
"PCC Sue Mountstevens", "Councillor Martin Foster") or a role and an
organisation after it ("Laura Buchan, Procurator Fiscal ... at the Crown
Office"). Bare names, "Mr X", and anyone the text presents as a suspect,
defendant or victim (an age after the name, "was charged", "former") never
become people: the graph holds no private individuals.

Later mentions by surname ("Inspector Bryant", "Mr Sidwick") join the full
name. A person's organisation is the unit, force or partner the text ties
them to ("of the Essex Police Serious Violence Unit", "from Bedfordshire
Police", "head of Cardiff's CID"), else the force the release comes from.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cache

from .. import lexicon
from ..findings import Person, Quote, Span
from ..lexicon import fold
from . import partners
from .draft import Draft

_NAME = r"[A-Z][a-zA-Z'\-]+(?:\s+(?:[A-Z]\.(?=\s+[A-Z][a-z])|[A-Z][a-zA-Z'\-]+)){0,3}"  # "John A. Smith"
_MARKER = r"(?P<marker>(?:(?:T|A|Temp|Tmp)/|(?:Temporary|Temp\.?|Acting|Regional|Interim)\s+)*)"
_HONORIFIC = r"(?:(?:Sir|Dame|Dr|Lord|Lady)\s+)?"
_COREF_TITLE = re.compile(r"\b(?:Mr|Mrs|Ms|Miss|Dr|Mx)\.?\s+(?P<name>[A-Z][a-zA-Z'\-]+)")
_SPEECH = r"(?:said|says|added|adds|explained|continued|commented|stated|told|urged|warned|praised|paid tribute)"
_ROLE_NOUNS = re.compile(
    r"\b(?:Director|Manager|Chief Executive|CEO|Head|Officer|Lead|Leader|Chair|Chairman|Chairwoman|Chairperson|President|"
    r"Secretary|Minister|Commissioner|Fiscal|Prosecutor|Councillor|Coordinator|Co-ordinator|Spokesperson|Spokesman|"
    r"Spokeswoman|Founder|Trustee|Adviser|Advisor|Holder|Member|Mayor|Governor|Investigator|Specialist|Partner|"
    r"Controller|Deputy|Executive|Inspector|Analyst|Ambassador)\b")
_APPOSITIVE_AT = re.compile(
    r"(?P<name>[A-Z][a-z][a-zA-Z'\-]+(?:\s+[A-Z][a-zA-Z'\-]+){1,2}),\s+(?P<role>[A-Z][\w&'\-]*(?:[\s,]+(?:[A-Z][\w&'\-]*|and|&|of|for|the))*?)"
    r"\s+at\s+(?:the\s+)?(?P<org>[A-Z][\w&'\-]*(?:\s+(?:[A-Z][\w&'\-]*|and|&|of|for|the)(?=\s+[A-Z&]|\s*[,.)]|$))*(?:\s+[A-Z][\w&'\-]*)*)")
_APPOSITIVE_OF = re.compile(
    r"(?P<name>[A-Z][a-z][a-zA-Z'\-]+(?:\s+[A-Z][a-zA-Z'\-]+){1,2}),\s+(?P<role>(?:[A-Z][\w&'\-]*\s+){0,3}(?:Director|Manager|Chief Executive|Head|Lead|Leader|Chair|President|Secretary|Founder|Spokesperson|Spokesman|Spokeswoman))"
    r"\s+(?:of|for|from)\s+(?:the\s+)?(?P<org>[A-Z][\w&'\-]*(?:\s+(?:[A-Z][\w&'\-]*|and|&|of|for|the)(?=\s+[A-Z&]|\s*[,.)]|$))*(?:\s+[A-Z][\w&'\-]*)*)")
_ROLE_WORDS = (r"(?:chief\s+executive|executive\s+director|managing\s+director|director|manager|head|chair|chairman|chairwoman|"
               r"chairperson|president|leader|spokesperson|spokesman|spokeswoman|founder|co-?ordinator|lead|chief\s+officer)")
_FULL_NAME = r"[A-Z][a-z][a-zA-Z'\-]+(?:\s+[A-Z][a-zA-Z'\-]+){1,2}"
# "the chief executive of Crimestoppers, Mark Hallas, said"
_ROLE_OF_ORG = re.compile(
    rf"(?P<role>(?i:(?:[a-z-]+\s+){{0,2}}{_ROLE_WORDS}))\s+(?:of|at|for)\s+(?:the\s+)?"
    rf"(?P<org>[A-Z][\w&'\-]*(?:\s+(?:and|&|of|for|the)(?=\s+[A-Z&])|\s+[A-Z][\w&'\-]*)*)\s*,\s+(?P<name>{_FULL_NAME})\s*,")
_ROLE_OF_ORG_GATE = re.compile(rf"{_ROLE_WORDS}\s+(?:of|at|for)\b", re.I)  # the sentences worth the pattern above
# "Crimestoppers chief executive Mark Hallas said": right after an organisation the release names
_ROLE_AFTER_ORG = re.compile(rf"(?:'s)?\s+(?P<role>(?:[a-z-]+\s+){{0,2}}{_ROLE_WORDS}(?:\s+(?:of|for)\s+(?:[a-z]+\s+){{0,2}}[a-z]+)?"
                             rf"|(?:[A-Z][a-z-]+\s+){{0,2}}(?i:{_ROLE_WORDS}))"
                             rf"\s+(?P<name>{_FULL_NAME})")
_NOT_ROLE_WORDS = re.compile(r"^(?:(?:said|says|added|told|the|a|an|and|by|with|from|as|its|their|whose)\s+)+", re.I)
_ROLE_BEFORE = re.compile(r"(?P<role>[A-Z][\w&'\-]*(?:\s+(?:[A-Z][\w&'\-]*|and|&|of|for|the)){0,6}),\s*$")
_ORG_LEAD_IN = re.compile(
    r"\s*,?\s*(?:who\s+(?:is|was|leads|heads)\s+)?(?:(?:the|a)\s+)?"
    r"(?:(?:head|lead|leader|commander|chief|director|officer|manager|member|part|boss|senior\s+investigating\s+officer)\s+(?:of|for|at|in)\s+)?"
    r"(?:(?:of|from|at|with|for|in)\s+)?(?:the\s+)?", re.I)
# What the text says of the person named just before: their age ("John Smith, 32,"), or what happened
# to them, with at most one aside between ("John Smith, of Hull, was charged"; "X, who was arrested").
# "DI Jane Morrow said the men were charged" says nothing of her: the verb's subject is the men.
_PRIVATE_AFTER = re.compile(
    r"^\s*(?:,\s*(?:aged\s+)?\d{1,3}\s*(?:,|\)|years?)|\(\s*\d{1,3}\s*\)|,\s*(?:aged\s+)?\d{1,3}\s*,?\s*(?:of|from)\b)"
    r"|^\s*(?:,[^,.;\"]{1,60},\s*|,\s*)?(?:who\s+)?(?:was|were|has\s+been|had\s+been|is|is\s+being|will\s+be)\s+(?:\w+\s+){0,2}?"
    r"(?:charged|arrested|jailed|sentenced|convicted|remanded|bailed|detained|imprisoned|found\s+guilty|cautioned|"
    r"dismissed|summonsed|released|killed|murdered|stabbed|injured|assaulted|attacked|robbed|reported\s+missing)\b"
    r"|^\s*(?:,[^,.;\"]{1,60},\s*|,\s*)?(?:who\s+)?(?:has\s+|had\s+)?(?:appeared|pleaded|admitted|denies|denied|died)\b", re.I)
_PRIVATE_BEFORE = re.compile(
    r"\b(?:former|ex-|convicted|defendant|suspect|victim|the\s+late|deceased|offender|accused|murdered|missing|"
    r"prisoner|inmate|dismissed)\s*(?:police\s+)?(?:\w+\s+){0,2}$", re.I)


@dataclass
class _Mention:
    start: int  # whole mention, rank included
    end: int
    name: str
    name_start: int
    rank: str | None = None
    role: str | None = None
    temporary: bool = False
    acting: bool = False
    organisation: tuple[str, str] | None = None
    organisation_rule: str = ""
    rule: str = ""


@dataclass
class _Person:
    name: str
    mentions: list[_Mention] = field(default_factory=list)

    @property
    def key(self) -> str:
        return lexicon.slug(self.name)


@dataclass(frozen=True)
class _Rank:
    """A rank or title written before a name."""

    start: int
    end: int
    spelling: str
    marker: str
    name: str
    name_start: int


@cache
def _rank_patterns() -> tuple[re.Pattern[str], re.Pattern[str]]:
    """Rank words (matched on the lower-cased text) and abbreviations (matched exactly)."""
    spellings = {s for rank in lexicon.ranks().values() for s in rank.spellings}
    abbreviations = [s for s in spellings if lexicon.rank_spellings().get(s)]
    words = [s for s in spellings if s not in abbreviations]
    words_re = re.compile(rf"(?<![\w/])(?P<marker>(?:(?:t|a|temp|tmp)/|(?:temporary|temp\.?|acting|regional|interim)\s+)*)"
                          rf"(?P<rank>{lexicon.alternation(words, lower=True)})(?![\w'])")
    abbreviations_re = re.compile(rf"(?<![\w/]){_MARKER}(?P<rank>{lexicon.alternation(abbreviations)})(?![\w'])")
    return words_re, abbreviations_re


# "Inspector for Rural Affairs and Wildlife, Jo Bloggs, said": a portfolio between rank and name.
_PORTFOLIO = r"(?:\s+(?:for|of)\s+[A-Z][\w'-]*(?:\s+(?:and|&|of|for|the|[A-Z][\w'-]*)){0,6}(?=\s*,\s+[A-Z][a-z]+\s+[A-Z][\w'-]+\s*,))?"
_NAME_AFTER_RANK = re.compile(rf"{_PORTFOLIO}(?:\s*,\s+|\s+){_HONORIFIC}(?P<name>{_NAME})")


def _ranks(draft: Draft) -> list[_Rank]:
    """Every rank or title in the text that a name follows."""
    words_re, abbreviations_re = _rank_patterns()
    text = draft.text
    hits = [(m, text.norm) for m in words_re.finditer(text.lower)] + [(m, text.norm) for m in abbreviations_re.finditer(text.norm)]
    hits.sort(key=lambda h: (h[0].start(), -h[0].end()))
    found: list[_Rank] = []
    for m, norm in hits:
        if found and m.start() < found[-1].end:
            continue
        name = _NAME_AFTER_RANK.match(norm, m.end())
        if name is None:
            continue
        found.append(_Rank(m.start(), m.end(), norm[m.start("rank"):m.end("rank")], norm[m.start("marker"):m.end("marker")],
                           name.group("name"), name.start("name")))
    return found


def _clean_name(name: str) -> str:
    words = lexicon.words()
    stop = words["not_name"] | words["months"] | words["weekdays"]
    kept = []
    for token in name.split():
        if token in stop or (kept and token.endswith("'s")):
            break
        kept.append(token)
    return " ".join(kept)


def is_private(draft: Draft, start: int, name_end: int) -> bool:
    """True when the text presents the person as a suspect, defendant, victim or member of the public."""
    text = draft.text.norm
    sentence_start, sentence_end = draft.text.sentence_at(start)
    if _PRIVATE_AFTER.search(text[name_end:sentence_end]):
        return True
    return bool(_PRIVATE_BEFORE.search(text[max(sentence_start, start - 40):start]))


def find_people(draft: Draft) -> None:
    ranks = _ranks(draft)
    mentions = _rank_mentions(draft, ranks) + _appositive_mentions(draft, ranks)
    mentions.sort(key=lambda m: m.start)
    people: dict[str, _Person] = {}
    surnames: dict[str, list[_Person]] = {}
    pending: list[_Mention] = []
    for mention in mentions:
        if len(mention.name.split()) >= 2:
            person = people.get(fold(mention.name))
            if person is None:
                person = people[fold(mention.name)] = _Person(mention.name)
                surnames.setdefault(mention.name.split()[-1], []).append(person)
            person.mentions.append(mention)
        else:
            pending.append(mention)
    # Surname-only mentions ("Inspector Bryant", "Mr Sidwick") join the one person of that surname.
    pending += _title_mentions(draft)
    for mention in pending:
        candidates = surnames.get(mention.name, [])
        if len(candidates) == 1:
            candidates[0].mentions.append(mention)

    for person in people.values():
        person.mentions.sort(key=lambda m: m.start)
        _resolve_organisation(draft, person)
        draft.people.append(_frozen(draft, person))
    _attribute_quotes(draft, people)


def _rank_mentions(draft: Draft, ranks: list[_Rank]) -> list[_Mention]:
    text = draft.text
    found = []
    for r in ranks:
        name = _clean_name(r.name)
        if not name:
            continue
        rank = lexicon.rank_of(r.spelling)
        if rank is None:
            continue
        name_start = r.name_start + r.name.index(name.split()[0])
        name_end = name_start + len(name)
        name = text.raw[name_start:name_end]  # as written: "O’Hara", not the normalised "O'Hara"
        if is_private(draft, r.start, name_end):
            continue
        if draft.at(name_start, name_end, "force", "unit", "partner", "operation"):
            continue
        if name.split()[-1] in partners.ORG_HEADS:
            continue  # "Constable Country Trust" names a body, not a constable
        mention = _Mention(r.start, name_end, name, name_start, rank=rank,
                           temporary=bool(re.search(r"\bT(?:emp(?:orary)?\.?|mp)?/|Temporary|Temp", r.marker, re.I)),
                           acting=bool(re.search(r"\bA/|Acting", r.marker, re.I)), rule=f"pattern:rank+name:{r.spelling}")
        if lexicon.ranks()[rank].kind == "official":
            before = text.norm[text.sentence_at(r.start)[0]:r.start]
            role = _ROLE_BEFORE.search(before)
            if role and _ROLE_NOUNS.search(role.group("role")) and rank == "councillor":
                mention.role = role.group("role").strip()
        found.append(mention)
    return found


def _appositive_mentions(draft: Draft, ranks: list[_Rank]) -> list[_Mention]:
    """'Peter Bayley, Executive Director, Ecosystem Risk at Visa said': people outside the rank scheme."""
    text = draft.text.norm
    found = []
    for pattern in (_APPOSITIVE_AT, _APPOSITIVE_OF):
        for m in pattern.finditer(text):
            name = m.group("name")
            if name.split()[0] in lexicon.words()["function_words"] or not _ROLE_NOUNS.search(m.group("role")):
                continue
            if any(f.start <= m.start() < f.end for f in found):
                continue
            s, e = draft.text.sentence_at(m.start())
            if not re.search(_SPEECH, text[s:e]) and not draft.text.quotes:
                continue
            if is_private(draft, m.start(), m.end("name")) or any(
                    m.start() - 40 <= r.start and r.end <= m.end("name") for r in ranks):
                continue
            if draft.at(m.start("name"), m.end("name"), "force", "unit", "partner", "operation"):
                continue
            org_start, org_end = m.start("org"), m.end("org")
            org = _organisation_at(draft, org_start, org_end)
            if org is None:
                key = partners.add_partner(draft, org_start, org_end, "pattern:person-role-at-organisation")
                org = ("partner", key) if key else None
            mention = _Mention(m.start("name"), m.end("name"), name, m.start("name"), role=m.group("role").strip(" ,"),
                               organisation=org, organisation_rule="text:role-at-organisation" if org else "",
                               rule="pattern:name+role+organisation")
            found.append(mention)
    found += _said_appositive_mentions(draft, ranks, found)
    found += _role_first_mentions(draft, ranks, found)
    return found


_NAME_THEN_ASIDE = re.compile(rf"(?P<name>{_FULL_NAME}),\s+(?P<aside>[^.;:\"()]{{3,120}}?),?\s+(?:yesterday\s+|today\s+)?{_SPEECH}\b")
_ROLE_IN_ASIDE = re.compile(rf"\b(?i:{_ROLE_WORDS}|officer|investigator|adviser|advisor|secretary|commissioner)\b")


def _said_appositive_mentions(draft: Draft, ranks: list[_Rank], seen: list[_Mention]) -> list[_Mention]:
    """A role and an organisation between a name and "said", in either order.

    "Jo Bloggs, Example Agency Fraud lead and Head of Audit, said", "Jo Bloggs, acting
    head of lettings, Example Homes said", "Jo Bloggs, Det Supt for Example Police said".
    """
    text = draft.text.norm
    out: list[_Mention] = []
    for m in _NAME_THEN_ASIDE.finditer(text):
        start, end = m.start("name"), m.end("name")
        if any(s.start < end and start < s.end for s in seen + out):
            continue
        if any(r.start < end and start < r.name_start + len(r.name) for r in ranks):
            continue  # "Inspector Jo Bloggs, ...": the rank rule reads it
        if m.group("name").split()[0] in lexicon.words()["function_words"] or is_private(draft, start, end):
            continue
        if draft.at(start, end, "force", "unit", "partner", "operation"):
            continue
        a_start, a_end = m.start("aside"), m.end("aside")
        aside = text[a_start:a_end]
        marker = re.match(r"(?:acting|interim|temporary)\s+", aside, re.I)
        body = aside[marker.end():] if marker else aside
        b_start = a_start + (marker.end() if marker else 0)
        orgs = [o for o in draft.at(b_start, a_end, "unit", "force", "partner") if o.span.start >= b_start]
        rank = None
        words_re, abbreviations_re = _rank_patterns()
        hit = abbreviations_re.match(text, b_start) or words_re.match(draft.text.lower, b_start)
        if hit and lexicon.rank_of(text[hit.start("rank"):hit.end("rank")]):
            rank = lexicon.rank_of(text[hit.start("rank"):hit.end("rank")])
        if not orgs or (rank is None and not _ROLE_IN_ASIDE.search(body)):
            continue
        first, last = orgs[0], orgs[-1]
        if first.span.start == b_start:  # organisation first: "Example Agency Fraud lead"
            org, role = first, text[first.span.end:a_end]
        elif last.span.end >= a_end - 1:  # organisation last: "head of lettings, Example Homes"
            org, role = last, text[b_start:last.span.start]
        elif rank:
            org, role = first, ""
        else:
            continue
        role = re.sub(r"^(?:'s)?[\s,]+|[\s,]+(?:at|of|for|from|with)?\s*$", "", role)
        mention = _Mention(start, end, draft.text.raw[start:end], start, organisation=(org.kind, org.key),
                           organisation_rule="text:aside-before-said", rule="pattern:name+aside+said")
        if rank:
            mention.rank, mention.acting = rank, bool(marker and marker.group().lower().startswith("acting"))
        elif role and _ROLE_IN_ASIDE.search(role):
            mention.role = role
        else:
            continue
        out.append(mention)
    return out


def _role_first_mentions(draft: Draft, ranks: list[_Rank], seen: list[_Mention]) -> list[_Mention]:
    """Officials introduced role first: "the chief executive of X, Jo Bloggs, said", "X director Jo Bloggs said"."""
    text = draft.text.norm
    candidates = []
    for m in (m for s, e in draft.text.sentences_with(_ROLE_OF_ORG_GATE) for m in _ROLE_OF_ORG.finditer(text, s, e)):
        org = _organisation_at(draft, m.start("org"), m.end("org"))
        if org is None:
            key = partners.add_partner(draft, m.start("org"), m.end("org"), "pattern:role-of-organisation")
            org = ("partner", key) if key else None
        candidates.append((m.start("name"), m.end("name"), m.group("role"), org, "pattern:role+organisation+name"))
    for mention in draft.of_kind("partner", "unit", "force"):
        m = _ROLE_AFTER_ORG.match(text, mention.span.end)
        if m:
            candidates.append((m.start("name"), m.end("name"), m.group("role"), (mention.kind, mention.key),
                               "pattern:organisation+role+name"))
    out = []
    for start, end, role, org, rule in candidates:
        name = draft.text.raw[start:end]
        if any(s.name_start <= start < s.end for s in seen + out) or any(r.name_start <= start < r.name_start + len(r.name) for r in ranks):
            continue
        if name.split()[0] in lexicon.words()["function_words"] or is_private(draft, start, end):
            continue
        if draft.at(start, end, "force", "unit", "partner", "operation"):
            continue
        role = _NOT_ROLE_WORDS.sub("", re.sub(r"\s+", " ", role.strip()))
        out.append(_Mention(start, end, name, start, role=role, organisation=org,
                            organisation_rule="text:role-of-organisation" if org else "", rule=rule))
    return out


def _title_mentions(draft: Draft) -> list[_Mention]:
    out = []
    for m in _COREF_TITLE.finditer(draft.text.norm):
        out.append(_Mention(m.start(), m.end(), m.group("name"), m.start("name"), rule="coreference:title+surname"))
    return out


def _organisation_at(draft: Draft, start: int, end: int) -> tuple[str, str] | None:
    """The entity a stretch of text names, most specific first: unit, then force, then partner."""
    for kind in ("unit", "force", "partner"):
        hits = draft.at(start, end, kind)
        if hits:
            return kind, hits[0].key
    return None


def _resolve_organisation(draft: Draft, person: _Person) -> None:
    """Find the unit, force or partner the text ties each mention to."""
    text = draft.text.norm
    for mention in person.mentions:
        if mention.organisation:
            continue
        sentence_start, sentence_end = draft.text.sentence_at(mention.start)
        # After the name: "..., of the Essex Police Serious Violence Unit, said".
        lead = _ORG_LEAD_IN.match(text, mention.end)
        if lead and re.search(r"[,]|\b(?:of|from|at|with|for|in|who|head|lead)\b", lead.group(), re.I):
            window_end = min(sentence_end, lead.end() + 60)
            stop = re.search(rf"\b{_SPEECH}\b|[\"(:;]|,\s+(?:who|and|said)\b", text[lead.end():window_end])
            window_end = lead.end() + stop.start() if stop else window_end
            org = _first_organisation(draft, lead.end(), window_end)
            if org:
                mention.organisation, mention.organisation_rule = org, "text:after-name"
                continue
        # Before the rank: "Kent Police Chief Constable ...", "the Met's lead for County Lines, Deputy ...".
        forces = [m for m in draft.at(max(sentence_start, mention.start - 80), mention.start, "force", "unit")]
        if forces:
            last = forces[-1]
            gap = text[last.span.end:mention.start]
            if re.fullmatch(r"(?:'s)?\s*", gap) or (gap.startswith("'s") and gap.rstrip().endswith(",")):
                mention.organisation, mention.organisation_rule = (last.kind, last.key), "text:before-rank"


def _first_organisation(draft: Draft, start: int, end: int) -> tuple[str, str] | None:
    """The organisation that starts a stretch: a force's unit ("GMP's Economic Crime Unit") beats the force."""
    hits = [m for m in draft.at(start, end, "unit", "force", "partner", "operation") if m.span.start >= start]
    if not hits or hits[0].span.start - start > 25:
        return None
    units = [m for m in hits if m.kind == "unit"]
    if units:
        return "unit", units[0].key
    first = next((m for m in hits if m.kind in ("force", "partner")), None)
    return (first.kind, first.key) if first else None


def _frozen(draft: Draft, person: _Person) -> Person:
    full = next((m for m in person.mentions if len(m.name.split()) >= 2), person.mentions[0])
    rank = next((m.rank for m in person.mentions if m.rank), None)
    role = next((m.role for m in person.mentions if m.role), None)
    org_mention = next((m for m in person.mentions if m.organisation), None)
    organisation = org_mention.organisation if org_mention else None
    rule = org_mention.organisation_rule if org_mention else ""
    kind = lexicon.ranks()[rank].kind if rank else None
    if organisation is None:
        if rank == "councillor":
            councils = [k for k in draft.keys("partner") if "council" in k]
            if len(councils) == 1:
                organisation, rule = ("partner", councils[0]), "context:the-release's-council"
        elif kind == "police":
            unit = _unit_in_attribution(draft, person)
            if unit:
                organisation, rule = ("unit", unit), "context:unit-in-same-sentence"
            elif draft.main_force:
                organisation, rule = ("force", draft.main_force), "context:release-force"
    if kind == "official" and rank != "councillor":
        organisation, rule = None, ""  # commissioners, ministers and mayors speak for no force
    spans = tuple(sorted({draft.text.span(m.name_start, m.name_start + len(m.name), m.rule) for m in person.mentions}))
    return Person(key=person.key, name=full.name, spans=spans, rank=rank, role=role,
                  temporary=any(m.temporary for m in person.mentions), acting=any(m.acting for m in person.mentions),
                  organisation=organisation, organisation_rule=rule)


def _unit_in_attribution(draft: Draft, person: _Person) -> str | None:
    """A unit named, outside quotes, in the sentence where the person speaks or acts."""
    for mention in person.mentions:
        start, end = draft.text.sentence_at(mention.start)
        units = {m.key for m in draft.at(start, end, "unit") if not draft.text.in_quote(m.span.start)}
        forces = [m for m in draft.at(start, end, "force") if not draft.text.in_quote(m.span.start)]
        if len(units) == 1 and not forces:
            return units.pop()
    return None


# ---------------------------------------------------------------------------- quotes

_PRONOUN = re.compile(rf"\b(?:he|she|they)\s+{_SPEECH}\b|\b{_SPEECH}\s+(?:he|she)\b|\b(?:The|the)\s+(?:senior\s+)?officer\s+{_SPEECH}", re.I)


def _attribute_quotes(draft: Draft, people: dict[str, _Person]) -> None:
    """Give each quote its speaker.

    In order: the person named beside it in its paragraph ("X said:", "...," said X);
    the person who ends the paragraph before with "said:"; for "he added" or a
    quote that continues a paragraph, or a quote right after another, the
    person last named or the speaker of the quote before.
    """
    text = draft.text
    person_spans = sorted((m.start, m.end, p.key) for p in people.values() for m in p.mentions)

    def person_in(start: int, end: int, last: bool) -> str | None:
        hits = [key for s, e, key in person_spans if s >= start and e <= end and not text.in_quote(s)]
        if not hits:
            return None
        return hits[-1] if last else hits[0]

    last_speaker: str | None = None
    previous_quote: tuple[int, int, str | None] | None = None  # line start, quote end, speaker
    for q_start, q_end in text.quotes:
        quoted = text.raw[q_start:q_end]
        if len(quoted.split()) < 5 and not quoted.rstrip().endswith((".", ",", "!", "?")):
            continue  # a scare-quoted phrase ('zombie' knives), not speech: speech ends in punctuation
        line_start, line_end = text.line_at(q_start)
        before_start = max(line_start, q_start - 250)
        speaker = person_in(before_start, q_start, last=True)
        after_end = min(line_end, q_end + 150)
        after = text.norm[q_end:after_end]
        if speaker is None:
            stop = re.search(r"[.!?]\s", after)
            speaker = person_in(q_end, q_end + (stop.start() if stop else len(after)), last=False)
        if speaker is None and text.norm[line_start:q_start].strip(' "\'') == "":
            # A quote that opens its paragraph: attributed at the end of the previous one ("... said:").
            previous = [line for line in text.lines if line[1] < line_start]
            if previous and text.norm[previous[-1][0]:previous[-1][1]].rstrip().endswith(":"):
                speaker = person_in(previous[-1][0], previous[-1][1], last=True)
        if speaker is None and previous_quote and previous_quote[0] == line_start:
            speaker = previous_quote[2]  # a second quote in the same paragraph: "...,” said X. “..."
        pronoun = _PRONOUN.search(text.norm[before_start:q_start]) or _PRONOUN.search(after)
        if speaker is None and (pronoun or text.norm[line_start:q_start].strip(' "\'') == ""):
            speaker = (person_in(0, q_start, last=True) if pronoun else None) or last_speaker
        if speaker:
            last_speaker = speaker
        previous_quote = (line_start, q_end, speaker)
        draft.quotes.append(Quote(Span(q_start, q_end, quoted, "pattern:quotation-marks"), speaker))


def speaker_force(draft: Draft, pos: int) -> str | None:
    """The force of whoever speaks the quote at pos (for "our County Lines Taskforce")."""
    quote = next((q for q in draft.quotes if q.span.start <= pos < q.span.end), None)
    if quote is None or quote.speaker is None:
        return None
    person = next((p for p in draft.people if p.key == quote.speaker), None)
    if person is None or person.organisation is None:
        return None
    kind, key = person.organisation
    if kind == "force":
        return key
    if kind == "unit":
        info = draft.info.get(("unit", key))
        return info.forces[0] if info and info.forces else None
    return None
