"""policekg: police press releases in, a queryable knowledge graph out.

The flow, one module a stage:

    documents -> extract -> resolve -> emit -> store -> queries / render / export

For notebooks, `kg.open()` gives a `KnowledgeGraph` with few, well-named calls:

    >>> import kg
    >>> graph = kg.open("output/store")
    >>> report = graph.ingest(["examples/"])
    >>> rows = graph.query("forces")          # a list of dicts
    >>> frame = graph.dataframe("operations") # a pandas DataFrame, where pandas is installed
"""
__version__ = "0.1.0"

from .api import KnowledgeGraph, open  # noqa: E402,F401

__all__ = ["KnowledgeGraph", "open", "__version__"]
