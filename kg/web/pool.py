"""Worker processes that answer queries, so a time limit can be kept.

Oxigraph evaluates a query to the end once started and offers no way to
cancel it from another thread, so each query runs in a worker process with
its own read-only handle on the store; a query still running after
`timeout` seconds is stopped by killing its worker, and a fresh one takes
its place. The server process itself never opens the store.

A job is plain data in, plain data out (bytes of the serialised answer, or
the facts of an entity page), so nothing Oxigraph holds crosses a process
boundary. A worker stops reading solutions past `max_rows` and says the
answer was truncated.
"""
from __future__ import annotations

import asyncio
import logging
import multiprocessing
import os
import signal
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

from pyoxigraph import QueryBoolean, QuerySolutions, serialize

from ..vocab import PREFIXES
from . import formats


@dataclass(frozen=True)
class Job:
    """One piece of work for a worker: `kind` is "sparql", "entity", "graph-page" or "base-iri"."""
    kind: str
    query: str = ""
    format: str | None = None
    accept: str | None = None
    default_graphs: tuple[str, ...] = ()
    named_graphs: tuple[str, ...] = ()
    iri: str = ""
    links: tuple[str, str] | None = None  # graph page: (base IRI, its path on the server) for node links


@dataclass
class Answer:
    """What a worker sends back: an HTTP status, a body and how to label it."""
    status: int = 200
    body: bytes = b""
    media_type: str = "text/plain; charset=utf-8"
    truncated: bool = False
    rows: int = 0
    data: object = None
    headers: dict = field(default_factory=dict)


class QueryTimeout(Exception):
    """A query ran past the time limit; its worker was stopped."""


class Busy(Exception):
    """Every worker stayed busy for the whole time limit."""


class WorkerDied(Exception):
    """A worker ended while answering (out of memory, say); a fresh one was started."""


# ---------------------------------------------------------------- in the worker

def run_sparql(store, job: Job, max_rows: int) -> Answer:
    """Answer a SPARQL query with at most `max_rows` solutions or triples."""
    from ..queries import ordered, solution_rows
    from ..store import StoreError

    dataset = {"default_graphs": list(job.default_graphs), "named_graphs": list(job.named_graphs)}
    # A closing ORDER BY is sorted here, as `kg query` does (`queries.ordered`): the same order, in
    # a fraction of Oxigraph's time (it decodes terms at every comparison). All rows are read first
    # then, as the engine itself would have to.
    try:
        result, keys, keep, distinct = ordered(store, job.query, **dataset)
    except StoreError as err:
        return Answer(400, f"{err}\n".encode())
    except ValueError as err:
        return Answer(400, f"The query cannot be run: {err}\n".encode())
    try:
        if isinstance(result, QueryBoolean):
            name = formats.choose("results", job.format, job.accept)
            return Answer(200, result.serialize(format=formats.RESULTS[name][1]), formats.media_type(name), rows=1)
        if isinstance(result, QuerySolutions):
            name = formats.choose("results", job.format, job.accept)
            variables = [v.value for v in result.variables]
            rows, truncated = [], False
            if keys:
                # an ORDER BY key the query does not project was added for the sort and is cut here
                variables, rows = solution_rows(result, keys, keep, distinct, terms=True)
                truncated = len(rows) > max_rows
                del rows[max_rows:]
            else:
                for solution in result:
                    if len(rows) == max_rows:
                        truncated = True
                        break
                    rows.append([solution[v] for v in variables])
            return Answer(200, formats.write_solutions(name, variables, rows), formats.media_type(name),
                          truncated=truncated, rows=len(rows))
        name = formats.choose("graph", job.format, job.accept)
        triples, seen, truncated = [], set(), False
        for triple in result:
            if triple in seen:
                continue
            if len(triples) == max_rows:
                truncated = True
                break
            seen.add(triple)
            triples.append(triple)
        rdf_format = formats.GRAPHS[name][1]
        prefixes = PREFIXES if name == "turtle" else None
        body = serialize(triples, format=rdf_format, prefixes=prefixes) or b""
        return Answer(200, body, formats.media_type(name), truncated=truncated, rows=len(triples))
    except formats.NotAcceptable as err:
        return Answer(406, f"{err}\n".encode())
    except OSError as err:
        return Answer(500, f"The store could not answer: {err}\n".encode())


def _answer(store, job: Job, max_rows: int, settings: dict) -> Answer:
    if job.kind == "sparql":
        return run_sparql(store, job, max_rows)
    if job.kind == "entity":
        from .pages import entity_facts

        return Answer(data=entity_facts(store, job.iri))
    if job.kind == "graph-page":
        from ..render import page_html, page_view

        view = page_view(store, max_nodes=settings.get("max_nodes", 2000))
        return Answer(body=page_html(view, links=job.links).encode("utf-8"),
                      media_type="text/html; charset=utf-8")
    if job.kind == "base-iri":
        return Answer(data=store.base_iri())
    return Answer(400, f"unknown job {job.kind!r}".encode())


def _worker(store_path: str, max_rows: int, settings: dict, conn) -> None:
    """A worker's life: open the store read-only, say so, then answer jobs until told to stop."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C stops the server, which stops us
    from ..store import Store, StoreError

    try:
        store = Store.open(store_path, read_only=True)
    except StoreError as err:
        conn.send(("error", str(err)))
        return
    conn.send(("ready", os.getpid()))
    while True:
        try:
            job = conn.recv()
        except (EOFError, OSError):
            return
        if job is None:
            return
        try:
            answer = _answer(store, job, max_rows, settings)
        except Exception as err:  # a bug or a store error: answer it, keep the worker
            answer = Answer(500, f"The query failed: {type(err).__name__}: {err}\n".encode())
        conn.send(answer)


# ---------------------------------------------------------------- in the server

def _report_spawn(task: asyncio.Future) -> None:
    if not task.cancelled() and task.exception() is not None:
        logging.getLogger("kg.serve").error("could not start a query worker: %s", task.exception())


class _Slot:
    def __init__(self, process, conn) -> None:
        self.process = process
        self.conn = conn

    def kill(self) -> None:
        try:
            self.process.kill()
        except (OSError, ValueError):
            pass
        self.process.join(5)
        self.conn.close()


class QueryPool:
    """`workers` processes over a read-only store; `run` answers a Job within `timeout` seconds or raises."""

    def __init__(self, store_path: str, workers: int = 2, timeout: float = 30.0, max_rows: int = 10_000,
                 settings: dict | None = None) -> None:
        self.store_path = str(store_path)
        self.workers = workers
        self.timeout = timeout
        self.max_rows = max_rows
        self.settings = settings or {}
        self._context = multiprocessing.get_context("spawn")
        self._threads = ThreadPoolExecutor(max_workers=workers + 2, thread_name_prefix="kg-pool")
        self._idle: asyncio.Queue[_Slot] | None = None
        self._slots: set[_Slot] = set()
        self._closed = False
        self.restarts = 0

    def _spawn_blocking(self) -> _Slot:
        parent, child = self._context.Pipe()
        process = self._context.Process(target=_worker, name="kg-serve-worker", daemon=True,
                                        args=(self.store_path, self.max_rows, self.settings, child))
        process.start()
        child.close()
        if not parent.poll(120):
            process.kill()
            raise RuntimeError("a query worker did not start within 120 s")
        try:
            status, detail = parent.recv()
        except EOFError:
            raise RuntimeError("a query worker ended while opening the store") from None
        if status != "ready":
            process.join(5)
            raise RuntimeError(detail)
        return _Slot(process, parent)

    async def _spawn(self) -> None:
        slot = await asyncio.get_running_loop().run_in_executor(self._threads, self._spawn_blocking)
        if self._closed:
            slot.kill()
            return
        self._slots.add(slot)
        self._idle.put_nowait(slot)

    async def start(self) -> None:
        """Start every worker; raises RuntimeError (with the store's message) if the store cannot be opened."""
        self._idle = asyncio.Queue()
        await asyncio.gather(*(self._spawn() for _ in range(self.workers)))

    @staticmethod
    def _exchange(slot: _Slot, job: Job, timeout: float):
        slot.conn.send(job)
        if not slot.conn.poll(timeout):
            return None
        return slot.conn.recv()

    async def run(self, job: Job) -> Answer:
        loop = asyncio.get_running_loop()
        try:
            slot = await asyncio.wait_for(self._idle.get(), timeout=self.timeout)
        except asyncio.TimeoutError:
            raise Busy(f"all {self.workers} query workers stayed busy for {self.timeout:g} s") from None
        healthy = True
        try:
            answer = await loop.run_in_executor(self._threads, self._exchange, slot, job, self.timeout)
            if answer is None:
                healthy = False
                raise QueryTimeout(f"the query ran longer than the limit of {self.timeout:g} s and was stopped")
            return answer
        except asyncio.CancelledError:
            healthy = False  # the worker may still be busy with this job: never hand it another
            raise
        except (EOFError, OSError, BrokenPipeError):
            healthy = False
            raise WorkerDied("the query worker ended while answering (out of memory?); "
                             "a fresh one has been started") from None
        finally:
            if healthy:
                self._idle.put_nowait(slot)
            else:
                self._slots.discard(slot)
                await loop.run_in_executor(self._threads, slot.kill)
                self.restarts += 1
                if not self._closed:
                    asyncio.ensure_future(self._spawn()).add_done_callback(_report_spawn)

    async def close(self) -> None:
        self._closed = True
        for slot in list(self._slots):
            try:
                slot.conn.send(None)
            except (OSError, ValueError):
                pass
        for slot in list(self._slots):
            slot.process.join(2)
            if slot.process.is_alive():
                slot.kill()
        self._slots.clear()
        self._threads.shutdown(wait=False, cancel_futures=True)
