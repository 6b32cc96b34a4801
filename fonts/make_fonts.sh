#!/usr/bin/env bash
# Rebuild bulletin-print's fonts/ folder from public package registries.
#
#   fonts/make_fonts.sh            # build into the folder this script lives in
#
# Needs: Debian (apt-get download, dpkg-deb), npm, python3 with fontTools
# (pip install 'fonttools==4.68.0'; other versions may give byte-different
# subsets, so the sha256 values in manifest.toml would change).
# Downloads go to $WORK (default: a fresh temp dir), nothing is installed.
# Writes: the font files, licences/, manifest.toml. Leaves README.md, fonts.conf
# and this script alone.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
WORK="${WORK:-$(mktemp -d /tmp/bulletin-fonts.XXXXXX)}"
mkdir -p "$WORK" && cd "$WORK"

# Pinned sources (Debian 12 "bookworm" versions; npm exact versions).
DEB_TEXLIVE="texlive-lang-chinese=2022.20230122-1"
DEB_HANAZONO="fonts-hanazono=20170904-2.1"
DEB_UNICODE="unicode-data=15.0.0-1"
DEB_FREEFONT="fonts-freefont-otf=20120503-10"
NPM_SERIF="@expo-google-fonts/noto-serif-sc@0.4.3"

python3 -c 'import fontTools' 2>/dev/null || {
  echo "fontTools missing: pip install 'fonttools==4.68.0'" >&2; exit 1; }

echo ">> downloading into $WORK"
if ! apt-get download "$DEB_TEXLIVE" "$DEB_HANAZONO" "$DEB_UNICODE" "$DEB_FREEFONT"; then
  apt-get update
  apt-get download "$DEB_TEXLIVE" "$DEB_HANAZONO" "$DEB_UNICODE" "$DEB_FREEFONT"
fi
npm pack --silent "$NPM_SERIF"

echo ">> extracting"
for deb in texlive-lang-chinese_*.deb fonts-hanazono_*.deb unicode-data_*.deb fonts-freefont-otf_*.deb; do
  d="x/${deb%%_*}"; rm -rf "$d"; mkdir -p "$d"; dpkg-deb -x "$deb" "$d"
done
for tgz in expo-google-fonts-noto-serif-sc-*.tgz; do
  d="x/${tgz%-*.tgz}"; rm -rf "$d"; mkdir -p "$d"; tar -xzf "$tgz" -C "$d"
done
mkdir -p unihan
for f in x/unicode-data/usr/share/unicode/Unihan_{OtherMappings,IRGSources,Readings}.txt.bz2; do
  bzcat "$f" > "unihan/$(basename "${f%.bz2}")"
done

echo ">> building fonts into $HERE"
DEB_TEXLIVE_V="$(dpkg-deb -f texlive-lang-chinese_*.deb Version)" \
DEB_HANAZONO_V="$(dpkg-deb -f fonts-hanazono_*.deb Version)" \
DEB_UNICODE_V="$(dpkg-deb -f unicode-data_*.deb Version)" \
DEB_FREEFONT_V="$(dpkg-deb -f fonts-freefont-otf_*.deb Version)" \
NPM_SERIF="$NPM_SERIF" \
python3 - "$HERE" "$WORK" <<'PY'
import gzip, hashlib, os, shutil, sys
from fontTools import subset
from fontTools.ttLib import TTFont

OUT, WORK = sys.argv[1], sys.argv[2]
E = os.environ
NPM_SERIF = os.environ.get("NPM_SERIF") or "@expo-google-fonts/noto-serif-sc@0.4.3"
X = os.path.join(WORK, "x")
FANDOL = "usr/share/texlive/texmf-dist/fonts/opentype/public/fandol"
TEX = os.path.join(X, "texlive-lang-chinese")
HANA = os.path.join(X, "fonts-hanazono")
FREE = os.path.join(X, "fonts-freefont-otf")
SERIF = os.path.join(X, "expo-google-fonts-noto-serif-sc", "package")

# ---- character sets ---------------------------------------------------------
props = {k: set() for k in ("kTGH", "kGB0", "kIICore", "kHanyuPinyin")}
for fn in ("Unihan_OtherMappings.txt", "Unihan_IRGSources.txt", "Unihan_Readings.txt"):
    with open(os.path.join(WORK, "unihan", fn), encoding="utf-8") as fh:
        for line in fh:
            if line.startswith("#") or not line.strip():
                continue
            cp, key, _ = line.split("\t", 2)
            if key in props:
                props[key].add(int(cp[2:], 16))
TGH, GB0 = props["kTGH"], props["kGB0"]
assert len(TGH) == 8105 and len(GB0) == 6763, (len(TGH), len(GB0))

def rng(a, b):
    return set(range(a, b + 1))

# Every character GB 2312 encodes (hanzi + its symbols, Greek, Cyrillic,
# kana, box drawing, pinyin letters).
GB2312_ALL = set()
for hi in range(0xA1, 0xF8):
    for lo in range(0xA1, 0xFF):
        try:
            GB2312_ALL.add(ord(bytes((hi, lo)).decode("gb2312")))
        except UnicodeDecodeError:
            pass
PUNCT = (rng(0x20, 0x7E) | rng(0xA0, 0xFF)          # ASCII, Latin-1
         | rng(0x2000, 0x206F)                       # General Punctuation
         | rng(0x3000, 0x303F)                       # CJK Symbols and Punctuation
         | rng(0xFF00, 0xFFEF)                       # Half/Fullwidth Forms
         | rng(0x2100, 0x214F) | rng(0x2150, 0x218F) # Letterlike, Number Forms (Ⅰ Ⅱ, ℃, №)
         | rng(0x2190, 0x21FF)                       # Arrows
         | rng(0x2460, 0x24FF)                       # ① ⑴ ⒈
         | rng(0x25A0, 0x25FF) | {0x2605, 0x2606}    # □ ■ ○ ● △ ◆ ★ ☆
         | rng(0x3200, 0x32FF)                       # ㈠ ㊣
         | rng(0xFE10, 0xFE1F) | rng(0xFE30, 0xFE4F) # vertical forms
         | rng(0x2E80, 0x2FDF) | rng(0x31C0, 0x31EF) # radicals (PDF copy-paste), strokes
         | {0x00B7, 0x2014, 0x2026, 0x25CB, 0x2212, 0x2236, 0x00D7, 0x00F7})
# Symbols of real government text that Noto Serif SC has and GB 2312 lacks, kept in the title's
# and masthead's own weight: currency (€), maths, technical, symbols, dingbats (✓), CJK
# compatibility squares (㎡ ㎞).
SYMBOL_BLOCKS = (rng(0x20A0, 0x20CF) | rng(0x2200, 0x22FF) | rng(0x2300, 0x23FF)
                 | rng(0x2600, 0x26FF) | rng(0x2700, 0x27BF) | rng(0x3300, 0x33FF))
COMMON = TGH | GB0 | GB2312_ALL | PUNCT | SYMBOL_BLOCKS
# The symbols face (FreeSerif): what the CJK faces may lack (‱, ₂, ⅓, Ł), never CJK, ASCII or Latin-1.
SYMBOLS = (rng(0x0100, 0x017F)                       # Latin Extended-A (Ł Ś č ő in names)
           | rng(0x2000, 0x206F) | rng(0x2070, 0x209F) # General Punctuation (‱), super- and subscripts (CO₂)
           | rng(0x20A0, 0x20CF) | rng(0x2100, 0x214F) # Currency, Letterlike
           | rng(0x2150, 0x218F) | rng(0x2190, 0x21FF) # Number Forms (⅓), Arrows
           | rng(0x2200, 0x22FF) | rng(0x2300, 0x23FF) # Mathematical Operators, Miscellaneous Technical
           | rng(0x2460, 0x24FF) | rng(0x25A0, 0x25FF) # Enclosed Alphanumerics, Geometric Shapes
           | rng(0x2600, 0x26FF) | rng(0x2700, 0x27BF)) # Miscellaneous Symbols, Dingbats
EXT_UNIHAN = {c for c in TGH | props["kIICore"] | props["kHanyuPinyin"] if c >= 0x20000}
# EXT_CDE=1: also keep all of CJK Ext C, D, E (adds about 5 MB; fonts/ must stay under 60 MB)
EXT_CDE = E.get("EXT_CDE") == "1"
EXT_SEL = EXT_UNIHAN | (rng(0x2A700, 0x2CEAF) if EXT_CDE else set())

# ---- build ------------------------------------------------------------------
def line_metrics_from(font, ref):
    """Give `font` the vertical metrics and BASE table of `ref`, the font of the lines it will
    fall back in: Pango then sizes a line with its glyphs as one without, and the line stays on
    the grid. The glyphs and their advances are left as they are."""
    r = TTFont(ref, lazy=True)
    for a in ("ascent", "descent", "lineGap"):
        setattr(font["hhea"], a, getattr(r["hhea"], a))
    for a in ("sTypoAscender", "sTypoDescender", "sTypoLineGap", "usWinAscent", "usWinDescent"):
        setattr(font["OS/2"], a, getattr(r["OS/2"], a))
    use_typo = 1 << 7
    font["OS/2"].fsSelection = (font["OS/2"].fsSelection & ~use_typo) | (r["OS/2"].fsSelection & use_typo)
    font["BASE"] = r["BASE"]
    assert font["head"].unitsPerEm == r["head"].unitsPerEm


def do_subset(src, dst, unicodes, metrics_from=None):
    opts = subset.Options()
    opts.layout_features = ["*"]
    opts.layout_scripts = ["*"]
    opts.name_IDs = ["*"]
    opts.name_languages = ["*"]
    opts.name_legacy = True
    opts.notdef_outline = True
    opts.glyph_names = False
    opts.hinting = True
    opts.recalc_timestamp = False
    font = subset.load_font(src, opts)
    s = subset.Subsetter(opts)
    s.populate(unicodes=sorted(unicodes))
    s.subset(font)
    if metrics_from:
        line_metrics_from(font, os.path.join(OUT, metrics_from))
    subset.save_font(font, dst, opts)
    font.close()

deb_tex = "texlive-lang-chinese " + E["DEB_TEXLIVE_V"]
deb_hana = "fonts-hanazono " + E["DEB_HANAZONO_V"]
npm_serif = NPM_SERIF
COMMON_DESC = ("通用规范汉字表 8105 (Unihan kTGH, unicode-data %s) + GB 2312 (all 7445 chars) + "
               "ASCII, Latin-1, U+2000-206F, U+2100-21FF, U+2460-24FF, U+25A0-25FF, U+2605-2606, "
               "U+2E80-2FDF, U+3000-303F, U+31C0-31EF, U+3200-32FF, U+FE10-FE1F, U+FE30-FE4F, U+FF00-FFEF, "
               "U+20A0-20CF, U+2200-23FF, U+2600-27BF, U+3300-33FF; all layout features "
               "kept, glyph names dropped" % E["DEB_UNICODE_V"])
deb_free = "fonts-freefont-otf " + E["DEB_FREEFONT_V"]
SYMBOLS_DESC = ("the symbols that no CJK face has: U+0100-017F (Latin Extended-A), U+2000-209F (‱, super- and "
                "subscripts), U+20A0-218F (currency, letterlike, number forms), U+2190-23FF (arrows, maths, "
                "technical), U+2460-24FF, U+25A0-27BF (enclosed, geometric, symbols, dingbats), as far as FreeSerif "
                "has them; all layout features kept, glyph names and table FFTM dropped; vertical metrics (hhea, "
                "OS/2) and table BASE those of %s, so that its glyphs never move a line off the grid")
FREE_DIR = "usr/share/fonts/opentype/freefont"
FONTS = [
    dict(role="body", family="Bulletin Body", file="BulletinFang-Regular.otf",
         src=os.path.join(TEX, FANDOL, "FandolFang-Regular.otf"), derive=True,
         source=f"derived by derive_halfwidth.py from Debian {deb_tex}: /{FANDOL}/FandolFang-Regular.otf",
         licence="GPL-3.0-or-later WITH Font-exception-2.0", licence_file="licences/Fandol-LICENSE.txt",
         subset="none; 30 half-width punctuation glyphs added, reached by the stylistic set ss01"),
    dict(role="kai", family="Bulletin Kai", file="FandolKai-Regular.otf",
         src=os.path.join(TEX, FANDOL, "FandolKai-Regular.otf"),
         source=f"Debian {deb_tex}: /{FANDOL}/FandolKai-Regular.otf",
         licence="GPL-3.0-or-later WITH Font-exception-2.0", licence_file="licences/Fandol-LICENSE.txt",
         subset="none"),
    dict(role="title", family="Bulletin Title", file="NotoSerifSC-Bold.subset.ttf",
         src=os.path.join(SERIF, "700Bold/NotoSerifSC_700Bold.ttf"), chars=COMMON,
         source=f"npm {npm_serif}: 700Bold/NotoSerifSC_700Bold.ttf",
         licence="OFL-1.1", licence_file="licences/NotoSerifSC-OFL.txt", subset=COMMON_DESC),
    dict(role="masthead", family="Bulletin Masthead", file="NotoSerifSC-Black.subset.ttf",
         src=os.path.join(SERIF, "900Black/NotoSerifSC_900Black.ttf"), chars=COMMON,
         source=f"npm {npm_serif}: 900Black/NotoSerifSC_900Black.ttf",
         licence="OFL-1.1", licence_file="licences/NotoSerifSC-OFL.txt", subset=COMMON_DESC),
    dict(role="hei", family="Bulletin Hei", file="BulletinHei-Regular.otf",
         src=os.path.join(TEX, FANDOL, "FandolHei-Regular.otf"), derive=True,
         source=f"derived by derive_halfwidth.py from Debian {deb_tex}: /{FANDOL}/FandolHei-Regular.otf",
         licence="GPL-3.0-or-later WITH Font-exception-2.0", licence_file="licences/Fandol-LICENSE.txt",
         subset="none; 30 half-width punctuation glyphs added, reached by the stylistic set ss01"),
    dict(role="fallback", family="Bulletin Fallback", file="NotoSerifSC-Regular.ttf",
         src=os.path.join(SERIF, "400Regular/NotoSerifSC_400Regular.ttf"),
         source=f"npm {npm_serif}: 400Regular/NotoSerifSC_400Regular.ttf",
         licence="OFL-1.1", licence_file="licences/NotoSerifSC-OFL.txt",
         subset="none (full font: all of URO U+4E00-9FFF and Ext A U+3400-4DBF, 217 plane-2 chars; "
                "a subset to CJK + punctuation would save only 0.25 MB)"),
    dict(role="fallback-ext", family="Bulletin Fallback Ext", file="HanaMinB.subset.ttf",
         src=os.path.join(HANA, "usr/share/fonts/truetype/hanazono/HanaMinB.ttf"), chars=EXT_SEL,
         source=f"Debian {deb_hana}: /usr/share/fonts/truetype/hanazono/HanaMinB.ttf",
         licence="Hanazono", licence_file="licences/Hanazono-LICENSE.txt",
         subset=(f"every plane-2 character that Unihan (unicode-data {E['DEB_UNICODE_V']}) gives kTGH, "
                 f"kIICore or kHanyuPinyin ({len(EXT_UNIHAN)} chars: Ext B/C/D/E, all present in HanaMinB)"
                 + ("; plus all of CJK Ext C, D, E (U+2A700-2CEAF) that HanaMinB has" if EXT_CDE else "")
                 + "; dropped: the other Ext B-F characters, HanaMinB's few BMP symbols, table FFTM; "
                 "names kept (shipped under the Hanazono licence, see licences/Hanazono-LICENSE.txt)")),
]
# The symbols faces, each with the line metrics of the font it falls back in (line_metrics_from).
FONTS += [dict(role=role, family=family, file=f"{name}.subset.otf", src=os.path.join(FREE, FREE_DIR, f"{name}.otf"),
               chars=SYMBOLS, metrics_from=lines_of, source=f"Debian {deb_free}: /{FREE_DIR}/{name}.otf",
               licence="GPL-3.0-or-later WITH Font-exception-2.0", licence_file="licences/FreeFont-LICENSE.txt",
               subset=SYMBOLS_DESC % f"{lines_of} ({note})")
          for role, family, name, lines_of, note in (
              ("symbols", "Bulletin Symbols", "FreeSerif", "BulletinFang-Regular.otf", "body, hei and kai share them"),
              ("symbols-bold", "Bulletin Symbols Bold", "FreeSerifBold", "NotoSerifSC-Bold.subset.ttf",
               "the title; the masthead differs by 6 units in its BASE"))]

for f in FONTS:
    dst = os.path.join(OUT, f["file"])
    if f.get("derive"):
        import subprocess
        subprocess.run([sys.executable, os.path.join(OUT, "derive_halfwidth.py"), f["src"], dst],
                       check=True, env={**os.environ, "PYTHONPATH": os.path.join(OUT, "..", "src")})
    elif f.get("chars") is None:
        shutil.copyfile(f["src"], dst)
    else:
        do_subset(f["src"], dst, f["chars"], f.get("metrics_from"))
    print("   ", f["file"], os.path.getsize(dst))

# ---- licences ---------------------------------------------------------------
L = os.path.join(OUT, "licences")
os.makedirs(L, exist_ok=True)
shutil.copyfile(os.path.join(SERIF, "LICENSE_FONT"), os.path.join(L, "NotoSerifSC-OFL.txt"))
shutil.copyfile(os.path.join(HANA, "usr/share/doc/fonts-hanazono/copyright"),
                os.path.join(L, "Hanazono-LICENSE.txt"))
with open(os.path.join(FREE, "usr/share/doc/fonts-freefont-otf/copyright"), encoding="utf-8") as fh:
    free_copyright = fh.read()
with open(os.path.join(L, "FreeFont-LICENSE.txt"), "w", encoding="utf-8") as fh:
    fh.write(f"""GNU FreeFont: FreeSerif.subset.otf and FreeSerifBold.subset.otf are subsets of FreeSerif.otf
and FreeSerifBold.otf from {deb_free} (/{FREE_DIR}/), made by make_fonts.sh
with the fontTools subsetter: the glyphs they keep are FreeSerif's, unaltered; the other glyphs
and the table FFTM are left out. Their source is that Debian package and its source package
freefont (FontForge .sfd files, https://savannah.gnu.org/projects/freefont/).

Licence: GNU General Public License, version 3 or (at your option) any later version, with the
GPL font exception quoted below (SPDX: GPL-3.0-or-later WITH Font-exception-2.0). The full GPL-3
text is in GPL-3.0.txt. We extend the font exception to these subsets.

----- Debian's copyright file (/usr/share/doc/fonts-freefont-otf/copyright) -----
{free_copyright}""")
fdoc = os.path.join(TEX, "usr/share/doc/texlive-doc/fonts/fandol")
with gzip.open(os.path.join(fdoc, "COPYING.gz"), "rt", encoding="utf-8") as fh:
    gpl = fh.read()
with open(os.path.join(L, "GPL-3.0.txt"), "w", encoding="utf-8") as fh:
    fh.write(gpl)
with open(os.path.join(fdoc, "README"), encoding="utf-8") as fh:
    readme = fh.read()
with gzip.open(os.path.join(TEX, "usr/share/doc/texlive-lang-chinese/Licenses.gz"), "rt",
               encoding="utf-8") as fh:
    lic_lines = fh.read().splitlines()
i = lic_lines.index("fandol: gpl")
fandol_entry = "\n".join(lic_lines[i:i + 3])
with open(os.path.join(L, "Fandol-LICENSE.txt"), "w", encoding="utf-8") as fh:
    fh.write(f"""Fandol fonts (FandolKai-Regular.otf, and BulletinFang-Regular.otf and BulletinHei-Regular.otf,
which are FandolFang-Regular.otf and FandolHei-Regular.otf with half-width punctuation glyphs
added by derive_halfwidth.py)
Copyright (c) 2012-2013, the Fandol team (Clerk Ma & Jie Su).

Licence: GNU General Public License, version 3 or (at your option) any later
version, with the GPL font exception. The full GPL-3 text is in GPL-3.0.txt
(the COPYING file shipped with the fonts in {deb_tex},
/usr/share/doc/texlive-doc/fonts/fandol/COPYING.gz).

Debian's licence list for the package (/usr/share/doc/texlive-lang-chinese/Licenses;
"gpl" without a number means "or any later version", see
/usr/share/doc/texlive-lang-chinese/copyright, section 3.1):

{fandol_entry}

Upstream README (/usr/share/doc/texlive-doc/fonts/fandol/README) says:
"These fonts's licensing is GPL + GPL font exception." It does not quote the
exception. The exception meant is the Free Software Foundation's standard font
exception (SPDX: Font-exception-2.0), whose text is:

  As a special exception, if you create a document which uses this font, and
  embed this font or unaltered portions of this font into the document, this
  font does not by itself cause the resulting document to be covered by the
  GNU General Public License. This exception does not however invalidate any
  other reasons why the document might be covered by the GNU General Public
  License. If you modify this font, you may extend this exception to your
  version of the font, but you are not obligated to do so. If you do not wish
  to do so, delete this exception statement from your version.

FandolKai is shipped unmodified. BulletinFang and BulletinHei are modified
FandolFang and FandolHei (renamed; their name tables say so); we extend the font
exception above to them. Their source is the Debian package {deb_tex} (and CTAN package "fandol").

----- upstream README -----
{readme}""")

# ---- manifest ---------------------------------------------------------------
def tq(s):
    return '"' + s.replace("\\", "\\\\").replace('"', '\\"') + '"'

MAN = os.path.join(OUT, "manifest.toml")
out = ["# Font manifest for bulletin-print: one [[font]] table per file in this folder.",
       "# bulletin-print reads it to write its @font-face rules (family -> file) and to",
       "# check the files (sha256). Written by make_fonts.sh: do not edit by hand.",
       ""]
for f in FONTS:
    path = os.path.join(OUT, f["file"])
    t = TTFont(path, lazy=True)
    v = t["name"].getDebugName(5) or ""
    v = v.split(";")[0].replace("Version ", "").strip() or "%.3f" % t["head"].fontRevision
    t.close()
    with open(path, "rb") as fh:
        sha = hashlib.sha256(fh.read()).hexdigest()
    out += ["[[font]]"]
    for k, val in (("role", f["role"]), ("family", f["family"]), ("file", f["file"]),
                   ("version", v), ("source", f["source"]), ("licence", f["licence"]),
                   ("licence_file", f["licence_file"]), ("subset", f["subset"]), ("sha256", sha)):
        out.append(f"{k} = {tq(val)}")
    out.append("")
with open(MAN, "w", encoding="utf-8") as fh:
    fh.write("\n".join(out))
print("    manifest.toml written")
PY

PYTHONPATH="$HERE/../src" python3 "$HERE/write_metrics.py"  # the composer's widths of the common characters

echo ">> done; size of $HERE: $(du -sb "$HERE" | cut -f1) bytes"
