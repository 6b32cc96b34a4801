"""The fonts shipped in `fonts/`: their manifest, and glyph metrics for the composer.

Fonts only ever come from `fonts/`; `fonts/manifest.toml` says which file plays which role
(body, title, masthead, ...) and where it came from.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from fontTools.ttLib import TTFont

from bulletin_print.paths import FONTS_DIR


@dataclass(frozen=True)
class FontFile:
    """One entry of `fonts/manifest.toml`."""

    role: str
    family: str
    file: str
    version: str
    source: str
    licence: str
    licence_file: str
    subset: str
    sha256: str

    @property
    def path(self) -> Path:
        return FONTS_DIR / self.file


@cache
def manifest() -> tuple[FontFile, ...]:
    """Every font of `fonts/manifest.toml`, in the order given there."""
    with open(FONTS_DIR / "manifest.toml", "rb") as f:
        data = tomllib.load(f)
    return tuple(FontFile(**entry) for entry in data["font"])


def font_for(role: str) -> FontFile:
    """The font that plays `role` (body, kai, title, masthead, hei, fallback, fallback-ext)."""
    for font in manifest():
        if font.role == role:
            return font
    raise KeyError(f"fonts/manifest.toml has no font for the role {role!r}")


# Every role falls back to these, in order, so that no character is lost.
FALLBACK_ROLES = ("fallback", "fallback-ext")


class Metrics:
    """Advance widths (in em) of the characters of a role's font, then of its fallbacks.

    The composer needs the widths HarfBuzz will place; the body fonts have no kerning, so the
    `hmtx` advance of each character's glyph is that width.
    """

    def __init__(self, paths: list[Path]) -> None:
        self._paths = paths
        self._tables: list[tuple[dict[int, str], dict[str, tuple[int, int]], int]] = []
        self._cache: dict[str, float] = {}

    def _table(self, i: int) -> tuple[dict[int, str], dict[str, tuple[int, int]], int]:
        """The i-th font's cmap, advances and units per em, read on first need: most text
        never reaches the (large) fallback fonts."""
        while len(self._tables) <= i:
            font = TTFont(self._paths[len(self._tables)], lazy=True)
            self._tables.append((font.getBestCmap(), font["hmtx"].metrics, font["head"].unitsPerEm))
        return self._tables[i]

    def has(self, ch: str) -> bool:
        """Whether the role's own font (not a fallback) has a glyph for `ch`."""
        return ord(ch) in self._table(0)[0]

    def advance(self, ch: str) -> float:
        """Advance width of `ch` in em, from the first font that has it (1.0 when none has)."""
        width = self._cache.get(ch)
        if width is None:
            width = 1.0
            for i in range(len(self._paths)):
                cmap, hmtx, upem = self._table(i)
                glyph = cmap.get(ord(ch))
                if glyph is not None:
                    width = hmtx[glyph][0] / upem
                    break
            self._cache[ch] = width
        return width


@cache
def metrics(role: str) -> Metrics:
    """Metrics of the role's font followed by the fallback fonts."""
    roles = [role] + [r for r in FALLBACK_ROLES if r != role]
    return Metrics([font_for(r).path for r in roles])
