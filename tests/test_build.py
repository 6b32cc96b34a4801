"""The sample issue end to end: the PDF an editor gets, measured as a reader and a printer would."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pdfplumber
import pypdf
from fontTools.ttLib import TTFont

from bulletin_print import fonts

from conftest import REFERENCE, SAMPLE

MM = 72 / 25.4


def lines_of(page: pdfplumber.page.Page) -> list[tuple[float, float, str]]:
    """(top, size, text) of each text line on a page."""
    rows: dict[int, list[dict]] = {}
    for c in page.chars:
        rows.setdefault(round(c["top"]), []).append(c)
    return [(top, max(c["size"] for c in cs), "".join(c["text"] for c in sorted(cs, key=lambda c: c["x0"])))
            for top, cs in sorted(rows.items())]


def test_page_is_a4_with_the_standard_text_block(sample_report: dict) -> None:
    assert sample_report["page_mm"] == [210.0, 297.0]
    assert abs(sample_report["text_block_mm"]["left"] - 28) <= 1
    # the first grid line starts 37 mm down; its 16 pt glyphs sit centred in the 225/22 mm line
    half_leading_mm = (225 / 22 - 16 / MM) / 2
    assert abs(sample_report["text_top_mm"] - half_leading_mm - 37) <= 1


def test_every_block_of_the_sample_is_there_in_order(sample_report: dict) -> None:
    fidelity = sample_report["fidelity"]
    blocks = len(json.loads(REFERENCE.read_text(encoding="utf-8"))["blocks"])
    assert fidelity["found_in_order"] == blocks == 66, fidelity["missing"]
    assert fidelity["toc_titles_on_page_1"] == fidelity["toc_titles"] == 8


def test_fonts_are_embedded_and_all_from_the_project(sample_pdf: Path, sample_report: dict) -> None:
    assert sample_report["fonts_not_embedded"] == []
    # WeasyPrint names an embedded font after its @font-face family ("Bulletin Body" →
    # "XXXXXX+Bulletin-Body") or after the font's own family: both must be the shipped fonts'.
    names = {f.family.replace(" ", "-") for f in fonts.manifest()}
    for f in fonts.manifest():
        table = TTFont(f.path, lazy=True)["name"]
        names |= {table.getDebugName(1).replace(" ", "-"), table.getDebugName(6)}
    used = {name.split("+", 1)[-1] for name in sample_report["fonts"]}
    assert used and all(any(name == n or name.startswith(n + "-") for n in names) for name in used), used
    # and the glyphs drawn are the shipped fonts' own: every embedded program is a subset of one
    reader = pypdf.PdfReader(sample_pdf)
    for page in reader.pages:
        for font in page["/Resources"]["/Font"].values():
            font = font.get_object()
            descendant = font["/DescendantFonts"][0].get_object() if "/DescendantFonts" in font else font
            descriptor = descendant["/FontDescriptor"].get_object()
            assert any(k in descriptor for k in ("/FontFile", "/FontFile2", "/FontFile3"))


def test_contents_page_numbers_point_at_the_articles(sample_pdf: Path) -> None:
    with pdfplumber.open(sample_pdf) as pdf:
        pages = [lines_of(p) for p in pdf.pages]
    titles = [a for c in __import__("yaml").safe_load(SAMPLE.read_text(encoding="utf-8"))["columns"] for a in c["articles"]]
    starts = []
    for article in titles:
        first_line = article["title"][0] if isinstance(article["title"], list) else article["title"]
        starts.append(next(n for n, page in enumerate(pages, 1) for _, size, text in page
                           if size > 20 and text.replace(" ", "").startswith(first_line[:8])))
    # 目录 entries: the 14 pt lines of page 1 that end in a page number
    listed = [int(m.group(1)) for _, size, text in pages[0] if round(size) == 14 and (m := re.search(r"(\d+)$", text))]
    assert listed[: len(starts)] == starts
    assert starts == sorted(starts) and starts[-1] > starts[0]


def test_colophon_is_at_the_foot_of_the_last_page_only(sample_pdf: Path) -> None:
    with pdfplumber.open(sample_pdf) as pdf:
        texts = [p.extract_text() or "" for p in pdf.pages]
        last = pdf.pages[-1]
        editor = [c for c in last.chars if c["text"] == "编"]
        body = [c for c in last.chars if round(c["size"]) == 16]
        colophon_top = min(c["top"] for c in last.chars if c["text"] == "送")
        rules = [r for r in last.rects + last.lines if r["width"] > 150 * MM]
    assert all("本期责任编辑" not in t for t in texts[:-1]) and "本期责任编辑" in texts[-1]
    assert editor and body and colophon_top > max(c["bottom"] for c in body)
    # its last rule lies on the foot of the text block: 297 - 35 mm from the top
    assert rules and abs(max(r["bottom"] for r in rules) - (297 - 35) * MM) <= 1 * MM


def test_page_numbers_odd_right_even_left(sample_pdf: Path) -> None:
    with pdfplumber.open(sample_pdf) as pdf:
        assert len(pdf.pages) >= 2
        for n, page in enumerate(pdf.pages, 1):
            number = [l for l in lines_of(page) if re.fullmatch(rf"—\s*{n}\s*—", l[2])]
            assert len(number) == 1 and round(number[0][1]) == 14
            chars = [c for c in page.chars if abs(c["top"] - number[0][0]) < 2]
            x0, x1 = min(c["x0"] for c in chars), max(c["x1"] for c in chars)
            if n % 2:
                assert abs(x1 - (210 - 26) * MM + 14) < 2  # one character in from the right edge
            else:
                assert abs(x0 - 28 * MM - 14) < 2


def test_outline_and_metadata(sample_pdf: Path) -> None:
    reader = pypdf.PdfReader(sample_pdf)
    outline = [item.title for item in reader.outline]
    assert outline == ["市人大常委会持续推动“人大+审计”协同机制走深走实", "滨江区:多措并举助力推动新质生产力发展",
                       "余杭区：鸬鸟镇“围鸬议事”四步法深化基层监督实践", "上城区:九堡街道积极推动深化“双岗建功”主题活动",
                       "建德市：“学、宣、干”三维度推动代表当好“两员”", "西湖区：高效履职助力打造“幼有善育”西湖品牌",
                       "临平区:持续发力推动河长制工作走深走实", "富阳区:富春街道“三聚焦”助力打造青年发展型社区"]
    meta = reader.metadata
    assert meta.title == "杭州人大信息 2024年第12期（总第700期）"
    assert meta.author == "杭州市人大常委会研究室编"
    assert str(meta.get("/CreationDate", "")).startswith("D:20240816")
    assert reader.trailer["/Root"].get("/Lang") == "zh-CN"


def test_masthead_is_red(sample_pdf: Path) -> None:
    with pdfplumber.open(sample_pdf) as pdf:
        name = [c for c in pdf.pages[0].chars if c["text"] in "杭州人大信息" and c["size"] > 30]
    assert len(name) == 6
    assert all(tuple(c["non_stroking_color"]) == (0, 0.8, 0.8, 0) for c in name)


def test_weasyprint_libraries_load_by_soname_and_the_lookup_comes_back(capsys) -> None:
    """typeset imports WeasyPrint with ctypes.util.find_library switched off (0.3-0.4 s a start);
    the switch is undone afterwards, and what WeasyPrint would print meanwhile is held back."""
    import ctypes.util

    from bulletin_print import typeset

    before = ctypes.util.find_library
    with typeset.sonames_only():
        assert ctypes.util.find_library("c") is None
        print("WeasyPrint could not import some external libraries")
    assert ctypes.util.find_library is before
    assert capsys.readouterr().out == ""
