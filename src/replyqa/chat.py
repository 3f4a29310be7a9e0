"""Conversations: follow-up questions resolved from the conversation state, without an LLM.

"那五年一共需要多少?" after "教师每年需要多少学分?" keeps the previous topic terms
(学分, 教师) and unit, prefers the replies already cited and reconsiders the
cited passages. A question with its own topic and no back-reference starts afresh;
with a ``writer`` (an LLM, ``llm.py``) such a question gets a written, checked answer,
while follow-ups stay extractive: they lean on the cited passages, which the writer does not see.
"""
from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field, replace

from .answer import Answerer
from .filters import Filters
from .llm import GenerativeAnswerer
from .question import Question, as_question, implied_units, read_names
from .records import Answer, Hit

log = logging.getLogger(__name__)

# Words that point back at the previous turn.
_ZH_BACK = re.compile(r"^(?:那|那么|那这|这|这个|这些|该|其|它|他们|它们|还有|另外|并且|而且|再|又|此)"
                      r"|呢[？?]?$|上述|前面|刚才")
# Words that refer back only in a short question: "那五年一共需要多少" but not "腾冲市近年来合计新建…多少".
_ZH_WEAK_BACK = re.compile(r"一共|总共|合计|分别|其中|以上")
_EN_BACK = re.compile(r"^(?:and|what about|how about|so|then|also)\b|\b(?:that|it|they|those|this|them|its|their|these)\b",
                      re.I)
MIN_OWN_TERMS = 3  # hand-set: a question with fewer topic words of its own leans on the previous turn
CARRIED_QUERY_TERMS = 8  # hand-set: the previous topic's first terms put ahead of a follow-up for retrieval


@dataclass(frozen=True)
class Turn:
    """One question and answer, with the topic it leaves for the next turn."""

    question: Question
    answer: Answer
    replies: tuple[str, ...]  # cited reply ids, best first
    context: tuple[Hit, ...]  # the cited chunks


def is_follow_up(question: Question, previous: Turn | None) -> bool:
    """True when a question leans on the previous turn: a back-reference, or too little topic of its own."""
    if previous is None:
        return False
    pattern = _EN_BACK if question.language == "en" else _ZH_BACK
    own = len([t for t in question.terms if len(t) >= 2])
    if pattern.search(question.text):
        return True
    if question.language != "en" and _ZH_WEAK_BACK.search(question.text) and own <= MIN_OWN_TERMS:
        return True
    return own < MIN_OWN_TERMS


def merge(question: Question, previous: Question) -> Question:
    """The follow-up with the previous topic terms; a quantity without a unit keeps the previous unit.

    Retrieval searches with the previous topic's terms ahead of the follow-up ("教师 学分 那五年一共需要多少?").
    The previous turn's entities (its county, its proposal number) hold for the follow-up unless it
    names others of the same kind (``Question.all_entities``).
    """
    kinds = previous.kinds if question.kinds == ("what",) and elliptical(question) else question.kinds
    units = question.units or carried_units(question, previous, kinds)
    context = tuple(t for t in previous.all_terms if t not in question.terms)
    query = " ".join([*previous.all_terms[:CARRIED_QUERY_TERMS], question.text])
    return replace(question, kinds=kinds, units=units, context=context, query=query,
                   context_entities=previous.all_entities)


_ZH_ASKS = re.compile(r"什么|怎么|怎样|如何|哪|谁|为什么|为何|吗|是否|多少|几|有没有|能否|进展")
_EN_ASKS = re.compile(r"^(?:what|how|who|which|why|when|where|is|are|was|were|does|do|did|can|will|has|have)\b(?! about)")


def elliptical(question: Question) -> bool:
    """A follow-up without a question word of its own ("那投资呢？", "and the area?"): it asks what the last one did."""
    if question.language == "en":
        return not _EN_ASKS.search(question.lowered.strip())
    return not _ZH_ASKS.search(question.key)


def carried_units(question: Question, previous: Question, kinds: tuple[str, ...]) -> tuple[str, ...]:
    """The units a follow-up that names none asks for: what its own words imply ("那投资呢?" → 元), else
    the previous ones ("那五年一共需要多少?", "其中周转宿舍呢?" after "多少平方米")."""
    if "quantity" not in kinds:
        return ()
    return implied_units(question) or previous.units


@dataclass
class Conversation:
    """A chat over one answerer; ``ask`` answers in the context of the turns before."""

    answerer: Answerer
    history: list[Turn] = field(default_factory=list)
    writer: GenerativeAnswerer | None = None  # writes the answers to questions that start a topic

    @property
    def previous(self) -> Turn | None:
        """The last turn that answered (a refusal leaves no topic to follow)."""
        return next((t for t in reversed(self.history) if not t.answer.refused), None)

    def reset(self) -> None:
        self.history.clear()

    def ask(self, question: Question | str, filters: Filters | None = None) -> Answer:
        """Answer one turn, resolving a follow-up from the previous turn's topic and citations.

        A string is analysed here, once; empty or overlong input raises QueryError.
        """
        question = read_names(as_question(question), self.answerer.index.gazetteer)
        prev = self.previous
        if is_follow_up(question, prev):
            question = merge(question, prev.question)
            log.debug("follow-up resolved with %d carried-over terms", len(question.context))
            answer = self.answerer.ask(question, filters, prefer=prev.replies, context=prev.context)
        elif self.writer is not None:
            answer = self.writer.ask(question, filters)
        else:
            answer = self.answerer.ask(question, filters)
        cited = tuple(dict.fromkeys(c.chunk.reply_id for c in answer.citations))
        context = tuple(Hit(c.chunk, 1.0, "context") for c in answer.citations)
        self.history.append(Turn(question, answer, cited, context))
        return answer
