"""The ASGI application behind `kg serve`: a read-only SPARQL endpoint and the pages of the graph.

    GET  /sparql?query=…           SPARQL 1.1 Protocol query (no query: an HTML form)
    POST /sparql                    form-encoded `query=…`, or the query as application/sparql-query
    GET  /                          the interactive graph page (what `kg render` writes)
    GET  <base path>…               one page per entity minted under the store's base IRI;
                                    text/turtle, application/n-triples, application/ld+json give its triples

Every update is refused (403) before it reaches the store, and the store is
opened read-only besides, so nothing a client sends can change it. Queries
run in worker processes (pool.py) under a time limit and a row limit; the
answer says when it was cut (X-Policekg-Truncated). CORS is open so that a
browser client such as YASGUI on another origin can query the endpoint.
"""
from __future__ import annotations

import contextlib
import logging
import re
from urllib.parse import parse_qsl, urlsplit

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.cors import CORSMiddleware
from starlette.requests import Request
from starlette.responses import HTMLResponse, PlainTextResponse, Response
from starlette.routing import Route

from .. import queries
from ..vocab import DEFAULT_BASE_IRI
from . import formats, pages
from .pool import Busy, Job, QueryPool, QueryTimeout, WorkerDied

log = logging.getLogger("kg.serve")
GRAPH_PAGE_CSP = ("default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; img-src data:; "
                  "font-src data:; frame-ancestors 'none'; base-uri 'none'")
_UPDATE_REFUSED = ("This endpoint is read-only: SPARQL Update is refused and the store is unchanged. "
                   "To change the graph, stop `kg serve`, run `kg ingest`, and start it again.\n")


_UPDATE_WORDS = re.compile(
    r"^(?:\s|#[^\n]*\n|(?:PREFIX\s+[\w.-]*:\s*<[^>]*>)|(?:BASE\s*<[^>]*>))*"
    r"(?:INSERT|DELETE|LOAD|CLEAR|DROP|CREATE|ADD|MOVE|COPY|WITH)\b", re.I)


def looks_like_update(text: str) -> bool:
    """Whether a text sent as a query is SPARQL Update (so it gets the read-only answer, not a syntax error)."""
    return bool(_UPDATE_WORDS.match(text))


def _text(status: int, message: str, headers: dict | None = None) -> PlainTextResponse:
    return PlainTextResponse(message if message.endswith("\n") else message + "\n", status_code=status,
                             headers=headers)


def _html(body: str, status: int = 200, csp: str = pages.CSP) -> HTMLResponse:
    return HTMLResponse(body, status_code=status, headers={"Content-Security-Policy": csp,
                                                           "X-Content-Type-Options": "nosniff"})


async def _run(request: Request, job: Job) -> Response:
    """Run a job in the pool and turn its answer, or its failure, into a response."""
    pool: QueryPool = request.app.state.pool
    try:
        answer = await pool.run(job)
    except QueryTimeout as err:
        return _text(503, f"Query stopped: {err} (kg serve --timeout). Narrow the query, add a LIMIT, "
                          "or run it with `kg query` on the store.")
    except Busy as err:
        return _text(503, f"The endpoint is busy: {err}; try again shortly.", {"Retry-After": "5"})
    except WorkerDied as err:
        return _text(500, f"Query failed: {err}.")
    headers = {"X-Policekg-Rows": str(answer.rows)}
    if answer.truncated:
        headers["X-Policekg-Truncated"] = f"true; the answer was cut at --max-rows {pool.max_rows} rows"
    if answer.status != 200:
        return Response(answer.body, status_code=answer.status, media_type=answer.media_type)
    return Response(answer.body, status_code=200, media_type=answer.media_type, headers=headers)


def _one(params: list[tuple[str, str]], name: str) -> list[str]:
    return [v for k, v in params if k == name]


async def sparql(request: Request) -> Response:
    """The SPARQL 1.1 Protocol query operation (GET and POST); updates are refused."""
    params = parse_qsl(request.url.query, keep_blank_values=True)
    body_query = None
    if request.method == "POST":
        content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
        raw = await request.body()
        if content_type == "application/sparql-update":
            return _text(403, _UPDATE_REFUSED)
        if content_type == "application/x-www-form-urlencoded":
            try:
                params += parse_qsl(raw.decode("utf-8"), keep_blank_values=True, strict_parsing=False)
            except UnicodeDecodeError:
                return _text(400, "The form body is not UTF-8.")
        elif content_type == "application/sparql-query":
            try:
                body_query = raw.decode("utf-8")
            except UnicodeDecodeError:
                return _text(400, "The query is not UTF-8.")
        else:
            return _text(415, "POST the query as application/x-www-form-urlencoded (query=…) or as "
                              f"application/sparql-query, not {content_type or 'no content type'}.")
    if _one(params, "update"):
        return _text(403, _UPDATE_REFUSED)
    texts = _one(params, "query") + ([body_query] if body_query is not None else [])
    if not texts:
        if request.method == "GET":
            return _html(pages.render_form("/", _examples()))
        return _text(400, "No query: send query=… (SPARQL 1.1 Protocol).")
    if len(texts) > 1:
        return _text(400, "Send one query, not several.")
    if looks_like_update(texts[0]):
        return _text(403, _UPDATE_REFUSED)
    fmt = next((v for name in ("format", "output", "results") for v in _one(params, name) if v), None)
    job = Job("sparql", query=texts[0], format=fmt, accept=request.headers.get("accept"),
              default_graphs=tuple(_one(params, "default-graph-uri")),
              named_graphs=tuple(_one(params, "named-graph-uri")))
    for iri in job.default_graphs + job.named_graphs:
        parts = urlsplit(iri)
        if not parts.scheme or " " in iri or "<" in iri or ">" in iri:
            return _text(400, f"default-graph-uri and named-graph-uri take absolute IRIs; {iri!r} is not one.")
    return await _run(request, job)


def _examples() -> list[tuple[str, str]]:
    return [(name, q.text) for name, q in queries.named_queries().items() if all(p.optional for p in q.params)]


async def graph_page(request: Request) -> Response:
    state = request.app.state
    if state.graph_page is None:
        pool: QueryPool = state.pool
        try:
            answer = await pool.run(Job("graph-page", links=(state.base_iri, state.base_path)))
        except (QueryTimeout, Busy, WorkerDied) as err:
            return _text(503, f"The graph page could not be drawn: {err}.")
        if answer.status != 200:
            return Response(answer.body, status_code=answer.status, media_type=answer.media_type)
        state.graph_page = answer.body.decode("utf-8")  # the store is read-only: draw it once
    return _html(state.graph_page, csp=GRAPH_PAGE_CSP)


def _wants_rdf(request: Request) -> str | None:
    """The RDF format an entity request asks for (format= or Accept), or None for the HTML page."""
    fmt = request.query_params.get("format")
    if fmt:
        try:
            return formats.choose("graph", fmt, None)
        except formats.NotAcceptable:
            return None
    for media, _ in formats.parse_accept(request.headers.get("accept")):
        if media in ("text/html", "application/xhtml+xml", "*/*", "text/*"):
            return None
        if media in formats._GRAPH_TYPES:
            return formats._GRAPH_TYPES[media]
    return None


async def entity(request: Request) -> Response:
    state = request.app.state
    raw = request.scope.get("raw_path") or request.url.path.encode("utf-8")
    path = raw.decode("latin-1").split("?", 1)[0]
    if not path.startswith(state.base_path) or path == state.base_path:
        return _text(404, f"Nothing at {request.url.path}. Entity pages live under {state.base_path}; "
                          "the SPARQL endpoint is /sparql.")
    iri = state.base_iri + path[len(state.base_path):]
    rdf = _wants_rdf(request)
    if rdf:
        from pyoxigraph import NamedNode

        node = NamedNode(iri)
        response = await _run(request, Job("sparql", query=f"CONSTRUCT {{ {node} ?p ?o }} WHERE {{ {node} ?p ?o }}",
                                           format=rdf))
        response.headers["Vary"] = "Accept"
        return response
    try:
        answer = await state.pool.run(Job("entity", iri=iri))
    except (QueryTimeout, Busy, WorkerDied) as err:
        return _text(503, f"The page could not be read: {err}.")
    if answer.status != 200:
        return Response(answer.body, status_code=answer.status, media_type=answer.media_type)
    if answer.data is None:
        return _text(404, f"The store says nothing about {iri}.")
    response = _html(pages.render_entity(answer.data, state.base_iri))
    response.headers["Vary"] = "Accept"
    response.headers["Link"] = f'<{path}?format=turtle>; rel="alternate"; type="text/turtle"'
    return response


def create_app(store: str, workers: int = 2, timeout: float = 30.0, max_rows: int = 10_000,
               max_nodes: int = 2000) -> Starlette:
    """The application over the store at `store` (opened read-only by each worker)."""

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette):
        pool = QueryPool(store, workers=workers, timeout=timeout, max_rows=max_rows,
                         settings={"max_nodes": max_nodes})
        await pool.start()
        app.state.pool = pool
        app.state.graph_page = None
        base = (await pool.run(Job("base-iri"))).data or DEFAULT_BASE_IRI
        app.state.base_iri = base
        app.state.base_path = urlsplit(base).path or "/"
        log.info("entity pages under %s (base IRI %s)", app.state.base_path, base)
        try:
            yield
        finally:
            await pool.close()

    routes = [
        Route("/sparql", sparql, methods=["GET", "POST"]),
        Route("/", graph_page, methods=["GET"]),
        Route("/{path:path}", entity, methods=["GET"]),
    ]
    middleware = [Middleware(CORSMiddleware, allow_origins=["*"], allow_methods=["GET", "POST"],
                             allow_headers=["Accept", "Content-Type", "Authorization", "X-Requested-With"],
                             expose_headers=["X-Policekg-Truncated", "X-Policekg-Rows"], max_age=3600)]
    return Starlette(routes=routes, middleware=middleware, lifespan=lifespan)
