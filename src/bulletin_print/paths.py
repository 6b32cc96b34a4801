"""Where the project's own resources live: the layout templates, the fonts, the schema, the code.

They sit beside `src/` in the project, so the package is installed editable (`pip install -e .`).
"""

import hashlib
from functools import cache
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
LAYOUT_DIR = ROOT / "layout"
FONTS_DIR = ROOT / "fonts"
ISSUES_DIR = ROOT / "issues"
PROFILES_DIR = ROOT / "profiles"  # the CMYK output profile of print and archive PDFs
SCHEMA_FILE = ROOT / "schema" / "issue.schema.json"
MANIFEST_SCHEMA_FILE = ROOT / "schema" / "manifest.schema.json"  # what `extract` accepts
PACKAGE_DIR = Path(__file__).resolve().parent

# The CMYK output profile of print and archive PDFs (profiles/README.md says where it is from), and
# the printing condition it characterises, as the ICC registry names it.
PROFILE = PROFILES_DIR / "ISOcoated_v2_300_bas.icc"
PROFILE_SHA256 = "b424c77f40c3423c925536f8ae08634985ccd0fe80eb253d5d229197ded7e886"
OUTPUT_CONDITION = {
    "OutputConditionIdentifier": "FOGRA39",
    "RegistryName": "http://www.color.org",
    "OutputCondition": "Offset printing, according to ISO 12647-2:2004/Amd 1, OFCOM, "
                       "paper type 1 or 2 = coated art, 115 g/m2, screen ruling 60/cm",
    "Info": "ISO Coated v2 300% (basICColor)",
}


@cache
def code_sha256() -> str:
    """The tool's own code and the issue schema, which decides what an issue may say: what
    everything remembered across runs, and every archive PDF's manifest, is only good for."""
    code = hashlib.sha256()
    for path in [*sorted(PACKAGE_DIR.glob("*.py")), SCHEMA_FILE]:
        code.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
    return code.hexdigest()
