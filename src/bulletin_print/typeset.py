"""HTML → PDF with WeasyPrint, confined to the project's own fonts and files.

Two fences keep a build reproducible and safe: fontconfig sees only `fonts/` (WeasyPrint asks it
for any glyph the declared fonts lack, and a system font must never reach the PDF), and the URL
fetcher serves only files under `layout/`, `fonts/` and the issue's own folder (no network).
"""

from __future__ import annotations

import ctypes.util
import gc
import io
import logging
import os
import tempfile
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager, redirect_stdout
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from urllib.parse import unquote, urlsplit

from bulletin_print.files import FONT_FOLDERS, remove_orphans
from bulletin_print.paths import FONTS_DIR, LAYOUT_DIR, PROFILES_DIR

# Must be set before WeasyPrint (Pango, fontconfig) is first imported.
os.environ["FONTCONFIG_FILE"] = str(FONTS_DIR / "fonts.conf")


@contextmanager
def sonames_only() -> Iterator[None]:
    """Load WeasyPrint's libraries by their file names alone.

    WeasyPrint tries each library (Pango, HarfBuzz, fontconfig, ...) under several names, and
    cffi hands every name that is not a file it can open to ctypes.util.find_library, which on
    Linux runs ldconfig, gcc and ld to look for it: 0.3 to 0.4 s of each start (measured), before
    the full soname (libpango-1.0.so.0), which WeasyPrint also tries, loads directly. Should that
    fail, WeasyPrint's advice on installing the libraries is kept back: the import is tried again
    the usual way.
    """
    find = ctypes.util.find_library
    ctypes.util.find_library = lambda name: None
    try:
        with redirect_stdout(io.StringIO()):
            yield
    finally:
        ctypes.util.find_library = find


try:
    with sonames_only():
        import weasyprint
except OSError:  # a system whose libraries only find_library knows
    import weasyprint  # noqa: E402
from weasyprint.formatting_structure.boxes import FootnoteAreaBox  # noqa: E402
from weasyprint.text.fonts import FontConfiguration  # noqa: E402

from bulletin_print import preflight, relayout  # noqa: E402
from bulletin_print.model import Fault, Look  # noqa: E402
from bulletin_print.render import layout_file  # noqa: E402

logging.getLogger("weasyprint").setLevel(logging.ERROR)


class ConfinedFetcher(weasyprint.URLFetcher):
    """Serves local files under the allowed folders and refuses every other URL."""

    def __init__(self, roots: list[Path]) -> None:
        super().__init__(allowed_protocols={"file"})
        self.roots = [root.resolve() for root in roots]

    def fetch(self, url: str, headers: dict | None = None) -> weasyprint.urls.URLFetcherResponse:
        parts = urlsplit(url)
        if parts.scheme != "file":
            raise ValueError(f"refused: {url}")
        path = Path(unquote(parts.path)).resolve()
        if not any(path.is_relative_to(root) for root in self.roots):
            raise ValueError(f"refused: {url}")
        return super().fetch(url, headers)


@cache
def font_config(own: tuple[tuple[str, Path], ...] = ()) -> FontConfiguration:
    """The process's font configuration for a publication's fonts (model.Look.fonts): WeasyPrint
    loads the fonts of the @font-face rules into it once (50 MB, a tenth of a second), and a
    watching or archive-building process then reuses them for every issue it lays out. The same
    family names stand for other files with other fonts, so each set of fonts has its own.

    WeasyPrint copies those fonts into a temporary folder that it removes only when the
    configuration is freed, which a worker's never is (each worker of a folder build left 50 MB
    in /tmp). The folder is named after the process here (files.FONT_FOLDERS), so that whatever
    ends it, the next build removes the folder once the process is gone; a folder build removes
    its workers' as soon as they end.
    """
    temp = Path(tempfile.gettempdir())
    remove_orphans(temp, FONT_FOLDERS)
    config = FontConfiguration()
    config._folder = Path(tempfile.mkdtemp(prefix=f"{FONT_FOLDERS}{os.getpid()}.", dir=temp))
    return config


@contextmanager
def no_cycle_collection() -> Iterator[None]:
    """Python's cycle collector paused while WeasyPrint lays out and writes: it would otherwise
    walk the growing box tree again and again, a tenth of the time (measured), to free nothing
    that the end of the build does not free anyway."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


COLOPHON_CLASS = "colophon"
COLOPHON_OWN_PAGE = "colophon-page.css"
EVEN_PAGES = "even-pages.css"


def has_colophon(page: weasyprint.Page) -> bool:
    """Whether the 版记 (the footnote of class "colophon") was laid out on this page."""
    areas = [box for box in page._page_box.children if isinstance(box, FootnoteAreaBox)]
    return any(COLOPHON_CLASS in (box.element.get("class") or "").split()
               for area in areas for box in area.descendants() if box.element is not None)


@dataclass
class Typeset:
    pdf: bytes | None  # None when the preflight found faults and no draft was asked for
    faults: list[Fault]  # what the preflight found on the laid-out pages
    pages: int
    fresh: tuple[int, ...] | None = None  # with a memo: the pages `pdf` holds (None: every page)


def typeset(html: str, issue_dir: Path, *, look: Look = Look(), stylesheets: Sequence[str] = (), even: bool = False,
            draft: bool = False, prepare: Callable[[weasyprint.Document], None] | None = None,
            finisher: Callable[..., None] | None = None, copies: Sequence[str] = (),
            memo: relayout.Memo | None = None, **options: object) -> Typeset:
    """The PDF of `html`, whose relative URLs resolve in `layout/`, unless its pages have faults.

    WeasyPrint drops a footnote that overflows the last page; when the 版记 is missing from the
    last page, the document is laid out again with the 版记 on a page of its own.
    `look` is the publication's: its layout folder and fonts are served too, its layout files
    replace the tool's of the same name;
    `stylesheets` (CSS text, URLs relative to `layout/`) are added after the document's own;
    `even` lays an odd-page issue out again with the 版记 on an even page (layout/even-pages.css);
    the laid-out pages then go through the preflight (preflight.py): with a fault, no PDF is
    written unless `draft` asks for one all the same;
    `prepare` may change the laid-out document's metadata, `finisher` the PDF before it is written;
    `copies`: the HTML of further numbered copies, which differ from `html` on page 1 only (their
    份号): each is laid out with the same stylesheets, and its page 1 followed by the other pages of
    `html` makes the next copy in the one PDF;
    `memo` (the editor's preview): the last layout of this issue, from which only the pages an edit
    changed are laid out again (relayout.py); the PDF then holds those pages only (`fresh`).
    """
    own = [folder for folder in (look.layout, *(path.parent for _, path in look.fonts)) if folder is not None]
    fetcher = ConfinedFetcher([LAYOUT_DIR, FONTS_DIR, PROFILES_DIR, issue_dir, *own])

    def parse() -> weasyprint.HTML:
        return weasyprint.HTML(string=html, base_url=LAYOUT_DIR.as_uri() + "/", url_fetcher=fetcher)

    source = cache(parse)  # parsed once for every layout below (a memo's parses its own)
    profiles: dict = {}  # @color-profile rules of the extra stylesheets reach the document only through this
    extra = [weasyprint.CSS(string=css, base_url=LAYOUT_DIR.as_uri() + "/", url_fetcher=fetcher,
                            color_profiles=profiles) for css in stylesheets]

    def lay_out(*more: str, html_source: weasyprint.HTML | None = None) -> weasyprint.Document:
        extra.extend(weasyprint.CSS(filename=layout_file(css, look), url_fetcher=fetcher) for css in more)
        return (html_source or source()).render(stylesheets=extra, color_profiles=profiles,
                                              font_config=font_config(look.fonts), **options)

    if memo is not None and (copies or even or "pdf_variant" in options):
        memo = None  # a preview's screen PDF only: the other variants are built whole
    with no_cycle_collection():
        laid = None
        if memo is not None:
            laid = relayout.render(parse, memo, (tuple(stylesheets), look), stylesheets=extra,
                                   color_profiles=profiles, font_config=font_config(look.fonts))
            if laid.fresh and laid.fresh[-1] == laid.total - 1 and not has_colophon(laid.document.pages[-1]):
                memo.clear()  # the 版记 left the last page: laid out whole, below
                laid = None
        if laid is not None and laid.fresh is not None:
            document, fresh, pages = laid.document, laid.fresh, laid.total
            findings = list(memo.findings)
            for i, page in zip(fresh, document.pages):
                findings[i] = preflight.page_findings(page._page_box, i + 1, i == pages - 1)
        else:
            fresh = None
            document = laid.document if laid is not None else lay_out()
            if COLOPHON_CLASS in html and not has_colophon(document.pages[-1]):
                if memo is not None:
                    memo.clear()  # laid out with one more stylesheet: the next preview is laid out whole
                document = lay_out(COLOPHON_OWN_PAGE)
            if even and COLOPHON_CLASS in html and len(document.pages) % 2:
                document = lay_out(EVEN_PAGES)
            pages = len(document.pages)
            findings = [preflight.page_findings(page._page_box, n, n == pages)
                        for n, page in enumerate(document.pages, 1)]
        if memo is not None:
            memo.findings = findings
        faults = preflight.merge(findings)
        pdf = None
        if copies and (draft or not faults):
            firsts = [document.pages[0]]
            for copy in copies:  # only its page 1 is kept: the rest is the first copy's
                firsts.append(lay_out(html_source=weasyprint.HTML(string=copy, base_url=LAYOUT_DIR.as_uri() + "/",
                                                                  url_fetcher=fetcher)).pages[0])
            document = document.copy([page for first in firsts for page in [first, *document.pages[1:]]])
        if draft or not faults:
            if prepare is not None:
                prepare(document)
            pdf = document.write_pdf(finisher=finisher, **options)
        # Dropped while the collector is still paused: its first pass then frees the layout's
        # cycles instead of walking the whole live document first (13 ms a build, measured).
        del document
    return Typeset(pdf, faults, pages, tuple(fresh) if fresh is not None else None)
