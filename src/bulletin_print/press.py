"""The print shop's PDF made ready for the press (`build --for print`): what WeasyPrint leaves to do.

- **No annotations.** PDF/X allows none inside the BleedBox, and paper has no links: the 目录's
  links are dropped (the outline, the PDF's bookmarks, stays for finding one's way on screen).
- **The boxes.** TrimBox the A4 page; BleedBox exactly `--bleed` beyond it (WeasyPrint puts it at
  most 10 pt out, whatever the bleed); with `--marks`, a MediaBox SLUG (10 mm) beyond the bleed,
  where the crop and registration marks are drawn, so that none of them is printed on paper the
  trim keeps or the bleed needs. WeasyPrint's own marks (`marks: crop cross`) would lie inside the
  bleed, so they are not asked for.
- **Registration colour.** The marks are painted in /Separation /All, which lands on every plate:
  each plate, the spot red's included, carries the marks it is registered and trimmed by.
- **A spot red.** With `colours: red_spot:` in publication.yaml every colour that is the
  publication's red is painted instead in a /Separation colour space of that ink, whose
  alternate is the red's CMYK: the masthead, its rule and the 信息摘登 rule come out on the spot
  plate, the black text on the K plate, and nothing else.
- **Images in CMYK** (print and archive): an RGB image, taken to be sRGB as on the web, is
  converted to the output intent's profile (FOGRA39), so that no RGB reaches either file.

Everything works on WeasyPrint's pydyf objects in the finisher, before the file is written.
"""

from __future__ import annotations

import io
import re
import struct
import zlib
from collections.abc import Iterator
from functools import cache
from pathlib import Path

import pydyf

MM = 72 / 25.4
UNITS = {"mm": MM, "cm": 10 * MM, "in": 72.0, "pt": 1.0, "px": 0.75}
# The marks, outside the bleed: a crop mark starts MARK_OFFSET beyond the bleed's edge and runs
# MARK_LENGTH on; a registration target (circle and cross) sits on the middle of each side, as long.
MARK_OFFSET = 2 * MM
MARK_LENGTH = 5 * MM
SLUG = MARK_OFFSET + MARK_LENGTH + 3 * MM  # the MediaBox beyond the BleedBox: 10 mm
MARK_WIDTH = 0.25  # pt: a hairline
TARGET_RADIUS = 1.5 * MM
# The colour spaces this module adds to the document's (shared) ColorSpace resource.
REGISTRATION = "Registration"  # /Separation /All: every plate
SPOT = "SpotRed"


def length_pt(css: str) -> float:
    """A CSS length as Options.bleed allows it (3mm, 8.5pt, 0.125in …) in points."""
    match = re.fullmatch(r"(\d+(?:\.\d+)?)(mm|pt|cm|in|px)", css)
    if match is None:
        raise ValueError(f"not a CSS length: {css!r}")
    return float(match[1]) * UNITS[match[2]]


def finish(pdf: pydyf.PDF, bleed: float, marks: bool, red: tuple[float, ...], spot: str | None) -> None:
    """Make WeasyPrint's print PDF ready for the press; `bleed` in points."""
    drop_annotations(pdf)
    set_boxes(pdf, bleed, SLUG if marks else 0.0)
    if marks:
        draw_marks(pdf, bleed)
    if spot:
        paint_spot(pdf, red, spot)


def _object(pdf: pydyf.PDF, reference: bytes | str):
    """The object an indirect reference ("12 0 R") stands for."""
    if isinstance(reference, bytes):
        reference = reference.decode()
    return pdf.objects[int(reference.split()[0])]


def pages(pdf: pydyf.PDF) -> list[pydyf.Dictionary]:
    return [_object(pdf, reference) for reference in pdf.page_references]


def colour_spaces(pdf: pydyf.PDF) -> pydyf.Dictionary:
    """The ColorSpace resource dictionary: WeasyPrint gives every page and form the same one."""
    resources = _object(pdf, pages(pdf)[0]["Resources"])
    return _object(pdf, resources["ColorSpace"])


def separation(ink: str, cmyk: tuple[float, ...]) -> pydyf.Array:
    """A Separation colour space for `ink`, shown (and proofed) as `cmyk` at full tint."""
    tint = pydyf.Dictionary({"FunctionType": 2, "Domain": pydyf.Array([0, 1]), "N": 1,
                             "C0": pydyf.Array([0, 0, 0, 0]), "C1": pydyf.Array(cmyk)})
    return pydyf.Array(["/Separation", pydyf.name(ink), "/DeviceCMYK", tint])


def drop_annotations(pdf: pydyf.PDF) -> None:
    """No annotation anywhere: each page's /Annots goes, and each annotation's object is
    emptied, so that nothing in the file is an annotation any more."""
    for obj in pdf.objects:
        if isinstance(obj, dict) and obj.get("Type") == "/Page":
            obj.pop("Annots", None)
        elif isinstance(obj, dict) and obj.get("Type") == "/Annot":
            obj.clear()


def set_boxes(pdf: pydyf.PDF, bleed: float, slug: float) -> None:
    """BleedBox `bleed` beyond the TrimBox on every side, MediaBox `slug` beyond the BleedBox."""
    for page in pages(pdf):
        x0, y0, x1, y1 = page["TrimBox"]
        page["BleedBox"] = pydyf.Array([x0 - bleed, y0 - bleed, x1 + bleed, y1 + bleed])
        out = bleed + slug
        page["MediaBox"] = pydyf.Array([x0 - out, y0 - out, x1 + out, y1 + out])


Line = tuple[tuple[float, float], tuple[float, float]]


def mark_geometry(trim: tuple[float, ...], bleed: float) -> tuple[list[Line], list[tuple[float, float]]]:
    """The marks' lines (two crop marks a corner, a cross on the middle of each side) and the
    centres of the targets' circles, all beyond the bleed."""
    x0, y0, x1, y1 = trim
    near, far = bleed + MARK_OFFSET, bleed + MARK_OFFSET + MARK_LENGTH
    lines: list[Line] = []
    for cx, sx in ((x0, -1), (x1, 1)):
        for cy, sy in ((y0, -1), (y1, 1)):
            lines.append(((cx + sx * near, cy), (cx + sx * far, cy)))
            lines.append(((cx, cy + sy * near), (cx, cy + sy * far)))
    middle, half = (near + far) / 2, MARK_LENGTH / 2
    centres = [((x0 + x1) / 2, y1 + middle), ((x0 + x1) / 2, y0 - middle),
               (x0 - middle, (y0 + y1) / 2), (x1 + middle, (y0 + y1) / 2)]
    for x, y in centres:
        lines.append(((x - half, y), (x + half, y)))
        lines.append(((x, y - half), (x, y + half)))
    return lines, centres


def _circle(x: float, y: float, r: float) -> str:
    """A circle as four Bézier curves (the usual 0.5523 control-point distance), stroked."""
    k = 0.5523 * r
    return (f"{x + r:.3f} {y:.3f} m "
            f"{x + r:.3f} {y + k:.3f} {x + k:.3f} {y + r:.3f} {x:.3f} {y + r:.3f} c "
            f"{x - k:.3f} {y + r:.3f} {x - r:.3f} {y + k:.3f} {x - r:.3f} {y:.3f} c "
            f"{x - r:.3f} {y - k:.3f} {x - k:.3f} {y - r:.3f} {x:.3f} {y - r:.3f} c "
            f"{x + k:.3f} {y - r:.3f} {x + r:.3f} {y - k:.3f} {x + r:.3f} {y:.3f} c S")


def draw_marks(pdf: pydyf.PDF, bleed: float) -> None:
    """Crop marks and registration targets in the slug of every page, in registration colour.

    Pages of one size share one content stream of marks; it comes first in each page's
    contents, in a graphics state of its own, in the page's default coordinates."""
    colour_spaces(pdf)[REGISTRATION] = separation("All", (1, 1, 1, 1))
    by_size: dict[tuple[float, ...], pydyf.Stream] = {}
    for page in pages(pdf):
        trim = tuple(float(v) for v in page["TrimBox"])
        if trim not in by_size:
            lines, centres = mark_geometry(trim, bleed)
            drawn = [f"{a[0]:.3f} {a[1]:.3f} m {b[0]:.3f} {b[1]:.3f} l S" for a, b in lines]
            drawn += [_circle(x, y, TARGET_RADIUS) for x, y in centres]
            code = f"q /{REGISTRATION} CS 1 SCN {MARK_WIDTH} w 0 J\n" + "\n".join(drawn) + "\nQ"
            by_size[trim] = pydyf.Stream([code.encode()], compress=True)
            pdf.add_object(by_size[trim])
        page["Contents"] = pydyf.Array([by_size[trim].reference, page["Contents"]])


def content_streams(pdf: pydyf.PDF) -> Iterator[tuple[pydyf.Stream, bytes]]:
    """The pages' and forms' content streams (never fonts or images) with their bytes."""
    from weasyprint.pdf.stream import Stream

    to_bytes = getattr(pydyf, "_to_bytes")
    for obj in pdf.objects:
        if isinstance(obj, Stream):
            yield obj, b"\n".join(to_bytes(item) for item in obj.stream)


NUMBER = rb"(\d+(?:\.\d*)?|\.\d+)"
CMYK_COLOUR = re.compile(rb"/DeviceCMYK\s+(cs|CS)\s+" + rb"\s+".join([NUMBER] * 4) + rb"\s+(scn|SCN)(?![\w])")


def paint_spot(pdf: pydyf.PDF, red: tuple[float, ...], ink: str) -> None:
    """Every fill or stroke in the publication's red repainted at full tint of the spot `ink`."""
    colour_spaces(pdf)[SPOT] = separation(ink, tuple(red))

    def respot(match: re.Match) -> bytes:
        values = [float(v) for v in match.group(2, 3, 4, 5)]
        if all(abs(v - r) < 1e-6 for v, r in zip(values, red)):
            return b"/%s %s 1 %s" % (SPOT.encode(), match[1], match[6])
        return match[0]

    for obj, data in content_streams(pdf):
        new = CMYK_COLOUR.sub(respot, data)
        if new != data:
            obj.stream = [new]


# --- images -------------------------------------------------------------------------------------

@cache
def _to_press(profile: Path):
    """sRGB to the press profile, relative colorimetric with black-point compensation (what
    Acrobat's and Photoshop's 'convert to profile' do by default)."""
    from PIL import ImageCms

    return ImageCms.buildTransform(ImageCms.createProfile("sRGB"), ImageCms.getOpenProfile(str(profile)),
                                   "RGB", "CMYK", renderingIntent=ImageCms.Intent.RELATIVE_COLORIMETRIC,
                                   flags=ImageCms.Flags.BLACKPOINTCOMPENSATION)


def _png(width: int, height: int, idat: bytes) -> bytes:
    """A PNG file around WeasyPrint's image data (PNG rows, predictor 15), for Pillow to read."""
    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack("!I", len(body)) + kind + body + struct.pack("!I", zlib.crc32(kind + body))

    header = struct.pack("!IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", idat) + chunk(b"IEND", b"")


def cmyk_images(pdf: pydyf.PDF, profile: Path) -> None:
    """Every RGB image converted to CMYK by `profile` and stored losslessly (Flate); its alpha
    (a separate soft mask, DeviceGray) stays as it is."""
    from PIL import Image, ImageCms

    to_bytes = getattr(pydyf, "_to_bytes")
    for obj in pdf.objects:
        if not (isinstance(obj, pydyf.Stream) and obj.extra.get("Subtype") == "/Image"
                and obj.extra.get("ColorSpace") == "/DeviceRGB"):
            continue
        data = b"".join(to_bytes(item) for item in obj.stream)
        if obj.extra.get("Filter") == "/DCTDecode":
            rgb = Image.open(io.BytesIO(data))
        elif obj.extra.get("Filter") == "/FlateDecode":
            rgb = Image.open(io.BytesIO(_png(obj.extra["Width"], obj.extra["Height"], data)))
        else:
            raise RuntimeError(f"an RGB image encoded as {obj.extra.get('Filter')}: not what WeasyPrint writes")
        cmyk = ImageCms.applyTransform(rgb.convert("RGB"), _to_press(profile))
        obj.stream = [cmyk.tobytes()]
        for key in ("Filter", "DecodeParms", "Decode"):
            obj.extra.pop(key, None)
        obj.extra["ColorSpace"] = "/DeviceCMYK"
        obj.compress = True
