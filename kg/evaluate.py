"""Measure the extractor on annotated releases: `kg evaluate CORPUS_DIR`.

CORPUS_DIR holds `docs/<id>.txt` (or .html, .jsonl; or the releases directly
in CORPUS_DIR, as `examples/` has them) and `gold/<id>.json`,
hand-made annotations in the format of the annotation guidelines:

    {"id": "...", "forces": ["Kent Police"],
     "units": [{"name": "Violent Crime Taskforce", "aliases": [], "force": "Metropolitan Police Service"}],
     "operations": ["Operation Venice"], "partners": ["Crimestoppers"],
     "people": [{"name": "Shaun White", "rank": "Detective Superintendent", "organisation": "..."}],
     "arrests": 32, "optional": {"units": ["Specialist Crime"]}}

The releases are ingested into a store (a temporary one unless --store is
given) and the graph is read back through the same named queries a user
runs, so what is measured is what a researcher gets. Names are compared
folded (case, quotes, spacing, a leading "the"); forces by any alias;
"Op X" as "Operation X"; units by any alias the gold lists. Items under
`optional` count neither for nor against.
"""
from __future__ import annotations

import json
import re
import tempfile
import unicodedata
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from . import lexicon
from .api import open as open_graph
from .documents import Document, find_files, read_file

CATEGORIES = ("forces", "units", "operations", "partners", "people")


def norm(text: str | None) -> str:
    if not text:
        return ""
    text = unicodedata.normalize("NFKC", str(text)).replace("\u2019", "'").replace("\u2018", "'")
    text = re.sub(r"\s+", " ", text).strip().strip(".,;:").lower()
    return re.sub(r"^the ", "", text)


def force_key(name: str | None) -> str:
    key = norm(name)
    force = lexicon.force_spellings().get(lexicon.fold(key)) if key else None
    return norm(lexicon.forces()[force].name) if force else key


def operation_key(name: str | None) -> str:
    return re.sub(r"^op\.? ", "operation ", norm(name))


def organisation_key(name: str | None) -> str:
    return operation_key(force_key(name))


@dataclass
class Tally:
    tp: int = 0
    fp: int = 0
    fn: int = 0

    def add(self, predicted: set, gold: set) -> None:
        self.tp += len(predicted & gold)
        self.fp += len(predicted - gold)
        self.fn += len(gold - predicted)

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0


@dataclass
class Evaluation:
    tallies: dict[str, Tally] = field(default_factory=lambda: {c: Tally() for c in CATEGORIES})
    attributes: dict[str, list[int]] = field(default_factory=lambda: defaultdict(lambda: [0, 0]))
    misses: dict[str, dict] = field(default_factory=dict)
    constructions: dict[str, list[dict]] = field(default_factory=dict)  # why each miss happened
    documents: int = 0

    @property
    def overall(self) -> Tally:
        total = Tally()
        for t in self.tallies.values():
            total.tp, total.fp, total.fn = total.tp + t.tp, total.fp + t.fp, total.fn + t.fn
        return total

    def accuracy(self, name: str) -> float:
        hits, n = self.attributes.get(name, [0, 0])
        return hits / n if n else 1.0

    def as_dict(self) -> dict:
        return {
            "documents": self.documents,
            "categories": {c: {"precision": t.precision, "recall": t.recall, "f1": t.f1, "tp": t.tp, "fp": t.fp, "fn": t.fn}
                           for c, t in self.tallies.items()},
            "accuracy": {name: {"accuracy": self.accuracy(name), "correct": h, "of": n}
                         for name, (h, n) in sorted(self.attributes.items())},
            "overall_f1": self.overall.f1,
            "misses": self.misses,
            "constructions": {label: items for label, items in sorted(self.constructions.items(), key=lambda kv: -len(kv[1]))},
        }


def _gold_files(corpus: Path) -> dict[str, dict]:
    gold_dir = corpus / "gold"
    if not gold_dir.is_dir():
        raise FileNotFoundError(f"no gold/ folder in {corpus}: a corpus to evaluate holds docs/ and gold/")
    golds = {}
    for path in sorted(gold_dir.glob("*.json")):
        try:
            golds[path.stem] = json.loads(path.read_text(encoding="utf-8"))
        except json.JSONDecodeError as err:
            raise ValueError(f"{path}: not valid JSON ({err.msg} at line {err.lineno})") from None
    if not golds:
        raise FileNotFoundError(f"no gold files (*.json) in {gold_dir}")
    return golds


def _predicted(graph) -> tuple[dict, dict, dict]:
    """What the graph says per document, keyed the way gold is."""
    sets: dict[str, dict[str, set]] = defaultdict(lambda: defaultdict(set))
    unit_forces: dict[str, dict[str, set]] = defaultdict(lambda: defaultdict(set))
    people: dict[str, dict[str, dict]] = defaultdict(dict)
    arrests: dict[str, set] = defaultdict(set)
    for name in ("forces", "units", "operations", "partners", "people", "arrests"):
        for row in graph.query(name):
            doc = str(row["document"])
            if name == "arrests":
                if row["arrests"] is not None:
                    arrests[doc].add(int(row["arrests"]))
                continue
            key = {"forces": force_key, "units": operation_key, "operations": operation_key}.get(name, norm)(row["name"])
            sets[doc][name].add(key)
            if name == "units" and row.get("force"):
                unit_forces[doc][key].add(force_key(row["force"]))
            if name == "people":
                people[doc][key] = {"rank": norm(row.get("rank")), "organisation": organisation_key(row.get("organisation"))}
    return sets, {"units": unit_forces, "people": people}, arrests


def score(golds: dict[str, dict], graph, texts: dict[str, str] | None = None) -> Evaluation:
    """Compare the graph with the gold files; with the release texts, also say why each miss happened."""
    sets, attrs, arrests = _predicted(graph)
    result = Evaluation(documents=len(golds))
    for doc, gold in golds.items():
        optional = gold.get("optional") or {}
        keyer = {"forces": force_key, "operations": operation_key, "units": operation_key}
        ignore = {c: {keyer.get(c, norm)(x) for x in optional.get(c, [])} for c in CATEGORIES}
        unit_alias, gold_unit_forces = {}, {}
        for unit in gold.get("units", []):
            key = operation_key(unit["name"])
            for alias in [unit["name"], *unit.get("aliases", [])]:
                unit_alias[operation_key(alias)] = key
            forces = unit.get("force")
            forces = forces if isinstance(forces, list) else [forces] if forces else []
            gold_unit_forces[key] = {force_key(f) for f in forces}
        gold_people = {norm(p["name"]): {"rank": norm(p.get("rank")), "organisation": organisation_key(p.get("organisation"))}
                       for p in gold.get("people", [])}
        want = {
            "forces": {force_key(f) for f in gold.get("forces", [])},
            "units": set(gold_unit_forces),
            "operations": {operation_key(o) for o in gold.get("operations", [])},
            "partners": {norm(p) for p in gold.get("partners", [])},
            "people": set(gold_people),
        }
        got = {c: set(sets[doc][c]) for c in CATEGORIES}
        got["units"] = {unit_alias.get(u, u) for u in got["units"]}
        doc_misses: dict[str, object] = {}
        for c in CATEGORIES:
            want[c] -= ignore[c]
            got[c] -= ignore[c]
            result.tallies[c].add(got[c], want[c])
            if want[c] - got[c] or got[c] - want[c]:
                doc_misses[c] = {"missed": sorted(want[c] - got[c]), "extra": sorted(got[c] - want[c])}
        forces_of = defaultdict(set)
        for raw, forces in attrs["units"][doc].items():
            forces_of[unit_alias.get(raw, raw)] |= forces
        for key, forces in gold_unit_forces.items():
            if key in got["units"]:
                result.attributes["unit force"][1] += 1
                if forces_of.get(key, set()) == forces:
                    result.attributes["unit force"][0] += 1
                else:
                    doc_misses.setdefault("unit force", []).append({"unit": key, "gold": sorted(forces), "got": sorted(forces_of.get(key, set()))})
        for key, gold_person in gold_people.items():
            mine = attrs["people"][doc].get(key)
            if mine is None:
                continue
            for field_name in ("rank", "organisation"):
                result.attributes[f"person {field_name}"][1] += 1
                if mine[field_name] == gold_person[field_name]:
                    result.attributes[f"person {field_name}"][0] += 1
                else:
                    doc_misses.setdefault(f"person {field_name}", []).append(
                        {"person": key, "gold": gold_person[field_name], "got": mine[field_name]})
        gold_arrests = gold.get("arrests")
        result.attributes["arrests"][1] += 1
        if arrests.get(doc, set()) == ({gold_arrests} if gold_arrests is not None else set()):
            result.attributes["arrests"][0] += 1
        else:
            doc_misses["arrests"] = {"gold": gold_arrests, "got": sorted(arrests.get(doc, set()))}
        if doc_misses:
            result.misses[doc] = doc_misses
            if texts is not None:
                for label, item in classify(doc_misses, texts.get(doc, ""), gold):
                    result.constructions.setdefault(label, []).append({"document": doc, **item})
    return result


def evaluate(corpus: str | Path, store: str | Path | None = None, workers: int = 1) -> Evaluation:
    """Ingest CORPUS/docs into a store and score the graph against CORPUS/gold."""
    corpus = Path(corpus)
    golds = _gold_files(corpus)
    docs = corpus / "docs" if (corpus / "docs").is_dir() else corpus  # releases beside gold/ work too
    with tempfile.TemporaryDirectory(prefix="kg-evaluate-") as scratch:
        path = Path(store) if store else Path(scratch) / "store"
        with open_graph(path) as graph:
            report = graph.ingest([docs], workers=workers)
            if report.problems:
                raise ValueError("cannot evaluate: " + "; ".join(str(p) for p in report.problems[:5]))
            return score(golds, graph, _texts(docs))


def _texts(docs: Path) -> dict[str, str]:
    texts = {}
    files, _ = find_files([docs])
    for path in files:
        for item in read_file(path):
            if isinstance(item, Document):
                texts[item.id] = item.text
    return texts


# --------------------------------------------------------------------------- why a miss happened

_LIST_CUE = re.compile(r"((?:\b(?!the\b|and\b)[A-Za-z][\w'-]*\s+)?\b(?!the\b|and\b)[a-z][\w'-]*\s+)(?:the\s+)?"
                       r"(?:[A-Z][\w'&-]*(?:\s+(?:and|of|for|&)\s+(?:the\s+)?|\s+|,\s*(?:and\s+)?(?:the\s+)?))*$")
_ROLE_WORDS = re.compile(r"\b(?:director|manager|head|chief|lead|leader|chair|officer|spokes\w+|coordinator|co-ordinator|"
                         r"founder|executive|secretary|minister|commissioner|councillor|inspector|adviser|advisor)\b", re.I)


def classify(doc_misses: dict, text: str, gold: dict) -> list[tuple[str, dict]]:
    """Each miss of one release with the construction that explains it.

    A small reading of the text around the missed name: "not capitalised",
    "abbreviation", "in a list after 'officers from'", "role before name",
    "place name for its force", "not in gazetteer", "inside a longer name"...
    It names the kind of text the rules do not read yet, not the rule to write.
    """
    out: list[tuple[str, dict]] = []
    for category in CATEGORIES:
        found = doc_misses.get(category)
        if not found:
            continue
        for item in found["missed"]:
            near = next((x for x in found["extra"] if item in x or x in item), None)
            why = f"name boundary (read as '{near}')" if near else _why_missed(category, item, text)
            out.append((f"{category} missed: {why}", {"category": category, "item": item}))
        gold_units = {operation_key(u["name"]) for u in gold.get("units", [])}
        gold_partners = {norm(p) for p in gold.get("partners", [])}
        for item in found["extra"]:
            if any(item in x or x in item for x in found["missed"]):
                continue  # counted once, as the missed name's boundary
            out.append((f"{category} extra: {_why_extra(category, item, text, gold_units, gold_partners)}",
                        {"category": category, "item": item}))
    for attribute in ("person organisation", "person rank", "unit force"):
        for miss in doc_misses.get(attribute, []):
            got, want = miss["got"], miss["gold"]
            label = ("none found" if not got else "given where the gold has none" if not want else "another one")
            out.append((f"{attribute}: {label}", {"category": attribute, "item": miss.get("person") or miss.get("unit")}))
    if "arrests" in doc_misses:
        miss = doc_misses["arrests"]
        label = ("no count read" if miss["got"] == [] else "count where the gold has none" if miss["gold"] is None
                 else "count lower than the gold (parts not summed?)" if max(miss["got"]) < miss["gold"] else "count higher than the gold")
        out.append((f"arrests: {label}", {"category": "arrests", "item": str(miss["gold"])}))
    return out


def _spellings(category: str, item: str) -> list[str]:
    if category == "forces":
        force = lexicon.force_spellings().get(lexicon.fold(item))
        if force:
            entry = lexicon.forces()[force]
            return [entry.name, *entry.aliases]
    if category == "operations" and item.startswith("operation "):
        return [item, "op " + item[len("operation "):]]
    return [item]


def _why_missed(category: str, item: str, text: str) -> str:
    text = text.replace("\u2019", "'").replace("\u2018", "'")
    folded = norm_text(text)
    hits = [m for spelling in _spellings(category, item)
            for m in re.finditer(rf"(?<![\w-]){re.escape(norm(spelling))}(?![\w-])", folded)]
    if not hits:
        if category == "forces":
            force = lexicon.force_spellings().get(lexicon.fold(item))
            places = lexicon.forces()[force].places if force else ()
            for place in places:
                m = re.search(rf"(?<![\w-]){re.escape(place)}(?![\w-])", text)
                if m:
                    if re.search(r"(?:,\s*|\s+and\s+|\s*&\s*)(?:the\s+)?$", text[max(0, m.start() - 10):m.start()]) or re.match(r"\s*(?:,|and\b|&)", text[m.end():]):
                        return f"forces listed by place name{_after(text, m.start())}"
                    return "place name for its force"
        initials = "".join(w[0] for w in item.split() if w not in ("and", "of", "the", "for", "&")).upper()
        if len(initials) >= 2 and re.search(rf"\b{initials}s?\b", text):
            return "abbreviation"
        return "written another way"
    raw = [(m.start(), m.end()) for m in hits]
    if all(not any(c.isupper() for c in text[s:e]) for s, e in raw):
        return "not capitalised"
    start, end = raw[0]
    if category == "people":
        before = text[max(0, start - 60):start]
        after = text[end:end + 80]
        if _ROLE_WORDS.search(re.split(r"[.\n]", before)[-1]):
            return "role before name"
        if re.match(r"\s*,\s*[^,.]{0,60}" + _ROLE_WORDS.pattern, after, re.I):
            return "role after name (apposition)"
        return "no rank or role beside the name"
    if re.search(r"[A-Z][\w'-]*\s+$", text[max(0, start - 30):start]) or re.match(r"\s+(?!Said\b)[A-Z][a-z]", text[end:end + 3]):
        return "inside a longer name"
    listed = _after(text, start)
    if listed:
        return f"in a list{listed}"
    if category == "partners":
        heads = ("Council", "Trust", "Service", "Agency", "Authority", "Partnership", "Commission", "Centre", "Society")
        return "organisation-type head word not read" if item.split()[-1].title() in heads else "not in gazetteer"
    return "name not read"


def _after(text: str, start: int) -> str:
    """" after 'officers from'" when the name stands in a list that those words lead."""
    sentence_start = max(text.rfind(".", 0, start), text.rfind("\n", 0, start)) + 1
    head = text[sentence_start:start]
    if not re.search(r"(?:,\s*|\s+and\s+|\s+&\s+)(?:the\s+)?$", head) and not re.match(r"\s*(?:,|and\b)", text[start:].split("\n")[0][len(head) and 0:]):
        return ""
    m = _LIST_CUE.search(head)
    return f" after '{m.group(1).strip().lower()}'" if m else ""


def _why_extra(category: str, item: str, text: str, gold_units: set[str], gold_partners: set[str]) -> str:
    if category == "partners" and operation_key(item) in gold_units:
        return "a unit read as a partner"
    if category == "units" and norm(item) in gold_partners:
        return "a partner read as a unit"
    if lexicon.fold(item) in lexicon.force_places() or re.search(
            rf"\b(?:in|at|from|near|across)\s+{re.escape(item)}\b", norm_text(text)):
        return "a place read as a name"
    if re.search(rf"\b(?:op|operation)\s+{re.escape(item)}\b", norm_text(text)):
        return "an operation's codename read as a name"
    return "not in the gold"


def norm_text(text: str) -> str:
    """The text folded as names are (quotes, case) with its offsets kept."""
    return text.replace("\u2019", "'").replace("\u2018", "'").lower()


def report(result: Evaluation, misses: bool = True) -> str:
    """The scores as a text table, then the misses document by document."""
    lines = [f"{result.documents} annotated releases", "",
             f"{'category':<12} {'P':>6} {'R':>6} {'F1':>6} {'tp':>5} {'fp':>5} {'fn':>5}"]
    for c, t in result.tallies.items():
        lines.append(f"{c:<12} {t.precision:6.3f} {t.recall:6.3f} {t.f1:6.3f} {t.tp:5d} {t.fp:5d} {t.fn:5d}")
    lines.append("")
    for name, (hits, n) in sorted(result.attributes.items()):
        lines.append(f"{name + ' accuracy':<28} {result.accuracy(name):6.3f}  ({hits}/{n})")
    lines.append(f"{'overall F1':<28} {result.overall.f1:6.3f}")
    if misses and result.constructions:
        lines += ["", "Misses by construction (what kind of text the extractor misses):"]
        for label, items in sorted(result.constructions.items(), key=lambda kv: (-len(kv[1]), kv[0])):
            examples = "; ".join(f"{i['item']} ({i['document']})" for i in items[:3])
            lines.append(f"  {len(items):3d}  {label}: {examples}{' ...' if len(items) > 3 else ''}")
    if misses and result.misses:
        lines += ["", "Misses (missed: in the gold, not the graph; extra: in the graph, not the gold):"]
        for doc, found in sorted(result.misses.items()):
            lines.append(f"  {doc}")
            for what, detail in found.items():
                lines.append(f"    {what}: {json.dumps(detail, ensure_ascii=False)}")
    return "\n".join(lines) + "\n"


__all__ = ["evaluate", "report", "score", "Evaluation"]
