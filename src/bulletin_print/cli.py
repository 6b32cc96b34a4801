"""The command line: parses arguments, runs the stages, turns problems into messages and exit codes.

An editor sees one line per problem (file:line:column: field: what is wrong), never a traceback.
"""

from __future__ import annotations

import os
import signal
import sys
from pathlib import Path
from typing import NoReturn

import click

from bulletin_print.files import Unreadable, Unwritable, regular_file, write_atomic
from bulletin_print.model import IssueError, Problem


def readable(path: Path) -> None:
    """Exit 1, saying why in the project's words, unless `path` is a regular file the tool can
    read: a missing file, a folder, a FIFO or a symlink loop is a problem of the input, not a
    usage mistake (which click reports, with exit 2)."""
    try:
        regular_file(path)
    except Unreadable as e:
        click.echo(str(Problem(str(path), 0, 0, "", e.message)), err=True)
        sys.exit(1)

INTERRUPTED = 130  # Ctrl-C or SIGTERM, as shells report a process ended by SIGINT


def default_output(issue_path: Path) -> Path:
    """build/2024-12.pdf for issues/2024/12.yaml."""
    return Path("build") / f"{issue_path.parent.name}-{issue_path.stem}.pdf"


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="bulletin-print")
def main() -> None:
    """Typeset a bulletin issue (简报) from its YAML file into a print-ready PDF."""


@main.command()
@click.argument("issue", type=click.Path(path_type=Path))
@click.option("-o", "--output", type=click.Path(path_type=Path),
              help="Where to write the PDF (default: build/YEAR-N.pdf); for a folder of issues, the output folder (default: build/).")
@click.option("--for", "variant", type=click.Choice(["screen", "print", "archive"]), default="screen", show_default=True,
              help="screen: the editor's proof; print: PDF/X-4 in CMYK for the print shop; archive: PDF/A-3b carrying its sources.")
@click.option("--bleed", metavar="LENGTH", help="print: bleed beyond the trimmed A4 page, e.g. 3mm.")
@click.option("--marks", is_flag=True, help="print: crop and registration marks, in a slug beyond the bleed.")
@click.option("--even", is_flag=True, help="Pad to an even page count so that the 版记 falls on an even page (duplex).")
@click.option("-j", "--jobs", type=click.IntRange(min=1), help="For a folder: worker processes (default: one per CPU).")
@click.option("--force", is_flag=True, help="For a folder: rebuild every issue, current or not.")
@click.option("--draft", is_flag=True,
              help="Write the PDF even when its pages have faults (listed), marked 草稿 on every page: YEAR-N.draft.pdf.")
@click.option("--report", is_flag=True,
              help="print: also write the job report for the printer beside the PDF (.json and .txt): pages, "
                   "sizes, inks, output intent, fonts, images, maximum ink coverage.")
@click.option("--plates", is_flag=True, help="print: list the inks (plates) each page uses, read from the PDF.")
@click.option("--copies", metavar="FIRST-LAST",
              help="print: one PDF holding each copy in turn, numbered (份号 000001…) on page 1, e.g. 1-120.")
@click.option("--preprinted", is_flag=True,
              help="For paper with the red masthead printed on it (套红): leave out the 刊名 and the red rule, keeping their room.")
def build(issue: Path, output: Path | None, variant: str, bleed: str | None, marks: bool, even: bool,
          jobs: int | None, force: bool, draft: bool, report: bool, plates: bool, copies: str | None,
          preprinted: bool) -> None:
    """Build the PDF of ISSUE (e.g. issues/2024/12.yaml), or of every issue in a folder (issues/)."""
    from bulletin_print import check, finish, load, pipeline

    try:
        numbered = finish.parse_copies(copies) if copies is not None else None
        options = finish.Options(variant, bleed, marks, even, draft, numbered, preprinted)
    except ValueError as e:
        raise click.BadParameter(str(e)) from None
    if (bleed or marks) and variant != "print":
        raise click.BadParameter("--bleed and --marks are for --for print")
    if (report or plates) and variant != "print":
        raise click.BadParameter("--report and --plates are for --for print")
    if (report or plates) and load.is_issue_folder(issue):
        raise click.BadParameter("--report and --plates are for one issue file, not a folder")
    if load.is_issue_folder(issue):
        build_folder(issue, output or Path("build"), options, jobs, force)
        return
    output = output or default_output(issue).with_suffix(f"{options.suffix}.pdf")
    result = pipeline.run(issue, options, lint=True)
    for problem in result.problems:
        if problem in result.errors or problem in result.layout:
            click.echo(check.describe(problem), err=True)
    if not result.ok:
        click.echo(f"未生成 PDF (no PDF written): {len(result.errors)} 个问题 (problems)", err=True)
        sys.exit(1)
    if result.errors:
        click.echo(f"草稿 (draft): {len(result.errors)} 个问题，PDF 每页标有「草稿」 (problems; every page marked draft)", err=True)
    others = [p for p in result.problems if p not in result.errors and p not in result.layout]
    if others:
        click.echo(f"{len(others)} 条提醒，详见 bulletin-print check {issue} ({len(others)} warnings)", err=True)
    try:
        write_atomic(result.pdf, output)
    except OSError as e:
        click.echo(str(Unwritable(output, e)), err=True)
        sys.exit(1)
    click.echo(f"{output}")
    if report or plates:
        job_report(result.pdf, output, report, plates)


def job_report(pdf: bytes, output: Path, write: bool, plates: bool) -> None:
    """The printer's job report read back from the PDF just written: beside it (--report) as
    .json and .txt, and the inks of each page on the terminal (--plates)."""
    import json

    from bulletin_print import jobreport

    job = jobreport.report(pdf, output.name)
    if write:
        as_json, as_text = jobreport.report_paths(output)
        for content, target in (((json.dumps(job, ensure_ascii=False, indent=1) + "\n").encode("utf-8"), as_json),
                                (jobreport.text(job).encode("utf-8"), as_text)):
            try:
                write_atomic(content, target)
            except OSError as e:
                click.echo(f"{target}: 无法写入 (cannot write): {e.strerror}", err=True)
                sys.exit(1)
            click.echo(f"{target}")
    if plates:
        for line in jobreport.plates_text(job):
            click.echo(line)


def build_folder(folder: Path, out_dir: Path, options, jobs: int | None, force: bool) -> None:
    """Every issue under FOLDER, in parallel, current ones skipped; failures listed at the end."""
    from bulletin_print import archive

    def interrupt(signum: int, frame: object) -> None:
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, interrupt)  # SIGTERM stops a folder build as Ctrl-C does
    try:
        with archive.progress_report() as report:
            summary = archive.build_all(folder, out_dir, options, jobs, report, force)
    except Unwritable as e:
        click.echo(f"{e}；未生成 PDF (no PDF written)", err=True)
        sys.exit(1)
    except KeyboardInterrupt:
        click.echo("已中断：已生成的 PDF 保留，其余未生成 (interrupted: the PDFs built so far are kept)", err=True)
        sys.exit(INTERRUPTED)
    for outcome in summary.failed:
        click.echo(f"失败 (failed): {outcome.issue}", err=True)
        for message in outcome.messages:
            click.echo(f"  {message}", err=True)
    click.echo(f"{summary.count('built')} 期已生成 (built), {summary.count('cached')} 期未变 (current), "
               f"{len(summary.failed)} 期失败 (failed) in {summary.seconds:.1f} s → {out_dir}", err=True)
    sys.exit(1 if summary.failed else 0)


@main.command()
@click.argument("pdf", type=click.Path(path_type=Path))
@click.option("-o", "--output", type=click.Path(file_okay=False, path_type=Path), required=True,
              help="The folder to write the sources into.")
def extract(pdf: Path, output: Path) -> None:
    """Write the sources embedded in an archive PDF back out (issue, publication.yaml, manifest.json).

    Building the extracted issue with the same tool gives the same PDF, byte for byte.
    """
    from bulletin_print.extract import extract as write_sources

    readable(pdf)
    try:
        written = write_sources(pdf, output)
    except (Unreadable, Unwritable) as e:
        click.echo(str(e), err=True)
        sys.exit(1)
    for path in written:
        click.echo(str(path))


# ---- checks: `check`, `new`, `fonts` ----


@main.command("check")
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@click.option("--fix", is_flag=True, help="Mend punctuation slips in place (a copy of each file kept as FILE.bak).")
@click.option("-q", "--quiet", is_flag=True, help="Say errors only, not warnings.")
@click.option("--preflight", is_flag=True,
              help="Also lay each issue out and check its pages as `build` does (text outside the block, "
                   "overprinting, the grid, titles at a page's foot, the 版记), writing no PDF.")
def check_command(paths: tuple[Path, ...], fix: bool, quiet: bool, preflight: bool) -> None:
    """Check issue files and the archive's numbering (default: the issues/ folder of the
    publication the current folder is in).

    Prints every problem as FILE:LINE:COLUMN: FIELD: MESSAGE; exits 0 only when there is no error
    (warnings, marked 提醒, do not count).
    """
    from bulletin_print import check, finish, lint, pipeline

    from bulletin_print.publication import archive_or_default

    targets = list(paths) or [archive_or_default(None)]
    if fix:
        files, _ = check.issue_files(targets)
        for f in files:
            try:
                lint.fix_file(f)
            except IssueError:
                pass  # the file has errors: they are reported below, and it is left as it was
    problems = check.check_paths(targets)
    if preflight:
        files, _ = check.issue_files(targets)
        laid_out = [p for f in files for p in pipeline.run(f, finish.Options()).layout]
        problems = sorted(dict.fromkeys(problems + laid_out), key=lambda p: (p.file, p.line, p.column))
    errors = check.errors(problems)
    for problem in problems:
        if not (quiet and problem not in errors):
            click.echo(check.describe(problem))
    summary = f"{len(errors)} 个错误 (errors)，{len(problems) - len(errors)} 条提醒 (warnings)"
    click.echo(summary, err=True)
    sys.exit(1 if errors else 0)


@main.command("init")
@click.argument("folder", type=click.Path(path_type=Path))
@click.option("--title", required=True, help="刊名, e.g. 西湖区政协信息 (2–12 characters).")
@click.option("--compiler", required=True, help="编印单位, e.g. 政协杭州市西湖区委员会办公室编 (at most 20 characters).")
@click.option("--first-number", type=click.IntRange(1, 999), default=1, show_default=True,
              help="期 of the first issue the tool makes, when the archive began before it.")
@click.option("--first-total", type=click.IntRange(1, 99999), help="总第 of that issue (default: the first number).")
def init_command(folder: Path, title: str, compiler: str, first_number: int, first_total: int | None) -> None:
    """Make a new publication's folder: publication.yaml, issues/, a README for its editors,
    .gitignore and the issue schema. Then, in FOLDER: bulletin-print new."""
    from bulletin_print import load, publication

    given = {"title": title, "compiler": compiler, "first_number": first_number, "first_total": first_total or first_number}
    doc = load.Document("init", given, {(key,): (0, 0) for key in given})
    refused = [f"--{p.field.replace('_', '-')}: {p.message}" for p in load.validate(doc)]
    refused += [f"--{key}: {load.CONTROL.format(ord(bad.group()))}" for key, value in (("title", title), ("compiler", compiler))
                if (bad := load.NOT_IN_YAML.search(value) or load.SURROGATE.search(value))]
    if given["first_total"] < first_number:
        refused.append(f"--first-total: 总第不能小于期号 {first_number} (总第 counts across years: not below the 期)")
    if refused:
        for line in refused:
            click.echo(line, err=True)
        sys.exit(2)
    if folder.exists() and (not folder.is_dir() or any(folder.iterdir())):
        click.echo(str(Problem(str(folder), 0, 0, "", "已存在且不是空文件夹，未改动 (exists and is not an empty folder: left as it was)")), err=True)
        sys.exit(1)
    files = publication.init_files(publication.Start(title, compiler, first_number, first_total))
    try:
        for name, text in files.items():
            (folder / name).parent.mkdir(parents=True, exist_ok=True)
            with open(folder / name, "x", encoding="utf-8") as f:
                f.write(text)
    except OSError as e:
        click.echo(str(Unwritable(folder, e)), err=True)
        sys.exit(1)
    for name in files:
        click.echo(str(folder / name))
    click.echo(f"《{title}》: cd {folder}，填好 publication.yaml 中括号里的内容，然后 bulletin-print new "
               f"(fill in the bracketed values of publication.yaml, then run bulletin-print new)", err=True)


@main.command("new")
@click.option("--date", "date_", help="The new issue's date, YYYY-MM-DD (default: today).")
@click.option("--edition", default="普刊", show_default=True, help="普刊, 增刊 or 专刊.")
@click.option("--archive", type=click.Path(path_type=Path),
              help="The archive folder (default: the issues/ of the publication the current folder is in).")
def new_command(date_: str | None, edition: str, archive: Path | None) -> None:
    """Create the next issue's file with the right 期 and 总第, ready to fill in."""
    import datetime as dt

    from bulletin_print import newissue, publication

    try:
        date = dt.date.fromisoformat(date_) if date_ else dt.date.today()
    except ValueError:
        click.echo(f"--date: 「{date_}」不是有效日期，应写作 2024-08-16 (not a date: write YYYY-MM-DD)", err=True)
        sys.exit(2)
    archive = publication.archive_or_default(archive)
    try:
        target, label = newissue.create(archive, edition, date)
    except newissue.Refused as e:
        for line in e.lines:
            click.echo(line, err=True)
        sys.exit(e.code)
    click.echo(f"{target}: {label}")


@main.command("fonts")
def fonts_command() -> None:
    """List the shipped fonts: role, version, licence and coverage of GB 2312 and 通用规范汉字表."""
    from bulletin_print import glyphs

    for row in glyphs.font_report():
        click.echo(row)


# ---- bringing issues in and seeing them (issue 6): `import text|docx`, `preview`, `watch` ----


def say_reviews(target: Path, reviews: list) -> None:
    """Each place the importer was unsure of, where the editor finds its `# review:` comment."""
    for r in reviews:
        click.echo(f"{target}:{r.line}: 待核对 (review): {r}", err=True)
    if reviews:
        click.echo(f"{len(reviews)} 处待核对，见文件中的 # review: 注释 ({len(reviews)} places to review)", err=True)


@main.group("import")
def import_group() -> None:
    """Bring an issue in from plain text, or an article from a Word file."""


@import_group.command("text")
@click.argument("source", type=click.Path(path_type=Path))
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path),
              help="The issue file to write (default: issues/YYYY/N.yaml of the current folder's publication, "
                   "from the masthead's date and 期).")
@click.option("--force", is_flag=True, help="Overwrite the issue file if it exists.")
def import_text_command(source: Path, output: Path | None, force: bool) -> None:
    """Read the plain text of a printed issue (masthead, 目录, articles, 信息摘登, 版记) into an issue file."""
    from bulletin_print import check, ledger
    from bulletin_print.importers import text
    from bulletin_print.importers.writer import dump_issue
    from bulletin_print.publication import archive_or_default

    readable(source)
    try:
        imported = text.read(source)
    except IssueError as e:
        say_problems(e.problems)
    if output is None:
        d = imported.data
        output = archive_or_default(None) / str(d["date"])[:4] / f"{ledger.prefix_of(d['edition'])}{d['number']}.yaml"
    if output.exists() and not force:
        click.echo(f"{output}: 文件已存在，未改动；用 --force 覆盖 (file exists, left as it was)", err=True)
        sys.exit(1)
    written = dump_issue(imported.data, output, imported.reviews)
    write_or_say(written.text, output)
    say_reviews(output, written.reviews)
    errors = check.errors(check.check_file(output, lint=False).problems)
    for problem in errors:
        click.echo(check.describe(problem), err=True)
    click.echo(str(output))
    sys.exit(1 if errors else 0)


@import_group.command("docx")
@click.argument("source", type=click.Path(path_type=Path))
@click.option("--into", "into", type=click.Path(path_type=Path), required=True,
              help="The issue file to add the article to.")
@click.option("--column", help="The 栏目 to add it to (default: the Word file's 栏目： line, else the issue's last column); "
                               "a new one is added after the others.")
def import_docx_command(source: Path, into: Path, column: str | None) -> None:
    """Add the article of a contributed Word file (title, paragraphs, bold lead sentences, attribution) to an issue."""
    from bulletin_print import check, load
    from bulletin_print.files import read_text
    from bulletin_print.importers import docx

    readable(source)
    readable(into)
    try:
        load.read(into)  # the issue file read as `check` reads it: unreadable, malformed or too deep YAML is refused here
        issue_text = read_text(into, load.MAX_FILE_BYTES)
    except IssueError as e:
        say_problems(e.problems)
    except Unreadable as e:  # it changed since
        say_problems([e])
    try:
        contribution = docx.read_docx(source)
    except docx.ImportProblem as e:  # said with the Word file's name
        say_problems([e])
    for name, line in copy_pictures(contribution.images, into):
        click.echo(f"{into.parent / name}: 图片 (picture){'，' + line if line else ''}", err=True)
    try:
        inserted = docx.insert_article(issue_text, contribution, column)
    except docx.ImportProblem as e:
        say_problems([f"{into}: {e}"])
    title = "".join(contribution.article["title"])
    if title in already_there(into):
        click.echo(f"{into}: 提醒 (warning): 「{title[:30]}」这篇文章已在本期中，又加了一次，请删去其一 "
                   f"(the article is already in the issue: it is there twice now)", err=True)
    write_or_say(inserted.text, into)
    for line in contribution.dropped:
        click.echo(f"{source}: 未导入 (not brought in): {line}", err=True)
    say_reviews(into, inserted.reviews)
    errors = check.errors(check.check_file(into, lint=False).problems)
    for problem in errors:
        click.echo(check.describe(problem), err=True)
    where = "新栏目 (new column)" if inserted.new_column else "栏目 (column)"
    click.echo(f"{into}: {where}「{inserted.column}」+「{''.join(contribution.article['title'])}」")
    sys.exit(1 if errors else 0)


def already_there(issue: Path) -> set[str]:
    """The titles of the articles an issue file holds, each as one string (none when it cannot be read)."""
    from bulletin_print import load

    try:
        data = load.read(issue).data
    except IssueError:
        return set()
    titles = set()
    for _, article in load.raw_articles(data):
        title = article.get("title")
        titles.add(title if isinstance(title, str) else "".join(t for t in title or [] if isinstance(t, str)))
    return titles


def copy_pictures(images: list, into: Path) -> list[tuple[str, str]]:
    """The pictures of a Word file written next to the issue file, as ISSUE-1.jpg, ISSUE-2.png …
    (never over a file that is there); each paragraph item is given its file's name."""
    out = []
    n = 0
    for item, blob, suffix in images:
        while True:
            n += 1
            name = f"{into.stem}-{n}{suffix}"
            if not (into.parent / name).exists():
                break
        try:
            write_atomic(blob, into.parent / name)
        except OSError as e:
            click.echo(str(Unwritable(into.parent / name, e)), err=True)
            sys.exit(1)
        item["image"] = name
        out.append((name, f"说明：{item['caption']}" if item.get("caption") else "没有图片说明 (no caption)"))
    return out


def say_problems(problems: list) -> NoReturn:
    """Each problem of an input on its line, then exit 1: nothing was written."""
    for problem in problems:
        click.echo(str(problem), err=True)
    sys.exit(1)


def write_or_say(text: str, target: Path) -> None:
    """Write an imported issue file whole, or say why it cannot be written and exit 1."""
    try:
        write_atomic(text.encode("utf-8"), target)
    except OSError as e:
        click.echo(str(Unwritable(target, e)), err=True)
        sys.exit(1)


@main.command("preview")
@click.argument("issue", type=click.Path(path_type=Path))
@click.option("-o", "--output", type=click.Path(file_okay=False, path_type=Path),
              help="The folder for the PNGs and index.html (default: build/preview/YEAR-N/).")
@click.option("--dpi", type=click.IntRange(24, 600), default=96, show_default=True, help="Resolution of the PNGs.")
@click.option("--open", "open_", is_flag=True, help="Open index.html in the browser.")
def preview_command(issue: Path, output: Path | None, dpi: int, open_: bool) -> None:
    """Build ISSUE and write its pages as PNGs (page-01.png…) with an index.html showing them."""
    from bulletin_print import preview

    readable(issue)
    folder = output or Path("build") / "preview" / default_output(issue).stem
    outcome = preview.build_once(issue, folder / default_output(issue).name, folder, dpi)
    for message in outcome.messages:
        click.echo(message, err=True)
    if not outcome.ok:
        click.echo(f"未生成 PDF (no PDF written): {len(outcome.messages)} 个问题 (problems)", err=True)
        sys.exit(1)
    index = folder / preview.INDEX
    if open_:
        import webbrowser

        webbrowser.open(index.resolve().as_uri())
    click.echo(f"{index} ({len(outcome.pngs)} 页 pages, {outcome.seconds:.2f} s)")


@main.command("watch")
@click.argument("issue", type=click.Path(path_type=Path))
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path),
              help="Where to write the PDF (default: build/YEAR-N.pdf).")
@click.option("--png", type=click.Path(file_okay=False, path_type=Path),
              help="Also write the pages as PNGs (and index.html) into this folder on every rebuild.")
@click.option("--interval", type=click.FloatRange(0.05, 10), default=0.3, show_default=True,
              help="Seconds between looks at the files.")
def watch_command(issue: Path, output: Path | None, png: Path | None, interval: float) -> None:
    """Build ISSUE, then rebuild on every save of it, its publication.yaml or layout/, saying how long each took."""
    from bulletin_print import preview

    readable(issue)
    try:
        preview.watch(issue, output or default_output(issue), png, interval=interval,
                      echo=lambda line: click.echo(line))
    except KeyboardInterrupt:
        click.echo("", err=True)


@main.command("serve")
@click.argument("publication", type=click.Path(file_okay=False, path_type=Path), default=Path("."), required=False)
@click.option("--port", type=click.IntRange(0, 65535), default=0, show_default=True,
              help="The port on 127.0.0.1 (0: a free one).")
def serve_command(publication: Path, port: int) -> None:
    """Edit the issues of PUBLICATION (its folder, or its issues/ folder; default: here) in the
    browser, with the pages beside the form: prints the address to open (127.0.0.1 only)."""
    from bulletin_print import serve

    if not publication.is_dir():
        click.echo(f"{publication}: 文件夹不存在 (folder not found)", err=True)
        sys.exit(1)
    try:
        serve.run(publication, port, echo=lambda line: click.echo(line))
    except OSError as e:
        click.echo(f"127.0.0.1:{port}: 无法监听 (cannot listen): {e.strerror or e}", err=True)
        sys.exit(1)
    except KeyboardInterrupt:
        click.echo("", err=True)
