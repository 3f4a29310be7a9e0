"""Optional generative answers from any OpenAI-compatible server, checked against the passages.

With ``REPLYQA_LLM_BASE_URL`` and ``REPLYQA_LLM_MODEL`` set, the retrieved passages
are numbered in a prompt that requires [n] citations. What comes back is
checked sentence by sentence: every [n] must name a passage that exists, and
the sentence must be supported by the passages it cites (shared wording or
the same numbers). Unsupported sentences are dropped. Any error, timeout or
empty result falls back to the extractive answer, with a note saying so.
"""
from __future__ import annotations

import logging
import re
import time
from dataclasses import replace
from typing import Callable

from .answer import Answerer
from .filters import Filters
from .language import strip_glosses
from .normalise import match_key
from .question import Question, as_question
from .records import Answer, Citation, Hit
from .settings import Settings
from .text import CHECKED_SENTENCES, spans

log = logging.getLogger(__name__)

SYSTEM_PROMPT = (
    "You answer questions about Chinese government replies to proposals and suggestions. "
    "Use only the numbered passages. After every sentence put the number of the passage it rests on, "
    "like [1] or [2][3]. Quote figures, units and dates exactly as the passage writes them. "
    "If the passages do not answer the question, say so and cite nothing. Answer in the language of the question."
)
_MARKER = re.compile(r"\[(\d{1,2})\]")
_NUMBER = re.compile(r"\d+(?:\.\d+)?")
# A sentence is supported when this share of its character bigrams occurs in the passages it cites
# (half of it when all its numbers occur there too). Hand-set with generative mode; tests/test_llm.py
# holds the sentences it must keep and drop.
MIN_OVERLAP = 0.5
NUMBER_OVERLAP = MIN_OVERLAP / 2
PASSAGES = 5  # hand-set: the top retrieved chunks numbered in the prompt; more lengthens it for little
TIMEOUT_S = 30.0  # hand-set: past this the extractive answer is shown with a note


def build_prompt(question: str, hits: list[Hit]) -> str:
    """The user message: numbered passages, then the question."""
    blocks = [f"[{n}] {strip_glosses(h.chunk.text)}" for n, h in enumerate(hits, 1)]
    return "Passages:\n" + "\n\n".join(blocks) + f"\n\nQuestion: {question}\nAnswer with [n] citations:"


def _bigrams(text: str) -> set[str]:
    k = match_key(_MARKER.sub("", text))
    return {k[i:i + 2] for i in range(len(k) - 1)}


def supported(sentence: str, passages: list[str]) -> bool:
    """A sentence is supported when its numbers all occur in its passages and its wording mostly does."""
    body = _MARKER.sub("", sentence)
    joined = match_key("".join(passages))
    numbers = _NUMBER.findall(body)
    if numbers and not all(n in joined for n in numbers):
        return False
    grams = _bigrams(body)
    if not grams:
        return False
    overlap = len(grams & _bigrams("".join(passages))) / len(grams)
    return overlap >= MIN_OVERLAP or (bool(numbers) and overlap >= NUMBER_OVERLAP)


def check_answer(text: str, hits: list[Hit]) -> tuple[str, tuple[Citation, ...], int]:
    """Keep the sentences whose [n] exist and support them; returns (text, citations, dropped)."""
    kept, used, dropped = [], [], 0
    for a, b in spans(text, CHECKED_SENTENCES):
        sentence = text[a:b].strip()
        if not sentence:
            continue
        cited = [int(n) for n in _MARKER.findall(sentence)]
        if not cited or any(not 1 <= n <= len(hits) for n in cited) or not supported(
                sentence, [hits[n - 1].chunk.text for n in cited]):
            dropped += 1
            log.info("dropped unsupported sentence: %s", sentence)
            continue
        kept.append(sentence)
        used += [n for n in cited if n not in used]
    citations = tuple(Citation(n, hits[n - 1].chunk, hits[n - 1].chunk.text, hits[n - 1].chunk.start,
                               hits[n - 1].chunk.end) for n in sorted(used))
    return "".join(kept), citations, dropped


def make_llm(settings: Settings, timeout: float):
    """llama-index's OpenAI-like client for the configured server."""
    from llama_index.llms.openai_like import OpenAILike

    return OpenAILike(model=settings.llm_model, api_base=settings.llm_base_url.rstrip("/"),
                      api_key=settings.llm_api_key or "none", is_chat_model=True, timeout=timeout,
                      max_retries=0, temperature=0.0)


def llm_configured(settings: Settings) -> bool:
    return bool(settings.llm_base_url and settings.llm_model)


class GenerativeAnswerer:
    """Answers written by an LLM over the extractive answerer's passages, with a checked fallback."""

    def __init__(self, extractive: Answerer, settings: Settings, timeout: float = TIMEOUT_S, k: int = PASSAGES,
                 llm=None):
        self.extractive, self.settings, self.k = extractive, settings, k
        self.llm = llm or make_llm(settings, timeout)

    def generate(self, question: str, hits: list[Hit], on_token: Callable[[str], None] | None) -> str:
        """The model's raw answer; tokens go to ``on_token`` as they stream in."""
        from llama_index.core.llms import ChatMessage

        messages = [ChatMessage(role="system", content=SYSTEM_PROMPT),
                    ChatMessage(role="user", content=build_prompt(question, hits))]
        if on_token is None:
            return self.llm.chat(messages).message.content or ""
        parts = []
        for chunk in self.llm.stream_chat(messages):
            if chunk.delta:
                parts.append(chunk.delta)
                on_token(chunk.delta)
        return "".join(parts)

    def ask(self, question: Question | str, filters: Filters | None = None,
            on_token: Callable[[str], None] | None = None) -> Answer:
        """A checked generative answer, or the extractive one with a note on why."""
        q = as_question(question)
        fallback = self.extractive.ask(q, filters)
        if fallback.refused:
            return fallback  # nothing relevant was found: a model would only invent
        hits = self.extractive.passages(q, filters)[: self.k]  # never a reply the question's entities rule out
        started = time.perf_counter()
        try:
            raw = self.generate(q.text, hits, on_token)
        except Exception as exc:  # any failure of a remote server: timeouts, HTTP errors, bad JSON
            log.warning("generative answer failed: %s", exc)
            return replace(fallback, note=f"the language model failed ({type(exc).__name__}); extractive answer shown")
        text, citations, dropped = check_answer(raw, hits)
        if not citations:
            return replace(fallback, note="the language model's answer cited no supporting passage; "
                                          "extractive answer shown")
        note = f"{dropped} unsupported sentence(s) dropped" if dropped else ""
        timings = fallback.timings + (("generate", round((time.perf_counter() - started) * 1000, 1)),)
        return Answer(q.text, text, citations, False, related=fallback.related, timings=timings, note=note)
