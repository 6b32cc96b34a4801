"""A publication's folder: finding it from where an editor stands, what it changes of the tool's
look (its own layout/ and fonts/), and making a new one (`bulletin-print init`).

A publication is a folder with its `publication.yaml` (刊名, 编印单位, the usual 版记) and its
archive `issues/YYYY/N.yaml`, beside it or holding it (issues/publication.yaml, as in the tool's
own sample). The tool is installed once; each publication keeps its look and its archive apart,
as a Hugo site or a Quarto project does.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import jinja2

from bulletin_print.files import Unreadable, regular_file
from bulletin_print.model import Look, Problem
from bulletin_print.paths import LAYOUT_DIR, SCHEMA_FILE

PUBLICATION_FILE = "publication.yaml"
ARCHIVE = "issues"
LAYOUT = "layout"  # a publication's own layout folder, beside its publication.yaml
FONTS = "fonts"
SCHEMA_COPY = Path("schema") / "issue.schema.json"  # where editors' YAML tools find the schema
FONT_SUFFIXES = (".ttf", ".otf")
MAX_FONT_BYTES = 64 * 1024 * 1024  # a full CJK font is 10–30 MB
MAX_FONTS = 16


def find(start: Path) -> Path | None:
    """The archive folder (issues/) of the publication that `start` (the current folder) is in,
    looked for upward as Quarto looks for _quarto.yml: the first folder that holds issues/ and
    a publication.yaml beside it or in it."""
    folder = Path(os.path.abspath(start))
    for d in (folder, *folder.parents):
        archive = d / ARCHIVE
        if archive.is_dir() and ((d / PUBLICATION_FILE).is_file() or (archive / PUBLICATION_FILE).is_file()):
            return archive
    return None


def archive_or_default(given: Path | None) -> Path:
    """The archive a command works on: the one named, else the current folder's publication's
    (`find`), else issues/ here."""
    if given is not None:
        return given
    found = find(Path.cwd())
    return Path(os.path.relpath(found)) if found is not None else Path(ARCHIVE)


def publication_of_archive(archive: Path) -> Path | None:
    """The publication.yaml of an archive folder: in it, or beside it when it is named issues."""
    archive = Path(os.path.abspath(archive))
    for candidate in (archive / PUBLICATION_FILE, archive.parent / PUBLICATION_FILE):
        if candidate.is_file() and (candidate.parent == archive or archive.name == ARCHIVE):
            return candidate
    return None


def schema_for(archive: Path) -> Path:
    """The issue schema an archive's issue files name: the publication's copy (written by `init`)
    when there is one, else the tool's own."""
    copy = Path(os.path.abspath(archive)).parent / SCHEMA_COPY
    return copy if copy.is_file() else SCHEMA_FILE


# ---- the look: a publication's layout/ and fonts/ ----

Problem_ = Callable[[tuple[str, ...], str], Problem]  # a problem at a field of publication.yaml


def look(root: Path, data: dict[str, Any], problem: Problem_) -> tuple[Look, list[Problem]]:
    """What the publication in folder `root` changes of the tool's look: its layout/ and its fonts/
    (the `fonts` key names those that replace a role's). Every file stays inside the
    publication's folder (a link out of it would bring in a system font or file), and a font
    must be one."""
    problems: list[Problem] = []
    root = root.resolve()
    layout = _inside(root, LAYOUT, False, (), problem, problems)
    stylesheets: tuple[Path, ...] = ()
    if layout is not None:
        for p in sorted(layout.rglob("*")):
            if not p.resolve().is_relative_to(root):
                problems.append(problem((), f"{LAYOUT}/{p.relative_to(layout).as_posix()}: {OUTSIDE}"))
        stylesheets = tuple(p for p in sorted(layout.glob("*.css"))
                            if p.is_file() and not (LAYOUT_DIR / p.name).exists())
    named = data.get("fonts", {})
    folder = _inside(root, FONTS, bool(named), ("fonts",), problem, problems)
    fonts: list[tuple[str, Path]] = []
    for role, name in named.items() if folder is not None else ():
        path = _inside(folder, name, True, ("fonts", role), problem, problems)
        if path is not None:
            fonts.append((role, path))
    if folder is not None and folder.is_dir():
        chosen = {p for _, p in fonts}
        for p in sorted(folder.iterdir()):
            if p.suffix.lower() not in FONT_SUFFIXES or p.resolve() in chosen:
                continue
            if p.resolve().is_relative_to(root):
                fonts.append(("publication", p.resolve()))
            else:
                problems.append(problem((), f"{FONTS}/{p.name}: {OUTSIDE}"))
    if len(fonts) > MAX_FONTS:
        problems.append(problem(("fonts",) if named else (), f"{FONTS}/ 中的字体过多：{len(fonts)} 个，上限为 {MAX_FONTS} 个"
                                                            f" (too many fonts)"))
        fonts = fonts[:MAX_FONTS]
    for role, path in fonts:
        if (why := font_problem(path)) is not None:
            where = ("fonts", role) if role in named else ("fonts",)
            problems.append(problem(where, f"{FONTS}/{path.name}: {why}"))
    return Look(layout, tuple(fonts), stylesheets), problems


OUTSIDE = "链接到刊物文件夹之外，不能使用 (links outside the publication's folder)"


def _inside(root: Path, name: str, given: bool, where: tuple[str, ...], problem: Problem_,
            problems: list[Problem]) -> Path | None:
    """root/name resolved, when it exists and stays inside root (a link out of the publication's
    folder is refused); None when it is not there and was not asked for."""
    path = (root / name).resolve()
    if not path.is_relative_to(root.resolve()):
        problems.append(problem(where, f"「{name}」{OUTSIDE}"))
        return None
    if not path.exists():
        if given:
            problems.append(problem(where, f"「{name}」不存在 (not found)"))
        return None
    return path


@cache
def _font_problem(path: Path, mtime_ns: int, size: int) -> str | None:
    from fontTools.ttLib import TTFont, TTLibError

    if size > MAX_FONT_BYTES:
        return f"字体文件过大 (font file too large: over {MAX_FONT_BYTES >> 20} MB)"
    try:
        with TTFont(path, lazy=True) as font:
            if not font.getBestCmap():
                return "字体没有字符映射表 (the font maps no characters)"
    except (TTLibError, OSError, ValueError, KeyError, AssertionError, IndexError, TypeError):
        return "不是可用的 TrueType/OpenType 字体 (not a usable TrueType or OpenType font)"
    return None


def font_problem(path: Path) -> str | None:
    """Why a publication's font file cannot be used, or None (remembered while it is unchanged)."""
    try:
        regular_file(path)
    except Unreadable as e:
        return e.message
    st = path.stat()
    return _font_problem(path, st.st_mtime_ns, st.st_size)


# ---- a new publication: `bulletin-print init` ----


@dataclass(frozen=True)
class Start:
    """What `init` asks: the publication's 刊名 and 编印单位, and where its numbering starts."""

    title: str
    compiler: str
    first_number: int = 1
    first_total: int | None = None


INIT_TEMPLATES = LAYOUT_DIR / "init"  # a new publication's files, as text a designer can change


def init_files(start: Start) -> dict[Path, str]:
    """The files of a new publication folder, by their path inside it: publication.yaml (its
    values written by the YAML emitter, so that they read back as given), its editors' README,
    .gitignore, the schema copy, and the empty archive."""
    from bulletin_print.newissue import yaml_scalar

    env = jinja2.Environment(loader=jinja2.FileSystemLoader(INIT_TEMPLATES), undefined=jinja2.StrictUndefined,
                             keep_trailing_newline=True)
    env.filters["yaml"] = yaml_scalar
    values = {"start": start, "first_total": start.first_total or start.first_number}
    return {
        Path(PUBLICATION_FILE): env.get_template("publication.yaml.j2").render(values),
        Path("README.md"): env.get_template("README.md.j2").render(values),
        Path(".gitignore"): env.get_template("gitignore.j2").render(values),
        SCHEMA_COPY: SCHEMA_FILE.read_text(encoding="utf-8"),
        Path(ARCHIVE) / ".keep": "",
    }
