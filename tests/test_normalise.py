"""Normalising for matching: script, over-conversions, widths, whitespace, pinyin glosses, offsets."""
from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from replyqa.language import is_pinyin, strip_glosses
from replyqa.normalise import fold_width, match_key, normalise, tidy, to_simplified

SAMPLES = sorted((Path(__file__).resolve().parents[1] / "samples" / "replies").glob("*.txt"))


@pytest.mark.parametrize("text,key", [
    ("方麵 製度 答複 聯係", "方面制度答复联系"),
    ("嶽縣教體字〔2025〕23號", "岳县教体字〔2025〕23号"),
    ("現(xiàn)答復(fù)如下", "现答复如下"),
    ("關(guān)于中廠村", "关于中厂村"),
    ("你們?cè)阪?zhèn)康縣", "你们阪康县"),  # a mirror's broken gloss ("?cè)") goes too
    ("（第１２号）：", "(第12号):"),
    ("答     复", "答复"),
    ("联 系 人:陈乃俊", "联系人:陈乃俊"),
    ("A1類  同意公開", "a1类同意公开"),
])
def test_match_key(text, key):
    assert match_key(text) == key


def test_glosses_need_to_look_like_pinyin():
    assert strip_glosses("方案(a)和方案(abc)") == "方案(a)和方案(abc)"
    assert strip_glosses("的(de)") == "的"
    assert is_pinyin("xiàn") and is_pinyin("zhèn") and is_pinyin("de")
    assert not is_pinyin("a") and not is_pinyin("abc") and not is_pinyin("xyz")


def test_to_simplified_and_fold_width_keep_the_length():
    text = "對縣政協十四屆四次會議第45號提案的答複（ＡＢＣ） …"
    assert len(to_simplified(text)) == len(text) == len(fold_width(text))
    assert fold_width("（第１２号）") == "(第12号)"


def test_tidy_keeps_the_script_and_drops_glosses_and_spacing():
    assert tidy("  鎮(zhèn)康縣交通運(yùn)輸局 ") == "鎮康縣交通運輸局"
    assert tidy("答     複") == "答複"
    assert tidy("袁文炳   0730--7628035") == "袁文炳0730--7628035"


def test_whitespace_between_words_is_kept_as_one_space():
    norm = normalise("see  the\tfile   now")
    assert norm.text == "see the file now"


def test_lines_survive_as_single_newlines():
    assert normalise("一\n\n\n二\r\n三").text == "一\n二\n三"


@pytest.mark.parametrize("path", SAMPLES, ids=lambda p: p.name[:3])
def test_every_normalised_character_maps_back_into_the_original(path):
    text = path.read_text(encoding="utf-8")
    norm = normalise(text)
    assert len(norm.origin) == len(norm.text)
    assert list(norm.origin) == sorted(norm.origin)
    for i in range(0, len(norm.text), 7):
        ch = norm.text[i]
        if ch in " \n":
            continue
        assert match_key(text[norm.origin[i]]).find(ch.lower()) >= 0 or ch == "."


@settings(max_examples=60, deadline=None)
@given(st.data())
def test_a_match_in_the_normalised_text_shows_in_the_original(data):
    path = data.draw(st.sampled_from(SAMPLES))
    text = path.read_text(encoding="utf-8")
    norm = normalise(text)
    start = data.draw(st.integers(0, len(norm.text) - 1))
    end = data.draw(st.integers(start + 1, min(len(norm.text), start + 40)))
    needle = norm.text[start:end]
    s, e = norm.span(start, end)
    assert match_key(text[s:e]) == match_key(needle)


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("現答復(xiàn)()（） 　\n方麵製度答複聯係AＡ１1,，。abc?")), max_size=60))
def test_offsets_are_ordered_and_in_range_for_any_text(text):
    norm = normalise(text)
    assert len(norm.origin) == len(norm.text)
    assert all(0 <= o < len(text) for o in norm.origin)
    assert list(norm.origin) == sorted(norm.origin)
    s, e = norm.span(0, len(norm.text))
    assert 0 <= s <= e <= len(text)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(list("养(yǎng)（ｙáｎɡ）縣議鎮學分ＡＢａ1１ \u3000\n\t\u00a0¨ﬁİ，。、")
                                + ["養(yǎng)", "(yǎng)", "(zhí)", " (y ǎ ng)"]), max_size=40).map("".join))
def test_match_key_is_the_normalised_text_without_white_space(text):
    # match_key is computed without normalise's offsets; it must give the same characters
    assert match_key(text) == "".join(normalise(text).text.lower().split())
