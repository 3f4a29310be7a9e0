"""The report files of the small evaluations (counting, commitments, precedents): one table row, report.json
and report.md with the listed misses."""
from __future__ import annotations

import json
from pathlib import Path


def pct(value: float | None) -> str:
    """A share as a percentage with one decimal, or a dash when unmeasured."""
    return "–" if value is None else f"{100 * value:.1f}"


def one_row(head: list[str], cells: list[str]) -> str:
    """A markdown table of one row."""
    return "\n".join(["| " + " | ".join(head) + " |", "|---" * len(head) + "|", "| " + " | ".join(cells) + " |"])


def write_report(report: dict, out: str | Path, table: str, listed: str) -> Path:
    """report.json and report.md (the table, then every item of ``report[listed]``) into ``out``."""
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    (out / "report.json").write_text(json.dumps(report, ensure_ascii=False, indent=2), encoding="utf-8")
    lines = [f"# {report['dataset']}", "", table, "", f"## {listed} ({len(report[listed])})", ""]
    lines += [f"- {json.dumps(r, ensure_ascii=False)}" for r in report[listed]]
    (out / "report.md").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return out
