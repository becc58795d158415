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

    out = Path(output)
    paths = [str(p) for p in inputs]

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
            _fault("replaced")
        if pending is not None:  # committed: the ledger knows this view now
            with contextlib.suppress(OSError):
                pending.unlink()
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
    folder.mkdir(exist_ok=True)
    mark = folder / sha
    fd = os.open(mark, os.O_CREAT | os.O_WRONLY, 0o644)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
    return mark


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
             progress: Progress | None = None, ledger: str | os.PathLike[str] | None = None) -> Report:
    """Validate report files or folders: every finding with file, sheet, cell, code and message. With a ledger,
    reports are also compared with the previous year it holds (year-over-year plausibility)."""
    from iupjong_xl.validate.pipeline import validate as run

    prior = None
    if ledger is not None:
        from iupjong_xl.consolidate.record import prior_years_of

        prior = prior_years_of(ledger)
    return run([str(p) for p in paths], year=year, max_rows=max_rows, progress=progress, prior=prior)


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
    result.written_by = {"program": state.get("program"), "rulebook": state.get("rulebook"), "run": state.get("run")}
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
