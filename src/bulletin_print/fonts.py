"""The fonts shipped in `fonts/`: their manifest, and glyph metrics for the composer.

Fonts only ever come from `fonts/`, the tool's and the publication's own (`use`): `fonts/manifest.toml`
says which file plays which role (body, title, masthead, ...) and where it came from; a
publication's `fonts/` may replace a role's font, or add fonts that every role tries before the
fallbacks (a 造字 font with the rare characters of its names).
"""

from __future__ import annotations

import json
import tomllib
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from fontTools.ttLib import TTFont

from bulletin_print.paths import FONTS_DIR

DATA_DIR = Path(__file__).parent / "data"


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
    folder: Path = FONTS_DIR  # the tool's fonts/, or the publication's

    @property
    def path(self) -> Path:
        return self.folder / self.file


# The role of a publication's added fonts, and the family every CSS font stack names after the
# role's own (layout/bulletin.css): a family no @font-face declares, as when a publication adds
# none, is passed over.
PUBLICATION = "publication"
PUBLICATION_FAMILY = "Bulletin Publication"
_own: tuple[tuple[str, Path], ...] = ()  # the publication's fonts (model.Look.fonts) in use


def use(own: tuple[tuple[str, Path], ...]) -> bool:
    """Set from here on the publication's fonts (role, file): a text role's font replaced, or
    PUBLICATION for a font added ahead of the fallbacks. A process builds one issue at a time, so
    the fonts are the process's; what was measured with others is forgotten. Whether they changed."""
    global _own
    if own == _own:
        return False
    _own = own
    metrics.cache_clear()
    roles_by_family.cache_clear()
    return True


def _publication_font(role: str, path: Path, family: str) -> FontFile:
    return FontFile(role, family, path.name, "", "publication", "", "", "", "", path.parent)


@cache
def manifest() -> tuple[FontFile, ...]:
    """Every font of `fonts/manifest.toml`, in the order given there."""
    with open(FONTS_DIR / "manifest.toml", "rb") as f:
        data = tomllib.load(f)
    return tuple(FontFile(**entry) for entry in data["font"])


def font_for(role: str) -> FontFile:
    """The font that plays `role` (body, kai, title, masthead, hei, fallback, fallback-ext, symbols,
    symbols-bold): the publication's where it replaces the role's."""
    for font in manifest():
        if font.role == role:
            replaced = [path for r, path in _own if r == role]
            return _publication_font(role, replaced[0], font.family) if replaced else font
    raise KeyError(f"fonts/manifest.toml has no font for the role {role!r}")


def added() -> list[FontFile]:
    """The publication's fonts that every role tries before the fallbacks (PUBLICATION_FAMILY)."""
    return [_publication_font(PUBLICATION, path, PUBLICATION_FAMILY) for r, path in _own if r == PUBLICATION]


def faces() -> list[FontFile]:
    """The fonts a build declares (layout/fonts.css.j2): the shipped ones, a replaced role's by the
    publication's, and the publication's added ones."""
    return [font_for(f.role) for f in manifest()] + added()


@cache
def roles_by_family() -> dict[str, str]:
    """The text role each declared family sets (the preflight measures laid-out text by it)."""
    return {f.family: f.role for f in faces() if f.role != PUBLICATION}


def chain(role: str) -> list[FontFile]:
    """The fonts that set `role`'s text, in the order of its CSS font-family list (`stack`)."""
    return [f for r in stack(role) for f in (added() if r == PUBLICATION else [font_for(r)])]


# The roles that set an editor's text; "fallback" also sets the page numbers.
TEXT_ROLES = ("body", "hei", "kai", "title", "masthead")
# Every role falls back to these, in order, so that no character is lost: the CJK faces first, so
# that a symbol they have (⑪ ㎡) keeps its full cell as in the role's own font, then the symbols
# face for what no CJK face has (‱ ₂ Ł), in the role's weight. layout/bulletin.css lists the same.
FALLBACK_ROLES = ("fallback", "fallback-ext")
BOLD_ROLES = ("title", "masthead")

# Symbols that real government text uses: every role draws them with a real glyph (tests/test_fonts.py).
SYMBOLS = ("‱‰℃№" + "".join(map(chr, range(0x2460, 0x2474))) + "".join(map(chr, range(0x2474, 0x2488)))
           + "".join(map(chr, range(0x2160, 0x216C))) + "㎡㎞≥≤±×÷≠≈∶→★☆●○■□◆◇▲△※§¥€°")


def stack(role: str) -> tuple[str, ...]:
    """The roles whose fonts set `role`'s text, in the order of its CSS font-family list."""
    symbols = "symbols-bold" if role in BOLD_ROLES else "symbols"
    own = (PUBLICATION,) if any(r == PUBLICATION for r, _ in _own) else ()
    return tuple(dict.fromkeys((role, *own, *FALLBACK_ROLES, symbols)))


@cache
def common_widths() -> dict[str, dict]:
    """fonts/metrics.json (written by fonts/write_metrics.py): per text font, the advances of
    the common characters. Reading a large font's cmap costs a build a tenth of a second."""
    with open(FONTS_DIR / "metrics.json", encoding="utf-8") as f:
        return json.load(f)


class Metrics:
    """Advance widths (in em) of the characters of a role's font, then of its fallbacks.

    The composer needs the widths HarfBuzz will place; the body fonts have no kerning, so the
    `hmtx` advance of each character's glyph is that width. The common characters, which the
    role's font has (tests/test_fonts.py), come from fonts/metrics.json; others from the fonts.
    """

    def __init__(self, paths: list[Path], known: dict | None = None) -> None:
        self._paths = paths
        self._tables: list[tuple[dict[int, str], dict[str, tuple[int, int]], int]] = []
        self._cache: dict[str, float] = {}
        if known is not None:
            upem, usual = known["units_per_em"], known["usual"]
            self._common = (usual / upem, {ch: a / upem for ch, a in known["other"].items()})
        else:
            self._common = None

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

    def codepoints(self) -> frozenset[int]:
        """Every character the role's own font has."""
        return frozenset(self._table(0)[0])

    def source(self, ch: str) -> int | None:
        """The index of the first font that has `ch` (0: the role's own), or None when none has."""
        for i in range(len(self._paths)):
            if ord(ch) in self._table(i)[0]:
                return i
        return None

    def advance(self, ch: str) -> float:
        """Advance width of `ch` in em, from the first font that has it (1.0 when none has)."""
        width = self._cache.get(ch)
        if width is None and self._common is not None and ord(ch) in common():
            width = self._cache[ch] = self._common[1].get(ch, self._common[0])
        if width is None:
            i = self.source(ch)
            if i is None:
                width = 1.0
            else:
                cmap, hmtx, upem = self._table(i)
                width = hmtx[cmap[ord(ch)]][0] / upem
            self._cache[ch] = width
        return width


@cache
def metrics(role: str) -> Metrics:
    """Metrics of the role's font followed by its fallback fonts (`chain`)."""
    own = font_for(role)
    known = common_widths().get(own.file) if own.folder == FONTS_DIR else None
    return Metrics([f.path for f in chain(role)], known)


@cache
def charset(name: str) -> str:
    """The characters of data/NAME.txt (gb2312, tygf8105); see scripts/make_charsets.py."""
    text = (DATA_DIR / f"{name}.txt").read_text(encoding="utf-8")
    return "".join(line for line in text.splitlines() if not line.startswith("#"))


@cache
def common() -> frozenset[int]:
    """GB 2312 (as GB 18030 maps it: 0xA1A4 is U+00B7, 0xA1AA is U+2014) and printable ASCII.
    Every font that sets text has all of them (tests/test_fonts.py), so checking most text
    needs no font file to be read."""
    gb2312 = {ord(c) for c in charset("gb2312")} - {0x30FB, 0x2015} | {0x00B7, 0x2014}
    return frozenset(gb2312 | set(range(0x20, 0x7F)))


def covers(role: str, ch: str) -> bool:
    """Whether the role's own font (not a fallback) has `ch`. Every text font has the common
    characters (tests/test_fonts.py): for them no font file is read."""
    shipped = not _own or all(r != role for r, _ in _own)
    return (shipped and role in TEXT_ROLES and ord(ch) in common()) or metrics(role).has(ch)


def face(role: str, ch: str) -> str | None:
    """The role whose font draws `ch` in `role`'s text: the role itself or one of its fallbacks;
    None when no shipped font has it."""
    if covers(role, ch):
        return role
    i = metrics(role).source(ch)
    return None if i is None else chain(role)[i].role


def publication_draws(role: str, ch: str) -> bool:
    """Whether a publication's own font draws `ch` in `role`'s text: it may then be a private-use
    character, which means what that font says."""
    i = metrics(role).source(ch) if _own else None
    return i is not None and chain(role)[i].folder != FONTS_DIR
