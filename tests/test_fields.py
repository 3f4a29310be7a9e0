"""Questions about a reply itself: which field is asked, and the exact line that states it."""
from __future__ import annotations

import json
from pathlib import Path

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
    # spoken and official wordings of the same fields
    ("黔東南州針對第560號建議的會辦意見，收文單位是哪一個？", ("addressees", "")),
    ("To which body was the opinion on suggestion No. 560 addressed?", ("addressees", "")),
    ("Whose proposal was it that called for easing teachers' workload?", ("proposer", "")),
    ("第20250118040077号建议答复后面写的B类是啥意思？", ("class_meaning", "B")),
    ("宁陕县第17号建议的复函，被标成了哪一类？", ("reply_class", "")),
    ("高平市針對第71號建議所發的回覆，發文字號為何？", ("doc_number", "")),
    ("What reference number does that answer carry?", ("doc_number", "")),
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
    ("004", "doc_number", "", "高卫体发〔2023〕148号", "高卫体发〔2023〕148号"),
])
def test_field_answers_quote_the_line_exactly(samples, prefix, field, detail, value, line):
    reply = _reply(samples, prefix)
    found = field_answer(reply, field, detail)
    assert found is not None
    assert reply.text[found.start:found.end] == line
    if value is not None:
        assert found.value == value


def test_the_proposer_of_a_co_handling_opinion_is_who_its_text_says_proposed(samples):
    # a 会办意见 is addressed to the lead office (省教育厅), not to the deputy who made the suggestion
    reply = _reply(samples, "020")
    found = field_answer(reply, "proposer")
    assert found.value == "杜贤伟代表" and "杜贤伟代表提出的" in reply.text[found.start:found.end]
    assert field_answer(reply, "addressees").value == "省教育厅"


def test_a_field_the_reply_lacks_gives_none(samples):
    reply = _reply(samples, "020")  # a 会办意见 without a class or contact line
    assert field_answer(reply, "contact") is None
    assert field_answer(reply, "class_meaning", "B") is None


# -- the handling fields: signer, handler, phone, units, proposing body, delegation, result grade -----------
def _synthetic(head: str = "", salute: str = "王五代表:", tail: str = "") -> str:
    """A short reply in the genre's shape (as in test_handling), with handling rows above or below it."""
    return (f"{head}\n关于县十八届人大四次会议第72号建议的答复\n{salute}\n您提出的《关于修路的建议》收悉,现答复如下:\n"
            f"一、关于修路的问题\n今年将修路3公里。\n感谢您对交通工作的关心和支持。\n某县交通运输局\n2025年4月21日\n{tail}")


FOOTER = "领导签发：张三  承办人及联系电话：李四 0730-1234567"
TABLE = "| 主办单位 | 县教育局 | 协办单位 | 县交通运输局、县财政局 |"
GRADE = "办理结果：A类（所提问题已经解决或基本解决）"


@pytest.mark.parametrize("question, field", [
    ("这份答复的签发人是谁？", "signer"),
    ("第1207號提案是哪些委員提的？", "proposer"),
    ("這份答覆是誰簽發的？", "signer"),
    ("Who signed the reply?", "signer"),
    ("这份答复的承办人是谁？", "handler"),
    ("這份答覆的經辦人是誰？", "handler"),
    ("Who handled the suggestion?", "handler"),
    ("承办人的联系电话是多少？", "phone"),  # the number is asked, not the person
    ("联系电话是多少？", "phone"),
    ("聯繫電話是多少？", "phone"),
    ("What is the contact phone number?", "phone"),
    ("这件建议的主办单位是哪个？", "lead_unit"),
    ("這件建議由哪個單位主辦？", "lead_unit"),
    ("Which unit led the handling of the suggestion?", "lead_unit"),
    ("协办单位有哪些？", "co_units"),
    ("會辦單位有哪些？", "co_units"),
    ("Which units assisted in handling the suggestion?", "co_units"),
    ("这件提案是哪个党派提出的？", "proposer_org"),
    ("這件提案是哪個團體提出的？", "proposer_org"),
    ("Which organisation proposed the suggestion?", "proposer_org"),
    ("这件建议来自哪个代表团？", "delegation"),
    ("這件建議來自哪個代表團？", "delegation"),
    ("Which delegation raised the suggestion?", "delegation"),
    ("这件建议的办理结果是什么？", "result_grade"),
    ("這件建議的辦理結果是什麼？", "result_grade"),
    ("What was the handling result of the suggestion?", "result_grade"),
    # the older fields keep their questions
    ("宁陕县交通运输局答复县人大第17号建议时，联系人是谁？", "contact"),
    ("这份答复是什么时候签发的？", "signed"),
    # a question on the work a unit or delegation did names the key without asking for it
    ("主办单位采取了哪些措施？", ""),
    ("北辛代表团提出的修路建议何时完工？", ""),
    ("承办人员开展了哪些调研？", ""),
    ("这件提案的编号是多少？", ""),
    # a body question about who led a meeting's work is not the lead unit
    ("镇康县农业农村局办理第0038号建议由谁牵头、谁具体负责？", ""),
    ("What post does Liu Quan (刘权), who led the handling of suggestion No. 0038, hold?", ""),
])
def test_the_handling_field_asked(question, field):
    assert asked_field(analyse(question))[0] == field


@pytest.mark.parametrize("text, field, value, line", [
    (_synthetic(tail=FOOTER), "signer", "张三", FOOTER),
    (_synthetic(tail=FOOTER), "handler", "李四", FOOTER),
    (_synthetic(tail=FOOTER), "phone", "0730-1234567", FOOTER),
    (_synthetic(tail="簽發人：張三\n承辦人及聯繫電話：李四　0730-1234567"), "signer", "張三", "簽發人：張三"),
    (_synthetic(tail="联 系 人：赵六\n联系电话：13812345678"), "phone", "13812345678", "联系电话：13812345678"),
    (_synthetic(head=TABLE), "lead_unit", "县教育局", TABLE),
    (_synthetic(head=TABLE), "co_units", "县交通运输局、县财政局", TABLE),
    (_synthetic(head="主办单位\n县教育局\n会办单位\n县交通运输局;县公安局"), "co_units", "县交通运输局、县公安局",
     "县交通运输局;县公安局"),
    (_synthetic(salute="九三学社市委：", tail=""), "proposer_org", "九三学社市委", "九三学社市委："),
    (_synthetic(salute="北辛代表团马某某代表:"), "delegation", "北辛代表团", "北辛代表团马某某代表:"),
    (_synthetic(tail=GRADE), "result_grade", "A（所提问题已经解决或基本解决）", GRADE),
])
def test_handling_answers_quote_the_line_that_states_them(text, field, value, line):
    reply = parse_reply(text, "t")
    found = field_answer(reply, field)
    assert found is not None
    assert reply.text[found.start:found.end] == line
    assert found.value == value


@pytest.mark.parametrize("field", ["signer", "handler", "phone", "lead_unit", "co_units", "proposer_org",
                                   "delegation", "result_grade"])
def test_a_handling_field_the_reply_does_not_state_gives_none(field):
    assert field_answer(parse_reply(_synthetic(), "t"), field) is None


def test_a_long_line_is_quoted_from_its_sentence_start_to_the_value(samples):
    reply = _reply(samples, "052")  # UT014's reply: the whole body is one line, the number near its end
    found = field_answer(reply, "phone")
    assert (found.value, reply.text[found.start:found.end]) == ("3221671", "联系电话:3221671")


@pytest.mark.parametrize("prefix, field, value, line", [
    ("012", "signer", "姜涛", "宁交函〔2021〕141号 签发人:姜涛"),  # UT004's reply: the contact line names the handler
    ("012", "handler", "陈西平", "联系人:陈西平 联系电话:6822773"),
    ("016", "lead_unit", "縣民政局", "主辦單位:縣民政局"),
    ("016", "signer", "吳建軍", "簽發(fā)領導:吳建軍"),
    ("000", "phone", "0730--7628035", "承辦人及聯係電話:袁文炳 \xa0\xa00730--7628035"),
    ("028", "result_grade", "B（所提问题正在解决或已列入工作计划准备解决）", "办复类别:B类"),
])
def test_sample_handling_fields_are_quoted_from_their_lines(samples, prefix, field, value, line):
    reply = _reply(samples, prefix)
    found = field_answer(reply, field)
    assert (found.value, reply.text[found.start:found.end]) == (value, line)


# -- answered end to end ---------------------------------------------------------------------------------
@pytest.fixture
def handling_index(fake_index, tmp_path):
    """A fake-embedder index of one synthetic reply that states a signer, handler and phone, and nothing else."""
    from replyqa.ingest import ingest

    path = tmp_path / "reply.txt"
    path.write_text(_synthetic(tail=FOOTER), encoding="utf-8")
    ingest(fake_index, [path], progress=False)
    return fake_index


@pytest.mark.parametrize("question, quote, refusal", [
    ("关于修路的建议的答复由谁签发？", FOOTER, ""),
    ("關於修路的建議的答覆由誰簽發？", FOOTER, ""),
    ("Who signed the reply on the road suggestion?", FOOTER, ""),
    ("关于修路的建议的承办人是谁？", FOOTER, ""),
    ("What is the contact phone for the road suggestion?", FOOTER, ""),
    ("关于修路的建议的主办单位是哪个？", "", "档案中的答复没有回答这个问题"),
    ("關於修路的建議的協辦單位有哪些？", "", "檔案中的答覆沒有回答這個問題"),
    ("What was the handling result of the road suggestion?", "", "The archive does not answer this question."),
])
def test_handling_questions_are_answered_or_refused(handling_index, question, quote, refusal):
    from replyqa.answer import Answerer

    answer = Answerer(handling_index).ask(question)
    if refusal:
        assert answer.refused and answer.citations == () and answer.text.startswith(refusal)
        assert answer.related
    else:
        assert not answer.refused
        c = answer.citations[0]
        assert c.quote == quote == handling_index.reply(c.chunk.reply_id).text[c.start:c.end]


# -- the sample questions that ask for a handling fact, with the real model --------------------------------
def _asked_of_the_samples() -> list[dict]:
    """The questions of the sample set and its near-miss twins whose evidence is a handling line."""
    root = Path(__file__).resolve().parents[1] / "eval"
    rows = [json.loads(line) for f in ("questions.jsonl", "unanswerable.jsonl")
            for line in (root / f).read_text(encoding="utf-8").splitlines() if line.strip()]
    return [r for r in rows if r.get("evidence") and asked_field(analyse(r["question"]))[0] in ("contact", "phone")]


@pytest.mark.model
@pytest.mark.parametrize("row", _asked_of_the_samples(), ids=lambda r: r["id"])
def test_sample_who_and_phone_questions_quote_the_stated_line(sample_index, row):
    from replyqa.answer import Answerer

    answer = Answerer(sample_index).ask(row["question"])
    assert not answer.refused
    c = answer.citations[0]
    assert c.quote == row["evidence"] == sample_index.reply(c.chunk.reply_id).text[c.start:c.end]
    assert row["answer"] in answer.text


@pytest.mark.model
@pytest.mark.parametrize("question, quote", [
    ("宁陕县交通运输局答复县人大第17号建议的签发人是谁？", "宁交函〔2021〕141号 签发人:姜涛"),
    ("Who signed Ningshan County's reply to suggestion No. 17 on the Mazhuang village road?", "宁交函〔2021〕141号 签发人:姜涛"),
    ("仙居縣白塔鎮醫養中心建議的主辦單位是哪個？", "主辦單位:縣民政局"),
    ("宁陕县交通运输局答复县人大第17号建议的主办单位是哪个？", ""),  # the reply names no lead unit
])
def test_sample_handling_questions(sample_index, question, quote):
    from replyqa.answer import Answerer

    answer = Answerer(sample_index).ask(question)
    assert answer.refused == (not quote)
    if quote:
        c = answer.citations[0]
        assert c.quote == quote == sample_index.reply(c.chunk.reply_id).text[c.start:c.end]
    else:
        assert answer.citations == () and answer.text.startswith("档案中的答复没有回答这个问题") and answer.related
