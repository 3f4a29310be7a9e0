"""The systems an evaluation compares: the product, retrieval-only baselines, the framework default, a web app.

Every system has a ``name`` and ``run(question) -> Outcome``. An outcome holds the ranked
chunks it retrieved and the object ``replyqa ask --json`` would return, so every system is
scored by the same code. Retrieval-only systems "answer" with their top chunk and never refuse.
"""
from __future__ import annotations

import hashlib
import json
import time
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Callable, Protocol

from ..answer import Answerer, answer_json, reader_of
from ..normalise import to_simplified
from ..question import Question, analyse
from ..records import Hit
from ..retrieve import HybridRetriever
from ..store import Index

RETRIEVE_K = 20  # hand-set: chunks ranked per question; the report reads hits at 1, 3 and 5 and MRR


@dataclass(frozen=True)
class Outcome:
    """What one system did with one question; ``chunks`` are ranked, best first."""

    chunks: tuple[dict, ...]
    response: dict
    search_seconds: float | None = None
    ask_seconds: float | None = None
    error: str = ""


class System(Protocol):
    """Anything that takes a question and returns an Outcome."""

    name: str

    def run(self, question: str) -> Outcome: ...


def chunk_json(reply_id: str, source: str, text: str, start: int | None, end: int | None,
               score: float | None = None) -> dict:
    """The stable shape of one retrieved chunk in ``results.jsonl``."""
    return {"reply_id": reply_id, "source": source, "text": text, "start": start, "end": end,
            "score": None if score is None else round(float(score), 6)}


def hit_chunk(index: Index, hit: Hit) -> dict:
    """A retrieved chunk of the product's index as JSON, with the file it came from."""
    reply = index.reply(hit.chunk.reply_id)
    return chunk_json(hit.chunk.reply_id, reply.source if reply else "", hit.chunk.text,
                      hit.chunk.start, hit.chunk.end, hit.score)


def top_chunk_response(question: str, chunks: tuple[dict, ...], index: Index | None, seconds: float) -> dict:
    """An ask-shaped response whose answer is the top chunk, quoted whole: what a retriever alone gives."""
    if not chunks:
        return {"question": question, "answer": "", "refused": True, "citations": [], "related": [],
                "timings": {"search_ms": round(seconds * 1000, 3)}}
    top = chunks[0]
    reply = index.reply(top["reply_id"]) if index is not None and top["reply_id"] else None
    meta = reply.meta if reply else None
    citation = {"n": 1, "reply_id": top["reply_id"], "title": reply.title if reply else "",
                "doc_number": meta.doc_number if meta else "", "office": meta.office if meta else "",
                "date": meta.date if meta else "", "section": [],
                "quote": top["text"], "start": top["start"], "end": top["end"], "source": top["source"],
                "quote_simplified": to_simplified(top["text"])}
    seen, related = {top["reply_id"]}, []
    for c in chunks[1:]:
        if c["reply_id"] not in seen:
            seen.add(c["reply_id"])
            related.append({"reply_id": c["reply_id"], "source": c["source"]})
    return {"question": question, "answer": f"{top['text']} [1]", "refused": False, "citations": [citation],
            "related": related[:4], "timings": {"search_ms": round(seconds * 1000, 3)}}


class RetrieverSystem:
    """The project's own retriever in one mode (hybrid, dense or bm25), answering with its top chunk."""

    def __init__(self, index: Index, mode: str, k: int = RETRIEVE_K, retriever: HybridRetriever | None = None):
        self.index, self.mode, self.k = index, mode, k
        self.retriever = retriever or HybridRetriever(index)
        self.name = mode

    def search(self, question: Question | str) -> tuple[tuple[dict, ...], float]:
        """Ranked chunks as JSON and the seconds taken (a string is analysed inside the timing)."""
        started = time.perf_counter()
        hits = self.retriever.search(question, k=self.k, mode=self.mode)
        seconds = time.perf_counter() - started
        return tuple(hit_chunk(self.index, h) for h in hits), seconds

    def run(self, question: str) -> Outcome:
        chunks, seconds = self.search(question)
        return Outcome(chunks, top_chunk_response(question, chunks, self.index, seconds), seconds, seconds)


class ProductSystem:
    """The product: hybrid retrieval for the ranking figures, then the answerer for the answer.

    The question is analysed once and both stages read the same record; the analysis is timed
    into both, as each of them analysed the question before.
    """

    name = "product"

    def __init__(self, index: Index, ask: Callable[[Question], dict], k: int = RETRIEVE_K, name: str = "product"):
        self.searcher = RetrieverSystem(index, "hybrid", k)
        self.ask = ask
        self.name = name

    def run(self, question: str) -> Outcome:
        started = time.perf_counter()
        asked = analyse(question)
        analysis_seconds = time.perf_counter() - started
        chunks, search_seconds = self.searcher.search(asked)
        started = time.perf_counter()
        response = self.ask(asked)
        ask_seconds = time.perf_counter() - started
        return Outcome(chunks, response, search_seconds + analysis_seconds, ask_seconds + analysis_seconds)


def load_answerer(index: Index, reader: bool | None = None) -> Callable[[Question], dict]:
    """``question -> ask JSON`` over an index, as ``replyqa ask --json`` gives it. ``reader``: None answers as
    the settings say; False without the fitted reader (the hand-weighted scorer: the "rules" system); True
    with it (the "reader" system), when its weights ship.

    One Answerer is built per evaluation, so its caches warm up the way a running app's do.
    """
    answerer = Answerer(index)
    if reader is not None:
        answerer.reader = reader_of(replace(index.settings, reader="on")) if reader else None
    return lambda q: answer_json(index, answerer.ask(q))


def reader_ships(index: Index) -> bool:
    """Whether the fitted reader's weights ship for this index's model (so ``make eval`` scores it)."""
    return reader_of(replace(index.settings, reader="auto")) is not None


def uses_reader(index: Index) -> bool:
    """Whether the product answers this index with the fitted reader."""
    return reader_of(index.settings) is not None


# -- the framework default ----------------------------------------------------------------
def _files_key(files: list[Path], model: str) -> str:
    """A fingerprint of the files and the embedding model, to know when a cached index is stale."""
    h = hashlib.sha256(model.encode())
    for f in sorted(files):
        h.update(f.name.encode() + b"\0" + hashlib.sha256(f.read_bytes()).digest())
    return h.hexdigest()[:24]


def llama_embedding(embedder):
    """The same embedding model, e5 prefixes included, as a llama-index embedding.

    A thin adapter over the already loaded model: it computes what
    ``HuggingFaceEmbedding(folder, query_instruction="query: ", text_instruction="passage: ")``
    computes, without a second copy of the model in memory.
    """
    return _WrappedEmbedding(embedder)


def _wrapped_embedding_class():
    from llama_index.core.embeddings import BaseEmbedding
    from pydantic import PrivateAttr

    class WrappedEmbedding(BaseEmbedding):
        """A replyqa embedder (the test fake) seen as a llama-index embedding."""

        _inner: object = PrivateAttr()

        def __init__(self, inner, **kwargs):
            super().__init__(model_name=inner.name, **kwargs)
            self._inner = inner

        def _get_query_embedding(self, query: str) -> list[float]:
            return self._inner.embed_queries([query])[0].tolist()

        async def _aget_query_embedding(self, query: str) -> list[float]:
            return self._get_query_embedding(query)

        def _get_text_embedding(self, text: str) -> list[float]:
            return self._inner.embed_passages([text])[0].tolist()

        def _get_text_embeddings(self, texts: list[str]) -> list[list[float]]:
            return self._inner.embed_passages(texts).tolist()

    return WrappedEmbedding


def _plain_reader(base):
    """SimpleDirectoryReader reading every file as plain text, as it does .txt, without asking for
    ``llama-index-readers-file`` (which is not installed and would warn once per file)."""

    class PlainReader(base):
        supported_suffix_fn = staticmethod(dict)

    return PlainReader


def _WrappedEmbedding(inner):
    return _wrapped_embedding_class()(inner)


class FrameworkDefault:
    """llama-index as a tutorial sets it up: the same files read whole, the default splitter, VectorStoreIndex, top-1 node.

    The only change from the tutorial is the embedding model, which is the product's own, so the
    comparison measures what replyqa adds on top of the same model.
    """

    name = "framework"

    def __init__(self, files: list[str | Path], embedder, index: Index | None = None,
                 cache: str | Path | None = None, k: int = RETRIEVE_K, progress: bool = False):
        self.files, self.k, self.index, self.progress = [Path(f) for f in files], k, index, progress
        self.embed_model = llama_embedding(embedder)
        self.model_name = getattr(embedder, "name", "")
        self.cache = Path(cache) if cache else None
        self.build_stats: dict = {}
        self._ids = {Path(r.source).name: r.reply_id for r in index.replies()} if index is not None else {}
        self.retriever = self._build().as_retriever(similarity_top_k=k)

    def _build(self):
        from llama_index.core import SimpleDirectoryReader, StorageContext, VectorStoreIndex, load_index_from_storage

        key = _files_key(self.files, self.model_name)
        stats_file = self.cache / "build.json" if self.cache else None
        if stats_file and stats_file.exists() and json.loads(stats_file.read_text()).get("key") == key:
            self.build_stats = {**json.loads(stats_file.read_text()), "cached": True}
            storage = StorageContext.from_defaults(persist_dir=str(self.cache))
            return load_index_from_storage(storage, embed_model=self.embed_model)
        started = time.perf_counter()
        docs = _plain_reader(SimpleDirectoryReader)(input_files=[str(f) for f in self.files]).load_data()
        vindex = VectorStoreIndex.from_documents(docs, embed_model=self.embed_model, show_progress=self.progress)
        seconds = time.perf_counter() - started
        nodes = len(vindex.docstore.docs)
        self.build_stats = {"key": key, "documents": len(docs), "nodes": nodes, "seconds": round(seconds, 3),
                            "nodes_per_s": round(nodes / seconds, 3) if seconds else None, "cached": False}
        if self.cache:
            self.cache.mkdir(parents=True, exist_ok=True)
            vindex.storage_context.persist(persist_dir=str(self.cache))
            stats_file.write_text(json.dumps(self.build_stats, indent=2))
        return vindex

    def run(self, question: str) -> Outcome:
        started = time.perf_counter()
        nodes = self.retriever.retrieve(question)
        seconds = time.perf_counter() - started
        chunks = []
        for n in nodes:
            source = n.node.metadata.get("file_path", "")
            chunks.append(chunk_json(self._ids.get(Path(source).name, ""), source, n.node.get_content(),
                                     n.node.start_char_idx, n.node.end_char_idx, n.score))
        chunks = tuple(chunks)
        return Outcome(chunks, top_chunk_response(question, chunks, self.index, seconds), seconds, seconds)


# -- a running web app --------------------------------------------------------------------
class AppSystem:
    """A deployed web app, asked through ``gradio_client`` exactly as a browser would ask it.

    The app exposes ``api_name="ask"`` returning the ``replyqa ask --json`` object. Its ranking
    is what it shows: the cited replies in citation order, then the related ones.
    """

    name = "app"

    def __init__(self, url: str, client=None):
        if client is None:
            from gradio_client import Client

            client = Client(url, verbose=False)
        self.client = client

    def run(self, question: str) -> Outcome:
        started = time.perf_counter()
        raw = self.client.predict(question, api_name="/ask")
        seconds = time.perf_counter() - started
        response = json.loads(raw) if isinstance(raw, str) else dict(raw)
        chunks = [chunk_json(c.get("reply_id", ""), c.get("source", ""), c.get("quote", ""), c.get("start"),
                             c.get("end")) for c in response.get("citations", [])]
        chunks += [chunk_json(r.get("reply_id", ""), r.get("source", ""), "", None, None)
                   for r in response.get("related", []) if isinstance(r, dict)]
        return Outcome(tuple(chunks), response, None, seconds)
