"""Scoring pieces: term matching, cues, echoes, the pick and the reasons to refuse."""
from __future__ import annotations

from dataclasses import fields, replace

import numpy as np
import pytest

from replyqa.answer.pieces import Piece
from replyqa.answer.score import (AnswerConfig, DenseCache, Scored, coverage, cue_score, novelty, pick,
                                  refusal_reason, score_pieces, shape_penalty, term_found)
from replyqa.normalise import match_key
from replyqa.question import analyse
from replyqa.records import Chunk, Reply, ReplyMeta

CONFIG = AnswerConfig()


def _reply(text: str, rid: str = "r1") -> Reply:
    return Reply(rid, "", ReplyMeta(), text, f"{rid}.txt")


def _piece(reply: Reply, sentence: str, rank: int = 0) -> Piece:
    start = reply.text.index(sentence)
    chunk = Chunk(f"c-{reply.reply_id}", reply.reply_id, (), reply.text, 0, len(reply.text))
    return Piece(reply.reply_id, chunk, start, start + len(sentence), sentence, rank)


def _scored(piece: Piece, score: float, dense: float = 0.9, covered: float = 1.0) -> Scored:
    return Scored(piece, score, 1.0, dense, 1.0, covered)


def test_config_values_are_the_calibrated_ones():
    names = {f.name for f in fields(AnswerConfig)}
    assert "k_rescored" in names and "k_dense" not in names  # not the retriever's dense candidates
    c = CONFIG
    assert (c.k, c.k_rescored, c.w_dense, c.w_lexical, c.w_reply, c.w_rank, c.w_cue) == (8, 8, 12.0, 1.5, 0.6, 0.25, 0.7)
    assert (c.w_echo, c.w_meta, c.w_context, c.w_in_title, c.w_length, c.long_piece) == (3.0, 1.0, 0.1, 0.25, 0.002, 120)
    assert (c.min_novelty, c.short_piece, c.unit_pick_margin) == (0.45, 8, 1.0)
    assert (c.min_coverage, c.min_dense_zh, c.sure_coverage, c.min_dense) == (0.30, 0.855, 0.8, 0.70)
    assert (c.conflict_margin, c.support_margin, c.about_coverage_zh, c.about_coverage_en) == (0.35, 0.3, 0.5, 0.15)


def test_english_terms_are_found_through_their_glosses():
    text = match_key("原則上每年不少於60學分")
    assert term_found("credit", text) and not term_found("parking", text)
    assert term_found("学分", text) and not term_found("床位", text)


def test_coverage_weighs_longer_terms_more():
    q = analyse("仙居县养老床位有多少张？")
    assert set(q.terms) >= {"仙居县", "养老", "床位"}
    full, partial = coverage(q, match_key("仙居县养老服务中心共有床位300张")), coverage(q, match_key("共有床位300张"))
    assert full == 1.0 and 0 < partial < full


def test_a_reply_addressing_its_reader_covers_the_deputy_the_question_names():
    q = analyse("杨世国代表是哪天和县文化和旅游局当面商量的？")
    meeting, other = match_key("并于6月15日与您面商"), match_key("并于6月15日与李明面商")
    assert coverage(q, meeting) > coverage(q, other)
    assert coverage(analyse("县文化和旅游局是哪天当面商量的？"), meeting) == \
        coverage(analyse("县文化和旅游局是哪天当面商量的？"), other)  # naming nobody, 您 covers nothing


@pytest.mark.parametrize("question, text, cue", [
    ("新建了多少所学校？", "共新建学校12所。", 1.0),
    ("新建了多少所学校？", "共新建校舍12个。", 0.2),  # a figure, not in the unit asked
    ("新建了多少所学校？", "学校建设稳步推进。", 0.0),
    ("规模有多大？", "共新建校舍12个。", 0.5),  # any figure, when no unit was named
    ("道路什么时候完工？", "预计2019年底完工。", 1.0),
    ("由谁牵头负责？", "由县交通运输局牵头。", 1.0),
])
def test_cue_score_rewards_the_kind_of_fact_asked_for(question, text, cue):
    assert cue_score(analyse(question), text) == cue


def test_novelty_of_an_echo_is_zero():
    q = analyse("危旧房共有多少套？")
    assert novelty(match_key("危旧房共有多少套"), q.key) == 0.0
    assert novelty(match_key("危旧房共488套"), q.key) == pytest.approx(3 / 8)  # only the digits are new


def test_an_echo_of_the_question_is_penalised_unless_it_holds_the_fact():
    q = analyse("危旧房改造工作进展如何？")
    echo = "危旧房改造工作进展"
    assert shape_penalty(q, echo, match_key(echo), q.key, 0.0, CONFIG) > 0
    assert shape_penalty(q, echo, match_key(echo), q.key, 1.0, CONFIG) < CONFIG.w_echo * CONFIG.min_novelty


def test_page_chrome_is_penalised_unless_the_question_asks_for_it():
    chrome = "索引号:055299515/2017-00023 发布机构:新郑市公安局"
    plain, asks = analyse("新郑市信号灯安装了多少个？"), analyse("这份答复的索引号是什么？")
    assert shape_penalty(plain, chrome, match_key(chrome), plain.key, 0.0, CONFIG) >= CONFIG.w_meta
    assert shape_penalty(asks, chrome, match_key(chrome), asks.key, 0.0, CONFIG) < CONFIG.w_meta


def test_the_courtesy_a_reply_opens_with_is_penalised_as_boilerplate():
    q = analyse("高平市卫生健康和体育局答复第71号建议时提到的在建医疗项目是什么？")
    for courtesy in ("一、您这一提案提得很好,表明您对我市基层医疗卫生事业的高度关注。",
                     "您们所提意见和建议对于推进大气污染防治工作具有重要指导意义。"):
        assert shape_penalty(q, courtesy, match_key(courtesy), q.key, 0.0, CONFIG) >= CONFIG.w_meta
    fact = "目前北京阜外医院心血管神农分院项目场地平整已完成。"
    assert shape_penalty(q, fact, match_key(fact), q.key, 0.0, CONFIG) < CONFIG.w_meta


def test_a_section_heading_alone_is_penalised_even_when_it_seems_to_hold_the_cue():
    q = analyse("Who led the work at the agriculture bureau, and who was directly responsible for it?")
    heading, fact, item = "一、办理工作开展情况", "会议明确由刘权牵头,杨天恩具体负责。", "一是加强培训,全年培训教师4000人。"
    assert cue_score(q, heading) == 1.0  # 办 of 办理 reads as an office
    assert shape_penalty(q, heading, match_key(heading), q.key, 1.0, CONFIG) >= CONFIG.w_meta / 2
    for line in (fact, item):  # a "一是…" item states what was done
        assert shape_penalty(q, line, match_key(line), q.key, 1.0, CONFIG) == 0


def test_a_four_character_thing_is_found_in_its_short_form():
    from replyqa.answer.score import focus_found

    assert focus_found("公共厕所", match_key("新建环保公厕10座"), match_key("新建环保公厕10座"))
    assert not focus_found("公共厕所", match_key("新建垃圾中转站3座"), match_key("新建垃圾中转站3座"))


def test_pick_prefers_a_piece_with_the_asked_unit_within_the_margin():
    q = analyse("新建了多少所学校？")
    reply = _reply("学校建设稳步推进。共新建学校12所。")
    top, with_unit = _piece(reply, "学校建设稳步推进。"), _piece(reply, "共新建学校12所。")
    assert pick(q, [_scored(top, 5.0), _scored(with_unit, 4.5)], CONFIG).piece is with_unit
    assert pick(q, [_scored(top, 5.0), _scored(with_unit, 3.5)], CONFIG).piece is top
    assert pick(q, [], CONFIG) is None
    # not a piece holding fewer of the question's words: its figure is of something else
    fewer = replace(_scored(with_unit, 4.5), lexical=_scored(top, 5.0).lexical - 0.5)
    assert pick(q, [_scored(top, 5.0), fewer], CONFIG).piece is top


def test_refusal_when_nothing_was_retrieved():
    assert refusal_reason(analyse("教师每年需要多少学分？"), None, {}, CONFIG) == "nothing retrieved"


def test_refusal_when_the_thing_asked_about_is_never_mentioned():
    q = analyse("夏邑县新建的环保公厕每座造价是多少？")
    reply = _reply("夏邑县2018年筹建新型环保公厕20座。")
    best = _scored(_piece(reply, reply.text), 5.0)
    assert refusal_reason(q, best, {"r1": reply}, CONFIG) == "the archive never mentions 造价"


def test_refusal_when_the_thing_a_date_is_asked_of_is_never_mentioned():
    reply = _reply("2013年9月,国务院印发《大气污染防治行动计划》(大气十条)。")
    best = _scored(_piece(reply, reply.text), 5.0)
    q = analyse("《大氣十條》修訂版是哪一年印發的？")
    assert refusal_reason(q, best, {"r1": reply}, CONFIG) == "the archive never mentions 修订版"
    assert refusal_reason(analyse("《大气十条》是哪一年印发的？"), best, {"r1": reply}, CONFIG) == ""


def test_pieces_are_embedded_in_simplified_script_whatever_script_the_reply_is_in():
    # a Simplified question sits as near a Traditional reply as a Simplified one: script is not meaning
    embedder = _Embedder()
    DenseCache(embedder).embed(["將每月最後一周設定為“無會周”。", "将每月最后一周设定为“无会周”。"])
    assert embedder.embedded == ["将每月最后一周设定为“无会周”。"] * 2


def test_refusal_when_no_figure_is_in_the_unit_asked():
    q = analyse("腾冲市新建教师住房多少平方米？")
    reply = _reply("腾冲市新建教师住房12个。")
    best = _scored(_piece(reply, reply.text), 5.0)
    assert refusal_reason(q, best, {"r1": reply}, CONFIG) == "no figure in 平方米 near the topic"


def test_refusal_floors_by_language():
    reply = _reply("中小学教师每年培训学分不少于60学分。")
    piece = _piece(reply, reply.text)
    zh, en = analyse("中小学教师每年需要多少培训学分？"), analyse("how many training credits are required per year")
    replies = {"r1": reply}
    assert refusal_reason(zh, _scored(piece, 5.0, dense=0.9, covered=0.5), replies, CONFIG) == ""
    assert refusal_reason(zh, _scored(piece, 5.0, dense=0.9, covered=0.2), replies, CONFIG).startswith("too few")
    assert refusal_reason(zh, _scored(piece, 5.0, dense=0.8, covered=0.5), replies, CONFIG).startswith("best passage")
    assert refusal_reason(zh, _scored(piece, 5.0, dense=0.8, covered=0.9), replies, CONFIG) == ""  # nearly every word
    assert refusal_reason(en, _scored(piece, 5.0, dense=0.65), replies, CONFIG) == "best passage too far in meaning (0.650)"
    assert refusal_reason(en, _scored(piece, 5.0, dense=0.75), replies, CONFIG) == ""


class _Embedder:
    """Every passage gets the same vector: scores then differ by their lexical and cue parts only."""

    def __init__(self):
        self.embedded: list[str] = []

    def embed_passages(self, texts):
        self.embedded += list(texts)
        return np.ones((len(texts), 4), np.float32) / 2

    embed_passages_fast = embed_passages  # the Embedder protocol's cheap copy for ranking sentences


def test_score_pieces_rescores_only_the_lexically_best():
    q = analyse("新建了多少所学校？")
    sentences = ["共新建学校12所。", "学校建设稳步推进。", "感谢您对教育工作的关心。"] + [f"第{i}项工作已完成。" for i in range(10)]
    reply = _reply("".join(sentences))
    pieces = [_piece(reply, s, rank=i) for i, s in enumerate(sentences)]
    embedder = _Embedder()
    config = AnswerConfig(k_rescored=3)
    scored = score_pieces(q, pieces, {"r1": reply}, np.ones(4, np.float32) / 2, DenseCache(embedder), config)
    assert len(scored) == 3 and len(embedder.embedded) == 3
    assert scored[0].piece.text == "共新建学校12所。" and scored[0].cue == 1.0
    assert [s.score for s in scored] == sorted((s.score for s in scored), reverse=True)


def test_a_line_that_only_restates_the_replys_title_or_office_is_no_answer_to_a_question_on_its_content():
    from replyqa.answer.score import asks_about_reply, reply_heading_key

    title = "镇康县农业农村局关于对镇康县第十八届人民代表大会第四次会议代表第0038号建议的答复函"
    reply = Reply("r1", title, ReplyMeta(office="镇康县农业农村局", doc_number="镇农建〔2025〕38号"),
                  title + "\n会议明确由刘权牵头,杨天恩具体负责。", "r1.txt")
    heading = reply_heading_key(reply)
    q = analyse("镇康农业农村局弄0038号建议，谁带头、谁具体管？")
    assert not asks_about_reply(q)
    split = "镇康县农业农村局关于对镇康县第十八届 人民代表大会第四次会议代表第0038号 建议的答复函"  # as the lines break
    for line in (split, "镇康县农业农村局"):
        assert shape_penalty(q, line, match_key(line), q.key, 1.0, CONFIG, heading) >= CONFIG.w_meta
    fact = "会议明确由刘权牵头,杨天恩具体负责。"
    assert shape_penalty(q, fact, match_key(fact), q.key, 1.0, CONFIG, heading) < CONFIG.w_meta
    # a question about the reply itself may quote its heading
    for asks in ("这份答复的文号是什么？", "这份答复的标题是什么？", "Which office replied to suggestion 0038?"):
        assert asks_about_reply(analyse(asks)), asks
    # a reply with nothing parsed has no heading to restate
    assert reply_heading_key(_reply("会议明确由刘权牵头。")) == ""
