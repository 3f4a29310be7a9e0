"""Cut a reply's sections into chunks on sentence boundaries."""
from __future__ import annotations

import hashlib
import re

from .records import Chunk, Reply

CHUNKER_VERSION = 1
_SENTENCE_END = re.compile(r"[。！？；!?;]+|\n+")


def _pieces(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """Sentence spans inside [start, end), trailing punctuation included."""
    spans, pos = [], start
    for m in _SENTENCE_END.finditer(text, start, end):
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


def chunk_reply(reply: Reply, max_chars: int = 300) -> tuple[Chunk, ...]:
    """Chunks that never cross a section and hold at most ``max_chars`` characters."""
    chunks: list[Chunk] = []
    for section in reply.sections:
        cur_start = cur_end = None
        for a, b in _pieces(reply.text, section.start, section.end):
            for s in range(a, b, max_chars):  # a sentence longer than the limit is cut hard
                e = min(b, s + max_chars)
                if cur_start is not None and e - cur_start > max_chars:
                    chunks.append(_make(reply, section.path, cur_start, cur_end))
                    cur_start = None
                if cur_start is None:
                    cur_start = s
                cur_end = e
        if cur_start is not None:
            chunks.append(_make(reply, section.path, cur_start, cur_end))
    return tuple(c for c in chunks if c.text)


def _make(reply: Reply, path: tuple[str, ...], start: int, end: int) -> Chunk:
    start, end = _strip(reply.text, start, end)
    text = reply.text[start:end]
    cid = hashlib.sha256(f"{reply.reply_id}:{start}:{end}:{text}".encode()).hexdigest()[:16]
    return Chunk(chunk_id=cid, reply_id=reply.reply_id, section=path, text=text, start=start, end=end)
