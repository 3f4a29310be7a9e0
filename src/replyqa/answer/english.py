"""English answers carry the fact: the evidence sentence is quoted, not the reply's title or addressee line,
and the frame leads with the asked figure, date, office, company or phone number, glossed where needed.

Header chunks enter the candidates for questions of the ``HEADER_KINDS`` (``pieces.header_hits``); an
English question of no particular kind is one of them, and its glossed words often match the title
best. :func:`quotable` leaves the reply's head and sign-off lines out of what may be quoted, unless the
question asks for what such a line states (a document number, who proposed, when the reply was made), or
the opening itself states the value asked ("并于6月15日与您面商,现答复如下").
:func:`english_lead` renders what the frame leads with.
"""
from __future__ import annotations

import re

from ..language import strip_glosses
from ..normalise import match_key, to_simplified
from ..question import Question
from ..records import Reply
from .pieces import PIECES, Piece
from .score import Scored
from .value import OFFICE, PERSON, asked_values, missing_value, value_spans

# What an English question asks that a head or sign-off line states: its number, class, title, date or addressee.
_ASKS_HEAD = re.compile(r"\bdocument number\b|\breference number\b|\bfile number\b|\bclass\b|\bcategory\b|\btitle\b|"
                        r"\bindex number\b|\bwho (?:proposed|raised|submitted|put forward|made|wrote|signed|sent)\b|"
                        r"\baddress(?:ed|ee)\b|\bto whom\b|\bwhen was (?:the|this|that) reply\b|\bwhen did .* reply\b|"
                        r"\b(?:date|day) of the reply\b|\bwhich (?:deputy|deputies|member|members|delegate)\b")
# The opening that acknowledges the proposal and the closing courtesies: they restate, never answer.
_COURTESY = re.compile(r"收悉|现答复如下|现将.{0,20}答复如下|感谢(?:您|你)|此致|敬礼")
_BARE_DATE = re.compile(r"[\d\s年月日〇零一二三四五六七八九十\-/.]+")


def head_end(reply: Reply) -> int:
    """Where a reply's head ends: after its addressee line, else its document number or title line (0 if none is
    found where header chunks are looked for, ``PieceConfig.header_chars``)."""
    text, meta = reply.text, reply.meta
    end = 0
    for value in (*meta.addressees, meta.doc_number, meta.title or reply.title):
        at = text.find(value) if value else -1
        if 0 <= at < PIECES.header_chars:  # a head line, not the same words quoted in the body
            line_end = text.find("\n", at + len(value))
            end = max(end, line_end if line_end >= 0 else at + len(value))
    return end


def is_head_line(piece: Piece, reply: Reply) -> bool:
    """The piece is a title, number, addressee or site line of the head, the acknowledging opening or a closing
    courtesy, or a bare date or the office signing."""
    if piece.start < head_end(reply):
        return True
    bare = match_key(piece.text).strip(":：,，。 ")
    simple = to_simplified(piece.text).strip()
    return (bool(_BARE_DATE.fullmatch(simple)) or bool(bare and bare == match_key(reply.meta.office))
            or bool(_COURTESY.search(simple)))


def asks_head(q: Question) -> bool:
    """The question asks what a head or sign-off line states: a number, class, title, addressee or the reply's date."""
    if _ASKS_HEAD.search(q.lowered):
        return True
    return any(a.kind == "date" and a.of_reply for a in asked_values(q))


def quotable(q: Question, scored: list[Scored], replies: dict[str, Reply]) -> list[Scored]:
    """The pieces an answer may quote: for an English question, those outside the reply's head and sign-off
    unless it asks what such a line states (all of them when nothing else is left)."""
    if q.language != "en" or asks_head(q):
        return scored
    body = [s for s in scored if not is_head_line(s.piece, replies[s.piece.reply_id])
            or is_stating_opening(q, s.piece)]
    return body or scored


def is_stating_opening(q: Question, piece: Piece) -> bool:
    """An opening that states the value asked for, near the words asking it, as well as acknowledging: "经局领导班子
    会议研究,并于6月15日与您面商,现答复如下" says when the bureau met the deputy."""
    return bool(_COURTESY.search(to_simplified(piece.text))) and bool(asked_values(q)) and not missing_value(q, piece.text)


_MONTHS = ("January February March April May June July August September October November December").split()
_PARTS = (("上半年", "the first half of {}"), ("下半年", "the second half of {}"), ("年底|年末|底", "the end of {}"),
          ("年初|初", "the start of {}"), ("年内|内", "within {}"))


def english_date(source: str) -> str:
    """An English rendering of a source date: "2025年5月8日" → "8 May 2025", "2024年年底" → "the end of 2024"."""
    simple = to_simplified(source)
    m = re.fullmatch(r"\s*(\d{4})\s*年\s*(?:(\d{1,2})\s*月\s*(?:(\d{1,2})\s*日)?)?(.*)", simple) or \
        re.fullmatch(r"\s*(\d{4})-(\d{2})-(\d{2})()", simple)
    if not m:
        return ""
    year, month, day, rest = m.groups()
    if month and 1 <= int(month) <= 12:
        text = (f"{int(day)} " if day else "") + f"{_MONTHS[int(month) - 1]} {year}"
        return f"the end of {text}" if re.match(r"底", rest or "") else text
    for pattern, fmt in _PARTS:
        if rest and re.match(pattern, rest):
            return fmt.format(year)
    return year


def _glossed(source: str, english: str) -> str:
    return f"{english} ({source})" if english and english != source else source


def english_lead(q: Question, text: str, figs: list[str], found_dates: list[str], gloss_figure) -> list[str]:
    """What an English answer line leads with: the asked figures (``figs``, glossed by ``gloss_figure``) or dates
    glossed, or the asked company, phone number, office or place as the reply writes it (the frame adds the
    verdict)."""
    if figs:
        return [_glossed(f, gloss_figure(f)) for f in figs]
    if found_dates:
        return [_glossed(d, english_date(d)) for d in found_dates]
    simple = to_simplified(text)
    for a in asked_values(q):
        if a.kind in ("company", "phone"):
            spans = value_spans(a, simple)
            if spans:
                return [strip_glosses(text[s:e]) for s, e in spans[:1]]
    if _ASKS_WHO.match(q.lowered):
        return _who(text, simple)
    if "place" in q.kinds:
        m = _LOCATED.search(simple)
        return [strip_glosses(text[m.start(1):m.end(1)])] if m else []
    return []


# A question that asks who (not one that mentions who, as "What post does Liu Quan, who led…").
_ASKS_WHO = re.compile(r"^(?:who\b|which (?:department|office|unit|body|bodies|departments|agency|bureau)\b)")
# Where a sentence says a thing is: "该项目位于白塔卫生院老院区," → 白塔卫生院老院区 (up to the clause's end).
_LOCATED = re.compile(r"(?:位于|地处|坐落于|坐落在|选址于|选址在)([^,，。；;：:]{2,30})")
RESTATED_SLACK = 6  # as answer/__init__: a line this little longer than the value states it already, unled


def _who(text: str, simple: str) -> list[str]:
    """The person or office a "who"/"which department" question asks for: the first one the sentence names."""
    for pattern in (PERSON, OFFICE):
        m = pattern.search(simple)
        if m and len(text.strip()) > len(m.group(0)) + RESTATED_SLACK:
            return [strip_glosses(text[m.start():m.end()])]
    return []

