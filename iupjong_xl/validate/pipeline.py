"""The validation pipeline: discover -> read -> locate -> coerce -> pandera (stacked) -> rules -> Report."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from iupjong_xl import rulebook
from iupjong_xl.errors import UsageError
from iupjong_xl.io.reader import FileProblem, Found, Workbook, discover, open_workbook
from iupjong_xl.io.sandbox import INTERNAL, Limits, Outcome, run_isolated
from iupjong_xl.rulebook import CONSOLIDATED_META, META_SHEET
from iupjong_xl.validate.findings import FileResult, Finding, FindingFactory, Report
from iupjong_xl.validate.layout import LayoutProblem, SheetData, match_sheet, read_form, read_meta, read_table
from iupjong_xl.validate.normalize import CoerceError, coerce_int
from iupjong_xl.validate.rules import FileRecords, PriorYear, check_rules
from iupjong_xl.validate.schemas import SheetInput, TypedColumns, coerce_records, duplicates, run_schema, stack_frame

if TYPE_CHECKING:
    import pandas as pd

Progress = Callable[[str], None]


@dataclass
class ParsedFile:
    """One input file after reading: its template, and its sheets' raw records with cells."""

    index: int
    found: Found
    result: FileResult
    book: rulebook.RuleBook | None = None
    kind: str | None = None
    sheets: dict[str, SheetData] = field(default_factory=dict)
    findings: list[Finding] = field(default_factory=list)
    typed: dict[str, TypedColumns] = field(default_factory=dict)  # sheet key -> coerced columns
    coerce_findings: dict[str, list[Finding]] = field(default_factory=dict)  # sheet key -> TYPE/FORMAT/... findings


@dataclass
class Checked:
    """Everything a validation run learned: the report plus typed frames (for consolidation)."""

    report: Report
    files: list[ParsedFile]
    frames: dict[tuple[int, str, str], pd.DataFrame]  # (year, kind, sheet key) -> typed rows of all files
    records: dict[int, dict[str, list[dict[str, Any]]]]  # file index -> sheet key -> typed records (with _r)


def validate(paths: Iterable[str], *, year: int | None = None, max_rows: int | None = None,
             prior: Mapping[int, PriorYear] | None = None,
             progress: Progress | None = None, workers: int | None = None, limits: Limits | None = None,
             exclude: Iterable[str | os.PathLike[str]] = ()) -> Report:
    """Validate files and folders; every problem becomes a finding, nothing raises for bad input. `prior`: last
    year's consolidation per year (from a ledger), for the year-over-year rules; without it they are silent.
    A consolidated workbook among them is not a report: skipped with a note (FILE_CONSOLIDATED_SKIPPED) that says
    to check it with `iupjong verify`. Nothing in the `exclude` folders is read."""
    checked = check(paths, year=year, max_rows=max_rows, progress=progress, workers=workers, keep=False,
                    limits=limits, prior=prior, exclude=exclude)
    report = checked.report
    notes = [_factory(pf.book or rulebook.load(rulebook.available_years()[-1])).make(
        "FILE_CONSOLIDATED_SKIPPED", pf.found.display) for pf in checked.files if pf.kind == "consolidated"]
    if notes:
        order = {pf.found.display: pf.index for pf in checked.files}
        report.findings = sorted(report.findings + notes, key=lambda f: order.get(f.file, -1))
    return report


PARALLEL_MIN_FILES = 64  # below this, starting worker processes costs more than it saves


def _workers(requested: int | None, files: int) -> int:
    """How many processes read files: IUPJONG_WORKERS or the argument, else the CPUs (at most 2 pay off here)."""
    if requested is None:
        env = os.environ.get("IUPJONG_WORKERS", "")
        requested = int(env) if env.isdigit() else min(2, os.cpu_count() or 1)
    return max(1, requested) if files >= PARALLEL_MIN_FILES else 1


def _factory(book: rulebook.RuleBook) -> FindingFactory:
    """The finding factory of a loaded rule book (made once per book, never per year alone: another rule-book folder
    is another book)."""
    return book.memo("finding_factory", lambda: FindingFactory(book))


def _read_file(job: tuple[int, Found, int | None, int | None]) -> ParsedFile:
    """Per-file work (in a worker process or not): open, locate sheets, coerce every cell. Returns a picklable
    ParsedFile whose rule book is detached (re-attached by _attach in the parent)."""
    index, found, year, max_rows = job
    years = rulebook.available_years()
    ff0 = _factory(rulebook.load(year if year is not None else years[-1]))
    pf = ParsedFile(index, found, FileResult(found.display, str(found.path)))
    if found.skipped == "not_found":
        pf.findings.append(ff0.make("FILE_NOT_FOUND", found.display))
        return pf
    _parse(pf, year, years, max_rows, ff0)
    if pf.book is not None and pf.kind is not None:
        ff = _factory(pf.book)
        for sheet in pf.book.report_sheets(pf.kind):
            data = pf.sheets.get(sheet.key)
            if data is None or data.skipped:
                continue
            cols, found_ = coerce_records(pf.book, sheet, SheetInput(index, found.display, data), ff)
            pf.typed[sheet.key], pf.coerce_findings[sheet.key] = cols, found_
            data.release()  # the raw grid values are not needed any more: memory stays flat at national scale
    pf.book = None  # a RuleBook is big to pickle; every process loads its own
    return pf


INTERNAL_CODES = frozenset({INTERNAL})  # findings that mean the program failed, not the file
IN_PROCESS_ENV = "IUPJONG_IN_PROCESS"  # "1": read files in this process, without isolation (profiling only)


def _limits(book: rulebook.RuleBook, given: Limits | None) -> Limits:
    """The per-file limits: given, else the rule book's `limits` (file_memory_mb, file_seconds), else the defaults."""
    if given is not None:
        return given
    default = Limits()
    return Limits(memory_mb=int(book.limits.get("file_memory_mb", default.memory_mb)),
                  seconds=float(book.limits.get("file_seconds", default.seconds)))


def file_limits(year: int | None = None) -> Limits:
    """The per-file limits of the rule book of `year` (default: the latest): what reading, and every other step
    that opens a submitted file, may cost."""
    return _limits(rulebook.load(year if year is not None else rulebook.available_years()[-1]), None)


def _read_all(jobs: list[tuple[int, Found, int | None, int | None]], n: int, limits: Limits,
              progress: Progress | None) -> list[ParsedFile]:
    """_read_file for every job, in worker processes under limits (or in this process when IUPJONG_IN_PROCESS=1)."""
    if os.environ.get(IN_PROCESS_ENV) == "1":
        out = []
        for job in jobs:
            out.append(_attach(_read_file(job)))
            if progress:
                progress(job[1].display)
        return out

    def done(i: int, outcome: Outcome) -> None:
        if progress:
            progress(jobs[i][1].display)

    outcomes = run_isolated(_read_file, jobs, workers=n, limits=limits, done=done,
                            initializer=rulebook.use_root, initargs=(rulebook.default_root(),))
    return [_attach(o.value) if o.ok else _failed(job, o) for job, o in zip(jobs, outcomes, strict=True)]


def _failed(job: tuple[int, Found, int | None, int | None], outcome: Outcome) -> ParsedFile:
    """The ParsedFile of a file whose worker died, hit a limit or raised: one file-level finding."""
    index, found, year, _max_rows = job
    years = rulebook.available_years()
    ff0 = _factory(rulebook.load(year if year is not None else years[-1]))
    pf = ParsedFile(index, found, FileResult(found.display, str(found.path)))
    code = outcome.code or INTERNAL
    pf.findings.append(ff0.make(code, found.display, detail=outcome.detail))
    return pf


def _attach(pf: ParsedFile) -> ParsedFile:
    if pf.result.year is not None and pf.kind not in (None, "consolidated"):
        pf.book = rulebook.load(pf.result.year)
    return pf


def check(paths: Iterable[str], *, year: int | None = None, max_rows: int | None = None,
          progress: Progress | None = None, workers: int | None = None, keep: bool = True,
          limits: Limits | None = None, prior: Mapping[int, PriorYear] | None = None,
          exclude: Iterable[str | os.PathLike[str]] = ()) -> Checked:
    """Validate and keep the typed rows (keep=False: findings only, less memory). Every file is read (and coerced)
    in a worker process under `limits` (default: the rule book's, else 1 GiB and 60 s per file): a file that kills
    or exhausts its worker gets FILE_READ_CRASHED / FILE_TOO_COMPLEX and the batch goes on. `workers` processes
    are used when that pays; the result does not depend on the number of workers."""
    years = rulebook.available_years()
    if not years:
        raise UsageError("no rule book found in validation/")
    if year is not None and year not in years:
        raise UsageError(f"no rule book for {year} (available: {', '.join(map(str, years))})")
    for y in [year] if year is not None else years:  # every rule book a file may name, checked here: a mistake in
        rulebook.load(y)  # one is a RuleBookError for the caller (exit 2), never a worker's crash on the first file
    default_book = rulebook.load(year if year is not None else years[-1])
    ff_default = _factory(default_book)
    loose: list[Finding] = []
    todo: list[Found] = []
    for found in discover(paths, exclude):
        if found.skipped == "lock":
            loose.append(ff_default.make("FILE_LOCK_SKIPPED", found.display))
        else:
            todo.append(found)
    jobs = [(i, found, year, max_rows) for i, found in enumerate(todo)]
    n = _workers(workers, len(jobs))
    parsed = _read_all(jobs, n, _limits(default_book, limits), progress)
    frames, records, more = _check_groups(parsed, keep, prior)
    findings = loose + [f for pf in parsed for f in pf.findings] + more
    order = {pf.found.display: pf.index for pf in parsed}
    sheet_order = {n: i for i, s in enumerate(default_book.sheets.values()) for n in (s.name, *s.aliases)}
    findings.sort(key=lambda f: (order.get(f.file, -1), sheet_order.get(f.sheet or "", -1), *f.sort_key()))
    return Checked(Report(findings, [pf.result for pf in parsed]), parsed, frames, records)


def _ko_detail(exc: FileProblem) -> dict[str, dict[str, Any]] | None:
    """The Korean message gets the Korean detail where the reader knows one."""
    return {"ko": {"detail": exc.detail_ko}} if exc.detail_ko else None


def _parse(pf: ParsedFile, year: int | None, years: list[int], max_rows: int | None, ff0: FindingFactory) -> None:
    disp = pf.found.display
    try:
        wb = open_workbook(pf.found.path)
    except FileProblem as exc:
        pf.findings.append(ff0.make(exc.code, disp, detail=exc.detail, i18n=_ko_detail(exc)))
        return
    with wb:
        try:
            _parse_open(pf, wb, year, years, max_rows, ff0)
        except FileProblem as exc:
            pf.findings.append(ff0.make(exc.code, disp, detail=exc.detail, i18n=_ko_detail(exc)))


# the sheets of a findings workbook (outputs/findings_xlsx.py), Korean and English
FINDINGS_SHEETS = ({"요약", "검증결과"}, {"Summary", "Findings"})

_SKIPPED_SHEET = {
    "macro": {"ko": {"detail": "엑셀 4.0 매크로 시트"}, "en": {"detail": "an Excel 4.0 macro sheet"}},
    "dialog": {"ko": {"detail": "엑셀 5.0 대화 상자 시트"}, "en": {"detail": "an Excel 5.0 dialog sheet"}},
}


def _parse_open(pf: ParsedFile, wb: Workbook, year: int | None, years: list[int], max_rows: int | None,
                ff0: FindingFactory) -> None:
    disp = pf.found.display
    pf.result.readable = True
    for skipped, what in wb.skipped_sheets:
        pf.findings.append(ff0.make("FILE_SHEET_SKIPPED", disp, sheet=skipped, i18n=_SKIPPED_SHEET[what]))
    names = list(wb.sheet_names)
    if set(names) in FINDINGS_SHEETS:  # a findings workbook `iupjong validate --format xlsx` wrote: not a report
        pf.kind = pf.result.kind = "findings"
        pf.findings.append(ff0.make("FILE_FINDINGS_SKIPPED", disp))
        return
    if CONSOLIDATED_META in names:
        pf.kind = "consolidated"  # a workbook `iupjong consolidate` wrote: read by consolidation, not a report
        pf.result.kind = "consolidated"
        return
    meta = read_meta(wb.grid(META_SHEET)) if META_SHEET in names else {}
    kind, tyear = _identify(meta, wb, names, year, years)
    if kind is None:
        if meta:
            detail = {lang: {"detail": f"template_id={meta.get('template_id')}"} for lang in ("ko", "en")}
        else:
            detail = {"ko": {"detail": "서식 정보 시트와 보고서 시트를 찾지 못함"},
                      "en": {"detail": "no template id sheet and no report sheets found"}}
        pf.findings.append(ff0.make("FILE_TEMPLATE_UNKNOWN", disp, i18n=detail))
        return
    if tyear is None or (year is not None and tyear != year) or tyear not in years:
        expected = year if year is not None else "/".join(map(str, years))
        pf.findings.append(ff0.make("FILE_TEMPLATE_YEAR", disp, found=tyear if tyear is not None else "?", expected=expected))
        return
    book = rulebook.load(tyear)
    ff = _factory(book)
    pf.book, pf.kind = book, kind
    pf.result.kind, pf.result.year = kind, tyear
    pf.result.template_version = meta.get("version") or f"{tyear}(추정)"
    limit = max_rows if max_rows is not None else book.limits.get("max_rows", 5000)
    search = book.limits.get("header_search_rows", 10)
    for sheet in book.report_sheets(kind):
        name = match_sheet(sheet, names)
        if name is None:
            pf.findings.append(ff.make("FILE_SHEET_MISSING", disp, sheet=sheet.name))
            continue
        if sheet.layout == "form":
            data, problems = read_form(sheet, wb.grid(name, max_rows=max(limit, 1000) + search))
        else:
            grid = wb.grid(name, max_rows=limit + search)
            data, problems = read_table(sheet, grid, book)
            if grid.truncated or len(data.records) > limit:
                rows = grid.total_rows - (data.header_row or 0) - 1
                data.records.clear()
                data.rows.clear()
                data.skipped = True
                problems = [LayoutProblem("FILE_TOO_MANY_ROWS", name, None, None, None, None, {"rows": rows, "limit": limit})]
        for p in problems:
            pf.findings.append(ff.make(p.code, disp, sheet=p.sheet, cell=p.cell, row=p.row, column=p.column,
                                       value=p.value, **p.params))
        pf.sheets[sheet.key] = data
        pf.result.rows[sheet.key] = len(data.records)


def _identify(meta: dict[str, str], wb: Workbook, names: list[str], year: int | None,
              years: list[int]) -> tuple[str | None, int | None]:
    """(kind, template year) from the template id sheet, else from the sheet names and the report year cell."""
    book = rulebook.load(year if year is not None else years[-1])
    if meta:
        rep = book.report_for_template(meta.get("template_id", ""))
        kind = rep.kind if rep else (meta.get("kind") if meta.get("kind") in book.reports else None)
        try:
            tyear = coerce_int(meta.get("year"))
        except CoerceError:
            tyear = None
        return kind, tyear
    for kind, rep in book.reports.items():
        sheets = [book.sheets[k] for k in rep.sheets]
        if sum(match_sheet(s, names) is not None for s in sheets) * 2 < len(sheets):
            continue
        profile = sheets[0]
        name = match_sheet(profile, names)
        if name is None or profile.layout != "form":
            return kind, None
        data, _ = read_form(profile, wb.grid(name))
        try:
            ry = coerce_int(data.records[0].get("report_year"))
        except CoerceError:
            ry = None
        return kind, ry
    return None, None


def _check_groups(parsed: list[ParsedFile], keep: bool = True, prior: Mapping[int, PriorYear] | None = None) -> tuple[dict[tuple[int, str, str], Any],
                                                    dict[int, dict[str, list[dict[str, Any]]]], list[Finding]]:
    """Coerce and check each sheet kind over all files of the same year and kind at once, then run rules per file."""
    groups: dict[tuple[int, str], list[ParsedFile]] = {}
    for pf in parsed:
        if pf.book is not None and pf.kind is not None:
            groups.setdefault((pf.book.year, pf.kind), []).append(pf)
    frames: dict[tuple[int, str, str], Any] = {}
    records: dict[int, dict[str, list[dict[str, Any]]]] = {}
    files = {pf.index: pf for pf in parsed}
    out: list[Finding] = []
    for (year, kind), pfs in groups.items():
        book = rulebook.load(year)
        ff = _factory(book)
        per_file: dict[int, FileRecords] = {pf.index: FileRecords(pf.found.display, {}, {}) for pf in pfs}
        for sheet in book.report_sheets(kind):
            inputs = [SheetInput(pf.index, pf.found.display, pf.sheets[sheet.key])
                      for pf in pfs if sheet.key in pf.sheets and not pf.sheets[sheet.key].skipped]
            by_index = {i.file_index: i for i in inputs}
            df = stack_frame(sheet, [(i.file_index, files[i.file_index].typed.pop(sheet.key)) for i in inputs])
            coerce_findings = [f for i in inputs for f in files[i.file_index].coerce_findings[sheet.key]]
            index_of = {i.file: i.file_index for i in inputs}
            skip = {(index_of[f.file], f.record, _key(sheet, f.column)) for f in coerce_findings if f.record is not None}
            absent = _absent_cells(sheet, inputs)
            out.extend(coerce_findings)
            out.extend(run_schema(book, sheet, df, by_index, ff, skip | absent))
            out.extend(duplicates(book, sheet, df, by_index, ff))
            if keep:
                frames[(year, kind, sheet.key)] = df
            for inp in inputs:
                per_file[inp.file_index].inputs[sheet.key] = inp
                per_file[inp.file_index].records[sheet.key] = []
            for rec in _records(df):
                per_file[rec["_f"]].records[sheet.key].append(rec)
        for index, fr in per_file.items():
            out.extend(check_rules(book, fr, ff, prior))
            if keep:
                records[index] = fr.records
    return frames, records, out


def _key(sheet: rulebook.Sheet, header: str | None) -> str:
    for c in sheet.columns:
        if c.header == header:
            return c.key
    return ""


def _absent_cells(sheet: rulebook.Sheet, inputs: list[SheetInput]) -> set[tuple[int, int, str]]:
    """Cells of columns the file lacks altogether: reported once as FILE_COLUMN_MISSING, not per row."""
    out: set[tuple[int, int, str]] = set()
    for inp in inputs:
        for col in sheet.columns:
            if inp.data.n_records and inp.data.pos(0, col.key) is None:
                out.update((inp.file_index, r, col.key) for r in range(inp.data.n_records))
    return out


def _records(df: Any) -> list[dict[str, Any]]:
    if df.empty:
        return []
    obj = df.astype(object)
    obj = obj.where(df.notna(), None)
    return obj.to_dict("records")
