"""Fit the precedent check's similarity and repeat threshold (src/replyqa/data/precedent/calibration.json).

Data: the proposals of eval/precedent_fit.jsonl (42, written for this fit: one repeat and one "elsewhere"
per sample reply, and ten asks the archive never answered for places it has replies from; worded apart
from the reported set eval/precedent_proposals.jsonl, which is never read here), checked against the sample
archive with the configured model. Every reply a proposal's pieces find is one row, graded 2 when the
proposal repeats it (its target, same place), 1 when it asks the same elsewhere (its target, another
place), 0 otherwise.

The grades' probabilities are a multinomial logistic regression (scikit-learn, standardised features, L2,
C=1) of those rows; the similarity is their expected value on 0/50/100 (precedent.GAINS). The repeat
threshold, on P(repeat), is fitted on the same proposals' decisions: for each, the best-ranked reply about
the same places and its P(repeat), labelled by whether it is the repeat; the threshold maximises TPR - FPR
(Youden's J, sklearn's roc_curve) and sits halfway to the next lower score.

    python eval/fit_precedent.py [--fit eval/precedent_fit.jsonl] [--corpus samples/replies] [--out FILE]
"""
from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def fit(rows: list[dict]):
    """The scaler and regression fitted on labelled candidate rows."""
    import numpy as np
    from sklearn.linear_model import LogisticRegression
    from sklearn.preprocessing import StandardScaler

    from replyqa.precedent import FEATURES

    X = np.array([r["features"].vector(FEATURES) for r in rows])
    y = np.array([r["grade"] for r in rows], dtype=int)
    scaler = StandardScaler().fit(X)
    scale = np.where(scaler.scale_ > 0, scaler.scale_, 1.0)
    model = LogisticRegression(C=1.0, max_iter=1000).fit((X - scaler.mean_) / scale, y)
    return scaler.mean_, scale, model


def threshold(rows: list[dict], calibration) -> tuple[float, dict]:
    """The repeat threshold from each proposal's best-ranked same-place reply (see the module's docstring)."""
    from sklearn.metrics import roc_curve

    by_id: dict[str, list[dict]] = defaultdict(list)
    for r in rows:
        by_id[r["id"]].append(r)
    scores, labels = [], []
    for cands in by_id.values():
        ranked = sorted(cands, key=lambda r: -calibration.similarity(r["features"]))
        top = next((r for r in ranked if r["features"].place_agree), None)
        if top is not None:
            scores.append(calibration.repeat(top["features"]))
            labels.append(int(top["grade"] == 2))
    fpr, tpr, cuts = roc_curve(labels, scores)
    best = max(range(len(cuts)), key=lambda i: (tpr[i] - fpr[i], -cuts[i]))
    cut = float(min(cuts[best], 100.0))
    below = [s for s in scores if s < cut]
    value = (cut + max(below)) / 2 if below else cut
    return value, {"decisions": len(scores), "repeats": sum(labels), "tpr": float(tpr[best]), "fpr": float(fpr[best])}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--fit", default=str(ROOT / "eval" / "precedent_fit.jsonl"))
    parser.add_argument("--corpus", default=str(ROOT / "samples" / "replies"))
    parser.add_argument("--out", default=str(ROOT / "src" / "replyqa" / "data" / "precedent" / "calibration.json"))
    a = parser.parse_args()
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")
    import sklearn

    from replyqa.evaluate.precedent import labelled_rows, load_set
    from replyqa.ingest import ingest
    from replyqa.precedent import FEATURES, GAINS, GRADES, Calibration, PrecedentChecker
    from replyqa.settings import Settings
    from replyqa.store import open_index

    n = len(FEATURES)
    neutral = Calibration(FEATURES, (0.0,) * n, (1.0,) * n, ((0.0,) * n,) * 3, (0.0,) * 3, 50.0)
    with tempfile.TemporaryDirectory(prefix="replyqa-fit-precedent-") as tmp:
        index = open_index(Settings.from_env(), folder=tmp)
        ingest(index, [a.corpus], progress=False)
        rows = labelled_rows(index, load_set(a.fit), PrecedentChecker(index, neutral))
    mean, scale, model = fit(rows)
    calibration = Calibration(FEATURES, tuple(map(float, mean)), tuple(map(float, scale)),
                              tuple(tuple(float(c) for c in row) for row in model.coef_),
                              tuple(float(b) for b in model.intercept_), 50.0)
    cut, stats = threshold(rows, calibration)
    out = {"features": list(FEATURES), "mean": list(calibration.mean), "scale": list(calibration.scale),
           "grades": list(GRADES), "gains": list(GAINS), "coef": [list(row) for row in calibration.coef],
           "intercept": list(calibration.intercept), "repeat_threshold": round(cut, 2),
           "fitted_on": f"{Path(a.fit).name}: {len({r['id'] for r in rows})} proposals, {len(rows)} candidate rows "
                        f"(graded 2/1/0: {sum(r['grade'] == 2 for r in rows)}/{sum(r['grade'] == 1 for r in rows)}/"
                        f"{sum(r['grade'] == 0 for r in rows)}) over {os.path.relpath(a.corpus, ROOT)}",
           "threshold_fit": stats, "model": Settings.from_env().embed_model, "sklearn": sklearn.__version__,
           "date": time.strftime("%Y-%m-%d")}
    Path(a.out).parent.mkdir(parents=True, exist_ok=True)
    Path(a.out).write_text(json.dumps(out, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    print(json.dumps(out, ensure_ascii=False, indent=2))


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT / "src"))
    main()
