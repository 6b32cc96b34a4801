"""The files the tool writes for itself, and what runs remember.

Every file it writes goes down whole: readers see the old one or the new one, never a part.
What one run remembers for the next (hashes of large files, the archive's numbering) lives in
small JSON stores under the user's cache folder; a store only ever saves time, and one that is
missing or unreadable is an empty one.
"""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path


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
