"""The editor's preview lays an issue out again only from the pages an edit can reach
(relayout.py). After every edit of a run of them, its pages must be a whole build's, pixel for
pixel; an edit that changes a paragraph in place must have been laid out on its own few pages,
and the run must hold edits that need the whole issue laid out (another structure, the 目录's
numbers, pages that shift)."""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

import pytest

from bulletin_print import editdoc, finish, pipeline, serve

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "issues" / "2024" / "12.yaml"
PARTS = ROOT / "tests" / "stress" / "parts"
SENTENCE = "同时进一步完善工作机制，推动形成监督合力，取得了较好的成效和反响，得到了社会各界的充分肯定。"

# (what the edit is, the text it replaces, its replacement, how it must be laid out: "few"
# pages again, or "any" way, a whole layout included)
SAMPLE_EDITS = [
    ("one character, first paragraph", "逐步构建起", "逐渐构建起", "few"),
    ("one character, mid issue", "丰富活动载体", "丰富活动形式", "few"),
    ("an attribution one character longer", "预算工委 吴颖", "预算工委 吴颖颖", "few"),
    ("the editor's name in the 版记", "editor: 杨青青", "editor: 杨青", "few"),
    ("a sentence less, late in the issue", "均被相关部门采纳吸收。", "", "any"),
    ("a sentence more: the lines after it shift", "搭建起常态化、机制化、高效率的沟通渠道。",
     "搭建起常态化、机制化、高效率的沟通渠道。" + SENTENCE, "any"),
    ("that sentence out again", SENTENCE, "", "any"),
    ("a title: the 目录 changes", "深化基层监督实践", "深化基层监督的实践", "any"),
    ("a paragraph more: another structure", "        attribution: 预算工委 吴颖颖\n",
     "          - 新增的一段，说明协同机制的下一步安排。\n        attribution: 预算工委 吴颖颖\n", "any"),
    ("one character after the new paragraph", "放大联审联动", "扩大联审联动", "few"),
]
PARTS_EDITS = [
    ("a table cell", "[预算执行, 8, 7]", "[预算执行, 9, 7]", "few"),
    ("a photo's caption", "caption: 专题询问会现场", "caption: 专题询问会会场", "few"),
    ("the article's 按语", "值得各地学习借鉴。", "值得各地认真学习借鉴。", "any"),
    ("a paragraph after the half-width chart", "有效提升了监督工作的精准度", "有效提高了监督工作的精准度", "few"),
]


def page_hashes(pdf: bytes) -> list[str]:
    import pypdfium2 as pdfium

    document = pdfium.PdfDocument(pdf)
    try:
        return [hashlib.sha256(document[i].render(scale=serve.PREVIEW_DPI / 72).to_pil().tobytes()).hexdigest()[:24]
                for i in range(len(document))]
    finally:
        document.close()


def edited_run(issue: Path, edits: list[tuple[str, str, str, str]]) -> list[tuple[str, tuple | None]]:
    """Each edit previewed in one warm previewer and checked against a whole build of the same
    text; returns each edit's pages laid out again."""
    previewer = serve.Previewer()
    laid = []
    try:
        text = issue.read_text(encoding="utf-8")
        first = previewer.build(issue, text, editdoc.to_json(editdoc.parse(text)))
        assert first.ok and first.fresh is None
        for name, old, new, _ in edits:
            assert old in text, name
            text = text.replace(old, new, 1)
            shown = previewer.build(issue, text, editdoc.to_json(editdoc.parse(text)))
            whole = pipeline.run(previewer.shadow(issue, text), finish.Options("screen"))
            assert shown.ok and whole.pdf is not None, name
            assert shown.pages == page_hashes(whole.pdf), f"{name}: the preview's pages are not a whole build's"
            laid.append((name, shown.fresh))
    finally:
        previewer.close()
    return laid


@pytest.mark.parametrize("source, edits", [(SAMPLE, SAMPLE_EDITS), (PARTS / "parts.yaml", PARTS_EDITS)],
                         ids=["sample", "parts"])
def test_every_preview_after_an_edit_is_a_whole_builds_pages(tmp_path, source, edits):
    issues = tmp_path / "issues"
    if source == SAMPLE:
        (issues / "2024").mkdir(parents=True)
        shutil.copy(ROOT / "issues" / "publication.yaml", issues)
        issue = issues / "2024" / "12.yaml"
        shutil.copy(SAMPLE, issue)
    else:
        shutil.copytree(PARTS, tmp_path / "parts")
        issue = tmp_path / "parts" / "parts.yaml"
    laid = edited_run(issue, edits)
    for (name, fresh), (_, _, _, way) in zip(laid, edits):
        if way == "few":
            assert fresh is not None and 1 <= len(fresh) <= 2, f"{name}: laid out {fresh}"
    if source == SAMPLE:
        assert any(fresh is None for _, fresh in laid), "no edit of the run needed a whole layout"
