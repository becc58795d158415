"""The `iupjong` command line: the only module that knows about click, output formats and exit codes."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import click

from . import __version__
from .errors import IupjongError

EXIT_OK, EXIT_FINDINGS, EXIT_USAGE = 0, 1, 2


class _Fail(click.ClickException):
    exit_code = EXIT_USAGE


def _guard(fn: Any, *args: Any, **kwargs: Any) -> Any:
    try:
        return fn(*args, **kwargs)
    except IupjongError as exc:
        raise _Fail(str(exc)) from exc


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="iupjong")
def cli() -> None:
    """iupjong-xl: 이업종 교류 실적보고서 검증·취합 도구 (validate and consolidate club reports)."""


@cli.command()
@click.option("--kind", type=click.Choice(["club", "federation"]), required=True, help="club = 단위교류회, federation = 지역연합회")
@click.option("--year", type=int, default=2009, show_default=True, help="report year (rule book)")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), required=True, help="the .xlsx to write")
def template(kind: str, year: int, output: Path) -> None:
    """Write a blank standard report workbook (서식) for KIND and YEAR."""
    from .templates import write_template

    _guard(write_template, output, kind, year)
    click.echo(f"{output}")


@cli.command()
@click.argument("paths", nargs=-1, required=True)
@click.option("--format", "fmt", type=click.Choice(["table", "json", "xlsx"]), default="table", show_default=True)
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), help="file for --format xlsx/json")
@click.option("--annotate", type=click.Path(file_okay=False, path_type=Path), help="write marked-up copies here")
@click.option("--lang", type=click.Choice(["ko", "en"]), default="ko", show_default=True)
@click.option("--year", type=int, help="expect this report year (default: the template's own)")
@click.option("--max-rows", type=click.IntRange(min=1), help="data rows allowed per sheet")
@click.option("-q", "--quiet", is_flag=True, help="no progress bar")
def validate(paths: tuple[str, ...], fmt: str, output: Path | None, annotate: Path | None, lang: str,
             year: int | None, max_rows: int | None, quiet: bool) -> None:
    """Validate report workbooks (files or folders, recursive). Exit 0 = no errors, 1 = errors, 2 = usage."""
    from .validate import validate as run

    if fmt == "xlsx" and output is None:
        raise click.UsageError("--format xlsx needs -o FILE")
    with _progress(quiet) as tick:
        report = _guard(run, paths, year=year, max_rows=max_rows, progress=tick)
    if annotate is not None:
        from .annotate import annotate_files

        _guard(annotate_files, report, annotate, lang=lang)
    data = report.to_dict(lang)
    if fmt == "json":
        text = json.dumps(data, ensure_ascii=False, indent=2)
        if output:
            from .atomic import atomic_path

            with atomic_path(output) as tmp:
                tmp.write_text(text + "\n", encoding="utf-8")
        else:
            click.echo(text)
    elif fmt == "xlsx":
        from .report_xlsx import write_findings

        _guard(write_findings, report, output, lang=lang)
        _print_summary(data, lang)
    else:
        _print_table(report, lang)
    sys.exit(EXIT_OK if report.valid else EXIT_FINDINGS)


@cli.command()
@click.option("--year", type=int, default=2009, show_default=True)
@click.option("--lang", type=click.Choice(["ko", "en"]), default="ko", show_default=True)
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True)
def codes(year: int, lang: str, fmt: str) -> None:
    """List every rule code of a year's rule book with its severity and message."""
    from . import rulebook

    book = _guard(rulebook.load, year)
    rows = [{"code": c, "severity": s, "message": m[lang]} for c, (s, m) in book.all_codes().items()]
    if fmt == "json":
        click.echo(json.dumps(rows, ensure_ascii=False, indent=2))
        return
    from rich.console import Console
    from rich.table import Table

    table = Table("code", "severity", "message", title=f"rule book {year} ({book.version}): {len(rows)} codes")
    for r in rows:
        table.add_row(r["code"], r["severity"], r["message"])
    Console(width=200).print(table)


@cli.command()
@click.option("-o", "--output", type=click.Path(file_okay=False, path_type=Path), default=Path("sample_workbooks"),
              show_default=True)
@click.option("--seed", type=int, default=2009, show_default=True)
def sample(output: Path, seed: int) -> None:
    """(Re)generate the deterministic sample corpus (sample_workbooks/)."""
    from .samples import write_corpus

    written = _guard(write_corpus, output, seed=seed)
    click.echo(f"{len(written)} files -> {output}")


@cli.command("templates")
@click.option("-o", "--output", type=click.Path(file_okay=False, path_type=Path), default=Path("templates"),
              show_default=True)
def templates_cmd(output: Path) -> None:
    """(Re)generate every standard template of every rule-book year into a folder (templates/)."""
    from .templates import generate_all

    for p in _guard(generate_all, output):
        click.echo(str(p))


class _progress:
    """A rich progress bar on stderr when it is a terminal and not --quiet; yields a tick(label) callback."""

    def __init__(self, quiet: bool) -> None:
        self.enabled = not quiet and sys.stderr.isatty()
        self.bar: Any = None

    def __enter__(self) -> Any:
        if not self.enabled:
            return None
        from rich.console import Console
        from rich.progress import BarColumn, Progress, TextColumn

        self.bar = Progress(TextColumn("{task.description}"), BarColumn(), TextColumn("{task.completed} files"),
                            console=Console(stderr=True), transient=True)
        self.bar.start()
        task = self.bar.add_task("검증 중", total=None)

        def tick(label: str) -> None:
            self.bar.update(task, advance=1, description=f"검증 중 {Path(label).name}")

        return tick

    def __exit__(self, *exc: Any) -> None:
        if self.bar is not None:
            self.bar.stop()


def _print_summary(data: dict[str, Any], lang: str) -> None:
    s = data["stats"]
    if lang == "en":
        click.echo(f"{s['files']} files ({s['files_valid']} valid), {s['rows']} rows, "
                   f"{s['errors']} errors, {s['warnings']} warnings")
    else:
        click.echo(f"파일 {s['files']}개 (통과 {s['files_valid']}개), 행 {s['rows']}개, "
                   f"오류 {s['errors']}건, 경고 {s['warnings']}건")


def _print_table(report: Any, lang: str) -> None:
    from rich.console import Console
    from rich.table import Table

    console = Console(width=max(120, Console().width))
    ko = lang == "ko"
    for file, items in report.by_file().items():
        if not items:
            console.print(f"[green]✓[/green] {file}" + (" — 문제 없음" if ko else " — no problems"))
            continue
        table = Table(title=file, title_justify="left", show_lines=False)
        for h in (("시트", "셀", "코드", "구분", "내용") if ko else ("sheet", "cell", "code", "severity", "message")):
            table.add_column(h, overflow="fold")
        for f in items:
            sev = f.severity if not ko else ("오류" if f.severity == "error" else "경고")
            style = "red" if f.severity == "error" else "yellow"
            table.add_row(f.sheet or "", f.cell or "", f.code, f"[{style}]{sev}[/{style}]", f.message(lang))
        console.print(table)
    _print_summary(report.to_dict(lang), lang)


def main() -> None:
    cli(prog_name="iupjong")
