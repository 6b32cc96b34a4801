"""The command line: parses arguments, runs the stages, turns problems into messages and exit codes.

An editor sees one line per problem (file:line:column: field: what is wrong), never a traceback.
"""

from __future__ import annotations

import sys
from pathlib import Path

import click

from bulletin_print.model import IssueError


def default_output(issue_path: Path) -> Path:
    """build/2024-12.pdf for issues/2024/12.yaml."""
    return Path("build") / f"{issue_path.parent.name}-{issue_path.stem}.pdf"


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="bulletin-print")
def main() -> None:
    """Typeset a bulletin issue (简报) from its YAML file into a print-ready PDF."""


@main.command()
@click.argument("issue", type=click.Path(path_type=Path))
@click.option("-o", "--output", type=click.Path(path_type=Path), help="Where to write the PDF (default: build/YEAR-N.pdf).")
def build(issue: Path, output: Path | None) -> None:
    """Build the PDF of ISSUE (e.g. issues/2024/12.yaml)."""
    from bulletin_print import finish, load, render, typeset

    output = output or default_output(issue)
    try:
        data = load.load_issue(issue)
        pdf = typeset.typeset(render.render(data), issue.parent)
    except IssueError as e:
        for problem in e.problems:
            click.echo(str(problem), err=True)
        click.echo(f"未生成 PDF (no PDF written): {len(e.problems)} 个问题 (problems)", err=True)
        sys.exit(1)
    try:
        finish.write_atomic(pdf, output)
    except OSError as e:
        click.echo(f"{output}: 无法写入 (cannot write): {e.strerror}", err=True)
        sys.exit(1)
    click.echo(f"{output}")
