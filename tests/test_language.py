"""One language decision, one stemmer, the stopword lists and the pinyin-gloss rule."""
from __future__ import annotations

import pytest

from replyqa.language import (FUNCTION_WORDS, NOT_TOPIC_WORDS, detect_language, gloss_spans, is_english, is_pinyin,
                              stem, strip_glosses)
from replyqa.normalise import to_simplified


@pytest.mark.parametrize("text, language", [
    ("how many training credits are required per year", "en"),
    ("中小学教师每年需要多少培训学分？", "zh-Hans"),
    ("仙居縣白塔鎮醫養中心內設多少張養老床位？", "zh-Hant"),
    # mixed script: the side with more words wins, a Chinese word counting as two characters
    ("Which handling class (类别) was assigned to the reply?", "en"),
    ("Has the renovation of the Beizhaodian area (北赵店片区) been included in the pilot?", "en"),
    ("Antichrist Superstar是谁的个人专辑?", "zh-Hans"),
    ("高平市第71号建议答复的document number是什么", "zh-Hans"),
    ("5350万元", "zh-Hans"),
])
def test_language_of_typical_and_mixed_questions(text, language):
    assert detect_language(text, to_simplified(text)) == language
    assert is_english(text) is (language == "en")


def test_the_rule_compares_latin_words_with_half_the_chinese_characters():
    assert is_english("ab cd 中文字")  # two words against three characters: 2 > 1.5
    assert not is_english("ab 中文字")  # one word: 1 < 1.5
    assert not is_english("")


def test_script_is_told_by_the_simplified_copy():
    assert detect_language("答覆", "答复") == "zh-Hant"
    assert detect_language("答复", "答复") == "zh-Hans"


@pytest.mark.parametrize("word, stemmed", [
    ("credits", "credit"), ("counties", "county"), ("classes", "class"), ("class", "class"),
    ("County's", "county"), ("Training", "training"), ("bus", "bus"), ("process", "process"), ("does", "does"), ("this", "this"),
])
def test_stem_folds_plurals_and_keeps_double_s(word, stemmed):
    assert stem(word) == stemmed


def test_stopword_lists_differ_where_their_jobs_differ():
    # "reply" is a topic word no question needs, but a dictionary entry worth looking up.
    assert "reply" in NOT_TOPIC_WORDS and "reply" not in FUNCTION_WORDS
    # "please" is never looked up in the dictionary alone; as a question word it is too short to matter.
    assert "please" in FUNCTION_WORDS
    assert {"what", "the", "of", "how"} <= FUNCTION_WORDS & NOT_TOPIC_WORDS


def test_glosses_after_characters_are_stripped_with_their_brackets():
    assert strip_glosses("現(xiàn)答復(fù)") == "現答復"
    assert strip_glosses("項（xiàng）目") == "項目"
    assert gloss_spans("現(xiàn)") == [(1, 7)]


def test_broken_glosses_lose_their_question_mark_too():
    assert strip_glosses("你們?cè)阪?zhèn)康縣") == "你們阪康縣"


def test_brackets_that_are_not_pinyin_after_a_character_stay():
    assert strip_glosses("方案(a)和方案(abc)") == "方案(a)和方案(abc)"
    assert strip_glosses("class (B) of the reply") == "class (B) of the reply"
    assert strip_glosses("Ningshan(de)") == "Ningshan(de)"  # after a Latin letter: not a gloss


def test_pinyin_syllables():
    assert is_pinyin("xiàn") and is_pinyin("zhèn") and is_pinyin("de") and is_pinyin("lǜ")
    assert not is_pinyin("a") and not is_pinyin("in") and not is_pinyin("xyz")
