"""The 版记 lands at the foot of the last page however the text falls: WeasyPrint loses a footnote
that overflows the last page, which `typeset` must catch."""

from __future__ import annotations

import io
from pathlib import Path

import pdfplumber
import pytest
import yaml

from conftest import SAMPLE, make_archive


def issue_text(drop: int) -> str:
    """The sample with its last `drop` paragraphs (counting back from the briefs) removed."""
    data = yaml.safe_load(SAMPLE.read_text(encoding="utf-8"))
    for _ in range(drop):
        last = data["columns"][-1]["articles"][-1]
        if len(last["paragraphs"]) > 1:
            last["paragraphs"].pop()
        else:
            data["columns"][-1]["articles"].pop()
    data["date"] = data["date"].isoformat()
    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False)


# with 2 and 5 paragraphs fewer than the sample, WeasyPrint alone loses the 版记 (measured)
@pytest.mark.parametrize("drop", range(6))
def test_colophon_is_on_the_last_page_only(tmp_path: Path, drop: int) -> None:
    from bulletin_print import load, render, typeset

    issue = make_archive(tmp_path, issue_text(drop))
    pdf = typeset.typeset(render.render(load.load_issue(issue)).html, issue.parent).pdf
    with pdfplumber.open(io.BytesIO(pdf)) as doc:
        texts = [page.extract_text() or "" for page in doc.pages]
    assert [("本期责任编辑" in t) for t in texts] == [False] * (len(texts) - 1) + [True]
    assert "送：省人大常委会办公厅" in texts[-1]
