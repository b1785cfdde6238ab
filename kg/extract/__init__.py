"""Extract findings from one release: the second stage of the flow.

The pipeline is a fixed list of small rule-based steps over a `Draft`, each
reading the text and what the steps before it found (forces before units,
units before people, people before the units' forces):

    forces -> operations -> regional units -> partners -> units -> main force -> operations' owners
           -> acronyms -> people and quotes -> bodies officers belong to -> units' forces -> activity and outcomes

`extract(document)` runs them and returns frozen `Findings`. It uses no
statistical model and reads no file but the gazetteers in `kg/data/`.
"""
from __future__ import annotations

from collections import Counter

from .. import lexicon
from ..documents import Document
from ..findings import Findings
from .activity import find_activity
from .draft import Draft
from .forces import find_forces
from .operations import assign_operation_owners, find_operations
from .partners import find_partners
from .people import find_people, speaker_force
from .units import (assign_unit_forces, find_acronyms, find_shared_units, find_unit_suffix_forces, find_units,
                    units_officers_belong_to)

__all__ = ["extract"]


def extract(document: Document) -> Findings:
    draft = Draft(document)
    find_forces(draft)
    find_operations(draft)
    find_shared_units(draft)
    find_partners(draft)
    find_units(draft)
    find_unit_suffix_forces(draft)
    draft.main_force = main_force(draft)  # after units: a force named inside a unit's name counts
    assign_operation_owners(draft)
    find_acronyms(draft, "unit")
    find_acronyms(draft, "partner")
    find_people(draft)
    units_officers_belong_to(draft)
    assign_unit_forces(draft, lambda pos: speaker_force(draft, pos))
    draft.activity = find_activity(draft)
    return draft.findings()


def main_force(draft: Draft) -> str | None:
    """The force the release plainly comes from: its publisher, else the UK force it names most, a force
    in the headline or lead counting once more (first named on a tie)."""
    if draft.document.publisher:
        force_id = lexicon.force_spellings().get(lexicon.fold(draft.document.publisher))
        if force_id:
            return force_id
    mentions = [m for m in draft.of_kind("force") if draft.entity_info("force", m.key).scope != "foreign"]
    if not mentions:
        return None
    counts = Counter(m.key for m in mentions)
    first = {}
    for m in mentions:
        first.setdefault(m.key, m.span.start)
    # The headline and the lead say whose release it is: a force named there counts once more.
    lines = draft.text.lines[:2]
    for key in {m.key for m in mentions if lines and m.span.start < lines[-1][1]}:
        counts[key] += 1
    return max(counts, key=lambda key: (counts[key], -first[key]))
