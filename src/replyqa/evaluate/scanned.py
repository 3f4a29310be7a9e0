"""The archive asked again as scans: ``replyqa eval QUESTIONS --corpus DIR --scan STYLE``.

Every reply of the corpus is rendered as a scanned copy in one style (:mod:`replyqa.evaluate.scans`:
an image-only PDF, a tilted noisy photo with a seal, a clean PNG), the copies are ingested (so
OCR reads them) and the same questions are asked, their gold files renamed to the copies. Beside
the usual figures the report gets a ``scan`` block: how far OCR's text is from the reply's
(character error rate), whether the document number and dates parse the same from the scan as from
the text, the mean OCR confidence and the seconds a page took to read.
"""
from __future__ import annotations

import re
import statistics
from dataclasses import replace
from pathlib import Path
from typing import Sequence

from ..parse import parse_reply
from .questions import Question
from .scans import SUFFIX, char_error_rate, scan_copies

FIELDS = ("doc_number", "signed", "published")


def scanned_corpus(corpus: str | Path, folder: Path, style: str, seed: int, progress: bool) -> list[Path]:
    """The corpus's .txt replies as scanned copies in ``style`` under ``folder``."""
    return sorted(scan_copies(Path(corpus), folder, styles=(style,), seed=seed, progress=progress)[style])


def renamed(questions: Sequence[Question], style: str) -> list[Question]:
    """The questions with their gold replies named as the scanned copies are."""
    ext = SUFFIX[style]

    def copy_name(name: str) -> str:
        return str(Path(name).with_suffix(ext)) if name.endswith(".txt") else name

    return [replace(q, docs=tuple(copy_name(d) for d in q.docs), near_doc=copy_name(q.near_doc)) for q in questions]


def _folded(field: str, value: str) -> str:
    """A field as compared: document numbers with their year brackets folded (a scan may write [] for 〔〕)."""
    if field == "doc_number":
        return re.sub(r"[\[(（【〔]", "〔", re.sub(r"[\])）】〕]", "〕", value))
    return value


def scan_figures(index, corpus: str | Path, style: str, parse_seconds: float) -> dict:
    """How well OCR read each copy: CER against the reply's text, the fields parsed alike, confidence, speed."""
    rows, pages = [], 0
    for info in index.reply_infos():
        original = Path(corpus) / (Path(info.source).stem + ".txt")
        if not original.is_file():
            continue
        text = original.read_text(encoding="utf-8")
        reply, scan = index.reply(info.reply_id), index.scan(info.reply_id)
        typed = parse_reply(text, original.name).meta
        same = {f: _folded(f, getattr(typed, f)) == _folded(f, getattr(reply.meta, f)) for f in FIELDS}
        pages += len(scan.pages) if scan else 0
        rows.append({"file": Path(info.source).name, "cer": round(char_error_rate(text, reply.text), 5),
                     "confidence": scan.confidence if scan else None, "pages": len(scan.pages) if scan else 0,
                     **{f"same_{f}": ok for f, ok in same.items()}})
    n = len(rows) or 1
    return {"style": style, "replies": len(rows), "pages": pages,
            "cer_mean": round(sum(r["cer"] for r in rows) / n, 5), "cer_max": max((r["cer"] for r in rows), default=None),
            "doc_number_same": sum(r["same_doc_number"] for r in rows) / n,
            "dates_same": sum(r["same_signed"] and r["same_published"] for r in rows) / n,
            "confidence_mean": round(statistics.mean(r["confidence"] for r in rows if r["confidence"] is not None), 4)
            if any(r["confidence"] is not None for r in rows) else None,
            "seconds_per_page": round(parse_seconds / pages, 2) if pages else None, "per_reply": rows}


def scan_table(reports: Sequence[dict]) -> str:
    """The scans table of the results: per style, OCR's figures and answer accuracy beside the text copies'."""
    text = next((r for r in reports if r.get("dataset") == "samples"), None)
    base = text["systems"]["product"]["overall"].get("answer_accuracy") if text else None
    lines = ["| style | replies | pages | CER mean | CER max | doc number same | dates same | OCR confidence | "
             "s / page | answer acc | text copies' | difference |", "|---" * 12 + "|"]
    for rep in reports:
        scan = rep.get("scan")
        if not scan:
            continue
        acc = rep["systems"]["product"]["overall"].get("answer_accuracy")
        diff = f"{100 * (acc - base):+.1f}" if acc is not None and base is not None else "–"
        cells = [scan["style"], scan["replies"], scan["pages"], f"{scan['cer_mean']:.4f}", f"{scan['cer_max']:.4f}",
                 f"{100 * scan['doc_number_same']:.1f}", f"{100 * scan['dates_same']:.1f}", scan["confidence_mean"],
                 scan["seconds_per_page"], f"{100 * acc:.1f}" if acc is not None else "–",
                 f"{100 * base:.1f}" if base is not None else "–", diff]
        lines.append("| " + " | ".join(map(str, cells)) + " |")
    return "\n".join(lines) if len(lines) > 2 else ""
