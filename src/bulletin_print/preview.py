"""See an issue fast: PNGs of its pages (`preview`), and a rebuild on every save (`watch`).

`preview` builds the editor's proof (the screen PDF) and draws each page as a PNG with pypdfium2
(pdftoppm from poppler-utils when pypdfium2 is missing), with a small index.html that shows them.
`watch` keeps one process warm (Python, WeasyPrint, the fonts' metrics are loaded once) and polls
the modification times of the issue file, its publication.yaml and the files in layout/ every
0.3 s: a poll costs a few stat calls, so no file-watching library is needed. Each rebuild runs
the same checks as `build` on the one file (not the whole archive's ledger), writes the PDF whole
or not at all, and says how long it took.
"""

from __future__ import annotations

import datetime as dt
import gc
import shutil
import subprocess
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from bulletin_print.files import write_atomic
from bulletin_print.paths import LAYOUT_DIR

PNG_NAME = "page-{:02d}.png"
INDEX = "index.html"
INDEX_TEMPLATE = "preview.html.j2"


# ---- pages as pictures ----------------------------------------------------------------------


def render_pngs(pdf: bytes, folder: Path, dpi: int = 96) -> list[Path]:
    """Each page of `pdf` as folder/page-01.png, page-02.png…; older pages beyond them removed."""
    folder.mkdir(parents=True, exist_ok=True)
    try:
        written = _pdfium(pdf, folder, dpi)
    except ImportError:
        written = _pdftoppm(pdf, folder, dpi)
    keep = {p.name for p in written}
    for old in folder.glob("page-*.png"):
        if old.name not in keep:
            old.unlink(missing_ok=True)
    return written


def draw_pages(pdf: bytes, dpi: int = 96):
    """Each page of `pdf` drawn by pypdfium2, as a PIL image. Raises ImportError without pypdfium2."""
    import pypdfium2 as pdfium

    document = pdfium.PdfDocument(pdf)
    try:
        for i in range(len(document)):
            page = document[i]
            try:
                yield page.render(scale=dpi / 72).to_pil()
            finally:
                page.close()
    finally:
        document.close()


def find_page(pdf: bytes, needle: str, order: list[int]) -> int | None:
    """The first page, looked at in `order`, whose text holds `needle` (spaces aside): only as
    many pages' text is read as it takes."""
    import pypdfium2 as pdfium

    needle = "".join(needle.split())
    document = pdfium.PdfDocument(pdf)
    try:
        for i in order:
            page = document[i]
            textpage = page.get_textpage()
            found = needle in "".join(textpage.get_text_range().split())
            textpage.close()
            page.close()
            if found:
                return i
    finally:
        document.close()
    return None


def _pdfium(pdf: bytes, folder: Path, dpi: int) -> list[Path]:
    out = []
    for i, image in enumerate(draw_pages(pdf, dpi)):
        target = folder / PNG_NAME.format(i + 1)
        tmp = target.with_name(f".{target.name}.part")
        image.save(tmp, format="PNG")
        tmp.replace(target)
        out.append(target)
    return out


def _pdftoppm(pdf: bytes, folder: Path, dpi: int) -> list[Path]:
    tool = shutil.which("pdftoppm")
    if tool is None:
        raise RuntimeError("需要 pypdfium2 或 pdftoppm (poppler-utils) 才能生成 PNG (pypdfium2 or pdftoppm is needed)")
    with tempfile.TemporaryDirectory() as tmp:
        source = Path(tmp) / "issue.pdf"
        source.write_bytes(pdf)
        subprocess.run([tool, "-png", "-r", str(dpi), str(source), str(Path(tmp) / "page")], check=True,
                       capture_output=True, timeout=120)
        pages = sorted(Path(tmp).glob("page-*.png"), key=lambda p: int(p.stem.rsplit("-", 1)[1]))
        out = []
        for i, page in enumerate(pages):
            target = folder / PNG_NAME.format(i + 1)
            shutil.move(str(page), target)
            out.append(target)
    return out


def write_index(folder: Path, title: str, pages: list[Path]) -> Path:
    """A page showing the PNGs one under another (layout/preview.html.j2)."""
    from bulletin_print.render import environment

    shown = [{"name": p.name, "stamp": p.stat().st_mtime_ns} for p in pages]
    target = folder / INDEX
    target.write_text(environment().get_template(INDEX_TEMPLATE).render(title=title, pages=shown), encoding="utf-8")
    return target


# ---- one build ------------------------------------------------------------------------------


@dataclass
class Outcome:
    ok: bool
    seconds: float
    pages: int = 0
    messages: tuple[str, ...] = ()
    pngs: tuple[Path, ...] = ()


def build_once(issue: Path, output: Path, png_folder: Path | None = None, dpi: int = 96,
               composed: dict | None = None) -> Outcome:
    """Check and build ISSUE's screen PDF as `build` does, write it atomically to OUTPUT and, with
    png_folder, its pages as PNGs. `composed`: see render.render."""
    from bulletin_print import check, finish, pipeline

    start = time.perf_counter()
    result = pipeline.run(issue, finish.Options("screen"), composed=composed)
    if not result.ok:
        return Outcome(False, time.perf_counter() - start, messages=tuple(check.describe(p) for p in result.errors))
    try:
        write_atomic(result.pdf, output)
    except OSError as e:
        return Outcome(False, time.perf_counter() - start, messages=(f"{output}: 无法写入 (cannot write): {e}",))
    pngs: list[Path] = []
    if png_folder is not None:
        pngs = render_pngs(result.pdf, png_folder, dpi)
        write_index(png_folder, issue.name, pngs)
    return Outcome(True, time.perf_counter() - start, result.pages, pngs=tuple(pngs))


# ---- watching -------------------------------------------------------------------------------


def watched_files(issue: Path) -> list[Path]:
    """The issue, its publication file, its photos, every file in the tool's layout/ and the
    publication's own layout/ and fonts/ (what a rebuild reads)."""
    from bulletin_print.manifest import Sources

    sources = Sources.of(issue)
    files = [issue, *([sources.publication] if sources.publication is not None else [])]
    files.extend(sorted(p for p in LAYOUT_DIR.rglob("*") if p.is_file()))
    return files + [path for _, path in sources.images] + sources.look_files()


def snapshot(files: list[Path]) -> dict[Path, tuple[int, int] | None]:
    out: dict[Path, tuple[int, int] | None] = {}
    for f in files:
        try:
            st = f.stat()
            out[f] = (st.st_mtime_ns, st.st_size)
        except OSError:
            out[f] = None
    return out


def watch(issue: Path, output: Path, png_folder: Path | None = None, *, interval: float = 0.3, dpi: int = 96,
          echo: Callable[[str], None] = print, stop: Callable[[], bool] = lambda: False,
          max_builds: int | None = None) -> None:
    """Build now, then again whenever a watched file changes, until `stop()` (or Ctrl-C)."""
    builds = 0
    composed: dict = {}  # the paragraphs as last composed: an edit recomposes only its own

    def run(reason: str) -> None:
        from bulletin_print.typeset import no_cycle_collection

        with no_cycle_collection():  # the build's garbage is collected after its line is out
            report(reason, build_once(issue, output, png_folder, dpi, composed))
        gc.collect()  # while the editor looks at the result, not during the next rebuild

    def report(reason: str, outcome: Outcome) -> None:
        nonlocal builds
        builds += 1
        clock = dt.datetime.now().strftime("%H:%M:%S")
        if outcome.ok:
            where = f" + {len(outcome.pngs)} PNG → {png_folder}" if png_folder is not None else ""
            echo(f"[{clock}] {reason}: {output} ({outcome.pages} 页 pages){where} "
                 f"in {outcome.seconds:.2f} s")
        else:
            for message in outcome.messages:
                echo(message)
            echo(f"[{clock}] {reason}: 未生成 PDF (no PDF written), {len(outcome.messages)} 个问题 (problems) "
                 f"in {outcome.seconds:.2f} s")

    files = watched_files(issue)
    seen = snapshot(files)
    run("生成 (built)")
    echo(f"监视 (watching) {len(files)} 个文件 (files): {issue}, publication.yaml, layout/ — Ctrl-C 结束 (to stop)")
    while not stop() and (max_builds is None or builds < max_builds):
        time.sleep(interval)
        files = watched_files(issue)
        now = snapshot(files)
        if now == seen:
            continue
        changed = [f for f in now if now.get(f) != seen.get(f)] + [f for f in seen if f not in now]
        seen = now
        if now.get(issue) is None:
            continue  # an editor's save that replaces the file: it is back at the next poll
        names = ", ".join(sorted({f.name for f in changed}))
        run(f"重新生成 (rebuilt) after {names}")
