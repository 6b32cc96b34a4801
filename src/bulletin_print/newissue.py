"""The text of a new issue's file (`bulletin-print new`): the next 期 and 总第, what the last issue
says that the next one will say again, and stand-ins (placeholders) for the rest."""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

import yaml

from bulletin_print import load
from bulletin_print.model import Issue, IssueError, Problem


class Refused(Exception):
    """The next issue's file was not made: the lines that say why, and the exit code of `new`
    (2 for a wrong option, 1 otherwise)."""

    def __init__(self, lines: list[str], code: int = 1) -> None:
        super().__init__("\n".join(lines))
        self.lines = lines
        self.code = code


def create(archive: Path, edition: str, date: dt.date) -> tuple[Path, str]:
    """Write the next issue of `edition` in `archive` (`bulletin-print new`, and the archive page's
    button in `serve`): its file, never over one that is there, and its label
    (普刊2024年第13期（总第701期）). An archive without its publication.yaml gets no issue: the
    issue would know no 刊名, 编印单位, 版记 or 电话. Raises Refused."""
    from bulletin_print import check, ledger, publication

    pub = publication.publication_of_archive(archive) if archive.is_dir() else None
    if pub is None:
        what = "文件夹不存在 (archive folder not found)" if not archive.is_dir() else \
            (f"没有 {load.PUBLICATION_FILE}：新的一期不知道刊名、编印单位、版记和电话"
             f" (no {load.PUBLICATION_FILE} for the new issue's masthead and 版记)")
        raise Refused([str(Problem(str(archive), 0, 0, "", what, hint=INIT_HINT))])
    try:
        doc = load.read(pub)
        if problems := load.validate(doc):
            raise IssueError(problems)
        editions, title = doc.data.get("editions", ["普刊", "增刊", "专刊"]), doc.data.get("title", "")
        if edition not in editions:
            raise Refused([f"--edition: 刊别应为 {'、'.join(editions)} 之一 (edition must be one of them)"], 2)
        first = doc.data.get("first_number", 1)
        start = (first, doc.data.get("first_total", first)) if edition == editions[0] else (1, 1)
        target, number, total, last = ledger.next_issue(archive, edition, date, start)
    except IssueError as e:
        raise Refused([check.describe(problem) for problem in e.problems]) from None
    if last is not None and date < last.date:
        raise Refused([f"--date: {date} 早于上一期的日期 {last.date} (date goes backwards)"])
    inside = os.path.realpath(archive)
    if os.path.commonpath([inside, os.path.realpath(target)]) != inside:
        raise Refused([str(Problem(str(target), 0, 0, "", f"不在档案文件夹 {archive} 之内，未写入 (outside the archive folder: not written)"))])
    text = new_issue_text(target, edition, number, total, date, last, title, publication.schema_for(archive))
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        with open(target, "x", encoding="utf-8") as f:  # never over a file, nor through a link, that is there
            f.write(text)
    except FileExistsError:
        raise Refused([str(Problem(str(target), 0, 0, "", "文件已存在，未改动 (file exists, left as it was)"))]) from None
    except OSError as e:
        raise Refused([str(Problem(str(target), 0, 0, "", f"无法写入 (cannot write): {e.strerror}"))]) from None
    return target, f"{edition}{date.year}年第{number}期（总第{total}期）"


INIT_HINT = ("在刊物文件夹中运行，或先用 bulletin-print init 文件夹 --title 刊名 --compiler 编印单位 建立刊物 "
             "(run it in a publication's folder, or make one with bulletin-print init)")


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
