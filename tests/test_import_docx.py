"""`import docx`: a contributed Word article into an issue, its bold lead sentence kept, the rest of
the editor's file untouched."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from conftest import run_cli
from bulletin_print.load import load_issue
from bulletin_print.model import find_lead

docx = pytest.importorskip("docx")

TITLE = "拱墅区：“三进三访”推动代表联络站提质增效"
P1 = "拱墅区人大常委会聚焦代表联络站建设，推动代表履职走深走实。"
LEAD = "一是聚焦阵地建设，夯实履职基础。"
P2_REST = "全区建成代表联络站 18 个，实现街道全覆盖。"
P3 = "二是聚焦民意收集，畅通表达渠道。开展“三进三访”活动，收集意见建议 120 余条。"


def make_docx(path: Path, paragraphs: list[list[tuple[str, bool]]], title: str = TITLE,
              attribution: str = "（拱墅区人大常委会办公室 王小明）") -> Path:
    document = docx.Document()
    document.add_heading(title, level=1)
    for runs in paragraphs:
        p = document.add_paragraph()
        for text, bold in runs:
            p.add_run(text).bold = bold or None
    if attribution:
        document.add_paragraph(attribution)
    document.save(str(path))
    return path


@pytest.fixture
def issue(sample_copy: Path) -> Path:
    return sample_copy


def without(lines: list[str], inserted: list[str]) -> list[str]:
    """`lines` less the run of lines `inserted` (where it stands)."""
    at = next(i for i in range(len(lines)) if lines[i:i + len(inserted)] == inserted)
    return lines[:at] + lines[at + len(inserted):]


def test_article_with_bold_lead_sentence(issue: Path, tmp_path: Path) -> None:
    source = make_docx(tmp_path / "contribution.docx", [
        [(P1, False)],
        [(LEAD, True), (P2_REST, False)],  # the bold lead sentence "一是…。"
        [(P3, False)],
    ])
    before = issue.read_text(encoding="utf-8")
    result = run_cli("import", "docx", str(source), "--column", "代表工作", "--into", str(issue))
    assert result.returncode == 0, result.stderr
    assert "代表工作" in result.stdout
    after = issue.read_text(encoding="utf-8")

    # the article, in the hand-written style, after the column's last article
    block = "\n".join([
        f"      - title: {TITLE}",  # one line in the Word file: the tool breaks it
        "        paragraphs:",
        f"          - {P1}",
        f"          - {LEAD}{P2_REST}",  # find_lead finds the bold sentence itself: a plain string
        f"          - {P3}",
        "        attribution: 拱墅区人大常委会办公室 王小明",
    ])
    assert block in after
    assert after.index(block) > after.index("推动代表当好“两员”") and after.index(block) < after.index("  - name: 情况交流")
    assert find_lead(LEAD + P2_REST) == LEAD
    # every line the editor wrote is still there, in order
    assert without(after.splitlines(), block.splitlines()) == before.splitlines()

    column = next(c for c in load_issue(issue).columns if c.name == "代表工作")
    article = column.articles[-1]
    assert article.title == (TITLE,)
    assert [p.lead for p in article.paragraphs] == ["", LEAD, "二是聚焦民意收集，畅通表达渠道。"]
    assert article.attribution == "拱墅区人大常委会办公室 王小明"
    check = run_cli("check", str(issue))
    assert check.returncode == 0, check.stdout + check.stderr


def test_bold_lead_that_find_lead_would_not_find_is_written_out(issue: Path, tmp_path: Path) -> None:
    lead = "坚持数字赋能，“线上+线下”征集民意。"
    source = make_docx(tmp_path / "c.docx", [
        [(P1, False)],
        [(lead, True), ("从“代表码”征集的民意中，梳理涉及的内容 120 余条。", False)],
        [("一是", True), ("聚焦阵地建设，夯实履职基础。建成联络站 18 个。", False)],  # bold differs from find_lead's
    ], attribution="(拱墅区人大常委会办公室 王小明)")
    result = run_cli("import", "docx", str(source), "--column", "代表工作", "--into", str(issue))
    assert result.returncode == 0, result.stderr
    data = yaml.safe_load(issue.read_text(encoding="utf-8"))
    article = next(c for c in data["columns"] if c["name"] == "代表工作")["articles"][-1]
    assert article["paragraphs"][1] == {"text": lead + "从“代表码”征集的民意中，梳理涉及的内容 120 余条。", "lead": lead}
    assert article["paragraphs"][2] == {"text": "一是聚焦阵地建设，夯实履职基础。建成联络站 18 个。", "lead": "一是"}
    assert article["attribution"] == "拱墅区人大常委会办公室 王小明"
    loaded = next(c for c in load_issue(issue).columns if c.name == "代表工作").articles[-1]
    assert [p.lead for p in loaded.paragraphs] == ["", lead, "一是"]
    assert run_cli("check", str(issue)).returncode == 0


def test_new_column_and_review_comments(issue: Path, tmp_path: Path) -> None:
    source = make_docx(tmp_path / "c.docx", [[(P1, False)], [(P3, False)]], attribution="")
    result = run_cli("import", "docx", str(source), "--column", "基层动态", "--into", str(issue))
    assert result.returncode == 0, result.stderr
    text = issue.read_text(encoding="utf-8")
    assert "  - name: 基层动态\n    articles:\n" in text
    assert text.index("  - name: 基层动态") < text.index("briefs:")
    lines = text.splitlines()
    review = next(i for i, l in enumerate(lines) if "# review:" in l)
    assert "署名" in lines[review] and lines[review + 1].strip() == "paragraphs:"
    assert f"{issue}:{review + 1}: 待核对 (review):" in result.stderr
    names = [c.name for c in load_issue(issue).columns]
    assert names[-1] == "基层动态" and len(names) == 6


def test_not_a_word_file(issue: Path, tmp_path: Path) -> None:
    bad = tmp_path / "bad.docx"
    bad.write_bytes(b"PK\x03\x04 not really a zip")
    before = issue.read_bytes()
    result = run_cli("import", "docx", str(bad), "--into", str(issue))
    assert result.returncode == 1
    assert "Traceback" not in result.stderr and "docx" in result.stderr
    assert issue.read_bytes() == before
