"""The traps of a hand-edited issue file (issue 13): a key written with a full-width colon, a tab,
an unquoted " #" that cuts a text. Each is said in Chinese and English, at its own line, with how
to mend it; PyYAML's other messages come after a Chinese lead-in."""

from __future__ import annotations

from pathlib import Path

import pytest

from bulletin_print import load
from bulletin_print.model import IssueError

ISSUE = """\
edition: 普刊
number: 3
total: 40
date: 2024-03-01
editor: 杨青青
columns:
  - name: 要闻
    articles:
      - title: 标题
        paragraphs:
          - 第一段文字。
          - 第二段文字。  # an editor's note, two spaces before it
"""


def problems(tmp_path: Path, text: str) -> list:
    path = tmp_path / "3.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(IssueError) as caught:
        load.read(path)
    return caught.value.problems


def test_a_clean_file_reads(tmp_path: Path) -> None:
    path = tmp_path / "3.yaml"
    path.write_text(ISSUE, encoding="utf-8")
    assert load.read(path).data["columns"][0]["articles"][0]["paragraphs"][1] == "第二段文字。"


def test_a_full_width_colon_is_said_at_its_own_line(tmp_path: Path) -> None:
    (p,) = problems(tmp_path, ISSUE.replace("editor: 杨青青", "editor：杨青青"))
    assert p.line == 5 and "全角冒号" in p.message and "full-width colon" in p.message and "editor: " in p.message


def test_a_full_width_colon_on_the_last_line(tmp_path: Path) -> None:
    (p,) = problems(tmp_path, "edition: 普刊\nnumber: 3\neditor：杨青青\n")
    assert p.line == 3 and "全角冒号" in p.message


def test_a_full_width_colon_in_a_list_item(tmp_path: Path) -> None:
    (p,) = problems(tmp_path, ISSUE.replace("      - title: 标题", "      - title：标题"))
    assert p.line == 9 and "全角冒号" in p.message and "title: " in p.message


def test_a_tab_is_said_at_its_line(tmp_path: Path) -> None:
    (p,) = problems(tmp_path, ISSUE.replace("total: 40", "\ttotal: 40"))
    assert p.line == 3 and "制表符" in p.message and "tab" in p.message and "spaces" in p.message


def test_a_tab_indenting_a_line(tmp_path: Path) -> None:
    (p,) = problems(tmp_path, ISSUE.replace("          - 第一段文字。", "\t  - 第一段文字。"))
    assert p.line == 11 and "制表符" in p.message


@pytest.mark.parametrize("glued", ["第一段 #3号文件要求", "第一段文字 # 其余", "话题#一 #二"])
def test_a_text_cut_by_a_hash_is_said_at_its_line(tmp_path: Path, glued: str) -> None:
    (p,) = problems(tmp_path, ISSUE.replace("第一段文字。", glued))
    assert p.line == 11 and p.field == "columns[0].articles[0].paragraphs[0]"
    assert "截断" in p.message and "quotes" in p.message


def test_a_quoted_hash_is_text(tmp_path: Path) -> None:
    path = tmp_path / "3.yaml"
    path.write_text(ISSUE.replace("第一段文字。", '"第一段 #3号文件要求"'), encoding="utf-8")
    assert load.read(path).data["columns"][0]["articles"][0]["paragraphs"][0] == "第一段 #3号文件要求"


def test_other_yaml_mistakes_get_a_chinese_lead_in(tmp_path: Path) -> None:
    (p,) = problems(tmp_path, ISSUE.replace("date: 2024-03-01", "date: [2024-03-01"))
    assert p.message.startswith("YAML 格式错误 (malformed YAML)：") and "请" in p.message


def test_a_short_value_may_carry_a_comment_after_one_space(tmp_path: Path) -> None:
    path = tmp_path / "3.yaml"
    path.write_text(ISSUE.replace("editor: 杨青青", "editor: 杨青青 # 本期责任编辑"), encoding="utf-8")
    assert load.read(path).data["editor"] == "杨青青"
