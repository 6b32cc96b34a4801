"""The one way through: check (the archive's numbering included) → compose → render → typeset →
finish, for one issue file.

`build FILE`, `build FOLDER` (in each worker), `preview` and `watch` all call `run`, so an issue
is judged the same whichever way it is built: what one refuses, every other refuses too, with the
same message. `run` never raises for a problem of the input; it returns the problems with the PDF
(None when there is an error).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from bulletin_print import check, finish
from bulletin_print.model import IssueError, Problem


@dataclass
class Result:
    pdf: bytes | None
    problems: list[Problem] = field(default_factory=list)
    pages: int = 0

    @property
    def errors(self) -> list[Problem]:
        return check.errors(self.problems)

    @property
    def ok(self) -> bool:
        return self.pdf is not None and not self.errors


def run(issue: Path, options: finish.Options, *, lint: bool = False, composed: dict | None = None) -> Result:
    """Check ISSUE as `bulletin-print check` does, then build it, unless there is an error.

    `lint`: also the punctuation warnings (the single-file build mentions them; workers skip them);
    `composed`: the paragraphs an earlier build composed (see render.render).
    """
    checked, problems = check.examine([issue], lint=lint)
    if check.errors(problems):
        return Result(None, problems)
    try:
        built = finish.build(issue, options, checked[0].issue, composed)
    except IssueError as e:
        return Result(None, problems + e.problems)
    problems += built.problems
    return Result(None if check.errors(built.problems) else built.pdf, problems, built.pages)
