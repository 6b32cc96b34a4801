"""Where the project's own resources live (the layout templates, the fonts), and where it keeps
what it remembers between runs.

The resources sit beside `src/` in the project, so the package is installed editable
(`pip install -e .`).
"""

import hashlib
import os
import tempfile
from functools import cache
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
LAYOUT_DIR = ROOT / "layout"
FONTS_DIR = ROOT / "fonts"
ISSUES_DIR = ROOT / "issues"
PROFILES_DIR = ROOT / "profiles"  # the CMYK output profile of print and archive PDFs
SCHEMA_FILE = ROOT / "schema" / "issue.schema.json"
PACKAGE_DIR = Path(__file__).resolve().parent


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


CACHE_DIR = _cache_home() / "bulletin-print"  # what runs remember: only ever saves time, never changes a result


@cache
def code_sha256() -> str:
    """The tool's own code and the issue schema, which decides what an issue may say: what
    everything remembered across runs, and every archive PDF's manifest, is only good for."""
    code = hashlib.sha256()
    for path in [*sorted(PACKAGE_DIR.glob("*.py")), SCHEMA_FILE]:
        code.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
    return code.hexdigest()
