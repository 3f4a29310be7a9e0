"""Questions that count replies: "2024年县教育局答复了几件建议？", "How many replies did the transport bureau
give in 2023?", "哪些答复来自岳阳县？".

They are answered by counting, over the whole archive, the replies whose own facts
(:mod:`replyqa.reply_facts`: office, year, body, level, place, result grade) meet what the question
asks, never by quoting one reply. The answer states the count first ("共3件", "3 replies"), then each
reply counted as a citation of the line that states the fact asked about; a count of zero says so; a
reply that does not state the year or office asked about is not counted, and the answer says how
many were left out and why. The archive tab counts the same facts (``web/archive.py``).
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from .dates import find_dates
from .label import reply_label
from .normalise import normalise
from .question import Question
from .records import Answer, Citation, Reply
from .reply_facts import Criteria, criteria_of, facts_of, judge

# What makes a question a count of replies: the thing counted is a reply (答复, 建议, 提案 or a document's
# measure word 件/份), not a thing a reply talks about ("多少教师", "几个路口").
COUNT_ZH = re.compile(r"(?:几|多少)\s*(?:件|份|篇|个)?\s*(?:答复|答覆|回复|复函|建议|提案)|(?:几|多少)\s*(?:件|份|篇)"
                      r"|(?:答复|答覆|回复)(?:的)?(?:数量|件数|总数)")
LIST_ZH = re.compile(r"哪(?:些|几件|几份|几个|几篇)\s*(?:建议|提案)?\s*(?:的)?\s*(?:答复|答覆|回复|复函)"
                     r"|(?:答复|答覆|回复)(?:有|是)哪(?:些|几件|几份)|答复了哪些(?:建议|提案)|列出.{0,6}(?:答复|答覆)")
COUNT_EN = re.compile(r"\bhow many (?:[a-z'-]+ ){0,3}?(?:replies|answers|responses|proposals|suggestions)\b"
                      r"|\bnumber of (?:replies|proposals|suggestions)\b", re.I)
LIST_EN = re.compile(r"\b(?:which|what) replies\b|\blist (?:the |all )?replies\b", re.I)
MAX_CITED = 20  # hand-set: replies listed with a citation; a longer list is the archive tab's job
FACT_CONTEXT = 40  # hand-set: characters either side of a stated fact quoted as its citation


@dataclass(frozen=True)
class Count:
    """The replies a question counts, and those left out because they do not state what it asks."""

    criteria: Criteria
    counted: tuple[Reply, ...]
    left_out: tuple[tuple[str, tuple[str, ...]], ...]  # (reply_id, the facts it does not state)
    listing: bool  # asked "which replies" rather than "how many"


def is_count_question(q: Question) -> bool:
    """Whether a question counts or lists replies of the archive."""
    if q.language == "en":
        return bool(COUNT_EN.search(q.text) or LIST_EN.search(q.text))
    return bool(COUNT_ZH.search(q.simplified) or LIST_ZH.search(q.simplified))


def count(index, q: Question) -> Count:
    """Count the archive's replies whose own facts meet what ``q`` asks."""
    criteria = criteria_of(q)
    counted, left_out = [], []
    for info in index.reply_infos():
        verdict, missing = judge(criteria, facts_of(info.reply_id, info.meta))
        if verdict:
            counted.append(info.reply_id)
        elif verdict is None:
            left_out.append((info.reply_id, missing))
    replies = tuple(r for r in (index.reply(rid) for rid in counted) if r is not None)
    listing = bool(LIST_EN.search(q.text) if q.language == "en" else LIST_ZH.search(q.simplified))
    ordered = sorted(replies, key=lambda r: (not r.meta.date, r.meta.date, r.source))  # undated last
    return Count(criteria, tuple(ordered), tuple(left_out), listing)


def count_answer(index, q: Question) -> Answer:
    """The answer to a counting question: the count, the replies counted (cited), and those left out."""
    found = count(index, q)
    citations = tuple(c for c in (fact_citation(index, r, found.criteria, n)
                                  for n, r in enumerate(found.counted[:MAX_CITED], 1)) if c is not None)
    lines = [_head(q.language, len(found.counted), found.criteria)]
    for c in citations:
        reply = index.reply(c.chunk.reply_id)
        date = reply.meta.date
        lines.append(f"[{c.n}] {reply_label(reply)}" + (f" ({date})" if date and date not in reply_label(reply) else ""))
    if len(found.counted) > len(citations):
        lines.append(_MORE[q.language].format(n=len(found.counted) - len(citations)))
    if found.left_out:
        lines.append(_left_out_text(q.language, found.left_out))
    return Answer(q.text, "\n".join(lines), citations, False,
                  note=f"counted {len(found.counted)}, left out {len(found.left_out)}")


def fact_citation(index, reply: Reply, c: Criteria, n: int) -> Citation | None:
    """A citation of the line where a counted reply states the fact asked about (its office, date,
    grade, addressee or title), so a reader sees why it was counted."""
    start, end = fact_span(reply, c)
    chunks = index.chunks_of(reply.reply_id)
    chunk = next((k for k in chunks if k.start <= start < k.end), chunks[0] if chunks else None)
    if chunk is None or start >= end:
        return None
    return Citation(n, chunk, reply.text[start:end], start, end)


def fact_span(reply: Reply, c: Criteria) -> tuple[int, int]:
    """Where a reply states the fact a count rests on, widened to its line within ``FACT_CONTEXT``."""
    meta, text = reply.meta, reply.text
    wanted = []
    if c.asks_office or c.places:
        wanted.append(meta.office)
    if c.grade:
        wanted.append(meta.result_grade or meta.reply_class)
    if c.body:
        wanted += list(meta.addressees[:1])
    wanted += [meta.title, meta.office, *meta.addressees[:1], meta.doc_number]
    norm = normalise(text)  # a value is found however the text glosses or converts it ("鎮(zhèn)康縣")
    at = next((span for w in wanted if w and (span := _last(norm, normalise(w).text))), None)
    if c.asks_year or at is None:
        dated = [(a, b) for a, b, iso in find_dates(text) if iso in (meta.signed, meta.published)]
        at = dated[-1] if dated else at
    return _line(text, *(at or (0, 0)))


def _last(norm, needle: str) -> tuple[int, int] | None:
    """The original span of the last occurrence of ``needle`` (an office signs at the end of its reply)."""
    i = norm.text.rfind(needle) if needle else -1
    return norm.span(i, i + len(needle)) if i >= 0 else None


def _line(text: str, start: int, end: int) -> tuple[int, int]:
    """``start:end`` widened to its line, at most ``FACT_CONTEXT`` characters each side, spaces trimmed."""
    lo = max(text.rfind("\n", 0, start) + 1, start - FACT_CONTEXT)
    hi = text.find("\n", end)
    hi = min(len(text) if hi < 0 else hi, end + FACT_CONTEXT)
    while lo < hi and text[lo].isspace():
        lo += 1
    while hi > lo and text[hi - 1].isspace():
        hi -= 1
    return lo, hi


# -- the words of the answer -------------------------------------------------------------------------------
_MORE = {"en": "… and {n} more (the archive tab lists them all)", "zh-Hans": "……另有{n}件（档案页可列出全部）",
         "zh-Hant": "……另有{n}件（檔案頁可列出全部）"}
_FACT_WORDS = {"year": ("年份", "年份", "year"), "office": ("答复单位", "答覆單位", "office")}


def describe(c: Criteria, language: str) -> str:
    """What was counted, in the question's language: "2024年 · 县级 · 教育 · 人大建议"."""
    en = language == "en"
    parts = []
    if c.year_from is not None or c.year_to is not None:
        lo, hi = c.year_from, c.year_to
        if lo == hi:
            parts.append(f"{lo}" if en else f"{lo}年")
        elif hi is None:
            parts.append(f"since {lo}" if en else f"{lo}年以来")
        else:
            parts.append(f"until {hi}" if en and lo is None else f"{lo}–{hi}" if en else
                         f"{hi}年以前" if lo is None else f"{lo}–{hi}年")
    if c.level:
        parts.append(f"level {c.level}" if en else c.level if c.level == "全国" else f"{c.level}级")
    if c.places or c.office_places:
        parts.append(" / ".join(c.office_places + c.places))
    if c.kinds or c.office:
        kinds = " / ".join(c.kinds) or c.office or ""
        parts.append(f"{kinds} office" if en else (c.office or " / ".join(_KIND_ZH.get(k, k) for k in c.kinds)))
    if c.body:
        parts.append({"人大": "NPC suggestions (人大)", "政协": "CPPCC proposals (政协)"}[c.body] if en else
                     {"人大": "人大建议", "政协": "政协提案"}[c.body])
    if c.grade:
        parts.append(f"grade {c.grade}" if en else f"{c.grade}类")
    return " · ".join(parts)


_KIND_ZH = {"education": "教育部门", "transport": "交通部门", "civil affairs": "民政部门", "health": "卫生健康部门",
            "housing": "住建部门", "police": "公安部门", "agriculture": "农业部门", "culture and tourism": "文旅部门",
            "urban management": "城管部门", "sports": "体育部门", "environment": "环保部门",
            "natural resources": "自然资源部门", "water": "水利部门", "finance": "财政部门",
            "development and reform": "发改部门", "human resources": "人社部门", "market regulation": "市场监管部门",
            "emergency": "应急管理部门", "government": "人民政府"}


def _head(language: str, n: int, c: Criteria) -> str:
    scope = describe(c, language)
    if language == "en":
        what = f" ({scope})" if scope else ""
        if n == 0:
            return f"0 replies{what}: none of the archive's replies states these facts."
        return f"{n} {'reply' if n == 1 else 'replies'}{what}, counted from what each reply states about itself:"
    trad = language == "zh-Hant"
    what = f"（{scope}）" if scope else ""
    if n == 0:
        return f"共0件{what}：檔案中沒有符合的答覆。" if trad else f"共0件{what}：档案中没有符合的答复。"
    return f"共{n}件{what}，按各答覆自身寫明的事實統計：" if trad else f"共{n}件{what}，按各答复自身写明的事实统计："


def _left_out_text(language: str, left_out) -> str:
    by_fact: dict[str, int] = {}
    for _, missing in left_out:
        for fact in missing:
            by_fact[fact] = by_fact.get(fact, 0) + 1
    n = len(left_out)
    if language == "en":
        why = " or ".join(f"{_FACT_WORDS[f][2]} ({k})" for f, k in by_fact.items())
        return f"{n} more {'reply was' if n == 1 else 'replies were'} not counted: " \
               f"{'it states' if n == 1 else 'they state'} no {why}."
    i = 1 if language == "zh-Hant" else 0
    why = "、".join(f"{k}件未寫明{_FACT_WORDS[f][i]}" if i else f"{k}件未写明{_FACT_WORDS[f][i]}"
                   for f, k in by_fact.items())
    return f"另有{n}件答覆未計入：{why}。" if i else f"另有{n}件答复未计入：{why}。"

