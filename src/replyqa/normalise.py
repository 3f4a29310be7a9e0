"""Normalise text for matching; the original text stays what is shown and quoted."""
from __future__ import annotations

import unicodedata
from functools import lru_cache


@lru_cache(maxsize=1)
def _t2s():
    import opencc

    return opencc.OpenCC("t2s")


def to_simplified(text: str) -> str:
    """Traditional → Simplified (OpenCC); a one-to-one character mapping keeps the length."""
    return _t2s().convert(text)


def match_key(text: str) -> str:
    """A matching form: Simplified, half-width, lower case, no whitespace."""
    return "".join(unicodedata.normalize("NFKC", to_simplified(text)).lower().split())
