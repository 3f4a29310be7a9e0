"""Commitments: what a reply promises to do, by when, and on what condition (the staff's ledger).

A commitment is a statement that the replying office, or the government it speaks for, *will* do
something: "计划2024年年底开工建设", "下一步将继续积极向上级争取项目和资金", "待项目资金下达之后我局立即
对…进行拓宽". Staff follow them into the next year (回头看) and citizens chase the dated ones.
:func:`extract` reads them from a reply's body by rule, with no model, in a few milliseconds:

1. the body (opening, numbered sections, closing; not the header, signature or contact block) is cut
   into sentences, sentences into ；-segments, segments into clauses at commas;
2. each clause is read for a *promise word* (将 as the future, not as 把; 计划 as a verb; 拟, 准备,
   力争, 即将, 纳入…规划), a *lead* (下一步, 今后 at its start), a *time* (:func:`replyqa.dates.periods`),
   a *condition* (待…后, 如能…, 条件成熟时, 项目批准后), and for what rules it out: past or current
   work (已, 正在, 截至, 以来, a year before the reply's), a request to the proposer (敬请反馈);
3. clauses are grouped into items: a new item starts where a new time, condition, lead or subject
   with its own promise word does, so "计划2024年年底开工建设,2026年下半年完工" gives two;
4. an item is kept when it promises: a promise word, a weak one (争取, 确保, 继续, 预计) with a time
   not before the reply's, a time in a later year, or a condition followed by what the office will do.

The due day is the last day of the stated period, resolved against the reply's date (signed, else
published). Every quote is an exact slice of ``reply.text`` (Traditional and glosses kept), found by
matching on the Simplified form and mapping offsets back (:mod:`replyqa.normalise`).
"""
from __future__ import annotations

import re
from bisect import bisect_left
from dataclasses import dataclass, field
from datetime import date
from typing import Literal

from .dates import Period, anchor_date, periods
from .normalise import Normalised, normalise
from .records import Reply
from .template import CONTACT, HEADER, SALUTATION, SIGNATURE
from .text import Marks, spans

# Bump when extraction changes: stored commitments are then extracted again.
EXTRACTOR_VERSION = 1

Status = Literal["open", "overdue", "undated"]
STATUSES: tuple[str, ...] = ("open", "overdue", "undated")
SKIPPED_PARTS = frozenset({HEADER, SALUTATION, SIGNATURE, CONTACT})  # where no promise is written

SENTENCES = Marks("。!?", lines=True)  # the matching form: ！？ are half-width there
SEGMENTS = Marks(";", single=True)
_OPEN, _CLOSE = "(《“「[", ")》”」]"

# 将 as the future is followed by a verb or an adverb; 将 as 把 by the thing it moves ("将…问题报市政府").
# The words an office writes after a future 将 (hand-set from the genre, GENRE.md): effects such as
# "将极大的提高", "将得到改善" are not in it, since they promise no act of the office.
_FUTURE_NEXT = ("要|会|于|在|从|对|把|以|按|根据|依据|依照|结合|通过|围绕|继续|进一步|积极|全力|加强|加快|加大|持续|不断|"
                "大力|认真|切实|严格|尽快|尽早|及时|适时|逐步|着力|重点|优先|主动|努力|力争|争取|统筹|协调|配合|组织|开展|"
                "推进|推动|实施|启动|建设|建立|健全|完善|制定|出台|编制|开工|完成|实现|投入|安排|落实|做好|研究|考虑|建议|"
                "会同|联合|督促|指导|合理|适当|着手|抓紧|全面|深入|采取|采纳|吸纳|提请|上报|报请|申报|邀请|联系|跟踪|加以|"
                "予以|给予|向|与|同|为|由|进行|开通|增设|新建|改造|修建|硬化|拓宽|维修|解决|多方|及早|尽力|密切|一如既往|"
                "始终|坚持|再|另行|择机|视|按照|依法|开设|设立|增加|扩大|提升|优化|强化|整合|规范|对接|争创|谋划|筹建|"
                "筹措|筹集|申请|协助|督查|核实|调研|论证|做|抓|把握|立即|马上|随即|立刻|即|着重|专门|定期|逐一|力求|"
                "高度|坚决|依规|按期|如期|按时|限期|第一时间|同步|分步|分批|分阶段|有序|稳步|加紧|重新|另|择优|统一|共同|"
                "投资|出资|补助|协调|沟通|调整|更换|安装|设置|配置|配备|提供|举办|召开|竣工|加固|疏通|整治|治理|清理|修复|"
                "修缮|改建|扩建|建成|完工|复工|推行|试点|探索|加速|深化|细化|简化|压减|减少|降低|保障|保持|巩固|拓展|延伸|"
                "培训|宣传|引导|鼓励|支持|帮助|指派|派出|安排|牵头|负责|协同|尽全力|尽最大努力")
PROMISE = re.compile(
    rf"(?<![即必])将(?:{_FUTURE_NEXT})|即将|打算|(?<!努)力争"
    # 计划 as a verb: not a plan's name (建设计划, 年初计划, 工作计划中, 计划单列市)
    r"|(?<![设动作务初度展资目达体项期五划入该此本的总原定订报发专化])计划(?![中内的,;。:》”)书表单外和]|$)"
    r"|规划(?=新建|新增)(?![^,;。]{0,8}的)"
    r"|(?<![草模虚比])拟(?![定人稿])|(?<![做好的])准备(?!工作|情况|阶段)"
    r"|(?:我们|我局|我委|我办|我厅|我部|我单位|本局|本单位)(?:也|还|都|一定)?会(?!同|议|商|签|办|上|后|计|员|场|所|长)")
# Words that promise only with a time not before the reply's: "2025年,争取…", "预计2019年完工".
# Being put into a plan (纳入…规划) promises what the plan's period says: "已纳入十四五规划" is due by 2025.
WEAK = re.compile(r"争取|确保|继续|持续|预计|尽快|尽早|适时|择机|逐年|(?:纳入|列入|列为)[^,;。]{0,16}?(?:计划|规划|项目库)")
LEAD = re.compile(r"^(?:在|同时|并|此外)?(?:下一步|下步|下阶段|下一阶段|今后|以后|将来|未来|后续|接下来|近期)")
# Past and current work: done (已, 了), under way (正在, 目前), counted up to now (截至, 累计).
PAST = re.compile(r"已经|已(?!于?(?:纳入|列入)|将[^,;。]{1,24}?(?:纳入|列入))|曾经|先后|累计|截至|截止|此前|去年|前年|上年|往年|(?<![为除])了(?!解)"
                  r"|正在|目前|现已|当前|近年来|近几年|多年来|一直以来|历年")
REQUEST = re.compile(r"^(?:请|敬请|还请|烦请|恳请|诚请|望|希望|欢迎)|请您|请你|请于|请填")
# The proposer's words reported before a promise word: "您建议我局将…", "代表提出将…" (but not "根据代表建议,将…").
ASKED = re.compile(r"(?<!按照)(?<!根据)(?<!结合)(?<!针对)(?<!采纳)(?<!吸纳)(?:您|你们|你|代表|委员)[^,;。]{0,6}"
                   r"(?:建议|提出|希望|要求|呼吁)")
NEED = re.compile(r"需要|需|必须|有待|应当|应该|亟需|急需|暂不具备|不具备|无法")
# A stated precondition: 待…后, 等…后, 如能…, 条件成熟时, and "X批准后" (an event's verb, then 后).
CONDITION = re.compile(
    r"待[^,;。]{1,30}?(?:之后|以后|后|时)|待[^,;。]{2,30}?(?=[,;。]|$)|^\s*(?:等到|等)[^,;。]{1,30}?(?:之后|以后|后|时)"
    r"|(?:如能|如果|如有|若能|若有|倘若|假如|一旦|如获|若获|只要)[^,;。]{1,30}?(?:的话|之后|以后|后|时|$|(?=[,;。]))"
    r"|在[^,;。]{1,20}?(?:的情况下|的前提下|之后|以后|(?<!以)后)"
    r"|(?:条件|时机)(?:成熟|具备|允许)(?:时|后|的情况下)?"
    r"|[^,;。]{1,20}?(?:批准|批复|下达|到位|审批|立项|落实|明确|同意|验收|竣工|建成|成熟|出台)[^,;。]{0,4}?(?:之后|以后|后)")
# After a condition, what makes the rest the office's own act: its name, or doing it at once.
OFFICE_ACT = re.compile(r"我局|我们|我委|我办|我厅|我部|我单位|本局|我县|我市|我区|我州|立即|马上|即刻|随即|第一时间|优先|及时")
CONNECTIVES = re.compile(r"^(?:同时|并且|并|也|还|都|均|再|另外|此外|而且|且|就|亦|然后|随后|现|)")


@dataclass(frozen=True)
class Commitment:
    """One promise of a reply: the exact quote, its due day and its condition.

    ``quote == reply.text[start:end]``. ``due`` is the last day of the stated period (ISO), or None
    when no time is stated or a relative one cannot be resolved; ``note`` then says which.
    """

    reply_id: str
    source: str
    quote: str
    start: int
    end: int
    due: str | None
    due_text: str  # the words that state the time, "" when none
    condition: str  # the stated precondition, verbatim, "" when none
    note: str = ""

    def status(self, today: date | str) -> Status:
        """``open`` while due ≥ today, ``overdue`` after, ``undated`` without a due day."""
        if self.due is None:
            return "undated"
        day = today.isoformat() if isinstance(today, date) else today
        return "open" if self.due >= day else "overdue"


@dataclass(frozen=True)
class Clause:
    """What one clause says, in offsets of the matching form."""

    start: int
    end: int
    promise: int | None  # where a promise word starts
    weak: bool
    lead: bool
    time: Period | None
    condition: tuple[int, int] | None
    acts_after_condition: bool  # the clause goes on past its condition: "待…之后我局立即…"
    office_act: bool
    past: bool
    request: bool
    own_subject: bool  # words of its own before the promise word ("我局将…", not ",将继续…")


@dataclass
class _Item:
    """Clauses grouped into one promise while a segment is read."""

    clauses: list[Clause] = field(default_factory=list)
    time: Period | None = None

    @property
    def promised(self) -> bool:
        """It states an act already ("将…", "待…后实施")."""
        return any(c.promise is not None or c.acts_after_condition for c in self.clauses)

    @property
    def committed(self) -> bool:
        """It promises already, a weak word with its time included ("已纳入十四五规划")."""
        return self.promised or (self.time is not None and any(c.weak for c in self.clauses))

    @property
    def start(self) -> int:
        return self.clauses[0].start

    @property
    def end(self) -> int:
        return self.clauses[-1].end


def extract(reply: Reply) -> tuple[Commitment, ...]:
    """Every commitment a reply states, in reading order."""
    norm = normalise(reply.text)
    anchor = anchor_date(reply.meta.date)
    found: list[Commitment] = []
    for a, b in _body_ranges(reply, norm):
        for s, e in spans(norm.text, SENTENCES, a, b):
            found += [_commitment(reply, norm, item, time, anchor)
                      for item, time in _sentence_items(norm.text, s, e, anchor)]
    return tuple(found)


def _body_ranges(reply: Reply, norm: Normalised) -> list[tuple[int, int]]:
    """The parts of the matching form that may hold promises: every section but header, salutation,
    signature and contact block (a reply parsed without sections is read whole)."""
    if not reply.sections:
        return [(0, len(norm.text))]
    ranges = []
    for s in reply.sections:
        if s.path[:1] and s.path[0] in SKIPPED_PARTS:
            continue
        a, b = bisect_left(norm.origin, s.start), bisect_left(norm.origin, s.end)
        if ranges and ranges[-1][1] == a:
            ranges[-1] = (ranges[-1][0], b)
        elif b > a:
            ranges.append((a, b))
    return ranges


def _split(text: str, start: int, end: int, marks: str) -> list[tuple[int, int]]:
    """``text[start:end]`` cut after each of ``marks`` outside brackets and quotes."""
    out, depth, at = [], 0, start
    for i in range(start, end):
        ch = text[i]
        if ch in _OPEN:
            depth += 1
        elif ch in _CLOSE:
            depth = max(0, depth - 1)
        elif ch in marks and depth == 0:
            out.append((at, i + 1))
            at = i + 1
    if at < end:
        out.append((at, end))
    return [(a, b) for a, b in out if text[a:b].strip(" ,:;。\n")]


def _quoted(body: str, at: int) -> bool:
    """Whether ``at`` lies inside 《…》 or “…”: a title or the proposal's own words ("《关于将…的建议》")."""
    return any(body.rfind(o, 0, at) > body.rfind(c, 0, at) for o, c in ("《》", "“”"))


def _in_title(text: str, at: int, start: int) -> bool:
    """Whether ``at`` lies inside 《…》: a document's name, whose years are no due dates."""
    return text.rfind("《", start, at) > text.rfind("》", start, at)


def _future(p: Period, anchor: date | None) -> bool:
    """A stated time not before the reply was written (any time, when the reply has no date)."""
    return p.kind == "time" and (anchor is None or p.due is None or p.due >= anchor.isoformat())


def _later(p: Period, anchor: date | None, text: str) -> bool:
    """A time that promises by itself: a later year than the reply's, or a deadline (年底前, 年内, 6月10日前)."""
    if p.kind != "time" or p.due is None or anchor is None:
        return False
    return int(p.due[:4]) > anchor.year or bool(re.search(r"前|年内|年底", text[p.start:p.end]))


def _read(text: str, a: int, b: int, times: list[Period], anchor: date | None) -> Clause:
    """One clause read for its promise word, lead, time, condition and what rules it out."""
    body = text[a:b].rstrip(",:;。 \n")
    b = a + len(body)
    promise_m = next((m for m in PROMISE.finditer(body) if not _quoted(body, m.start())), None)
    if promise_m and (NEED.search(body, 0, promise_m.start()) or ASKED.search(body, 0, promise_m.start())):
        promise_m = None  # "需争取国家项目资金", "您建议我局将…": what is needed or asked, not what the office will do
    own = promise_m is not None and len(CONNECTIVES.sub("", body[:promise_m.start()].strip())) >= 2
    time = next((p for p in times if a <= p.start < b and p.kind == "time" and not _in_title(text, p.start, a)), None)
    # past or current work: a marker (已, 正在, 截至 …), a starting point (以来) or a year before the reply's
    stated_past = any(a <= p.start < b and (p.kind == "since" or p.kind == "time" and p.explicit_year
                                            and not _future(p, anchor)) for p in times)
    past = bool(PAST.search(body) or stated_past) and promise_m is None
    condition, acts, office_act = _condition(body, a)
    return Clause(a, b, a + promise_m.start() if promise_m else None, bool(WEAK.search(body)),
                  bool(LEAD.match(body.strip())), time, condition, acts, office_act, past,
                  bool(REQUEST.search(body.strip())), own)


def _condition(body: str, a: int) -> tuple[tuple[int, int] | None, bool, bool]:
    """A clause's condition (its span at offset ``a``), whether the clause goes on to an act after it, and
    whether that act is the office's own ("待…之后我局立即…"). A request's "如有意见" is no condition."""
    m = CONDITION.search(body)
    if m is None or REQUEST.search(body):
        return None, False, False
    rest = body[m.end():]
    acts = bool(rest.strip(" ,")) and not re.match(r"\s*(?:将(?:得到|极大|大大|有效|明显)|,)", rest)  # an effect is no act
    return (a + m.start(), a + m.end()), acts, bool(OFFICE_ACT.search(rest))


def _starts_new(item: _Item, c: Clause) -> bool:
    """Whether a clause opens a promise of its own rather than going on with ``item``'s."""
    if (c.condition is not None or c.lead) and item.committed:
        return True  # a condition or a lead after a whole promise opens the next one
    if c.time is not None and item.time is not None:
        return True
    return c.promise is not None and item.promised and c.own_subject


def _segment_items(text: str, a: int, b: int, times: list[Period], anchor: date | None) -> list[_Item]:
    """The candidate items of one ；-segment, before deciding which promise."""
    items: list[_Item] = []
    current: _Item | None = None
    for ca, cb in _split(text, a, b, ",:"):
        c = _read(text, ca, cb, times, anchor)
        if c.request or (c.past and c.promise is None):
            current = None  # past work and requests end a promise; they open none
            continue
        opens = c.promise is not None or c.lead or c.time is not None or c.condition is not None or c.weak
        if current is None or _starts_new(current, c):
            if not opens:
                continue
            current = _Item()
            items.append(current)
        current.clauses.append(c)
        if current.time is None and c.time is not None:
            current.time = c.time
    return items


def _keeps(item: _Item, text: str, anchor: date | None, promised_nearby: bool) -> bool:
    """Whether a candidate item is a promise (see the module's step 4)."""
    if any(c.promise is not None for c in item.clauses):
        return True
    time = item.time
    if time is not None and _future(time, anchor) and any(c.weak for c in item.clauses):
        return True
    if time is not None and _later(time, anchor, text):
        return True
    acting = [c for c in item.clauses if c.acts_after_condition]
    if acting:
        c = acting[0]
        needs = NEED.search(text, item.start, c.condition[0])  # "需…论证,报…同意后再进行改造" is a need
        waits = text.startswith("待", c.condition[0])  # "待省厅终审后实施": the office waits, then acts
        return not needs and (promised_nearby or c.office_act or waits)
    return False


def _sentence_items(text: str, s: int, e: int, anchor: date | None) -> list[tuple[_Item, Period | None]]:
    """The promises of one sentence, each with its time. A time that opens a promising sentence
    ("2025年,争取…;安排…") is also the time of its later ；-segments that state no time, past work or
    request of their own: they list that year's tasks."""
    times = [p for p in periods(text[:e], anchor) if p.start >= s]
    kept: list[tuple[_Item, Period | None]] = []
    opening: Period | None = None
    for i, (a, b) in enumerate(_split(text, s, e, ";")):
        items = _segment_items(text, a, b, times, anchor)
        strong = [it for it in items if _keeps(it, text, anchor, False)]
        ours = [(it, it.time) for it in items if it in strong or _keeps(it, text, anchor, bool(strong or kept))]
        if not ours and opening is not None and _plain(text, a, b, times, anchor):
            ours = [(_Item([_read(text, a, b, times, anchor)]), opening)]
        kept += ours
        if i == 0 and kept and items and kept[0][0] is items[0] and _opens_with_time(text, items[0]):
            opening = items[0].time
    return kept


def _opens_with_time(text: str, item: _Item) -> bool:
    """Whether an item's first clause starts with its time ("2025年,…")."""
    first = item.clauses[0]
    return first.time is not None and not text[first.start:first.time.start].strip()


def _plain(text: str, a: int, b: int, times: list[Period], anchor: date | None) -> bool:
    """A ；-segment of a listed year's tasks: no past work, request or time of its own."""
    clauses = [_read(text, ca, cb, times, anchor) for ca, cb in _split(text, a, b, ",:")]
    return bool(clauses) and not any(c.past or c.request or c.time for c in clauses)


def _first_run(item: _Item) -> list[tuple[int, int]]:
    """The first conditions of adjacent clauses ("如能进入自然村规划,等政策启动后"): one condition, verbatim."""
    run: list[tuple[int, int]] = []
    for c in item.clauses:
        if c.condition is not None:
            run.append(c.condition)
        elif run:
            break
    return run


def _commitment(reply: Reply, norm: Normalised, item: _Item, time: Period | None, anchor: date | None) -> Commitment:
    """The record of one item, its offsets mapped back to the reply's text."""
    start, end = norm.span(item.start, item.end)
    due_text, note = "", ""
    if time is not None:
        ts, te = norm.span(time.start, time.end)
        due_text = reply.text[ts:te]
        if time.due is None:
            note = f"{due_text} is relative and the reply states no date to resolve it against"
    condition = ""
    run = _first_run(item)
    if run:
        cs, ce = norm.span(run[0][0], run[-1][1])
        condition = reply.text[cs:ce]
    return Commitment(reply.reply_id, reply.source, reply.text[start:end], start, end,
                      time.due if time is not None else None, due_text, condition, note)
