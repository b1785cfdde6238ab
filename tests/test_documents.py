"""Readers: the seed text layout, HTML pages and JSON Lines corpora."""
from __future__ import annotations

import datetime as dt
import json

from kg.documents import Problem, decode, find_files, read_file

from .conftest import EXAMPLES


def test_txt_with_date_header() -> None:
    doc = next(read_file(EXAMPLES / "kent-2024-op-harbourlight-county-lines.txt"))
    assert doc.id == "kent-2024-op-harbourlight-county-lines"
    assert doc.date == dt.date(2024, 3, 15)
    assert doc.text.startswith("Twenty-seven arrests")
    assert doc.title == "Twenty-seven arrests as Operation Harbourlight targets county lines on the Medway"


def test_txt_without_header(tmp_path) -> None:
    path = tmp_path / "plain.txt"
    path.write_text("Kent Police arrested two men.\n", encoding="utf-8")
    doc = next(read_file(path))
    assert (doc.id, doc.date, doc.text) == ("plain", None, "Kent Police arrested two men.\n")


def test_html_main_text_without_navigation() -> None:
    doc = next(read_file(EXAMPLES / "dyfed-powys-2023-rural-crime-team.html"))
    assert doc.id == "dyfed-powys-2023-rural-crime-team"
    assert "Rural Crime Team has recovered six stolen quad bikes" in doc.text
    for boilerplate in ("Report a crime", "Related news", "All rights reserved", "Cookies"):
        assert boilerplate not in doc.text
    assert doc.title == "Rural Crime Team recovers stolen quad bikes in Powys"
    assert doc.date == dt.date(2023, 9, 8)


def test_jsonl_records() -> None:
    docs = list(read_file(EXAMPLES / "humber-and-ni-releases.jsonl"))
    assert [d.id for d in docs] == ["psni-2022-op-ravensbrook", "humberside-2023-op-wavecrest"]
    assert docs[0].publisher == "Police Service of Northern Ireland"
    assert docs[0].url == "https://www.psni.police.uk/example/op-ravensbrook"
    assert docs[1].date == dt.date(2023, 2, 10)
    assert all(d.source.endswith(f"jsonl:{i}") for i, d in enumerate(docs, start=1))


def test_jsonl_bad_lines_name_the_line(tmp_path) -> None:
    path = tmp_path / "c.jsonl"
    path.write_text("\n".join([json.dumps({"id": "a", "text": "Kent Police."}), "[1, 2]", "{oops",
                               json.dumps({"id": "", "text": "x"})]) + "\n", encoding="utf-8")
    items = list(read_file(path))
    assert [type(i).__name__ for i in items] == ["Document", "Problem", "Problem", "Problem"]
    assert [i.source.rsplit(":", 1)[-1] for i in items[1:]] == ["2", "3", "4"]
    assert "JSON object" in items[1].reason and "not valid JSON" in items[2].reason and "`id`" in items[3].reason


def test_decoding() -> None:
    assert decode("caf\u00e9 \u00a3".encode("utf-8")) == ("caf\u00e9 \u00a3", ())
    text, warnings = decode("\u2018Op Sceptre\u2019 \u00a3500".encode("cp1252"))
    assert text == "\u2018Op Sceptre\u2019 \u00a3500" and "Windows-1252" in warnings[0]
    text, warnings = decode("Kent Police".encode("utf-16"))
    assert text == "Kent Police" and "UTF-16" in warnings[0]


def test_unreadable_paths_are_problems(tmp_path) -> None:
    (tmp_path / "notes.docx").write_bytes(b"PK")
    files, problems = find_files([tmp_path / "notes.docx", tmp_path / "missing", tmp_path])
    assert files == []
    reasons = sorted(p.reason for p in problems)
    assert any("unknown file type .docx" in r for r in reasons)
    assert any("no such file or folder" in r for r in reasons)
    assert any("no .txt" in r for r in reasons)
    assert all(isinstance(p, Problem) for p in problems)
