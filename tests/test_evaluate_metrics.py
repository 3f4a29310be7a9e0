"""The metric functions on small hand-made cases."""
from __future__ import annotations

import pytest
from hypothesis import given, strategies as st

from replyqa.evaluate import metrics as m


@pytest.mark.parametrize("text, expected", [
    ("原則上每年不少於60學分", "原则上每年不少于60学分"),  # Traditional → Simplified
    ("６０　學分", "60学分"),  # full-width digits and space
    ("六十", "60"),
    ("二十三所", "23所"),
    ("一百零五", "105"),
    ("三千五百万元", "35000000元"),
    ("二〇二五年", "2025年"),
    ("27,755 m²", "27755m2"),  # thousands separator
    ("5、6", "5|6"),  # a list of numbers never fuses into one
    ("2023-06-29。“2023年6月29日”", "2023|06|29|2023年6月29日"),  # nor do figures across a run of marks
    ("约1.2公里。", "约1.2公里"),
    ("184万平方米", "184万平方米"),  # 万 after Arabic digits stays
    ("十四五规划", "十四五规划"),  # a plan's name, not a number
])
def test_normalise(text, expected):
    assert m.normalise(text) == expected


@pytest.mark.parametrize("run, value", [("六十", 60), ("二十三", 23), ("十", 10), ("十二", 12), ("两千", 2000),
                                        ("一亿二千万", 120_000_000), ("一百零五", 105), ("十四五", None)])
def test_parse_chinese_number(run, value):
    assert m.parse_chinese_number(run) == value


def test_traditional_gold_matches_simplified_answer():
    assert m.answer_correct("原则上每年不少于60学分 [1]", ["原則上每年不少於60學分"])


@pytest.mark.parametrize("answer, gold, ok", [
    ("原則上每年不少於60學分", "60", True),
    ("每年不少于六十学分", "60学分", True),  # Chinese numerals where the text says so
    ("每年不少于60学分", "六十", True),
    ("培训教师600多人", "60", False),  # numbers compared as numbers, not as substrings
    ("比例为1.60", "60", False),
    ("共60.5公里", "60", False),
    ("新建４８個常態化錄播教室", "48", True),
    ("面积27755平方米", "27,755", True),
    ("", "60", False),
])
def test_numbers_compared_as_numbers(answer, gold, ok):
    assert m.answer_correct(answer, [gold]) is ok


def test_any_gold_answer_counts():
    assert m.answer_correct("光荣和ω-force合作", ["光榮與ω-force", "光荣和ω-force"])
    assert not m.answer_correct("光荣", [""])


def test_answer_recall_gives_partial_credit_per_part():
    gold = ["10座（含3座垃圾中转站），已建成投用7座，3座等待验收"]
    assert m.answer_parts(gold[0]) == ["10座", "含3座垃圾中转站", "已建成投用7座", "3座等待验收"]
    assert m.answer_recall("筹建10座新型环保公厕，已建成投用7座", gold) == pytest.approx(0.5)


def test_evidence_found_in_one_chunk_or_in_touching_chunks():
    evidence = ["培訓時長一般2到3天"]
    one = [{"reply_id": "a", "text": "县级培训时长一般2到3天。", "start": 0, "end": 12}]
    assert m.evidence_found(one, evidence)
    split = [{"reply_id": "a", "text": "一般2到3天。", "start": 10, "end": 17},
             {"reply_id": "a", "text": "县级培训时长", "start": 3, "end": 9}]
    assert m.evidence_found(split, evidence)
    far = [{"reply_id": "a", "text": "县级培训时长", "start": 3, "end": 9},
           {"reply_id": "a", "text": "一般2到3天。", "start": 40, "end": 47}]
    assert not m.evidence_found(far, evidence)
    other_reply = [{"reply_id": "a", "text": "县级培训时长", "start": 3, "end": 9},
                   {"reply_id": "b", "text": "一般2到3天。", "start": 9, "end": 16}]
    assert not m.evidence_found(other_reply, evidence)
    assert not m.evidence_found(one, [])


def test_rank_hit_and_mrr():
    ranked = ["x.txt", "gold.txt", "y.txt", "gold.txt"]
    rank = m.reply_rank(ranked, {"gold.txt"})
    assert rank == 2
    assert [m.hit_at(rank, k) for k in (1, 3, 5)] == [0.0, 1.0, 1.0]
    assert m.reciprocal_rank(rank) == 0.5
    assert m.reply_rank(["x.txt"], {"gold.txt"}) is None
    assert m.reciprocal_rank(None) == 0.0 and m.hit_at(None, 5) == 0.0
    assert m.reply_rank(["a", "b"], {"b", "a"}) == 1  # precedent questions: any gold reply


def test_refusal_scores():
    refused = [True, True, False, True, False]
    unanswerable = [True, False, True, True, False]
    s = m.refusal_scores(refused, unanswerable)
    assert s["refusal_precision"] == pytest.approx(2 / 3)
    assert s["refusal_recall"] == pytest.approx(2 / 3)
    assert s["false_refusal_rate"] == pytest.approx(1 / 2)
    none = m.refusal_scores([False, False], [False, False])
    assert none["refusal_precision"] is None and none["refusal_recall"] is None
    assert none["false_refusal_rate"] == 0.0


def test_latency_summary_and_mean():
    s = m.latency_summary([0.01, 0.02, 0.03, 0.04, 1.0])
    assert s["median_ms"] == pytest.approx(30.0)
    assert s["p95_ms"] == pytest.approx(40 + 0.8 * 960)
    assert m.latency_summary([])["median_ms"] is None
    assert m.mean([1.0, None, 0.0]) == 0.5 and m.mean([None]) is None


@given(st.text(alphabet="0123456789六十百千万年元个，、。 學分学,.", min_size=1, max_size=30))
def test_a_text_always_contains_itself(text):
    if m.normalise(text):
        assert m.contains(text, text)


def test_extractable_separates_quotable_gold_answers_from_paraphrases():
    from replyqa.evaluate.metrics import extractable

    evidence = ["2018年筹建10座新型环保公厕(其中含3座垃圾中转站),目前,已建成并投入使用的有7座,3座等待验收。"]
    assert extractable(["10座"], evidence)
    assert extractable(["10座新型环保公厕"], ["2018年籌建10座新型環保公廁。"])  # script does not matter
    assert not extractable(["10座（含3座垃圾中转站），已建成投用7座，3座等待验收"], evidence)
    assert not extractable(["On the old campus (白塔衛生院老院區)"], ["該項目位于白塔衛生院老院區"])
    assert not extractable([""], evidence)


def test_a_citation_mark_never_joins_a_number():
    assert m.answer_correct("据答复：“联系电话:3221671”[1]", ["3221671"])
    assert not m.answer_correct("据答复：“联系电话:322167”[1]", ["3221671"])
    assert m.answer_correct("“共10座”[1]“另建2座”[2]", ["2座"])


def test_a_date_or_document_number_in_the_lead_is_matched_whole():
    # the lead's ISO date glued to the quoted date read "…292023年6月29日", and "[2017]" was cut as a citation mark
    assert m.answer_correct("据答复（2023-06-29）：2023-06-29。“2023年6月29日”[1]", ["2023年6月29日"])
    assert m.answer_correct("據答覆平交复函[2017]19号：“平交复函[2017]19号B类”[1]", ["平交复函[2017]19号"])
    assert not m.answer_correct("“文号平交复函[2017]19号”[1]", ["平交复函[2017]1号"])
