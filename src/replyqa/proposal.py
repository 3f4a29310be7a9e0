"""A new proposal as the precedent check reads it: its text, title, places, asks and windows.

A proposal (提案, 建议) arrives pasted, piped or as a file. :func:`read_proposal` turns a file (any kind
``read.py`` reads, scans included) or stdin into text; :func:`analyse_proposal` checks the text and
reads what the check uses: the title (案由), the places the proposal is about (from its title and
opening, grounded in the archive's gazetteer), the sentences that ask for something, and the windows
the whole text is embedded by, so a long proposal is read to its end instead of being cut.
"""
from __future__ import annotations

import re
import sys
from dataclasses import dataclass
from pathlib import Path

from .entities import Entity, extract
from .errors import QueryError
from .normalise import to_simplified
from .text import PASSAGE_SENTENCES, spans

# A proposal is 100-2,000 characters; with its background and attachments pasted it may run to a few
# pages. Above this it is not one proposal (a whole file of them, a dump), and it is refused with a message.
MAX_PROPOSAL_CHARS = 20_000
MIN_PROPOSAL_CHARS = 4  # hand-set: fewer characters cannot say what is asked
WINDOW_CHARS = 300  # hand-set: the archive's chunk size, so a window and a chunk say about as much
HEAD_CHARS = 200  # hand-set: where a proposal names the place it is about (title and opening lines)
TITLE_CHARS = 80  # hand-set: a first line longer than this is text, not a title
ASK_CHARS = 600  # hand-set: the asks joined for BM25 and for one embedding of their own
_TITLE = re.compile(r"关于[^。！？\n]{2,60}?的(?:提案|建议|议案|意见)")
# words with which a proposal asks for something: 建议, 希望, 恳请 … and the deontic 应/要 + a verb
_ASK = re.compile(r"建议|希望|恳请|请求|呼吁|要求|提请|尽快|加快|加大|应当|应该|亟需|亟待|急需|争取")
SENTENCES = PASSAGE_SENTENCES  # sentences end at 。！？ and at line breaks (a title line is not one with the text)
_NAME_MARK = re.compile(r"^[\s\d一二三四五六七八九十、.（()）]*(?:案由|标题|题目)[:：]\s*")


@dataclass(frozen=True)
class Proposal:
    """What the precedent check reads of a new proposal. Spans are (start, end) offsets into ``text``."""

    text: str
    title: str
    places: tuple[Entity, ...]  # the places it is about, each once
    asks: tuple[tuple[int, int], ...]  # the sentences that ask for something
    windows: tuple[tuple[int, int], ...]  # the whole text in pieces of at most WINDOW_CHARS

    @property
    def ask_text(self) -> str:
        """The title and the asks, for BM25 and one embedding: what the proposal wants, without its background."""
        joined = self.title + "\n" + "".join(self.text[a:b] for a, b in self.asks)
        return joined[:ASK_CHARS]

    def window_texts(self) -> list[str]:
        return [self.text[a:b] for a, b in self.windows]


def read_proposal(path: str) -> str:
    """The text of a proposal file (``-``: stdin, UTF-8); ReadError or QueryError with the reason otherwise."""
    if path == "-":
        data = sys.stdin.buffer.read()
        if len(data) > 4 * MAX_PROPOSAL_CHARS:  # UTF-8 Chinese is three bytes a character
            raise QueryError(too_long_message(len(data.decode("utf-8", errors="replace"))))
        try:
            return data.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise QueryError("stdin is not UTF-8 text") from exc
    from .read import read_document

    return read_document(Path(path)).text


def too_long_message(n: int) -> str:
    return (f"the proposal is {n:,} characters long; a proposal is at most {MAX_PROPOSAL_CHARS:,} "
            "(paste one proposal: its title, situation and asks)")


def check_proposal(text: str) -> str:
    """The text stripped; QueryError when it is empty, too short or too long to be one proposal."""
    text = (text or "").replace("\r\n", "\n").strip()
    if not text:
        raise QueryError("the proposal is empty: paste or give its text (title, situation and asks)")
    if len(text) > MAX_PROPOSAL_CHARS:
        raise QueryError(too_long_message(len(text)))
    if len(re.sub(r"\W", "", text)) < MIN_PROPOSAL_CHARS:
        raise QueryError("the proposal is too short to compare: give its title and what it asks for")
    if "\x00" in text:
        raise QueryError("the proposal is not text (it holds NUL bytes)")
    return text


def analyse_proposal(text: str, names=None) -> Proposal:
    """Check a proposal's text and read its title, places, asks and windows; ``names`` is the archive's gazetteer."""
    text = check_proposal(text)
    simplified = to_simplified(text)
    title = proposal_title(text)
    places = proposal_places(title, text[:HEAD_CHARS], names)
    sentences = spans(text, SENTENCES) or [(0, len(text))]
    asks = tuple((a, b) for a, b in sentences if _ASK.search(simplified[a:b]) and text[a:b].strip() != title)
    return Proposal(text, title, places, asks, windows(text, sentences))


def proposal_places(title: str, head: str, names=None) -> tuple[Entity, ...]:
    """The places a proposal is about: those written in its title, and those of its opening the archive knows.

    An unknown place of the opening is left out: the place rules read "加快县…" and "相邻县" as places, and
    a proposal names the place it is about in its title, or in words the archive's gazetteer has.
    """
    text = title + "\n" + head
    simple, simple_title = to_simplified(text), to_simplified(title)
    out: dict[str, Entity] = {}
    for e in extract(text, simple, names=names):
        known = names is not None and names.knows("place", e.value)
        if e.kind == "place" and e.value in simple and (e.value in simple_title or known):
            out.setdefault(e.value, e)
    return tuple(out.values())


def proposal_title(text: str) -> str:
    """The 案由: a short first line, else the first "关于…的提案/建议", else the first sentence (clipped)."""
    first = _NAME_MARK.sub("", text.split("\n", 1)[0]).strip()
    if first and len(first) <= TITLE_CHARS and not first.endswith(("。", "！", "？")):
        return first
    m = _TITLE.search(text[:HEAD_CHARS * 2])
    if m:
        return m.group(0)
    a, b = (spans(text, SENTENCES) or [(0, len(text))])[0]
    return text[a:b].strip()[:TITLE_CHARS]


def windows(text: str, sentences: list[tuple[int, int]], size: int = WINDOW_CHARS) -> tuple[tuple[int, int], ...]:
    """Consecutive sentences grouped into windows of at most ``size`` characters that together cover every
    sentence; a sentence longer than ``size`` is cut into pieces of ``size``."""
    out: list[tuple[int, int]] = []
    start = end = None
    for a, b in sentences:
        for piece in range(a, b, size):
            p, q = piece, min(b, piece + size)
            if start is not None and q - start <= size:
                end = q
                continue
            if start is not None:
                out.append((start, end))
            start, end = p, q
    if start is not None:
        out.append((start, end))
    return tuple(out)
