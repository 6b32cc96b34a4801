"""Coverage: the symbols of real government text and every hanzi of 通用规范汉字表, CJK Unified
Ideographs and Extension A are drawn from a shipped font in every role, with the widths the
composer is given, and `bulletin-print fonts` says exactly how much each font covers.

Everything here is measured again with fontTools, from the font files and layout/bulletin.css."""

from __future__ import annotations

import re
from collections import defaultdict
from functools import cache
from pathlib import Path

import pdfplumber
import pytest
from fontTools.ttLib import TTFont

from bulletin_print import fonts

from conftest import ROOT, make_archive, run_cli

# issue 11's list, as written there
SYMBOLS = ("‱‰℃№" + "①②③④⑤⑥⑦⑧⑨⑩⑪⑫⑬⑭⑮⑯⑰⑱⑲⑳" + "⑴⑵⑶⑷⑸⑹⑺⑻⑼⑽⑾⑿⒀⒁⒂⒃⒄⒅⒆⒇" + "ⅠⅡⅢⅣⅤⅥⅦⅧⅨⅩⅪⅫ"
           + "㎡㎞≥≤±×÷≠≈∶→★☆●○■□◆◇▲△※§¥€°")
URO = "".join(map(chr, range(0x4E00, 0xA000)))
EXT_A = "".join(map(chr, range(0x3400, 0x4DC0)))
GRID_PT = 225 / 22 * 72 / 25.4


def charset(name: str) -> str:
    text = (ROOT / "src" / "bulletin_print" / "data" / f"{name}.txt").read_text(encoding="utf-8")
    return "".join(line for line in text.splitlines() if not line.startswith("#"))


@cache
def font(family: str) -> tuple[dict[int, str], dict[str, tuple[int, int]], int]:
    """cmap, advances and units per em of the shipped font of a CSS family."""
    entry = next(f for f in fonts.manifest() if f.family == family)
    tt = TTFont(entry.path, lazy=True)
    return tt.getBestCmap(), tt["hmtx"].metrics, tt["head"].unitsPerEm


@cache
def written_stacks() -> list[tuple[str, ...]]:
    """Every font-family list of the layout's stylesheets, as written."""
    css = "".join(p.read_text(encoding="utf-8") for p in sorted((ROOT / "layout").glob("*.css*")))
    lists = re.findall(r'"Bulletin [^"]+"(?:,\s*"Bulletin [^"]+")*', css)
    return sorted({tuple(re.findall(r'"([^"]+)"', found)) for found in lists})


def css_stacks() -> list[tuple[str, ...]]:
    """… less the family of a publication's own fonts, which only a publication with fonts/ declares."""
    return sorted({tuple(f for f in s if f != fonts.PUBLICATION_FAMILY) for s in written_stacks()})


def test_a_publications_fonts_come_right_after_each_text_roles_own() -> None:
    """As fonts.stack puts them when a publication has fonts of its own: before every fallback."""
    text_stacks = [s for s in written_stacks() if role_of(s[0]) in fonts.TEXT_ROLES]
    assert len(text_stacks) >= len(fonts.TEXT_ROLES)
    for stack in text_stacks:
        assert stack[1] == fonts.PUBLICATION_FAMILY, stack


def role_of(family: str) -> str:
    return next(f.role for f in fonts.manifest() if f.family == family)


def test_the_symbol_list_is_the_issues() -> None:
    assert fonts.SYMBOLS == SYMBOLS and len(SYMBOLS) == 82


def test_css_stacks_are_the_composers() -> None:
    """fonts.metrics(role) measures with the fonts WeasyPrint will use, in the same order."""
    stacks = css_stacks()
    assert {role_of(s[0]) for s in stacks} == {*fonts.TEXT_ROLES, "fallback"}  # "fallback": the page numbers
    for stack in stacks:
        assert tuple(role_of(family) for family in stack) == fonts.stack(role_of(stack[0])), stack


@pytest.mark.parametrize("name", ["symbols", "通用规范汉字表", "URO", "Ext A"])
def test_every_stack_draws_every_character(name: str) -> None:
    chars = {"symbols": SYMBOLS, "通用规范汉字表": charset("tygf8105"), "URO": URO, "Ext A": EXT_A}[name]
    for stack in css_stacks():
        missing = [c for c in chars if not any(ord(c) in font(family)[0] for family in stack)]
        assert missing == [], (stack, missing[:20])


@pytest.mark.parametrize("role", fonts.TEXT_ROLES)
def test_composer_gets_each_symbols_width_from_the_font_that_draws_it(role: str) -> None:
    stack = next(s for s in css_stacks() if role_of(s[0]) == role)
    for ch in SYMBOLS:
        cmap, hmtx, upem = next(font(f) for f in stack if ord(ch) in font(f)[0])
        assert fonts.metrics(role).advance(ch) == hmtx[cmap[ord(ch)]][0] / upem, (role, ch)
    assert fonts.metrics(role).advance("‱") > 1.3  # from FreeSerif: wider than a cell, as it is drawn


# ------------------------------------------------------------------------ the fonts report


def expected_rows(have: set[int]) -> list[str]:
    rows = []
    for name, chars in (("GB 2312", charset("gb2312")), ("通用规范汉字表", charset("tygf8105")),
                        ("CJK 基本区 U+4E00–9FFF", URO), ("CJK 扩展 A U+3400–4DBF", EXT_A), ("常用符号 (symbols)", SYMBOLS)):
        missing = [c for c in chars if ord(c) not in have]
        n = len(chars) - len(missing)
        percent = int(n * 1000 / len(chars)) / 10  # floored: 7444/7445 is 99.9 %
        rows.append(f"{name}: {n}/{len(chars)} ({percent:.1f}%)"
                    + (f"，缺 {len(missing)} 字 (missing)：「{''.join(missing[:12])}{'…' * (len(missing) > 12)}」" if missing else ""))
    return rows


def test_fonts_report_counts_exactly() -> None:
    result = run_cli("fonts")
    assert result.returncode == 0, result.stderr
    out = result.stdout
    for f in fonts.manifest():
        have = set(font(f.family)[0])
        block = "\n".join([f"    覆盖 (coverage): 共 {len(have)} 个字符 (characters)"] + [f"      {r}" for r in expected_rows(have)])
        assert f"{f.role:<13} {f.family}  ({f.file})\n" in out and block in out, f.file
    # the body font lacks one GB 2312 character (U+2015, which GB 18030 maps to U+2014): not 100 %
    assert "GB 2312: 7444/7445 (99.9%)，缺 1 字 (missing)：「\u2015」" in out
    assert "(100.0%)，缺" not in out
    # each role with its fallbacks, as bulletin.css sets it: everything
    for stack in css_stacks():
        have = set().union(*(font(family)[0] for family in stack))
        rows = expected_rows(have)
        assert not any("缺" in r for r in rows), stack
        assert f"{role_of(stack[0]):<13} {' → '.join(stack)}\n      {'；'.join(rows)}\n" in out


# ---------------------------------------------------------------------- a build with all of them


def symbol_issue(root: Path) -> Path:
    """An issue whose 栏目, titles, lead sentences, body text, attributions and 版记 hold every
    symbol: four to a 栏目, an article each."""

    def q(s: str) -> str:
        return '"' + s + '"'

    lines = ["edition: 普刊", "number: 12", "total: 700", "date: 2024-08-16", "editor: " + q("杨青青" + SYMBOLS[:4]),
             "distribution:", "  - label: 送", "    text: " + q("省人大常委会办公厅，" + "、".join(SYMBOLS)), "columns:"]
    for i in range(0, len(SYMBOLS), 4):
        c = SYMBOLS[i:i + 4]
        text = (f"一是{c}写法统一。据统计，本季度{c}等各项指标均按规定口径填报，与上年同期相比保持稳定，"
                f"各项工作有序推进，其中{c}类数据请各单位认真核对，并及时报送{c}有关材料。")
        lines += [f"  - name: {q(c)}", "    articles:", f"      - title: {q('关于' + c + '等符号的说明')}", "        paragraphs:",
                  f"          - {q(text)}", f"        attribution: {q('办公室 ' + c)}"]
    return make_archive(root, "\n".join(lines) + "\n")


@pytest.fixture(scope="module")
def symbol_pdf(tmp_path_factory: pytest.TempPathFactory) -> Path:
    issue = symbol_issue(tmp_path_factory.mktemp("symbols") / "issues")
    out = issue.parents[2] / "symbols.pdf"
    result = run_cli("build", str(issue), "-o", str(out))
    assert result.returncode == 0, result.stderr
    return out


@cache
def shipped(fontname: str) -> str:
    """The CSS family of an embedded font, by the name WeasyPrint gives it: after the @font-face
    family ("ABCDEF+Bulletin-Symbols-Bold,-Bold") or the font's own name ("ABCDEF+BulletinHei")."""
    name = fontname.split("+", 1)[-1]
    names = {}
    for f in fonts.manifest():
        table = TTFont(f.path, lazy=True)["name"]
        for n in (f.family.replace(" ", "-"), table.getDebugName(1).replace(" ", "-"), table.getDebugName(6)):
            names.setdefault(n, set()).add(f.family)
    matches = [n for n in names if name == n or name.startswith(n + "-") or name.startswith(n + ",")]
    assert matches, fontname
    (family,) = names[max(matches, key=len)]
    return family


def test_every_symbol_is_drawn_with_a_real_glyph_in_every_role(symbol_pdf: Path) -> None:
    drawn: dict[str, set[tuple[str, float]]] = defaultdict(set)  # symbol → (family, size)
    with pdfplumber.open(symbol_pdf) as pdf:
        for page in pdf.pages:
            for c in page.chars:
                if c["text"] in SYMBOLS:
                    family = shipped(c["fontname"])
                    assert ord(c["text"]) in font(family)[0], (c["text"], family)  # a glyph of its own, no .notdef
                    drawn[c["text"]].add((family, round(c["size"])))
    for ch in SYMBOLS:
        sizes = {size for _, size in drawn[ch]}
        assert {14, 16, 22} <= sizes, (ch, drawn[ch])  # 目录 and 版记; body, lead and attribution; title
        families = {family for family, _ in drawn[ch]}
        for role in ("body", "hei", "kai", "title"):  # each role's font or the fallback its stack picks
            assert fonts.font_for(fonts.face(role, ch)).family in families, (ch, role, families)
    assert {f for f, _ in drawn["‱"]} == {"Bulletin Symbols", "Bulletin Symbols Bold"}


def test_a_symbols_glyph_does_not_move_its_line(symbol_pdf: Path) -> None:
    """A line with a glyph from FreeSerif sits a whole number of grid lines below the line before
    it, as if the role's own font had the glyph (its vertical metrics are the role font's)."""
    checked = 0
    with pdfplumber.open(symbol_pdf) as pdf:
        for page in pdf.pages:
            lines: dict[float, list[dict]] = defaultdict(list)
            for c in page.chars:
                if round(c["size"]) == 16:
                    lines[round(c["matrix"][5], 2)].append(c)
            baselines = sorted(lines, reverse=True)
            for above, below in zip(baselines, baselines[1:]):
                families = {shipped(c["fontname"]) for c in lines[below]}
                if "Bulletin Symbols" in families and "Bulletin Fallback" not in families:
                    gap = (above - below) / GRID_PT
                    assert abs(gap - round(gap)) < 0.002, ("".join(c["text"] for c in lines[below]), gap)
                    checked += 1
    assert checked >= 3  # the body lines and the attribution with ‱
