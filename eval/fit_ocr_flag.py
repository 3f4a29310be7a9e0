"""Fit LOW_OCR_CONFIDENCE: below which mean OCR confidence a scan is flagged for a person to check.

Data: clean PNG copies of the 16 sample replies (``replyqa.evaluate.scans``), each degraded 15 ways
(Gaussian blur 0–4.5 px, then shrunk to 100/50/35 % and saved as JPEG quality 60), read as an ingest
reads them. A copy is bad when its character error rate against the reply exceeds 0.05. The
threshold is the point of the ROC curve (scikit-learn) with the largest Youden's J over all readings;
how well it flags is reported out of fold: each reply's readings judged by the threshold fitted on the
other fifteen replies' (the bad readings come from a few replies, so a half split can leave none).

    python eval/fit_ocr_flag.py [--out eval/ocr_flag.json]   (make fit; about ten minutes on 2 cores)
"""
from __future__ import annotations

import argparse
import json
import tempfile
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
BLURS = (0.0, 1.5, 2.5, 3.5, 4.5)
SCALES = (1.0, 0.5, 0.35)
BAD_CER = 0.05  # a copy reading worse than one character in twenty needs a person's eyes


def readings(work: Path) -> list[dict]:
    """Confidence and CER of every degraded copy of every sample reply."""
    from PIL import Image, ImageFilter
    from tqdm import tqdm

    from replyqa.errors import ReadError
    from replyqa.evaluate.scans import char_error_rate, scan_copies
    from replyqa.read import read_document

    copies = scan_copies(ROOT / "samples" / "replies", work, styles=("png",), seed=7, progress=False)["png"]
    rows = []
    for n, copy in enumerate(tqdm(copies, desc="replies", unit="reply")):
        reference = (ROOT / "samples" / "replies" / f"{copy.stem}.txt").read_text(encoding="utf-8")
        clean = Image.open(copy).convert("RGB")
        for blur in BLURS:
            for scale in SCALES:
                image = clean.filter(ImageFilter.GaussianBlur(blur)) if blur else clean
                image = image.resize((round(image.width * scale), round(image.height * scale)))
                path = work / f"{copy.stem}-{blur}-{scale}.jpg"
                image.save(path, quality=60)
                try:
                    doc = read_document(path)
                    confidence, cer = doc.scan.confidence, char_error_rate(reference, doc.text)
                except ReadError:
                    confidence, cer = 0.0, 1.0
                rows.append({"reply": n, "blur": blur, "scale": scale, "confidence": confidence, "cer": round(cer, 5)})
    return rows


def youden(conf: np.ndarray, bad: np.ndarray) -> float:
    """The confidence below which a reading is called bad, at the ROC point with the largest Youden's J."""
    from sklearn.metrics import roc_curve

    fpr, tpr, thresholds = roc_curve(bad, -conf)
    return float(-thresholds[int(np.argmax(tpr - fpr))])


def fit(rows: list[dict]) -> dict:
    """The threshold fitted on every reply's readings, and how well it flags readings of replies it was not
    fitted on: each reply's readings judged by the threshold fitted on all the others (scikit-learn's
    LeaveOneGroupOut, one group per reply)."""
    from sklearn.metrics import roc_auc_score
    from sklearn.model_selection import LeaveOneGroupOut

    conf = np.array([r["confidence"] for r in rows])
    bad = np.array([r["cer"] > BAD_CER for r in rows])
    groups = np.array([r["reply"] for r in rows])
    flagged = np.zeros(len(rows), dtype=bool)
    for train, test in LeaveOneGroupOut().split(conf, bad, groups):
        flagged[test] = conf[test] < youden(conf[train], bad[train])
    return {"threshold": round(youden(conf, bad), 3),
            "readings": len(rows), "bad": int(bad.sum()), "auroc": round(float(roc_auc_score(bad, -conf)), 3),
            "held_out": {"bad_flagged": round(float(flagged[bad].mean()), 3),
                         "good_flagged": round(float(flagged[~bad].mean()), 3)}}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", default=str(ROOT / "eval" / "ocr_flag.json"))
    parser.add_argument("--readings", help="refit on the readings of an earlier output instead of reading again")
    args = parser.parse_args()
    if args.readings:
        rows = json.loads(Path(args.readings).read_text(encoding="utf-8"))["data"]
    else:
        with tempfile.TemporaryDirectory() as tmp:
            rows = readings(Path(tmp))
    result = {**fit(rows), "bad_cer": BAD_CER, "blurs": BLURS, "scales": SCALES, "data": rows}
    Path(args.out).write_text(json.dumps(result, indent=1) + "\n", encoding="utf-8")
    print(json.dumps({k: v for k, v in result.items() if k != "data"}, indent=1))


if __name__ == "__main__":
    main()
