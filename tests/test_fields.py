"""Questions about a reply itself: which field is asked, and the exact line that states it."""
from __future__ import annotations

import pytest

from replyqa.fields import asked_field, field_answer
from replyqa.parse import parse_reply
from replyqa.question import analyse
from replyqa.read import read_document


@pytest.mark.parametrize("question, field", [
    ("Who proposed the suggestion on reducing the burden of grassroots teachers?", ("proposer", "")),
    ("这件提案是哪位委员提出的？", ("proposer", "")),
    ("黔東南州關於省人大第560號建議的會辦意見是發給哪個單位的？", ("addressees", "")),
    ("Which handling class (类别) was assigned to the reply?", ("reply_class", "")),
    ("这份答复的办复类别是什么？", ("reply_class", "")),
    ("what does class B mean in that reply?", ("class_meaning", "B")),
    ("答复里A类是什么意思？", ("class_meaning", "A")),
    ("这份答复是什么时候签发的？", ("signed", "")),
    ("When was the reply signed?", ("signed", "")),
    ("这份答复的联系人是谁？", ("contact", "")),
    ("中小学教师每年需要多少培训学分？", ("", "")),
    ("When will the road be completed?", ("", "")),
])
def test_the_field_asked(question, field):
    assert asked_field(analyse(question)) == field


def _reply(samples, prefix):
    doc = read_document(next(samples.glob(f"{prefix}_*.txt")))
    return parse_reply(doc.text, doc.source)


@pytest.mark.parametrize("prefix, field, detail, value, line", [
    ("000", "proposer", "", "翟亞丹委員", "翟亞丹委員:"),
    ("020", "addressees", "", "省教育厅", "省教育厅:"),
    ("012", "reply_class", "", "C", "类别:C"),
    ("028", "class_meaning", "B", "所提问题正在解决或已列入工作计划准备解决", "B类——所提问题正在解决或已列入工作计划准备解决;"),
    ("012", "contact", "", None, "联系人:陈西平 联系电话:6822773"),
    ("000", "signed", "", "2025-04-21", "2025年4月21日"),
])
def test_field_answers_quote_the_line_exactly(samples, prefix, field, detail, value, line):
    reply = _reply(samples, prefix)
    found = field_answer(reply, field, detail)
    assert found is not None
    assert reply.text[found.start:found.end] == line
    if value is not None:
        assert found.value == value


def test_a_field_the_reply_lacks_gives_none(samples):
    reply = _reply(samples, "020")  # a 会办意见 without a class or contact line
    assert field_answer(reply, "contact") is None
    assert field_answer(reply, "class_meaning", "B") is None
