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
import io
import mimetypes
import os
import re
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from bulletin_print.manifest import MANIFEST_NAME, Sources, changes, file_sha256, manifest, manifest_bytes, sha256, source_date_epoch
from bulletin_print.model import Fault, Issue, Look
from bulletin_print.paths import LAYOUT_DIR, PROFILE, PROFILE_SHA256

if TYPE_CHECKING:  # WeasyPrint is imported only when a build needs it
    from bulletin_print.relayout import Memo

# Issue files are YAML: without this an attachment is typed application/octet-stream.
mimetypes.add_type("application/yaml", ".yaml")
mimetypes.add_type("application/yaml", ".yml")


@dataclass(frozen=True)
class Variant:
    """What a variant of the PDF is: data, so that `build` asks what to do, never which variant."""

    tag: str  # in the file's name: 2024-12.pdf, 2024-12.print.pdf, 2024-12.archive.pdf
    pdf_variant: str | None  # WeasyPrint's: the standard the PDF declares
    cmyk: bool  # the output intent FOGRA39, every colour and image in CMYK (print.css.j2)
    press: bool  # for the press: bleed, marks, the spot red, no annotations (press.py)
    sources: bool  # carries its sources and a manifest, and is tagged (tagged.py)


VARIANTS = {
    "screen": Variant("", None, cmyk=False, press=False, sources=False),
    "print": Variant(".print", "pdf/x-4", cmyk=True, press=True, sources=False),
    "archive": Variant(".archive", "pdf/a-3a", cmyk=True, press=False, sources=True),
}
PRINT_CSS = "print.css.j2"
DRAFT_CSS = "draft.css"
PREPRINTED_CSS = "preprinted.css"
MAX_COPIES = 9999  # copies in one PDF (份号 has six digits; a run is a few hundred)


def parse_copies(text: str) -> tuple[int, int]:
    """"1-120" → (1, 120); "7" → (7, 7): the copies to number, first and last."""
    match = re.fullmatch(r"\s*(\d{1,6})\s*(?:[-–～~]\s*(\d{1,6})\s*)?", text)
    if match is None:
        raise ValueError(f"--copies must be FIRST-LAST such as 1-120, not {text!r}")
    first, last = int(match[1]), int(match[2] or match[1])
    if not 1 <= first <= last:
        raise ValueError(f"--copies: the first copy must be at least 1 and not after the last, not {text!r}")
    if last - first + 1 > MAX_COPIES:
        raise ValueError(f"--copies: at most {MAX_COPIES} copies in one PDF")
    return first, last


@dataclass(frozen=True)
class Options:
    """How to finish an issue. Part of the cache key and of the archive manifest."""

    variant: str = "screen"
    bleed: str | None = None  # a CSS length beyond the trimmed page, e.g. "3mm" (print only)
    marks: bool = False  # crop and registration marks (print only)
    even: bool = False  # pad so that the 版记 falls on an even page
    draft: bool = False  # write the PDF even when its pages have faults, marked 草稿 (draft)
    copies: tuple[int, int] | None = None  # number each copy (份号) from the first to the last, one PDF (print only)
    preprinted: bool = False  # paper with the red masthead printed on it: its red ink left out

    def __post_init__(self) -> None:
        if self.copies is not None and not self.kind.press:
            raise ValueError("--copies is for --for print")
        if self.variant not in VARIANTS:
            raise ValueError(f"unknown variant {self.variant!r}: one of {', '.join(VARIANTS)}")
        if self.bleed is not None and not re.fullmatch(r"\d+(\.\d+)?(mm|pt|cm|in|px)", self.bleed):
            raise ValueError(f"bleed must be a CSS length such as 3mm, not {self.bleed!r}")

    @property
    def kind(self) -> Variant:
        return VARIANTS[self.variant]

    @property
    def suffix(self) -> str:
        """The output name's tag: 2024-12.pdf, 2024-12.archive.pdf, and for print what the file
        holds, so that different print builds never overwrite each other: 2024-12.print.pdf,
        2024-12.print-bleed3-marks-even.pdf (the bleed in mm). A draft adds .draft
        (2024-12.draft.pdf), so that it never takes a good PDF's place."""
        from bulletin_print.press import MM, length_pt

        tag = self.kind.tag
        if self.kind.press:
            if self.bleed:
                tag += f"-bleed{round(length_pt(self.bleed) / MM, 3):g}"
            tag += "-marks" * self.marks + "-even" * self.even
            if self.copies:
                tag += f"-copies{self.copies[0]}-{self.copies[1]}"
        tag += "-preprinted" * self.preprinted
        return tag + (".draft" if self.draft else "")


@dataclass
class Built:
    pdf: bytes | None  # None when the pages have faults (and no draft was asked for)
    pages: int
    faults: list[Fault] = field(default_factory=list)  # what composing and the preflight found
    changed: list[str] = field(default_factory=list)  # what differs from an archive PDF's making (manifest.changes)
    fresh: tuple[int, ...] | None = None  # with a memo: the pages the PDF holds (None: every page)


def stylesheets(options: Options, look: Look = Look()) -> list[str]:
    """The extra CSS of a variant (layout/print.css.j2), and of a draft (layout/draft.css): the
    publication's where it has its own."""
    from bulletin_print.render import environment, layout_file

    sheets = []
    if options.kind.cmyk:
        profile = os.path.relpath(PROFILE, LAYOUT_DIR).replace(os.sep, "/")
        bleed = options.bleed if options.kind.press else None
        sheets.append(environment(look.layout).get_template(PRINT_CSS).render(profile=profile, bleed=bleed))
    if options.draft:
        sheets.append(layout_file(DRAFT_CSS, look).read_text(encoding="utf-8"))
    if options.preprinted:
        sheets.append(layout_file(PREPRINTED_CSS, look).read_text(encoding="utf-8"))
    return sheets


def build(issue_path: Path, options: Options, data: Issue | None = None,
          composed: dict | None = None, memo: Memo | None = None) -> Built:
    """Load, compose, render and typeset one issue into the PDF bytes of `options.variant`.

    `data` is the issue as the checks already loaded it, so that it is not read twice;
    `composed` the paragraphs an earlier build composed (see render.render); `memo` the editor's
    last layout of this issue (see typeset.typeset: the PDF then holds the changed pages only).
    Raises IssueError for problems in the issue's files.
    """
    from bulletin_print import load, render, typeset

    issue_path = Path(issue_path)
    sources = Sources.of(issue_path)
    data = data or load.load_issue(issue_path)
    copies = range(options.copies[0], options.copies[1] + 1) if options.copies else range(0)
    rendered = render.render(data, composed, copy=copies[0] if copies else 0)
    # the further copies differ on page 1 only: their 份号 (the paragraphs are composed once)
    more = [render.render(data, composed if composed is not None else {}, copy=k).html for k in copies[1:]]
    kind = options.kind
    if kind.cmyk and file_sha256(PROFILE) != PROFILE_SHA256:
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
        if kind.sources:
            files = [(sources.issue.name, sources.issue.read_bytes(), "该期的源文件 (the issue's source file)")]
            if sources.publication is not None:
                files.append(("publication.yaml", sources.publication.read_bytes(),
                              "刊物的公共设置 (the publication's shared settings)"))
            for (name, path), attached in zip(sources.images, sources.attachment_names()):
                files.append((attached, path.read_bytes(), f"该期的图片 {name} (an image the issue shows, as given)"))
            files.append((MANIFEST_NAME, manifest_bytes(info), "生成环境清单 (what this PDF was made from)"))
            stamp = when.replace(tzinfo=None)  # WeasyPrint writes it as UTC ("Z")
            meta.attachments = [
                weasyprint.Attachment(file_obj=io.BytesIO(content), name=name, description=description,
                                      created=stamp, modified=stamp, relationship="Source")
                for name, content, description in files]

    def finisher(document, pdf) -> None:
        from bulletin_print import press, rewrite, tagged

        if kind.cmyk:
            rewrite.fix_output_intent(pdf)
            rewrite.cmyk_only(pdf)
            press.cmyk_images(pdf, PROFILE)
        if kind.press:
            bleed = press.length_pt(options.bleed) if options.bleed else 0.0
            press.finish(pdf, bleed, options.marks, data.red, data.red_spot)
        if kind.sources:
            rewrite.dedupe_associated_files(pdf)
            tagged.page_margins_as_artifacts(pdf)
        rewrite.stable_image_names(pdf)
        rewrite.set_xmp_ids(pdf, f"uuid:{document_id}", f"uuid:{instance_id}")
        if memo is None:
            rewrite.deflate_once(pdf)

    pdf_options: dict[str, object] = {}
    if memo is not None:  # the editor's preview: pages to draw at once, not a file to keep
        pdf_options["uncompressed_pdf"] = True
    if kind.pdf_variant:
        pdf_options["pdf_variant"] = kind.pdf_variant
        # the CMYK profile is the output intent of the archive PDF too: its colours are CMYK
        pdf_options["output_intent"] = "device-cmyk"
    done = typeset.typeset(rendered.html, issue_path.parent, look=data.look, stylesheets=stylesheets(options, data.look),
                           even=options.even, draft=options.draft, prepare=prepare, finisher=finisher, copies=more,
                           memo=memo, **pdf_options)
    return Built(done.pdf, done.pages, rendered.faults + done.faults, changes(sources, info), done.fresh)


def build_date(issue_date: dt.date) -> dt.datetime:
    """The date every date in the PDF says: SOURCE_DATE_EPOCH when set, else the issue's date."""
    epoch = source_date_epoch()
    if epoch is not None:
        return dt.datetime.fromtimestamp(epoch, dt.timezone.utc)
    return dt.datetime.combine(issue_date, dt.time(0, 0), dt.timezone.utc)


def content_uuid(*parts: str) -> uuid.UUID:
    """A UUID (version 5 layout) derived from the given strings: the same inputs, the same ID."""
    return uuid.uuid5(uuid.NAMESPACE_URL, "bulletin-print:" + "\x00".join(parts))
