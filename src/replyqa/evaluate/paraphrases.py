"""Paraphrases asked beside their originals: the same answer, no false refusal, no value not asked for.

``eval/paraphrases.jsonl`` rewords every answerable sample question five ways (``style``: colloquial,
order, traditional, english, typo). ``make eval`` asks the originals and the paraphrases of the same
archive, then ``python -m replyqa.evaluate.paraphrases ORIGINALS_OUT PARAPHRASES_OUT`` compares each
paraphrase with its original, as answered in that same run:

- **same answer**: both answered, and the paraphrase's first quote holds the value its original quoted,
  as matching sees it: the answer span of the original's first citation (the figure, date, name or
  words it leads with), else that citation's quote (or the paraphrase quotes a part of it);
- **false refusal**: the paraphrase refused where its original was answered;
- **extra values**: the paraphrase's answer leads with more values than its original's
  ("60學分；360學分；五年" where the original led with "60學分").

The figures go into the paraphrase run's report.json (``paraphrase``) and the results table.
"""
from __future__ import annotations

import argparse
import json
import re
from pathlib import Path
from typing import Sequence

from ..normalise import match_key

STYLES = ("colloquial", "order", "traditional", "english", "typo")
LEAD_END = re.compile(r"[“\"]")
LEAD_SEPARATORS = re.compile(r"；|; ")


def _records(folder: Path, name: str = "results.jsonl") -> dict[str, dict]:
    rows = [json.loads(line) for line in (folder / name).read_text(encoding="utf-8").splitlines() if line]
    return {r["id"]: r for r in rows}


def _other_systems(originals: Path, paraphrases: Path) -> list[str]:
    """Systems besides the primary that both runs scored ("rules" or "reader" beside the product)."""
    def names(folder: Path) -> set[str]:
        return {f.name[len("results-"):-len(".jsonl")] for f in folder.glob("results-*.jsonl")}

    return sorted(names(originals) & names(paraphrases))


def answered(record: dict) -> tuple[str, str] | None:
    """(value, quote) of an answer as matching sees them: the value is the first citation's answer span
    (the figure, date, name or words it leads with), else its whole quote; None for a refusal or an error."""
    response = record.get("response") or {}
    if response.get("refused") or record.get("error") or not response.get("citations"):
        return None
    first = response["citations"][0]
    span, quote = first.get("answer_span"), first.get("quote", "")
    if span and first["start"] <= span[0] < span[1] <= first["end"]:
        return match_key(quote[span[0] - first["start"]:span[1] - first["start"]]), match_key(quote)
    return match_key(quote), match_key(quote)


def holds(text: str, value: str) -> bool:
    """``value`` occurs in ``text`` as a whole: a figure is not found inside a longer one (60 in 360)."""
    head = r"(?<!\d)" if value[:1].isdigit() else ""
    tail = r"(?!\d)" if value[-1:].isdigit() else ""
    return bool(value) and re.search(head + re.escape(value) + tail, text) is not None


def same_answer(para: tuple[str, str] | None, orig: tuple[str, str]) -> bool:
    """The paraphrase quotes the value its original quoted (a quote without a span: one quote holds the other)."""
    if para is None:
        return False
    value, quote = orig
    if value != quote:
        return holds(para[1], value)
    return holds(para[1], value) or holds(quote, para[1])


def lead_count(record: dict) -> int:
    """How many values an answer leads with before its first quote (0 for none or a refusal)."""
    response = record.get("response") or {}
    if response.get("refused"):
        return 0
    text = response.get("answer", "")
    head = LEAD_END.split(text, 1)[0]
    lead = re.split(r"[：:]\s*", head, maxsplit=1)[-1].strip(" 。—-") if re.search(r"[：:]", head) else ""
    return len([v for v in LEAD_SEPARATORS.split(lead) if v.strip()]) if lead else 0


def compare(paraphrases: Sequence[dict], originals: dict[str, dict], asked: dict[str, dict]) -> dict:
    """The paraphrase figures overall and by style (shares of the paraphrases whose original was answered)."""
    rows = []
    for p in paraphrases:
        orig, para = originals.get(p["of"]), asked.get(p["id"])
        if orig is None or para is None or answered(orig) is None:
            continue
        got = answered(para)
        rows.append({"id": p["id"], "style": p.get("style", ""), "same": same_answer(got, answered(orig)),
                     "refused": got is None, "extra": got is not None and lead_count(para) > max(1, lead_count(orig))})

    def shares(part: list[dict]) -> dict:
        n = len(part) or 1
        return {"asked": len(part), "same_answer": round(sum(r["same"] for r in part) / n, 4),
                "false_refusals": round(sum(r["refused"] for r in part) / n, 4),
                "extra_values": round(sum(r["extra"] for r in part) / n, 4)}

    return {**shares(rows), "by_style": {s: shares([r for r in rows if r["style"] == s]) for s in STYLES},
            "skipped": len(paraphrases) - len(rows), "rows": rows}


def paraphrase_table(reports: Sequence[dict]) -> str:
    """The paraphrases table of the results: overall and by style."""
    rep = next((r for r in reports if r.get("paraphrase")), None)
    if rep is None:
        return ""
    p = rep["paraphrase"]
    lines = ["| paraphrases | asked | same answer | false refusals | extra values |", "|---|---|---|---|---|"]
    for name, s in [("all", p), *p["by_style"].items()]:
        lines.append(f"| {name} | {s['asked']} | {100 * s['same_answer']:.1f} | {100 * s['false_refusals']:.1f} | "
                     f"{100 * s['extra_values']:.1f} |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("originals", help="the eval output folder of the original questions")
    parser.add_argument("paraphrases", help="the eval output folder of the paraphrases")
    parser.add_argument("--questions", default="eval/paraphrases.jsonl")
    args = parser.parse_args(argv)
    asked = [json.loads(line) for line in Path(args.questions).read_text(encoding="utf-8").splitlines() if line]
    figures = compare(asked, _records(Path(args.originals)), _records(Path(args.paraphrases)))
    report_path = Path(args.paraphrases) / "report.json"
    report = json.loads(report_path.read_text(encoding="utf-8"))
    report["paraphrase"] = figures
    # each other answering system against its own originals, in the same run ("reader" beside the rules)
    report["paraphrase_systems"] = {
        name: {k: v for k, v in compare(asked, _records(Path(args.originals), f"results-{name}.jsonl"),
                                        _records(Path(args.paraphrases), f"results-{name}.jsonl")).items() if k != "rows"}
        for name in _other_systems(Path(args.originals), Path(args.paraphrases))}
    report_path.write_text(json.dumps(report, indent=2, ensure_ascii=False), encoding="utf-8")
    print(paraphrase_table([report]))
    for name, other in report["paraphrase_systems"].items():
        print(f"{name}: same answer {100 * other['same_answer']:.1f}, false refusals {100 * other['false_refusals']:.1f}, "
              f"extra values {100 * other['extra_values']:.1f}")


if __name__ == "__main__":
    main()
