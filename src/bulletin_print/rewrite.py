"""The PDF's objects rewritten after WeasyPrint has made them and before they are written: the
output intent named, every colour in CMYK, associated files listed once, content-derived XMP
IDs, and every stream compressed once (see deflate_once)."""

from __future__ import annotations

import re
import zlib
from functools import cache

from bulletin_print.paths import OUTPUT_CONDITION, PROFILE

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


XMP_DOCUMENT_ID = re.compile(rb"<xmpMM:DocumentID>.*?</xmpMM:DocumentID>", re.S)


XMP_END = b"</rdf:RDF>"


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


def stable_image_names(pdf) -> None:
    """Name every image after its content, not after its file's URL (WeasyPrint's md5 of the URL),
    so that an issue built from another folder (its archive PDF's sources, extracted) gives the
    same bytes."""
    import hashlib

    import pydyf

    from bulletin_print.press import content_streams

    to_bytes = getattr(pydyf, "_to_bytes")

    def deref(value):
        if isinstance(value, (bytes, str)) and str(value if isinstance(value, str) else value.decode()).endswith(" R"):
            text = value if isinstance(value, str) else value.decode()
            return pdf.objects[int(text.split()[0])]
        return value

    renames: dict[str, str] = {}
    for obj in list(pdf.objects):
        if not isinstance(obj, dict) or "XObject" not in obj:
            continue
        xobjects = deref(obj["XObject"])
        if not isinstance(xobjects, dict):
            continue
        for name in list(xobjects):
            target = deref(xobjects[name])
            if not (isinstance(target, pydyf.Stream) and target.extra.get("Subtype") == "/Image"):
                continue
            if name not in renames:
                digest = hashlib.md5(b"".join(to_bytes(item) for item in target.stream), usedforsecurity=False)
                renames[name] = f"i{digest.hexdigest()}{name[-1]}"
            xobjects[renames[name]] = xobjects.pop(name)
    if not renames:
        return
    pattern = re.compile(rb"/(" + b"|".join(re.escape(n.encode()) for n in renames) + rb")(?![\w])")
    for stream, data in content_streams(pdf):
        new = pattern.sub(lambda m: b"/" + renames[m[1].decode()].encode(), data)
        if new != data:
            stream.stream = [new]
