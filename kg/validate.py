"""Check a store against the SHACL shapes the graph promises (`ontology/shapes.ttl`), with pySHACL.

The shapes are what a researcher can rely on (every quote has its text and
its release, every span its exact characters, every membership one member);
`kg validate` proves a store keeps them, and names each place it does not
in a line a person can act on: the node, the property, what is wrong.

The data graph is the union of all graphs, each triple once (the shapes
speak of entities, whichever release says what of them). pySHACL holds it
in memory as an rdflib graph, so this is a check for a store of thousands
of releases, not of millions; validate shards of the corpus apart beyond.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from pyoxigraph import RdfFormat, serialize

from .resources import resource_dir
from .store import Store
from .vocab import PREFIXES

SH = "http://www.w3.org/ns/shacl#"


def default_shapes() -> Path:
    return resource_dir("ontology") / "shapes.ttl"


@dataclass(frozen=True)
class Violation:
    """One SHACL result: the node that fails, the property path, and what is wrong."""

    focus: str
    path: str | None
    message: str
    severity: str = "Violation"
    value: str | None = None
    shape: str | None = None

    def __str__(self) -> str:
        where = f"{self.focus} {self.path}" if self.path else self.focus
        value = f" (value: {self.value})" if self.value and self.value != self.focus else ""
        return f"{self.severity.lower()}: {where}: {self.message}{value}"


@dataclass(frozen=True)
class ValidationReport:
    conforms: bool
    triples: int
    shapes: Path
    violations: tuple[Violation, ...] = field(default_factory=tuple)


def _short(term) -> str:
    """A term as a person reads it: prefixed names for the vocabularies, <IRI> for the rest, literals quoted."""
    import rdflib

    if isinstance(term, rdflib.URIRef):
        text = str(term)
        for prefix, iri in PREFIXES.items():
            if text.startswith(iri) and len(text) > len(iri):
                rest = text[len(iri):]
                if rest.replace("_", "").replace("-", "").isalnum():
                    return f"{prefix}:{rest}"
        return f"<{text}>"
    if isinstance(term, rdflib.Literal):
        return f'"{term}"'
    if isinstance(term, rdflib.BNode):
        return "[]"
    return str(term)


def validate_store(store: Store, shapes: str | Path | None = None) -> ValidationReport:
    """Validate the union of a store's graphs against SHACL shapes (default: the shipped `ontology/shapes.ttl`)."""
    try:
        import pyshacl
        import rdflib
    except ImportError:
        raise ImportError("kg validate needs pySHACL: pip install 'policekg[validate]'") from None
    shapes = Path(shapes) if shapes else default_shapes()
    data = rdflib.Graph()
    data.parse(data=serialize(store.distinct_triples(), format=RdfFormat.N_TRIPLES), format="nt")
    shapes_graph = rdflib.Graph().parse(shapes, format="turtle")
    conforms, results, _ = pyshacl.validate(data, shacl_graph=shapes_graph, inplace=True)
    sh = rdflib.Namespace(SH)
    violations = []
    for result in results.subjects(rdflib.RDF.type, sh.ValidationResult):
        def one(predicate):
            return results.value(result, predicate)

        path = one(sh.resultPath)
        severity = one(sh.resultSeverity)
        violations.append(Violation(
            focus=_short(one(sh.focusNode)),
            path=_short(path) if path is not None else None,
            message=str(one(sh.resultMessage) or one(sh.sourceConstraintComponent)),
            severity=str(severity).rsplit("#", 1)[-1] if severity else "Violation",
            value=_short(one(sh.value)) if one(sh.value) is not None else None,
            shape=_short(one(sh.sourceShape)) if isinstance(one(sh.sourceShape), rdflib.URIRef) else None,
        ))
    violations.sort(key=lambda v: (v.focus, v.path or "", v.message))
    return ValidationReport(bool(conforms), len(data), shapes, tuple(violations))
