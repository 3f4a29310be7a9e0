"""Cutting retrieved chunks into quotable pieces: sentences, and clauses of long sentences.

Every piece keeps its exact offsets in the reply's original text, so a quote is always
``reply.text[start:end]``.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, replace

from ..records import Chunk, Hit, Reply

_SENTENCE = re.compile(r"[^。！？!?\n]*(?:[。！？!?]+[”」』\"]?|\n|$)")
_CLAUSE = re.compile(r"[^；;]*(?:[；;]|$)")
LONG_SENTENCE = 200


@dataclass(frozen=True)
class Piece:
    """A sentence or clause of a retrieved chunk, with its offsets in the reply text."""

    reply_id: str
    chunk: Chunk
    start: int
    end: int
    text: str
    rank: int


def _trimmed(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and (text[start].isspace() or text[start] in "，,、"):
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


def split_pieces(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """Sentence spans of ``text[start:end]``; a long sentence also yields its ；-clauses."""
    spans = []
    for m in _SENTENCE.finditer(text, start, end):
        a, b = _trimmed(text, m.start(), m.end())
        if b - a < 2:
            continue
        spans.append((a, b))
        if b - a > LONG_SENTENCE:
            spans += _clauses(text, a, b)
    return spans


def _clauses(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """Pieces of a long sentence: its ；-clauses, and runs of ，-clauses of about a hundred characters."""
    out = []
    for c in _CLAUSE.finditer(text, start, end):
        ca, cb = _trimmed(text, c.start(), c.end())
        if cb - ca < 2:
            continue
        if cb - ca < end - start:
            out.append((ca, cb))
        if cb - ca > LONG_SENTENCE:
            cuts = [m.end() for m in re.finditer(r"[，,:：]", text[ca:cb])]
            window_start = ca
            for cut in cuts + [cb - ca]:
                if ca + cut - window_start >= 100 or ca + cut == cb:
                    wa, wb = _trimmed(text, window_start, ca + cut)
                    if wb - wa >= 2:
                        out.append((wa, wb))
                    window_start = ca + cut
    return out


def _sentence_bounds(text: str, start: int, end: int) -> tuple[int, int]:
    """Widen a chunk to whole sentences: chunks may be cut at ； or at the size limit."""
    left = max(text.rfind(ch, 0, start) for ch in "。！？!?\n")
    right = min((i for i in (text.find(ch, end) for ch in "。！？!?\n") if i != -1), default=len(text))
    if right - end > LONG_SENTENCE:
        right = end
    return (left + 1 if start - left <= LONG_SENTENCE else start), min(len(text), right + 1)


HEADER_CHARS = 600


def header_hits(hits: list[Hit], index, replies: int = 3) -> list[Hit]:
    """The chunks holding the header (number line, addressee) of the top replies.

    Metadata questions ("文号", "who proposed it", "类别") are answered from the header,
    which retrieval by topic rarely brings back.
    """
    out, seen = [], set()
    for hit in hits:
        rid = hit.chunk.reply_id
        if rid in seen or len(seen) >= replies:
            continue
        seen.add(rid)
        out += [Hit(c, 0.0, "header") for c in index.chunks_of(rid) if c.start < HEADER_CHARS]
    return out


def pieces_of(hits: list[Hit], replies: dict[str, Reply]) -> list[Piece]:
    """All pieces of the hit chunks, each once, in retrieval order (header chunks last)."""
    seen, out = set(), []
    for rank, hit in enumerate(hits):
        rank = rank if hit.via != "header" else len(hits)
        reply = replies[hit.chunk.reply_id]
        a, b = _sentence_bounds(reply.text, hit.chunk.start, hit.chunk.end)
        for s, e in split_pieces(reply.text, a, b):
            if (reply.reply_id, s, e) not in seen:
                seen.add((reply.reply_id, s, e))
                out.append(Piece(reply.reply_id, hit.chunk, s, e, reply.text[s:e], rank))
    return out


def extend_list(piece: Piece, reply: Reply) -> Piece:
    """Keep "一是…" together with the "二是…" sentence that follows it."""
    if not re.search(r"一是|一方面|（一）|\(一\)", piece.text):
        return piece
    nxt = split_pieces(reply.text, piece.end, min(len(reply.text), piece.end + 2 * LONG_SENTENCE))
    if nxt and re.match(r"\s*(?:二是|另一方面|（二）|\(二\))", reply.text[nxt[0][0]:nxt[0][1]]):
        end = nxt[0][1]
        return replace(piece, end=end, text=reply.text[piece.start:end])
    return piece
