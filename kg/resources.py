"""Where the project's shipped folders are: `queries/` and `ontology/`.

In a checkout (and an editable install) they sit beside the package; a
built wheel carries them inside it.
"""
from __future__ import annotations

from pathlib import Path

_HERE = Path(__file__).resolve().parent


def resource_dir(name: str) -> Path:
    for candidate in (_HERE.parent / name, _HERE / name):
        if candidate.is_dir():
            return candidate
    raise FileNotFoundError(f"cannot find the {name}/ folder of policekg; reinstall the package")
