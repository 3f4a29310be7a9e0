"""Evaluation questions: the project's JSONL format, and SQuAD files turned into open-domain QA.

Project format (see ``samples/README.md``): id, question, language, doc (a file name, a list
for ``precedent``, empty for ``unanswerable``), answer, evidence (a list for ``precedent``),
kind, near_doc, answer_en, and ``swapped`` ({kind, from, to}) on an entity-swapped question.

A SQuAD file becomes a folder of passages (one file per paragraph: the article title on the
first line, then the paragraph) and one question per ``qas`` entry, whose gold reply is its
own paragraph's file and whose evidence is the sentence holding the first gold answer.
"""
from __future__ import annotations

import json
import random
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Sequence

from ..errors import ReplyQAError
from ..normalise import to_simplified
from ..text import PARAGRAPH_SENTENCES, last_end, next_end
from .metrics import normalise


class QuestionFileError(ReplyQAError):
    """A questions or SQuAD file could not be read (the message names the file and line)."""


@dataclass(frozen=True)
class Swap:
    """How an entity-swapped question (``swap.py``) differs from its original: the kind and the words replaced."""

    kind: str  # place, proposal_number or year
    from_: str  # as the original question wrote it
    to: str  # as the swapped question writes it

    def to_json(self) -> dict:
        return {"kind": self.kind, "from": self.from_, "to": self.to}


@dataclass(frozen=True)
class Question:
    """One evaluation question with its gold reply files, answers and evidence."""

    id: str
    question: str
    language: str
    kind: str
    docs: tuple[str, ...] = ()
    answers: tuple[str, ...] = ()
    evidence: tuple[str, ...] = ()
    near_doc: str = ""
    answer_en: str = ""
    swapped: Swap | None = None  # set on an entity-swapped question only
    near_kind: str = ""
    source_id: str = ""

    @property
    def unanswerable(self) -> bool:
        return self.kind == "unanswerable"

    def to_json(self) -> dict:
        """The project's JSONL shape, so sampled benchmark questions can be saved and rescored."""
        one = len(self.docs) <= 1 and self.kind != "precedent"
        return {"id": self.id, "question": self.question, "language": self.language, "kind": self.kind,
                "doc": (self.docs[0] if self.docs else "") if one else list(self.docs),
                "answer": self.answers[0] if len(self.answers) == 1 else (list(self.answers) or ""),
                "evidence": (self.evidence[0] if self.evidence else "") if one else list(self.evidence),
                "near_doc": self.near_doc, "answer_en": self.answer_en,
                **({"swapped": self.swapped.to_json()} if self.swapped else {}),
                **{k: v for k, v in (("near_kind", self.near_kind), ("source_id", self.source_id)) if v}}


@dataclass(frozen=True)
class Passage:
    """One SQuAD paragraph, written to its own file so it is ingested like a reply."""

    name: str
    title: str
    text: str
    article: int = 0  # the position of its article in the file: paragraphs of one article share it

    def file_text(self) -> str:
        return f"{self.title}\n\n{self.text}\n"


def _as_tuple(value) -> tuple[str, ...]:
    if value is None or value == "":
        return ()
    if isinstance(value, str):
        return (value,)
    return tuple(str(v) for v in value if v)


def question_from_json(row: dict) -> Question:
    """A Question from one line of the project format."""
    swapped = row.get("swapped")
    return Question(id=str(row["id"]), question=row["question"], language=row.get("language", ""),
                    kind=row.get("kind", ""), docs=_as_tuple(row.get("doc")), answers=_as_tuple(row.get("answer")),
                    evidence=_as_tuple(row.get("evidence")), near_doc=row.get("near_doc", "") or "",
                    answer_en=row.get("answer_en", "") or "",
                    swapped=Swap(swapped["kind"], swapped["from"], swapped["to"]) if swapped else None,
                    near_kind=row.get("near_kind", "") or "", source_id=str(row.get("source_id", "") or ""))


def load_questions(path: str | Path) -> list[Question]:
    """Every question in a JSONL file; a malformed line is an error naming the line."""
    path = Path(path)
    questions = []
    try:
        lines = path.read_text(encoding="utf-8-sig").splitlines()
    except OSError as exc:
        raise QuestionFileError(f"{path}: cannot read ({exc.strerror})") from exc
    for no, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            questions.append(question_from_json(json.loads(line)))
        except (ValueError, KeyError, TypeError) as exc:
            raise QuestionFileError(f"{path}:{no}: not a question ({exc})") from exc
    return questions


def sample(questions: Sequence[Question], n: int | None, seed: int = 0) -> list[Question]:
    """A fixed random sample of n questions, kept in file order; all of them when n is None or too big."""
    if n is None or n >= len(questions):
        return list(questions)
    keep = set(random.Random(seed).sample(range(len(questions)), n))
    return [q for i, q in enumerate(questions) if i in keep]


def evidence_sentence(context: str, start: int, length: int) -> str:
    """The sentence of ``context`` around an answer span (ending punctuation included)."""
    start = max(0, min(start, len(context)))
    left = last_end(context, PARAGRAPH_SENTENCES, 0, start) or 0
    right = next_end(context, PARAGRAPH_SENTENCES, start + max(length, 1) - 1) or len(context)
    return context[left:right].strip()


def _script(contexts: Iterable[str]) -> str:
    """zh-Hant when converting to Simplified changes more than 1% of the characters."""
    changed = total = 0
    for text in contexts:
        simple = to_simplified(text)
        changed += sum(a != b for a, b in zip(text, simple))
        total += len(text)
    return "zh-Hant" if total and changed / total > 0.01 else "zh-Hans"


def _squad_kind(answer: str) -> str:
    return "number" if any(ch.isdigit() for ch in normalise(answer)) else "fact"


def _gold_answer(qa: dict, context: str) -> tuple[tuple[str, ...], str]:
    answers = [a for a in qa.get("answers", []) if a.get("text", "").strip()]
    texts = tuple(dict.fromkeys(a["text"].strip() for a in answers))
    if not answers:
        return (), ""
    first = answers[0]
    start = first.get("answer_start", -1)
    if not (0 <= start and context[start:start + len(first["text"])] == first["text"]):
        start = context.find(first["text"])
    return texts, evidence_sentence(context, start, len(first["text"])) if start >= 0 else ""


def load_squad(path: str | Path) -> tuple[list[Passage], list[Question]]:
    """Passages and questions of a SQuAD-format file; questions without an answer are skipped."""
    path = Path(path)
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8-sig"))["data"]
    except (OSError, ValueError, KeyError) as exc:
        raise QuestionFileError(f"{path}: not a SQuAD file ({exc})") from exc
    paragraphs = [(a, art.get("title", ""), p) for a, art in enumerate(data) for p in art.get("paragraphs", [])]
    language = _script(p["context"] for _, _, p in paragraphs[:50])
    passages, questions = [], []
    for no, (article, title, para) in enumerate(paragraphs):
        name = f"{no:04d}_{re.sub(r'[^0-9A-Za-z_-]+', '-', str(para.get('id', no)))}.txt"
        passages.append(Passage(name=name, title=title, text=para["context"].strip(), article=article))
        for qa in para.get("qas", []):
            answers, evidence = _gold_answer(qa, para["context"])
            if not answers:
                continue
            questions.append(Question(id=str(qa["id"]), question=qa["question"], language=language,
                                      kind=_squad_kind(answers[0]), docs=(name,), answers=answers,
                                      evidence=(evidence,) if evidence else ()))
    return passages, questions


def write_passages(folder: str | Path, passages: Iterable[Passage]) -> Path:
    """Write each passage to its own file (unchanged files are left alone); returns the folder."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    for p in passages:
        target = folder / p.name
        text = p.file_text()
        if not target.exists() or target.read_text(encoding="utf-8") != text:
            target.write_text(text, encoding="utf-8")
    return folder


def save_questions(path: str | Path, questions: Iterable[Question]) -> None:
    """Write questions in the project's JSONL format."""
    with open(path, "w", encoding="utf-8") as fh:
        for q in questions:
            fh.write(json.dumps(q.to_json(), ensure_ascii=False) + "\n")

