"""The files the tool writes for itself, and what runs remember.

Every file it writes goes down whole: readers see the old one or the new one, never a part.
What one run remembers for the next (hashes of large files, the archive's numbering) lives in
small JSON stores under the user's cache folder; a store only ever saves time, and one that is
missing or unreadable is an empty one.
"""

from __future__ import annotations

import errno
import json
import os
import shutil
import stat
import tempfile
from pathlib import Path
from typing import BinaryIO


class Unreadable(Exception):
    """A file the tool will not read, said as an editor can act on it (Chinese, then English).
    `line`/`column` (1-based) locate it where the fault lies inside the file, else 0."""

    def __init__(self, path: Path | str, message: str, line: int = 0, column: int = 0) -> None:
        super().__init__(f"{path}:{line}:{column}: {message}" if line else f"{path}: {message}")
        self.path, self.message, self.line, self.column = str(path), message, line, column


class Unwritable(Exception):
    """A file or folder the tool cannot write, said as an editor can act on it."""

    def __init__(self, path: Path | str, error: OSError) -> None:
        reasons = {
            errno.ENOSPC: "磁盘已满 (no space left on device)",
            errno.EDQUOT: "超出磁盘配额 (disk quota exceeded)",
            errno.EROFS: "只读文件系统 (read-only file system)",
            errno.EACCES: "没有写入权限 (permission denied)",
            errno.EPERM: "没有写入权限 (permission denied)",
            errno.ENOTDIR: "路径中有一段不是文件夹 (a part of the path is not a folder)",
            errno.EISDIR: "是文件夹，不是文件 (a folder, not a file)",
            errno.ENOTEMPTY: "文件夹已存在且不是空的 (the folder exists and is not empty)",
            errno.EEXIST: "路径中有一段不是文件夹 (a part of the path is not a folder)",  # mkdir beneath a file
        }
        message = f"无法写入 (cannot write): {reasons.get(error.errno, error.strerror or str(error))}"
        super().__init__(f"{path}: {message}")
        self.path, self.message = str(path), message


def read_bytes(path: Path, limit: int) -> bytes:
    """The bytes of a regular file of at most `limit` bytes, or Unreadable.

    Every file the tool reads comes through here: a FIFO would block for ever and a device such
    as /dev/zero never ends, so only regular files are read, and never more than the limit
    (checked before reading, and again while reading a file that grows).
    """
    with _open_regular(path) as f:
        size = os.fstat(f.fileno()).st_size
        if size > limit:
            raise Unreadable(path, too_large(size, limit))
        try:
            data = f.read(limit + 1)
        except OSError as e:
            raise Unreadable(path, _why(e)) from None
    if len(data) > limit:
        raise Unreadable(path, too_large(len(data), limit))
    return data


def regular_file(path: Path) -> None:
    """Raise Unreadable unless `path` is a regular file the tool can open: what a command says of
    a file it is given (a folder, a FIFO, a device, a symlink loop) before it starts on it."""
    _open_regular(path).close()


def _open_regular(path: Path) -> BinaryIO:
    try:
        # O_NONBLOCK: a FIFO opens at once instead of waiting for a writer; it is refused below
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC)
    except OSError as e:
        raise Unreadable(path, _why(e)) from None
    mode = os.fstat(fd).st_mode
    if not stat.S_ISREG(mode):
        os.close(fd)
        if stat.S_ISDIR(mode):
            raise Unreadable(path, "是文件夹，不是文件 (a folder, not a file)")
        raise Unreadable(path, "不是普通文件（管道、设备或套接字），不能读取 (not a regular file)")
    return os.fdopen(fd, "rb")


def read_text(path: Path, limit: int) -> str:
    """A regular file's text, strict UTF-8 (a byte-order mark is dropped), or Unreadable at the
    line and column of the first byte that is not UTF-8."""
    data = read_bytes(path, limit)
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        line = data.count(b"\n", 0, e.start) + 1
        column = e.start - (data.rfind(b"\n", 0, e.start) + 1) + 1
        raise Unreadable(path, "不是 UTF-8 编码的文字，请另存为 UTF-8 (not UTF-8 text: save it as UTF-8)",
                         line, column) from None


def too_large(size: int, limit: int) -> str:
    return f"文件过大：{megabytes(size)}，上限为 {megabytes(limit)} (file too large)"


def shorten(reason: object, limit: int = 200) -> str:
    """A library's reason for refusing a file (pypdf's, python-docx's), on one line (newlines and
    other controls escaped) and not too long."""
    text = repr(str(reason))[1:-1]
    return text if len(text) <= limit else text[:limit] + "…"


def megabytes(n: int) -> str:
    if n % (1024 * 1024) == 0:
        return f"{n // 1024 // 1024} MB"
    return f"{n / 1024 / 1024:.1f} MB" if n >= 1024 * 1024 else f"{n / 1024:.0f} KB"


def _why(e: OSError) -> str:
    reasons = {
        errno.ENOENT: "文件不存在 (file not found)",
        errno.ELOOP: "符号链接形成循环 (symlink loop)",
        errno.EACCES: "没有读取权限 (permission denied)",
        errno.EISDIR: "是文件夹，不是文件 (a folder, not a file)",
        errno.ENOTDIR: "路径中有一段不是文件夹 (a part of the path is not a folder)",
        errno.ENAMETOOLONG: "路径过长 (path too long)",
    }
    return reasons.get(e.errno, f"无法读取 (cannot read): {e.strerror or e}")


def write_atomic(data: bytes, target: Path) -> None:
    """Write `data` to `target` so that readers see the old file or the new one, never a part.

    The part is named after the writing process (.NAME.PID.xxxx.part): a part that a killed
    writer left behind is removed by the next write to the same file, a live writer's is not.
    """
    target.parent.mkdir(parents=True, exist_ok=True)
    remove_orphans(target.parent, f".{target.name}.", ".part")
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.{os.getpid()}.", suffix=".part", dir=target.parent)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.chmod(tmp, 0o644)
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


# WeasyPrint's copies of the fonts, one folder per typesetting process (typeset.font_config),
# in the temporary folder: FONT_FOLDERS + PID + "." …
FONT_FOLDERS = "weasyprint-bulletin-print."


def remove_orphans(folder: Path, prefix: str, suffix: str = "") -> None:
    """Remove what dead processes left in `folder` under names PREFIX + PID + "." … + SUFFIX:
    parts of killed writes, temporary folders of killed builds. What a live process owns stays."""
    try:
        names = os.listdir(folder)
    except OSError:
        return
    for name in names:
        if not (name.startswith(prefix) and name.endswith(suffix)):
            continue
        pid = name[len(prefix):].split(".", 1)[0]
        if not pid.isdigit() or _alive(int(pid)):
            continue
        path = folder / name
        try:
            if path.is_dir() and not path.is_symlink():
                shutil.rmtree(path, ignore_errors=True)
            else:
                path.unlink(missing_ok=True)
        except OSError:
            pass  # another process's file, or already gone: nothing lost either way


def _alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # another user's
        return True
    except (OverflowError, ValueError):  # no process has such a number
        return False
    return True


def _cache_home() -> Path:
    """$XDG_CACHE_HOME when it is an absolute path (the XDG rule), else ~/.cache, else (no home
    directory, as for some service accounts) the temporary folder."""
    xdg = os.environ.get("XDG_CACHE_HOME", "")
    if os.path.isabs(xdg):
        return Path(xdg)
    try:
        return Path.home() / ".cache"
    except RuntimeError:
        return Path(tempfile.gettempdir())


CACHE_DIR = _cache_home() / "bulletin-print"


# A store holds at most a few thousand short entries; anything larger is not one of the tool's.
MAX_STORE_BYTES = 16 * 1024 * 1024


def read_store(path: Path) -> dict:
    """A store's contents; empty when it is missing, unreadable or not a JSON object. Its entries
    are the caller's to check: a store may hold anything, and is never trusted for more than time."""
    try:
        data = json.loads(read_bytes(path, MAX_STORE_BYTES))
    except (Unreadable, ValueError, RecursionError):
        return {}
    return data if isinstance(data, dict) else {}


def write_store(path: Path, data: dict) -> None:
    """Replace a store's contents; an unwritable cache folder only costs time."""
    try:
        write_atomic(json.dumps(data, ensure_ascii=False).encode("utf-8"), path)
    except OSError:
        pass
