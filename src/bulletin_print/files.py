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
import stat
import tempfile
from pathlib import Path
from typing import BinaryIO


class Unreadable(Exception):
    """A file the tool will not read, said as an editor can act on it (Chinese, then English).
    `line`/`column` (1-based) locate it where the fault lies inside the file, else 0."""

    def __init__(self, path: Path | str, message: str, line: int = 0, column: int = 0) -> None:
        super().__init__(f"{path}: {message}")
        self.path, self.message, self.line, self.column = str(path), message, line, column


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
    def mb(n: int) -> str:
        if n % (1024 * 1024) == 0:
            return f"{n // 1024 // 1024} MB"
        return f"{n / 1024 / 1024:.1f} MB" if n >= 1024 * 1024 else f"{n / 1024:.0f} KB"
    return f"文件过大：{mb(size)}，上限为 {mb(limit)} (file too large)"


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
    """Write `data` to `target` so that readers see the old file or the new one, never a part."""
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".part", dir=target.parent)
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


def read_store(path: Path) -> dict:
    """A store's contents; empty when it is missing, unreadable or not a JSON object."""
    try:
        data = json.loads(path.read_bytes())
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def write_store(path: Path, data: dict) -> None:
    """Replace a store's contents; an unwritable cache folder only costs time."""
    try:
        write_atomic(json.dumps(data, ensure_ascii=False).encode("utf-8"), path)
    except OSError:
        pass
