"""The print shop's PDF (`build --for print --bleed 3mm --marks --even`), measured as a preflight would."""

from __future__ import annotations

import hashlib
import json
import re
import subprocess
from collections import Counter
from pathlib import Path

import pdfplumber
import pypdf
import pytest
import yaml
from pypdf.generic import ContentStream

from conftest import ROOT, SAMPLE, make_archive, run_cli

MM = 72 / 25.4
A4 = (210 * MM, 297 * MM)
PROFILE = ROOT / "profiles" / "ISOcoated_v2_300_bas.icc"
RGB_OR_GREY = re.compile(rb"(?<![A-Za-z_#/])(rg|RG|g|G|k|K|sc|SC)(?![A-Za-z_#])")
TEXT_OPS = {b"Tj", b"TJ", b"'", b'"'}
PAINT_OPS = {b"f", b"F", b"f*", b"S", b"s", b"B", b"B*", b"b", b"b*"} | TEXT_OPS
SPOT = "PANTONE 485 C"
NAME = "2024-12.print-bleed3-marks-even"


@pytest.fixture(scope="session")
def print_build(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The sample built for print with its default name, in a fresh folder, with the job report."""
    cwd = tmp_path_factory.mktemp("print")
    result = run_cli("build", str(SAMPLE), "--for", "print", "--bleed", "3mm", "--marks", "--even", "--report",
                     cwd=cwd)
    assert result.returncode == 0, result.stderr
    return cwd / "build"


@pytest.fixture(scope="session")
def print_pdf(print_build: Path) -> Path:
    return print_build / f"{NAME}.pdf"


@pytest.fixture(scope="session")
def reader(print_pdf: Path) -> pypdf.PdfReader:
    return pypdf.PdfReader(print_pdf)


@pytest.fixture(scope="session")
def spot_build(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The sample for print with a spot red named in its publication file; its --plates output
    is kept beside it."""
    issues = tmp_path_factory.mktemp("spot") / "issues"
    issue = make_archive(issues)
    publication = issues / "publication.yaml"
    text = publication.read_text(encoding="utf-8")
    assert "  red: [0, 0.8, 0.8, 0]" in text
    publication.write_text(text.replace("  red: [0, 0.8, 0.8, 0]", f'  red: [0, 0.8, 0.8, 0]\n  red_spot: "{SPOT}"'),
                           encoding="utf-8")
    out = issues.parent / "spot.pdf"
    result = run_cli("build", str(issue), "--for", "print", "--bleed", "3mm", "--marks", "--report", "--plates",
                     "-o", str(out))
    assert result.returncode == 0, result.stderr
    (issues.parent / "plates.txt").write_text(result.stdout, encoding="utf-8")
    return out


def streams(reader: pypdf.PdfReader):
    """Every content stream: the pages' and those of the form XObjects they use."""
    for page in reader.pages:
        yield page, page.get_contents().get_data()
        xobjects = (page["/Resources"].get("/XObject") or {})
        for xobject in xobjects.values():
            xobject = xobject.get_object()
            if xobject.get("/Subtype") == "/Form":
                yield page, xobject.get_data()


def painted(reader: pypdf.PdfReader, page: pypdf.PageObject):
    """Each painting operator of a page's contents, with the fill and stroke colour it paints in
    ((colour space, values)) and, for a path, its points in default user space."""
    fill = stroke = ("DeviceGray", (0.0,))
    ctm, stack, path = (1.0, 0.0, 0.0, 1.0, 0.0, 0.0), [], []

    def at(x: float, y: float) -> tuple[float, float]:
        a, b, c, d, e, f = ctm
        return (a * x + c * y + e, b * x + d * y + f)

    for operands, op in ContentStream(page.get_contents(), reader).operations:
        numbers = [float(v) for v in operands if not isinstance(v, (str, list))]
        if op == b"q":
            stack.append((fill, stroke, ctm))
        elif op == b"Q":
            fill, stroke, ctm = stack.pop()
        elif op == b"cm":
            a, b, c, d, e, f = numbers
            A, B, C, D, E, F = ctm
            ctm = (a * A + b * C, a * B + b * D, c * A + d * C, c * B + d * D, e * A + f * C + E, e * B + f * D + F)
        elif op in (b"cs", b"CS"):
            colour = (str(operands[0]).lstrip("/"), None)
            fill, stroke = (colour, stroke) if op == b"cs" else (fill, colour)
        elif op in (b"scn", b"SCN"):
            colour = (fill if op == b"scn" else stroke)[0], tuple(round(v, 4) for v in numbers)
            fill, stroke = (colour, stroke) if op == b"scn" else (fill, colour)
        elif op in (b"m", b"l"):
            path.append(at(*numbers))
        elif op == b"c":
            path.extend(at(*numbers[i:i + 2]) for i in (0, 2, 4))
        elif op == b"re":
            x, y, w, h = numbers
            path.extend([at(x, y), at(x + w, y + h)])
        elif op in (b"n", b"W", b"W*"):
            path = [] if op == b"n" else path
        if op in PAINT_OPS:
            yield op, fill, stroke, path
            path = []


def colour_space(page: pypdf.PageObject, name: str):
    return page["/Resources"]["/ColorSpace"][f"/{name}"]


def test_no_rgb_or_grey_colour_operator_survives(reader: pypdf.PdfReader) -> None:
    found = Counter()
    spaces = Counter()
    for _, data in streams(reader):
        # strings are not operators: drop (…) literals before looking for operator names
        code = re.sub(rb"\((?:\\.|[^\\)])*\)", b"()", data)
        found.update(m.group(1).decode() for m in RGB_OR_GREY.finditer(code))
        spaces.update(m.decode() for m in re.findall(rb"/(\S+)\s+(?:cs|CS)\b", code))
    assert not found, f"RGB/grey/plain-sc colour operators in the print PDF: {dict(found)}"
    # DeviceCMYK, and the marks' registration colour: a Separation whose alternate is DeviceCMYK
    assert spaces["DeviceCMYK"] and set(spaces) <= {"DeviceCMYK", "Registration"}, spaces
    registration = colour_space(reader.pages[0], "Registration")
    assert registration[:3] == ["/Separation", "/All", "/DeviceCMYK"]


def test_text_is_black_ink_only_and_the_masthead_one_red(reader: pypdf.PdfReader) -> None:
    """Follow the fill colour through each page's operators: what colour is each text run shown in?"""
    shown = Counter()
    for page in reader.pages:
        shown.update(fill for op, fill, _, _ in painted(reader, page) if op in TEXT_OPS)
    body = shown.most_common(1)[0][0]
    assert body == ("DeviceCMYK", (0.0, 0.0, 0.0, 1.0)), shown
    assert ("DeviceCMYK", (0.0, 0.8, 0.8, 0.0)) in shown, shown  # the masthead's title
    assert set(shown) <= {("DeviceCMYK", (0.0, 0.0, 0.0, 1.0)), ("DeviceCMYK", (0.0, 0.8, 0.8, 0.0))}, shown


def test_pdf_x4_with_the_fogra39_output_intent(reader: pypdf.PdfReader) -> None:
    root = reader.trailer["/Root"]
    intents = root["/OutputIntents"]
    assert len(intents) == 1
    intent = intents[0].get_object()
    assert intent["/S"] == "/GTS_PDFX"
    assert intent["/OutputConditionIdentifier"] == "FOGRA39"
    profile = intent["/DestOutputProfile"].get_object()
    assert profile["/N"] == 4
    assert hashlib.sha256(profile.get_data()).digest() == hashlib.sha256(PROFILE.read_bytes()).digest()
    xmp = root["/Metadata"].get_object().get_data().decode()
    assert "<pdfxid:GTS_PDFXVersion>PDF/X-4</pdfxid:GTS_PDFXVersion>" in xmp
    assert reader.pdf_header == "%PDF-1.6"
    info = reader.metadata
    assert info["/Trapped"] == "/False" and info["/Title"]
    # no random ID: DocumentID and InstanceID are derived from the inputs (see test_archive)
    assert re.search(r"<xmpMM:DocumentID>uuid:[0-9a-f-]{36}</xmpMM:DocumentID>", xmp)
    assert xmp.count("<xmpMM:DocumentID>") == 1 and "<xmpMM:InstanceID>uuid:" in xmp


def boxes(page: pypdf.PageObject) -> tuple[list[float], list[float], list[float]]:
    return tuple([float(v) for v in box] for box in (page.trimbox, page.bleedbox, page.mediabox))


def test_trimbox_is_a4_the_bleed_3mm_beyond_and_the_mediabox_larger_still(reader: pypdf.PdfReader) -> None:
    for page in reader.pages:
        trim, bleed, media = boxes(page)
        assert trim[2] - trim[0] == pytest.approx(A4[0], abs=0.01)
        assert trim[3] - trim[1] == pytest.approx(A4[1], abs=0.01)
        assert [b - t for b, t in zip(bleed, trim)] == pytest.approx([-3 * MM, -3 * MM, 3 * MM, 3 * MM], abs=0.01)
        # TrimBox ⊂ BleedBox ⊂ MediaBox, the MediaBox strictly larger on every side: a slug for the marks
        assert media[0] < bleed[0] and media[1] < bleed[1] and media[2] > bleed[2] and media[3] > bleed[3]


def outside(point: tuple[float, float], box: list[float], margin: float = 0.0) -> bool:
    x, y = point
    return x < box[0] - margin or x > box[2] + margin or y < box[1] - margin or y > box[3] + margin


def test_marks_lie_outside_the_bleedbox_in_registration_colour(reader: pypdf.PdfReader) -> None:
    """Every path with a point beyond the TrimBox is a mark: stroked in registration colour, every
    point of it outside the BleedBox (by more than half its line width). Each page has its 8
    crop marks (two a corner) and 4 registration targets."""
    for page in reader.pages:
        trim, bleed, _ = boxes(page)
        marks = [(op, stroke, path) for op, _, stroke, path in painted(reader, page)
                 if path and any(outside(p, trim) for p in path)]
        assert marks
        for op, stroke, path in marks:
            assert op == b"S" and stroke == ("Registration", (1.0,)), (op, stroke)
            assert all(outside(p, bleed, margin=0.2) for p in path), path
        lines = [path for _, _, path in marks if len(path) == 2]
        # a crop mark continues a trim line: a vertical one at the x of the TrimBox's left or right
        # edge, a horizontal one at the y of its foot or head
        crops = [(a, b) for a, b in lines
                 if a[0] == b[0] and min(abs(a[0] - trim[0]), abs(a[0] - trim[2])) < 0.01
                 or a[1] == b[1] and min(abs(a[1] - trim[1]), abs(a[1] - trim[3])) < 0.01]
        circles = [path for _, _, path in marks if len(path) == 13]  # four Bézier curves
        assert (len(crops), len(lines) - len(crops), len(circles)) == (8, 8, 4)  # 8 crop marks, 4 targets


def test_no_annotation_in_the_bleedbox_and_the_outline_stays(reader: pypdf.PdfReader, sample_pdf: Path) -> None:
    screen = pypdf.PdfReader(sample_pdf)
    assert sum(len(p.get("/Annots") or []) for p in screen.pages) >= 9  # the 目录's links, on screen
    for page in reader.pages:
        _, bleed, _ = boxes(page)
        for annotation in page.get("/Annots") or []:
            x0, y0, x1, y1 = (float(v) for v in annotation.get_object()["/Rect"])
            assert x1 < bleed[0] or x0 > bleed[2] or y1 < bleed[1] or y0 > bleed[3], "an annotation inside the BleedBox"
    assert all("/Annots" not in page for page in reader.pages)
    assert [item.title for item in reader.outline] == article_titles()  # the bookmarks stay


def article_titles() -> list[str]:
    """Each article's title in the sample, as the issue file has it (a list of lines joined)."""
    data = yaml.safe_load(SAMPLE.read_text(encoding="utf-8"))
    titles = [a["title"] for c in data["columns"] for a in c["articles"]]
    return [t if isinstance(t, str) else "".join(t) for t in titles]


# --- the spot red ---------------------------------------------------------------------------------

def spot_name(page: pypdf.PageObject, space: str) -> str | None:
    """The ink of a named Separation colour space (None for a device space or /All)."""
    if space.startswith("Device"):
        return None
    family, ink, alternate, _ = colour_space(page, space)
    assert family == "/Separation" and alternate == "/DeviceCMYK"
    return None if ink == "/All" else str(ink).lstrip("/")


def measured_inks(reader: pypdf.PdfReader, page: pypdf.PageObject) -> set[str]:
    """The inks a page paints with, from its colour operators: each non-zero CMYK component, and
    each Separation's ink but registration (/All)."""
    inks = set()
    for op, fill, stroke, _ in painted(reader, page):
        colours = [fill] if op in TEXT_OPS or op in (b"f", b"F", b"f*") else [stroke] if op in (b"S", b"s") else [fill, stroke]
        for space, values in colours:
            if space == "DeviceCMYK":
                inks |= {ink for ink, v in zip(("Cyan", "Magenta", "Yellow", "Black"), values) if v > 0}
            elif spot_name(page, space):
                inks.add(spot_name(page, space))
    return inks


def test_a_spot_red_paints_every_red_element_and_nothing_red_is_left_in_process(spot_build: Path) -> None:
    reader = pypdf.PdfReader(spot_build)
    first = reader.pages[0]
    spots = [name for name, space in first["/Resources"]["/ColorSpace"].items()
             if space[0] == "/Separation" and space[1] == f"/{SPOT}"]
    assert len(spots) == 1
    family, ink, alternate, tint = colour_space(first, spots[0].lstrip("/"))
    assert (family, ink, alternate) == ("/Separation", f"/{SPOT}", "/DeviceCMYK")
    tint = tint.get_object()
    assert tint["/FunctionType"] == 2 and list(tint["/C0"]) == [0, 0, 0, 0] and list(tint["/C1"]) == [0, 0.8, 0.8, 0]
    spot = (spots[0].lstrip("/"), (1.0,))
    for number, page in enumerate(reader.pages, start=1):
        events = list(painted(reader, page))
        colours = {fill for op, fill, _, _ in events if op not in (b"S", b"s")}
        colours |= {stroke for op, _, stroke, _ in events if op not in TEXT_OPS and op not in (b"f", b"F", b"f*")}
        # black in K alone, the red at full tint of the spot ink, the marks in registration colour
        assert colours <= {("DeviceCMYK", (0.0, 0.0, 0.0, 1.0)), spot, ("Registration", (1.0,))}, (number, colours)
        if number == 1:  # the masthead's 刊名 and its rule
            assert (b"TJ", spot) in {(op, fill) for op, fill, _, _ in events}
            assert (b"f*", spot) in {(op, fill) for op, fill, _, _ in events}
        if number == len(reader.pages):  # the 信息摘登 rule
            assert any(op in (b"f", b"f*") and fill == spot for op, fill, _, _ in events)
    with pdfplumber.open(spot_build) as pdf:
        masthead = [c for c in pdf.pages[0].chars if c["text"] in "杭州人大信息" and c["size"] > 40]
    assert len(masthead) == 6 and {(c["ncs"], c["non_stroking_color"]) for c in masthead} == {("Separation", (1.0,))}


def test_a_spot_job_separates_into_two_plates_and_plates_lists_them(spot_build: Path) -> None:
    reader = pypdf.PdfReader(spot_build)
    per_page = [measured_inks(reader, page) for page in reader.pages]
    assert set().union(*per_page) == {"Black", SPOT}
    listed = (spot_build.parent / "plates.txt").read_text(encoding="utf-8").splitlines()
    for number, inks in enumerate(per_page, start=1):
        expected = ", ".join(ink for ink in ("Black", SPOT) if ink in inks)
        assert f"第 {number} 页 (page {number}): {expected}" in listed
    assert f"印版 (plates): 2: Black, {SPOT}; 套准色 (registration) on every plate" in listed
    job = json.loads(spot_build.with_suffix(".json").read_text(encoding="utf-8"))
    assert job["inks"] == ["Black", SPOT] and job["max_ink_coverage_percent"] == 100


@pytest.mark.parametrize("spot, message", [("P" * 41, "过长：共 41 字，上限为 40 字 (too long: at most 40 characters)"),
                                           ("All", "「All」是保留名，不能用作专色名 (a reserved name, not a spot ink)")])
def test_a_bad_spot_name_is_refused_at_its_line(sample_copy: Path, spot: str, message: str) -> None:
    publication = sample_copy.parents[1] / "publication.yaml"
    text = publication.read_text(encoding="utf-8").replace("  red: [0, 0.8, 0.8, 0]", f"  red_spot: {spot}")
    publication.write_text(text, encoding="utf-8")
    line = next(i for i, row in enumerate(text.splitlines(), 1) if "red_spot" in row)
    result = run_cli("check", str(sample_copy))
    assert result.returncode == 1
    assert f"publication.yaml:{line}:13: colours.red_spot: {message}" in result.stdout


# --- the job report ----------------------------------------------------------------------------------

def test_the_job_report_says_what_the_pdf_measures(print_build: Path, print_pdf: Path, reader: pypdf.PdfReader) -> None:
    job = json.loads((print_build / f"{NAME}.json").read_text(encoding="utf-8"))
    text = (print_build / f"{NAME}.txt").read_text(encoding="utf-8")
    assert job["file"] == print_pdf.name and job["sha256"] == hashlib.sha256(print_pdf.read_bytes()).hexdigest()
    assert job["pages"] == len(reader.pages) and f"页数 (pages): {len(reader.pages)}" in text
    trim, bleed, media = boxes(reader.pages[0])
    assert job["trim_mm"] == [round((trim[2] - trim[0]) / MM, 2), round((trim[3] - trim[1]) / MM, 2)] == [210, 297]
    assert job["bleed_mm"] == round((trim[0] - bleed[0]) / MM, 2) == 3
    assert job["media_mm"] == [round((media[2] - media[0]) / MM, 2), round((media[3] - media[1]) / MM, 2)]
    assert job["output_intent"][0]["condition"] == "FOGRA39" and job["standard"] == "PDF/X-4"

    # inks: those the colour operators of each page use
    per_page = [measured_inks(reader, page) for page in reader.pages]
    assert [set(p["inks"]) for p in job["per_page"]] == per_page
    assert set(job["inks"]) == set().union(*per_page) == {"Magenta", "Yellow", "Black"}
    assert job["registration_marks"] is True

    # total ink coverage: the largest C+M+Y+K of what pdfplumber finds painted on each page
    with pdfplumber.open(print_pdf) as pdf:
        coverage = []
        for page in pdf.pages:
            colours = [c["non_stroking_color"] for c in page.chars]
            for kind in ("rect", "line", "curve"):
                for o in page.objects.get(kind, []):
                    colours += ([o["non_stroking_color"]] if o["fill"] else []) + ([o["stroking_color"]] if o["stroke"] else [])
            coverage.append(round(100 * max(sum(c) for c in colours if isinstance(c, tuple) and len(c) == 4), 1))
    assert [p["max_ink_coverage_percent"] for p in job["per_page"]] == coverage
    assert job["max_ink_coverage_percent"] == max(coverage) == 160  # the red: M80 Y80
    assert job["max_ink_coverage_page"] == 1 and "最大总墨量 (max total ink coverage): 160 % (page 1)" in text
    assert job["unmeasured"] == []

    # fonts: every one the pages use, embedded and subset
    names = {str(f.get_object()["/BaseFont"]).lstrip("/") for page in reader.pages
             for f in page["/Resources"]["/Font"].values()}
    assert {f["name"] for f in job["fonts"]} == names
    assert all(f["embedded"] and f["subset"] for f in job["fonts"])
    # no images in this layout: the report says so instead of a resolution
    assert job["images"] == [] and job["min_image_ppi"] is None and "图片 (images): none" in text
    assert job["annotations"] == 0


def test_report_and_plates_are_for_one_print_file(tmp_path: Path) -> None:
    result = run_cli("build", str(SAMPLE), "--report", "-o", str(tmp_path / "x.pdf"))
    assert result.returncode == 2 and "--for print" in result.stderr
    result = run_cli("build", str(SAMPLE.parent), "--for", "print", "--plates", "-o", str(tmp_path))
    assert result.returncode == 2 and "not a folder" in result.stderr
    assert not list(tmp_path.iterdir())


# --- names -------------------------------------------------------------------------------------------

def test_each_variant_has_a_name_that_says_what_is_in_it(tmp_path: Path) -> None:
    from bulletin_print import archive
    from bulletin_print.finish import Options

    names = {Options(): "", Options("archive"): ".archive", Options("print"): ".print",
             Options("print", "3mm", True): ".print-bleed3-marks",
             Options("print", "3mm", True, True): ".print-bleed3-marks-even",
             Options("print", "0.125in"): ".print-bleed3.175", Options("print", even=True): ".print-even",
             Options("print", "5mm", draft=True): ".print-bleed5.draft", Options(draft=True): ".draft"}
    assert {options.suffix for options in names} == set(names.values())
    for options, suffix in names.items():
        assert options.suffix == suffix
        assert archive.output_name(tmp_path / "2024" / "12.yaml", tmp_path, options) == f"2024-12{suffix}.pdf"


def test_print_pdf_has_its_default_name(print_build: Path) -> None:
    assert sorted(p.name for p in print_build.iterdir()) == [f"{NAME}.json", f"{NAME}.pdf", f"{NAME}.txt"]


# --- images ------------------------------------------------------------------------------------------

def test_rgb_images_are_converted_to_cmyk_and_the_report_gives_their_resolution(tmp_path: Path) -> None:
    """No issue has images yet; the finishing step converts any that come, and the report reads
    each one's resolution at its placed size: 300 px across 2 in is 150 ppi, across 1 in 300 ppi."""
    import io

    from PIL import Image

    from bulletin_print import finish, jobreport, paths, press, typeset

    image = Image.new("RGB", (300, 150), (255, 0, 0))
    image.paste((0, 0, 0), (150, 0, 300, 150))
    image.save(tmp_path / "a.png")
    image.save(tmp_path / "b.jpg", quality=95)
    html = ('<!DOCTYPE html><html lang="zh-CN"><head><meta charset="utf-8"><title>t</title></head><body>'
            f'<p><img src="{(tmp_path / "a.png").as_uri()}" alt="红与黑" style="width: 50.8mm"></p>'
            f'<p><img src="{(tmp_path / "b.jpg").as_uri()}" alt="同一张" style="width: 25.4mm"></p></body></html>')
    pdf = typeset.typeset(html, tmp_path, draft=True, finisher=lambda _, pdf: press.cmyk_images(pdf, paths.PROFILE),
                          stylesheets=finish.stylesheets(finish.Options("print")), pdf_variant="pdf/x-4",
                          output_intent="device-cmyk").pdf
    reader = pypdf.PdfReader(io.BytesIO(pdf))
    images = [x.get_object() for x in reader.pages[0]["/Resources"]["/XObject"].values()]
    assert len(images) == 2 and {x["/ColorSpace"] for x in images} == {"/DeviceCMYK"}
    for x in images:
        pixels = x.decode_as_image()
        assert pixels.mode == "CMYK"
        c, m, y, k = pixels.getpixel((10, 10))  # the red half: magenta and yellow, hardly any cyan
        assert m > 200 and y > 200 and c < 30, (c, m, y, k)
        assert pixels.getpixel((290, 10))[3] > 200  # the black half: mostly K
    job = jobreport.report(pdf, "x.pdf")
    assert sorted(i["ppi"] for i in job["images"]) == [150, 300] and job["min_image_ppi"] == 150
    # the darkest pixels: the profile's black (its total ink stays within its 300 % limit)
    assert 200 < job["max_ink_coverage_percent"] <= 300


def test_even_page_count_with_the_colophon_on_the_last_page(reader: pypdf.PdfReader, sample_pdf: Path) -> None:
    pages = len(reader.pages)
    unpadded = len(pypdf.PdfReader(sample_pdf).pages)
    assert pages % 2 == 0
    assert pages == unpadded + unpadded % 2
    assert "本期责任编辑" in reader.pages[-1].extract_text()
    assert all("本期责任编辑" not in p.extract_text() for p in reader.pages[:-1])


def test_every_font_is_embedded(reader: pypdf.PdfReader) -> None:
    seen = 0
    for page in reader.pages:
        for font in page["/Resources"]["/Font"].values():
            font = font.get_object()
            descendant = font["/DescendantFonts"][0].get_object() if "/DescendantFonts" in font else font
            descriptor = descendant["/FontDescriptor"].get_object()
            assert any(k in descriptor for k in ("/FontFile", "/FontFile2", "/FontFile3")), font["/BaseFont"]
            seen += 1
    assert seen


def test_qpdf_check_passes(print_pdf: Path, spot_build: Path) -> None:
    for pdf in (print_pdf, spot_build):
        result = subprocess.run(["qpdf", "--check", str(pdf)], capture_output=True, text=True)
        assert result.returncode == 0, result.stdout + result.stderr
        assert "No syntax or stream encoding errors" in result.stdout


def test_bleed_and_marks_are_for_print_only(tmp_path: Path) -> None:
    result = run_cli("build", str(SAMPLE), "--for", "archive", "--marks", "-o", str(tmp_path / "x.pdf"))
    assert result.returncode == 2 and "--for print" in result.stderr
    assert not (tmp_path / "x.pdf").exists()
    result = run_cli("build", str(SAMPLE), "--for", "print", "--bleed", "3 furlongs", "-o", str(tmp_path / "x.pdf"))
    assert result.returncode == 2 and "CSS length" in result.stderr


def test_even_puts_a_blank_unnumbered_page_before_a_colophon_page_that_would_be_odd() -> None:
    """Two full pages of text, then the 版记 on a page of its own (page 3): with `even`, page 3 is
    left blank and unnumbered and the 版记 goes to page 4."""
    import io

    import pdfplumber

    from bulletin_print import typeset
    from bulletin_print.paths import LAYOUT_DIR

    lines = "".join(f'<p class="para">第{i}行</p>' for i in range(44))  # 22 lines a page
    html = ('<!DOCTYPE html><html lang="zh-CN"><head><meta charset="utf-8">'
            "<style>:root { --red: device-cmyk(0 0.8 0.8 0); }</style>"
            f'<link rel="stylesheet" href="bulletin.css"></head><body><main>{lines}</main>'
            '<p class="colophon-call"><span class="colophon"><span class="editor">'
            "<span>本期责任编辑：某</span><span>电话：1</span></span></span></p></body></html>")

    def pages(even: bool) -> list[str]:
        with pdfplumber.open(io.BytesIO(typeset.typeset(html, LAYOUT_DIR, even=even, draft=True).pdf)) as pdf:
            return [page.extract_text() for page in pdf.pages]

    plain, padded = pages(False), pages(True)
    assert len(plain) == 3 and "本期责任编辑" in plain[2]
    assert len(padded) == 4 and "本期责任编辑" in padded[3] and "— 4 —" in padded[3]
    assert padded[2].strip() == ""  # blank: no text, no page number


def test_streams_are_compressed_once_as_pydyf_would_and_the_profile_once_a_process(monkeypatch) -> None:
    """rewrite.deflate_once does pydyf's compression ahead of it, so that a PDF with an ID does not
    compress each stream twice: the file must come out byte for byte as pydyf alone writes it."""
    import io

    import pydyf

    from bulletin_print import rewrite

    contents = [PROFILE.read_bytes(), b"/DeviceCMYK cs 0 0 0 1 scn\n" * 500]

    def pdf() -> pydyf.PDF:
        document = pydyf.PDF()
        for data in contents:
            document.add_object(pydyf.Stream([data], {"N": 4}, compress=True))
        return document

    def written(document: pydyf.PDF) -> bytes:
        out = io.BytesIO()
        document.write(out, identifier=True, compress=True)
        return out.getvalue()

    sizes: list[int] = []
    deflate = rewrite.deflate
    monkeypatch.setattr(rewrite, "deflate", lambda data: sizes.append(len(data)) or deflate(data))
    rewrite.deflated_profile.cache_clear()
    ahead, again = pdf(), pdf()
    rewrite.deflate_once(ahead)
    rewrite.deflate_once(again)
    assert written(ahead) == written(again) == written(pdf())
    assert sizes == [len(contents[0]), len(contents[1]), len(contents[1])]  # the profile once
