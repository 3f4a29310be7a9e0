"""The records that pass between pipeline stages.

Every stage takes and returns these frozen dataclasses, never loose dicts.
Offsets always index the reply's original text: ``reply.text[c.start:c.end] == c.text``.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal, get_args


@dataclass(frozen=True)
class ReplyMeta:
    """Metadata parsed from a reply; every field is optional.

    ``reply_class`` and ``contact`` are kept as they always were. The handling fields
    below them say the same things finer: ``handler`` and ``phone`` apart,
    ``result_grade`` for word grades (解决采纳, 列入计划 …) and 办理结果 rows too
    (it equals ``reply_class`` whenever that is set), and ``result_meaning`` for
    what the reply says the grade means. ``spans`` gives, for each handling field
    found, where the reply states it: ``(field, start, end)`` in the reply's text,
    one entry per co-unit.
    """

    title: str = ""
    office: str = ""
    doc_number: str = ""
    reply_class: str = ""
    disclosure: str = ""
    body: str = ""  # 政协 or 人大
    level: str = ""  # 全国 / 省 / 市 / 县 / 区 ...
    session: tuple[int, ...] = ()
    proposal_number: str = ""
    role: str = ""  # 主办 / 会办 / 协办
    addressees: tuple[str, ...] = ()
    proposal_title: str = ""
    published: str = ""  # ISO date
    signed: str = ""  # ISO date
    contact: str = ""
    signer: str = ""  # 签发人, 领导签发
    handler: str = ""  # 承办人, 经办人, 联系人: a person's name
    phone: str = ""
    lead_unit: str = ""  # 主办单位
    co_units: tuple[str, ...] = ()  # 协办, 会办, 分办单位
    proposer_org: str = ""  # a party committee, association or 界别 that proposes
    delegation: str = ""  # …代表团
    result_grade: str = ""  # A / B1 / C, or 解决采纳, 列入计划, 留作参考 … (Simplified)
    result_meaning: str = ""  # what the reply says the grade means
    spans: tuple[tuple[str, int, int], ...] = ()

    def __post_init__(self) -> None:
        # a catalog stores meta as JSON, which turns tuples into lists; keep the record hashable
        for name in ("session", "addressees", "co_units"):
            object.__setattr__(self, name, tuple(getattr(self, name)))
        object.__setattr__(self, "spans", tuple(tuple(s) for s in self.spans))

    @property
    def date(self) -> str:
        """The date a reply is filed under: signed, else published (ISO, "" when neither is known)."""
        return self.signed or self.published

    def spans_of(self, name: str) -> list[tuple[int, int]]:
        """Where the reply states field ``name``: (start, end) offsets in its text, in order."""
        return [(a, b) for f, a, b in self.spans if f == name]


@dataclass(frozen=True)
class Section:
    """A span of a reply with its heading path, e.g. ("一、关于…",)."""

    reply_id: str
    path: tuple[str, ...]
    start: int
    end: int


@dataclass(frozen=True)
class ScanLine:
    """One line of a scanned reply as OCR read it: where it lies in the reply's text and on its page.

    ``box`` is the line's quadrilateral (x0, y0, x1, y1, x2, y2, x3, y3, clockwise from the top left)
    in the pixels of its :class:`ScanPage` image; ``score`` is the recogniser's confidence.
    """

    page: int  # index into Scan.pages
    start: int
    end: int
    box: tuple[int, ...]
    score: float


@dataclass(frozen=True)
class ScanPage:
    """One scanned page as shown beside a quote: the page image (JPEG) and where it came from."""

    number: int  # 1-based page of the source file (a PDF page, a TIFF frame, a band of a tall image)
    width: int
    height: int
    image: bytes = field(default=b"", repr=False, compare=False)


@dataclass(frozen=True)
class Scan:
    """What OCR read of a scanned reply: its pages, its lines (offsets into the reply's text) and the
    mean confidence of its characters."""

    confidence: float
    pages: tuple[ScanPage, ...] = ()
    lines: tuple[ScanLine, ...] = ()

    def lines_in(self, start: int, end: int) -> list[ScanLine]:
        """The lines holding any of ``text[start:end]``, in reading order."""
        return [ln for ln in self.lines if ln.start < end and start < ln.end]


@dataclass(frozen=True)
class Reply:
    """One parsed reply: original text, metadata and sections; ``scan`` when the text was read by OCR."""

    reply_id: str
    title: str
    meta: ReplyMeta
    text: str
    source: str
    sections: tuple[Section, ...] = field(default=())
    scan: Scan | None = field(default=None, repr=False, compare=False)


@dataclass(frozen=True)
class Chunk:
    """A piece of one section, quoted exactly from the original text."""

    chunk_id: str
    reply_id: str
    section: tuple[str, ...]
    text: str
    start: int
    end: int


# How a chunk came to be considered, as ``Hit.via`` and the ``via`` of ``replyqa search --json``:
#   "dense", "bm25", "both"  the hybrid retriever: found by the vector store, by BM25, or by both;
#   "header"                 the answerer: a header chunk of a top reply, for questions about the reply itself;
#   "context"                a conversation: a chunk cited by the previous turn, reconsidered for a follow-up.
Via = Literal["dense", "bm25", "both", "header", "context"]
VIAS: tuple[str, ...] = get_args(Via)


@dataclass(frozen=True)
class Hit:
    """A chunk with its score and how it was found (``via``: one of :data:`VIAS`)."""

    chunk: Chunk
    score: float
    via: Via


@dataclass(frozen=True)
class Citation:
    """An exact quote from a chunk's reply, backing an answer."""

    n: int
    chunk: Chunk
    quote: str
    start: int
    end: int
    answer_span: tuple[int, int] | None = None  # the answer inside the quote, in the reply's offsets


@dataclass(frozen=True)
class Answer:
    """The answer to one question with the citations it rests on."""

    question: str
    text: str
    citations: tuple[Citation, ...]
    refused: bool
    related: tuple[str, ...] = ()  # reply ids worth reading besides the cited ones
    timings: tuple[tuple[str, float], ...] = ()  # (stage, milliseconds)
    note: str = ""  # e.g. why the generative answer fell back to the extractive one
