"""The precedent check: for a new proposal, the past replies that answered it before, with a calibrated
similarity, a repeat flag and a suggested lead unit.

The proposal is read by :mod:`replyqa.proposal`. Its title, its asks and every window of its text are
embedded (so a long proposal is read to its end) and searched in the vector store; its title and asks are
searched in BM25 too. Each reply found gets a few features (:class:`Features`): how close its best
passage is to any part of the proposal, how well it covers all the windows, its title match, its BM25
score, and whether it is about the same places (grounded in the archive's gazetteer, as a question's
are in :mod:`replyqa.grounding`). A multinomial logistic regression fitted by ``eval/fit_precedent.py`` on
proposals written for that purpose (``eval/precedent_fit.jsonl``, never the reported set) gives each pair
the probability of three grades: the same ask for the same place (a repeat), the same ask for another
place, another ask. The similarity, 0-100, is the expected grade (100, 50, 0), so a reworded repeat scores
near 100 and the same ask for another place near 50. ``repeat_of`` is the best-ranked reply about the same
places whose P(repeat) reaches the fitted threshold; the same ask for another place is a precedent, not a
repeat.
"""
from __future__ import annotations

import json
import math
from dataclasses import dataclass, fields
from functools import lru_cache
from pathlib import Path

from .bm25 import tokenize
from .grounding import Grounding, ground
from .normalise import to_simplified
from .proposal import Proposal, analyse_proposal
from .records import Chunk
from .reply_facts import OFFICE_KINDS, office_kinds
from .template import CLOSING, CONTACT, SALUTATION, SIGNATURE

CALIBRATION = Path(__file__).resolve().parent / "data" / "precedent" / "calibration.json"
K_DENSE = 40  # hand-set: chunks fetched per embedded piece; 10 replies wanted, a reply has ~8 chunks
K_BM25 = 60  # hand-set: as many BM25 chunks, so a reply found only by its words still gets a score
K_SIMILAR = 10  # replies listed by default
# hand-set: replies given features per check (the sample archive has 16, so its fit and figures see them all);
# at 10k chunks a check finds ~90 replies, and a place check and passages for each cost ~0.3 s
SHORTLIST, SHORTLIST_BM25 = 30, 10
PASSAGES = 2  # hand-set: matching passages shown per reply (its best two)
LEAD_TOP = 5  # hand-set: the closest precedents whose offices vote for the lead unit
LEAD_MIN = 25.0  # hand-set: half the "same ask elsewhere" grade; a reply below it answered another ask
MIN_MARK = 2  # a shared word of fewer characters is not highlighted (的, 县 …)
# parts of a reply shown as a matching passage only when nothing else of it matched: they say nothing of the ask
UNSHOWN_PARTS = (SALUTATION, CLOSING, SIGNATURE, CONTACT)


@dataclass(frozen=True)
class Features:
    """What the calibration reads of one (proposal, reply) pair; names match calibration.json's ``features``."""

    dense_best: float  # the highest cosine of any embedded piece of the proposal with any chunk of the reply
    dense_gap: float  # dense_best minus the best reply's dense_best (0 for the best, negative below it)
    cover_gap: float  # the mean over windows of each one's best cosine with the reply, minus the best reply's
    title_gap: float  # the title's best cosine with the reply, minus the best reply's
    bm25: float  # the reply's best BM25 score for the title and asks, over the best reply's (0-1)
    place_agree: float  # 1 when the reply carries or mentions every place the proposal is about (or neither names one)
    place_conflict: float  # 1 when the proposal names a place the reply neither carries nor mentions

    def vector(self, names: tuple[str, ...]) -> list[float]:
        return [float(getattr(self, n)) for n in names]


FEATURES = tuple(f.name for f in fields(Features))


# What each grade of the calibration is worth in the similarity: another ask (0), the same ask for another
# place (50), the same ask for the same place (100). Hand-set: the halfway grade is a convention, the
# probabilities of the grades are what is fitted.
GRADES = ("other", "elsewhere", "repeat")
GAINS = (0.0, 0.5, 1.0)


@dataclass(frozen=True)
class Calibration:
    """A fitted multinomial logistic regression over standardised features (one row of ``coef`` and one
    ``intercept`` per grade of :data:`GRADES`), and the repeat threshold on P(repeat), in per cent."""

    features: tuple[str, ...]
    mean: tuple[float, ...]
    scale: tuple[float, ...]
    coef: tuple[tuple[float, ...], ...]
    intercept: tuple[float, ...]
    repeat_threshold: float
    fitted_on: str = ""

    def probabilities(self, f: Features) -> tuple[float, ...]:
        """P(other ask), P(same ask elsewhere), P(repeat) for one pair."""
        x = [(v - m) / s for v, m, s in zip(f.vector(self.features), self.mean, self.scale)]
        z = [b + sum(c * v for c, v in zip(row, x)) for row, b in zip(self.coef, self.intercept)]
        top = max(z)
        e = [math.exp(v - top) for v in z]
        return tuple(v / sum(e) for v in e)

    def similarity(self, f: Features) -> float:
        """0-100: the expected grade, 100 for the same ask and place, 50 for the same ask elsewhere, 0 for another."""
        return 100.0 * sum(p * g for p, g in zip(self.probabilities(f), GAINS))

    def repeat(self, f: Features) -> float:
        """P(repeat), in per cent."""
        return 100.0 * self.probabilities(f)[-1]


@lru_cache(maxsize=4)
def load_calibration(path: str | Path = CALIBRATION) -> Calibration:
    data = json.loads(Path(path).read_text(encoding="utf-8"))
    return Calibration(tuple(data["features"]), tuple(data["mean"]), tuple(data["scale"]),
                       tuple(tuple(row) for row in data["coef"]), tuple(data["intercept"]),
                       float(data["repeat_threshold"]), data.get("fitted_on", ""))


@dataclass(frozen=True)
class Passage:
    """A chunk of a past reply that matches the proposal; ``marks`` are the shared words, as reply offsets."""

    chunk: Chunk
    score: float  # its best cosine with a piece of the proposal
    window: tuple[int, int]  # the piece of the proposal it matched best (offsets into the proposal)
    marks: tuple[tuple[int, int], ...]


@dataclass(frozen=True)
class Candidate:
    """One reply found for a proposal, before calibration."""

    reply_id: str
    features: Features
    passages: tuple[Passage, ...]


@dataclass(frozen=True)
class Precedent:
    reply_id: str
    similarity: float  # 0-100
    repeat: float  # P(repeat), 0-100
    features: Features
    passages: tuple[Passage, ...]


@dataclass(frozen=True)
class LeadSuggestion:
    """The kind of office that answered the closest precedents, and those precedents."""

    kind: str  # an OFFICE_KINDS key
    unit: str  # the office as the best of them names it, without its place ("交通运输局")
    evidence: tuple[tuple[str, str, float], ...]  # (reply id, its office or lead unit, similarity)


@dataclass(frozen=True)
class PrecedentResult:
    proposal: Proposal
    similar: tuple[Precedent, ...]
    repeat_of: str | None
    lead: LeadSuggestion | None


class PrecedentChecker:
    """Finds the precedents of new proposals in one index; the model and stores are the index's."""

    def __init__(self, index, calibration: Calibration | None = None):
        self.index = index
        self.calibration = calibration or load_calibration()

    def analyse(self, text: str) -> Proposal:
        return analyse_proposal(text, names=self.index.gazetteer)

    def check(self, proposal: Proposal | str, k: int = K_SIMILAR) -> PrecedentResult:
        """The ``k`` most similar replies, best first, with the repeat flag and the suggested lead unit."""
        if isinstance(proposal, str):
            proposal = self.analyse(proposal)
        cal = self.calibration
        ranked = sorted((Precedent(c.reply_id, cal.similarity(c.features), cal.repeat(c.features), c.features,
                                   c.passages)
                         for c in self.candidates(proposal)),
                        key=lambda p: (-p.similarity, -p.features.dense_best, p.reply_id))[:k]
        repeat = next((p.reply_id for p in ranked
                       if p.features.place_agree and p.repeat >= cal.repeat_threshold), None)
        return PrecedentResult(proposal, tuple(ranked), repeat, suggest_lead(self.index, ranked))

    def candidates(self, proposal: Proposal) -> list[Candidate]:
        """Every reply the proposal's pieces find, with its features (what the calibration is fitted on)."""
        index = self.index
        if len(index) == 0:
            return []
        pieces = list(dict.fromkeys([proposal.title, proposal.ask_text, *proposal.window_texts()]))
        vectors = index.embedder.embed_queries(pieces)
        table = index.sparse.table
        best: dict[str, dict[int, float]] = {}  # reply -> piece -> best cosine
        chunk_best: dict[str, tuple[float, int]] = {}  # chunk -> (best cosine, piece)
        floors = []
        for i, vec in enumerate(vectors):
            found = index.vectors.query(vec, min(K_DENSE, len(index)))
            floors.append(found[-1][1] if found else 0.0)
            for cid, cos in found:
                where = table.get(cid)
                if where is None:
                    continue
                per = best.setdefault(where[0], {})
                per[i] = max(per.get(i, -1.0), cos)
                if cos > chunk_best.get(cid, (-2.0, 0))[0]:
                    chunk_best[cid] = (cos, i)
        bm25 = self._bm25(proposal)
        for rid in bm25:
            best.setdefault(rid, {})
        if not best:
            return []
        title_i = 0
        window_is = [pieces.index(w) for w in proposal.window_texts()]
        raw = {rid: _raw(per, floors, title_i, window_is) for rid, per in best.items()}
        top = {n: max(r[n] for r in raw.values()) for n in ("best", "cover", "title")}
        top_bm25 = max(bm25.values(), default=0.0)
        grounding = ground(proposal.places, index.gazetteer)
        pieces_at = [_piece_span(proposal, p) for p in pieces]
        words = proposal_words(proposal.text)
        out = []
        for rid in _shortlist(raw, bm25):
            r = raw[rid]
            agree, conflict = self._places(grounding, rid)
            f = Features(dense_best=r["best"], dense_gap=r["best"] - top["best"], cover_gap=r["cover"] - top["cover"],
                         title_gap=r["title"] - top["title"], bm25=bm25.get(rid, 0.0) / top_bm25 if top_bm25 else 0.0,
                         place_agree=agree, place_conflict=conflict)
            out.append(Candidate(rid, f, self._passages(rid, chunk_best, pieces_at, words)))
        return out

    def _bm25(self, proposal: Proposal) -> dict[str, float]:
        """Each reply's best BM25 score for the proposal's title and asks."""
        table = self.index.sparse.table
        out: dict[str, float] = {}
        for cid, score in self.index.sparse.bm25.search(proposal.ask_text, K_BM25):
            where = table.get(cid)
            if where is not None:
                out[where[0]] = max(out.get(where[0], 0.0), score)
        return out

    def _places(self, grounding: Grounding, reply_id: str) -> tuple[float, float]:
        """(agree, conflict) of a reply with the places the proposal is about."""
        if not grounding.entities:  # the proposal names no place: the same place only if the reply names none either
            names = self.index.gazetteer
            return (0.0 if names.states(reply_id, "place") else 1.0), 0.0
        reply = self.index.reply(reply_id)
        if reply is None:
            return 0.0, 0.0
        agree = len(grounding.matched(reply)) == len(grounding.entities)
        return (1.0, 0.0) if agree else (0.0, 1.0)

    def _passages(self, reply_id: str, chunk_best: dict[str, tuple[float, int]], pieces_at: list[tuple[int, int]],
                  words: frozenset[str]) -> tuple[Passage, ...]:
        table = self.index.sparse.table
        mine = []
        for cid, (cos, i) in chunk_best.items():
            where = table.get(cid)
            if where is not None and where[0] == reply_id:
                telling = not (where[1] and where[1][0] in UNSHOWN_PARTS)
                mine.append((telling, cos, i, cid))
        mine = sorted(mine, reverse=True)[:PASSAGES]
        out = []
        for _, cos, i, cid in mine:
            chunk = self.index.chunk(cid)
            if chunk is not None:
                out.append(Passage(chunk, round(cos, 4), pieces_at[i], shared_words(chunk, words)))
        return tuple(out)


def _shortlist(raw: dict[str, dict[str, float]], bm25: dict[str, float]) -> list[str]:
    """The replies worth features: the best SHORTLIST by dense similarity and SHORTLIST_BM25 by BM25 (the rest
    would score near 0 and cost a place check and passages each)."""
    dense = sorted(raw, key=lambda rid: (-raw[rid]["best"], rid))[:SHORTLIST]
    sparse = sorted(bm25, key=lambda rid: (-bm25[rid], rid))[:SHORTLIST_BM25]
    return list(dict.fromkeys(dense + sparse))


def _raw(per: dict[int, float], floors: list[float], title_i: int, window_is: list[int]) -> dict[str, float]:
    """A reply's best, window-covering and title cosines; a piece that did not find the reply counts its floor
    (the lowest cosine it fetched: the reply's own is at most that)."""
    def cos(i: int) -> float:
        return per.get(i, floors[i])

    return {"best": max(cos(i) for i in range(len(floors))),
            "cover": sum(cos(i) for i in window_is) / max(1, len(window_is)),
            "title": cos(title_i)}


def _piece_span(proposal: Proposal, piece: str) -> tuple[int, int]:
    """Where an embedded piece lies in the proposal; the joined asks point at the first ask."""
    at = proposal.text.find(piece)
    if at >= 0:
        return at, at + len(piece)
    return proposal.asks[0] if proposal.asks else (0, 0)


def proposal_words(text: str) -> frozenset[str]:
    """The proposal's search words of at least MIN_MARK characters (Simplified, as BM25 has them)."""
    return frozenset(t for t in tokenize(text) if len(t) >= MIN_MARK)


def shared_words(chunk: Chunk, words: frozenset[str]) -> tuple[tuple[int, int], ...]:
    """Where the chunk states the proposal's words, as merged (start, end) offsets into its reply's text."""
    simple = to_simplified(chunk.text).lower()
    spans = []
    for w in words:
        at = simple.find(w)
        while at >= 0:
            spans.append((at, at + len(w)))
            at = simple.find(w, at + 1)
    merged: list[list[int]] = []
    for a, b in sorted(spans):
        if merged and a <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], b)
        else:
            merged.append([a, b])
    return tuple((chunk.start + a, chunk.start + b) for a, b in merged)


def suggest_lead(index, ranked: list[Precedent]) -> LeadSuggestion | None:
    """The office kind whose replies among the closest precedents sum the highest similarity."""
    votes: dict[str, float] = {}
    evidence: dict[str, list[tuple[str, str, float]]] = {}
    for p in ranked[:LEAD_TOP]:
        if p.similarity < LEAD_MIN:
            continue
        meta = index.reply_meta(p.reply_id)
        unit = (meta.lead_unit or meta.office) if meta is not None else ""
        for kind in office_kinds(unit)[:1]:  # an office's first kind is its main one (教育体育局: education)
            votes[kind] = votes.get(kind, 0.0) + p.similarity
            evidence.setdefault(kind, []).append((p.reply_id, unit, round(p.similarity, 1)))
    if not votes:
        return None
    kind = max(votes, key=lambda k: (votes[k], -list(OFFICE_KINDS).index(k)))
    return LeadSuggestion(kind, bare_unit(evidence[kind][0][1]), tuple(evidence[kind]))


def bare_unit(office: str) -> str:
    """An office's name without the place it belongs to ("镇康县交通运输局" → "交通运输局")."""
    from .entities import extract

    simple = to_simplified(office)
    places = [e for e in extract(office, simple) if e.kind == "place"]
    cut = max((simple.find(e.value) + len(e.value) for e in places if simple.startswith(e.value)), default=0)
    rest = simple[cut:]
    for prefix in ("县", "市", "区", "州", "省"):
        if rest.startswith(prefix) and len(rest) > 3:
            rest = rest[1:]
            break
    return rest or simple
