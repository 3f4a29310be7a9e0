"""Hybrid retrieval: dense (Chroma) and BM25, fused by reciprocal rank.

BM25 votes only for chunks it actually matched; letting zero-score chunks
vote drowns the dense ranking in noise. :meth:`HybridRetriever.search` takes the
analysed :class:`~replyqa.question.Question` (a string is analysed once on entry).
"""
from __future__ import annotations

import logging
import re
from dataclasses import dataclass, replace
from functools import lru_cache

import numpy as np

from .bm25 import tokenize
from .entities import extract
from .filters import Filters
from .grounding import Grounding, ground
from .language import is_english
from .template import TEMPLATE_PARTS
from .normalise import to_simplified
from .question import MAX_QUERY_CHARS, Question, check_query, read_names
from .records import Hit, Via
from .store import Index
from .timing import stage
from .translate import chinese_terms
from .vectors import VectorsBehind

# MAX_QUERY_CHARS and check_query live with the question; the web forms read them from here too.
__all__ = ["MAX_QUERY_CHARS", "CrossEncoderReranker", "HybridRetriever", "RetrieverConfig", "asks_for_metadata",
           "check_query", "demote_template_parts", "hit_json", "rrf"]

log = logging.getLogger(__name__)

BY_REPLY_FACTOR = 6  # hand-set: chunks fetched per reply wanted, so k distinct replies survive grouping
LAGGING_DEPTH = 10  # hand-set: unfiltered results searched per result wanted while a writer runs beside a reader


@dataclass(frozen=True)
class RetrieverConfig:
    """Fusion settings, tuned on the sample questions and the benchmarks."""

    k_dense: int = 30  # candidates from Chroma before fusion (not the answerer's re-scored pieces); hand-set
    k_bm25: int = 30  # candidates from BM25 before fusion; hand-set, as many as dense so neither dominates by count
    rrf_k: int = 60  # the damping constant of reciprocal rank fusion (Cormack et al., 2009), not tuned here
    w_dense: float = 1.0
    w_bm25: float = 2.0  # tuned on 300 DRCD and 51 sample questions: hit@1 0.880 -> 0.917, 0.941 -> 0.961 (1:1 -> 1:2)
    rerank_top: int = 20  # fused hits a cross-encoder re-scores; hand-set, it costs a model call per hit
    # Header, salutation, contact ... rank below the body: a template part was top-1 for 10 of the 51
    # answerable sample questions at weight 1.0 and for 5 (all asking about the reply itself) at 0.5.
    template_weight: float = 0.5
    translate_english: bool = True  # expand English questions with CC-CEDICT terms for BM25
    # What a question's identifying entities (grounding.py) do to retrieval: "restrict" searches only the
    # replies carrying them all, "boost" fuses that search with the unrestricted one, "off" ignores them.
    entities: str = "restrict"


def rrf(rankings: dict[str, list[str]], weights: dict[str, float], k: int) -> list[tuple[str, float, Via]]:
    """Weighted reciprocal rank fusion: (id, score, via) best first."""
    scores: dict[str, float] = {}
    seen: dict[str, set[str]] = {}
    for name, ids in rankings.items():
        for rank, cid in enumerate(ids):
            scores[cid] = scores.get(cid, 0.0) + weights[name] / (k + rank + 1)
            seen.setdefault(cid, set()).add(name.split("@")[0])  # "dense@entities" is a dense vote
    ordered = sorted(scores, key=lambda c: -scores[c])
    return [(c, scores[c], "both" if len(seen[c]) > 1 else next(iter(seen[c]))) for c in ordered]


_METADATA_CUES = re.compile(
    r"文号|编号|字号|联系|电话|签发|办复|类别|公开|哪个部门|哪个单位|谁|日期|哪天|哪一天|几月|"
    # how the proposal was handled (met the proposer, consulted, assigned) is told in the opening lines
    r"面商|座谈|协商|见面|沟通|交办|征求意见|"
    r"document number|contact|phone|signed|class|office|department|who|date|when|\bmeet|\bconsult",
    re.IGNORECASE)


def asks_for_metadata(simplified: str, context: tuple[str, ...] = ()) -> bool:
    """Questions about the reply itself (number, contact, date, office) may want the header.

    ``simplified`` is the question in Simplified script. A follow-up's cue may sit in the topic
    carried over from the turn before (``context``: "那联系电话呢" after a question on the 联系人).
    """
    return bool(_METADATA_CUES.search(simplified) or _METADATA_CUES.search(" ".join(context)))


def demote_template_parts(hits: list[Hit], weight: float, keep: frozenset[str] = frozenset()) -> list[Hit]:
    """Rank body passages above header, salutation, closing and contact blocks.

    The template parts of the replies in ``keep`` stay where they are: the question identifies
    those replies by what their header states (a proposer, a number, a session).
    """
    def factor(h: Hit) -> float:
        template = h.chunk.section[:1] and h.chunk.section[0] in TEMPLATE_PARTS
        return weight if template and h.chunk.reply_id not in keep else 1.0

    scaled = [Hit(h.chunk, h.score * factor(h), h.via) for h in hits]
    return sorted(scaled, key=lambda h: -h.score)


@lru_cache(maxsize=16384)
def term_tokens(word: str) -> tuple[str, ...]:
    """BM25 tokens of a dictionary word: the same for every question that glosses to it, so cut once."""
    return tuple(tokenize(word))


class HybridRetriever:
    """Dense + BM25 retrieval over one index."""

    def __init__(self, index: Index, config: RetrieverConfig | None = None, reranker=None):
        self.index = index
        self.config = config or RetrieverConfig()
        if reranker is None and index.settings.reranker:
            reranker = CrossEncoderReranker(index.settings.reranker)
        self.reranker = reranker

    def dense(self, query: str, k: int, filters: Filters | None = None) -> list[tuple[str, float]]:
        """Top-k (chunk_id, cosine) from Chroma, filtered inside Chroma."""
        if len(self.index) == 0:
            return []
        # lead unit and result grade are resolved to reply ids in the catalog (older indexes lack them in Chroma)
        columns = self.index.sparse.columns if filters and filters.needs_catalog else None
        if filters and filters.admits_none(columns):
            return []
        with stage("embed"):
            vec = self.index.embedder.embed_queries([query])[0]
        with stage("dense"):
            return self._dense(vec, k, filters, columns)

    def _dense(self, vec, k: int, filters: Filters | None, columns) -> list[tuple[str, float]]:
        where = filters.to_chroma(columns) if filters else None
        # the chunks the filter admits, from the BM25 mask: the same verdicts as ``where``, without asking Chroma
        admitted = self._admitted(filters) if where else None
        try:
            found = self.index.vectors.query(vec, min(k, len(self.index)), where, admitted)
        except VectorsBehind:
            # A writer is storing chunks the filter admits; the unfiltered graph is consistent, so search it
            # deeper and keep what the filter admits (fewer may come back until the writer is done).
            log.info("dense search filtered after the fact: the index is being written")
            found = [(cid, score) for cid, score in self.index.vectors.query(vec, min(k * LAGGING_DEPTH, len(self.index)))
                     if self._admits(cid, filters)]
        self.index.prefetch(cid for cid, _ in found)  # each result's text is sliced next: one read, not k
        return found

    def _admitted(self, filters: Filters) -> list[str]:
        view = self.index.sparse
        return np.asarray(view.bm25.ids, dtype=object)[filters.mask(view.columns) > 0].tolist()

    def _admits(self, chunk_id: str, filters: Filters) -> bool:
        chunk = self.index.chunk(chunk_id)
        meta = self.index.reply_meta(chunk.reply_id) if chunk is not None else None
        return meta is not None and filters.matches(chunk.reply_id, meta)

    def sparse(self, query: str, k: int, filters: Filters | None = None) -> list[tuple[str, float]]:
        """Top-k (chunk_id, BM25 score) of matched chunks, filtered by a mask inside the scorer."""
        with stage("bm25"):
            view = self.index.sparse  # BM25 and the filter columns of its rows, from the same write
            mask = filters.mask(view.columns) if filters and not filters.is_empty() else None
            found = view.bm25.search(self.sparse_query(query), k, mask=mask)
            self.index.prefetch(cid for cid, _ in found)
        return found

    def sparse_query(self, query: str) -> str:
        """The BM25 query: an English question gains Chinese terms the archive uses.

        English by the rule that sets a Question's language, applied to the text searched
        (for a follow-up, its carried-over terms and the question).
        """
        if not (self.config.translate_english and is_english(query)):
            return query
        vocab = self.index.bm25.vocabulary
        terms = chinese_terms(query, known=lambda w: bool(toks := term_tokens(w)) and all(t in vocab for t in toks))
        return " ".join([query, *terms])

    def grounding(self, question: Question | str) -> Grounding:
        """The question's identifying entities and the replies of this archive that carry them."""
        gazetteer = self.index.gazetteer
        if isinstance(question, Question):
            return ground(read_names(question, gazetteer).all_entities, gazetteer)
        query = check_query(question)
        return ground(extract(query, to_simplified(query), is_english(query), gazetteer), gazetteer)

    def search(self, question: Question | str, k: int = 5, mode: str = "hybrid",
               filters: Filters | None = None, grounding: Grounding | None = None) -> list[Hit]:
        """Ranked chunks for a question; ``mode`` is hybrid, dense or bm25.

        Replies that carry the question's identifying entities (``grounding``, worked out here
        when not given) are searched alone or first, by ``RetrieverConfig.entities``.
        """
        if isinstance(question, Question):
            query, simplified, context = question.search_text, question.simplified, question.context
        else:  # a bare search (the desk, `replyqa search`) needs the checked text, not a full analysis
            query = check_query(question)
            simplified, context = to_simplified(query), ()
        cfg = self.config
        if grounding is None:
            with stage("ground"):
                grounding = self.grounding(question) if cfg.entities != "off" else ground((), None)
        narrowed = self._narrowed(filters, grounding)
        weights = {"dense": cfg.w_dense, "bm25": cfg.w_bm25}
        entity_rankings = self._rankings(query, k, mode, narrowed) if narrowed is not None else {}
        if cfg.entities == "restrict" and any(entity_rankings.values()):
            rankings = entity_rankings  # the unrestricted search is needed only when the narrowed one finds nothing
        else:
            rankings = self._rankings(query, k, mode, filters)
            if any(entity_rankings.values()):  # boost: both searches fused, a carrying reply's chunks voted twice
                rankings.update({f"{name}@entities": ids for name, ids in entity_rankings.items()})
                weights.update({f"{name}@entities": w for name, w in list(weights.items())})
        with stage("fuse"):
            fused = rrf(rankings, weights, cfg.rrf_k)
            hits = [Hit(chunk=c, score=score, via=via) for cid, score, via in fused
                    if (c := self.index.chunk(cid)) is not None]
            if cfg.template_weight != 1.0 and not asks_for_metadata(simplified, context):
                keep = frozenset(r for r in {h.chunk.reply_id for h in hits} if grounding.identifies_by_header(r))
                hits = demote_template_parts(hits, cfg.template_weight, keep)
        if self.reranker is not None:
            hits = self.reranker.rerank(query, hits[: max(k, cfg.rerank_top)])
        return hits[:k]

    def _rankings(self, query: str, k: int, mode: str, filters: Filters | None) -> dict[str, list[str]]:
        cfg = self.config
        rankings = {}
        if mode in ("hybrid", "dense"):
            rankings["dense"] = [c for c, _ in self.dense(query, max(k, cfg.k_dense), filters)]
        if mode in ("hybrid", "bm25"):
            rankings["bm25"] = [c for c, _ in self.sparse(query, max(k, cfg.k_bm25), filters)]
        return rankings

    def _narrowed(self, filters: Filters | None, grounding: Grounding) -> Filters | None:
        """The filters limited to the replies carrying the question's entities; None when nothing narrows."""
        if self.config.entities == "off" or not grounding.replies:
            return None
        ids = grounding.replies
        if filters is not None and filters.reply_ids is not None:
            ids = ids & set(filters.reply_ids)
        if not ids:
            return None
        return replace(filters or Filters(), reply_ids=tuple(sorted(ids)))

    def by_reply(self, question: Question | str, k: int = 10, filters: Filters | None = None,
                 grounding: Grounding | None = None) -> list[Hit]:
        """Precedent mode: the best passage of each of the top-k replies."""
        best: dict[str, Hit] = {}
        for hit in self.search(question, k=k * BY_REPLY_FACTOR, filters=filters, grounding=grounding):
            best.setdefault(hit.chunk.reply_id, hit)
        return list(best.values())[:k]


class CrossEncoderReranker:
    """Optional reranking with a sentence-transformers CrossEncoder the user provides."""

    def __init__(self, model: str):
        from sentence_transformers import CrossEncoder

        self.model = CrossEncoder(model, device="cpu")

    def rerank(self, query: str, hits: list[Hit]) -> list[Hit]:
        if not hits:
            return hits
        scores = self.model.predict([(query, h.chunk.text) for h in hits])
        order = sorted(range(len(hits)), key=lambda i: -float(scores[i]))
        return [Hit(chunk=hits[i].chunk, score=float(scores[i]), via=hits[i].via) for i in order]


def hit_json(index, hit, grounding: Grounding | None = None) -> dict:
    """The stable JSON shape of one search result; ``entities`` lists what of the question (``grounding``)
    the hit's reply carries or mentions."""
    reply = index.reply(hit.chunk.reply_id)
    meta = reply.meta
    matched = grounding.matched(reply) if grounding else ()
    return {"reply_id": reply.reply_id, "title": reply.title, "section": list(hit.chunk.section),
            "text": hit.chunk.text, "start": hit.chunk.start, "end": hit.chunk.end,
            "score": round(hit.score, 6), "via": hit.via, "source": reply.source,
            "doc_number": meta.doc_number, "office": meta.office, "date": meta.date,
            "body": meta.body, "level": meta.level, "reply_class": meta.reply_class,
            "session": list(meta.session), "proposal_number": meta.proposal_number,
            "lead_unit": meta.lead_unit, "co_units": list(meta.co_units), "result_grade": meta.result_grade,
            "entities": [{"kind": e.kind, "text": e.text, "value": e.value} for e in matched]}
