"""The finished PDF onto disk: written whole or not at all.

A failed or interrupted build must never leave a broken file where a good PDF was, so the
bytes go to a temporary file beside the target, which is then renamed over it.
"""

from __future__ import annotations

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
