"""Run every sample question through ``ask`` over a fresh sample index and print the figures.

    .venv/bin/python eval/answer_check.py            # builds a temporary index of samples/replies
    .venv/bin/python eval/answer_check.py --index DIR --show-misses

Answer accuracy: the normalised gold ``answer`` is contained in the normalised
answer (Traditional→Simplified, full-width→half-width, spaces removed).
"All parts": a compound gold answer ("85个（增补38个…），惠及26208户") counts when each
of its punctuation-separated parts is contained; the strict figure is printed too.
Citation accuracy: some cited quote contains the normalised ``evidence`` (for
``precedent`` questions, any one of the listed evidence sentences).
Refusal: share of ``unanswerable`` questions refused, and of answerable ones refused.
Latency: median wall time of ``ask`` with the model loaded (after one warm-up).
The full evaluation harness reuses ``answer_json``; this is the answerer's own check.
"""
from __future__ import annotations

import argparse
import json
import re
import statistics
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def norm(text: str) -> str:
    from replyqa.normalise import match_key

    return match_key(text)


def open_sample_index(folder: str | None):
    """The index at ``folder``, or a fresh one of the bundled samples in a temporary folder."""
    from replyqa.embed import load_embedder
    from replyqa.ingest import ingest
    from replyqa.settings import Settings
    from replyqa.store import Index

    settings = Settings.from_env(index=folder or tempfile.mkdtemp(prefix="replyqa-answer-check-"))
    index = Index(settings.index, load_embedder(settings), settings)
    if folder is None:
        ingest(index, [ROOT / "samples" / "replies"], progress=False)
    return index


def judge(q: dict, result: dict) -> dict:
    """The verdicts for one question."""
    answerable = q["kind"] != "unanswerable"
    evidence = q["evidence"] if isinstance(q["evidence"], list) else [q["evidence"]]
    quotes = [norm(c["quote"]) for c in result["citations"]]
    return {"answerable": answerable, "refused": result["refused"],
            "answer_ok": answerable and not result["refused"] and norm(q["answer"]) in norm(result["answer"]),
            "parts_ok": answerable and not result["refused"] and all(
                p in norm(result["answer"]) for p in gold_parts(q["answer"])),
            "citation_ok": answerable and any(norm(e) in qt for e in evidence if e for qt in quotes)}


def gold_parts(answer: str) -> list[str]:
    """A compound gold answer cut at its punctuation, for the lenient "all parts" figure."""
    return [p for p in re.split(r"[；;，,、（）()：:]", norm(answer)) if len(p) >= 2] or [norm(answer)]


def pct(part: int, whole: int) -> str:
    return f"{part}/{whole} = {100 * part / whole:.0f}%" if whole else "n/a"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--index", help="use this index instead of building a fresh sample index")
    parser.add_argument("--questions", default=str(ROOT / "eval" / "questions.jsonl"))
    parser.add_argument("--show-misses", action="store_true", help="print each question that missed")
    args = parser.parse_args()

    from replyqa.answer import Answerer, answer_json
    from replyqa.settings import apply_offline_defaults

    apply_offline_defaults()
    index = open_sample_index(args.index)
    answerer = Answerer(index)
    questions = [json.loads(line) for line in Path(args.questions).read_text().splitlines() if line.strip()]
    answerer.ask(questions[0]["question"])  # warm-up: model, jieba, OpenCC, CC-CEDICT
    by_lang: dict[str, list[dict]] = defaultdict(list)
    latencies, bad_offsets = [], 0
    for q in questions:
        started = time.perf_counter()
        answer = answerer.ask(q["question"])
        latencies.append((time.perf_counter() - started) * 1000)
        result = answer_json(index, answer)
        for c in result["citations"]:
            bad_offsets += index.reply(c["reply_id"]).text[c["start"]:c["end"]] != c["quote"]
        verdict = judge(q, result)
        by_lang[q["language"]].append(verdict)
        missed = (verdict["answerable"] and not (verdict["parts_ok"] and verdict["citation_ok"])) or (
            not verdict["answerable"] and not verdict["refused"])
        if args.show_misses and missed:
            print(f"MISS {q['id']} [{q['kind']}] {q['question']}\n  gold: {q['answer']}\n"
                  f"  got:  {result['answer'][:240]}\n  note: {result.get('note', '')}\n", file=sys.stderr)
    everything = [v for vs in by_lang.values() for v in vs]
    for lang, vs in sorted(by_lang.items()) + [("all", everything)]:
        ans = [v for v in vs if v["answerable"]]
        una = [v for v in vs if not v["answerable"]]
        print(f"{lang:8} answer {pct(sum(v['answer_ok'] for v in ans), len(ans)):14} "
              f"answer (all parts) {pct(sum(v['parts_ok'] for v in ans), len(ans)):14} "
              f"citation {pct(sum(v['citation_ok'] for v in ans), len(ans)):14} "
              f"unanswerable refused {pct(sum(v['refused'] for v in una), len(una)):12} "
              f"answerable refused {pct(sum(v['refused'] for v in ans), len(ans))}")
    refused = [v for v in everything if v["refused"]]
    print(f"refusal precision {pct(sum(not v['answerable'] for v in refused), len(refused))}")
    print(f"ask latency ms: median {statistics.median(latencies):.0f}, max {max(latencies):.0f} "
          f"(n={len(latencies)}); quotes off their offsets: {bad_offsets}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
