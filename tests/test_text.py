"""Sentence and clause spans, trimming and sentence-end lookups."""
from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from replyqa.text import (CHECKED_SENTENCES, CHUNK_CLAUSES, CHUNK_SENTENCES, CLAUSE_ENDS, PARAGRAPH_SENTENCES,
                          PASSAGE_SENTENCES, QUOTE_CLAUSES, QUOTE_SENTENCES, QUOTE_WINDOWS, VALUE_BOUNDS, Marks,
                          end_mark, last_end, next_end, spans, trim)

ALL_MARKS = (CHUNK_SENTENCES, CHUNK_CLAUSES, QUOTE_SENTENCES, QUOTE_CLAUSES, QUOTE_WINDOWS,
             CHECKED_SENTENCES, PARAGRAPH_SENTENCES, PASSAGE_SENTENCES)
SENTENCE_MARKS = (CHUNK_SENTENCES, QUOTE_SENTENCES, CHECKED_SENTENCES, PARAGRAPH_SENTENCES, PASSAGE_SENTENCES)
# Text made of the characters the rules care about, in runs, with plain words between.
texts = st.lists(st.sampled_from(list("。！？；!?;”’」』)）\"，,、：: \n\t\u3000[]1a") + ["[1]", "政协委员", "答复"]),
                 max_size=80).map("".join)


def trimmed_spans(text: str, marks: Marks) -> list[tuple[int, int]]:
    return [s for s in (trim(text, a, b) for a, b in spans(text, marks)) if s[0] < s[1]]


@settings(max_examples=300, deadline=None)
@given(texts, st.sampled_from(ALL_MARKS))
def test_spans_are_in_order_and_do_not_overlap(text, marks):
    found = spans(text, marks)
    assert all(a < b for a, b in found)
    assert all(b <= c for (_, b), (c, _) in zip(found, found[1:]))
    assert all(0 <= a and b <= len(text) for a, b in found)


@settings(max_examples=300, deadline=None)
@given(texts, st.sampled_from(ALL_MARKS))
def test_bare_spans_tile_the_text(text, marks):
    if marks.bare:
        assert "".join(text[a:b] for a, b in spans(text, marks)) == text


@settings(max_examples=300, deadline=None)
@given(texts, st.sampled_from(SENTENCE_MARKS))
def test_trimmed_sentences_are_exact_trimmed_slices_covering_every_word(text, marks):
    found = trimmed_spans(text, marks)
    for a, b in found:
        assert not text[a].isspace() and not text[b - 1].isspace()
    assert all(b <= c for (_, b), (c, _) in zip(found, found[1:]))
    covered = {i for a, b in found for i in range(a, b)}
    words = {i for i, ch in enumerate(text) if not ch.isspace()}
    if marks.bare:
        assert words <= covered
    else:  # only stops before a sentence's first word are left out
        assert all(text[i] in marks.chars for i in words - covered)


@settings(max_examples=200, deadline=None)
@given(texts, st.integers(0, 80), st.integers(0, 80))
def test_spans_of_a_range_stay_inside_it(text, i, j):
    a, b = sorted((min(i, len(text)), min(j, len(text))))
    for marks in ALL_MARKS:
        assert all(a <= s < e <= b for s, e in spans(text, marks, a, b))


def test_a_chunk_sentence_ends_at_semicolons_and_keeps_its_closing_quotes():
    text = "他说：“好。”」然后；再见\n\n下一行"
    assert [text[a:b] for a, b in spans(text, CHUNK_SENTENCES)] == ["他说：“好。”」", "然后；", "再见\n\n", "下一行"]


def test_a_quote_sentence_keeps_one_closing_quote_and_runs_past_semicolons():
    text = "他说“好。”」然后；再见"
    assert [text[a:b] for a, b in spans(text, QUOTE_SENTENCES)] == ["他说“好。”", "」然后；再见"]


def test_each_semicolon_ends_its_own_quote_clause():
    text = "甲；；乙;丙"
    assert [text[a:b] for a, b in spans(text, QUOTE_CLAUSES)] == ["甲；", "；", "乙;", "丙"]


def test_a_checked_sentence_keeps_its_markers_and_stray_stops_belong_to_none():
    text = "。。共有12所学校。[1][2] 已完成！[3]\n\n"
    got = [text[a:b].strip() for a, b in spans(text, CHECKED_SENTENCES)]
    assert got == ["共有12所学校。[1][2]", "已完成！[3]"]


def test_paragraph_sentences_run_across_line_breaks():
    text = "第一句。第二\n句！！尾"
    assert [text[a:b] for a, b in spans(text, PARAGRAPH_SENTENCES)] == ["第一句。", "第二\n句！！", "尾"]


def test_trim_strips_white_space_and_leading_marks_only_at_the_start():
    text = " ，、答复， \n"
    assert trim(text, 0, len(text)) == (1, len(text) - 2)
    assert trim(text, 0, len(text), lead="，、") == (3, len(text) - 2)
    assert trim("| 文号 :|", 0, 7, strip=" :|") == (2, 4)
    assert trim("\u3000文号\u3000", 0, 4, strip=" ") == (0, 4)


def test_sentence_end_lookups():
    text = "甲。乙！丙\n丁?"
    assert last_end(text, PASSAGE_SENTENCES, 0, 5) == 4
    assert last_end(text, PASSAGE_SENTENCES, 0, 1) is None
    assert next_end(text, PASSAGE_SENTENCES, 5) == 6
    assert next_end(text, PASSAGE_SENTENCES, 7) is None  # the web passage does not stop at a half-width ?
    assert next_end(text, PARAGRAPH_SENTENCES, 5) == 8  # nor do benchmark paragraphs at a line break


@pytest.mark.parametrize("marks", [CLAUSE_ENDS, VALUE_BOUNDS, CHUNK_SENTENCES, QUOTE_SENTENCES])
def test_end_mark_matches_exactly_the_characters_that_end_a_span(marks):
    text = "".join(chr(c) for c in range(0x20, 0x7f)) + "，、。；：！？（）“”」』\n\t　中"
    assert {m.group() for m in end_mark(marks).finditer(text)} == set(marks.chars)
