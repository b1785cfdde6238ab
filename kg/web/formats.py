"""Content negotiation and results serialisation for the endpoint.

A SELECT's answers are written here rather than by pyoxigraph's own
serialisers because the endpoint stops reading after `max_rows` solutions
and pyoxigraph can only serialise a whole result; these writers follow the
W3C SPARQL 1.1 Query Results JSON, XML, CSV and TSV formats (the tests read
them back with SPARQLWrapper and compare with pyoxigraph's own output).
Graph results (CONSTRUCT, DESCRIBE) and booleans (ASK) go through pyoxigraph.
"""
from __future__ import annotations

import csv
import io
import json
from xml.sax.saxutils import escape, quoteattr

from pyoxigraph import BlankNode, Literal, NamedNode, QueryResultsFormat, RdfFormat, Triple

XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
RDF_LANG_STRING = "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"

#: name -> (media type sent, pyoxigraph format for booleans)
RESULTS = {
    "json": ("application/sparql-results+json", QueryResultsFormat.JSON),
    "xml": ("application/sparql-results+xml", QueryResultsFormat.XML),
    "csv": ("text/csv; charset=utf-8", QueryResultsFormat.CSV),
    "tsv": ("text/tab-separated-values; charset=utf-8", QueryResultsFormat.TSV),
}
#: name -> (media type sent, pyoxigraph format)
GRAPHS = {
    "turtle": ("text/turtle; charset=utf-8", RdfFormat.TURTLE),
    "ntriples": ("application/n-triples", RdfFormat.N_TRIPLES),
    "jsonld": ("application/ld+json", RdfFormat.JSON_LD),
    "rdfxml": ("application/rdf+xml", RdfFormat.RDF_XML),
}
# Media types a client may ask for, and the names SPARQLWrapper and others put in format= / output=.
_RESULT_TYPES = {
    "application/sparql-results+json": "json", "application/json": "json",
    "application/sparql-results+xml": "xml", "application/xml": "xml", "text/xml": "xml",
    "text/csv": "csv", "text/tab-separated-values": "tsv",
}
_GRAPH_TYPES = {
    "text/turtle": "turtle", "application/x-turtle": "turtle", "text/n3": "turtle",
    "application/n-triples": "ntriples", "text/plain": "ntriples",
    "application/ld+json": "jsonld", "application/json": "jsonld",
    "application/rdf+xml": "rdfxml", "application/xml": "rdfxml", "text/xml": "rdfxml",
}
_RESULT_NAMES = {"json": "json", "xml": "xml", "csv": "csv", "tsv": "tsv", "srj": "json", "srx": "xml"}
_GRAPH_NAMES = {"turtle": "turtle", "ttl": "turtle", "n3": "turtle", "ntriples": "ntriples", "nt": "ntriples",
                "n-triples": "ntriples", "jsonld": "jsonld", "json-ld": "jsonld", "json": "jsonld",
                "rdfxml": "rdfxml", "rdf": "rdfxml", "rdf+xml": "rdfxml", "xml": "rdfxml"}


class NotAcceptable(Exception):
    """No format the client accepts fits the kind of result."""


def parse_accept(header: str | None) -> list[tuple[str, float]]:
    """Media ranges of an Accept header, best first (order of appearance breaks ties)."""
    ranges = []
    for index, part in enumerate((header or "").split(",")):
        fields = [f.strip() for f in part.split(";")]
        if not fields[0]:
            continue
        q = 1.0
        for f in fields[1:]:
            if f.lower().startswith("q="):
                try:
                    q = float(f[2:])
                except ValueError:
                    q = 0.0
        if q > 0:
            ranges.append((index, fields[0].lower(), q))
    ranges.sort(key=lambda r: (-r[2], r[0]))
    return [(media, q) for _, media, q in ranges]


def choose(kind: str, fmt: str | None, accept: str | None) -> str:
    """The format name for a result of `kind` ("results" for SELECT/ASK, "graph" for CONSTRUCT/DESCRIBE).

    `fmt` (the format= parameter) wins over the Accept header; with neither,
    or only */*, SPARQL JSON and Turtle are the defaults.
    """
    names, types, default = ((_RESULT_NAMES, _RESULT_TYPES, "json") if kind == "results"
                             else (_GRAPH_NAMES, _GRAPH_TYPES, "turtle"))
    offered = RESULTS if kind == "results" else GRAPHS
    if fmt:
        key = fmt.strip().lower()
        name = names.get(key) or types.get(key.split(";")[0].strip())
        if name is None:
            raise NotAcceptable(f"format={fmt!r} does not fit this query's result; "
                                f"choose one of {', '.join(offered)}")
        return name
    ranges = parse_accept(accept)
    if not ranges:
        return default
    for media, _ in ranges:
        if media in types:
            return types[media]
        if media in ("*/*", "application/*", "text/*"):
            if media == "text/*":
                return "csv" if kind == "results" else "turtle"
            return default
    raise NotAcceptable(f"none of the formats in Accept: {accept} fits this query's result; this endpoint offers "
                        + ", ".join(mt for mt, _ in offered.values()))


def media_type(name: str) -> str:
    return (RESULTS.get(name) or GRAPHS[name])[0]


# ---------------------------------------------------------------- SELECT writers

def _json_term(term) -> dict:
    if isinstance(term, NamedNode):
        return {"type": "uri", "value": term.value}
    if isinstance(term, BlankNode):
        return {"type": "bnode", "value": term.value}
    if isinstance(term, Literal):
        out = {"type": "literal", "value": term.value}
        if term.language:
            out["xml:lang"] = term.language
        elif term.datatype and term.datatype.value != XSD_STRING:
            out["datatype"] = term.datatype.value
        return out
    if isinstance(term, Triple):
        return {"type": "triple", "value": {"subject": _json_term(term.subject),
                                            "predicate": _json_term(term.predicate),
                                            "object": _json_term(term.object)}}
    raise TypeError(f"unexpected term {term!r}")


def _xml_term(term) -> str:
    if isinstance(term, NamedNode):
        return f"<uri>{escape(term.value)}</uri>"
    if isinstance(term, BlankNode):
        return f"<bnode>{escape(term.value)}</bnode>"
    if isinstance(term, Literal):
        if term.language:
            return f"<literal xml:lang={quoteattr(term.language)}>{escape(term.value)}</literal>"
        if term.datatype and term.datatype.value != XSD_STRING:
            return f"<literal datatype={quoteattr(term.datatype.value)}>{escape(term.value)}</literal>"
        return f"<literal>{escape(term.value)}</literal>"
    if isinstance(term, Triple):
        return (f"<triple><subject>{_xml_term(term.subject)}</subject><predicate>{_xml_term(term.predicate)}"
                f"</predicate><object>{_xml_term(term.object)}</object></triple>")
    raise TypeError(f"unexpected term {term!r}")


def _csv_value(term) -> str:
    if term is None:
        return ""
    if isinstance(term, BlankNode):
        return f"_:{term.value}"
    if isinstance(term, Triple):
        return str(term)
    return term.value


def write_solutions(name: str, variables: list[str], rows: list[list]) -> bytes:
    """SELECT answers (rows of terms or None, in the order of `variables`) in format `name`."""
    if name == "json":
        bindings = [{v: _json_term(t) for v, t in zip(variables, row) if t is not None} for row in rows]
        return json.dumps({"head": {"vars": variables}, "results": {"bindings": bindings}},
                          ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    if name == "xml":
        out = ['<?xml version="1.0"?><sparql xmlns="http://www.w3.org/2005/sparql-results#"><head>']
        out += [f"<variable name={quoteattr(v)}/>" for v in variables]
        out.append("</head><results>")
        for row in rows:
            out.append("<result>")
            out += [f"<binding name={quoteattr(v)}>{_xml_term(t)}</binding>"
                    for v, t in zip(variables, row) if t is not None]
            out.append("</result>")
        out.append("</results></sparql>")
        return "".join(out).encode("utf-8")
    if name == "csv":
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\r\n")
        writer.writerow(variables)
        writer.writerows([_csv_value(t) for t in row] for row in rows)
        return buffer.getvalue().encode("utf-8")
    if name == "tsv":
        lines = ["\t".join(f"?{v}" for v in variables)]
        lines += ["\t".join("" if t is None else str(t) for t in row) for row in rows]
        return ("\n".join(lines) + "\n").encode("utf-8")
    raise ValueError(f"unknown results format {name!r}")
