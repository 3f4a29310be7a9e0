"""English answers carry the fact: the lead (figure, date, office) and the evidence sentence, not a head line."""
from __future__ import annotations

from replyqa.answer.compose import cite_line
from replyqa.answer.english import english_date, is_head_line, quotable
from replyqa.answer.pieces import Piece
from replyqa.answer.score import Scored
from replyqa.question import analyse
from replyqa.records import Chunk, Reply, ReplyMeta

TEXT = ("关于对市七届人大五次会议第71号建议的答复\n高卫体发〔2023〕148号\n尊敬的王爱珍代表:\n"
        "您所提的建议已收悉。神农分院项目由高平市卫生健康和体育局负责实施,计划2024年年底建成投用。"
        "项目总投资约8327万元。\n高平市卫生健康和体育局\n2023年6月29日")
REPLY = Reply("r1", "关于对市七届人大五次会议第71号建议的答复",
              ReplyMeta(title="关于对市七届人大五次会议第71号建议的答复", doc_number="高卫体发〔2023〕148号",
                        office="高平市卫生健康和体育局", addressees=("王爱珍代表",), signed="2023-06-29"), TEXT, "r1.txt")


def _scored(sentence: str, score: float) -> Scored:
    start = TEXT.index(sentence)
    chunk = Chunk("c", "r1", (), TEXT, 0, len(TEXT))
    return Scored(Piece("r1", chunk, start, start + len(sentence), sentence, 0), score, 1.0, 0.9, 1.0, 1.0)


TITLE = _scored("关于对市七届人大五次会议第71号建议的答复", 5.0)
ADDRESSEE = _scored("尊敬的王爱珍代表:", 4.5)
SIGNED = _scored("2023年6月29日", 4.2)
BODY = _scored("神农分院项目由高平市卫生健康和体育局负责实施,计划2024年年底建成投用。", 3.0)


def test_dates_read_as_english():
    assert english_date("2025年5月8日") == "8 May 2025"
    assert english_date("2024年年底") == "the end of 2024"
    assert english_date("2026年下半年") == "the second half of 2026"
    assert english_date("2019年") == "2019"
    assert english_date("2025-12-16") == "16 December 2025"


def test_head_and_sign_off_lines_are_told_from_the_body():
    opening = _scored("您所提的建议已收悉。", 1.0)
    assert all(is_head_line(s.piece, REPLY) for s in (TITLE, ADDRESSEE, SIGNED, opening))
    assert not is_head_line(BODY.piece, REPLY)


def test_an_english_question_asking_something_else_quotes_the_evidence_not_the_title_or_addressee():
    scored = [TITLE, ADDRESSEE, SIGNED, BODY]
    for question in ("What is the plan for the Shennong branch hospital?", "Which office is implementing the project?",
                     "When will the Shennong branch hospital be put into use?"):
        assert quotable(analyse(question), scored, {"r1": REPLY}) == [BODY]


def test_a_head_line_is_quotable_when_it_is_the_fact_asked():
    scored = [TITLE, ADDRESSEE, SIGNED, BODY]
    for question in ("What is the document number of the reply on suggestion No. 71?",
                     "Who proposed suggestion No. 71?", "When was the reply to suggestion No. 71 made?"):
        assert quotable(analyse(question), scored, {"r1": REPLY}) == scored
    assert quotable(analyse("神农分院项目怎么样？"), scored, {"r1": REPLY}) == scored  # English questions only
    assert quotable(analyse("What is the plan?"), [TITLE], {"r1": REPLY}) == [TITLE]  # nothing else to quote


def _line(question: str, s: Scored) -> str:
    return cite_line(analyse(question), s, 1, REPLY)


def test_english_lines_lead_with_the_asked_date_figure_or_office():
    when = _line("When will the Shennong branch hospital be put into use?", BODY)
    assert when.startswith("Per reply 高卫体发〔2023〕148号 (2023-06-29): the end of 2024 (2024年年底) — “")
    money = _line("How much is the total investment in the project?", _scored("项目总投资约8327万元。", 3.0))
    assert ": about 83.27 million yuan (总投资约8327万元) — “" in money
    office = _line("Which office is implementing the project?", BODY)
    assert ": 高平市卫生健康和体育局 — “神农分院项目" in office


def test_an_english_line_that_is_the_value_itself_is_not_led_twice():
    line = _line("Who signed the reply?", _scored("高平市卫生健康和体育局", 3.0))
    assert line == "Per reply 高卫体发〔2023〕148号 (2023-06-29): “高平市卫生健康和体育局” [1]"


def test_a_question_that_only_mentions_who_is_not_led_with_a_name():
    line = _line("What post does Wang Aizhen, who raised the suggestion, hold?", BODY)
    assert ": “神农分院项目" in line


def test_a_where_question_leads_with_the_place():
    text = "该项目位于白塔卫生院老院区,占地面积约6840平方米。"
    reply = Reply("r2", "", ReplyMeta(doc_number="仙民函〔2024〕5号"), text, "r2.txt")
    chunk = Chunk("c2", "r2", (), text, 0, len(text))
    s = Scored(Piece("r2", chunk, 0, len(text), text, 0), 3.0, 1.0, 0.9, 1.0, 1.0)
    line = cite_line(analyse("Where is the Baita town elderly-care centre located?"), s, 1, reply)
    assert line.startswith("Per reply 仙民函〔2024〕5号: 白塔卫生院老院区 — “该项目位于")


def test_a_lead_drops_the_pinyin_a_machine_conversion_inserted():
    text = "該項目位于白塔衛(wèi)生院老院區(qū),占地面積約6840平方米。"
    reply = Reply("r3", "", ReplyMeta(doc_number="仙民函〔2024〕5號"), text, "r3.txt")
    s = Scored(Piece("r3", Chunk("c3", "r3", (), text, 0, len(text)), 0, len(text), text, 0), 3.0, 1.0, 0.9, 1.0, 1.0)
    line = cite_line(analyse("Where is the Baita town elderly-care centre located?"), s, 1, reply)
    assert ": 白塔衛生院老院區 — “該項目位于白塔衛(wèi)生院" in line  # the quote stays verbatim


def test_an_opening_that_states_the_asked_date_near_its_words_is_quotable():
    text = "尊敬的杨世国代表:\n经局领导班子会议研究,并于6月15日与您面商,现答复如下:\n雪山村道路计划2021年底完成硬化。"
    reply = Reply("r2", "", ReplyMeta(addressees=("杨世国代表",)), text, "r2.txt")
    chunk = Chunk("c2", "r2", (), text, 0, len(text))

    def scored(sentence: str, score: float) -> Scored:
        start = text.index(sentence)
        return Scored(Piece("r2", chunk, start, start + len(sentence), sentence, 0), score, 1.0, 0.9, 1.0, 1.0)

    opening, body = scored("经局领导班子会议研究,并于6月15日与您面商,现答复如下:", 2.0), scored("雪山村道路计划2021年底完成硬化。", 1.0)
    assert is_head_line(opening.piece, reply)
    met = quotable(analyse("On what date did the bureau hold a meeting with the deputy?"), [opening, body], {"r2": reply})
    assert met == [opening, body]
    # asked something else, the opening only acknowledges: the body is quoted
    road = quotable(analyse("When will the Xueshan village road be hardened?"), [opening, body], {"r2": reply})
    assert road == [body]
    # an acknowledgement stating no value stays out whatever is asked
    assert quotable(analyse("On what date did the bureau hold a meeting with the deputy?"), [_scored("您所提的建议已收悉。", 2.0), BODY],
                    {"r1": REPLY}) == [BODY]
