"""`kg serve`: a read-only SPARQL 1.1 Protocol endpoint and browsable entity pages over a store.

    app.py      the Starlette application: /sparql, the graph page at /, entity pages
    pool.py     worker processes that run queries, so a time limit can be enforced by killing one
    formats.py  content negotiation and the SPARQL results formats (with a row limit)
    pages.py    what an entity page shows, read from the store inside a worker
    serve.py    runs uvicorn; what `kg serve` calls
"""
