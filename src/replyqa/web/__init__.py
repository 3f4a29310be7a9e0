"""The web app: Chat (public), Precedent desk, Archive and Administration, in one Gradio app.

``build_app(index)`` builds it over an opened index; ``launch(settings)`` opens
the index the settings name and serves it (``replyqa serve``, ``python app.py``).
"""
from .app import build_app, launch, serve

__all__ = ["build_app", "launch", "serve"]
