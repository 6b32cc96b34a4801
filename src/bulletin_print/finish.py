"""The finished PDF: its variant (screen, print, archive), its metadata, its attachments, on disk.

Three variants of one issue:
  screen   the editor's proof: what `build` has always made.
  print    for the print shop: PDF/X-4, every colour CMYK characterised by ISO Coated v2 300 %
           (FOGRA39, profiles/) or the publication's spot red, no annotations, optional bleed and
           crop marks in a slug beyond it, optionally padded so that the 版记 falls on an even
           page (press.py).
  archive  for the archivist: PDF/A-3a, tagged (tagged.py), carrying its own sources as associated
           files (relationship Source): the issue file, the publication file and a manifest of
           everything else it was made from (tool, engine, layout files and fonts with sha256).
           `extract` writes them back.

Every variant is deterministic: the same inputs give the same bytes, whatever the clock, the
working directory or the process. Dates come from the issue (or SOURCE_DATE_EPOCH), XMP IDs from
the inputs' hashes, attachment dates from the issue date.

A failed or interrupted build must never leave a broken file where a good PDF was, so the
bytes go to a temporary file beside the target, which is then renamed over it.

This module imports WeasyPrint only when it typesets, so that checking whether a PDF is current
(archive.py's cache) stays fast.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
import mimetypes
import os
import re
import uuid
import zlib
from dataclasses import asdict, dataclass, field
from functools import cache
from importlib.metadata import version
from pathlib import Path

from bulletin_print.model import Fault, Issue
from bulletin_print.files import CACHE_DIR, read_store, write_atomic, write_store
from bulletin_print.paths import FONTS_DIR, LAYOUT_DIR, PROFILES_DIR, ROOT, code_sha256

# Issue files are YAML: without this an attachment is typed application/octet-stream.
mimetypes.add_type("application/yaml", ".yaml")
mimetypes.add_type("application/yaml", ".yml")

VARIANTS = ("screen", "print", "archive")
PDF_VARIANT = {"screen": None, "print": "pdf/x-4", "archive": "pdf/a-3a"}
PRINT_CSS = "print.css.j2"
DRAFT_CSS = "draft.css"
PROFILE = PROFILES_DIR / "ISOcoated_v2_300_bas.icc"
PROFILE_SHA256 = "b424c77f40c3423c925536f8ae08634985ccd0fe80eb253d5d229197ded7e886"
# The printing condition the profile characterises, as the ICC registry names it.
OUTPUT_CONDITION = {
    "OutputConditionIdentifier": "FOGRA39",
    "RegistryName": "http://www.color.org",
    "OutputCondition": "Offset printing, according to ISO 12647-2:2004/Amd 1, OFCOM, "
                       "paper type 1 or 2 = coated art, 115 g/m2, screen ruling 60/cm",
    "Info": "ISO Coated v2 300% (basICColor)",
}
MANIFEST_NAME = "manifest.json"


@dataclass(frozen=True)
class Options:
    """How to finish an issue. Part of the cache key and of the archive manifest."""

    variant: str = "screen"
    bleed: str | None = None  # a CSS length beyond the trimmed page, e.g. "3mm" (print only)
    marks: bool = False  # crop and registration marks (print only)
    even: bool = False  # pad so that the 版记 falls on an even page
    draft: bool = False  # write the PDF even when its pages have faults, marked 草稿 (draft)

    def __post_init__(self) -> None:
        if self.variant not in VARIANTS:
            raise ValueError(f"unknown variant {self.variant!r}: one of {', '.join(VARIANTS)}")
        if self.bleed is not None and not re.fullmatch(r"\d+(\.\d+)?(mm|pt|cm|in|px)", self.bleed):
            raise ValueError(f"bleed must be a CSS length such as 3mm, not {self.bleed!r}")

    @property
    def suffix(self) -> str:
        """The output name's tag: 2024-12.pdf, 2024-12.archive.pdf, and for print what the file
        holds, so that different print builds never overwrite each other: 2024-12.print.pdf,
        2024-12.print-bleed3-marks-even.pdf (the bleed in mm). A draft adds .draft
        (2024-12.draft.pdf), so that it never takes a good PDF's place."""
        from bulletin_print.press import MM, length_pt

        tag = "" if self.variant == "screen" else f".{self.variant}"
        if self.variant == "print":
            if self.bleed:
                tag += f"-bleed{round(length_pt(self.bleed) / MM, 3):g}"
            tag += "-marks" * self.marks + "-even" * self.even
        return tag + (".draft" if self.draft else "")


@dataclass(frozen=True)
class Sources:
    """The files an issue is made from, with their paths as the archive records them."""

    issue: Path
    publication: Path | None

    @classmethod
    def of(cls, issue: Path) -> Sources:
        from bulletin_print.load import publication_file

        return cls(issue, publication_file(issue))

    @property
    def issue_name(self) -> str:
        """The issue's path relative to the publication file's folder ("2024/12.yaml")."""
        if self.publication is None:
            return self.issue.name
        try:
            return self.issue.resolve().relative_to(self.publication.resolve().parent).as_posix()
        except ValueError:
            return self.issue.name


# --- what a PDF is made from ------------------------------------------------------------------

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
    return read_store(HASH_STORE)


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

    layout = [{"path": p.relative_to(ROOT).as_posix(), "sha256": file_sha256(p)}
              for p in sorted(LAYOUT_DIR.iterdir()) if p.is_file()]
    fonts = [{"path": (FONTS_DIR / f.file).relative_to(ROOT).as_posix(), "role": f.role, "family": f.family,
              "version": f.version, "licence": f.licence, "sha256": file_sha256(f.path)}
             for f in font_manifest()]
    fonts.append({"path": "fonts/fonts.conf", "sha256": file_sha256(FONTS_DIR / "fonts.conf")})
    return {
        **tool_manifest(),
        "layout": layout,
        "fonts": fonts,
        "profile": {"path": PROFILE.relative_to(ROOT).as_posix(), "sha256": file_sha256(PROFILE),
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
    data.update(environment_manifest())
    return data


def manifest_bytes(data: dict) -> bytes:
    return (json.dumps(data, ensure_ascii=False, indent=1, sort_keys=True) + "\n").encode("utf-8")


def cache_key(sources: Sources, options: Options) -> str:
    return sha256(manifest_bytes(manifest(sources, options)))


# --- dates and identifiers ----------------------------------------------------------------------

def build_date(issue_date: dt.date) -> dt.datetime:
    """The date every date in the PDF says: SOURCE_DATE_EPOCH when set, else the issue's date."""
    epoch = source_date_epoch()
    if epoch is not None:
        return dt.datetime.fromtimestamp(epoch, dt.timezone.utc)
    return dt.datetime.combine(issue_date, dt.time(0, 0), dt.timezone.utc)


def content_uuid(*parts: str) -> uuid.UUID:
    """A UUID (version 5 layout) derived from the given strings: the same inputs, the same ID."""
    return uuid.uuid5(uuid.NAMESPACE_URL, "bulletin-print:" + "\x00".join(parts))


XMP_DOCUMENT_ID = re.compile(rb"<xmpMM:DocumentID>.*?</xmpMM:DocumentID>", re.S)
XMP_END = b"</rdf:RDF>"


# --- building --------------------------------------------------------------------------------

@dataclass
class Built:
    pdf: bytes | None  # None when the pages have faults (and no draft was asked for)
    pages: int
    faults: list[Fault] = field(default_factory=list)  # what composing and the preflight found


def stylesheets(options: Options) -> list[str]:
    """The extra CSS of a variant (layout/print.css.j2), and of a draft (layout/draft.css)."""
    from bulletin_print.render import environment

    sheets = []
    if options.variant != "screen":
        profile = os.path.relpath(PROFILE, LAYOUT_DIR).replace(os.sep, "/")
        bleed = options.bleed if options.variant == "print" else None
        sheets.append(environment().get_template(PRINT_CSS).render(profile=profile, bleed=bleed))
    if options.draft:
        sheets.append((LAYOUT_DIR / DRAFT_CSS).read_text(encoding="utf-8"))
    return sheets


def build(issue_path: Path, options: Options, data: Issue | None = None,
          composed: dict | None = None) -> Built:
    """Load, compose, render and typeset one issue into the PDF bytes of `options.variant`.

    `data` is the issue as the checks already loaded it, so that it is not read twice;
    `composed` the paragraphs an earlier build composed (see render.render).
    Raises IssueError for problems in the issue's files.
    """
    from bulletin_print import load, render, typeset

    issue_path = Path(issue_path)
    sources = Sources.of(issue_path)
    data = data or load.load_issue(issue_path)
    rendered = render.render(data, composed)
    if options.variant != "screen" and file_sha256(PROFILE) != PROFILE_SHA256:
        raise RuntimeError(f"{PROFILE}: not the profile recorded in profiles/README.md")
    when = build_date(data.date)
    info = manifest(sources, options)
    key = sha256(manifest_bytes(info))
    document_id = content_uuid(data.title, str(data.total), data.date.isoformat())  # the same in every variant
    instance_id = content_uuid(key)  # this rendition of these inputs

    def prepare(document) -> None:
        import weasyprint

        meta = document.metadata
        meta.created = meta.modified = when.isoformat().replace("+00:00", "Z")
        if options.variant == "archive":
            files = [(sources.issue.name, sources.issue.read_bytes(), "该期的源文件 (the issue's source file)")]
            if sources.publication is not None:
                files.append(("publication.yaml", sources.publication.read_bytes(),
                              "刊物的公共设置 (the publication's shared settings)"))
            files.append((MANIFEST_NAME, manifest_bytes(info), "生成环境清单 (what this PDF was made from)"))
            stamp = when.replace(tzinfo=None)  # WeasyPrint writes it as UTC ("Z")
            meta.attachments = [
                weasyprint.Attachment(file_obj=io.BytesIO(content), name=name, description=description,
                                      created=stamp, modified=stamp, relationship="Source")
                for name, content, description in files]

    def finisher(document, pdf) -> None:
        from bulletin_print import press, tagged

        if options.variant != "screen":
            fix_output_intent(pdf)
            cmyk_only(pdf)
            press.cmyk_images(pdf, PROFILE)
        if options.variant == "print":
            bleed = press.length_pt(options.bleed) if options.bleed else 0.0
            press.finish(pdf, bleed, options.marks, data.red, data.red_spot)
        if options.variant == "archive":
            dedupe_associated_files(pdf)
            tagged.page_margins_as_artifacts(pdf)
        set_xmp_ids(pdf, f"uuid:{document_id}", f"uuid:{instance_id}")
        deflate_once(pdf)

    pdf_options: dict[str, object] = {}
    if PDF_VARIANT[options.variant]:
        pdf_options["pdf_variant"] = PDF_VARIANT[options.variant]
        # the CMYK profile is the output intent of the archive PDF too: its colours are CMYK
        pdf_options["output_intent"] = "device-cmyk"
    done = typeset.typeset(rendered.html, issue_path.parent, stylesheets=stylesheets(options), even=options.even,
                           draft=options.draft, prepare=prepare, finisher=finisher, **pdf_options)
    return Built(done.pdf, done.pages, rendered.faults + done.faults)


def fix_output_intent(pdf) -> None:
    """Name the printing condition (FOGRA39) in the output intent instead of the profile's file name."""
    import pydyf

    for intent in pdf.catalog.get("OutputIntents", []):
        for key, value in OUTPUT_CONDITION.items():
            intent[key] = pydyf.String(value)


RGB_OPERATOR = re.compile(rb"(?<![\w.])(-?[\d.]+) (-?[\d.]+) (-?[\d.]+) (rg|RG)(?![\w])")
GREY_OPERATOR = re.compile(rb"(?<![\w.])(-?[\d.]+) (g|G)(?![\w])")


def _cmyk(op: bytes, *rgb: float) -> bytes:
    """The DeviceCMYK operators for an RGB colour: a grey in black ink alone."""
    k = 1 - max(rgb)
    c, m, y = (0.0, 0.0, 0.0) if k >= 1 else ((1 - v - k) / (1 - k) for v in rgb)
    fill = op.islower()
    values = " ".join(f"{v:.4g}" for v in (c, m, y, k))
    return f"/DeviceCMYK {'cs' if fill else 'CS'} {values} {'scn' if fill else 'SCN'}".encode()


def cmyk_only(pdf) -> None:
    """Rewrite what WeasyPrint still draws in RGB or grey as DeviceCMYK.

    The layout's own colours are device-cmyk() already; this catches what WeasyPrint would draw
    in RGB by itself, as its crop marks were (a built-in SVG with stroke="black", `0 0 0 RG`;
    the marks are press.py's now), and any RGB colour a stylesheet lets in: it becomes CMYK, a
    grey black ink alone. Only content streams (page contents, form XObjects) are touched, never fonts.
    """
    import pydyf
    from weasyprint.pdf.stream import Stream

    to_bytes = getattr(pydyf, "_to_bytes")
    for obj in pdf.objects:
        if not isinstance(obj, Stream):
            continue
        data = b"\n".join(to_bytes(item) for item in obj.stream)
        if not (b"rg" in data or b"RG" in data or b" g" in data or b" G" in data):
            continue
        new = RGB_OPERATOR.sub(lambda m: _cmyk(m[4], *(float(v) for v in m.group(1, 2, 3))), data)
        new = GREY_OPERATOR.sub(lambda m: _cmyk(m[2], *(float(m[1]),) * 3), new)
        if new != data:
            obj.stream = [new]


def dedupe_associated_files(pdf) -> None:
    """List each associated file once in the catalog's /AF (WeasyPrint 70 lists each twice: once
    from the EmbeddedFiles name tree, once from the file specifications)."""
    import pydyf

    if "AF" in pdf.catalog:
        unique = {str(reference): reference for reference in pdf.catalog["AF"]}
        pdf.catalog["AF"] = pydyf.Array(unique.values())


def set_xmp_ids(pdf, document_id: str, instance_id: str) -> None:
    """Give the XMP packet content-derived xmpMM:DocumentID and InstanceID (WeasyPrint writes a
    random DocumentID for PDF/X-4, none otherwise). Without XMP (screen), nothing to do."""
    reference = pdf.catalog.get("Metadata")
    if reference is None:
        return
    if isinstance(reference, bytes):
        reference = reference.decode()
    stream = pdf.objects[int(reference.split()[0])]
    xmp = b"".join(part if isinstance(part, bytes) else str(part).encode() for part in stream.stream)
    xmp = XMP_DOCUMENT_ID.sub(b"", xmp)
    ids = (f'<rdf:Description xmlns:xmpMM="http://ns.adobe.com/xap/1.0/mm/" rdf:about="">'
           f"<xmpMM:DocumentID>{document_id}</xmpMM:DocumentID>"
           f"<xmpMM:InstanceID>{instance_id}</xmpMM:InstanceID></rdf:Description>").encode()
    assert xmp.count(XMP_END) == 1, "unexpected XMP packet"
    stream.stream = [xmp.replace(XMP_END, ids + XMP_END)]


def deflate_once(pdf) -> None:
    """Compress every stream here, once, exactly as pydyf would (zlib level 9), and leave pydyf
    nothing to compress.

    pydyf compresses a stream each time its bytes are asked for, and a PDF with an ID (print,
    archive) asks twice: once more to hash the whole file for the ID. The colour profile, 1 MB that
    hardly compresses, cost 0.3 s each time (measured); it is compressed once per process.
    """
    import pydyf

    to_bytes = getattr(pydyf, "_to_bytes")
    profile_size = PROFILE.stat().st_size
    for obj in pdf.objects:
        if not (isinstance(obj, pydyf.Stream) and obj.compress):
            continue
        data = b"\n".join(to_bytes(item) for item in obj.stream)
        is_profile = len(data) == profile_size and data == deflated_profile()[0]
        obj.stream = [deflated_profile()[1] if is_profile else deflate(data)]
        obj.extra["Filter"] = "/FlateDecode"
        obj.compress = False


def deflate(data: bytes) -> bytes:
    """The bytes pydyf writes for a compressed stream."""
    packer = zlib.compressobj(level=9)
    return packer.compress(data) + packer.flush()


@cache
def deflated_profile() -> tuple[bytes, bytes]:
    """The output profile and its compressed bytes: the same in every print and archive PDF."""
    data = PROFILE.read_bytes()
    return data, deflate(data)


# --- extracting -------------------------------------------------------------------------------

def attachments(pdf_path: Path) -> dict[str, bytes]:
    """The files embedded in a PDF, by name."""
    import pypdf

    reader = pypdf.PdfReader(pdf_path)
    return {name: contents[0] for name, contents in reader.attachments.items()}


def extract(pdf_path: Path, out_dir: Path) -> list[Path]:
    """Write an archive PDF's sources back out where a build finds them again:
    OUT/publication.yaml, OUT/2024/12.yaml, OUT/manifest.json. Returns the files written."""
    files = attachments(pdf_path)
    if not files:
        raise ValueError(f"{pdf_path}: 没有附件 (no embedded files: not an archive PDF)")
    places: dict[str, str] = {name: name for name in files}
    if MANIFEST_NAME in files:
        info = json.loads(files[MANIFEST_NAME])
        issue_path = info["issue"]["path"]
        places[Path(issue_path).name] = issue_path
        for part in ("issue", "publication"):
            entry = info.get(part)
            name = entry and Path(entry["path"]).name
            if entry and name in files and sha256(files[name]) != entry["sha256"]:
                raise ValueError(f"{pdf_path}: {name} does not match its sha256 in the manifest")
    written = []
    out_dir = Path(out_dir)
    for name, content in files.items():
        relative = Path(places[name])
        if relative.is_absolute() or ".." in relative.parts:
            raise ValueError(f"{pdf_path}: refusing to write {relative} outside {out_dir}")
        target = out_dir / relative
        write_atomic(content, target)
        written.append(target)
    return written
