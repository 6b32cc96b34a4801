"""The fonts in fonts/: what the manifest promises is what ships, and nothing else is ever used."""

from __future__ import annotations

import hashlib
import os
import subprocess

import pytest

from bulletin_print import fonts
from bulletin_print.paths import FONTS_DIR

TEXT_ROLES = ("body", "hei", "kai", "title", "masthead")


def test_manifest_matches_the_files() -> None:
    entries = fonts.manifest()
    assert {f.role for f in entries} == set(TEXT_ROLES) | {"fallback", "fallback-ext", "symbols", "symbols-bold"}
    assert fonts.TEXT_ROLES == TEXT_ROLES
    shipped = {p.name for p in FONTS_DIR.iterdir() if p.suffix in (".otf", ".ttf")}
    assert shipped == {f.file for f in entries}
    for f in entries:
        assert hashlib.sha256(f.path.read_bytes()).hexdigest() == f.sha256, f.file
        assert (FONTS_DIR / f.licence_file).is_file()
        assert f.licence.split()[0] in ("OFL-1.1", "GPL-3.0-or-later", "Hanazono")


def test_fonts_folder_stays_under_60_mb() -> None:
    size = sum(p.stat().st_size for p in FONTS_DIR.rglob("*") if p.is_file())
    assert size < 60 * 1000 * 1000


@pytest.mark.parametrize("role", TEXT_ROLES)
def test_every_text_font_has_the_common_characters(role: str) -> None:
    """fonts.common() lets the glyph check skip reading fonts for GB 2312 text: it must be true."""
    font = fonts.metrics(role)
    missing = [chr(c) for c in fonts.common() if not font.has(chr(c))]
    assert missing == []


@pytest.mark.parametrize("role", TEXT_ROLES)
def test_metrics_json_gives_the_fonts_own_widths(role: str) -> None:
    """The composer takes common characters' widths from fonts/metrics.json: they must be the font's."""
    from fontTools.ttLib import TTFont

    font = TTFont(fonts.font_for(role).path, lazy=True)
    cmap, hmtx, upem = font.getBestCmap(), font["hmtx"].metrics, font["head"].unitsPerEm
    table = fonts.metrics(role)
    wrong = [chr(c) for c in fonts.common() if table.advance(chr(c)) != hmtx[cmap[c]][0] / upem]
    assert wrong == []
    # and they come from the table alone: no font file is read for them
    unread = fonts.Metrics([FONTS_DIR / "missing.otf"], fonts.common_widths()[fonts.font_for(role).file])
    assert [unread.advance(chr(c)) for c in sorted(fonts.common())] == [table.advance(chr(c)) for c in sorted(fonts.common())]


def test_fallbacks_cover_the_8105_common_hanzi_and_rare_names() -> None:
    fallback = fonts.metrics("fallback").codepoints() | fonts.metrics("fallback-ext").codepoints()
    assert all(ord(c) in fallback for c in fonts.charset("tygf8105"))
    assert all(ord(c) in fallback for c in "喆堃玥昇珺犇龑䶮𬌗𬘘𫖮赟燚翀")


def test_fontconfig_sees_only_the_project_fonts() -> None:
    env = {**os.environ, "FONTCONFIG_FILE": str(FONTS_DIR / "fonts.conf")}
    listed = subprocess.run(["fc-list", ":", "file"], env=env, capture_output=True, text=True, check=True).stdout
    files = {line.strip().rstrip(":") for line in listed.splitlines() if line.strip()}
    assert files and all(f.startswith(str(FONTS_DIR.resolve())) for f in files), files
    assert {os.path.basename(f) for f in files} == {f.file for f in fonts.manifest()}
