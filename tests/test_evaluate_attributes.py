"""Attribute-swap near misses: topics, the verification that the reply does not state the value, the file."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from replyqa.evaluate.attributes import (STATES, attribute_swaps, chinese_topic, english_topic, generate, states_bidder,
                                         states_completion, states_phone, states_students)
from replyqa.evaluate.questions import Question, load_questions

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.parametrize("text, stated", [
    ("联系人：李明，联系电话：0730-7628035。", True),
    ("如有疑问请致电13975012345。", True),
    ("咨询热线已开通。", True),
    ("索引号 000014349/2021-3225216 信息分类 人大代表", False),  # an index number, not a phone
    ("目前正在进行土方开挖工程。", False),
])
def test_a_phone_is_any_phone_number_or_word_for_one(text, stated):
    assert states_phone(text) is stated


@pytest.mark.parametrize("text, stated", [
    ("目前已經開工建設，預計2019年完工。", True),           # Traditional, read as Simplified
    ("已建成并投入使用的有7座，预计2017年9月底前投入使用。", True),
    ("根据现有政策，暂时没有硬化计划。", True),              # ruled out: a premise, not a missing date
    ("目前完成立项、选址及规划设计，正在进行土方开挖工程。", False),  # done and dated never in one sentence
    ("项目建成后将极大的提高群众生活水平。", False),
])
def test_a_completion_date_is_a_completion_word_and_a_time_in_one_sentence(text, stated):
    assert states_completion(text) is stated


def test_bidders_and_student_counts():
    assert states_bidder("由某某建设有限公司承建。") and not states_bidder("项目已纳入县重点项目。")
    assert states_students("该校现有在校学生1200名。") and states_students("学校可容纳四千人。")
    assert not states_students("新建教师住房3000平方米。")


@pytest.mark.parametrize("question, topic, kind", [
    ("镇康县中厂村至军南线连接线道路硬化项目是哪一年由上级部门下达建设计划的？", "镇康县中厂村至军南线连接线道路硬化项目", "built"),
    ("新鄭市新安裝的交通信號燈項目預計何時投入使用？", "新鄭市新安裝的交通信號燈項目", "built"),
    ("新郑市公安局2017年将在多少个路口安装智能交通信号机？", "新郑市公安局", "office"),
    ("腾冲市近年来合计新建教师住房多少平方米？", None, None),      # the phrase ends at 近年, before its head
    ("根据黔教发〔2020〕25号文件，九年一贯制学校的规模上限是多少人？", None, None),
])
def test_the_topic_is_the_leading_noun_phrase_with_a_known_head(question, topic, kind):
    found = chinese_topic(question)
    assert (found.text, found.kind) == (topic, kind) if topic else found is None


def test_english_topics_skip_question_words():
    found = english_topic("Where is Xianju County's Baita town medical and elderly-care centre expansion project located?")
    assert found.text == "Xianju County's Baita town medical and elderly-care centre" and found.kind == "built"
    assert english_topic("How many training credits are required per year") is None


def test_every_generated_question_is_verified_against_its_reply():
    kept, rejected = generate(ROOT / "eval" / "questions.jsonl", ROOT / "samples" / "replies")
    sources = {q.id: q for q in load_questions(ROOT / "eval" / "questions.jsonl")}
    assert len(kept) >= 12 and rejected
    for row in kept:
        source = sources[row["source_id"]]
        reply = (ROOT / "samples" / "replies" / row["near_doc"]).read_text(encoding="utf-8")
        assert not source.unanswerable and source.docs == (row["near_doc"],) and row["language"] == source.language
        assert row["kind"] == "unanswerable" and row["near_kind"] == "attribute" and not STATES[row["attribute"]](reply)
    for row in rejected:
        assert STATES[row["attribute"]]((ROOT / "samples" / "replies" / row["near_doc"]).read_text(encoding="utf-8"))
    # 宁陕县交通运输局's reply gives a phone number, so its phone question must not be asked
    assert "AS-HQ029-phone" in {r["id"] for r in rejected}
    assert len({r["id"] for r in kept}) == len(kept)


def test_the_committed_file_is_what_the_generator_writes():
    kept, _ = generate(ROOT / "eval" / "questions.jsonl", ROOT / "samples" / "replies")
    committed = [json.loads(line) for line in (ROOT / "eval" / "attribute_swap.jsonl").read_text().splitlines()]
    assert committed == kept
    assert all(q.unanswerable for q in load_questions(ROOT / "eval" / "attribute_swap.jsonl"))


def test_another_reply_that_names_the_topic_and_states_the_value_rejects_it():
    question = Question("Q1", "新郑市公安局2017年将在多少个路口安装信号机？", "zh-Hans", "number", docs=("a.txt",),
                        answers=("20个",))
    alone = {"a.txt": "新郑市公安局将在20个路口安装信号机。", "b.txt": "其他单位的电话是0371-62345678。"}
    kept, rejected = attribute_swaps([question], alone)
    assert [r["id"] for r in kept] == ["AS-Q1-phone"] and kept[0]["question"] == "新郑市公安局的联系电话是多少？"
    named = {**alone, "b.txt": "新郑市公安局联系电话：0371-62345678。"}
    kept, rejected = attribute_swaps([question], named)
    assert not kept and [r["id"] for r in rejected] == ["AS-Q1-phone"]
