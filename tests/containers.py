"""Hostile containers for the tests: archive PDFs as pypdf's writer makes them (sources, manifest,
any names and sizes), Word files whose zip directory says what the test wants, zip bombs that
really inflate, all made in milliseconds; paths that are no file; and the commands run on them,
in this process or in one of their own."""

from __future__ import annotations

import hashlib
import io
import json
import os
import struct
import subprocess
import sys
import zipfile
import zlib
from pathlib import Path

import pypdf
from click.testing import CliRunner
from pypdf.generic import NameObject, NumberObject, TextStringObject

from bulletin_print.cli import main

ROOT = Path(__file__).resolve().parents[1]
ISSUE = (ROOT / "issues" / "2024" / "12.yaml").read_bytes()
PUBLICATION = (ROOT / "issues" / "publication.yaml").read_bytes()


# --- running the commands ---------------------------------------------------------------------

def cli(*args: str) -> tuple[int, str]:
    """The command run in this process: its exit code and what it printed (an exception that
    escapes fails the test: that is the traceback an editor would see)."""
    result = CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=False)
    return result.exit_code, result.output


def command(*args: str, env: dict | None = None, cwd: Path = ROOT, prelude: str = "") -> subprocess.Popen:
    """`bulletin-print ARGS` in a process of its own (after `prelude`, Python run first)."""
    code = f"{prelude}\nfrom bulletin_print.cli import main\nmain()"
    return subprocess.Popen([sys.executable, "-c", code, *map(str, args)], cwd=cwd, env={**os.environ, **(env or {})},
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def finished(process: subprocess.Popen, timeout: float = 120) -> tuple[int, str]:
    out, err = process.communicate(timeout=timeout)
    return process.returncode, out + err


def alive(pid: int) -> bool:
    """Whether a process runs (a zombie waiting for its reaper does not)."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except (FileNotFoundError, ProcessLookupError):
        return False


def children(pid: int) -> list[int]:
    found = subprocess.run(["pgrep", "-P", str(pid)], capture_output=True, text=True).stdout.split()
    return [int(p) for p in found]


def dead_pid() -> int:
    """The pid of a process that has ended."""
    p = subprocess.Popen(["true"])
    p.wait()
    return p.pid



def make_unreadable(kind: str, tmp_path: Path) -> Path:
    path = tmp_path / "in.pdf"
    if kind == "fifo":
        os.mkfifo(path)
    elif kind == "device":
        path.symlink_to("/dev/zero")
    elif kind == "folder":
        path.mkdir()
    elif kind == "loop":
        path.symlink_to(path)
    return path



# --- archive PDFs -----------------------------------------------------------------------------

def sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def manifest(issue: bytes = ISSUE, publication: bytes | None = PUBLICATION, path: str = "2024/12.yaml") -> dict:
    """A manifest as manifest.manifest writes it, for these sources (the parts extract reads)."""
    return {
        "format": "bulletin-print manifest 1",
        "options": {"variant": "archive", "bleed": None, "marks": False, "even": False},
        "source_date_epoch": None,
        "issue": {"path": path, "sha256": sha(issue)},
        "publication": None if publication is None else {"path": "publication.yaml", "sha256": sha(publication)},
        "tool": {"name": "bulletin-print", "version": "0.1.0", "code_sha256": "0" * 64},
        "engine": {"weasyprint": "70.0"},
        "layout": [{"path": "layout/bulletin.css", "sha256": "1" * 64}],
        "fonts": [{"path": "fonts/fonts.conf", "sha256": "2" * 64}],
        "profile": {"path": "profiles/ISOcoated_v2_300_bas.icc", "sha256": "3" * 64, "condition": "FOGRA39"},
    }


def sources(**manifest_changes) -> list[tuple[str, bytes]]:
    """The attachments of a good archive PDF: the issue, the publication file, the manifest."""
    info = manifest(**manifest_changes)
    return [("12.yaml", ISSUE), ("publication.yaml", PUBLICATION),
            ("manifest.json", json.dumps(info, ensure_ascii=False, indent=1).encode())]


def archive_pdf(attachments: list[tuple[str, bytes]] | None = None, *, other_names: dict[str, str] | None = None,
                sizes: dict[str, int] | None = None) -> bytes:
    """A one-page PDF carrying `attachments` (name, bytes), each deflated as WeasyPrint does;
    `other_names` gives an attachment a different /UF name, `sizes` a declared /Params /Size."""
    writer = pypdf.PdfWriter()
    writer.add_blank_page(595, 842)
    for name, data in sources() if attachments is None else attachments:
        entry = writer.add_attachment(name, data)
        stream = entry.pdf_object["/EF"].raw_get("/F")
        writer._replace_object(stream, stream.get_object().flate_encode(level=9))
        if other_names and name in other_names:
            entry.pdf_object[NameObject("/UF")] = TextStringObject(other_names[name])
        if sizes and name in sizes:
            entry.size = NumberObject(sizes[name])
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


# --- Word files ---------------------------------------------------------------------------------

W = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'


def good_docx() -> bytes:
    """A contributed article: a title, a paragraph with a bold lead, the attribution."""
    import docx

    document = docx.Document()
    document.add_heading("拱墅区：代表联络站提质增效", level=1)
    p = document.add_paragraph()
    p.add_run("一是聚焦阵地建设，夯实履职基础。").bold = True
    p.add_run("全区建成代表联络站 18 个。")
    document.add_paragraph("（拱墅区人大常委会办公室 王小明）")
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def replace_parts(docx: bytes, parts: dict[str, bytes | None]) -> bytes:
    """`docx` with some parts' contents replaced (None: the part left out) or added."""
    src = zipfile.ZipFile(io.BytesIO(docx))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for info in src.infolist():
            if info.filename not in parts:
                z.writestr(info, src.read(info))
        for name, data in parts.items():
            if data is not None:
                z.writestr(name, data)
    return out.getvalue()


def zeros_deflated(mib: int) -> bytes:
    """A raw deflate stream that inflates to `mib` MiB of zeros, made without deflating them all:
    one MiB deflated with a full flush (which resets the compressor) is the same every time."""
    packer = zlib.compressobj(9, zlib.DEFLATED, -15)
    chunk = packer.compress(bytes(1 << 20)) + packer.flush(zlib.Z_FULL_FLUSH)
    again = packer.compress(bytes(1 << 20)) + packer.flush(zlib.Z_FULL_FLUSH)
    assert again == chunk
    return chunk * mib + zlib.compressobj(9, zlib.DEFLATED, -15).flush(zlib.Z_FINISH)


def with_member(docx: bytes, name: str, deflated: bytes, size: int) -> bytes:
    """`docx` with one more member holding the raw deflate stream `deflated`, its directory saying
    it unpacks to `size` bytes (the size a zip bomb declares, or lies about)."""
    out = io.BytesIO(docx if name not in zipfile.ZipFile(io.BytesIO(docx)).namelist()
                     else replace_parts(docx, {name: None}))
    with zipfile.ZipFile(out, "a", zipfile.ZIP_STORED) as z:
        z.writestr(zipfile.ZipInfo(name, (2024, 8, 16, 0, 0, 0)), deflated)
    data = bytearray(out.getvalue())
    local = zipfile.ZipFile(io.BytesIO(bytes(data))).getinfo(name).header_offset
    central = _directory_entry(data, name)
    # stored → deflated, and the unpacked size, in the local header and in the central directory
    struct.pack_into("<H", data, local + 8, zipfile.ZIP_DEFLATED)
    struct.pack_into("<I", data, local + 22, size)
    struct.pack_into("<H", data, central + 10, zipfile.ZIP_DEFLATED)
    struct.pack_into("<I", data, central + 24, size)
    return bytes(data)


def _directory_entry(data: bytearray, name: str) -> int:
    """The offset of `name`'s entry in the zip's central directory."""
    end = data.rindex(b"PK\x05\x06")
    count, _, at = struct.unpack_from("<HII", data, end + 10)
    for _ in range(count):
        n, m, k = struct.unpack_from("<HHH", data, at + 28)
        if data[at + 46:at + 46 + n] == name.encode():
            return at
        at += 46 + n + m + k
    raise KeyError(name)


def zip_bomb(mib: int = 3072, name: str = "word/document.xml") -> bytes:
    """A Word file of about mib/1000 MB whose `name` part really inflates to `mib` MiB."""
    return with_member(good_docx(), name, zeros_deflated(mib), min(mib << 20, 0xFFFFFFFF))
