"""Composing an answer: the quote(s) to show, the figures or dates to lead with, the frame
in the question's language, and the refusal text.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, replace
from functools import lru_cache

from ..entities import Entity
from ..label import reply_label, reply_name
from ..normalise import match_key, to_simplified
from ..question import DATE, DATE_ASK, DOC_NUMBER, HOW_MANY, NUMBER_UNIT, UNIT_GROUPS, Question, unit_match
from ..template import UNIT_RE
from ..text import VALUE_BOUNDS, end_mark
from ..records import Reply
from ..translate import chinese_terms, gloss
from .english import english_lead
from .pieces import Piece
from .score import AnswerConfig, Scored, has_wanted_unit, is_english_term, term_key
from .value import DATE_WORD_DISTANCE
from .verdict import decide, verdict_text

MAX_FIGURES = 4  # hand-set: figures led with in one answer line; more reads as a table, not an answer
MAX_DATES = 2  # hand-set: a "when" answer names a start and an end at most
QUALIFIER_CHARS = 12  # hand-set: "原则上每年不少于" and the like fit in twelve characters before a figure
ANCHOR_TERMS = 6  # hand-set: the question's first topic terms anchor a figure; later ones are context
COUNTED_CHARS = 8  # hand-set: "多少所" is followed by the counted thing in at most eight characters ("寄宿制学校")


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


def joined(first: Piece, second: Piece, reply: Reply) -> Piece | None:
    """One piece spanning both, when only whitespace lies between them."""
    a, b = sorted((first, second), key=lambda p: p.start)
    if reply.text[a.end:b.start].strip():
        return None
    return replace(a, end=b.end, text=reply.text[a.start:b.end])


_QUALIFIER = (r"(?:原则上|每年|每月|每人|每座|每所|全年|累计|合计|共计|总计|共有|共|约|不少于|不超过|不得少于|不得超过|不低于|"
              r"不高于|超过|达到|达|近|逾|至少|最多|仅|新建|新增|建成|筹建|完成|总投资|投资|规划投资|惠及|内设|安装)")


@dataclass(frozen=True)
class Value:
    """A figure, date or verdict an answer leads with, and where the quoted text states it (None: nowhere)."""

    text: str
    span: tuple[int, int] | None


def figures(question: Question, text: str) -> list[str]:
    """The figures a quantity question asks for, as the source writes them, qualifiers included."""
    return [v.text for v in figure_values(question, text)]


def figure_values(question: Question, text: str) -> list[Value]:
    """The figures a quantity question asks for, with their offsets in ``text``.

    "原則上每年不少於60學分" stays in its own script: matching runs on a
    same-length Simplified copy and the slice is taken from the original. When the question counts
    one named thing ("多少所寄宿制学校"), only the figures stated of that thing lead.
    """
    simple = to_simplified(text)
    anchors = _term_positions(question, simple)
    in_dates = [d.span() for d in DATE.finditer(simple)]
    found = []
    for m in NUMBER_UNIT.finditer(simple):
        other_unit = question.units and not any(unit_match(u, m.group(0)) for u in question.units)
        in_date = any(a <= m.start() and m.end() <= b for a, b in in_dates)
        if DATE.fullmatch(m.group(0)) or other_unit or in_date or stated_in_question(question, m.group(0)):
            continue  # a date, a figure of another unit, one the question states, or a part of a date ("2023年6月")
        lead = re.search(_QUALIFIER + r"+$", simple[max(0, m.start() - QUALIFIER_CHARS): m.start()])
        start = m.start() - (len(lead.group(0)) if lead else 0)
        start += len(text[start:m.end()]) - len(text[start:m.end()].lstrip())
        distance = min((abs(start - a) for a in anchors), default=0)
        found.append((distance, len(found), start, m.end()))
    found = counted(question, simple, found)
    # A question for the total ("一共", "加起来", "in total") is answered by the figures the reply states as one
    # ("合计新建…66746平方米", "总投资约…"), not by the parts it lists before them.
    if asks_total(question):
        totals = [f for f in found
                  if _TOTAL.search(_CLAUSE_END.split(simple[max(0, f[2] - QUALIFIER_CHARS): f[3]])[-1])]
        found = totals or found
    # A figure with the rate the question asks for ("per year" → 每年) first; then the figure nearest
    # the question's own words: "五年…360學分" before "每年…60學分".
    rates = _asked_rates(question)
    ranked = sorted((not any(r in simple[a:b] for r in rates), d, i, a, b) for d, i, a, b in found)
    out: dict[str, Value] = {}
    for *_, a, b in ranked:
        out.setdefault(text[a:b], Value(text[a:b], (a, b)))
    return list(out.values())[:MAX_FIGURES]


def stated_in_question(question: Question, value: str) -> bool:
    """The question itself states this figure or date ("九年一贯制学校", "4000人规模", "2025年计划…多少"): it names
    what is asked about, so it is no answer to lead with. English questions state figures in digits."""
    key = match_key(value)
    if question.language != "en":
        return key in question.key
    number = re.match(r"\d[\d,.]*", key)
    return bool(number) and re.search(rf"(?<![\d.]){re.escape(number.group().rstrip(',.'))}(?![\d]|[.,]\d)",
                                      question.key) is not None


_SEPARATOR = end_mark(VALUE_BOUNDS)
_EN_STOP = re.compile(r"\b(?:are|is|was|were|will|would|do|does|did|have|has|had|can|could|should|in|of|for|at|on|by)\b")


@lru_cache(maxsize=256)
def counted_nouns(question: Question) -> tuple[str, ...]:
    """What a question with a single "how many" counts, in Chinese: "多少所寄宿制学校" → 寄宿制学校,
    "how many boarding schools are planned" → 寄宿学校 (CC-CEDICT); () for none or several asks."""
    if question.language == "en":
        asks = re.findall(r"\bhow (?:many|much)\b(.*)", question.lowered)
        if len(asks) != 1 or re.search(r"\bhow (?:many|much)\b", asks[0]):
            return ()
        phrase = _EN_STOP.split(asks[0])[0].strip(" ?")
        return tuple(chinese_terms(phrase)) if phrase else ()
    asks = list(re.finditer(HOW_MANY, question.key))
    if len(asks) != 1:
        return ()
    tail = re.sub("^(?:" + UNIT_RE + ")", "", question.key[asks[0].end():])
    after = re.split(r"[的，,。？?；;！!]|吗|呢", tail)[0][:COUNTED_CHARS]
    # Else the thing named before the question word: "寄宿制学校有多少所" → 寄宿制学校.
    head = re.split(r"[的，,。？?；;！!]", question.key[:asks[0].start()])[-1]
    before = re.sub(r"(?:一共|总共|合计|共有|共|有|是|为|达)+$", "", head)[-COUNTED_CHARS:]
    return tuple(noun for noun in (after, before) if len(noun) >= 2)[:1]


def _bigrams(text: str) -> set[str]:
    return {text[i:i + 2] for i in range(len(text) - 1)}


def counted(question: Question, simple: str, found: list[tuple]) -> list[tuple]:
    """Of figures ``(…, start, end)`` in ``simple``, those whose clause names the counted thing best,
    when it tells them apart: "小学17所，寄宿制学校23所" → 23所 for "多少所寄宿制学校"."""
    # Only a count by measure word (所, 个, 座 …) names a thing apart from its unit; 学分 or 元 are the thing.
    # English "how many" with no unit read counts the noun phrase ("how many cloud computers" → 电脑).
    by_measure = (all(u in UNIT_GROUPS[0] for u in question.units) if question.units
                  else question.language == "en")
    nouns = counted_nouns(question) if len(found) > 1 and by_measure else []
    if not nouns:
        return found
    grams = set().union(*(_bigrams(to_simplified(n)) for n in nouns))

    def named(a: int, b: int) -> int:
        left = max((m.end() for m in _SEPARATOR.finditer(simple, 0, a)), default=0)
        right = next((m.start() for m in _SEPARATOR.finditer(simple, b)), len(simple))
        return len(grams & (_bigrams(simple[left:a]) | _bigrams(simple[b:right])))

    scores = [named(f[-2], f[-1]) for f in found]
    if max(scores) == min(scores):
        return found
    return [f for f, s in zip(found, scores) if s == max(scores)]


_RATES = {"每年": r"每年|per year|a year|each year|annual", "每月": r"每月|per month|a month|each month|monthly",
          "每人": r"每人|per person|each person|per capita", "每天": r"每天|每日|per day|a day|daily"}


_ASKS_TOTAL = re.compile(r"一共|总共|加起来|合计|共计|总计|累计|总数|总量|\bin total\b|\baltogether\b|\bin all\b|\bcombined\b|"
                         r"\boverall\b|\btotal\b")
_TOTAL = re.compile(r"合计|共计|总计|累计|总|共")  # what a reply writes before the figure that sums the ones it listed
_CLAUSE_END = re.compile(r"[，。；;：:！!？?]|,(?!\d)")  # a comma between digits is a thousands separator


def asks_total(question: Question) -> bool:
    """The question asks for a total ("加起来有多少", "how much in total")."""
    return _ASKS_TOTAL.search(question.simplified.lower()) is not None


def _asked_rates(question: Question) -> list[str]:
    """The "每X" rates a question names, in Chinese or English."""
    text = question.simplified.lower()
    return [zh for zh, pattern in _RATES.items() if re.search(pattern, text)]


def _term_positions(question: Question, simple: str) -> list[int]:
    """Where the question's topic terms (or their glosses) occur in a Simplified text."""
    lowered = simple.lower()
    positions = []
    for term in question.terms[:ANCHOR_TERMS]:
        words = gloss(term) if is_english_term(term) else {term}
        positions += [m.start() for w in words if w for m in re.finditer(re.escape(w), lowered)]
    return positions


def dates(question: Question, text: str) -> list[str]:
    """For a "when" question, the dates a piece states, as the source writes them (at most two)."""
    return [v.text for v in date_values(question, text)]


def date_values(question: Question, text: str) -> list[Value]:
    """For a "when" question, the dates a piece states with their offsets, the one nearest the asked verb first."""
    if "date" not in question.kinds:
        return []
    simple = to_simplified(text)  # same length as the original: slice the source's own script
    # Anchor on the words beside the question word: "预计什么时候完工" → 预计, 完工.
    asked = question.key
    m = re.search(DATE_ASK, asked)
    near = [t for t in question.terms
            if m and 0 <= asked.find(term_key(t)) and abs(asked.find(term_key(t)) - m.start()) <= DATE_WORD_DISTANCE]
    anchors = _term_positions(replace(question, terms=tuple(near)) if near else question, simple)
    found = sorted((min((abs(m.start() - a) for a in anchors), default=0), m.start(), m.end())
                   for m in DATE.finditer(simple)
                   if re.search(r"\d", m.group(0)) and not stated_in_question(question, m.group(0)))
    out: dict[str, Value] = {}
    for _, a, b in found:
        out.setdefault(text[a:b], Value(text[a:b], (a, b)))
    return list(out.values())[:MAX_DATES]  # the date nearest the question's words first


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


def verdict(question: Question, text: str) -> str:
    """For a yes-no question, the verdict the quoted clause gives ("不能", "没有", "尚未", "支持", No, Yes …);
    "" when it decides none (it only restates the request) or the question is not yes/no (``verdict.py``)."""
    return verdict_text(question, text)


def lead_values(question: Question, text: str) -> list[Value]:
    """What an answer line leads with before quoting ``text``: the verdict, then the asked figures
    (else the dates), each with where ``text`` states it."""
    values = figure_values(question, text) if "quantity" in question.kinds else []
    if question.language == "en":
        values = [replace(v, text=f"{english_figure(v.text)} ({v.text})") if english_figure(v.text) else v
                  for v in values]
    values += date_values(question, text) if not values else []
    found = decide(question, text)
    return ([Value(found.word, found.span)] if found else []) + values


def answer_span(question: Question, text: str) -> tuple[int, int] | None:
    """The span of ``text`` that is the answer: the words deciding a verdict, else the first figure or
    date led with, else a document number asked for; None when the text holds none of these."""
    span = next((v.span for v in lead_values(question, text) if v.span), None)
    if span is None and "doc_number" in question.kinds:
        m = DOC_NUMBER.search(to_simplified(text))
        span = m.span() if m else None
    return span


def frame_head(language: str, reply: Reply) -> dict[str, str]:
    """How an answer frame names and dates a reply: the document number (the formal identifier)
    first, else the reply's label without the date the frame prints itself; a reply that states
    no name at all is just "the reply" (据答复：…, Per reply: …)."""
    label = reply.meta.doc_number or reply_name(reply, dated=False)
    date = reply.meta.date
    _, date_fmt, _, _ = FRAMES[language]
    return {"label": (" " + label if label and language == "en" else label),
            "date": date_fmt.format(date) if date else ""}


# An answer line per language: (frame, date format, lead format, separator between led figures).
FRAMES = {
    "en": ("Per reply{label}{date}: {lead}“{quote}” [{n}]", " ({})", "{} — ", "; "),
    "zh-Hans": ("据答复{label}{date}：{lead}“{quote}”[{n}]", "（{}）", "{}。", "；"),
    "zh-Hant": ("據答覆{label}{date}：{lead}“{quote}”[{n}]", "（{}）", "{}。", "；"),
}
_REFUSALS = {
    "en": "The archive does not answer this question.",
    "zh-Hans": "档案中的答复没有回答这个问题。",
    "zh-Hant": "檔案中的答覆沒有回答這個問題。",
}
_RELATED = {"en": " Related replies: ", "zh-Hans": "相关答复：", "zh-Hant": "相關答覆："}


def cite_line(question: Question, s: Scored, n: int, reply: Reply, more: tuple[tuple[int, Piece], ...] = (),
              lead: str | None = None) -> str:
    """One answer line: the reply named and dated, the figures (or the given ``lead``) first, then the verbatim
    quote(s)."""
    frame, _, lead_fmt, sep = FRAMES[question.language]
    if lead is not None:
        figs = [lead] if lead and lead != s.piece.text else []
    elif question.language == "en":  # the verdict, then the asked figure, date, company, phone or office, glossed
        figs = figures(question, s.piece.text) if "quantity" in question.kinds else []
        figs = english_lead(question, s.piece.text, figs, dates(question, s.piece.text) if not figs else [],
                            english_figure)
        figs = [v for v in (verdict(question, s.piece.text),) if v] + figs
    else:
        figs = [v.text for v in lead_values(question, s.piece.text)]
    line = frame.format(**frame_head(question.language, reply), lead=lead_fmt.format(sep.join(figs)) if figs else "",
                        quote=s.piece.text, n=n)
    space = " " if question.language == "en" else ""
    return line + "".join(f"{space}“{p.text}”{space}[{m}]" for m, p in more)


# What the archive lacks, by the kind of entity the question names (``grounding.py``); {x} is the entity as asked.
_MISSING = {
    "en": {"place": "The archive holds no reply from {x} on this.",
           "person": "The archive holds no reply to {x} on this.",
           "proposal_number": "The archive holds no reply to {x}.",
           "doc_number": "The archive holds no reply numbered {x}.",
           "session": "The archive holds no reply of the {x} on this.",
           "year": "The archive holds no reply on this concerning {x}."},
    "zh-Hans": {"place": "档案中没有{x}关于此事的答复。",
                "person": "档案中没有答复{x}的此类建议或提案。",
                "proposal_number": "档案中没有对{x}建议或提案的答复。",
                "doc_number": "档案中没有文号为{x}的答复。",
                "session": "档案中没有{x}会议关于此事的答复。",
                "year": "档案中没有涉及{x}的此事的答复。"},
}
_MISSING["zh-Hant"] = {"place": "檔案中沒有{x}關於此事的答覆。",
                       "person": "檔案中沒有答覆{x}的此類建議或提案。",
                       "proposal_number": "檔案中沒有對{x}建議或提案的答覆。",
                       "doc_number": "檔案中沒有文號為{x}的答覆。",
                       "session": "檔案中沒有{x}會議關於此事的答覆。",
                       "year": "檔案中沒有涉及{x}的此事的答覆。"}


def refusal_text(question: Question, related: list[Reply], missing: Entity | None = None) -> str:
    """A plain refusal in the question's language, pointing at the nearest replies by their labels.

    With ``missing`` (an entity of the question no candidate reply carries or mentions), the
    refusal says the archive has no such reply, naming the entity as the question wrote it.
    """
    text = _REFUSALS[question.language]
    if missing is not None:
        asked = missing.text
        if missing.kind == "year" and question.language != "en" and not asked.endswith("年"):
            asked += "年"
        if missing.kind == "proposal_number" and question.language == "en":
            noun = re.match(r"(?i)suggestion|proposal|motion|bill", asked)
            asked = f"{noun.group(0).lower() if noun else 'suggestion or proposal'} No. {missing.value}"
        text = _MISSING[question.language][missing.kind].format(x=asked)
    if related:
        sep = "; " if question.language == "en" else "；"
        text += _RELATED[question.language] + sep.join(reply_label(r) for r in related)
    return text
