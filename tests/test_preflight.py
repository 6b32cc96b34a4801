"""The preflight: laid-out pages with a fault of each kind are refused, located at the field
that caused it; `--draft` writes them anyway, marked; `check --preflight` says the same."""

from __future__ import annotations

import io
import shutil
from pathlib import Path

import pdfplumber
import pytest

from bulletin_print.paths import LAYOUT_DIR
from conftest import ROOT, SAMPLE, run_cli

HEAD = ('<!DOCTYPE html><html lang="zh-CN"><head><meta charset="utf-8">'
        '<link rel="stylesheet" href="bulletin.css"></head><body><main>')
COLOPHON = ('</main><p class="colophon-call"><span class="colophon" data-field="distribution">'
            '<span class="editor"><span>本期责任编辑：某</span><span>电话：1</span></span></span></p></body></html>')


def para(text: str, field: str = "columns[0].articles[0].paragraphs[0]", style: str = "") -> str:
    return f'<p class="para" data-field="{field}" style="{style}">{text}</p>'


def faults(body: str, colophon: str = COLOPHON) -> dict[str, list[str]]:
    """The preflight's faults of a document, by field; a PDF is written only without them."""
    from bulletin_print import typeset

    done = typeset.typeset(HEAD + body + colophon, LAYOUT_DIR)
    assert (done.pdf is None) == bool(done.faults)
    found: dict[str, list[str]] = {}
    for f in done.faults:
        found.setdefault(".".join(map(str, f.path)), []).append(f.message)
    return found


def test_clean_pages_pass() -> None:
    assert faults(para("市人大常委会积极探索人大财经监督。") + para("与审计监督高效融合新路径。", "briefs.items[0].text")) == {}


def test_text_outside_the_text_block() -> None:
    found = faults(para("超" * 30))  # 28 fit
    assert list(found) == ["columns.0.articles.0.paragraphs.0"]
    assert "超出版心 " in found["columns.0.articles.0.paragraphs.0"][0]


def test_text_off_the_paper() -> None:
    found = faults(para("超" * 40))
    assert "超出纸张" in found["columns.0.articles.0.paragraphs.0"][0]


def test_text_printed_over_other_text() -> None:
    over = para("甲乙丙丁", "columns[0].articles[1].paragraphs[0]", "margin-top: -1.6em")
    found = faults(para("市人大常委会") + over)
    assert any("重叠" in m for m in found["columns.0.articles.1.paragraphs.0"])


def test_a_line_off_the_grid() -> None:
    found = faults(para("第一行") + para("偏离", "columns[1].articles[0].paragraphs[2]", "margin-top: 3pt"))
    assert found == {"columns.1.articles.0.paragraphs.2": [
        "第1页有一行偏离版心网格 (a line off the grid)：请检查其中的生僻字或符号 (look for a rare character or symbol in it)"]}


def test_a_page_that_ends_in_a_title() -> None:
    title = '<h2 class="title" data-field="columns[0].articles[3].title" style="break-after: page">标题</h2>'
    found = faults(para("前文") + title + para("正文"))
    assert found == {"columns.0.articles.3.title": [
        "第1页以标题结尾，正文在下一页，请增删前文 (a page ends with a title: add or cut text before it)"]}


def test_an_empty_page() -> None:
    found = faults(para("前") + '<p style="break-before: page"></p><p class="para" style="break-before: page">后</p>')
    assert found == {"": ["第2页是空白页 (page 2 is empty)"]}


@pytest.mark.parametrize("entries", [30, 60])  # WeasyPrint drops the first, and lets the second run off the page
def test_a_colophon_that_no_page_can_hold(entries: int) -> None:
    lines = "".join('<span class="entry">发：市人大常委会组成人员，市人大机关各部门，各区、县（市）人大常委会</span>'
                    for _ in range(entries))
    colophon = COLOPHON.replace('<span class="editor">', f'<span class="distribution">{lines}</span><span class="editor">')
    found = faults(para("正文"), colophon)
    assert any("版记" in m or "超出纸张" in m for m in found["distribution"])


# ---- the whole way through: build, --draft, check --preflight ------------------------------


@pytest.fixture(scope="module")
def tall_colophon(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The sample, its publication's 发 lists too long for any page, though each within its limit."""
    root = tmp_path_factory.mktemp("tall") / "issues"
    (root / "2024").mkdir(parents=True)
    shutil.copy(SAMPLE, root / "2024" / "12.yaml")
    publication = (ROOT / "issues" / "publication.yaml").read_text(encoding="utf-8")
    line = "市人大常委会组成人员，市人大机关各部门，各区、县（市）人大常委会"
    long = ((line + "，") * 9)[:290]
    more = "".join(f"\n  - label: 发\n    text: {long}" for _ in range(7))
    (root / "publication.yaml").write_text(publication.replace(line, long + more), encoding="utf-8")
    return root / "2024" / "12.yaml"


def test_a_fault_the_layout_cannot_avoid_is_an_error_and_no_pdf(tall_colophon: Path, tmp_path: Path) -> None:
    out = tmp_path / "out.pdf"
    result = run_cli("build", str(tall_colophon), "-o", str(out))
    assert result.returncode == 1 and "Traceback" not in result.stderr
    publication = tall_colophon.parents[1] / "publication.yaml"
    line = 1 + publication.read_text(encoding="utf-8").splitlines().index("distribution:                  # 版记: the usual 送/发 lines")
    assert f"{publication}:{line + 1}:3: distribution: 版记" in result.stderr, result.stderr
    assert not out.exists() and not list(tmp_path.iterdir())

    checked = run_cli("check", "--preflight", "-q", str(tall_colophon))
    assert checked.returncode == 1 and f"{publication}:{line + 1}:3: distribution: 版记" in checked.stdout
    assert not list(tmp_path.iterdir())


def test_a_draft_is_written_marked_on_every_page(tall_colophon: Path, tmp_path: Path) -> None:
    result = run_cli("build", str(tall_colophon), "--draft", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "distribution: 版记" in result.stderr and "草稿 (draft)" in result.stderr
    pdf = tmp_path / "build" / "2024-12.draft.pdf"  # never in the place of the issue's own PDF
    with pdfplumber.open(io.BytesIO(pdf.read_bytes())) as doc:
        assert all("草稿" in (page.extract_text() or "") for page in doc.pages)
