"""Issue text is text: markup and template code print literally, nothing is fetched, and hostile
files (billion laughs, deep nesting, 5 MB, 2,000 paragraphs) are refused quickly with a message.
Rare characters are warned about and still drawn with a real glyph."""

from __future__ import annotations

import io
import re
import shutil
import time
from pathlib import Path

import pdfplumber
import pypdf
import pytest
from fontTools.ttLib import TTFont

from conftest import ROOT, SAMPLE, run_cli, make_archive

HOSTILE = ['<script>alert(1)</script>', '{{ 7*7 }}', '{% include "x" %}', '<img src="file:///etc/passwd">',
           'http://example.com/x.png']
RARE = "𬌗䶮"


@pytest.fixture(scope="module")
def hostile_build(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[str], str]:
    """The sample with hostile text and rare characters, built in this process with a fetcher spy."""
    from bulletin_print import load, render, typeset

    text = SAMPLE.read_text(encoding="utf-8")
    hostile = "".join(f"          - '{h}'\n" for h in HOSTILE)
    text = text.replace("        attribution: 预算工委 吴颖\n", hostile + "        attribution: 预算工委 吴" + RARE + "\n", 1)
    issue = make_archive(tmp_path_factory.mktemp("hostile") / "issues", text)
    checked = run_cli("check", str(issue))
    fetched: list[str] = []
    original = typeset.ConfinedFetcher.fetch

    def spy(self, url, headers=None):
        fetched.append(url)
        return original(self, url, headers)

    typeset.ConfinedFetcher.fetch = spy
    try:
        pdf = typeset.typeset(render.render(load.load_issue(issue)).html, issue.parent).pdf
    finally:
        typeset.ConfinedFetcher.fetch = original
    out = issue.parents[2] / "hostile.pdf"
    out.write_bytes(pdf)
    return out, fetched, checked.stdout + checked.stderr


def test_markup_prints_literally(hostile_build) -> None:
    pdf, _, _ = hostile_build
    with pdfplumber.open(pdf) as doc:
        text = re.sub(r"\s+", "", "".join(page.extract_text() or "" for page in doc.pages))
    for h in HOSTILE:
        assert re.sub(r"\s+", "", h) in text, h
    assert "alert(1)" in text and "{{7*7}}" in text


def test_nothing_outside_the_project_is_fetched(hostile_build) -> None:
    _, fetched, _ = hostile_build
    from bulletin_print.paths import FONTS_DIR, LAYOUT_DIR

    allowed = [LAYOUT_DIR.as_uri(), FONTS_DIR.as_uri()]  # the tool's own resources, wherever installed
    assert fetched and all(any(url.startswith(a) for a in allowed) for url in fetched), fetched


def test_the_fetcher_refuses_other_urls(tmp_path: Path) -> None:
    from bulletin_print import typeset

    fetcher = typeset.ConfinedFetcher([ROOT / "layout", tmp_path])
    for url in ("http://example.com/x.png", "https://example.com/", "file:///etc/passwd",
                (tmp_path / ".." / "x").as_uri(), "data:text/plain,hi", "ftp://example.com/"):
        with pytest.raises(ValueError, match="refused"):
            fetcher.fetch(url)


def test_rare_characters_warned_and_drawn(hostile_build) -> None:
    pdf, _, report = hostile_build
    for ch in RARE:
        assert f"「{ch}」(U+{ord(ch):04X}) 楷体署名字体没有，将用备用字体 Bulletin Fallback 排印" in report
    with pdfplumber.open(pdf) as doc:
        chars = [c for page in doc.pages for c in page.chars if c["text"] in RARE]
    assert {c["text"] for c in chars} == set(RARE)
    assert all("Bulletin-Fallback" in c["fontname"] for c in chars), {c["fontname"] for c in chars}
    # the embedded subset of the fallback font has a real glyph for each (not .notdef)
    reader = pypdf.PdfReader(pdf)
    found = set()
    for page in reader.pages:
        for font in (page["/Resources"].get("/Font") or {}).values():
            font = font.get_object()
            if "Bulletin-Fallback" not in font["/BaseFont"]:
                continue
            descendant = font["/DescendantFonts"][0].get_object()
            descriptor = descendant["/FontDescriptor"].get_object()
            program = descriptor.get("/FontFile2") or descriptor.get("/FontFile3")
            tt = TTFont(io.BytesIO(program.get_object().get_data()))
            tounicode = font["/ToUnicode"].get_object().get_data().decode("latin-1")
            for ch in RARE:
                hexcode = "".join(f"{u:04X}" for u in _utf16(ch))
                match = re.search(r"<([0-9a-f]{4})>\s*<" + hexcode + ">", tounicode, re.IGNORECASE)
                if match:
                    gid = int(match.group(1), 16)
                    assert gid != 0 and gid < tt["maxp"].numGlyphs
                    glyph_name = tt.getGlyphOrder()[gid]
                    assert glyph_name != ".notdef"
                    if "glyf" in tt:  # and it draws something
                        assert tt["glyf"][glyph_name].numberOfContours != 0
                    found.add(ch)
    assert found == set(RARE)


def _utf16(ch: str) -> list[int]:
    data = ch.encode("utf-16-be")
    return [int.from_bytes(data[i:i + 2], "big") for i in range(0, len(data), 2)]


# ---------------------------------------------------------------------- hostile files, timed


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    """An archive folder with its publication file and no issue yet."""
    (tmp_path / "2024").mkdir()
    shutil.copy(ROOT / "issues" / "publication.yaml", tmp_path)
    return tmp_path


def refused_within(issue: Path, seconds: float, message: str) -> None:
    out = issue.parent / "out.pdf"
    start = time.monotonic()
    result = run_cli("build", str(issue), "-o", str(out))
    elapsed = time.monotonic() - start
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert message in result.stderr, result.stderr[-2000:]
    assert not out.exists()
    assert elapsed < seconds, elapsed


def test_billion_laughs(folder: Path) -> None:
    lines = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    lines += [f"{chr(98 + i)}: &{chr(98 + i)} [{','.join([f'*{chr(97 + i)}'] * 9)}]" for i in range(8)]
    issue = folder / "2024" / "1.yaml"
    issue.write_text("\n".join(lines) + "\n", encoding="utf-8")
    refused_within(issue, 8, f"{issue}:2:")
    refused_within(issue, 8, "不支持 YAML 锚点和别名 (anchors and aliases are not allowed)")


@pytest.mark.parametrize("text", [
    "columns: " + "[" * 50_000 + "]" * 50_000 + "\n",  # beyond what libyaml's recursion survives
    "columns:\n" + "".join(" " * i + "-\n" for i in range(1, 1_500)),  # the same, in block style
    "columns: " + "[" * 400 + "]" * 400 + "\n",  # within it: libyaml parses, the depth check refuses
], ids=["flow", "block", "flow-400"])
def test_deep_nesting(folder: Path, text: str) -> None:
    issue = folder / "2024" / "1.yaml"
    issue.write_text(text, encoding="utf-8")
    refused_within(issue, 8, "嵌套层数过多，超过 20 层 (nested too deeply)")


def test_five_megabyte_file(folder: Path) -> None:
    issue = folder / "2024" / "12.yaml"
    issue.write_text(SAMPLE.read_text(encoding="utf-8") + ("# " + "填" * 1000 + "\n") * 1700, encoding="utf-8")
    assert issue.stat().st_size > 5_000_000
    refused_within(issue, 8, "文件过大：")


def test_two_thousand_paragraphs(folder: Path) -> None:
    issue = folder / "2024" / "12.yaml"
    paragraphs = "".join(f"          - 第{i}段。\n" for i in range(2000))
    text = SAMPLE.read_text(encoding="utf-8").replace("        attribution: 预算工委 吴颖\n",
                                                      paragraphs + "        attribution: 预算工委 吴颖\n", 1)
    issue.write_text(text, encoding="utf-8")
    refused_within(issue, 15, f"{issue}:9:3: columns: 段落过多：共 2037 段，上限为 1000 段")
