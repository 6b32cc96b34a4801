#!/usr/bin/env python3
"""Writes fonts/metrics.json: the advance width of every common character (GB 2312 and printable
ASCII, `bulletin_print.fonts.common`) in each text font, so that composing an issue needs no font
file read. Only widths other than the font's usual one are listed. make_fonts.sh runs it after
building the fonts; tests/test_fonts.py checks it against them.

usage: python fonts/write_metrics.py
"""

from __future__ import annotations

import json
from collections import Counter

from fontTools.ttLib import TTFont

from bulletin_print import fonts


def widths(path) -> dict:
    """The font's units per em, its most common advance among the common characters, and the others."""
    font = TTFont(path, lazy=True)
    cmap, hmtx = font.getBestCmap(), font["hmtx"].metrics
    advances = {chr(c): hmtx[cmap[c]][0] for c in sorted(fonts.common()) if c in cmap}
    usual = Counter(advances.values()).most_common(1)[0][0]
    return {"units_per_em": font["head"].unitsPerEm, "usual": usual,
            "other": {ch: a for ch, a in advances.items() if a != usual}}


def main() -> None:
    table = {font.file: widths(font.path) for font in fonts.manifest() if font.role in fonts.TEXT_ROLES}
    out = fonts.FONTS_DIR / "metrics.json"
    out.write_text(json.dumps(table, ensure_ascii=False, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    print(f"    {out.name} written")


if __name__ == "__main__":
    main()
