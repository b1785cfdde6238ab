"""Police units: "Violent Crime Taskforce", "GMP's Economic Crime Unit", "SE BCU".

A unit is a capitalised name ending in a head word (Unit, Team, Taskforce,
Squad, Command, Branch, CID...), or a capitalised name followed by a
lower-case one ("Dudley Priorities team"). The owning force is stripped from
the name and kept as the unit's force ("Kent Police Chief Constable's Crime
Squad" gives "Chief Constable's Crime Squad" of Kent Police).

The force of a unit comes, in this order, from: its name; a regional or
national scope (no force); a sentence that says what it is "made up of"; a
speaker's "our"; the one force named in the same sentence; the force the
release comes from. `assign_unit_forces` applies the rules that need people
and quotes, so it runs after them.
"""
from __future__ import annotations

import re
from functools import cache, lru_cache

from .. import lexicon
from ..lexicon import alternation, fold
from .draft import Draft
from .forces import add_force
from .text import Token, cap_phrases

_ACRONYM_AFTER = re.compile(r"\s*[(\[]\s*([A-Z][A-Za-z]*[A-Z][A-Za-z]?s?|[A-Z]{2,}\s[A-Z]{2,5})\s*[)\]]")
_RANK_START = frozenset("""Detective Det Inspector Insp Sergeant Sgt Constable Superintendent Supt PC DC DS DI DCI DCS ACC DCC
Commander Cdr Commissioner PCSO Temporary Acting T/DCI T/DI T/DS T/Det A/Insp Mr Mrs Ms Dr Cllr Councillor""".split())
_MADE_UP = re.compile(r"\b(?:made\s+up\s+of|comprising|comprised\s+of|drawn\s+from|staffed\s+by|consists?\s+of|formed\s+(?:of|from|by))\b", re.I)
_BODY_HEADS = frozenset("Services Service Council Agency Trust Authority Office".split())
_FORCE_THEN_UNIT = re.compile(r"(?:'s|s')?\s*(?:\(\s*[A-Z][A-Za-z]{1,6}\s*)?\)\s*(?:'s\s*)?")
_OUR = re.compile(r"\b(?:our|my)\s+(?:\w+\s+){0,2}$", re.I)


@cache
def _words() -> dict[str, frozenset[str]]:
    sections = lexicon.unit_words()
    heads = sections["heads"]
    return {
        "heads": frozenset(h for h in heads if " " not in h),
        "pair_heads": frozenset(h for h in heads if " " in h),
        "lower": frozenset(sections["lower_heads"]),
        "acronym": frozenset(sections["acronym_heads"]),
        "not_units": frozenset(fold(n) for n in sections["not_units"]),
        "keep": frozenset(sections["keep_possessors"]),
    }


@cache
def _shared_pattern() -> tuple[re.Pattern[str], dict[str, str]]:
    spellings: dict[str, str] = {}
    for body in lexicon.shared_units().values():
        for spelling in (body.name, *body.aliases):
            spellings[fold(spelling)] = body.id
    originals = [s for b in lexicon.shared_units().values() for s in (b.name, *b.aliases)]
    return re.compile(rf"(?<![\w-])(?:{alternation(originals)})(?![\w-])"), spellings


def expanded(name: str) -> str:
    """A unit name with its abbreviations written out, for comparing spellings."""
    for pattern, long in lexicon.unit_expansions():
        name = pattern.sub(long, name)
    return name


def unit_key(name: str) -> str:
    """One key for every spelling of a unit: expanded, singular, 'Op' as 'Operation'."""
    name = re.sub(r"^(?:Op\.?|OP)\s", "Operation ", name.strip())
    name = re.sub(r"(?<=[a-z])s$", "", expanded(name).strip())
    key = fold(name)
    shared = _shared_pattern()[1]
    return shared.get(key, lexicon.slug(key))


def _is_head(tokens: list[Token], i: int) -> bool:
    words = _words()
    text = tokens[i].bare
    if text in words["heads"] or text in words["acronym"]:
        return True
    return i > 0 and f"{tokens[i - 1].text} {text}" in words["pair_heads"]


def _segments(tokens: list[Token]) -> list[list[Token]]:
    """Split a capitalised phrase where one unit name ends and another begins."""
    segments: list[list[Token]] = [[]]
    for token in tokens:
        current = segments[-1]
        if current and _is_rank_token(current[0]) and token.text in ("of", "from", "at"):
            segments.append([])  # "Detective Inspector Craig McLaren of the Specialist Crime Division"
            continue
        has_head = any(_is_head(current, j) for j in range(len(current)))
        joins_bodies = token.text in ("and", "&") and current and current[-1].bare in _BODY_HEADS
        if joins_bodies or (current and has_head and (
                (token.text in ("and", "&") and _is_head(current, len(current) - 1))
                or _is_rank_token(token))):
            segments.append([] if token.text in ("and", "&") else [token])
            continue
        current.append(token)
    return [s for s in segments if s]


def find_shared_units(draft: Draft) -> None:
    """Regional and national units from the gazetteer: ERSOU, TITAN, the NCLCC..."""
    pattern, spellings = _shared_pattern()
    units = lexicon.shared_units()
    for m in pattern.finditer(draft.text.norm):
        if draft.at(m.start(), m.end(), "operation"):
            continue  # "Op Titan" is an operation, whatever unit shares the word
        unit_id = spellings.get(fold(m.group()))
        if unit_id and draft.add("unit", unit_id, m.group(), m.start(), m.end(), f"gazetteer:unit:{units[unit_id].name}"):
            info = draft.entity_info("unit", unit_id)
            info.canonical, info.scope, info.force_rule = units[unit_id].name, units[unit_id].kind, f"scope:{units[unit_id].kind}"


def find_units(draft: Draft) -> None:
    text = draft.text
    words = _words()
    for phrase in cap_phrases(text):
        for segment in _segments(phrase):
            heads = [i for i in range(len(segment)) if _is_head(segment, i)]
            if heads:
                _candidate(draft, segment[:heads[-1] + 1], head_rule="head-word")
                rest = segment[heads[-1] + 1:]
            else:
                rest = segment
            # A capitalised name then a lower-case head: "Dudley Priorities team", "Matrix Vehicle Enforcement (MVET) team".
            # Only the end of a phrase can be followed by one.
            if rest and segment[-1] is phrase[-1]:
                after = text.norm[rest[-1].end:]
                acronym = _ACRONYM_AFTER.match(after)
                offset = acronym.end() if acronym else 0
                lower = re.match(r"\s+([a-z]+)\b", after[offset:])
                if lower and lower.group(1) in words["lower"] and "\n" not in after[:offset + lower.end()]:
                    end = rest[-1].end + offset + lower.end()
                    _candidate(draft, rest, head_rule="lower-case-head", end=end,
                               lower_head=lower.group(1), acronym=acronym.group(1) if acronym else None)


def _candidate(draft: Draft, tokens: list[Token], head_rule: str, end: int | None = None,
               lower_head: str | None = None, acronym: str | None = None) -> None:
    """Decide whether a run of tokens names a police unit, and add it."""
    words = _words()
    function = lexicon.words()["function_words"]
    forces: list[str] = []
    force_rule = ""
    tokens = list(tokens)
    while tokens and tokens[0].text in ("the", "The") and len(tokens) > 1:
        tokens = tokens[1:]  # "... and the Avon Police Dog Section"
    # Owning forces in front: "Kent Police ...", "GMP's ...", "Hampshire Constabulary and Thames Valley Police's ...".
    while tokens:
        force_here = draft.at(tokens[0].start, tokens[0].end, "force")
        place_force = lexicon.force_places().get(fold(tokens[0].bare))
        if force_here:
            force_id, force_end = force_here[0].key, force_here[0].span.end
        elif place_force and len(tokens) > 2 and (tokens[0].possessive or tokens[1].text in ("and", "&") or _is_name_start(tokens[1])):
            force_id, force_end = place_force, tokens[0].end
        else:
            break
        rest = [t for t in tokens if t.start >= force_end]
        if rest and rest[0].text in ("and", "&"):
            after_and = rest[1:]
            if not after_and or not (draft.at(after_and[0].start, after_and[0].end, "force")
                                     or lexicon.force_places().get(fold(after_and[0].bare))):
                # "BTP and SE BCU": two things named side by side, not a force owning a unit;
                # the second may have its own force in front ("BTP and the Garda Dog Unit").
                forces, force_rule = [], ""
                tokens = after_and[1:] if after_and and after_and[0].text in ("the", "The") else after_and
                continue
            rest = after_and
        forces.append(force_id)
        force_rule = "name:force-prefix" if force_here else "name:force-place-prefix"
        if not force_here:
            # "Leicestershire's Serious and Organised Crime Unit" names Leicestershire Police.
            add_force(draft, force_id, tokens[0].start, tokens[0].start + len(tokens[0].bare), "pattern:force-place-in-unit-name")
        tokens = rest
    # A possessive inside: "Cardiff's Criminal Investigation Department", "Chief Constable's Crime Squad".
    for i in range(len(tokens) - 1, -1, -1):
        if tokens[i].possessive and i < len(tokens) - 1:
            possessor = " ".join(t.bare for t in tokens[:i + 1])
            if any(possessor.endswith(keep) for keep in words["keep"]):
                keep = next(k for k in words["keep"] if possessor.endswith(k))
                n = len(keep.split())
                tokens = tokens[i + 1 - n:]
            else:
                if draft.at(tokens[0].start, tokens[i].end, "partner"):
                    return  # a council's or agency's team is not a police unit
                tokens = tokens[i + 1:]
            break
    # "Operation Larch and the Wexcombe Dog Unit": a name already found, then "and", then the unit.
    for i, token in enumerate(tokens[:-1]):
        if token.text in ("and", "&") and i and draft.at(tokens[0].start, tokens[i - 1].end, "operation", "unit", "partner"):
            tokens = tokens[i + 1:]
            break
    while tokens and (tokens[0].text in function or tokens[0].text in ("and", "&", "of", "the")) and not _is_head(tokens, 0):
        tokens = tokens[1:]
    if not tokens:
        return
    start = tokens[0].start
    end = end if end is not None else tokens[-1].end
    name_tokens = [t.text for t in tokens]
    if lower_head:
        name = draft.text.raw[start:tokens[-1].end] + " " + lower_head
        if len(tokens) == 1 and (tokens[0].text in function or lexicon.force_places().get(fold(tokens[0].text))
                                 or tokens[0].text in lexicon.words()["months"] or draft.at(start, tokens[-1].end, "force")
                                 or _shouted_lead(draft, tokens[0])):
            return
    else:
        name = draft.text.raw[start:end]
        if len(name_tokens) == 1 and name_tokens[0] not in words["acronym"]:
            return  # a bare head word ("Teams") is not a name
    if fold(name) in words["not_units"] or fold(name) in lexicon.generic_bodies():
        return
    if draft.at(start, end, "partner", "force") or draft.at(start, end, "unit"):
        return
    if tokens and _is_rank_token(tokens[0]):
        return
    key = unit_key(name)
    if lower_head and len(tokens) == 1:
        operations = {fold(draft.name_of("operation", k)).split(" ", 1)[-1]: k for k in draft.keys("operation")}
        if fold(tokens[0].text) in operations:
            key = unit_key(f"{draft.name_of('operation', operations[fold(tokens[0].text)])} {lower_head}")
    mention = draft.add("unit", key, name, start, end, f"pattern:unit-{head_rule}")
    if mention is None:
        return
    info = draft.entity_info("unit", key)
    if acronym:
        info.aliases.add(acronym)
    if not forces:
        # "Example Police (EXP) Dog Unit": the force right before the name, an acronym between.
        before = draft.at(max(0, start - 60), start, "force")
        if before and _FORCE_THEN_UNIT.fullmatch(draft.text.norm[before[-1].span.end:start]):
            forces, force_rule = [before[-1].key], "name:force-before-acronym"
    if forces and not info.forces:
        info.forces, info.force_rule = tuple(dict.fromkeys(forces)), force_rule
    if not info.scope and re.search(r"\b(?:Regional|National|Region)\b", expanded(name)):
        info.scope, info.force_rule = "regional", info.force_rule or "scope:regional-name"


def _is_rank_token(token: Token) -> bool:
    """'Detective', 'DCI', 'T/Sgt', 'A/Insp': a token that starts a rank, so ends any unit name before it."""
    return _starts_rank(token.text)


@lru_cache(maxsize=1 << 14)  # asked of every token of every capitalised phrase
def _starts_rank(text: str) -> bool:
    bare = _TEMPORARY.sub("", text)
    return bare in _RANK_START or lexicon.rank_of(bare) is not None


_TEMPORARY = re.compile(r"^(?:T|A|Temp|Tmp)/")


def _shouted_lead(draft: Draft, token: Token) -> bool:
    """A word in capitals at the head of a paragraph is house style ("A SPECIALIST team"), not a name."""
    if not (token.text.isupper() and len(token.text) > 4):
        return False
    line_start, _ = draft.text.line_at(token.start)
    return len(draft.text.norm[line_start:token.start].split()) < 3


def _is_name_start(token: Token) -> bool:
    return token.text[:1].isupper()


def find_unit_suffix_forces(draft: Draft) -> None:
    """"SE BCU (Met)": a force in brackets right after a unit."""
    for mention in draft.of_kind("unit"):
        after = draft.text.norm[mention.span.end:mention.span.end + 30]
        m = re.match(r"\s*\(([^)]{2,25})\)", after)
        if m:
            start = mention.span.end + m.start(1)
            forces = draft.at(start, mention.span.end + m.end(1), "force")
            info = draft.entity_info("unit", mention.key)
            if forces and not info.forces:
                info.forces, info.force_rule = (forces[0].key,), "name:force-in-brackets"


def find_acronyms(draft: Draft, kind: str) -> None:
    """Aliases a release defines: 'Dedicated Card and Payment Crime Unit (DCPCU)', 'NEROCU (North East ...)'.

    Later bare uses of the acronym become mentions of the same entity.
    """
    text = draft.text.norm
    defined: dict[str, str] = {}
    for mention in draft.of_kind(kind):
        after = _ACRONYM_AFTER.match(text, mention.span.end)
        if after and after.group(1) != mention.name:
            defined[after.group(1)] = mention.key
        before = re.search(r"\b([A-Z][A-Za-z]*[A-Z][A-Za-z]*)\s*[(\[]\s*(?:the\s+)?$", text[max(0, mention.span.start - 20):mention.span.start])
        if before:
            defined[before.group(1)] = mention.key
    for info_key, info in list(draft.info.items()):
        if info_key[0] == kind:
            for alias in info.aliases:
                defined.setdefault(alias, info_key[1])
    for acronym, key in defined.items():
        draft.entity_info(kind, key).aliases.add(acronym)
        singular = acronym[:-1] if acronym.endswith("s") and acronym[:-1].isupper() else None
        spans = sorted(draft.text.word_spans(acronym) + (draft.text.word_spans(singular) if singular else []))
        for start, end in spans:
            if not draft.at(start, end, "unit", "partner", "force"):
                draft.add(kind, key, text[start:end], start, end, f"alias:acronym:{acronym}")
    # A name the release writes in capitals once and in lower case elsewhere ("rural crime action team").
    for key in draft.keys(kind):
        names = {m.name for m in draft.of_kind(kind) if m.key == key and " " in m.name}
        for name in names:
            for start, end in draft.text.word_spans(name, ignore_case=True):
                if not draft.at(start, end, "unit", "partner", "force"):
                    draft.add(kind, key, draft.text.raw[start:end], start, end, "alias:same-name")


def assign_unit_forces(draft: Draft, speaker_force) -> None:
    """The contextual rules for a unit's force, once people and quotes are known.

    `speaker_force(pos)` returns the force of whoever speaks the quote at pos.
    """
    text = draft.text
    for key in draft.keys("unit"):
        info = draft.entity_info("unit", key)
        if info.forces or info.scope in ("regional", "national"):
            continue
        mentions = [m for m in draft.of_kind("unit") if m.key == key]
        decided: tuple[tuple[str, ...], str] | None = None
        for m in mentions:
            s, e = text.sentence_at(m.span.start)
            if _MADE_UP.search(text.norm, s, e):
                forces = tuple(dict.fromkeys(f.key for f in draft.at(s, e, "force")))
                if forces:
                    decided = (forces, "context:made-up-of")
                    break
        if not decided:
            for m in mentions:
                if text.in_quote(m.span.start) and _OUR.search(text.norm[max(0, m.span.start - 40):m.span.start]):
                    force = speaker_force(m.span.start)
                    if force:
                        decided = ((force,), "context:speaker-our")
                        break
        if not decided:
            for m in mentions:
                s, e = text.sentence_at(m.span.start)
                forces = {f.key for f in draft.at(s, e, "force")}
                if len(forces) == 1:
                    decided = ((forces.pop(),), "context:force-in-sentence")
                    break
        if not decided and draft.main_force:
            decided = ((draft.main_force,), "context:release-force")
        if decided:
            info.forces, info.force_rule = decided


def units_officers_belong_to(draft: Draft) -> None:
    """A body a police officer is "of" is a police unit, unless a gazetteer or its name says otherwise.

    "Detective Sergeant Jo Bloggs of the Harbour Crime Partnership" makes the
    partnership a unit of the police; "of the Environment Agency" (a gazetteer
    body) or "of Avonford Council" (a council) stays a partner.
    """
    from dataclasses import replace

    generic = lexicon.agencies()
    for i, person in enumerate(draft.people):
        if person.organisation is None or person.organisation[0] != "partner" or person.organisation_rule != "text:after-name":
            continue
        if person.rank is None or lexicon.ranks()[person.rank].kind != "police":
            continue
        key = person.organisation[1]
        name = draft.name_of("partner", key)
        if key in generic or re.search(r"\b(?:Council|Trust|Charity|Society|Agency|Authority|Service|Services|Office|Ministry)\b", name):
            continue
        unit = unit_key(name)
        for m in draft.mentions:
            if m.kind == "partner" and m.key == key:
                m.kind, m.key = "unit", unit
        draft.changed()
        draft.info.pop(("partner", key), None)
        draft.entity_info("unit", unit)
        draft.people[i] = replace(person, organisation=("unit", unit))
        for j, other in enumerate(draft.people):
            if other.organisation == ("partner", key):
                draft.people[j] = replace(other, organisation=("unit", unit))
