"""A question that takes an event as done is not answered from a reply that only plans it."""
from __future__ import annotations

import pytest

from replyqa.answer.premise import presupposed, unmet_premise
from replyqa.commitments import extract
from replyqa.question import analyse
from replyqa.records import Reply, ReplyMeta


@pytest.mark.parametrize("question, events", [
    ("永春縣下洋中心小學的週轉宿舍交付後，已有多少名教師入住？", ("交付",)),
    ("安吉县“共享冷库”模式试行以来已整合了多少座冷库？", ("试行",)),
    ("管网改造通过验收后，去年冬天还有管道冻裂吗？", ("验收",)),
    ("Now that the widened village road has opened to traffic, how long did the construction take?",
     ("通车", "开通", "开放", "投用", "投入使用", "启用", "开业")),
    ("After the irrigation district renovation was completed, how much did the irrigated area increase?",
     ("完工", "竣工", "建成", "完成")),
    # a question about what is to happen after the event takes nothing as done
    ("项目建成后由谁管理？", ()),
    ("医养中心扩建后能放几张养老床？", ()),
    ("订单定向医学生毕业以后，要在基层服务多少年？", ()),
    ("What will happen after the road is completed?", ()),
    ("Since 2022, how many square metres of dormitories has Tengchong built?", ()),
])
def test_the_event_a_question_takes_as_done(question, events):
    assert presupposed(analyse(question)) == events


def _reply(text: str) -> Reply:
    return Reply("r", "关于教师周转宿舍的答复", ReplyMeta(signed="2023-07-20"), text, "r.txt")


def _unmet(question, reply: Reply) -> str:
    return unmet_premise(question, reply, extract(reply))


def test_a_premise_the_reply_only_promises_is_unmet():
    question = analyse("下洋中心小学的周转宿舍交付后，已有多少名教师入住？")
    planned = _reply("一、关于周转宿舍\n今年新建教师周转宿舍3栋、共96套,计划2024年8月底前交付使用。\n")
    assert _unmet(question, planned) == "the reply states 交付 only as planned"
    done = _reply("一、关于周转宿舍\n新建教师周转宿舍3栋已于2023年5月交付使用,入住教师80名。\n")
    assert _unmet(question, done) == ""
    # a reply that never names the event cannot be said to plan it only
    assert _unmet(question, _reply("一、关于周转宿舍\n入住教师每月缴纳租金不超过100元。\n")) == ""
    # a question that takes nothing as done is never refused here
    assert _unmet(analyse("周转宿舍计划什么时候交付？"), planned) == ""
