"""Measure the answerer's refusal floors on the calibrate fold, and the pair that fits it best.

The floors are ``min_coverage`` (share of the question's terms near the quoted sentence) and
``min_dense_zh`` (similarity of question and sentence, for a Chinese question whose sentence holds
fewer than ``sure_coverage`` of its words), in ``replyqa.answer.score.AnswerConfig``.

Data: questions of the calibrate fold (``replyqa.evaluate.folds``; never the report fold) of DRCD test
(Traditional) and CMRC 2018 dev (Simplified), ``--sample`` of each, asked of their own archive, where
they are answerable, and of the other benchmark's archive, where they are not (off-archive). Each is
asked once with both floors off; the best sentence's coverage and similarity are recorded, and
whether anything else refused it (a missing focus word or unit). A floor pair's refusal rates follow
from those records without asking again. The fitted pair maximises the share of off-archive questions
refused minus the share of answerable ones refused (Youden's J) over a grid, ties to the pair nearest
the current floors.

    python eval/fit_floors.py [--sample 150] [--seed 7] [--work eval/out/work] [--out eval/floors.json]

The archives are the ones ``make eval`` builds (cached in ``--work``, keyed by the file's hash).
"""
from __future__ import annotations

import argparse
import json
import os
import tempfile
from dataclasses import replace
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
BENCHMARKS = {"DRCD": ROOT / "eval/benchmarks/DRCD_test.json", "CMRC": ROOT / "eval/benchmarks/cmrc2018_dev.json"}
COVERAGE_GRID = np.round(np.arange(0.0, 0.61, 0.02), 2)  # hand-set: the current floor (0.30) sits inside
DENSE_GRID = np.round(np.arange(0.80, 0.921, 0.005), 3)  # the similarities of e5-small pairs fall in this band


def records(answerer, questions, own: bool) -> list[dict]:
    """Ask each question with the floors off; what the floors would have judged, and what refused it else."""
    import replyqa.answer as answer_module
    from replyqa.answer.score import refusal_reason
    from tqdm import tqdm

    seen: dict = {}
    off = replace(answerer.config, min_coverage=0.0, min_dense_zh=0.0, min_dense=0.0)

    def spy(question, best, replies, config):
        reason = refusal_reason(question, best, replies, off)
        seen.update(dense=best.dense if best else None, coverage=best.coverage if best else None, other=bool(reason))
        return reason

    real = answer_module.refusal_reason
    answer_module.refusal_reason = spy
    rows = []
    try:
        for q in tqdm(questions, desc="own archive" if own else "other archive", unit="q"):
            seen.clear()
            got = answerer.ask(q.question)
            rows.append({"id": q.id, "own": own, "language": q.language, "refused": got.refused,
                         "floored": bool(seen) and seen["dense"] is not None, **seen})
    finally:
        answer_module.refusal_reason = real
    return rows


def refused(rows: list[dict], min_coverage: float, min_dense_zh: float, sure_coverage: float) -> np.ndarray:
    """Whether each recorded question is refused under this floor pair, by the answerer's own floor rule."""
    from replyqa.answer.score import AnswerConfig, floor_reason

    config = AnswerConfig(min_coverage=min_coverage, min_dense_zh=min_dense_zh, sure_coverage=sure_coverage)
    return np.asarray([r["other"] or bool(floor_reason(r.get("language", "zh-Hans"), r["dense"], r["coverage"], config))
                       if r["floored"] else r["refused"] for r in rows], bool)


def rates(rows: list[dict], min_coverage: float, min_dense_zh: float, sure_coverage: float) -> dict:
    r = refused(rows, min_coverage, min_dense_zh, sure_coverage)
    own = np.asarray([x["own"] for x in rows], bool)
    return {"answerable_refused": float(r[own].mean()), "off_archive_refused": float(r[~own].mean())}


def fit(rows: list[dict], current: tuple[float, float], sure_coverage: float) -> dict:
    """The grid pair with the largest Youden's J, ties to the pair nearest the current floors."""
    best = None
    for c in COVERAGE_GRID:
        for d in DENSE_GRID:
            got = rates(rows, float(c), float(d), sure_coverage)
            j = got["off_archive_refused"] - got["answerable_refused"]
            near = abs(c - current[0]) + abs(d - current[1])
            key = (round(j, 6), -near)
            if best is None or key > best[0]:
                best = (key, {"min_coverage": float(c), "min_dense_zh": float(d), "j": j, **got})
    return best[1]


def plot(rows: list[dict], current: tuple[float, float], fitted: dict, path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(7, 4.5))
    for own, colour, label in ((True, "tab:blue", "asked of its own archive"), (False, "tab:red", "off-archive")):
        pts = [(r["coverage"], r["dense"]) for r in rows if r["floored"] and not r["other"] and r["own"] == own]
        if pts:
            ax.scatter(*zip(*pts), s=8, alpha=0.5, c=colour, label=f"{label} ({len(pts)})")
    for (c, d), style, label in ((current, "--", "current floors"),
                                 ((fitted["min_coverage"], fitted["min_dense_zh"]), ":", "fitted floors")):
        ax.axvline(c, color="k", linestyle=style, linewidth=1)
        ax.axhline(d, color="k", linestyle=style, linewidth=1, label=label)
    ax.set_xlabel("coverage of the question's terms near the sentence")
    ax.set_ylabel("similarity of question and sentence")
    ax.set_title("Refusal floors on the calibrate fold (DRCD + CMRC)")
    ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sample", type=int, default=150, help="questions of each benchmark's calibrate fold")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--work", default=str(ROOT / "eval" / "out" / "work"))
    parser.add_argument("--out", default=str(ROOT / "eval" / "floors.json"))
    a = parser.parse_args()
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    from replyqa.answer import Answerer
    from replyqa.embed import load_embedder
    from replyqa.evaluate.harness import EvalRequest, prepare
    from replyqa.settings import Settings

    settings = Settings.from_env()
    embedder = load_embedder(settings)
    prepared = {}
    with tempfile.TemporaryDirectory() as scratch:
        for name, path in BENCHMARKS.items():
            req = EvalRequest(squad=str(path), work=a.work, sample=a.sample, seed=a.seed, fold="calibrate")
            prep, questions, _ = prepare(req, settings, embedder, Path(scratch))
            prepared[name] = (Answerer(prep.index), questions)
        rows = []
        for name, (answerer, questions) in prepared.items():
            other = next(n for n in prepared if n != name)
            rows += [{**r, "benchmark": name} for r in records(answerer, questions, own=True)]
            rows += [{**r, "benchmark": name} for r in records(prepared[other][0], questions, own=False)]
    config = prepared["DRCD"][0].config
    current = (config.min_coverage, config.min_dense_zh)
    fitted = fit(rows, current, config.sure_coverage)
    now = rates(rows, *current, config.sure_coverage)
    report = {"data": f"calibrate fold, {a.sample} questions of each of DRCD test and CMRC 2018 dev (seed {a.seed}), "
                      "each asked of its own archive and of the other one",
              "questions": len(rows), "current": {"min_coverage": current[0], "min_dense_zh": current[1],
                                                   "j": now["off_archive_refused"] - now["answerable_refused"], **now},
              "fitted": fitted, "sure_coverage": config.sure_coverage,
              "by_benchmark": {name: {"current": rates([r for r in rows if r["benchmark"] == name], *current,
                                                       config.sure_coverage),
                                      "fitted": rates([r for r in rows if r["benchmark"] == name],
                                                      fitted["min_coverage"], fitted["min_dense_zh"],
                                                      config.sure_coverage)} for name in BENCHMARKS}}
    out = Path(a.out)
    out.write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    plot(rows, current, fitted, out.with_suffix(".png"))
    print(json.dumps(report, indent=2, ensure_ascii=False))


if __name__ == "__main__":
    main()
