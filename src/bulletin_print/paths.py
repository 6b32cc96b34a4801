"""Where the tool's own resources live: the layout templates, the fonts, the schemas, the colour
profile, the code.

They are package data of `bulletin_print`, found with importlib.resources as WeasyPrint finds its
own stylesheet: in an installed wheel they are files inside the package; in the project they are
the top-level folders (layout/, fonts/, schema/, profiles/), which the package reaches through
links of the same names in src/bulletin_print/, so that a designer and a font maintainer keep
working where they always have.
"""

import hashlib
from functools import cache
from importlib.resources import files
from pathlib import Path

PACKAGE_DIR = Path(str(files("bulletin_print")))
RESOURCES = PACKAGE_DIR  # the folder the manifest's paths ("layout/bulletin.css") are relative to
LAYOUT_DIR = PACKAGE_DIR / "layout"
FONTS_DIR = PACKAGE_DIR / "fonts"
PROFILES_DIR = PACKAGE_DIR / "profiles"  # the CMYK output profile of print and archive PDFs
SCHEMA_FILE = PACKAGE_DIR / "schema" / "issue.schema.json"
MANIFEST_SCHEMA_FILE = PACKAGE_DIR / "schema" / "manifest.schema.json"  # what `extract` accepts

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
