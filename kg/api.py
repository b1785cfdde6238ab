"""The library API a notebook uses; the command line is a thin layer over it."""
from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING, Callable, Iterable

from . import queries
from .documents import DEFAULT_MAX_BYTES
from .store import Store, StoreError
from .vocab import sparql_prefixes

if TYPE_CHECKING:
    from .ingest import IngestReport

# kg.ingest (and the extractor's compiled rules under it) is imported where it is used: a `kg query`
# process answers in a quarter of a second less without it.

DEFAULT_STORE = Path("output") / "store"

_STATS_TYPES = {
    "forces": "pk:PoliceForce", "units": "pk:PoliceUnit", "operations": "pk:Operation",
    "partners": "pk:PartnerAgency", "people": "schema:Person",
}


class KnowledgeGraph:
    """A policekg store: ingest releases into it, query it, export and render it."""

    def __init__(self, store: Store, base_iri: str | None = None) -> None:
        self.store = store
        self.base_iri = base_iri

    def __enter__(self) -> KnowledgeGraph:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def close(self) -> None:
        self.store.close()

    def ingest(self, paths: Iterable[str | os.PathLike], workers: int = 1, max_bytes: int = DEFAULT_MAX_BYTES,
               progress: Callable[[int, int], None] | None = None, dask=None, refresh: bool = False) -> IngestReport:
        """Ingest files and folders of releases (.txt, .html, .jsonl); re-ingesting a changed release replaces it.

        `dask` takes a scheduler address or a `distributed.Client` to spread
        extraction over a cluster; `refresh` re-extracts unchanged releases too.
        """
        from .ingest import ingest

        return ingest(self.store, paths, base_iri=self.base_iri, workers=workers, max_bytes=max_bytes,
                      progress=progress, dask=dask, refresh=refresh)

    def query(self, name_or_sparql: str, **params: str) -> list[dict[str, object]]:
        """Answers as a list of dicts: a named query ('forces'), a .rq file, or SPARQL text."""
        return queries.rows(self.store, queries.find_query(name_or_sparql), {k: str(v) for k, v in params.items()})

    def dataframe(self, name_or_sparql: str, **params: str):
        """Answers as a pandas DataFrame (needs pandas: pip install 'policekg[pandas]')."""
        try:
            import pandas as pd
        except ImportError:
            raise ImportError("dataframe() needs pandas: pip install 'policekg[pandas]'") from None
        query = queries.find_query(name_or_sparql)
        rows = self.query(name_or_sparql, **params)
        columns = list(rows[0]) if rows else list(query.columns)
        return pd.DataFrame(rows, columns=columns)

    def stats(self) -> dict[str, object]:
        """Releases, quads, and the entities the releases name, by type."""
        releases = self.store.rows(sparql_prefixes() + "SELECT (COUNT(DISTINCT ?r) AS ?n) WHERE { ?r a schema:NewsArticle }")
        entities = {}
        for label, rdf_type in _STATS_TYPES.items():
            found = self.store.rows(sparql_prefixes() + f"""
                SELECT (COUNT(DISTINCT ?e) AS ?n) WHERE {{ ?r a schema:NewsArticle ; schema:mentions ?e . ?e a {rdf_type} }}""")
            entities[label] = found[0]["n"]
        extra = self.store.rows(sparql_prefixes() + """
            SELECT (COUNT(DISTINCT ?q) AS ?quotes) (COUNT(DISTINCT ?o) AS ?outcomes) (COUNT(DISTINCT ?m) AS ?memberships) WHERE {
              { ?q a schema:Quotation } UNION { ?o a pk:Outcome } UNION { ?m a org:Membership } }""")[0]
        entities.update(extra)
        return {"releases": releases[0]["n"], "quads": len(self.store), "graphs": len(self.store.graph_names()),
                "entities": entities}

    def export(self, output, format: str = "trig", with_ontology: bool = False, workers: int = 1) -> None:
        """Write the graph to a path or binary file, streamed: trig, nquads, jsonld, turtle or ntriples.

        `with_ontology` ships the ontology and the SHACL shapes with it (in
        named graphs of their own where the format has graphs). nquads can
        be written by several `workers` (processes), the same bytes for any number.
        """
        self.store.export(str(output) if isinstance(output, Path) else output, format, with_ontology=with_ontology,
                          workers=workers)

    def push(self, url: str, user: str | None = None, password: str | None = None,
             progress: Callable[[int, int], None] | None = None, timeout: float = 120.0):
        """Load the graph into a server by the SPARQL 1.1 Graph Store Protocol: one PUT per graph, so a second push replaces.

        `url` is the server's Graph Store endpoint (Oxigraph
        `http://localhost:7878/store`, Fuseki `http://localhost:3030/DATASET/data`).
        Returns a `kg.push.PushReport`; a graph the server refuses is one of
        its `failures` (release, status, answer) and the others still go.
        """
        from .push import push

        return push(self.store, url, user=user, password=password, timeout=timeout, progress=progress)

    def validate(self, shapes: str | os.PathLike | None = None):
        """Check the graph against SHACL shapes (default ontology/shapes.ttl); needs pip install 'policekg[validate]'.

        Returns a `kg.validate.ValidationReport`: `conforms`, and each
        violation's focus node, path and message.
        """
        from .validate import validate_store

        return validate_store(self.store, shapes)

    def render(self, output: str | os.PathLike, **options) -> int:
        """Write an interactive HTML page of the graph; returns the number of nodes drawn.

        Options: focus (a name or IRI) and depth, query (a CONSTRUCT), types,
        since, until, max_nodes; see `kg render --help`.
        """
        from .render import render_page

        return render_page(self.store, Path(output), **options)

    def show(self, height: int = 640, **options):
        """The page as an object a notebook displays inline (`_repr_html_`); `.save(path)` writes it.

        >>> graph.show(focus="Operation Harbourlight", depth=2)   # doctest: +SKIP
        """
        from .render import Page, page_html, page_view, _title

        view = page_view(self.store, **options)
        return Page(page_html(view, title=_title(view, options)), view.number_of_nodes(), height=height)

    def view(self, **options):
        """The networkx MultiDiGraph a page draws (same options as `render`)."""
        from .render import page_view

        return page_view(self.store, **options)


def open(path: str | os.PathLike = DEFAULT_STORE, read_only: bool = False, base_iri: str | None = None) -> KnowledgeGraph:
    """Open (or create) a store. Read-only opening never creates anything and tolerates a running ingest."""
    store = Store.open(path, read_only=read_only)
    graph = KnowledgeGraph(store, base_iri)
    if not read_only and base_iri:
        from .ingest import identity_for

        identity_for(store, base_iri)  # fail now, not mid-ingest, if the store was built under another base
    return graph


__all__ = ["KnowledgeGraph", "open", "StoreError", "DEFAULT_STORE"]
