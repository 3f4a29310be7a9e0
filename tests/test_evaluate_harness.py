"""The evaluation's index cache key covers every module on the indexing path."""
from __future__ import annotations

import shutil
from pathlib import Path

from replyqa.embed import HashEmbedder
from replyqa.evaluate.harness import PACKAGE, index_key, index_modules
from replyqa.settings import Settings


def test_the_indexing_path_is_read_from_the_imports():
    modules = set(index_modules())
    # metadata.py is imported lazily by parse.py and dates.py by metadata.py: both shape an index
    assert {"read", "parse", "metadata", "dates", "normalise", "chunk", "embed", "model", "store", "bm25",
            "catalog", "ingest"} <= modules
    assert not {"answer", "retrieve", "web", "cli", "evaluate.harness", "chat", "llm"} & modules


def copy_package(tmp_path: Path) -> Path:
    folder = tmp_path / "replyqa"
    shutil.copytree(PACKAGE, folder, ignore=shutil.ignore_patterns("__pycache__"))
    return folder


def test_a_change_to_any_indexing_module_changes_the_key(tmp_path):
    package = copy_package(tmp_path)
    embedder, settings = HashEmbedder(), Settings(embed_model="hash")
    key = index_key(embedder, settings, package)
    assert index_key(embedder, settings, PACKAGE) == key
    for name in ("metadata", "dates"):
        path = package / f"{name}.py"
        original = path.read_text(encoding="utf-8")
        path.write_text(original + "\n# changed\n", encoding="utf-8")
        assert index_key(embedder, settings, package) != key, name
        path.write_text(original, encoding="utf-8")
    (package / "answer" / "compose.py").write_text("# answering does not shape the index\n", encoding="utf-8")
    assert index_key(embedder, settings, package) == key


def test_a_new_module_imported_by_the_indexing_path_is_covered(tmp_path):
    package = copy_package(tmp_path)
    (package / "newrule.py").write_text("RULE = 1\n", encoding="utf-8")
    parse = package / "parse.py"
    parse.write_text(parse.read_text(encoding="utf-8") + "\nfrom .newrule import RULE  # noqa\n", encoding="utf-8")
    assert "newrule" in index_modules(package)
    key = index_key(HashEmbedder(), Settings(embed_model="hash"), package)
    (package / "newrule.py").write_text("RULE = 2\n", encoding="utf-8")
    assert index_key(HashEmbedder(), Settings(embed_model="hash"), package) != key
