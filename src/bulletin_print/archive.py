"""Whole-archive rebuilds: every issue under a folder, in parallel, skipping what is current.

`bulletin-print build issues/ -o build/ --jobs N`
  - every `*.yaml` under the folder except `publication.yaml` is an issue; issues/2024/12.yaml
    becomes build/2024-12.pdf (2024-12.print.pdf, 2024-12.archive.pdf for the other variants);
  - worker processes (ProcessPoolExecutor), each loading WeasyPrint, the fonts' metrics and the
    templates once and then building issue after issue;
  - a content-hash cache, `.bulletin-print-cache.json` in the output folder: an issue's key is the
    sha256 of its manifest (issue and publication files, layout files, fonts, profile, tool code
    and version, engine versions, options: see manifest.manifest). An issue whose key and PDF
    (size, mtime) are unchanged is skipped without starting WeasyPrint;
  - a progress bar (issue, pages, time) on a terminal, one plain line per issue otherwise;
  - a broken issue is reported at the end and does not stop the others (the exit code is then 1);
  - the workers die with the build (Linux): a killed build leaves none writing PDFs behind it, and
    SIGTERM or Ctrl-C stops them, saving the cache of what was built.
"""

from __future__ import annotations

import ctypes
import errno
import os
import signal
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from pathlib import Path

from bulletin_print import check, finish, ledger, manifest
from bulletin_print.files import FONT_FOLDERS, Unwritable, read_store, remove_orphans, write_atomic, write_store

CACHE_FILE = ".bulletin-print-cache.json"
WORKER_DIED = "生成它的进程意外退出，未生成 PDF (the worker building it died: no PDF written)"


def output_name(issue: Path, folder: Path, options: finish.Options) -> str:
    """issues/2024/12.yaml under issues/ → 2024-12.pdf (2024-12.print.pdf for print)."""
    stem = "-".join(issue.relative_to(folder).with_suffix("").parts)
    return f"{stem}{options.suffix}.pdf"


@dataclass
class Outcome:
    issue: Path
    output: Path
    status: str  # "built", "cached" or "failed"
    pages: int = 0
    seconds: float = 0.0
    key: str = ""
    messages: list[str] = field(default_factory=list)


@dataclass
class Summary:
    outcomes: list[Outcome]
    seconds: float

    def count(self, status: str) -> int:
        return sum(o.status == status for o in self.outcomes)

    @property
    def failed(self) -> list[Outcome]:
        return [o for o in self.outcomes if o.status == "failed"]


# --- the workers ---------------------------------------------------------------------------------

PR_SET_PDEATHSIG = 1  # linux/prctl.h


def _start_worker(parent: int) -> None:
    """Run once in each worker. It dies with the build that started it, and leaves Ctrl-C and
    SIGTERM to it; then WeasyPrint, the fonts' metrics and the templates are loaded once."""
    if sys.platform.startswith("linux"):
        # the kernel kills the worker when its parent ends, however it ends (even by SIGKILL)
        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
    if os.getppid() != parent:  # the parent ended before the line above
        os._exit(1)
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)

    from bulletin_print import fonts, manifest, render, typeset

    render.environment().get_template(render.TEMPLATE)
    for role in render.STYLE_ROLES.values():
        fonts.metrics(role)
    manifest.environment_manifest()


def _build_one(issue: Path, output: Path, options: finish.Options, key: str) -> Outcome:
    """Build one issue in a worker, as `build FILE` would; every problem becomes the outcome's
    messages, never an exception."""
    from bulletin_print import pipeline

    start = time.perf_counter()
    try:
        result = pipeline.run(issue, options)  # the lint only warns: workers skip it
        if result.ok:
            write_atomic(result.pdf, output)
    except OSError as e:  # a full disk or a read-only folder: the PDF in place stays as it was
        return Outcome(issue, output, "failed", seconds=time.perf_counter() - start,
                       messages=[str(Unwritable(output, e))])
    except Exception as e:  # one broken issue must not stop the others
        return Outcome(issue, output, "failed", seconds=time.perf_counter() - start,
                       messages=[f"{issue}: {type(e).__name__}: {e}"])
    if not result.ok:
        return Outcome(issue, output, "failed", seconds=time.perf_counter() - start,
                       messages=[check.describe(p) for p in result.errors])
    return Outcome(issue, output, "built", result.pages, time.perf_counter() - start, key)


# --- the cache -----------------------------------------------------------------------------------

def _stat(path: Path) -> list[int] | None:
    try:
        st = path.stat()
    except OSError:
        return None
    return [st.st_size, st.st_mtime_ns]


def load_cache(out_dir: Path) -> dict[str, dict]:
    """The output folder's cache: entries of any other shape are dropped (and their issues built)."""
    return {name: entry for name, entry in read_store(out_dir / CACHE_FILE).items() if _cache_entry(entry)}


def _cache_entry(entry: object) -> bool:
    """{"key": sha256 hex, "pages": n ≥ 0, "stat": [size ≥ 0, mtime_ns]}, as save_cache writes it."""
    if not (isinstance(entry, dict) and isinstance(entry.get("key"), str) and len(entry["key"]) == 64):
        return False
    pages, stat = entry.get("pages"), entry.get("stat")
    return (type(pages) is int and 0 <= pages < 100_000 and isinstance(stat, list) and len(stat) == 2
            and all(type(n) is int for n in stat) and stat[0] >= 0)


def save_cache(out_dir: Path, cache: dict[str, dict]) -> None:
    """The cache only saves time: a full disk or a read-only folder loses nothing by it."""
    write_store(out_dir / CACHE_FILE, cache)


# --- the whole archive ------------------------------------------------------------------------

def build_all(folder: Path, out_dir: Path, options: finish.Options, jobs: int | None = None,
              report: Callable[[Outcome, int, int], None] | None = None, force: bool = False) -> Summary:
    """Build every issue under `folder` into `out_dir`; `report(outcome, done, total)` after each."""
    start = time.perf_counter()
    # what `check` refuses as no issue file (a FIFO, a folder, a device under an issue's name)
    # fails here too, with the same message; keying it would block on a FIFO
    issues, unreadable = check.issue_files([folder])
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
    except OSError as e:
        raise Unwritable(out_dir, e) from None
    if not os.access(out_dir, os.W_OK):  # a read-only folder or file system: said once, not per issue
        reason = errno.EROFS if os.statvfs(out_dir).f_flag & os.ST_RDONLY else errno.EACCES
        raise Unwritable(out_dir, OSError(reason, os.strerror(reason)))
    cache = load_cache(out_dir)
    outcomes: list[Outcome] = []
    done = 0
    # The pool starts at the first issue to build: its workers load WeasyPrint while the rest
    # are being keyed, and a run with nothing to build starts none.
    pool: ProcessPoolExecutor | None = None
    pending: dict[Future, tuple[Path, Path]] = {}

    def record(outcome: Outcome) -> None:
        nonlocal done
        outcomes.append(outcome)
        done += 1
        report and report(outcome, done, len(issues) + len(unreadable))

    refused = ledger.numbering_refused(issues)
    try:
        for problem in unreadable:
            path = Path(problem.file)
            record(Outcome(path, out_dir / output_name(path, folder, options), "failed", messages=[str(problem)]))
        for issue in issues:
            output = out_dir / output_name(issue, folder, options)
            try:
                key = manifest.cache_key(manifest.Sources.of(issue), options)
            except OSError as e:
                record(Outcome(issue, output, "failed", messages=[f"{issue}: 无法读取 (cannot read): {e}"]))
                continue
            entry = cache.get(output.name)
            current = entry and entry["key"] == key and entry["stat"] == _stat(output)
            if current and not force and issue.resolve() not in refused:
                record(Outcome(issue, output, "cached", entry["pages"], key=key))
                continue
            if pool is None:
                pool = ProcessPoolExecutor(max_workers=max(1, jobs or os.cpu_count() or 1),
                                           initializer=_start_worker, initargs=(os.getpid(),))
            pending[pool.submit(_build_one, issue, output, options, key)] = issue, output
        while pending:
            finished, _ = wait(pending, return_when=FIRST_COMPLETED)
            for future in finished:
                issue, output = pending.pop(future)
                try:
                    outcome = future.result()
                except BrokenProcessPool:  # a worker killed (out of memory, a signal) or crashed
                    outcome = Outcome(issue, output, "failed", messages=[f"{issue}: {WORKER_DIED}"])
                if outcome.status == "built":
                    cache[outcome.output.name] = {"key": outcome.key, "pages": outcome.pages,
                                                  "stat": _stat(outcome.output)}
                else:
                    cache.pop(outcome.output.name, None)
                record(outcome)
    except BaseException:  # Ctrl-C, SIGTERM, or a fault of the build itself: no worker outlives it
        if pool is not None:
            for process in list(pool._processes.values()):  # noqa: SLF001 (3.14 has terminate_workers)
                process.kill()
        raise
    finally:
        if pool is not None:
            pool.shutdown(cancel_futures=True)
            save_cache(out_dir, cache)
            # each worker's copy of the fonts (typeset.font_config), now that the workers are gone
            remove_orphans(Path(tempfile.gettempdir()), FONT_FOLDERS)
    order = {path: i for i, path in enumerate(sorted([*issues, *(Path(p.file) for p in unreadable)]))}
    outcomes.sort(key=lambda o: order[o.issue])
    return Summary(outcomes, time.perf_counter() - start)


# --- progress ------------------------------------------------------------------------------------

def plain_report(stream=sys.stdout) -> Callable[[Outcome, int, int], None]:
    """One line per issue, for logs and pipes."""
    def report(outcome: Outcome, done: int, total: int) -> None:
        width = len(str(total))
        if outcome.status == "failed":
            what = "失败 (failed)"
        elif outcome.status == "cached":
            what = f"{outcome.pages} 页 (pages), 未变 (current)"
        else:
            what = f"{outcome.pages} 页 (pages), {outcome.seconds:.1f} s"
        print(f"[{done:>{width}}/{total}] {outcome.issue} → {outcome.output}: {what}", file=stream, flush=True)
    return report


class RichProgress:
    """A progress bar on a terminal: how many issues are done, the last one, its pages and time."""

    def __init__(self) -> None:
        from rich.console import Console
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

        self.progress = Progress(TextColumn("[bold]build"), BarColumn(), MofNCompleteColumn(),
                                 TimeElapsedColumn(), TextColumn("{task.description}"),
                                 console=Console(stderr=True), transient=False)
        self.task = None

    def __enter__(self) -> RichProgress:
        self.progress.__enter__()
        return self

    def __exit__(self, *exc: object) -> None:
        self.progress.__exit__(*exc)

    def __call__(self, outcome: Outcome, done: int, total: int) -> None:
        if self.task is None:
            self.task = self.progress.add_task("", total=total)
        if outcome.status == "failed":
            self.progress.console.print(f"[red]失败 (failed)[/red] {outcome.issue}")
            what = "failed"
        elif outcome.status == "cached":
            what = "current"
        else:
            what = f"{outcome.pages} pages, {outcome.seconds:.1f} s"
        self.progress.update(self.task, completed=done, description=f"{outcome.issue}: {what}")


def progress_report(tty: bool | None = None) -> Iterator:
    """A context manager yielding the report callback: a bar on a terminal, plain lines otherwise."""
    from contextlib import contextmanager, nullcontext

    if tty is None:
        tty = sys.stderr.isatty()
    if not tty:
        return nullcontext(plain_report())

    @contextmanager
    def bar():
        with RichProgress() as progress:
            yield progress
    return bar()
