"""`import text`: the plain text of a printed issue back into an issue file.

The round trip: the sample's text dump (tests/fixtures/hangzhou-renda-2024-12.txt) gives, line for
line, issues/2024/12.yaml, and its PDF has all 66 text blocks of the reference, in order. Text
the reader cannot place is still imported, with a `# review:` comment that the command reports.
"""

from __future__ import annotations

import difflib
import re
import shutil
from pathlib import Path

import pytest
import yaml

from conftest import FIXTURES, REFERENCE, ROOT, SAMPLE, run_cli
from bulletin_print.importers import text as text_importer
from bulletin_print.importers.writer import dump_issue, needs_quotes, scalar

TEXT = FIXTURES / "hangzhou-renda-2024-12.txt"
REVIEW = re.compile(r"^\s*# review: ")


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A project folder as an editor has it: schema/, issues/publication.yaml, no issues yet."""
    (tmp_path / "issues").mkdir()
    (tmp_path / "schema").mkdir()
    shutil.copy(ROOT / "issues" / "publication.yaml", tmp_path / "issues")
    shutil.copy(ROOT / "schema" / "issue.schema.json", tmp_path / "schema")
    return tmp_path


def diff_less_reviews(expected: str, got: str) -> tuple[list[str], list[str]]:
    """The diff between two issue files: (lines that are review comments, every other changed line)."""
    changed = [l for l in difflib.unified_diff(expected.splitlines(), got.splitlines(), lineterm="", n=0)
               if l[:1] in "+-" and not l.startswith(("+++", "---"))]
    reviews = [l for l in changed if l.startswith("+") and REVIEW.match(l[1:])]
    return reviews, [l for l in changed if l not in reviews]


def import_into(project: Path, source: Path, *extra: str):
    return run_cli("import", "text", str(source), *extra, cwd=project)


def test_round_trip_gives_the_sample_file(project: Path) -> None:
    result = import_into(project, TEXT)
    assert result.returncode == 0, result.stderr
    out = project / "issues" / "2024" / "12.yaml"  # the path from the masthead's date and 期
    assert result.stdout.strip() == str(Path("issues/2024/12.yaml"))
    reviews, other = diff_less_reviews(SAMPLE.read_text(encoding="utf-8"), out.read_text(encoding="utf-8"))
    assert other == [], "\n".join(other)
    assert reviews == []  # the sample's text is placed with confidence throughout
    assert out.read_text(encoding="utf-8") == SAMPLE.read_text(encoding="utf-8")  # byte for byte
    assert "待核对" not in result.stderr


def test_round_trip_pdf_fidelity(project: Path, tmp_path: Path) -> None:
    from pdfcheck import measure

    assert import_into(project, TEXT).returncode == 0
    issue = project / "issues" / "2024" / "12.yaml"
    check = run_cli("check", str(issue))
    assert check.returncode == 0, check.stdout + check.stderr
    pdf = tmp_path / "imported.pdf"
    built = run_cli("build", str(issue), "-o", str(pdf))
    assert built.returncode == 0, built.stderr
    fidelity = measure(str(pdf), str(REFERENCE), 156)["fidelity"]
    assert fidelity["found_in_order"] == fidelity["blocks"] == 66, fidelity["missing"]
    assert fidelity["toc_titles_on_page_1"] == fidelity["toc_titles"] == 8


def test_full_width_brackets_and_spaces_read_alike(project: Path, tmp_path: Path) -> None:
    """（…） attributions, a full-width space in one, CRLF line ends: the same issue file."""
    text = TEXT.read_text(encoding="utf-8")
    text = text.replace("(预算工委 吴颖)", "（预算工委　吴颖）").replace("\n", "\r\n")
    source = tmp_path / "variant.txt"
    source.write_bytes(text.encode("utf-8"))
    result = import_into(project, source)
    assert result.returncode == 0, result.stderr
    assert (project / "issues/2024/12.yaml").read_text(encoding="utf-8") == SAMPLE.read_text(encoding="utf-8")


def test_unsure_places_get_review_comments_and_are_reported(project: Path, tmp_path: Path) -> None:
    text = TEXT.read_text(encoding="utf-8")
    text = text.replace("- 信息摘登** 2 则", "- 信息摘登** 3 则")  # the 目录 promises a third brief
    text = text.replace("实践中不断深化贯通", "实践中不断深化贯通 2\n\n024")  # a page break between two digits
    source = tmp_path / "doubtful.txt"
    source.write_text(text, encoding="utf-8")
    result = import_into(project, source)
    assert result.returncode == 0, result.stderr  # still an issue that check accepts
    out = project / "issues" / "2024" / "12.yaml"
    got = out.read_text(encoding="utf-8")
    reviews, other = diff_less_reviews(SAMPLE.read_text(encoding="utf-8"), got)
    assert len(reviews) == 2, reviews
    assert all(l.startswith(("-          - 市人大常委会积极探索", "+          - 市人大常委会积极探索")) for l in other), other
    lines = got.splitlines()
    for line_no in (i + 1 for i, l in enumerate(lines) if REVIEW.match(l)):
        assert f"{out.relative_to(project)}:{line_no}: 待核对 (review):" in result.stderr
    briefs_review = next(l for l in lines if "则" in l and REVIEW.match(l))
    assert lines[lines.index(briefs_review) + 1].strip() == "items:"
    assert "2 places to review" in result.stderr
    check = run_cli("check", str(out))
    assert check.returncode == 0, check.stdout


def test_title_unlike_its_toc_entry_is_placed_and_reported(tmp_path: Path) -> None:
    text = TEXT.read_text(encoding="utf-8").replace("临平区:持续发力推动河长制工作走深走实\n\n临平区人大",
                                                     "临平区:持续发力推动河长制走深走实\n\n临平区人大")
    imported = text_importer.parse(text)
    linping = imported.data["columns"][-1]["articles"][1]
    assert linping["title"] == "临平区:持续发力推动河长制走深走实"  # as printed in the text: one line, the tool's to break
    assert linping["paragraphs"][0].startswith("临平区人大常委会深入贯彻")
    assert [(r.path, "目录" in r.message) for r in imported.reviews] == [(("columns", 4, "articles", 1, "title"), True)]


def test_title_missing_from_the_text_is_reported_and_its_text_kept(tmp_path: Path) -> None:
    text = TEXT.read_text(encoding="utf-8").replace("临平区:持续发力推动河长制工作走深走实\n\n临平区人大",
                                                     "临平区人大")
    imported = text_importer.parse(text)
    assert any("临平区:持续发力推动河长制工作走深走实" in str(r) for r in imported.reviews)
    west_lake = imported.data["columns"][-1]["articles"][0]
    assert any(p.startswith("临平区人大常委会深入贯彻") for p in west_lake["paragraphs"])
    written = dump_issue(imported.data, tmp_path / "x.yaml", imported.reviews, defaults={})
    assert written.text.count("# review:") == len(imported.reviews) >= 2


def test_overwrite_refused_without_force(project: Path) -> None:
    assert import_into(project, TEXT).returncode == 0
    out = project / "issues" / "2024" / "12.yaml"
    out.write_text("# mine\n", encoding="utf-8")
    again = import_into(project, TEXT)
    assert again.returncode == 1 and "--force" in again.stderr
    assert out.read_text(encoding="utf-8") == "# mine\n"
    assert import_into(project, TEXT, "--force").returncode == 0
    assert out.read_text(encoding="utf-8") == SAMPLE.read_text(encoding="utf-8")


def test_values_that_differ_from_the_publication_are_written(project: Path) -> None:
    pub = project / "issues" / "publication.yaml"
    pub.write_text(pub.read_text(encoding="utf-8").replace("85250657", "85250000"), encoding="utf-8")
    result = import_into(project, TEXT, "-o", "issues/2024/12.yaml")
    assert result.returncode == 0, result.stderr
    data = yaml.safe_load((project / "issues/2024/12.yaml").read_text(encoding="utf-8"))
    assert data["phone"] == "(0571)85250657"
    assert "distribution" not in data and "title" not in data and "compiler" not in data


def test_without_a_publication_file_everything_is_written(tmp_path: Path) -> None:
    imported = text_importer.parse(TEXT.read_text(encoding="utf-8"))
    written = dump_issue(imported.data, tmp_path / "12.yaml", imported.reviews, defaults={})
    data = yaml.safe_load(written.text)
    assert data["title"] == "杭州人大信息"
    assert data["compiler"] == "杭州市人大常委会研究室编"
    assert data["distribution"] == [{"label": "送", "text": "省人大常委会办公厅、研究室"},
                                    {"label": "发", "text": "市人大常委会组成人员，市人大机关各部门，各区、县（市）人大常委会"}]
    assert data["phone"] == "(0571)85250657"
    (tmp_path / "12.yaml").write_text(written.text, encoding="utf-8")
    from bulletin_print.load import load_issue

    assert load_issue(tmp_path / "12.yaml").phone == "(0571)85250657"


@pytest.mark.parametrize("value, quoted", [
    ("市人大常委会持续推动", False),
    ("“人大+审计”协同机制走深走实", True),
    ("滨江区:多措并举", True),
    ("余杭区：鸬鸟镇", False),
    ("12", True), ("true", True), ("2024-08-16", True), ("null", True),
    ("- 列表", True), ("#号", True), ("a # b", True), (" 前导空格", True),
    ('带"引号"的', False), ("反斜杠\\", False),
])
def test_scalars_quoted_only_where_needed(value: str, quoted: bool) -> None:
    assert needs_quotes(value) is quoted
    assert yaml.safe_load(f"k: {scalar(value)}")["k"] == value
