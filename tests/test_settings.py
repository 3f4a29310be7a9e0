from replyqa.settings import DEFAULT_MODEL, Settings, apply_offline_defaults


def test_defaults():
    s = Settings.from_env({})
    assert (s.index, s.embed_model, s.chroma_url, s.host, s.port) == ("index", DEFAULT_MODEL, "", "127.0.0.1", 7860)


def test_environment_and_overrides():
    env = {"REPLYQA_INDEX": "/data/idx", "REPLYQA_PORT": "8080", "REPLYQA_CHROMA_URL": "http://h:9000"}
    s = Settings.from_env(env, port=9999, index=None)
    assert s.index == "/data/idx" and s.port == 9999 and s.chroma_url == "http://h:9000"
    assert s.model_cache.name == "models"


def test_offline_defaults_do_not_override_the_user(monkeypatch):
    monkeypatch.setenv("HF_HUB_OFFLINE", "0")
    monkeypatch.delenv("GRADIO_ANALYTICS_ENABLED", raising=False)
    apply_offline_defaults()
    import os

    assert os.environ["HF_HUB_OFFLINE"] == "0" and os.environ["GRADIO_ANALYTICS_ENABLED"] == "False"
