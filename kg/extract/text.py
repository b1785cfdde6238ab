"""A release's text as the extractors see it: normalised, split, quoted.

`Text.norm` has exactly the length of the original, with typographic quotes,
dashes and spaces replaced one character for one by ASCII, so every regular
expression runs on `norm` and every offset it returns is an offset into the
original `Document.text`.
"""
from __future__ import annotations

import bisect
import re
from dataclasses import dataclass
from functools import cached_property, lru_cache
from typing import NamedTuple

from ..findings import Span

_ONE_FOR_ONE = str.maketrans({
    "\u2018": "'", "\u2019": "'", "\u201b": "'", "\u2032": "'", "\u00b4": "'",
    "\u201c": '"', "\u201d": '"', "\u201e": '"', "\u2033": '"',
    "\u2013": "-", "\u2014": "-", "\u2012": "-", "\u2010": "-", "\u2011": "-", "\u2212": "-",
    "\u00a0": " ", "\u2009": " ", "\u202f": " ", "\u2007": " ",
})

_ASCII_LOWER = str.maketrans({chr(c): chr(c + 32) for c in range(ord("A"), ord("Z") + 1)})

# Abbreviations after which a full stop does not end a sentence.
_NO_BREAK_AFTER = re.compile(
    r"(?:\b(?:Mr|Mrs|Ms|Dr|St|Det|Supt|Insp|Sgt|Ch|Con|Const|No|Nos|Cllr|Asst|approx|inc|e\.g|i\.e|vs|Co|Ltd|[A-Z])\.)$")
_SENTENCE_END = re.compile(r"[.!?]+[\"')\]]*\s+(?=[\"'(\[]*[A-Z0-9\u00a3])")

_TOKEN = re.compile(r"[A-Za-z\u00c0-\u024f0-9](?:[A-Za-z\u00c0-\u024f0-9'\-.&/]*[A-Za-z\u00c0-\u024f0-9])?(?:'s|s')?|&")
CONNECTORS = frozenset({"and", "&", "of", "for", "the", "de", "on", "in", "upon"})


class Token(NamedTuple):  # a tuple, not a frozen dataclass: a release makes thousands
    start: int
    end: int
    text: str

    @property
    def possessive(self) -> bool:
        return self.text.endswith(("'s", "s'")) and len(self.text) > 2

    @property
    def bare(self) -> str:
        """The token without a possessive ending."""
        if self.text.endswith("'s"):
            return self.text[:-2]
        if self.text.endswith("s'"):
            return self.text[:-1]
        return self.text


class Text:
    def __init__(self, raw: str) -> None:
        self.raw = raw
        self.norm = raw.translate(_ONE_FOR_ONE)
        # ASCII letters lower-cased, nothing else touched: same length, so offsets still hold.
        self.lower = self.norm.translate(_ASCII_LOWER)
        self._phrases: list[list[Token]] | None = None
        self._with: dict[re.Pattern[str], list[tuple[int, int]]] = {}

    def span(self, start: int, end: int, rule: str = "") -> Span:
        """A span with surrounding whitespace trimmed."""
        while start < end and self.raw[start].isspace():
            start += 1
        while end > start and self.raw[end - 1].isspace():
            end -= 1
        return Span(start, end, self.raw[start:end], rule)

    # ---------------------------------------------------------------- structure

    @cached_property
    def lines(self) -> list[tuple[int, int]]:
        """Each non-blank line (a paragraph in the seed layout) as (start, end)."""
        out, pos = [], 0
        for line in self.norm.split("\n"):
            if line.strip():
                out.append((pos, pos + len(line)))
            pos += len(line) + 1
        return out

    @cached_property
    def sentences(self) -> list[tuple[int, int]]:
        out = []
        for start, end in self.lines:
            cursor = start
            for match in _SENTENCE_END.finditer(self.norm, start, end):
                if _NO_BREAK_AFTER.search(self.norm[max(start, match.start() - 6):match.start() + 1]):
                    continue
                out.append((cursor, match.end()))
                cursor = match.end()
            if cursor < end:
                out.append((cursor, end))
        return out

    @cached_property
    def _sentence_starts(self) -> list[int]:
        return [s for s, _ in self.sentences]

    def sentence_at(self, pos: int) -> tuple[int, int]:
        i = bisect.bisect_right(self._sentence_starts, pos) - 1
        return self.sentences[max(i, 0)] if self.sentences else (0, len(self.raw))

    def sentences_with(self, keyword: re.Pattern[str]) -> list[tuple[int, int]]:
        """The sentences in which a keyword occurs: where a costly pattern is worth running (kept per keyword)."""
        found = self._with.get(keyword)
        if found is None:
            # One scan of the whole text finds the sentences a match touches; each is then confirmed within
            # its own bounds, which is what the answer means (a sentence's edges can change a match).
            candidates: set[int] = set()
            starts = self._sentence_starts
            lowered = _lowered(keyword) if self._ascii_case else None
            for m in (lowered.finditer(self.lower) if lowered else keyword.finditer(self.norm)):
                first = max(bisect.bisect_right(starts, m.start()) - 1, 0)
                last = max(bisect.bisect_right(starts, max(m.end() - 1, m.start())) - 1, 0)
                candidates.update(range(first, last + 1))
            found = self._with[keyword] = [self.sentences[i] for i in sorted(candidates)
                                           if i < len(self.sentences) and keyword.search(self.norm, *self.sentences[i])]
        return found

    def word_spans(self, word: str, ignore_case: bool = False) -> list[tuple[int, int]]:
        """Where `word` stands alone, as `(?<![\\w-])word(?![\\w-])` finds it, without compiling a pattern.

        Names and acronyms a release defines are searched for once each: compiling a regex for each
        would also push the extractors' own patterns out of `re`'s cache.
        """
        if not word:
            return []
        if ignore_case and not (word.isascii() and self._ascii_case):
            return [m.span() for m in re.finditer(rf"(?<![\w-]){re.escape(word)}(?![\w-])", self.norm, re.I)]
        hay, needle = (self.lower, word.lower()) if ignore_case else (self.norm, word)
        text, out, pos = self.norm, [], 0
        while (start := hay.find(needle, pos)) >= 0:
            end = start + len(needle)
            if (start == 0 or not _word_char(text[start - 1])) and (end == len(text) or not _word_char(text[end])):
                out.append((start, end))
                pos = end
            else:
                pos = start + 1
        return out

    @cached_property
    def _ascii_case(self) -> bool:
        """Whether ignoring case here only ever folds ASCII letters: re.I also maps these four onto them."""
        return not any(c in self.norm for c in "\u0130\u0131\u017f\u212a")

    def line_at(self, pos: int) -> tuple[int, int]:
        for start, end in self.lines:
            if start <= pos <= end:
                return start, end
        return self.sentence_at(pos)

    # ---------------------------------------------------------------- quotes

    @cached_property
    def quotes(self) -> list[tuple[int, int]]:
        """Quoted speech: (start, end) of the words inside the quotation marks.

        Handles curly and straight marks, single-quote speech, quotes left open
        at the end of a paragraph (continued in the next) and closing marks
        whose opening one the release dropped.
        """
        found = []
        for start, end in self.lines:
            found.extend(_quotes_in_line(self.raw, start, end))
        return found

    @cached_property
    def _quote_starts(self) -> list[int]:
        return [s for s, _ in self.quotes]

    def quote_at(self, pos: int) -> tuple[int, int] | None:
        i = bisect.bisect_right(self._quote_starts, pos) - 1
        if i >= 0:
            start, end = self.quotes[i]
            if start <= pos < end:
                return start, end
        return None

    def in_quote(self, pos: int) -> bool:
        return self.quote_at(pos) is not None

    # ---------------------------------------------------------------- tokens

    @cached_property
    def tokens(self) -> list[Token]:
        return [Token(m.start(), m.end(), m.group()) for m in _TOKEN.finditer(self.norm)]

    @cached_property
    def _token_starts(self) -> list[int]:
        return [t.start for t in self.tokens]

    def token_index(self, pos: int) -> int:
        """Index of the first token starting at or after pos."""
        return bisect.bisect_left(self._token_starts, pos)

    def tokens_between(self, start: int, end: int) -> list[Token]:
        i = self.token_index(start)
        out = []
        while i < len(self.tokens) and self.tokens[i].end <= end:
            out.append(self.tokens[i])
            i += 1
        return out

    def joined(self, a: Token, b: Token) -> bool:
        """True when only spaces (no line break or punctuation) separate two tokens."""
        gap = self.norm[a.end:b.start]
        return gap.strip() == "" and "\n" not in gap

    def is_sentence_start(self, pos: int) -> bool:
        start, _ = self.sentence_at(pos)
        return self.norm[start:pos].strip(" \"'([-*\u2022\t0123456789.") == ""


_QUOTE_MARKS = re.compile("[\"\u201c\u201d\u2018\u2019]")


def _quotes_in_line(raw: str, start: int, end: int) -> list[tuple[int, int]]:
    line = raw[start:end]
    quotes: list[tuple[int, int]] = []
    opened: int | None = None
    closer = ""
    for mark in _QUOTE_MARKS.finditer(line):
        i = mark.start()
        ch = line[i]
        before = line[i - 1] if i else " "
        after = line[i + 1] if i + 1 < len(line) else " "
        if opened is None:
            if ch == "\u201c" or (ch == '"' and (before.isspace() or before in "(:[-\u2014\u2013" or i == 0)):
                opened, closer = i + 1, "\u201d\"" if ch == "\u201c" else '"\u201d'
            elif ch == "\u2018" and (i == 0 or before in " (:") and (after.isupper() or after in "\u2026."):
                opened, closer = i + 1, "\u2019"
            elif ch in "\u201d" and not quotes and i > 20:
                # A closing mark with no opening one: the quote began with the paragraph.
                quotes.append((start, start + i))
        else:
            if ch in closer and (ch != "\u2019" or not after.isalpha()):
                if i - opened > 0:
                    quotes.append((start + opened, start + i))
                opened = None
    if opened is not None and end - (start + opened) > 0:
        quotes.append((start + opened, end))
    return quotes


def _word_char(c: str) -> bool:
    return c.isalnum() or c in "_-"


@lru_cache(maxsize=256)
def _lowered(keyword: re.Pattern[str]) -> re.Pattern[str] | None:
    """A case-blind keyword of lower-case letters as a case-sensitive one, to run on Text.lower: far faster.

    None where that would not mean the same (a capital in the pattern may be an escape such as \\S).
    """
    if not keyword.flags & re.I or not keyword.pattern.isascii() or any(c.isupper() for c in keyword.pattern):
        return None
    return re.compile(keyword.pattern, keyword.flags & ~re.I)


def cap_phrases(text: Text, start: int = 0, end: int | None = None) -> list[list[Token]]:
    """Maximal runs of capitalised tokens, joined by connectors ('and', 'of', '&'...).

    A connector stays inside a run only when a capitalised token follows it;
    line breaks and punctuation end a run. The whole text's runs are read once
    and shared by every extractor that asks.
    """
    if start == 0 and end is None:
        if text._phrases is None:
            text._phrases = _cap_phrases(text, text.tokens)
        return text._phrases
    return _cap_phrases(text, text.tokens_between(start, len(text.norm) if end is None else end))


def _cap_phrases(text: Text, tokens: list[Token]) -> list[list[Token]]:
    runs: list[list[Token]] = []
    current: list[Token] = []
    pending: list[Token] = []
    for token in tokens:
        linked = bool(current) and text.joined((pending or current)[-1], token)
        if token.text[:1].isupper():
            if current and linked:
                current.extend(pending)
                current.append(token)
            else:
                if current:
                    runs.append(current)
                current = [token]
            pending = []
        elif current and token.text in CONNECTORS and linked and not current[-1].possessive:
            pending.append(token)
        else:
            if current:
                runs.append(current)
            current, pending = [], []
    if current:
        runs.append(current)
    return runs
