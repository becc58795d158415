"""The `iupjong` command line: the only module that knows about click, output formats and exit codes."""

from __future__ import annotations

import gettext
import json
import os
import sys
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import click

from iupjong_xl import __version__
from iupjong_xl.errors import IupjongError
from iupjong_xl.messages import CATALOGUE, LANGS, lang_of, text

EXIT_OK, EXIT_FINDINGS, EXIT_USAGE, EXIT_INTERNAL = 0, 1, 2, 3


class _Fail(click.ClickException):
    exit_code = EXIT_USAGE


# ------------------------------------------------------------------------------------------------------ language
# The language is known before click parses anything (a usage error can happen before a subcommand's --lang is
# read): `--lang X` / `--lang=X` anywhere in the arguments (the last one wins), else IUPJONG_LANG, else Korean.
# It then chooses (1) click's own messages, through gettext: click marks them with gettext.gettext, so a compiled
# catalogue of click's strings (locale/ko/LC_MESSAGES/iupjong-click.mo, package data) is bound as gettext's domain
# for the run; (2) the help of every command and option, taken from the message catalogue (messages.py) before
# parsing. The group's --lang (envvar IUPJONG_LANG) is every subcommand's default language.
LOCALE_DIR = Path(__file__).resolve().parent / "locale"
CLICK_DOMAIN = "iupjong-click"
LANG_ENV = "IUPJONG_LANG"


def early_lang(args: Sequence[str], environ: Mapping[str, str] | None = None) -> str:
    """The language of a run, read from its arguments and environment before click parses them."""
    found: str | None = None
    for i, arg in enumerate(args):
        if arg == "--":
            break
        if arg == "--lang" and i + 1 < len(args):
            found = args[i + 1]
        elif arg.startswith("--lang="):
            found = arg.partition("=")[2]
    env = os.environ if environ is None else environ
    return lang_of(found if found is not None else env.get(LANG_ENV))


@contextmanager
def click_language(lang: str) -> Iterator[None]:
    """click's own messages in `lang` for the duration: Korean binds our catalogue of click's strings as gettext's
    domain and asks gettext for Korean (LANGUAGE, the variable gettext reads first); English leaves gettext as it
    was (click's messages are English). Both are restored afterwards."""
    if lang != "ko":
        yield
        return
    domain, language = gettext.textdomain(), os.environ.get("LANGUAGE")
    gettext.bindtextdomain(CLICK_DOMAIN, str(LOCALE_DIR))
    gettext.textdomain(CLICK_DOMAIN)
    os.environ["LANGUAGE"] = "ko"
    try:
        yield
    finally:
        gettext.textdomain(domain)
        if language is None:
            os.environ.pop("LANGUAGE", None)
        else:
            os.environ["LANGUAGE"] = language


def help_key(path: Sequence[str], param: str | None = None) -> str:
    """The catalogue id of a command's help (path: the command names from the group down) or of one of its options:
    `cli.<command>.<parameter>`, else the shared `cli.opt.<parameter>`."""
    key = ".".join(("cli", *path))
    if param is None:
        return key
    own = f"{key}.{param}"
    return own if own in CATALOGUE or f"cli.opt.{param}" not in CATALOGUE else f"cli.opt.{param}"


def localize(command: click.Command, lang: str, path: tuple[str, ...] = ()) -> None:
    """Set the help of `command`, its options and its subcommands from the catalogue, in `lang` (a test checks that
    the catalogue has every command's and option's help)."""
    if help_key(path) in CATALOGUE:
        command.help = text(help_key(path), lang)
    for param in command.params:
        if isinstance(param, click.Option) and param.name and help_key(path, param.name) in CATALOGUE:
            param.help = text(help_key(path, param.name), lang)
        if isinstance(param.type, click.Path):  # its name ("file") is asked of gettext once, when it is made
            kind = param.type
            kind.name = gettext.gettext("file" if kind.file_okay and not kind.dir_okay else
                                        "directory" if kind.dir_okay and not kind.file_okay else "path")
    if isinstance(command, click.Group):
        for name, sub in command.commands.items():
            localize(sub, lang, (*path, name))


def _help_option(option: click.Option | None) -> click.Option | None:
    """--help's own text, asked of gettext at each run (click makes the option once and keeps it)."""
    if option is not None:
        option.help = gettext.gettext("Show this message and exit.")
    return option


def _lang_default() -> str:
    ctx = click.get_current_context(silent=True)
    return lang_of(ctx.find_root().params.get("lang") if ctx is not None else None)


# every command's --lang: its default is the group's (iupjong --lang en ..., or IUPJONG_LANG), else Korean
_lang_option = click.option("--lang", type=click.Choice(LANGS), default=_lang_default)


class _Command(click.Command):
    def get_help_option(self, ctx: click.Context) -> click.Option | None:
        return _help_option(super().get_help_option(ctx))


class _Cli(click.Group):
    """The command group: the language is chosen before parsing (see early_lang), and an unexpected exception is an
    internal failure (exit 3), never a traceback with exit 1."""

    command_class = _Command
    group_class = type  # subgroups (addin, portal) are _Cli too

    def main(self, args: Sequence[str] | None = None, *rest: Any, **kwargs: Any) -> Any:
        lang = early_lang(sys.argv[1:] if args is None else args)
        with click_language(lang):
            localize(self, lang)
            return super().main(args, *rest, **kwargs)

    def get_help_option(self, ctx: click.Context) -> click.Option | None:
        return _help_option(super().get_help_option(ctx))

    def invoke(self, ctx: click.Context) -> Any:
        from rich.console import Console

        Console.on_broken_pipe = _broken_pipe  # type: ignore[method-assign, assignment]
        try:
            try:
                return super().invoke(ctx)
            finally:
                sys.stdout.flush()  # a broken pipe shows here, while the command's status is known
        except (click.exceptions.Exit, click.ClickException, click.Abort):
            raise
        except BrokenPipeError:  # the reader went away (`iupjong validate … | head`): end quietly, usual status
            null = os.open(os.devnull, os.O_WRONLY)
            os.dup2(null, sys.stdout.fileno())  # what is still buffered goes nowhere, not into a second error
            os.close(null)
            sys.exit(ctx.meta.get(STATUS_KEY, EXIT_OK))
        except Exception as exc:
            _internal_failure(exc)


STATUS_KEY = "iupjong.status"


def _status(code: int) -> int:
    """Note the exit status a command will end with before it prints (a broken pipe while printing ends with it)."""
    click.get_current_context().meta[STATUS_KEY] = code
    return code


def _internal_failure(exc: BaseException, data: dict[str, Any] | None = None) -> None:
    """Report a failure of the program itself on stderr (and the JSON of what was done, if any) and exit 3."""
    import traceback

    if data is not None:
        click.echo(json.dumps(data, ensure_ascii=False, indent=2, default=str))
    where = traceback.extract_tb(exc.__traceback__)[-1:] if exc.__traceback__ else []
    at = f" ({where[0].filename}:{where[0].lineno})" if where else ""
    click.echo(f"iupjong: 프로그램 내부 오류입니다 / internal error: {type(exc).__name__}: {exc}{at}", err=True)
    sys.exit(EXIT_INTERNAL)


def _guard(fn: Any, *args: Any, **kwargs: Any) -> Any:
    """Run a library call; its typed errors become a usage failure (exit 2) in the command's language."""
    try:
        return fn(*args, **kwargs)
    except IupjongError as exc:
        ctx = click.get_current_context(silent=True)
        lang = (ctx.params.get("lang") if ctx else None) or "ko"
        # Korean first; the English text follows on its own line for a support call (only English with --lang en)
        text = exc.en if lang == "en" else (exc.ko if exc.en == exc.ko else f"{exc.ko}\n({exc.en})")
        raise _Fail(text) from exc


@click.group(cls=_Cli, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="iupjong")
@click.option("--rulebook", "rulebook_dir", type=click.Path(path_type=Path), metavar="DIR")
@click.option("--lang", type=click.Choice(LANGS), default="ko", show_default=True, envvar=LANG_ENV)
def cli(rulebook_dir: Path | None, lang: str) -> None:
    from iupjong_xl import service

    if rulebook_dir is not None:
        _guard(service.use_rulebook_root, rulebook_dir)


@cli.command()
@click.option("--kind", type=click.Choice(["club", "federation"]), required=True)
@click.option("--year", type=int, default=2009, show_default=True)
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), required=True)
@_lang_option
def template(kind: str, year: int, output: Path, lang: str) -> None:
    from iupjong_xl import service

    _check_suffix(output, ".xlsx", "template")
    _guard(service.template, output, kind, year)
    click.echo(f"{output}")


@cli.command()
@click.argument("paths", nargs=-1, required=True)
@click.option("--format", "fmt", type=click.Choice(["table", "json", "xlsx"]), default="table", show_default=True)
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--annotate", type=click.Path(file_okay=False, path_type=Path))
@_lang_option
@click.option("--year", type=int)
@click.option("--max-rows", type=click.IntRange(min=1))
@click.option("-q", "--quiet", is_flag=True)
@click.option("--ledger", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def validate(paths: tuple[str, ...], fmt: str, output: Path | None, annotate: Path | None, lang: str,
             year: int | None, max_rows: int | None, quiet: bool, ledger: Path | None) -> None:
    from iupjong_xl import service

    if fmt == "xlsx" and output is None:
        raise click.UsageError(text("cli.needs_output", lang))
    _check_suffix(output, {"xlsx": ".xlsx", "json": ".json"}.get(fmt), "--format " + fmt)
    with _progress(quiet) as tick:  # the findings workbook's links open the marked-up copies
        done = _guard(service.validate_reports, paths, year=year, max_rows=max_rows, progress=tick, ledger=ledger,
                      annotate=annotate, findings_workbook=output if fmt == "xlsx" else None, lang=lang)
    report = done.report
    data = report.to_dict(lang)
    status = _status(EXIT_INTERNAL if service.is_internal(f.code for f in report.findings) else
                     EXIT_OK if report.valid else EXIT_FINDINGS)
    if fmt == "json":
        _emit_json(data, output)
    elif fmt == "xlsx":
        _print_summary(data, lang)
    else:
        _print_table(report, lang)
    sys.exit(status)


@cli.command()
@click.argument("inputs", nargs=-1, required=True)
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), required=True)
@click.option("--level", type=click.Choice(["federation", "national"]), default="national", show_default=True)
@click.option("--year", type=int)
@click.option("--dry-run", is_flag=True)
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True)
@_lang_option
@click.option("-q", "--quiet", is_flag=True)
@click.option("--ledger", type=click.Path(path_type=Path))
@click.option("--no-ledger", is_flag=True)
def consolidate(inputs: tuple[str, ...], output: Path, level: str, year: int | None, dry_run: bool, fmt: str,
                lang: str, quiet: bool, ledger: Path | None, no_ledger: bool) -> None:
    from iupjong_xl import service

    _check_suffix(output, ".xlsx", "consolidate")
    with _progress(quiet) as tick:
        data = _guard(service.consolidate, inputs, output, level=level, year=year, dry_run=dry_run, lang=lang,
                      progress=tick, ledger=ledger, use_ledger=not no_ledger).data
    status = _status(EXIT_INTERNAL if service.is_internal(f["code"] for f in data["findings"]) else
                     EXIT_FINDINGS if data["summary"]["errors"] else EXIT_OK)
    if fmt == "json":
        click.echo(json.dumps(data, ensure_ascii=False, indent=2, default=str))
    else:
        _print_consolidation(data, lang)
    sys.exit(status)


@cli.command()
@click.argument("workbook", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True)
@_lang_option
@click.option("--ledger", type=click.Path(path_type=Path))
def refresh(workbook: Path, fmt: str, lang: str, ledger: Path | None) -> None:
    from iupjong_xl import service

    data = _guard(service.refresh, workbook, lang=lang, ledger=ledger).data
    if fmt == "json":
        click.echo(json.dumps(data, ensure_ascii=False, indent=2, default=str))
    else:
        _print_refresh(data, lang)
    if service.is_internal(f["code"] for f in data["findings"]):
        sys.exit(EXIT_INTERNAL)
    sys.exit(EXIT_FINDINGS if data["summary"]["errors"] else EXIT_OK)


@cli.command()
@click.argument("workbook", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--ledger", type=click.Path(path_type=Path))
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True)
@_lang_option
def verify(workbook: Path, ledger: Path | None, fmt: str, lang: str) -> None:
    from iupjong_xl import service

    diffs = _guard(service.verify, workbook, ledger=ledger)
    ko = lang != "en"
    wrote = getattr(diffs, "written_by", {}) or {}
    mode = getattr(diffs, "mode", "cells")
    if fmt == "json":
        click.echo(json.dumps({"valid": not diffs, "workbook": str(workbook), "mode": mode, "written_by": wrote,
                               "differences": [d.to_dict(lang) for d in diffs]}, ensure_ascii=False, indent=2,
                              default=str))
        sys.exit(EXIT_FINDINGS if diffs else EXIT_OK)
    if mode == "rows":
        click.echo((f"이 통합 문서는 다른 판(프로그램 {wrote.get('program')}, 규칙집 {wrote.get('rulebook')}, 보기 형식 "
                    f"{wrote.get('view_format')})이 썼습니다: 행 단위로 키를 맞춰 비교합니다. 다시 취합하면 셀 단위로 "
                    "증명할 수 있습니다.") if ko else
                   (f"written by another version (program {wrote.get('program')}, rule book {wrote.get('rulebook')}, view "
                    f"format {wrote.get('view_format')}): compared row by row by key; consolidate again to prove it cell "
                    "by cell."))
    if diffs:
        _print_differences(diffs, lang)
    else:
        click.echo(f"{workbook}: " + ("every cell the program wrote, every row and sheet match the ledger"
                                      if not ko else "프로그램이 쓴 모든 셀·행·시트가 원장과 일치합니다"))
    sys.exit(EXIT_FINDINGS if diffs else EXIT_OK)


@cli.command()
@click.argument("workbook", type=click.Path(dir_okay=False, path_type=Path))
@click.argument("club", required=False, metavar="[CLUB_CODE]")
@click.option("--year", type=int)
@click.option("--ledger", type=click.Path(path_type=Path))
@click.option("--diff", is_flag=True)
@click.option("--extract", "extract_sha", metavar="SHA256")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True)
@_lang_option
def history(workbook: Path, club: str | None, year: int | None, ledger: Path | None, diff: bool,
            extract_sha: str | None, output: Path | None, fmt: str, lang: str) -> None:
    from iupjong_xl import service

    if extract_sha is not None:
        if output is None:
            raise click.UsageError(text("cli.extract_needs_output", lang))
        digest, dest, name = _guard(service.extract, workbook, extract_sha, output, ledger=ledger)
        if fmt == "json":
            click.echo(json.dumps({"sha256": digest, "file": name, "output": str(dest)}, ensure_ascii=False, indent=2))
        else:
            click.echo(f"{dest}: {name or ''} (SHA-256 {digest})" if lang == "en" else
                       f"{dest}: 원본 {name or ''} (SHA-256 {digest}) 그대로 꺼냈습니다")
        return
    hist = _guard(service.history, workbook, club=club, year=year, ledger=ledger, diff=diff)
    data = hist.to_dict(lang)
    if fmt == "json":
        click.echo(json.dumps(data, ensure_ascii=False, indent=2, default=str))
    else:
        _print_history(data, lang, diff)


@cli.command()
@click.option("--year", type=int, default=2009, show_default=True)
@_lang_option
@click.option("--format", "fmt", type=click.Choice(["table", "json", "markdown"]), default="table", show_default=True)
def codes(year: int, lang: str, fmt: str) -> None:
    from iupjong_xl import service

    found = _guard(service.codes, year, lang=lang)
    rows = [c.to_dict() for c in found.codes]
    if fmt == "json":
        click.echo(json.dumps(rows, ensure_ascii=False, indent=2))
        return
    if fmt == "markdown":
        click.echo(found.markdown)
        return

    ko = lang != "en"
    table = _rich_table(*(("코드", "구분", "내용") if ko else ("code", "severity", "message")),
                        title=(f"{year}년 규칙집 ({found.version}): 코드 {len(rows)}개" if ko else
                               f"rule book {year} ({found.version}): {len(rows)} codes"))
    for r in rows:
        table.add_row(r["code"], _severity(r["severity"], lang), r["message"])
    _console().print(table)


@cli.command()
@click.option("-o", "--output", type=click.Path(file_okay=False, path_type=Path), default=Path("sample_workbooks"),
              show_default=True)
@click.option("--seed", type=int, default=2009, show_default=True)
@_lang_option
def sample(output: Path, seed: int, lang: str) -> None:
    from iupjong_xl import service

    written = _guard(service.sample, output, seed=seed)
    click.echo(f"{len(written)} files -> {output}")


@cli.command("templates")
@click.option("-o", "--output", type=click.Path(file_okay=False, path_type=Path), default=Path("templates"),
              show_default=True)
@_lang_option
def templates_cmd(output: Path, lang: str) -> None:
    from iupjong_xl import service

    for p in _guard(service.templates, output):
        click.echo(str(p))

@cli.command()
@click.argument("national", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), required=True)
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True)
@_lang_option
def directory(national: Path, output: Path, fmt: str, lang: str) -> None:
    from iupjong_xl import service

    _check_suffix(output, ".xlsx", "directory")
    built = _guard(service.directory, national, output)
    _show(built.to_dict(), output, fmt, _print_directory)


@cli.command()
@click.argument("national", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--lead", required=True)
@click.option("--need", required=True)
@click.option("--top", type=click.IntRange(min=1), default=10, show_default=True)
@click.option("--same-federation", is_flag=True)
@click.option("--with", "with_", metavar="BRN,...")
@click.option("--format", "fmt", type=click.Choice(["table", "json", "xlsx"]), default="table", show_default=True)
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path))
@_lang_option
def partners(national: Path, lead: str, need: str, top: int, same_federation: bool, with_: str | None, fmt: str,
             output: Path | None, lang: str) -> None:
    from iupjong_xl import service

    if fmt == "xlsx" and output is None:
        raise click.UsageError(text("cli.needs_output", lang))
    _check_suffix(output, {"xlsx": ".xlsx", "json": ".json"}.get(fmt), "--format " + fmt)
    chosen = [b.strip() for b in with_.split(",") if b.strip()] if with_ else None
    matches = _guard(service.partners, national, lead, need, top=top, same_federation=same_federation, chosen=chosen,
                     output=output if fmt == "xlsx" else None)
    data = matches.to_dict()
    if fmt == "json":
        _emit_json(data, output)
        return
    _print_matches(data, output if fmt == "xlsx" else None)


@cli.command()
@click.argument("nationals", nargs=-1, type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), required=True)
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True)
@click.option("--ledger", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@_lang_option
def trends(nationals: tuple[Path, ...], output: Path, fmt: str, ledger: Path | None, lang: str) -> None:
    from iupjong_xl import service

    if not nationals and ledger is None:
        raise click.UsageError(text("cli.trends_needs_inputs", lang))
    _check_suffix(output, ".xlsx", "trends")
    built = _guard(service.trends, nationals, output, ledger=ledger)
    _show(built.to_dict(), output, fmt, _print_trends)

@cli.command()
@click.argument("ledger", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("-o", "--output", type=click.Path(file_okay=False, path_type=Path), required=True)
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True)
@_lang_option
def publish(ledger: Path, output: Path, fmt: str, lang: str) -> None:
    from iupjong_xl import service

    snap = _published(service.publish, ledger, output)
    data = snap.to_dict()
    if fmt == "json":
        click.echo(json.dumps(data, ensure_ascii=False, indent=2))
        return
    ko = lang != "en"
    years = ", ".join(map(str, data["years"]))
    runs = ", ".join(f"{r['year']}: {'실행' if ko else 'run'} #{r['run']}" for r in data["runs"])
    click.echo(f"{'공개 자료' if ko else 'open data'} -> {output}: {years}{'년' if ko else ''} ({runs})")
    for name, n in data["tables"].items():
        click.echo(f"  {name}: {n:,}{'행' if ko else ' rows'}")
    redacted, suppressed = sum(data["redacted"].values()), sum(data["suppressed"].values())
    click.echo(f"개인정보 열 없음(허용 목록 확인); 자유 기재에서 연락처·이메일·등록번호를 지운 칸 {redacted:,}개; "
               f"3곳 미만이라 싣지 않은 합계·평균 {suppressed:,}개" if ko else
               f"no personal columns (allow-list checked); free-text cells redacted: {redacted:,}; sums or means "
               f"withheld (fewer than 3 companies): {suppressed:,}")


@cli.group()
def addin() -> None:
    pass  # a group: its help is the catalogue's (messages.py)


@addin.command("install")
@click.option("--file", "xlam", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@_lang_option
def addin_install(xlam: Path | None, lang: str) -> None:
    from iupjong_xl.excel.install import install

    done = _guard(install, xlam)
    for cmd in done.commands:
        click.echo("$ " + " ".join(cmd))
    for line in done.repaired:
        click.echo(("repaired: " if lang == "en" else "고침: ") + line)
    click.echo(done.diagnosis.text(lang), nl=False)
    if done.diagnosis.ok:
        click.echo("Restart Excel: the 이업종 tab appears." if lang == "en" else "Excel을 다시 시작하면 [이업종] 탭이 보입니다.")
    sys.exit(0 if done.diagnosis.ok else 1)


@addin.command("doctor")
@_lang_option
def addin_doctor(lang: str) -> None:
    from iupjong_xl.excel.doctor import diagnose

    diagnosis = _guard(diagnose)
    click.echo(diagnosis.text(lang), nl=False)
    sys.exit(0 if diagnosis.ok else 1)


@addin.command("remove")
@_lang_option
def addin_remove(lang: str) -> None:
    from iupjong_xl.excel.install import remove

    for cmd in _guard(remove):
        click.echo("$ " + " ".join(cmd))


@addin.command("build")
@click.option("--check", is_flag=True)
@_lang_option
def addin_build(check: bool, lang: str) -> None:
    from iupjong_xl.excel import install

    if not check:
        path = _guard(install.build)
        click.echo(f"{path} ({path.stat().st_size:,} bytes)")
        return
    result = _guard(install.check)
    if result.identical:
        click.echo(f"{result.path}: up to date (byte for byte)")
    elif result.ok:
        click.echo(f"{result.path}: up to date (same parts and module sources; bytes differ: another pyOpenVBA)")
    else:
        click.echo(f"{result.path}: DIFFERS from a fresh build (run iupjong addin build):")
        for problem in result.problems:
            click.echo(f"  - {problem}")
    sys.exit(0 if result.ok else 1)


@cli.group()
def portal() -> None:
    pass  # a group: its help is the catalogue's (messages.py)


def _portal_commands() -> Any:
    try:
        from iupjong_xl.portal import commands
    except ImportError as exc:  # Django or waitress missing
        raise _Fail("포털에는 추가 설치가 필요합니다: pip install \"iupjong-xl[portal]\"\n"
                    f"(the portal needs its extra: pip install \"iupjong-xl[portal]\"; {exc})") from exc
    return commands


@portal.command("init")
@click.argument("folder", type=click.Path(file_okay=False, path_type=Path))
@click.option("--profile", type=click.Choice(["lan", "https"]))
@_lang_option
def portal_init(folder: Path, profile: str | None, lang: str) -> None:
    done = _guard(_portal_commands().init, folder, profile=profile)
    click.echo(f"{done.path}: 포털 폴더 준비됨" + (f" (새로 만듦: {', '.join(done.created)})" if done.created else
                                               " (이미 모두 있음)"))


@portal.command("demo")
@click.argument("folder", type=click.Path(file_okay=False, path_type=Path))
@click.option("--from", "reports", type=click.Path(exists=True, file_okay=False, path_type=Path))
@_lang_option
def portal_demo(folder: Path, reports: Path | None, lang: str) -> None:
    portal = _portal_commands()
    done = _guard(portal.demo, folder, reports=reports)
    ko = lang != "en"
    click.echo(f"{done.path}: " + (f"데모 포털 준비됨 — 보고서 {done.uploads}개를 교류회 계정으로 올림 (오류 있는 보고서 "
                                   f"{done.errors}개), 전국 취합" + (", 공개 자료 냄" if done.published else "") if ko else
                                   f"demo portal ready: {done.uploads} reports uploaded by their clubs ({done.errors} "
                                   "with errors), consolidated" + (", published" if done.published else "")))
    shown = [a for a in done.accounts if a[1] != "club"][:3] + [a for a in done.accounts if a[1] == "club"][:3]
    click.echo(("계정 (모두 비밀번호 " if ko else "accounts (all with the password ") + f"{portal.DEMO_PASSWORD}):")
    for username, role, which in shown:
        click.echo(f"  {username}  {role} {which}".rstrip())
    more = len(done.accounts) - len(shown)
    if more > 0:
        click.echo(f"  … 외 {more}개 (교류회마다 교류회코드가 아이디)" if ko else f"  … and {more} more (a club's code is its user name)")
    click.echo(f"다음: iupjong portal serve {folder}" if ko else f"next: iupjong portal serve {folder}")


@portal.group("user")
def portal_user() -> None:
    pass  # a group: its help is the catalogue's (messages.py)


@portal_user.command("add")
@click.argument("folder", type=click.Path(file_okay=False, path_type=Path))
@click.argument("username")
@click.option("--role", type=click.Choice(["club", "federation", "center"]), required=True)
@click.option("--club", "club_code", metavar="CODE")
@click.option("--federation", metavar="NAME")
@click.option("--password-stdin", is_flag=True, required=True)
@_lang_option
def portal_user_add(folder: Path, username: str, role: str, club_code: str | None, federation: str | None,
                    password_stdin: bool, lang: str) -> None:
    assert password_stdin  # a required flag: the password is read from standard input only, never from an argument
    password = sys.stdin.readline().rstrip("\r\n")
    _guard(_portal_commands().add_user, folder, username, password, role, club=club_code, federation=federation)
    where = {"club": f"교류회 {club_code}", "federation": f"{federation} 연합회", "center": "중앙회"}[role]
    click.echo(f"{username}: 계정을 만들었습니다 ({where})")


@portal.command("accounts")
@click.argument("folder", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("--from", "sources", multiple=True, required=True, type=click.Path(exists=True, path_type=Path),
              metavar="FOLDER_OR_ROSTER")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), required=True)
@_lang_option
def portal_accounts(folder: Path, sources: tuple[Path, ...], output: Path, lang: str) -> None:
    done = _guard(_portal_commands().accounts, folder, list(sources), output)
    kept = f", 이미 있는 계정 {len(done.existing)}개는 그대로 둠" if done.existing else ""
    click.echo(f"{done.output}: 새 계정 {done.created}개{kept}. 이 파일에는 비밀번호가 있으니 나눠 준 뒤 지우세요.")


@portal.command("serve")
@click.argument("folder", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", type=click.IntRange(0, 65535), default=8000, show_default=True)
@click.option("--public-index", is_flag=True)
@_lang_option
def portal_serve(folder: Path, host: str, port: int, public_index: bool, lang: str) -> None:
    import signal

    def ready(url: str) -> None:
        click.echo(f"포털: {url} (멈추려면 Ctrl+C)", err=True)

    def stop(_signum: int, _frame: Any) -> None:  # SIGTERM: exit normally, so that the validation workers are stopped
        sys.exit(0)

    signal.signal(signal.SIGTERM, stop)

    _guard(_portal_commands().serve, folder, host=host, port=port, ready=ready, public_index=public_index)


@portal.command("publish")
@click.argument("folder", type=click.Path(exists=True, file_okay=False, path_type=Path))
@_lang_option
def portal_publish(folder: Path, lang: str) -> None:
    snap = _published(_portal_commands().publish, folder)
    data = snap.to_dict()
    click.echo(f"공개 자료 -> {snap.output}: {', '.join(map(str, data['years']))}년 "
               f"(회원사 {data['tables'].get('companies', 0):,}행)")


def _published(fn: Any, *args: Any) -> Any:
    """Run a publish; a column the allow-list does not declare (nothing written) is exit 1 with its message, other
    typed errors are usage errors as everywhere."""
    from iupjong_xl import service

    try:
        return _guard(fn, *args)
    except _Fail as exc:
        if isinstance(exc.__cause__, service.NotPublishableError):
            click.echo(exc.message, err=True)
            sys.exit(EXIT_FINDINGS)
        raise


def _show(data: dict[str, Any], output: Path, fmt: str, show: Any) -> None:
    """Print the JSON (exactly the result's to_dict()) or a table."""
    if fmt == "json":
        click.echo(json.dumps(data, ensure_ascii=False, indent=2))
    else:
        show(data, output)


def _check_suffix(output: Path | None, suffix: str | None, what: str) -> None:
    """-o must end in the suffix of what is written (an .xlsx is never written under another name): exit 2."""
    if output is None:
        return
    if suffix is None:
        raise click.UsageError(f"-o {output}: 표 형식(table)은 화면에만 씁니다. --format json 또는 xlsx와 함께 쓰세요. "
                               f"(-o is for --format json/xlsx)")
    if output.suffix.lower() != suffix:
        raise click.UsageError(f"-o {output}: {what}의 출력 파일 이름은 {suffix}(으)로 끝나야 합니다. "
                               f"(the output of {what} must end in {suffix})")


def _emit_json(data: Any, output: Path | None) -> None:
    """--format json: exactly the library's data, to -o (atomically) or to stdout."""
    from iupjong_xl import service

    text = json.dumps(data, ensure_ascii=False, indent=2)
    if output:
        _guard(service.write_text, output, text + "\n")
    else:
        click.echo(text)


class _progress:
    """A rich progress bar on stderr when it is a terminal and not --quiet; yields a tick(label) callback. Its
    labels are in the command's language."""

    def __init__(self, quiet: bool) -> None:
        self.enabled = not quiet and sys.stderr.isatty()
        self.bar: Any = None
        ctx = click.get_current_context(silent=True)
        self.lang = lang_of(ctx.params.get("lang") if ctx is not None else None)

    def __enter__(self) -> Any:
        if not self.enabled:
            return None
        from rich.console import Console
        from rich.progress import BarColumn, Progress, TextColumn

        count = text("cli.progress_count", self.lang, n="{task.completed}")
        self.bar = Progress(TextColumn("{task.description}"), BarColumn(), TextColumn(count),
                            console=Console(stderr=True), transient=True)
        self.bar.start()
        task = self.bar.add_task(text("cli.progress", self.lang), total=None)

        def tick(label: str) -> None:
            self.bar.update(task, advance=1, description=text("cli.progress_file", self.lang, name=Path(label).name))

        return tick

    def __exit__(self, *exc: Any) -> None:
        if self.bar is not None:
            self.bar.stop()


def _console() -> Any:
    """A console as wide as the terminal (COLUMNS, else the terminal's size, else 80 columns): tables fold their
    cells to fit it instead of running past its edge."""
    import shutil

    from rich.console import Console

    return Console(width=max(20, shutil.get_terminal_size((80, 24)).columns))


def _rich_table(*heads: str, numeric: tuple[int, ...] = (), **kwargs: Any) -> Any:
    """A rich table whose number columns (numeric: their indexes) are right-aligned; a text too long for its column
    wraps onto the next line, never cut with "…"."""
    from rich.table import Table

    t = Table(**kwargs)
    for i, h in enumerate(heads):
        t.add_column(h, justify="right" if i in numeric else "left", overflow="fold")
    return t


def _severity(sev: str, lang: str) -> str:
    return text(f"severity.{sev}", lang) if f"severity.{sev}" in CATALOGUE else sev


STATUS_HEADS = {  # the consolidation's file counts: (key, Korean, English)
    "created": ("신규", "created"), "replaced": ("교체", "replaced"), "unchanged": ("변경 없음", "unchanged"),
    "kept": ("유지", "kept"), "rejected": ("제외", "rejected"), "conflicts": ("충돌", "conflicts"),
    "duplicate": ("중복", "duplicate"), "rows_in": ("입력 행", "rows in"), "rows_accepted": ("반영 행", "accepted"),
    "rows_rejected": ("제외 행", "rejected rows"),
}


def _print_summary(data: dict[str, Any], lang: str) -> None:
    s = data["stats"]
    if lang == "en":
        click.echo(f"{s['files']} files ({s['files_valid']} valid), {s['rows']} rows, "
                   f"{s['errors']} errors, {s['warnings']} warnings")
    else:
        click.echo(f"파일 {s['files']}개 (통과 {s['files_valid']}개), 행 {s['rows']}개, "
                   f"오류 {s['errors']}건, 경고 {s['warnings']}건")


def _print_directory(data: dict[str, Any], output: Path) -> None:

    console = _console()
    n = data["counts"]
    console.print(f"[bold]회원사 명부[/bold] {data['year']} -> {output}: 회원사 {n['companies']:,}곳 (교류회 소속 {n['memberships']:,}건, "
                  f"두 곳 이상 {n['companies_in_several_clubs']:,}곳), 교류회 {n['clubs']:,}개")
    feds = list(data["by_section_federation"][0]["federations"]) if data["by_section_federation"] else []
    if data.get("coverage_ko"):
        console.print(data["coverage_ko"])
    from rich import box

    # compact (no vertical rules, letters for the sections, their names below): 14 federations fit 100 columns
    t = _rich_table("대분류", *feds, "합계", numeric=tuple(range(1, len(feds) + 2)), title="업종(KSIC 대분류) × 연합회",
                    box=box.SIMPLE_HEAD, collapse_padding=True, pad_edge=False)
    for r in data["by_section_federation"]:
        t.add_row(r["section"], *(f"{r['federations'][f]:,}" for f in feds), f"{r['total']:,}")
    console.print(t)
    console.print("대분류: " + " · ".join(f"{r['section']} {r['name']}" for r in data["by_section_federation"]))
    t = _rich_table("종업원 규모", "회원사", numeric=(1,), title="규모별")
    for band, k in data["by_employee_band"].items():
        t.add_row(band, f"{k:,}")
    console.print(t)
    console.print("업종 수별 교류회: " + ", ".join(f"{k}개 업종 {v}" for k, v in data["clubs_by_divisions"].items())
                  + f" (이업종 아님 {n['clubs_not_cross_industry']}개)")


def _print_matches(data: dict[str, Any], output: Path | None) -> None:
    from rich.markup import escape

    console = _console()
    lead, n = data["lead"], data["counts"]
    console.print(f"[bold]파트너 찾기[/bold] 주관기업 {lead['brn']} {escape(lead['name'])} (업종 {lead['ksic_division']}, "
                  f"{', '.join(lead['federations'])}) — 찾는 기술: {escape(data['need'])}")
    console.print(f"회원사 {n['members']:,}곳 중 같은 업종 {n['same_division']:,}곳"
                  + (f", 다른 연합회 {n['other_federation']:,}곳" if data["same_federation"] else "")
                  + f", 일치하지 않는 {n['no_match']:,}곳 제외 → 후보 {n['matched']:,}곳")
    t = _rich_table("순위", "사업자등록번호", "회사명", "업종", "연합회", "일치도", "점수", "근거", numeric=(0, 5, 6),
                    show_lines=True)
    for c in data["candidates"]:
        t.add_row(str(c["rank"]), c["brn"], escape(c["name"]), c["ksic_division"] or "", ", ".join(c["federations"]),
                  f"{c['similarity']:.2f}", f"{c['score']:.2f}", escape("\n".join(r["ko"] for r in c["reasons"])))
    console.print(t)
    p = data["proposal"]
    who = ", ".join(f"{c['brn']} {c['name'] or '(회원사 아님)'}" for c in p["companies"])
    verdict = ("[green]적격[/green]" if p["eligible"] else
               "[red]부적격[/red]: " + escape("; ".join(r["ko"] for r in p["reasons"])))
    console.print(f"{p['round_year']}년 협력체 검토 ({escape(who)}; 총사업비 {p['assumed_amounts']['total_won']:,}원 가정): {verdict}")
    if output:
        console.print(f"-> {output}")


def _print_trends(data: dict[str, Any], output: Path) -> None:

    console = _console()
    years = [str(y) for y in data["years"]]
    t = _rich_table("지표", *years, f"증감 ({years[0]}→{years[-1]})", "증감률(%)", numeric=tuple(range(1, len(years) + 3)),
                    title=f"전국 지표 추이 -> {output}")
    for ind in data["indicators"]:
        row = data["national"][ind["key"]]

        def fmt(v: Any, ind: dict[str, Any] = ind) -> str:
            return "-" if v is None else (f"{v:,.{ind['decimals']}f}" if ind["decimals"] else f"{v:,}")

        change = row["change"]
        shown = "-" if change is None else ("+" if change > 0 else "") + fmt(change) + f" {ind['change_unit']}"
        t.add_row(f"{ind['ko']} ({ind['unit']})", *(fmt(row["values"][y]) for y in years), shown,
                  "" if row["change_pct"] is None else f"{row['change_pct']:+.1f}")
    console.print(t)
    for e in data["not_comparable"]:
        console.print(f"비교 불가: {e['ko']} (있는 연도: {', '.join(map(str, e['years']))})")
    budget = ", ".join(f"{b['year']}년 {b['million_won']:,}" for b in data["budget"]["by_year"] if b["million_won"] is not None)
    totals = ", ".join(f"{b['from']}~{b['to']} {b['million_won']:,}" for b in data["budget"]["cumulative"])
    console.print(f"지원예산(백만원): {budget}" + (f"; 누계 {totals}" if totals else ""))
    for m in data.get("members", []):
        c, rest = m["comparable"], m["not_comparable"]
        console.print(f"회원사 {m['from']}→{m['to']} (사업자등록번호로 추적, 두 해 모두 보고한 교류회 {c['clubs']:,}곳): "
                      f"새로 가입 {c['joined']:,}곳, 탈퇴 {c['left']:,}곳, 교류회 이동 {c['moved']:,}곳, 계속 {c['stayed']:,}곳")
        console.print("  비교 제외 (한 해만 보고한 교류회의 회원사): " + ", ".join(
            f"{y}년에만 보고한 교류회 {r['clubs']:,}곳의 회원사 {r['companies']:,}곳" for y, r in rest.items()))


def _print_history(data: dict[str, Any], lang: str, diff: bool) -> None:
    from rich.markup import escape

    console = _console()
    ko = lang != "en"
    for u in data["units"]:
        title = f"{u['year']} {u['federation']} {u['unit']} ({u['kind_label']})"
        t = _rich_table(*(("버전", "실행", "받은 때", "파일", "SHA-256", "실행한 사람", "처리", "현재") if ko else
                          ("version", "run", "received", "file", "sha256", "run by", "status", "current")),
                        numeric=(0, 1), title=escape(title), title_justify="left")
        for v in u["versions"]:
            now = ("현재" if ko else "current") if v["current"] else (
                f"{v['replaced_in_run']}번 실행에서 교체" if ko else f"replaced in run {v['replaced_in_run']}")
            if v["unchanged_in_runs"]:
                runs = ", ".join(map(str, v["unchanged_in_runs"]))
                now += f"; {runs}번 실행에서 변경 없이 다시 받음" if ko else f"; received again unchanged in run {runs}"
            t.add_row(str(v["version"]), str(v["run"]), v["received"] or "", escape(v["file"] or ""),
                      (v["sha256"] or "")[:16], escape(v["user"] or ""), v["status_label"], now)
        for r in u["not_taken"]:
            t.add_row("-", str(r["run"]), r["received"] or "", escape(r["file"] or ""), (r["sha256"] or "")[:16],
                      escape(r["user"] or ""), r["status_label"], "반영 안 함" if ko else "not taken")
        console.print(t)
        for d in u.get("diffs", []) if diff else []:
            n = f"+{d['added']} −{d['removed']} ~{d['changed']}"
            console.print((f"  버전 {d['old_version']} → {d['new_version']} ({escape(d['new_file'] or '')}): 행 추가 "
                           f"{d['added']}, 행 삭제 {d['removed']}, 바뀐 행 {d['changed']} (값 {d['cells']}개)") if ko else
                          f"  version {d['old_version']} -> {d['new_version']} ({escape(d['new_file'] or '')}): {n}, "
                          f"{d['cells']} cells")
            if d["rulebooks"][0] != d["rulebooks"][1]:
                console.print(f"  규칙집 {d['rulebooks'][0]} → {d['rulebooks'][1]}" if ko else
                              f"  rule book {d['rulebooks'][0]} -> {d['rulebooks'][1]}")
            if d["not_compared"]:
                cols = ", ".join(f"{c['sheet']} {c['column']}" for c in d["not_compared"])
                console.print(escape(f"  비교하지 못한 열 (한쪽 버전에만 있음): {cols}" if ko else
                                     f"  columns not compared (in one version only): {cols}"))
            if not d["changes"]:
                console.print("  바뀐 내용 없음" if ko else "  no changes")
                continue
            c = _rich_table(*(("구분", "시트", "키", "항목", "이전 값", "새 값") if ko else
                              ("change", "sheet", "key", "column", "old", "new")))
            for ch in d["changes"]:
                c.add_row(ch["change_label"], escape(ch["sheet"]), escape(ch["key"]), escape(ch["column"] or ""),
                          escape(_plain(ch["old"])), escape(_plain(ch["new"])))
            console.print(c)


def _plain(v: Any) -> str:
    return "" if v is None else str(v)


KIND_KO = {"tampered": "고쳐짐", "pending_input": "반영 전 입력", "row_missing": "행 없음", "row_added": "더한 행",
           "sheet_missing": "시트 없음"}


def _print_differences(diffs: Any, lang: str) -> None:
    from rich.console import Console
    from rich.markup import escape

    ko = lang != "en"
    console = Console(width=max(120, Console().width))
    t = _rich_table(*(("구분", "시트", "셀", "항목", "원장", "통합 문서", "내용") if ko else
                      ("kind", "sheet", "cell", "column", "ledger", "workbook", "message")),
                    title=f"통합 문서가 원장과 맞지 않습니다: {len(diffs)}건" if ko else
                    f"The workbook does not match its ledger: {len(diffs)}")
    for d in diffs:
        t.add_row(KIND_KO.get(d.kind, d.kind) if ko else d.kind, escape(d.sheet or ""), d.cell or "",
                  escape(d.column or ""), escape("" if d.expected is None else str(d.expected)),
                  escape("" if d.found is None else str(d.found)), escape(d.ko if ko else d.en))
    console.print(t)


def _print_refresh(data: dict[str, Any], lang: str) -> None:
    from rich.console import Console
    from rich.markup import escape

    console = Console(width=max(120, Console().width))
    ko = lang == "ko"
    s, e = data["summary"], data["edits"]
    run = (f"실행 #{s['run']}" if ko else f"run #{s['run']}") if s.get("run") is not None else ""
    console.print(f"[bold]{'갱신 결과' if ko else 'Refresh'}[/bold] {s['year']} -> {escape(str(s['output']))}  {run}")
    console.print((f"가져온 입력: 수정 {e['corrections']}건, 평가점수 {e['scores']}건, 되살린 행 {e['restored']}건, "
                   f"손으로 더한 행 {e['added']}건, 반영 안 한 수정 {e['not_taken']}건") if ko else
                  (f"taken: {e['corrections']} corrections, {e['scores']} scores, {e['restored']} rows restored, "
                   f"{e['added']} rows added by hand, {e['not_taken']} edits not taken"))
    if e.get("backup"):
        console.print((f"고친 통합 문서를 남겨 둔 곳: {escape(e['backup'])}") if ko else
                      f"the edited workbook is kept in {escape(e['backup'])}")
    if data["findings"]:
        t = _rich_table(*(("구분", "시트", "셀", "코드", "내용") if ko else ("severity", "sheet", "cell", "code", "message")),
                        title="이번 갱신에서 찾은 문제" if ko else "findings of this refresh")
        for f in data["findings"]:
            sev = ({"error": "오류", "warning": "경고"}.get(f["severity"], f["severity"])) if ko else f["severity"]
            t.add_row(sev, escape(f.get("sheet") or ""), f.get("cell") or "", f["code"], escape(f["message"]))
        console.print(t)
    f = data["funding"]
    console.print((f"지원금: 신청 {f['requests']}건, 적격 {f['eligible']}건, 선정 {f['selected']}건 / {f['max_consortia']}, "
                   f"정부지원 {f['selected_gov_won']:,}원, 기업부담 {f['selected_company_won']:,}원") if ko else
                  (f"funding: {f['requests']} requests, {f['eligible']} eligible, {f['selected']} selected / "
                   f"{f['max_consortia']}, government {f['selected_gov_won']:,} won, companies "
                   f"{f['selected_company_won']:,} won"))
    console.print((f"오류 {s['errors']}건, 경고 {s['warnings']}건") if ko else f"{s['errors']} errors, {s['warnings']} warnings")


def _print_consolidation(data: dict[str, Any], lang: str) -> None:
    from rich.markup import escape

    console = _console()
    s = data["summary"]
    ko = lang == "ko"
    head = "취합 결과" if ko else "Consolidation"
    where = ("(미리보기: 쓰지 않음)" if ko else "(dry run: nothing written)") if s["dry_run"] else f"-> {s['output']}"
    level = {"national": "전국", "federation": "연합회"}.get(s["level"], s["level"]) if ko else s["level"]
    run = (f"실행 #{s['run']} · " if ko else f"run #{s['run']} · ") if s.get("run") is not None else ""
    digest = f"{run}{'내용 해시' if ko else 'content hash'} {s['content_hash']}"
    console.print(f"[bold]{head}[/bold] {s['year']} {level} {escape(where)}  {digest}")
    t = _rich_table(*(STATUS_HEADS[k][0 if ko else 1] for k in STATUS_HEADS), numeric=tuple(range(len(STATUS_HEADS))),
                    title="파일" if ko else "files")
    t.add_row(*(f"{s[k]:,}" for k in STATUS_HEADS))
    console.print(t)
    rep = _rich_table("연합회" if ko else "federation", "등록" if ko else "registered", "보고" if ko else "reported",
                      "보고율(%)" if ko else "rate (%)", "충돌" if ko else "conflicts", "미제출" if ko else "missing",
                      numeric=(1, 2, 3))
    for fed, e in data["reporting"].items():
        more = len(e["missing"]) - 8
        missing = ", ".join(e["missing"][:8]) + ((f" 외 {more}곳" if ko else f" and {more} more") if more > 0 else "")
        clash = e.get("conflicts", [])
        rep.add_row(fed, str(e["registered"]), str(e["reported"]), str(e["reporting_rate"]), ", ".join(clash), missing)
    console.print(rep)
    _print_files_not_taken(console, data, ko)
    from iupjong_xl import service

    infos = service.indicators(s["year"], lang=lang)
    national = s["level"] == "national"
    # the published national figures (March 2009) are in the rule book of their year only, and are national
    published = national and any(ind.paper is not None for ind in infos)
    if national:
        title = "전국 지표" if ko else "national indicators"
    else:
        feds = ", ".join(data["reporting"])
        title = (f"연합회 지표 ({feds})" if ko else f"federation indicators ({feds})") if feds else (
            "연합회 지표" if ko else "federation indicators")
    heads = ["지표" if ko else "indicator", "값" if ko else "value"]
    it = _rich_table(*heads, *(["공표치(2009.3)" if ko else "published (2009.3)"] if published else []),
                     numeric=(1, 2), title=title)
    for ind in infos:
        v = data["indicators"].get(ind.key)
        paper = "" if ind.paper is None else (f"{ind.paper:.1f}" if ind.decimals else f"{int(ind.paper):,}")
        shown = "-" if v is None else (f"{v:.{ind.decimals}f}" if ind.decimals else f"{v:,}")
        it.add_row(ind.label, f"{shown} {ind.unit}", *([paper] if published else []))
    console.print(it)
    f = data["funding"]
    console.print((f"지원금: 신청 {f['requests']}건, 적격 {f['eligible']}건, 선정 {f['selected']}건 / {f['max_consortia']}, "
                   f"선정 총사업비 {f['selected_total_won']:,}원 / {f['budget_won']:,}원") if ko else
                  (f"funding: {f['requests']} requests, {f['eligible']} eligible, {f['selected']} selected / "
                   f"{f['max_consortia']}, total {f['selected_total_won']:,} / {f['budget_won']:,} won"))
    console.print((f"오류 {s['errors']}건, 경고 {s['warnings']}건 (검증결과 시트 참조)") if ko else
                  f"{s['errors']} errors, {s['warnings']} warnings (see the findings sheet)")
    _print_codes(console, data["findings"], lang)
    if data.get("changes"):
        ch = _rich_table(*(("교류회", "연합회", "새 파일", "행 추가", "행 삭제", "바뀐 행", "바뀐 값") if ko else
                           ("club", "federation", "new file", "added", "removed", "changed", "cells")),
                         numeric=(3, 4, 5, 6), title="교체된 보고서의 변경 (변경 내역 시트 참조)" if ko else
                         "changes in replaced reports (see 변경 내역)")
        for c in data["changes"]:
            ch.add_row(c["unit"], c["federation"], escape(c["new_file"] or ""), str(c["added"]), str(c["removed"]),
                       str(c["changed"]), str(c["cells"]))
        console.print(ch)


NOT_TAKEN = {"rejected": ("제외", "rejected"), "conflict": ("충돌", "conflict"), "duplicate": ("중복", "duplicate")}


def _print_files_not_taken(console: Any, data: dict[str, Any], ko: bool) -> None:
    """Each input file that was rejected, conflicts with another or duplicates one, with the codes that say why."""
    from rich.markup import escape
    from rich.table import Table

    codes: dict[str, list[str]] = {}
    for f in data["findings"]:
        if f["severity"] == "error" and f["code"] not in codes.setdefault(f["file"], []):
            codes[f["file"]].append(f["code"])
    shown = [s for s in data["sources"] if s["status"] in NOT_TAKEN]
    if not shown:
        return
    t = Table(title="반영하지 않은 파일" if ko else "files not taken", title_justify="left")
    for h in (("파일", "처리", "코드") if ko else ("file", "status", "codes")):
        t.add_column(h, overflow="fold")
    for src in shown:
        why = {"conflict": ["CONSOLIDATE_CONFLICT"], "duplicate": ["CONSOLIDATE_DUPLICATE_INPUT"]}.get(src["status"])
        t.add_row(escape(src["file"]), NOT_TAKEN[src["status"]][0 if ko else 1],
                  ", ".join(why or codes.get(src["file"], [])))
    console.print(t)


def _print_codes(console: Any, findings: list[dict[str, Any]], lang: str) -> None:
    """How many findings of each code (errors first)."""
    from collections import Counter

    if not findings:
        return
    counts = Counter((f["severity"], f["code"]) for f in findings)
    ko = lang != "en"
    t = _rich_table(*(("코드", "구분", "건수") if ko else ("code", "severity", "count")), numeric=(2,),
                    title="코드별 건수" if ko else "findings by code", title_justify="left")
    for (sev, code), n in sorted(counts.items(), key=lambda kv: (kv[0][0] != "error", -kv[1], kv[0][1])):
        t.add_row(code, _severity(sev, lang), f"{n:,}")
    console.print(t)


def _print_table(report: Any, lang: str) -> None:
    from rich.markup import escape
    from rich.table import Table

    console = _console()
    ko = lang == "ko"
    for file, items in report.by_file().items():
        if not items:
            console.print(f"[green]✓[/green] {escape(file)}" + (" — 문제 없음" if ko else " — no problems"))
            continue
        table = Table(title=escape(file), title_justify="left", show_lines=False)
        for h in (("시트", "셀", "코드", "구분", "내용") if ko else ("sheet", "cell", "code", "severity", "message")):
            table.add_column(h, overflow="fold")
        for f in items:
            sev = f.severity if not ko else ("오류" if f.severity == "error" else "경고")
            style = "red" if f.severity == "error" else "yellow"
            table.add_row(escape(f.sheet or ""), f.cell or "", f.code, f"[{style}]{sev}[/{style}]", escape(f.message(lang)))
        console.print(table)
    _print_summary(report.to_dict(lang), lang)


def _broken_pipe(console: Any) -> None:
    """rich's Console on a broken pipe: handled like any other write (_Cli.invoke ends with the command's status),
    not rich's own exit 1."""
    console.quiet = True
    raise BrokenPipeError


def main() -> None:
    cli(prog_name="iupjong")
