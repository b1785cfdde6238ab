"""Read press releases from files: the first stage of the flow.

A release arrives as a plain-text file in the seed layout, an HTML page or one
line of a JSON Lines corpus. Every reader returns the same frozen `Document`,
so the later stages never care where a release came from.

Nothing here raises on bad input: a file that cannot be read becomes a
`Problem` naming the file (and line) and the reason, and the batch goes on.
Character offsets used everywhere downstream are Python string offsets into
`Document.text`: the decoded text with universal newlines, after the
optional ` date YYYY-MM-DD ` header of the seed layout.
"""
from __future__ import annotations

import datetime as dt
import json
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable, Iterator

DEFAULT_MAX_BYTES = 5 * 1024 * 1024
SUFFIXES = (".txt", ".html", ".htm", ".jsonl")

_DATE_HEADER = re.compile(r"^ ?date (\S+) ?")
_ID_SAFE = re.compile(r"[^\w.\-~]+", re.UNICODE)


@dataclass(frozen=True)
class Document:
    """One release as read: its identifier, text and what is known about it."""

    id: str
    text: str
    date: dt.date | None = None
    url: str | None = None
    publisher: str | None = None
    title: str | None = None
    source: str = ""
    warnings: tuple[str, ...] = field(default=(), compare=False)


@dataclass(frozen=True)
class Problem:
    """Why one file, or one line of a file, could not be read."""

    source: str
    reason: str

    def __str__(self) -> str:
        return f"{self.source}: {self.reason}"


class ReadError(Exception):
    """Raised inside a reader; turned into a `Problem` at the batch edge."""


def find_files(paths: Iterable[str | os.PathLike]) -> tuple[list[Path], list[Problem]]:
    """The release files under the given files and folders, in a stable order.

    Folders are walked recursively for the known suffixes. A path that does
    not exist, or a file with an unknown suffix named directly, is a problem.
    """
    files: list[Path] = []
    problems: list[Problem] = []
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            # Not only regular files: a broken link or unreadable entry must be reported, not skipped.
            found = sorted(p for p in path.rglob("*") if not p.is_dir() and p.suffix.lower() in SUFFIXES)
            if not found:
                problems.append(Problem(str(path), f"no {', '.join(SUFFIXES)} files in this folder"))
            files.extend(found)
        elif path.is_file():
            if path.suffix.lower() in SUFFIXES:
                files.append(path)
            else:
                problems.append(Problem(str(path), f"unknown file type {path.suffix or '(none)'}; expected one of {', '.join(SUFFIXES)}"))
        else:
            problems.append(Problem(str(path), "no such file or folder"))
    return files, problems


@dataclass(frozen=True)
class Pending:
    """An HTML page to be read where it is extracted: taking the text out of a page is the slow part."""

    path: str
    max_bytes: int = DEFAULT_MAX_BYTES

    @property
    def id(self) -> str:
        return release_id(Path(self.path).stem)

    @property
    def source(self) -> str:
        return self.path


def read_file(path: Path, max_bytes: int = DEFAULT_MAX_BYTES) -> Iterator[Document | Problem]:
    """The releases in one file (one for .txt and .html, one a line for .jsonl)."""
    for item in read_items([path], max_bytes):
        yield read_pending(item) if isinstance(item, Pending) else item


def read_items(files: Iterable[Path], max_bytes: int = DEFAULT_MAX_BYTES) -> Iterator[Document | Pending | Problem]:
    """Every release in these files, one at a time, HTML pages left for the worker to read.

    A JSON Lines corpus streams line by line: the size limit is each
    release's (each line's), not the file's, so a corpus of any size goes in.
    """
    for path in files:
        path = Path(path)
        if path.suffix.lower() == ".jsonl":
            yield from _read_jsonl(path, max_bytes)
            continue
        try:
            size = path.stat().st_size
            if size > max_bytes:
                raise ReadError(f"file is {size:,} bytes, over the {max_bytes:,}-byte limit (raise it with --max-bytes)")
            if size == 0:
                raise ReadError("file is empty")
        except ReadError as err:
            yield Problem(str(path), str(err))
            continue
        except OSError as err:
            yield Problem(str(path), f"cannot read the file ({err.strerror or err})")
            continue
        if path.suffix.lower() in (".html", ".htm"):
            yield Pending(str(path), max_bytes)
        else:
            yield _read_single(path, max_bytes)


def read_pending(item: Pending) -> Document | Problem:
    return _read_single(Path(item.path), item.max_bytes)


def _read_single(path: Path, max_bytes: int) -> Document | Problem:
    try:
        data = path.read_bytes()
        if len(data) > max_bytes:
            raise ReadError(f"file is {len(data):,} bytes, over the {max_bytes:,}-byte limit (raise it with --max-bytes)")
        text, warnings = decode(data)
        if path.suffix.lower() in (".html", ".htm"):
            return _read_html(path, text, warnings)
        return _read_txt(path, text, warnings)
    except ReadError as err:
        return Problem(str(path), str(err))
    except OSError as err:
        return Problem(str(path), f"cannot read the file ({err.strerror or err})")


def count_releases(files: Iterable[Path], max_bytes: int = DEFAULT_MAX_BYTES) -> tuple[int, dict[str, list[str]]]:
    """How many releases the files hold, and the identifiers claimed more than once.

    A quick pass before the real one: it tells the progress bar the total
    and lets both claimants of a duplicated identifier be refused before
    either is written, whatever order they come in.
    """
    total = 0
    claims: dict[str, list[str]] = {}
    for path in files:
        path = Path(path)
        if path.suffix.lower() != ".jsonl":
            total += 1
            try:
                claims.setdefault(release_id(path.stem), []).append(str(path))
            except ReadError:
                pass
            continue
        try:
            with path.open("rb") as handle:
                for number, raw in enumerate(handle, start=1):
                    if not raw.strip():
                        continue
                    total += 1
                    try:
                        record = json.loads(raw)
                        if isinstance(record, dict) and isinstance(record.get("id"), str) and record["id"].strip():
                            claims.setdefault(release_id(record["id"]), []).append(f"{path}:{number}")
                    except (ValueError, ReadError):
                        pass
        except OSError:
            total += 1
    return total, {k: v for k, v in claims.items() if len(v) > 1}


def decode(data: bytes) -> tuple[str, tuple[str, ...]]:
    """Text from bytes: UTF-8 first, then the encodings releases really use.

    Releases saved on Windows are often Windows-1252; they are decoded as
    such, with a warning, rather than rejected or mangled. Binary data is
    refused.
    """
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        text, warnings = data.decode("utf-16"), ("decoded as UTF-16 (byte-order mark found)",)
    elif b"\x00" in data:
        raise ReadError("looks like a binary file (it contains NUL bytes), not a text release")
    else:
        try:
            text, warnings = data.decode("utf-8-sig"), ()
        except UnicodeDecodeError:
            try:
                text = data.decode("cp1252")
            except UnicodeDecodeError as err:
                raise ReadError(f"cannot decode the file as UTF-8 or Windows-1252 (byte {err.start}); save it as UTF-8") from None
            warnings = ("not valid UTF-8; decoded as Windows-1252 (cp1252)",)
    controls = sum(1 for ch in text if ord(ch) < 32 and ch not in "\t\n\r\f")
    if controls > max(8, len(text) // 100):
        raise ReadError("looks like a binary file (too many control characters), not a text release")
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if not text.strip():
        raise ReadError("file holds only whitespace")
    return text, warnings


def release_id(name: str) -> str:
    """A release identifier safe inside an IRI: the name with odd characters replaced."""
    cleaned = _ID_SAFE.sub("-", name.strip()).strip("-")
    if not cleaned:
        raise ReadError(f"cannot make a release identifier from {name!r}")
    return cleaned


def _parse_date(value: str, where: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value.strip()[:10])
    except ValueError:
        raise ReadError(f"{where} {value!r} is not a date in the form YYYY-MM-DD") from None


def _title(text: str) -> str | None:
    """The first line when it reads as a headline: short and standing alone."""
    first, _, rest = text.lstrip().partition("\n")
    first = first.strip()
    if first and len(first) <= 160 and rest.strip() and not first.endswith((".", ":", ",")):
        return first
    return None


def _read_txt(path: Path, text: str, warnings: tuple[str, ...]) -> Document:
    date = None
    first_line = text.split("\n", 1)[0]
    if first_line.lstrip().startswith("date "):
        match = _DATE_HEADER.match(first_line)
        assert match is not None
        date = _parse_date(match.group(1), "the date header")
        text = text[match.end():]
    if not text.strip():
        raise ReadError("the release has a date header but no text")
    return Document(id=release_id(path.stem), text=text, date=date, title=_title(text),
                    source=str(path), warnings=warnings)


def _read_html(path: Path, html: str, warnings: tuple[str, ...]) -> Document:
    import trafilatura  # imported here: only HTML needs it, and it is slow to import

    extracted = trafilatura.bare_extraction(html, with_metadata=True, include_comments=False,
                                            include_tables=False, favor_precision=True)
    if extracted is None:
        raise ReadError("no main text found in the HTML page")
    data = extracted if isinstance(extracted, dict) else extracted.as_dict()
    body = (data.get("text") or "").strip()
    if not body:
        raise ReadError("no main text found in the HTML page")
    title = (data.get("title") or "").strip() or None
    text = f"{title}\n\n{body}\n" if title else body + "\n"
    date = None
    if data.get("date"):
        try:
            date = dt.date.fromisoformat(str(data["date"])[:10])
        except ValueError:
            date = None
    return Document(id=release_id(path.stem), text=text, date=date, url=data.get("url") or None,
                    publisher=data.get("sitename") or None, title=title, source=str(path), warnings=warnings)


def _read_jsonl(path: Path, max_bytes: int) -> Iterator[Document | Problem]:
    try:
        handle = path.open("rb")
    except OSError as err:
        yield Problem(str(path), f"cannot read the file ({err.strerror or err})")
        return
    seen = False
    with handle:
        for number, raw in enumerate(handle, start=1):
            if not raw.strip():
                continue
            seen = True
            where = f"{path}:{number}"
            try:
                if len(raw) > max_bytes:
                    raise ReadError(f"line is {len(raw):,} bytes, over the {max_bytes:,}-byte limit for one release "
                                    "(raise it with --max-bytes)")
                line, warnings = decode(raw.rstrip(b"\r\n"))
                yield _jsonl_record(line, where, warnings)
            except ReadError as err:
                yield Problem(where, str(err))
            except OSError as err:
                yield Problem(where, f"cannot read the file ({err.strerror or err})")
                return
    if not seen:
        yield Problem(str(path), "file is empty" if path.stat().st_size == 0 else "file holds only whitespace")


def _jsonl_record(line: str, where: str, warnings: tuple[str, ...]) -> Document:
    try:
        record = json.loads(line)
    except json.JSONDecodeError as err:
        raise ReadError(f"not valid JSON ({err.msg} at column {err.colno})") from None
    if not isinstance(record, dict):
        raise ReadError("a line must hold a JSON object with at least `id` and `text`")
    for key in ("id", "text"):
        if not isinstance(record.get(key), str) or not record[key].strip():
            raise ReadError(f"missing or empty string field `{key}`")
    text = record["text"].replace("\r\n", "\n").replace("\r", "\n")
    date = _parse_date(record["date"], "field `date`") if record.get("date") else None
    optional = {key: record[key] if isinstance(record.get(key), str) and record[key].strip() else None
                for key in ("url", "publisher", "title")}
    return Document(id=release_id(record["id"]), text=text, date=date, url=optional["url"],
                    publisher=optional["publisher"], title=optional["title"] or _title(text),
                    source=where, warnings=warnings)
