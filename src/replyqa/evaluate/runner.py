"""Run questions through systems and score what came back.

Scoring reads only the record written to ``results.jsonl`` (``retrieved``, ``chunks``,
``response``), so ``score_record`` recomputes every figure from that file alone.
"""
from __future__ import annotations

import logging
import statistics
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Sequence

from . import metrics as m
from .baselines import Outcome, System
from .questions import Question

log = logging.getLogger(__name__)

KS = (1, 3, 5)


@dataclass(frozen=True)
class SystemRun:
    """One system's records, one per question, in question order."""

    name: str
    records: tuple[dict, ...]


def ranked_replies(chunks: Iterable[dict]) -> list[dict]:
    """Distinct replies in the order of their best chunk, each ``{reply_id, source}``."""
    seen, out = set(), []
    for c in chunks:
        key = c.get("reply_id") or Path(c.get("source", "")).name
        if key and key not in seen:
            seen.add(key)
            out.append({"reply_id": c.get("reply_id", ""), "source": c.get("source", "")})
    return out


def to_record(question: Question, outcome: Outcome) -> dict:
    """The stable ``results.jsonl`` line for one question."""
    return {"id": question.id, "retrieved": ranked_replies(outcome.chunks), "chunks": list(outcome.chunks),
            "response": outcome.response,
            "timings": {"search_ms": _ms(outcome.search_seconds), "ask_ms": _ms(outcome.ask_seconds)},
            "error": outcome.error}


def _ms(seconds: float | None) -> float | None:
    return None if seconds is None else round(seconds * 1000, 3)


def run_system(system: System, questions: Sequence[Question], progress: bool = True) -> SystemRun:
    """Ask every question; a question that raises is recorded with its error and the run goes on."""
    from tqdm.auto import tqdm

    records = []
    for q in tqdm(questions, desc=system.name, unit="q", disable=not progress, leave=False):
        try:
            outcome = system.run(q.question)
        except Exception as exc:  # one broken question must not lose a long run; it is scored as a miss
            log.warning("%s failed on %s: %s", system.name, q.id, exc)
            outcome = Outcome((), {"question": q.question, "answer": "", "refused": False, "citations": [],
                                   "related": [], "timings": {}}, error=f"{type(exc).__name__}: {exc}")
        records.append(to_record(q, outcome))
    return SystemRun(system.name, tuple(records))


def _citation_chunks(response: dict) -> list[dict]:
    return [{"reply_id": c.get("reply_id", ""), "text": c.get("quote", ""), "start": c.get("start") or 0,
             "end": c.get("end") or 0, "source": c.get("source", "")} for c in response.get("citations", [])]


def score_record(question: Question, record: dict) -> dict:
    """Every per-question figure, from one results.jsonl record (None where it does not apply)."""
    response = record.get("response") or {}
    refused = bool(response.get("refused"))
    row = {"id": question.id, "language": question.language, "kind": question.kind,
           "unanswerable": question.unanswerable, "refused": refused, "error": bool(record.get("error"))}
    if question.unanswerable:
        return row
    gold = set(question.docs)
    rank = m.reply_rank([Path(r.get("source", "")).name for r in record.get("retrieved", [])], gold)
    chunks = record.get("chunks", [])
    answer = "" if refused else response.get("answer", "")
    cited = [] if refused else _citation_chunks(response)
    row.update({"rank": rank, "rr": m.reciprocal_rank(rank),
                "answer_correct": bool(answer) and m.answer_correct(answer, question.answers),
                "answer_recall": m.answer_recall(answer, question.answers) if answer else 0.0,
                "extractable": m.extractable(question.answers, question.evidence),
                "answer_chars": len(answer),
                "citation_correct": m.evidence_found(cited, question.evidence),
                "quotes": len(cited), "gold_quotes": sum(Path(c["source"]).name in gold for c in cited)})
    for k in KS:
        row[f"reply_hit@{k}"] = m.hit_at(rank, k)
        row[f"evidence_hit@{k}"] = 1.0 if m.evidence_found(chunks[:k], question.evidence) else 0.0
    return row


def aggregate(rows: Sequence[dict]) -> dict:
    """The figures of a group of scored questions; answer and retrieval figures count answerable ones only."""
    ans = [r for r in rows if not r["unanswerable"]]
    out = {"questions": len(rows), "answerable": len(ans), "errors": sum(r["error"] for r in rows)}
    for k in KS:
        out[f"reply_hit@{k}"] = m.mean(r[f"reply_hit@{k}"] for r in ans)
    out["mrr"] = m.mean(r["rr"] for r in ans)
    for k in KS:
        out[f"evidence_hit@{k}"] = m.mean(r[f"evidence_hit@{k}"] for r in ans)
    out["answer_accuracy"] = m.mean(float(r["answer_correct"]) for r in ans)
    out["answer_part_recall"] = m.mean(r["answer_recall"] for r in ans)
    # Gold answers written as paraphrases or glosses cannot be quoted: the share that can, and the
    # accuracy on those, which is what an extractive answerer can reach.
    verbatim = [r for r in ans if r["extractable"]]
    out["extractable"] = len(verbatim) / len(ans) if ans else None
    out["answer_accuracy_extractable"] = m.mean(float(r["answer_correct"]) for r in verbatim)
    out["citation_accuracy"] = m.mean(float(r["citation_correct"]) for r in ans)
    lengths = [r["answer_chars"] for r in ans if r["answer_chars"]]
    out["answer_chars_median"] = statistics.median(lengths) if lengths else None
    quotes = sum(r["quotes"] for r in ans)
    out["citation_precision"] = sum(r["gold_quotes"] for r in ans) / quotes if quotes else None
    refusal = m.refusal_scores([r["refused"] for r in rows], [r["unanswerable"] for r in rows])
    out.update({k: refusal[k] for k in ("refusal_precision", "refusal_recall", "false_refusal_rate")})
    out["unanswerable"] = refusal["unanswerable"]
    return out


def grouped(rows: Sequence[dict]) -> dict:
    """Figures overall, by language and by question kind."""
    def by(field: str) -> dict:
        keys = sorted({r[field] for r in rows})
        return {k: aggregate([r for r in rows if r[field] == k]) for k in keys}

    return {"overall": aggregate(rows), "by_language": by("language"), "by_kind": by("kind")}


def speed(records: Sequence[dict]) -> dict:
    """Median and p95 latency of search and of ask, in milliseconds."""
    def seconds(field: str) -> list[float]:
        return [r["timings"][field] / 1000 for r in records if r["timings"].get(field) is not None and not r["error"]]

    return {"search": m.latency_summary(seconds("search_ms")), "ask": m.latency_summary(seconds("ask_ms"))}


def score_run(questions: Sequence[Question], run: SystemRun) -> dict:
    """All figures of one system: grouped metrics plus speed."""
    by_id = {r["id"]: r for r in run.records}
    rows = [score_record(q, by_id[q.id]) for q in questions if q.id in by_id]
    return {**grouped(rows), "speed": speed(run.records), "misses": misses_by_kind(questions, run)}


MISS_ORDER = ("error", "refused", "wrong_answer", "wrong_citation", "not_refused")


def misses_by_kind(questions: Sequence[Question], run: SystemRun) -> dict[str, dict[str, int]]:
    """What a system got wrong, by the question's kind and by its language: ``{"kind: fact": {"refused": 3, …}}``,
    each miss counted once, under the first of MISS_ORDER it failed (a refusal is not also a wrong answer). An
    answer is wrong only where a quote can hold the gold answer (a gloss or paraphrase never matches)."""
    out: dict[str, dict[str, int]] = {}
    by_id = {q.id: q for q in questions}
    for row in failures(questions, run):
        q = by_id[row["id"]]
        quotable = m.extractable(q.answers, q.evidence)
        first = next((x for x in MISS_ORDER if x in row["failed"] and (quotable or x != "wrong_answer")), None)
        if first is None:
            continue  # a retrieval miss only: the answer itself was right
        for key in (f"kind: {q.kind}", f"language: {q.language}"):
            out.setdefault(key, {}).setdefault(first, 0)
            out[key][first] += 1
    return out


def failures(questions: Sequence[Question], run: SystemRun) -> list[dict]:
    """Every miss with what a developer needs to see why: expected, given, retrieved and which checks failed."""
    out = []
    by_id = {r["id"]: r for r in run.records}
    for q in questions:
        record = by_id.get(q.id)
        if record is None:
            continue
        row = score_record(q, record)
        failed = _failed_checks(row)
        if not failed:
            continue
        resp = record["response"] or {}
        out.append({"id": q.id, "question": q.question, "language": q.language, "kind": q.kind, "failed": failed,
                    "expected": {"docs": list(q.docs), "answer": list(q.answers), "evidence": list(q.evidence)},
                    "given": {"answer": resp.get("answer", ""), "refused": bool(resp.get("refused")),
                              "citations": [{"source": c.get("source", ""), "quote": c.get("quote", "")}
                                            for c in resp.get("citations", [])]},
                    "retrieved": [{"source": c["source"], "text": c["text"][:200]} for c in record["chunks"][:5]],
                    "error": record.get("error", "")})
    return out


def _failed_checks(row: dict) -> list[str]:
    if row["unanswerable"]:
        return [] if row["refused"] else ["not_refused"]
    checks = [("refused", row["refused"]), ("reply_miss@5", not row["reply_hit@5"]),
              ("evidence_miss@5", not row["evidence_hit@5"]), ("wrong_answer", not row["answer_correct"]),
              ("wrong_citation", not row["citation_correct"]), ("error", row["error"])]
    return [name for name, bad in checks if bad]
