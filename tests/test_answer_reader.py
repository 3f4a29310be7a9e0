"""The fitted reader: encoding pairs, decoding spans, calibration, choosing the quote, when it is used."""
from __future__ import annotations

import random
from pathlib import Path

import numpy as np
import pytest

from replyqa.answer import quoting, reader_of
from replyqa.answer.reader import MAX_ANSWER_TOKENS, Calibration, Reading, Window, best_span, windows
from replyqa.answer.readerfit import Example, _without_answer, encode
from replyqa.settings import Settings

@pytest.fixture(scope="module")
def tokenizer():
    from tokenizers import Tokenizer

    from replyqa.answer.readermodel import base_folder

    return Tokenizer.from_file(str(base_folder(Path(Settings.from_env().home)) / "tokenizer.json"))


@pytest.mark.model
def test_a_pair_is_question_then_passage_with_passage_offsets_into_the_original(tokenizer):
    passage = "原則上每年不少於60學分，五年不少於360學分。"
    (w,) = windows(tokenizer, "每年要求多少学分？", passage)
    assert w.ids[0] == 0 and w.ids[-1] == 2 and w.ids[w.first - 2:w.first] == (2, 2)
    assert len(w.offsets) == len(w.ids) - w.first - 1
    assert passage[w.offsets[0][0]:w.offsets[-1][1]] == passage  # Traditional read in Simplified, offsets kept


@pytest.mark.model
def test_a_long_passage_is_read_in_overlapping_windows(tokenizer):
    passage = "。".join(f"第{i}条规定每年培训不少于{i}学时" for i in range(60))
    found = windows(tokenizer, "培训多少学时", passage, max_tokens=128)
    assert len(found) > 3 and all(len(w.ids) <= 128 for w in found)
    assert found[0].offsets[0][0] == 0 and found[-1].offsets[-1][1] == len(passage)
    assert all(b.offsets[0][0] < a.offsets[-1][1] for a, b in zip(found, found[1:]))  # they overlap


def test_the_best_span_starts_before_it_ends_and_is_not_too_long():
    window = Window(ids=tuple(range(50)), first=10, offsets=tuple((i, i + 1) for i in range(39)))
    start, end = np.zeros(50), np.zeros(50)
    start[30], end[20] = 9, 9  # an end before the start is no span
    i, j, score = best_span(start, end, window)
    assert i <= j and score == 9
    start[12], end[14] = 5, 5
    assert best_span(start, end, window)[:2] == (2, 10)  # start 12, end 20: the best pair in order
    start[:], end[:] = 0, 0
    start[10], end[10 + MAX_ANSWER_TOKENS + 3] = 9, 9
    i, j, _ = best_span(start, end, window)
    assert j - i < MAX_ANSWER_TOKENS


def test_calibration_maps_the_margin_to_a_probability():
    c = Calibration(a=1.0, b=0.0, refuse_below=0.3)
    assert c.probability(0.0) == 0.5 and c.probability(5) > 0.99 and c.probability(-5) < 0.01
    assert Reading(0, 3, 5, score=4.0, null=1.5).margin == 2.5


def test_the_quote_is_the_shortest_piece_holding_the_span():
    from replyqa.answer.pieces import Piece
    from replyqa.records import Chunk, Hit

    chunk = Chunk("c", "r", (), "x" * 100, 0, 100)
    pieces = [Piece("r", chunk, 0, 80, "a" * 80, 0), Piece("r", chunk, 20, 40, "b" * 20, 0)]
    reply = type("R", (), {"reply_id": "r", "text": "y" * 100})()
    hit = Hit(chunk, 1.0, "dense")
    assert quoting((22, 30), pieces, reply, hit).start == 20
    assert quoting((35, 45), pieces, reply, hit).start == 0
    assert (quoting((90, 95), pieces, reply, hit).start, quoting((90, 95), pieces, reply, hit).end) == (90, 95)


def test_the_reader_is_used_with_the_default_model_only_unless_turned_off():
    assert reader_of(Settings(embed_model="hash")) is None
    assert reader_of(Settings(reader="off")) is None


def test_unanswerable_examples_lose_every_sentence_holding_the_answer():
    context = "县里今年新建停车场3处，分布在城东和城西两个片区。新增泊位600个，预计年底完工。感谢您的关心和支持，欢迎继续监督我们的工作。"
    start = context.index("600")
    cut = _without_answer(context, (start, start + 3), ("600个",))
    assert cut == "县里今年新建停车场3处，分布在城东和城西两个片区。感谢您的关心和支持，欢迎继续监督我们的工作。"
    assert _without_answer(context, (start, start + 3), ("停车场",)) is None  # another answer stays: no example


@pytest.mark.model
def test_an_answer_is_encoded_at_its_tokens_and_no_answer_at_the_first(tokenizer):
    passage = "县里今年新建停车场3处，新增泊位600个，预计年底完工。"
    start = passage.index("600个")
    enc = encode(tokenizer, Example("q", 2, "answer", "新增多少泊位", passage, (start, start + 4)), 0, random.Random(1))
    w = enc.window
    got = passage[w.offsets[enc.start - w.first][0]:w.offsets[enc.end - w.first][1]]
    assert got.endswith("600个") and len(got) <= 6
    none = encode(tokenizer, Example("q", 2, "removed", "新增多少泊位", passage, None), 1, random.Random(1))
    assert (none.start, none.end) == (0, 0)


def test_the_rules_answer_unless_the_reader_is_asked_for_and_a_bad_setting_is_named():
    from replyqa.errors import ModelError

    assert Settings().reader == "off" and reader_of(Settings()) is None
    with pytest.raises(ModelError, match="unknown reader setting 'yes'"):
        reader_of(Settings(reader="yes"))
