"""The records that pass between pipeline stages.

Every stage takes and returns these frozen dataclasses, never loose dicts.
Offsets always index the reply's original text: ``reply.text[c.start:c.end] == c.text``.
"""
from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class ReplyMeta:
    """Metadata parsed from a reply; every field is optional."""

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


@dataclass(frozen=True)
class Section:
    """A span of a reply with its heading path, e.g. ("一、关于…",)."""

    reply_id: str
    path: tuple[str, ...]
    start: int
    end: int


@dataclass(frozen=True)
class Reply:
    """One parsed reply: original text, metadata and sections."""

    reply_id: str
    title: str
    meta: ReplyMeta
    text: str
    source: str
    sections: tuple[Section, ...] = field(default=())


@dataclass(frozen=True)
class Chunk:
    """A piece of one section, quoted exactly from the original text."""

    chunk_id: str
    reply_id: str
    section: tuple[str, ...]
    text: str
    start: int
    end: int


@dataclass(frozen=True)
class Hit:
    """A retrieved chunk with its score and the retriever that found it."""

    chunk: Chunk
    score: float
    via: str  # "dense", "bm25" or "both"


@dataclass(frozen=True)
class Citation:
    """An exact quote from a chunk's reply, backing an answer."""

    n: int
    chunk: Chunk
    quote: str
    start: int
    end: int


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
