"""The `kg` command: a thin click layer over the library API (kg.api)."""
from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from . import __version__, queries
from .api import DEFAULT_STORE, open as open_graph
from .documents import DEFAULT_MAX_BYTES
from .store import FORMATS as EXPORT_FORMATS, StoreError

STORE_HELP = f"Folder of the on-disk store (default: {DEFAULT_STORE})."


def _store_option(f):
    return click.option("--store", "store", type=click.Path(file_okay=False, path_type=Path), default=DEFAULT_STORE,
                        show_default=False, help=STORE_HELP)(f)


def _open(store: Path, read_only: bool, base_iri: str | None = None):
    try:
        return open_graph(store, read_only=read_only, base_iri=base_iri)
    except StoreError as err:
        raise click.ClickException(str(err)) from None


class _Progress:
    """A progress bar on stderr that appears with the first report of progress.

    Used as `with _Progress(label, quiet) as progress:`; `progress(done, total)`
    is the callback the library calls. Nothing is drawn when quiet, or for
    fewer than `minimum` items.
    """

    def __init__(self, label: str, quiet: bool, minimum: int = 1) -> None:
        self.label, self.quiet, self.minimum, self.bar = label, quiet, minimum, None

    def __enter__(self):
        return self

    def __call__(self, done: int, total: int) -> None:
        if self.quiet or total < self.minimum:
            return
        if self.bar is None:
            self.bar = click.progressbar(length=total, label=self.label, file=sys.stderr, show_pos=True,
                                         show_eta=True)
            self.bar.__enter__()
        self.bar.update(done - self.bar.pos)

    def __exit__(self, *exc) -> None:
        if self.bar is not None:
            self.bar.__exit__(None, None, None)


@click.group(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(__version__, prog_name="policekg")
def main() -> None:
    """policekg: turn police press releases into a knowledge graph you can query.

    \b
    A typical session:
      kg ingest releases/            read releases into output/store
      kg stats                       what the graph holds
      kg queries                     the named questions you can ask
      kg query operations            ask one (or pass SPARQL or a .rq file)
      kg export -o kg.trig           hand the graph to a triple store
      kg render -o graph.html        an interactive page to explore it
      kg analyze                     who works with whom: centrality, communities

    Every command takes --store to use a store other than output/store.
    """


@main.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@_store_option
@click.option("--workers", "-j", type=click.IntRange(1, 256), default=1, show_default=True,
              help="Worker processes for reading and extraction; the graph is the same for any number.")
@click.option("--max-bytes", type=click.IntRange(1), default=DEFAULT_MAX_BYTES, show_default=True,
              help="Refuse a release larger than this: a .txt or .html file, or one line of a .jsonl.")
@click.option("--base-iri", default=None, metavar="IRI",
              help="Base under which entity IRIs are minted (default https://w3id.org/policekg/id/; "
                   "fixed when the store is created).")
@click.option("--dask", "dask_address", default=None, metavar="ADDRESS",
              help="Spread extraction over a Dask cluster (scheduler address, e.g. tcp://10.0.0.5:8786); "
                   "needs pip install 'policekg[dask]'. The graph is the same as one process makes.")
@click.option("--refresh", is_flag=True,
              help="Re-extract releases whose text has not changed (after upgrading policekg's rules, say).")
@click.option("--quiet", "-q", is_flag=True, help="No progress bar; problems and the summary only.")
def ingest(paths, store, workers, max_bytes, base_iri, dask_address, refresh, quiet):
    """Read press releases into the store.

    PATHS are files or folders (searched recursively) of releases: .txt in
    the seed layout (an optional first line " date YYYY-MM-DD " then the
    text), .html pages (main text taken out of the page) and .jsonl corpora
    (one JSON object a line with "id" and "text", optional "date", "url",
    "publisher"). A release's identifier is its file name without the
    extension, or its "id".

    Re-ingesting a changed release replaces everything it contributed; an
    unchanged one is left as it is, so re-running an interrupted ingest only
    does what is left. A file that cannot be read gets one line saying which
    and why; the rest goes in, and the command ends non-zero after the
    summary. The progress bar counts releases, lines of a .jsonl included.
    """
    graph = _open(store, read_only=False, base_iri=base_iri)
    try:
        with _Progress("Reading releases", quiet, minimum=2) as progress:
            report = graph.ingest(paths, workers=workers, max_bytes=max_bytes, progress=progress,
                                  dask=dask_address, refresh=refresh)
    except StoreError as err:
        raise click.ClickException(str(err)) from None
    finally:
        graph.close()
    for warning in report.warnings:
        click.echo(f"warning: {warning}", err=True)
    for problem in report.problems:
        click.echo(f"error: {problem}", err=True)
    failed = len(report.problems)
    unchanged = f"; {len(report.unchanged)} unchanged" if report.unchanged else ""
    click.echo(f"Ingested {len(report.releases)} release{'s' if len(report.releases) != 1 else ''} "
               f"({report.quads:,} quads) into {store}{unchanged}"
               + (f"; {failed} item{'s' if failed != 1 else ''} failed (see above)." if failed else "."))
    if failed:
        sys.exit(1)


def _params(values: tuple[str, ...]) -> dict[str, str]:
    params = {}
    for value in values:
        name, sep, raw = value.partition("=")
        if not sep or not name.strip():
            raise click.BadParameter(f"{value!r} is not name=value", param_hint="--param")
        params[name.strip().lstrip("?")] = raw
    return params


@main.command()
@click.argument("query")
@_store_option
@click.option("--format", "-f", "fmt", type=click.Choice(queries.FORMATS), default="table", show_default=True,
              help="table for reading; csv (with a header row) for spreadsheets; tsv and json are the "
                   "W3C SPARQL 1.1 results formats.")
@click.option("--param", "-p", "params", multiple=True, metavar="NAME=VALUE",
              help="A value for a query parameter (repeatable); see `kg queries` for each query's parameters.")
def query(query, store, fmt, params):
    """Answer a question over the graph.

    QUERY is the name of a named query (see `kg queries`), a .rq file, or
    SPARQL text. Queries see the union of all release graphs; the usual
    prefixes (schema:, org:, pk:, skos:, oa:, prov:, dcterms:...) are
    predeclared.

    \b
    Examples:
      kg query operations
      kg query people --format csv > people.csv
      kg query operations-by-force --param force="Kent Police"
      kg query 'SELECT ?name WHERE { ?f a pk:PoliceForce ; schema:name ?name } LIMIT 5'
    """
    graph = _open(store, read_only=True)
    try:
        text = queries.render(graph.store, queries.find_query(query), _params(params), fmt)
    except StoreError as err:
        raise click.ClickException(str(err)) from None
    finally:
        graph.close()
    click.echo(text, nl=False)


@main.command(name="queries")
def list_queries():
    """List the named queries, with what each answers and its parameters."""
    for name, q in queries.named_queries().items():
        click.echo(click.style(name, bold=True) + f"  {q.title}")
        for p in q.params:
            click.echo(f"    --param {p.name}=...  ({p.type}{', optional' if p.optional else ''}) {p.doc}")


@main.command()
@_store_option
@click.option("--format", "-f", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True,
              help="table for reading, json for scripts.")
def stats(store, fmt):
    """How many releases, quads and entities (by type) the store holds."""
    graph = _open(store, read_only=True)
    try:
        figures = graph.stats()
    finally:
        graph.close()
    if fmt == "json":
        click.echo(json.dumps(figures, indent=2))
        return
    click.echo(f"releases   {figures['releases']:>8,}")
    click.echo(f"quads      {figures['quads']:>8,}  in {figures['graphs']} named graphs")
    for name, count in figures["entities"].items():
        click.echo(f"{name:<10} {count:>8,}")


@main.command()
@_store_option
def compact(store):
    """Rewrite the store in one bulk load: about a third smaller on disk.

    Worth it after a large ingest into a store that is then mostly read.
    The store must not be in use (stop `kg serve` first); an interrupted
    compaction leaves it as it was. Nothing in the graph changes.
    """
    from .store import compact as compact_store

    click.echo(f"Compacting {store}...", err=True)
    try:
        before, after = compact_store(store)
    except StoreError as err:
        raise click.ClickException(str(err)) from None
    click.echo(f"Compacted {store}: {before / 2**20:,.0f} MB -> {after / 2**20:,.0f} MB")


@main.command()
@_store_option
@click.option("--format", "-f", "fmt", type=click.Choice(list(EXPORT_FORMATS) + ["graphml", "gexf"]), default=None,
              help="trig, nquads and jsonld keep one named graph per release; turtle and ntriples "
                   "flatten the graphs, each triple once; graphml and gexf write the page's network "
                   "(entities and relations, with type and release count) for Gephi or Cytoscape. "
                   "Default: from the file suffix, else trig.")
@click.option("--output", "-o", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="File to write (default: standard output).")
@click.option("--with-ontology", is_flag=True,
              help="Ship the ontology and the SHACL shapes (ontology/*.ttl) too, each in a named graph of its "
                   "own in trig, nquads and jsonld.")
@click.option("-j", "--workers", type=click.IntRange(1, 256), default=1, show_default=True,
              help="Processes writing nquads, each a slice of the graphs (the same file for any number; "
                   "2 on 2 cores nearly doubles the speed). nquads only.")
def export(store, fmt, output, with_ontology, workers):
    """Write the whole graph in a standard RDF format for triple stores, or as a network for Gephi.

    The export streams from the store, so memory stays flat however large
    the graph. trig, nquads and jsonld keep one named graph per release,
    which every named query needs; turtle and ntriples hold each triple
    once, for tools without named graphs. graphml and gexf write the
    entities and relations of the graph page, for Gephi or Cytoscape.
    """
    if fmt is None:
        suffixes = {".trig": "trig", ".nq": "nquads", ".nquads": "nquads", ".ttl": "turtle", ".nt": "ntriples",
                    ".jsonld": "jsonld", ".json": "jsonld", ".graphml": "graphml", ".gexf": "gexf"}
        fmt = suffixes.get(output.suffix.lower(), "trig") if output else "trig"
    graph = _open(store, read_only=True)
    try:
        if fmt in ("graphml", "gexf"):
            from .analyze import write_network

            if output:
                output.parent.mkdir(parents=True, exist_ok=True)
            write_network(graph.view(max_nodes=None), output or sys.stdout.buffer, fmt)
            if output:
                click.echo(f"Wrote {fmt} to {output}", err=True)
        elif output:
            output.parent.mkdir(parents=True, exist_ok=True)
            graph.export(output, fmt, with_ontology=with_ontology, workers=workers)
            click.echo(f"Wrote {fmt} to {output}", err=True)
        else:
            graph.export(sys.stdout.buffer, fmt, with_ontology=with_ontology, workers=workers)
    except StoreError as err:
        raise click.ClickException(str(err)) from None
    finally:
        graph.close()


def _view_options(f):
    """The options that choose what a page, an export or an analysis looks at."""
    for option in reversed([
        click.option("--focus", default=None, metavar="NAME_OR_IRI",
                     help="Only this entity (a name, an alias or an IRI) and its neighbourhood."),
        click.option("--depth", type=click.IntRange(1, 10), default=1, show_default=True,
                     help="With --focus: how many relations away to go."),
        click.option("--query", "query_text", default=None, metavar="CONSTRUCT.rq",
                     help="Draw what a CONSTRUCT query builds (a .rq file or SPARQL text)."),
        click.option("--types", default=None, metavar="force,unit,...",
                     help="Only these kinds: force, unit, operation, partner, person (comma-separated)."),
        click.option("--since", default=None, metavar="YYYY-MM-DD", help="Only releases published on or after this day."),
        click.option("--until", default=None, metavar="YYYY-MM-DD", help="Only releases published on or before this day."),
    ]):
        f = option(f)
    return f


def _view_kwargs(focus, depth, query_text, types, since, until) -> dict:
    return {"focus": focus, "depth": depth, "query": query_text, "since": since, "until": until,
            "types": [t.strip() for t in types.split(",") if t.strip()] if types else None}


@main.command()
@click.argument("url")
@_store_option
@click.option("--user", "-u", default=None, help="User name for HTTP Basic authentication.")
@click.option("--password", default=None, envvar="POLICEKG_PUSH_PASSWORD",
              help="Password for HTTP Basic authentication (or set POLICEKG_PUSH_PASSWORD, "
                   "which keeps it out of your shell history).")
@click.option("--quiet", "-q", is_flag=True, help="No progress bar; failures and the summary only.")
def push(url, store, user, password, quiet):
    """Load the graph into a triple store server (SPARQL 1.1 Graph Store Protocol).

    URL is the server's Graph Store endpoint: for Oxigraph
    http://localhost:7878/store, for Fuseki http://localhost:3030/DATASET/data,
    for GraphDB http://localhost:7200/repositories/REPO/rdf-graphs/service.
    Each release graph, the reference graph and the derived graph go in one
    PUT each, so pushing again replaces them instead of adding duplicates. A
    graph the server refuses gets a line naming the release and the server's
    answer; the others still go, and the command ends non-zero.
    """
    from .push import PushError

    graph = _open(store, read_only=True)
    try:
        with _Progress("Pushing graphs", quiet) as progress:
            report = graph.push(url, user=user, password=password, progress=progress)
    except PushError as err:
        raise click.ClickException(str(err)) from None
    finally:
        graph.close()
    for failure in report.failures:
        click.echo(f"error: {failure}", err=True)
    failed = len(report.failures)
    click.echo(f"Pushed {report.pushed:,} graph{'s' if report.pushed != 1 else ''} ({report.quads:,} quads) to {url}"
               + (f"; {failed} failed (see above)." if failed else "."))
    if failed:
        sys.exit(1)


@main.command()
@_store_option
@click.option("--shapes", type=click.Path(exists=True, dir_okay=False, path_type=Path), default=None,
              help="SHACL shapes to check against (default: the shipped ontology/shapes.ttl).")
def validate(store, shapes):
    """Check the store against the graph's SHACL shapes, and list every violation.

    The union of all graphs is checked with pySHACL (pip install
    'policekg[validate]'). Each violation is one line: the node, the
    property path, and what is wrong. Exits non-zero when any is found.
    """
    graph = _open(store, read_only=True)
    try:
        report = graph.validate(shapes)
    except ImportError as err:
        raise click.ClickException(str(err)) from None
    finally:
        graph.close()
    for violation in report.violations:
        click.echo(str(violation))
    if report.conforms:
        click.echo(f"{store} conforms to {report.shapes.name} ({report.triples:,} triples checked).")
        return
    count = len(report.violations)
    click.echo(f"{store} does not conform to {report.shapes.name}: {count} result{'s' if count != 1 else ''} "
               f"in {report.triples:,} triples.", err=True)
    sys.exit(1)


@main.command()
@_store_option
@click.option("--output", "-o", type=click.Path(dir_okay=False, path_type=Path), default=Path("output/graph.html"),
              show_default=True, help="The HTML page to write.")
@_view_options
@click.option("--max-nodes", type=click.IntRange(1), default=5000, show_default=True,
              help="Past this many entities, the least named are folded into \"+ n\" group nodes; "
                   "open any part in full with --focus.")
def render(store, output, focus, depth, query_text, types, since, until, max_nodes):
    """Write an interactive graph page (one HTML file that works offline).

    \b
    Examples:
      kg render -o graph.html
      kg render --focus "Operation Harbourlight" --depth 2 -o harbourlight.html
      kg render --types force,partner --since 2023-01-01 --until 2023-12-31
      kg render --query my-construct.rq -o mine.html
    """
    graph = _open(store, read_only=True)
    try:
        shown = graph.render(output, max_nodes=max_nodes, **_view_kwargs(focus, depth, query_text, types, since, until))
    except (ValueError, StoreError) as err:
        raise click.ClickException(str(err)) from None
    finally:
        graph.close()
    click.echo(f"Wrote {output} ({shown} entities)")


@main.command()
@_store_option
@_view_options
@click.option("--format", "-f", "fmt", type=click.Choice(["table", "csv"]), default="table", show_default=True,
              help="table for reading (rankings, then communities); csv for spreadsheets (every column).")
@click.option("--top", type=click.IntRange(0), default=20, show_default=True,
              help="Show the N most central organisations (0: all).")
@click.option("--sample", type=click.IntRange(10), default=500, show_default=True,
              help="On networks bigger than this, betweenness is estimated from this many sampled sources.")
def analyze(store, focus, depth, query_text, types, since, until, fmt, top, sample):
    """Who works with whom: centrality and communities of forces, units and partners.

    Two organisations are linked when a release reports them in the same
    activity or both took part in the same operation; the link's weight is
    the releases and operations they share. Rows are ranked by betweenness
    (who bridges otherwise separate groups), then weighted degree.

    \b
    Examples:
      kg analyze
      kg analyze --since 2023-01-01 --format csv > network-2023.csv
      kg analyze --focus "Kent Police" --depth 2
    """
    from .analyze import report

    graph = _open(store, read_only=True)
    try:
        view = graph.view(max_nodes=None, **_view_kwargs(focus, depth, query_text, types, since, until))
    except (ValueError, StoreError) as err:
        raise click.ClickException(str(err)) from None
    finally:
        graph.close()
    click.echo(report(view, fmt=fmt, top=top or None, sample=sample), nl=False)


@main.command()
@_store_option
@click.option("--host", default="127.0.0.1", show_default=True,
              help="Interface to listen on; anything but loopback publishes the graph to that network.")
@click.option("--port", type=click.IntRange(1, 65535), default=7878, show_default=True, help="TCP port.")
@click.option("--timeout", type=click.FloatRange(0.1), default=30.0, show_default=True, metavar="SECONDS",
              help="Stop a query that runs longer than this (its worker is killed; the client gets a 503).")
@click.option("--max-rows", type=click.IntRange(1), default=10_000, show_default=True,
              help="Send at most this many solutions or triples; a cut answer says so in X-Policekg-Truncated.")
@click.option("--workers", "-j", type=click.IntRange(1, 64), default=2, show_default=True,
              help="Query worker processes: how many queries run at once.")
def serve(store, host, port, timeout, max_rows, workers):
    """Serve the store read-only: a SPARQL endpoint, the graph page and a page per entity.

    \b
      /sparql     SPARQL 1.1 Protocol (GET, POST); JSON, XML, CSV, TSV;
                  Turtle, N-Triples, JSON-LD; the union of all graphs
      /           the interactive graph page
      <IRI path>  one page per entity minted under the store's base IRI

    Updates are refused. Stop the server before `kg ingest` into the same
    store, and start it again afterwards.
    """
    from .web.serve import serve as run_server

    try:
        run_server(store, host=host, port=port, timeout=timeout, max_rows=max_rows, workers=workers)
    except StoreError as err:
        raise click.ClickException(str(err)) from None


@main.command()
@click.argument("corpus", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("--store", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Build the graph here (default: a temporary store, removed afterwards).")
@click.option("--workers", "-j", type=click.IntRange(1, 256), default=1, show_default=True,
              help="Worker processes for extraction.")
@click.option("--json", "as_json", is_flag=True, help="Print the scores and misses as JSON.")
@click.option("--no-misses", is_flag=True, help="Print the scores only, not the misses.")
@click.option("--fail-under", type=click.FloatRange(0, 1), default=None, metavar="F1",
              help="Exit non-zero when any category's F1 is below this (a regression guard for CI).")
def evaluate(corpus, store, workers, as_json, no_misses, fail_under):
    """Measure the extractor on annotated releases: precision, recall, F1 and misses.

    CORPUS holds docs/ (the releases; or the releases directly, as
    examples/ has them) and gold/ (one JSON file a release,
    in the format of the annotation guidelines: forces, units with their
    force, operations, partners, people with rank and organisation,
    arrests, and optional items that count neither way). The releases are
    ingested and read back through the named queries, so the score is that
    of the graph a researcher gets.
    """
    from .evaluate import evaluate as run_evaluation, report

    try:
        result = run_evaluation(corpus, store=store, workers=workers)
    except (FileNotFoundError, ValueError, StoreError) as err:
        raise click.ClickException(str(err)) from None
    if as_json:
        click.echo(json.dumps(result.as_dict(), indent=2, ensure_ascii=False))
    else:
        click.echo(report(result, misses=not no_misses), nl=False)
    if fail_under is not None:
        low = [c for c, t in result.tallies.items() if t.f1 < fail_under]
        if low:
            raise click.ClickException(f"F1 below {fail_under} for: {', '.join(low)}")


if __name__ == "__main__":
    main()
