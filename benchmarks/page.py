"""How soon a graph page is interactive in headless Chromium, for views of 500 and 5,000 nodes.

    .venv/bin/python benchmarks/page.py [--nodes 500 5000] [--store DIR] [--runs 3]

Builds synthetic views shaped like a corpus's (forces, operations, units,
partners and people, with releases and quotes), or reads a store with
--store, and prints for each: the Python side (layout and HTML), the page's
size, and in Chromium (Debian's `chromium` and `chromium-driver`, driven by
Selenium) the time from navigation to vis-network's first drawing, the
time a real click takes to open the side panel, and the time of one full
redraw (what a pan or zoom costs). Figures, not tests: speed is never
asserted in the test suite.
"""
from __future__ import annotations

import argparse
import random
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

import networkx as nx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from kg.render import page_html, page_view  # noqa: E402
from kg.store import Store  # noqa: E402
from kg.view import Release  # noqa: E402


def synthetic_view(nodes: int, seed: int = 1) -> nx.MultiDiGraph:
    """A view with the proportions of a real one: a few forces, many units and people, operations between."""
    rng = random.Random(seed)
    g = nx.MultiDiGraph()
    base = "https://example.org/id/"
    n_force = min(45, max(5, nodes // 40))
    n_op = nodes // 7
    n_unit = nodes // 4
    n_partner = nodes // 7
    n_person = nodes - n_force - n_op - n_unit - n_partner
    n_release = max(50, nodes * 2)
    releases = {f"{base}release/r{i}": Release(f"{base}release/r{i}", f"release-{i}",
                                                f"20{rng.randint(14, 25):02d}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}",
                                                f"https://police.example/news/{i}", f"Headline of release {i}", None)
                for i in range(n_release)}
    ids = list(releases)

    def add(kind: str, count: int) -> list[str]:
        made = []
        for i in range(count):
            iri = f"{base}{kind}/{i}"
            named = rng.sample(ids, k=min(len(ids), 1 + int(rng.paretovariate(1.3))))
            g.add_node(iri, kind=kind, label=f"{kind.title()} {i}", aliases=[f"{kind} {i}"] if i % 5 == 0 else [],
                       releases=len(named), release_iris=named, documents=sorted(releases[r].document for r in named))
            made.append(iri)
        return made

    forces, ops, units = add("force", n_force), add("operation", n_op), add("unit", n_unit)
    partners, people = add("partner", n_partner), add("person", n_person)

    def edge(s: str, t: str, relation: str) -> None:
        g.add_edge(s, t, key=relation, relation=relation, weight=1, release_iris=g.nodes[s]["release_iris"][:1])

    for u in units:
        edge(u, rng.choice(forces), "unit of")
    for op in ops:
        for who in rng.sample(forces, k=rng.randint(1, 3)) + rng.sample(units, k=rng.randint(0, 2)):
            edge(who, op, "took part in")
    for p in partners:
        edge(p, rng.choice(ops), "partner in")
    for p in people:
        edge(p, rng.choice(units + forces), "Detective Inspector")
    g.graph["releases"] = releases
    g.graph["quotes"] = [{"iri": f"{r}#char=0,10", "text": f"A quote from {releases[r].document}.",
                          "speaker": rng.choice(people), "release": r} for r in ids[: nodes // 2]]
    return g


def driver():
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = shutil.which("chromium") or "/usr/bin/chromium"
    for flag in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--window-size=1400,900"):
        options.add_argument(flag)
    return webdriver.Chrome(service=Service(shutil.which("chromedriver") or "/usr/bin/chromedriver"), options=options)


def measure(browser, page: Path) -> dict:
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.common.by import By

    browser.get("about:blank")
    browser.get(page.as_uri())
    deadline = time.monotonic() + 120
    while not browser.execute_script("return document.body && document.body.getAttribute('data-rendered-ms')"):
        if time.monotonic() > deadline:
            raise RuntimeError("the page never drew")
        time.sleep(0.02)
    drawn = float(browser.execute_script("return document.body.getAttribute('data-rendered-ms')"))
    redraw = browser.execute_script(
        "var t = performance.now(); network.renderer._redraw(); return performance.now() - t;")
    browser.execute_script("network.focus(0, {scale: 1.5, animation: false}); network.renderer._redraw();")
    x, y = browser.execute_script("var p = network.canvasToDOM(network.getPosition(0)); return [p.x, p.y];")
    canvas = browser.find_element(By.CSS_SELECTOR, "#graph canvas")
    start = time.perf_counter()
    ActionChains(browser).move_to_element_with_offset(canvas, int(x - canvas.size["width"] / 2),
                                                      int(y - canvas.size["height"] / 2)).click().perform()
    while browser.execute_script("return document.body.getAttribute('data-panel')") is None:  # the node on top there
        if time.perf_counter() - start > 30:
            raise RuntimeError("the click opened no panel")
        time.sleep(0.005)
    click = (time.perf_counter() - start) * 1000
    return {"drawn_ms": drawn, "click_ms": click, "redraw_ms": redraw}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--nodes", type=int, nargs="+", default=[500, 5000])
    ap.add_argument("--store", type=Path, default=None, help="time the page of this store instead")
    ap.add_argument("--runs", type=int, default=3)
    args = ap.parse_args()
    cases = []
    if args.store:
        with Store.open(args.store, read_only=True) as store:
            start = time.perf_counter()
            view = page_view(store)
            cases.append((f"store {args.store}", view, time.perf_counter() - start))
    else:
        cases = [(f"synthetic {n:,} nodes", synthetic_view(n), 0.0) for n in args.nodes]
    browser = driver()
    try:
        with tempfile.TemporaryDirectory() as tmp:
            for name, view, query_s in cases:
                start = time.perf_counter()
                html = page_html(view)
                python_s = time.perf_counter() - start
                page = Path(tmp) / "page.html"
                page.write_text(html, encoding="utf-8")
                runs = [measure(browser, page) for _ in range(args.runs)]
                med = {k: statistics.median(r[k] for r in runs) for k in runs[0]}
                print(f"{name}: {view.number_of_nodes():,} nodes, {view.number_of_edges():,} edges; "
                      + (f"view {query_s:.1f} s, " if query_s else "")
                      + f"layout+HTML {python_s:.1f} s, page {len(html) / 1e6:.1f} MB")
                print(f"  in Chromium (median of {args.runs}): drawn {med['drawn_ms']:.0f} ms after navigation; "
                      f"click to panel {med['click_ms']:.0f} ms; one redraw {med['redraw_ms']:.0f} ms")
    finally:
        browser.quit()


if __name__ == "__main__":
    main()
