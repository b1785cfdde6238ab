"""Interactive HTML pages of the graph: a networkx view drawn with pyvis.

`graph_view` reads the entities releases name and how they connect (a unit
to its force, a person to the organisation they speak for, forces, units and
partners to the operations they took part in) into a networkx graph, each
edge weighted by the number of releases that support it.

`render_page` writes it as one self-contained HTML file: vis-network is
inlined from pyvis's own copy and a Content-Security-Policy forbids every
network request, so the page opens offline and cannot call out. Names come
from third-party texts; the page passes them to vis-network as data (drawn
on a canvas, tooltips as plain text), never as HTML.
"""
from __future__ import annotations

import json
import re
from collections import Counter
from pathlib import Path

import networkx as nx
from jinja2 import Environment, FileSystemLoader, select_autoescape
from markupsafe import Markup

from .store import Store
from .vocab import PREFIXES, sparql_prefixes

TEMPLATES = Path(__file__).resolve().parent / "templates"
STYLE = {
    "force": {"color": "#1f4e9c", "shape": "dot", "size": 28, "label": "Police force"},
    "unit": {"color": "#4f8fdb", "shape": "dot", "size": 16, "label": "Police unit"},
    "operation": {"color": "#d9822b", "shape": "diamond", "size": 20, "label": "Operation"},
    "partner": {"color": "#2e9d6a", "shape": "square", "size": 14, "label": "Partner agency"},
    "person": {"color": "#8a5bb5", "shape": "triangle", "size": 12, "label": "Person"},
}
_TYPES = {"pk:PoliceForce": "force", "pk:PoliceUnit": "unit", "pk:Operation": "operation",
          "pk:PartnerAgency": "partner", "schema:Person": "person"}


def graph_view(store: Store) -> nx.MultiDiGraph:
    """Entities named in releases and the relations between them.

    Every pattern reads inside `GRAPH ?release` (a few index lookups per
    release) and canonical names come from one `skos:prefLabel` lookup, so
    the view costs the same per release at any store size.
    """
    graph = nx.MultiDiGraph()
    labels = {row["s"]: str(row["l"]) for row in store.rows(
        sparql_prefixes() + "SELECT ?s ?l WHERE { ?s skos:prefLabel ?l }")}
    values = " ".join(_TYPES)
    for row in store.rows(sparql_prefixes() + f"""
        SELECT ?entity ?type (SAMPLE(?name) AS ?label) (COUNT(DISTINCT ?release) AS ?releases)
               (GROUP_CONCAT(DISTINCT ?doc; separator=" ") AS ?documents)
        WHERE {{
          VALUES ?type {{ {values} }}
          GRAPH ?release {{
            ?entity a ?type .
            ?release dcterms:identifier ?doc .
            OPTIONAL {{ ?entity schema:name ?name }}
          }}
        }} GROUP BY ?entity ?type"""):
        label = labels.get(row["entity"]) or (str(row["label"]) if row["label"] is not None else None)
        if label is None:
            continue
        graph.add_node(row["entity"], kind=_kind(row["type"]), label=label, releases=int(row["releases"]),
                       documents=sorted(str(row["documents"]).split()))

    def edge(source, target, relation: str, count: int = 1) -> None:
        if source in graph and target in graph:
            graph.add_edge(source, target, key=relation, relation=relation, weight=int(count))

    for row in store.rows(sparql_prefixes() + "SELECT DISTINCT ?unit ?force WHERE { ?unit org:unitOf ?force }"):
        edge(row["unit"], row["force"], "unit of")
    roles: dict[tuple, Counter] = {}
    for row in store.rows(sparql_prefixes() + """
        SELECT ?person ?org ?role (COUNT(DISTINCT ?release) AS ?n) WHERE {
          GRAPH ?release { ?m org:member ?person ; org:organization ?org . OPTIONAL { ?m org:role ?role } }
        } GROUP BY ?person ?org ?role"""):
        name = labels.get(row["role"], "member of") if row["role"] is not None else "member of"
        roles.setdefault((row["person"], row["org"]), Counter())[name] += int(row["n"])
    for (person, org), counts in sorted(roles.items()):
        role = sorted(counts.items(), key=lambda kv: (kv[0] == "member of", -kv[1], kv[0]))[0][0]
        edge(person, org, role, sum(counts.values()))
    for predicate, relation in (("schema:organizer", "took part in"), ("schema:contributor", "partner in")):
        for row in store.rows(sparql_prefixes() + f"""
            SELECT ?who ?operation (COUNT(DISTINCT ?release) AS ?n) WHERE {{
              GRAPH ?release {{ ?activity a pk:ReportedActivity ; {predicate} ?who ; schema:superEvent ?operation }}
            }} GROUP BY ?who ?operation"""):
            edge(row["who"], row["operation"], relation, row["n"])
    return graph


def _kind(rdf_type: str) -> str:
    for prefixed, kind in _TYPES.items():
        prefix, local = prefixed.split(":")
        if rdf_type == PREFIXES[prefix] + local:
            return kind
    raise ValueError(f"unexpected type {rdf_type}")


def render_page(store: Store, output: Path, max_nodes: int = 2000, title: str = "policekg graph") -> int:
    """Write the graph as an interactive page; returns how many nodes it draws.

    Past `max_nodes`, the nodes named in the fewest releases are left out (the
    page says so), so a big store still gives a page a browser can draw.
    """
    page, shown = _page(store, max_nodes, title)
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(page, encoding="utf-8")
    return shown


def page_html(store: Store, max_nodes: int = 2000, title: str = "policekg graph",
              links: tuple[str, str] | None = None) -> str:
    """The interactive page as text (what `kg serve` shows at /).

    `links` is (base IRI, the server's path for it): a double click on a node
    minted under the base then opens the entity's page on the server.
    """
    return _page(store, max_nodes, title, links)[0]


def _page(store: Store, max_nodes: int, title: str, links: tuple[str, str] | None = None) -> tuple[str, int]:
    from pyvis.network import Network

    view = graph_view(store)
    total = view.number_of_nodes()
    if total > max_nodes:
        keep = sorted(view.nodes, key=lambda n: (-view.nodes[n]["releases"], n))[:max_nodes]
        view = view.subgraph(keep).copy()
    net = Network(height="100%", width="100%", directed=True, cdn_resources="in_line")
    for node, data in sorted(view.nodes(data=True)):
        style = STYLE[data["kind"]]
        docs = data["documents"]
        more = " \u2026" if len(docs) > 8 else ""
        plural = "s" if data["releases"] != 1 else ""
        tooltip = (f"{data['label']}\n{style['label']} \u00b7 named in {data['releases']} release{plural}: "
                   f"{', '.join(docs[:8])}{more}\n{node}")
        net.add_node(node, label=data["label"], title=tooltip, color=style["color"], shape=style["shape"],
                     size=style["size"] + min(20, 2 * data["releases"]))
    for source, target, data in sorted(view.edges(data=True), key=lambda e: (e[0], e[1], e[2]["relation"])):
        plural = "s" if data["weight"] != 1 else ""
        net.add_edge(source, target, title=f"{data['relation']} ({data['weight']} release{plural})",
                     value=data["weight"], arrows="to")
    net.set_options(json.dumps({
        "physics": {"solver": "forceAtlas2Based", "stabilization": {"iterations": 150},
                    "forceAtlas2Based": {"gravitationalConstant": -60, "springLength": 120}},
        "edges": {"color": {"color": "#9aa5b1"}, "smooth": False, "font": {"size": 10, "color": "#555"}},
        "nodes": {"font": {"size": 14}},
        "interaction": {"hover": True, "tooltipDelay": 120, "navigationButtons": False},
        "layout": {"improvedLayout": False},
    }))
    nodes, edges, _, _, _, options = net.get_network_data()
    pyvis_lib = Path(__import__("pyvis").__file__).resolve().parent / "templates" / "lib" / "vis-9.1.2"
    env = Environment(loader=FileSystemLoader(str(TEMPLATES)), autoescape=select_autoescape(["html"]))
    counts = Counter(data["kind"] for _, data in view.nodes(data=True))
    page = env.get_template("graph.html").render(
        title=title,
        vis_js=_script_safe((pyvis_lib / "vis-network.min.js").read_text(encoding="utf-8")),
        vis_css=Markup((pyvis_lib / "vis-network.css").read_text(encoding="utf-8").replace("</", "<\\/")),
        nodes_json=_json_in_script(nodes),
        links_json=_json_in_script(list(links) if links else None), double_click=links is not None,
        edges_json=_json_in_script(edges),
        options_json=_json_in_script(json.loads(options)),
        legend=[(STYLE[k]["label"], STYLE[k]["color"], counts.get(k, 0)) for k in STYLE],
        shown=view.number_of_nodes(), total=total, edges=view.number_of_edges(),
    )
    return page, view.number_of_nodes()


def _script_safe(code: str) -> Markup:
    """Script code that cannot close its <script> element early."""
    return Markup(re.sub(r"</(script)", r"<\\/\1", code, flags=re.I).replace("<!--", "<\\!--"))


def _json_in_script(data: object) -> Markup:
    """Data as a JavaScript literal with every <, > and & escaped: names from releases stay data."""
    text = json.dumps(data, ensure_ascii=True, sort_keys=True)
    return Markup(text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026"))
