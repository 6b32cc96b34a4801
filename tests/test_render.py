"""The render stage: the masthead, the 目录 and the titles fitted to what editors write, measured
with the fonts' own advances (no PDF), and the faults it hands on."""

from __future__ import annotations

import dataclasses
import datetime as dt
import itertools

import pytest

from bulletin_print import compose, render
from bulletin_print.model import Article, Brief, Column, Issue, Paragraph

NAMES = ["简报", "人大信息", "西湖政协", "杭州人大信息", "西湖区政协信息", "浙江省人大信息", "浙江省人大常委会信息",
         "中共杭州市委办公厅工作信息", "杭州市人民代表大会常务委员会"[:12]]


def issue(title: str = "杭州人大信息", compiler: str = "杭州市人大常委会研究室编", columns=None, briefs=()) -> Issue:
    columns = columns or (Column("要闻速递", (Article(("市人大常委会召开会议",), (Paragraph("正文。"),), anchor="a1",
                                                      path=("columns", 0, "articles", 0)),), ("columns", 0)),)
    return Issue("x.yaml", title, compiler, "普刊", 12, 700, dt.date(2024, 12, 31), columns, "信息摘登", briefs,
                 (), "杨青青", "1", (0, 0.8, 0.8, 0))


def name_width(m: render.Masthead, name: str) -> float:
    return render.width(name, "masthead", m.size) + (len(name) - 1) * m.spacing


def test_a_six_character_name_keeps_its_look() -> None:
    m = render.masthead(issue("杭州人大信息"))
    assert m.size == pytest.approx(3 * render.PITCH - 20) and m.spacing == pytest.approx(6.0)


@pytest.mark.parametrize("name", NAMES)
def test_every_name_sits_on_one_line(name: str) -> None:
    m = render.masthead(issue(name))
    assert name_width(m, name) <= compose.MEASURE
    assert m.size <= 3 * render.PITCH - 20 + 1e-9  # never taller than its three grid lines
    if len(name) >= 6:
        assert name_width(m, name) >= 0.9 * compose.MEASURE  # a long name fills the line
    else:
        assert name_width(m, name) >= 0.45 * compose.MEASURE  # a short one is spread


def test_the_compiler_and_the_date_share_one_line() -> None:
    compiler = "中共杭州市西湖区委员会办公室政策研究室编"  # 20 characters
    m = render.masthead(issue(compiler=compiler))
    both = render.width(compiler, "body", m.imprint_size) + render.width("2024年12月31日", "body", m.imprint_size)
    assert both + m.imprint_size <= compose.MEASURE and m.imprint_size >= 12
    assert render.masthead(issue()).imprint_size == render.IMPRINT_SIZE  # the usual one is not shrunk


LONG = ["关于进一步加强和改进新时代人大代表工作推动全过程人民民主在基层落地生根的实施意见",
        "市人大常委会持续推动“人大+审计”协同机制走深走实",
        "以高质量立法护航新质生产力发展，为中国式现代化杭州实践提供坚实法治保障",
        "建德市：“学、宣、干”三维度推动代表当好“两员”"]


def contents_of(column_names: list[str], titles: list[str]) -> render.Contents:
    articles = [Article((t,), (Paragraph("正文。"),), anchor=f"a{i}", lines_given=False,
                        path=("columns", i % len(column_names), "articles", i)) for i, t in enumerate(titles)]
    columns = tuple(Column(name, tuple(a for a in articles if a.path[1] == c), ("columns", c))
                    for c, name in enumerate(column_names))
    i = issue(columns=columns, briefs=(Brief("一则。", "", ("briefs", "items", 0)),))
    return render.contents(i, render.words.WordEnds())


@pytest.mark.parametrize("column", ["要闻", "代表工作", "助力攻坚", "基层人大工作", "人大代表履职风采"])
def test_a_contents_entry_wraps_within_its_column(column: str) -> None:
    contents = contents_of([column, "信息交流"], LONG * 5)  # a 目录 of 20 articles and the briefs
    assert contents.column_width >= render.width(column, "hei", render.ENTRY_SIZE) + render.ENTRY_SIZE
    limit, last = render.entry_limits(contents.column_width)
    assert len(contents.entries) == 21
    in_order = (LONG * 5)[0::2] + (LONG * 5)[1::2]  # the first column's articles, then the second's
    for entry, title in zip(contents.entries, in_order):
        assert "".join(entry.lines) == title
        widths = [render.width(line, "body", render.ENTRY_SIZE) for line in entry.lines]
        assert max(widths[:-1], default=0) <= limit and widths[-1] <= last  # room for a leader and the page
        breaks = set(itertools.accumulate(len(line) for line in entry.lines[:-1]))
        assert all(title[k] not in compose.NO_START and title[k - 1] not in compose.NO_END for k in breaks)
    assert [e.column for e in contents.entries] == [column] + [""] * 9 + ["信息交流"] + [""] * 9 + ["信息摘登"]


def test_a_title_line_too_long_is_broken_further_with_a_warning() -> None:
    article = Article(("市人大常委会召开专题会议研究部署优化营商环境服务保障工作", "短行"), (Paragraph("正文。"),),
                      anchor="a1", path=("columns", 0, "articles", 0))
    text = article.title[0]
    faults: list = []
    lines = render.title_lines(article, render.words.WordEnds(), faults)
    assert "".join(lines[:-1]) == text and lines[-1] == "短行" and len(lines) == 3
    assert all(render.width(line, "title", render.TITLE_SIZE) <= compose.MEASURE for line in lines)
    assert [(f.path, f.severity) for f in faults] == [(("columns", 0, "articles", 0, "title", 0), "warning")]
    given_as_text = dataclasses.replace(article, title=(text,), lines_given=False)
    faults = []
    assert render.title_lines(given_as_text, render.words.WordEnds(), faults) == lines[:-1]
    assert faults == []  # a title given as text is the tool's to break
