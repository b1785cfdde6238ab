"""Namespaces of the vocabularies the graph reuses, and the project's own.

Standards first: W3C ORG for forces, units and memberships; schema.org for
releases, events, people, quotes and quantities; PROV-O and Web Annotation
for provenance; SKOS for the rank, offence, outcome and tactic schemes; the RDF Data Cube
vocabulary for the running totals of the derived graph.
`pk:` terms fill the gaps; each is defined in `ontology/policekg.ttl`.
"""
from __future__ import annotations

from pyoxigraph import NamedNode


class Namespace(str):
    def __getattr__(self, name: str) -> NamedNode:
        if name.startswith("__"):
            raise AttributeError(name)
        node = NamedNode(self + name)
        self.__dict__[name] = node  # next time, a plain attribute: no lookup, no new object
        return node

    def term(self, name: str) -> NamedNode:
        return NamedNode(self + name)


RDF = Namespace("http://www.w3.org/1999/02/22-rdf-syntax-ns#")
RDFS = Namespace("http://www.w3.org/2000/01/rdf-schema#")
OWL = Namespace("http://www.w3.org/2002/07/owl#")
XSD = Namespace("http://www.w3.org/2001/XMLSchema#")
SKOS = Namespace("http://www.w3.org/2004/02/skos/core#")
ORG = Namespace("http://www.w3.org/ns/org#")
SCHEMA = Namespace("https://schema.org/")
PROV = Namespace("http://www.w3.org/ns/prov#")
OA = Namespace("http://www.w3.org/ns/oa#")
DCTERMS = Namespace("http://purl.org/dc/terms/")
PK = Namespace("https://w3id.org/policekg/ontology#")
PKV = Namespace("https://w3id.org/policekg/vocab/")
QB = Namespace("http://purl.org/linked-data/cube#")

DEFAULT_BASE_IRI = "https://w3id.org/policekg/id/"

PREFIXES = {
    "rdf": str(RDF), "rdfs": str(RDFS), "owl": str(OWL), "xsd": str(XSD), "skos": str(SKOS), "org": str(ORG),
    "schema": str(SCHEMA), "prov": str(PROV), "oa": str(OA), "dcterms": str(DCTERMS), "pk": str(PK), "pkv": str(PKV), "qb": str(QB),
}


def sparql_prefixes() -> str:
    """PREFIX lines for every namespace above, for queries that leave them out."""
    return "".join(f"PREFIX {name}: <{iri}>\n" for name, iri in PREFIXES.items())
