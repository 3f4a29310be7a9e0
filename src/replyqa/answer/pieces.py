"""Cutting retrieved chunks into quotable pieces: sentences, and clauses of long sentences.

Every piece keeps its exact offsets in the reply's original text, so a quote is always
``reply.text[start:end]``.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, replace

from ..records import Chunk, Hit, Reply
from ..text import QUOTE_CLAUSES, QUOTE_LEAD, QUOTE_SENTENCES, QUOTE_WINDOWS, last_end, next_end, spans, trim


@dataclass(frozen=True)
class PieceConfig:
    """How retrieved chunks are cut into quotable pieces (all hand-set, none fitted)."""

    # hand-set: a sentence longer than this also yields its clauses; 3 of the 278 sentences of
    # the 16 sample replies are longer (median 26, 95th percentile 123 characters).
    long_sentence: int = 200
    # hand-set: the ，-clause runs of an over-long clause are cut to about this length, half a
    # long sentence, so a quote stays readable in a chat line.
    window: int = 100
    # hand-set: a piece shorter than this is a stray mark or numeral, never a quote.
    min_chars: int = 2
    # hand-set: a chunk starting before this offset holds header lines; the header and
    # salutation of the 16 sample replies end by offset 214, and site headers add fields.
    header_chars: int = 600
    # hand-set: header chunks are added for this many of the top replies.
    header_replies: int = 3


PIECES = PieceConfig()


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
    return trim(text, start, end, lead=QUOTE_LEAD)


def split_pieces(text: str, start: int, end: int, cfg: PieceConfig = PIECES) -> list[tuple[int, int]]:
    """Sentence spans of ``text[start:end]``; a long sentence also yields its ；-clauses."""
    out = []
    for a, b in spans(text, QUOTE_SENTENCES, start, end):
        a, b = _trimmed(text, a, b)
        if b - a < cfg.min_chars:
            continue
        out.append((a, b))
        if b - a > cfg.long_sentence:
            out += _clauses(text, a, b, cfg)
    return out


def _clauses(text: str, start: int, end: int, cfg: PieceConfig) -> list[tuple[int, int]]:
    """Pieces of a long sentence: its ；-clauses, and runs of ，-clauses of about ``cfg.window`` characters."""
    out = []
    for ca, cb in spans(text, QUOTE_CLAUSES, start, end):
        ca, cb = _trimmed(text, ca, cb)
        if cb - ca < cfg.min_chars:
            continue
        if cb - ca < end - start:
            out.append((ca, cb))
        if cb - ca > cfg.long_sentence:
            out += _windows(text, ca, cb, cfg)
    return out


def _windows(text: str, start: int, end: int, cfg: PieceConfig) -> list[tuple[int, int]]:
    """Runs of ，-clauses of ``text[start:end]``, each closed once it reaches ``cfg.window`` characters."""
    out, window_start = [], start
    for _, cut in spans(text, QUOTE_WINDOWS, start, end):
        if cut - window_start >= cfg.window or cut == end:
            wa, wb = _trimmed(text, window_start, cut)
            if wb - wa >= cfg.min_chars:
                out.append((wa, wb))
            window_start = cut
    return out


def _sentence_bounds(text: str, start: int, end: int, cfg: PieceConfig = PIECES) -> tuple[int, int]:
    """Widen a chunk to whole sentences: chunks may be cut at ； or at the size limit."""
    after = last_end(text, QUOTE_SENTENCES, 0, start)
    left = after if after is not None else 0
    found = next_end(text, QUOTE_SENTENCES, end)
    right = found - 1 if found is not None else len(text)
    if right - end > cfg.long_sentence:
        right = end
    return (left if start - left < cfg.long_sentence else start), min(len(text), right + 1)


def header_hits(hits: list[Hit], index, cfg: PieceConfig = PIECES) -> list[Hit]:
    """The chunks holding the header (number line, addressee) of the top replies.

    Metadata questions ("文号", "who proposed it", "类别") are answered from the header,
    which retrieval by topic rarely brings back.
    """
    out, seen = [], set()
    for hit in hits:
        rid = hit.chunk.reply_id
        if rid in seen or len(seen) >= cfg.header_replies:
            continue
        seen.add(rid)
        out += [Hit(c, 0.0, "header") for c in index.chunks_of(rid) if c.start < cfg.header_chars]
    return out


def pieces_of(hits: list[Hit], replies: dict[str, Reply], cfg: PieceConfig = PIECES) -> list[Piece]:
    """All pieces of the hit chunks, each once, in retrieval order (header chunks last)."""
    seen, out = set(), []
    for rank, hit in enumerate(hits):
        rank = rank if hit.via != "header" else len(hits)
        reply = replies[hit.chunk.reply_id]
        a, b = _sentence_bounds(reply.text, hit.chunk.start, hit.chunk.end, cfg)
        for s, e in split_pieces(reply.text, a, b, cfg):
            if (reply.reply_id, s, e) not in seen:
                seen.add((reply.reply_id, s, e))
                out.append(Piece(reply.reply_id, hit.chunk, s, e, reply.text[s:e], rank))
    return out


def extend_list(piece: Piece, reply: Reply, cfg: PieceConfig = PIECES) -> Piece:
    """Keep "一是…" together with the "二是…" sentence that follows it."""
    if not re.search(r"一是|一方面|（一）|\(一\)", piece.text):
        return piece
    # hand-set: the "二是" sentence is looked for within two long sentences of the first
    nxt = split_pieces(reply.text, piece.end, min(len(reply.text), piece.end + 2 * cfg.long_sentence), cfg)
    if nxt and re.match(r"\s*(?:二是|另一方面|（二）|\(二\))", reply.text[nxt[0][0]:nxt[0][1]]):
        end = nxt[0][1]
        return replace(piece, end=end, text=reply.text[piece.start:end])
    return piece
