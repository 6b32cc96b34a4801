"""Where Chinese text may break between words: jieba's segmentation, remembered across runs.

A title or a 目录 entry never breaks inside a word (服/务, 生产力/发展). jieba, the well-kept
Chinese word segmenter, takes 0.7–1 s to load its dictionary (measured), longer than composing a
whole issue, so the words of each text are remembered in the cache folder, keyed by jieba's
version, and jieba is loaded only for a text it has not segmented before.
"""

from __future__ import annotations

import logging
from functools import cache
from importlib.metadata import version

from bulletin_print.files import CACHE_DIR, read_store, write_store

STORE = CACHE_DIR / "words.json"
KEPT = 20_000  # texts: many years of titles; the oldest go first
class WordEnds:
    """The word ends of texts, looked up in what earlier runs remembered, segmented (jieba loaded)
    only on a miss; `save` remembers the new ones, once a build has asked for all it needs."""

    def __init__(self) -> None:
        self._learned = False

    def __getitem__(self, text: str) -> frozenset[int]:
        """The offsets k (0 < k < len) at which a word of `text` ends and another begins."""
        known = _stored()
        if text not in known:
            known[text] = _segment(text)
            self._learned = True
        ends, at = set(), 0
        for n in known[text][:-1]:
            at += n
            ends.add(at)
        return frozenset(ends)

    def save(self) -> None:
        if self._learned:
            self._learned = False
            write_store(STORE, {"jieba": _jieba_version(), "texts": dict(list(_stored().items())[-KEPT:])})


@cache
def _stored() -> dict[str, list[int]]:
    """The remembered segmentations, if made by this jieba and well formed (else none), and the
    ones this process made since: text → the lengths of its words."""
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
