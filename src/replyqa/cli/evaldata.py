"""Evaluation data and the archive-wide evaluations: ``replyqa near-misses`` writes answer-removed near-miss
data from SQuAD files; ``eval-commitments`` scores the ledger's extractor and ``eval-counts`` the answers to
questions that count replies."""
from __future__ import annotations

import json
import tempfile
from contextlib import contextmanager
from pathlib import Path

import click

from .common import domain_errors, index_option, settings_from


@contextmanager
def _asked_index(ctx: click.Context, corpus: str | None):
    """The index an evaluation asks: ``corpus`` ingested into a fresh temporary one, else the configured one."""
    from ..ingest import ingest
    from ..store import open_index

    with tempfile.TemporaryDirectory(prefix="replyqa-eval-") as tmp:
        index = open_index(settings_from(ctx), folder=tmp if corpus else None)
        if corpus:
            ingest(index, [corpus], progress=False)
        yield index


@click.command("near-misses")
@click.argument("squad_files", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False))
@click.option("--out", required=True, type=click.Path(file_okay=False), help="One folder per file is written here.")
@click.option("--fraction", type=click.FloatRange(0, 1), default=0.5, show_default=True,
              help="The share of eligible articles (paragraph) or paragraphs (sentence) whose answer is removed.")
@click.option("--unit", type=click.Choice(["paragraph", "sentence"]), default="sentence", show_default=True,
              help="Remove a paragraph (its article's other paragraphs stay) or one answer sentence of a paragraph.")
@click.option("--seed", type=int, default=0, show_default=True, help="Seed of the choice of what is removed.")
@domain_errors
def near_misses(squad_files: tuple[str, ...], out: str, fraction: float, unit: str, seed: int) -> None:
    """Write each SQuAD file's archive with answers removed, and its questions labelled.

    For every file, OUT/<file stem>/ gets passages/ (the archive: one file per paragraph),
    questions.jsonl (kind "unanswerable" with near_kind "answer-removed" for the questions whose
    answer was removed, the benchmark's own kind for the answerable control) and removal.json
    (counts, changed passages, the ids dropped because their answer still occurs elsewhere).
    Evaluate one with: replyqa eval OUT/<stem>/questions.jsonl --corpus OUT/<stem>/passages

    \b
    Example:
      replyqa near-misses eval/benchmarks/cmrc2018_trial.json eval/benchmarks/cmrc2018_dev.json \\
          --out eval/out/near-miss --seed 7
    """
    from ..evaluate.questions import load_squad
    from ..evaluate.removal import export, remove_answers

    for file in squad_files:
        passages, questions = load_squad(file)
        removal = remove_answers(passages, questions, fraction, seed, unit)
        folder = export(Path(out) / Path(file).stem, removal, source=Path(file).name)
        s = removal.summary()
        if not s["changed"]:
            why = ("no article has a second paragraph (try --unit sentence)" if unit == "paragraph"
                   else "no paragraph has an answer sentence to cut")
            click.echo(f"{file}: nothing removed: {why}", err=True)
        click.echo(f"{folder}: {s['passages']} passages ({s['changed']} changed), {s['removed']} unanswerable, "
                   f"{s['kept']} answerable; dropped {s['dropped']} (answer elsewhere), {s['lost']} (answer cut)")


@click.command("eval-commitments")
@click.argument("gold", type=click.Path(exists=True, dir_okay=False))
@click.option("--corpus", required=True, type=click.Path(exists=True, file_okay=False),
              help="The folder of reply files the gold set annotates.")
@click.option("--out", default="eval/out/commitments", show_default=True, help="Folder for report.json and report.md.")
@click.option("--name", default="commitments", show_default=True, help="The data set's name in reports.")
@click.option("--json", "as_json", is_flag=True, help="Print report.json instead of the table.")
@domain_errors
def eval_commitments(gold: str, corpus: str, out: str, name: str, as_json: bool) -> None:
    """Score the commitment extractor against hand-annotated promises.

    Reports recall, precision, due exact, condition and exact slices, and lists every miss,
    spurious item and wrong due day or condition in OUT/report.md. Needs no model.

    \b
    Example:
      replyqa eval-commitments eval/commitments.jsonl --corpus samples/replies
    """
    from ..evaluate.commitments import extract_corpus, load_gold, score, table, write

    report = score(load_gold(gold), extract_corpus(corpus), name)
    write(report, out)
    click.echo(json.dumps(report, ensure_ascii=False, indent=2) if as_json else table(report))


@click.command("eval-counts")
@click.argument("questions", type=click.Path(exists=True, dir_okay=False))
@click.option("--corpus", type=click.Path(exists=True, file_okay=False), help="Build a fresh index of these files first.")
@click.option("--out", default="eval/out/counts", show_default=True, help="Folder for report.json and report.md.")
@click.option("--name", default="count-questions", show_default=True, help="The data set's name in reports.")
@click.option("--json", "as_json", is_flag=True, help="Print report.json instead of the table.")
@index_option
@click.pass_context
@domain_errors
def eval_counts(ctx: click.Context, questions: str, corpus: str | None, out: str, name: str, as_json: bool) -> None:
    """Ask questions that count replies and score the answers' counts and cited replies.

    With --corpus the files are ingested into a fresh temporary index (with the configured model);
    without it the index of --index / REPLYQA_INDEX is asked.

    \b
    Example:
      replyqa eval-counts eval/count_questions.jsonl --corpus samples/replies
    """
    from ..evaluate.counts import ask_all, load_questions, score, table, write

    rows = load_questions(questions)
    with _asked_index(ctx, corpus) as index:
        report = score(rows, ask_all(index, rows), name)
    write(report, out)
    click.echo(json.dumps(report, ensure_ascii=False, indent=2) if as_json else table(report))


@click.command("eval-precedent")
@click.argument("proposals", type=click.Path(exists=True, dir_okay=False))
@click.option("--corpus", type=click.Path(exists=True, file_okay=False), help="Build a fresh index of these files first.")
@click.option("--out", default="eval/out/precedent", show_default=True, help="Folder for report.json and report.md.")
@click.option("--name", default="precedent-proposals", show_default=True, help="The data set's name in reports.")
@click.option("--json", "as_json", is_flag=True, help="Print report.json instead of the table.")
@index_option
@click.pass_context
@domain_errors
def eval_precedent(ctx: click.Context, proposals: str, corpus: str | None, out: str, name: str, as_json: bool) -> None:
    """Check new proposals written for replies of the archive and score the precedents found.

    Reports hit@1 and hit@3 (the reply each proposal was written for), repeats flagged, others (the same
    ask for another place) not flagged, different asks for an archive's place not flagged, the similarity
    by kind and the milliseconds per check. With --corpus the files are ingested into a fresh temporary
    index (with the configured model); without it the index of --index / REPLYQA_INDEX is checked.

    \b
    Example:
      replyqa eval-precedent eval/precedent_proposals.jsonl --corpus samples/replies
    """
    from ..evaluate.precedent import load_set, run, score, table, write

    rows = load_set(proposals)
    with _asked_index(ctx, corpus) as index:
        report = score(run(index, rows), name)
    write(report, out)
    click.echo(json.dumps(report, ensure_ascii=False, indent=2) if as_json else table(report))
