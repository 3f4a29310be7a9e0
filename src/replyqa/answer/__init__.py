"""Extractive answering: quote the clause of a retrieved reply that answers the question.

Retrieved chunks are cut into sentences (long ones into clauses: ``pieces.py``). Each piece is
scored by the dense similarity of question and piece, by lexical overlap on
normalised text, and by cues from the question type (a number with a unit for
"多少", a date for "什么时候", ...: ``score.py``). A question asking for a kind of value (a
company, a date, a count, an amount…) is answered only by a piece that states one (``value.py``);
English answers quote the evidence, not a title or addressee line (``english.py``). The best
piece is quoted verbatim, with its exact offsets in the reply's original text (``compose.py``). When nothing answers, the
answer is a refusal in the question's language, with related replies. The ``Answerer``
here runs those stages; questions about a reply itself go to ``..fields``.
"""
from __future__ import annotations

import logging
import re
from dataclasses import replace
from datetime import date
from typing import Callable

from ..counting import count_answer, is_count_question
from ..fields import HANDLING_FIELDS, asked_field, field_answer, topic_words
from ..filters import Filters
from ..language import strip_glosses
from ..normalise import match_key, to_simplified
from ..entities import Entity
from ..errors import ModelError
from ..grounding import Grounding
from ..ledger import is_ledger_question, ledger_answer, promises_of
from ..question import Question, analyse, as_question, read_names
from ..records import Answer, Citation, Hit, Reply
from ..retrieve import HybridRetriever
from ..timing import as_json, recording, rounded, stage
from ..translate import synonyms
from .compose import (FRAMES, answer_span, cite_line, conflicting, dates, english_figure, figures, frame_head,
                      joined, lead_values, refusal_text, supporting, verdict)
from .pieces import Piece, extend_list, header_hits, pieces_of, split_pieces
from .premise import presupposed, unmet_premise
from .english import quotable
from .value import gate
from .score import (AnswerConfig, DenseCache, Scored, coverage, pick, refusal_reason, reply_head_key, score_pieces,
                    sounds_in, term_found)
from .verdict import deciding, restates_only

__all__ = ["AnswerConfig", "Answerer", "DenseCache", "Piece", "Scored", "answer_json", "answer_span",
           "citation_json", "cite_line", "coverage", "dates", "english_figure", "extend_list", "figures", "header_hits",
           "lead_values", "pick", "pieces_of", "refusal_reason", "refusal_text", "frame_head", "score_pieces",
           "split_pieces", "supporting", "term_found", "verdict"]

log = logging.getLogger(__name__)

READ_PASSAGES = 4  # the bound for the reader: the top four passages, read in one batch
RELATED_REPLIES = 3  # hand-set: replies listed besides the cited ones; more is a search, not an answer
ABOUT_CANDIDATES = 3  # hand-set: a question about "the reply" means one of the top three retrieved
RESTATED_SLACK = 6  # hand-set: a quoted line this much longer than the value ("类别:C") needs no lead
# Kinds whose answer may sit in a reply's header (number line, addressee), which topic retrieval ranks low.
HEADER_KINDS = frozenset({"doc_number", "who", "what"})


def loggable(reason: str, q: Question) -> str:
    """A refusal reason fit for the log: the question's own words in it (a name, a phone number, the
    topic) are masked, since questions may hold personal data and never reach the log."""
    asked = (q.text, to_simplified(q.text), q.text.lower())
    return re.sub(r"[^\s/,;:()（），、]{2,}", lambda m: "…" if any(m.group() in a for a in asked) else m.group(), reason)


# -- the answerer ----------------------------------------------------------------------------------------
class Answerer:
    """Extractive answering over one index; heavy objects are built once and reused."""

    def __init__(self, index, config: AnswerConfig | None = None, retriever: HybridRetriever | None = None,
                 today: Callable[[], str] | None = None):
        self.index = index
        self.config = config or AnswerConfig()
        self.retriever = retriever or HybridRetriever(index)
        self.cache = DenseCache(index.embedder)
        self.today = today or (lambda: date.today().isoformat())  # the day promises fall due against
        self.reader = reader_of(index.settings)

    def warm_up(self) -> None:
        """Load now what the first questions would otherwise wait for: the model and the stores, the English–Chinese
        dictionary and its senses (about 2 s), jieba's part-of-speech tags and the pinyin tables (about 0.5 s: the
        typed-slip check and English place names read them)."""
        self.ask("答复")
        self.ask("How many credits does the reply require?")
        synonyms("老师")
        analyse("每座造价是多少？")
        sounds_in("投资", "投姿")

    def retrieve(self, question: Question | str, filters: Filters | None = None,
                 prefer: tuple[str, ...] = (), grounding: Grounding | None = None) -> list[Hit]:
        """Hybrid hits; chunks of the preferred replies (a conversation's) move to the front."""
        hits = self.retriever.search(question, k=self.config.k, mode="hybrid", filters=filters, grounding=grounding)
        if prefer:
            hits = sorted(hits, key=lambda h: h.chunk.reply_id not in prefer)
        return hits

    def passages(self, question: Question | str, filters: Filters | None = None) -> list[Hit]:
        """The retrieved passages an answer may rest on: those of replies agreeing with the question's entities."""
        q = read_names(as_question(question), self.index.gazetteer)
        grounding = self.retriever.grounding(q)
        hits = self.retrieve(q, filters, grounding=grounding)
        if grounding:
            hits, _ = self.agreeing(grounding, hits, {h.chunk.reply_id: self.index.reply(h.chunk.reply_id) for h in hits})
        return hits

    def ask(self, question: Question | str, filters: Filters | None = None, *, prefer: tuple[str, ...] = (),
            context: tuple[Hit, ...] = ()) -> Answer:
        """Answer one question (a string is analysed here; empty or overlong input raises QueryError).

        A conversation passes the question merged with the previous topic (its ``context`` terms
        and retrieval ``query``), ``prefer`` (replies under discussion) and ``context`` (the
        chunks cited last turn, always considered).
        """
        with recording() as times:
            answer = self._ask(question, filters, prefer, context)
        return replace(answer, timings=rounded(times))

    def _ask(self, question: Question | str, filters: Filters | None, prefer: tuple[str, ...],
             context: tuple[Hit, ...]) -> Answer:
        with stage("analyse"):
            q = read_names(as_question(question), self.index.gazetteer)
        with stage("compose"):
            archive = self.about_archive(q)
        if archive is not None:
            return archive
        with stage("ground"):
            grounding = self.retriever.grounding(q)
        hits = list(context) + self.retrieve(q, filters, prefer, grounding)
        replies = {h.chunk.reply_id: self.index.reply(h.chunk.reply_id) for h in hits}
        lacking = None
        if grounding:
            all_hits = hits
            with stage("ground"):
                hits, lacking = self.agreeing(grounding, hits, replies)
            if not hits:
                with stage("compose"):
                    return self.lacks(q, lacking, all_hits, replies)
        with stage("compose"):
            answer = self.about_reply(q, hits, replies)
        # The reader was fitted on Chinese questions only: English ones go to the hand-weighted scorer.
        if answer is None and self.reader is not None and hits and q.language != "en":
            with stage("read"):
                answer = self.read(q, hits, replies)
        if answer is None:
            with stage("score"):
                qvec = self.cache.question(q.search_text)  # in Simplified script, as the pieces are embedded
                extra = header_hits(hits, self.index) if set(q.kinds) & HEADER_KINDS else []
                scored = score_pieces(q, pieces_of(hits + extra, replies), replies, qvec, self.cache, self.config)
            with stage("compose"):
                answer = self.compose(q, scored, hits, replies)
        if answer.refused and lacking is not None:
            # The reply the question is nearest to was ruled out by an entity: that is what the archive lacks.
            with stage("compose"):
                named = self.lacks(q, lacking, all_hits, replies)
            answer = replace(named, note="; ".join(n for n in (named.note, answer.note) if n))
        return answer

    def about_archive(self, q: Question) -> Answer | None:
        """A question about the archive as a whole, answered from every reply's own facts rather than a
        passage: a count of replies (``counting.py``) or what they promised (``ledger.py``); None otherwise."""
        if is_ledger_question(q):  # "which replies promised …" asks for promises, not for a list of replies
            return ledger_answer(self.index, q, self.today())
        if is_count_question(q):
            return count_answer(self.index, q)
        return None

    def agreeing(self, grounding: Grounding, hits: list[Hit], replies: dict[str, Reply]) -> tuple[list[Hit], Entity | None]:
        """The hits of replies that agree with every identifying entity the question names, and the entity
        that rules out the nearest reply (the first retrieved), if one does.

        A town, village or number the nearest reply lacks, or a county no candidate states, means the
        archive holds no reply to the question; the first such entity names it in a refusal.
        """
        nearest = list(dict.fromkeys(h.chunk.reply_id for h in hits))
        agree = {rid for rid in nearest if grounding.agrees(replies[rid], nearest=rid == nearest[0])}
        kept = [h for h in hits if h.chunk.reply_id in agree]
        lacking = grounding.conflicts(replies[nearest[0]], nearest=True) if nearest else grounding.entities
        if not lacking:
            return kept, None
        # Name first an entity no reply of the archive carries at all: that one settles it.
        return kept, sorted(lacking, key=lambda e: bool(grounding.carriers[grounding.entities.index(e)]))[0]

    def lacks(self, q: Question, missing: Entity, hits: list[Hit], replies: dict[str, Reply]) -> Answer:
        """The refusal that names the entity the archive has no reply for, with the nearest replies."""
        nearest = list(dict.fromkeys(h.chunk.reply_id for h in hits))[:RELATED_REPLIES]
        log.info("refusing: the question names a %s no candidate reply carries or mentions", missing.kind)
        return Answer(q.text, refusal_text(q, [replies[r] for r in nearest], missing), (), True, related=tuple(nearest),
                      note=f"no candidate reply carries or mentions the {missing.kind} the question names")

    def about_reply(self, q: Question, hits: list[Hit], replies: dict[str, Reply]) -> Answer | None:
        """A question about the top reply itself (its proposer, class, date, contact...), answered
        from the line that states it; None when the question is not of that kind or the reply is not
        clearly the one meant. A handling field (signer, handler, lead unit…) that the reply meant
        does not state, or asked of no clear reply, is a refusal: the passages retrieval finds for
        such a question are title lines, not answers."""
        field, detail = asked_field(q)
        if not field or not hits:
            return None
        # The reply meant is the retrieved one whose text holds most of the question's other words.
        words = topic_words(field)
        topic = replace(q, terms=tuple(t for t in q.terms if t not in words))
        ranked = list(dict.fromkeys(h.chunk.reply_id for h in hits))[:ABOUT_CANDIDATES]
        covered = {rid: coverage(topic, match_key(replies[rid].text) + reply_head_key(replies[rid])) for rid in ranked}
        rid = max(ranked, key=lambda r: (covered[r], -ranked.index(r)))
        floor = self.config.about_coverage_en if q.language == "en" else self.config.about_coverage_zh
        reply = replies[rid]
        found = field_answer(reply, field, detail) if covered[rid] >= floor else None
        if found is None:
            return self.unstated(q, hits, replies) if field in HANDLING_FIELDS else None
        chunk = next((c for c in self.index.chunks_of(reply.reply_id) if c.start <= found.start < c.end), hits[0].chunk)
        piece = Piece(reply.reply_id, chunk, found.start, found.end, reply.text[found.start:found.end], 0)
        frame, _, lead_fmt, _ = FRAMES[q.language]
        # A line that is little more than the value states it already; else the value leads.
        restated = found.value in piece.text and len(piece.text) <= len(found.value) + RESTATED_SLACK
        lead = "" if restated else lead_fmt.format(found.value)
        text = frame.format(**frame_head(q.language, reply), lead=lead, quote=piece.text, n=1)
        related = [r for r in dict.fromkeys(h.chunk.reply_id for h in hits) if r != reply.reply_id][:RELATED_REPLIES]
        at = to_simplified(piece.text).find(to_simplified(found.value)) if found.value else -1
        span = (piece.start + at, piece.start + at + len(found.value)) if at >= 0 else None
        return Answer(q.text, text, (Citation(1, chunk, piece.text, piece.start, piece.end, span),), False,
                      related=tuple(related))

    def unstated(self, q: Question, hits: list[Hit], replies: dict[str, Reply]) -> Answer:
        """The refusal for a handling field the reply meant does not state, with related replies."""
        related = list(dict.fromkeys(h.chunk.reply_id for h in hits))[:RELATED_REPLIES]
        return Answer(q.text, refusal_text(q, [replies[r] for r in related]), (), True, related=tuple(related),
                      note="the reply does not state the field asked for")

    def read(self, q: Question, hits: list[Hit], replies: dict[str, Reply]) -> Answer:
        """The fitted reader's answer: the best span of the top passages, quoted in its sentence (or clause),
        or a refusal when its calibrated probability that any passage answers is too low."""
        top = list({h.chunk.chunk_id: h for h in hits}.values())[:READ_PASSAGES]
        readings = self.reader.read(q.text, [h.chunk.text for h in top])
        best = max(readings, key=lambda r: r.margin)
        p = self.reader.calibration.probability(best.margin)
        related = list(dict.fromkeys(h.chunk.reply_id for h in hits))
        if p < self.reader.calibration.refuse_below:
            log.info("refusing a question of %d characters: the reader finds no answer (p=%.2f)", len(q.text), p)
            return Answer(q.text, refusal_text(q, [replies[r] for r in related[:RELATED_REPLIES]]), (), True,
                          related=tuple(related[:RELATED_REPLIES]), note=f"the reader finds no answer (p={p:.2f})")
        hit = top[best.passage]
        reply = replies[hit.chunk.reply_id]
        span = (hit.chunk.start + best.start, hit.chunk.start + best.end)
        piece = quoting(span, pieces_of([hit], replies), reply, hit)
        value = reply.text[span[0]:span[1]]
        line = cite_line(q, Scored(piece, p, 0.0, 0.0, 0.0, 0.0), 1, reply, lead=value)
        cited = Citation(1, hit.chunk, piece.text, piece.start, piece.end, span)
        return Answer(q.text, line, (cited,), False,
                      related=tuple(r for r in related if r != reply.reply_id)[:RELATED_REPLIES],
                      note=f"read (p={p:.2f})")

    def compose(self, q: Question, scored: list[Scored], hits: list[Hit], replies: dict[str, Reply]) -> Answer:
        """Turn the scored pieces into a quoted answer, or a refusal with related replies."""
        scored = quotable(q, scored, replies)  # English: the evidence sentence, not a title or addressee line
        best = pick(q, scored, self.config)
        # The asked kind of value (a company, a date, a count…) must be in the quote: else a close runner-up, or refuse.
        best, missing = gate(q, best, scored, self.config.unit_pick_margin)
        reason = missing or refusal_reason(q, best, replies, self.config)
        if not reason and presupposed(q):  # "交付后已有多少人入住" of a reply that only plans the handover
            rid = best.piece.reply_id
            reason = unmet_premise(q, replies[rid], promises_of(self.index, [rid])[rid])
        if reason:
            log.info("refusing a question of %d characters: %s", len(q.text), loggable(reason, q))
            related = list(dict.fromkeys(h.chunk.reply_id for h in hits))[:RELATED_REPLIES]
            return Answer(q.text, refusal_text(q, [replies[r] for r in related]), (), True,
                          related=tuple(related), note=reason)
        best = deciding(q, best, scored)  # a yes/no is quoted from the sentence that decides it
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
            if extra is not None and restates_only(q, extra.text):
                extra = None  # a restated request adds nothing to the sentence that decides the verdict
            if extra is not None:
                both = joined(piece, extra, reply)
                if both is not None:
                    piece = both
                else:
                    more.append(extra)
            s = replace(s, piece=piece)
            n = len(citations) + 1
            numbered = tuple((n + i + 1, p) for i, p in enumerate(more))
            lines.append(cite_line(q, s, n, reply, numbered))
            for m, p in ((n, piece), *numbered):
                span = _in_reply(answer_span(q, p.text), p.start)
                citations.append(Citation(m, p.chunk, p.text, p.start, p.end, span))
        cited = {c.chunk.reply_id for c in citations}
        related = [r for r in dict.fromkeys(h.chunk.reply_id for h in hits) if r not in cited][:RELATED_REPLIES]
        return Answer(q.text, "\n".join(lines), tuple(citations), False, related=tuple(related))


def quoting(span: tuple[int, int], pieces: list[Piece], reply: Reply, hit: Hit) -> Piece:
    """The quote for an answer span: the shortest piece (sentence, or clause of a long one) holding it all,
    else the shortest holding its start, else the span itself."""
    holding = [p for p in pieces if p.start <= span[0] and span[1] <= p.end] or \
        [p for p in pieces if p.start <= span[0] < p.end]
    if holding:
        return min(holding, key=lambda p: p.end - p.start)
    return Piece(reply.reply_id, hit.chunk, span[0], span[1], reply.text[span[0]:span[1]], 0)


READER_MODES = ("off", "on", "auto")


def reader_of(settings):
    """The fitted reader, when settings ask for it (``on``; ``auto``: with the default model, whose encoder it
    reads with) and its fitted weights ship; else None, and the hand-weighted scorer answers."""
    from ..settings import DEFAULT_MODEL
    from .reader import DELTA, reader_for

    mode = getattr(settings, "reader", "off")
    if mode not in READER_MODES:
        raise ModelError(f"unknown reader setting {mode!r}: give {', '.join(READER_MODES)}")
    if mode == "off" or (mode == "auto" and settings.embed_model != DEFAULT_MODEL):
        return None
    if not (DELTA / "delta.safetensors").is_file():
        if mode != "auto":
            log.warning("the reader's fitted weights are missing; answering with the hand-weighted scorer")
        return None
    return reader_for(settings.home)


def _in_reply(span: tuple[int, int] | None, start: int) -> tuple[int, int] | None:
    """A span of a quote moved to the reply's offsets (the quote starts at ``start``)."""
    return (start + span[0], start + span[1]) if span else None


# -- JSON ------------------------------------------------------------------------------------------------
def citation_json(index, c: Citation) -> dict:
    """The stable JSON shape of one citation.

    ``start``/``end`` locate ``quote`` in the reply's text; ``answer_span`` is ``[start, end]`` of the
    answer inside the quote in the same offsets (the figure or date led with, the words deciding a
    yes/no, the field value asked for), or null when the quote holds no such value.
    """
    reply = index.reply(c.chunk.reply_id)
    meta = reply.meta
    return {"n": c.n, "reply_id": reply.reply_id, "title": reply.title, "doc_number": meta.doc_number,
            "office": meta.office, "date": reply.meta.date, "section": list(c.chunk.section),
            "quote": c.quote, "start": c.start, "end": c.end, "source": reply.source,
            "quote_simplified": to_simplified(strip_glosses(c.quote)),
            "answer_span": list(c.answer_span) if c.answer_span else None}


def answer_json(index, answer: Answer) -> dict:
    """The stable JSON of ``replyqa ask --json``, read by the web app and the evaluation."""
    related = [index.reply(r) for r in answer.related]
    out = {"question": answer.question, "answer": answer.text, "refused": answer.refused,
           "citations": [citation_json(index, c) for c in answer.citations],
           "related": [{"reply_id": r.reply_id, "title": r.title, "doc_number": r.meta.doc_number,
                        "date": r.meta.date, "source": r.source} for r in related if r is not None],
           "timings": as_json(answer.timings)}
    if answer.note:
        out["note"] = answer.note
    return out
