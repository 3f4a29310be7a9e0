"""Questions about a reply itself: whom it answers, its class, its date, its contact, its office,
and the handling facts it states (signer, handler, phone, lead and co-handling units, proposing
body, delegation, result grade).

"Who proposed the suggestion on reducing teachers' burden?" is answered by the reply's
addressee line ("翟亞丹委員:"), "which handling class (类别)?" by "类别:C", "what does
class B mean?" by the reply's own note ("B类——所提问题正在解决…"). These facts sit
in the header or the footer, which retrieval by topic rarely ranks first, and the parser
has already found them. The answer quotes the line of the reply that states the value,
so its citation is as exact as any other. The handling facts are quoted from where the
parser found them (``ReplyMeta.spans``); a reply that does not state the one asked for
answers nothing (``HANDLING_FIELDS``: the caller refuses rather than quote a title line).
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from .dates import find_dates
from .normalise import to_simplified
from .question import Question
from .records import Reply

# A field's key asked about ("承办人是谁", "主办单位有哪些？"), not named in a question on the work it did.
_ASKED = r"(?:是|为|叫|有|姓名|名字|名称|[？?]|$)"
# (field, Chinese pattern on the Simplified question, English pattern on the lower-cased question)
_ASKS = (
    ("proposer", r"谁提出|谁提的|由谁提|哪位代表|哪位委员|哪位政协委员|哪位人大代表|哪些(?:政协|人大)?(?:委员|代表)|"
                 r"提案人|建议人|提出人|领衔人|是谁提",
     r"\bwho (?:proposed|raised|submitted|made|put forward|wrote|filed|tabled)\b|\bproposer\b|\bwhose (?:proposal|suggestion)\b|"
     r"\bwhich (?:deputy|member|delegate|representative)\b"),
    ("addressees", r"发给|致送|主送|送给|寄给|答复给|写给|回复给|答复的对象|答复对象|收文单位|收文机关|交给哪|"
                   r"哪个(?:单位|部门|机关)收到",
     r"\baddressed\b|\bsent to\b|\baddressee"),
    ("reply_class", r"办复类别|答复类别|办理类别|类别|[A-D]\d?类还是|属于哪一?类|哪一?类答复|(?:标|定|列|划|归)(?:成|为|入|在)了?哪一?类",
     r"\b(?:handling |reply |response )?(?:class|category)\b(?! [a-d]\d?\b)"),
    ("signed", r"(?:什么时候|何时|哪天|哪一天|什么日期)(?:签发|发出|印发|作出|作的|答复|回复|办复)|"
               r"(?:签发|落款|发文|成文|答复|回复|办复)(?:的)?(?:日期|时间)",
     r"\bwhen was (?:the|this|it|its) (?:reply|answer|response|letter)\b|\bdate of (?:the|this) (?:reply|answer|response)\b|"
     r"\bwhen did (?:the )?[a-z' -]{0,60}\b(?:reply|respond|answer)\b"),
    # the reply's document number, as its header line states it ("高卫体发〔2023〕148号")
    ("doc_number", r"文号|发文字号|发文编号", r"\b(?:document|reference|file) (?:number|no\b)"),
    # before "contact": a question for the number gets the number, not the name and number together
    ("phone", r"联系电话|电话号码|电话是多少|电话多少|打什么电话|办公电话|手机号", r"\b(?:tele)?phone\b|\bnumber to call\b"),
    ("signer", r"签发人|签发领导|领导签发|谁签发|由谁签发|签发的?是谁|哪位领导签|谁签的|谁签字|签字领导",
     r"\bwho signed\b|\bsigner\b|\bsigned (?:off )?by\b|\bwho (?:approved|signed off)\b"),
    ("handler", rf"(?:承办人|经办人|办理人|经手人){_ASKED}|谁承办|谁经办|由谁办理|谁办理|谁负责办理",
     r"\bwho (?:handled|handles|dealt with|processed)\b|\bhandler\b|\bcase officer\b"),
    ("contact", r"联系人|联系方式|找谁联系", r"\bcontact\b"),
    ("office", r"哪个部门答复|哪个单位答复|谁答复|由谁答复|答复单位|承办单位|办理单位|哪个部门办理|哪个单位办理|谁来答复",
     r"\bwhich (?:office|department|agency|bureau|authority) (?:replied|answered|responded|handled|issued)\b|"
     r"\bwho (?:replied|answered|responded)\b"),
    ("lead_unit", rf"(?:主办|牵头)(?:单位|部门|方){_ASKED}|哪个(?:单位|部门)(?:牵头|主办)|谁主办",
     r"\bwhich (?:unit|office|department|agency|bureau|body) (?:led|was the lead|took the lead)\b|"
     r"\blead (?:unit|office|department|agency|bureau)\b|\bled by which\b"),
    ("co_units", rf"(?:协办|会办|分办)(?:单位|部门){_ASKED}|哪些(?:单位|部门)(?:协办|会办|协助|配合|参与)|"
                 r"(?:协助|配合)办理的(?:单位|部门)",
     r"\bwhich (?:units|offices|departments|agencies|bureaus|bodies) (?:assisted|helped|co-handled|cooperated)\b|"
     r"\bco-?handling (?:units?|offices?|departments?)\b|\bco-?units?\b|\bassisting (?:units?|offices?|departments?)\b"),
    ("proposer_org", r"哪个(?:党派|民主党派|组织|团体|界别|社团|协会)|提案单位|提出的?(?:单位|组织|党派|团体)",
     r"\bwhich (?:organi[sz]ation|party|group|association|body|sector|federation) "
     r"(?:proposed|raised|submitted|put forward|tabled|made|filed)\b|\bproposing (?:organi[sz]ation|party|body|group)\b"),
    ("delegation", rf"(?:哪个|哪一?|什么|所属|所在)代表团|来自.{{0,6}}代表团|代表团{_ASKED}",
     r"\b(?:which|what) delegation\b|\bdelegation (?:was|is|did)\b"),
    ("result_grade", r"办理结果|办复结果|答复结果|结果等级", r"\bhandling (?:result|outcome|grade)\b|\bresult grade\b"),
)
# Fields the parser finds with their spans (ReplyMeta.spans); a reply that lacks one asked for is a refusal.
HANDLING_FIELDS = frozenset({"signer", "handler", "phone", "lead_unit", "co_units", "proposer_org", "delegation",
                             "result_grade"})
# "what does class B mean" / "B类是什么意思": the reply's own note on its classes.
_CLASS_MEANING = (r"([A-D]\d?)\s*类[^，,。？?]{0,6}(?:是什么意思|什么意思|啥意思|指什么|指的是什么|含义|代表什么|表示什么|意味着什么)",
                  r"\b(?:class|category|type) ([a-d]\d?)\b[^?]{0,40}\b(?:mean|means|meaning|stand for|stands for|indicate)")


# Words that ask for a field rather than name the reply: left out when checking which reply is meant.
FIELD_WORDS = frozenset("propose proposed proposer raised submitted put forward wrote filed tabled deputy member delegate "
                        "representative addressed sent addressee handling class category classification note attached "
                        "assigned mean doe stand indicate meaning contact phone telephone person date replied answered "
                        "responded issued office department agency bureau authority handled type reply response letter "
                        "提出 提案人 建议人 提出人 领衔人 代表 委员 发给 主送 送给 寄给 写给 回复 答复 对象 类别 办复 办理 "
                        "意思 含义 代表 指什么 联系人 联系 电话 方式 签发 日期 时间 落款 成文 部门 单位 承办 哪位 文号 发文字号 文字 "
                        "所发 reference".split())

# The same for the handling fields, left out only when one of them is asked (the older fields' topic
# words stay as they were fitted on the sample questions).
HANDLING_WORDS = frozenset("signed signer approved handler handled handles dealt processed case officer phone telephone "
                           "number call lead led unit units assisted helped cooperated co organisation organization "
                           "party group association body sector federation proposing delegation result outcome grade "
                           "签发 签发人 领导 签字 承办人 经办人 办理人 经手人 承办 经办 办理 负责 电话 号码 主办 牵头 "
                           "协办 会办 分办 协助 配合 参与 单位 部门 哪些 党派 民主党派 组织 团体 界别 社团 协会 提案 "
                           "提出 代表团 结果 等级 人 谁".split())


def topic_words(field: str) -> frozenset[str]:
    """The question words that ask for ``field`` rather than name the reply."""
    return FIELD_WORDS | HANDLING_WORDS if field in HANDLING_FIELDS else FIELD_WORDS


@dataclass(frozen=True)
class FieldAnswer:
    """The value asked for and the exact span of the reply that states it."""

    field: str
    value: str
    start: int
    end: int


# Compiled once: asked_field runs for every question, and these patterns would crowd re's own cache.
_CLASS_MEANING_RE = tuple(re.compile(p) for p in _CLASS_MEANING)
_ASKS_RE = tuple((field, re.compile(zh), re.compile(en)) for field, zh, en in _ASKS)


def asked_field(question: Question) -> tuple[str, str]:
    """(field, detail) for a question about a reply itself, e.g. ("proposer", ""), ("class_meaning", "B")."""
    simple, lowered = question.simplified, question.lowered
    for pattern, text in zip(_CLASS_MEANING_RE, (simple, lowered)):
        m = pattern.search(text)
        if m:
            return "class_meaning", m.group(1).upper()
    for field, zh, en in _ASKS_RE:
        if zh.search(simple) or en.search(lowered):
            return field, ""
    return "", ""


def _value(reply: Reply, field: str) -> str:
    meta = reply.meta
    if field in ("proposer", "addressees"):
        return "、".join(meta.addressees)
    return getattr(meta, field, "") or ""


LINE_LIMIT = 80  # hand-set: a header or footer line stating a field is short; longer, quote the value alone
NOTE_LIMIT = 120  # hand-set: a class note ("B类——所提问题正在解决…") runs longer than a field line
NEAR_LABEL = 4  # hand-set: a value this close after its label ("类别：C") belongs to it


def _line_span(text: str, start: int, end: int, limit: int = LINE_LIMIT) -> tuple[int, int]:
    """The line holding ``text[start:end]``, when it is short; else the value alone."""
    a = text.rfind("\n", 0, start) + 1
    b = text.find("\n", end)
    b = len(text) if b == -1 else b
    while a < start and text[a].isspace():
        a += 1
    while b > end and text[b - 1].isspace():
        b -= 1
    return (a, b) if b - a <= limit else (start, end)


def _find(simple: str, value: str, near: str = "") -> tuple[int, int] | None:
    """The span of ``value`` in a reply's Simplified copy (same offsets as the original), preferring ``near``."""
    target = to_simplified(value)
    if near:
        m = re.search(near, simple)
        if m:
            at = simple.find(target, m.start())
            if at != -1 and at - m.end() <= NEAR_LABEL:
                return at, at + len(target)
    at = simple.find(target)
    return None if at == -1 else (at, at + len(target))


def field_answer(reply: Reply, field: str, detail: str = "") -> FieldAnswer | None:
    """The answer to a question about ``reply`` itself, or None when the reply does not state it."""
    if field in HANDLING_FIELDS:
        return _handling_answer(reply, field)
    simple = to_simplified(reply.text)
    if field == "class_meaning":
        m = re.search(rf"(?<![A-Za-z]){re.escape(detail)}\s*类\s*[—\-－:：]+\s*([^;；。\n]+)", simple)
        if not m:
            return None
        a, b = _line_span(reply.text, m.start(), m.end(), limit=NOTE_LIMIT)
        return FieldAnswer(field, reply.text[m.start(1):m.end(1)].strip(), a, b)
    value = _value(reply, field)
    if field == "contact":  # the parsed value joins name and number; quote the (last) line that gives them
        found = list(re.finditer(r"联系人|联系电话|联系方式|经办人", simple))
        if not found:
            return None
        a, b = _line_span(reply.text, found[-1].start(), found[-1].end())
        return FieldAnswer(field, value or reply.text[a:b], a, b)
    if not value:
        return None
    if field == "proposer" and _OFFICE_END.search(reply.meta.addressees[0]):
        # a co-handling opinion (会办意见) is addressed to the lead office; the proposer is who "提出" the proposal
        m = _PROPOSED_BY.search(simple)
        if m is None:
            return None
        a, b = _line_span(reply.text, m.start(1), m.end(1))
        return FieldAnswer(field, reply.text[m.start(1):m.end(1)], a, b)
    if field in ("proposer", "addressees"):
        span = _find(simple, reply.meta.addressees[0])
    elif field == "reply_class":
        span = _find(simple, value, r"类别|办复类|答复类")
        if span is None:
            m = re.search(rf"(?<![A-Za-z]){re.escape(value)}\s*类", simple)
            span = (m.start(), m.end()) if m else None
    elif field == "signed":
        span = _date_span(reply, value)
    else:
        span = _find(simple, value)
    if span is None:
        return None
    a, b = _line_span(reply.text, *span)
    return FieldAnswer(field, value, a, b)


# An addressee that is an office, not a person; and a proposer named as the one who proposed ("由吴秀兰委员提出的").
_OFFICE_END = re.compile(r"(?:局|委|办|厅|部|府|中心|公司|院|会|室|所|站|处|科)[:：]?$")
_PROPOSED_BY = re.compile(r"由?([\u4e00-\u9fff·]{2,4}(?:等\d*[位名])?(?:委员|代表))们?(?:联名)?(?:提出|所提)的")


def _date_span(reply: Reply, iso: str) -> tuple[int, int] | None:
    """Where a reply writes the date its metadata parsed (the last place, where replies sign)."""
    found = [(start, end) for start, end, day in find_dates(reply.text) if day == iso]
    return found[-1] if found else None


SENTENCE_ENDS = "。！？；!?;\n"  # where the statement of a field starts when its line is too long to quote
QUOTE_TRIM = " \t\u3000|"  # table bars and spaces before a statement are layout, not part of it


def _statement_span(text: str, start: int, end: int, limit: int = NOTE_LIMIT) -> tuple[int, int]:
    """The line holding ``text[start:end]`` when short; else from its sentence's start to the value's
    end (the key that introduces it, "联系电话:3221671"); else the value alone."""
    a, b = _line_span(text, start, end)
    if (a, b) != (start, end):
        return a, b
    a = max(text.rfind(c, 0, start) for c in SENTENCE_ENDS) + 1
    while a < start and text[a] in QUOTE_TRIM:
        a += 1
    return (a, end) if end - a <= limit else (start, end)


def _handling_answer(reply: Reply, field: str) -> FieldAnswer | None:
    """A handling field, quoted from where the parser found it; a grade comes with its meaning."""
    meta = reply.meta
    spans = meta.spans_of(field)
    if not spans:
        return None
    if field == "co_units":
        value = "、".join(meta.co_units)
        start, end = spans[0][0], spans[-1][1]
    else:
        value = getattr(meta, field)
        start, end = spans[0]
    if field == "result_grade" and meta.result_meaning:
        value = f"{value}（{meta.result_meaning}）"
    a, b = _statement_span(reply.text, start, end)
    return FieldAnswer(field, value, a, b)
