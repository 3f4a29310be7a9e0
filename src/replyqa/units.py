"""Cut a reply's text into units: its lines, and pieces of lines that run template parts together.

A flattened table cell may hold a salutation, an opening and the first body
paragraph on one line; the cut patterns of :mod:`replyqa.template` find where
each part starts. A unit keeps its span in the original text and its matching
form (see :mod:`replyqa.normalise`); values are always cut from the original.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property

from .normalise import Normalised, fold_width, normalise
from .template import LEAD_JUNK, OPENING_CUT, SALUTE_CUT, SPLIT_BEFORE, TRAILING_DATE


@dataclass(frozen=True)
class Unit:
    """A line or part of a line: its span in the original and its matching form."""

    start: int
    end: int
    norm: Normalised
    text: str = field(repr=False, compare=False)  # the whole reply, to cut values from

    @cached_property
    def lead(self) -> int:
        """Where the content starts in the matching form, after bullets and table bars."""
        m = LEAD_JUNK.match(self.norm.text)
        return m.end() if m else 0

    @cached_property
    def ntext(self) -> str:
        """The matching form without leading bullets and trailing bars."""
        return self.norm.text[self.lead:].rstrip(" |")

    def span(self, a: int, b: int) -> tuple[int, int]:
        """Original span of ``ntext[a:b]``."""
        s, e = self.norm.span(self.lead + a, self.lead + b)
        return self.start + s, self.start + e

    def original(self, a: int, b: int) -> str:
        """The original text behind ``ntext[a:b]``."""
        s, e = self.span(a, b)
        return self.text[s:e]


def _line_spans(text: str) -> list[tuple[int, int]]:
    spans, pos = [], 0
    for line in text.splitlines(keepends=True):
        body = line.rstrip("\r\n\u2028\u2029\x0b\x0c\x1c\x1d\x1e\x85")
        if body.strip():
            spans.append((pos, pos + len(body)))
        pos += len(line)
    return spans


def _cut_points(line: str) -> list[int]:
    """Positions in a line where a new unit starts."""
    folded = fold_width(line)
    cuts = {m.end() for rx in (SALUTE_CUT, OPENING_CUT) for m in rx.finditer(folded)}
    cuts |= {m.end() for rx in (SPLIT_BEFORE, TRAILING_DATE) for m in rx.finditer(folded)}
    return sorted(c for c in cuts if 0 < c < len(line))


def split_units(text: str) -> list[Unit]:
    """The text's non-blank lines, cut further where one line runs several parts together."""
    units = []
    for start, end in _line_spans(text):
        bounds = [start] + [start + c for c in _cut_points(text[start:end])] + [end]
        for a, b in zip(bounds, bounds[1:]):
            piece = text[a:b]
            if piece.strip() and any(ch.isalnum() for ch in piece):
                units.append(Unit(a, b, normalise(piece), text))
    return units
