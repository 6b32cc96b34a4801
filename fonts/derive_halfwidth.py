#!/usr/bin/env python3
"""Derive BulletinFang from FandolFang: the same font plus half-width punctuation glyphs.

    python fonts/derive_halfwidth.py fonts/FandolFang-Regular.otf fonts/BulletinFang-Regular.otf

Why: the composer sets some full-width marks in half a cell (punctuation compression, GB/T 15834).
`font-feature-settings: "halt"` renders that, but WeasyPrint then records a full-width glyph plus a
position adjustment and pdftotext splits the line at the mark. Real half-width glyphs, switched on
per mark by the stylistic set 'ss01', keep the text layer whole; their ToUnicode still maps to the
original character because HarfBuzz substitutes within the character's cluster.

A closing mark keeps its outline (its ink sits in the left half of the em) and gets advance 500;
an opening mark's outline moves left by half an em (its ink sits in the right half). The set of
marks is the composer's own (`bulletin_print.compose`), so it never asks for a glyph the font lacks.

FandolFang is GPL-3 with the font exception, which allows modification; the copy is renamed and
its name table says what it is derived from. The file is reproducible: no timestamps change.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from fontTools.feaLib.builder import addOpenTypeFeaturesFromString
from fontTools.pens.boundsPen import BoundsPen
from fontTools.pens.t2CharStringPen import T2CharStringPen
from fontTools.pens.transformPen import TransformPen
from fontTools.ttLib import TTFont

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))
from bulletin_print.compose import HALF_CLOSING, HALF_OPENING  # noqa: E402

HALF = 500  # of unitsPerEm 1000
DESCRIPTION = (
    "{family} is {source} 1.300 (Project Fandol, Clerk Ma and Jie Su) with added "
    "half-width forms of the full-width punctuation marks, reached through the OpenType feature "
    "'ss01'. Derived by bulletin-print (fonts/derive_halfwidth.py); licensed like {source}: "
    "GPL-3.0-or-later with the font exception."
)


def derive(src: Path, dst: Path) -> None:
    """Write `dst`: `src` renamed, plus one half-width glyph per mark and an 'ss01' lookup to it."""
    # The new outlines lie within the old ones' bounds, so no bounding box changes: skipping the
    # recalculation saves drawing all 10,000 glyphs (minutes).
    font = TTFont(src, recalcTimestamp=False, recalcBBoxes=False)
    upem = font["head"].unitsPerEm
    assert upem == 1000, f"expected 1000 units per em, got {upem}"
    cmap = font.getBestCmap()
    cff = font["CFF "].cff
    top = cff.topDictIndex[0]
    charstrings = top.CharStrings
    glyph_set = font.getGlyphSet()
    order = font.getGlyphOrder()
    assert order is top.charset
    # CID-keyed CFF: a new glyph needs a CID the font does not use, below its CIDCount.
    next_cid = max(int(name[3:]) for name in order if name.startswith("cid")) + 1

    substitutions = []
    for marks, shift in ((HALF_CLOSING, 0), (HALF_OPENING, -HALF)):
        for ch in marks:
            base = cmap[ord(ch)]
            bounds = BoundsPen(glyph_set)
            glyph_set[base].draw(bounds)
            left, _, right, _ = bounds.bounds
            assert 0 <= left + shift and right + shift <= HALF, f"{ch}: ink {left}..{right} is not in one half"
            source = charstrings[base]
            private = source.private
            width = None if HALF == private.defaultWidthX else HALF - private.nominalWidthX
            pen = T2CharStringPen(width, glyph_set)
            glyph_set[base].draw(TransformPen(pen, (1, 0, 0, 1, shift, 0)))
            charstring = pen.getCharString(private=private, globalSubrs=source.globalSubrs)

            name = f"cid{next_cid:05d}"
            assert next_cid < top.CIDCount, "no free CID left"
            next_cid += 1
            charstrings.charStrings[name] = len(charstrings.charStringsIndex)
            charstrings.charStringsIndex.append(charstring)
            top.FDSelect.append(top.FDSelect[order.index(base)])
            order.append(name)  # the CFF charset is this same list
            font["hmtx"].metrics[name] = (HALF, font["hmtx"].metrics[base][1] + shift)
            font["vmtx"].metrics[name] = font["vmtx"].metrics[base]
            substitutions.append((base, name))
    font["maxp"].numGlyphs = len(order)

    # GPOS (halt, vhal, ...) stays as it is; FandolFang has no GSUB, so 'ss01' makes a new one.
    assert "GSUB" not in font, "merge 'ss01' into the font's own GSUB instead of replacing it"
    scripts = sorted({record.ScriptTag for record in font["GPOS"].table.ScriptList.ScriptRecord})
    fea = "".join(f"languagesystem {tag} dflt;\n" for tag in scripts)
    fea += "feature ss01 {\n" + "".join(f"  sub {a} by {b};\n" for a, b in substitutions) + "} ss01;\n"
    addOpenTypeFeaturesFromString(font, fea, tables=["GSUB"])

    rename(font, dst.stem, src.stem)
    font.save(dst)


def rename(font: TTFont, postscript: str, source: str) -> None:
    """A modified font must not pass itself off as its source: new names (BulletinFang-Regular
    for FandolFang-Regular), and say where it came from."""
    family = postscript.split("-")[0]
    description = DESCRIPTION.format(family=family, source=source.replace("-", " "))
    names = font["name"]
    version = names.getDebugName(5) or ""
    for record in list(names.names):
        if record.nameID in (1, 3, 4, 6, 10, 16, 17):
            names.removeNames(nameID=record.nameID)
    for platform in ((1, 0, 0), (3, 1, 0x409)):
        names.setName(family, 1, *platform)
        names.setName(f"{version.split(';')[0]};{postscript};derived from {source}", 3, *platform)
        names.setName(f"{family} Regular", 4, *platform)
        names.setName(postscript, 6, *platform)
        names.setName(description, 10, *platform)
    cff = font["CFF "].cff
    cff.fontNames = [postscript]
    top = cff.topDictIndex[0]
    top.FullName = f"{family} Regular"
    top.FamilyName = family
    for fd in top.FDArray:
        fd.FontName = postscript


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("source", type=Path, help="e.g. FandolFang-Regular.otf")
    parser.add_argument("output", type=Path, help="e.g. BulletinFang-Regular.otf (its name is the new font's)")
    args = parser.parse_args()
    derive(args.source, args.output)


if __name__ == "__main__":
    main()
