"""Extractive answering: quote the clause of a retrieved reply that answers the question.

Retrieved chunks are cut into sentences (long ones into clauses). Each piece is
scored by the dense similarity of question and piece, by lexical overlap on
normalised text, and by cues from the question type (a number with a unit for
"多少", a date for "什么时候", ...). The best piece is quoted verbatim, with
its exact offsets in the reply's original text. When nothing answers, the
answer is a refusal in the question's language, with related replies.
"""
from __future__ import annotations

import inspect
import logging
import re
import time
from collections import OrderedDict
from dataclasses import dataclass, replace

import numpy as np

from .normalise import to_simplified
from .question import (CAUSE, DATE, DOC_NUMBER, NUMBER_UNIT, PLACE, WHO, YES_NO, Question, analyse, gloss, key,
                       strip_pinyin)
from .records import Answer, Chunk, Citation, Hit, Reply
from .retrieve import check_query

log = logging.getLogger(__name__)

_SENTENCE = re.compile(r"[^。！？!?\n]*(?:[。！？!?]+[”」』\"]?|\n|$)")
_CLAUSE = re.compile(r"[^；;]*(?:[；;]|$)")
LONG_SENTENCE = 200
CONTEXT_WEIGHT = 0.1
# Share of a question's topic words (Chinese, English) a reply must hold before its own facts answer it.
ABOUT_COVERAGE = (0.5, 0.15)


@dataclass(frozen=True)
class AnswerConfig:
    """Weights and thresholds of the extractive answerer, calibrated on the sample questions."""

    k: int = 8  # chunks retrieved
    k_dense: int = 8  # pieces re-scored with the embedding model
    w_dense: float = 12.0
    w_lexical: float = 1.5
    w_reply: float = 0.6
    w_rank: float = 0.25
    w_cue: float = 0.7
    w_echo: float = 3.0
    w_meta: float = 1.0
    # Refusal floors, calibrated for the default model (multilingual-e5-small) on held-out DRCD and CMRC
    # questions (300 asked of their own archive, 300 of the other one): 3.7% of the answerable refused,
    # 89% of the off-archive refused (coverage alone: 2.7% and 68%). Near-miss questions about a
    # reply ("每座造价是多少" where no cost is given) are refused by their focus word instead.
    min_coverage: float = 0.30  # share of topic terms found near the answer
    min_dense_zh: float = 0.855  # Chinese questions: similarity of question and quoted sentence ...
    sure_coverage: float = 0.8  # ... unless the passage holds nearly every word of the question
    min_dense: float = 0.70  # English questions (cross-language similarities run lower)
    conflict_margin: float = 0.35
    support_margin: float = 0.3  # a runner-up of the same reply this close to the best is quoted too


@dataclass(frozen=True)
class Piece:
    """A sentence or clause of a retrieved chunk, with its offsets in the reply text."""

    reply_id: str
    chunk: Chunk
    start: int
    end: int
    text: str
    rank: int


@dataclass(frozen=True)
class Scored:
    """A piece with its score and the parts that made it up."""

    piece: Piece
    score: float
    lexical: float
    dense: float
    cue: float
    coverage: float


# -- splitting -------------------------------------------------------------------------------------------
def _trimmed(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and (text[start].isspace() or text[start] in "，,、"):
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


def split_pieces(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """Sentence spans of ``text[start:end]``; a long sentence also yields its ；-clauses."""
    spans = []
    for m in _SENTENCE.finditer(text, start, end):
        a, b = _trimmed(text, m.start(), m.end())
        if b - a < 2:
            continue
        spans.append((a, b))
        if b - a > LONG_SENTENCE:
            spans += _clauses(text, a, b)
    return spans


def _clauses(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """Pieces of a long sentence: its ；-clauses, and runs of ，-clauses of about a hundred characters."""
    out = []
    for c in _CLAUSE.finditer(text, start, end):
        ca, cb = _trimmed(text, c.start(), c.end())
        if cb - ca < 2:
            continue
        if cb - ca < end - start:
            out.append((ca, cb))
        if cb - ca > LONG_SENTENCE:
            cuts = [m.end() for m in re.finditer(r"[，,:：]", text[ca:cb])]
            window_start = ca
            for cut in cuts + [cb - ca]:
                if ca + cut - window_start >= 100 or ca + cut == cb:
                    wa, wb = _trimmed(text, window_start, ca + cut)
                    if wb - wa >= 2:
                        out.append((wa, wb))
                    window_start = ca + cut
    return out


def _sentence_bounds(text: str, start: int, end: int) -> tuple[int, int]:
    """Widen a chunk to whole sentences: chunks may be cut at ； or at the size limit."""
    left = max(text.rfind(ch, 0, start) for ch in "。！？!?\n")
    right = min((i for i in (text.find(ch, end) for ch in "。！？!?\n") if i != -1), default=len(text))
    if right - end > LONG_SENTENCE:
        right = end
    return (left + 1 if start - left <= LONG_SENTENCE else start), min(len(text), right + 1)


HEADER_CHARS = 600


def header_hits(hits: list[Hit], index, replies: int = 3) -> list[Hit]:
    """The chunks holding the header (number line, addressee) of the top replies.

    Metadata questions ("文号", "who proposed it", "类别") are answered from the header,
    which retrieval by topic rarely brings back.
    """
    out, seen = [], set()
    for hit in hits:
        rid = hit.chunk.reply_id
        if rid in seen or len(seen) >= replies:
            continue
        seen.add(rid)
        out += [Hit(c, 0.0, "header") for c in index.chunks_of(rid) if c.start < HEADER_CHARS]
    return out


def pieces_of(hits: list[Hit], replies: dict[str, Reply]) -> list[Piece]:
    """All pieces of the hit chunks, each once, in retrieval order (header chunks last)."""
    seen, out = set(), []
    for rank, hit in enumerate(hits):
        rank = rank if hit.via != "header" else len(hits)
        reply = replies[hit.chunk.reply_id]
        a, b = _sentence_bounds(reply.text, hit.chunk.start, hit.chunk.end)
        for s, e in split_pieces(reply.text, a, b):
            if (reply.reply_id, s, e) not in seen:
                seen.add((reply.reply_id, s, e))
                out.append(Piece(reply.reply_id, hit.chunk, s, e, reply.text[s:e], rank))
    return out


# -- scoring ---------------------------------------------------------------------------------------------
def term_found(term: str, text_key: str) -> bool:
    """A Simplified topic term (or, for English words, one of its glosses) occurs in a matching key."""
    if re.fullmatch(r"[a-z][a-z'-]*", term):
        return any(g in text_key for g in gloss(term)) or term in text_key
    return key(term) in text_key


def coverage(question: Question, text_key: str, weights: dict[str, float] | None = None) -> float:
    """Weighted share of the question's topic terms present (by default longer terms weigh more)."""
    terms = [t for t in question.all_terms if len(t) >= 2 or not re.fullmatch(r"[a-z]", t)]
    if not terms:
        return 1.0
    w = [weights.get(t, 1.0) if weights else (min(len(t), 4) if not t.isascii() else 2) for t in terms]
    found = sum(wt for t, wt in zip(terms, w) if term_found(t, text_key))
    return found / sum(w) if sum(w) else 0.0


def term_weights(question: Question, piece_keys: list[str]) -> dict[str, float]:
    """IDF of each topic term over the candidate pieces: a term in every piece ("龙陵县") tells them
    apart less than one in a single piece ("面商")."""
    n = len(piece_keys)
    weights = {}
    for t in question.all_terms:
        df = sum(term_found(t, k) for k in piece_keys)
        weights[t] = float(np.log(1 + n / (1 + df))) * (min(len(t), 4) if not t.isascii() else 2) ** 0.5
        if t not in question.terms:  # carried over from an earlier turn: context, not the point
            weights[t] *= CONTEXT_WEIGHT
    return weights


def cue_score(question: Question, text: str) -> float:
    """How well a piece holds the kind of fact the question asks for (0..1)."""
    simple = to_simplified(strip_pinyin(text))
    scores = []
    for kind in question.kinds:
        if kind == "quantity":
            found = [m.group(0) for m in NUMBER_UNIT.finditer(simple) if not DATE.fullmatch(m.group(0))]
            wanted = [u for u in question.units if any(f.endswith(u) for f in found)]
            scores.append(1.0 if wanted else 0.5 if found and not question.units else 0.2 if found else 0.0)
        elif kind == "date":
            scores.append(1.0 if DATE.search(simple) else 0.0)
        elif kind == "doc_number":
            scores.append(1.0 if DOC_NUMBER.search(simple) else 0.0)
        elif kind == "who":
            scores.append(1.0 if WHO.search(simple) else 0.0)
        elif kind == "yesno":
            scores.append(1.0 if YES_NO.search(simple) else 0.0)
        elif kind == "cause":
            scores.append(1.0 if CAUSE.search(simple) else 0.0)
        elif kind == "place":
            scores.append(1.0 if PLACE.search(simple) else 0.0)
    return sum(scores) / len(scores) if scores else 0.0


class DenseCache:
    """Piece embeddings by text, so chunks seen again are not re-embedded.

    They come from the embedder's int8 copy where it has one: ranking a few sentences
    does not need the stored vectors' precision, and it is the answerer's main cost.
    """

    def __init__(self, embedder, size: int = 4096):
        self.embedder, self.size = embedder, size
        self.vectors: OrderedDict[str, np.ndarray] = OrderedDict()

    def embed(self, texts: list[str]) -> np.ndarray:
        todo = list(dict.fromkeys(t for t in texts if t not in self.vectors))
        if todo:
            embed = getattr(self.embedder, "embed_passages_fast", self.embedder.embed_passages)
            for t, v in zip(todo, embed([strip_pinyin(t)[:200] for t in todo])):
                self.vectors[t] = v
        for t in texts:
            self.vectors.move_to_end(t)
        while len(self.vectors) > self.size:
            self.vectors.popitem(last=False)
        return np.array([self.vectors[t] for t in texts], np.float32)


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
                         r"|(?:建议|提案|议案)的$|现答复如下|现将.*答复如下|已收悉|感谢您|此致|敬礼|答\s*复$")
_TITLE_QUESTION = re.compile(r"标题|题目|名称|title")


def shape_penalty(question: Question, text: str, pkey: str, qkey: str, cue: float, config: AnswerConfig) -> float:
    """Penalties for pieces that cannot be an answer: echoes of the question, page chrome, bare headings.

    A piece that holds the wanted kind of fact may echo the question: "危旧房共488套" answers
    "危旧房共有多少套" with one new word, the number.
    """
    simple = to_simplified(text).strip()
    penalty = 0.0 if cue >= 1 else config.w_echo * max(0.0, 0.45 - novelty(pkey, qkey))
    if _META_LINE.search(simple) and not _META_QUESTION.search(question.text.lower()):
        penalty += config.w_meta
    if _BOILERPLATE.search(simple) and cue < 1 and not _TITLE_QUESTION.search(question.text.lower()):
        penalty += config.w_meta
    if len(pkey) < 8 and cue < 1:
        penalty += config.w_meta / 2
    return penalty


def _reply_head_key(reply: Reply) -> str:
    """What names a reply: its title and identifying metadata (or, unparsed, its first lines)."""
    m = reply.meta
    named = " ".join((reply.title, m.title, m.proposal_title, m.office, m.doc_number, m.proposal_number,
                      " ".join(m.addressees)))
    return key(named if named.strip() else reply.text[:150])


def score_pieces(question: Question, pieces: list[Piece], replies: dict[str, Reply], qvec: np.ndarray,
                 cache: DenseCache, config: AnswerConfig) -> list[Scored]:
    """Score every piece; only the lexically best ``k_dense`` are embedded."""
    prelim = []
    heads = {rid: _reply_head_key(r) for rid, r in replies.items()}
    qkey = key(question.text)
    keys = [key(p.text) for p in pieces]
    weights = term_weights(question, keys)
    in_head = {rid: {t for t in question.all_terms if term_found(t, head)} for rid, head in heads.items()}
    for p, pkey in zip(pieces, keys):
        context = key(p.chunk.text) + heads[p.reply_id]
        # Terms the reply's title already matches pick the reply, not the sentence.
        lex = coverage(question, pkey, {t: (0.25 * w if t in in_head[p.reply_id] else w) for t, w in weights.items()})
        near = coverage(question, pkey + context)
        cue = cue_score(question, p.text)
        base = (config.w_lexical * lex + config.w_reply * near + config.w_cue * cue
                + config.w_rank / (1 + p.rank) - 0.002 * max(0, len(p.text) - 120)
                - shape_penalty(question, p.text, pkey, qkey, cue, config))
        prelim.append((base, p, lex, cue, near))
    prelim.sort(key=lambda x: -x[0])
    top = prelim[: config.k_dense]
    vecs = cache.embed([p.text for _, p, _, _, _ in top]) if top else np.zeros((0, len(qvec)))
    sims = vecs @ qvec if len(top) else np.zeros(0)
    best = float(sims.max()) if len(top) else 0.0
    out = [Scored(p, base + config.w_dense * (float(s) - best), lex, float(s), cue, near)
           for (base, p, lex, cue, near), s in zip(top, sims)]
    return sorted(out, key=lambda s: -s.score)


# -- deciding --------------------------------------------------------------------------------------------
# Paraphrases common in the genre: a question's word and the way replies state it.
_PARAPHRASES = {"上限": ("不超过", "不得超过", "最多", "以内"), "下限": ("不少于", "不低于", "至少"),
                "最少": ("不少于", "不低于", "至少"), "最多": ("不超过", "不得超过"), "投用": ("投入使用", "投用")}


def focus_found(term: str, reply_key: str, piece_key: str) -> bool:
    """The thing asked about is mentioned: in the reply, as a paraphrase, or character by character nearby."""
    if key(term) in reply_key or any(p in reply_key for p in _PARAPHRASES.get(term, ())):
        return True
    if re.fullmatch(r"[a-z][a-z'-]*", term):
        return term_found(term, piece_key)
    return all(ch in piece_key for ch in key(term))


def has_wanted_unit(question: Question, text: str) -> bool:
    """True when the piece states a number in (a unit of the same kind as) one the question names."""
    from .question import unit_match

    found = [m.group(0) for m in NUMBER_UNIT.finditer(to_simplified(strip_pinyin(text)))]
    return any(unit_match(u, f) for u in question.units for f in found)


def refusal_reason(question: Question, best: Scored | None, replies: dict[str, Reply],
                   config: AnswerConfig) -> str:
    """Why the best piece does not answer the question ("" when it does)."""
    if best is None:
        return "nothing retrieved"
    reply_key = key(replies[best.piece.reply_id].text)
    piece_key = key(best.piece.chunk.text + best.piece.text)
    missing = [t for t in question.focus if not focus_found(t, reply_key, piece_key)]
    if missing:
        return f"the archive never mentions {'/'.join(missing)}"
    if question.units and not has_wanted_unit(question, best.piece.text):
        return f"no figure in {'/'.join(question.units)} near the topic"
    if question.language == "en":
        if best.dense < config.min_dense:
            return f"best passage too far in meaning ({best.dense:.3f})"
    elif best.coverage < config.min_coverage:
        return f"too few question terms near the best passage ({best.coverage:.2f})"
    elif best.dense < config.min_dense_zh and best.coverage < config.sure_coverage:
        return f"best passage too far in meaning ({best.dense:.3f})"
    return ""


def pick(question: Question, scored: list[Scored]) -> Scored | None:
    """The best piece; for a quantity with a named unit, the best piece that states one."""
    if not scored:
        return None
    if question.units:
        with_unit = [s for s in scored if has_wanted_unit(question, s.piece.text)]
        if with_unit and with_unit[0].score > scored[0].score - 1.0:
            return with_unit[0]
    return scored[0]


def conflicting(question: Question, best: Scored, scored: list[Scored], config: AnswerConfig) -> Scored | None:
    """A close runner-up from another reply stating a different figure in the same unit, if any."""
    if "quantity" not in question.kinds or not question.units:
        return None
    mine = set(figures(question, best.piece.text))
    for s in scored[1:]:
        if s.score < best.score - config.conflict_margin:
            break
        if s.piece.reply_id != best.piece.reply_id and has_wanted_unit(question, s.piece.text):
            theirs = set(figures(question, s.piece.text))
            if theirs and theirs != mine:
                return s
    return None


def supporting(best: Scored, piece: Piece, scored: list[Scored], config: AnswerConfig) -> Piece | None:
    """The runner-up to ``best`` (quoted as ``piece``), when it is nearly as good and from the same
    reply: quoted after it.

    Where the best sentence restates the question ("朝鮮日報…被強迫停刊"), the close
    runner-up often holds the answer ("…推行同化政策"); quoting both is cheaper than being wrong.
    """
    runner = next((s for s in scored if s is not best), None)
    if runner is None or runner.score < best.score - config.support_margin:
        return None
    other = runner.piece
    if other.reply_id != piece.reply_id or (other.start < piece.end and piece.start < other.end):
        return None
    return other


def _joined(first: Piece, second: Piece, reply: Reply) -> Piece | None:
    """One piece spanning both, when only whitespace lies between them."""
    a, b = sorted((first, second), key=lambda p: p.start)
    if reply.text[a.end:b.start].strip():
        return None
    return replace(a, end=b.end, text=reply.text[a.start:b.end])


# -- composing -------------------------------------------------------------------------------------------
_QUALIFIER = (r"(?:原则上|每年|每月|每人|每座|每所|全年|累计|合计|共计|总计|共有|共|约|不少于|不超过|不得少于|不得超过|不低于|"
              r"不高于|超过|达到|达|近|逾|至少|最多|仅|新建|新增|建成|筹建|完成|总投资|投资|规划投资|惠及|内设|安装)")


def figures(question: Question, text: str) -> list[str]:
    """The figures a quantity question asks for, as the source writes them, qualifiers included.

    "原則上每年不少於60學分" stays in its own script: matching runs on a
    same-length Simplified copy and the slice is taken from the original.
    """
    from .question import unit_match

    simple = to_simplified(text)
    anchors = _term_positions(question, simple)
    found = []
    for m in NUMBER_UNIT.finditer(simple):
        if DATE.fullmatch(m.group(0)) or (question.units and not any(unit_match(u, m.group(0)) for u in question.units)):
            continue
        lead = re.search(_QUALIFIER + r"+$", simple[max(0, m.start() - 12): m.start()])
        start = m.start() - (len(lead.group(0)) if lead else 0)
        distance = min((abs(start - a) for a in anchors), default=0)
        found.append((distance, len(found), text[start:m.end()].strip()))
    # A figure with the rate the question asks for ("per year" → 每年) first; then the figure nearest
    # the question's own words: "五年…360學分" before "每年…60學分".
    rates = _asked_rates(question)
    found = [(not any(r in to_simplified(f) for r in rates), d, i, f) for d, i, f in found]
    return list(dict.fromkeys(f for *_, f in sorted(found)))[:4]


_RATES = {"每年": r"每年|per year|a year|each year|annual", "每月": r"每月|per month|a month|each month|monthly",
          "每人": r"每人|per person|each person|per capita", "每天": r"每天|每日|per day|a day|daily"}


def _asked_rates(question: Question) -> list[str]:
    """The "每X" rates a question names, in Chinese or English."""
    text = to_simplified(question.text).lower()
    return [zh for zh, pattern in _RATES.items() if re.search(pattern, text)]


def _term_positions(question: Question, simple: str) -> list[int]:
    """Where the question's topic terms (or their glosses) occur in a Simplified text."""
    lowered = simple.lower()
    positions = []
    for term in question.terms[:6]:
        words = gloss(term) if re.fullmatch(r"[a-z][a-z'-]*", term) else {term}
        positions += [m.start() for w in words if w for m in re.finditer(re.escape(w), lowered)]
    return positions


def dates(question: Question, text: str) -> list[str]:
    """For a "when" question, the dates a piece states, as the source writes them (at most two)."""
    if "date" not in question.kinds:
        return []
    simple = to_simplified(text)  # same length as the original: slice the source's own script
    # Anchor on the words beside the question word: "预计什么时候完工" → 预计, 完工.
    asked = key(question.text)
    m = re.search(r"什么时候|何时|哪一天|哪天|哪一年|哪年|几月|什么时间|多久以前", asked)
    near = [t for t in question.terms if m and 0 <= asked.find(key(t)) and abs(asked.find(key(t)) - m.start()) <= 8]
    anchors = _term_positions(replace(question, terms=tuple(near)) if near else question, simple)
    found = sorted((min((abs(m.start() - a) for a in anchors), default=0), m.start(), text[m.start():m.end()])
                   for m in DATE.finditer(simple) if re.search(r"\d", m.group(0)))
    return list(dict.fromkeys(d for *_, d in found))[:2]  # the date nearest the question's words first


_EN_QUALIFIERS = (("原则上", "in principle"), ("不得少于|不少于|不低于|至少", "at least"),
                  ("不得超过|不超过|不高于|最多", "at most"), ("超过|逾", "over"), ("约", "about"), ("近", "nearly"),
                  ("合计|累计|共计|总计|共有|共", "a total of"))
_EN_UNIT_NAMES = {"学分": "credits", "人": "people", "名": "people", "人次": "person-times", "户": "households",
                  "天": "days", "日": "days", "小时": "hours", "年": "years", "月": "months", "公里": "km",
                  "千米": "km", "米": "m", "平方米": "m²", "亩": "mu", "吨": "tonnes", "%": "%", "元": "yuan"}
_SCALES = {"万": 1e4, "亿": 1e8}


def _en_number(value: float) -> str:
    return f"{value:,.0f}" if value == int(value) else f"{value:,.2f}".rstrip("0").rstrip(".")


def english_figure(figure: str) -> str:
    """An English rendering of a source figure: "规划投资约8327万元" → "about 83.27 million yuan"."""
    simple = to_simplified(figure)
    m = re.search(r"(\d[\d,]*(?:\.\d+)?)(多|余)?\s*(万|亿)?(平方米|平方公里|" + "|".join(
        sorted(map(re.escape, _EN_UNIT_NAMES), key=len, reverse=True)) + r"|[\u3400-\u9fff])?", simple)
    if not m:
        return ""
    value = float(m.group(1).replace(",", "")) * _SCALES.get(m.group(3) or "", 1)
    unit = m.group(4) or ""
    if unit == "元" and value >= 1e6:
        number, unit_en = f"{_en_number(value / 1e6)} million", "yuan"
    else:
        number, unit_en = _en_number(value), _EN_UNIT_NAMES.get(unit, "")
    words, prefix = [], simple[: m.start()]
    for zh, en in _EN_QUALIFIERS:
        if re.search(zh, prefix):
            words.append(en)
            prefix = re.sub(zh, "", prefix)
    more = " or more" if m.group(2) else ""
    per_year = " per year" if re.search(r"每年", simple[: m.start()]) else ""
    return " ".join(w for w in (*words, number + more, unit_en) if w) + per_year


_NEGATION = re.compile(r"不|没有|暂无|无法|尚未|未能|得不到|难以")


def verdict(question: Question, text: str) -> str:
    """For a yes-no question, "不能"/"没有"/"不支持" (or Yes/No) from the quoted clause; else ""."""
    if "yesno" not in question.kinds:
        return ""
    negative = bool(_NEGATION.search(to_simplified(text)))
    if question.language == "en":
        return "No" if negative else "Yes"
    asked = key(question.text)
    m = re.search(r"是否([\u3400-\u9fff]{1,2})|有没有|能不能|能否|(能|会|可以|有)[\u3400-\u9fff]{0,8}吗", asked)
    if not m:
        return "否" if negative else "是"
    verb = m.group(1) or ("有" if m.group(0) == "有没有" else "能" if m.group(0) in ("能不能", "能否") else m.group(2))
    if verb in ("有",):
        return "没有" if negative else "有"
    return ("不" + verb) if negative else verb


def reply_label(reply: Reply) -> tuple[str, str]:
    """How a reply is named in an answer (document number, else title) and its date."""
    meta = reply.meta
    return (meta.doc_number or meta.title or reply.title or reply.source), (meta.signed or meta.published)


_FRAMES = {
    "en": ("Per reply {label}{date}: {lead}“{quote}” [{n}]", " ({})", "{} — ", "; "),
    "zh-Hans": ("据答复{label}{date}：{lead}“{quote}”[{n}]", "（{}）", "{}。", "；"),
    "zh-Hant": ("據答覆{label}{date}：{lead}“{quote}”[{n}]", "（{}）", "{}。", "；"),
}
_REFUSALS = {
    "en": "The archive does not answer this question.",
    "zh-Hans": "档案中的答复没有回答这个问题。",
    "zh-Hant": "檔案中的答覆沒有回答這個問題。",
}
_RELATED = {"en": " Related replies: ", "zh-Hans": "相关答复：", "zh-Hant": "相關答覆："}


def cite_line(question: Question, s: Scored, n: int, reply: Reply, more: tuple[tuple[int, Piece], ...] = ()) -> str:
    """One answer line: the reply named and dated, the figures first, then the verbatim quote(s)."""
    frame, date_fmt, lead_fmt, sep = _FRAMES[question.language]
    label, date = reply_label(reply)
    figs = figures(question, s.piece.text) if "quantity" in question.kinds else []
    if question.language == "en":
        figs = [f"{english_figure(f)} ({f})" if english_figure(f) else f for f in figs]
    figs += dates(question, s.piece.text) if not figs else []
    figs = [v for v in (verdict(question, s.piece.text),) if v] + figs
    line = frame.format(label=label, date=date_fmt.format(date) if date else "",
                        lead=lead_fmt.format(sep.join(figs)) if figs else "", quote=s.piece.text, n=n)
    space = " " if question.language == "en" else ""
    return line + "".join(f"{space}“{p.text}”{space}[{m}]" for m, p in more)


def refusal_text(question: Question, related: list[Reply]) -> str:
    """A plain refusal in the question's language, pointing at the nearest replies."""
    text = _REFUSALS[question.language]
    if related:
        sep = "; " if question.language == "en" else "；"
        text += _RELATED[question.language] + sep.join(reply_label(r)[0] for r in related)
    return text


def extend_list(piece: Piece, reply: Reply) -> Piece:
    """Keep "一是…" together with the "二是…" sentence that follows it."""
    if not re.search(r"一是|一方面|（一）|\(一\)", piece.text):
        return piece
    nxt = split_pieces(reply.text, piece.end, min(len(reply.text), piece.end + 2 * LONG_SENTENCE))
    if nxt and re.match(r"\s*(?:二是|另一方面|（二）|\(二\))", reply.text[nxt[0][0]:nxt[0][1]]):
        end = nxt[0][1]
        return replace(piece, end=end, text=reply.text[piece.start:end])
    return piece


# -- the answerer ----------------------------------------------------------------------------------------
def _supports_filters(retriever) -> bool:
    try:
        return "filters" in inspect.signature(retriever.search).parameters
    except (TypeError, ValueError):
        return False


class Answerer:
    """Extractive answering over one index; heavy objects are built once and reused."""

    def __init__(self, index, config: AnswerConfig | None = None, retriever=None):
        from .retrieve import check_query, HybridRetriever

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
        from .fields import FIELD_WORDS, asked_field, field_answer

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
