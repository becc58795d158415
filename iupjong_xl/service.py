"""The use cases, run the same way for the command line and the Excel add-in: each one reads, merges, derives and
writes, and returns plain data. Nothing here prints, exits or knows about options or message boxes.

Consolidate and refresh keep the ledger (iupjong.db beside the workbook, or the one named): a run holds its write
lock from reading the previous state to recording the view it wrote; the workbook is a view written from it."""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from iupjong_xl.consolidate.model import ALL_SHEETS
from iupjong_xl.consolidate.rowkeys import equal, row_key, shown

if TYPE_CHECKING:
    import sqlite3

    from iupjong_xl.consolidate.derive import Derived
    from iupjong_xl.consolidate.edits import Edits
    from iupjong_xl.consolidate.model import Consolidation, Previous
    from iupjong_xl.validate.findings import Finding, Report

Progress = Callable[[str], None]


@dataclass
class Run:
    """What a consolidation or refresh produced: the consolidation, its derived tables and their description."""

    cons: Consolidation
    derived: Derived
    data: dict[str, Any]  # consolidate.derive.describe(): the JSON contract of a run
    output: Path
    written: bool
    ledger: Path | None = None
    run_number: int | None = None  # the run's id in the ledger
    backup: Path | None = None  # the edited workbook, kept beside it when something typed could not stay in it
    edits: dict[str, Any] = field(default_factory=dict)  # what was taken from the edited workbook (counts, inputs)
    changes: list[dict[str, Any]] = field(default_factory=list)  # per replaced report: rows added/removed/changed
    run_findings: list[Finding] = field(default_factory=list)  # the findings this run made of the edited workbook


class _DryRun(Exception):
    """Raised inside the ledger transaction of a dry run so that nothing is kept."""


def ledger_path(output: str | os.PathLike[str], ledger: str | os.PathLike[str] | None = None) -> Path:
    from iupjong_xl.consolidate.ledger import default_path

    return Path(ledger) if ledger is not None else default_path(output)


def consolidate(inputs: Iterable[str | os.PathLike[str]], output: str | os.PathLike[str], *, level: str = "national",
                year: int | None = None, dry_run: bool = False, lang: str = "ko",
                progress: Progress | None = None, ledger: str | os.PathLike[str] | None = None,
                use_ledger: bool = True) -> Run:
    """Validate the inputs, merge them into the workbook's previous state (the ledger's), derive indicators and
    funding, record the run in the ledger and write the workbook as its view (unless dry_run: then nothing is kept)."""
    from iupjong_xl.consolidate.merge import consolidate as merge
    from iupjong_xl.io.reader import require_inputs

    out = Path(output)
    paths = [str(p) for p in inputs]
    require_inputs(paths)  # a path that does not exist, or no workbook at all: a usage error, nothing written

    def build(previous: Any, prior: Any = None) -> Consolidation:
        return merge(paths, year=year, level=level, output=out, progress=progress, previous=previous, prior=prior)

    return _run(out, ledger, build, lang=lang, dry_run=dry_run, use_ledger=use_ledger, command="consolidate",
                inputs=paths, level=level, year=year)


def refresh(path: str | os.PathLike[str], *, lang: str = "ko", ledger: str | os.PathLike[str] | None = None,
            use_ledger: bool = True) -> Run:
    """Take the edits people made (scores in 지원금, corrections), recompute indicators and the funding round, and
    rewrite the workbook in place."""
    from iupjong_xl.consolidate.readback import as_consolidation, load_for_refresh

    out = Path(path)

    def build(previous: Any, prior: Any = None) -> Consolidation:
        from iupjong_xl.consolidate.merge import READ_OUTPUT

        if previous is READ_OUTPUT or previous is None:
            return load_for_refresh(out)
        return as_consolidation(previous)

    run = _run(out, ledger, build, lang=lang, dry_run=False, use_ledger=use_ledger, command="refresh", inputs=[],
               level=None, year=None)
    _refresh_report(run, lang)
    return run


_FILE_COUNTS = ("files", "created", "replaced", "unchanged", "kept", "rejected", "conflict", "duplicate", "conflicts",
                "rows_in", "rows_accepted", "rows_rejected", "files_reused")


def _refresh_report(run: Run, lang: str) -> None:
    """A refresh reports like a consolidation (same JSON shape): its findings are the ones it made of what people
    typed (a refused score or correction, a restored row, a row added by hand ...), its summary counts them; no file
    was taken in. `edits` says what was taken, restored and backed up, and where."""
    data = run.data
    s = data["summary"]
    s["command"] = "refresh"
    for k in _FILE_COUNTS:
        if k in s:
            s[k] = 0
    s["errors"] = sum(f.severity == "error" for f in run.run_findings)
    s["warnings"] = sum(f.severity == "warning" for f in run.run_findings)
    data["findings"] = [f.to_dict(lang) for f in run.run_findings]
    data["edits"] = {"corrections": 0, "scores": 0, "restored": 0, "added": 0, "not_taken": 0, "extra_columns": 0,
                     "inputs": [], **run.edits, "backup": str(run.backup) if run.backup else None}


def _run(out: Path, ledger: str | os.PathLike[str] | None, build: Callable[..., Consolidation], *, lang: str,
         dry_run: bool, use_ledger: bool, command: str, inputs: list[str], level: str | None,
         year: int | None) -> Run:
    from iupjong_xl.consolidate import history, record
    from iupjong_xl.consolidate.derive import derive
    from iupjong_xl.consolidate.ledger import open_ledger, sha256_bytes
    from iupjong_xl.consolidate.merge import READ_OUTPUT
    from iupjong_xl.outputs import workbook

    db = ledger_path(out, ledger)
    if not use_ledger or (dry_run and not db.exists()):
        cons = build(READ_OUTPUT)
        derived = derive(cons)
        if not dry_run:
            workbook.write_workbook(cons, out, derived)
        return _finish(Run(cons, derived, {}, out, not dry_run), lang, dry_run)
    if not dry_run:
        try:
            out.resolve().parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            from iupjong_xl.errors import OutputError

            raise OutputError(f"{out.parent} 폴더를 만들지 못했습니다 ({exc}).", f"cannot create the folder {out.parent} ({exc})",
                              file=str(out)) from exc
    led = open_ledger(db)
    result: Run | None = None
    tmp: Path | None = None
    pending: Path | None = None
    try:
        with led, contextlib.suppress(_DryRun), led.writing() as conn:
            key = record.workbook_key(db, out)
            for stale in out.resolve().parent.glob(f".{out.name}.*.tmp"):  # left by a run that was killed
                with contextlib.suppress(OSError):
                    stale.unlink()
            run_id = record.start_run(conn, command=command, inputs=inputs, workbook=key, level=level, year=year)
            previous, extra_findings, backup, counts = _previous_state(conn, run_id, key, out, db)
            cons = build(previous, record.prior_years(conn, db))  # last year's figures: year-over-year rules
            cons.findings.extend(extra_findings)
            cons.run = run_id
            status = _statuses(cons)
            record.record_run(conn, run_id, key, cons, previous, status)
            _fault("recorded")
            cons.extra_columns = record.extra_columns(conn, key)
            cons.edit_log = record.edit_log(conn, key)
            replaced = history.run_changes(previous, cons, status)
            cons.changes = [r for d in replaced for r in d.rows(cons.book)] + history.correction_rows(cons)
            derived = derive(cons)
            result = Run(cons, derived, {}, out, not dry_run, db, run_id, backup, counts,
                         [d.summary() for d in replaced], list(extra_findings))
            if dry_run:
                raise _DryRun
            fd, name = tempfile.mkstemp(prefix=f".{out.name}.", suffix=".tmp", dir=out.resolve().parent)
            os.close(fd)
            tmp = Path(name)
            workbook.write_workbook(cons, tmp, derived)
            view_sha = sha256_bytes(tmp.read_bytes())
            record.record_view(conn, run_id, key, view_sha, cons, derived)
            _fault("view_written")
            summary = cons.summary()  # what describe() reports as the summary; _finish describes the run once
            record.finish_run(conn, run_id, outcome="errors" if summary["errors"] else "ok", counts=summary,
                              rulebook_version=cons.book.version, year=cons.year, run_key=cons.content_hash)
            # the new view replaces the old one while this run still holds the lock (no later run can be overtaken);
            # its sha256 is noted beside the ledger first: killed before the commit, the workbook is a view the
            # ledger does not have, and the next run knows it from the note and rewrites it from the ledger
            pending = _note_pending(db, view_sha)
            os.replace(tmp, out)
            tmp = None
            _forget_pending(db, keep=pending)  # the notes of killed runs: their views are not on disk any more
            _fault("replaced")
        if pending is not None:  # committed: the ledger knows this view now
            _forget_pending(db, keep=None, only=pending)
    except BaseException:
        if result is not None and result.backup is not None and not dry_run:
            with contextlib.suppress(OSError):
                result.backup.unlink()
        raise
    finally:
        if tmp is not None:
            with contextlib.suppress(OSError):
                tmp.unlink()
    assert result is not None
    return _finish(result, lang, dry_run)


FAULT_ENV = "IUPJONG_FAULT_AT"  # crash tests: kill -9 this process at a named point of a run


def _fault(point: str) -> None:
    if os.environ.get(FAULT_ENV) == point:
        import signal

        os.kill(os.getpid(), signal.SIGKILL)


def _finish(run: Run, lang: str, dry_run: bool) -> Run:
    from iupjong_xl.consolidate.derive import describe

    run.data = describe(run.cons, run.derived, lang)
    run.data["summary"]["dry_run"] = dry_run
    run.data["summary"]["output"] = str(run.output)
    run.data["summary"]["ledger"] = str(run.ledger) if run.ledger else None
    if run.edits:
        run.data["edits"] = dict(run.edits, backup=str(run.backup) if run.backup else None)
    if run.changes:
        run.data["changes"] = run.changes
    return run


def _statuses(cons: Consolidation) -> dict[tuple[str, tuple[int, str]], str]:
    """Unit key -> created / replaced, for the units this run's files brought (by the file's sha256)."""
    by_sha: dict[str, list[tuple[str, tuple[int, str]]]] = {}
    for key, unit in cons.units.items():
        by_sha.setdefault(unit.sha256, []).append(key)
    out: dict[tuple[str, tuple[int, str]], str] = {}
    for s in cons.sources:
        for outcome in s.outcomes:
            if outcome in ("created", "replaced") and s.sha256 is not None:
                out.update(dict.fromkeys(by_sha.get(s.sha256, []), outcome))
    return out


def _previous_state(conn: sqlite3.Connection, run_id: int, key: str, out: Path,
                    db: Path) -> tuple[Previous | None, list[Finding], Path | None, dict[str, Any]]:
    """The workbook's state before this run, as the ledger holds it, with the edits people made in the workbook since
    the ledger wrote it (recorded now); a consolidated workbook the ledger has never seen is taken in (bootstrap)."""
    from iupjong_xl import rulebook
    from iupjong_xl.consolidate import record
    from iupjong_xl.consolidate.edits import detect
    from iupjong_xl.consolidate.ledger import sha256_bytes
    from iupjong_xl.consolidate.readback import read_consolidated
    from iupjong_xl.validate.findings import FindingFactory

    previous = record.load_previous(conn, key, out)
    findings: list[Finding] = []
    if previous is None:
        if out.exists():
            boot = read_consolidated(out)
            if boot is not None:
                ff = FindingFactory(rulebook.load(boot.year))
                findings.append(ff.make("LEDGER_BOOTSTRAP", out.name))
                return boot, findings, None, {"bootstrapped": 1}
        return None, findings, None, {}
    if not out.exists():
        return previous, findings, None, {}
    on_disk = sha256_bytes(out.read_bytes())
    if on_disk in record.view_shas(conn, key):
        return previous, findings, None, {}  # the view as the ledger wrote it (or an older one after a crash)
    if on_disk in _pending(db):
        return previous, findings, None, {}  # written by a run that was killed before its commit: rewrite it
    book = rulebook.load(previous.year)
    edits = detect(out, previous, book)
    backup = _backup_path(out, run_id) if edits.needs_backup else None
    if backup is not None:
        shutil.copy2(out, backup)
    scores_before = {**{k: v for k, v in (previous.shown_scores or {}).items() if v is not None}, **previous.scores,
                     **previous.invalid_scores}  # what 지원금 showed
    findings += _apply_edits(conn, run_id, key, out, previous, edits, book, backup)
    names = {k: sh.name for k, sh in book.sheets.items()}
    headers = {(k, c.key): c.header for k, sh in book.sheets.items() for c in sh.columns}
    scores_now = {**edits.scores, **edits.invalid_scores}
    refused = {p.key for p in edits.score_problems}
    typed = sorted(k for k in set(previous.scores) | set(previous.invalid_scores) | set(scores_now)
                   if scores_before.get(k) != scores_now.get(k) or k in refused)
    inputs: list[dict[str, Any]] = [
        *({"kind": "correction", "sheet": names[c.sheet], "cell": c.cell, "column": headers[(c.sheet, c.column)],
           "row_id": c.uid, "old": shown(c.old), "new": shown(c.new), "taken": c.problem is None} for c in edits.corrections),
        *({"kind": "score", "sheet": "지원금", "cell": edits.score_cells.get(k), "column": "평가점수", "key": k,
           "old": _plain(scores_before.get(k)), "new": _plain(scores_now.get(k)), "taken": k not in refused}
          for k in typed),
        *({"kind": "restored", "sheet": names[sh], "row_id": uid, "key": row_key(sh, row, unit=True)}
          for sh, uid, row in edits.restored),
        *({"kind": "added", "sheet": names[sh], "cell": cell, "row": n, "backup": str(backup) if backup else None}
          for sh, n, cell in edits.added),
        *({"kind": "not_taken", "sheet": names[sh], "cell": cell, "column": header, "row_id": uid,
           "backup": str(backup) if backup else None} for sh, uid, header, cell in edits.not_taken),
    ]
    counts: dict[str, Any] = {"corrections": len(edits.corrections), "scores": len(typed), "restored": len(edits.restored),
                              "added": len(edits.added), "not_taken": len(edits.not_taken),
                              "extra_columns": sum(len(v) for v in edits.extras.values())}
    counts = {k: v for k, v in counts.items() if v}
    if inputs:
        counts["inputs"] = inputs
    return previous, findings, backup, counts


def _pending_dir(db: Path) -> Path:
    return db.with_name(db.name + ".pending")


def _note_pending(db: Path, sha: str) -> Path:
    """Note (durably) the sha256 of a view about to replace its workbook before this run's commit: one empty file
    per view, removed once the commit has made the view known to the ledger."""
    folder = _pending_dir(db)
    mark = folder / sha
    for attempt in range(3):  # the folder of the last note is removed by the run that made it, once committed
        folder.mkdir(exist_ok=True)
        try:
            fd = os.open(mark, os.O_CREAT | os.O_WRONLY, 0o644)
            break
        except FileNotFoundError:
            if attempt == 2:
                raise
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
    return mark


def _forget_pending(db: Path, *, keep: Path | None, only: Path | None = None) -> None:
    """Remove the notes of views (`only` that one, else every one but `keep`), and the folder once it is empty: no
    empty iupjong.db.pending/ is left beside the ledger."""
    folder = _pending_dir(db)
    marks = [only] if only is not None else (list(folder.iterdir()) if folder.is_dir() else [])
    for mark in marks:
        if mark != keep:
            with contextlib.suppress(OSError):
                mark.unlink()
    with contextlib.suppress(OSError):
        folder.rmdir()  # only when empty: a note another run has just made stays


def _pending(db: Path) -> set[str]:
    folder = _pending_dir(db)
    return {p.name for p in folder.iterdir()} if folder.is_dir() else set()


def _backup_path(out: Path, run_id: int) -> Path:
    return out.with_name(f"{out.stem}.수정본-{run_id}{out.suffix}")


def _apply_edits(conn: sqlite3.Connection, run_id: int, key: str, out: Path, previous: Previous, edits: Edits,
                 book: Any, backup: Path | None) -> list[Finding]:
    from iupjong_xl.consolidate import record
    from iupjong_xl.consolidate.sheets import UID
    from iupjong_xl.validate.findings import FindingFactory

    ff = FindingFactory(book)
    findings: list[Finding] = []
    rows = {str(r[UID]): r for u in previous.units.values() for rs in u.rows.values() for r in rs if r.get(UID)}
    names = {k: s.name for k, s in book.sheets.items()}
    headers = {(k, c.key): c.header for k, s in book.sheets.items() for c in s.columns}
    for c in edits.corrections:
        row = rows[c.uid]
        refused = previous.invalid_cells.setdefault(c.uid, {})
        note = None
        if c.problem is None:  # a valid value: the ledger's row takes it
            refused.pop(c.column, None)
            row[c.column] = c.new
            record.update_row(conn, c.uid, row)
        else:  # refused by its rule: shown as typed, recorded with its finding; derived tables keep the last valid
            refused[c.column] = c.new
            note = c.problem[0]
            last = shown(row.get(c.column))
            findings.append(ff.make("LEDGER_CORRECTION_INVALID", out.name, sheet=names[c.sheet], cell=c.cell,
                                    column=headers[(c.sheet, c.column)], value=_plain(c.new),
                                    i18n={"ko": {"reason": c.problem[0], "last": "빈칸" if last in (None, "") else last},
                                          "en": {"reason": c.problem[1], "last": "blank" if last in (None, "") else last}}))
        if not refused:
            previous.invalid_cells.pop(c.uid, None)
        record.log_input(conn, run_id, key, "correction", sheet=names[c.sheet], target=c.uid,
                         column=headers[(c.sheet, c.column)], old=c.old, new=c.new, note=note)
    for p in edits.score_problems:
        findings.append(ff.make("LEDGER_SCORE_INVALID", out.name, sheet="지원금", cell=p.cell, column="평가점수",
                                value=_plain(p.value), i18n={"ko": {"reason": p.problem[0], "title": p.title},
                                                            "en": {"reason": p.problem[1], "title": p.title}}))
    for sheet, uid, row in edits.restored:
        findings.append(ff.make("LEDGER_ROW_RESTORED", out.name, sheet=names[sheet], key=row_key(sheet, row, unit=True)))
        record.log_input(conn, run_id, key, "restored", sheet=names[sheet], target=uid, note=row_key(sheet, row, unit=True))
    kept_in = backup.name if backup is not None else ""
    for sheet, n, cell in edits.added:
        findings.append(ff.make("LEDGER_ROW_ADDED", out.name, sheet=names[sheet], cell=cell, row=n, backup=kept_in))
        record.log_input(conn, run_id, key, "added", sheet=names[sheet], target=f"{n}행", note=kept_in)
    for sheet, uid, header, cell in edits.not_taken:
        findings.append(ff.make("LEDGER_EDIT_NOT_TAKEN", out.name, sheet=names[sheet], cell=cell, column=header,
                                backup=kept_in))
        record.log_input(conn, run_id, key, "not_taken", sheet=names[sheet], target=uid, column=header, note=kept_in)
    for sheet, columns in edits.extras.items():
        for header, position, values in columns:
            for uid, value in values.items():
                record.set_extra(conn, run_id, key, sheet, header, position, uid, value)
    refused_scores = {p.key: p for p in edits.score_problems}
    shown_before = previous.shown_scores or {}
    for rkey in sorted(set(previous.scores) | set(edits.scores) | set(refused_scores)):
        old = previous.invalid_scores.get(rkey, previous.scores.get(rkey, shown_before.get(rkey)))
        new = edits.invalid_scores.get(rkey, edits.scores.get(rkey))
        if old != new or rkey in refused_scores:
            problem = refused_scores[rkey].problem[0] if rkey in refused_scores else None
            record.log_input(conn, run_id, key, "score", sheet="지원금", target=rkey, column="평가점수", old=old, new=new,
                             note=problem)
    previous.scores, previous.score_titles = edits.scores, edits.score_titles
    previous.invalid_scores = edits.invalid_scores
    return findings


def _plain(v: Any) -> Any:
    """A typed value as a person wrote it: 150, not 150.0."""
    if isinstance(v, float) and v.is_integer():
        return int(v)
    return shown(v)


def derive_copy(source: str | os.PathLike[str], target: str | os.PathLike[str]) -> Run:
    """Read a consolidated workbook (e.g. a snapshot of the one open in Excel), recompute it, and write the result
    to another file (the add-in copies the derived sheets back into the open workbook)."""
    from iupjong_xl.consolidate.derive import derive, describe
    from iupjong_xl.consolidate.readback import load_for_refresh
    from iupjong_xl.outputs import workbook

    cons = load_for_refresh(source)
    derived = derive(cons)
    out = workbook.write_workbook(cons, target, derived)
    return Run(cons, derived, describe(cons, derived), out, True)


def validate(paths: Iterable[str | os.PathLike[str]], *, year: int | None = None, max_rows: int | None = None,
             progress: Progress | None = None, ledger: str | os.PathLike[str] | None = None,
             exclude: Iterable[str | os.PathLike[str]] = ()) -> Report:
    """Validate report files or folders: every finding with file, sheet, cell, code and message. With a ledger,
    reports are also compared with the previous year it holds (year-over-year plausibility). Nothing in the
    `exclude` folders is read (e.g. where the marked-up copies go).

    Input mistakes raise UsageError before anything is read: a path that does not exist, no workbook under the
    paths; and after reading, when every file was something else than a report (a consolidated workbook, a findings
    workbook: the error says what each one is)."""
    from iupjong_xl.errors import UsageError
    from iupjong_xl.io.reader import require_inputs
    from iupjong_xl.validate.pipeline import validate as run

    given = [str(p) for p in paths]
    excluded = [str(e) for e in exclude]
    require_inputs(given, excluded)
    prior = None
    if ledger is not None:
        from iupjong_xl.consolidate.record import prior_years_of

        prior = prior_years_of(ledger)
    report = run(given, year=year, max_rows=max_rows, progress=progress, prior=prior, exclude=excluded)
    if report.files and all(fr.kind in ("consolidated", "findings") for fr in report.files):
        ko = " ".join(f"{f.file}: {f.message('ko')}" for f in report.findings)
        en = " ".join(f"{f.file}: {f.message('en')}" for f in report.findings)
        raise UsageError(f"검증할 보고서가 없습니다. {ko}", f"no report to validate. {en}", file=report.files[0].file)
    return report


def annotate_copies(report: Report, folder: str | os.PathLike[str], *, lang: str = "ko") -> list[Path]:
    """Write a marked-up copy of every report with findings into folder, each under the reader's limits (in a
    worker process): a copy that would exceed them is not written, and a FILE_TOO_COMPLEX finding on its file is
    added to the report instead. Returns the copies written."""
    from iupjong_xl.outputs.annotate import annotate_report

    written, refused = annotate_report(report, folder, lang=lang)
    if refused:
        order = {fr.file: i for i, fr in enumerate(report.files)}
        report.findings = sorted(report.findings + refused, key=lambda f: order.get(f.file, -1))
    return written


@dataclass
class Difference:
    """One thing that does not hold between a workbook and its ledger."""

    check: str  # cells | rows | sheets | files | counts | indicators | funding
    ko: str
    en: str
    sheet: str | None = None
    detail: str | None = None
    kind: str = "tampered"  # tampered | pending_input | row_missing | row_added | sheet_missing
    cell: str | None = None  # A1, in the workbook checked (a missing row: where the view had it)
    column: str | None = None  # the column's Korean header
    expected: Any = None  # what the ledger's view shows there
    found: Any = None  # what the workbook holds

    def to_dict(self, lang: str = "ko") -> dict[str, Any]:
        return {"check": self.check, "sheet": self.sheet, "message": self.en if lang == "en" else self.ko,
                "detail": self.detail, "kind": self.kind, "cell": self.cell, "column": self.column,
                "expected": self.expected, "found": self.found}


class Verification(list[Difference]):
    """verify's answer: the differences (none: the workbook is proven), how it compared (cells: with the view the
    ledger rebuilds, every cell; rows: a view written by another program or rule-book version, row by row by key)
    and which program and rule-book version wrote the view."""

    mode: str = "cells"
    written_by: dict[str, Any]

    def __init__(self) -> None:
        super().__init__()
        self.written_by = {}


_KIND_TEXT = {
    "tampered": ("원장과 다릅니다", "differs from the ledger"),
    "pending_input": ("아직 반영하지 않은 입력입니다 (`iupjong refresh`로 반영)", "typed, not yet taken (run `iupjong refresh`)"),
    "row_missing": ("원장의 행이 없습니다 (지워짐)", "a row of the ledger is missing (deleted)"),
    "row_added": ("원장에 없는 행입니다 (손으로 더함)", "a row the ledger does not have (added by hand)"),
    "sheet_missing": ("시트가 없습니다", "the sheet is missing"),
}
_WHAT_TEXT = {"formula": ("수식", "formula"), "format": ("표시 형식", "number format"), "column": ("열", "column")}


def _cell_difference(d: Any) -> Difference:
    ko, en = _KIND_TEXT[d.kind]
    where = f"{d.sheet}" + (f" {d.cell}" if d.cell else "") + (f" ({d.column})" if d.column else "") + (
        f" [{d.label}]" if d.label and d.kind not in ("row_added", "row_missing") else "")
    what_ko, what_en = _WHAT_TEXT.get(d.what, ("값", "value"))
    if d.kind in ("row_missing", "row_added"):
        key = d.expected if d.kind == "row_missing" else d.found
        text = (f"{where}: {ko} — {d.column} {key}", f"{where}: {en} — {d.column} {key}")
    elif d.kind == "sheet_missing":
        text = (f"{d.sheet}: {ko}", f"{d.sheet}: {en}")
    else:
        text = (f"{where}: {what_ko}이 {ko} — 원장 {d.expected!r}, 통합 문서 {d.found!r}",
                f"{where}: the {what_en} {en} — ledger {d.expected!r}, workbook {d.found!r}")
    check = {"row_missing": "rows", "row_added": "rows", "sheet_missing": "sheets"}.get(d.kind, "cells")
    return Difference(check, text[0], text[1], d.sheet, d.label, d.kind, d.cell, d.column, d.expected, d.found)


def verify(path: str | os.PathLike[str], *, ledger: str | os.PathLike[str] | None = None) -> Verification:
    """Prove a consolidated workbook against its ledger: the ledger's view state rebuilt by the writer that wrote it
    is compared with the workbook cell by cell on every sheet (values, formula text, number formats, sheets and rows
    present; data rows matched by row id, so widths, styles and sorting are no difference); every data row traces to
    a stored submission whose bytes still give its sha256. A view written by another program or rule-book version is
    compared row by row by key, and the answer says which version wrote it. Returns the differences (none: the
    workbook is proven)."""
    from iupjong_xl.consolidate import record
    from iupjong_xl.consolidate.ledger import LedgerError, open_ledger, program_version, sha256_bytes
    from iupjong_xl.consolidate.sheets import UID

    out = Path(path)
    db = ledger_path(out, ledger)
    if not db.exists():
        raise LedgerError(f"{out} 옆에 원장({db.name})이 없습니다. 원장 파일을 지정하세요.",
                          f"there is no ledger ({db.name}) beside {out}; name the ledger file", file=str(db))
    result = Verification()
    with open_ledger(db, create=False) as led:
        conn = led.conn
        key = record.workbook_key(db, out)
        previous = record.load_previous(conn, key, out)
        if previous is None:
            raise LedgerError(f"원장 {db}에는 {out.name}의 기록이 없습니다.", f"the ledger {db} holds no record of {out.name}",
                              file=str(db))
        blobs: dict[str, bool] = {}

        def stored(sha: str) -> bool:
            if sha not in blobs:
                got = conn.execute("SELECT data FROM blobs WHERE sha256 = ?", (sha,)).fetchone()
                blobs[sha] = got is not None and sha256_bytes(got[0]) == sha
            return blobs[sha]

        book = rulebook_of(previous)
        for sheet_key in ALL_SHEETS:
            name = book.sheets[sheet_key].name
            for unit in previous.units.values():
                for r in unit.rows.get(sheet_key, []):
                    sha = r.get("_sha256")
                    if sha and not stored(str(sha)):
                        uid = str(r.get(UID))
                        result.append(Difference(
                            "files", f"{name}: 행 {uid}의 원본 파일(SHA-256 {str(sha)[:12]}…)이 원장에 없거나 바이트가 맞지 "
                            "않습니다.", f"{name}: the submission of row {uid} (sha256 {str(sha)[:12]}…) is not stored "
                            "in the ledger or its bytes differ", name, uid, kind="tampered"))
    state = previous.view
    result.written_by = {"program": state.get("program"), "rulebook": state.get("rulebook"), "run": state.get("run"),
                         "view_format": state.get("format", 1)}
    if state.get("format") == record.VIEW_FORMAT and state.get("program") == program_version() \
            and state.get("rulebook") == book.version:
        result.extend(_verify_cells(out, previous, book))
    else:
        result.mode = "rows"
        result.extend(_verify_rows(out, previous, book))
    return result


def rulebook_of(previous: Previous) -> Any:
    from iupjong_xl import rulebook

    return rulebook.load(previous.year)


def _verify_cells(out: Path, previous: Previous, book: Any) -> list[Difference]:
    """The view rebuilt from the ledger with the writer, compared with the workbook cell by cell."""
    from iupjong_xl.consolidate import record
    from iupjong_xl.consolidate.derive import derive
    from iupjong_xl.consolidate.model import KEY_COLUMNS, PROVENANCE
    from iupjong_xl.consolidate.sheets import UID, data_headers
    from iupjong_xl.outputs import viewcheck, workbook

    cons = record.view_consolidation(previous)
    derived = derive(cons)
    fixed = {*KEY_COLUMNS, *PROVENANCE, UID}
    data_sheets = {book.sheets[k].name for k in ALL_SHEETS}
    inputs = {book.sheets[k].name: {h for c, h in data_headers(book, k) if c not in fixed} for k in ALL_SHEETS}
    with tempfile.TemporaryDirectory(prefix="iupjong-verify-") as tmp:
        expected = Path(tmp) / "expected.xlsx"
        workbook.write_workbook(cons, expected, derived, links_from=out.resolve().parent)
        if expected.read_bytes() == out.read_bytes():
            return []  # the very bytes the writer gives for the ledger's view: every cell is the ledger's
        diffs = viewcheck.compare(expected, out, data_sheets=data_sheets, inputs=inputs)
    return [_cell_difference(d) for d in diffs]


def _verify_rows(out: Path, previous: Previous, book: Any) -> list[Difference]:
    """A view of another program or rule-book version: data rows by row id, then 출처's counts, indicators and the
    funding round recomputed from the ledger against the workbook's."""
    from iupjong_xl.consolidate.derive import derive, describe
    from iupjong_xl.consolidate.readback import as_consolidation, load_for_refresh
    from iupjong_xl.consolidate.sheets import UID, data_headers

    diffs: list[Difference] = []
    wb_cons = load_for_refresh(out)
    led_cons = as_consolidation(previous)
    for sheet_key in ALL_SHEETS:
        name = book.sheets[sheet_key].name
        headers = dict(data_headers(book, sheet_key))
        mine = {str(r.get(UID)): r for r in wb_cons.rows(sheet_key)}
        theirs = {str(r.get(UID)): r for r in led_cons.rows(sheet_key)}
        for uid in sorted(set(theirs) - set(mine)):
            diffs.append(Difference("rows", f"{name}: 원장의 행 {uid}이(가) 통합 문서에 없습니다 (지워짐).",
                                    f"{name}: ledger row {uid} is missing from the workbook (deleted)", name, uid,
                                    "row_missing", None, "행 ID", uid, None))
        for uid in sorted(set(mine) - set(theirs)):
            diffs.append(Difference("rows", f"{name}: 행 {uid or '(행 ID 없음)'}은(는) 원장에 없습니다 (손으로 더함).",
                                    f"{name}: row {uid or '(no row id)'} is not in the ledger (added by hand)",
                                    name, uid, "row_added", None, "행 ID", None, uid))
        for uid in sorted(set(mine) & set(theirs)):
            a, b = mine[uid], theirs[uid]
            for k in b:
                if k != UID and not equal(a.get(k), b.get(k)):
                    col = headers.get(k, k)
                    diffs.append(Difference("rows", f"{name}: 행 {uid}의 '{col}'이(가) 원장과 다릅니다 — 원장 "
                                            f"{shown(b.get(k))!r}, 통합 문서 {shown(a.get(k))!r}",
                                            f"{name}: row {uid}, '{col}' differs from the ledger", name, uid,
                                            "tampered", None, col, shown(b.get(k)), shown(a.get(k))))
    diffs += _count_checks(wb_cons)
    a, b = describe(wb_cons, derive(wb_cons)), describe(led_cons, derive(led_cons))
    for part in ("indicators", "funding"):
        if a[part] != b[part]:
            keys = sorted(k for k in set(a[part]) | set(b[part]) if a[part].get(k) != b[part].get(k))
            diffs.append(Difference(part, f"원장에서 다시 계산한 {'지표' if part == 'indicators' else '지원금'}이 통합 문서와 "
                                    f"다릅니다: {', '.join(keys)}", f"the {part} recomputed from the ledger differ from "
                                    f"the workbook's: {', '.join(keys)}", detail=", ".join(keys)))
    return diffs


def _history_ledger(out: Path, ledger: str | os.PathLike[str] | None) -> Path:
    from iupjong_xl.consolidate.ledger import LedgerError

    db = ledger_path(out, ledger)
    if not db.exists():
        raise LedgerError(f"{out} 옆에 원장({db.name})이 없습니다. 원장 파일을 지정하세요.",
                          f"there is no ledger ({db.name}) beside {out}; name the ledger file", file=str(db))
    return db


def history(path: str | os.PathLike[str], *, club: str | None = None, year: int | None = None,
            ledger: str | os.PathLike[str] | None = None, diff: bool = False) -> Any:
    """Every version of each club report and roster of a workbook as its ledger holds them (when received, file,
    sha256, who ran it, status, which is current); with diff, what changed between consecutive versions."""
    from iupjong_xl.consolidate import history as hist
    from iupjong_xl.consolidate import record
    from iupjong_xl.consolidate.ledger import open_ledger

    out = Path(path)
    db = _history_ledger(out, ledger)
    with open_ledger(db, create=False) as led:
        return hist.history(led.conn, record.workbook_key(db, out), ledger=str(db), club=club, year=year, diff=diff)


def extract(path: str | os.PathLike[str], sha256: str, target: str | os.PathLike[str], *,
            ledger: str | os.PathLike[str] | None = None) -> tuple[str, Path, str | None]:
    """Write a received file's stored bytes exactly as received (same sha256) to target; returns (sha256, target,
    the name it was received under)."""
    from iupjong_xl.consolidate import history as hist
    from iupjong_xl.consolidate.ledger import LedgerError, open_ledger, sha256_bytes
    from iupjong_xl.io.atomic import atomic_path

    out = Path(path)
    db = _history_ledger(out, ledger)
    with open_ledger(db, create=False) as led:
        digest, data, name = hist.stored_file(led.conn, sha256, ledger=str(db))
    if sha256_bytes(data) != digest:
        raise LedgerError(f"원장 {db}에 저장된 파일(SHA-256 {digest[:12]}…)의 바이트가 맞지 않습니다 (손상).",
                          f"the stored bytes of the file with sha256 {digest[:12]}… in the ledger {db} do not match "
                          "(damaged)", file=str(db))
    dest = Path(target)
    with atomic_path(dest) as tmp:
        tmp.write_bytes(data)
    return digest, dest, name


def _count_checks(cons: Consolidation) -> list[Difference]:
    """출처 against the rows present: accepted rows per file and sheet, and rows in = accepted + rejected."""
    diffs = []
    present: dict[tuple[str, str], int] = {}
    for key in ALL_SHEETS:
        for r in cons.rows(key):
            k = (str(r.get("_sha256") or ""), key)
            present[k] = present.get(k, 0) + 1
    live = {u.sha256 for u in cons.units.values()}
    for s in cons.sources:
        for key, n_in in s.rows_in.items():
            ok, no = s.accepted.get(key, 0), s.rejected.get(key, 0)
            if n_in != ok + no:
                diffs.append(Difference("counts", f"출처 {s.file} {key}: 입력 {n_in} ≠ 반영 {ok} + 제외 {no}",
                                        f"sources {s.file} {key}: in {n_in} != accepted {ok} + rejected {no}", "출처"))
            if key != "carried" and s.sha256 in live and s.status in ("created", "replaced", "unchanged", "kept") \
                    and present.get((s.sha256 or "", key), 0) != ok:
                diffs.append(Difference(
                    "counts", f"출처 {s.file} {key}: 반영 {ok}행이라는데 통합 문서에는 {present.get((s.sha256 or '', key), 0)}행이 있습니다.",
                    f"sources {s.file} {key}: {ok} rows accepted, but the workbook holds "
                    f"{present.get((s.sha256 or '', key), 0)}",
                    "출처"))
    return diffs


# ------------------------------------------------------------------------------------ the front ends' use cases
# cli/, excel/ and portal/ call only these (and the functions above); tests/test_layout.py holds them to it.

if TYPE_CHECKING:
    from iupjong_xl.analyses.directory import Directory, Opened
    from iupjong_xl.analyses.partners import Matches
    from iupjong_xl.analyses.trends import Trends


def use_rulebook_root(path: str | os.PathLike[str] | None) -> Path:
    """Read rule books from this folder (laid out like validation/) instead of the packaged ones."""
    from iupjong_xl import rulebook

    return rulebook.use_root(path)


def rulebook_years() -> list[int]:
    """The report years the rule books cover, oldest first."""
    from iupjong_xl import rulebook

    return rulebook.available_years()


def is_internal(codes: Iterable[str]) -> bool:
    """Whether any of these finding codes means the program failed (not the file)."""
    from iupjong_xl.validate.pipeline import INTERNAL_CODES

    return any(c in INTERNAL_CODES for c in codes)


@dataclass
class Validation:
    """What validate_reports produced: the report, the marked-up copies (original file -> copy) and the findings
    workbook, each when asked for."""

    report: Report
    copies: dict[str, str | os.PathLike[str]] | None = None
    findings_workbook: Path | None = None


def validate_reports(paths: Iterable[str | os.PathLike[str]], *, year: int | None = None,
                     max_rows: int | None = None, progress: Progress | None = None,
                     ledger: str | os.PathLike[str] | None = None, annotate: str | os.PathLike[str] | None = None,
                     findings_workbook: str | os.PathLike[str] | None = None, lang: str = "ko") -> Validation:
    """Validate report files or folders; with annotate, write a marked-up copy of each file with findings into that
    folder; with findings_workbook, write the findings as a workbook (its links open the marked-up copies)."""
    from iupjong_xl.outputs.annotate import copy_names
    from iupjong_xl.outputs.findings_xlsx import write_findings

    report = validate(paths, year=year, max_rows=max_rows, progress=progress, ledger=ledger,
                      exclude=[annotate] if annotate is not None else [])  # the copies are never read as input
    copies: dict[str, str | os.PathLike[str]] | None = None
    if annotate is not None:
        folder = Path(annotate)
        written = set(annotate_copies(report, folder, lang=lang))  # under the reader's limits
        marked = [fr for fr in report.files if fr.readable and any(f.file == fr.file for f in report.findings)]
        copies = {file: Path(folder / name) for file, name in copy_names(marked, lang).items() if folder / name in written}
    out = None
    if findings_workbook is not None:
        out = Path(findings_workbook)
        write_findings(report, out, lang=lang, copies=copies)
    return Validation(report, copies, out)


def write_text(path: str | os.PathLike[str], text: str) -> Path:
    """Write a text file atomically (the old file stays whole if writing fails)."""
    from iupjong_xl.io.atomic import atomic_path

    out = Path(path)
    with atomic_path(out) as tmp:
        tmp.write_text(text, encoding="utf-8")
    return out


def template(output: str | os.PathLike[str], kind: str, year: int) -> Path:
    """A blank standard report workbook (서식) of a kind ("club" or "federation") and year."""
    from iupjong_xl.outputs.templates import write_template

    return write_template(output, kind, year)


def templates(output: str | os.PathLike[str]) -> list[Path]:
    """Every standard template of every rule-book year, into a folder."""
    from iupjong_xl.outputs.templates import generate_all

    return generate_all(output)


def sample(output: str | os.PathLike[str], *, seed: int = 2009) -> list[Path]:
    """(Re)generate the deterministic sample corpus."""
    from iupjong_xl.samples.write import write_corpus

    return write_corpus(Path(output), seed=seed)


@dataclass(frozen=True)
class Code:
    """One rule code of a year's rule book."""

    code: str
    severity: str
    message: str

    def to_dict(self) -> dict[str, str]:
        return {"code": self.code, "severity": self.severity, "message": self.message}


@dataclass(frozen=True)
class Codes:
    year: int
    version: str
    codes: list[Code]
    markdown: str


def codes(year: int, *, lang: str = "ko") -> Codes:
    """Every rule code of a year's rule book with its severity and message (and the table as Markdown)."""
    from iupjong_xl import rulebook

    book = rulebook.load(year)
    rows = [Code(c, s, m[lang]) for c, (s, m) in book.all_codes().items()]
    return Codes(year, book.version, rows, rulebook.codes_markdown(book))


@dataclass(frozen=True)
class IndicatorInfo:
    key: str
    label: str
    unit: str
    decimals: int
    paper: float | None


def indicators(year: int, *, lang: str = "ko") -> list[IndicatorInfo]:
    """The indicators a year's rule book defines, in its order, with their labels in one language."""
    from iupjong_xl import rulebook

    return [IndicatorInfo(i.key, i.label(lang), i.unit, i.decimals, i.paper) for i in rulebook.load(year).indicators]


def directory(national: str | os.PathLike[str] | Opened, output: str | os.PathLike[str] | None = None, *,
              source: str | None = None) -> Directory:
    """The company directory of a consolidated workbook (every member company once, by BRN), written to output
    when given; source names the workbook in the output when the file read is a copy of it."""
    from dataclasses import replace

    from iupjong_xl.analyses.directory import build_directory, write_directory

    built = build_directory(national)
    if source is not None:
        built = replace(built, source=source)
    if output is not None:
        write_directory(built, output)
    return built


def write_directory(built: Directory, output: str | os.PathLike[str]) -> Path:
    """Write a directory built by directory() as its workbook (회원사 명부)."""
    from iupjong_xl.analyses.directory import write_directory as write

    return write(built, output)


def normalize_brn(text: str) -> str | None:
    """A business registration number in its canonical form (AAA-BB-CCCCD), or None if it is not one."""
    from iupjong_xl.validate.normalize import CoerceError
    from iupjong_xl.validate.normalize import normalize_brn as norm

    try:
        return norm(text.strip())
    except CoerceError:
        return None


def open_consolidated(path: str | os.PathLike[str]) -> Opened:
    """A consolidated workbook opened for the directory and partner matching (its companies, year, rule book)."""
    from iupjong_xl.analyses.directory import open_consolidated as op

    return op(path)


def partners(national: str | os.PathLike[str] | Opened, lead: str, need: str, *, top: int = 10,
             same_federation: bool = False, chosen: list[str] | None = None,
             output: str | os.PathLike[str] | None = None, source: str | None = None) -> Matches:
    """Rank member companies of other KSIC divisions for a lead company's need and check the proposed consortium;
    written to output when given. Raises EmptyNeedError (a UsageError) for an empty need."""
    from dataclasses import replace

    from iupjong_xl.analyses.partners import find_partners, write_matches

    matches = find_partners(national, lead, need, top=top, same_federation=same_federation, partners=chosen)
    if source is not None:
        matches = replace(matches, source=source)
    if output is not None:
        write_matches(matches, output)
    return matches


def write_matches(matches: Matches, output: str | os.PathLike[str]) -> Path:
    """Write the partners found by partners() as their workbook (파트너 찾기)."""
    from iupjong_xl.analyses.partners import write_matches as write

    return write(matches, output)


def trends(nationals: Iterable[str | os.PathLike[str]], output: str | os.PathLike[str], *,
           ledger: str | os.PathLike[str] | None = None) -> Trends:
    """Indicators of consolidated workbooks of several years side by side (or of every year a ledger holds)."""
    from iupjong_xl.analyses.trends import build_trends, ledger_years, write_trends

    sources: list[Any] = list(nationals) if ledger is None else list(ledger_years(ledger))
    built = build_trends(sources)
    write_trends(built, output)
    return built


def report_kind(sheet_names: Iterable[str]) -> str | None:
    """"club" or "federation" when these sheet names hold every report sheet of that kind (newest rule book)."""
    from iupjong_xl import rulebook
    from iupjong_xl.validate.layout import match_sheet

    rb = rulebook.load(rulebook.available_years()[-1])
    names = list(sheet_names)
    for kind in rb.reports:
        if all(match_sheet(s, names) is not None for s in rb.report_sheets(kind)):
            return str(kind)
    return None


def report_files(folder: str | os.PathLike[str], *, exclude: str | os.PathLike[str] | None = None) -> list[Path]:
    """The report files a folder holds (recursively; Excel's lock files and hidden files left out), without exclude."""
    from iupjong_xl.io.reader import discover

    own = Path(exclude).resolve() if exclude is not None else None
    return [f.path for f in discover([folder]) if f.skipped is None and f.path.resolve() != own]


# Typed results and names the front ends use, re-exported here so that they import nothing below the service. They
# load on first use (PEP 562): importing the service stays cheap for a front end that only prints its help.
_EXPORTS = {
    "Directory": "iupjong_xl.analyses.directory", "Opened": "iupjong_xl.analyses.directory",
    "EmptyNeedError": "iupjong_xl.analyses.partners", "UnknownCompanyError": "iupjong_xl.analyses.partners",
    "Matches": "iupjong_xl.analyses.partners", "Trends": "iupjong_xl.analyses.trends",
    "NotPublishableError": "iupjong_xl.analyses.publish",
    "FileResult": "iupjong_xl.validate.findings", "Finding": "iupjong_xl.validate.findings",
    "Report": "iupjong_xl.validate.findings", "CONSOLIDATED_META": "iupjong_xl.rulebook",
    "META_SHEET": "iupjong_xl.rulebook", "DERIVED_SHEETS": "iupjong_xl.consolidate.sheets",
}


def __getattr__(name: str) -> Any:
    if name in _EXPORTS:
        import importlib

        return getattr(importlib.import_module(_EXPORTS[name]), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


# ------------------------------------------------------------------------------------------------ the portal

UPLOAD_SUFFIXES = (".xlsx", ".xlsm", ".xls", ".xlsb", ".ods")


@dataclass(frozen=True)
class Scope:
    """Who asks, and so what they may see: a club account its own club, a federation account its clubs, the center
    everything."""

    account: str
    role: str  # club | federation | center
    club: str | None = None
    federation: str | None = None


@dataclass
class Submission:
    """A report uploaded through the portal, as the ledger holds it."""

    id: int
    run: int
    file_name: str
    size: int
    sha256: str
    account: str
    received: str
    kind: str | None
    year: int | None
    club_code: str | None
    federation: str | None
    status: str  # received (rows kept as a version) | refused (another club's report: nothing kept but the file)
    errors: int
    warnings: int
    findings: list[Finding] = field(default_factory=list)
    events: list[tuple[str, str, str, str | None]] = field(default_factory=list)
    rows_read: int | None = None  # data rows the validator read

    @property
    def valid(self) -> bool:
        return self.errors == 0

    @property
    def stats(self) -> dict[str, int]:
        """The validator's stats of this one file (as `validate --format json` gives them)."""
        return {"files": 1, "files_valid": int(self.errors == 0), "rows": self.rows_read or 0,
                "errors": self.errors, "warnings": self.warnings}


def init_ledger(path: str | os.PathLike[str]) -> Path:
    """Create (or migrate forward) a ledger file; returns its path."""
    from iupjong_xl.consolidate.ledger import open_ledger

    with open_ledger(path) as led:
        return led.path


def warm_up() -> None:
    """Validate a blank report once before a server takes requests: the validation stack (pandas, pandera, the
    reader, the newest rule book and its schemas) is loaded and a validation worker started and kept, so the first
    upload is as fast as the next and no request imports any of it (kept workers serve the following requests)."""
    from iupjong_xl import rulebook

    years = rulebook.available_years()
    if not years:
        return
    with tempfile.TemporaryDirectory(prefix="iupjong-warm-") as tmp:  # a blank report, validated as an upload is
        validate([template(Path(tmp) / "warm.xlsx", "club", years[-1])])


def _safe_name(name: str) -> str:
    """The name a file was uploaded under, for showing only: its last path part, without control characters."""
    base = name.replace("\\", "/").rsplit("/", 1)[-1]
    base = "".join(ch for ch in base if ch.isprintable()).strip()
    return base[:200] or "보고서.xlsx"


def upload(ledger: str | os.PathLike[str], data: bytes, file_name: str, scope: Scope) -> Submission:
    """A report uploaded by a portal account: validated as `validate` does (each file read in a sandboxed worker
    under the rule book's memory and time limits), outside the ledger's write lock; then recorded under the lock as a
    run of its own (command upload): the bytes, their sha256, who and when, the findings, and its rows as a version
    of the club's report (year, club code). A club account's upload of another club's report is refused with a
    finding (the file is still kept as received)."""
    from iupjong_xl.consolidate import submissions
    from iupjong_xl.consolidate.ledger import open_ledger, sha256_bytes
    from iupjong_xl.consolidate.record import prior_years
    from iupjong_xl.validate.pipeline import check

    name = _safe_name(file_name)
    suffix = Path(name).suffix.lower()
    digest = sha256_bytes(data)
    db = Path(ledger)
    with tempfile.TemporaryDirectory(prefix="iupjong-upload-") as tmp:
        path = Path(tmp) / ("upload" + (suffix if suffix in UPLOAD_SUFFIXES else ".xlsx"))  # never the given name
        path.write_bytes(data)
        with open_ledger(db) as led:
            prior = prior_years(led.conn, db)
            checked = check([str(path)], keep=True, prior=prior)
    findings = [_named(f, name) for f in checked.report.findings]
    up = submissions.Upload(name, data, digest, scope.account, scope.role, scope.club, scope.federation, findings)
    up.rows_read = sum(sum(fr.rows.values()) for fr in checked.report.files)
    status = "received"
    pf = checked.files[0] if checked.files else None
    if pf is not None and pf.book is not None and pf.kind is not None:
        book = pf.book
        records = checked.records.get(pf.index, {})
        profile_key = book.report_sheets(pf.kind)[0].key
        profile = (records.get(profile_key) or [{}])[0]
        up.kind, up.year, up.rulebook_version = pf.kind, book.year, book.version
        up.federation = _text(profile.get("federation"))
        up.club_code = _text(profile.get("club_code")) if pf.kind == "club" else None
        if scope.role == "club" and scope.club is not None and up.club_code not in (None, scope.club):
            data_sheet = pf.sheets[profile_key]
            cell, row = data_sheet.cell(0, "club_code")
            column = next((c.header for c in book.sheets[profile_key].columns if c.key == "club_code"), None)
            up.findings.append(_other_club(name, data_sheet.name, cell, row, column, up.club_code, scope.club))
            order = {n: i for i, sh in enumerate(book.sheets.values()) for n in (sh.name, *sh.aliases)}
            up.findings.sort(key=lambda f: (order.get(f.sheet or "", -1), *f.sort_key()))  # as the validator sorts
            status = "refused"
        elif pf.kind == "club" and up.club_code is not None:
            up.rows = _version_rows(pf, records, up, digest)
    _fault("upload_validated")  # crash tests: validated, nothing recorded
    with open_ledger(db) as led, led.writing() as conn:
        sid = submissions.record(conn, up, status)
        got = submissions.get(conn, sid, "center", None, None)
        _fault("upload_recording")  # crash tests: recorded but not committed
    _fault("upload_recorded")  # crash tests: committed, not yet answered
    assert got is not None
    return _submission(got)


def _named(f: Finding, name: str) -> Finding:
    from dataclasses import replace

    return replace(f, file=name)


def _text(v: Any) -> str | None:
    return None if v is None or v == "" else str(v)


def _other_club(name: str, sheet: str, cell: str | None, row: int | None, column: str | None, club: str,
                own: str) -> Finding:
    from iupjong_xl.validate.findings import Finding as F

    return F(name, sheet, cell, row, column, "PORTAL_OTHER_CLUB", "error", {
        "ko": f"이 보고서의 교류회코드 {club}은(는) 이 계정의 교류회 {own}이(가) 아닙니다. 보고서를 받지 않았습니다. "
              f"{own} 교류회의 보고서를 올리세요.",
        "en": f"This report's club code {club} is not this account's club {own}; the report was not taken. "
              f"Upload the report of club {own}."}, club)


def _version_rows(pf: Any, records: dict[str, list[dict[str, Any]]], up: Any,
                  digest: str) -> dict[str, list[dict[str, Any]]]:
    """The report's rows as a version keeps them (as consolidation does: key columns, then the typed values, then
    where each came from), every row as uploaded: findings are shown, not applied."""
    rows: dict[str, list[dict[str, Any]]] = {}
    for key, items in records.items():
        sheet = pf.sheets[key]
        keep = []
        for rec in items:
            r = rec.get("_r", 0)
            cell_row = sheet.cell(r, "")[1] if sheet.layout == "table" else 1
            values = {k: v for k, v in rec.items() if k not in ("_r", "_f")}
            keep.append({"year": up.year, "federation": up.federation, "club_code": up.club_code,
                         **{k: v for k, v in values.items() if k not in ("year", "federation", "club_code")
                            or v is not None},
                         "_source": up.file_name, "_sheet": sheet.name, "_row": cell_row, "_sha256": digest,
                         "_template": pf.result.template_version, "_run": "upload"})
        rows[key] = keep
    return rows


def _submission(r: Any) -> Submission:
    return Submission(r.id, r.run, r.file_name, r.size, r.sha256, r.account, r.received, r.kind, r.year, r.club_code,
                      r.federation, r.status, r.errors, r.warnings, r.findings, r.events, r.rows_read)


def submission(ledger: str | os.PathLike[str], sid: int, scope: Scope) -> Submission:
    """One submission with its findings (in the validator's order: by sheet, then cell) and events; NotFoundError
    when it does not exist or the scope may not see it (the same answer: nobody learns another club's ids)."""
    from iupjong_xl.consolidate import submissions
    from iupjong_xl.consolidate.ledger import open_ledger
    from iupjong_xl.errors import NotFoundError

    with open_ledger(ledger) as led:
        got = submissions.get(led.conn, sid, scope.role, scope.club, scope.federation)
    if got is None:
        raise NotFoundError(f"제출 {sid}번이 없습니다.", f"there is no submission {sid}")
    return _submission(got)


def submissions(ledger: str | os.PathLike[str], scope: Scope) -> list[Submission]:
    """The submissions the scope may see, newest first (without their findings)."""
    from iupjong_xl.consolidate import submissions as subs
    from iupjong_xl.consolidate.ledger import open_ledger

    with open_ledger(ledger) as led:
        return [_submission(r) for r in subs.listed(led.conn, scope.role, scope.club, scope.federation)]


def submit(ledger: str | os.PathLike[str], sid: int, scope: Scope) -> Submission:
    """연합회에 제출: a club sends one of its received reports on to its federation. Refused (StateError) while the
    report has errors (warnings are allowed), for a report not taken and for one already sent. Recorded under the
    ledger's lock as the submission's event `submitted`; its status becomes `submitted`."""
    from iupjong_xl.consolidate import submissions as subs
    from iupjong_xl.consolidate.ledger import open_ledger
    from iupjong_xl.errors import NotFoundError, StateError

    if scope.role != "club":
        raise NotFoundError(f"제출 {sid}번이 없습니다.", f"there is no submission {sid}")
    with open_ledger(ledger) as led, led.writing() as conn:
        got = subs.get(conn, sid, scope.role, scope.club, scope.federation)
        if got is None:
            raise NotFoundError(f"제출 {sid}번이 없습니다.", f"there is no submission {sid}")
        if got.status == "submitted":
            raise StateError("이 보고서는 이미 연합회에 제출했습니다.", "this report was already sent to the federation")
        if got.status != "received":
            raise StateError("받지 않은 보고서는 제출할 수 없습니다. 교류회의 보고서를 다시 올리세요.",
                             "a report that was not taken cannot be sent; upload the club's report again")
        if got.errors:
            raise StateError(f"오류가 {got.errors}건 있어 제출할 수 없습니다. 오류를 고친 보고서를 다시 올린 뒤 제출하세요.",
                             f"the report has {got.errors} errors and cannot be sent; upload a corrected report "
                             "and send that")
        subs.add_event(conn, sid, "submitted", scope.account, status="submitted")
        done = subs.get(conn, sid, scope.role, scope.club, scope.federation)
    assert done is not None
    return _submission(done)


def original_file(ledger: str | os.PathLike[str], sid: int, scope: Scope) -> tuple[str, bytes]:
    """The file of a submission exactly as received (its name, its bytes; the bytes checked against the sha256)."""
    from iupjong_xl.consolidate import submissions as subs
    from iupjong_xl.consolidate.ledger import LedgerError, open_ledger, sha256_bytes

    sub = submission(ledger, sid, scope)
    with open_ledger(ledger) as led:
        data = subs.stored_bytes(led.conn, sub.sha256)
    if data is None or sha256_bytes(data) != sub.sha256:
        raise LedgerError(f"원장에 저장된 제출 {sid}번의 파일이 없거나 바이트가 맞지 않습니다 (손상).",
                          f"the stored file of submission {sid} is missing or its bytes do not match (damaged)",
                          file=str(ledger))
    return sub.file_name, data


def annotated_copy(ledger: str | os.PathLike[str], sid: int, scope: Scope,
                   cache: str | os.PathLike[str]) -> tuple[str, bytes]:
    """The submission's file marked up with its findings (as `validate --annotate` writes it): made on the first
    request from the stored bytes and the recorded findings, then kept in the cache folder. NotFoundError when the
    report has no findings or cannot be opened for marking up."""
    from dataclasses import replace as dc_replace

    from iupjong_xl.errors import NotFoundError
    from iupjong_xl.outputs.annotate import annotate_report
    from iupjong_xl.validate.findings import Report as R

    name, data = original_file(ledger, sid, scope)
    sub = submission(ledger, sid, scope)
    if not sub.findings:
        raise NotFoundError("검증 결과가 없어 표시본이 없습니다.", "no findings, so there is no marked-up copy")
    folder = Path(cache) / str(sid)  # the copy under the name it is downloaded as
    done = sorted(folder.glob("*.xlsx")) + sorted(folder.glob("*.xlsm")) if folder.is_dir() else []
    if done:
        return done[0].name, done[0].read_bytes()
    with tempfile.TemporaryDirectory(prefix="iupjong-annotate-") as tmp:
        suffix = Path(name).suffix.lower()
        path = Path(tmp) / ("upload" + (suffix if suffix in UPLOAD_SUFFIXES else ".xlsx"))
        path.write_bytes(data)
        files = [dc_replace(fr, file=name) for fr in validate([path]).files]
        written, refused = annotate_report(R(list(sub.findings), files), Path(tmp) / "out")  # under the limits
        if refused:
            raise NotFoundError("이 파일은 너무 크거나 복잡해 표시본을 만들지 않았습니다. 검증 결과 표를 보세요.",
                                "this file is too large or complex to mark up within the limits; see the findings")
        if not written:
            raise NotFoundError("이 파일은 표시본을 만들 수 없습니다 (엑셀로 열 수 없는 파일).",
                                "this file cannot be marked up (it does not open as a workbook)")
        shown, out = written[0].name, written[0].read_bytes()
    folder.mkdir(parents=True, exist_ok=True)
    write_bytes_atomically(folder / shown, out)
    return shown, out


def write_bytes_atomically(path: Path, data: bytes) -> None:
    from iupjong_xl.io.atomic import atomic_path

    with atomic_path(path) as tmp:
        tmp.write_bytes(data)


def club_history(ledger: str | os.PathLike[str], club: str, scope: Scope) -> Any:
    """Every version of a club's report uploaded through the portal, with what changed between consecutive ones
    (as `history --diff` shows it). A club account asks only for its own club (else NotFoundError)."""
    from iupjong_xl.consolidate import history as hist
    from iupjong_xl.consolidate.ledger import open_ledger
    from iupjong_xl.consolidate.submissions import PORTAL
    from iupjong_xl.errors import NotFoundError

    if scope.role == "club" and scope.club != club:
        raise NotFoundError(f"교류회 {club}의 이력이 없습니다.", f"there is no history of club {club}")
    db = Path(ledger)
    with open_ledger(db) as led:
        return hist.history(led.conn, PORTAL, ledger=str(db), club=club, diff=True)

def publish(ledger: str | os.PathLike[str], output: str | os.PathLike[str]) -> Any:
    """The open-data snapshot of every year's current national view in the ledger, without personal data: SQLite,
    CSV + JSON per table, datapackage.json and Datasette's metadata.yaml, written into `output` (a folder) as a whole.
    NotPublishableError (naming table and column) when anything the allow-list does not declare would be published;
    nothing is written then."""
    from iupjong_xl.analyses.publish import publish as run

    return run(ledger, output)


@dataclass(frozen=True)
class RosterClub:
    """One club of a federation's roster (연합회 보고서, 교류회 명부)."""

    federation: str
    club_code: str
    club_name: str


def roster_clubs(paths: Iterable[str | os.PathLike[str]]) -> list[RosterClub]:
    """The clubs on the rosters of the federation reports among these files or folders (each file read as validate
    reads it), in roster order; a club listed twice counts once. UsageError when no roster is found."""
    from iupjong_xl.errors import UsageError
    from iupjong_xl.validate.pipeline import check

    checked = check([str(p) for p in paths], keep=True)
    out: dict[str, RosterClub] = {}
    for pf in checked.files:
        if pf.kind != "federation":
            continue
        records = checked.records.get(pf.index, {})
        profile = (records.get("federation") or [{}])[0]
        fed = _text(profile.get("federation"))
        for row in records.get("roster", []):
            code = _text(row.get("club_code"))
            if fed and code and code not in out:
                out[code] = RosterClub(fed, code, _text(row.get("club_name")) or "")
    if not out:
        raise UsageError("연합회 보고서(교류회 명부)를 찾지 못했습니다. 연합회 보고서 파일이나 그 폴더를 지정하세요.",
                         "no federation report (club roster) found; name federation report files or their folder")
    return list(out.values())

# ------------------------------------------------------------------------------- the public pages (open data)
# The portal's public pages read the published snapshot only (`publish`'s folder), never the ledger.

PUBLISHED = "published"  # the snapshot's folder inside a portal folder


def published_folder(portal_dir: str | os.PathLike[str]) -> Path:
    """Where a portal folder keeps its published snapshot (`iupjong portal publish DIR` writes it)."""
    return Path(portal_dir) / PUBLISHED


def is_published(snapshot: str | os.PathLike[str]) -> bool:
    from iupjong_xl.analyses.public import is_published as published

    return published(snapshot)


def public_version(snapshot: str | os.PathLike[str]) -> tuple[Any, ...] | None:
    """What identifies the snapshot's files (None when there is none): a page made from one version may be kept while
    this stays the same."""
    from iupjong_xl.analyses.public import identity

    return identity(snapshot)


def public_about(snapshot: str | os.PathLike[str]) -> Any:
    """The snapshot's years, sources (run of each year), scopes (전국 and the federations) and licence."""
    from iupjong_xl.analyses.public import about

    return about(snapshot)


def public_statistics(snapshot: str | os.PathLike[str], scope: str = "전국") -> Any:
    """Every indicator of 전국 or a federation for every year, with numerators, denominators and the change from the
    year before (the values `trends` gives on the same ledger)."""
    from iupjong_xl.analyses.public import statistics

    return statistics(snapshot, scope)


def public_options(snapshot: str | os.PathLike[str], year: int | None = None) -> Any:
    """What the member directory can be filtered by in a year (the newest when None)."""
    from iupjong_xl.analyses.public import options

    return options(snapshot, year)


def find_companies(snapshot: str | os.PathLike[str], query: str = "", **filters: Any) -> Any:
    """Member companies by what they make (the partner finder's character 2-3-grams: 기계 and 전자 match), industry,
    federation and size band (analyses.public.search)."""
    from iupjong_xl.analyses.public import search

    return search(snapshot, query, **filters)


def public_company(snapshot: str | os.PathLike[str], year: int, company_id: int) -> Any:
    from iupjong_xl.analyses.public import company

    return company(snapshot, year, company_id)


def public_club(snapshot: str | os.PathLike[str], year: int, club_code: str) -> Any:
    from iupjong_xl.analyses.public import club

    return club(snapshot, year, club_code)


def public_files(snapshot: str | os.PathLike[str]) -> Any:
    """The snapshot's downloadable files, as its Data Package lists them."""
    from iupjong_xl.analyses.public import files

    return files(snapshot)


def public_file(snapshot: str | os.PathLike[str], name: str) -> Path:
    """The path of a listed file of the snapshot (NotFoundError for any other name)."""
    from iupjong_xl.analyses.public import file_path

    return file_path(snapshot, name)
