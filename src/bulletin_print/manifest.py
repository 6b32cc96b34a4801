"""What a PDF is made from: the issue's files and everything else that goes into it (the tool, its
engine, the layout, the fonts, the colour profile), each with its sha256. It keys the build cache
(archive.py) and is the archive PDF's manifest.json, so that a back issue can be made again years
later and tell whether anything changed.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
from dataclasses import asdict, dataclass
from functools import cache
from importlib.metadata import version
from pathlib import Path
from typing import TYPE_CHECKING

from bulletin_print.files import CACHE_DIR, read_store, write_store
from bulletin_print.paths import FONTS_DIR, LAYOUT_DIR, OUTPUT_CONDITION, PROFILE, RESOURCES, code_sha256

if TYPE_CHECKING:
    from bulletin_print.finish import Options

MANIFEST_NAME = "manifest.json"


@dataclass(frozen=True)
class Sources:
    """The files an issue is made from, with their paths as the archive records them."""

    issue: Path
    publication: Path | None
    images: tuple[tuple[str, Path], ...] = ()  # the photos it shows: (name as the issue writes it, file)

    @classmethod
    def of(cls, issue: Path) -> Sources:
        from bulletin_print.load import publication_file

        return cls(issue, publication_file(issue), issue_images(issue))

    def attachment_names(self) -> list[str]:
        """The name each image is attached under in an archive PDF: its file's name, numbered
        when two share one."""
        names: list[str] = []
        for k, (_, path) in enumerate(self.images):
            name = path.name
            names.append(name if name not in names and name not in (self.issue.name, "publication.yaml", MANIFEST_NAME)
                         else f"{k + 1}-{name}")
        return names

    @property
    def root(self) -> Path:
        """The publication's folder (publication.yaml's, else the issue's): where its own layout/
        and fonts/ are, and where `extract` puts an archive PDF's manifest.json."""
        return (self.publication or self.issue).parent

    def look_files(self) -> list[Path]:
        """The publication's own layout and font files (publication.py), sub-folders included."""
        from bulletin_print.publication import FONTS, LAYOUT

        return [p for name in (LAYOUT, FONTS) for p in sorted((self.root / name).rglob("*")) if p.is_file()]

    @property
    def issue_name(self) -> str:
        """The issue's path relative to the publication file's folder ("2024/12.yaml")."""
        if self.publication is None:
            return self.issue.name
        try:
            return self.issue.resolve().relative_to(self.publication.resolve().parent).as_posix()
        except ValueError:
            return self.issue.name


def issue_images(issue: Path) -> tuple[tuple[str, Path], ...]:
    """The image files an issue shows that are there (a file with errors shows none)."""
    from bulletin_print.load import image_file, image_names, read
    from bulletin_print.model import IssueError

    try:
        data = read(issue).data
    except (IssueError, OSError):
        return ()
    found: dict[str, Path] = {}
    for name in image_names(data):
        path = image_file(issue, name)
        if path is not None and path.is_file() and name not in found:
            found[name] = path
    return tuple(found.items())


# Hashes of large files (the fonts) outlive the process: a build would otherwise spend a quarter
# of a second hashing 50 MB of fonts that have not changed since the last one.
HASH_STORE = CACHE_DIR / "sha256.json"


STORED_FROM = 1 << 20  # bytes: smaller files are hashed faster than the store is read


def file_sha256(path: Path) -> str:
    """sha256 of a file, remembered for as long as its size and modification time stay the same:
    within the process for every file, across processes (HASH_STORE) for large ones."""
    st = path.stat()
    return _sha256_of(path.resolve(), st.st_mtime_ns, st.st_size)


@cache
def _sha256_of(path: Path, mtime_ns: int, size: int) -> str:
    stamp = [mtime_ns, size]
    if size >= STORED_FROM and _stored_hashes().get(str(path), [])[:2] == stamp:
        return _stored_hashes()[str(path)][2]
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    if size >= STORED_FROM:
        _stored_hashes()[str(path)] = [*stamp, h.hexdigest()]
        write_store(HASH_STORE, _stored_hashes())
    return h.hexdigest()


@cache
def _stored_hashes() -> dict[str, list]:
    """The hash store's entries of the shape written above; any other is ignored (and rewritten)."""
    return {path: entry for path, entry in read_store(HASH_STORE).items() if _hash_entry(entry)}


def _hash_entry(entry: object) -> bool:
    """[mtime_ns, size, sha256 hex]."""
    return (isinstance(entry, list) and len(entry) == 3 and type(entry[0]) is int and type(entry[1]) is int
            and isinstance(entry[2], str) and re.fullmatch(r"[0-9a-f]{64}", entry[2]) is not None)


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


@cache
def tool_manifest() -> dict:
    """The tool and its engine: fixed for the life of a process, so worked out once (an archive
    build keys every issue with it)."""
    return {
        "tool": {"name": "bulletin-print", "version": version("bulletin-print"), "code_sha256": code_sha256()},
        "engine": {name: version(name) for name in ("weasyprint", "pydyf", "jinja2", "pyyaml", "fonttools")},
    }


def environment_manifest() -> dict:
    """Everything besides the issue's own files that goes into its PDF: the same for every issue.
    Layout and fonts are hashed each time (remembered while unchanged): `watch` sees them change."""
    from bulletin_print.fonts import manifest as font_manifest

    layout = [{"path": p.relative_to(RESOURCES).as_posix(), "sha256": file_sha256(p)}
              for p in sorted(LAYOUT_DIR.rglob("*")) if p.is_file()]  # every file, in sub-folders too
    fonts = [{"path": (FONTS_DIR / f.file).relative_to(RESOURCES).as_posix(), "role": f.role, "family": f.family,
              "version": f.version, "licence": f.licence, "sha256": file_sha256(f.path)}
             for f in font_manifest()]
    # how fontconfig finds them, and the advances the composer breaks lines with
    fonts += [{"path": f"fonts/{name}", "sha256": file_sha256(FONTS_DIR / name)} for name in ("fonts.conf", "metrics.json")]
    return {
        **tool_manifest(),
        "layout": layout,
        "fonts": fonts,
        "profile": {"path": PROFILE.relative_to(RESOURCES).as_posix(), "sha256": file_sha256(PROFILE),
                    "condition": OUTPUT_CONDITION["OutputConditionIdentifier"]},
    }


def source_date_epoch() -> int | None:
    value = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    return int(value) if value else None


def manifest(sources: Sources, options: Options) -> dict:
    """What the PDF of `sources` is made from: its cache key, and the archive's manifest.json."""
    data = {
        "format": "bulletin-print manifest 1",
        "options": asdict(options),
        "source_date_epoch": source_date_epoch(),
        "issue": {"path": sources.issue_name, "sha256": file_sha256(sources.issue)},
        "publication": None if sources.publication is None else {
            "path": "publication.yaml", "sha256": file_sha256(sources.publication)},
    }
    if sources.images:
        data["images"] = [{"name": attached, "path": Path(name).as_posix(), "sha256": file_sha256(path)}
                          for (name, path), attached in zip(sources.images, sources.attachment_names())]
    own = sources.look_files()
    if own:  # the publication's own look: what a back issue needs besides the tool
        data["publication_files"] = [{"path": p.relative_to(sources.root).as_posix(), "sha256": file_sha256(p)} for p in own]
    data.update(environment_manifest())
    return data


RECORDED = ("layout", "fonts", "publication_files", "profile")  # what a rebuild's look depends on


def changes(sources: Sources, now: dict) -> list[str]:
    """What differs between the manifest.json beside an extracted archive issue (`extract` writes
    it into the publication's folder) and `now`, the manifest of the build being made: the files
    of the layout, the fonts, the publication's own look and the profile, and the tool's version.
    Empty where there is no such manifest."""
    recorded = read_store(sources.root / MANIFEST_NAME)
    if not recorded:
        return []

    def files(data: dict, key: str) -> dict[str, str]:
        entries = data.get(key) or []
        entries = [entries] if isinstance(entries, dict) else entries
        return {e["path"]: e["sha256"] for e in entries if isinstance(e, dict) and isinstance(e.get("path"), str)}

    out = []
    was, tool = recorded.get("tool", {}), now["tool"]
    if isinstance(was, dict) and was.get("version") != tool["version"]:
        out.append(f"bulletin-print {was.get('version')} → {tool['version']}")
    for key in RECORDED:
        before, after = files(recorded, key), files(now, key)
        out += [f"{path}: {'已删去 (gone)' if path not in after else '已改动 (changed)'}"
                for path in sorted(before) if before[path] != after.get(path)]
        out += [f"{path}: 新增 (new)" for path in sorted(after.keys() - before.keys())]
    return out


def manifest_bytes(data: dict) -> bytes:
    return (json.dumps(data, ensure_ascii=False, indent=1, sort_keys=True) + "\n").encode("utf-8")


def cache_key(sources: Sources, options: Options) -> str:
    return sha256(manifest_bytes(manifest(sources, options)))
