"""The steps a reply dates, in the words questions and replies use for them."""
from __future__ import annotations

from replyqa.answer.events import chinese_step_words, step_words


def test_a_step_is_found_in_any_of_its_words_in_either_language():
    assert "开工" in chinese_step_words("动工") and "完工" in chinese_step_words("弄完")
    assert "投入使用" in chinese_step_words("能用") and "面商" in chinese_step_words("当面")
    assert "开工" in chinese_step_words("start") and "完工" in chinese_step_words("finished")
    assert "面商" in chinese_step_words("face-to-face") and "面商" in chinese_step_words("meeting")
    assert step_words("动工")[0] == "动工"  # the word itself first


def test_steps_do_not_run_into_each_other_and_other_words_name_none():
    assert "完工" not in chinese_step_words("开工") and "开工" not in chinese_step_words("竣工")
    assert step_words("学分") == () and step_words("teacher") == () and chinese_step_words("") == ()
