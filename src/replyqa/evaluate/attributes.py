"""Attribute-swap near misses: an answerable sample question re-asked about an attribute its reply never states.

For each answerable question with one gold reply, the topic the question is about (a project,
a road, a school, an office) is read from its leading noun phrase. The topic's kind says which
attributes fit it: a project gets "when is it completed" and "which company won the bid", a
school "how many students", an office "what is its phone number". A question is kept only when
its reply, and any other reply of the archive that names the topic, verifiably does not state a
value of that kind (for phone questions: no phone number and no word for one anywhere in the
reply), so the right response to every kept one is a refusal.

Everything is deterministic: ``python -m replyqa.evaluate.attributes`` regenerates
``eval/attribute_swap.jsonl`` from ``eval/questions.jsonl`` and ``samples/replies/``.
"""
from __future__ import annotations

import argparse
import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterable, Mapping, Sequence

from ..normalise import to_simplified
from ..text import EVIDENCE_SENTENCES, spans
from .questions import Question, load_questions

NEAR_KIND = "attribute"

# Topic heads: the last word of a noun phrase that names something built, a school, or an office.
BUILT = ("项目", "工程", "道路", "公路", "停车场", "公厕", "公园", "宿舍", "住房", "信号灯", "信号机", "中心", "分院")
SCHOOL = ("学校", "中学", "小学")
OFFICE = ("局", "人民政府", "委员会", "办公室")
# Where a Chinese question's leading noun phrase ends: a verb, adverb or question word after the topic.
CUES = re.compile(r"是|有|在|由|对|把|于|将|的|计划|预计|认为|目前|如何|多少|什么|哪|几|为什么|答复|提到|准备|"
                  r"办理|会同|围绕|今年|近年|合计|内设|共|\d{4}年")
EN_HEADS = {"project": "built", "road": "built", "centre": "built", "center": "built", "school": "school",
            "bureau": "office"}
EN_TOPIC = re.compile(r"\b([A-Z][\w'’-]*(?:\s+[\w'’/-]+){0,10}?\s+(" + "|".join(EN_HEADS) + r"))\b")
EN_SKIP = {"What", "Which", "Where", "When", "Who", "How", "Why", "Is", "Does", "Did", "On", "In", "According"}

TEMPLATES = {
    "completion": ("{t}什么时候竣工？", "When will {t} be completed?"),
    "bidder": ("{t}的中标单位是哪家公司？", "Which company won the bid for {t}?"),
    "students": ("{t}有多少名在校学生？", "How many students does {t} have?"),
    "phone": ("{t}的联系电话是多少？", "What is the phone number of {t}?"),
}
ATTRIBUTES = {"built": ("completion", "bidder"), "school": ("completion", "bidder", "students"),
              "office": ("phone",)}

# -- verification: does the reply state a value of the asked kind? (read on Simplified text) --
_PHONE_WORDS = re.compile(r"电话|热线|联系方式|手机|传真|tel", re.I)
# a landline with area code, a mobile, or any stand-alone run of 7–8 digits (not inside an index number)
_PHONE_NUMBER = re.compile(r"(?<![\d/-])0\d{2,3}[-－—]\d{7,8}(?!\d)|(?<![\d/-])1[3-9]\d{9}(?!\d)|(?<![\d/-])\d{7,8}(?![\d/-])")
_BIDDING = re.compile(r"中标|招标|投标|承建|施工单位|施工方|公司|集团")
_DONE = re.compile(r"竣工|完工|建成|完成|投入使用|投用|交付")
# a reply that rules the work out answers "when is it completed" or "who won the bid" with "not
# planned": a premise question then, not an unstated attribute
_RULED_OUT = re.compile(r"暂时没有|暂无|暂不|无法|不具备|不予|没有.{0,6}计划")
_WHEN = re.compile(r"\d{4}年|\d{1,2}月|[一二三四五六七八九十]+月|年底|年内|年末|月底|上半年|下半年|底前")
_STUDENTS = re.compile(r"学生|在校|学位|生源|招生|学校|校")
_HEADCOUNT = re.compile(r"[\d一二三四五六七八九十百千万]+\s*(?:名|人|个学位)")


def _sentences(text: str) -> list[str]:
    simple = to_simplified(text)
    return [simple[a:b] for a, b in spans(simple, EVIDENCE_SENTENCES)]


def states_phone(text: str) -> bool:
    simple = to_simplified(text)
    return bool(_PHONE_WORDS.search(simple) or _PHONE_NUMBER.search(simple))


def states_bidder(text: str) -> bool:
    simple = to_simplified(text)
    return bool(_BIDDING.search(simple) or _RULED_OUT.search(simple))


def states_completion(text: str) -> bool:
    sentences = _sentences(text)
    return any(_DONE.search(s) and _WHEN.search(s) or _RULED_OUT.search(s) for s in sentences)


def states_students(text: str) -> bool:
    return any(_STUDENTS.search(s) and _HEADCOUNT.search(s) for s in _sentences(text))


STATES: dict[str, Callable[[str], bool]] = {"completion": states_completion, "bidder": states_bidder,
                                            "students": states_students, "phone": states_phone}


@dataclass(frozen=True)
class Topic:
    """What a question is about: the phrase as written in the question, and its kind."""

    text: str
    kind: str  # "built", "school" or "office"


def _head_kind(phrase: str) -> str | None:
    for heads, kind in ((SCHOOL, "school"), (BUILT, "built"), (OFFICE, "office")):
        if phrase.endswith(heads):
            return kind
    return None


def chinese_topic(question: str) -> Topic | None:
    """The leading noun phrase of a Chinese question, up to the first cue after which it ends in a head word."""
    simple = to_simplified(question)
    start = 1 if simple.startswith("在") else 0  # "在…修建…停车场的建议": the place, not the preposition
    for m in CUES.finditer(simple, start + 1):
        if m.group() == "的":
            continue  # "新安装的交通信号灯项目": 的 joins a noun phrase as often as it ends one
        phrase = simple[start:m.start()]
        if re.search(r"[\W\d]", phrase[:1]) or re.search(r"[^\w]", phrase):
            return None  # punctuation or a leading figure: not one plain noun phrase
        kind = _head_kind(phrase)
        return Topic(question[start:m.start()], kind) if kind else None
    return None


def english_topic(question: str) -> Topic | None:
    """The first capitalised noun phrase of an English question that ends in a known head noun."""
    for m in EN_TOPIC.finditer(question):
        words = m.group(1).split()
        while words and (words[0] in EN_SKIP or not words[0][:1].isupper()):
            words = words[1:]
        if words and len(words) > 1:
            return Topic(" ".join(words), EN_HEADS[m.group(2)])
    return None


def topic_of(question: Question) -> Topic | None:
    return english_topic(question.question) if question.language == "en" else chinese_topic(question.question)


def _phrase(template: str, topic: Topic, language: str) -> str:
    if language == "en":
        return template[1].format(t=topic.text if re.search(r"['’]s\b", topic.text) else "the " + topic.text)
    text = template[0].format(t=topic.text)
    return _to_traditional(text) if language == "zh-Hant" else text


def _to_traditional(text: str) -> str:
    import opencc

    return opencc.OpenCC("s2t").convert(text)


def _checked(topic: Topic, source: str, replies: Mapping[str, str]) -> list[str]:
    """The replies whose text must not state the attribute: the source reply, and any other that names
    the topic (Chinese topics; an English one cannot be found in Chinese text)."""
    key = to_simplified(topic.text)
    return [source] + [name for name, text in replies.items() if name != source and key in to_simplified(text)]


def attribute_swaps(questions: Sequence[Question], replies: Mapping[str, str]) -> tuple[list[dict], list[dict]]:
    """The verified attribute-swap questions, and the candidates rejected because a reply states the value.

    ``replies`` maps reply file names to their text. One question per (reply, attribute, language),
    from the first source question in file order.
    """
    kept, rejected, seen = [], [], set()
    for q in questions:
        if q.unanswerable or len(q.docs) != 1 or q.kind == "precedent":
            continue
        topic = topic_of(q)
        if topic is None:
            continue
        for attribute in ATTRIBUTES[topic.kind]:
            key = (q.docs[0], attribute, q.language)
            if key in seen:
                continue
            seen.add(key)
            row = {"id": f"AS-{q.id}-{attribute}", "question": _phrase(TEMPLATES[attribute], topic, q.language),
                   "language": q.language, "doc": "", "answer": "", "evidence": "", "kind": "unanswerable",
                   "near_doc": q.docs[0], "near_kind": NEAR_KIND, "source_id": q.id, "attribute": attribute}
            stated = any(STATES[attribute](replies[name]) for name in _checked(topic, q.docs[0], replies))
            (rejected if stated else kept).append(row)
    return kept, rejected


def generate(questions_file: str | Path, corpus: str | Path) -> tuple[list[dict], list[dict]]:
    """``attribute_swaps`` over a questions file and the folder of its replies."""
    replies = {p.name: p.read_text(encoding="utf-8") for p in sorted(Path(corpus).glob("*.txt"))}
    return attribute_swaps(load_questions(questions_file), replies)


def write_rows(path: str | Path, rows: Iterable[dict]) -> None:
    with open(path, "w", encoding="utf-8") as fh:
        for row in rows:
            fh.write(json.dumps(row, ensure_ascii=False) + "\n")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m replyqa.evaluate.attributes", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--questions", default="eval/questions.jsonl")
    parser.add_argument("--corpus", default="samples/replies")
    parser.add_argument("--to", default="eval/attribute_swap.jsonl")
    args = parser.parse_args(argv)
    kept, rejected = generate(args.questions, args.corpus)
    write_rows(args.to, kept)
    print(f"wrote {len(kept)} questions to {args.to}; {len(rejected)} candidates rejected (the reply states "
          "the value, or rules the work out)")


if __name__ == "__main__":
    main()
