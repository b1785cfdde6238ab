"""Entity pages: what the store says about one IRI, read in a worker, drawn with Jinja.

`entity_facts` runs a handful of queries, each starting from the entity's
IRI (bound, so a few index lookups at any store size), and returns plain
data: the entity's types, canonical name and the other names releases give
it, the releases that name it (with date, headline and link), the spans
where each release names it (RFC 5147 `#char=` fragments with the exact
characters), the quotes it made or that were made for it, and its
neighbours. `render_entity` turns that into HTML with autoescaping on:
every name and quote comes from a third-party text and is shown as text.
"""
from __future__ import annotations

from pathlib import Path
from urllib.parse import urlsplit

from jinja2 import Environment, FileSystemLoader, select_autoescape
from pyoxigraph import NamedNode

from ..store import Store
from ..vocab import PREFIXES, sparql_prefixes

TEMPLATES = Path(__file__).resolve().parent / "templates"
CSP = ("default-src 'none'; style-src 'unsafe-inline'; img-src data:; form-action 'self'; "
       "frame-ancestors 'none'; base-uri 'none'")

# Relations worth a word of their own on a page; others are shown by their prefixed name.
_RELATIONS = {
    PREFIXES["org"] + "unitOf": "unit of",
    PREFIXES["org"] + "hasUnit": "has unit",
    PREFIXES["schema"] + "superEvent": "part of",
    PREFIXES["pk"] + "mainForce": "main force",
    PREFIXES["rdfs"] + "seeAlso": "see also",
    PREFIXES["schema"] + "location": "location",
    PREFIXES["skos"] + "broader": "broader",
    PREFIXES["skos"] + "inScheme": "in scheme",
    PREFIXES["org"] + "member": "member",
    PREFIXES["org"] + "organization": "organisation",
    PREFIXES["org"] + "role": "role",
    PREFIXES["schema"] + "mentions": "names",
}
SPAN_LIMIT = 1000  # spans and quotes listed on one page; the rest are a SPARQL query away
# Literal facts shown in the facts table, beyond type and names.
_SKIP_FACTS = {PREFIXES["schema"] + "name", PREFIXES["skos"] + "prefLabel", PREFIXES["skos"] + "altLabel",
               PREFIXES["rdf"] + "type"}


def compact(iri: str) -> str:
    """`schema:name` for https://schema.org/name; the IRI itself when no prefix fits."""
    best = max((p for p in PREFIXES.items() if iri.startswith(p[1])), key=lambda p: len(p[1]), default=None)
    return f"{best[0]}:{iri[len(best[1]):]}" if best else iri


def _q(store: Store, text: str) -> list[dict]:
    return store.rows(sparql_prefixes() + text)


def entity_facts(store: Store, iri: str) -> dict | None:
    """Everything an entity page shows, as plain data; None when the store says nothing of `iri`."""
    e = str(NamedNode(iri))
    own = _q(store, f"SELECT DISTINCT ?p ?o (isIRI(?o) AS ?isIri) WHERE {{ {e} ?p ?o }}")
    if not own and not bool(store.query(sparql_prefixes() + f"ASK {{ ?s ?p {e} }}")):
        return None
    labels = _labels(store, {row["o"] for row in own if row["isIri"]} | {iri})
    types = sorted({row["o"] for row in own if row["p"] == PREFIXES["rdf"] + "type"})
    names = sorted({str(row["o"]) for row in own if not row["isIri"]
                    and row["p"] in (PREFIXES["schema"] + "name", PREFIXES["skos"] + "altLabel")})
    label = labels.get(iri) or (names[0] if names else iri.rstrip("/").rsplit("/", 1)[-1])
    facts, links = [], []
    for row in own:
        p, o = row["p"], row["o"]
        if p in _SKIP_FACTS:
            continue
        if row["isIri"]:
            links.append({"relation": _RELATIONS.get(p, compact(p)), "iri": o, "label": labels.get(o) or compact(o)})
        else:
            facts.append({"property": compact(p), "value": str(o).lower() if isinstance(o, bool) else str(o)})
    facts.sort(key=lambda f: (f["property"], f["value"]))

    releases = _q(store, f"""
        SELECT ?release ?document ?date ?headline ?url WHERE {{
          GRAPH ?release {{ ?release schema:mentions {e} ; dcterms:identifier ?document .
            OPTIONAL {{ ?release schema:datePublished ?date }} OPTIONAL {{ ?release schema:headline ?headline }}
            OPTIONAL {{ ?release schema:url ?url }} }}
        }}""")
    releases.sort(key=lambda r: (str(r["date"] or ""), r["document"]), reverse=True)

    spans = _q(store, f"""
        SELECT DISTINCT ?release ?span ?exact ?evidence WHERE {{
          GRAPH ?release {{ ?annotation oa:hasBody {e} ; oa:hasTarget ?span .
            OPTIONAL {{ ?span oa:exact ?exact }} OPTIONAL {{ ?span pk:evidence ?evidence }} }}
        }} LIMIT {SPAN_LIMIT + 1}""")
    quotes = _q(store, f"""
        SELECT DISTINCT ?release ?quote ?text ?speaker WHERE {{
          {{ GRAPH ?release {{ ?quote schema:creator {e} ; a schema:Quotation ; schema:text ?text .
               BIND({e} AS ?speaker) }} }}
          UNION
          {{ BIND({e} AS ?release) GRAPH ?release {{ ?quote schema:isPartOf {e} ; a schema:Quotation ;
               schema:creator ?speaker ; schema:text ?text }} }}
          UNION
          {{ GRAPH ?release {{ ?membership org:organization {e} ; org:member ?speaker .
               ?quote a schema:Quotation ; schema:creator ?speaker ; schema:text ?text }} }}
        }} LIMIT {SPAN_LIMIT + 1}""")
    neighbours = _q(store, f"""
        SELECT DISTINCT ?relation ?other WHERE {{
          {{ GRAPH ?g {{ ?m org:member {e} ; org:organization ?other . OPTIONAL {{ ?m org:role ?role }} }}
             BIND(COALESCE(?role, "member of") AS ?relation) }}
          UNION {{ GRAPH ?g {{ ?m org:organization {e} ; org:member ?other . OPTIONAL {{ ?m org:role ?role }} }}
             BIND(COALESCE(?role, "member") AS ?relation) }}
          UNION {{ GRAPH ?g {{ ?activity schema:organizer {e} ; a pk:ReportedActivity ; schema:superEvent ?other }}
             BIND("took part in" AS ?relation) }}
          UNION {{ GRAPH ?g {{ ?activity schema:contributor {e} ; a pk:ReportedActivity ; schema:superEvent ?other }}
             BIND("partner in" AS ?relation) }}
          UNION {{ GRAPH ?g {{ ?activity schema:superEvent {e} ; a pk:ReportedActivity ; schema:organizer ?other }}
             BIND("organised by" AS ?relation) }}
          UNION {{ GRAPH ?g {{ ?activity schema:superEvent {e} ; a pk:ReportedActivity ; schema:contributor ?other }}
             BIND("with partner" AS ?relation) }}
          UNION {{ ?other org:unitOf {e} BIND("has unit" AS ?relation) }}
        }}""")
    others = {r["other"] for r in neighbours} | {r["speaker"] for r in quotes} | \
             {r["relation"] for r in neighbours if str(r["relation"]).startswith("http")}
    labels.update(_labels(store, others - set(labels)))
    seen = {(link["relation"], link["iri"]) for link in links}
    for row in neighbours:
        relation = row["relation"]
        relation = labels.get(relation, relation) if str(relation).startswith("http") else relation
        if (relation, row["other"]) not in seen:
            seen.add((relation, row["other"]))
            links.append({"relation": relation, "iri": row["other"], "label": labels.get(row["other"]) or compact(row["other"])})
    links.sort(key=lambda link: (link["relation"], link["label"].lower()))

    by_release = {r["release"]: r["document"] for r in releases}
    span_list = sorted(({"release": s["release"], "document": by_release.get(s["release"], s["release"].rsplit("/", 1)[-1]),
                         "span": s["span"], "fragment": urlsplit(s["span"]).fragment, "exact": s["exact"],
                         "evidence": s["evidence"]} for s in spans),
                       key=lambda s: (s["document"], _offset(s["fragment"])))
    quote_list = sorted(({"release": q["release"], "document": by_release.get(q["release"], q["release"].rsplit("/", 1)[-1]),
                          "span": q["quote"], "fragment": urlsplit(q["quote"]).fragment, "text": q["text"],
                          "speaker": q["speaker"], "speaker_label": labels.get(q["speaker"]) or compact(q["speaker"])}
                         for q in quotes), key=lambda q: (q["document"], _offset(q["fragment"])))
    return {
        "iri": iri, "label": label, "is_release": PREFIXES["schema"] + "NewsArticle" in types, "types": [{"iri": t, "label": compact(t)} for t in types],
        "names": [n for n in names if n != label], "facts": facts, "links": links,
        "releases": [{k: (str(v) if v is not None else None) for k, v in r.items()} for r in releases],
        "spans": span_list[:SPAN_LIMIT], "quotes": quote_list[:SPAN_LIMIT],
        "more_spans": len(span_list) > SPAN_LIMIT, "more_quotes": len(quote_list) > SPAN_LIMIT,
    }


def _offset(fragment: str) -> int:
    try:
        return int(fragment.split("=", 1)[1].split(",", 1)[0])
    except (IndexError, ValueError):
        return 0


def _labels(store: Store, iris: set) -> dict[str, str]:
    """Canonical names (skos:prefLabel, else an rdfs:label, else a schema:name) for IRIs, in one query."""
    iris = sorted(i for i in iris if isinstance(i, str) and i.startswith(("http://", "https://")) and " " not in i)
    if not iris:
        return {}
    values = " ".join(str(NamedNode(i)) for i in iris)
    found: dict[str, tuple[int, str]] = {}
    for row in store.rows(sparql_prefixes() + f"""
        SELECT ?s ?rank ?label WHERE {{ VALUES ?s {{ {values} }}
          {{ ?s skos:prefLabel ?label BIND(0 AS ?rank) }} UNION {{ ?s rdfs:label ?label BIND(1 AS ?rank) }}
          UNION {{ ?s schema:name ?label BIND(2 AS ?rank) }} }}"""):
        current = found.get(row["s"])
        candidate = (int(row["rank"]), str(row["label"]))
        if current is None or candidate < current:
            found[row["s"]] = candidate
    return {s: label for s, (_, label) in found.items()}


# ---------------------------------------------------------------- HTML

_env = Environment(loader=FileSystemLoader(str(TEMPLATES)), autoescape=select_autoescape(["html"]),
                   trim_blocks=True, lstrip_blocks=True)


def local_path(iri: str, base_iri: str) -> str | None:
    """Where the server shows an IRI minted under the base: its path, with any fragment."""
    if not iri.startswith(base_iri):
        return None
    parts = urlsplit(iri)
    return parts.path + (f"#{parts.fragment}" if parts.fragment else "")


def render_entity(facts: dict, base_iri: str) -> str:
    def href(iri: str) -> str:
        return local_path(iri, base_iri) or iri

    return _env.get_template("entity.html").render(e=facts, href=href, base_path=urlsplit(base_iri).path)


def render_form(base_path: str, examples: list[tuple[str, str]]) -> str:
    return _env.get_template("sparql.html").render(examples=examples, base_path=base_path)
