"""Yes/no verdicts read from the words of a sentence that decide them.

A reply answers "能否马上解决…" with "暂不能解决" and "资金是否已经到位" with "资金还未到位";
it also restates the request ("您提出的…建议", "关于…的建议") in words that read like a yes.
:func:`decide` reads the markers of negation and modality in the sentence (不能, 无法, 不具备…条件,
尚未, 还未, 不予, 不同意, 已经, 已于, 正在, 计划, 将 …) outside any restated request, keeps the one
that governs what the question asks (the asked verb that follows it in the same clause), and
words the verdict after the question: "不能" for 能否, "没有" for 有没有, "不支持" for 是否支持,
"尚未" when the thing is planned or under way but not done, No / Not yet / Yes in English.
Traditional text is read through its same-length Simplified copy, so spans index the original.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from ..language import gloss_spans
from ..normalise import to_simplified
from ..question import Question
from ..text import CLAUSE_ENDS, end_mark
from ..translate import gloss
from .score import Scored, is_english_term, term_key

NO, NOT_YET, YES = "no", "not_yet", "yes"
PLANNED = "planned"  # planned or under way: "not yet" to a question of whether it is done, "yes" to one about a plan
PRIORITY = {NO: 0, NOT_YET: 1, PLANNED: 1, YES: 2}  # equally near the asked verb, a denial outranks a plan, a plan a yes
# hand-set: how much farther a marker after the asked verb ("计划暂时没有") counts than one before it
# ("暂时没有…计划"): Chinese puts the negation or modal in front of what it governs.
BACKWARD = 2
OTHER_CLAUSE = 50  # hand-set: a marker in another clause than the asked verb governs it only when nothing nearer does
# hand-set: a deciding sentence may score this much below one restating the request (HQ050's scores 0.54 below;
# a full point is two thirds of the lexical weight, a sentence about something else).
DECIDING_MARGIN = 1.0
VERB_REACH = 4  # hand-set: a verb this close after its marker is part of the deciding words ("得不到项目的支持")
VERB_CHARS = 2  # hand-set: the asked verb is the two characters after the question word and its adverbs ("是否已经到位")

# Markers of a decision, longest and most specific first (alternation order decides at each position).
_MARKERS = [
    (NOT_YET, r"(?:尚|还|仍|暂|均)(?:未|没有)|未(?:到位|完成|开工|建成|竣工|实施|落实|启动|通车|投用|验收)"),
    (NO, r"(?:目前|暂时|暂|尚|还){0,2}不具备(?:[\u3400-\u9fff]{0,8}?条件)?"),
    (NO, r"(?:目前|暂时|暂|还){0,2}(?:不能|无法|不可能|不可以|难以|未能|不宜|不再)"),
    (NO, r"不予(?:[\u3400-\u9fff]{2})?|得不到|不符合|不属于"),
    (NO, r"(?:目前|暂时|暂){0,2}不(?:同意|支持|采纳|考虑|纳入|列入|安排|批准|予以|建设|实施|需要|涉及)"),
    (NO, r"(?:暂时?|目前|并|均)?没有|暂无|尚无"),
    (PLANNED, r"正在|正(?=[\u3400-\u9fff]{0,2}(?:实施|建设|推进|办理|开展|施工|论证|编制))"),
    (PLANNED, r"计划|拟|预计|准备|(?<=我局|我们|我部|我县|我市|我州|我厅|我委|我办|我区)将"
              r"|将(?=于|会|在|进一步|继续|积极|优先|加快|尽快|逐步|加大|适时|结合|统筹|启动|争取)"),
    (YES, r"已经|已于|已(?!收悉|知悉|交)|同意|支持|采纳|可以|能够|纳入|列入|建成|完成"),
]
_MARKER_RE = re.compile("|".join(f"(?P<m{i}>{p})" for i, (_, p) in enumerate(_MARKERS)))
_CLAUSE = end_mark(CLAUSE_ENDS)
_CONDITION = re.compile(r"^\s*(?:如果|如|若|一旦|只要|待|等到|等)")  # "如能进入规划": a condition, not a decision
_AFTER = re.compile(r"后|之后|以后")  # "报区政府研究同意后再进行改造": a step, not a decision

# A restated request: the proposer's words, never the office's decision.
_RESTATED = re.compile(
    r"(?:您|你|代表|委员|建议人|提案人|贵[\u3400-\u9fff]{0,3})(?:们)?(?:所|在)?(?:提出|提|反映|建议|关心)(?:的)?"
    r"[^，,。；;]{0,60}?(?:建议|提案|议案|意见|问题|诉求|事项)[”\"」』]?"
    r"|关于[^，,。；;]{0,60}?的(?:建议|提案|议案|意见)[”\"」』》]?"
    r"|[“\"「『《][^”\"」』》]{0,80}?(?:建议|提案|议案)[^”\"」』》]{0,10}[”\"」』》]")

# Question words of a yes/no question, and the adverbs between them and the verb.
_ASK = re.compile(r"是否|是不是|有没有|有无|能否|能不能|可否|可不可以|会不会|(?:能|可以|会|有)(?=[\u3400-\u9fff]{0,10}吗)")
_ADVERBS = re.compile(r"^(?:已经|已|还|再|马上|立即|立刻|尽快|目前|现在|今年|明年|能够|能|可以|会|将|要|真正|正式|全部|都|被|给予|予以)+")
_COMPLETION = re.compile(r"已经|已|完成|建成|到位|开工|竣工|通车|投用|投入使用|落实|兑现")
_WH = re.compile(r"哪|什么|谁|多少|(?<!好)几[个座所台人名位项次条家户年月天]|为什么|为何|如何|怎么|怎样")
_NOW = re.compile(r"马上|立即|立刻|尽快|目前|现在|当前")
_PLAN = re.compile(r"计划|打算|安排|规划|准备|正在")
_EN_COMPLETION = re.compile(r"^(?:has|have|had|did)\b|\b(?:already|yet|completed|finished|built|opened|been)\b")
_EN_PLAN = re.compile(r"\b(?:plan|plans|planned|planning|will|going to|intend|intends|being)\b")


@dataclass(frozen=True)
class Verdict:
    """A yes/no answer and the words that decide it (``span`` indexes the sentence; None for a plain statement)."""

    kind: str  # NO, NOT_YET or YES
    word: str  # the verdict as the answer leads with it: 不能, 没有, 尚未, 支持, No, Not yet, Yes ...
    span: tuple[int, int] | None
    marked: bool = True  # False: a yes read from a plain statement of the asked thing, with no marker


def _readable(text: str) -> tuple[str, list[int]]:
    """The Simplified copy of ``text`` without pinyin glosses, and where each of its characters sits in ``text``."""
    simple = to_simplified(text)
    keep = [True] * len(text)
    for a, b in gloss_spans(text):
        keep[a:b] = [False] * (b - a)
    where = [i for i, k in enumerate(keep) if k]
    return "".join(simple[i] for i in where), where


def restated(simple: str) -> list[tuple[int, int]]:
    """Spans of a (Simplified) sentence that restate the request rather than answer it."""
    return [m.span() for m in _RESTATED.finditer(simple)]


def asked_verb(question: Question) -> str:
    """The verb a Chinese yes/no question asks about: "是否已经到位" → 到位, "目前能实施吗" → 实施."""
    key = question.key
    m = _ASK.search(key)
    if not m:
        return ""
    tail = key[m.end():]
    tail = tail[_ADVERBS.match(tail).end():] if _ADVERBS.match(tail) else tail
    verb = re.match(r"[\u3400-\u9fff]{1,%d}" % VERB_CHARS, tail)
    return verb.group(0) if verb and not re.match(r"吗|呢", verb.group(0)) else ""


def _anchors(question: Question, simple: str, masked: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Where the asked verb (else the question's topic terms) occurs outside the restated request."""
    verb = asked_verb(question) if question.language != "en" else ""
    words = [verb] if verb and verb in simple else []
    if not words:
        for term in question.terms:
            words += sorted(gloss(term)) if is_english_term(term) else [term_key(term)]
    spans = [(m.start(), m.end()) for w in words if w for m in re.finditer(re.escape(w), simple)]
    return [s for s in spans if not any(a <= s[0] < b for a, b in masked)]


def _cost(marker: tuple[int, int], anchors: list[tuple[int, int]], simple: str) -> int:
    """How far a marker is from the nearest asked word it could govern; when the sentence names none,
    how many clauses precede it (the first clause that decides states the decision)."""
    if not anchors:
        return OTHER_CLAUSE * len(_CLAUSE.findall(simple, 0, marker[0]))
    best = None
    for a, b in anchors:
        if a >= marker[1]:
            gap, lo, hi = a - marker[1], marker[1], a
        else:
            gap, lo, hi = BACKWARD * max(0, marker[0] - b), b, marker[0]
        cost = gap + (OTHER_CLAUSE if _CLAUSE.search(simple[lo:hi]) else 0)
        best = cost if best is None else min(best, cost)
    return best


def _markers(simple: str, masked: list[tuple[int, int]]) -> list[tuple[str, int, int]]:
    """The decision markers outside the restated request, without conditions, steps and negated yeses."""
    found = []
    for m in _MARKER_RE.finditer(simple):
        kind = _MARKERS[int(m.lastgroup[1:])][0]
        if any(a <= m.start() < b for a, b in masked) or simple[max(0, m.start() - 1):m.start()] == "在":
            continue  # a restated request; "在没有公厕的路段" describes a place, it decides nothing
        clause_start = max((c.end() for c in _CLAUSE.finditer(simple, 0, m.start())), default=0)
        clause = simple[clause_start:m.start()]
        if _CONDITION.search(clause):
            continue
        if kind == YES and _AFTER.match(simple, m.end()):
            continue  # "同意后再改造" is a step, not a decision
        if kind != NO and any(k == NO and s >= clause_start for k, s, _ in found):
            continue  # "得不到项目的支持", "没有…硬化计划": in the scope of the clause's negation
        if kind == YES and any(k == PLANNED and s >= clause_start for k, s, _ in found):
            continue  # "将于明年建成": the plan governs what it plans
        found.append((kind, m.start(), m.end()))
    return found


def _words(question: Question, kind: str) -> str:
    """The verdict worded after the question: 能否 → 能/不能, 有没有 → 有/没有, 是否支持 → 支持/不支持."""
    if question.language == "en":
        return {NO: "No", NOT_YET: "Not yet", YES: "Yes"}[kind]
    if kind == NOT_YET:
        return "尚未"
    key = question.key
    m = _ASK.search(key)
    asked = m.group(0) if m else ""
    if asked in ("有没有", "有无", "有"):
        return "没有" if kind == NO else "有"
    if asked in ("能否", "能不能", "能", "可否", "可不可以", "可以"):
        return "不能" if kind == NO else "能"
    if asked in ("会不会", "会"):
        return "不会" if kind == NO else "会"
    verb = asked_verb(question)
    if verb and not _COMPLETION.search(key[m.end():m.end() + 4] if m else "") and asked in ("是否", "是不是"):
        return ("不" + verb) if kind == NO else verb
    return "否" if kind == NO else "是"


def _done_or_now_asked(question: Question) -> bool:
    """A question whether a thing is done, or can be done now ("是否已经到位", "能否马上解决"), which a plan
    answers "not yet"; a plan answers yes to any other ("有没有硬化计划", "是否支持", "Will it be built?")."""
    if question.language == "en":
        return bool(_EN_COMPLETION.search(question.lowered)) and not _EN_PLAN.search(question.lowered)
    if _PLAN.search(question.key) and not re.search(r"已经|已", question.key):
        return False
    m = _ASK.search(question.key)
    return bool(m and (_COMPLETION.search(question.key[m.start():]) or _NOW.search(question.key)))


def yes_no(question: Question) -> bool:
    """A yes/no question; not one whose 是否 sits inside a question for a thing ("在是否使用死刑上…的州份是哪一个")."""
    return "yesno" in question.kinds and not (question.language != "en" and _WH.search(question.key))


def decide(question: Question, text: str) -> Verdict | None:
    """The verdict ``text`` gives a yes/no question, or None when it does not decide one.

    A sentence that only restates the request decides nothing; one that states the asked thing
    without a marker of negation or modality ("每人补贴500元" for "Is there a subsidy?") is a yes.
    """
    if not yes_no(question):
        return None
    simple, where = _readable(text)
    masked = restated(simple)
    anchors = _anchors(question, simple, masked)
    markers = _markers(simple, masked)
    if markers:
        kind, a, b = min(markers, key=lambda k: (_cost((k[1], k[2]), anchors, simple), PRIORITY[k[0]]))
        if kind == PLANNED:
            kind = NOT_YET if _done_or_now_asked(question) else YES
        # The deciding words run on to the asked verb they govern: "还未到位", "得不到项目的支持".
        b = max([e for s, e in anchors if b <= s <= b + VERB_REACH and not _CLAUSE.search(simple[b:s])] + [b])
        return Verdict(kind, _words(question, kind), (where[a], where[b - 1] + 1))
    if not anchors:
        return None  # nothing of the question outside a restated request: it does not decide
    a, b = anchors[0]
    return Verdict(YES, _words(question, YES), (where[a], where[b - 1] + 1), marked=False)


def deciding(question: Question, best: Scored, scored: list[Scored]) -> Scored:
    """The candidate that decides a yes/no question: ``best`` when a marker in it does; else the
    best-scored candidate of the same reply within ``DECIDING_MARGIN`` whose markers do (the reply's
    answer to a request ``best`` only restates); else ``best``."""
    found = decide(question, best.piece.text)
    if not yes_no(question) or found is not None and found.marked:
        return best
    for s in scored:
        if s.score < best.score - DECIDING_MARGIN:
            break
        if s is not best and s.piece.reply_id == best.piece.reply_id:
            other = decide(question, s.piece.text)
            if other is not None and other.marked:
                return s
    return best


def restates_only(question: Question, text: str) -> bool:
    """True when ``text`` is no answer to a yes/no question: it only restates the request."""
    return yes_no(question) and decide(question, text) is None


def verdict_text(question: Question, text: str) -> str:
    """The verdict word for ``text`` ("" when it decides nothing or the question is not yes/no)."""
    found = decide(question, text)
    return found.word if found else ""
