"""What an editor sees when something is wrong: one line naming file, line and field; no traceback;
no PDF written, and a good PDF already in place left as it was."""

from __future__ import annotations

import shutil
from pathlib import Path


from conftest import ROOT, run_cli


def build_over_good_pdf(issue: Path, tmp_path: Path) -> tuple[int, str, bytes, Path]:
    out = tmp_path / "out.pdf"
    out.write_bytes(b"%PDF-1.7 a good PDF from before")
    result = run_cli("build", str(issue), "-o", str(out))
    return result.returncode, result.stderr, out.read_bytes(), out


def assert_refused(code: int, err: str, pdf: bytes, where: str) -> None:
    assert code != 0
    assert "Traceback" not in err
    assert where in err, err
    assert pdf == b"%PDF-1.7 a good PDF from before"


def test_missing_file(tmp_path: Path) -> None:
    code, err, pdf, out = build_over_good_pdf(tmp_path / "nope.yaml", tmp_path)
    assert_refused(code, err, pdf, "nope.yaml: 文件不存在")
    assert list(tmp_path.iterdir()) == [out]  # no temporary file left behind


def test_malformed_yaml(sample_copy: Path, tmp_path: Path) -> None:
    issue = sample_copy
    lines = issue.read_text(encoding="utf-8").splitlines()
    lines[5] = "date: [2024-08-16"  # an unclosed bracket on line 6
    issue.write_text("\n".join(lines), encoding="utf-8")
    code, err, pdf, _ = build_over_good_pdf(issue, tmp_path)
    assert_refused(code, err, pdf, f"{issue}:7:")
    assert "YAML" in err


def test_missing_required_field(sample_copy: Path, tmp_path: Path) -> None:
    issue = sample_copy
    text = issue.read_text(encoding="utf-8")
    issue.write_text(text.replace("        paragraphs:\n", "        paragrafs:\n", 1), encoding="utf-8")
    line = text.splitlines().index("        paragraphs:") + 1
    code, err, pdf, _ = build_over_good_pdf(issue, tmp_path)
    assert_refused(code, err, pdf, f"{issue}:{line}:9: columns[0].articles[0].paragrafs: 未知字段")
    assert "paragraphs" in err  # the suggestion
    assert "columns[0].articles[0]: 缺少必填字段 (missing field) paragraphs" in err


def test_missing_field_of_the_merged_issue(sample_copy: Path, tmp_path: Path) -> None:
    pub = sample_copy.parents[1] / "publication.yaml"
    pub.write_text(pub.read_text(encoding="utf-8").replace("compiler:", "# compiler:"), encoding="utf-8")
    code, err, pdf, _ = build_over_good_pdf(sample_copy, tmp_path)
    assert_refused(code, err, pdf, "缺少必填字段 (missing field) compiler")


def test_help_on_every_command() -> None:
    for args in (["--help"], ["build", "--help"]):
        result = run_cli(*args)
        assert result.returncode == 0 and "Usage:" in result.stdout


def test_default_output_path(tmp_path: Path) -> None:
    shutil.copytree(ROOT / "issues", tmp_path / "issues")
    result = run_cli("build", "issues/2024/12.yaml", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "build" / "2024-12.pdf").read_bytes().startswith(b"%PDF-")


def test_a_lead_that_does_not_begin_its_paragraph(sample_copy: Path, tmp_path: Path) -> None:
    text = sample_copy.read_text(encoding="utf-8")
    first = "          - 市人大常委会积极探索"
    assert first in text
    sample_copy.write_text(text.replace(first, "          - lead: 一是别的句子。\n            text: 市人大常委会积极探索", 1),
                           encoding="utf-8")
    line = sample_copy.read_text(encoding="utf-8").splitlines().index("          - lead: 一是别的句子。") + 1
    code, err, pdf, _ = build_over_good_pdf(sample_copy, tmp_path)
    assert_refused(code, err, pdf, f"{sample_copy}:{line}:")
    assert "columns[0].articles[0].paragraphs[0].lead: 引导句须是该段开头的原文" in err
