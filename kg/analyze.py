"""Network analysis of who works with whom: forces, units and partners that releases put together.

Two organisations are linked when one release reports them in the same
activity (as organisers or contributors) or when both took part in the same
operation, in any releases; the edge's weight is the number of releases and
operations they share. Over that network: degree and weighted degree,
betweenness centrality (sampled over `k` sources on big networks, so it
stays seconds at any size) and communities by Louvain modularity (greedy
modularity where Louvain is not available), each seeded so the same store
gives the same answer.

`write_network` also writes the page's view as GraphML or GEXF for Gephi
and Cytoscape, with types and release counts as attributes.
"""
from __future__ import annotations

import csv
import io
from collections import defaultdict
from itertools import combinations
from pathlib import Path

import networkx as nx

from .store import Store

ORGANISATIONS = ("force", "unit", "partner")
NETWORK_FORMATS = ("graphml", "gexf")


def collaboration_network(view: nx.MultiDiGraph) -> nx.Graph:
    """Forces, units and partners, linked by the releases and operations they share."""
    orgs = {n for n, d in view.nodes(data=True) if d["kind"] in ORGANISATIONS and not d.get("group")}
    together: dict[tuple[str, str], dict[str, set]] = defaultdict(lambda: {"releases": set(), "operations": set()})
    by_operation: dict[str, set[str]] = defaultdict(set)
    for s, t, d in view.edges(data=True):
        if s in orgs and view.nodes[t]["kind"] == "operation" and d["relation"] in ("took part in", "partner in"):
            by_operation[t].add(s)
    by_release = {r: {w for w in who if w in orgs} for r, who in view.graph.get("activities", {}).items()}
    for operation, members in by_operation.items():
        for a, b in combinations(sorted(members), 2):
            together[(a, b)]["operations"].add(operation)
    for release, members in by_release.items():
        for a, b in combinations(sorted(members), 2):
            together[(a, b)]["releases"].add(release)
    net = nx.Graph()
    for n in sorted(orgs):  # a fixed order: Louvain's answer depends on it as well as on its seed
        d = view.nodes[n]
        net.add_node(n, label=d["label"], kind=d["kind"], releases=d["releases"])
    for (a, b), shared in sorted(together.items()):
        net.add_edge(a, b, releases=len(shared["releases"]), operations=len(shared["operations"]),
                     weight=len(shared["releases"]) + len(shared["operations"]))
    return net


def rankings(net: nx.Graph, sample: int = 500, seed: int = 7) -> list[dict]:
    """One row per organisation: degree, weighted degree, betweenness and community."""
    if net.number_of_nodes() == 0:
        return []
    k = sample if net.number_of_nodes() > sample else None
    between = nx.betweenness_centrality(net, k=k, seed=seed, normalized=True)
    degree = nx.degree_centrality(net) if net.number_of_nodes() > 1 else {n: 0.0 for n in net}
    communities = _communities(net, seed)
    community_of = {n: i + 1 for i, members in enumerate(communities) for n in members}
    rows = []
    for n, d in net.nodes(data=True):
        rows.append({"name": d["label"], "type": d["kind"], "releases": d["releases"],
                     "partners": net.degree(n), "weighted": int(net.degree(n, weight="weight")),
                     "degree": round(degree[n], 4), "betweenness": round(between[n], 4),
                     "community": community_of[n], "iri": n})
    rows.sort(key=lambda r: (-r["betweenness"], -r["weighted"], -r["releases"], r["name"]))
    return rows


def _communities(net: nx.Graph, seed: int) -> list[set]:
    if net.number_of_edges() == 0:
        found = [{n} for n in net]
    else:
        try:
            found = nx.community.louvain_communities(net, weight="weight", seed=seed)
        except AttributeError:  # older networkx
            found = nx.community.greedy_modularity_communities(net, weight="weight")
    return sorted((set(c) for c in found), key=lambda c: (-len(c), min(c)))


COLUMNS = ("name", "type", "releases", "partners", "weighted", "degree", "betweenness", "community", "iri")


def report(view: nx.MultiDiGraph, fmt: str = "table", top: int | None = 20, sample: int = 500) -> str:
    """The rankings as an aligned table with the communities under it, or as CSV (every column, every row)."""
    net = collaboration_network(view)
    rows = rankings(net, sample=sample)
    if fmt == "csv":
        out = io.StringIO()
        writer = csv.DictWriter(out, fieldnames=COLUMNS, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows[:top] if top else rows)
        return out.getvalue()
    shown = rows[:top] if top else rows
    heads = ("rank",) + COLUMNS[:-1]
    table = [heads] + [(str(i + 1),) + tuple(str(r[c]) for c in COLUMNS[:-1]) for i, r in enumerate(shown)]
    widths = [min(48, max(len(line[i]) for line in table)) for i in range(len(heads))]
    numeric = {0, 3, 4, 5, 6, 7, 8}
    lines = []
    for j, line in enumerate(table):
        cells = [(c[:w - 1] + "\u2026" if len(c) > w else c) for c, w in zip(line, widths)]
        lines.append("  ".join(c.rjust(w) if i in numeric and j else c.ljust(w)
                               for i, (c, w) in enumerate(zip(cells, widths))).rstrip())
        if j == 0:
            lines.append("  ".join("-" * w for w in widths))
    sampled = f"; betweenness sampled over {sample} sources" if net.number_of_nodes() > sample else ""
    lines.append(f"({len(shown)} of {len(rows)} organisations, {net.number_of_edges()} links{sampled})")
    communities = defaultdict(list)
    for r in rows:
        communities[r["community"]].append(r)
    lines.append("")
    lines.append(f"Communities ({len(communities)}, Louvain modularity):")
    for c, members in sorted(communities.items())[:top or None]:
        names = ", ".join(m["name"] for m in sorted(members, key=lambda m: (-m["weighted"], m["name"]))[:8])
        more = f" and {len(members) - 8} more" if len(members) > 8 else ""
        lines.append(f"  {c:>3}. {names}{more}")
    return "\n".join(lines) + "\n"


def write_network(view: nx.MultiDiGraph, output, fmt: str) -> None:
    """The view as GraphML or GEXF: label, type, release count and aliases on nodes; relation and weight on edges."""
    if fmt not in NETWORK_FORMATS:
        raise ValueError(f"unknown network format {fmt!r}; choose {' or '.join(NETWORK_FORMATS)}")
    flat = nx.MultiDiGraph()
    for n, d in view.nodes(data=True):
        flat.add_node(n, label=d["label"], type=d["kind"], releases=int(d["releases"]),
                      aliases="; ".join(d.get("aliases", ())), documents=" ".join(d.get("documents", ())))
    for s, t, key, d in view.edges(keys=True, data=True):
        flat.add_edge(s, t, key=key, relation=d["relation"], weight=int(d["weight"]))
    target = str(output) if isinstance(output, Path) else output
    if fmt == "graphml":
        nx.write_graphml(flat, target, named_key_ids=True)
    else:
        nx.write_gexf(flat, target)


def analyze(store: Store, **options) -> nx.Graph:
    """The collaboration network of a store (options as for `kg.render.page_view`, without folding)."""
    from .render import page_view

    return collaboration_network(page_view(store, max_nodes=None, **options))
