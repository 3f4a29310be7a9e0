"""Paraphrases against their originals: the same value, a false refusal, values not asked for."""
from __future__ import annotations

from replyqa.evaluate.paraphrases import answered, compare, lead_count, paraphrase_table, same_answer


def record(answer: str, quote: str = "", span: tuple[int, int] | None = None, start: int = 100,
           refused: bool = False) -> dict:
    citations = [] if refused else [{"quote": quote, "start": start, "end": start + len(quote),
                                     "answer_span": [start + span[0], start + span[1]] if span else None}]
    return {"response": {"answer": answer, "refused": refused, "citations": citations}}


QUOTE = "原則上每年不少於60學分。"
ORIGINAL = record("據答覆：60學分。“原則上每年不少於60學分。”[1]", QUOTE, (QUOTE.index("60"), QUOTE.index("分") + 1))


def test_the_value_quoted_is_the_answer_span_as_matching_sees_it():
    assert answered(ORIGINAL) == ("60学分", "原则上每年不少于60学分。")
    assert answered(record("", refused=True)) is None
    assert answered(record("x", QUOTE)) == ("原则上每年不少于60学分。",) * 2


def test_a_paraphrase_is_the_same_answer_when_its_quote_holds_the_original_value():
    longer = "五年不少於360學分，原則上每年不少於60學分。"
    assert same_answer(answered(record("x", longer)), answered(ORIGINAL))
    assert not same_answer(answered(record("x", "五年不少於360學分。")), answered(ORIGINAL))
    assert not same_answer(None, answered(ORIGINAL))


def test_leading_values_are_counted_before_the_first_quote():
    assert lead_count(ORIGINAL) == 1
    assert lead_count(record("Per reply: 60 credits; 360 credits; 五年 — “…” [1]")) == 3
    assert lead_count(record("据答复（2025-07-14）：“原则上…”[1]")) == 0


def test_figures_by_style_count_only_paraphrases_of_answered_originals():
    paraphrases = [{"id": "S1-P1", "of": "S1", "style": "colloquial"}, {"id": "S1-P4", "of": "S1", "style": "english"},
                   {"id": "S2-P1", "of": "S2", "style": "colloquial"}]
    originals = {"S1": ORIGINAL, "S2": record("", refused=True)}
    asked = {"S1-P1": record("x", QUOTE), "S1-P4": record("", refused=True), "S2-P1": record("x", QUOTE)}
    figures = compare(paraphrases, originals, asked)
    assert (figures["asked"], figures["same_answer"], figures["false_refusals"], figures["skipped"]) == (2, 0.5, 0.5, 1)
    assert figures["by_style"]["english"]["false_refusals"] == 1.0
    assert "| all | 2 | 50.0 | 50.0 | 0.0 |" in paraphrase_table([{"paraphrase": figures}])


def test_each_other_system_is_compared_with_its_own_originals(tmp_path):
    import json

    from replyqa.evaluate.paraphrases import main

    questions = tmp_path / "paraphrases.jsonl"
    questions.write_text(json.dumps({"id": "S1-P1", "of": "S1", "style": "colloquial"}) + "\n")
    originals, paraphrases = tmp_path / "orig", tmp_path / "para"
    for folder, rows in ((originals, {"results": ORIGINAL, "results-reader": ORIGINAL}),
                         (paraphrases, {"results": record("x", QUOTE), "results-reader": record("", refused=True)})):
        folder.mkdir()
        for name, row in rows.items():
            (folder / f"{name}.jsonl").write_text(json.dumps({"id": "S1-P1" if folder == paraphrases else "S1", **row}) + "\n")
    (paraphrases / "report.json").write_text("{}")
    main([str(originals), str(paraphrases), "--questions", str(questions)])
    report = json.loads((paraphrases / "report.json").read_text())
    assert report["paraphrase"]["same_answer"] == 1.0
    assert report["paraphrase_systems"]["reader"]["false_refusals"] == 1.0 and "rows" not in report["paraphrase_systems"]["reader"]
