"""Interactive HTML pages of the graph: the networkx view drawn with vis-network through pyvis.

`render_page` writes one self-contained HTML file: vis-network is inlined
from pyvis's own copy, the page's own script and style sit in the file, and
a Content-Security-Policy forbids every network request, so the page opens
from disk anywhere, calls nothing and writes nothing. The vis-network
`network` object is a global, as on pyvis's pages, so scripts and tests can
drive it.

Positions are computed in Python (`kg.view.layout`) and physics is off when
the page opens, so even 5,000 nodes are interactive at once; physics can be
switched on from the page. Names, quotes and headlines come from third-party
texts: they reach the page only as JSON with `<`, `>` and `&` escaped, and
the page's script puts them in the DOM with `textContent` alone (the canvas
and vis-network's tooltips draw text, never markup).
"""
from __future__ import annotations

import html
import json
import math
import re
from collections import Counter
from pathlib import Path

import networkx as nx
from jinja2 import Environment, FileSystemLoader, select_autoescape
from markupsafe import Markup

from .store import Store
from .view import KINDS, construct_view, graph_view, layout, limit, neighbourhood

TEMPLATES = Path(__file__).resolve().parent / "templates"
STYLE = {
    "force": {"color": "#1f4e9c", "shape": "dot", "label": "Police force"},
    "unit": {"color": "#4f8fdb", "shape": "dot", "label": "Police unit"},
    "operation": {"color": "#d9822b", "shape": "diamond", "label": "Operation"},
    "partner": {"color": "#2e9d6a", "shape": "square", "label": "Partner agency"},
    "person": {"color": "#8a5bb5", "shape": "triangle", "label": "Person"},
    "other": {"color": "#7d8791", "shape": "dot", "label": "Other"},
    "group": {"color": "#c3cad2", "shape": "dot", "label": "Folded group"},
}
DEFAULT_MAX_NODES = 5000
MAX_QUOTES_PER_NODE = 40

__all__ = ["graph_view", "page_view", "page_html", "render_page", "Page", "STYLE", "DEFAULT_MAX_NODES"]


def page_view(store: Store, focus: str | None = None, depth: int = 1, query: str | None = None,
              types: list[str] | None = None, since=None, until=None,
              max_nodes: int | None = DEFAULT_MAX_NODES) -> nx.MultiDiGraph:
    """The view a page (or an export) draws: whole graph, one entity's neighbourhood, or a CONSTRUCT result.

    `query` is SPARQL text or a path to a .rq file holding a CONSTRUCT.
    Past `max_nodes` the whole-graph view folds the least named entities
    into group nodes (see `kg.view.limit`); a focused view is never folded
    below its centre.
    """
    view = graph_view(store, since=since, until=until, types=types)
    if query:
        text = Path(query).read_text(encoding="utf-8") if _is_file(query) else query
        view = construct_view(store, text, view)
    if focus:
        view = neighbourhood(view, focus, depth)
    if max_nodes and view.number_of_nodes() > max_nodes:
        centre = view.graph.get("focus")
        if centre:  # keep the centre however little named it is
            view.nodes[centre]["releases"] = view.nodes[centre]["releases"] + 10 ** 9
            view = limit(view, max_nodes)
            view.nodes[centre]["releases"] -= 10 ** 9
        else:
            view = limit(view, max_nodes)
    return view


def _is_file(query: str) -> bool:
    return "\n" not in query and len(query) < 4096 and query.endswith(".rq") and Path(query).is_file()


def render_page(store: Store, output: Path, title: str | None = None, **options) -> int:
    """Write the graph as an interactive page; returns how many nodes it draws.

    Options are those of `page_view` (focus, depth, query, types, since,
    until, max_nodes).
    """
    view = page_view(store, **options)
    page = page_html(view, title=title or _title(view, options))
    output = Path(output)
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(page, encoding="utf-8")
    return view.number_of_nodes()


def _title(view: nx.MultiDiGraph, options: dict) -> str:
    if view.graph.get("focus"):
        return f"policekg: around {view.nodes[view.graph['focus']]['label']}"
    return "policekg graph"


def page_html(view: nx.MultiDiGraph, title: str = "policekg graph", links: tuple[str, str] | None = None) -> str:
    """The page for a view, as one HTML string.

    `links` is (base IRI, the server's path for it), as `kg serve` passes
    it: a double click on an entity minted under the base then opens its
    page on the server. A page written to a file has none.
    """
    from pyvis.network import Network

    nodes = sorted(view.nodes, key=lambda n: (-view.nodes[n]["releases"], n))
    ids = {n: i for i, n in enumerate(nodes)}
    positions = layout(view)
    releases = view.graph.get("releases", {})
    release_index: dict[str, int] = {}
    release_rows: list[dict] = []

    def release_id(iri: str) -> int:
        if iri not in release_index:
            r = releases[iri]
            release_index[iri] = len(release_rows)
            url = r.url if r.url and re.match(r"https?://", r.url) else None
            release_rows.append({"doc": r.document, "date": r.date, "url": url, "headline": r.headline})
        return release_index[iri]

    quotes_by_speaker: dict[str, list[dict]] = {}
    quotes_by_release: dict[str, list[dict]] = {}
    for q in view.graph.get("quotes", []):
        quotes_by_speaker.setdefault(q["speaker"], []).append(q)
        quotes_by_release.setdefault(q["release"], []).append(q)
    label_of = {n: d["label"] for n, d in view.nodes(data=True)}
    quote_rows: list[dict] = []
    quote_index: dict[str, int] = {}

    def quote_id(q: dict) -> int:
        if q["iri"] not in quote_index:
            quote_index[q["iri"]] = len(quote_rows)
            quote_rows.append({"text": q["text"], "speaker": label_of.get(q["speaker"]) if q["speaker"] else None,
                               "release": release_id(q["release"])})
        return quote_index[q["iri"]]

    net = Network(height="100%", width="100%", directed=True, cdn_resources="in_line")
    panel = []
    for n in nodes:
        data = view.nodes[n]
        kind = data["kind"] if data["kind"] in STYLE else "other"
        style = STYLE[kind]
        count = data["releases"]
        plural = "s" if count != 1 else ""
        tooltip = f"{data['label']}\n{style['label']}" + (f" \u00b7 named in {count} release{plural}" if count else "")
        if data.get("aliases"):
            tooltip += "\nalso: " + ", ".join(data["aliases"][:6]) + (" \u2026" if len(data["aliases"]) > 6 else "")
        x, y = positions[n]
        net.add_node(ids[n], label=data["label"], title=tooltip, color=style["color"], shape=style["shape"],
                     size=round(12 + 7 * math.log2(max(1, count)), 1) if count else 12, x=float(x), y=float(y),
                     kind=kind)
        panel.append({"iri": None if data.get("group") else n, "kind": kind, "label": data["label"],
                      "aliases": data.get("aliases", []), "group": bool(data.get("group")),
                      "releases": [release_id(r) for r in data.get("release_iris", []) if r in releases],
                      "quotes": [quote_id(q) for q in _quotes_for(view, n, kind, quotes_by_speaker,
                                                                   quotes_by_release)[:MAX_QUOTES_PER_NODE]],
                      "facts": data.get("facts", [])})
    net.node_ids = set(net.node_ids)  # pyvis checks membership for every edge; a set keeps that linear
    for s, t, data in sorted(view.edges(data=True), key=lambda e: (ids[e[0]], ids[e[1]], e[2]["relation"])):
        plural = "s" if data["weight"] != 1 else ""
        hover = f"{view.nodes[s]['label']} \u2192 {data['relation']} \u2192 {view.nodes[t]['label']}"
        if data.get("release_iris"):
            hover += f"\n{data['weight']} release{plural}"
        net.add_edge(ids[s], ids[t], title=hover, width=round(min(6.0, 1 + math.log2(max(1, data["weight"]))), 1),
                     arrows="to", relation=data["relation"])
    big = len(nodes) > 1500
    net.set_options(json.dumps({
        "physics": {"enabled": False, "solver": "forceAtlas2Based", "stabilization": {"enabled": False},
                    "forceAtlas2Based": {"gravitationalConstant": -80, "springLength": 110, "avoidOverlap": 0.3}},
        "edges": {"color": {"color": "#aab4be", "highlight": "#1d2733", "hover": "#1d2733"}, "smooth": False,
                  "arrows": {"to": {"scaleFactor": 0.4}},
                  "font": {"size": 12, "color": "#1d2733", "strokeWidth": 3, "strokeColor": "#ffffff", "align": "top"}},
        "nodes": {"scaling": {"label": {"enabled": False, "drawThreshold": 7, "maxVisible": 22}},
                  "font": {"size": 12, "color": "#1d2733", "strokeWidth": 3, "strokeColor": "#ffffff"},
                  "borderWidth": 1},
        "interaction": {"hover": True, "tooltipDelay": 150, "hideEdgesOnDrag": big, "hideEdgesOnZoom": big,
                        "navigationButtons": False, "keyboard": False},
        "layout": {"improvedLayout": False},
    }))
    vis_nodes, vis_edges, _, _, _, options = net.get_network_data()
    pyvis_lib = Path(__import__("pyvis").__file__).resolve().parent / "templates" / "lib" / "vis-9.1.2"
    env = Environment(loader=FileSystemLoader(str(TEMPLATES)), autoescape=select_autoescape(["html"]))
    counts = Counter(p["kind"] for p in panel)
    kinds = {k: {"label": v["label"], "color": v["color"], "shape": v["shape"]} for k, v in STYLE.items()}
    dates = sorted(r["date"] for r in release_rows if r["date"])
    total = view.graph.get("total", len(nodes))
    page = env.get_template("graph.html").render(
        title=title,
        vis_js=_script_safe((pyvis_lib / "vis-network.min.js").read_text(encoding="utf-8")),
        vis_css=Markup((pyvis_lib / "vis-network.css").read_text(encoding="utf-8").replace("</", "<\\/")),
        nodes_json=_json_in_script(vis_nodes),
        edges_json=_json_in_script(vis_edges),
        options_json=_json_in_script(json.loads(options)),
        data_json=_json_in_script({"nodes": panel, "releases": release_rows, "quotes": quote_rows, "kinds": kinds,
                                   "focus": ids.get(view.graph.get("focus")),
                                   "links": list(links) if links else None}),
        legend=[(k, STYLE[k]["label"], STYLE[k]["color"], STYLE[k]["shape"], counts[k]) for k in STYLE if counts[k]],
        shown=len(nodes), total=total, hidden=view.graph.get("hidden", 0), edges=view.number_of_edges(),
        first=dates[0] if dates else "", last=dates[-1] if dates else "", links=bool(links),
    )
    return _pin_scripts(page)


def _pin_scripts(page: str) -> str:
    """Allow exactly the page's own scripts: their SHA-256 hashes in the policy, no 'unsafe-inline'.

    Should markup ever slip into the page, an injected script or an
    onerror= attribute would still not run.
    """
    import base64
    import hashlib

    bodies = re.findall(r"<script>(.*?)</script>", page, flags=re.S)
    hashes = " ".join(f"'sha256-{base64.b64encode(hashlib.sha256(b.encode('utf-8')).digest()).decode()}'"
                      for b in bodies)
    return page.replace("script-src SCRIPT-HASHES;", f"script-src {hashes};", 1)


def _quotes_for(view, node, kind, by_speaker, by_release) -> list[dict]:
    """A person's own quotes; an organisation's are its people's; an operation's, those of the releases naming it."""
    if kind == "person":
        return by_speaker.get(node, [])
    if kind == "operation":
        return [q for r in view.nodes[node].get("release_iris", []) for q in by_release.get(r, [])]
    people = [s for s, _ in view.in_edges(node) if view.nodes[s]["kind"] == "person"]
    return [q for p in people for q in by_speaker.get(p, [])]


class Page:
    """A rendered page: `.html`, `.save(path)`, and inline display in Jupyter through `_repr_html_`.

    Jupyter shows it in an iframe whose `srcdoc` holds the whole page, so
    the notebook's own scripts and styles and the page's never meet, and
    the page's Content-Security-Policy still applies.
    """

    def __init__(self, html_text: str, nodes: int, height: int = 640) -> None:
        self.html = html_text
        self.nodes = nodes
        self.height = height

    def save(self, path) -> Path:
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(self.html, encoding="utf-8")
        return path

    def _repr_html_(self) -> str:
        return (f'<iframe srcdoc="{html.escape(self.html, quote=True)}" sandbox="allow-scripts" '
                f'style="width: 100%; height: {int(self.height)}px; border: 1px solid #d8dee4" '
                f'title="policekg graph ({self.nodes} nodes)"></iframe>')

    def __repr__(self) -> str:
        return f"<policekg Page: {self.nodes} nodes, {len(self.html):,} characters>"


def _script_safe(code: str) -> Markup:
    """Script code that cannot close its <script> element early."""
    return Markup(re.sub(r"</(script)", r"<\\/\1", code, flags=re.I).replace("<!--", "<\\!--"))


def _json_in_script(data: object) -> Markup:
    """Data as a JavaScript literal with every <, > and & escaped: names from releases stay data."""
    text = json.dumps(data, ensure_ascii=True, sort_keys=True)
    return Markup(text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026"))

