"""Checks an editor can trust, run by `bulletin-print check` and before every `build`.

Everything is reported at once, as `Problem`s that name file, line, column and field:

- the file itself: readable, not too large, valid YAML without aliases, valid against
  `schema/issue.schema.json` (all of that is `load.py`), within the size limits below, with no
  placeholder left in;
- the archive's numbering (`ledger.py`): 期 within a year, 总第 across years, dates, the path;
- glyph coverage (`glyphs.py`): every character against the fonts of the role that sets it;
- punctuation (`lint.py`): half-width marks between Chinese characters and similar slips
  (warnings only; `check --fix` rewrites them, keeping comments and key order).

Errors stop a build; warnings do not. See docs/errors.md for every message.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from bulletin_print import load
from bulletin_print.fields import texts
from bulletin_print.files import Unreadable, regular_file
from bulletin_print.glyphs import glyph_problems
from bulletin_print.ledger import Member, archive_ledger
from bulletin_print.lint import punctuation_problems
from bulletin_print.model import Issue, IssueError, Problem, errors  # noqa: F401  (errors: callers say check.errors)

# Limits: beyond them an issue is refused before any layout, so that a build always ends in
# bounded time. A real issue is 10–30 KB, 20–60 paragraphs and 5,000–20,000 characters.
MAX_PARAGRAPHS = 1000  # paragraphs of all articles plus the 信息摘登 items
MAX_CHARACTERS = 200_000  # characters of text in the whole issue (about 120 pages)
MAX_TITLE = 120  # characters of an article's title, its lines together: six lines of 2号

ERROR = "error"


def describe(problem: Problem) -> str:
    """One line for an editor: errors as they are, warnings marked 提醒 (see Problem)."""
    return str(problem)


@dataclass
class Checked:
    """One issue file as far as it could be read."""

    path: Path
    issue: Issue | None = None
    doc: load.Document | None = None
    pub: load.Document | None = None  # its publication file's, when it has one
    problems: list[Problem] = field(default_factory=list)


# ---------------------------------------------------------------------------------- one file


def check_file(path: Path, *, fonts: bool = True, lint: bool = True) -> Checked:
    """Everything that can be said about one issue file on its own."""
    out = Checked(path)
    try:
        out.issue, out.doc, out.pub = load.load_documents(path)
    except IssueError as e:
        out.problems.extend(e.problems)
        return out
    out.problems.extend(limits(out.issue, out.doc, out.pub))
    out.problems.extend(placeholder_problems(out.doc, out.pub))
    if any(p.severity == ERROR for p in out.problems):
        return out
    if fonts:
        from bulletin_print import fonts as font_files

        font_files.use(out.issue.look.fonts)  # the publication's own fonts count
        out.problems.extend(glyph_problems(out.doc, out.pub))
    if lint:
        out.problems.extend(punctuation_problems(out.doc))
    return out


def limits(issue: Issue, doc: load.Document, pub: load.Document | None = None) -> list[Problem]:
    """What the schema cannot say: limits on the whole issue, and an article's title with its lines
    together (each field's own length is in the schema)."""
    def origin(key: str) -> load.Document:  # the file a merged value came from
        return doc if pub is None or key in doc.data else pub

    paragraphs = sum(len(a.paragraphs) for a in issue.articles) + len(issue.briefs)
    out = []
    if paragraphs > MAX_PARAGRAPHS:
        out.append(doc.problem(("columns",), f"段落过多：共 {paragraphs} 段，上限为 {MAX_PARAGRAPHS} 段"
                                             f"，请分成几期 (too many paragraphs)"))
    characters = sum(len(p.text) for a in issue.articles for p in a.paragraphs) + sum(len(b.text) for b in issue.briefs)
    if characters > MAX_CHARACTERS:
        out.append(doc.problem(("columns",), f"正文过长：共 {characters} 字，上限为 {MAX_CHARACTERS} 字"
                                             f" (text too long)"))
    for c, column in enumerate(issue.columns):
        for a, article in enumerate(column.articles):
            if len(article.title_text) > MAX_TITLE:
                out.append(origin("columns").problem(("columns", c, "articles", a, "title"),
                                                     load.too_long(len(article.title_text), MAX_TITLE)))
    return out


# The stand-ins that `new` and `import text` write where the editor has still to write something.
PLACEHOLDERS = frozenset({"（标题）", "（正文）", "（单位 姓名）", "（责任编辑）", "（栏目）",
                          "（送达单位）", "（发至单位）", "（电话）"})  # the last three: `init`'s publication.yaml


def placeholder_problems(doc: load.Document, pub: load.Document | None = None) -> list[Problem]:
    """A stand-in left in place would be printed: an error, so that it never is."""
    return [d.problem(t.path, f"「{t.text.strip()}」是占位文字，请换成实际内容 (placeholder text: write the real one)")
            for d in (pub, doc) if d is not None for t in texts(d) if t.text.strip() in PLACEHOLDERS]


# ------------------------------------------------------------------------------ entry points


def issue_files(paths: list[Path]) -> tuple[list[Path], list[Problem]]:
    """The issue files named, and those in the folders named; and a problem for each path that
    is not a file the tool can read (missing, a folder named like an issue file, a FIFO, a
    device, a symlink loop), whether named or found in a folder under an issue file's name."""
    files: list[Path] = []
    problems: list[Problem] = []
    for p in paths:
        for f in load.issue_candidates(p) if load.is_issue_folder(p) else [p]:
            try:
                regular_file(f)
            except Unreadable as e:
                problems.append(Problem(str(f), 0, 0, "", e.message))
            else:
                files.append(f)
    return files, problems


def check_paths(paths: list[Path], *, fonts: bool = True, lint: bool = True) -> list[Problem]:
    """Every problem of the named files and folders, and of the archives they belong to."""
    return examine(paths, fonts=fonts, lint=lint)[1]


def examine(paths: list[Path], *, fonts: bool = True, lint: bool = True) -> tuple[list[Checked], list[Problem]]:
    """Each named file (and each file of the named folders) as far as it could be read, and every
    problem of them and of the archives they belong to, in the order an editor reads them."""
    files, problems = issue_files(paths)
    named = {f.resolve() for f in files}
    checked = {f.resolve(): check_file(f, fonts=fonts, lint=lint) for f in files}
    for p in checked.values():
        problems.extend(p.problems)
    members = {path: Member.of(c.path, c.issue, c.doc) for path, c in checked.items()}
    roots = {r for f in files if (r := load.archive_folder(f)) is not None}
    for root in sorted(roots):
        problems.extend(archive_ledger(root, members, named))
    unique = list(dict.fromkeys(problems))
    return list(checked.values()), sorted(unique, key=lambda p: (p.file, p.line, p.column, p.severity != ERROR))
