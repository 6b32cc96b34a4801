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
import errno
import hashlib
import io
import json
import mimetypes
import os
import re
import shutil
import tempfile
import unicodedata
import uuid
import zlib
from dataclasses import asdict, dataclass, field
from functools import cache
from importlib.metadata import version
from pathlib import Path

import jsonschema

from bulletin_print.model import Fault, Issue
from bulletin_print.files import (CACHE_DIR, Unreadable, Unwritable, read_bytes, read_store, remove_orphans,
                                  shorten, too_large, write_store)
from bulletin_print.paths import FONTS_DIR, LAYOUT_DIR, MANIFEST_SCHEMA_FILE, PROFILES_DIR, ROOT, code_sha256

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
    """The hash store's entries of the shape written above; any other is ignored (and rewritten)."""
    return {path: entry for path, entry in read_store(HASH_STORE).items() if _hash_entry(entry)}


def _hash_entry(entry: object) -> bool:
    """[mtime_ns, size, sha256 hex]."""
    return (isinstance(entry, list) and len(entry) == 3 and type(entry[0]) is int and type(entry[1]) is int
            and isinstance(entry[2], str) and re.fullmatch(r"[0-9a-f]{64}", entry[2]) is not None)


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

# An archive PDF of a long issue is a few MB. Its sources are the issue file and the publication
# file (each at most load.MAX_FILE_BYTES, checked when they are built) and a manifest of a few KB.
MAX_PDF_BYTES = 200 * 1024 * 1024
MAX_SOURCE_BYTES = 2 * 1024 * 1024
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
            if isinstance(declared, int) and declared > MAX_SOURCE_BYTES:
                raise Unreadable(pdf_path, f"附件 {name!r}: {too_large(declared, MAX_SOURCE_BYTES)}")
            try:
                content = entry.content  # pypdf stops unpacking at 75 MB (LimitReachedError)
            except Exception as e:
                raise Unreadable(pdf_path, f"附件 {name!r} 无法解压 (cannot unpack): {shorten(e)}") from None
            if len(content) > MAX_SOURCE_BYTES:
                raise Unreadable(pdf_path, f"附件 {name!r}: {too_large(len(content), MAX_SOURCE_BYTES)}")
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
    out[MANIFEST_NAME] = MANIFEST_NAME
    if len(out) != len(sources) + 1:
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
