"""Yes/no verdicts from the words that decide them: negation and modality markers, restated requests,
Traditional script, the deciding sentence among the candidates."""
from __future__ import annotations

import pytest

from replyqa.answer.pieces import Piece
from replyqa.answer.score import Scored
from replyqa.answer.verdict import DECIDING_MARGIN, asked_verb, decide, deciding, restates_only
from replyqa.question import analyse
from replyqa.records import Chunk


def _deciding_words(question: str, text: str) -> tuple[str, str]:
    found = decide(analyse(question), text)
    assert found is not None and found.span is not None
    return found.word, text[found.span[0]:found.span[1]]


@pytest.mark.parametrize("question, text, word, words", [
    # denials of the asked action
    ("能否马上解决停车难问题？", "由于用地紧张，暂不能解决。", "不能", "暂不能解决"),
    ("能否马上解决停车难问题？", "由于用地紧张，目前无法解决。", "不能", "目前无法解决"),
    ("在步行街南段修建立体停车场的建议目前能实施吗？", "报区政府研究同意后再进行改造,目前暂不具备实施条件。", "不能",
     "目前暂不具备实施条件"),
    ("县里是否同意修建学校？", "经研究，不同意修建。", "不同意", "不同意"),
    ("是否采纳了这条建议？", "该建议不予采纳。", "不采纳", "不予采纳"),
    ("有没有补贴？", "目前没有补贴。", "没有", "目前没有补贴"),
    ("黔东南州是否支持台江县修建学校？", "该建议不符合教育资源结构布局,政策上得不到项目的支持。", "不支持", "得不到项目的支持"),
    # planned or under way, not done
    ("资金是否已经到位？", "项目已于2018年立项，目前资金还未到位。", "尚未", "还未到位"),
    ("道路是否已经完工？", "道路已于2018年开工，目前尚未完工。", "尚未", "尚未完工"),
    ("道路是否已经完工？", "道路正在施工，预计年底完工。", "尚未", "预计年底完工"),
    ("Has the road been widened?", "我局计划于2025年拓宽该路。", "Not yet", "计划"),
    ("公厕是否已经建成？", "我局将于明年建成公厕。", "尚未", "将于明年建成"),
    # done or agreed
    ("道路是否已经开工？", "道路已于2018年开工，目前尚未完工。", "是", "已于"),
    ("县里是否同意修建学校？", "县政府同意修建。", "同意", "同意"),
    ("能否延长开放时间？", "可以延长。", "能", "可以延长"),
    ("黔东南州是否支持台江县修建学校？", "我州将全力配合支持该项目推进。", "支持", "将全力配合支持"),
    ("能否马上解决停车难问题？", "我局将于明年解决停车难问题。", "尚未", "将于明年解决"),
    ("Has the renovation of the Beizhaodian area been included in the pilot programme?",
     "北赵店片区改造纳入省级城市更新试点项目。", "Yes", "纳入"),
    # a plan answers a question about a plan
    ("有没有硬化计划？", "我局计划明年硬化该路。", "有", "计划明年硬化"),
    ("Is the road being widened?", "我局今年已经准备进行实施", "Yes", "准备"),
])
def test_each_marker_decides_the_verdict_and_names_its_words(question, text, word, words):
    assert _deciding_words(question, text) == (word, words)


def test_a_plan_denied_is_a_no_not_a_plan():
    # 计划 is the object of 没有 here, not a plan the reply makes
    text = "根据现有政策,暂时没有通自然村组道路硬化计划,如能进入自然村规划,等政策启动后,我们将优先启动建设。"
    assert _deciding_words("平江县其余道路目前有没有硬化计划？", text) == ("没有", "暂时没有")


def test_a_negation_describing_a_place_decides_nothing():
    text = "我单位将建议县政府加大对新建公厕投资力度,在没有公厕或公厕较少的路段继续增设公厕。"
    assert _deciding_words("夏邑县是否同意增设公厕？", text)[0] == "同意"


def test_traditional_text_is_read_through_its_simplified_copy():
    text = "項目已於2018年立項，目前資金還未到位。"
    assert _deciding_words("资金是否已经到位？", text) == ("尚未", "還未到位")
    glossed = "目前資金還(hái)未到位。"  # pinyin glosses inside the deciding words are skipped
    assert _deciding_words("資金是否已經到位？", glossed) == ("尚未", "還(hái)未到位")


@pytest.mark.parametrize("text", [
    "您提出的关于马上解决停车难问题的建议很好。",
    "一、关于“给予台江县政策支持建设一所九年一贯制学校”的建议",
    "杜贤伟代表提出的“关于支持台江修建一所九年一贯制学校的建议”",
])
def test_a_restated_request_decides_nothing(text):
    q = analyse("能否马上解决停车难问题？") if "停车" in text else analyse("黔东南州是否支持台江县修建学校？")
    assert decide(q, text) is None and restates_only(q, text)


def test_the_decision_outside_a_restated_request_counts():
    text = "因此,杜贤伟代表提出的“关于支持台江修建一所学校的建议”不符合教育资源结构布局,政策上得不到项目的支持。"
    assert _deciding_words("黔东南州是否支持台江县修建学校？", text)[0] == "不支持"


def test_a_plain_statement_of_the_asked_thing_is_an_unmarked_yes():
    found = decide(analyse("Is there a subsidy?"), "每人补贴500元。")
    assert found.word == "Yes" and not found.marked


def test_no_verdict_for_other_questions():
    assert decide(analyse("补贴多少？"), "不少于60学分") is None
    # 是否 inside a question for a thing: not a yes/no
    asked = analyse("美國唯一仍然容許法官在是否使用死刑上推翻陪審團的州份是哪一個?")
    assert decide(asked, "冗長的程序導致當地管治權無法處理自身的問題。") is None


def test_the_asked_verb_skips_adverbs():
    assert asked_verb(analyse("资金是否已经到位？")) == "到位"
    assert asked_verb(analyse("在步行街修建停车场的建议目前能实施吗？")) == "实施"
    assert asked_verb(analyse("能否马上解决停车难问题？")) == "解决"


def _scored(text: str, score: float, rid: str = "r1") -> Scored:
    chunk = Chunk("c", rid, (), text, 0, len(text))
    return Scored(Piece(rid, chunk, 0, len(text), text, 0), score, 1.0, 0.9, 1.0, 1.0)


def test_the_deciding_sentence_replaces_one_that_restates_the_request():
    q = analyse("能否马上解决停车难问题？")
    restating = _scored("您提出的关于马上解决停车难问题的建议收悉。", 3.0)
    other_reply = _scored("停车难问题暂不能解决。", 2.9, rid="r2")
    answer = _scored("由于用地紧张，停车难问题暂不能解决。", 2.5)
    assert deciding(q, restating, [restating, other_reply, answer]) is answer
    assert deciding(q, answer, [restating, other_reply, answer]) is answer  # a deciding best stays
    alone = [restating, other_reply]
    assert deciding(q, restating, alone) is restating  # no deciding sentence in its reply: no change
    far = _scored("由于用地紧张，停车难问题暂不能解决。", 3.0 - DECIDING_MARGIN - 0.1)
    assert deciding(q, restating, [restating, far]) is restating  # too far below: about something else


def test_without_the_asked_words_the_first_deciding_clause_decides():
    text = "该片区改造纳入省级城市更新试点项目,拟申报2026-2028年任务计划2118套。"
    assert _deciding_words("Has it been included in the programme?", text) == ("Yes", "纳入")
