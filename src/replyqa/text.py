"""Sentence and clause spans, and trimming: the one place that decides where text ends.

Every stage that cuts text into sentences or clauses (the chunker, the answerer's
pieces, the check of generated answers, the evaluation's evidence, the web's
passage view, the bench's corpus) describes *where* with a :class:`Marks` and
cuts with :func:`spans`, :func:`last_end` and :func:`next_end`. The stages
really differ in what ends a sentence, and each difference is kept here,
named for why it exists, so that chunk ids, offsets and quotes stay what they
were. All offsets index the text given; a span is ``text[start:end]``.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache


@dataclass(frozen=True)
class Marks:
    """What ends a span of text."""

    stops: str  # characters that end a span
    closers: str = ""  # closing quotes and brackets that stay with the stop before them
    closer_limit: int | None = None  # at most this many closers after a stop (None: any number)
    single: bool = False  # each stop ends its own span (else a run of stops ends one span)
    lines: bool = False  # a line break (a run of them) ends a span too
    bare: bool = True  # a run of stops with no text before it is a span (else it belongs to no span)
    trailer: str = ""  # a regex for what may follow an end, any number of times, and still belong to the span

    @property
    def chars(self) -> str:
        """Every character that ends a span: the stops, and the line break where it counts."""
        return self.stops + ("\n" if self.lines else "")


# Where a chunk may end: sentence ends, and also ；, so a long enumeration of measures
# becomes several retrievable chunks; closing quotes and brackets stay with their sentence.
CHUNK_SENTENCES = Marks("。！？；!?;", closers="”’」』)）", lines=True)
# Where a chunk's sentence longer than the chunk limit is cut before cutting it hard.
CHUNK_CLAUSES = Marks("，,、：:")
# A quoted answer piece is a whole sentence (its ；-clauses are offered as extra pieces,
# see QUOTE_CLAUSES); the closing quote after its end stays with it, one only.
QUOTE_SENTENCES = Marks("。！？!?", closers="”」』\"", closer_limit=1, lines=True)
# The ；-clauses of a long quoted sentence, each ； ending its own clause.
QUOTE_CLAUSES = Marks("；;", single=True)
# Where a clause longer than a long sentence is cut into windows of about a hundred characters.
QUOTE_WINDOWS = Marks("，,:：", single=True)
# A quote never starts with the clause mark a split left at its front (trim's ``lead``).
QUOTE_LEAD = "，,、"
# A generated answer's sentence keeps the [n] markers written after its end; text
# before any words (a stray 。 or a line break) is not a sentence to check.
CHECKED_SENTENCES = Marks("。！？!?", lines=True, bare=False, trailer=r"\s*\[\d{1,2}\]")
# Benchmark paragraphs (SQuAD, DRCD, CMRC) are one line each: line breaks are not ends,
# and stops before the first word belong to no sentence.
PARAGRAPH_SENTENCES = Marks("。！？!?", bare=False)
# The passage a web card shows around a quote stops at Chinese sentence ends and line
# breaks; half-width !? are not ends here (a URL's ? would cut the passage short).
PASSAGE_SENTENCES = Marks("。！？", lines=True)
# The sentences an evaluation searches for a stated attribute (a phone number, a date of completion):
# any stop or line break ends one.
EVIDENCE_SENTENCES = Marks("。！？!?", lines=True, bare=False)
# How far apart two words of a passage are, counted in clauses: every comma, colon, stop and line
# break ends one (the answerer's verdict on which verb a marker belongs to).
CLAUSE_ENDS = Marks("，,。；;！!？?：:", lines=True, single=True)
# What bounds a stated value's phrase ("约120张床位"): clause ends, list commas and brackets.
VALUE_BOUNDS = Marks("，,。；;：:、（）()", lines=True, single=True)


def _class(chars: str) -> str:
    """``chars`` escaped for use inside a regex character class."""
    return "".join("\\" + c if c in "\\]^-[" else c for c in chars)


@lru_cache(maxsize=None)
def pattern(marks: Marks) -> re.Pattern:
    """The regex whose matches are the spans ``marks`` describe, each with the end that closes it."""
    stops = _class(marks.stops)
    newline = r"\n" if marks.lines else ""
    body = f"[^{stops}{newline}]{'*' if marks.bare else '+'}"
    end = f"[{stops}]{'' if marks.single else '+'}"
    if marks.closers:
        count = "*" if marks.closer_limit is None else f"{{0,{marks.closer_limit}}}"
        end += f"[{_class(marks.closers)}]{count}"
    ends = [end] + ([r"\n+"] if marks.lines else []) + ["$"]
    trailer = f"(?:{marks.trailer})*" if marks.trailer else ""
    return re.compile(f"{body}(?:{'|'.join(ends)}){trailer}")


@lru_cache(maxsize=None)
def end_mark(marks: Marks) -> re.Pattern:
    """The regex matching any one character that ends a span of ``marks``."""
    return re.compile(f"[{_class(marks.chars).replace(chr(10), chr(92) + 'n')}]")


def spans(text: str, marks: Marks, start: int = 0, end: int | None = None) -> list[tuple[int, int]]:
    """The non-empty spans of ``text[start:end]``, in order, each running through the end that closes it.

    With ``marks.bare`` the spans tile ``text[start:end]``; otherwise only runs of stops
    (and line breaks) before a span's first word fall outside every span.
    """
    end = len(text) if end is None else end
    return [m.span() for m in pattern(marks).finditer(text, start, end) if m.end() > m.start()]


def trim(text: str, start: int, end: int, strip: str | None = None, lead: str = "") -> tuple[int, int]:
    """``(start, end)`` narrowed past white space (or, given ``strip``, those characters) at both
    ends, and past the characters ``lead`` at the start only."""
    if strip is None:  # the common case, kept apart because chunking calls it for every sentence
        while start < end and (text[start].isspace() or text[start] in lead):
            start += 1
        while end > start and text[end - 1].isspace():
            end -= 1
        return start, end
    while start < end and (text[start] in strip or text[start] in lead):
        start += 1
    while end > start and text[end - 1] in strip:
        end -= 1
    return start, end


def last_end(text: str, marks: Marks, lo: int, hi: int) -> int | None:
    """The offset just after the last ending character in ``text[lo:hi]``, or None if there is none."""
    at = max(text.rfind(ch, lo, hi) for ch in marks.chars)
    return at + 1 if at >= 0 else None


def next_end(text: str, marks: Marks, lo: int, hi: int | None = None) -> int | None:
    """The offset just after the first ending character in ``text[lo:hi]``, or None if there is none."""
    hi = len(text) if hi is None else hi
    found = [i for i in (text.find(ch, lo, hi) for ch in marks.chars) if i != -1]
    return min(found) + 1 if found else None
