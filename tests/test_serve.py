"""`kg serve` end to end: the real command on a free port on 127.0.0.1, asked by real clients.

SPARQLWrapper and plain HTTP requests query it; rdflib reads its graphs back;
its answers are compared with `kg query` on the same store and with
pyoxigraph's own serialisation. The time limit is shown on a query that
cannot finish in time, not by timing anything.
"""
from __future__ import annotations

import contextlib
import csv
import html
import io
import json
import re
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from html.parser import HTMLParser
from pathlib import Path

import pytest
import rdflib
from click.testing import CliRunner
from pyoxigraph import QueryResultsFormat

from kg import queries
from kg.cli import main
from kg.store import Store
from kg.web.serve import is_loopback

SPARQLWrapper = pytest.importorskip("SPARQLWrapper", reason="needs SPARQLWrapper (pip install 'policekg[test]')")

COUNT_QUADS = "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }"
SLOW = "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?a { ?s1 ?p1 ?o1 } GRAPH ?b { ?s2 ?p2 ?o2 } GRAPH ?c { ?s3 ?p3 ?o3 } }"
HOSTILE_QUOTE = "<script>alert(1)</script> We will not stop, 'ever' & <b>never</b>."
HOSTILE_NAME = "<script>alert(1)</script><img src=x onerror=alert(2)> \"Quoted\" 'Squad'"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    def __init__(self, url: str, process: subprocess.Popen, log: Path) -> None:
        self.url, self.process, self.log = url, process, log
        self.sparql = url + "sparql"

    def get(self, path: str, headers: dict | None = None, params: dict | None = None):
        query = ("?" + urllib.parse.urlencode(params)) if params else ""
        return request(self.url.rstrip("/") + path + query, headers=headers)

    def post(self, data: bytes, content_type: str, headers: dict | None = None, path: str = "/sparql"):
        return request(self.url.rstrip("/") + path, data=data, headers={"Content-Type": content_type, **(headers or {})})

    def select(self, sparql: str, fmt: str = "json") -> dict:
        status, _, body = self.post(urllib.parse.urlencode({"query": sparql, "format": fmt}).encode(),
                                    "application/x-www-form-urlencoded")
        assert status == 200, body
        return json.loads(body)


def request(url: str, data: bytes | None = None, headers: dict | None = None, method: str | None = None):
    """(status, headers, body text) for one HTTP request, errors included."""
    req = urllib.request.Request(url, data=data, headers=headers or {}, method=method)
    try:
        with urllib.request.urlopen(req, timeout=120) as response:
            return response.status, response.headers, response.read().decode("utf-8")
    except urllib.error.HTTPError as err:
        return err.code, err.headers, err.read().decode("utf-8")


@contextlib.contextmanager
def serving(store: Path, tmp_path: Path, *options: str, port: int | None = None):
    """Run the installed `kg serve` until the block ends; ready once it answers an ASK."""
    port = port or free_port()
    log = tmp_path / f"serve-{port}.log"
    with open(log, "wb") as out:
        process = subprocess.Popen([sys.executable, "-m", "kg", "serve", "--store", str(store), "--port", str(port),
                                    *options], stdout=out, stderr=subprocess.STDOUT)
    server = Server(f"http://127.0.0.1:{port}/", process, log)
    try:
        for _ in range(600):
            if process.poll() is not None:
                pytest.fail(f"kg serve ended with {process.returncode}:\n{log.read_text()}")
            try:
                if server.get("/sparql", params={"query": "ASK {}"})[0] == 200:
                    break
            except (urllib.error.URLError, ConnectionError):
                pass
            time.sleep(0.1)
        else:
            pytest.fail(f"kg serve did not answer within a minute:\n{log.read_text()}")
        yield server
    finally:
        process.terminate()
        try:
            process.wait(30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@pytest.fixture(scope="module")
def server(examples_store, tmp_path_factory):
    with serving(examples_store, tmp_path_factory.mktemp("serve"), "--timeout", "60") as running:
        yield running


@pytest.fixture(scope="module")
def limited(examples_store, tmp_path_factory):
    with serving(examples_store, tmp_path_factory.mktemp("limited"), "--timeout", "2", "--max-rows", "7",
                 "--workers", "1") as running:
        yield running


def wrapper(server: Server, sparql: str, fmt: str):
    from SPARQLWrapper import POST, SPARQLWrapper as Client

    client = Client(server.sparql)
    client.setQuery(sparql)
    client.setReturnFormat(fmt)
    client.setMethod(POST)
    return client.query()


def test_select_as_json_and_csv_with_sparqlwrapper(server, examples_store) -> None:
    sparql = "SELECT DISTINCT ?name WHERE { ?f a pk:PoliceForce ; skos:prefLabel ?name } ORDER BY ?name"
    data = wrapper(server, sparql, "json").convert()
    names = [b["name"]["value"] for b in data["results"]["bindings"]]
    assert data["head"]["vars"] == ["name"] and "Kent Police" in names and names == sorted(names)
    rows = list(csv.reader(io.StringIO(wrapper(server, sparql, "csv").convert().decode("utf-8"))))
    assert rows[0] == ["name"] and [r[0] for r in rows[1:]] == names
    counts = "SELECT ?e ?n WHERE { ?e pk:releaseCount ?n } ORDER BY DESC(?n) ?e"
    served = [(b["e"]["value"], int(b["n"]["value"])) for b in server.select(counts)["results"]["bindings"]]
    with Store.open(examples_store, read_only=True) as store:
        assert names == [str(r["name"]) for r in store.rows(sparql)]
        assert served == [(r["e"], r["n"]) for r in store.rows(counts)]  # the engine's own order
    assert served[0][1] > served[-1][1]


def test_construct_as_turtle_parses_in_rdflib(server) -> None:
    result = wrapper(server, "CONSTRUCT { ?u a pk:PoliceUnit ; skos:prefLabel ?n } WHERE { ?u a pk:PoliceUnit ; "
                             "skos:prefLabel ?n }", "turtle")
    assert result.response.headers["Content-Type"].startswith("text/turtle")
    graph = rdflib.Graph().parse(data=result.convert(), format="turtle")
    units = set(graph.subjects(rdflib.RDF.type, rdflib.URIRef("https://w3id.org/policekg/ontology#PoliceUnit")))
    assert len(units) == 13 and len(graph) == 26


def _bindings(data: dict) -> list[tuple]:
    return sorted(tuple(sorted((k, v["type"], v["value"], v.get("datatype", ""), v.get("xml:lang", ""))
                               for k, v in b.items())) for b in data["results"]["bindings"])


@pytest.mark.parametrize("name", [n for n, q in sorted(queries.named_queries().items())
                                  if all(p.optional for p in q.params)])
def test_a_named_query_file_gives_the_rows_of_kg_query(server, examples_store, name) -> None:
    text = (queries.queries_dir() / f"{name}.rq").read_text(encoding="utf-8")
    status, headers, body = server.post(text.encode("utf-8"), "application/sparql-query",
                                        {"Accept": "application/sparql-results+json"})
    assert status == 200, body
    result = CliRunner().invoke(main, ["query", name, "--store", str(examples_store), "-f", "json"])
    assert result.exit_code == 0, result.output
    expected = json.loads(result.output)
    served = json.loads(body)
    assert served["head"]["vars"] == expected["head"]["vars"]
    assert _bindings(served) == _bindings(expected) and expected["results"]["bindings"]


def test_results_formats_match_pyoxigraph_and_negotiate(server, examples_store) -> None:
    sparql = ("SELECT ?release ?date ?headline ?n WHERE { GRAPH ?release { ?release a schema:NewsArticle ; "
              "schema:datePublished ?date . OPTIONAL { ?release schema:headline ?headline } } "
              "OPTIONAL { ?x pk:releaseCount ?n FILTER(?x = ?release) } }")
    with Store.open(examples_store, read_only=True) as store:
        own = {fmt: store.query(sparql).serialize(format=getattr(QueryResultsFormat, fmt.upper()))
               for fmt in ("json", "xml", "csv", "tsv")}
    for fmt, accept in (("json", "application/sparql-results+json"), ("xml", "application/sparql-results+xml"),
                        ("csv", "text/csv"), ("tsv", "text/tab-separated-values")):
        status, headers, body = server.get("/sparql", {"Accept": accept}, {"query": sparql})
        assert status == 200 and headers["Content-Type"].startswith(accept)
        if fmt == "json":
            assert _bindings(json.loads(body)) == _bindings(json.loads(own["json"]))
        elif fmt == "xml":
            served = rdflib.query.Result.parse(io.BytesIO(body.encode()), format="xml")
            expected = rdflib.query.Result.parse(io.BytesIO(own["xml"]), format="xml")
            assert sorted(map(tuple, served)) == sorted(map(tuple, expected))
        elif fmt == "csv":
            assert sorted(body.split("\r\n")) == sorted(own["csv"].decode().split("\r\n"))
        else:
            served_rows = body.rstrip("\n").split("\n")
            assert served_rows[0] == own["tsv"].decode().split("\n")[0] and len(served_rows) == 10
    status, _, body = server.get("/sparql", params={"query": "ASK { ?f a pk:PoliceForce }"})
    assert status == 200 and json.loads(body)["boolean"] is True
    construct = "CONSTRUCT WHERE { ?o a pk:Operation ; skos:prefLabel ?n }"
    for accept, parse_as in (("application/n-triples", "nt"), ("application/ld+json", "json-ld"),
                             ("application/rdf+xml", "xml")):
        status, headers, body = server.get("/sparql", {"Accept": accept}, {"query": construct})
        assert status == 200 and headers["Content-Type"].startswith(accept)
        assert len(rdflib.Graph().parse(data=body, format=parse_as)) == 18
    unit = "https://w3id.org/policekg/id/unit/kent/county-lines-and-gangs-team"
    status, headers, body = server.get("/sparql", params={"query": f"DESCRIBE <{unit}>"})
    assert status == 200 and headers["Content-Type"].startswith("text/turtle")
    described = rdflib.Graph().parse(data=body, format="turtle")
    assert (rdflib.URIRef(unit), rdflib.URIRef("https://schema.org/name"), rdflib.Literal("County Lines and Gangs Team")) in described
    for fmt, parse_as in (("jsonld", "json-ld"), ("turtle", "turtle"), ("rdfxml", "xml")):
        status, _, body = server.get("/sparql", params={"query": "CONSTRUCT WHERE { ?s a <urn:x:none> }", "format": fmt})
        assert status == 200 and len(rdflib.Graph().parse(data=body or " ", format=parse_as)) == 0, fmt
    status, _, body = server.get("/sparql", params={"query": construct, "format": "csv"})
    assert status == 406 and "turtle" in body
    status, _, body = server.get("/sparql", {"Accept": "image/png"}, {"query": "SELECT * WHERE { ?s ?p ?o } LIMIT 1"})
    assert status == 406 and "application/sparql-results+json" in body


def test_default_and_named_graph_uris_are_honoured(server) -> None:
    release = "https://w3id.org/policekg/id/release/kent-2024-op-harbourlight-county-lines"
    units = "SELECT DISTINCT ?u WHERE { ?u a pk:PoliceUnit }"
    everywhere = server.select(units)["results"]["bindings"]
    status, _, body = server.get("/sparql", params={"query": units, "default-graph-uri": release})
    assert status == 200
    only = {b["u"]["value"] for b in json.loads(body)["results"]["bindings"]}
    assert only == {"https://w3id.org/policekg/id/unit/kent/county-lines-and-gangs-team"} and len(everywhere) == 13
    status, _, body = server.get("/sparql", params={"query": "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }",
                                                    "named-graph-uri": release})
    assert status == 200 and [b["g"]["value"] for b in json.loads(body)["results"]["bindings"]] == [release]
    status, _, body = server.get("/sparql", params={"query": units, "default-graph-uri": "not an iri"})
    assert status == 400 and "absolute IRIs" in body


def test_updates_are_refused_and_the_store_is_unchanged(server, examples_store) -> None:
    before = server.select(COUNT_QUADS)["results"]["bindings"][0]["n"]["value"]
    insert = "INSERT DATA { GRAPH <urn:x:g> { <urn:x:a> <urn:x:b> <urn:x:c> } }"
    attempts = [
        server.post(insert.encode(), "application/sparql-update"),
        server.post(urllib.parse.urlencode({"update": insert}).encode(), "application/x-www-form-urlencoded"),
        server.post(urllib.parse.urlencode({"update": "DROP ALL"}).encode(), "application/x-www-form-urlencoded"),
        server.get("/sparql", params={"update": "CLEAR ALL"}),
        server.get("/sparql", params={"query": "PREFIX x: <urn:x:>\nDELETE WHERE { ?s ?p ?o }"}),
    ]
    for status, _, body in attempts:
        assert status == 403 and "read-only" in body
    from SPARQLWrapper import POST, SPARQLWrapper as Client
    from SPARQLWrapper.SPARQLExceptions import SPARQLWrapperException

    client = Client(server.sparql)
    client.setMethod(POST)
    client.setQuery(insert)
    with pytest.raises((SPARQLWrapperException, urllib.error.HTTPError)):
        client.query()
    assert server.select(COUNT_QUADS)["results"]["bindings"][0]["n"]["value"] == before
    with Store.open(examples_store, read_only=True) as store:
        assert str(len(store)) == before and "urn:x:g" not in store.graph_names()


def test_a_slow_query_is_stopped_at_the_limit(limited) -> None:
    status, _, body = limited.post(urllib.parse.urlencode({"query": SLOW}).encode(),
                                   "application/x-www-form-urlencoded")
    assert status == 503
    assert "longer than the limit of 2 s" in body and "--timeout" in body
    status, _, body = limited.get("/sparql", params={"query": "ASK { ?s a pk:PoliceForce }"})
    assert status == 200 and json.loads(body)["boolean"] is True  # a fresh worker took the stopped one's place


def test_a_slow_query_holds_one_worker_and_the_others_answer(examples_store, tmp_path) -> None:
    import threading

    with serving(examples_store, tmp_path, "--timeout", "8", "--workers", "2") as two:
        slow: dict = {}
        thread = threading.Thread(target=lambda: slow.update(answer=two.post(
            urllib.parse.urlencode({"query": SLOW}).encode(), "application/x-www-form-urlencoded")))
        thread.start()
        while not thread.is_alive():
            pass
        time.sleep(0.5)  # let the slow query reach a worker
        status, _, body = two.get("/sparql", params={"query": "ASK { ?u a pk:PoliceUnit }"})
        answered_while_slow_ran = thread.is_alive()
        thread.join()
        assert status == 200 and json.loads(body)["boolean"] is True
        assert answered_while_slow_ran, "the quick query waited for the slow one"
        assert slow["answer"][0] == 503 and "limit of 8 s" in slow["answer"][2]


def test_answers_are_cut_at_max_rows_and_say_so(limited, examples_store) -> None:
    def limited_rows(sparql):
        with Store.open(examples_store, read_only=True) as store:
            return store.rows(sparql)

    status, headers, body = limited.get("/sparql", params={"query": "SELECT * WHERE { ?s ?p ?o }"})
    assert status == 200 and len(json.loads(body)["results"]["bindings"]) == 7
    assert headers["X-Policekg-Truncated"].startswith("true") and "--max-rows 7" in headers["X-Policekg-Truncated"]
    ordered = "SELECT DISTINCT ?f WHERE { ?f a pk:PoliceForce } ORDER BY DESC(?f)"
    status, headers, body = limited.get("/sparql", params={"query": ordered})
    first = [b["f"]["value"] for b in json.loads(body)["results"]["bindings"]]
    everything = sorted({r["f"] for r in limited_rows(ordered)}, reverse=True)
    assert "X-Policekg-Truncated" in headers and first == everything[:7] and len(everything) > 7
    status, headers, body = limited.get("/sparql", {"Accept": "text/turtle"},
                                        {"query": "CONSTRUCT WHERE { ?s ?p ?o }"})
    assert status == 200 and len(rdflib.Graph().parse(data=body, format="turtle")) == 7
    assert "X-Policekg-Truncated" in headers
    status, headers, body = limited.get("/sparql", params={"query": "SELECT ?x WHERE { VALUES ?x { 1 2 3 } }"})
    assert status == 200 and "X-Policekg-Truncated" not in headers and headers["X-Policekg-Rows"] == "3"


def test_cors_lets_a_browser_client_query(server) -> None:
    status, headers, _ = request(server.sparql, method="OPTIONS", headers={
        "Origin": "https://yasgui.example", "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "content-type"})
    assert status == 200 and headers["Access-Control-Allow-Origin"] == "*"
    assert "POST" in headers["Access-Control-Allow-Methods"]
    status, headers, _ = server.get("/sparql", {"Origin": "https://yasgui.example"}, {"query": "ASK {}"})
    assert status == 200 and headers["Access-Control-Allow-Origin"] == "*"
    assert "X-Policekg-Truncated" in headers["Access-Control-Expose-Headers"]


def test_form_graph_page_and_errors(server) -> None:
    status, headers, body = server.get("/sparql")
    assert status == 200 and "<form" in body and "Content-Security-Policy" in headers
    status, headers, body = server.get("/")
    assert status == 200 and "vis.Network" in body and "script-src" in headers["Content-Security-Policy"]
    status, _, body = server.get("/sparql", params={"query": "SELECT WHERE {"})
    assert status == 400 and "not valid" in body
    status, _, body = server.post(b"query", "text/plain")
    assert status == 415 and "application/sparql-query" in body
    assert server.get("/policekg/id/unit/nowhere/no-such-unit")[0] == 404
    assert server.get("/elsewhere")[0] == 404


class _Page(HTMLParser):
    """The elements, links and text of a page, as a browser's parser sees them."""

    def __init__(self) -> None:
        super().__init__()
        self.tags, self.links, self.text, self.handlers = [], [], [], []

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        self.handlers += [name for name, _ in attrs if name.startswith("on")]
        self.links += [value for name, value in attrs if name == "href"]

    def handle_data(self, data):
        self.text.append(data)


def page(body: str) -> _Page:
    parsed = _Page()
    parsed.feed(body)
    parsed.full_text = "".join(parsed.text)
    return parsed


def test_an_entity_page_lists_its_releases_spans_and_neighbours(server) -> None:
    status, headers, body = server.get("/policekg/id/unit/kent/county-lines-and-gangs-team")
    assert status == 200 and "default-src 'none'" in headers["Content-Security-Policy"]
    parsed = page(body)
    assert "County Lines and Gangs Team" in parsed.full_text and "2024-03-15" in parsed.full_text
    assert "/policekg/id/release/kent-2024-op-harbourlight-county-lines" in parsed.links
    assert any(link.startswith("/policekg/id/release/kent-2024-op-harbourlight-county-lines#char=") for link in parsed.links)
    assert "/policekg/id/force/kent" in parsed.links  # unit of
    assert "/policekg/id/person/kent/claire-odell" in parsed.links  # who speaks for it
    assert "Drug lines do not stop at the county border" in parsed.full_text
    for link in {link.split("#")[0] for link in parsed.links if link.startswith("/policekg/id/")}:
        assert server.get(link)[0] == 200, link
    status, headers, body = server.get("/policekg/id/unit/kent/county-lines-and-gangs-team", {"Accept": "text/turtle"})
    assert status == 200 and headers["Content-Type"].startswith("text/turtle")
    graph = rdflib.Graph().parse(data=body, format="turtle")
    unit = rdflib.URIRef("https://w3id.org/policekg/id/unit/kent/county-lines-and-gangs-team")
    assert set(graph.subjects()) == {unit}
    assert (unit, rdflib.URIRef("http://www.w3.org/ns/org#unitOf"), rdflib.URIRef("https://w3id.org/policekg/id/force/kent")) in graph


@pytest.fixture(scope="module")
def hostile(tmp_path_factory):
    """A server whose base IRI points at itself, over a store of an invented release full of markup."""
    tmp_path = tmp_path_factory.mktemp("hostile")
    port = free_port()
    base = f"http://127.0.0.1:{port}/id/"
    corpus = tmp_path / "invented.jsonl"
    corpus.write_text(json.dumps({
        "id": "invented-hostile-2025", "date": "2025-01-09",
        "title": "Arrests <script>alert(1)</script> & \"more\"",
        "text": ("Kent Police arrested 12 people during Operation Nightjar, led by the <img src=x onerror=alert(2)> "
                 "Serious Crime Unit of Kent Police.\n\nDetective Inspector Dan O'Neill said: \""
                 + HOSTILE_QUOTE + "\"\n")}) + "\n", encoding="utf-8")
    store = tmp_path / "store"
    result = CliRunner().invoke(main, ["ingest", str(corpus), "--store", str(store), "--base-iri", base, "-q"])
    assert result.exit_code == 0, result.output
    unit = base + "unit/kent/serious-crime-unit"
    with Store.open(store) as writable:  # a name as another tool might have written it into the release graph
        writable.update(f'INSERT DATA {{ GRAPH <{base}release/invented-hostile-2025> {{ <{unit}> '
                        f'<https://schema.org/name> {json.dumps(HOSTILE_NAME)} }} }}')
    with serving(store, tmp_path, port=port) as server:
        yield server, base, unit


def test_hostile_names_are_shown_as_text_and_iris_resolve(hostile) -> None:
    server, base, unit = hostile
    rows = server.select("SELECT ?p WHERE { ?p a schema:Person }")["results"]["bindings"]
    person = rows[0]["p"]["value"]
    assert person.startswith(base)
    status, headers, body = request(person)  # the IRI itself resolves to its page
    assert status == 200 and "Content-Security-Policy" in headers
    parsed = page(body)
    assert "script" not in parsed.tags and "img" not in parsed.tags and "b" not in parsed.tags
    assert not parsed.handlers
    assert HOSTILE_QUOTE in parsed.full_text and "Dan O'Neill" in parsed.full_text
    assert "Arrests <script>alert(1)</script> & \"more\"" in parsed.full_text  # the headline, as text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in body and "<script>" not in body
    status, _, body = request(unit)
    assert status == 200
    parsed = page(body)
    assert "script" not in parsed.tags and "img" not in parsed.tags and not parsed.handlers
    assert HOSTILE_NAME in parsed.full_text and "onerror=alert(2)&gt;" in body
    assert "/id/operation/kent/operation-nightjar" in parsed.links and "/id/force/kent" in parsed.links


def test_hostile_page_in_chromium_is_text_and_the_graph_page_draws(hostile, chromium, tmp_path) -> None:
    server, base, unit = hostile
    flags = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
             "--disable-component-update", "--disable-sync"]

    def dom(url: str) -> str:
        done = subprocess.run([chromium, *flags, f"--user-data-dir={tmp_path / 'profile'}",
                               "--virtual-time-budget=20000", "--dump-dom", url],
                              capture_output=True, text=True, timeout=120)
        return done.stdout

    shown = dom(unit)
    assert "<script" not in shown and "<img" not in shown and "onerror=" not in shown.replace("onerror=alert(2)&gt;", "")
    heading = re.search(r'<h1 id="label">(.*?)</h1>', shown, re.S).group(1)
    assert html.unescape(heading) in (HOSTILE_NAME, "Serious Crime Unit")
    assert html.unescape(HOSTILE_NAME) in html.unescape(shown)
    graph = dom(server.url)
    body = re.search(r"<body[^>]*>", graph).group()
    nodes = re.search(r'data-nodes="(\d+)"', body).group(1)
    assert f'data-rendered="{nodes}"' in body, "vis-network did not draw the served graph page"
    assert f'"links": ["{base}", "/id/"]' in graph and "Double-click an entity to open its page" in graph


def test_serve_refuses_a_missing_store_and_binds_loopback_by_default(tmp_path) -> None:
    result = subprocess.run([sys.executable, "-m", "kg", "serve", "--store", str(tmp_path / "none"),
                             "--port", str(free_port())], capture_output=True, text=True, timeout=120)
    assert result.returncode != 0 and "no store at" in result.stderr
    assert is_loopback("127.0.0.1") and is_loopback("::1") and is_loopback("localhost")
    assert not is_loopback("0.0.0.0") and not is_loopback("192.168.1.10")
    help_text = CliRunner().invoke(main, ["serve", "--help"]).output
    assert "127.0.0.1" in help_text and "--timeout" in help_text and "--max-rows" in help_text
