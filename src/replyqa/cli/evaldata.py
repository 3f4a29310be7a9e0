"""``replyqa near-misses``: write answer-removed near-miss data from SQuAD files, for fitting and study."""
from __future__ import annotations

from pathlib import Path

import click

from .common import domain_errors


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
