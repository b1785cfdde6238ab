"""The graph page in a real browser (Debian's Chromium, headless)."""
from __future__ import annotations

import re
import subprocess

from kg.render import _json_in_script, graph_view
from kg.store import Store

CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync"]


def _dom(chromium: str, page, profile) -> str:
    done = subprocess.run([chromium, *CHROMIUM_FLAGS, f"--user-data-dir={profile}", "--virtual-time-budget=20000",
                           "--dump-dom", page.as_uri()], capture_output=True, text=True, timeout=120)
    return done.stdout


def test_page_draws_every_node_in_chromium(chromium, examples_store, tmp_path) -> None:
    from kg.render import render_page

    store = Store.open(examples_store, read_only=True)
    page = tmp_path / "graph.html"
    shown = render_page(store, page)
    store.close()
    body = re.search(r"<body[^>]*>", _dom(chromium, page, tmp_path / "profile")).group()
    assert f'data-nodes="{shown}"' in body
    assert f'data-rendered="{shown}"' in body, "vis-network did not draw the graph (see the browser console)"


def test_view_links_units_people_and_operations(examples_store) -> None:
    store = Store.open(examples_store, read_only=True)
    view = graph_view(store)
    store.close()
    label = {n: d["label"] for n, d in view.nodes(data=True)}
    edges = {(label[s], label[t], d["relation"]) for s, t, d in view.edges(data=True)}
    assert ("Violent Crime Taskforce", "Metropolitan Police Service", "unit of") in edges
    assert ("Claire Odell", "County Lines and Gangs Team", "Detective Superintendent") in edges
    assert ("Kent Police", "Operation Harbourlight", "took part in") in edges
    assert ("National Crime Agency", "Operation Harbourlight", "partner in") in edges


def test_names_from_releases_cannot_become_markup() -> None:
    hostile = [{"label": "</script><script>alert(1)</script>", "title": "<img src=x onerror=alert(1)> & co"}]
    text = str(_json_in_script(hostile))
    assert "<" not in text and ">" not in text and "&" not in text
