"""Cut a reply's sections into chunks on sentence boundaries.

A chunk never spans two sections. A section longer than the limit is split
between sentences (。！？；and line ends); a sentence longer than the limit
between clauses (，、：), and only a clause longer than the limit is cut hard.
Offsets index the original text: ``reply.text[c.start:c.end] == c.text``.
"""
from __future__ import annotations

import hashlib
import re

from .records import Chunk, Reply, Section

CHUNKER_VERSION = 2
_SENTENCE_END = re.compile(r"[。！？；!?;]+[”’」』)）]*|\n+")
_CLAUSE_END = re.compile(r"[，,、：:]+")


def _split(text: str, start: int, end: int, rx: re.Pattern) -> list[tuple[int, int]]:
    """Spans inside [start, end) ending after each match of ``rx``."""
    spans, pos = [], start
    for m in rx.finditer(text, start, end):
        if m.end() > pos:
            spans.append((pos, m.end()))
            pos = m.end()
    if pos < end:
        spans.append((pos, end))
    return spans


def _strip(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


def _pieces(text: str, start: int, end: int, limit: int) -> list[tuple[int, int]]:
    """Sentence spans no longer than ``limit`` once stripped: clauses, then hard cuts, for long ones."""
    out = []
    for a, b in _split(text, start, end, _SENTENCE_END):
        a, b = _strip(text, a, b)
        if b - a <= limit:
            out.append((a, b))
            continue
        for c, d in _split(text, a, b, _CLAUSE_END):
            c, d = _strip(text, c, d)
            out += [(s, min(d, s + limit)) for s in range(c, d, limit)]
    return [(a, b) for a, b in out if a < b]


def section_spans(text: str, section: Section, limit: int) -> list[tuple[int, int]]:
    """Greedy packing of a section's sentences into spans of at most ``limit`` characters."""
    spans: list[tuple[int, int]] = []
    cur: tuple[int, int] | None = None
    for a, b in _pieces(text, section.start, section.end, limit):
        if cur is not None and b - cur[0] <= limit:
            cur = (cur[0], b)
            continue
        if cur is not None:
            spans.append(cur)
        cur = (a, b)
    if cur is not None:
        spans.append(cur)
    return spans


def chunk_reply(reply: Reply, max_chars: int = 300) -> tuple[Chunk, ...]:
    """Chunks that follow the reply's sections and hold at most ``max_chars`` characters."""
    limit = max(1, max_chars)
    chunks = []
    for section in reply.sections:
        for start, end in section_spans(reply.text, section, limit):
            chunks.append(_make(reply, section.path, start, end))
    return tuple(chunks)


def _make(reply: Reply, path: tuple[str, ...], start: int, end: int) -> Chunk:
    text = reply.text[start:end]
    cid = hashlib.sha256(f"{reply.reply_id}:{start}:{end}:{text}".encode()).hexdigest()[:16]
    return Chunk(chunk_id=cid, reply_id=reply.reply_id, section=path, text=text, start=start, end=end)
