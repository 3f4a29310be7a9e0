"""Cut a reply's sections into chunks on sentence boundaries.

A chunk never spans two sections. A section longer than the limit is split
between sentences (:data:`~replyqa.text.CHUNK_SENTENCES`: 。！？；and line
ends); a sentence longer than the limit between clauses
(:data:`~replyqa.text.CHUNK_CLAUSES`: ，、：), and only a clause longer than the
limit is cut hard.
Offsets index the original text: ``reply.text[c.start:c.end] == c.text``.
"""
from __future__ import annotations

import hashlib

from .records import Chunk, Reply, Section
from .text import CHUNK_CLAUSES, CHUNK_SENTENCES, spans, trim

CHUNKER_VERSION = 2


def _pieces(text: str, start: int, end: int, limit: int) -> list[tuple[int, int]]:
    """Sentence spans no longer than ``limit`` once trimmed: clauses, then hard cuts, for long ones."""
    out = []
    for a, b in spans(text, CHUNK_SENTENCES, start, end):
        a, b = trim(text, a, b)
        if b - a <= limit:
            out.append((a, b))
            continue
        for c, d in spans(text, CHUNK_CLAUSES, a, b):
            c, d = trim(text, c, d)
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
