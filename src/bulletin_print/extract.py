"""`extract`: an archive PDF's sources written back out (issue, publication.yaml, manifest.json),
where a build finds them again. Everything in the PDF is checked before anything is written."""

from __future__ import annotations

import errno
import io
import json
import os
import shutil
import tempfile
import unicodedata
from functools import cache
from pathlib import Path

import jsonschema

from bulletin_print.files import Unreadable, Unwritable, read_bytes, remove_orphans, shorten, too_large
from bulletin_print.manifest import MANIFEST_NAME, sha256
from bulletin_print.paths import MANIFEST_SCHEMA_FILE

# An archive PDF of a long issue is a few MB. Its sources are the issue file and the publication
# file (each at most load.MAX_FILE_BYTES, checked when they are built) and a manifest of a few KB.
MAX_PDF_BYTES = 200 * 1024 * 1024
MAX_SOURCE_BYTES = 2 * 1024 * 1024
MAX_IMAGE_BYTES = 20 * 1024 * 1024  # a photo the issue shows (load.MAX_IMAGE_BYTES)
IMAGE_SUFFIXES = (".jpg", ".jpeg", ".png")


def size_limit(name: str) -> int:
    """How large an attachment of this name may be: a photo's, or a text source's."""
    return MAX_IMAGE_BYTES if name.lower().endswith(IMAGE_SUFFIXES) else MAX_SOURCE_BYTES
# Characters a file name written by `extract` may not hold: controls (NUL, newline …), format
# characters (such as the right-to-left override), lone surrogates, line and paragraph separators.
UNSAFE_CATEGORIES = {"Cc", "Cf", "Cs", "Zl", "Zp"}


def attachments(pdf_path: Path) -> dict[str, bytes]:
    """The files embedded in an archive PDF, by name. Each name is checked before its file is
    decoded (a plain file name, given once) and each file's size before and after; raises
    Unreadable for a file that is not a whole PDF or whose attachments are not safe to write."""
    import logging

    import pypdf

    data = read_bytes(pdf_path, MAX_PDF_BYTES)
    if not data.startswith(b"%PDF-"):
        raise Unreadable(pdf_path, "不是 PDF 文件 (not a PDF file)")
    if b"%%EOF" not in data[-1024:]:
        raise Unreadable(pdf_path, "PDF 文件不完整，可能被截断 (an incomplete PDF: truncated?)")
    files: dict[str, bytes] = {}
    pypdf_log = logging.getLogger("pypdf")
    level = pypdf_log.level
    pypdf_log.setLevel(logging.CRITICAL)  # its warnings about a damaged file: the refusal says it
    try:
        for entry in pypdf.PdfReader(io.BytesIO(data), strict=True).attachment_list:
            name, names = entry.name, {entry.name, entry.alternative_name} - {None}
            if len(names) != 1 or not isinstance(name, str) or unsafe_name(name):  # two names are one too many
                raise Unreadable(pdf_path, f"附件名 {' / '.join(map(repr, names))} 不是普通文件名，未写出任何文件 "
                                           f"(an attachment's name is not a plain file name: nothing written)")
            if name in files:
                raise Unreadable(pdf_path, f"有两个附件都叫 {name!r}，未写出任何文件 (two attachments of one name: nothing written)")
            declared = entry.size
            if isinstance(declared, int) and declared > size_limit(name):
                raise Unreadable(pdf_path, f"附件 {name!r}: {too_large(declared, size_limit(name))}")
            try:
                content = entry.content  # pypdf stops unpacking at 75 MB (LimitReachedError)
            except Exception as e:
                raise Unreadable(pdf_path, f"附件 {name!r} 无法解压 (cannot unpack): {shorten(e)}") from None
            if len(content) > size_limit(name):
                raise Unreadable(pdf_path, f"附件 {name!r}: {too_large(len(content), size_limit(name))}")
            files[name] = content
    except Unreadable:
        raise
    except Exception as e:  # pypdf raises many kinds (and RecursionError) on a damaged file
        raise Unreadable(pdf_path, f"不是可读的 PDF 文件 (not a readable PDF): {shorten(e)}") from None
    finally:
        pypdf_log.setLevel(level)
    return files


def unsafe_name(name: str) -> bool:
    """Whether `name` is not a plain file name that `extract` may write in its folder."""
    return (name in ("", ".", "..") or "/" in name or "\\" in name or len(name.encode("utf-8", "surrogatepass")) > 255
            or any(unicodedata.category(c) in UNSAFE_CATEGORIES for c in name))


@cache
def manifest_validator() -> jsonschema.Draft202012Validator:
    return jsonschema.Draft202012Validator(json.loads(MANIFEST_SCHEMA_FILE.read_text(encoding="utf-8")))


def places(pdf_path: Path, files: dict[str, bytes]) -> dict[str, str]:
    """Where each attachment of an archive PDF goes (name → path relative to the output folder),
    from its manifest, once the manifest fits its schema (schema/manifest.schema.json), every path
    stays inside the folder, the attachments are exactly the sources it lists and their sha256 match."""
    from bulletin_print.load import PUBLICATION_FILE, field_name

    if MANIFEST_NAME not in files:
        raise Unreadable(pdf_path, f"没有 {MANIFEST_NAME}：不是 bulletin-print 的存档 PDF "
                                   f"(no {MANIFEST_NAME}: not an archive PDF of bulletin-print)")
    try:
        info = json.loads(files[MANIFEST_NAME].decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError):
        raise Unreadable(pdf_path, f"{MANIFEST_NAME} 不是 JSON (not JSON)") from None
    error = jsonschema.exceptions.best_match(manifest_validator().iter_errors(info))
    if error is not None:
        where = field_name(tuple(error.absolute_path)) or "(top)"
        raise Unreadable(pdf_path, f"{MANIFEST_NAME} 与其格式不符 (does not fit schema/manifest.schema.json): "
                                   f"{where}: {shorten(error.message)}")
    issue_path = info["issue"]["path"]
    parts = issue_path.split("/")
    if (any(unsafe_name(part) for part in parts) or not issue_path.endswith((".yaml", ".yml"))
            or parts[0] in (MANIFEST_NAME, PUBLICATION_FILE)):
        raise Unreadable(pdf_path, f"{MANIFEST_NAME}: issue.path {issue_path!r} 不是存档中期刊文件的相对路径，未写出任何文件 "
                                   f"(not the relative path of an issue file: nothing written)")
    out = {parts[-1]: issue_path}
    sources = {parts[-1]: info["issue"]}
    if info["publication"] is not None:
        out[PUBLICATION_FILE] = PUBLICATION_FILE
        sources[PUBLICATION_FILE] = info["publication"]
    folder = "/".join(parts[:-1])
    for image in info.get("images", []):  # the photos, back beside the issue file
        name, path = image["name"], image["path"]
        pieces = path.split("/")
        if unsafe_name(name) or name in out or any(unsafe_name(piece) for piece in pieces):
            raise Unreadable(pdf_path, f"{MANIFEST_NAME}: 图片 {name!r} / {path!r} 不是该期文件夹中的相对路径，未写出任何文件 "
                                       f"(not a relative path in the issue's folder: nothing written)")
        out[name] = f"{folder}/{path}" if folder else path
        sources[name] = image
    out[MANIFEST_NAME] = MANIFEST_NAME
    if len(out) != len(sources) + 1 or len(set(out.values())) != len(out):
        raise Unreadable(pdf_path, f"{MANIFEST_NAME}: issue.path {issue_path!r} 与其他来源同名 (named like another source)")
    missing, extra = sorted(out.keys() - files.keys()), sorted(files.keys() - out.keys())
    if missing or extra:
        raise Unreadable(pdf_path, f"附件与 {MANIFEST_NAME} 不符 (the attachments are not the sources it lists): "
                                   + "; ".join([f"缺少 (missing) {n!r}" for n in missing] + [f"多出 (not listed) {n!r}" for n in extra]))
    for name, entry in sources.items():
        if sha256(files[name]) != entry["sha256"]:
            raise Unreadable(pdf_path, f"{name!r} 与 {MANIFEST_NAME} 中的 sha256 不符 (does not match its sha256 in the manifest)")
    return out


def extract(pdf_path: Path, out_dir: Path) -> list[Path]:
    """Write an archive PDF's sources back out where a build finds them again:
    OUT/publication.yaml, OUT/2024/12.yaml, OUT/manifest.json. Returns the files written.

    Everything is checked before anything is written (Unreadable); the files are written into a
    temporary folder beside OUT, which becomes OUT only when whole, so that a failure leaves
    nothing behind. OUT must not exist or be empty: the sources never overwrite a live archive.
    """
    files = attachments(pdf_path)
    if not files:
        raise Unreadable(pdf_path, "没有附件 (no embedded files: not an archive PDF)")
    where = places(pdf_path, files)
    out_dir = Path(out_dir)
    try:
        out_dir.parent.mkdir(parents=True, exist_ok=True)
        if out_dir.is_symlink() or out_dir.exists() and (not out_dir.is_dir() or any(out_dir.iterdir())):
            raise OSError(errno.ENOTEMPTY, os.strerror(errno.ENOTEMPTY))
        remove_orphans(out_dir.parent, f".{out_dir.name}.", ".part")
        temp = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}.{os.getpid()}.", suffix=".part", dir=out_dir.parent))
    except OSError as e:
        raise Unwritable(out_dir, e) from None
    try:
        for name, relative in where.items():
            target = temp / relative
            target.parent.mkdir(parents=True, exist_ok=True)
            with open(target, "xb") as f:
                f.write(files[name])
                os.fsync(f.fileno())
        os.chmod(temp, 0o755)
        os.rename(temp, out_dir)  # onto a missing or empty folder only
    except BaseException as e:
        shutil.rmtree(temp, ignore_errors=True)
        if isinstance(e, OSError):
            raise Unwritable(out_dir, e) from None
        raise
    return [out_dir / relative for relative in where.values()]
