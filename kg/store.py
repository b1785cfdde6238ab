"""The embedded on-disk RDF store: the fifth stage of the flow.

An Oxigraph store (RocksDB on disk) holds one named graph per release, a
reference graph (ontology, forces, SKOS schemes) and a derived graph (what
needs the whole corpus: a unit's force learnt from another release, the most
used label of each entity). Queries see the union of all graphs.

Replacing a release is one transaction: its graph is dropped and rewritten
in a single SPARQL update, so a store never holds half a release.
"""
from __future__ import annotations

import os
from pathlib import Path
from itertools import chain
from typing import Iterable, Iterator

from pyoxigraph import (BlankNode, DefaultGraph, Literal, NamedNode, Quad, QuerySolutions, RdfFormat, Store as OxStore,
                        Triple, parse, serialize)

from .resources import resource_dir
from .vocab import PREFIXES, sparql_prefixes

FORMATS = {
    "trig": RdfFormat.TRIG, "nquads": RdfFormat.N_QUADS, "turtle": RdfFormat.TURTLE,
    "ntriples": RdfFormat.N_TRIPLES, "jsonld": RdfFormat.JSON_LD,
}
# The named graph each shipped ontology file goes into in an export: the ontology's own IRI, and the
# IRI of the shapes' namespace (pks:) without its '#'.
ONTOLOGY_GRAPHS = {"policekg": "https://w3id.org/policekg/ontology", "shapes": "https://w3id.org/policekg/shapes"}


class StoreError(Exception):
    """A store that cannot be opened or used, with what to do about it."""


def _looks_like_store(path: Path) -> bool:
    return (path / "CURRENT").is_file() and any(p.name.startswith("MANIFEST-") for p in path.iterdir())


class Store:
    """A policekg store at a path; open it with `Store.open`."""

    def __init__(self, ox: OxStore, path: Path, read_only: bool) -> None:
        self._ox = ox
        self.path = path
        self.read_only = read_only

    @classmethod
    def open(cls, path: str | os.PathLike, read_only: bool = False) -> Store:
        path = Path(path)
        if read_only:
            if not path.exists():
                raise StoreError(f"no store at {path}: build one first with `kg ingest PATH --store {path}`")
            if not path.is_dir() or not _looks_like_store(path):
                raise StoreError(f"{path} is not a policekg store (no Oxigraph database in it); "
                                 "point --store at a folder that `kg ingest` wrote")
            try:
                return cls(OxStore.read_only(str(path)), path, True)
            except OSError as err:
                raise StoreError(f"cannot open the store at {path} for reading: {err}") from None
        if path.exists() and not path.is_dir():
            raise StoreError(f"{path} is a file, not a store folder; choose a folder for --store")
        if path.is_dir() and any(path.iterdir()) and not _looks_like_store(path):
            raise StoreError(f"{path} is not empty and is not a policekg store; "
                             "choose an empty or new folder for --store, so nothing of yours is overwritten")
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            return cls(OxStore(str(path)), path, False)
        except OSError as err:
            message = str(err)
            if "lock" in message.lower():
                raise StoreError(f"the store at {path} is in use by another process (another `kg ingest` or "
                                 f"`kg serve`?); wait for it to finish, or use another --store") from None
            raise StoreError(f"cannot open the store at {path}: {message}") from None

    def close(self) -> None:
        if not self.read_only:
            self._ox.flush()
        del self._ox

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    # ------------------------------------------------------------------ writing

    def _writable(self) -> None:
        if self.read_only:
            raise StoreError("this store was opened read-only")

    def replace_graph(self, graph: str, quads: list[Quad], before: str = "") -> None:
        """Make a named graph hold exactly these quads, in one transaction.

        `before` is SPARQL Update run first in the same transaction (the
        ingester uses it to mark what the old graph named as pending for
        the derived graph), so a kill at any moment leaves either the old
        graph or the new one, never half of either.
        """
        self._writable()
        node = NamedNode(graph)
        body = " .\n".join(str(q.triple) for q in quads)
        steps = [before] if before else []
        steps.append(f"DROP SILENT GRAPH {node}")
        if quads:
            steps.append(f"INSERT DATA {{ GRAPH {node} {{\n{body} .\n}} }}")
        self._ox.update(" ;\n".join(steps))

    def bulk_add(self, nquads: bytes) -> None:
        """Write graphs the store does not hold yet, given as N-Quads, atomically.

        Oxigraph's bulk loader writes sorted files and ingests them in one
        atomic step at commit: about three times the speed of a transaction
        and as crash-safe, but it does not read what is there, so it is only
        for graphs that are new.
        """
        self._writable()
        if nquads:
            self._ox.bulk_load(nquads, format=RdfFormat.N_QUADS)

    def update(self, sparql: str) -> None:
        """One SPARQL Update, as one transaction."""
        self._writable()
        self._ox.update(sparql)

    def extend(self, quads: list[Quad]) -> None:
        """Add quads in one transaction."""
        self._writable()
        self._ox.extend(quads)

    def release_memory(self) -> None:
        """Hand back what a long write held: Oxigraph's write buffers, and the heap glibc keeps.

        A refresh runs round after round in one process; without this its
        resident memory climbed by what each round wrote (about 200 MB in
        write buffers and 250 MB of freed heap per round of 5,000 releases
        at 60,000), although nothing was still in use.
        """
        if not self.read_only:
            self._ox.flush()
        _trim_heap()

    def has_graph(self, graph: str) -> bool:
        return self._ox.contains_named_graph(NamedNode(graph))

    def remove_graph(self, graph: str) -> None:
        self._writable()
        self._ox.update(f"DROP SILENT GRAPH {NamedNode(graph)}")

    def optimize(self) -> None:
        self._ox.optimize()

    # ------------------------------------------------------------------ reading

    def query(self, sparql: str, default_graphs: list[str] | None = None, named_graphs: list[str] | None = None):
        """Run SPARQL over the union of all graphs (the store's default graph is their union).

        `default_graphs` and `named_graphs` (graph IRIs) give the query the
        dataset a SPARQL Protocol request names instead: the default graph is
        then the merge of `default_graphs` only (the store's own default graph
        when only `named_graphs` are given), and GRAPH sees `named_graphs` only.
        """
        options: dict = {"prefixes": PREFIXES}
        if default_graphs or named_graphs:
            options["default_graph"] = [NamedNode(g) for g in default_graphs] if default_graphs else DefaultGraph()
            if named_graphs:
                options["named_graphs"] = [NamedNode(g) for g in named_graphs]
        else:
            options["use_default_graph_as_union"] = True
        try:
            return self._ox.query(sparql, **options)
        except SyntaxError as err:
            raise StoreError(f"the SPARQL query is not valid: {err}") from None

    def rows(self, sparql: str) -> list[dict[str, object]]:
        """A SELECT query's answers as dicts of plain Python values (str, int, float, bool)."""
        result = self.query(sparql)
        if not isinstance(result, QuerySolutions):
            raise StoreError("only SELECT queries give rows")
        names = [v.value for v in result.variables]
        return [{name: python_value(solution[name]) for name in names} for solution in result]

    def base_iri(self) -> str | None:
        rows = self.rows(sparql_prefixes() + "SELECT ?base WHERE { ?g pk:baseIri ?base } LIMIT 1")
        return str(rows[0]["base"]) if rows else None

    def graph_names(self) -> list[str]:
        return sorted(g.value for g in self._ox.named_graphs() if isinstance(g, NamedNode))

    def __len__(self) -> int:
        return len(self._ox)

    def __iter__(self) -> Iterator[Quad]:
        return iter(self._ox)

    def quads(self, graph: str | None = None) -> list[Quad]:
        return list(self._ox.quads_for_pattern(None, None, None, NamedNode(graph) if graph else None))

    # ------------------------------------------------------------------ export

    def distinct_triples(self, extra: Iterable[Triple] = ()) -> Iterator[Triple]:
        """Every triple of every graph once (then the `extra` triples no graph holds), streamed.

        A flat export must not repeat a triple that many release graphs hold
        (a unit's type and name, once per release that names it), but a set
        of every triple seen would grow with the store. Instead the graphs
        are walked in a fixed order and a triple is written from the first
        graph that holds it: one index lookup per quad (`?s ?p ?o` bound,
        any graph), so memory holds only the list of graph names.
        """
        graphs: list = [DefaultGraph(), *sorted(self._ox.named_graphs(), key=str)]
        rank = {g: i for i, g in enumerate(graphs)}
        lookup = self._ox.quads_for_pattern
        for i, graph in enumerate(graphs):
            for quad in lookup(None, None, None, graph):
                triple = quad.triple
                if i and any(rank[q.graph_name] < i for q in lookup(quad.subject, quad.predicate, quad.object, None)):
                    continue
                yield triple
        seen = set()
        for triple in extra:
            if triple in seen or next(iter(lookup(triple.subject, triple.predicate, triple.object, None)), None):
                continue
            seen.add(triple)
            yield triple

    def export(self, output, format: str = "trig", with_ontology: bool = False, workers: int = 1) -> None:
        """Write the whole store, streamed: datasets keep their graphs; Turtle and N-Triples get each triple once.

        `with_ontology` adds the ontology and the SHACL shapes (`ontology/*.ttl`),
        each in a named graph of its own (its IRI, e.g.
        <https://w3id.org/policekg/shapes>) in the dataset formats, so a
        triple store that loads the export can validate and reason over it.

        N-Quads is written graph by graph in IRI order, so that `workers`
        processes can each write a slice of the graphs and the slices be
        joined end to end: the same bytes for any number of workers.
        Serialising is bound by decoding terms on one core (about 160k quads
        a second), so two workers on two cores nearly double it.
        """
        if format not in FORMATS:
            raise StoreError(f"unknown export format {format!r}; choose one of {', '.join(FORMATS)}")
        rdf_format = FORMATS[format]
        prefixes = PREFIXES if rdf_format in (RdfFormat.TRIG, RdfFormat.TURTLE) else None
        shipped = ontology_graphs() if with_ontology else {}
        if workers > 1 and rdf_format != RdfFormat.N_QUADS:
            raise StoreError(f"only nquads is written by several workers, not {format}; "
                             "export nquads with --workers, or drop --workers")
        if rdf_format == RdfFormat.N_QUADS:
            _nquads_by_graph(self, output, workers, _shipped_quads(shipped))
            return
        if rdf_format.supports_datasets:
            if not shipped:
                self._ox.dump(output, format=rdf_format, prefixes=prefixes)
                return
            serialize(chain(self._ox, _shipped_quads(shipped)), output, format=rdf_format, prefixes=prefixes)
            return
        extra = (t for path in shipped.values() for t in _shipped_triples(path))
        serialize(self.distinct_triples(extra), output, format=rdf_format, prefixes=prefixes)


def _shipped_triples(path: Path) -> Iterator[Triple]:
    """An ontology file's triples, its blank nodes named by order of appearance: the same export every time."""
    names: dict = {}

    def stable(term):
        if isinstance(term, BlankNode):
            if term not in names:
                names[term] = BlankNode(f"{path.stem}{len(names)}")
            return names[term]
        return term
    for t in parse(path=str(path), format=RdfFormat.TURTLE):
        yield Triple(stable(t.subject), t.predicate, stable(t.object))


def _shipped_quads(shipped: dict[str, Path]) -> Iterator[Quad]:
    """The shipped ontology files' triples, each file in its named graph."""
    for graph, path in shipped.items():
        for t in _shipped_triples(path):
            yield Quad(t.subject, t.predicate, t.object, NamedNode(graph))


def _nquads_by_graph(store: Store, output, workers: int, extra: Iterable[Quad]) -> None:
    """N-Quads of the default graph, then each named graph in IRI order, then `extra`; see Store.export."""
    import shutil
    import tempfile
    from concurrent.futures import ProcessPoolExecutor
    from contextlib import nullcontext
    from multiprocessing import get_context

    graphs = sorted(g.value for g in store._ox.named_graphs())
    workers = max(1, min(workers, len(graphs)))
    size = -(-len(graphs) // workers) if graphs else 0
    slices = [graphs[i * size:(i + 1) * size] for i in range(workers)]
    to_path = isinstance(output, (str, os.PathLike))
    sink = open(output, "wb") if to_path else output
    try:
        with tempfile.TemporaryDirectory(prefix=".kg-export-", dir=Path(output).parent if to_path else None) as parts, \
                (ProcessPoolExecutor(max_workers=workers - 1, mp_context=get_context("spawn")) if workers > 1
                 else nullcontext()) as pool:
            # the other slices go to part files in worker processes while this one writes the first
            futures = [pool.submit(_write_nquads, str(store.path), part, str(Path(parts) / f"{i}.nq"))
                       for i, part in enumerate(slices[1:], 1)]
            serialize(store._ox.quads_for_pattern(None, None, None, DefaultGraph()), sink, format=RdfFormat.N_QUADS)
            _graphs_nquads(store._ox, slices[0], sink)
            for i, future in enumerate(futures, 1):
                future.result()
                with open(Path(parts) / f"{i}.nq", "rb") as part:
                    shutil.copyfileobj(part, sink, 1 << 20)
                (Path(parts) / f"{i}.nq").unlink()
        serialize(extra, sink, format=RdfFormat.N_QUADS)
    finally:
        if sink is not output:
            sink.close()


def _graphs_nquads(ox: OxStore, graphs: list[str], sink) -> None:
    for graph in graphs:
        serialize(ox.quads_for_pattern(None, None, None, NamedNode(graph)), sink, format=RdfFormat.N_QUADS)


def _write_nquads(path: str, graphs: list[str], target: str) -> None:
    """In a worker process: these graphs of the store at `path`, as N-Quads, to `target`."""
    ox = OxStore.read_only(path)
    with open(target, "wb") as sink:
        _graphs_nquads(ox, graphs, sink)


def _trim_heap() -> None:
    try:
        import ctypes

        ctypes.CDLL("libc.so.6").malloc_trim(0)
    except (OSError, AttributeError):  # not glibc: nothing to hand back this way
        pass


def ontology_graphs() -> dict[str, Path]:
    """The shipped ontology files (ontology/*.ttl) by the named graph an export puts each in."""
    graphs = {}
    for path in sorted(resource_dir("ontology").glob("*.ttl")):
        graphs[ONTOLOGY_GRAPHS.get(path.stem, f"https://w3id.org/policekg/{path.stem}")] = path
    return graphs


def python_value(term) -> object:
    """A plain Python value for an RDF term (None stays None)."""
    if term is None:
        return None
    if isinstance(term, Literal):
        datatype = term.datatype.value.rsplit("#", 1)[-1] if term.datatype else "string"
        try:
            if datatype in ("integer", "int", "long", "nonNegativeInteger"):
                return int(term.value)
            if datatype in ("decimal", "double", "float"):
                return float(term.value)
            if datatype == "boolean":
                return term.value == "true"
        except ValueError:
            return term.value
        return term.value
    return term.value


def batches(items: list[str], size: int = 2000) -> Iterator[list[str]]:
    """Slices of a list small enough for one VALUES block each."""
    for i in range(0, len(items), size):
        yield items[i:i + size]


def iris(items: Iterable[str]) -> str:
    """IRIs as the body of a VALUES block."""
    return " ".join(f"<{i}>" for i in items)


def disk_size(path: Path) -> int:
    return sum(f.stat().st_size for f in Path(path).rglob("*") if f.is_file())


def compact(path: str | os.PathLike) -> tuple[int, int]:
    """Rewrite a store in one bulk load; returns its size in bytes before and after.

    Releases arrive in chunks, and RocksDB's compaction of the chunks'
    overlapping files writes the indexes about half as large again as one
    bulk load of the same quads does (measured: 340 against 220 bytes a
    quad), so a store built once and then mostly read is worth rewriting.
    The copy is built beside the store while the store stays open for
    writing (so no ingest or server can change it meanwhile); only when it
    is complete do two renames swap it in, so an interrupted compaction
    leaves the original as it was (and a `.compacting` folder to remove).
    """
    import shutil

    path = Path(path)
    source = Store.open(path)
    if source.read_only or not _looks_like_store(path):
        source.close()
        raise StoreError(f"no store at {path} to compact")
    before = disk_size(path)
    fresh = path.with_name(path.name + ".compacting")
    old = path.with_name(path.name + ".before-compacting")
    shutil.rmtree(fresh, ignore_errors=True)
    try:
        target = OxStore(str(fresh))
        target.bulk_extend(source._ox.quads_for_pattern(None, None, None, None))
        target.flush()
        del target
    except BaseException:
        source.close()
        shutil.rmtree(fresh, ignore_errors=True)
        raise
    source.close()
    os.rename(path, old)
    os.rename(fresh, path)
    shutil.rmtree(old, ignore_errors=True)
    return before, disk_size(path)
