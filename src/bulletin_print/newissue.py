"""The text of a new issue's file (`bulletin-print new`): the next 期 and 总第, what the last issue
says that the next one will say again, and stand-ins (placeholders) for the rest."""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

import yaml

from bulletin_print import load
from bulletin_print.model import Issue


def new_issue_text(target: Path, edition: str, number: int, total: int, date: dt.date, last: Issue | None,
                   title: str, schema_file: Path) -> str:
    """The new issue's file, naming `schema_file` for editors' YAML tools. Every value taken from
    elsewhere (the last issue's editor and 栏目, the edition) is written by the YAML emitter, so
    that it reads back as the same text."""
    schema = os.path.relpath(schema_file.resolve(), target.parent.resolve())
    column = last.columns[0].name if last and last.columns else "要闻速递"
    editor = last.editor if last else "（责任编辑）"
    label = " ".join(f"《{title}》{date.year}年第{number}期（总第{total}期）".split())  # a comment is one line
    return (
        f"# yaml-language-server: $schema={Path(schema).as_posix()}\n"
        f"# {label}\n"
        f"edition: {yaml_scalar(edition)}\n"
        f"number: {number}          # 期: counts within the year\n"
        f"total: {total}         # 总第: counts across all years\n"
        f"date: {date.isoformat()}\n"
        f"editor: {yaml_scalar(editor)}       # 本期责任编辑\n"
        f"columns:\n"
        f"  - name: {yaml_scalar(column)}\n"
        f"    articles:\n"
        f"      - title: （标题）\n"
        f"        paragraphs:\n"
        f"          - （正文）\n"
        f"        attribution: （单位 姓名）\n"
    )


def yaml_scalar(value: str) -> str:
    """`value` as the YAML emitter writes it, on one line: plain where YAML reads that back as the
    same text, quoted where it would not ('no', '要闻: 速递', '12'), escaped in double quotes
    where it holds a line break or a character the tool does not read in a file (load.NOT_IN_YAML)."""
    text = yaml.safe_dump(value, allow_unicode=True, width=1 << 30).removesuffix("\n...\n").removesuffix("\n")
    if "\n" in text or load.NOT_IN_YAML.search(text):
        text = yaml.safe_dump(value, allow_unicode=True, width=1 << 30, default_style='"').removesuffix("\n")
    return text
