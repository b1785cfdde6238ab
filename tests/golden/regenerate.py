"""Rewrite the golden RDF of the reference example release after a deliberate change.

    .venv/bin/python tests/golden/regenerate.py

Review the diff (git diff tests/golden) before committing it: the golden test
exists to catch changes to the graph nobody meant to make.
"""
from pathlib import Path

from pyoxigraph import RdfFormat, serialize

from kg.documents import read_file
from kg.ingest import build_release
from kg.resolve import Identity
from kg.vocab import PREFIXES

HERE = Path(__file__).resolve().parent
EXAMPLE = HERE.parent.parent / "examples" / "kent-2024-op-harbourlight-county-lines.txt"
BASE = "https://w3id.org/policekg/id/"

if __name__ == "__main__":
    built = build_release(next(read_file(EXAMPLE)), Identity(BASE))
    out = HERE / (EXAMPLE.stem + ".trig")
    out.write_bytes(serialize(sorted(built.quads, key=str), format=RdfFormat.TRIG, prefixes=PREFIXES))
    print(f"wrote {out} ({len(built.quads)} quads)")
