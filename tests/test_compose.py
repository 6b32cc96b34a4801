"""The line composer: strings in, lines out, measured with the body font's real advance widths."""

from __future__ import annotations

import itertools
import math
import re
import time
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bulletin_print.words import WordEnds
from bulletin_print.compose import (
    HALF_CLOSING,
    HALF_OPENING,
    MEASURE,
    MIXED_GAP,
    NO_END,
    NO_START,
    TIGHT_CAP,
    STRETCH_CAP,
    UNITS,
    Line,
    break_title,
    compose,
    is_han,
)
from bulletin_print.fonts import Metrics
from bulletin_print.paths import FONTS_DIR

SIZE = 16.0
CELL = MEASURE / 28
GRID = CELL - SIZE  # a Han character's spacing on the grid: -0.207 pt
FIRST = 26  # Han characters on a paragraph's first line, after the 2-cell indent


def _body_font() -> Path:
    for name in ("BulletinFang-Regular.otf", "FandolFang-Regular.otf"):
        if (FONTS_DIR / name).exists():
            return FONTS_DIR / name
    pytest.skip("no body font in fonts/")


@pytest.fixture(scope="module")
def body() -> Metrics:
    return Metrics([_body_font()])


@pytest.fixture(scope="module")
def metrics(body: Metrics) -> dict[str, Metrics]:
    # "lead" shares the body font's widths here but has no half-width punctuation
    return {"body": body, "lead": body}


def han(n: int, offset: int = 0) -> str:
    """n distinct-looking Han characters (distinct, so a test can tell where a line broke)."""
    return "".join(chr(0x4E00 + 0x100 + (offset + i) % 5000) for i in range(n))


def text(lines: list[Line]) -> str:
    return "".join(run.text for line in lines for run in line.runs)


def line_text(line: Line) -> str:
    return "".join(run.text for run in line.runs)


def chars(line: Line):
    """(character, run) for every character of the line."""
    return [(ch, run) for run in line.runs for ch in run.text]


def spaced(line: Line, body: Metrics) -> list[tuple[str, Line, float]]:
    """(character, run, the room after it) for every character of the line: the run's spacing,
    plus the run's gap after its last character."""
    return [(ch, run, run.spacing + (run.gap if k == len(run.text) - 1 else 0.0))
            for run in line.runs for k, ch in enumerate(run.text)]


def width(line: Line, body: Metrics) -> float:
    """Where the line's last character ends: what the PDF's right edge will be."""
    return line.indent + sum(
        body.advance(ch) * SIZE * (0.5 if run.half else 1.0) + after for ch, run, after in spaced(line, body)
    )


def assert_well_formed(lines: list[Line], source: str, body: Metrics, bent: bool = False) -> None:
    """The invariants every composed paragraph keeps (`bent`: one that could not keep all, and
    was warned about, may squeeze below TIGHT_CAP and leave a lone last character)."""
    assert text(lines) == source
    assert [line.last for line in lines] == [False] * (len(lines) - 1) + [True]
    assert lines[0].indent == pytest.approx(2 * CELL) and all(line.indent == 0 for line in lines[1:])
    for line in lines:
        last = line.runs[-1]
        assert len(last.text) == 1 and last.spacing == 0.0
        for a, b in zip(line.runs, line.runs[1:-1]):
            assert a.gap or (a.style, a.spacing, a.half) != (b.style, b.spacing, b.half), "runs not merged"
        for ch, run, after in spaced(line, body)[:-1]:
            if ch != " ":
                assert after <= STRETCH_CAP + 1e-3, (line_text(line), ch, run)
                assert bent or after >= TIGHT_CAP - 1e-3, (line_text(line), ch, run)
        if not line.last:
            assert width(line, body) == pytest.approx(MEASURE, abs=0.01), line_text(line)
        else:
            assert width(line, body) <= MEASURE + 0.01
    for i, line in enumerate(lines):
        t = line_text(line)
        visible = t.lstrip(" ")
        if i > 0:
            assert visible[:1] not in NO_START, f"line starts with {visible[:1]!r}: {t}"
        if not line.last:
            assert t[-1] not in NO_END, f"line ends with {t[-1]!r}: {t}"
            after = line_text(lines[i + 1])
            for pair in ("——", "……"):
                assert not (t.endswith(pair[0]) and after.startswith(pair[1])), f"{pair} split"
            alnum = re.compile(r"[0-9A-Za-z]")
            assert not (alnum.fullmatch(t[-1]) and alnum.fullmatch(after[:1])), f"word split: {t}|{after}"
            assert not (t[-1].isdigit() and after[:1] in UNITS), f"unit cut off: {t}|{after}"
    if len(lines) > 1 and not bent:
        assert sum(ch.isalnum() for ch in line_text(lines[-1])) >= 2, "a lone last character"


def test_empty_paragraph(metrics):
    assert compose([], metrics) == []
    assert compose([("", "body")], metrics) == []


def test_one_character(metrics, body):
    lines = compose([("字", "body")], metrics)
    assert lines == [Line((lines[0].runs[0],), 2 * CELL, True)]
    assert lines[0].runs[0].text == "字" and lines[0].runs[0].spacing == 0.0
    assert_well_formed(lines, "字", body)


def test_pure_han_lines_hold_28_at_the_grid_pitch(metrics, body):
    source = han(FIRST + 28 * 3 + 10)
    lines = compose([(source, "body")], metrics)
    assert [len(line_text(line)) for line in lines] == [FIRST, 28, 28, 28, 10]
    for line in lines:
        for ch, run in chars(line)[:-1]:
            # 0.0077 pt tighter than the grid: the last character has no spacing after it
            assert run.spacing == pytest.approx(GRID, abs=0.01)
    assert len(lines[0].runs) == 2  # one span and the last character
    assert_well_formed(lines, source, body)


@pytest.mark.parametrize("mark", ["，", "。", "、", "”", "）", "》", "：", "？", "！"])
def test_closing_mark_in_the_29th_cell_is_squeezed_in(metrics, body, mark):
    source = han(FIRST) + han(28, 50) + mark + han(12, 90)
    lines = compose([(source, "body")], metrics)
    assert line_text(lines[1]) == han(28, 50) + mark  # pulled up, nothing pushed down
    assert lines[1].runs[-1].half == (mark in HALF_CLOSING)  # ？ is centred: it cannot be halved
    assert_well_formed(lines, source, body)


def test_opening_mark_in_the_28th_cell_goes_down(metrics, body):
    source = han(FIRST) + han(27, 50) + "“" + han(3, 90) + "”" + han(12, 95)
    lines = compose([(source, "body")], metrics)
    assert line_text(lines[1]) == han(27, 50)  # stretched by one cell over 26 gaps
    assert line_text(lines[2]).startswith("“")
    assert lines[1].runs[0].spacing == pytest.approx(GRID + CELL / 26, abs=0.01)
    assert_well_formed(lines, source, body)


def test_run_of_closing_marks(metrics, body):
    source = han(FIRST) + han(27, 50) + "”）。" + han(12, 90)
    lines = compose([(source, "body")], metrics)
    assert line_text(lines[1]).endswith("”）。")
    halves = "".join(ch for ch, run in chars(lines[1]) if run.half)
    assert halves == "”）。"  # two by their neighbours, the last at the line's end
    assert_well_formed(lines, source, body)


@pytest.mark.parametrize("pair", ["——", "……"])
@pytest.mark.parametrize("at", range(24, 30))
def test_dashes_and_ellipses_stay_whole(metrics, body, pair, at):
    source = han(FIRST) + han(at, 50) + pair + han(30, 90)
    lines = compose([(source, "body")], metrics)
    assert_well_formed(lines, source, body)
    assert any(pair in line_text(line) for line in lines)


@pytest.mark.parametrize("token", ["13800138000", "2024年8月16日", "12.5%", "3.2万元", "0-3岁", "5+X", "WeasyPrint", "AI PC"])
@pytest.mark.parametrize("at", range(20, 29))
def test_numbers_and_words_never_split(metrics, body, token, at):
    source = han(FIRST) + han(at, 50) + token + han(40, 90) + "。"
    lines = compose([(source, "body")], metrics)
    assert_well_formed(lines, source, body)
    # a date may break between its numbers, a phrase at its space (which then starts the next line)
    pieces = re.split(r"(?<=[年月])(?=\d)| (?=[A-Z])", token)
    for piece in pieces:
        assert any(piece in line_text(line) for line in lines), (piece, [line_text(x) for x in lines])


def test_gap_between_han_and_digits(metrics, body):
    lines = compose([("在2022年完成", "body")], metrics)
    spacing = {ch: after for ch, run, after in spaced(lines[0], body)}
    assert spacing["在"] == pytest.approx(GRID + MIXED_GAP, abs=1e-3)
    assert spacing["2"] == pytest.approx(GRID + MIXED_GAP, abs=1e-3)  # the last 2, before 年
    assert spacing["年"] == pytest.approx(GRID, abs=1e-3)
    assert [run.text for run in lines[0].runs] == ["在", "2022", "年完", "成"]  # gaps are margins, not runs


def test_a_source_space_becomes_a_quarter_cell(metrics, body):
    lines = compose([("四方面 15 条建议", "body")], metrics)
    spaces = [after for ch, run, after in spaced(lines[0], body) if ch == " "]
    assert len(spaces) == 2
    for after in spaces:
        assert body.advance(" ") * SIZE + after == pytest.approx(CELL / 4, abs=1e-3)



def test_paired_marks_are_compressed(metrics, body):
    lines = compose([("他说：“好。”（“审计”）结束", "body")], metrics)
    halves = [ch for ch, run in chars(lines[0]) if run.half]
    # ：“ closing then opening; 。” closing then closing; ”（ closing then opening; （“ two openings:
    # the second gives up its leading half; ”） closing then closing
    assert halves == ["：", "。", "”", "“", "”"]


def test_only_styles_with_half_glyphs_compress(metrics, body):
    lines = compose([("一是聚焦“重点”。", "lead"), ("然后继续。", "body")], metrics)
    assert not any(run.half for run in lines[0].runs[:-1] if run.style == "lead")
    assert [run.style for run in lines[0].runs][:1] == ["lead"]
    assert_well_formed(lines, "一是聚焦“重点”。然后继续。", body)


def test_a_lone_last_character_is_avoided(metrics, body):
    source = han(FIRST) + han(28, 50) + "中。"
    lines = compose([(source, "body")], metrics)
    assert sum(map(is_han, line_text(lines[-1]))) >= 2
    assert_well_formed(lines, source, body)


def sample_paragraphs() -> list[str]:
    import yaml

    data = yaml.safe_load((Path(__file__).parents[1] / "issues" / "2024" / "12.yaml").read_text(encoding="utf-8"))
    return [p if isinstance(p, str) else p["text"] for c in data["columns"] for a in c["articles"] for p in a["paragraphs"]]


def test_paragraphs_built_to_end_on_one_character_do_not(metrics, body):
    """孤字不成行: the sample's words cut so that, set plainly, a paragraph's last line would hold one
    character (26 on the first line, 28 on the others, one over); the composer loosens or tightens
    earlier lines, or sets a mark half, within the rules, so that none does and no rule is bent."""
    text = "".join(sample_paragraphs())
    lone, bent_count = [], 0
    for start in range(0, len(text) - 120, 37):
        for lines_before in range(4):
            source = text[start:start + 26 + 28 * lines_before] + "钛。"
            bent: list[str] = []
            lines = compose([(source, "body")], metrics, bent=bent)
            bent_count += bool(bent)
            assert_well_formed(lines, source, body, bool(bent))
            if len(lines) > 1 and sum(ch.isalnum() for ch in line_text(lines[-1])) < 2:
                lone.append(source)
    assert lone == [] and bent_count == 0


@pytest.mark.parametrize("source", ["规划（2024—2027年）", "增长10～20个百分点", "1—6月份", "2-3岁儿童", "第12期"])
@pytest.mark.parametrize("at", range(22, 29))
def test_ranges_and_ordinals_never_split(metrics, body, source, at):
    text = han(FIRST) + han(at - len(source) // 2, 50) + source + han(40, 90) + "。"
    lines = compose([(text, "body")], metrics)
    assert_well_formed(lines, text, body)
    whole = {"规划（2024—2027年）": "（2024—2027年）", "增长10～20个百分点": "10～20个",
             "1—6月份": "1—6月", "2-3岁儿童": "2-3岁", "第12期": "第12期"}[source]
    assert any(whole in line_text(line) for line in lines), [line_text(x) for x in lines]


@pytest.mark.parametrize("symbol", ["Ⅱ", "Ⅻ", "①", "⑳"])
def test_letterlike_symbols_take_a_cell_without_gaps(metrics, body, symbol):
    lines = compose([(f"第{symbol}期工作", "body")], metrics)
    assert not any(run.gap for run in lines[0].runs)  # no Han/Latin gap on either side
    assert [run.text for run in lines[0].runs] == [f"第{symbol}期工", "作"]


def test_lead_and_body_runs(metrics, body):
    lead, rest = "一是" + han(20) + "。", han(60, 30) + "。"
    lines = compose([(lead, "lead"), (rest, "body")], metrics)
    assert "".join(run.text for line in lines for run in line.runs if run.style == "lead") == lead
    assert_well_formed(lines, lead + rest, body)


def test_deterministic_and_fast(metrics):
    paragraphs = [[(han(150 + 7 * i, i) + "，在2024年8月16日增长12.5%。" + han(40, i), "body")] for i in range(37)]
    start = time.perf_counter()
    first = [compose(p, metrics) for p in paragraphs]
    elapsed = time.perf_counter() - start
    assert first == [compose(p, metrics) for p in paragraphs]
    assert elapsed < 0.5  # the sample issue's 37 paragraphs take about 0.04 s


# Random paragraphs from the pieces a bulletin is made of: Han words, each followed by a mark, a
# number or a Latin word.
_HAN_WORDS = st.text(alphabet=han(40), min_size=2, max_size=8)
_PIECES = st.one_of(
    st.just(""),
    st.text(alphabet=HALF_CLOSING + "？", min_size=1, max_size=3),
    st.sampled_from(HALF_OPENING),
    st.sampled_from(["——", "……", " ", ",", "、", "。”", "”“", "（“"]),
    st.from_regex(r"[0-9]{1,8}(\.[0-9]{1,2})?%?", fullmatch=True),
    st.from_regex(r"[0-9]{1,4}[年月日万元条人]{0,2}", fullmatch=True),
    st.from_regex(r"[A-Za-z]{1,8}( [A-Za-z]{1,8})?", fullmatch=True),
)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(_HAN_WORDS, _PIECES).map("".join), min_size=1, max_size=40).map("".join))
def test_any_paragraph_keeps_the_invariants(metrics, body, source):
    bent: list[str] = []
    lines = compose([(source, "body")], metrics, bent=bent)
    assert_well_formed(lines, source, body, bool(bent))


def test_a_mark_set_half_inside_the_line_saves_a_paragraph(metrics, body):
    # 21 + 2 cells, then （ glued to a number: ending the first line before （ needs more than the
    # stretch cap a gap, taking the number in more than the shrink cap; the number cannot break,
    # （ cannot end a line. Setting （ in half a cell makes the line fit within the caps.
    source = han(21) + "——（00000000"
    bent: list[str] = []
    lines = compose([(source, "body")], metrics, bent=bent)
    assert bent == []
    assert [line_text(line) for line in lines] == [source]
    assert [run.text for run in lines[0].runs if run.half] == ["（"]
    assert width(lines[0], body) <= MEASURE + 0.01


def test_impossible_paragraph_bends_the_rules_least_and_says_so(metrics, body):
    # a number longer than the line must break inside
    source = han(FIRST) + "1" * 80 + han(20)
    bent: list[str] = []
    lines = compose([(source, "body")], metrics, bent=bent)
    assert text(lines) == source
    assert len(bent) == 1 and "inside a number or word" in bent[0]
    assert all(width(line, body) == pytest.approx(MEASURE, abs=0.01) for line in lines[:-1])


def test_a_paragraph_within_the_rules_does_not_warn(metrics):
    bent: list[str] = []
    compose([(han(FIRST) + "13800138000" + han(30), "body")], metrics, bent=bent)
    assert bent == []


@pytest.fixture(scope="module")
def title() -> Metrics:
    for name in ("NotoSerifSC-Bold.subset.ttf", "BulletinFang-Regular.otf", "FandolFang-Regular.otf"):
        if (FONTS_DIR / name).exists():
            return Metrics([FONTS_DIR / name])
    pytest.skip("no title font in fonts/")


def titled(source: str, metrics: Metrics) -> list[str]:
    """The title's lines as a build breaks them (jieba's words, as words.py remembers them)."""
    return break_title(source, metrics, WordEnds()[source])


def jieba_ends(source: str) -> set[int]:
    """Where jieba itself, in its default mode, says one word ends and the next begins."""
    import jieba

    ends, at = set(), 0
    for word in jieba.lcut(source):
        at += len(word)
        ends.add(at)
    return ends


def test_short_title_stays_one_line(title):
    assert titled("滨江区：多措并举助力推动新质生产力发展", title) == ["滨江区：多措并举助力推动新质生产力发展"]


@pytest.mark.parametrize(
    "source, expected",
    [
        ("市人大常委会持续推动“人大+审计”协同机制走深走实", ["市人大常委会持续推动", "“人大+审计”协同机制走深走实"]),
        ("余杭区：鸬鸟镇“围鸬议事”四步法深化基层监督实践", ["余杭区：鸬鸟镇“围鸬议事”", "四步法深化基层监督实践"]),
        ("建德市：“学、宣、干”三维度推动代表当好“两员”", ["建德市：“学、宣、干”", "三维度推动代表当好“两员”"]),
        # a comma break that fits is taken, though the lines are then less even
        ("以高质量立法护航新质生产力发展，为中国式现代化杭州实践提供坚实法治保障",
         ["以高质量立法护航新质生产力发展，", "为中国式现代化杭州实践提供坚实法治保障"]),
    ],
)
def test_long_title_breaks_where_it_reads_well(title, source, expected):
    assert titled(source, title) == expected


TITLES = [
    "关于进一步加强和改进新时代人大代表工作推动全过程人民民主在基层落地生根的实施意见和工作方案",
    "杭州市2024年第一季度国民经济和社会发展计划执行情况的审查报告",
    "市人大常委会召开专题会议研究部署优化营商环境服务保障工作",
    "坚持和完善人民代表大会制度重要工作推动新时代地方人大工作高质量发展",
    "聚焦新质生产力发展服务全市经济社会发展大局持续深化代表联络站建设",
]


@pytest.mark.parametrize("source", TITLES)
def test_title_lines_are_few_balanced_and_legal(title, source):
    lines = titled(source, title)
    widths = [sum(title.advance(ch) * 22 for ch in line) for line in lines]
    assert "".join(lines) == source
    assert len(lines) == math.ceil(sum(widths) / MEASURE)  # as few as fit
    assert max(widths) <= MEASURE and max(widths) - min(widths) <= 4 * 22
    assert min(len(line) for line in lines) > 2
    breaks = set(itertools.accumulate(len(line) for line in lines[:-1]))
    assert breaks <= jieba_ends(source), lines  # never inside a word
    for line in lines[1:]:
        assert line[0] not in NO_START


def test_title_keeps_numbers_whole(title):
    lines = titled("杭州市2024年第一季度国民经济和社会发展计划执行情况的审查报告", title)
    assert any("2024年" in line for line in lines)


def test_title_breaking_grows_linearly(title):
    """A hostile 5,000-character title is broken in about the time of 5 × 1,000."""
    def seconds(n: int) -> float:
        source = ("人大代表" * n)[:n]
        start = time.perf_counter()
        lines = break_title(source, title, set(range(2, n, 2)))
        assert "".join(lines) == source
        return time.perf_counter() - start
    small, large = seconds(1000), seconds(5000)
    assert large < 1.0 and large < 10 * max(small, 1e-3)
