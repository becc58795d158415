"""The `iupjong` command line: the only module that knows about click, output formats and exit codes."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import click

from iupjong_xl import __version__
from iupjong_xl.errors import IupjongError

EXIT_OK, EXIT_FINDINGS, EXIT_USAGE, EXIT_INTERNAL = 0, 1, 2, 3


class _Fail(click.ClickException):
    exit_code = EXIT_USAGE


class _Cli(click.Group):
    """The command group: an unexpected exception is an internal failure (exit 3), never a traceback with exit 1."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except (click.exceptions.Exit, click.ClickException, click.Abort):
            raise
        except Exception as exc:
            _internal_failure(exc)


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
@click.option("--rulebook", "rulebook_dir", type=click.Path(path_type=Path), metavar="DIR",
              help="read rule books from DIR (laid out like validation/: <year>/rulebook.yaml ...) instead of the "
                   "packaged ones; also IUPJONG_RULEBOOK")
def cli(rulebook_dir: Path | None) -> None:
    """iupjong-xl: 이업종 교류 실적보고서 검증·취합 도구 (validate and consolidate club reports).

    Exit status: 0 = no errors, 1 = errors found in the files, 2 = usage (bad option, missing or broken rule book),
    3 = internal failure of the program."""
    from iupjong_xl import service

    if rulebook_dir is not None:
        _guard(service.use_rulebook_root, rulebook_dir)


@cli.command()
@click.option("--kind", type=click.Choice(["club", "federation"]), required=True, help="club = 단위교류회, federation = 지역연합회")
@click.option("--year", type=int, default=2009, show_default=True, help="report year (rule book)")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), required=True, help="the .xlsx to write")
def template(kind: str, year: int, output: Path) -> None:
    """Write a blank standard report workbook (서식) for KIND and YEAR."""
    from iupjong_xl import service

    _guard(service.template, output, kind, year)
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
@click.option("--ledger", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="compare with the previous year this ledger holds (year-over-year plausibility)")
def validate(paths: tuple[str, ...], fmt: str, output: Path | None, annotate: Path | None, lang: str,
             year: int | None, max_rows: int | None, quiet: bool, ledger: Path | None) -> None:
    """Validate report workbooks (files or folders, recursive). Exit 0 = no errors, 1 = errors, 2 = usage,
    3 = internal failure (the JSON still lists what was done)."""
    from iupjong_xl import service

    if fmt == "xlsx" and output is None:
        raise click.UsageError("--format xlsx needs -o FILE")
    with _progress(quiet) as tick:  # the findings workbook's links open the marked-up copies
        done = _guard(service.validate_reports, paths, year=year, max_rows=max_rows, progress=tick, ledger=ledger,
                      annotate=annotate, findings_workbook=output if fmt == "xlsx" else None, lang=lang)
    report = done.report
    data = report.to_dict(lang)
    if fmt == "json":
        _emit_json(data, output)
    elif fmt == "xlsx":
        _print_summary(data, lang)
    else:
        _print_table(report, lang)
    if service.is_internal(f.code for f in report.findings):
        sys.exit(EXIT_INTERNAL)
    sys.exit(EXIT_OK if report.valid else EXIT_FINDINGS)


@cli.command()
@click.argument("inputs", nargs=-1, required=True)
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), required=True,
              help="the consolidated workbook (updated in place when it exists)")
@click.option("--level", type=click.Choice(["federation", "national"]), default="national", show_default=True)
@click.option("--year", type=int, help="report year (default: the inputs' year)")
@click.option("--dry-run", is_flag=True, help="write nothing; print what would happen")
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True)
@click.option("--lang", type=click.Choice(["ko", "en"]), default="ko", show_default=True)
@click.option("-q", "--quiet", is_flag=True, help="no progress bar")
@click.option("--ledger", type=click.Path(path_type=Path),
              help="the ledger (default: iupjong.db in the output's folder)")
@click.option("--no-ledger", is_flag=True, help="keep no ledger: the workbook is the only record (no history, no edit "
              "detection)")
def consolidate(inputs: tuple[str, ...], output: Path, level: str, year: int | None, dry_run: bool, fmt: str,
                lang: str, quiet: bool, ledger: Path | None, no_ledger: bool) -> None:
    """Validate and consolidate club/federation reports (files or folders) into one workbook.

    Exit 0 = consolidated, no errors; 1 = consolidated, but some rows or files were rejected; 2 = usage;
    3 = internal failure."""
    from iupjong_xl import service

    with _progress(quiet) as tick:
        data = _guard(service.consolidate, inputs, output, level=level, year=year, dry_run=dry_run, lang=lang,
                      progress=tick, ledger=ledger, use_ledger=not no_ledger).data
    if fmt == "json":
        click.echo(json.dumps(data, ensure_ascii=False, indent=2, default=str))
    else:
        _print_consolidation(data, lang)
    if service.is_internal(f["code"] for f in data["findings"]):
        sys.exit(EXIT_INTERNAL)
    sys.exit(EXIT_FINDINGS if data["summary"]["errors"] else EXIT_OK)


@cli.command()
@click.argument("workbook", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True)
@click.option("--lang", type=click.Choice(["ko", "en"]), default="ko", show_default=True)
@click.option("--ledger", type=click.Path(path_type=Path),
              help="the ledger (default: iupjong.db in the workbook's folder)")
def refresh(workbook: Path, fmt: str, lang: str, ledger: Path | None) -> None:
    """Recompute indicators and the funding round of a consolidated workbook after edits (scores, amounts)."""
    from iupjong_xl import service

    data = _guard(service.refresh, workbook, lang=lang, ledger=ledger).data
    if fmt == "json":
        click.echo(json.dumps({"indicators": data["indicators"], "funding": data["funding"]}, ensure_ascii=False,
                              indent=2))
        return
    f = data["funding"]
    click.echo(f"{workbook}: 지표·지원금 갱신 — 신청 {f['requests']}건, 적격 {f['eligible']}건, 선정 {f['selected']}건, "
               f"정부지원 {f['selected_gov_won']:,}원, 기업부담 {f['selected_company_won']:,}원")


@cli.command()
@click.argument("workbook", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--ledger", type=click.Path(path_type=Path),
              help="the ledger (default: iupjong.db in the workbook's folder)")
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True)
@click.option("--lang", type=click.Choice(["ko", "en"]), default="ko", show_default=True)
def verify(workbook: Path, ledger: Path | None, fmt: str, lang: str) -> None:
    """Prove a consolidated workbook against its ledger. Exit 0 = everything holds, 1 = differences, 2 = usage."""
    from iupjong_xl import service

    diffs = _guard(service.verify, workbook, ledger=ledger)
    if fmt == "json":
        click.echo(json.dumps({"valid": not diffs, "workbook": str(workbook),
                               "differences": [d.to_dict(lang) for d in diffs]}, ensure_ascii=False, indent=2))
    elif diffs:
        click.echo("The workbook does not match its ledger:" if lang == "en" else "통합 문서가 원장과 맞지 않습니다:")
        for d in diffs:
            click.echo(f"  - {d.en if lang == 'en' else d.ko}")
    else:
        click.echo(f"{workbook}: " + ("every row, count, indicator and the funding round match the ledger"
                                      if lang == "en" else "모든 행·건수·지표·지원금이 원장과 일치합니다"))
    sys.exit(EXIT_FINDINGS if diffs else EXIT_OK)


@cli.command()
@click.argument("workbook", type=click.Path(dir_okay=False, path_type=Path))
@click.argument("club", required=False, metavar="[CLUB_CODE]")
@click.option("--year", type=int, help="only this report year")
@click.option("--ledger", type=click.Path(path_type=Path),
              help="the ledger (default: iupjong.db in the workbook's folder)")
@click.option("--diff", is_flag=True, help="what changed between consecutive versions: rows added and removed, every "
              "cell changed (old -> new)")
@click.option("--extract", "extract_sha", metavar="SHA256", help="write the stored bytes of this received file (its "
              "sha256, or a unique prefix of 8+ characters) to -o FILE")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), help="the file for --extract")
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True)
@click.option("--lang", type=click.Choice(["ko", "en"]), default="ko", show_default=True)
def history(workbook: Path, club: str | None, year: int | None, ledger: Path | None, diff: bool,
            extract_sha: str | None, output: Path | None, fmt: str, lang: str) -> None:
    """Every version of each club report and roster of a consolidated workbook in its ledger: when received, file,
    sha256, who ran it, status, which is current. --diff: what changed; --extract SHA256 -o FILE: the file as received.
    Exit 0 = done, 2 = usage (no ledger, unknown club code, year or sha256)."""
    from iupjong_xl import service

    if extract_sha is not None:
        if output is None:
            raise click.UsageError("--extract needs -o FILE")
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
@click.option("--lang", type=click.Choice(["ko", "en"]), default="ko", show_default=True)
@click.option("--format", "fmt", type=click.Choice(["table", "json", "markdown"]), default="table", show_default=True)
def codes(year: int, lang: str, fmt: str) -> None:
    """List every rule code of a year's rule book with its severity and message."""
    from iupjong_xl import service

    found = _guard(service.codes, year, lang=lang)
    rows = [c.to_dict() for c in found.codes]
    if fmt == "json":
        click.echo(json.dumps(rows, ensure_ascii=False, indent=2))
        return
    if fmt == "markdown":
        click.echo(found.markdown)
        return
    from rich.console import Console

    ko = lang != "en"
    table = _rich_table(*(("코드", "구분", "내용") if ko else ("code", "severity", "message")),
                        title=(f"{year}년 규칙집 ({found.version}): 코드 {len(rows)}개" if ko else
                               f"rule book {year} ({found.version}): {len(rows)} codes"))
    for r in rows:
        table.add_row(r["code"], _severity(r["severity"], lang), r["message"])
    Console(width=200).print(table)


@cli.command()
@click.option("-o", "--output", type=click.Path(file_okay=False, path_type=Path), default=Path("sample_workbooks"),
              show_default=True)
@click.option("--seed", type=int, default=2009, show_default=True)
def sample(output: Path, seed: int) -> None:
    """(Re)generate the deterministic sample corpus (sample_workbooks/)."""
    from iupjong_xl import service

    written = _guard(service.sample, output, seed=seed)
    click.echo(f"{len(written)} files -> {output}")


@cli.command("templates")
@click.option("-o", "--output", type=click.Path(file_okay=False, path_type=Path), default=Path("templates"),
              show_default=True)
def templates_cmd(output: Path) -> None:
    """(Re)generate every standard template of every rule-book year into a folder (templates/)."""
    from iupjong_xl import service

    for p in _guard(service.templates, output):
        click.echo(str(p))

@cli.command()
@click.argument("national", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), required=True,
              help="the directory workbook to write (회원사 명부)")
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True)
def directory(national: Path, output: Path, fmt: str) -> None:
    """Company directory of a consolidated workbook: every member company once (by BRN), with summary sheets."""
    from iupjong_xl import service

    built = _guard(service.directory, national, output)
    _show(built.to_dict(), output, fmt, _print_directory)


@cli.command()
@click.argument("national", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--lead", required=True, help="주관기업 사업자등록번호 (lead company BRN)")
@click.option("--need", required=True, help='찾는 기술·제품 (the need), e.g. "폐열 회수 열교환기"')
@click.option("--top", type=click.IntRange(min=1), default=10, show_default=True)
@click.option("--same-federation", is_flag=True, help="only companies of the lead's federation")
@click.option("--with", "with_", metavar="BRN,...", help="partners of the proposed consortium (default: the top 3)")
@click.option("--format", "fmt", type=click.Choice(["table", "json", "xlsx"]), default="table", show_default=True)
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), help="file for --format xlsx/json")
def partners(national: Path, lead: str, need: str, top: int, same_federation: bool, with_: str | None, fmt: str,
             output: Path | None) -> None:
    """Rank member companies of other KSIC divisions for a lead company's need; check the proposed consortium."""
    from iupjong_xl import service

    if fmt == "xlsx" and output is None:
        raise click.UsageError("--format xlsx needs -o FILE")
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
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), required=True,
              help="the trends workbook to write")
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True)
@click.option("--ledger", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="every year this ledger holds (instead of naming the workbooks)")
def trends(nationals: tuple[Path, ...], output: Path, fmt: str, ledger: Path | None) -> None:
    """Indicators of consolidated workbooks of several years side by side, with changes and the support budget."""
    from iupjong_xl import service

    if not nationals and ledger is None:
        raise click.UsageError("name the consolidated workbooks of two or more years, or --ledger iupjong.db")
    built = _guard(service.trends, nationals, output, ledger=ledger)
    _show(built.to_dict(), output, fmt, _print_trends)

@cli.command()
@click.argument("ledger", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("-o", "--output", type=click.Path(file_okay=False, path_type=Path), required=True,
              help="the folder of the open-data snapshot (replaced as a whole when it holds an earlier one)")
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True)
@click.option("--lang", type=click.Choice(["ko", "en"]), default="ko", show_default=True)
def publish(ledger: Path, output: Path, fmt: str, lang: str) -> None:
    """Open data (공개 자료) from a ledger: each year's current national view without personal data, as SQLite, CSV
    and JSON per table, datapackage.json (Frictionless) and metadata.yaml (Datasette). Exit 0 = written; 1 = a
    column the allow-list does not declare would be published (nothing written); 2 = usage."""
    from iupjong_xl import service

    try:
        snap = _guard(service.publish, ledger, output)
    except _Fail as exc:
        if isinstance(exc.__cause__, service.NotPublishableError):
            click.echo(exc.message, err=True)
            sys.exit(EXIT_FINDINGS)
        raise
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
    """The Excel add-in (이업종 ribbon): install it into Excel, check it, remove it, rebuild it from addin/."""


@addin.command("install")
@click.option("--file", "xlam", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="the .xlam to install (default: addin/iupjong.xlam of this checkout)")
@click.option("--lang", type=click.Choice(["ko", "en"]), default="ko", show_default=True)
def addin_install(xlam: Path | None, lang: str) -> None:
    """Install xlwings' add-in (RunPython) and iupjong.xlam into Excel's XLSTART folder (Windows, macOS), then run
    the doctor's checks and repair what can be. Exit 0 when all is well, 1 when a problem remains."""
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
@click.option("--lang", type=click.Choice(["ko", "en"]), default="ko", show_default=True)
def addin_doctor(lang: str) -> None:
    """Check the add-in setup for a support call: Python and package versions, xlwings' add-in and (macOS) its
    AppleScript, iupjong.xlam in XLSTART, the interpreter in xlwings.conf. Exit 0 = all well, 1 = problems (each
    with its fix)."""
    from iupjong_xl.excel.doctor import diagnose

    diagnosis = _guard(diagnose)
    click.echo(diagnosis.text(lang), nl=False)
    sys.exit(0 if diagnosis.ok else 1)


@addin.command("remove")
def addin_remove() -> None:
    """Remove iupjong.xlam from Excel's XLSTART folder (the xlwings add-in stays)."""
    from iupjong_xl.excel.install import remove

    for cmd in _guard(remove):
        click.echo("$ " + " ".join(cmd))


@addin.command("build")
@click.option("--check", is_flag=True, help="exit 1 when addin/iupjong.xlam is not a fresh build of addin/")
def addin_build(check: bool) -> None:
    """Rebuild addin/iupjong.xlam from addin/ (VBA modules, customUI.xml) with pyOpenVBA; reproducible.

    --check compares the bytes with a fresh build; when they differ (another pyOpenVBA writer), it compares the
    package parts and the module sources pyOpenVBA extracts, and passes if those are the same."""
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
    """The portal (웹 포털): club secretaries upload their report in a browser and read every finding at its cell.
    Needs the extra: pip install "iupjong-xl[portal]"."""


def _portal_commands() -> Any:
    try:
        from iupjong_xl.portal import commands
    except ImportError as exc:  # Django or waitress missing
        raise _Fail("포털에는 추가 설치가 필요합니다: pip install \"iupjong-xl[portal]\"\n"
                    f"(the portal needs its extra: pip install \"iupjong-xl[portal]\"; {exc})") from exc
    return commands


@portal.command("init")
@click.argument("folder", type=click.Path(file_okay=False, path_type=Path))
@click.option("--profile", type=click.Choice(["lan", "https"]), help="lan (default): plain HTTP on a trusted office "
              "network; https: behind a TLS proxy (Secure cookies, HSTS, redirect to HTTPS)")
def portal_init(folder: Path, profile: str | None) -> None:
    """Create a portal folder (ledger, accounts database, secret key, settings); run again, it completes what is
    missing and keeps the rest."""
    done = _guard(_portal_commands().init, folder, profile=profile)
    click.echo(f"{done.path}: 포털 폴더 준비됨" + (f" (새로 만듦: {', '.join(done.created)})" if done.created else
                                               " (이미 모두 있음)"))


@portal.group("user")
def portal_user() -> None:
    """Portal accounts."""


@portal_user.command("add")
@click.argument("folder", type=click.Path(file_okay=False, path_type=Path))
@click.argument("username")
@click.option("--role", type=click.Choice(["club", "federation", "center"]), required=True)
@click.option("--club", "club_code", metavar="CODE", help="the club code of a club account (e.g. SEO-001)")
@click.option("--federation", metavar="NAME", help="the federation of a federation account (e.g. 서울)")
@click.option("--password-stdin", is_flag=True, required=True, help="read the password from the first line of stdin")
def portal_user_add(folder: Path, username: str, role: str, club_code: str | None, federation: str | None,
                    password_stdin: bool) -> None:
    """Add one account with its role; the password is read from stdin (never an argument: it would show in the
    process list and the shell history)."""
    password = sys.stdin.readline().rstrip("\r\n")
    _guard(_portal_commands().add_user, folder, username, password, role, club=club_code, federation=federation)
    where = {"club": f"교류회 {club_code}", "federation": f"{federation} 연합회", "center": "중앙회"}[role]
    click.echo(f"{username}: 계정을 만들었습니다 ({where})")


@portal.command("serve")
@click.argument("folder", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", type=click.IntRange(0, 65535), default=8000, show_default=True)
@click.option("--public-index", is_flag=True, help="let search engines index the public pages (robots.txt); "
              "without it robots.txt disallows everything")
def portal_serve(folder: Path, host: str, port: int, public_index: bool) -> None:
    """Serve the portal (waitress; static files included) until stopped with Ctrl+C."""
    def ready(url: str) -> None:
        click.echo(f"포털: {url} (멈추려면 Ctrl+C)", err=True)

    _guard(_portal_commands().serve, folder, host=host, port=port, ready=ready, public_index=public_index)


@portal.command("publish")
@click.argument("folder", type=click.Path(exists=True, file_okay=False, path_type=Path))
def portal_publish(folder: Path) -> None:
    """Publish the portal's open data: `iupjong publish` of FOLDER/iupjong.db into FOLDER/published, which the public
    pages (통계, 회원사 찾기, 자료 내려받기) read. Exit 0 = written; 1 = a column the allow-list does not declare
    would be published (nothing written); 2 = usage."""
    from iupjong_xl import service

    try:
        snap = _guard(_portal_commands().publish, folder)
    except _Fail as exc:
        if isinstance(exc.__cause__, service.NotPublishableError):
            click.echo(exc.message, err=True)
            sys.exit(EXIT_FINDINGS)
        raise
    data = snap.to_dict()
    click.echo(f"공개 자료 -> {snap.output}: {', '.join(map(str, data['years']))}년 "
               f"(회원사 {data['tables'].get('companies', 0):,}행)")


def _show(data: dict[str, Any], output: Path, fmt: str, show: Any) -> None:
    """Print the JSON (exactly the result's to_dict()) or a table."""
    if fmt == "json":
        click.echo(json.dumps(data, ensure_ascii=False, indent=2))
    else:
        show(data, output)


def _emit_json(data: Any, output: Path | None) -> None:
    """--format json: exactly the library's data, to -o (atomically) or to stdout."""
    from iupjong_xl import service

    text = json.dumps(data, ensure_ascii=False, indent=2)
    if output:
        _guard(service.write_text, output, text + "\n")
    else:
        click.echo(text)


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


def _rich_table(*heads: str, numeric: tuple[int, ...] = (), **kwargs: Any) -> Any:
    """A rich table whose number columns (numeric: their indexes) are right-aligned."""
    from rich.table import Table

    t = Table(**kwargs)
    for i, h in enumerate(heads):
        t.add_column(h, justify="right" if i in numeric else "left")
    return t


def _severity(sev: str, lang: str) -> str:
    if lang == "en":
        return sev
    return {"error": "오류", "warning": "경고"}.get(sev, sev)


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
    from rich.console import Console

    console = Console(width=max(120, Console().width))
    n = data["counts"]
    console.print(f"[bold]회원사 명부[/bold] {data['year']} -> {output}: 회원사 {n['companies']:,}곳 (교류회 소속 {n['memberships']:,}건, "
                  f"두 곳 이상 {n['companies_in_several_clubs']:,}곳), 교류회 {n['clubs']:,}개")
    feds = list(data["by_section_federation"][0]["federations"]) if data["by_section_federation"] else []
    if data.get("coverage_ko"):
        console.print(data["coverage_ko"])
    t = _rich_table("대분류", *feds, "합계", numeric=tuple(range(1, len(feds) + 2)), title="업종(KSIC 대분류) × 연합회")
    for r in data["by_section_federation"]:
        t.add_row(f"{r['section']} {r['name']}", *(f"{r['federations'][f]:,}" for f in feds), f"{r['total']:,}")
    console.print(t)
    t = _rich_table("종업원 규모", "회원사", numeric=(1,), title="규모별")
    for band, k in data["by_employee_band"].items():
        t.add_row(band, f"{k:,}")
    console.print(t)
    console.print("업종 수별 교류회: " + ", ".join(f"{k}개 업종 {v}" for k, v in data["clubs_by_divisions"].items())
                  + f" (이업종 아님 {n['clubs_not_cross_industry']}개)")


def _print_matches(data: dict[str, Any], output: Path | None) -> None:
    from rich.console import Console
    from rich.markup import escape

    console = Console(width=max(140, Console().width))
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
    from rich.console import Console

    console = Console(width=max(120, Console().width))
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
        console.print(f"회원사 {m['from']}→{m['to']} (사업자등록번호로 추적): 새로 가입 {m['joined']:,}곳, 탈퇴 {m['left']:,}곳, "
                      f"교류회 이동 {m['moved']:,}곳, 계속 {m['stayed']:,}곳")


def _print_history(data: dict[str, Any], lang: str, diff: bool) -> None:
    from rich.console import Console
    from rich.markup import escape

    console = Console(width=max(140, Console().width))
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


def _print_consolidation(data: dict[str, Any], lang: str) -> None:
    from rich.console import Console
    from rich.markup import escape

    console = Console(width=max(120, Console().width))
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
                      "보고율(%)" if ko else "rate (%)", "미제출" if ko else "missing", numeric=(1, 2, 3))
    for fed, e in data["reporting"].items():
        missing = ", ".join(e["missing"][:8]) + (" …" if len(e["missing"]) > 8 else "")
        rep.add_row(fed, str(e["registered"]), str(e["reported"]), str(e["reporting_rate"]), missing)
    console.print(rep)
    from iupjong_xl import service

    it = _rich_table("지표" if ko else "indicator", "값" if ko else "value", "논문(2009.3)" if ko else "paper (2009.3)",
                     numeric=(1, 2), title="전국 지표" if ko else "national indicators")
    for ind in service.indicators(s["year"], lang=lang):
        v = data["indicators"].get(ind.key)
        paper = "" if ind.paper is None else (f"{ind.paper:.1f}" if ind.decimals else f"{int(ind.paper):,}")
        shown = "-" if v is None else (f"{v:.{ind.decimals}f}" if ind.decimals else f"{v:,}")
        it.add_row(ind.label, f"{shown} {ind.unit}", paper)
    console.print(it)
    f = data["funding"]
    console.print((f"지원금: 신청 {f['requests']}건, 적격 {f['eligible']}건, 선정 {f['selected']}건 / {f['max_consortia']}, "
                   f"선정 총사업비 {f['selected_total_won']:,}원 / {f['budget_won']:,}원") if ko else
                  (f"funding: {f['requests']} requests, {f['eligible']} eligible, {f['selected']} selected / "
                   f"{f['max_consortia']}, total {f['selected_total_won']:,} / {f['budget_won']:,} won"))
    console.print((f"오류 {s['errors']}건, 경고 {s['warnings']}건 (검증결과 시트 참조)") if ko else
                  f"{s['errors']} errors, {s['warnings']} warnings (see the findings sheet)")
    if data.get("changes"):
        ch = _rich_table(*(("교류회", "연합회", "새 파일", "행 추가", "행 삭제", "바뀐 행", "바뀐 값") if ko else
                           ("club", "federation", "new file", "added", "removed", "changed", "cells")),
                         numeric=(3, 4, 5, 6), title="교체된 보고서의 변경 (변경 내역 시트 참조)" if ko else
                         "changes in replaced reports (see 변경 내역)")
        for c in data["changes"]:
            ch.add_row(c["unit"], c["federation"], escape(c["new_file"] or ""), str(c["added"]), str(c["removed"]),
                       str(c["changed"]), str(c["cells"]))
        console.print(ch)


def _print_table(report: Any, lang: str) -> None:
    from rich.console import Console
    from rich.markup import escape
    from rich.table import Table

    console = Console(width=max(120, Console().width))
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


def main() -> None:
    cli(prog_name="iupjong")
