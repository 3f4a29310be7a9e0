"""The records that pass between pipeline stages.

Every stage takes and returns these frozen dataclasses, never loose dicts.
Offsets always index the reply's original text: ``reply.text[c.start:c.end] == c.text``.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal, get_args


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
