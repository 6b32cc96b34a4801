"""The print shop's PDF (`build --for print --bleed 3mm --marks --even`), measured as a preflight would."""

from __future__ import annotations

import hashlib
import re
import subprocess
from collections import Counter
from pathlib import Path

import pdfplumber
import pypdf
import pytest
from pypdf.generic import ContentStream

from conftest import ROOT, SAMPLE, run_cli

MM = 72 / 25.4
A4 = (210 * MM, 297 * MM)
PROFILE = ROOT / "profiles" / "ISOcoated_v2_300_bas.icc"
RGB_OR_GREY = re.compile(rb"(?<![A-Za-z_#/])(rg|RG|g|G|k|K|sc|SC)(?![A-Za-z_#])")
TEXT_OPS = {b"Tj", b"TJ", b"'", b'"'}


@pytest.fixture(scope="session")
def print_pdf(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("print") / "2024-12.print.pdf"
    result = run_cli("build", str(SAMPLE), "--for", "print", "--bleed", "3mm", "--marks", "--even", "-o", str(out))
    assert result.returncode == 0, result.stderr
    return out


@pytest.fixture(scope="session")
def reader(print_pdf: Path) -> pypdf.PdfReader:
    return pypdf.PdfReader(print_pdf)


def streams(reader: pypdf.PdfReader):
    """Every content stream: the pages' and those of the form XObjects they use."""
    for page in reader.pages:
        yield page, page.get_contents().get_data()
        xobjects = (page["/Resources"].get("/XObject") or {})
        for xobject in xobjects.values():
            xobject = xobject.get_object()
            if xobject.get("/Subtype") == "/Form":
                yield page, xobject.get_data()


def test_no_rgb_or_grey_colour_operator_survives(reader: pypdf.PdfReader) -> None:
    found = Counter()
    spaces = Counter()
    for _, data in streams(reader):
        # strings are not operators: drop (…) literals before looking for operator names
        code = re.sub(rb"\((?:\\.|[^\\)])*\)", b"()", data)
        found.update(m.group(1).decode() for m in RGB_OR_GREY.finditer(code))
        spaces.update(m.decode() for m in re.findall(rb"/(\S+)\s+(?:cs|CS)\b", code))
    assert not found, f"RGB/grey/plain-sc colour operators in the print PDF: {dict(found)}"
    assert spaces and set(spaces) <= {"DeviceCMYK"}, spaces


def test_text_is_black_ink_only_and_the_masthead_one_red(reader: pypdf.PdfReader) -> None:
    """Follow the fill colour through each page's operators: what colour is each text run shown in?"""
    shown = Counter()
    for page in reader.pages:
        space, colour, stack = "DeviceGray", (0.0,), []
        for operands, op in ContentStream(page.get_contents(), reader).operations:
            if op == b"q":
                stack.append((space, colour))
            elif op == b"Q":
                space, colour = stack.pop()
            elif op == b"cs":
                space, colour = str(operands[0]).lstrip("/"), None
            elif op in (b"scn", b"sc"):
                colour = tuple(round(float(v), 3) for v in operands)
            elif op in TEXT_OPS:
                shown[(space, colour)] += 1
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


def test_trimbox_is_a4_and_the_bleed_3mm_beyond(reader: pypdf.PdfReader) -> None:
    for page in reader.pages:
        trim = [float(v) for v in page.trimbox]
        bleed = [float(v) for v in page.bleedbox]
        media = [float(v) for v in page.mediabox]
        assert trim[2] - trim[0] == pytest.approx(A4[0], abs=0.01)
        assert trim[3] - trim[1] == pytest.approx(A4[1], abs=0.01)
        assert [b - t for b, t in zip(bleed, trim)] == pytest.approx([-3 * MM, -3 * MM, 3 * MM, 3 * MM], abs=0.01)
        assert media[0] <= bleed[0] and media[1] <= bleed[1] and media[2] >= bleed[2] and media[3] >= bleed[3]


def test_crop_marks_are_drawn_in_the_bleed_in_black_ink(print_pdf: Path) -> None:
    with pdfplumber.open(print_pdf) as pdf:
        page = pdf.pages[0]
        # pdfplumber keeps PDF x coordinates (the TrimBox runs from 0 to A4 width) and measures
        # `top` from the MediaBox's top edge (the TrimBox starts 3 mm below it)
        outside = [o for o in page.objects.get("line", [])
                   if o["x1"] <= 0.01 or o["x0"] >= A4[0] - 0.01
                   or o["bottom"] <= 3 * MM + 0.01 or o["top"] >= 3 * MM + A4[1] - 0.01]
    assert len(outside) >= 8, "no crop marks in the bleed"
    assert {tuple(o["stroking_color"]) for o in outside} == {(0.0, 0.0, 0.0, 1.0)}


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


def test_qpdf_check_passes(print_pdf: Path) -> None:
    result = subprocess.run(["qpdf", "--check", str(print_pdf)], capture_output=True, text=True)
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
    """finish.deflate_once does pydyf's compression ahead of it, so that a PDF with an ID does not
    compress each stream twice: the file must come out byte for byte as pydyf alone writes it."""
    import io

    import pydyf

    from bulletin_print import finish

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
    deflate = finish.deflate
    monkeypatch.setattr(finish, "deflate", lambda data: sizes.append(len(data)) or deflate(data))
    finish.deflated_profile.cache_clear()
    ahead, again = pdf(), pdf()
    finish.deflate_once(ahead)
    finish.deflate_once(again)
    assert written(ahead) == written(again) == written(pdf())
    assert sizes == [len(contents[0]), len(contents[1]), len(contents[1])]  # the profile once
