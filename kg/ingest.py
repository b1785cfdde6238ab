"""Ingest a batch of releases: read, extract, resolve, emit, store.

`build_release` is the whole flow for one document and a pure function of
it: the same document gives the same quads on any machine, in any process,
in any order. That is what lets a batch spread over worker processes or a
Dask cluster and merge by union.

The batch streams: files are found, releases (and the lines of a JSON Lines
corpus) are read one at a time, handed to the workers in small batches with
a bounded number in flight, and their N-Quads are bulk-loaded in chunks, so
memory stays flat whatever the corpus size. A new release goes in through
Oxigraph's atomic bulk loader; a release the store already holds is
replaced in its own transaction; an unchanged one (same text, same
extractor version) is left as it is, which is what makes a re-run after a
crash cheap. The derived graph is then brought up to date for what the
batch touched.

A file that cannot be read, or a release the extractor fails on, becomes a
`Problem` naming the file (and line) and why; the rest of the batch goes in
and nothing of the failed item touches the store. Two items of one batch
that claim the same release identifier are both refused, so no order
decides which one wins.
"""
from __future__ import annotations

import hashlib
import os
from collections import deque
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable, Iterator

from pyoxigraph import Quad, RdfFormat, parse, serialize

from . import __version__, derive
from .documents import DEFAULT_MAX_BYTES, Document, Pending, Problem, count_releases, find_files, read_items, read_pending
from .emit import reference_quads, release_quads
from .extract import extract
from .resolve import Identity, resolve
from .store import Store, StoreError
from .vocab import DEFAULT_BASE_IRI, PK

# Quads per bulk load: large enough to amortise it, small enough to keep memory flat.
CHUNK_QUADS = int(os.environ.get("POLICEKG_CHUNK_QUADS", "200000"))
TASK_SIZE = 16  # releases per task handed to a worker


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
    digest: str
    warnings: tuple[str, ...] = ()

    @property
    def quads(self) -> list[Quad]:
        return list(parse(self.nquads, format=RdfFormat.N_QUADS))


@dataclass
class IngestReport:
    releases: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    quads: int = 0

    @property
    def ok(self) -> bool:
        return not self.problems


def text_digest(text: str) -> str:
    return "sha256:" + hashlib.sha256(text.encode("utf-8")).hexdigest()


def build_release(document: Document, identity: Identity) -> Built:
    """The quads of one release's named graph."""
    resolved = resolve(extract(document), identity)
    quads = release_quads(resolved)
    return Built(document.id, document.source, resolved.release, serialize(quads, format=RdfFormat.N_QUADS),
                 len(quads), text_digest(document.text), document.warnings)


def build_items(items: list[Document | Pending], base: str) -> list[Built | Problem]:
    """Build a handful of releases (runs in a worker process or on a Dask worker)."""
    identity = Identity(base)
    out: list[Built | Problem] = []
    for item in items:
        if isinstance(item, Pending):
            item = read_pending(item)
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
           max_bytes: int = DEFAULT_MAX_BYTES, progress: Callable[[int, int], None] | None = None,
           dask: str | object | None = None, refresh: bool = False) -> IngestReport:
    """Ingest files and folders of releases into a store; returns what went in and what did not.

    `workers` spreads extraction over local processes; `dask` (a scheduler
    address such as "tcp://10.0.0.5:8786", or a `distributed.Client`) over
    a Dask cluster. Either way the store ends up with exactly the quads one
    process would write. `refresh` re-extracts releases whose text has not
    changed (after a change of rules, say).
    """
    report = IngestReport()
    identity = identity_for(store, base_iri)
    files, problems = find_files(paths)
    report.problems.extend(problems)
    total, duplicates = count_releases(files, max_bytes)
    ensure_reference(store, identity)
    writer = _Writer(store, identity, report)
    done = 0

    def items() -> Iterator[Document | Pending]:
        nonlocal done
        for item in read_items(files, max_bytes):
            if isinstance(item, Problem):
                report.problems.append(item)
                done += 1
                continue
            if item.id in duplicates:
                sources = ", ".join(sorted(duplicates[item.id]))
                report.problems.append(Problem(item.source, f"release id {item.id!r} is claimed by {len(duplicates[item.id])} "
                                                            f"items of this batch ({sources}); none was ingested — rename one"))
                done += 1
                continue
            if not refresh and isinstance(item, Document) and writer.unchanged(item.id, text_digest(item.text)):
                report.unchanged.append(item.id)
                done += 1
                continue
            yield item

    try:
        for result in _build_all(_tasks(items()), identity.base, workers, dask):
            for built in result:
                done += 1
                if isinstance(built, Problem):
                    report.problems.append(built)
                else:
                    writer.add(built, refresh)
            if progress:
                progress(min(done, total), total)
        writer.flush()
    finally:
        derive.refresh(store, identity)
    if progress:
        progress(total, total)
    report.releases.sort()
    report.unchanged.sort()
    return report


def _tasks(items: Iterator[Document | Pending]) -> Iterator[list[Document | Pending]]:
    task: list[Document | Pending] = []
    for item in items:
        task.append(item)
        if len(task) >= TASK_SIZE:
            yield task
            task = []
    if task:
        yield task


def _build_all(tasks: Iterator[list], base: str, workers: int, dask) -> Iterator[list[Built | Problem]]:
    """Results of every task, in the order the tasks came; at most a few tasks in flight."""
    if dask is not None:
        yield from _on_dask(tasks, base, dask)
        return
    if workers <= 1:
        for task in tasks:
            yield build_items(task, base)
        return
    from concurrent.futures import ProcessPoolExecutor

    with ProcessPoolExecutor(max_workers=workers) as pool:
        yield from _bounded(tasks, lambda task: pool.submit(build_items, task, base), 4 * workers)


def _bounded(tasks: Iterator[list], submit, limit: int) -> Iterator[list[Built | Problem]]:
    in_flight: deque = deque()
    for task in tasks:
        in_flight.append(submit(task))
        if len(in_flight) >= limit:
            yield in_flight.popleft().result()
    while in_flight:
        yield in_flight.popleft().result()


def _on_dask(tasks: Iterator[list], base: str, dask) -> Iterator[list[Built | Problem]]:
    try:
        from distributed import Client
    except ImportError:
        raise StoreError("--dask needs Dask's distributed scheduler: pip install 'policekg[dask]'") from None
    client = dask if isinstance(dask, Client) else Client(dask)
    try:
        limit = 4 * max(1, sum(client.nthreads().values()))
        yield from _bounded(tasks, lambda task: client.submit(build_items, task, base, pure=False), limit)
    finally:
        if client is not dask:
            client.close()


class _Writer:
    """Puts built releases into the store: new ones bulk-loaded in chunks, known ones replaced."""

    def __init__(self, store: Store, identity: Identity, report: IngestReport) -> None:
        self.store = store
        self.identity = identity
        self.report = report
        self.chunk: list[bytes] = []
        self.size = 0
        self.derived = identity.graph("derived")

    def unchanged(self, release_id: str, digest: str) -> bool:
        graph = self.identity.release(release_id)
        if not self.store.has_graph(graph):
            return False
        rows = self.store.rows(f"""SELECT ?d ?v WHERE {{ GRAPH <{graph}> {{
            <{graph}> <{PK.textDigest.value}> ?d ; <{PK.extractorVersion.value}> ?v }} }}""")
        return bool(rows) and rows[0]["d"] == digest and rows[0]["v"] == __version__

    def add(self, built: Built, refresh: bool) -> None:
        if self.store.has_graph(built.graph):
            if not refresh and self.unchanged(built.id, built.digest):
                self.report.unchanged.append(built.id)
                return
            self.store.replace_graph(built.graph, built.quads, before=derive.pending_marks(self.derived, built.graph))
        else:
            self.chunk.append(built.nquads)
            self.size += built.size
            if self.size >= CHUNK_QUADS:
                self.flush()
        self.report.releases.append(built.id)
        self.report.quads += built.size
        self.report.warnings.extend(f"{built.source}: {w}" for w in built.warnings)

    def flush(self) -> None:
        if self.chunk:
            self.store.bulk_add(b"".join(self.chunk))
        self.chunk, self.size = [], 0
