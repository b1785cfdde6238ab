"""The graph as researchers look at it: entities and how releases connect them, in networkx.

`graph_view` reads a store into a `networkx.MultiDiGraph` whose nodes are
the forces, units, operations, partners and people releases name, and whose
edges say how a release ties them together: a unit to its force, a person to
the organisation they speak for, forces, units and partners to the
operations they took part in. Every node carries what a page's side panel
shows (type, aliases, the releases naming it) and the graph itself carries
the releases and quotes, so the page, `kg analyze` and the GraphML/GEXF
exports all read one view.

The view costs a fixed number of SPARQL queries whatever the store holds,
each a type scan inside `GRAPH ?release { ... }` (see the README on the
layout), and everything else is assembled in Python: per-node queries would
make a 10,000-release page take hours.

A release that names a partner without an operation ties it to the
release's main force, and anything a release names that is still unlinked
is tied to that release's main force too, so no node floats alone unless
its releases name nothing else.
"""
from __future__ import annotations

import datetime as dt
import math
from collections import Counter, defaultdict
from dataclasses import dataclass

import networkx as nx

from .store import Store, StoreError
from .vocab import PREFIXES, sparql_prefixes

KINDS = {"force": "pk:PoliceForce", "unit": "pk:PoliceUnit", "operation": "pk:Operation",
         "partner": "pk:PartnerAgency", "person": "schema:Person"}
_KIND_OF = {PREFIXES[p.split(":")[0]] + p.split(":")[1]: kind for kind, p in KINDS.items()}


@dataclass(frozen=True)
class Release:
    iri: str
    document: str
    date: str | None
    url: str | None
    headline: str | None
    main_force: str | None


def graph_view(store: Store, since: str | dt.date | None = None, until: str | dt.date | None = None,
               types: list[str] | None = None) -> nx.MultiDiGraph:
    """Entities named in releases and the relations between them.

    `since`/`until` keep the releases published in that range (inclusive;
    releases without a date are left out once either is given), and every
    count, alias and edge is then over those releases only. `types` keeps
    nodes of those kinds (force, unit, operation, partner, person).
    """
    since, until = _date(since, "since"), _date(until, "until")
    if types:
        unknown = sorted(set(types) - set(KINDS))
        if unknown:
            raise ValueError(f"unknown type {', '.join(unknown)}; choose from {', '.join(KINDS)}")
    q = sparql_prefixes()
    labels = {r["s"]: str(r["l"]) for r in store.rows(q + "SELECT ?s ?l WHERE { ?s skos:prefLabel ?l }")}

    releases: dict[str, Release] = {}
    for r in store.rows(q + """
        SELECT ?release ?doc ?date ?url ?headline ?main WHERE {
          GRAPH ?release {
            ?release a schema:NewsArticle ; dcterms:identifier ?doc .
            OPTIONAL { ?release schema:datePublished ?date }
            OPTIONAL { ?release schema:url ?url }
            OPTIONAL { ?release schema:headline ?headline }
            OPTIONAL { ?release pk:mainForce ?main }
          }
        }"""):
        date = str(r["date"])[:10] if r["date"] is not None else None
        if (since or until) and (date is None or (since and date < since) or (until and date > until)):
            continue
        if r["release"] not in releases:
            releases[r["release"]] = Release(r["release"], str(r["doc"]), date, _str(r["url"]), _str(r["headline"]),
                                             r["main"])

    named: dict[str, dict] = {}
    values = " ".join(KINDS.values())
    for r in store.rows(q + f"""
        SELECT ?entity ?type ?release ?name WHERE {{
          VALUES ?type {{ {values} }}
          GRAPH ?release {{ ?entity a ?type . OPTIONAL {{ ?entity schema:name ?name }} }}
        }}"""):
        if r["release"] not in releases:
            continue  # the derived or reference graph, or a release outside the dates
        entity = named.setdefault(r["entity"], {"kind": _KIND_OF[r["type"]], "names": Counter(), "releases": set()})
        entity["releases"].add(r["release"])
        if r["name"] is not None:
            entity["names"][str(r["name"])] += 1

    graph = nx.MultiDiGraph()
    for iri, entity in named.items():
        label = labels.get(iri) or (entity["names"].most_common(1)[0][0] if entity["names"] else None)
        if label is None:
            continue
        aliases = sorted({n for n in entity["names"] if n != label}, key=str.casefold)
        docs = sorted(releases[r].document for r in entity["releases"])
        graph.add_node(iri, kind=entity["kind"], label=label, aliases=aliases, releases=len(entity["releases"]),
                       documents=docs, release_iris=sorted(entity["releases"], key=lambda r: _newest_first(releases[r])))

    support: dict[tuple[str, str, str], set[str]] = defaultdict(set)

    def edge(source: str, target: str, relation: str, release: str) -> None:
        if source != target and source in graph and target in graph:
            support[(source, target, relation)].add(release)

    roles: dict[tuple[str, str], Counter] = defaultdict(Counter)
    member_of: dict[tuple[str, str], set[str]] = defaultdict(set)
    for r in store.rows(q + """
        SELECT ?release ?person ?org ?role WHERE {
          GRAPH ?release { ?m a org:Membership ; org:member ?person ; org:organization ?org .
                           OPTIONAL { ?m org:role ?role } }
        }"""):
        if r["release"] not in releases:
            continue
        member_of[(r["person"], r["org"])].add(r["release"])
        roles[(r["person"], r["org"])][labels.get(r["role"], "member of") if r["role"] else "member of"] += 1
    for (person, org), found in member_of.items():
        role = sorted(roles[(person, org)].items(), key=lambda kv: (kv[0] == "member of", -kv[1], kv[0]))[0][0]
        for release in found:
            edge(person, org, role, release)

    activities: dict[tuple[str, str], dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
    for r in store.rows(q + """
        SELECT ?release ?activity ?part ?who WHERE {
          GRAPH ?release {
            { ?activity a pk:ReportedActivity ; schema:superEvent ?who BIND ("operation" AS ?part) }
            UNION { ?activity a pk:ReportedActivity ; schema:organizer ?who BIND ("organizer" AS ?part) }
            UNION { ?activity a pk:ReportedActivity ; schema:contributor ?who BIND ("contributor" AS ?part) }
          }
        }"""):
        if r["release"] in releases:
            activities[(r["release"], r["activity"])][str(r["part"])].add(r["who"])
    together: dict[str, set[str]] = defaultdict(set)
    for (release, _), parts in activities.items():
        together[release].update(parts.get("organizer", ()), parts.get("contributor", ()))
        operations = sorted(parts.get("operation", ()))
        main = releases[release].main_force
        for op in operations:
            for who in parts.get("organizer", ()):
                edge(who, op, "took part in", release)
            for who in parts.get("contributor", ()):
                edge(who, op, "partner in", release)
        if not operations:
            for who in parts.get("contributor", ()):
                edge(who, main, "worked with", release) if main else None

    for r in store.rows(q + "SELECT ?unit ?force WHERE { ?d a pk:DerivedGraph . GRAPH ?d { ?unit org:unitOf ?force } }"):
        unit, force = r["unit"], r["force"]
        if unit in graph and force in graph:
            both = set(graph.nodes[unit]["release_iris"]) & set(graph.nodes[force]["release_iris"])
            for release in both or graph.nodes[unit]["release_iris"]:
                edge(unit, force, "unit of", release)

    linked = {n for s, t, _ in support for n in (s, t)}
    for node, data in graph.nodes(data=True):
        if node in linked:
            continue
        mains = Counter(releases[r].main_force for r in data["release_iris"] if releases[r].main_force)
        for main, _ in mains.most_common(1):
            for release in data["release_iris"]:
                if releases[release].main_force == main:
                    edge(node, main, "named in a release of", release)

    for (source, target, relation), found in sorted(support.items()):
        graph.add_edge(source, target, key=relation, relation=relation, weight=len(found),
                       release_iris=sorted(found, key=lambda r: releases[r].document))

    quotes = []
    for r in store.rows(q + """
        SELECT ?release ?q ?text ?speaker WHERE {
          GRAPH ?release { ?q a schema:Quotation ; schema:text ?text . OPTIONAL { ?q schema:creator ?speaker } }
        }"""):
        if r["release"] in releases:
            quotes.append({"iri": r["q"], "text": str(r["text"]), "speaker": r["speaker"], "release": r["release"]})
    quotes.sort(key=lambda x: (releases[x["release"]].document, _start(x["iri"])))
    graph.graph.update(releases=releases, quotes=quotes, since=since, until=until,
                       activities={r: sorted(w for w in who if w in graph) for r, who in together.items()})
    if types:
        keep = [n for n, d in graph.nodes(data=True) if d["kind"] in types]
        graph = _subgraph(graph, keep)
    return graph


def _newest_first(release: Release) -> tuple:
    return (release.date is None, "".join(chr(0x10FFFF - ord(c)) for c in release.date or ""), release.document)


def _subgraph(graph: nx.MultiDiGraph, nodes) -> nx.MultiDiGraph:
    sub = graph.subgraph(nodes).copy()
    sub.graph.update(graph.graph)
    return sub


def _str(value) -> str | None:
    return str(value) if value is not None else None


def _start(iri: str) -> int:
    try:
        return int(iri.rsplit("#char=", 1)[1].split(",")[0])
    except (IndexError, ValueError):
        return 0


def _date(value, name: str) -> str | None:
    if value is None or value == "":
        return None
    if isinstance(value, dt.date):
        return value.isoformat()
    try:
        return dt.date.fromisoformat(str(value)).isoformat()
    except ValueError:
        raise ValueError(f"--{name} takes a date as YYYY-MM-DD, not {value!r}") from None


# ---------------------------------------------------------------------- selecting a part

def find_node(graph: nx.MultiDiGraph, name_or_iri: str) -> str:
    """The node an IRI or a name (canonical or alias, any case) stands for; ValueError naming near misses."""
    if name_or_iri in graph:
        return name_or_iri
    wanted = name_or_iri.strip().casefold()
    exact = [n for n, d in graph.nodes(data=True)
             if d["label"].casefold() == wanted or wanted in (a.casefold() for a in d.get("aliases", ()))]
    if len(exact) == 1:
        return exact[0]
    candidates = exact or [n for n, d in graph.nodes(data=True) if wanted in d["label"].casefold()]
    if len(candidates) == 1:
        return candidates[0]
    if not candidates:
        raise ValueError(f"nothing in the graph is named {name_or_iri!r}; try part of a name, or an IRI")
    shown = sorted(candidates, key=lambda n: -graph.nodes[n]["releases"])[:8]
    listing = "; ".join(f"{graph.nodes[n]['label']} ({graph.nodes[n]['kind']}, {n})" for n in shown)
    raise ValueError(f"{name_or_iri!r} could be any of {len(candidates)}: {listing}; give the IRI or the full name")


def neighbourhood(graph: nx.MultiDiGraph, name_or_iri: str, depth: int = 1) -> nx.MultiDiGraph:
    """One entity and everything within `depth` relations of it, either way round."""
    centre = find_node(graph, name_or_iri)
    near = nx.single_source_shortest_path_length(graph.to_undirected(as_view=True), centre, cutoff=depth)
    sub = _subgraph(graph, near)
    sub.graph["focus"] = centre
    return sub


def construct_view(store: Store, sparql: str, base: nx.MultiDiGraph) -> nx.MultiDiGraph:
    """The graph a CONSTRUCT query builds: IRIs as nodes, triples between them as edges.

    Nodes the whole view knows keep its type, label and releases; others
    get their rdf:type's local name as kind and a literal (label, name) or
    the IRI's tail as label. Other literals become the node's facts.
    """
    from pyoxigraph import Literal, NamedNode, QueryTriples

    result = store.query(sparql)
    if not isinstance(result, QueryTriples):
        raise StoreError("--query takes a CONSTRUCT (or DESCRIBE) query, which gives triples")
    graph = nx.MultiDiGraph()
    graph.graph.update(base.graph)
    facts: dict[str, list[tuple[str, str]]] = defaultdict(list)
    kinds: dict[str, str] = {}

    def node(iri: str) -> None:
        if iri not in graph:
            if iri in base:
                graph.add_node(iri, **base.nodes[iri])
            else:
                graph.add_node(iri, kind="other", label=None, aliases=[], releases=0, documents=[], release_iris=[])

    for triple in result:
        s, p, o = triple.subject, triple.predicate, triple.object
        if not isinstance(s, NamedNode):
            continue
        node(s.value)
        relation = _local(p.value)
        if p.value == PREFIXES["rdf"] + "type" and isinstance(o, NamedNode):
            kinds.setdefault(s.value, _KIND_OF.get(o.value, _local(o.value)))
        elif isinstance(o, NamedNode):
            node(o.value)
            graph.add_edge(s.value, o.value, key=relation, relation=relation, weight=1, release_iris=[])
        elif isinstance(o, Literal):
            facts[s.value].append((relation, o.value))
    for iri, data in graph.nodes(data=True):
        if data["kind"] == "other" and iri in kinds:
            data["kind"] = kinds[iri] if kinds[iri] in KINDS else "other"
        if data["label"] is None:
            named = [v for k, v in facts[iri] if k in ("prefLabel", "label", "name")]
            data["label"] = named[0] if named else _local(iri)
        if facts[iri]:
            data["facts"] = facts[iri]
    return graph


def _local(iri: str) -> str:
    for sep in ("#", "/"):
        if sep in iri.rstrip(sep):
            iri = iri.rstrip(sep).rsplit(sep, 1)[1]
    return iri


def limit(graph: nx.MultiDiGraph, max_nodes: int) -> nx.MultiDiGraph:
    """At most `max_nodes` nodes: the most named entities, and groups standing for the rest.

    An entity left out is folded into one group node ("+ 3 people, 2
    partners") beside the kept node it links to that releases name most, so
    the page says how much is hidden and where; `--focus` opens any part in
    full. Groups count towards `max_nodes`.
    """
    total = graph.number_of_nodes()
    if total <= max_nodes:
        return graph
    order = sorted(graph.nodes, key=lambda n: (-graph.nodes[n]["releases"], n))
    undirected = graph.to_undirected(as_view=True)

    def fold(keep_n: int):
        keep = set(order[:keep_n])
        groups: dict[str | None, list[str]] = defaultdict(list)
        for node in order[keep_n:]:
            anchors = [n for n in undirected[node] if n in keep]
            groups[max(anchors, key=lambda n: (graph.nodes[n]["releases"], n)) if anchors else None].append(node)
        return keep, groups

    low, high = 1, max_nodes  # the most entities whose groups still fit (groups grow as entities go)
    while low < high:
        mid = (low + high + 1) // 2
        if mid + len(fold(mid)[1]) <= max_nodes:
            low = mid
        else:
            high = mid - 1
    keep, groups = fold(low)
    sub = _subgraph(graph, keep)
    for anchor, members in sorted(groups.items(), key=lambda kv: kv[0] or ""):
        kinds = Counter(graph.nodes[m]["kind"] for m in members)
        parts = ", ".join(f"{count} {_PLURAL[kind] if count != 1 else kind}" for kind, count in
                          sorted(kinds.items(), key=lambda kv: (-kv[1], kv[0])))
        gid = f"group:{anchor or 'unlinked'}"
        label = f"+ {parts}" if anchor else f"+ {parts} linked to nothing drawn"
        sub.add_node(gid, kind="group", label=label, aliases=[], group=True,
                     releases=max(graph.nodes[m]["releases"] for m in members),
                     documents=[], release_iris=[], members=len(members))
        if anchor:
            sub.add_edge(gid, anchor, key="grouped", relation=f"{parts} linked here, not drawn", weight=1,
                         release_iris=[])
    sub.graph.update(total=total, hidden=total - len(keep))
    return sub


_PLURAL = {"force": "forces", "unit": "units", "operation": "operations", "partner": "partners",
           "person": "people", "other": "others"}


# ---------------------------------------------------------------------- layout

def layout(graph: nx.Graph, seed: int = 7) -> dict[str, tuple[float, float]]:
    """Positions for every node, computed here so the browser has no physics to run.

    Each connected component gets a force-directed layout
    (Fruchterman-Reingold in numpy, nodes repelling in proportion to what
    hangs from them, iterations bounded so a big component costs seconds);
    in a big component the leaves are set on rings around the node they
    hang from first. Components are packed side by side, biggest first.
    Same graph, same seed: same picture.
    """
    import numpy as np

    rng = np.random.default_rng(seed)
    undirected = nx.Graph(graph.to_undirected(as_view=True)) if graph.is_directed() else nx.Graph(graph)
    placed: list[tuple[dict, float]] = []
    for comp in sorted(nx.connected_components(undirected), key=lambda c: (-len(c), min(c))):
        sub = undirected.subgraph(comp)
        pos = _component_layout(sub, rng)
        xs = np.array(list(pos.values()))
        centre = xs.mean(axis=0)
        radius = float(np.max(np.linalg.norm(xs - centre, axis=1))) + 40.0
        placed.append(({n: (p[0] - centre[0], p[1] - centre[1]) for n, p in pos.items()}, radius))
    # shelf packing: rows about twice as long as the pile is high, as a screen is wide
    width = max([2 * r for _, r in placed] + [math.sqrt(2.0 * sum((2 * r) ** 2 for _, r in placed)) or 1])
    result: dict[str, tuple[float, float]] = {}
    x = y = row_height = 0.0
    for pos, r in placed:
        if x > 0 and x + 2 * r > width:
            x, y, row_height = 0.0, y + row_height, 0.0
        for n, (px, py) in pos.items():
            result[n] = (round(float(x + r + px), 1), round(float(y + r + py), 1))
        x += 2 * r
        row_height = max(row_height, 2 * r)
    return result


def _component_layout(sub: nx.Graph, rng, peel_above: int = 1200) -> dict[str, tuple[float, float]]:
    import numpy as np

    n = sub.number_of_nodes()
    if n == 1:
        return {next(iter(sub)): (0.0, 0.0)}
    # in a big component, the leaves (a unit's people, an operation's one-off partners) are set on a ring
    # around the node they hang from, and only the rest is laid out by forces
    children: dict[str, list[str]] = defaultdict(list)
    if n > peel_above:
        for v in sub:
            if sub.degree(v) == 1:
                up = next(iter(sub[v]))
                if sub.degree(up) > 1:
                    children[up].append(v)
    leaves = {c for kids in children.values() for c in kids}
    core = sorted(v for v in sub if v not in leaves)
    index = {v: i for i, v in enumerate(core)}
    m = len(core)
    weight = np.array([1.0 + len(children[v]) for v in core])
    spread = np.sqrt(weight)
    k = 110.0
    pos = rng.uniform(-1, 1, (m, 2)) * k * math.sqrt(weight.sum())
    edges = np.array([(index[a], index[b]) for a, b in sub.subgraph(core).edges()], dtype=int).reshape(-1, 2)
    iterations = int(max(15, min(150, 4e8 / max(1, m * m))))
    temp = float(np.ptp(pos, axis=0).max()) / 6 + k
    chunk = max(1, int(2e6 // m))
    reach = (k * np.sqrt(spread)).astype(np.float32)
    for step in range(iterations):
        disp = np.zeros_like(pos)
        x, y = pos[:, 0].astype(np.float32), pos[:, 1].astype(np.float32)
        for start in range(0, m, chunk):
            end = min(m, start + chunk)
            dx = x[start:end, None] - x[None, :]
            dy = y[start:end, None] - y[None, :]
            push = dx * dx
            push += dy * dy
            np.maximum(push, 1.0, out=push)
            np.divide(reach[start:end, None] * reach[None, :], push, out=push)  # k^2 s_i s_j / d^2
            disp[start:end, 0] += np.einsum("ij,ij->i", dx, push)
            disp[start:end, 1] += np.einsum("ij,ij->i", dy, push)
        if len(edges):
            delta = pos[edges[:, 0]] - pos[edges[:, 1]]
            dist = np.maximum(np.sqrt((delta ** 2).sum(axis=1)), 0.01)
            pull = delta * (dist / k)[:, None]
            np.add.at(disp, edges[:, 0], -pull)
            np.add.at(disp, edges[:, 1], pull)
        disp -= (pos - pos.mean(axis=0)) * 1.0 * spread[:, None]  # gravity: a round picture, not long arms
        length = np.maximum(np.sqrt((disp ** 2).sum(axis=1)), 0.01)
        pos += disp / length[:, None] * np.minimum(length, temp)[:, None]
        temp = max(temp * 0.95, 2.0)
    result = {v: (float(pos[index[v]][0]), float(pos[index[v]][1])) for v in core}
    for v, kids in children.items():
        if not kids:
            continue
        x, y = result[v]
        radius = 40.0 + 9.0 * math.sqrt(len(kids)) * 3
        turn = 2 * math.pi / len(kids)
        for i, c in enumerate(sorted(kids)):
            result[c] = (x + radius * math.cos(i * turn), y + radius * math.sin(i * turn))
    return result
