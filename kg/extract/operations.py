"""Named operations and campaigns: "Operation Venice", "Op Orochi", "Project Servator".

"Op X" and "Operation X" are one operation, named "Operation X"; "Project X"
and "Programme X" keep their word. Once a release has named "Operation
Tremmor", a later bare "Tremmor" is another mention of it. Unnamed activity
("a joint operation", "a week of action") is not an operation.
"""
from __future__ import annotations

import re

from .. import lexicon
from .draft import Draft

_OPERATION = re.compile(
    r"\b(?P<word>Operation|OPERATION|Op\.?|OP|Project|PROJECT|Programme|Program)[ ]+"
    r"(?P<name>(?:[A-Z0-9][\w'\-]*|[A-Z]{2,})(?:[ ]+(?:[A-Z][\w'\-]*))?(?:[ ]+(?:[A-Z][\w'\-]*))?"
    r"(?:[ ]+\d{1,2}(?![\w,.]\d|\d)(?![ ]+[a-z]))?)")  # "Op Larch 2", not "Op Larch 10 people"
# "Example Police (EXP) Lantern campaign": a force's campaign under a one-word name.
_FORCE_CAMPAIGN = re.compile(r"(?:'s|s')?\s*(?:\(\s*[A-Z][A-Za-z]{1,6}\s*\)\s*)?(?P<name>[A-Z][a-z]{3,})\s+"
                             r"(?:campaign|operation|programme|initiative|crackdown)\b")

# Capitalised words that follow "Operation"/"Project" but are not a codename.
_NOT_NAMES = frozenset("""
Lead Leads Manager Managers Officer Officers Team Teams Commander Commanders Director Coordinator Co-ordinator
Board Group Unit Support Name Names Update Updates Plan Plans Phase Centre Room Partners Partner Funding
The A An This That In On At Of For And Is Was Has Had Have Will Would Police Officer Detective
""".split())


def operation_name(word: str, codename: str) -> str:
    """The canonical name: 'Op Orochi' -> 'Operation Orochi'; 'Project Servator' stays."""
    word = word.rstrip(".").lower()
    prefix = {"op": "Operation", "operation": "Operation", "project": "Project",
              "programme": "Programme", "program": "Programme"}[word]
    if codename.isupper() and len(codename) > 3 and not any(c.isdigit() for c in codename):
        codename = codename.title()
    return f"{prefix} {codename}"


def _names_unit(text, end: int, before: int) -> bool:
    """True when the words after the codename's first run on into a unit's own name: two or more
    words, then a head word ("Op Larch County Lines Taskforce"; not "Op Blue Lightning Team")."""
    run = re.match(r"(?:[ ]+[A-Z][\w'\-]*)*", text.norm[end:end + 80]).group().split()
    heads = set(lexicon.unit_words()["heads"])
    return bool(run) and run[-1] in heads and before + len(run) - 1 >= 2


def find_operations(draft: Draft) -> None:
    text = draft.text
    stop = lexicon.words()["months"] | lexicon.words()["weekdays"] | _NOT_NAMES
    codenames: dict[str, str] = {}
    for m in _OPERATION.finditer(text.norm):
        words = m.group("name").split()
        kept: list[str] = []
        for word in words:
            bare = word[:-2] if word.endswith("'s") else word[:-1] if word.endswith("'") else word
            if bare in stop or (kept and lexicon.force_spellings().get(lexicon.fold(bare))):
                break
            kept.append(bare)
            if bare != word:
                break  # a possessive ends the name: "Operation Sceptre's"
        if len(kept) > 1 and _names_unit(text, m.start("name") + len(" ".join(kept)), len(kept) - 1):
            kept = kept[:1]  # "Op Larch County Lines Taskforce": the codename, then a unit's own name
        if not kept:
            continue
        if m.group("word") in ("Project", "PROJECT", "Programme", "Program") and kept[0] in lexicon.words()["function_words"]:
            continue
        codename = " ".join(kept)
        name = operation_name(m.group("word"), codename)
        end = m.start("name") + len(codename)
        key = lexicon.slug(name)
        draft.add("operation", key, name, m.start(), end, f"pattern:{m.group('word').rstrip('.').lower()}+codename")
        if len(codename) > 2:
            codenames[codename] = key

    function = lexicon.words()["function_words"]
    for force in draft.of_kind("force"):
        m = _FORCE_CAMPAIGN.match(text.norm, force.span.end)
        not_codenames = lexicon.words()["not_codenames"]
        if (m and m.group("name") not in stop and m.group("name") not in function and m.group("name") not in not_codenames
                and not lexicon.force_places().get(lexicon.fold(m.group("name")))
                and not draft.at(m.start("name"), m.end("name"), "operation")):
            key = lexicon.slug(m.group("name"))
            draft.add("operation", key, m.group("name"), m.start("name"), m.end("name"), "pattern:force+name+campaign")
            codenames[m.group("name")] = key

    # Later bare mentions of a codename the release has introduced: "Tremmor is ...".
    for codename, key in codenames.items():
        name = draft.name_of("operation", key)
        for start, end in draft.text.word_spans(codename):
            if not draft.at(start, end, "operation"):
                draft.add("operation", key, name, start, end, "alias:bare-codename")


_NATIONAL = re.compile(
    r"\b(?:national(?:ly)?|nationwide|UK-wide|country-?wide|across\s+the\s+(?:UK|country|nation)|all\s+(?:UK\s+)?(?:police\s+)?forces"
    r"|every\s+(?:police\s+)?force|forces\s+across|NPCC|National\s+Police\s+Chiefs|ACPO|Association\s+of\s+Chief\s+Police)\b")
_OWNER_BEFORE = re.compile(r"(?:'s|s')\s+(?:(?:own|new|latest|long-running|ongoing|dedicated)\s+)?$")


def assign_operation_owners(draft: Draft) -> None:
    """Whose operation each codename is, so that two forces' unrelated "Operation Larch" stay two.

    A national operation or campaign (one the gazetteer lists as national, or
    that the release calls national: "a national week of action", "led by the
    NPCC") belongs to no force. Otherwise its owners are the forces the
    release ties to it: a force possessive right before it ("Avon Police's
    Operation Larch"), the UK forces named with it in a sentence that says they
    ran it together ("a joint Avon and Wessex operation, Operation Larch"), else
    the force the release comes from.
    """
    national = lexicon.words().get("national_operations", frozenset())
    text = draft.text
    for key in draft.keys("operation"):
        info = draft.entity_info("operation", key)
        mentions = [m for m in draft.of_kind("operation") if m.key == key]
        if draft.name_of("operation", key) in national or any(
                _NATIONAL.search(text.norm, *text.sentence_at(m.span.start)) for m in mentions):
            info.scope, info.force_rule = "national", "scope:national"
            continue
        owners: list[str] = []
        rule = ""
        for m in mentions:
            before = draft.at(max(0, m.span.start - 40), m.span.start, "force")
            if before and _OWNER_BEFORE.fullmatch(text.norm[before[-1].span.end:m.span.start]):
                owners, rule = [before[-1].key], "name:force-possessive"
                break
        if not owners:
            for m in mentions:
                s, e = text.sentence_at(m.span.start)
                if re.search(r"\bjoint\b|\btogether\b|\balongside\b|\bjoined\s+forces\b", text.norm[s:e], re.I):
                    home = [f.key for f in draft.at(s, e, "force") if draft.entity_info("force", f.key).scope != "foreign"]
                    if len(set(home)) >= 2:
                        owners, rule = sorted(set(home)), "context:joint-forces-in-sentence"
                        break
        if not owners and draft.main_force:
            owners, rule = [draft.main_force], "context:release-force"
        info.forces, info.force_rule = tuple(owners), rule
