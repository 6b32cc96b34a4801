"""Where Chinese text may break between words: jieba's segmentation, remembered across runs.

A title or a 目录 entry never breaks inside a word (服/务, 生产力/发展). jieba, the well-kept
Chinese word segmenter, takes 0.7–1 s to load its dictionary (measured), longer than composing a
whole issue, so the words of each text are remembered in the cache folder, keyed by jieba's
version, and jieba is loaded only for a text it has not segmented before.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from functools import cache
from importlib.metadata import version

from bulletin_print.files import CACHE_DIR, read_store, write_store

STORE = CACHE_DIR / "words.json"
KEPT = 20_000  # texts: many years of titles; the oldest go first
_known: dict[str, list[int]] = {}  # this process's segmentations, text → word lengths


def word_ends(texts: Iterable[str]) -> dict[str, frozenset[int]]:
    """For each text, the offsets k (0 < k < len) at which a word ends and another begins."""
    texts = list(dict.fromkeys(texts))
    if not texts:
        return {}
    stored = _stored()
    new = {t: _segment(t) for t in texts if t not in _known and t not in stored}
    if new:
        _known.update(new)
        stored.update(new)
        entries = list(stored.items())[-KEPT:]
        write_store(STORE, {"jieba": _jieba_version(), "texts": dict(entries)})
    out = {}
    for t in texts:
        lengths = _known.get(t) or stored[t]
        ends, at = set(), 0
        for n in lengths[:-1]:
            at += n
            ends.add(at)
        out[t] = frozenset(ends)
    return out


@cache
def _stored() -> dict[str, list[int]]:
    """The remembered segmentations, if made by this jieba and well formed (else none)."""
    store = read_store(STORE)
    texts = store.get("texts")
    if store.get("jieba") != _jieba_version() or not isinstance(texts, dict):
        return {}
    return {t: n for t, n in texts.items()
            if isinstance(t, str) and isinstance(n, list) and all(type(x) is int and x > 0 for x in n)
            and sum(n) == len(t)}


@cache
def _jieba_version() -> str:
    return version("jieba")


def _segment(text: str) -> list[int]:
    return [len(word) for word in _tokenizer().cut(text)]


@cache
def _tokenizer():
    import jieba

    jieba.setLogLevel(logging.ERROR)
    tokenizer = jieba.Tokenizer()
    tokenizer.tmp_dir = str(CACHE_DIR)  # jieba's own dictionary cache, beside ours, not in /tmp
    tokenizer.initialize()
    return tokenizer
