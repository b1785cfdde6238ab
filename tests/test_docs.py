"""Documentation that must not rot: command help, query headers, the README's first commands."""
from __future__ import annotations

import re

import click
import pytest
from click.testing import CliRunner

from kg import queries
from kg.cli import main

from .conftest import ROOT


@pytest.mark.parametrize("name", sorted(main.commands))
def test_every_command_explains_itself(name: str) -> None:
    command = main.commands[name]
    assert command.help and len(command.help.split()) >= 8, f"`kg {name}` needs a --help text that explains it"
    result = CliRunner().invoke(main, [name, "--help"])
    assert result.exit_code == 0
    for param in command.params:
        if isinstance(param, click.Option) and param.name not in ("help",):
            assert param.help, f"`kg {name} {param.opts[0]}` has no help"


@pytest.mark.parametrize("name", sorted(queries.named_queries()))
def test_every_named_query_has_its_header(name: str) -> None:
    q = queries.named_queries()[name]
    assert q.title, f"queries/{name}.rq: first comment line is the title"
    assert len(q.description.split()) >= 10, f"queries/{name}.rq: the header says what it answers"
    assert re.search(r"^# Parameters:", q.text, re.M), f"queries/{name}.rq: header lists parameters (or 'none')"
    assert q.columns, f"queries/{name}.rq: header lists the columns"
    select = re.search(r"SELECT\s+(?:DISTINCT\s+)?(.*?)\s*WHERE", q.text, re.S | re.I).group(1)
    assert projected(select) == list(q.columns), f"queries/{name}.rq: header columns differ from the SELECT"
    for param in q.params:
        assert f"?{param.name}" in q.text.split("SELECT", 1)[1], f"queries/{name}.rq: parameter ?{param.name} unused"


def projected(select: str) -> list[str]:
    """The variable names a SELECT clause projects: bare ?x, and (... AS ?x)."""
    names, depth = [], 0
    for m in re.finditer(r"\(|\)|\bAS\s+\?(\w+)|\?(\w+)", select, re.I):
        if m.group() == "(":
            depth += 1
        elif m.group() == ")":
            depth -= 1
        elif m.group(1) and depth == 1:
            names.append(m.group(1))
        elif m.group(2) and depth == 0:
            names.append(m.group(2))
    return names


def test_readme_opens_with_the_two_commands() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    first_commands = re.findall(r"^\s*(make \w+)", readme, re.M)[:2]
    assert first_commands == ["make demo", "make test"]
    assert "make test" in (ROOT / ".ci" / "run").read_text(encoding="utf-8")
