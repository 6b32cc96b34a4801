"""The archive's numbering (the ledger): 期 within a year, 总第 across years, dates and file names,
each edition on its own (see docs/issue-format.md); and where the next issue goes.

The numbering of an archive's other issues is remembered by content, so that checking or building
one issue does not load every other one.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
from collections import defaultdict
from dataclasses import dataclass
from itertools import pairwise
from pathlib import Path
from typing import Any

from bulletin_print import load
from bulletin_print.files import CACHE_DIR, Unreadable, read_bytes, read_store, write_store
from bulletin_print.model import Issue, IssueError, Problem, errors
from bulletin_print.paths import code_sha256


# The file names of an issue in the archive, by edition: issues/YYYY/<prefix>N.yaml.
EDITION_PREFIX = {"普刊": "", "增刊": "zengkan-", "专刊": "zhuankan-"}


def prefix_of(edition: str) -> str:
    """"" for 普刊 (12.yaml), "zengkan-" for 增刊 (zengkan-1.yaml); any other edition uses its own name."""
    return EDITION_PREFIX.get(edition, f"{edition}-")


def archive_files(root: Path) -> list[Path]:
    """The issue files of the archive's year folders (.yaml and .yml alike, as everywhere)."""
    return sorted(p for suffix in load.ISSUE_SUFFIXES for p in root.glob(f"*/*{suffix}")
                  if load.YEAR_FOLDER.fullmatch(p.parent.name) and p.is_file())


@dataclass(frozen=True)
class Member:
    """An archive file as the ledger reads it: its numbering and, for a file being checked, the
    document that puts each problem on its line (the other members' problems are not reported)."""

    path: Path
    edition: str
    number: int
    total: int
    date: dt.date
    doc: load.Document | None = None

    @classmethod
    def of(cls, path: Path, issue: Issue | None, doc: load.Document | None = None) -> Member | None:
        """None for a file that could not be read: its own check says why."""
        if issue is None:
            return None
        return cls(path, issue.edition, issue.number, issue.total, issue.date, doc)

    @property
    def file(self) -> str:
        return self.doc.file if self.doc is not None else str(self.path)

    def problem(self, field_: str, message: str) -> Problem:
        if self.doc is None:
            return Problem(str(self.path), 0, 0, field_, message)
        return self.doc.problem((field_,), message)


def expected_name(issue: Issue | Member) -> str:
    return f"{issue.date.year}/{prefix_of(issue.edition)}{issue.number}.yaml"


def _number_of_name(path: Path, edition: str) -> int | None:
    prefix = prefix_of(edition)
    stem = path.stem
    if not stem.startswith(prefix) or not stem[len(prefix):].isdigit():
        return None
    return int(stem[len(prefix):])


def short(path: Path) -> str:
    """2024/12.yaml: a file as the archive names it."""
    return f"{path.parent.name}/{path.name}"


def ledger(members: list[Member]) -> list[Problem]:
    """The archive's numbering: each edition counted on its own (see docs/issue-format.md)."""
    out: list[Problem] = []
    duplicates: set[int] = set()
    for m in members:  # the path
        year_dir = Path(os.path.abspath(m.path)).parent.name
        if year_dir != str(m.date.year):
            out.append(m.problem("date", f"日期在 {m.date.year} 年，文件却在 {year_dir} 文件夹；应为 "
                                         f"{expected_name(m)} (path disagrees with the date)"))
        elif _number_of_name(m.path, m.edition) != m.number:
            out.append(m.problem("number", f"{m.edition}第{m.number}期的文件名应为 "
                                           f"{expected_name(m)}，而不是 {year_dir}/{m.path.name}"
                                           f" (path disagrees with the number)"))
    by_edition: dict[str, list[Member]] = defaultdict(list)
    for m in members:
        by_edition[m.edition].append(m)
    for edition, items in by_edition.items():
        items.sort(key=lambda m: (m.total, m.date, m.number, str(m.path)))
        seen_total: dict[int, Member] = {}
        seen_number: dict[tuple[int, int], Member] = {}
        for m in sorted(items, key=lambda m: str(m.path)):
            first = seen_total.get(m.total) or seen_number.get((m.date.year, m.number))
            if first is not None:
                duplicates.add(id(m))
                out.append(m.problem("number", f"与 {short(first.path)} 重复：同为{edition}"
                                               f"{m.date.year}年第{m.number}期（总第{m.total}期）"
                                               f" (duplicate issue)"))
                continue
            seen_total[m.total] = m
            seen_number[(m.date.year, m.number)] = m
        sequence = [m for m in items if id(m) not in duplicates]
        for p, m in pairwise(sequence):
            if m.total != p.total + 1:
                out.append(m.problem("total", f"总第{m.total}期接在 {short(p.path)}（总第{p.total}期）之后，"
                                              f"应为总第{p.total + 1}期 (总第 must go up by one)"))
            if m.date.year == p.date.year and m.number != p.number + 1:
                out.append(m.problem("number", f"第{m.number}期接在 {short(p.path)}（第{p.number}期）之后，"
                                               f"应为第{p.number + 1}期 (期 must go up by one within a year)"))
            elif m.date.year > p.date.year and m.number != 1:
                out.append(m.problem("number", f"{m.date.year}年的第一期{edition}应为第1期，而不是第{m.number}期"
                                               f" (the first issue of a year is 1)"))
            if m.date < p.date:
                out.append(m.problem("date", f"日期 {m.date} 早于上一期 {short(p.path)} 的 {p.date}"
                                             f" (date goes backwards)"))
    # an edited path rule is reported once per duplicate file, not twice
    return [p for p in out if not any(id(m) in duplicates and p.file == m.file and "path disagrees" in p.message
                                      for m in members)]


# The numbering of archive files that are not themselves being checked, remembered by content:
# checking or building one issue would otherwise load and validate every issue of the archive
# (0.7 s for 100 issues, measured). An entry stands for one file at one path, with its bytes and
# those of its publication file, read with the tool's code of the time; anything else is read
# afresh. The store only ever saves time: an entry of another shape is ignored, and a refusal
# found with remembered numbering is confirmed by reading the archive afresh (archive_ledger).
NUMBERING_STORE = CACHE_DIR / "numbering.json"


NUMBERING_KEPT = 5000  # entries: a few archives' worth; the oldest go first


def _numbering_entry(entry: Any) -> bool:
    """None (a file that could not be read) or [edition, 期, 总第, ISO date], as written below."""
    if entry is None:
        return True
    if not (isinstance(entry, list) and len(entry) == 4):
        return False
    edition, number, total, date = entry
    if not (isinstance(edition, str) and type(number) is int and type(total) is int and isinstance(date, str)
            and 0 < number < 10**6 and 0 < total < 10**7 and len(date) == 10):
        return False
    try:
        dt.date.fromisoformat(date)
    except ValueError:
        return False
    return True


def archive_members(files: list[Path], checked: dict[Path, Member | None],
                    distrust: frozenset[Path] = frozenset()) -> tuple[list[Member], frozenset[Path]]:
    """The ledger's view of `files`: the checked ones (keyed by resolved path) from their checks,
    the others from the store or, when it does not know them (or they are in `distrust`), from a
    check of their own, which the store then remembers. Also says which came from the store."""
    code = code_sha256()
    store = read_store(NUMBERING_STORE)
    entries = store.get("entries") if store.get("code") == code else None
    known: dict[str, Any] = entries if isinstance(entries, dict) else {}
    publications: dict[Path | None, bytes] = {}
    learned: dict[str, list | None] = {}
    out = []
    remembered: set[Path] = set()
    for f in files:
        if f.resolve() in checked:
            member = checked[f.resolve()]
        else:
            try:
                pub = load.publication_file(f)
                if pub not in publications:
                    publications[pub] = (str(pub).encode() + b"\0" + read_bytes(pub, load.MAX_FILE_BYTES)
                                         if pub is not None else b"")
                key = hashlib.sha256(str(f.resolve()).encode("utf-8", "surrogateescape") + b"\0"
                                     + read_bytes(f, load.MAX_FILE_BYTES) + b"\0" + publications[pub]).hexdigest()
            except (Unreadable, OSError):
                key = None  # unreadable: its own check says so
            entry = known.get(key, False) if key is not None and f not in distrust else False  # None: unreadable
            if entry is not False and _numbering_entry(entry):
                member = None if entry is None else Member(f, entry[0], entry[1], entry[2], dt.date.fromisoformat(entry[3]))
                remembered.add(f)
            else:
                member = _read(f)
                if key is not None:
                    learned[key] = None if member is None else [member.edition, member.number, member.total,
                                                                 member.date.isoformat()]
        if member is not None:
            out.append(member)
    if learned:
        entries = {**known, **learned}
        write_store(NUMBERING_STORE, {"code": code, "entries": dict(list(entries.items())[-NUMBERING_KEPT:])})
    return out, frozenset(remembered)


def _read(path: Path) -> Member | None:
    """A member read afresh: its numbering, or None when it cannot be read (its own check says why)."""
    try:
        return Member.of(path, load.load_issue(path))
    except IssueError:
        return None


def archive_ledger(root: Path, checked: dict[Path, Member | None], concern: set[Path]) -> list[Problem]:
    """The ledger's problems of the archive at `root` that concern the files in `concern`
    (resolved). Should it find an error, the files whose numbering came from the store are read
    afresh and the ledger asked again: a stale or forged entry can never refuse an issue."""
    files = archive_files(root)
    members, remembered = archive_members(files, checked)
    problems = [p for p in ledger(members) if Path(p.file).resolve() in concern]
    if errors(problems) and remembered:
        members, _ = archive_members(files, checked, distrust=remembered)
        problems = [p for p in ledger(members) if Path(p.file).resolve() in concern]
    return problems


def numbering_refused(files: list[Path]) -> set[Path]:
    """The files (resolved) among `files` whose numbering the ledger refuses: a folder build must
    not skip them as current, since `build FILE` would refuse them."""
    roots = {r for f in files if (r := load.archive_folder(f)) is not None}
    concern = {f.resolve() for f in files}
    return {Path(p.file).resolve() for root in sorted(roots) for p in errors(archive_ledger(root, {}, concern))}


def next_issue(root: Path, edition: str, date: dt.date, first: tuple[int, int] = (1, 1)) -> tuple[Path, int, int, Issue | None]:
    """Where the next issue of `edition` goes, its 期 and 总第, and the issue before it; `first`
    is the 期 and 总第 of an edition's first issue (publication.yaml's first_number, first_total)."""
    same = [m for m in archive_members(archive_files(root), {})[0] if m.edition == edition]
    last = load.load_issue(max(same, key=lambda m: m.total).path) if same else None
    if last is None:
        number, total = first
    else:
        number = last.number + 1 if last.date.year == date.year else 1
        total = last.total + 1
    return root / str(date.year) / f"{prefix_of(edition)}{number}.yaml", number, total, last
