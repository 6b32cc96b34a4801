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
from typing import TYPE_CHECKING

from bulletin_print import check, finish
from bulletin_print.manifest import MANIFEST_NAME, Sources
from bulletin_print.model import WARNING, Fault, IssueError, Problem, field_name

if TYPE_CHECKING:  # WeasyPrint is imported only when a build needs it
    from bulletin_print.relayout import Memo


LAYOUT = "layout"  # the code of what composing and the preflight find
CHANGED = "changed"  # … and of what differs from an archive PDF's making (`changed`)


@dataclass
class Result:
    pdf: bytes | None  # None on an error, but for a draft's faults of layout
    problems: list[Problem] = field(default_factory=list)
    pages: int = 0
    fresh: tuple[int, ...] | None = None  # with a memo: the pages `pdf` holds (None: every page)

    @property
    def errors(self) -> list[Problem]:
        return check.errors(self.problems)

    @property
    def layout(self) -> list[Problem]:
        """What composing and the preflight found, and what differs from an archive PDF's making:
        what `check` cannot say, every one of them worth a look."""
        return [p for p in self.problems if p.code in (LAYOUT, CHANGED)]

    @property
    def ok(self) -> bool:
        """Whether there is a PDF to write: no error, or a draft (Options.draft) asked for."""
        return self.pdf is not None


def run(issue: Path, options: finish.Options, *, lint: bool = False, composed: dict | None = None,
        memo: Memo | None = None) -> Result:
    """Check ISSUE as `bulletin-print check` does, then build it, unless there is an error.

    `lint`: also the punctuation warnings (the single-file build mentions them; workers skip them);
    `composed`: the paragraphs an earlier build composed (see render.render);
    `memo`: the editor's last layout of this issue, to lay out again only what changed (relayout.py).
    """
    checked, problems = check.examine([issue], lint=lint)
    if check.errors(problems):
        return Result(None, problems)
    try:
        built = finish.build(issue, options, checked[0].issue, composed, memo)
    except IssueError as e:
        return Result(None, problems + e.problems)
    faults = [locate(fault, checked[0]) for fault in built.faults]
    pdf = built.pdf if options.draft or not check.errors(faults) else None
    return Result(pdf, problems + faults + changed(checked[0], built.changed), built.pages, built.fresh)


def changed(checked: check.Checked, lines: list[str]) -> list[Problem]:
    """For an issue extracted from an archive PDF: a warning on its manifest.json for each file of
    the layout, the fonts or the tool that is not what the archive PDF was made with, so that an
    archivist knows why the new PDF is not the same, byte for byte."""
    root = Sources(checked.path, Path(checked.pub.file) if checked.pub is not None else None).root
    where = str(root / MANIFEST_NAME)
    return [Problem(where, 0, 0, "", f"与存档 PDF 生成时不同 (not what the archive PDF was made with): {line}",
                    WARNING, CHANGED)
            for line in lines]


def locate(fault: Fault, checked: check.Checked) -> Problem:
    """A fault of a later step as a problem on its field's line: in the issue file, or in the
    publication file for what the issue takes from it (刊名, 版记 …); on the nearest enclosing
    value when the field itself has no line (a default)."""
    for doc in (checked.doc, checked.pub):
        for k in range(len(fault.path), 0, -1):
            if doc is not None and fault.path[:k] in doc.values:
                line, column = doc.values[fault.path[:k]]
                return Problem(doc.file, line, column, field_name(fault.path), fault.message, fault.severity, LAYOUT)
    return Problem(str(checked.path), 0, 0, field_name(fault.path), fault.message, fault.severity, LAYOUT)
