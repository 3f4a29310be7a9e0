"""Answer-removed near misses: benchmark questions asked after their answer was taken out of the archive.

A benchmark's archive is changed in one of two ways, for a seeded random choice of places:

- ``paragraph``: one paragraph of an article that has other paragraphs is removed, and its
  siblings stay, so its questions still find text on their topic;
- ``sentence``: in a paragraph, the sentence holding one question's answer is removed and the
  rest of the paragraph stays (for benchmarks whose articles have one paragraph, like CMRC 2018).

The questions whose answer was in the removed text should now be refused. A question whose
gold answer (any of them, in matching form) still occurs anywhere in the changed archive is
dropped instead, and counted: the archive may well answer it. The questions of untouched text
are the control: they must still be answered.
"""
from __future__ import annotations

import json
import random
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Sequence

from .metrics import contains
from .questions import Passage, Question, sample, save_questions, write_passages

UNITS = ("paragraph", "sentence")
NEAR_KIND = "answer-removed"


@dataclass(frozen=True)
class Removal:
    """An archive with answers taken out, and its questions sorted by what they should get."""

    unit: str
    fraction: float
    seed: int
    passages: tuple[Passage, ...]    # the archive asked: removed paragraphs gone, edited ones shortened
    changed: tuple[str, ...]         # names of the passages removed (paragraph) or edited (sentence)
    removed: tuple[Question, ...]    # unanswerable now: the right response is a refusal
    kept: tuple[Question, ...]       # answerable control: their answer is untouched
    dropped: tuple[Question, ...]    # answer removed, but a gold answer still occurs elsewhere in the archive
    lost: tuple[Question, ...] = ()  # kept text, but the gold answer cannot be found in it any more

    def summary(self) -> dict:
        """The counts a report shows."""
        return {"unit": self.unit, "fraction": self.fraction, "seed": self.seed,
                "passages": len(self.passages), "changed": len(self.changed), "removed": len(self.removed),
                "kept": len(self.kept), "dropped": len(self.dropped), "lost": len(self.lost)}


def _anywhere(question: Question, archive: Sequence[Passage]) -> bool:
    return any(contains(p.file_text(), a) for a in question.answers for p in archive)


def _as_removed(question: Question, near_doc: str) -> Question:
    return replace(question, kind="unanswerable", docs=(), answers=(), evidence=(), near_doc=near_doc,
                   near_kind=NEAR_KIND, source_id=question.docs[0] if question.docs else "")


def _pick(rng: random.Random, pool: list, fraction: float) -> list:
    return rng.sample(pool, round(fraction * len(pool))) if pool else []


def _by_passage(questions: Sequence[Question]) -> dict[str, list[Question]]:
    out: dict[str, list[Question]] = {}
    for q in questions:
        if q.docs:
            out.setdefault(q.docs[0], []).append(q)
    return out


def _remove_paragraphs(passages, asked, fraction, rng) -> tuple[dict[str, Passage | None], dict[str, str]]:
    """Removes one asked paragraph from a share of the articles that have more than one."""
    articles: dict[int, list[Passage]] = {}
    for p in passages:
        articles.setdefault(p.article, []).append(p)
    eligible = sorted(a for a, ps in articles.items() if len(ps) > 1 and any(p.name in asked for p in ps))
    changes, near = {}, {}
    for a in sorted(_pick(rng, eligible, fraction)):
        target = rng.choice([p for p in articles[a] if p.name in asked])
        changes[target.name] = None
        near[target.name] = next(p.name for p in articles[a] if p is not target)
    return changes, near


def _remove_sentences(passages, asked, fraction, rng) -> tuple[dict[str, Passage | None], dict[str, str]]:
    """Cuts the evidence sentence of one question out of a share of the asked paragraphs."""
    eligible = [p for p in passages if any(q.evidence and q.evidence[0] in p.text for q in asked.get(p.name, ()))]
    changes, near = {}, {}
    for p in sorted(_pick(rng, eligible, fraction), key=lambda p: p.name):
        sentence = rng.choice(sorted({q.evidence[0] for q in asked[p.name] if q.evidence and q.evidence[0] in p.text}))
        at = p.text.find(sentence)
        rest = (p.text[:at] + p.text[at + len(sentence):]).strip()
        if rest:  # a paragraph of one sentence would vanish: that is the paragraph unit, not this one
            changes[p.name] = replace(p, text=rest)
            near[p.name] = p.name
    return changes, near


def remove_answers(passages: Sequence[Passage], questions: Sequence[Question], fraction: float, seed: int,
                   unit: str = "paragraph") -> Removal:
    """Take answers out of the archive for a seeded share (0–1) of the eligible places; sort the questions.

    The same passages, questions, fraction, seed and unit always give the same result.
    """
    if unit not in UNITS:
        raise ValueError(f"unit must be one of {UNITS}, not {unit!r}")
    if not 0 <= fraction <= 1:
        raise ValueError(f"the fraction must lie in 0..1, not {fraction}")
    rng = random.Random(seed)
    asked = _by_passage(questions)
    choose = _remove_paragraphs if unit == "paragraph" else _remove_sentences
    changes, near = choose(passages, asked, fraction, rng)
    archive = tuple(changes.get(p.name, p) for p in passages if changes.get(p.name, p) is not None)
    edited = {p.name: p for p in archive if p.name in changes}
    removed, kept, dropped, lost = [], [], [], []
    for q in questions:
        doc = q.docs[0] if q.docs else ""
        if doc not in changes:
            kept.append(q)
        elif doc in edited and q.evidence and q.evidence[0] in edited[doc].text:
            # its own sentence stayed; the cut must not have taken its answer with it
            (kept if _anywhere(q, [edited[doc]]) else lost).append(q)
        elif doc in edited and not q.evidence:
            lost.append(q)  # no evidence sentence to tell whether its answer was cut
        elif _anywhere(q, archive):
            dropped.append(q)
        else:
            removed.append(_as_removed(q, near[doc]))
    return Removal(unit, fraction, seed, archive, tuple(sorted(changes)), tuple(removed), tuple(kept),
                   tuple(dropped), tuple(lost))


def sample_removal(removal: Removal, n: int | None, seed: int) -> list[Question]:
    """A fixed sample of n questions, half removed and half kept (one side short: the other fills in),
    in file order. Removed questions are the rarer kind, so a plain sample would ask too few of them."""
    if n is None or n >= len(removal.removed) + len(removal.kept):
        chosen = list(removal.removed) + list(removal.kept)
    else:
        n_removed = min(len(removal.removed), max(n // 2, n - len(removal.kept)))
        chosen = sample(removal.removed, n_removed, seed) + sample(removal.kept, n - n_removed, seed)
    order = {q.id: i for i, q in enumerate(_all(removal))}
    return sorted(chosen, key=lambda q: order[q.id])


def _all(removal: Removal) -> list[Question]:
    """Every question in a stable order: by passage name, then id."""
    return sorted([*removal.removed, *removal.kept], key=lambda q: (q.source_id or q.docs[0], q.id))


def export(folder: str | Path, removal: Removal, source: str = "") -> Path:
    """Write a removal as near-miss data: ``passages/`` (the archive), ``questions.jsonl`` (every removed
    and kept question, each labelled by ``kind``) and ``removal.json`` (counts and the dropped ids)."""
    folder = Path(folder)
    names = {p.name for p in removal.passages}
    for stale in (folder / "passages").glob("*.txt"):  # a previous export with other removals
        if stale.name not in names:
            stale.unlink()
    write_passages(folder / "passages", removal.passages)
    save_questions(folder / "questions.jsonl", _all(removal))
    info = {"source": source, **removal.summary(), "changed_passages": list(removal.changed),
            "dropped_ids": [q.id for q in removal.dropped], "lost_ids": [q.id for q in removal.lost]}
    (folder / "removal.json").write_text(json.dumps(info, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    return folder


def removal_note(summary: dict) -> str:
    """One sentence for a report saying what was removed and what was asked."""
    place = ("one paragraph from each of {changed} articles with other paragraphs, which stay"
             if summary["unit"] == "paragraph" else "one answer sentence from each of {changed} paragraphs")
    return (f"Answer-removed ({summary['unit']}, fraction {summary['fraction']:g}, seed {summary['seed']}): "
            + place.format(**summary)
            + f". {summary['removed']} questions lost their answer and should be refused; {summary['dropped']} more "
            f"were dropped because a gold answer still occurs elsewhere in the archive"
            + (f", and {summary['lost']} whose answer the cut may have taken" if summary.get("lost") else "")
            + f". Asked: {summary.get('asked_removed', summary['removed'])} removed and "
            f"{summary.get('asked_kept', summary['kept'])} kept (of {summary['kept']}) as the control; "
            "'refusal rec' is refused % on the removed, 'false refusals' and 'answer acc' are on the kept.")
