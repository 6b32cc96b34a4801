"""Where the project's own resources live: the layout templates and the fonts.

They sit beside `src/` in the project, so the package is installed editable (`pip install -e .`).
"""

from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
LAYOUT_DIR = ROOT / "layout"
FONTS_DIR = ROOT / "fonts"
ISSUES_DIR = ROOT / "issues"
PROFILES_DIR = ROOT / "profiles"  # the CMYK output profile of print and archive PDFs
