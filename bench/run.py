"""make bench: ingest and query speed from 1k chunks up, against the framework default.

Corpora are real text: the bundled sample replies as they are, plus documents
made from DRCD and CMRC 2018 paragraphs, each with its sentences reordered by a
fixed seed and an archive line of its own, so every copy hashes differently
and nothing is served from the embedding cache. Each phase runs in its own
process so that its peak RSS can be read. On the largest index of a run, one
new reply is added and removed again in process (``Index.add``, ``Index.remove``):
what an upload or a deletion in the admin tab costs.

    python bench/run.py --sizes 1000,10000 [--full] [--out bench/results]

The file is over 400 lines because every phase runs as this same script in a
child process (``--phase NAME``), so each phase sits beside the corpus it measures.
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import random
import shutil
import socket
import statistics
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT / "samples" / "replies"
BENCHMARKS = ROOT / "eval" / "benchmarks"


# -- corpus ----------------------------------------------------------------------------------
def paragraphs() -> list[str]:
    out = []
    for name in ("DRCD_test.json", "cmrc2018_dev.json"):
        data = json.loads((BENCHMARKS / name).read_text(encoding="utf-8"))["data"]
        out += [p["context"] for art in data for p in art["paragraphs"]]
    return out


def build_corpus(target_chunks: int, folder: Path, seed: int = 0) -> int:
    """Write sample replies plus varied paragraph documents until ``target_chunks`` chunks."""
    from replyqa.chunk import chunk_reply
    from replyqa.parse import parse_reply
    from replyqa.text import PARAGRAPH_SENTENCES, spans

    folder.mkdir(parents=True, exist_ok=True)
    total = 0
    for f in sorted(SAMPLES.glob("*.txt")):
        shutil.copy(f, folder / f.name)
        total += len(chunk_reply(parse_reply(f.read_text(encoding="utf-8"), f.name)))
    pool, rng, i = paragraphs(), random.Random(seed), 0
    while total < target_chunks:
        paragraph = pool[i % len(pool)]
        sentences = [paragraph[a:b] for a, b in spans(paragraph, PARAGRAPH_SENTENCES)]
        if i >= len(pool):
            rng.shuffle(sentences)
        text = f"归档编号 {i:06d}\n" + "".join(sentences)
        (folder / f"p{i:06d}.txt").write_text(text, encoding="utf-8")
        total += len(chunk_reply(parse_reply(text, f"p{i:06d}.txt")))
        i += 1
    return total


def questions(n: int = 40) -> list[dict]:
    """Fixed questions: the answerable sample questions (their replies are in every corpus)."""
    rows = [json.loads(line) for line in (ROOT / "eval" / "questions.jsonl").read_text(encoding="utf-8").splitlines()]
    return [r for r in rows if r["kind"] != "unanswerable"][:n]


# -- phases (each in its own process) ---------------------------------------------------------
def _open(index_dir: str, chroma_url: str = ""):
    from replyqa.embed import load_embedder
    from replyqa.settings import Settings
    from replyqa.store import Index

    settings = Settings.from_env(index=index_dir, chroma_url=chroma_url)
    return Index(index_dir, load_embedder(settings), settings)


def phase_ingest(corpus: str, index_dir: str) -> dict:
    from replyqa.ingest import ingest

    index = _open(index_dir)
    r = ingest(index, [corpus], progress=False)
    chunks = len(index)
    return {"seconds": r.seconds, "parse_s": r.parse_seconds, "embed_s": r.embed_seconds, "store_s": r.store_seconds,
            "chunks": chunks, "embedded": r.chunks_embedded, "chunks_per_s": chunks / r.seconds if r.seconds else None}


def _pct(values: list[float], q: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(round(q * (len(values) - 1))))] * 1000


SEARCH_PASSES = 5  # hand-set: a p95 of 40 searches rests on two of them; the median of five passes' p95 steadies it


def _search_passes(qs: list[dict], search, clear) -> tuple[list[list[float]], list]:
    """Seconds of ``search`` for each question in each of SEARCH_PASSES passes, and the first pass's results;
    ``clear`` empties the query cache before each pass, so every pass embeds every question again."""
    passes, first = [], []
    for n in range(SEARCH_PASSES):
        clear()
        passes.append([])
        for q in qs:
            started = time.perf_counter()
            found = search(q["question"])
            passes[-1].append(time.perf_counter() - started)
            if n == 0:
                first.append(found)
    return passes, first


def _pass_pcts(passes: list[list[float]]) -> dict:
    """Search p50 and p95: the median over passes of each pass's own, and every pass's p95 to show the spread."""
    p95s = [_pct(p, 0.95) for p in passes]
    return {"search_p50_ms": statistics.median(_pct(p, 0.5) for p in passes), "search_p95_ms": statistics.median(p95s),
            "search_p95_passes_ms": p95s, "search_passes": len(passes)}


def _stage_pcts(kind: str, stages: dict[str, list[float]], n: int) -> dict:
    """p50 and p95 of each stage over ``n`` questions; a stage a question skipped counts as 0 ms for it."""
    full = {k: v + [0.0] * (n - len(v)) for k, v in stages.items()}
    return {f"{kind}_stages_p50_ms": {k: _pct(v, 0.5) for k, v in full.items()},
            f"{kind}_stages_p95_ms": {k: _pct(v, 0.95) for k, v in full.items()}}


def _hit5(sources: list[str], gold) -> bool:
    gold = set(gold if isinstance(gold, list) else [gold])
    return any(Path(s).name in gold for s in list(dict.fromkeys(sources))[:5])


def phase_query(index_dir: str, chroma_url: str = "") -> dict:
    from replyqa.retrieve import HybridRetriever
    from replyqa.timing import recording

    index = _open(index_dir, chroma_url)
    retriever = HybridRetriever(index)
    qs = questions()
    answerer = _answerer(index)
    for q in qs[:3]:  # warm the model, the caches and the stores
        retriever.search(q["question"], k=5)
    if answerer:  # and the answerer (its int8 copy of the model is built on first use)
        answerer(qs[0]["question"])
    search_stages: dict[str, list[float]] = {}

    def search(question: str):
        with recording() as times:
            found = retriever.search(question, k=10)
        for stage, ms in times.items():
            search_stages.setdefault(stage, []).append(ms / 1000)
        return found

    clear = getattr(index.embedder, "clear_query_cache", lambda: None)
    passes, first = _search_passes(qs, search, clear)
    hits = sum(_hit5([index.reply(h.chunk.reply_id).source for h in found], q["doc"]) for q, found in zip(qs, first))
    clear()  # ask embeds its question again, as it would for a new visitor
    ask_t: list[float] = []
    stages: dict[str, list[float]] = {}
    for q in qs if answerer else []:
        started = time.perf_counter()
        answer = answerer(q["question"])
        ask_t.append(time.perf_counter() - started)
        for stage, ms in answer.timings:
            stages.setdefault(stage, []).append(ms / 1000)
    out = {"questions": len(qs), "hit5": hits / len(qs), **_pass_pcts(passes),
           **_stage_pcts("search", search_stages, len(qs) * SEARCH_PASSES)}
    if ask_t:
        out.update(ask_p50_ms=_pct(ask_t, 0.5), ask_p95_ms=_pct(ask_t, 0.95), **_stage_pcts("ask", stages, len(qs)))
    return out


UPDATE_PARAGRAPHS = 8  # hand-set: about 20 chunks, a long reply (the samples have 3 to 21)
TYPICAL_PARAGRAPHS = 3  # hand-set: about 8 chunks, a reply of the samples' average length (126 chunks in 16)
UPDATE_REPEATS = 3  # hand-set: the median of three adds and removes; each add embeds its reply (seconds)
UPDATE_SEED = 1_000_000  # any seed but the corpus's (0), so the update reply's sentence order is new


def new_reply(n: int, size: int = UPDATE_PARAGRAPHS):
    """A reply no corpus holds: ``size`` paragraphs drawn and reordered by a seed of their own, so every chunk
    is embedded."""
    from replyqa.parse import parse_reply
    from replyqa.text import PARAGRAPH_SENTENCES, spans

    # the long reply keeps the seeds it was measured with before the average one was added
    pool, rng = paragraphs(), random.Random(UPDATE_SEED + n + (0 if size == UPDATE_PARAGRAPHS else 1000 * size))
    parts = []
    for text in rng.sample(pool, size):
        sentences = [text[a:b] for a, b in spans(text, PARAGRAPH_SENTENCES)]
        rng.shuffle(sentences)
        parts.append("".join(sentences))
    return parse_reply(f"更新测试 {n:03d}\n" + "\n".join(parts), f"update-{n:03d}.txt")


def _add_and_remove(index, reply) -> tuple[float, float, float, int, int]:
    """Add one reply and remove it again: (add s, of which embedding s, remove s, chunks embedded, chunks)."""
    index.bm25  # an open index has BM25 loaded; the write itself replaces it
    started = time.perf_counter()
    report = index.add([reply])
    added = time.perf_counter() - started
    started = time.perf_counter()
    if not index.remove(reply.reply_id):
        raise SystemExit(f"update: reply {reply.reply_id} was not stored")
    removed = time.perf_counter() - started
    return added, report.embed_seconds, removed, report.chunks_embedded, report.chunks_embedded + report.chunks_reused


def phase_update(index_dir: str, repeats: str = str(UPDATE_REPEATS)) -> dict:
    """Add one new reply to the index and remove it again, in process, as an upload in the admin tab does: a long
    reply, then one of average length."""
    index = _open(index_dir)
    index.embedder.embed_passages(["预热"])  # the model's first call builds its session: not part of an update
    chunks_before = len(index)
    long = [_add_and_remove(index, new_reply(n)) for n in range(int(repeats))]
    typical = [_add_and_remove(index, new_reply(n, TYPICAL_PARAGRAPHS)) for n in range(int(repeats))]
    if len(index) != chunks_before:
        raise SystemExit(f"update: the index holds {len(index)} chunks after add and remove, not {chunks_before}")
    add_t, embed_t, remove_t = ([t[i] for t in long] for i in range(3))
    return {"chunks": chunks_before, "reply_chunks": long[-1][4], "reply_embedded": long[-1][3],
            "add_s": statistics.median(add_t), "add_embed_s": statistics.median(embed_t),
            "remove_s": statistics.median(remove_t), "add_all_s": add_t, "remove_all_s": remove_t,
            "typical_chunks": typical[-1][4], "add_typical_s": statistics.median(t[0] for t in typical),
            "add_typical_embed_s": statistics.median(t[1] for t in typical)}


def _answerer(index):
    try:
        from replyqa.answer import Answerer
    except ImportError:
        return None
    answerer = Answerer(index)
    answerer.warm_up()  # what the web app loads at start, before its first visitor
    return lambda q: answerer.ask(q)


def phase_model(corpus: str, n: int = 400) -> dict:
    """The model alone on chunk texts of this corpus: the ceiling for ingest throughput."""
    from replyqa.chunk import chunk_reply
    from replyqa.embed import load_embedder
    from replyqa.parse import parse_reply
    from replyqa.settings import Settings
    from replyqa.store import embed_text

    texts = []
    for f in sorted(Path(corpus).glob("*.txt")):
        reply = parse_reply(f.read_text(encoding="utf-8"), str(f))
        texts += [embed_text(reply, c) for c in chunk_reply(reply)]
    sample = texts[:: max(1, len(texts) // n)][:n]  # spread over the corpus: same mix as the ingest
    embedder = load_embedder(Settings.from_env())
    embedder.embed_passages(sample[:16])
    started = time.perf_counter()
    embedder.embed_passages(sample)
    return {"texts": len(sample), "passages_per_s": len(sample) / (time.perf_counter() - started)}


def _framework_store(work: str):
    import chromadb
    from chromadb.config import Settings as ChromaSettings
    from llama_index.vector_stores.chroma import ChromaVectorStore

    from replyqa.embed import load_embedder
    from replyqa.evaluate.baselines import llama_embedding
    from replyqa.settings import Settings

    # The framework default runs the model as sentence-transformers does, in torch.
    embedder = load_embedder(Settings.from_env(embed_backend="torch"))
    client = chromadb.PersistentClient(path=work, settings=ChromaSettings(anonymized_telemetry=False))
    return ChromaVectorStore(chroma_collection=client.get_or_create_collection("framework", embedding_function=None)), \
        llama_embedding(embedder), embedder.clear_query_cache


def _framework_queries(vindex, store, clear) -> dict:
    """Search passes as ours are timed; ``clear`` empties the wrapped model's query cache, which the framework's
    own embedding would not have, before each pass."""
    retriever = vindex.as_retriever(similarity_top_k=5)
    qs = questions()
    retriever.retrieve(qs[0]["question"])
    passes, first = _search_passes(qs, retriever.retrieve, clear)  # as ours: the median of each pass's p50 and p95
    hits = sum(_hit5([node.node.metadata.get("file_path", "") for node in nodes], q["doc"])
               for q, nodes in zip(qs, first))
    return {"nodes": store._collection.count(), "hit5": hits / len(qs), **_pass_pcts(passes)}


def phase_framework(corpus: str, work: str) -> dict:
    """llama-index as a tutorial sets it up, over ChromaVectorStore, with the same embedding model."""
    from llama_index.core import SimpleDirectoryReader, StorageContext, VectorStoreIndex

    from replyqa.evaluate.baselines import _plain_reader

    store, embed_model, clear = _framework_store(work)
    started = time.perf_counter()
    docs = _plain_reader(SimpleDirectoryReader)(input_dir=corpus).load_data()
    vindex = VectorStoreIndex.from_documents(docs, storage_context=StorageContext.from_defaults(vector_store=store),
                                             embed_model=embed_model)
    build = time.perf_counter() - started
    out = _framework_queries(vindex, store, clear)
    return {"build_s": build, "nodes_per_s": out["nodes"] / build, **out}


def phase_framework_query(work: str) -> dict:
    """The framework default's queries again, over the index an earlier run built."""
    from llama_index.core import VectorStoreIndex

    store, embed_model, clear = _framework_store(work)
    return _framework_queries(VectorStoreIndex.from_vector_store(store, embed_model=embed_model), store, clear)


PHASES = {"ingest": phase_ingest, "query": phase_query, "model": phase_model, "framework": phase_framework,
          "framework_query": phase_framework_query, "update": phase_update}


# -- orchestration ----------------------------------------------------------------------------
def run_phase(name: str, *args: str) -> dict:
    """Run one phase in a child process; add its peak RSS (MB) from wait4."""
    proc = subprocess.Popen([sys.executable, __file__, "--phase", name, *args], stdout=subprocess.PIPE, text=True)
    out = proc.stdout.read()
    _, status, usage = os.wait4(proc.pid, 0)
    if status != 0:
        raise SystemExit(f"phase {name} failed (status {status})")
    return {**json.loads(out.strip().splitlines()[-1]), "peak_rss_mb": usage.ru_maxrss / 1024}


def du_mb(path: Path) -> float:
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file()) / 2**20


def start_chroma(path: Path) -> tuple[subprocess.Popen, str]:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    exe = Path(sys.executable).parent / "chroma"
    proc = subprocess.Popen([str(exe), "run", "--path", str(path), "--host", "127.0.0.1", "--port", str(port)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    for _ in range(300):
        try:
            urllib.request.urlopen(url + "/api/v2/heartbeat", timeout=1)
            return proc, url
        except OSError:
            time.sleep(0.2)
    proc.kill()
    raise SystemExit("chroma server did not start")


def copy_to_server(index_dir: Path, url: str, server_index: Path) -> None:
    """The same index with its vectors on a Chroma server: catalog and BM25 copied, vectors uploaded."""
    import chromadb

    from replyqa.vectors import COLLECTION

    shutil.copytree(index_dir, server_index, ignore=shutil.ignore_patterns("chroma"))
    src = chromadb.PersistentClient(path=str(index_dir / "chroma")).get_collection(COLLECTION)
    host, port = url.rsplit(":", 1)
    dst = chromadb.HttpClient(host=host.split("//")[1], port=int(port)).get_or_create_collection(
        COLLECTION, metadata={"hnsw:space": "cosine"}, embedding_function=None)
    for offset in range(0, src.count(), 2000):  # a page at a time: 100k vectors at once would be gigabytes
        got = src.get(include=["embeddings", "metadatas", "documents"], limit=2000, offset=offset)
        dst.upsert(ids=got["ids"], embeddings=got["embeddings"], metadatas=got["metadatas"], documents=got["documents"])


def bench_size(size: int, work: Path, framework: bool = True) -> dict:
    corpus, index_dir = work / f"corpus-{size}", work / f"index-{size}"
    for stale in ("corpus", "index", "server", "server-index", "framework"):  # every run starts cold
        shutil.rmtree(work / f"{stale}-{size}", ignore_errors=True)
    chunks = build_corpus(size, corpus)
    print(f"[{size}] corpus: {chunks} chunks in {len(list(corpus.iterdir()))} files", flush=True)
    row = {"size": size, "chunks": chunks, "date": time.strftime("%Y-%m-%d"), "revision": _revision(),
           "model": run_phase("model", str(corpus))}
    row["ingest"] = run_phase("ingest", str(corpus), str(index_dir))
    row["noop_ingest"] = run_phase("ingest", str(corpus), str(index_dir))
    row["index_mb"] = du_mb(index_dir)
    row["query"] = run_phase("query", str(index_dir))
    print(f"[{size}] ingest {row['ingest']['chunks_per_s']:.1f} chunks/s, search p95 "
          f"{row['query']['search_p95_ms']:.0f} ms", flush=True)
    server, url = start_chroma(work / f"server-{size}")
    try:
        copy_to_server(index_dir, url, work / f"server-index-{size}")
        row["query_server"] = run_phase("query", str(work / f"server-index-{size}"), url)
    finally:
        server.terminate()
    row["framework"] = run_phase("framework", str(corpus), str(work / f"framework-{size}")) if framework else None
    return row


def requery_size(size: int, work: Path, row: dict) -> dict:
    """Queries and the one-reply update only, over the indexes an earlier run built: for a change that touches
    search, ask or the write path but not the ingest of a whole corpus.

    Ingest figures keep the revision they were measured at; the row says which revision the
    queries come from. The framework default's queries run again too, so ours and theirs are
    compared within one run.
    """
    index_dir = work / f"index-{size}"
    if not (index_dir / "manifest.json").exists():
        raise SystemExit(f"no index for {size} chunks in {work}: run the full benchmark for that size first")
    row = {**row, "query_date": time.strftime("%Y-%m-%d"), "query_revision": _revision()}
    row["query"] = run_phase("query", str(index_dir))
    server, url = start_chroma(work / f"server-{size}")
    try:
        row["query_server"] = run_phase("query", str(work / f"server-index-{size}"), url)
    finally:
        server.terminate()
    if row.get("framework") and (work / f"framework-{size}").exists():
        row["framework"] = {**row["framework"], **run_phase("framework_query", str(work / f"framework-{size}"))}
    # adding and removing one reply leaves the index as it was, so a requery measures the write path too
    row["update"] = {**run_phase("update", str(index_dir)), "revision": row["query_revision"]}
    print(f"[{size}] requery: search p95 {row['query']['search_p95_ms']:.0f} ms, ask p95 "
          f"{row['query'].get('ask_p95_ms', 0):.0f} ms", flush=True)
    return row


def _revision() -> str:
    try:
        rev = subprocess.run(["git", "-C", str(ROOT), "describe", "--always", "--dirty"], capture_output=True,
                             text=True, timeout=10).stdout.strip()
    except OSError:
        rev = ""
    return rev or "unknown"


def merge_rows(new: list[dict], previous: Path) -> list[dict]:
    """This run's sizes, plus the sizes an earlier run measured and this one did not (each row keeps its date)."""
    old = json.loads(previous.read_text()) if previous.exists() else {"meta": {}, "sizes": []}
    rows = {r["size"]: {"date": old["meta"].get("date"), **r} for r in old["sizes"]}
    rows.update({r["size"]: r for r in new})
    return [rows[size] for size in sorted(rows)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--phase", help=argparse.SUPPRESS)
    parser.add_argument("args", nargs="*", help=argparse.SUPPRESS)
    parser.add_argument("--sizes", default="1000,10000")
    parser.add_argument("--full", action="store_true", help="add the 100k-chunk size (hours of embedding on 2 cores)")
    parser.add_argument("--framework-max", type=int, default=None, metavar="CHUNKS",
                        help="skip the framework-default build above this size (it embeds the corpus again)")
    parser.add_argument("--keep", action="store_true",
                        help="keep the results of sizes not run this time in results.json")
    parser.add_argument("--requery", action="store_true",
                        help="re-run only the query phases over the indexes in --work (keeps the other results)")
    parser.add_argument("--out", default=str(ROOT / "bench" / "results"))
    parser.add_argument("--work", default=str(ROOT / "bench" / "work"))
    a = parser.parse_args()
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")
    if a.phase:
        print(json.dumps(PHASES[a.phase](*a.args)))
        return
    sizes = [int(s) for s in a.sizes.split(",") if s.strip()] + ([100_000] if a.full else [])
    work, out = Path(a.work), Path(a.out)
    work.mkdir(parents=True, exist_ok=True)
    out.mkdir(parents=True, exist_ok=True)
    if a.requery:
        previous = {r["size"]: r for r in json.loads((out / "results.json").read_text())["sizes"]}
        missing = [str(size) for size in sizes if size not in previous]
        if missing:
            raise SystemExit(f"no earlier results for {', '.join(missing)} chunks: run the full benchmark first")
        rows = [requery_size(size, work, previous[size]) for size in sizes]
    else:
        rows = [bench_size(size, work, a.framework_max is None or size <= a.framework_max) for size in sizes]
    largest = max(rows, key=lambda r: r["size"])
    if not a.requery:  # a requery measured the update at every size
        largest["update"] = run_phase("update", str(work / f"index-{largest['size']}"))
    u = largest["update"]
    print(f"[{largest['size']}] add one reply of {u['reply_chunks']} chunks {u['add_s']:.2f} s (embedding "
          f"{u['add_embed_s']:.2f} s), remove it {u['remove_s']:.2f} s; one of {u['typical_chunks']} chunks "
          f"{u['add_typical_s']:.2f} s", flush=True)
    if a.keep or a.requery:
        rows = merge_rows(rows, out / "results.json")
    meta = {"date": time.strftime("%Y-%m-%d"), "machine": f"{platform.machine()}, {os.cpu_count()} cores, "
            f"{round(os.sysconf('SC_PAGE_SIZE') * os.sysconf('SC_PHYS_PAGES') / 2**30)} GiB",
            "python": platform.python_version(), "command": "make bench" + (f" BENCH_ARGS='{' '.join(sys.argv[1:])}'" if sys.argv[1:] else "")}
    (out / "results.json").write_text(json.dumps({"meta": meta, "sizes": rows}, indent=2, ensure_ascii=False))
    from report import write_report  # bench/report.py

    write_report(meta, rows, out)
    print((out / "results.md").read_text())


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).parent))
    main()
