"""Paragraphs built to break a line in the worst places, typeset through the whole pipeline and
measured on the PDF: flush right edges, no line-breaking faults, the text layer intact."""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path

import pytest

from conftest import run_cli, make_archive

# Common characters (all in the body font), cut into lengths that put a mark where it hurts.
HAN = ("市人大常委会积极探索人大财经监督与审计监督高效融合新路径逐步构建起同向发力同步协调同频共振的"
       "经济监督新格局审计局在制定年度审计项目计划时与预算工委制定年度监督工作计划相配合共同面向代表")
FIRST = 26  # characters on a paragraph's first line after its two-character indent


def han(n: int, start: int = 0) -> str:
    return (HAN * 3)[start:start + n]


PARAGRAPHS = [
    han(FIRST) + "，" + han(40, 5) + "。",                        # a comma in the 29th cell
    han(FIRST + 27) + "“" + han(12, 3) + "”" + han(10) + "。",       # an opening quote in the 28th cell
    han(FIRST - 3) + "“" + han(2) + "”）。" + han(30, 7) + "。",    # a run of closing marks at the line's end
    han(FIRST - 1) + "——" + han(20) + "……" + han(FIRST - 6, 4) + "……" + han(9) + "。",  # —— and …… at breaks
    han(FIRST - 5) + "13800138000" + han(10) + "2024年8月16日" + han(12) + "增长12.5%" + han(20) + "。",
    han(FIRST - 4) + "WeasyPrint" + han(14) + "AI PC" + han(22) + "。",
    han(FIRST + 27) + "会。",                                         # would end in one lone character
]


@pytest.fixture(scope="module")
def adversarial(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    root = tmp_path_factory.mktemp("adversarial")
    items = "\n".join(f'          - "{p}"' for p in PARAGRAPHS)
    issue = make_archive(root, f"""edition: 普刊
number: 12
total: 700
date: 2024-08-16
editor: 杨青青
columns:
  - name: 要闻速递
    articles:
      - title: 断行测试
        paragraphs:
{items}
        attribution: 研究室
""")
    pdf = root / "out.pdf"
    result = run_cli("build", str(issue), "-o", str(pdf))
    assert result.returncode == 0, result.stderr
    reference = root / "reference.json"
    reference.write_text(json.dumps({"blocks": PARAGRAPHS}, ensure_ascii=False), encoding="utf-8")
    return pdf, reference


def test_adversarial_paragraphs_are_set_to_the_rules(adversarial: tuple[Path, Path]) -> None:
    from pdfcheck import measure

    pdf, reference = adversarial
    report = measure(str(pdf), str(reference), 156)
    assert report["fidelity"]["found_in_order"] == len(PARAGRAPHS), report["fidelity"]["missing"]
    assert report["kinsoku_violations"] == 0, report["kinsoku_examples"]
    assert report["ragged_lines"] == 0, report["ragged_examples"]
    assert report["off_grid_lines"] == 0


def test_adversarial_text_layer_is_the_source(adversarial: tuple[Path, Path]) -> None:
    pdf, _ = adversarial
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    lines = [line for line in text.replace("\f", "\n").split("\n") if line.strip()]
    joined = "".join(line for line in lines if not re.fullmatch(r"\s*—\s*\d+\s*—\s*", line))
    for paragraph in PARAGRAPHS:
        assert re.search(" ?".join(map(re.escape, paragraph.split(" "))), joined), paragraph[:20]
    # no paragraph ends with a line of one lone character: the body runs from the article's title
    # (its second appearance, after the 目录) to its attribution
    start = [i for i, line in enumerate(lines) if line == "断行测试"][-1]
    body = lines[start + 1: lines.index("（研究室）")]
    assert len(body) > 12
    assert not any(re.fullmatch(r"[\u4e00-\u9fff][。，、；：？！”）]*", line) for line in body)
