"""The graph page in a real browser: headless Chromium (Debian's `chromium`) driven by chromedriver with Selenium."""
from __future__ import annotations

import html
import json
import re
import time
from pathlib import Path

import pytest

from kg.api import open as open_graph
from kg.render import _json_in_script, page_html, page_view, render_page
from kg.store import Store
from kg.view import graph_view

HOSTILE = {
    "operation": "Operation \"Nightjar\" <script>window.__pwned = 'operation'</script>",
    "partner": "</script><script>window.__pwned = 'partner'</script> & 'Co'",
    "alias": "<img src=x onerror=\"window.__pwned = 'alias'\">",
}
HOSTILE_RELEASE = """ date 2024-05-01 Kent Police arrested five people during Operation Nightjar, a week of action with the National Crime Agency and Medway Council.

Detective Inspector Sam Carver of the County Lines and Gangs Team said: "<script>window.__pwned = 'quote'</script> We kept going. <img src=x onerror="window.__pwned = 'img'"> </script> It's 'done' and "dusted"."
"""


def _wait(driver, script: str, timeout: float = 30.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = driver.execute_script(script)
        if value:
            return value
        time.sleep(0.05)
    raise AssertionError(f"timed out waiting for: {script}\nconsole: {driver.get_log('browser')}")


def _open(driver, page: Path) -> None:
    driver.get_log("browser"), driver.get_log("performance")  # start both logs afresh
    driver.get(page.as_uri())
    _wait(driver, "return document.body && document.body.getAttribute('data-rendered')")


def _console_errors(driver) -> list[dict]:
    return [e for e in driver.get_log("browser") if e["level"] in ("SEVERE", "WARNING")]


def _requests_out(driver) -> list[str]:
    """Every URL the page asked the network for, from DevTools events and the page's own resource timing."""
    urls = []
    for entry in driver.get_log("performance"):
        message = json.loads(entry["message"])["message"]
        if message["method"] == "Network.requestWillBeSent":
            urls.append(message["params"]["request"]["url"])
    urls += driver.execute_script("return performance.getEntriesByType('resource').map(function (e) { return e.name; })")
    return [u for u in urls if not u.startswith(("file:", "data:", "about:"))]


def _elements(text: str) -> dict[str, int]:
    """How many script and img elements an HTML parser finds in a page."""
    from html.parser import HTMLParser

    found = {"script": 0, "img": 0}

    class Counter(HTMLParser):
        def handle_starttag(self, tag, attrs):
            if tag in found:
                found[tag] += 1

    Counter().feed(text)
    return found


def _node_id(driver, label: str) -> int:
    found = driver.execute_script(
        "var want = arguments[0]; return DATA.nodes.findIndex(function (n) { return n.label === want; })", label)
    assert found >= 0, f"{label!r} is not on the page"
    return found


def _click_node(driver, node: int) -> None:
    """A real mouse click where vis-network draws the node."""
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.common.by import By

    driver.execute_script("network.focus(arguments[0], {scale: 1.5, animation: false}); network.redraw();", node)
    x, y = driver.execute_script("var p = network.canvasToDOM(network.getPosition(arguments[0])); return [p.x, p.y];", node)
    canvas = driver.find_element(By.CSS_SELECTOR, "#graph canvas")
    width, height = canvas.size["width"], canvas.size["height"]
    ActionChains(driver).move_to_element_with_offset(canvas, int(x - width / 2), int(y - height / 2)).click().perform()


def _panel(driver) -> dict:
    return driver.execute_script("""
        var p = document.getElementById('panel');
        var texts = function (sel) { return Array.from(p.querySelectorAll(sel)).map(function (e) { return e.textContent; }); };
        return {shown: getComputedStyle(p).display !== 'none', title: (p.querySelector('h2') || {}).textContent,
                docs: texts('.releases .doc'), dates: texts('.releases .date'), quotes: texts('blockquote .text'),
                speakers: texts('blockquote .who'), aliases: texts('ul:not(.releases) li'),
                links: Array.from(p.querySelectorAll('a')).map(function (a) { return a.getAttribute('href'); })};""")


@pytest.fixture(scope="module")
def examples_page(examples_store, tmp_path_factory) -> tuple[Path, int]:
    page = tmp_path_factory.mktemp("page") / "graph.html"
    with Store.open(examples_store, read_only=True) as store:
        shown = render_page(store, page)
    return page, shown


@pytest.fixture(scope="module")
def hostile_store(tmp_path_factory) -> Path:
    """A store from an invented release whose quote is hostile, with hostile names added to its graph.

    The quote goes through the extractor; names the extractor would not
    read as names are written into the release's graph as another tool
    might have written them.
    """
    folder = tmp_path_factory.mktemp("hostile")
    (folder / "docs").mkdir()
    (folder / "docs" / "hostile-2024-op-nightjar.txt").write_text(HOSTILE_RELEASE, encoding="utf-8")
    path = folder / "store"
    with open_graph(path) as graph:
        assert graph.ingest([folder / "docs"]).ok
        release = graph.store.rows("SELECT ?r WHERE { GRAPH ?r { ?r a schema:NewsArticle } }")[0]["r"]
        person = graph.store.rows("SELECT ?p WHERE { GRAPH ?g { ?p a schema:Person } }")[0]["p"]
        lit = lambda text: json.dumps(text)  # a SPARQL string literal: JSON escapes are SPARQL's too
        graph.store.update(f"""
            PREFIX schema: <https://schema.org/> PREFIX pk: <https://w3id.org/policekg/ontology#>
            INSERT DATA {{ GRAPH <{release}> {{
              <https://w3id.org/policekg/id/operation/hostile> a pk:Operation ; schema:name {lit(HOSTILE['operation'])} .
              <https://w3id.org/policekg/id/organisation/hostile> a pk:PartnerAgency ; schema:name {lit(HOSTILE['partner'])} .
              <{release}#activity> schema:superEvent <https://w3id.org/policekg/id/operation/hostile> ;
                  schema:contributor <https://w3id.org/policekg/id/organisation/hostile> .
              <{person}> schema:name {lit(HOSTILE['alias'])} .
              <{release}> schema:url <javascript:window.__pwned='url'> .
            }} }}""")
    return path


def test_page_draws_every_node_offline_and_cleanly(browser, examples_page) -> None:
    page, shown = examples_page
    _open(browser, page)
    assert browser.execute_script("return network.body.data.nodes.length") == shown
    assert browser.execute_script("return Object.keys(network.body.nodes).length") == shown
    assert browser.execute_script("return document.body.getAttribute('data-rendered')") == str(shown)
    assert _console_errors(browser) == []
    assert _requests_out(browser) == []


def test_click_on_a_node_opens_its_panel_with_its_releases(browser, examples_page, examples_store) -> None:
    page, _ = examples_page
    with open_graph(examples_store, read_only=True) as graph:
        docs = sorted({r["document"] for r in graph.query("operations") if r["name"] == "Operation Harbourlight"})
        dates = {r["document"]: r["date"] for r in graph.query(
            "SELECT ?document ?date WHERE { GRAPH ?r { ?r dcterms:identifier ?document ; schema:datePublished ?date } }")}
        quotes = {r["quote"] for r in graph.query("quotes") if r["document"] in docs}
    assert docs
    _open(browser, page)
    node = _node_id(browser, "Operation Harbourlight")
    _click_node(browser, node)
    panel = _panel(browser)
    assert panel["shown"] and panel["title"] == "Operation Harbourlight"
    assert sorted(panel["docs"]) == docs
    assert sorted(panel["dates"]) == sorted(str(dates[d]) for d in docs)
    assert {q.strip("\u201c\u201d") for q in panel["quotes"]} == quotes
    assert browser.execute_script("return network.getSelectedNodes()") == [node]
    assert _console_errors(browser) == []


def test_search_finds_a_node_and_opens_it(browser, examples_page) -> None:
    from selenium.webdriver.common.by import By

    page, _ = examples_page
    _open(browser, page)
    box = browser.find_element(By.ID, "search")
    box.send_keys("harbourl")
    results = browser.find_elements(By.CSS_SELECTOR, "#results button")
    assert [r.get_attribute("data-node") for r in results] == [str(_node_id(browser, "Operation Harbourlight"))]
    results[0].click()
    assert _panel(browser)["title"] == "Operation Harbourlight"
    box.clear()
    box.send_keys("no such name anywhere")
    assert browser.find_elements(By.CSS_SELECTOR, "#results button") == []


def test_type_and_date_filters_and_physics_toggle(browser, examples_page) -> None:
    from selenium.webdriver.common.by import By

    page, shown = examples_page
    _open(browser, page)
    people = browser.execute_script("return DATA.nodes.filter(function (n) { return n.kind === 'person'; }).length")
    assert people > 0
    browser.find_element(By.CSS_SELECTOR, "#legend input[data-kind=person]").click()
    assert browser.execute_script("return document.body.getAttribute('data-visible')") == str(shown - people)
    assert browser.execute_script("return nodes.get({filter: function (n) { return n.hidden; }}).length") == people
    browser.find_element(By.CSS_SELECTOR, "#legend input[data-kind=person]").click()
    # only 2024: every visible node is named in a 2024 release
    browser.execute_script("document.getElementById('since').value = '2024-01-01';"
                           "document.getElementById('since').dispatchEvent(new Event('change'));")
    visible = browser.execute_script("""
        return nodes.get({filter: function (n) { return !n.hidden; }}).map(function (n) {
          return DATA.nodes[n.id].releases.map(function (r) { return DATA.releases[r].date; }); });""")
    assert 0 < len(visible) < shown
    assert all(any(d and d >= "2024-01-01" for d in dates) for dates in visible)
    # an edge's relation shows on hover
    edge = browser.execute_script("return edges.getIds()[0]")
    browser.execute_script("network.body.emitter.emit('hoverEdge', {edge: arguments[0]})", edge)
    assert browser.execute_script("var e = edges.get(arguments[0]); return e.label === e.relation && e.label.length > 0",
                                  edge)
    assert not browser.execute_script("return network.physics.physicsEnabled")
    browser.find_element(By.ID, "physics").click()
    assert browser.execute_script("return network.physics.physicsEnabled")
    assert _console_errors(browser) == []


def test_policy_allows_only_the_pages_own_scripts(browser, examples_page, tmp_path) -> None:
    page, shown = examples_page
    text = page.read_text(encoding="utf-8")
    policy = re.search(r'http-equiv="Content-Security-Policy" content="([^"]*)"', text).group(1)
    script_src = re.search(r"script-src ([^;]*);", policy).group(1).split()
    assert "'unsafe-inline'" not in script_src and len(script_src) == 2
    assert all(s.startswith("'sha256-") for s in script_src)
    # were markup ever to slip in, it would not run
    slipped = tmp_path / "slipped.html"
    slipped.write_text(text.replace("<main>", "<main><script>window.__pwned = 1</script>"
                                              "<img src=x onerror=\"window.__pwned = 2\">"), encoding="utf-8")
    _open(browser, slipped)
    assert browser.execute_script("return typeof window.__pwned") == "undefined"
    assert browser.execute_script("return network.body.data.nodes.length") == shown


def test_undated_releases_stay_until_the_date_range_is_narrowed(browser, tmp_path) -> None:
    from selenium.webdriver.common.by import By

    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "invented-2023-dated.txt").write_text(
        " date 2023-06-01 Essex Police worked with Crimestoppers to trace a wanted man in Chelmsford.\n", encoding="utf-8")
    (tmp_path / "docs" / "invented-2024-dated.txt").write_text(
        " date 2024-06-01 Essex Police arrested three people in Colchester during Operation Saltmarsh.\n",
        encoding="utf-8")
    (tmp_path / "docs" / "invented-undated.txt").write_text(
        "Kent Police arrested four people during Operation Lowtide, working with Border Force.\n", encoding="utf-8")
    with open_graph(tmp_path / "store") as graph:
        assert graph.ingest([tmp_path / "docs"]).ok
        page = tmp_path / "page.html"
        shown = graph.render(page)
    _open(browser, page)
    checkbox = browser.find_element(By.CSS_SELECTOR, "#legend input[data-kind=force]")
    checkbox.click(), checkbox.click()
    assert browser.execute_script("return document.body.getAttribute('data-visible')") == str(shown)
    browser.execute_script("document.getElementById('since').value = '2024-01-01';"
                           "document.getElementById('since').dispatchEvent(new Event('change'));")
    visible = set(browser.execute_script(
        "return nodes.get({filter: function (n) { return !n.hidden; }}).map(function (n) { return n.label; })"))
    assert visible == {"Essex Police", "Operation Saltmarsh"}


def test_hostile_text_is_shown_literally_and_runs_nothing(browser, hostile_store, tmp_path) -> None:
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.common.by import By

    page = tmp_path / "hostile.html"
    with Store.open(hostile_store, read_only=True) as store:
        render_page(store, page)
    assert _elements(page.read_text(encoding="utf-8")) == {"script": 2, "img": 0}
    _open(browser, page)
    pwned = "return typeof window.__pwned === 'undefined' && document.querySelectorAll('img').length === 0"
    assert browser.execute_script(pwned)
    # the canvas and vis-network's own data hold the names as they are
    labels = browser.execute_script("return nodes.get().map(function (n) { return n.label; })")
    assert HOSTILE["operation"] in labels and HOSTILE["partner"] in labels
    # the side panel
    for name in (HOSTILE["operation"], HOSTILE["partner"]):
        _click_node(browser, _node_id(browser, name))
        assert _panel(browser)["title"] == name
        assert browser.execute_script(pwned)
    _click_node(browser, _node_id(browser, "Sam Carver"))
    panel = _panel(browser)
    assert HOSTILE["alias"] in panel["aliases"]
    assert any("<script>window.__pwned = 'quote'</script>" in q and "<img src=x onerror=" in q and "</script>" in q
               for q in panel["quotes"])
    assert all(link is None or link.startswith(("http:", "https:")) for link in panel["links"])
    assert browser.execute_script(pwned)
    # the tooltip, on a real hover
    node = _node_id(browser, HOSTILE["partner"])
    browser.execute_script("network.focus(arguments[0], {scale: 1.5, animation: false});", node)
    x, y = browser.execute_script("var p = network.canvasToDOM(network.getPosition(arguments[0])); return [p.x, p.y];", node)
    canvas = browser.find_element(By.CSS_SELECTOR, "#graph canvas")
    ActionChains(browser).move_to_element_with_offset(canvas, int(x - canvas.size["width"] / 2) + 2,
                                                      int(y - canvas.size["height"] / 2) + 2).perform()
    tooltip = _wait(browser, "var t = document.querySelector('div.vis-tooltip'); "
                             "return t && t.style.visibility !== 'hidden' && t.textContent;")
    assert tooltip.startswith(HOSTILE["partner"])
    assert browser.execute_script("return Array.from(document.querySelector('div.vis-tooltip').children)"
                                  ".map(function (c) { return c.tagName; })") in ([], ["BR"], ["BR", "BR"])
    # the search results
    box = browser.find_element(By.ID, "search")
    box.send_keys("<script>")
    results = browser.execute_script(
        "return Array.from(document.querySelectorAll('#results button')).map(function (b) { return b.firstChild.textContent; })")
    assert HOSTILE["operation"] in results and HOSTILE["partner"] in results
    assert browser.execute_script(pwned)
    assert _requests_out(browser) == []


def test_dev_corpus_page_in_browser(browser, dev_corpus, dev_store_or_examples, tmp_path) -> None:
    page = tmp_path / "dev.html"
    with Store.open(dev_store_or_examples, read_only=True) as store:
        shown = render_page(store, page)
        view = graph_view(store)
    _open(browser, page)
    assert browser.execute_script("return network.body.data.nodes.length") == shown == view.number_of_nodes()
    assert _console_errors(browser) == []
    assert _requests_out(browser) == []
    busiest = max(view.nodes, key=lambda n: (view.nodes[n]["releases"], n))
    label = view.nodes[busiest]["label"]
    _click_node(browser, _node_id(browser, label))
    assert sorted(_panel(browser)["docs"]) == view.nodes[busiest]["documents"]


# ---------------------------------------------------------------------- the view behind the page

def test_view_links_units_people_and_operations(examples_store) -> None:
    with Store.open(examples_store, read_only=True) as store:
        view = graph_view(store)
    label = {n: d["label"] for n, d in view.nodes(data=True)}
    edges = {(label[s], label[t], d["relation"]) for s, t, d in view.edges(data=True)}
    assert ("Violent Crime Taskforce", "Metropolitan Police Service", "unit of") in edges
    assert ("Claire Odell", "County Lines and Gangs Team", "Detective Superintendent") in edges
    assert ("Kent Police", "Operation Harbourlight", "took part in") in edges
    assert ("National Crime Agency", "Operation Harbourlight", "partner in") in edges


def _no_floating(view) -> list[str]:
    """Nodes with no edge although a release that names them names something else too."""
    import networkx as nx

    named_with: dict[str, int] = {}
    for n, d in view.nodes(data=True):
        for r in d["release_iris"]:
            named_with[r] = named_with.get(r, 0) + 1
    return [view.nodes[n]["label"] for n in nx.isolates(view)
            if any(named_with[r] > 1 for r in view.nodes[n]["release_iris"])]


def test_no_node_a_release_connects_floats_alone(examples_store, dev_store_or_examples) -> None:
    for path in {examples_store, dev_store_or_examples}:
        with Store.open(path, read_only=True) as store:
            view = graph_view(store)
        assert _no_floating(view) == []
        people = [n for n, d in view.nodes(data=True) if d["kind"] == "person"]
        assert all(view.out_degree(p) for p in people)
        partners = [n for n, d in view.nodes(data=True) if d["kind"] == "partner"]
        assert all(view.degree(p) for p in partners)


def test_partner_without_an_operation_joins_the_release_force(tmp_path) -> None:
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "invented-2024-no-operation.txt").write_text(
        " date 2024-02-02 Essex Police worked with Crimestoppers to trace a wanted man in Chelmsford.\n",
        encoding="utf-8")
    with open_graph(tmp_path / "store") as graph:
        graph.ingest([tmp_path / "docs"])
        view = graph_view(graph.store)
    label = {n: d["label"] for n, d in view.nodes(data=True)}
    assert "Crimestoppers" in label.values()
    assert [(label[s], label[t]) for s, t in view.edges()] == [("Crimestoppers", "Essex Police")]


def test_view_filters_focus_query_and_folding(examples_store, tmp_path) -> None:
    with Store.open(examples_store, read_only=True) as store:
        full = graph_view(store)
        dated = graph_view(store, since="2024-01-01", until="2024-12-31")
        kinds = graph_view(store, types=["force", "partner"])
        around = page_view(store, focus="harbourlight", depth=1)
        wider = page_view(store, focus="Operation Harbourlight", depth=2)
        rq = tmp_path / "units.rq"
        rq.write_text("CONSTRUCT { ?u org:unitOf ?f } WHERE { ?d a pk:DerivedGraph . GRAPH ?d { ?u org:unitOf ?f } }")
        constructed = page_view(store, query=str(rq))
        folded = page_view(store, max_nodes=20)
        with pytest.raises(ValueError, match="nothing in the graph is named"):
            page_view(store, focus="Operation Nowhere")
        with pytest.raises(ValueError, match="YYYY-MM-DD"):
            graph_view(store, since="last year")
    releases = full.graph["releases"]
    assert 0 < dated.number_of_nodes() < full.number_of_nodes()
    assert all(any(releases[r].date.startswith("2024") for r in d["release_iris"]) for _, d in dated.nodes(data=True))
    assert {d["kind"] for _, d in kinds.nodes(data=True)} == {"force", "partner"}
    centre = around.graph["focus"]
    assert around.nodes[centre]["label"] == "Operation Harbourlight"
    undirected = full.to_undirected()
    assert set(around) == {centre, *undirected[centre]}
    assert set(around) < set(wider)
    unit_of = {(s, t) for s, t, d in full.edges(data=True) if d["relation"] == "unit of"}
    assert {(s, t) for s, t in constructed.edges()} == unit_of
    groups = [d for _, d in folded.nodes(data=True) if d.get("group")]
    assert folded.number_of_nodes() <= 20 and groups
    assert folded.graph["hidden"] == full.number_of_nodes() - (folded.number_of_nodes() - len(groups))
    assert sum(d["members"] for d in groups) == folded.graph["hidden"]
    kept = [n for n, d in folded.nodes(data=True) if not d.get("group")]
    fewest = min(full.nodes[n]["releases"] for n in kept)
    assert all(full.nodes[n]["releases"] <= fewest for n in full if n not in folded)


def test_names_from_releases_cannot_become_markup() -> None:
    hostile = [{"label": "</script><script>alert(1)</script>", "title": "<img src=x onerror=alert(1)> & co"}]
    text = str(_json_in_script(hostile))
    assert "<" not in text and ">" not in text and "&" not in text
    assert json.loads(text) == hostile


def test_notebook_display_is_the_page_in_an_iframe(examples_store) -> None:
    with open_graph(examples_store, read_only=True) as graph:
        page = graph.show(focus="Kent Police")
    shown = page._repr_html_()
    assert shown.startswith("<iframe ") and 'sandbox="allow-scripts"' in shown
    srcdoc = re.search(r'srcdoc="([^"]*)"', shown).group(1)
    assert html.unescape(srcdoc) == page.html
    assert "Content-Security-Policy" in page.html and page.nodes > 1
    assert "<script" not in srcdoc
