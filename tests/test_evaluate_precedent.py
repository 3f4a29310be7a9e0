"""The precedent proposals (eval/) and their scoring: the sets are what eval/README.md says they are."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from replyqa.errors import QueryError
from replyqa.evaluate.precedent import load_set, score
from replyqa.normalise import match_key, to_simplified

ROOT = Path(__file__).resolve().parents[1]
REPORTED = ROOT / "eval" / "precedent_proposals.jsonl"
FIT = ROOT / "eval" / "precedent_fit.jsonl"
SAMPLES = ROOT / "samples" / "replies"


def longest_common_run(a: str, b: str) -> int:
    best, prev = 0, [0] * (len(b) + 1)
    for i in range(1, len(a) + 1):
        cur = [0] * (len(b) + 1)
        for j in range(1, len(b) + 1):
            if a[i - 1] == b[j - 1]:
                cur[j] = prev[j - 1] + 1
                best = max(best, cur[j])
        prev = cur
    return best


@pytest.mark.parametrize("path", [REPORTED, FIT])
def test_each_set_has_a_repeat_and_an_elsewhere_proposal_per_sample_reply(path):
    rows = load_set(path)
    targets = [r["target"] for r in rows if r["target"]]
    assert {p.name for p in SAMPLES.iterdir()} == set(targets)
    assert sum(r["kind"] == "repeat" for r in rows) == sum(r["kind"] == "elsewhere" for r in rows) == len(list(SAMPLES.iterdir()))
    assert len({r["id"] for r in rows}) == len(rows)


def test_the_reported_set_has_at_least_30_proposals_and_shares_none_with_the_fit_set():
    reported, fit = load_set(REPORTED), load_set(FIT)
    assert sum(r["kind"] != "different" for r in reported) >= 30
    assert not {r["text"] for r in reported} & {r["text"] for r in fit}
    assert not {r["id"] for r in reported} & {r["id"] for r in fit}


@pytest.mark.parametrize("path", [REPORTED, FIT])
def test_proposals_are_reworded_not_copied_from_their_reply(path):
    for row in load_set(path):
        if row["target"]:
            reply = "".join(to_simplified((SAMPLES / row["target"]).read_text(encoding="utf-8")).split())
            assert longest_common_run("".join(row["text"].split()), reply) < 20, row["id"]


@pytest.mark.parametrize("path", [REPORTED, FIT])
def test_a_repeat_names_its_reply_s_place_and_elsewhere_one_the_reply_never_mentions(path):
    """(By the place's first two characters, as a bare county name: 镇康 of 镇康县; glosses like 镇(zhèn) aside.)"""
    for row in load_set(path):
        reply = match_key((SAMPLES / row["target"]).read_text(encoding="utf-8")) if row["target"] else ""
        place = row["place"]
        if row["kind"] == "repeat" and place != "全国":
            assert place[:2] in row["text"] and place[:2] in reply, row["id"]
        elif row["kind"] == "elsewhere":
            assert place in row["text"] and place[:2] not in reply, row["id"]


def test_a_row_without_its_fields_is_refused(tmp_path):
    bad = tmp_path / "bad.jsonl"
    bad.write_text(json.dumps({"id": "x", "target": None, "kind": "repeat", "text": "…"}) + "\n", encoding="utf-8")
    with pytest.raises(QueryError, match="bad.jsonl:1"):
        load_set(bad)


def test_score_counts_hits_flags_and_kinds():
    def row(i, kind, rank, repeat_of, target="t"):
        return {"id": i, "kind": kind, "target": target if kind != "different" else None, "rank": rank,
                "repeat_of": repeat_of, "target_similarity": 90.0 if kind == "repeat" else 45.0,
                "top_similarity": 10.0, "ms": 100.0}
    results = [row("a", "repeat", 1, "t"), row("b", "repeat", 2, None), row("c", "elsewhere", 1, None),
               row("d", "elsewhere", 4, "t"), row("e", "different", None, None)]
    f = score(results)["figures"]
    assert (f["hit1"], f["hit3"]) == (0.5, 0.75)
    assert (f["repeats_flagged"], f["others_not_flagged"], f["different_not_flagged"]) == (0.5, 0.5, 1.0)
    assert (f["similarity_repeat"], f["similarity_elsewhere"]) == (90.0, 45.0)
    assert [m["id"] for m in score(results)["misses"]] == ["b", "d"]


def test_the_precedent_table_joins_the_archive_tables_of_make_eval(tmp_path):
    from replyqa.evaluate.precedent import write
    from replyqa.evaluate.report import archive_markdown

    report = score([{"id": "a", "kind": "repeat", "target": "t", "rank": 1, "repeat_of": "t",
                     "target_similarity": 95.0, "top_similarity": 95.0, "ms": 200.0}], "precedent-proposals")
    write(report, tmp_path)
    text = archive_markdown([tmp_path / "report.json"])
    assert "| precedent-proposals | 1 (1 / 0 / 0) | 100.0 (≥90) | 100.0 (≥97) | 100.0 (≥90) | – (≥90) |" in text
