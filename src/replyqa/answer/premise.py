"""A question's premise: an event it takes as done, which the reply states only as a plan.

"宿舍交付后，已有多少名教师入住？" and "Now that the widened road has opened to traffic, how long did the
construction take?" take the handover and the opening as done. A reply that only promises them ("计划2024年8月底前
交付使用", "力争11月30日前完工通车") does not answer such a question: every sentence that would answer it is about
something else, and quoting one is a wrong answer with a real citation.

:func:`presupposed` reads the done event from the question: a clause ending in an event word and 后/以后/之后/以来
(English "now that", "since" or "after" with a past verb), followed by a main clause in the past ("已有", "了",
"did", "have"), not a future one ("建成后由谁管理", "扩建后能放几张床", "毕业以后要服务多少年" ask about the plan
itself). :func:`unmet_premise` looks the event up in the reply and in its promises (the ledger's commitments,
which tell a promise from a report): when the reply names it, and only inside what it promises, the premise is
not met.
"""
from __future__ import annotations

import re
from typing import Sequence

from ..commitments import Commitment
from ..normalise import to_simplified
from ..question import Question
from ..records import Reply

# Words for an event a project or a rule goes through, as replies write them (hand-set from the genre: GENRE.md's
# progress and handling vocabulary); longest first, so "投入使用" wins over "使用".
EVENTS = sorted("交付 交付使用 通车 开通 建成 完工 竣工 投用 投入使用 启用 开业 开放 运营 验收 出台 施行 实施 试行 印发 "
                "批准 批复 获批 落地 到位 拨付 上调 提高 达到 完成".split(), key=len, reverse=True)
# English past verbs of those events, and the Chinese words a reply writes them with.
EN_EVENTS = {
    "opened": ("通车", "开通", "开放", "投用", "投入使用", "启用", "开业"),
    "handed over": ("交付", "交付使用"),
    "completed": ("完工", "竣工", "建成", "完成"), "finished": ("完工", "竣工", "建成", "完成"),
    "built": ("建成",), "approved": ("批准", "批复", "获批"), "issued": ("出台", "印发"),
    "introduced": ("出台", "实施", "施行"), "launched": ("启用", "开通", "实施"),
}
_ZH_PREMISE = re.compile(r"(" + "|".join(EVENTS) + r")(?:使用)?(?:以后|之后|以来|后)[，,]?")
# A main clause that reports what happened since: 已/已经, a perfective 了 or 过, or "还有…吗" of a later time.
_ZH_DONE = re.compile(r"已|了|过|还有|有没有")
_ZH_FUTURE = re.compile(r"要|能|会|将|可以|可|预计|计划|准备|打算")
_EN_PREMISE = re.compile(r"\b(?:now that|since|after|once)\b[^,?]*?\b(?:has|have|had|was|were)?\s*(?:been\s+)?("
                         + "|".join(map(re.escape, EN_EVENTS)) + r")\b[^,?]*,")
_EN_FUTURE = re.compile(r"\b(?:will|would|shall|going to|to be)\b")


def presupposed(q: Question) -> tuple[str, ...]:
    """The Chinese words of an event the question takes as done; () when it takes none as done."""
    if q.language == "en":
        m = _EN_PREMISE.search(q.lowered)
        if not m or _EN_FUTURE.search(q.lowered[m.end():]):
            return ()
        return EN_EVENTS[m.group(1)]
    m = _ZH_PREMISE.search(q.simplified)
    if not m:
        return ()
    main = q.simplified[m.end():]
    if _ZH_FUTURE.search(main) or not _ZH_DONE.search(main):
        return ()
    return (m.group(1),)


def unmet_premise(q: Question, reply: Reply, promises: Sequence[Commitment]) -> str:
    """Why the reply does not meet the question's premise ("" when it does, or the question has none): it names
    the event only where it promises it (``promises``: the reply's commitments, ``ledger.promises_of``)."""
    events = presupposed(q)
    if not events:
        return ""
    simple = to_simplified(reply.text)
    named = [(m.start(), m.end()) for e in events for m in re.finditer(re.escape(e), simple)]
    if not named:
        return ""
    if all(any(c.start <= s and e <= c.end for c in promises) for s, e in named):
        return f"the reply states {'/'.join(events)} only as planned"
    return ""
