"""`bulletin-print serve`: the editor in the browser. Edit an issue in a form, see its pages as
they will print, save it back to its YAML file.

The web stack is Starlette on uvicorn (see pyproject.toml for why). The pages are Jinja2 templates
and one plain script (web/), with no framework and nothing fetched from elsewhere: it works on a
machine with no internet.

What it never does:
- listen anywhere but 127.0.0.1;
- answer a request whose Host is not its own address, or whose Origin (or Sec-Fetch-Site) says a
  page elsewhere sent it: a web page on the internet must not drive it, not even by DNS
  rebinding;
- write anything without the token it put in its own pages;
- reach a file outside the publication's archive folder, or an issue file the archive does not list;
- overwrite a file that changed on disk since the editor opened it, or without a backup.

The pages of the preview come from `pipeline.run`, the one build path, on the form's text: a
shadow copy of the issue file with its publication.yaml, in a temporary folder, rebuilt in this
warm process (fonts, metrics and composed paragraphs kept). Each page is drawn at screen
resolution and kept by the hash of its pixels, so the browser fetches only the pages that changed.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import gc
import hashlib
import hmac
import json
import os
import secrets
import shutil
import socket
import tempfile
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import jinja2
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, PlainTextResponse, RedirectResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from bulletin_print import editdoc, load, paste
from bulletin_print.files import Unreadable, Unwritable, read_bytes, read_text, write_atomic
from bulletin_print.model import Problem, field_name, lead_of
from bulletin_print.paths import PACKAGE_DIR

WEB_DIR = PACKAGE_DIR / "web"
TOKEN_HEADER = "x-bulletin-token"
PREVIEW_DPI = 72
MAX_BODY = 8 * 1024 * 1024
MAX_IMAGES = 400  # page images kept in memory (a 72-dpi page is 30–80 KB)
VARIANTS = ("screen", "print", "archive")
UI_FONT = "BulletinHei-Regular.otf"


# ---- the publication -------------------------------------------------------------------------


def archive_of(folder: Path) -> Path:
    """The archive folder (issues/) of the publication `folder` is in, found upward as every
    command finds it (publication.find), or the folder itself when it is no publication's."""
    from bulletin_print.publication import find

    return (find(folder) or folder).resolve()


def issue_path(archive: Path, name: str) -> Path | None:
    """The issue file `name` ("2024/12.yaml") names, only if it is one of the archive's own issue
    files: no "..", no absolute path, no link leading out of the folder."""
    from bulletin_print.ledger import archive_files

    if not isinstance(name, str) or not name or "\x00" in name or name.startswith(("/", "\\")):
        return None
    root = archive.resolve()
    candidate = (root / name).resolve()
    if os.path.commonpath([root, candidate]) != str(root):
        return None
    known = {p.resolve() for p in archive_files(root)}
    return candidate if candidate in known else None


def relative(archive: Path, path: Path) -> str:
    return path.resolve().relative_to(archive.resolve()).as_posix()


# ---- the preview -----------------------------------------------------------------------------


@dataclass
class Preview:
    pages: list[str]  # each page's image hash, in order
    problems: list[dict]
    leads: dict[str, str]
    focus_page: int | None
    seconds: dict[str, float]
    ok: bool
    images: dict[str, str] = field(default_factory=dict)  # the PNGs (base64) of the pages that changed
    fresh: tuple[int, ...] | None = None  # the pages laid out again (None: the whole issue)


class Previewer:
    """One warm build of one issue's form text at a time: a shadow copy of the issue file and its
    publication.yaml in a temporary folder, built by pipeline.run from the last layout (only the
    pages an edit changed are laid out and drawn again: relayout.py), its pages drawn as PNGs."""

    def __init__(self) -> None:
        from bulletin_print.relayout import Memo

        self.lock = threading.Lock()
        self.composed: dict = {}  # paragraphs as last composed: an edit recomposes only its own
        self.memo = Memo()  # the last layout: an edit lays out only the pages it changes
        self.images: OrderedDict[str, bytes] = OrderedDict()
        self.hashes: list[str] = []  # the image hash of each page of the last preview
        self.folder = Path(tempfile.mkdtemp(prefix="bulletin-print-serve."))

    def close(self) -> None:
        shutil.rmtree(self.folder, ignore_errors=True)

    def shadow(self, issue: Path, text: str) -> Path:
        """The form's text in place of the issue file, in the same shape of folders (issues/YYYY/N.yaml,
        with publication.yaml where the publication keeps it), so that it is read and checked as the
        issue file itself would be."""
        real_pub = load.publication_file(issue)
        archive = load.archive_folder(issue)
        base = self.folder / "issues"
        target = base / issue.parent.name / issue.name if archive is not None else self.folder / issue.name
        target.parent.mkdir(parents=True, exist_ok=True)
        if real_pub is not None:
            where = {issue.parent: target.parent}
            if archive is not None:
                where[archive] = base
                where[archive.parent] = self.folder
            into = where.get(real_pub.parent, target.parent) / load.PUBLICATION_FILE
            data = real_pub.read_bytes()
            if not into.exists() or into.read_bytes() != data:
                write_atomic(data, into)
        encoded = text.encode("utf-8")
        if not target.exists() or target.read_bytes() != encoded:
            write_atomic(encoded, target)
        return target

    def photos(self, issue: Path, target: Path, form: dict) -> None:
        """The photos the form names, from the issue's folder beside its shadow (linked, or copied
        where the temporary folder is on another disk), so that they are read as the issue's own;
        a name that leads out of the issue's folder is left for the checks to refuse."""
        for name in load.image_names(form):
            source = load.image_file(issue, name)
            into = load.image_file(target, name)
            if source is None or into is None or not source.is_file():
                continue
            seen = source.stat()
            if into.exists() and (into.stat().st_size, into.stat().st_mtime_ns) == (seen.st_size, seen.st_mtime_ns):
                continue
            into.parent.mkdir(parents=True, exist_ok=True)
            into.unlink(missing_ok=True)
            try:
                os.link(source, into)
            except OSError:
                shutil.copy2(source, into)

    def build(self, issue: Path, text: str, form: dict, focus_text: str = "") -> Preview:
        from bulletin_print import finish, pipeline
        from bulletin_print.typeset import no_cycle_collection

        with self.lock:
            gc.unfreeze()  # the last build's objects back to the collector, if its answer has not done so
            times: dict[str, float] = {}
            start = time.perf_counter()
            target = self.shadow(issue, text)
            self.photos(issue, target, form)
            with no_cycle_collection():
                result = pipeline.run(target, finish.Options("screen"), composed=self.composed, memo=self.memo)
                times["build"] = time.perf_counter() - start
                pages: list[str] = []
                images: dict[str, str] = {}
                focus_page = None
                if result.pdf is not None:
                    try:
                        pages, focus_page, images = self.draw(result.pdf, result.fresh, focus_text)
                    except BaseException:
                        self.memo.clear()  # the pages drawn no longer match the layout kept
                        raise
                else:
                    self.memo.clear()  # no pages drawn: the next preview is laid out whole
                times["draw"] = time.perf_counter() - start - times["build"]
                # The build's objects set aside from the collector until the answer is out
                # (_collect): else the first allocation after this block would collect them, all
                # young, a tenth of a second (measured) before the answer leaves.
                gc.freeze()
            problems = [problem_json(p) for p in result.problems]
            leads = leads_of(form)
            times["total"] = time.perf_counter() - start
            return Preview(pages, problems, leads, focus_page, times, result.pdf is not None, images, result.fresh)

    def draw(self, pdf: bytes, fresh: tuple[int, ...] | None,
             focus_text: str) -> tuple[list[str], int | None, dict[str, str]]:
        """Each page's image hash (its pixels'), the PNG encoded only for a page not seen before;
        the page whose text holds `focus_text` (what the editor is typing in), looked for among
        the pages that changed first: the page being edited is one of them; and the PNGs of the
        pages that changed since the last preview, sent with the answer rather than fetched after
        it. `fresh`: the pages `pdf` holds, the others as the last preview drew them (None: all)."""
        import base64
        import io

        from bulletin_print.preview import draw_pages, find_page

        if fresh == ():
            return list(self.hashes), None, {}  # the edit changed no page
        drawn = list(draw_pages(pdf, PREVIEW_DPI))
        indices = list(fresh) if fresh is not None else list(range(len(drawn)))
        hashes = list(self.hashes) if fresh is not None else [""] * len(drawn)
        changed: list[int] = []  # positions in `pdf` of the pages whose image changed
        for j, (i, image) in enumerate(zip(indices, drawn)):
            h = hashlib.sha256(image.tobytes()).hexdigest()[:24]
            if h not in self.images:
                out = io.BytesIO()
                image.save(out, format="PNG", compress_level=1)
                self.images[h] = out.getvalue()
                while len(self.images) > MAX_IMAGES:
                    self.images.popitem(last=False)
            else:
                self.images.move_to_end(h)
            if i >= len(self.hashes) or self.hashes[i] != h:
                changed.append(j)
            hashes[i] = h
        self.hashes = hashes
        needle = "".join(focus_text.split())[:12]
        order = changed + [j for j in range(len(drawn)) if j not in changed]
        found = find_page(pdf, needle, order) if needle else None
        images = {hashes[indices[j]]: base64.b64encode(self.images[hashes[indices[j]]]).decode("ascii")
                  for j in changed if hashes[indices[j]] in self.images}
        return hashes, indices[found] if found is not None else None, images


def problem_json(p: Problem) -> dict:
    return {"field": p.field, "message": p.message, "severity": p.severity, "line": p.line}


def leads_of(issue: dict) -> dict[str, str]:
    """The lead sentence of every paragraph of the form's issue, by field, as load reads it
    (model.lead_of)."""
    out = {}
    for where, article in load.raw_articles(issue):
        for p, paragraph in enumerate(load.raw_paragraphs(article)):
            lead = ""
            if isinstance(paragraph, str):
                lead = lead_of(paragraph)
            elif isinstance(paragraph, dict) and isinstance(paragraph.get("text"), str):
                lead = lead_of(paragraph["text"], paragraph.get("lead"))
            if lead:
                out[field_name(where + ("paragraphs", p))] = lead
    return out


# ---- the app ---------------------------------------------------------------------------------


@dataclass
class Opened:
    text: str  # what the file held when the editor opened it, by its version
    at: float = field(default_factory=time.time)


class Editor:
    """The app's state: the archive, the token, the texts opened, the warm previewer, the builds."""

    def __init__(self, publication: Path, port: int) -> None:
        self.archive = archive_of(publication)
        self.port = port
        self.token = secrets.token_urlsafe(32)
        self.opened: dict[str, Opened] = {}
        self.previewer = Previewer()
        self.builds: OrderedDict[str, tuple[str, bytes]] = OrderedDict()
        self.states: dict[Path, tuple[tuple[int, int], str]] = {}
        self.templates = jinja2.Environment(loader=jinja2.FileSystemLoader(WEB_DIR), autoescape=True,
                                            undefined=jinja2.StrictUndefined)

    # the hosts this server answers to
    @property
    def hosts(self) -> set[str]:
        return {f"127.0.0.1:{self.port}", f"localhost:{self.port}"}

    def page(self, name: str, **values: Any) -> HTMLResponse:
        html = self.templates.get_template(name).render(token=self.token, **values)
        return HTMLResponse(html, headers={"Content-Security-Policy": CSP, "X-Frame-Options": "DENY",
                                           "Referrer-Policy": "no-referrer", "Cache-Control": "no-store"})

    # -- the archive --

    def state(self, path: Path) -> str:
        """"检查通过" or "N 个错误", remembered by the file's modification time and size."""
        from bulletin_print import check

        st = path.stat()
        key = (st.st_mtime_ns, st.st_size)
        known = self.states.get(path)
        if known is not None and known[0] == key:
            return known[1]
        errors = check.errors(check.check_paths([path], lint=False))
        said = "检查通过" if not errors else f"{len(errors)} 个错误"
        self.states[path] = (key, said)
        return said

    def issues(self) -> list[dict]:
        from bulletin_print.ledger import archive_files

        out = []
        for path in archive_files(self.archive):
            entry: dict[str, Any] = {"file": relative(self.archive, path), "year": path.parent.name}
            try:
                issue = load.load_issue(path)
                entry.update(edition=issue.edition, number=issue.number, total=issue.total,
                             date=issue.date.isoformat())
            except Exception:
                entry.update(edition="", number="?", total="?", date="")
            entry["state"] = self.state(path)
            out.append(entry)
        return out


CSP = ("default-src 'self'; img-src 'self' blob: data:; style-src 'self'; script-src 'self'; "
       "connect-src 'self'; font-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'")


def refuse(status: int, message: str) -> JSONResponse:
    return JSONResponse({"error": message}, status_code=status)


class Guard:
    """Refuses what a page elsewhere could send: a foreign Host (DNS rebinding), a foreign Origin or
    Sec-Fetch-Site, and any write without the token."""

    def __init__(self, app, editor: Editor) -> None:
        self.app = app
        self.editor = editor

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope["headers"]}
        hosts = self.editor.hosts
        why = None
        if headers.get("host") not in hosts:
            why = "请求的 Host 不是本编辑器的地址，已拒绝 (foreign Host refused)"
        elif "origin" in headers and headers["origin"] not in {f"http://{h}" for h in hosts}:
            why = "请求来自别的网页 (Origin)，已拒绝 (foreign Origin refused)"
        elif headers.get("sec-fetch-site") == "cross-site":
            why = "请求来自别的网站，已拒绝 (cross-site request refused)"
        elif scope["method"] not in ("GET", "HEAD") and not hmac.compare_digest(
                headers.get(TOKEN_HEADER, "").encode(), self.editor.token.encode()):
            why = "缺少或错误的令牌，未执行 (missing or wrong token)"
        if why is not None:
            return await refuse(403, why)(scope, receive, send)
        return await self.app(scope, receive, send)


async def body(request: Request) -> dict:
    raw = await request.body()
    if len(raw) > MAX_BODY:
        raise ValueError("请求过大 (request too large)")
    data = json.loads(raw or b"{}")
    if not isinstance(data, dict):
        raise ValueError("请求格式错误 (malformed request)")
    return data


def make_app(editor: Editor) -> Starlette:
    ed = editor

    def opened_file(name: Any) -> Path | None:
        return issue_path(ed.archive, name) if isinstance(name, str) else None

    async def archive_page(request: Request) -> Response:
        issues = await asyncio.to_thread(ed.issues)
        years: dict[str, list] = {}
        for entry in sorted(issues, key=lambda e: (e["year"], str(e["total"])), reverse=True):
            years.setdefault(entry["year"], []).append(entry)
        return ed.page("archive.html.j2", years=years, folder=str(ed.archive), today=dt.date.today().isoformat())

    async def editor_page(request: Request) -> Response:
        path = opened_file(request.query_params.get("file"))
        if path is None:
            return PlainTextResponse("没有这个期刊文件 (no such issue file in the archive)", status_code=404)
        try:
            data = read_bytes(path, load.MAX_FILE_BYTES)
            text = read_text(path, load.MAX_FILE_BYTES)
            pub_path = load.publication_file(path)
            pub_text = read_text(pub_path, load.MAX_FILE_BYTES) if pub_path else None
        except Unreadable as e:  # too large, not UTF-8, gone: said as check says it
            return PlainTextResponse(str(Problem(e.path, e.line, e.column, "", e.message)), status_code=422)
        v = editdoc.version(data)
        ed.opened[v] = Opened(text)
        try:
            form = editdoc.to_json(editdoc.parse(text))
        except Exception as e:
            return PlainTextResponse(f"{path.name}: YAML 无法读取，请先在文本编辑器中修正 (cannot read): {e}",
                                     status_code=422)
        pub = editdoc.plain(editdoc.parse(pub_text)) if pub_text is not None else {}
        boot = {"file": relative(ed.archive, path), "version": v, "issue": form, "publication": pub}
        return ed.page("editor.html.j2", file=relative(ed.archive, path), boot=json.dumps(boot, ensure_ascii=False))

    def text_of(request_data: dict) -> tuple[Path, str, str]:
        path = opened_file(request_data.get("file"))
        if path is None:
            raise LookupError("没有这个期刊文件 (no such issue file in the archive)")
        v = request_data.get("version")
        opened = ed.opened.get(v) if isinstance(v, str) else None
        base = opened.text if opened is not None else read_text(path, load.MAX_FILE_BYTES)
        issue = request_data.get("issue")
        if not isinstance(issue, dict):
            raise ValueError("请求格式错误 (malformed request)")
        return path, base, editdoc.dump(editdoc.apply(editdoc.parse(base), issue))

    async def preview(request: Request) -> Response:
        try:
            data = await body(request)
            path, _, text = text_of(data)
        except LookupError as e:
            return refuse(404, str(e))
        except (ValueError, TypeError) as e:
            return refuse(400, str(e))
        except Unreadable as e:
            return refuse(422, f"{e.path}: {e.message}")
        focus_text = data.get("focus_text") if isinstance(data.get("focus_text"), str) else ""
        result = await asyncio.to_thread(ed.previewer.build, path, text, data["issue"], focus_text)
        return JSONResponse({"pages": result.pages, "problems": result.problems, "leads": result.leads,
                             "focus_page": result.focus_page, "seconds": result.seconds, "ok": result.ok,
                             "images": result.images},
                            background=_collect())

    async def page_image(request: Request) -> Response:
        png = ed.previewer.images.get(request.path_params["hash"])
        if png is None:
            return PlainTextResponse("", status_code=404)
        return Response(png, media_type="image/png", headers={"Cache-Control": "private, max-age=86400, immutable"})

    async def save(request: Request) -> Response:
        try:
            data = await body(request)
            path = opened_file(data.get("file"))
            if path is None:
                return refuse(404, "没有这个期刊文件 (no such issue file in the archive)")
            v = data.get("version")
            now = read_bytes(path, load.MAX_FILE_BYTES)
            if not isinstance(v, str) or not hmac.compare_digest(editdoc.version(now), v):
                return refuse(409, f"{relative(ed.archive, path)} 在打开之后已在磁盘上被改动，未保存，以免覆盖别人的修改。"
                                   "表单中的内容仍保留在本页（及浏览器中）；请另行复制，重新打开文件后再改 "
                                   "(the file changed on disk since it was opened: not saved)")
            if not isinstance(data.get("issue"), dict):
                return refuse(400, "请求格式错误 (malformed request)")
            text = editdoc.dump(editdoc.apply(editdoc.parse(now.decode("utf-8")), data["issue"]))
        except (ValueError, TypeError, UnicodeDecodeError) as e:
            return refuse(400, str(e))
        except Unreadable as e:
            return refuse(422, f"{e.path}: {e.message}")
        encoded = text.encode("utf-8")
        backup = path.with_name(path.name + ".bak")
        if encoded != now:
            try:
                write_atomic(now, backup)  # the version before this save
                write_atomic(encoded, path)
            except OSError as e:  # the form keeps what was typed
                return refuse(500, str(Unwritable(path, e)))
        new_version = editdoc.version(encoded)
        ed.opened[new_version] = Opened(text)
        from bulletin_print import check

        problems = await asyncio.to_thread(check.check_paths, [path])
        return JSONResponse({"version": new_version, "saved": encoded != now, "backup": backup.name,
                             "issue": editdoc.to_json(editdoc.parse(text)),
                             "problems": [problem_json(p) for p in problems]})

    async def build(request: Request) -> Response:
        from bulletin_print import finish, pipeline

        try:
            data = await body(request)
        except ValueError as e:
            return refuse(400, str(e))
        path = opened_file(data.get("file"))
        variant = data.get("variant")
        if path is None or variant not in VARIANTS:
            return refuse(404, "没有这个期刊文件或版本 (no such issue or variant)")
        result = await asyncio.to_thread(pipeline.run, path, finish.Options(variant))
        if result.pdf is None:
            return JSONResponse({"ok": False, "problems": [problem_json(p) for p in result.errors]}, status_code=422)
        key = secrets.token_urlsafe(12)
        name = f"{path.parent.name}-{path.stem}{finish.Options(variant).suffix}.pdf"
        ed.builds[key] = (name, result.pdf)
        while len(ed.builds) > 12:
            ed.builds.popitem(last=False)
        return JSONResponse({"ok": True, "url": f"/download/{key}", "name": name, "pages": result.pages},
                            background=_collect())

    async def ui_font(request: Request) -> Response:
        # The form's own letters: the shipped Hei face, for machines with no Chinese sans-serif font.
        from bulletin_print.paths import FONTS_DIR

        return Response((FONTS_DIR / UI_FONT).read_bytes(), media_type="font/otf",
                        headers={"Cache-Control": "private, max-age=86400"})

    async def download(request: Request) -> Response:
        found = ed.builds.get(request.path_params["key"])
        if found is None:
            return PlainTextResponse("", status_code=404)
        name, pdf = found
        from urllib.parse import quote

        return Response(pdf, media_type="application/pdf",
                        headers={"Content-Disposition": f"attachment; filename*=UTF-8''{quote(name)}"})

    async def paste_route(request: Request) -> Response:
        try:
            data = await body(request)
        except ValueError as e:
            return refuse(400, str(e))
        html, text = data.get("html", ""), data.get("text", "")
        if not isinstance(html, str) or not isinstance(text, str):
            return refuse(400, "请求格式错误 (malformed request)")
        return JSONResponse({"paragraphs": paste.pasted(html, text)})

    async def new_issue(request: Request) -> Response:
        from bulletin_print import newissue

        try:
            data = await body(request)
            date = dt.date.fromisoformat(data.get("date") or dt.date.today().isoformat())
        except ValueError:
            return refuse(400, "日期应写作 2024-08-16 (not a date)")
        edition = data.get("edition") or "普刊"
        try:
            target, label = await asyncio.to_thread(newissue.create, ed.archive, str(edition), date)
        except newissue.Refused as e:
            return refuse(409, e.message)
        return JSONResponse({"file": relative(ed.archive, target), "label": label})

    routes = [
        Route("/", archive_page),
        Route("/edit", editor_page),
        Route("/api/preview", preview, methods=["POST"]),
        Route("/api/save", save, methods=["POST"]),
        Route("/api/build", build, methods=["POST"]),
        Route("/api/paste", paste_route, methods=["POST"]),
        Route("/api/new", new_issue, methods=["POST"]),
        Route("/page/{hash:str}.png", page_image),
        Route("/download/{key:str}", download),
        Route("/font/ui.otf", ui_font),
        Mount("/static", StaticFiles(directory=WEB_DIR / "static"), name="static"),
    ]
    app = Starlette(routes=routes)
    return Guard(app, editor)


def _collect():
    """After the answer is sent: the cycle collector's pass over the build's garbage (set aside by
    Previewer.build), while the editor looks at the pages, not during the next rebuild (as watch
    does)."""
    from starlette.background import BackgroundTask

    def collect() -> None:
        gc.unfreeze()
        gc.collect()

    return BackgroundTask(collect)


# ---- running it ------------------------------------------------------------------------------


def bind(port: int) -> socket.socket:
    """A listening socket on 127.0.0.1 only (port 0: a free one)."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", port))
    sock.listen(64)
    sock.set_inheritable(True)
    return sock


def run(publication: Path, port: int = 0, echo=print) -> None:
    import uvicorn

    sock = bind(port)
    editor = Editor(publication, sock.getsockname()[1])
    url = f"http://127.0.0.1:{editor.port}/"
    config = uvicorn.Config(make_app(editor), log_level="warning", access_log=False, lifespan="off")
    server = uvicorn.Server(config)
    echo(f"编辑器已启动 (editor running): {url}  — {editor.archive}；Ctrl-C 结束 (to stop)")
    try:
        server.run(sockets=[sock])
    finally:
        editor.previewer.close()
