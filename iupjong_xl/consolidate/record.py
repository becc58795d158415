"""What a run reads from and writes into the ledger: the current state of a workbook (units with their rows and row
ids, scores, the lists its last view showed), and everything a run produced (files with their bytes, unit versions,
rows, findings, rejected rows, typed inputs, the view it wrote)."""

from __future__ import annotations

import os
import socket
import sqlite3
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

from iupjong_xl import rulebook
from iupjong_xl.consolidate.ledger import dumps, loads, now, os_user, program_version, sha256_bytes
from iupjong_xl.consolidate.model import Consolidation, Previous, SourceFile, Unit
from iupjong_xl.consolidate.rowkeys import shown
from iupjong_xl.consolidate.sheets import UID
from iupjong_xl.validate.findings import Finding
from iupjong_xl.validate.rules import PriorYear


def workbook_key(ledger_path: Path, workbook: str | os.PathLike[str]) -> str:
    """How the ledger names a workbook: its path relative to the ledger's folder (so that the folder can move as a
    whole), or its absolute path when it lies elsewhere."""
    wb, base = Path(workbook).resolve(), ledger_path.resolve().parent
    try:
        return wb.relative_to(base).as_posix()
    except ValueError:
        return wb.as_posix()


# ------------------------------------------------------------------------------------------ runs


def start_run(conn: sqlite3.Connection, *, command: str, inputs: list[str], workbook: str, level: str | None,
              year: int | None) -> int:
    cur = conn.execute(
        "INSERT INTO runs (started, os_user, host, pid, program_version, command, inputs, workbook, level, year, outcome)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'running')",
        (now(), os_user(), socket.gethostname(), os.getpid(), program_version(), command, dumps(inputs), workbook,
         level, year))
    return int(cur.lastrowid or 0)


def finish_run(conn: sqlite3.Connection, run_id: int, *, outcome: str, counts: dict[str, Any] | None = None,
               rulebook_version: str | None = None, year: int | None = None, run_key: str | None = None) -> None:
    conn.execute("UPDATE runs SET finished = ?, outcome = ?, counts = ?, rulebook_version = COALESCE(?, rulebook_version),"
                 " year = COALESCE(?, year), run_key = COALESCE(?, run_key) WHERE id = ?",
                 (now(), outcome, dumps(counts or {}), rulebook_version, year, run_key, run_id))


# ------------------------------------------------------------------------------------------ the current state


def current_view(conn: sqlite3.Connection, workbook: str) -> sqlite3.Row | None:
    conn.row_factory = sqlite3.Row
    try:
        row: sqlite3.Row | None = conn.execute(
            "SELECT * FROM views WHERE workbook = ? ORDER BY id DESC LIMIT 1", (workbook,)).fetchone()
        return row
    finally:
        conn.row_factory = None


def view_shas(conn: sqlite3.Connection, workbook: str) -> dict[str, int]:
    """sha256 of every view of the workbook ever written -> the run that wrote it."""
    return {sha: run for sha, run in conn.execute("SELECT sha256, run_id FROM views WHERE workbook = ?", (workbook,))}


def load_previous(conn: sqlite3.Connection, workbook: str, path: Path) -> Previous | None:
    """The workbook as the ledger holds it: its current units (rows with their row ids), the typed scores, and the
    sources, findings and rejected rows its last view listed. None if the ledger never wrote this workbook."""
    view = current_view(conn, workbook)
    if view is None:
        return None
    state = loads(view["state"])
    units: dict[tuple[str, tuple[int, str]], Unit] = {}
    versions = conn.execute(
        "SELECT id, kind, year, unit_key, federation, sha256, source, via FROM versions"
        " WHERE workbook = ? AND run_until IS NULL ORDER BY id", (workbook,)).fetchall()
    by_id = {}
    for vid, kind, year, key, fed, sha, source, via in versions:
        unit = Unit(kind, (int(year), key), fed or "", sha or "", source or "", {}, via, vid)
        units[(kind, (int(year), key))] = unit
        by_id[vid] = unit
    if by_id:
        marks = ",".join("?" * len(by_id))
        for vid, sheet, uid, data in conn.execute(
                f"SELECT version_id, sheet, uid, data FROM rows WHERE version_id IN ({marks}) ORDER BY version_id, seq",
                list(by_id)):
            row = loads(data)
            row[UID] = uid
            by_id[vid].rows.setdefault(sheet, []).append(row)
    book = rulebook.load(int(state["year"]))
    return Previous(path, state["level"], int(state["year"]), state.get("content_hash") or state.get("run_id", ""), state.get("federation") or None,
                    units, {k: float(v) for k, v in state.get("scores", {}).items()}, state.get("score_titles", {}),
                    findings=[_finding(f) for f in state.get("findings", [])],
                    sources=[_source(s, book) for s in state.get("sources", [])],
                    rejected_rows=state.get("rejected", []), shown_scores=state.get("shown_scores"),
                    reusable=state.get("program") == program_version() and state.get("rulebook") == book.version,
                    invalid_cells=state.get("invalid_cells", {}), invalid_scores=state.get("invalid_scores", {}),
                    view=state)


def extra_columns(conn: sqlite3.Connection, workbook: str) -> dict[str, list[tuple[str, dict[Any, Any]]]]:
    """Columns people added by hand to the workbook's data sheets: sheet key -> [(header, row id -> value)]."""
    out: dict[str, dict[str, dict[Any, Any]]] = {}
    order: dict[tuple[str, str], int] = {}
    for sheet, header, position, uid, value in conn.execute(
            "SELECT sheet, header, position, uid, value FROM extra_cells WHERE workbook = ? ORDER BY sheet, position",
            (workbook,)):
        out.setdefault(sheet, {}).setdefault(header, {})[uid] = loads(value)
        order[(sheet, header)] = position
    return {s: sorted(cols.items(), key=lambda hv: order[(s, hv[0])]) for s, cols in out.items()}


def edit_log(conn: sqlite3.Connection, workbook: str) -> list[dict[str, Any]]:
    kinds = {"correction": "수정", "restored": "행 복원", "added": "추가 행(미반영)", "not_taken": "반영 안 함",
             "score": "평가점수"}
    out = []
    for at, user, kind, sheet, uid, column, old, new, note in conn.execute(
            "SELECT at, os_user, kind, sheet, target, column_name, old, new, note FROM inputs WHERE workbook = ?"
            " AND kind != 'score' ORDER BY id", (workbook,)):
        out.append({"at": at, "user": user, "kind": kind, "kind_ko": kinds.get(kind, kind), "sheet": sheet, "uid": uid,
                    "column": column, "old": shown(loads(old)), "new": shown(loads(new)), "note": note})
    return out


def _finding(d: dict[str, Any]) -> Finding:
    return Finding(d["file"], d.get("sheet"), d.get("cell"), d.get("row"), d.get("column"), d["code"], d["severity"],
                   {"ko": d.get("ko") or "", "en": d.get("en") or d.get("ko") or ""}, d.get("value"))


def _finding_dict(f: Finding) -> dict[str, Any]:
    return {"file": f.file, "sheet": f.sheet, "cell": f.cell, "row": f.row, "column": f.column, "code": f.code,
            "severity": f.severity, "ko": f.message("ko"), "en": f.message("en"), "value": f.value}


def _source(d: dict[str, Any], book: rulebook.RuleBook) -> SourceFile:
    return SourceFile(d["file"], d["path"], d.get("sha256"), d.get("kind"), d.get("federation"), d.get("club_code"),
                      d.get("template_version"), d.get("status", ""), list(d.get("outcomes", [])),
                      dict(d.get("rows_in", {})), dict(d.get("accepted", {})), dict(d.get("rejected", {})))


def _source_dict(s: SourceFile) -> dict[str, Any]:
    return {"file": s.file, "path": s.path, "sha256": s.sha256, "kind": s.kind, "federation": s.federation,
            "club_code": s.club_code, "template_version": s.template_version, "status": s.status,
            "outcomes": s.outcomes, "rows_in": s.rows_in, "accepted": s.accepted, "rejected": s.rejected}


# ------------------------------------------------------------------------------------------ recording a run


def store_file(conn: sqlite3.Connection, run_id: int, path: str, display: str, sha: str | None) -> str | None:
    """Keep a received file's bytes (once per content) and where it was seen; returns the stored sha256."""
    try:
        data = Path(path).read_bytes()
    except OSError:
        return None
    digest = sha256_bytes(data)
    conn.execute("INSERT OR IGNORE INTO blobs (sha256, size, data) VALUES (?, ?, ?)", (digest, len(data), data))
    cur = conn.execute("UPDATE files SET last_run = ? WHERE sha256 = ? AND path = ?", (run_id, digest, display))
    if cur.rowcount == 0:
        conn.execute("INSERT INTO files (sha256, path, name, size, first_run, last_run) VALUES (?, ?, ?, ?, ?, ?)",
                     (digest, display, Path(display).name, len(data), run_id, run_id))
    return digest


def record_run(conn: sqlite3.Connection, run_id: int, workbook: str, cons: Consolidation, previous: Previous | None,
               status: dict[tuple[str, tuple[int, str]], str]) -> None:
    """Files (with bytes), unit versions and rows (new rows get their row ids here, in place), findings, rejected rows
    of this run."""
    for s in cons.sources:
        if s.sha256:
            store_file(conn, run_id, s.path, s.file, s.sha256)
    old_units = previous.units if previous is not None else {}
    for key, unit in sorted(cons.units.items()):
        old = old_units.get(key)
        if old is unit and unit.version_id is not None:
            continue  # the same version stays current
        if old is not None and old.version_id is not None:
            conn.execute("UPDATE versions SET run_until = ? WHERE id = ?", (run_id, old.version_id))
        cur = conn.execute(
            "INSERT INTO versions (workbook, kind, year, unit_key, federation, sha256, source, via, status, run_from)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (workbook, unit.kind, unit.key[0], unit.key[1], unit.federation, unit.sha256, unit.source, unit.via,
             status.get(key, "created"), run_id))
        vid = int(cur.lastrowid or 0)
        unit.version_id = vid
        rows = []
        n = 0
        for sheet, items in unit.rows.items():
            for seq, row in enumerate(items):
                n += 1
                row[UID] = f"{vid}-{n}"  # version id - running number: stable while the version is current
                rows.append((row[UID], vid, sheet, seq, dumps({k: v for k, v in row.items() if k != UID})))
        conn.executemany("INSERT INTO rows (uid, version_id, sheet, seq, data) VALUES (?, ?, ?, ?, ?)", rows)
    conn.executemany(
        "INSERT INTO findings (run_id, workbook, file, sheet, cell, row, column_name, code, severity, message_ko,"
        " message_en, value) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [(run_id, workbook, f.file, f.sheet, f.cell, f.row, f.column, f.code, f.severity, f.message("ko"),
          f.message("en"), f.value) for f in cons.findings])
    conn.executemany(
        "INSERT INTO rejected (run_id, workbook, file, sheet, row, codes, whole) VALUES (?, ?, ?, ?, ?, ?, ?)",
        [(run_id, workbook, r["file"], r.get("sheet"), r.get("row"), dumps(list(r.get("codes") or ())),
          int(bool(r.get("whole")))) for r in cons.rejected_rows])


def update_row(conn: sqlite3.Connection, uid: str, row: dict[str, Any]) -> None:
    """A correction: the row's stored values change (the old and new values are logged in inputs)."""
    conn.execute("UPDATE rows SET data = ? WHERE uid = ?", (dumps({k: v for k, v in row.items() if k != UID}), uid))


def log_input(conn: sqlite3.Connection, run_id: int, workbook: str, kind: str, *, sheet: str | None = None,
              target: str | None = None, column: str | None = None, old: Any = None, new: Any = None,
              note: str | None = None) -> None:
    conn.execute("INSERT INTO inputs (run_id, workbook, kind, sheet, target, column_name, old, new, os_user, at, note)"
                 " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                 (run_id, workbook, kind, sheet, target, column, dumps(old), dumps(new), os_user(), now(), note))


def set_extra(conn: sqlite3.Connection, run_id: int, workbook: str, sheet: str, header: str, position: int, uid: str,
              value: Any) -> None:
    conn.execute("INSERT INTO extra_cells (workbook, sheet, header, position, uid, value, run_id)"
                 " VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (workbook, sheet, header, uid)"
                 " DO UPDATE SET value = excluded.value, position = excluded.position, run_id = excluded.run_id",
                 (workbook, sheet, header, position, uid, dumps(value), run_id))


VIEW_FORMAT = 2  # the view state holds everything the view shows: verify rebuilds the view from it cell by cell


def view_consolidation(previous: Previous) -> Consolidation:
    """The consolidation the ledger's current view was written from, with everything that view showed (run number,
    변경 내역, 수정 이력, columns added by hand, inputs its rules refused): outputs.workbook writes it again."""
    from iupjong_xl.consolidate.readback import as_consolidation

    state = previous.view
    cons = as_consolidation(previous)
    cons.run = state.get("run")
    cons.changes = list(state.get("changes") or [])
    cons.edit_log = list(state.get("edit_log") or [])
    cons.extra_columns = {k: [(h, dict(v)) for h, v in cols] for k, cols in (state.get("extra_columns") or {}).items()}
    return cons


def view_state(cons: Consolidation, derived: Any = None) -> dict[str, Any]:
    """What the written view lists besides the unit rows, so that the next run can rebuild it exactly; and the
    scores 지원금 showed, so that a score typed over one of them is told from one that was only shown."""
    shown = {r.key: r.invalid_score if r.invalid_score is not None else r.score
             for r in derived.round.requests} if derived is not None else {}
    present = {str(r.get(UID)) for u in cons.units.values() for rs in u.rows.values() for r in rs}
    return {
        "format": VIEW_FORMAT, "program": program_version(), "rulebook": cons.book.version,
        "run": cons.run, "changes": cons.changes, "edit_log": cons.edit_log,
        "extra_columns": {k: [[h, v] for h, v in cols] for k, cols in cons.extra_columns.items()},
        "invalid_cells": {u: c for u, c in cons.invalid_cells.items() if u in present},
        "invalid_scores": cons.invalid_scores,
        "shown_scores": shown,
        "level": cons.level, "year": cons.year, "content_hash": cons.content_hash, "federation": cons.target_federation,
        "scores": cons.scores, "score_titles": cons.score_titles,
        "sources": [_source_dict(s) for s in (*cons.sources, *cons.kept_sources)],
        "findings": [_finding_dict(f) for f in (*cons.findings, *cons.kept_findings)],
        "rejected": [dict(r, codes=list(r.get("codes") or ())) for r in (*cons.rejected_rows, *cons.kept_rejected)],
    }


def record_view(conn: sqlite3.Connection, run_id: int, workbook: str, sha: str, cons: Consolidation,
                derived: Any = None) -> None:
    conn.execute("INSERT INTO views (workbook, run_id, sha256, written, state) VALUES (?, ?, ?, ?, ?)",
                 (workbook, run_id, sha, now(), dumps(view_state(cons, derived))))


def consolidation_from_ledger(workbook: str | os.PathLike[str],
                              ledger: str | os.PathLike[str] | None = None) -> Consolidation | None:
    """The workbook's consolidation as its ledger holds it (the ledger beside it unless named), or None when there is
    no ledger or it has never written this workbook: the analyses then read the workbook itself."""
    from iupjong_xl.consolidate.ledger import default_path, open_ledger
    from iupjong_xl.consolidate.readback import as_consolidation

    db = Path(ledger) if ledger is not None else default_path(workbook)
    if not db.is_file():
        return None
    with open_ledger(db, create=False) as led:
        previous = load_previous(led.conn, workbook_key(db, workbook), Path(workbook))
    return None if previous is None else as_consolidation(previous)


def recorded_workbooks(ledger: str | os.PathLike[str]) -> list[tuple[Path, Consolidation]]:
    """Every workbook a ledger has written, with its consolidation as the ledger holds it (by workbook name)."""
    from iupjong_xl.consolidate.ledger import open_ledger
    from iupjong_xl.consolidate.readback import as_consolidation

    db = Path(ledger)
    out = []
    with open_ledger(db, create=False) as led:
        keys = [k for (k,) in led.conn.execute("SELECT DISTINCT workbook FROM views ORDER BY workbook")]
        for key in keys:
            path = Path(key) if Path(key).is_absolute() else db.resolve().parent / key
            previous = load_previous(led.conn, key, path)
            if previous is not None:
                out.append((path, as_consolidation(previous)))
    return out


class PriorYears(Mapping[int, PriorYear]):
    """Per year the ledger holds, what its consolidation (the national one when there is one) said of each member
    company and club: for the year-over-year plausibility rules of the following year. A year's rows are read from
    the ledger only when a rule asks for that year (a consolidation needs just the year before its own)."""

    def __init__(self, conn: sqlite3.Connection, db: Path) -> None:
        self._conn, self._db = conn, db
        self._books: dict[int, list[str]] = {}
        for key, year in conn.execute("SELECT DISTINCT workbook, year FROM versions WHERE run_until IS NULL"
                                      " ORDER BY workbook"):
            self._books.setdefault(int(year), []).append(key)
        self._cache: dict[int, PriorYear | None] = {}

    def __iter__(self) -> Iterator[int]:
        return iter(sorted(self._books))

    def __len__(self) -> int:
        return len(self._books)

    def __getitem__(self, year: int) -> PriorYear:
        if year not in self._cache:
            self._cache[year] = self._load(year)
        found = self._cache[year]
        if found is None:
            raise KeyError(year)
        return found

    def _load(self, year: int) -> PriorYear | None:
        chosen: tuple[int, Previous] | None = None
        for key in self._books.get(year, []):
            path = Path(key) if Path(key).is_absolute() else self._db.resolve().parent / key
            previous = load_previous(self._conn, key, path)
            if previous is None or previous.year != year:
                continue
            rank = 0 if previous.level == "national" else 1
            if chosen is None or rank < chosen[0]:
                chosen = (rank, previous)
        if chosen is None:
            return None
        members: dict[str, tuple[int | None, int | None]] = {}
        clubs: dict[str, set[str]] = {}
        for unit in chosen[1].units.values():
            for r in unit.rows.get("member", []):
                brn = r.get("brn")
                if isinstance(brn, str):
                    members[brn] = (r.get("employees"), r.get("sales_mwon"))
                    clubs.setdefault(str(r.get("club_code")), set()).add(brn)
        return PriorYear(year, members, {k: frozenset(v) for k, v in clubs.items()})


def prior_years(conn: sqlite3.Connection, db: Path) -> PriorYears:
    return PriorYears(conn, db)


def prior_years_of(ledger: str | os.PathLike[str]) -> dict[int, PriorYear]:
    """Every year of a ledger at once (the ledger is closed afterwards)."""
    from iupjong_xl.consolidate.ledger import open_ledger

    db = Path(ledger)
    with open_ledger(db, create=False) as led:
        return dict(PriorYears(led.conn, db))
