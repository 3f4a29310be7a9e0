"""Scoring extracted commitments against the annotated set: one-to-one matching by overlap, conditions, figures."""
from __future__ import annotations

from replyqa.commitments import Commitment
from replyqa.evaluate.commitments import match, same_condition, score
from replyqa.evaluate.counts import stated_count, stated_left_out


def test_each_gold_promise_takes_the_extracted_item_it_overlaps_most_once():
    gold = [(0, 10), (12, 20)]
    found = [(5, 14), (0, 4), (15, 30)]
    assert match(gold, found) == [(0, 0), (1, 2)]
    assert match(gold, [(40, 50)]) == []


def test_conditions_agree_when_equal_contained_or_both_empty():
    assert same_condition("", "") and same_condition("待项目资金下达后", "待項目資金下達後")
    assert same_condition("如能进入自然村规划,等政策启动后", "等政策启动后")
    assert not same_condition("待资金下达后", "") and not same_condition("条件成熟时", "项目批准后")


def test_the_figures_count_misses_spurious_items_and_wrong_days():
    text = "我局将于年底前完成。我局将加强管理。今年以来新建10座。"
    gold = [{"id": "C1", "doc": "a.txt", "quote": "我局将于年底前完成", "due": "2024-12-31", "condition": ""},
            {"id": "C2", "doc": "a.txt", "quote": "我局将加强管理", "due": None, "condition": ""}]
    found = [Commitment("r", "a.txt", "我局将于年底前完成", 0, 9, "2025-12-31", "年底前", ""),
             Commitment("r", "a.txt", "今年以来新建10座", 18, 27, None, "", "")]
    report = score(gold, {"a.txt": (text, found)})
    f = report["figures"]
    assert (f["recall"], f["precision"], f["due_exact"], f["exact_slices"]) == (0.5, 0.5, 0.0, 1.0)
    assert [m["id"] for m in report["missed"]] == ["C2"] and report["spurious"][0]["quote"] == "今年以来新建10座"


def test_a_count_answer_is_read_as_a_person_reads_it():
    assert stated_count("共3件（2017年），按各答复自身写明的事实统计：\n[1] …") == 3
    assert stated_count("0 replies (2023): none of the archive's replies states these facts.") == 0
    assert stated_count("据答复：…") is None
    assert stated_left_out("…\n另有2件答复未计入：2件未写明年份。") == 2
    assert stated_left_out("1 more reply was not counted: it states no year (1).") == 1
    assert stated_left_out("共1件") == 0


def test_the_results_file_tables_the_ledger_and_counting_reports(tmp_path):
    from replyqa.evaluate import commitments, counts
    from replyqa.evaluate.report import archive_markdown

    ledger = commitments.write(score([], {}, "commitments"), tmp_path / "c")
    counted = counts.write(counts.score([{"id": "N1", "question": "q", "count": 0, "replies": [], "left_out": []}],
                                        [{"answer": "共0件", "cited": []}]), tmp_path / "n")
    text = archive_markdown([ledger / "report.json", counted / "report.json"])
    assert "| commitments | 0 | 0 | 0 |" in text and "| count-questions | 1 | 100.0 (≥95) |" in text
    assert archive_markdown([]) == ""
