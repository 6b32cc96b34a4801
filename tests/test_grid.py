"""The sample's PDF on the GB/T 9704 grid, set to the clreq rules, with a clean text layer:
measured on the PDF itself, with the reviewers' tool and with pdftotext."""

from __future__ import annotations

import io
import re
import subprocess
from pathlib import Path

import pdfplumber
import pytest
import yaml

from conftest import SAMPLE, make_archive, run_cli

PAGE_NUMBER = re.compile(r"\s*—\s*\d+\s*—\s*")


def test_full_lines_hold_28_characters(sample_report: dict) -> None:
    assert sample_report["chars_per_full_line"] == 28


def test_lines_sit_on_the_22_line_grid(sample_report: dict) -> None:
    assert abs(sample_report["line_pitch_pt"] - 225 / 22 * 72 / 25.4) <= 0.05
    assert sample_report["max_body_lines_per_page"] == 22
    assert sample_report["off_grid_lines"] == 0


def test_every_line_but_a_paragraphs_last_is_flush_right(sample_report: dict) -> None:
    assert sample_report["ragged_lines"] == 0, sample_report["ragged_examples"]


def test_no_line_starts_with_a_closing_mark_or_ends_with_an_opening_one(sample_report: dict) -> None:
    assert sample_report["kinsoku_violations"] == 0, sample_report["kinsoku_examples"]


def source_paragraphs() -> list[str]:
    data = yaml.safe_load(SAMPLE.read_text(encoding="utf-8"))
    paragraphs = [p if isinstance(p, str) else p["text"]
                  for column in data["columns"] for article in column["articles"] for p in article["paragraphs"]]
    return paragraphs + [item["text"] for item in data["briefs"]["items"]]


def test_copied_text_is_the_source_text(sample_pdf: Path) -> None:
    """pdftotext gives every body paragraph verbatim once its line ends are joined: no space is
    inserted anywhere. (A source space where a line breaks is lost, as in any PDF's text.)"""
    text = subprocess.run(["pdftotext", str(sample_pdf), "-"], capture_output=True, text=True, check=True).stdout
    joined = "".join(line for line in text.replace("\f", "\n").split("\n") if not PAGE_NUMBER.fullmatch(line))
    missing = []
    for paragraph in source_paragraphs():
        pattern = " ?".join(map(re.escape, paragraph.split(" ")))
        if not re.search(pattern, joined):
            missing.append(paragraph[:20])
    assert not missing, missing
    assert len(source_paragraphs()) == 37


def test_a_title_given_as_one_string_breaks_into_balanced_lines(tmp_path: Path) -> None:
    text = SAMPLE.read_text(encoding="utf-8").replace(
        "      - title:\n          - 市人大常委会持续推动\n          - \"“人大+审计”协同机制走深走实\"\n",
        "      - title: \"市人大常委会持续推动“人大+审计”协同机制走深走实\"\n", 1)
    issue = make_archive(tmp_path / "issues", text)
    pdf = tmp_path / "out.pdf"
    assert run_cli("build", str(issue), "-o", str(pdf)).returncode == 0
    with pdfplumber.open(pdf) as doc:
        page = next(p for p in doc.pages if any(c["size"] > 20 and c["text"] == "审" for c in p.chars))
        rows: dict[int, str] = {}
        for c in sorted(page.chars, key=lambda c: c["x0"]):
            if c["size"] > 20:
                rows[round(c["top"])] = rows.get(round(c["top"]), "") + c["text"]
    lines = [rows[k] for k in sorted(rows)]
    # 24 characters at 22 pt do not fit the 156 mm line: two lines, broken before the quotation
    assert lines == ["市人大常委会持续推动", "“人大+审计”协同机制走深走实"]


LEFT, INDENT = 28 * 72 / 25.4, 2 * 156 * 72 / 25.4 / 28
FIRST_PARAGRAPH = ("市人大常委会积极探索人大财经监督与审计监督高效融合新路径,通过“三聚焦三强化”,在实践中不断深化"
                   "贯通“人大+审计”协同机制,逐步构建起“人大+审计”同向发力、同步协调、同频共振的经济监督新格局。")


def lone_lines(pdf: bytes) -> list[str]:
    """Paragraphs that leave their first line alone at a page's foot or their last alone at its top."""
    pages = []
    with pdfplumber.open(io.BytesIO(pdf)) as doc:
        for page in doc.pages:
            rows: dict[int, list[dict]] = {}
            for c in page.chars:
                if c["text"].strip():
                    rows.setdefault(round(c["top"]), []).append(c)
            kinds = []  # per line: "first" (indented body), "more" (body), "other"
            for _, chars in sorted(rows.items()):
                x0 = min(c["x0"] for c in chars)
                body = all(round(c["size"]) == 16 for c in chars) and any(
                    c["fontname"].endswith("Bulletin-Body") for c in chars)  # not the 信息摘登 heading
                kinds.append("first" if body and abs(x0 - LEFT - INDENT) < 1 else
                             "more" if body and abs(x0 - LEFT) < 1 else "other")
            pages.append(kinds)
    faults = []
    for n, (this, following) in enumerate(zip(pages, pages[1:]), 1):
        body_end = [k for k in this if k != "other"]
        if following and following[0] == "more":  # a paragraph runs over the page break
            if not body_end or body_end[-1] == "first":
                faults.append(f"page {n}: a first line alone at the foot")
            if len(following) < 2 or following[1] != "more":
                faults.append(f"page {n + 1}: a last line alone at the top")
    return faults


@pytest.mark.parametrize("longer", [0, 1, 3])
def test_no_paragraph_leaves_one_line_alone_at_a_page_top_or_foot(tmp_path: Path, longer: int) -> None:
    """孤行不成页. The sample, and the sample with its first paragraph made longer so that page
    breaks fall where, without orphans/widows in bulletin.css, lines would stand alone (measured)."""
    from bulletin_print import load, render, typeset

    text = SAMPLE.read_text(encoding="utf-8").replace(
        FIRST_PARAGRAPH, FIRST_PARAGRAPH + "市人大常委会积极探索人大财经监督与审计监督高效融合新路径" * longer + "。" * bool(longer))
    issue = make_archive(tmp_path, text)
    pdf = typeset.typeset(render.render(load.load_issue(issue)).html, issue.parent).pdf
    assert lone_lines(pdf) == []


def test_no_body_text_reaches_into_the_margins(sample_pdf: Path) -> None:
    """Nothing starts left of the text block or ends right of it: a line that breaks at a source
    space once started 5 pt into the left margin."""
    with pdfplumber.open(sample_pdf) as doc:
        for page in doc.pages:
            body = [c for c in page.chars if c["text"].strip() and round(c["size"]) == 16]
            assert min(c["x0"] for c in body) >= LEFT - 0.5
            assert max(c["x1"] for c in body) <= LEFT + 156 * 72 / 25.4 + 0.5
