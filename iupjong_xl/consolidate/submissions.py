"""Submissions in the ledger (schema 3): a report uploaded through the portal, recorded as a run of its own.

Recording happens under the ledger's write lock (the caller's `Ledger.writing()`); the file was validated before,
outside the lock. What one upload leaves: a run (command "upload", who = the portal account), the file's bytes
(blobs, files), its findings (findings, in the validator's order), its rows as a version of the unit
(club, (year, club code)) of the workbook key PORTAL when the report was taken, a submission and its first event."""

from __future__ import annotations

import json
import os
import socket
import sqlite3
from dataclasses import dataclass, field
from typing import Any

from iupjong_xl.consolidate.ledger import dumps, now, program_version
from iupjong_xl.consolidate.sheets import UID
from iupjong_xl.validate.findings import Finding

PORTAL = "portal"  # the versions' workbook key of every report uploaded through the portal


@dataclass
class Upload:
    """One uploaded file after validation, ready to record."""

    file_name: str
    data: bytes
    sha256: str
    account: str
    role: str
    account_club: str | None
    account_federation: str | None
    findings: list[Finding]
    kind: str | None = None
    year: int | None = None
    club_code: str | None = None
    federation: str | None = None
    rows: dict[str, list[dict[str, Any]]] | None = None  # sheet key -> rows: the version to keep (None: not taken)
    rulebook_version: str | None = None
    rows_read: int = 0  # data rows the validator read (its stats' "rows")


@dataclass
class Row:
    """A submission as the ledger holds it."""

    id: int
    run: int
    sha256: str
    file_name: str
    size: int
    account: str
    account_role: str
    account_club: str | None
    account_federation: str | None
    received: str
    kind: str | None
    year: int | None
    club_code: str | None
    federation: str | None
    version_id: int | None
    status: str
    errors: int
    warnings: int
    findings: list[Finding] = field(default_factory=list)
    events: list[tuple[str, str, str, str | None]] = field(default_factory=list)  # (kind, account, at, note)
    rows_read: int | None = None  # data rows the validator read (None: recorded before this was kept)


COLUMNS = ("id, run_id, sha256, file_name, size, account, account_role, account_club, account_federation, received, "
           "kind, year, club_code, federation, version_id, status, errors, warnings")


def record(conn: sqlite3.Connection, up: Upload, status: str) -> int:
    """Record an upload (in the caller's write transaction); returns the submission's id."""
    errors = sum(f.severity == "error" for f in up.findings)
    warnings = len(up.findings) - errors
    cur = conn.execute(  # who ran it: the portal account (os_user is the column history shows as 실행한 사람)
        "INSERT INTO runs (started, os_user, host, pid, program_version, command, inputs, workbook, year, outcome,"
        " rulebook_version) VALUES (?, ?, ?, ?, ?, 'upload', ?, ?, ?, 'running', ?)",
        (now(), up.account, socket.gethostname(), os.getpid(), program_version(), dumps([up.file_name]), PORTAL,
         up.year, up.rulebook_version))
    run_id = int(cur.lastrowid or 0)
    conn.execute("INSERT OR IGNORE INTO blobs (sha256, size, data) VALUES (?, ?, ?)", (up.sha256, len(up.data), up.data))
    display = f"{PORTAL}/{up.account}/{up.file_name}"
    done = conn.execute("UPDATE files SET last_run = ? WHERE sha256 = ? AND path = ?", (run_id, up.sha256, display))
    if done.rowcount == 0:
        conn.execute("INSERT INTO files (sha256, path, name, size, first_run, last_run) VALUES (?, ?, ?, ?, ?, ?)",
                     (up.sha256, display, up.file_name, len(up.data), run_id, run_id))
    version_id = None
    if up.rows is not None and up.year is not None and up.club_code is not None:
        version_id = _version(conn, run_id, up)
    conn.executemany(
        "INSERT INTO findings (run_id, workbook, file, sheet, cell, row, column_name, code, severity, message_ko,"
        " message_en, value) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [(run_id, PORTAL, f.file, f.sheet, f.cell, f.row, f.column, f.code, f.severity, f.message("ko"),
          f.message("en"), f.value) for f in up.findings])
    cur = conn.execute(
        "INSERT INTO submissions (run_id, sha256, file_name, size, account, account_role, account_club,"
        " account_federation, received, kind, year, club_code, federation, version_id, status, errors, warnings)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (run_id, up.sha256, up.file_name, len(up.data), up.account, up.role, up.account_club, up.account_federation,
         now(), up.kind, up.year, up.club_code, up.federation, version_id, status, errors, warnings))
    sid = int(cur.lastrowid or 0)
    conn.execute("INSERT INTO submission_events (submission_id, kind, account, at, note) VALUES (?, 'uploaded', ?, ?,"
                 " NULL)", (sid, up.account, now()))
    conn.execute("UPDATE runs SET finished = ?, outcome = ?, counts = ? WHERE id = ?",
                 (now(), "errors" if errors else "ok", dumps({"errors": errors, "warnings": warnings,
                                                              "submission": sid, "rows": up.rows_read}), run_id))
    return sid


def _version(conn: sqlite3.Connection, run_id: int, up: Upload) -> int:
    """The upload's rows become the current version of the unit (club, (year, club code)) of PORTAL."""
    old = conn.execute("SELECT id FROM versions WHERE workbook = ? AND kind = 'club' AND year = ? AND unit_key = ?"
                       " AND run_until IS NULL", (PORTAL, up.year, up.club_code)).fetchone()
    if old is not None:
        conn.execute("UPDATE versions SET run_until = ? WHERE id = ?", (run_id, old[0]))
    cur = conn.execute(
        "INSERT INTO versions (workbook, kind, year, unit_key, federation, sha256, source, via, status, run_from)"
        " VALUES (?, 'club', ?, ?, ?, ?, ?, NULL, ?, ?)",
        (PORTAL, up.year, up.club_code, up.federation, up.sha256, f"{PORTAL}/{up.account}/{up.file_name}",
         "replaced" if old is not None else "created", run_id))
    vid = int(cur.lastrowid or 0)
    rows = []
    n = 0
    for sheet, items in (up.rows or {}).items():
        for seq, row in enumerate(items):
            n += 1
            rows.append((f"{vid}-{n}", vid, sheet, seq, dumps({k: v for k, v in row.items() if k != UID})))
    conn.executemany("INSERT INTO rows (uid, version_id, sheet, seq, data) VALUES (?, ?, ?, ?, ?)", rows)
    return vid


def _row(r: tuple[Any, ...]) -> Row:
    return Row(*r)


def scoped(role: str, club: str | None, federation: str | None) -> tuple[str, tuple[Any, ...]]:
    """The WHERE clause (and its parameters) of the submissions an account may see: a club its own club's, a
    federation those of its clubs, the center all."""
    if role == "center":
        return "1 = 1", ()
    if role == "federation":
        return "(federation = ? OR account_federation = ?)", (federation, federation)
    return "account_club = ?", (club,)


def get(conn: sqlite3.Connection, sid: int, role: str, club: str | None, federation: str | None) -> Row | None:
    """One submission with its findings and events, or None when it does not exist or is out of the scope."""
    where, args = scoped(role, club, federation)
    r = conn.execute(f"SELECT {COLUMNS} FROM submissions WHERE id = ? AND {where}", (sid, *args)).fetchone()
    if r is None:
        return None
    sub = _row(r)
    sub.findings = [Finding(file, sheet, cell, row, column, code, severity, {"ko": ko, "en": en},
                            None if value is None else str(value))
                    for file, sheet, cell, row, column, code, severity, ko, en, value in conn.execute(
                        "SELECT file, sheet, cell, row, column_name, code, severity, message_ko, message_en, value"
                        " FROM findings WHERE run_id = ? ORDER BY id", (sub.run,))]
    sub.events = [(str(k), str(a), str(t), n) for k, a, t, n in conn.execute(
        "SELECT kind, account, at, note FROM submission_events WHERE submission_id = ? ORDER BY id", (sid,))]
    counts = conn.execute("SELECT counts FROM runs WHERE id = ?", (sub.run,)).fetchone()
    rows = json.loads(counts[0]).get("rows") if counts and counts[0] else None
    sub.rows_read = rows if isinstance(rows, int) else None
    return sub


def listed(conn: sqlite3.Connection, role: str, club: str | None, federation: str | None) -> list[Row]:
    """The submissions an account may see, newest first (without findings)."""
    where, args = scoped(role, club, federation)
    return [_row(r) for r in conn.execute(f"SELECT {COLUMNS} FROM submissions WHERE {where} ORDER BY id DESC", args)]


def add_event(conn: sqlite3.Connection, sid: int, kind: str, account: str, *, status: str | None = None,
              note: str | None = None) -> None:
    """What happened to a submission (submitted, ...), who and when; with status, its new status."""
    conn.execute("INSERT INTO submission_events (submission_id, kind, account, at, note) VALUES (?, ?, ?, ?, ?)",
                 (sid, kind, account, now(), note))
    if status is not None:
        conn.execute("UPDATE submissions SET status = ? WHERE id = ?", (status, sid))


def stored_bytes(conn: sqlite3.Connection, sha: str) -> bytes | None:
    got = conn.execute("SELECT data FROM blobs WHERE sha256 = ?", (sha,)).fetchone()
    return None if got is None else bytes(got[0])
