"""Load the graph into a triple store server by the SPARQL 1.1 Graph Store HTTP Protocol.

One PUT per named graph (`URL?graph=<release IRI>`), the reference and
derived graphs included: PUT replaces a graph, so pushing again after
re-ingesting replaces what the server holds instead of adding to it, and a
server that is already loaded with older releases keeps the ones the store
no longer holds. Each body is that graph as N-Triples.

All requests go over one keep-alive HTTP connection (http.client, no extra
dependency); a request the server refuses is recorded with the release and
the server's answer, and the push goes on with the next graph. A server
that cannot be reached at all stops the push with an error saying so.

    >>> report = push(store, "http://localhost:7878/store")        # doctest: +SKIP
    >>> report.pushed, report.failures                             # doctest: +SKIP
    (212, ())
"""
from __future__ import annotations

import base64
import http.client
import urllib.parse
from dataclasses import dataclass, field
from typing import Callable

from pyoxigraph import DefaultGraph, NamedNode, RdfFormat, serialize

from .store import Store, StoreError
from .vocab import sparql_prefixes


class PushError(StoreError):
    """The server cannot be reached (or the URL is unusable): nothing more can be pushed."""


@dataclass(frozen=True)
class PushFailure:
    """A graph the server refused: which release (or graph), and what the server answered."""

    graph: str
    label: str
    status: int | None
    answer: str

    def __str__(self) -> str:
        status = f"HTTP {self.status}" if self.status else "no answer"
        return f"{self.label} <{self.graph}>: {status}: {self.answer}"


@dataclass(frozen=True)
class PushReport:
    url: str
    pushed: int = 0
    quads: int = 0
    failures: tuple[PushFailure, ...] = field(default_factory=tuple)

    @property
    def ok(self) -> bool:
        return not self.failures


class _Connection:
    """One keep-alive HTTP(S) connection to the server, reopened once if the server closed it."""

    def __init__(self, url: str, user: str | None, password: str | None, timeout: float) -> None:
        parts = urllib.parse.urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise PushError(f"{url!r} is not an http(s) URL of a Graph Store endpoint "
                            "(e.g. http://localhost:7878/store, or Fuseki's http://localhost:3030/DATASET/data)")
        self.parts = parts
        self.timeout = timeout
        self.headers = {"Content-Type": "application/n-triples", "Connection": "keep-alive"}
        if user is not None:
            token = base64.b64encode(f"{user}:{password or ''}".encode("utf-8")).decode("ascii")
            self.headers["Authorization"] = f"Basic {token}"
        self._conn: http.client.HTTPConnection | None = None

    def _open(self) -> http.client.HTTPConnection:
        kind = http.client.HTTPSConnection if self.parts.scheme == "https" else http.client.HTTPConnection
        return kind(self.parts.hostname, self.parts.port, timeout=self.timeout)

    def target(self, graph: NamedNode | DefaultGraph) -> str:
        """The request target: the endpoint's path and query, with `graph=<IRI>` or `default` added."""
        extra = "default" if isinstance(graph, DefaultGraph) else "graph=" + urllib.parse.quote(graph.value, safe="")
        query = f"{self.parts.query}&{extra}" if self.parts.query else extra
        return f"{self.parts.path or '/'}?{query}"

    def put(self, target: str, body: bytes) -> tuple[int, str]:
        for attempt in (1, 2):
            if self._conn is None:
                self._conn = self._open()
            try:
                self._conn.request("PUT", target, body=body, headers=self.headers)
                answer = self._conn.getresponse()
                text = answer.read().decode("utf-8", "replace")
                if answer.getheader("Connection", "").lower() == "close":
                    self.close()
                return answer.status, text
            except (ConnectionError, http.client.HTTPException, OSError) as err:
                self.close()
                if attempt == 2:
                    raise PushError(f"cannot reach {self.parts.geturl()}: {err}") from None
        raise AssertionError("unreachable")

    def close(self) -> None:
        if self._conn is not None:
            self._conn.close()
            self._conn = None


def _labels(store: Store) -> dict[str, str]:
    """'release ID' for each release graph, 'reference graph' / 'derived graph' for the others."""
    labels = {}
    for row in store.rows(sparql_prefixes() + """
        SELECT ?g ?id WHERE { GRAPH ?g { ?g a schema:NewsArticle ; dcterms:identifier ?id } }"""):
        labels[row["g"]] = f"release {row['id']}"
    for row in store.rows(sparql_prefixes() + """
        SELECT ?g ?kind WHERE { VALUES (?type ?kind) { (pk:ReferenceGraph "reference graph") (pk:DerivedGraph "derived graph") }
                                GRAPH ?g { ?g a ?type } }"""):
        labels[row["g"]] = row["kind"]
    return labels


def push(store: Store, url: str, user: str | None = None, password: str | None = None, timeout: float = 120.0,
         progress: Callable[[int, int], None] | None = None) -> PushReport:
    """PUT every graph of the store to a Graph Store endpoint; refused graphs are reported, the rest still go."""
    connection = _Connection(url, user, password, timeout)
    labels = _labels(store)
    graphs: list[NamedNode | DefaultGraph] = sorted(store._ox.named_graphs(), key=lambda g: g.value)
    if next(iter(store._ox.quads_for_pattern(None, None, None, DefaultGraph())), None) is not None:
        graphs.insert(0, DefaultGraph())
    failures: list[PushFailure] = []
    pushed = quads = 0
    try:
        for done, graph in enumerate(graphs, 1):
            triples = [q.triple for q in store._ox.quads_for_pattern(None, None, None, graph)]
            body = serialize(triples, format=RdfFormat.N_TRIPLES)
            try:
                status, answer = connection.put(connection.target(graph), body)
            except PushError as err:
                raise PushError(f"{err}; {pushed} of {len(graphs)} graphs were pushed before") from None
            if 200 <= status < 300:
                pushed += 1
                quads += len(triples)
            else:
                name = "default graph" if isinstance(graph, DefaultGraph) else graph.value
                label = labels.get(name, "graph")
                failures.append(PushFailure(name, label, status, " ".join(answer.split())[:300] or "(empty answer)"))
            if progress:
                progress(done, len(graphs))
    finally:
        connection.close()
    return PushReport(url, pushed, quads, tuple(failures))
