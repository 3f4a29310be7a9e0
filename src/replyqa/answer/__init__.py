"""Extractive answering: quote the clause of a retrieved reply that answers the question.

Retrieved chunks are cut into sentences (long ones into clauses: ``pieces.py``). Each piece is
scored by the dense similarity of question and piece, by lexical overlap on
normalised text, and by cues from the question type (a number with a unit for
"多少", a date for "什么时候", ...: ``score.py``). The best piece is quoted verbatim, with
its exact offsets in the reply's original text (``compose.py``). When nothing answers, the
answer is a refusal in the question's language, with related replies. The ``Answerer``
here runs those stages; questions about a reply itself go to ``..fields``.
"""
from __future__ import annotations

import inspect
import logging
import time
from dataclasses import replace

from ..normalise import to_simplified
from ..question import Question, analyse, key, strip_pinyin
from ..records import Answer, Citation, Hit, Reply
from ..retrieve import check_query
from .compose import (_FRAMES, _joined, cite_line, conflicting, dates, english_figure, figures, refusal_text,
                      reply_label, supporting, verdict)
from .pieces import Piece, extend_list, header_hits, pieces_of, split_pieces
from .score import (AnswerConfig, DenseCache, Scored, _reply_head_key, coverage, pick, refusal_reason, score_pieces,
                    term_found)

__all__ = ["AnswerConfig", "Answerer", "DenseCache", "Piece", "Scored", "answer_json", "ask", "citation_json",
           "cite_line", "coverage", "dates", "english_figure", "extend_list", "figures", "header_hits", "pick",
           "pieces_of", "refusal_reason", "refusal_text", "reply_label", "score_pieces", "split_pieces", "supporting",
           "term_found", "verdict"]

log = logging.getLogger(__name__)

# Share of a question's topic words (Chinese, English) a reply must hold before its own facts answer it.
ABOUT_COVERAGE = (0.5, 0.15)


# -- the answerer ----------------------------------------------------------------------------------------
def _supports_filters(retriever) -> bool:
    try:
        return "filters" in inspect.signature(retriever.search).parameters
    except (TypeError, ValueError):
        return False


class Answerer:
    """Extractive answering over one index; heavy objects are built once and reused."""

    def __init__(self, index, config: AnswerConfig | None = None, retriever=None):
        from ..retrieve import HybridRetriever

        self.index = index
        self.config = config or AnswerConfig()
        self.retriever = retriever or HybridRetriever(index)
        self.cache = DenseCache(index.embedder)

    def retrieve(self, query: str, filters: dict | None, prefer: tuple[str, ...] = ()) -> list[Hit]:
        """Hybrid hits; chunks of the preferred replies (a conversation's) move to the front."""
        kwargs = {"filters": filters} if filters and _supports_filters(self.retriever) else {}
        if filters and not kwargs:
            log.warning("the retriever does not take filters yet; ignoring %s", filters)
        hits = self.retriever.search(query, k=self.config.k, mode="hybrid", **kwargs)
        if prefer:
            hits = sorted(hits, key=lambda h: h.chunk.reply_id not in prefer)
        return hits

    def ask(self, question: str, filters: dict | None = None, *, parsed: Question | None = None,
            query: str | None = None, prefer: tuple[str, ...] = (), context: tuple[Hit, ...] = ()) -> Answer:
        """Answer one question.

        A conversation adds context: ``parsed`` (the question with the previous topic merged in),
        ``query`` (what to retrieve with), ``prefer`` (replies under discussion) and ``context``
        (the chunks cited last turn, always considered).
        """
        question = check_query(question)  # empty, overlong or unencodable input is refused before analysis
        timings: dict[str, float] = {}
        clock = time.perf_counter()
        q = parsed or analyse(question)
        hits = list(context) + self.retrieve(query or question, filters, prefer)
        timings["retrieve"] = (time.perf_counter() - clock) * 1000
        clock = time.perf_counter()
        replies = {h.chunk.reply_id: self.index.reply(h.chunk.reply_id) for h in hits}
        about = self.about_reply(question, q, hits, replies)
        if about is not None:
            timings["compose"] = (time.perf_counter() - clock) * 1000
            return replace(about, timings=tuple((k, round(v, 1)) for k, v in timings.items()))
        qvec = self.index.embedder.embed_queries([strip_pinyin(query or question)])[0]
        extra = header_hits(hits, self.index) if set(q.kinds) & {"doc_number", "who", "what"} else []
        scored = score_pieces(q, pieces_of(hits + extra, replies), replies, qvec, self.cache, self.config)
        timings["score"] = (time.perf_counter() - clock) * 1000
        clock = time.perf_counter()
        answer = self.compose(question, q, scored, hits, replies)
        timings["compose"] = (time.perf_counter() - clock) * 1000
        return replace(answer, timings=tuple((k, round(v, 1)) for k, v in timings.items()))

    def about_reply(self, question: str, q: Question, hits: list[Hit], replies: dict[str, Reply]) -> Answer | None:
        """A question about the top reply itself (its proposer, class, date, contact...), answered
        from the line that states it; None when the question is not of that kind or the reply is not
        clearly the one meant."""
        from ..fields import FIELD_WORDS, asked_field, field_answer

        field, detail = asked_field(question)
        if not field or not hits:
            return None
        # The reply meant is the retrieved one whose text holds most of the question's other words.
        topic = replace(q, terms=tuple(t for t in q.terms if t not in FIELD_WORDS))
        ranked = list(dict.fromkeys(h.chunk.reply_id for h in hits))[:3]
        covered = {rid: coverage(topic, key(replies[rid].text) + _reply_head_key(replies[rid])) for rid in ranked}
        rid = max(ranked, key=lambda r: (covered[r], -ranked.index(r)))
        if covered[rid] < ABOUT_COVERAGE[q.language == "en"]:
            return None
        reply = replies[rid]
        found = field_answer(reply, field, detail)
        if found is None:
            return None
        chunk = next((c for c in self.index.chunks_of(reply.reply_id) if c.start <= found.start < c.end), hits[0].chunk)
        piece = Piece(reply.reply_id, chunk, found.start, found.end, reply.text[found.start:found.end], 0)
        frame, date_fmt, lead_fmt, _ = _FRAMES[q.language]
        label, date = reply_label(reply)
        restated = found.value in piece.text and len(piece.text) <= len(found.value) + 6
        lead = "" if restated else lead_fmt.format(found.value)
        text = frame.format(label=label, date=date_fmt.format(date) if date else "", lead=lead, quote=piece.text, n=1)
        related = [r for r in dict.fromkeys(h.chunk.reply_id for h in hits) if r != reply.reply_id][:3]
        return Answer(question, text, (Citation(1, chunk, piece.text, piece.start, piece.end),), False,
                      related=tuple(related))

    def compose(self, question: str, q: Question, scored: list[Scored], hits: list[Hit],
                replies: dict[str, Reply]) -> Answer:
        """Turn the scored pieces into a quoted answer, or a refusal with related replies."""
        best = pick(q, scored)
        reason = refusal_reason(q, best, replies, self.config)
        if reason:
            log.info("refusing a question of %d characters: %s", len(question), reason)
            related = list(dict.fromkeys(h.chunk.reply_id for h in hits))[:3]
            return Answer(question, refusal_text(q, [replies[r] for r in related]), (), True,
                          related=tuple(related), note=reason)
        chosen = [best]
        other = conflicting(q, best, scored, self.config)
        if other is not None:
            chosen.append(other)
        lines, citations = [], []
        for s in chosen:
            reply = replies[s.piece.reply_id]
            piece = extend_list(s.piece, reply) if "quantity" not in q.kinds else s.piece
            more = []
            extra = supporting(best, piece, scored, self.config) if s is best and other is None else None
            if extra is not None:
                joined = _joined(piece, extra, reply)
                if joined is not None:
                    piece = joined
                else:
                    more.append(extra)
            s = replace(s, piece=piece)
            n = len(citations) + 1
            numbered = tuple((n + i + 1, p) for i, p in enumerate(more))
            lines.append(cite_line(q, s, n, reply, numbered))
            for m, p in ((n, piece), *numbered):
                citations.append(Citation(m, p.chunk, p.text, p.start, p.end))
        cited = {c.chunk.reply_id for c in citations}
        related = [r for r in dict.fromkeys(h.chunk.reply_id for h in hits) if r not in cited][:3]
        return Answer(question, "\n".join(lines), tuple(citations), False, related=tuple(related))


_ANSWERERS: dict[int, Answerer] = {}


def ask(index, question: str, filters: dict | None = None) -> Answer:
    """Answer a question over an index (the answerer for the index is built once and kept)."""
    answerer = _ANSWERERS.get(id(index))
    if answerer is None or answerer.index is not index:
        answerer = _ANSWERERS[id(index)] = Answerer(index)
    return answerer.ask(question, filters)


# -- JSON ------------------------------------------------------------------------------------------------
def _reply_date(reply: Reply) -> str:
    return reply.meta.signed or reply.meta.published


def citation_json(index, c: Citation) -> dict:
    """The stable JSON shape of one citation."""
    reply = index.reply(c.chunk.reply_id)
    meta = reply.meta
    return {"n": c.n, "reply_id": reply.reply_id, "title": reply.title, "doc_number": meta.doc_number,
            "office": meta.office, "date": _reply_date(reply), "section": list(c.chunk.section),
            "quote": c.quote, "start": c.start, "end": c.end, "source": reply.source,
            "quote_simplified": to_simplified(strip_pinyin(c.quote))}


def answer_json(index, answer: Answer) -> dict:
    """The stable JSON of ``replyqa ask --json``, read by the web app and the evaluation."""
    related = [index.reply(r) for r in answer.related]
    out = {"question": answer.question, "answer": answer.text, "refused": answer.refused,
           "citations": [citation_json(index, c) for c in answer.citations],
           "related": [{"reply_id": r.reply_id, "title": r.title, "doc_number": r.meta.doc_number,
                        "date": _reply_date(r), "source": r.source} for r in related if r is not None],
           "timings": dict(answer.timings)}
    if answer.note:
        out["note"] = answer.note
    return out
