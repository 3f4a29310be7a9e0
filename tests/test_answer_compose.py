"""Composing answers: which figures and dates lead, in what order, the verdict, and the quotes."""
from __future__ import annotations

import pytest

from replyqa.answer.compose import (FRAMES, answer_span, cite_line, conflicting, dates, english_figure, figures,
                                    joined, lead_values, supporting, verdict)
from replyqa.answer.pieces import Piece
from replyqa.answer.score import AnswerConfig, Scored
from replyqa.question import analyse
from replyqa.records import Chunk, Reply, ReplyMeta

CONFIG = AnswerConfig()
CREDITS = "教师每年须完成培训，原则上每年不少于60学分，五年累计不少于360学分，2019年共有1200人参加。"


def _reply(text: str, rid: str = "r1") -> Reply:
    return Reply(rid, "", ReplyMeta(doc_number=f"{rid}〔2025〕1号", signed="2025-04-21"), text, f"{rid}.txt")


def _piece(reply: Reply, sentence: str) -> Piece:
    start = reply.text.index(sentence)
    chunk = Chunk(f"c-{reply.reply_id}", reply.reply_id, (), reply.text, 0, len(reply.text))
    return Piece(reply.reply_id, chunk, start, start + len(sentence), sentence, 0)


def _scored(piece: Piece, score: float) -> Scored:
    return Scored(piece, score, 1.0, 0.9, 1.0, 1.0)


def test_figures_in_the_asked_unit_with_their_qualifiers_rate_first():
    per_year = figures(analyse("教师每年需要多少学分？"), CREDITS)
    assert per_year == ["原则上每年不少于60学分", "累计不少于360学分"]  # 1200人 is not in 学分


def test_without_a_rate_the_figure_nearest_the_question_words_leads():
    assert figures(analyse("教师五年一共需要多少学分？"), CREDITS)[0] == "累计不少于360学分"


def test_an_english_count_with_no_unit_leads_with_the_figures_of_the_counted_thing():
    text = "新建48個常態化錄播教室,添置400台電信雲電腦,實現應用。"
    assert figures(analyse("How many China Telecom cloud computers did the county add?"), text) == ["400台"]
    assert figures(analyse("县里添置了多少台电信云电脑？"), text) == ["400台"]


def test_figures_are_sliced_from_the_source_in_its_own_script():
    text = "原則上每年不少於60學分，五年累計不少於360學分。"
    assert figures(analyse("教师每年需要多少学分？"), text) == ["原則上每年不少於60學分", "累計不少於360學分"]


def test_dates_lead_with_the_one_next_to_the_asked_verb():
    text = "项目于2018年6月开工建设，经过各方努力，预计于2019年底完工。"
    assert dates(analyse("道路什么时候完工？"), text) == ["2019年底", "2018年6月"]
    assert dates(analyse("道路什么时候开工？"), text) == ["2018年6月", "2019年底"]
    assert dates(analyse("道路有多长？"), text) == []  # not a when question


def test_verdicts_take_the_verb_of_the_question():
    assert verdict(analyse("县里是否同意修建学校？"), "暂不同意修建。") == "不同意"
    assert verdict(analyse("县里是否同意修建学校？"), "同意修建。") == "同意"
    assert verdict(analyse("有没有补贴？"), "目前没有补贴。") == "没有"
    assert verdict(analyse("能否延长开放时间？"), "可以延长。") == "能"
    assert verdict(analyse("Is there a subsidy?"), "目前没有补贴。") == "No"
    assert verdict(analyse("Is there a subsidy?"), "每人补贴500元。") == "Yes"
    assert verdict(analyse("补贴多少？"), "不少于60学分") == ""


def test_english_figures_read_as_english():
    assert english_figure("累计不少于360学分") == "at least a total of 360 credits"
    assert english_figure("规划投资约8327万元") == "about 83.27 million yuan"
    assert english_figure("没有数字") == ""


def test_a_close_figure_from_another_reply_is_a_conflict():
    q = analyse("夏邑县新建了多少座公厕？")
    mine, theirs = _reply("夏邑县新建公厕20座。", "r1"), _reply("夏邑县新建公厕25座。", "r2")
    best, other = _scored(_piece(mine, mine.text), 5.0), _scored(_piece(theirs, theirs.text), 4.8)
    assert conflicting(q, best, [best, other], CONFIG) is other
    far = _scored(_piece(theirs, theirs.text), 5.0 - CONFIG.conflict_margin - 0.1)
    assert conflicting(q, best, [best, far], CONFIG) is None
    same = _scored(_piece(_reply("夏邑县新建公厕20座。", "r2"), "夏邑县新建公厕20座。"), 4.9)
    assert conflicting(q, best, [best, same], CONFIG) is None  # the same figure is no conflict


def test_a_close_runner_up_of_the_same_reply_supports_the_best():
    reply = _reply("教师每年须完成培训。原则上每年不少于60学分。")
    first, second = _piece(reply, "教师每年须完成培训。"), _piece(reply, "原则上每年不少于60学分。")
    best, runner = _scored(first, 5.0), _scored(second, 4.8)
    assert supporting(best, first, [best, runner], CONFIG) is second
    assert supporting(best, first, [best, _scored(second, 4.0)], CONFIG) is None
    other = _reply("原则上每年不少于60学分。", "r2")
    assert supporting(best, first, [best, _scored(_piece(other, other.text), 4.9)], CONFIG) is None


def test_adjacent_pieces_join_into_one_exact_quote():
    reply = _reply("教师每年须完成培训。 原则上每年不少于60学分。另有规定。")
    a, b = _piece(reply, "教师每年须完成培训。"), _piece(reply, "原则上每年不少于60学分。")
    both = joined(b, a, reply)
    assert both.text == "教师每年须完成培训。 原则上每年不少于60学分。"
    assert reply.text[both.start:both.end] == both.text
    assert joined(a, _piece(reply, "另有规定。"), reply) is None  # a sentence lies between


def test_answer_lines_lead_with_the_figure_in_the_question_language():
    reply = _reply(CREDITS)
    piece = _piece(reply, "原则上每年不少于60学分")
    zh = cite_line(analyse("教师每年需要多少学分？"), _scored(piece, 5.0), 1, reply)
    assert zh.startswith("据答复") and "：原则上每年不少于60学分。“原则上每年不少于60学分”[1]" in zh
    en = cite_line(analyse("how many training credits are required per year"), _scored(piece, 5.0), 2, reply)
    assert en.startswith("Per reply") and "in principle at least 60 credits per year (原则上每年不少于60学分)" in en
    assert en.endswith("“原则上每年不少于60学分” [2]")
    more = cite_line(analyse("教师每年需要多少学分？"), _scored(piece, 5.0), 1, reply, ((2, _piece(reply, "2019年共有1200人参加")),))
    assert more.endswith("[1]“2019年共有1200人参加”[2]")
    assert set(FRAMES) == {"en", "zh-Hans", "zh-Hant"}


def test_a_frame_names_a_reply_by_number_then_label_and_a_nameless_one_as_the_reply():
    from replyqa.answer.compose import FRAMES, frame_head
    from replyqa.records import Reply, ReplyMeta

    def line(language, **meta):
        reply = Reply("r", "", ReplyMeta(**meta), "正文。", "/archive/p0001.txt")
        return FRAMES[language][0].format(**frame_head(language, reply), lead="", quote="正文。", n=1)

    assert line("zh-Hans", doc_number="岳县教体字〔2025〕23号", signed="2025-04-21") == \
        "据答复岳县教体字〔2025〕23号（2025-04-21）：“正文。”[1]"
    assert line("en", office="县教育局") == "Per reply 县教育局: “正文。” [1]"
    # nothing names the reply: never its file path, and no stand-in word repeated after 据答复
    assert line("zh-Hans") == "据答复：“正文。”[1]"
    assert line("zh-Hant", published="2024-05-06") == "據答覆（2024-05-06）：“正文。”[1]"
    assert line("en") == "Per reply: “正文。” [1]"


BOARDING = "全市规划新建学校45所，其中小学17所，寄宿制学校23所。"


def test_a_count_of_one_named_thing_leads_with_that_things_figure_only():
    reply = _reply(BOARDING)
    piece = _piece(reply, BOARDING)
    for question in ("规划新建多少所寄宿制学校？", "寄宿制学校规划建设多少所？", "規劃新建多少所寄宿制學校？",
                     "How many boarding schools are planned?"):
        values = lead_values(analyse(question), BOARDING)
        assert [BOARDING[v.span[0]:v.span[1]] for v in values] == ["23所"], question
    line = cite_line(analyse("规划新建多少所寄宿制学校？"), _scored(piece, 5.0), 1, reply)
    assert "：23所。“" in line and "45所" not in line.split("“")[0]
    # a count of the whole, or several things asked at once, keeps every figure of the unit
    assert figures(analyse("规划新建多少所学校、多少所小学？"), BOARDING) == ["45所", "17所", "23所"]
    # a unit that is itself the thing counted (学分) is never narrowed by the words before it
    assert figures(analyse("教师每年需要多少培训学分？"), CREDITS)[0] == "原则上每年不少于60学分"


@pytest.mark.parametrize("question, text, expected", [
    ("规划新建多少所寄宿制学校？", BOARDING, "23所"),
    ("教师每年需要多少学分？", "教師原則上每年不少於60學分。", "原則上每年不少於60學分"),
    ("道路什么时候完工？", "项目于2018年6月开工，预计于2019年底完工。", "2019年底"),
    ("资金是否已经到位？", "項目已於2018年立項，目前資金還未到位。", "還未到位"),
    ("这份答复的文号是什么？", "文号：岳县教体字〔2025〕23号", "岳县教体字〔2025〕23号"),
])
def test_the_answer_span_is_an_exact_slice_of_the_quote(question, text, expected):
    a, b = answer_span(analyse(question), text)
    assert text[a:b] == expected


def test_no_answer_span_without_an_asked_value():
    assert answer_span(analyse("岳阳县对教师住房有什么措施？"), "继续争取公租房和周转房建设投入。") is None
    assert answer_span(analyse("夏邑县新建了多少座公厕？"), "公厕管理有待加强。") is None


SCHOOL = "小学、初中规模不超过2000人,九年一贯制学校规模不超过2500人。"
HOUSING = ("新建教师周转宿舍14560平方米,投资约3640万元;新建教师公租房52186平方米,投资约9175万元。"
           "合计新建教师住房66746平方米,总投资约12815万元。")


def test_a_figure_the_question_states_itself_is_not_led_with():
    # "九年一贯制" names the school asked about; 九年 is no answer to "how many pupils at most"
    assert set(figures(analyse("九年一贯制学校的人数最多不得超过多少？"), SCHOOL)) == {"不超过2000人", "不超过2500人"}
    assert "九年" not in figures(analyse("九年一贯制学校规模多大？"), SCHOOL)
    # nor is a figure an English question gives in digits
    assert figures(analyse("Is a school of 2000 people allowed, and how many people at most?"), SCHOOL) == ["不超过2500人"]
    # a date the question names is what it asks about, not the date asked for
    assert dates(analyse("2018年立项的道路什么时候完工？"), "该道路于2018年立项,预计2019年完工。") == ["2019年"]


def test_a_question_for_the_total_leads_with_the_total_not_its_parts():
    for question in ("教师住房加起来有多少平方米，一共投了多少钱？",
                     "How many square metres of teacher housing were built in total, and what was the overall investment?"):
        values = [HOUSING[v.span[0]:v.span[1]] for v in lead_values(analyse(question), HOUSING)]
        assert values == ["66746平方米", "总投资约12815万元"], question
    # without "in total" every figure of the unit may lead, nearest the question's words first
    assert len(figures(analyse("新建了多少平方米教师周转宿舍？"), HOUSING)) == 3


def test_a_measure_word_that_begins_a_longer_word_is_no_unit():
    from replyqa.question import NUMBER_UNIT

    text = "中小学教师在五年一周期内累计不少于360学分,今年是建校十周年,三年级学生120人,每周一次。"
    assert [m.group() for m in NUMBER_UNIT.finditer(text)] == ["五年", "360学分", "120人", "一次"]


def test_a_part_of_a_date_is_no_figure_to_lead_with():
    text = "我局将于2023年6月底前编制完成规划,力争到2025年普及率达到95%以上。"
    assert figures(analyse("普及率要达到多少？"), text) == ["达到95%"]
