"""Partner agencies: named organisations outside the police.

Found by gazetteer (national agencies, prosecutors, regulators, charities,
campaigns), by the shape of a name (councils, "<Place> Trading Standards",
names ending in Trust, Agency, Authority...), and by grammar: the proper
names in a list after "partner agencies including", "in partnership with",
"supported by"; a name after "the charity" or "the event organisers,".
Generic bodies ("councils", "Children's Services") are not partners; nor are
courts or the outlet that republished the release.
"""
from __future__ import annotations

import re
from functools import cache

from .. import lexicon
from ..lexicon import alternation, fold
from .draft import Draft
from .text import cap_phrases

ORG_HEADS = frozenset("""Trust Foundation Charity Agency Authority Commission Service Services Office Ministry Society
Association Institute College University Partnership Ltd Limited plc PLC Homes Housing Board Inspectorate
Council Fund Alliance Federation Network Standards Communities Coalition Campaign""".split())
# Capitalised words after a gazetteer name that still leave it the same body ("NCA officers").
_SAME_BODY_AFTER = frozenset("Officers Officer Investigators Investigator Staff Team Teams Colleagues Partners Agents".split())
# Capitalised words then a role: "Example Agency Fraud Team lead", "Example Trust Youth Programme manager".
_ROLE_AFTER = re.compile(r"(?:\s+[A-Z][\w'-]*){1,4}\s+(?:lead|head|director|manager|coordinator|co-ordinator|officer|spokesperson)\b"
                         r"|(?:\s+[A-Z][\w'-]*){0,3}\s+(?:Lead|Head|Director|Manager|Coordinator|Co-ordinator|Officer|Spokesperson)\s+[A-Z][a-z]")
_NOT_PARTNER_HEADS = frozenset("Court Courts Crown Magistrates".split())

_LIST_CUE = re.compile(
    r"\b(?:(?:partner\s+agencies|partners|agencies|organisations|organizations|charities|bodies)"
    r"(?:\s+(?:present|involved|taking\s+part|such))?\s*,?\s*(?:include[ds]?|including|such\s+as|like|were|from|within)\s*:?"
    r"|in\s+(?:partnership|collaboration|conjunction|co-?operation)\s+with"
    r"|(?:worked|working|works|work)\s+(?:closely\s+)?(?:with|alongside)"
    r"|together\s+with|joined\s+(?:with|by)|supported\s+by|backed\s+by|funded\s+by|assisted\s+by|sponsored\s+by"
    r"|(?:visits|checks)\s+with|teamed\s+up\s+with|partnered\s+with|with\s+the\s+(?:support|help)\s+of"
    r"|partners\s+(?:in|at|from))\s+", re.I)
_APPOSITIVE = re.compile(
    r"\b(?:the\s+)?(?:charity|charities|organisation|company|firm|event\s+organisers?|organisers?|agency|partner|body"
    r"|housing\s+association|social\s+enterprise|campaign\s+group)\s*,?\s+(?=[A-Z])")
_OFFICE_OF = re.compile(r"\bOffice\s+of\s+the\s+(?:[A-Z][\w'-]*,?\s+(?:(?:and|&|for|of)\s+)?){1,6}[A-Z][\w'-]*")


@cache
def _gazetteer() -> tuple[re.Pattern[str], dict[str, str]]:
    spellings: dict[str, str] = {}
    originals = []
    for body in lexicon.agencies().values():
        for spelling in (body.name, *body.aliases):
            spellings[fold(spelling)] = body.id
            originals.append(spelling)
    return re.compile(rf"(?<![\w@/.-])(?:{alternation(originals)})(?![\w-])"), spellings


@cache
def _role_nouns() -> re.Pattern[str]:
    nouns = sorted(lexicon.words()["role_nouns"])
    return re.compile(rf"\b(?:{'|'.join(re.escape(noun) for noun in nouns)})\b" if nouns else r"(?!)")


def find_partners(draft: Draft) -> None:
    text = draft.text
    pattern, spellings = _gazetteer()
    agencies = lexicon.agencies()
    for m in pattern.finditer(text.norm):
        agency_id = spellings.get(fold(m.group()))
        following = re.match(r" ([A-Z][\w'-]*)", text.norm[m.end():m.end() + 30])
        if following and following.group(1) not in _SAME_BODY_AFTER and not _ROLE_AFTER.match(text.norm, m.end()):
            continue  # part of a longer name: "NFU Mutual" is not the NFU
        if agency_id and not draft.at(m.start(), m.end(), "force", "unit"):
            if draft.add("partner", agency_id, draft.text.raw[m.start():m.end()], m.start(), m.end(), f"gazetteer:agency:{agencies[agency_id].name}"):
                info = draft.entity_info("partner", agency_id)
                info.canonical, info.scope = agencies[agency_id].name, agencies[agency_id].kind

    _merge_shortened(draft)

    for m in _OFFICE_OF.finditer(text.norm):
        add_partner(draft, m.start(), m.end(), "pattern:office-of", role_title_ok=True)

    for phrase in cap_phrases(text):
        if re.search(r"\b(?:in|near|at)\s+$", text.norm[max(0, phrase[0].start - 6):phrase[0].start]):
            continue  # "in Quarry Bank": a place, not a body
        _bodies_in_phrase(draft, phrase)

    for cue in _LIST_CUE.finditer(text.norm):
        _list_items(draft, cue.end(), "pattern:partner-list")
    for cue in _APPOSITIVE.finditer(text.norm):
        _list_items(draft, cue.end(), "pattern:organisation-appositive", first_only=True)


def _merge_shortened(draft: Draft) -> None:
    """A body named in full and then by the tail of its name is one body.

    "Example Office Border Checks" then "Border Checks": the later, shorter
    mentions join the longer name the release gave first.
    """
    names = {m.key: fold(m.name) for m in draft.of_kind("partner")}
    for short_key, short in names.items():
        longer = [k for k, n in names.items() if k != short_key and n.endswith(" " + short)]
        if len(longer) == 1:
            for m in draft.mentions:
                if m.kind == "partner" and m.key == short_key:
                    m.key = longer[0]
            draft.changed()
            draft.info.pop(("partner", short_key), None)


def _bodies_in_phrase(draft: Draft, phrase) -> None:
    """Each name in a capitalised phrase that ends in an organisation head word.

    A phrase may hold several ("Plymouth Community Homes and Plymouth City
    Council"); a council keeps the department that follows it ("Suffolk County
    Council Trading Standards").
    """
    start = 0
    i = 0
    while i < len(phrase):
        token = phrase[i]
        ends_name = i == len(phrase) - 1 or token.possessive or phrase[i + 1].text in ("and", "&")
        if token.bare == "Council" and not token.possessive:
            end_i = next((j for j in range(i + 1, len(phrase)) if phrase[j].possessive or phrase[j].text in ("and", "&")),
                         len(phrase) - 1)
            if phrase[end_i].text in ("and", "&"):
                end_i -= 1
            i, ends_name = end_i, True
        if token.bare in ORG_HEADS and ends_name:
            first = _first_name_token(phrase[start:i + 1])
            if first is not None and start + first < i and not any(t.bare in _NOT_PARTNER_HEADS for t in phrase[start:i + 1]):
                rule = "pattern:council" if "Council" in (t.bare for t in phrase[start:i + 1]) else f"pattern:organisation-head:{token.bare}"
                add_partner(draft, phrase[start + first].start, _bare_end(phrase[i]), rule)
            start = i + 2 if i + 1 < len(phrase) and phrase[i + 1].text in ("and", "&") else i + 1
        i += 1


def _bare_end(token) -> int:
    return token.end - (2 if token.text.endswith("'s") else 1 if token.text.endswith("s'") else 0)


def _first_name_token(tokens) -> int | None:
    function = lexicon.words()["function_words"]
    for i, token in enumerate(tokens):
        if token.text not in function and token.text not in ("and", "&", "of", "for", "the"):
            return i
    return None


def add_partner(draft: Draft, start: int, end: int, rule: str, role_title_ok: bool = False) -> str | None:
    """Add a partner named at [start, end) unless it is police, generic or already known there."""
    raw = draft.text.raw
    while start < end and raw[start] in " ,.;:":
        start += 1
    while end > start and raw[end - 1] in " ,.;:":
        end -= 1
    article = re.match(r"(?:the|The)\s+", raw[start:end])
    if article:
        start += article.end()
    name = raw[start:end]
    first = re.match(r"(?:T/|A/)?([A-Z][\w.]*(?:\s+[A-Z][\w.]*)?)\s", name)
    if first and (lexicon.rank_of(first.group(1)) or lexicon.rank_of(first.group(1).split()[0])):
        # "Detective Sergeant Jo Bloggs of the Harbour Partnership": the body is what follows "of".
        tail = re.search(r"\s(?:of|from|at|for)\s+(?:the\s+)?(?=[A-Z])", name)
        if tail:
            return add_partner(draft, start + tail.end(), end, rule, role_title_ok)
    words = lexicon.words()
    if not name or not name[0].isupper() or fold(name) in lexicon.generic_bodies():
        return None
    if name in words["months"] or name in words["weekdays"] or name in words["countries"] or name in words["function_words"]:
        return None
    if draft.at(start, end, "force", "unit", "partner", "operation"):
        return None
    spelled_out = re.match(r"\s*\(([^)]{3,80})\)", draft.text.norm[end:end + 90])
    if spelled_out and len(draft.at(end + spelled_out.start(1), end + spelled_out.end(1), "force")) >= 2:
        return None  # "ABC (Kent, Essex and Sussex)": a collaboration of forces, not a body outside the police
    if not role_title_ok and _role_nouns().search(name):
        return None  # a role title: "Portfolio Holder for Operational Services"
    if _is_police_unit_name(draft, name, end) or _is_tactic(name):
        return None
    key = _gazetteer()[1].get(fold(name)) or lexicon.slug(name)
    if not draft.add("partner", key, name, start, end, rule):
        return None
    if key in lexicon.agencies():
        info = draft.entity_info("partner", key)
        info.canonical, info.scope = lexicon.agencies()[key].name, lexicon.agencies()[key].kind
    return key


def _list_items(draft: Draft, start: int, rule: str, first_only: bool = False) -> None:
    """The proper names in a coordinated list starting at `start`, up to the end of its sentence."""
    text = draft.text
    _, end = text.sentence_at(start)
    stretch = text.norm[start:end]
    pos = 0
    items = 0
    for chunk in re.split(r"(\s*[,;:]\s*)", stretch):
        chunk_start = start + pos
        pos += len(chunk)
        if not chunk.strip() or re.fullmatch(r"\s*[,;:]\s*", chunk):
            continue
        if len(chunk.split()) >= 6 and sum(w[:1].islower() for w in chunk.split()) > len(chunk.split()) / 2:
            break  # a clause, not a list item: the list has ended
        items += 1
        places = False
        for part_start, part in _and_parts(draft, chunk_start, chunk, in_list=items > 1):
            if places or re.search(r"\b(?:in|at|across|near|around|throughout)\s+[A-Z][\w'-]*\s*$", part):
                places = True  # "colleagues in Avonford and Burnhope": the second name is a place too
                continue
            m = re.match(r"(?:the\s+|The\s+)?((?:[A-Z][\w'&.-]*)(?:\s+(?:[A-Z][\w'&.-]*|and|&|of|for|the|de)(?=\s+[A-Z&]|$|\s*\())*(?:\s+[A-Z][\w'&.-]*)*)", part)
            if not m:
                if first_only:
                    return
                continue
            name = m.group(1).strip()
            if all(lexicon.force_places().get(fold(w)) or w in ("and", "&") or w in lexicon.words()["countries"]
                   for w in re.split(r"\s+(?=\S)", name)) or _only_places(name):
                continue
            if len(name.split()) > 8 or name.split()[-1] in ("and", "&", "of", "for", "the"):
                continue
            item_start = part_start + m.start(1)
            if draft.at(item_start, item_start + len(name), "force", "unit", "partner", "operation"):
                if first_only:
                    return
                continue
            add_partner(draft, item_start, item_start + len(name), rule)
        if first_only:
            return


_AMBIGUOUS_HEADS = frozenset("Group Groups Section Division Department Command Branch Bureau Cell Hub Syndicate".split())
_POLICING_WORDS = re.compile(r"\b(?:Crime|Criminal|Polic\w*|Operations?|Investigations?|Intelligence|Enforcement|Response|Tactical|"
                             r"Armed|Traffic|Roads|Mounted|Dogs?|Marine|Motorways?|Counter|Detectives?|Custody|Firearms)\b")


@cache
def _unit_heads() -> frozenset[str]:
    words = lexicon.unit_words()
    return frozenset(words["heads"]) | frozenset(words["acronym_heads"])


def _is_police_unit_name(draft: Draft, name: str, end: int) -> bool:
    """'Mounted Branch', 'Police Dog Unit', 'Serious Organised Crime group': left for the unit extractor."""
    head = name.split()[-1]
    if " ".join(name.split()[-2:]) in _unit_heads():
        return True
    if head in _unit_heads():
        # "Group", "Division"... name companies too: only a policing word makes them a police unit.
        return head not in _AMBIGUOUS_HEADS or bool(_POLICING_WORDS.search(name))
    lower = re.match(r"\s+(\w+)", draft.text.norm[end:end + 20])
    return bool(lower) and lower.group(1) in lexicon.unit_words()["lower_heads"]


def _is_tactic(name: str) -> bool:
    """'Automatic Number Plate Recognition', 'CCTV': tactics and tools, not organisations."""
    return any(t.pattern and t.pattern.fullmatch(name) for t in lexicon.tactics())


def _only_places(name: str) -> bool:
    """'Kent and Essex', 'London': county and country names, not organisations."""
    parts = re.split(r"\s*(?:,|\band\b|&)\s*", name)
    known = lexicon.words()["countries"] | {"London", "England", "Wales", "Scotland", "Northern Ireland", "UK", "Britain"}
    return all(p in known or lexicon.force_places().get(fold(p)) for p in parts if p)


def _and_parts(draft: Draft, start: int, chunk: str, in_list: bool) -> list[tuple[int, str]]:
    """Split 'X and Y' where it joins list items; keep a name like 'Department for Work and Pensions'.

    It joins items when X is already known, Y starts with 'the', either side is
    not capitalised, the chunk closes a comma-separated list, or Y ends in an
    organisation head word of its own.
    """
    parts = []
    cursor = 0
    for m in re.finditer(r"\s+(?:and|&)\s+", chunk):
        left_end = start + m.start()
        left_known = draft.at(max(start + cursor, left_end - 1), left_end, "force", "unit", "partner")
        right = chunk[m.end():]
        right_words = re.match(r"[A-Z][\w'-]*(?:\s+[A-Z][\w'-]*)*", right)
        left_words = chunk[cursor:m.start()].split()
        right_is_body = (bool(right_words) and right_words.group().split()[-1] in ORG_HEADS
                         and len(right_words.group().split()) > 1 and bool(left_words) and left_words[-1] in ORG_HEADS)
        # "North and East Dog Section": one police unit named for two areas, left whole for the unit rules.
        one_unit = (bool(right_words) and len(left_words) == 1 and not left_known
                    and _is_police_unit_name(draft, right_words.group(), start + m.end() + right_words.end()))
        if one_unit:
            continue
        if (left_known or right.startswith(("the ", "The ")) or not right[:1].isupper()
                or not re.sub(r"^(?:the|The)\s+", "", chunk[cursor:m.start()].strip())[:1].isupper()
                or (in_list and "&" not in m.group()) or right_is_body):
            parts.append((start + cursor, chunk[cursor:m.start()]))
            cursor = m.end()
    parts.append((start + cursor, chunk[cursor:]))
    return parts
