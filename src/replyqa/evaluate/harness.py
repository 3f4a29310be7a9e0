"""One evaluation from start to finish: prepare the index, build the systems, run, score, write.

The CLI's ``replyqa eval`` is a thin wrapper over ``run_evaluation``.
"""
from __future__ import annotations

import ast
import hashlib
import json
import logging
import shutil
import tempfile
import time
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path

from ..embed import Embedder, load_embedder
from ..errors import ReplyQAError
from ..ingest import ingest
from ..read import iter_files
from ..settings import Settings
from ..store import Index, open_index
from .folds import fold_of, role_of
from .baselines import (RETRIEVE_K, AppSystem, FrameworkDefault, ProductSystem, RetrieverSystem,
                        System, load_answerer, reader_ships, uses_reader)
from .questions import Question, load_questions, load_squad, sample, write_passages
from .removal import remove_answers, removal_note, sample_removal
from .report import git_revision, primary_system, write_outputs
from .runner import run_system, score_run
from .scanned import renamed, scan_figures, scanned_corpus
from .swap import Archive, entity_near_miss_figures, near_miss_kinds, swap_figures, swap_questions

log = logging.getLogger(__name__)

SECRET_SETTINGS = ("llm_api_key", "admin_password")


@dataclass(frozen=True)
class EvalRequest:
    """What ``replyqa eval`` was asked to do."""

    questions: str | None = None
    squad: str | None = None
    corpus: str | None = None
    index: str | None = None
    out: str = "eval/out/run"
    work: str | None = None
    sample: int | None = None
    seed: int = 0
    baselines: bool = False
    app: str | None = None
    name: str | None = None
    k: int = RETRIEVE_K
    remove_answers: float | None = None  # with squad: the share of places whose answer is removed
    remove_unit: str = "paragraph"
    progress: bool = True
    plots: bool = True
    entity_swap: bool = False  # ask each question's entity-swapped copy too (swap.py); seeded by ``seed``
    scan: str | None = None  # with corpus: ask the corpus's scanned copies in this style (scanned.py)
    fold: str | None = None  # with squad: ask only questions of articles in the fold of this role (folds.py)


@dataclass
class Prepared:
    """The index to evaluate, the files it was built from, and how fast it was built."""

    index: Index | None
    files: list[Path] = field(default_factory=list)
    indexing: dict = field(default_factory=dict)
    work: Path | None = None
    removal: dict = field(default_factory=dict)
    scan: dict = field(default_factory=dict)


PACKAGE = Path(__file__).resolve().parents[1]
# Where an index is made: every replyqa module these import, at any depth, shapes its contents.
INDEX_ROOTS = ("ingest", "store", "embed")


def _imported(path: Path, name: str, package: Path) -> set[str]:
    """The replyqa modules one module imports (function-level imports included), as dotted names
    relative to the package: "parse", "answer.score"."""
    parts = name.split(".")
    base = parts[:-1] if path.name != "__init__.py" else parts
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            targets = [a.name.split(".", 1)[1] for a in node.names if a.name.startswith("replyqa.")]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                head = base[: len(base) - node.level + 1] + (node.module.split(".") if node.module else [])
            elif (node.module or "").startswith("replyqa."):
                head = node.module.split(".")[1:]
            else:
                continue
            # "from . import label" names a module; "from .parse import parse_reply" a name in one
            targets = [".".join(head)] + [".".join([*head, a.name]) for a in node.names]
        else:
            continue
        found |= {t for t in targets if t and _module_file(t, package) is not None}
    return found


def _module_file(name: str, package: Path) -> Path | None:
    path = package.joinpath(*name.split("."))
    for candidate in (path.with_suffix(".py"), path / "__init__.py"):
        if candidate.is_file():
            return candidate
    return None


def index_modules(package: Path = PACKAGE) -> list[str]:
    """Every replyqa module the indexing path imports, found by reading the code, so a new module
    (or a moved rule) is covered without anyone remembering to list it."""
    seen: set[str] = set()
    todo = list(INDEX_ROOTS)
    while todo:
        name = todo.pop()
        if name in seen:
            continue
        seen.add(name)
        todo += _imported(_module_file(name, package), name, package) - seen
    return sorted(seen)


def index_key(embedder: Embedder, settings: Settings, package: Path = PACKAGE) -> str:
    """What a cached index depends on: the code of every module on the indexing path, the model
    and the chunk size.

    Ingest skips replies whose text is unchanged, so a cache built by an older parser or
    chunker would silently be evaluated; a changed key rebuilds it instead.
    """
    h = hashlib.sha256(f"{embedder.name}|{settings.chunk_chars}".encode())
    for name in index_modules(package):
        h.update(name.encode() + b"\0" + _module_file(name, package).read_bytes())
    return h.hexdigest()[:16]


def build_index(folder: Path, files: list[Path], settings: Settings, embedder: Embedder,
                progress: bool) -> tuple[Index, dict]:
    """Ingest files into the index at ``folder``; the rate comes from this build or the one that made it."""
    stats_file = folder / "eval-build.json"
    key = index_key(embedder, settings)
    if folder.exists() and (not stats_file.exists() or json.loads(stats_file.read_text()).get("key") != key):
        log.info("rebuilding %s: the indexing code, model or chunk size changed", folder)
        shutil.rmtree(folder)
    index = Index(folder, embedder, Settings(**{**asdict(settings), "index": str(folder)}))
    report = ingest(index, files, progress=progress)
    if report.chunks_embedded or not stats_file.exists():
        seconds = report.seconds
        stats = {"key": key, "replies": len(report.added) + len(report.updated) + len(report.unchanged),
                 "failed": len(report.failed), "chunks": len(index), "chunks_embedded": report.chunks_embedded,
                 "seconds": round(seconds, 3), "parse_seconds": round(report.parse_seconds, 3),
                 "chunks_per_s": round(report.chunks_embedded / seconds, 3) if seconds else None,
                 "replies_per_s": round((len(report.added) + len(report.updated)) / seconds, 3) if seconds else None}
        stats_file.write_text(json.dumps(stats, indent=2))
        return index, {**stats, "cached": False}
    return index, {**json.loads(stats_file.read_text()), "cached": True}


def file_hash(path: str | Path) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()[:10]


def in_fold(source: str, passages: list, questions, fold: str | None) -> list:
    """The questions whose article is in the fold of that role ("report", "calibrate", "fit"); all when None."""
    if fold is None:
        return list(questions)
    title = {p.name: p.title for p in passages}
    return [q for q in questions if role_of(fold_of(source, title.get(q.source_id or q.docs[0], ""))) == fold]


def _squad_questions(req: EvalRequest) -> tuple[list, list[Question], str, str, dict]:
    """A SQuAD file's passages and asked questions, its name, its cache key and any removal's counts."""
    passages, questions = load_squad(req.squad)
    name, key = Path(req.squad).stem, file_hash(req.squad)
    if req.remove_answers is None:
        return passages, sample(in_fold(req.squad, passages, questions, req.fold), req.sample, req.seed), name, key, {}
    cut = remove_answers(passages, questions, req.remove_answers, req.seed, req.remove_unit)
    if req.fold is not None:
        cut = replace(cut, removed=tuple(in_fold(req.squad, passages, cut.removed, req.fold)),
                      kept=tuple(in_fold(req.squad, passages, cut.kept, req.fold)))
    asked = sample_removal(cut, req.sample, req.seed)
    removal = {**cut.summary(), "asked_removed": sum(q.unanswerable for q in asked),
               "asked_kept": sum(not q.unanswerable for q in asked)}
    return (list(cut.passages), asked, f"{name}-answer-removed",
            f"{key}-{req.remove_unit}-{req.remove_answers:g}-s{req.seed}", removal)


def prepare(req: EvalRequest, settings: Settings, embedder: Embedder | None,
            scratch: Path) -> tuple[Prepared, list[Question], str]:
    """The index, the questions and the data set's name for a request.

    A SQuAD file's index lives in ``req.work`` (keyed by the file's hash, and with
    ``--remove-answers`` by the unit, fraction and seed) and is reused;
    a ``--corpus`` index is always built fresh in ``scratch``, a temporary folder.
    """
    if req.squad:
        passages, questions, name, key, removal = _squad_questions(req)
        work = (Path(req.work) if req.work else scratch) / f"{Path(req.squad).stem}-{key}"
        folder = write_passages(work / "passages", passages)
        files = sorted(iter_files([folder]))
        index, stats = build_index(work / "index", files, settings, embedder, req.progress)
        return Prepared(index, files, stats, work, removal), questions, name
    questions = sample(load_questions(req.questions), req.sample, req.seed)
    name = Path(req.questions).stem if req.questions else "questions"
    if req.corpus and req.scan:
        files = scanned_corpus(req.corpus, scratch / "scans", req.scan, req.seed, req.progress)
        index, stats = build_index(scratch / "index", files, settings, embedder, req.progress)
        figures = scan_figures(index, req.corpus, req.scan, stats.get("parse_seconds", 0.0))
        return Prepared(index, files, stats, scratch, scan=figures), renamed(questions, req.scan), name
    if req.corpus:
        files = sorted(iter_files([req.corpus]))
        index, stats = build_index(scratch / "index", files, settings, embedder, req.progress)
        return Prepared(index, files, stats, scratch), questions, name
    if req.app and not req.index:
        return Prepared(None, work=scratch), questions, name
    index = open_index(settings, embedder=embedder, folder=req.index)
    files = sorted({Path(r.source) for r in index.replies() if Path(r.source).is_file()})
    return Prepared(index, files, {"existing_index": str(index.folder), "chunks": len(index)}, scratch), questions, name


def make_systems(req: EvalRequest, prep: Prepared, embedder: Embedder | None) -> list[System]:
    """The systems to score: the app or the product, and the baselines when asked for."""
    systems: list[System] = []
    if req.app:
        systems.append(AppSystem(req.app))
    elif prep.index is not None:
        systems.append(ProductSystem(prep.index, load_answerer(prep.index), req.k))
        # The answerer the product does not use, scored beside it in the same run: the hand-weighted scorer when the
        # fitted reader answers, the reader when its weights ship but the rules answer.
        if uses_reader(prep.index):
            systems.append(ProductSystem(prep.index, load_answerer(prep.index, reader=False), req.k, name="rules"))
        elif reader_ships(prep.index):
            systems.append(ProductSystem(prep.index, load_answerer(prep.index, reader=True), req.k, name="reader"))
    if req.baselines and prep.index is not None:
        have = {s.name for s in systems}
        systems += [RetrieverSystem(prep.index, m, req.k) for m in ("hybrid", "dense", "bm25") if m not in have]
        cache = prep.work / "framework" if prep.work else None
        framework = FrameworkDefault(prep.files, embedder, prep.index, cache, req.k, req.progress)
        prep.indexing["framework"] = framework.build_stats
        systems.append(framework)
    return systems


def public_settings(settings: Settings) -> dict:
    """Settings for the report, secrets left out."""
    return {k: v for k, v in asdict(settings).items() if k not in SECRET_SETTINGS}


def run_evaluation(req: EvalRequest, settings: Settings, embedder: Embedder | None = None) -> dict:
    """Run one evaluation and write its outputs to ``req.out``; returns the report."""
    if embedder is None and not (req.app and not (req.corpus or req.index or req.squad)):
        embedder = load_embedder(settings)
    with tempfile.TemporaryDirectory(prefix="replyqa-eval-") as scratch:
        return _evaluate(req, settings, embedder, Path(scratch))


def _evaluate(req: EvalRequest, settings: Settings, embedder: Embedder | None, scratch: Path) -> dict:
    prep, questions, name = prepare(req, settings, embedder, scratch)
    name = req.name or name
    notes: list[str] = []
    swaps = None
    if req.entity_swap:
        if prep.index is None:
            raise ReplyQAError("--entity-swap needs the archive's index (--corpus or --index) to know what it lacks")
        swaps = swap_questions(questions, Archive.from_index(prep.index), req.seed)
        questions = swaps.questions
    systems = make_systems(req, prep, embedder)
    runs = []
    for system in systems:
        # Each system embeds its own queries: a vector cached by the previous system would hide
        # the model's time and make latencies incomparable.
        if embedder is not None:
            embedder.clear_query_cache()
        runs.append(run_system(system, questions, req.progress))
    scores = {run.name: score_run(questions, run) for run in runs}
    if swaps is not None:
        for run in runs:
            scores[run.name]["entity_swap"] = swap_figures(questions, run.records)
    for run in runs:
        entity = entity_near_miss_figures(questions, run.records)
        if entity is not None:
            scores[run.name]["entity_near_misses"] = entity
        kinds = near_miss_kinds(questions, run.records)
        if kinds is not None:
            scores[run.name]["near_miss_kinds"] = kinds
    share = next(iter(scores.values()), {}).get("overall", {}).get("extractable") if scores else None
    if share is not None and share < 1:
        notes.append(f"{share:.1%} of the answerable questions have a gold answer that occurs in its evidence "
                     "sentence; the others paraphrase or gloss it in English, so no verbatim quote can contain "
                     "them. 'acc (quotable)' is answer accuracy on the first group.")
    if prep.removal:
        notes.append(removal_note(prep.removal))
    product_stats = {k: v for k, v in prep.indexing.items() if k != "framework"}
    report = {
        "dataset": name, "created": time.strftime("%Y-%m-%dT%H:%M:%S"), "git_revision": git_revision(),
        "questions": len(questions), "answerable": sum(not q.unanswerable for q in questions),
        "primary": primary_system(scores), "k": req.k,
        "request": {k: v for k, v in asdict(req).items() if k not in ("progress", "plots")},
        "settings": public_settings(settings),
        "manifest": prep.index.manifest() if prep.index is not None else {},
        "indexing": {"product": product_stats, **({"framework": prep.indexing["framework"]}
                                                  if "framework" in prep.indexing else {})},
        "systems": scores, "notes": notes, **({"removal": prep.removal} if prep.removal else {}),
        **({"entity_swap": swaps.summary()} if swaps is not None else {}),
        **({"scan": prep.scan} if prep.scan else {}),
    }
    write_outputs(req.out, report, questions, runs, plots=req.plots)
    return report
