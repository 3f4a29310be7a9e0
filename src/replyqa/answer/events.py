"""The steps a reply dates, and the words people use for each: a question's word and the reply's may differ.

A reply says "计划2024年年底开工建设,2026年下半年完工" and "6月15日与您面商"; a citizen asks "啥时候动工",
"啥时候弄完", "啥时候能用上", "哪天跟代表当面谈的" or "When should it be finished?". The dictionary links
few of these (CC-CEDICT has no 面商, and glosses 动工 and 开工 differently), so the steps of a project and
of handling a proposal are listed here by hand, each with the words replies and questions use for it, in
Simplified Chinese and English. A question's word in a step is found in a passage as any word of that step.

The steps are those of the genre: a project is approved (立项), started (开工), finished (完工) and put
into use (投入使用), or it is opened to traffic (通车); a proposal is discussed with its proposer (面商).
"""
from __future__ import annotations

import re
from functools import lru_cache

_STEPS = {
    "approve": ("立项", "批复", "审批", "批准", "核准", "下达", "approve", "approved", "approval"),
    "start": ("开工", "动工", "开建", "破土", "动土", "开始建设", "开始施工", "进场施工", "start", "begin", "commence",
              "break ground"),
    "finish": ("完工", "竣工", "建成", "建好", "修好", "修完", "弄完", "干完", "做完", "盖好", "完成建设", "完成施工",
               "finish", "complete", "completion", "done"),
    "use": ("投入使用", "投用", "启用", "交付使用", "用上", "能用", "开放", "运营", "in use", "operation",
            "service", "open"),
    "traffic": ("通车", "通行", "开通"),
    "meet": ("面商", "面谈", "当面", "见面", "会面", "座谈", "碰头", "协商", "商量", "商谈", "面对面",
             "face-to-face", "face to face", "meet", "meeting", "met", "in person"),
}
_INDEX = {w: step for step, words in _STEPS.items() for w in words}
_EN_WORD = re.compile(r"[a-z][a-z -]*")


@lru_cache(maxsize=4096)
def step_words(word: str) -> tuple[str, ...]:
    """The words of the step ``word`` names (Simplified, or lower-case English), itself first; () for none.

    An English word is matched as written or without a past-tense or -ing ending ("finished", "scheduled to start").
    """
    w = word.lower()
    step = _INDEX.get(w)
    if step is None and _EN_WORD.fullmatch(w):
        step = next((_INDEX[s] for s in (re.sub(r"(?:ed|ing|es|s)$", "", w), re.sub(r"(?:d|ing)$", "", w))
                     if s in _INDEX), None)
    if step is None:
        return ()
    return (word, *(x for x in _STEPS[step] if x != w))


def chinese_step_words(word: str) -> tuple[str, ...]:
    """The Chinese words of the step ``word`` names (for finding it in a reply's text)."""
    return tuple(x for x in step_words(word) if not x.isascii())
