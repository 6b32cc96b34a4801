"""The one way through (pipeline.run), called directly: what `build FILE`, each worker of
`build FOLDER`, `preview` and `watch` get back for an issue."""

from __future__ import annotations

import io
from pathlib import Path

import pypdf
from conftest import SAMPLE, make_archive

from bulletin_print import check, finish, pipeline
from bulletin_print.model import Fault


def test_the_sample_gives_its_pdf_and_only_warnings() -> None:
    result = pipeline.run(SAMPLE, finish.Options())
    assert result.ok and result.errors == []
    assert result.pages == len(pypdf.PdfReader(io.BytesIO(result.pdf)).pages) >= 2
    assert all(p.severity == "warning" for p in result.problems)


def test_a_wrong_total_gives_no_pdf_and_the_ledgers_message(tmp_path: Path) -> None:
    first = make_archive(tmp_path / "issues")
    text = SAMPLE.read_text(encoding="utf-8")
    second = first.with_name("13.yaml")
    second.write_text(text.replace("number: 12", "number: 13").replace("total: 700", "total: 702")
                      .replace("date: 2024-08-16", "date: 2024-08-30"), encoding="utf-8")
    result = pipeline.run(second, finish.Options())
    assert result.pdf is None and not result.ok
    assert [(p.field, p.line) for p in result.errors] == [("total", 5)]  # total: is on line 5
    assert "应为总第701期" in result.errors[0].message
    assert pipeline.run(first, finish.Options()).ok  # the issue before it is not to blame


def test_a_fault_of_a_later_step_is_put_on_its_fields_line(tmp_path: Path) -> None:
    issue = make_archive(tmp_path / "issues")
    checked, _ = check.examine([issue])
    lines = issue.read_text(encoding="utf-8").splitlines()
    title = pipeline.locate(Fault(("columns", 0, "articles", 0, "title"), "x"), checked[0])
    assert title.file == str(issue) and "市人大常委会持续推动" in lines[title.line - 1]  # the value, a list
    # the 版记's lines come from the publication file, where the editor finds them
    distribution = pipeline.locate(Fault(("distribution", 1, "text"), "x"), checked[0])
    assert Path(distribution.file).name == "publication.yaml" and distribution.line > 0
    assert distribution.code == pipeline.LAYOUT and distribution.field == "distribution[1].text"
