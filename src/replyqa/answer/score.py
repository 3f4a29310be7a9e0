"""Scoring pieces against a question, choosing the best, and deciding whether it answers at all.

A piece is scored by lexical overlap on normalised text, by cues from the question type
(a number with the unit asked for, a date, an office, a yes or no) and by its similarity
to the question. Only the lexically best few are embedded, by the model's int8 copy, in Simplified
script as the question is: the script a reply or a question is written in says nothing of its meaning.
"""
from __future__ import annotations

import re
from collections import OrderedDict
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from ..fields import asked_field
from ..language import strip_glosses
from ..normalise import match_key, to_simplified
from ..question import CAUSE, DATE, DOC_NUMBER, NUMBER_UNIT, PLACE, WHO, YES_NO, Question, unit_match
from ..records import Reply
from ..template import NUM
from ..translate import gloss, synonyms
from .events import chinese_step_words
from .pieces import Piece


@dataclass(frozen=True)
class AnswerConfig:
    """Weights and thresholds of the extractive answerer.

    Unless a line says otherwise, a value was set by hand when the answerer was written and checked
    against the 54 sample questions (eval/questions.jsonl); such values have not been swept.
    """

    k: int = 8  # chunks retrieved per question: enough to hold the answering sentence, few enough to score fast
    k_rescored: int = 8  # lexically best pieces re-scored with the embedding model (the answerer's main cost)
    # The score of a piece: weights of its parts.
    w_dense: float = 12.0  # similarity of question and piece; tuned 4 -> 12 on 300 DRCD questions, CMRC held out
    w_lexical: float = 1.5  # share of the question's terms in the piece, IDF-weighted over the candidates
    w_reply: float = 0.6  # share of the question's terms in the piece's chunk and its reply's title
    w_rank: float = 0.25  # the retriever's rank of the piece's chunk, as 1/(1 + rank)
    w_cue: float = 0.7  # the piece holds the kind of fact asked for (a figure in the unit, a date, an office)
    w_echo: float = 3.0  # penalty per unit of novelty missing below ``min_novelty``: the piece restates the question
    w_meta: float = 1.0  # penalty for page chrome and boilerplate; half of it for a bare heading
    w_context: float = 0.1  # a term carried over from an earlier turn weighs a tenth: context, not the point
    w_in_title: float = 0.25  # a term the reply's title already holds picks the reply, not the sentence
    w_length: float = 0.002  # penalty per character beyond ``long_piece``: a quote should be short
    long_piece: int = 120  # characters a quote may have before it pays ``w_length``
    min_novelty: float = 0.45  # share of a piece's characters the question lacks, below which it is an echo
    short_piece: int = 8  # a piece key shorter than this is a heading or a label, not an answer
    unit_pick_margin: float = 1.0  # a piece with the asked unit wins if it scores within this of the best
    # Refusal floors, calibrated for the default model (multilingual-e5-small) on held-out DRCD and CMRC
    # questions (300 asked of their own archive, 300 of the other one) before pieces were scored in one
    # script: 3.7% of the answerable refused, 89% of the off-archive refused. Near-miss questions about a
    # reply ("每座造价是多少" where no cost is given) are refused by their focus word instead.
    # `make floors` measures them on the calibrate fold and on the fictional set's development fold
    # (eval/floors.json); they are not read from it. In one script they refuse 4.3% / 75.7% there, against
    # 5.3% / 87.7% before: part of those refusals was for a question's script, not its meaning. Pairs with a
    # higher similarity floor were tried: (0.12, 0.885), fitted there, and 0.865 and 0.87 with this coverage
    # floor refused more of the sample paraphrases (6.7%, 3.5% and 4.3% against 2.8%).
    min_coverage: float = 0.30  # share of topic terms found near the answer
    min_dense_zh: float = 0.855  # Chinese questions: similarity of question and quoted sentence ...
    sure_coverage: float = 0.8  # ... unless the passage holds nearly every word of the question
    min_dense: float = 0.70  # English questions (cross-language similarities run lower)
    conflict_margin: float = 0.35  # another reply's figure this close to the best is quoted as a conflict
    support_margin: float = 0.3  # a same-reply runner-up this close is quoted too; set with w_dense on DRCD
    # Questions about a reply itself: the share of the question's other topic words the reply must hold
    # (Chinese, English; glossed English words match less often) before its own fields answer it.
    about_coverage_zh: float = 0.5
    about_coverage_en: float = 0.15


# Topic-term weights in coverage: a Chinese term weighs its length up to this cap (hand-set: a
# four-character name says as much as a longer one), an English word a fixed two.
TERM_WEIGHT_CAP = 4
ENGLISH_TERM_WEIGHT = 2
# cue_score for a quantity question: a figure in another unit, or any figure when no unit was named.
CUE_OTHER_UNIT = 0.2  # hand-set: a number, but likely not the one asked for
CUE_ANY_FIGURE = 0.5  # hand-set: a number, and the question named no unit to check it by
EMBED_CHARS = 200  # characters of a piece embedded: hand-set, longer pieces lose their point in one vector
DENSE_CACHE_SIZE = 4096  # piece vectors kept: hand-set, a session's worth of retrieved chunks


@dataclass(frozen=True)
class Scored:
    """A piece with its score and the parts that made it up."""

    piece: Piece
    score: float
    lexical: float
    dense: float
    cue: float
    coverage: float


@lru_cache(maxsize=4096)
def term_key(term: str) -> str:
    """The matching key of a topic term (terms repeat across pieces and questions: computed once)."""
    return match_key(term)


_ENGLISH_TERM = re.compile(r"[a-z][a-z'-]*")


def is_english_term(term: str) -> bool:
    """An English topic word (matched through its CC-CEDICT glosses) rather than a Chinese term."""
    return _ENGLISH_TERM.fullmatch(term) is not None


def term_weight(term: str) -> float:
    """A topic term's weight before IDF: longer Chinese terms say more."""
    return min(len(term), TERM_WEIGHT_CAP) if not term.isascii() else ENGLISH_TERM_WEIGHT


def term_found(term: str, text_key: str) -> bool:
    """A Simplified topic term (or, for English words, one of its glosses) occurs in a matching key."""
    if is_english_term(term):
        return any(g in text_key for g in gloss(term)) or term in text_key
    return term_key(term) in text_key


# A reply speaks to its proposer as 您 or 你: "并于6月15日与您面商" is the meeting "杨世国代表是哪天…面商的" asks
# about. A person the question names, or a deputy's title, is found in a passage that addresses its reader.
_ADDRESS = ("您", "你")
_PROPOSER_TITLES = frozenset({"代表", "委员", "deputy", "member"})


@lru_cache(maxsize=256)  # per question, not per piece: coverage asks it for every piece holding 您
def addressed_terms(question: Question) -> frozenset[str]:
    """The question's terms a reply's 您 may stand for: the people it names and a deputy's or member's title."""
    people = {e.value for e in question.entities if e.kind == "person"}
    return frozenset(t for t in question.all_terms if t in people or t in _PROPOSER_TITLES)


def coverage(question: Question, text_key: str, weights: dict[str, float] | None = None) -> float:
    """Weighted share of the question's topic terms present (by default longer terms weigh more)."""
    terms = [t for t in question.all_terms if len(t) >= 2 or not ("a" <= t <= "z")]
    if not terms:
        return 1.0
    w = [weights.get(t, 1.0) if weights else term_weight(t) for t in terms]
    addressed = addressed_terms(question) if any(a in text_key for a in _ADDRESS) else frozenset()
    found = sum(wt for t, wt in zip(terms, w) if t in addressed or term_found(t, text_key))
    return found / sum(w) if sum(w) else 0.0


def term_weights(question: Question, piece_keys: list[str], config: AnswerConfig) -> dict[str, float]:
    """IDF of each topic term over the candidate pieces: a term in every piece ("龙陵县") tells them
    apart less than one in a single piece ("面商")."""
    n = len(piece_keys)
    weights = {}
    for t in question.all_terms:
        df = sum(term_found(t, k) for k in piece_keys)
        weights[t] = float(np.log(1 + n / (1 + df))) * term_weight(t) ** 0.5
        if t not in question.terms:  # carried over from an earlier turn: context, not the point
            weights[t] *= config.w_context
    return weights


# What a piece holding the asked-for kind of fact contains (quantities are scored apart, by unit).
_KIND_CUES = {"date": DATE, "doc_number": DOC_NUMBER, "who": WHO, "yesno": YES_NO, "cause": CAUSE, "place": PLACE}


def cue_score(question: Question, text: str) -> float:
    """How well a piece holds the kind of fact the question asks for (0..1)."""
    simple = to_simplified(strip_glosses(text))
    scores = []
    for kind in question.kinds:
        if kind == "quantity":
            found = [m.group(0) for m in NUMBER_UNIT.finditer(simple) if not DATE.fullmatch(m.group(0))]
            wanted = [u for u in question.units if any(f.endswith(u) for f in found)]
            scores.append(1.0 if wanted else CUE_ANY_FIGURE if found and not question.units
                          else CUE_OTHER_UNIT if found else 0.0)
        elif kind in _KIND_CUES:
            scores.append(1.0 if _KIND_CUES[kind].search(simple) else 0.0)
    return sum(scores) / len(scores) if scores else 0.0


class DenseCache:
    """Piece embeddings by text, so chunks seen again are not re-embedded.

    They come from the embedder's int8 copy where it has one: ranking a few sentences
    does not need the stored vectors' precision, and it is the answerer's main cost. Pieces are
    embedded in Simplified script: a Traditional sentence and its Simplified twin score the same.
    """

    def __init__(self, embedder, size: int = DENSE_CACHE_SIZE):
        self.embedder, self.size = embedder, size
        self.vectors: OrderedDict[str, np.ndarray] = OrderedDict()

    def embed(self, texts: list[str]) -> np.ndarray:
        todo = list(dict.fromkeys(t for t in texts if t not in self.vectors))
        if todo:
            embed = self.embedder.embed_passages_fast
            for t, v in zip(todo, embed([to_simplified(strip_glosses(t))[:EMBED_CHARS] for t in todo])):
                self.vectors[t] = v
        for t in texts:
            self.vectors.move_to_end(t)
        while len(self.vectors) > self.size:
            self.vectors.popitem(last=False)
        return np.array([self.vectors[t] for t in texts], np.float32)

    def question(self, text: str) -> np.ndarray:
        """The question's vector, in Simplified script as the pieces are. A Simplified question's is the one the
        retriever embedded, from the embedder's query cache; a Traditional one costs one more embedding."""
        return self.embedder.embed_queries([to_simplified(text)])[0]


_META_LINE = re.compile(r"索引号|发布机构|公开方式|公开目录|浏览量|当前位置|来源[:：]|信息分类|发文日期|成文日期|\|.*\|")
_META_QUESTION = re.compile(r"文号|索引号|类别|发布机构|公开|document number|class|category|index number")
_INFO = re.compile(r"[\u3400-\u9fff0-9a-z]")


def novelty(piece_key: str, question_key: str) -> float:
    """Share of a piece's characters that the question does not already contain (an echo scores 0)."""
    chars = _INFO.findall(piece_key)
    if not chars:
        return 0.0
    asked = set(question_key)
    return sum(ch not in asked for ch in chars) / len(chars)


_BOILERPLATE = re.compile(r"^(?:[一二三四五六七八九十]+、|[（(][一二三四五六七八九十]+[)）])?(?:对|关于|对于).*(?:建议|提案|议案|意见)(?:的)?(?:答复|办理|会办意见|答复函)?(?:函)?[”\"]?$"
                         r"|(?:建议|提案|议案)的$|现答复如下|现将.*答复如下|已收悉|感谢您|此致|敬礼|答\s*复$"
                         # the courtesy a reply opens with: "您这一提案提得很好", "…具有重要指导意义"
                         r"|提得很好|提的很好|表明您对|具有重要(?:的)?(?:指导|现实|参考)?意义|很有(?:必要|意义|见地)")
_TITLE_QUESTION = re.compile(r"标题|题目|名称|title")
# A section heading alone ("一、办理工作开展情况", "（二）下一步工作打算"): it names what a section is about, and
# the sentences under it say what was done. A numbered "一是…" line is an item with its facts, not a heading.
_BARE_HEADING = re.compile(rf"^(?:[{NUM}]{{1,3}}[、.．]|[(（][{NUM}\d]{{1,3}}[)）]|\d{{1,2}}[、.．](?!\d)|"
                           rf"第[{NUM}]{{1,3}}[、,，:：])\s*[^，,。；;：:！!？?\d]{{2,30}}[:：]?$")


def shape_penalty(question: Question, text: str, pkey: str, qkey: str, cue: float, config: AnswerConfig,
                  heading: str = "") -> float:
    """Penalties for pieces that cannot be an answer: echoes of the question, page chrome, bare headings,
    and a line that only restates the reply's own ``heading`` (its title, office or number: what names the
    reply, not what it decided), unless the question asks about the reply itself.

    A piece that holds the wanted kind of fact may echo the question: "危旧房共488套" answers
    "危旧房共有多少套" with one new word, the number.
    """
    simple = to_simplified(text).strip()
    if heading and len(pkey) >= config.short_piece and pkey in heading:
        return config.w_meta
    penalty = 0.0 if cue >= 1 else config.w_echo * max(0.0, config.min_novelty - novelty(pkey, qkey))
    if _META_LINE.search(simple) and not _META_QUESTION.search(question.lowered):
        penalty += config.w_meta
    if _BOILERPLATE.search(simple) and cue < 1 and not _TITLE_QUESTION.search(question.lowered):
        penalty += config.w_meta
    # a heading pays whatever cue it seems to hold: 办 of "办理工作开展情况" is no office
    if (cue < 1 and len(pkey) < config.short_piece) or _BARE_HEADING.match(simple):
        penalty += config.w_meta / 2
    return penalty


HEAD_CHARS = 150  # hand-set: a reply without parsed metadata is named by its first two or three lines


def _naming(reply: Reply, proposal: bool) -> str:
    """The parsed lines that name a reply: title, office and numbers, and with ``proposal`` the proposal's
    title and the addressees too (match keys drop the blanks an absent one leaves)."""
    m = reply.meta
    return " ".join((reply.title, m.title, m.proposal_title if proposal else "", m.office, m.doc_number,
                     m.proposal_number, " ".join(m.addressees) if proposal else ""))


def reply_heading_key(reply: Reply) -> str:
    """The reply's parsed title, office and numbers ("" when none was parsed): lines that name the reply."""
    return match_key(_naming(reply, proposal=False))


def asks_about_reply(question: Question) -> bool:
    """The question asks for the reply's own title, number, office or another field of it."""
    return bool(_TITLE_QUESTION.search(question.lowered) or _META_QUESTION.search(question.lowered)
                or asked_field(question)[0] or "doc_number" in question.kinds)


def reply_head_key(reply: Reply) -> str:
    """What names a reply: its title and identifying metadata (or, unparsed, its first lines)."""
    named = _naming(reply, proposal=True)
    return match_key(named if named.strip() else reply.text[:HEAD_CHARS])


def score_pieces(question: Question, pieces: list[Piece], replies: dict[str, Reply], qvec: np.ndarray,
                 cache: DenseCache, config: AnswerConfig) -> list[Scored]:
    """Score every piece; only the lexically best ``k_rescored`` are embedded."""
    prelim = []
    heads = {rid: reply_head_key(r) for rid, r in replies.items()}
    qkey = question.key
    keys = [match_key(p.text) for p in pieces]
    weights = term_weights(question, keys, config)
    in_head = {rid: {t for t in question.all_terms if term_found(t, head)} for rid, head in heads.items()}
    headings = {rid: "" for rid in replies} if asks_about_reply(question) else \
        {rid: reply_heading_key(r) for rid, r in replies.items()}
    for p, pkey in zip(pieces, keys):
        context = match_key(p.chunk.text) + heads[p.reply_id]
        # Terms the reply's title already matches pick the reply, not the sentence.
        lex = coverage(question, pkey, {t: (config.w_in_title * w if t in in_head[p.reply_id] else w)
                                        for t, w in weights.items()})
        near = coverage(question, pkey + context)
        cue = cue_score(question, p.text)
        base = (config.w_lexical * lex + config.w_reply * near + config.w_cue * cue
                + config.w_rank / (1 + p.rank) - config.w_length * max(0, len(p.text) - config.long_piece)
                - shape_penalty(question, p.text, pkey, qkey, cue, config, headings[p.reply_id]))
        prelim.append((base, p, lex, cue, near))
    prelim.sort(key=lambda x: -x[0])
    top = prelim[: config.k_rescored]
    vecs = cache.embed([p.text for _, p, _, _, _ in top]) if top else np.zeros((0, len(qvec)))
    sims = vecs @ qvec if len(top) else np.zeros(0)
    best = float(sims.max()) if len(top) else 0.0
    out = [Scored(p, base + config.w_dense * (float(s) - best), lex, float(s), cue, near)
           for (base, p, lex, cue, near), s in zip(top, sims)]
    return sorted(out, key=lambda s: -s.score)


# Paraphrases common in the genre: a question's word and the way replies state it.
_PARAPHRASES = {"上限": ("不超过", "不得超过", "最多", "以内"), "下限": ("不少于", "不低于", "至少"),
                "最少": ("不少于", "不低于", "至少"), "最多": ("不超过", "不得超过")}


def focus_found(term: str, reply_key: str, piece_key: str) -> bool:
    """The thing asked about is mentioned: in the reply, as a paraphrase, or character by character nearby."""
    if term_key(term) in reply_key or any(p in reply_key for p in _PARAPHRASES.get(term, ())) \
            or any(w in reply_key for w in chinese_step_words(term)):
        return True
    if is_english_term(term):
        return term_found(term, piece_key)
    # another word for the same thing in the dictionary (翻修 → 改建, 老师 → 教师), a slip of the same sound, or a
    # four-character word shortened to the first character of each half (公共厕所 → 公厕, 环境保护 → 环保)
    key = term_key(term)
    return (all(ch in piece_key for ch in key) or any(w in reply_key for w in synonyms(key))
            or sounds_in(key, piece_key) or len(key) == 4 and key[0] + key[2] in reply_key)


def sounds_in(word: str, text: str) -> bool:
    """The text holds the word as typed by its sound: one character swapped for another of the same toneless
    pinyin (投姿 for 投资, 宿社 for 宿舍), the slip a pinyin keyboard makes. Words of two or more characters."""
    n = len(word)
    if n < 2:
        return False
    sound, heard = [_sound(ch) for ch in word], [_sound(ch) for ch in text]
    return any(heard[i:i + n] == sound and sum(a != b for a, b in zip(word, text[i:i + n])) == 1
               for i in range(len(text) - n + 1))


@lru_cache(maxsize=8192)
def _sound(ch: str) -> str:
    """A character's toneless pinyin (its most common reading); the character itself when it is not Han."""
    from pypinyin import lazy_pinyin

    return lazy_pinyin(ch)[0] if "\u3400" <= ch <= "\u9fff" else ch


def has_wanted_unit(question: Question, text: str) -> bool:
    """True when the piece states a number in (a unit of the same kind as) one the question names."""
    found = [m.group(0) for m in NUMBER_UNIT.finditer(to_simplified(strip_glosses(text)))]
    return any(unit_match(u, f) for u in question.units for f in found)


def refusal_reason(question: Question, best: Scored | None, replies: dict[str, Reply],
                   config: AnswerConfig) -> str:
    """Why the best piece does not answer the question ("" when it does)."""
    if best is None:
        return "nothing retrieved"
    reply_key = match_key(replies[best.piece.reply_id].text)
    piece_key = match_key(best.piece.chunk.text + best.piece.text)
    missing = [t for t in question.focus if not focus_found(t, reply_key, piece_key)]
    if missing:
        return f"the archive never mentions {'/'.join(missing)}"
    if question.units and not has_wanted_unit(question, best.piece.text):
        return f"no figure in {'/'.join(question.units)} near the topic"
    return floor_reason(question.language, best.dense, best.coverage, config)


def floor_reason(language: str, dense: float, coverage: float, config: AnswerConfig) -> str:
    """The refusal floors on the best piece's similarity and term coverage ("" when it clears them)."""
    if language == "en":
        if dense < config.min_dense:
            return f"best passage too far in meaning ({dense:.3f})"
    elif coverage < config.min_coverage:
        return f"too few question terms near the best passage ({coverage:.2f})"
    elif dense < config.min_dense_zh and coverage < config.sure_coverage:
        return f"best passage too far in meaning ({dense:.3f})"
    return ""


def pick(question: Question, scored: list[Scored], config: AnswerConfig) -> Scored | None:
    """The best piece; for a quantity with a named unit, the best piece that states one."""
    if not scored:
        return None
    if question.units:
        with_unit = [s for s in scored if has_wanted_unit(question, s.piece.text)]
        if with_unit and with_unit[0].score > scored[0].score - config.unit_pick_margin \
                and with_unit[0].lexical >= scored[0].lexical:
            return with_unit[0]
    return scored[0]
