"""Named SPARQL queries: load them from `queries/`, run them, format the answers.

Each `queries/<name>.rq` opens with a comment header:

    # Title on the first line
    #
    # What the query answers, in a few lines.
    #
    # Parameters:
    #   ?force (string, optional): only this force, by canonical name
    #
    # Columns: document, name

Parameters (`--param force="Kent Police"`) are bound by a VALUES block at the
top of the query's outer WHERE group, as typed RDF terms: a value is never
pasted into the query text, and an optional parameter left out is simply
unbound (queries test it with `!BOUND(?force)`). A subquery that projects a
parameter's variable gets the same VALUES block too, so that it is evaluated
for that value alone instead of for every value and joined afterwards: the
answer is the same (joining a one-row VALUES twice is joining it once), and
`evidence` of one name reads that name's entities, not every entity's.
"""
from __future__ import annotations

import csv
import datetime as dt
import io
import re
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from pyoxigraph import Literal, NamedNode, QueryBoolean, QueryResultsFormat, QuerySolutions, RdfFormat, serialize

from .resources import resource_dir
from .store import Store, StoreError, python_value
from .vocab import PREFIXES, XSD

FORMATS = ("table", "csv", "tsv", "json")
_PARAM = re.compile(r"^\s*\?(?P<name>\w+)\s*\((?P<type>[\w-]+)(?P<optional>,\s*optional)?\)\s*:\s*(?P<doc>.*)$")
_TYPES = {"string": None, "integer": XSD.integer, "decimal": XSD.decimal, "date": XSD.date, "boolean": XSD.boolean}


@dataclass(frozen=True)
class Param:
    name: str
    type: str
    optional: bool
    doc: str


@dataclass(frozen=True)
class NamedQuery:
    name: str
    title: str
    description: str
    text: str
    params: tuple[Param, ...] = ()
    columns: tuple[str, ...] = ()
    path: Path | None = field(default=None, compare=False)


def queries_dir() -> Path:
    return resource_dir("queries")


def parse_query(text: str, name: str, path: Path | None = None) -> NamedQuery:
    """A query with the header it opens with."""
    header = []
    for line in text.splitlines():
        if line.startswith("#"):
            header.append(line[1:].strip() if line.startswith("# ") or line == "#" else line[1:])
        elif line.strip():
            break
    title = header[0] if header else ""
    description, params, columns = [], [], []
    section = "description"
    for line in header[1:]:
        lowered = line.lower()
        if lowered.startswith("parameters:"):
            section = "params"
            rest = line.split(":", 1)[1].strip()
            if rest and rest.lower() != "none":
                description.append(line)
            continue
        if lowered.startswith("columns:"):
            columns = [c.strip() for c in line.split(":", 1)[1].split(",") if c.strip()]
            section = "columns"
            continue
        if section == "params":
            m = _PARAM.match(line)
            if m:
                params.append(Param(m["name"], m["type"], bool(m["optional"]), m["doc"].strip()))
        elif section == "description":
            description.append(line)
    return NamedQuery(name, title, " ".join(d for d in description if d).strip(), text, tuple(params),
                      tuple(columns), path)


@cache
def named_queries() -> dict[str, NamedQuery]:
    found = {}
    for path in sorted(queries_dir().glob("*.rq")):
        found[path.stem] = parse_query(path.read_text(encoding="utf-8"), path.stem, path)
    return found


def find_query(spec: str) -> NamedQuery:
    """A named query, a .rq file, or SPARQL text given on the command line."""
    queries = named_queries()
    if spec in queries:
        return queries[spec]
    path = Path(spec)
    if spec.endswith(".rq"):
        if not path.is_file():
            raise StoreError(f"no query file {spec}")
        return parse_query(path.read_text(encoding="utf-8"), path.stem, path)
    if re.search(r"\b(?:SELECT|ASK|CONSTRUCT|DESCRIBE)\b", spec, re.I):
        return NamedQuery("sparql", "", "", spec)
    raise StoreError(f"no named query {spec!r}; `kg queries` lists them (or pass a .rq file or SPARQL text)")


def bind(query: NamedQuery, given: dict[str, str]) -> dict[str, NamedNode | Literal]:
    """Typed values for a query's parameters; unknown or missing ones are errors that say what is expected."""
    declared = {p.name: p for p in query.params}
    values: dict[str, NamedNode | Literal] = {}
    for name, raw in given.items():
        param = declared.get(name)
        if query.title and param is None:
            expected = ", ".join(declared) or "none"
            raise StoreError(f"query {query.name!r} has no parameter {name!r} (it takes: {expected})")
        kind = param.type if param else "string"
        if kind == "iri":
            values[name] = NamedNode(raw)
        elif kind in _TYPES:
            datatype = _TYPES[kind]
            if kind == "date":
                try:
                    dt.date.fromisoformat(raw)
                except ValueError:
                    raise StoreError(f"parameter {name!r} wants a date YYYY-MM-DD, not {raw!r}") from None
            if kind == "integer" and not re.fullmatch(r"-?\d+", raw):
                raise StoreError(f"parameter {name!r} wants a whole number, not {raw!r}")
            values[name] = Literal(raw, datatype=datatype) if datatype else Literal(raw)
        else:
            raise StoreError(f"query {query.name!r} declares parameter {name!r} with unknown type {kind!r}")
    missing = [p.name for p in query.params if not p.optional and p.name not in values]
    if missing:
        raise StoreError(f"query {query.name!r} needs --param {missing[0]}=... ({declared[missing[0]].doc})")
    return values


def with_values(text: str, values: dict[str, NamedNode | Literal]) -> str:
    """The query with its parameters bound in a VALUES block opening the outer WHERE group (and see above)."""
    if not values:
        return text
    m = re.search(r"\bWHERE\s*\{", text, re.I) or re.search(r"\{", text)
    if m is None:
        raise StoreError("cannot bind parameters: the query has no WHERE clause")
    edits = [(m.end(), list(values))]
    for sub in _SUBSELECT.finditer(text, m.end()):
        projected = set(re.findall(r"\?(\w+)", _without_expressions(sub["vars"])))
        if sub["vars"].strip() == "*" or projected & set(values):
            edits.append((sub.end(), [n for n in values if sub["vars"].strip() == "*" or n in projected]))
    for at, names in sorted(edits, reverse=True):
        block = f"\n  VALUES ({' '.join(f'?{n}' for n in names)}) {{ ({' '.join(str(values[n]) for n in names)}) }}\n"
        text = text[:at] + block + text[at:]
    return text


_SUBSELECT = re.compile(r"\bSELECT\s+(?:(?:DISTINCT|REDUCED)\s+)?(?P<vars>[^{}]*?)\bWHERE\s*\{", re.I)


def _without_expressions(projection: str) -> str:
    """A SELECT clause with its `(expression AS ?var)` parts removed, leaving the plain variables."""
    while True:
        stripped = re.sub(r"\([^()]*\)", " ", projection)
        if stripped == projection:
            return projection
        projection = stripped


_ORDER = re.compile(r"\bORDER\s+BY\s+((?:(?:ASC|DESC)\s*\(\s*\?\w+\s*\)|\?\w+)(?:\s+|$))+\s*$", re.I)
_KEY = re.compile(r"(ASC|DESC)?\s*\(?\s*\?(\w+)\s*\)?", re.I)


def split_order(text: str) -> tuple[str, list[tuple[str, bool]]]:
    """The query without a closing ORDER BY of plain variables, and those keys (name, descending).

    Oxigraph orders by decoding every term from its dictionary at each
    comparison, which is most of the time of a listing query on a large
    store; sorting the decoded rows in Python gives the same order in a
    fraction of it. Anything but a final ORDER BY of variables is left to
    the engine.
    """
    m = _ORDER.search(text)
    if m is None:
        return text, []
    keys = [(k.group(2), (k.group(1) or "").upper() == "DESC") for k in _KEY.finditer(m.group(0)[m.group(0).upper().index("BY") + 2:])]
    return text[:m.start()], keys


def _sort_key(value: object) -> tuple:
    """SPARQL's order for plain values: unbound first, then numbers, then text by code point."""
    if value is None:
        return (0,)
    if isinstance(value, bool):
        return (2, str(value).lower())
    if isinstance(value, (int, float)):
        return (1, value)
    return (2, str(value))


def _cached_value():
    """python_value remembered per term: a listing gives back the same ranks, forces and names row after row."""
    cache: dict = {}

    def value(term):
        if term is None:
            return None
        try:
            return cache[term]
        except KeyError:
            found = cache[term] = python_value(term)
            return found
    return value


def solution_rows(result: QuerySolutions, keys: list[tuple[str, bool]], keep: list[str] | None = None,
                  distinct: bool = False, terms: bool = False) -> tuple[list[str], list[list]]:
    """The columns and rows of a result, sorted by `keys` and cut to `keep` (see `ordered`).

    Rows hold plain Python values, or the RDF terms themselves with `terms`
    (sorted by their values all the same). Positions are looked up once and
    each distinct term converted once: at 100,000 rows the Python side is
    otherwise as slow as the engine.
    """
    names = [v.value for v in result.variables]
    value = _cached_value()
    if terms:
        table = [list(solution) for solution in result]
    else:
        table = [[value(term) for term in solution] for solution in result]
    at = {name: i for i, name in enumerate(names)}
    get = (lambda row, i: value(row[i])) if terms else (lambda row, i: row[i])
    # consecutive keys sorting the same way make one pass; passes go from the last key to the first (stable sort)
    runs: list[tuple[list[int], bool]] = []
    for name, descending in keys:
        if runs and runs[-1][1] == descending:
            runs[-1][0].append(at[name])
        else:
            runs.append(([at[name]], descending))
    for positions, descending in reversed(runs):
        table.sort(key=lambda row: tuple(_sort_key(get(row, i)) for i in positions), reverse=descending)
    if keep is not None:
        positions = [at[name] for name in keep]
        out, seen = [], set()
        for row in table:
            cut = [row[i] for i in positions]
            if distinct:
                key = tuple(cut)
                if key in seen:
                    continue
                seen.add(key)
            out.append(cut)
        names, table = list(keep), out
    return names, table


_SELECT = re.compile(r"\bSELECT\s+(?P<distinct>DISTINCT\s+)?(?P<vars>(?:\?\w+\s+)+)(?=WHERE\b|\{)", re.I)


def ordered(store: Store, text: str, **dataset):
    """Run a query, ordering in Python where that is faster.

    Returns (result, keys to sort by, columns to keep). A key the query
    orders by but does not project (a quote's offset, say) is projected for
    the sort and dropped afterwards; a DISTINCT query is then made distinct
    again over its own columns, keeping the first row in order.
    """
    body, keys = split_order(text)
    if keys:
        wanted = [k for k, _ in keys]
        first = re.search(r"\bSELECT\b", body, re.I)  # the outer query's, never a subquery's
        m = _SELECT.match(body, first.start()) if first else None
        columns = m.group("vars").split() if m else []
        extra = [f"?{k}" for k in wanted if f"?{k}" not in columns]
        if m and extra:
            body = body[:m.end("vars")] + " ".join(extra) + " " + body[m.end("vars"):]
        result = store.query(body, **dataset)
        if isinstance(result, QuerySolutions) and set(wanted) <= {v.value for v in result.variables}:
            keep = [c[1:] for c in columns] if m and extra else None
            return result, keys, keep, bool(m and m.group("distinct"))
    return store.query(text, **dataset), [], None, False


def rows(store: Store, query: NamedQuery, params: dict[str, str] | None = None) -> list[dict[str, object]]:
    result, keys, keep, distinct = ordered(store, with_values(query.text, bind(query, params or {})))
    if not isinstance(result, QuerySolutions):
        raise StoreError("only SELECT queries give rows")
    names, table = solution_rows(result, keys, keep, distinct)
    return [dict(zip(names, row)) for row in table]


def render(store: Store, query: NamedQuery, params: dict[str, str] | None = None, fmt: str = "table") -> str:
    """The answers of a query as text in one of FORMATS."""
    if fmt not in FORMATS:
        raise StoreError(f"unknown format {fmt!r}; choose one of {', '.join(FORMATS)}")
    text = with_values(query.text, bind(query, params or {}))
    result, keys, keep, distinct = ordered(store, text) if fmt in ("table", "csv") else (store.query(text), [], None, False)
    if isinstance(result, QueryBoolean):
        return ("true" if bool(result) else "false") + "\n"
    if not isinstance(result, QuerySolutions):
        return serialize(list(result), format=RdfFormat.TURTLE, prefixes=PREFIXES).decode("utf-8")
    if fmt == "json":
        return result.serialize(format=QueryResultsFormat.JSON).decode("utf-8") + "\n"
    if fmt == "tsv":
        return result.serialize(format=QueryResultsFormat.TSV).decode("utf-8")
    names, values = solution_rows(result, keys, keep, distinct)
    table = [[_cell(v) for v in row] for row in values]
    if fmt == "csv":
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(names)
        writer.writerows(table)
        return out.getvalue()
    return _table(names, table)


def _cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value == int(value):
        return str(int(value))
    return str(value)


def _table(names: list[str], table: list[list[str]]) -> str:
    if not names:
        return "(no columns)\n"
    widths = [max([len(n)] + [len(row[i]) for row in table]) for i, n in enumerate(names)]
    widths = [min(w, 60) for w in widths]

    def line(cells: list[str]) -> str:
        return "  ".join((c if len(c) <= w else c[:w - 1] + "\u2026").ljust(w) for c, w in zip(cells, widths)).rstrip()

    out = [line(names), line(["-" * w for w in widths])]
    out += [line(row) for row in table]
    out.append(f"({len(table)} row{'s' if len(table) != 1 else ''})")
    return "\n".join(out) + "\n"
