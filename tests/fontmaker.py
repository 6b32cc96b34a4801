"""A small font for tests and CI: a publication's own font with glyphs no shipped font has (a
private-use character, as a 造字 program makes for a rare name character)."""

from __future__ import annotations

import sys
from pathlib import Path

from fontTools.fontBuilder import FontBuilder
from fontTools.pens.ttGlyphPen import TTGlyphPen

FAMILY = "Test Zaozi"
CHARACTERS = "\ue000\ue001"  # drawn as a filled square and a framed square


def _square(inner: bool):
    pen = TTGlyphPen(None)
    pen.moveTo((100, -100)); pen.lineTo((100, 800)); pen.lineTo((900, 800)); pen.lineTo((900, -100)); pen.closePath()
    if inner:  # a hole, drawn the other way round
        pen.moveTo((250, 50)); pen.lineTo((750, 50)); pen.lineTo((750, 650)); pen.lineTo((250, 650)); pen.closePath()
    return pen.glyph()


def make_font(path: Path) -> Path:
    """Write the font to `path` (TrueType) and return it."""
    names = [".notdef", "zaozi0", "zaozi1"]
    fb = FontBuilder(1000, isTTF=True)
    fb.setupGlyphOrder(names)
    fb.setupCharacterMap({ord(CHARACTERS[0]): "zaozi0", ord(CHARACTERS[1]): "zaozi1"})
    fb.setupGlyf({".notdef": TTGlyphPen(None).glyph(), "zaozi0": _square(False), "zaozi1": _square(True)})
    fb.setupHorizontalMetrics({name: (1000, 0) for name in names})
    fb.setupHorizontalHeader(ascent=880, descent=-120)
    fb.setupNameTable({"familyName": FAMILY, "styleName": "Regular"})
    fb.setupOS2(sTypoAscender=880, sTypoDescender=-120, usWinAscent=880, usWinDescent=120, fsType=0)
    fb.setupPost()
    fb.save(str(path))
    return path


if __name__ == "__main__":
    make_font(Path(sys.argv[1]))
