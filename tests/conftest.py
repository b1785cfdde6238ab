"""Shared fixtures: the project's own examples, the shared dev corpus, a real browser."""
from __future__ import annotations

import datetime as dt
import os
import shutil
from pathlib import Path

import pytest

from kg import lexicon
from kg.documents import Document
from kg.findings import Findings

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"
CASES = Path(__file__).resolve().parent / "cases"
SHARED = ROOT.parent / "shared"
DEV_CORPUS = SHARED / "corpus" / "dev"


def release(text: str, date: str | None = None, id: str = "test-release", publisher: str | None = None) -> Document:
    """A Document from text, as a reader would make it."""
    return Document(id=id, text=text, date=dt.date.fromisoformat(date) if date else None, publisher=publisher,
                    source=f"{id}.txt")


def _name(findings: Findings, kind: str, key: str) -> str:
    if kind == "force":
        force = lexicon.forces().get(key)
        if force:
            return force.name
    entity = findings.entity(kind, key)
    return entity.name if entity else key


def summarise(findings: Findings) -> dict:
    """Findings in the shape of a case's expected.json."""
    def force_names(keys):
        return sorted(_name(findings, "force", k) for k in keys)

    headline = next((q for q in findings.activity.outcomes if q.kind == "arrest" and q.headline), None)
    people = []
    for p in findings.people:
        rank = lexicon.ranks()[p.rank].label if p.rank and not p.role else p.role
        people.append({"name": p.name, "rank": rank,
                       "organisation": _name(findings, *p.organisation) if p.organisation else None,
                       "temporary": p.temporary, "acting": p.acting})
    speakers = {p.key: p.name for p in findings.people}
    return {
        "forces": sorted(e.name for e in findings.of_kind("force")),
        "units": sorted(({"name": e.name, "forces": force_names(e.forces)} for e in findings.of_kind("unit")),
                        key=lambda u: u["name"]),
        "operations": sorted(e.name for e in findings.of_kind("operation")),
        "partners": sorted(e.name for e in findings.of_kind("partner")),
        "people": sorted(people, key=lambda p: p["name"]),
        "arrests": int(headline.value) if headline else None,
        "outcomes": [vars(q) | {"value": q.value} for q in findings.activity.outcomes],
        "quotes": [{"speaker": speakers.get(q.speaker), "text": q.span.text} for q in findings.quotes],
        "breakdown": [{"forces": force_names(g.forces), "total": g.total,
                       "offences": sorted({o for line in g.lines for o in line.offences})}
                      for g in findings.activity.breakdown],
        "notes": list(findings.activity.notes),
        "date": findings.activity.start.isoformat() if findings.activity.start else None,
        "places": sorted(s.text for s in findings.activity.places),
    }


@pytest.fixture(scope="session")
def dev_corpus() -> Path:
    if not (DEV_CORPUS / "docs").is_dir():
        if os.environ.get("POLICEKG_REQUIRE_SHARED"):
            pytest.fail(f"POLICEKG_REQUIRE_SHARED is set but {DEV_CORPUS} is missing")
        pytest.skip(f"the shared dev corpus is not beside this checkout ({DEV_CORPUS}); "
                    "these tests run in CI, where it always is")
    return DEV_CORPUS


@pytest.fixture(scope="session")
def chromium() -> str:
    for name in ("chromium", "chromium-browser", "google-chrome"):
        path = shutil.which(name)
        if path:
            return path
    if os.environ.get("POLICEKG_REQUIRE_BROWSER"):
        pytest.fail("POLICEKG_REQUIRE_BROWSER is set but no Chromium is installed (.ci/run installs Debian's)")
    pytest.skip("no Chromium on this machine: install Debian's `chromium` package to run the page tests")


def _no_browser(reason: str):
    if os.environ.get("POLICEKG_REQUIRE_BROWSER"):
        pytest.fail(f"POLICEKG_REQUIRE_BROWSER is set but {reason}")
    pytest.skip(reason)


@pytest.fixture(scope="session")
def browser(chromium):
    """Headless Chromium driven through chromedriver (Debian's `chromium-driver`) with Selenium.

    Browser console and DevTools network events are logged, so tests can
    assert that a page logs no error and sends no request.
    """
    try:
        from selenium import webdriver
        from selenium.webdriver.chrome.service import Service
    except ImportError:
        _no_browser("Selenium is not installed: pip install -e '.[test]' (the PyPI package `selenium`)")
    driver_path = shutil.which("chromedriver") or ("/usr/lib/chromium/chromedriver"
                                                   if Path("/usr/lib/chromium/chromedriver").exists() else None)
    if not driver_path:
        _no_browser("no chromedriver on this machine: install Debian's `chromium-driver` package "
                    "(with `chromium`) to run the page tests")
    options = webdriver.ChromeOptions()
    options.binary_location = chromium
    for flag in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--window-size=1400,900",
                 "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync",
                 "--disable-default-apps", "--host-resolver-rules=MAP * ~NOTFOUND"):
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL", "performance": "ALL"})
    driver = webdriver.Chrome(service=Service(driver_path), options=options)
    driver.set_page_load_timeout(60)
    yield driver
    driver.quit()


@pytest.fixture(scope="session")
def examples_store(tmp_path_factory) -> Path:
    """A store built from the bundled examples, shared by read-only tests."""
    from kg.api import open as open_graph

    path = tmp_path_factory.mktemp("examples") / "store"
    with open_graph(path) as graph:
        report = graph.ingest([EXAMPLES])
    assert report.ok, report.problems
    return path


@pytest.fixture(scope="session")
def dev_store_or_examples(tmp_path_factory, examples_store) -> Path:
    """A store of the shared dev corpus where it is present (more variety), else the examples' store."""
    if not (DEV_CORPUS / "docs").is_dir():
        return examples_store
    from kg.api import open as open_graph

    path = tmp_path_factory.mktemp("dev") / "store"
    with open_graph(path) as graph:
        graph.ingest([DEV_CORPUS / "docs"])
    return path


# Real outside tools (an Oxigraph server, rapper), shared by the interoperability tests.
from .tools import oxigraph_server, rapper  # noqa: E402,F401
