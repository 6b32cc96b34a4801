"""The job report that goes with a print PDF (`build --for print --report`, `--plates`): what a
print shop's preflight would tell, read back from the finished file itself, never from what the
build meant to write.

- pages, and the TrimBox, BleedBox and MediaBox in mm;
- the standard (XMP) and the output intent;
- the inks: process colorants (Cyan, Magenta, Yellow, Black) with a non-zero value in a colour
  that is painted, and spot inks (Separation, DeviceN) by name; for each page and for the job.
  Registration colour (/All, the marks in the slug) is on every plate by definition and no ink
  of its own: it is said apart and left out of the coverage;
- the maximum total ink coverage (TAC): with no overprint and only the Normal blend mode, every
  mark on the paper shows one painted colour (or, under transparency, a mix of painted colours
  and white, whose ink sum is never larger), so a page's TAC is at most the largest C+M+Y+K
  (plus spot tints) among the colours it paints, and equal to it where that colour is solid, as
  text and rules are. Each page's content stream is followed operator by operator (colour
  spaces, fills, strokes, text, forms, images); an image counts with its largest pixel sum. If a
  page sets overprint or another blend mode, the report says so: the figure is then no bound;
- the fonts (embedded, subset), and every image's resolution at its placed size.
"""

from __future__ import annotations

import hashlib
import io
import math
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pypdf
from pypdf.generic import ArrayObject, ContentStream, DictionaryObject, NameObject

MM = 72 / 25.4
PROCESS = ("Cyan", "Magenta", "Yellow", "Black")
REGISTRATION = "All"
FILL_OPS = {"f", "F", "f*"}
STROKE_OPS = {"S", "s"}
BOTH_OPS = {"B", "B*", "b", "b*"}
TEXT_OPS = {"Tj", "TJ", "'", '"'}
SUBSET = re.compile(r"^[A-Z]{6}\+")


@dataclass(frozen=True)
class Space:
    """A colour space as far as inks go: the colorant each component puts down."""

    kind: str  # "process" (components are CMYK or gray), "spot", "rgb" or "other"
    colorants: tuple[str, ...]  # per component; for gray: ("Black",) painted as 1 - value

    def inks(self, values: tuple[float, ...]) -> dict[str, float]:
        """Ink per colorant (0–1) of a colour in this space."""
        if self.kind == "process" and self.colorants == ("Black",) and len(values) == 1:
            return {"Black": 1 - values[0]} if values[0] < 1 else {}
        return {name: v for name, v in zip(self.colorants, values) if v > 0 and name != "None"}


DEVICE = {"DeviceCMYK": Space("process", PROCESS), "DeviceGray": Space("process", ("Black",)),
          "DeviceRGB": Space("rgb", ("Red", "Green", "Blue"))}


def initial_colour(space: Space, name) -> tuple[float, ...]:
    """The colour `cs` sets (PDF 32000-1, 8.6): full tint for a spot ink, black for
    DeviceCMYK, every component 0 otherwise."""
    if space.kind == "spot":
        return (1.0,) * len(space.colorants)
    return (0.0, 0.0, 0.0, 1.0) if name == "/DeviceCMYK" else (0.0,) * max(1, len(space.colorants))


def resolve_space(value, resources) -> Space:
    """A colour space named in a content stream (or given as an array) as inks."""
    value = value.get_object() if hasattr(value, "get_object") else value
    if isinstance(value, NameObject):
        name = value.lstrip("/")
        if name in DEVICE:
            return DEVICE[name]
        named = (resources.get("/ColorSpace") or {}) if resources else {}
        return resolve_space(named[value], None) if value in named else Space("other", ())
    if isinstance(value, ArrayObject):
        family = value[0]
        if family == "/ICCBased":
            components = value[1].get_object()["/N"]
            return {1: DEVICE["DeviceGray"], 3: DEVICE["DeviceRGB"], 4: DEVICE["DeviceCMYK"]}[components]
        if family == "/Separation":
            return Space("spot", (str(value[1]).lstrip("/"),))
        if family == "/DeviceN":
            return Space("spot", tuple(str(n).lstrip("/") for n in value[1]))
    return Space("other", ())


@dataclass
class Page:
    number: int
    inks: dict[str, float] = field(default_factory=dict)  # ink → the largest value it is painted at
    coverage: float = 0.0  # the largest ink sum of a painted colour, in %
    registration: bool = False  # something painted in /All (the marks)
    unmeasured: set[str] = field(default_factory=set)  # RGB, shadings, overprint … (a report must say)
    images: list[dict] = field(default_factory=list)

    def paint(self, space: Space, values: tuple[float, ...]) -> None:
        if space.kind == "rgb":
            self.unmeasured.add("RGB colour")
        elif space.kind == "other":
            self.unmeasured.add("colour in a space that is neither process nor spot")
        inks = space.inks(values)
        if REGISTRATION in inks:
            self.registration = True
            return
        for name, value in inks.items():
            self.inks[name] = max(self.inks.get(name, 0.0), value)
        self.coverage = max(self.coverage, round(100 * sum(inks.values()), 1))


@dataclass
class State:
    fill: tuple[Space, tuple[float, ...]] = (DEVICE["DeviceGray"], (0.0,))
    stroke: tuple[Space, tuple[float, ...]] = (DEVICE["DeviceGray"], (0.0,))
    ctm: tuple[float, ...] = (1, 0, 0, 1, 0, 0)
    render: int = 0  # text rendering mode (Tr)


def _times(m: tuple[float, ...], n: tuple[float, ...]) -> tuple[float, ...]:
    """The matrix m × n (PDF order: m applied first)."""
    a, b, c, d, e, f = m
    a2, b2, c2, d2, e2, f2 = n
    return (a * a2 + b * c2, a * b2 + b * d2, c * a2 + d * c2, c * b2 + d * d2,
            e * a2 + f * c2 + e2, e * b2 + f * d2 + f2)


def _numbers(operands) -> tuple[float, ...]:
    return tuple(float(v) for v in operands if isinstance(v, (int, float)) or hasattr(v, "as_numeric"))


def walk(page: Page, contents, resources, reader: pypdf.PdfReader, state: State, seen: tuple = ()) -> None:
    """Follow one content stream (a page's or a form's), recording what it paints on `page`."""
    stack: list[State] = []
    for operands, raw in ContentStream(contents, reader).operations:
        op = raw.decode("latin-1") if isinstance(raw, bytes) else raw
        if op == "q":
            stack.append(State(state.fill, state.stroke, state.ctm, state.render))
        elif op == "Q" and stack:
            state = stack.pop()
        elif op == "cm":
            state.ctm = _times(_numbers(operands), state.ctm)
        elif op in ("cs", "CS"):
            space = resolve_space(operands[0], resources)
            colour = (space, initial_colour(space, operands[0]))
            if op == "cs":
                state.fill = colour
            else:
                state.stroke = colour
        elif op in ("sc", "scn", "SC", "SCN"):
            if any(isinstance(v, NameObject) for v in operands):
                page.unmeasured.add("pattern")
            if op in ("sc", "scn"):
                state.fill = (state.fill[0], _numbers(operands))
            else:
                state.stroke = (state.stroke[0], _numbers(operands))
        elif op in ("g", "G", "rg", "RG", "k", "K"):
            space = DEVICE[{"g": "DeviceGray", "rg": "DeviceRGB", "k": "DeviceCMYK"}[op.lower()]]
            if op.islower():
                state.fill = (space, _numbers(operands))
            else:
                state.stroke = (space, _numbers(operands))
        elif op == "Tr":
            state.render = int(operands[0])
        elif op == "gs":
            extgstate = resources["/ExtGState"][operands[0]].get_object()
            if extgstate.get("/OP") or extgstate.get("/op"):
                page.unmeasured.add("overprint")
            if str(extgstate.get("/BM", "/Normal")) not in ("/Normal", "/Compatible"):
                page.unmeasured.add(f"blend mode {extgstate['/BM']}")
        elif op in FILL_OPS or op in BOTH_OPS:
            page.paint(*state.fill)
            if op in BOTH_OPS:
                page.paint(*state.stroke)
        elif op in STROKE_OPS:
            page.paint(*state.stroke)
        elif op in TEXT_OPS:
            if state.render in (0, 2, 4, 6):
                page.paint(*state.fill)
            if state.render in (1, 2, 5, 6):
                page.paint(*state.stroke)
        elif op == "sh":
            page.unmeasured.add("shading")
        elif op == "INLINE IMAGE":
            page.unmeasured.add("inline image")
        elif op == "Do":
            xobject = resources["/XObject"][operands[0]]
            if xobject.indirect_reference in seen:
                continue
            xobject = xobject.get_object()
            if xobject["/Subtype"] == "/Image":
                place_image(page, xobject, state, resources)
            elif xobject["/Subtype"] == "/Form":
                matrix = tuple(float(v) for v in xobject.get("/Matrix", (1, 0, 0, 1, 0, 0)))
                inner = State(state.fill, state.stroke, _times(matrix, state.ctm), state.render)
                walk(page, xobject, xobject.get("/Resources") or resources, reader, inner,
                     seen + (xobject.indirect_reference,))


def place_image(page: Page, image: DictionaryObject, state: State, resources) -> None:
    """An image's inks, largest pixel ink sum and resolution at its placed size."""
    a, b, c, d, _, _ = state.ctm
    width_pt, height_pt = math.hypot(a, b), math.hypot(c, d)
    pixels = (int(image["/Width"]), int(image["/Height"]))
    ppi = min(pixels[0] / (width_pt / 72), pixels[1] / (height_pt / 72)) if width_pt and height_pt else None
    page.images.append({"pixels": list(pixels), "placed_mm": [round(width_pt / MM, 1), round(height_pt / MM, 1)],
                        "ppi": None if ppi is None else round(ppi)})
    if image.get("/ImageMask"):
        page.paint(*state.fill)
        return
    space = resolve_space(image["/ColorSpace"], resources)
    try:
        decoded = image.decode_as_image()
    except Exception:  # an encoding pypdf cannot decode: say so rather than guess
        page.unmeasured.add("an image pypdf cannot decode")
        return
    bands = decoded.getbands()
    if space.kind == "process" and space.colorants == PROCESS and bands == ("C", "M", "Y", "K"):
        from PIL import ImageMath

        extrema = decoded.getextrema()
        c, m, y, k = decoded.split()
        total = ImageMath.lambda_eval(lambda v: v["c"] + v["m"] + v["y"] + v["k"], c=c, m=m, y=y, k=k)
        top = total.getextrema()[1]
        inks = {name: high / 255 for name, (_, high) in zip(PROCESS, extrema) if high > 0}
    elif space.kind == "process" and bands in (("L",), ("1",)):
        low = decoded.getextrema()[0]
        inks, top = ({"Black": 1 - low / 255} if low < 255 else {}), 255 - low
    else:
        page.unmeasured.add(f"an image in {'/'.join(bands)}")
        return
    for name, value in inks.items():
        page.inks[name] = max(page.inks.get(name, 0.0), value)
    page.coverage = max(page.coverage, round(100 * top / 255, 1))


def _mm(box) -> list[float]:
    return [round(float(v) / MM, 2) for v in box]


def fonts(reader: pypdf.PdfReader) -> list[dict]:
    """Every font the pages use, once: its name, type, whether it is embedded and subset."""
    found: dict[str, dict] = {}

    def visit(resources) -> None:
        for font in (resources.get("/Font") or {}).values():
            font = font.get_object()
            base = str(font.get("/BaseFont", "?")).lstrip("/")
            descendant = font["/DescendantFonts"][0].get_object() if "/DescendantFonts" in font else font
            descriptor = descendant.get("/FontDescriptor")
            embedded = descriptor is not None and any(
                k in descriptor.get_object() for k in ("/FontFile", "/FontFile2", "/FontFile3"))
            found[base] = {"name": base, "type": str(font["/Subtype"]).lstrip("/"),
                           "embedded": embedded, "subset": bool(SUBSET.match(base))}
        for xobject in (resources.get("/XObject") or {}).values():
            xobject = xobject.get_object()
            if xobject.get("/Subtype") == "/Form" and "/Resources" in xobject:
                visit(xobject["/Resources"])

    for page in reader.pages:
        visit(page.get("/Resources") or {})
    return sorted(found.values(), key=lambda f: f["name"])


def ink_order(names) -> list[str]:
    """Process inks in press order (C, M, Y, K), then spot inks by name."""
    return sorted(names, key=lambda n: (PROCESS.index(n) if n in PROCESS else len(PROCESS), n))


def inspect_pages(reader: pypdf.PdfReader) -> list[Page]:
    measured = []
    for number, pdf_page in enumerate(reader.pages, start=1):
        page = Page(number)
        contents = pdf_page.get_contents()
        if contents is not None:
            walk(page, contents, pdf_page.get("/Resources") or {}, reader, State())
        measured.append(page)
    return measured


def report(pdf: bytes, name: str) -> dict:
    """The job report of the print PDF `pdf` (whose file name is `name`)."""
    reader = pypdf.PdfReader(io.BytesIO(pdf))
    root = reader.trailer["/Root"]
    pages = inspect_pages(reader)
    first = reader.pages[0]
    trim, bleed, media = _mm(first.trimbox), _mm(first.bleedbox), _mm(first.mediabox)
    same_boxes = all((_mm(p.trimbox), _mm(p.bleedbox), _mm(p.mediabox)) == (trim, bleed, media)
                     for p in reader.pages)
    xmp = root["/Metadata"].get_object().get_data().decode("utf-8") if "/Metadata" in root else ""
    standard = re.search(r"<pdfxid:GTS_PDFXVersion>(.*?)</", xmp)
    intents = [i.get_object() for i in root.get("/OutputIntents", [])]
    images = [image for page in pages for image in page.images]
    placed = [image["ppi"] for image in images if image["ppi"] is not None]
    worst = max(pages, key=lambda p: p.coverage)
    return {
        "format": "bulletin-print job report 1",
        "file": name,
        "sha256": hashlib.sha256(pdf).hexdigest(),
        "pages": len(pages),
        "standard": standard[1] if standard else None,
        "trim_mm": [round(trim[2] - trim[0], 2), round(trim[3] - trim[1], 2)],
        "bleed_mm": round(trim[0] - bleed[0], 2),
        "media_mm": [round(media[2] - media[0], 2), round(media[3] - media[1], 2)],
        "slug_mm": round(bleed[0] - media[0], 2),
        "same_boxes_on_every_page": same_boxes,
        "output_intent": [{"condition": str(i.get("/OutputConditionIdentifier", "")),
                           "info": str(i.get("/Info", "")), "registry": str(i.get("/RegistryName", ""))}
                          for i in intents],
        "inks": ink_order({ink for page in pages for ink in page.inks}),
        "registration_marks": any(page.registration for page in pages),
        "max_ink_coverage_percent": worst.coverage,
        "max_ink_coverage_page": worst.number,
        "ink_coverage_method": "the largest ink sum among the colours each page paints (no overprint, "
                               "Normal blending): see docs/deliverables.md",
        "unmeasured": sorted({f"page {p.number}: {what}" for p in pages for what in p.unmeasured}),
        "fonts": fonts(reader),
        "images": images,
        "min_image_ppi": min(placed) if placed else None,
        "annotations": sum(len(p.get("/Annots") or []) for p in reader.pages),
        "per_page": [{"page": p.number, "inks": ink_order(p.inks), "max_ink_coverage_percent": p.coverage}
                     for p in pages],
    }


def plates_text(job: dict) -> Iterator[str]:
    """The inks each page uses, a line a page, then the plates of the whole job."""
    for page in job["per_page"]:
        yield f"第 {page['page']} 页 (page {page['page']}): {', '.join(page['inks']) or '—'}"
    marks = "; 套准色 (registration) on every plate" if job["registration_marks"] else ""
    yield f"印版 (plates): {len(job['inks'])}: {', '.join(job['inks'])}{marks}"


def text(job: dict) -> str:
    """The report as a few lines a printer reads at a glance."""
    intent = job["output_intent"][0] if job["output_intent"] else None
    fonts_ = job["fonts"]
    lines = [
        f"印刷说明 (job report): {job['file']}",
        f"sha256: {job['sha256']}",
        f"页数 (pages): {job['pages']}",
        f"标准 (standard): {job['standard'] or '—'}; 输出意图 (output intent): "
        + (f"{intent['condition']} ({intent['info']})" if intent else "none"),
        f"成品尺寸 (trim): {job['trim_mm'][0]:g} × {job['trim_mm'][1]:g} mm; 出血 (bleed): {job['bleed_mm']:g} mm; "
        f"介质 (media): {job['media_mm'][0]:g} × {job['media_mm'][1]:g} mm"
        + (f", marks in a {job['slug_mm']:g} mm slug beyond the bleed" if job["registration_marks"] else ""),
        f"油墨 (inks): {', '.join(job['inks'])}",
        f"最大总墨量 (max total ink coverage): {job['max_ink_coverage_percent']:g} % (page {job['max_ink_coverage_page']})",
        f"字体 (fonts): {len(fonts_)}, {sum(f['embedded'] for f in fonts_)} embedded, "
        f"{sum(f['subset'] for f in fonts_)} subset: {', '.join(f['name'] for f in fonts_)}",
        "图片 (images): " + (f"{len(job['images'])}, lowest resolution at placed size {job['min_image_ppi']} ppi"
                             if job["images"] else "none (no image resolution to report)"),
        f"注释 (annotations): {job['annotations']}",
    ]
    if job["unmeasured"]:
        lines.append("未计入 (not measured): " + "; ".join(job["unmeasured"]))
    lines.extend(plates_text(job))
    return "\n".join(lines) + "\n"


def report_paths(pdf_path: Path) -> tuple[Path, Path]:
    """build/2024-12.print-bleed3-marks.pdf → its .json and .txt beside it."""
    return pdf_path.with_suffix(".json"), pdf_path.with_suffix(".txt")
