"""Ingest a batch of releases: read, extract, resolve, emit, store.

`build_release` is the whole flow for one document and a pure function of
it: the same document gives the same quads on any machine, in any process,
in any order. That is what lets a batch spread over worker processes (and,
later, a cluster) and merge by union.

A file that cannot be read, or a release the extractor fails on, becomes a
`Problem` naming the file and why; the rest of the batch goes in and
nothing of the failed item touches the store. Two items of one batch that
claim the same release identifier are both refused, so no order decides
which one wins.
"""
from __future__ import annotations

import os
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable

from pyoxigraph import Quad, RdfFormat, parse, serialize

from . import __version__
from .documents import DEFAULT_MAX_BYTES, Document, Problem, find_files, read_file
from .emit import reference_quads, release_quads
from .extract import extract
from .resolve import Identity, resolve
from .store import Store, StoreError
from .vocab import DEFAULT_BASE_IRI, PK

_BATCH_QUADS = 200_000


@dataclass
class Built:
    """One release, ready to store: its named graph as N-Quads.

    N-Quads, not Python objects, cross from worker processes to the writer:
    serialising in Rust and loading in Rust beats pickling terms one by one.
    """

    id: str
    source: str
    graph: str
    nquads: bytes
    size: int
    warnings: tuple[str, ...] = ()

    @property
    def quads(self) -> list[Quad]:
        return list(parse(self.nquads, format=RdfFormat.N_QUADS))


@dataclass
class IngestReport:
    releases: list[str] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    quads: int = 0

    @property
    def ok(self) -> bool:
        return not self.problems


def build_release(document: Document, identity: Identity) -> Built:
    """The quads of one release's named graph."""
    resolved = resolve(extract(document), identity)
    quads = release_quads(resolved)
    return Built(document.id, document.source, resolved.release, serialize(quads, format=RdfFormat.N_QUADS),
                 len(quads), document.warnings)


def _build_file(args: tuple[str, str, int]) -> list[Built | Problem]:
    """Read and build every release in one file (runs in a worker process)."""
    path, base, max_bytes = args
    identity = Identity(base)
    out: list[Built | Problem] = []
    try:
        items = list(read_file(Path(path), max_bytes))
    except Exception as err:  # a reader failing on one file must not stop the batch
        return [Problem(path, f"could not read the file: {type(err).__name__}: {err}")]
    for item in items:
        if isinstance(item, Problem):
            out.append(item)
            continue
        try:
            out.append(build_release(item, identity))
        except Exception as err:  # one release the extractor chokes on must not stop the batch
            out.append(Problem(item.source, f"could not extract release {item.id!r}: {type(err).__name__}: {err} "
                                            "(please report this with the file)"))
    return out


def identity_for(store: Store, base_iri: str | None) -> Identity:
    """The store's base IRI; a different one asked for is an error, not a silent second namespace."""
    stored = store.base_iri()
    if base_iri and stored and base_iri.rstrip("/#") != stored.rstrip("/#"):
        raise StoreError(f"the store at {store.path} was built with base IRI {stored}; "
                         f"ingest into a new store to use {base_iri}")
    return Identity(base_iri or stored or DEFAULT_BASE_IRI)


def ensure_reference(store: Store, identity: Identity) -> None:
    """Write the reference graph when it is missing or from another version of policekg."""
    graph = identity.graph("reference")
    current = store.rows(f"SELECT ?v WHERE {{ GRAPH <{graph}> {{ <{graph}> <{PK.extractorVersion.value}> ?v }} }}")
    if not current or current[0]["v"] != __version__:
        store.replace_graph(graph, reference_quads(identity))


def ingest(store: Store, paths: Iterable[str | os.PathLike], base_iri: str | None = None, workers: int = 1,
           max_bytes: int = DEFAULT_MAX_BYTES, progress: Callable[[int, int], None] | None = None) -> IngestReport:
    """Ingest files and folders of releases into a store; returns what went in and what did not."""
    report = IngestReport()
    identity = identity_for(store, base_iri)
    files, problems = find_files(paths)
    report.problems.extend(problems)
    jobs = [(str(f), identity.base, max_bytes) for f in files]
    built: list[Built] = []
    done = 0
    if workers > 1 and len(jobs) > 1:
        with ProcessPoolExecutor(max_workers=workers) as pool:
            results = pool.map(_build_file, jobs, chunksize=max(1, len(jobs) // (workers * 8)))
            for result in results:
                done += 1
                _collect(result, built, report)
                if progress:
                    progress(done, len(jobs))
    else:
        for job in jobs:
            done += 1
            _collect(_build_file(job), built, report)
            if progress:
                progress(done, len(jobs))

    built = _refuse_duplicates(built, report)
    ensure_reference(store, identity)
    _write(store, built)
    report.releases = sorted(b.id for b in built)
    report.quads = sum(b.size for b in built)
    store.refresh_derived(identity.graph("derived"), identity.graph("reference"))
    return report


def _collect(result: list[Built | Problem], built: list[Built], report: IngestReport) -> None:
    for item in result:
        if isinstance(item, Problem):
            report.problems.append(item)
        else:
            built.append(item)
            report.warnings.extend(f"{item.source}: {w}" for w in item.warnings)


def _refuse_duplicates(built: list[Built], report: IngestReport) -> list[Built]:
    by_id: dict[str, list[Built]] = {}
    for b in built:
        by_id.setdefault(b.id, []).append(b)
    kept = []
    for release_id, items in by_id.items():
        if len(items) == 1:
            kept.append(items[0])
            continue
        sources = ", ".join(sorted(i.source for i in items))
        for item in items:
            report.problems.append(Problem(item.source, f"release id {release_id!r} is claimed by {len(items)} items "
                                                        f"of this batch ({sources}); none was ingested — rename one"))
    return kept


def _write(store: Store, built: list[Built]) -> None:
    """New releases go in large transactions; a release already stored is replaced in its own."""
    batch: list[bytes] = []
    size = 0
    for b in sorted(built, key=lambda b: b.id):
        if store.has_graph(b.graph):
            store.replace_graph(b.graph, b.quads)
            continue
        batch.append(b.nquads)
        size += b.size
        if size >= _BATCH_QUADS:
            store.add_new_graphs(b"".join(batch))
            batch, size = [], 0
    if batch:
        store.add_new_graphs(b"".join(batch))
