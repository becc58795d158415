"""The ledger: one SQLite file (iupjong.db beside the outputs) that is the record of the program.

It keeps, and never deletes: every run; every file ever received with its bytes; every version of every unit
(club report or federation roster, by natural key) with the run that made it current and the run that replaced it;
every consolidated row with its provenance and a stable row id; every finding and rejected row of a run; every value
people typed into a workbook that the program takes as input (scores, corrections) with who and when; the columns
people added by hand; and every view (workbook) written from it, with its sha256.

A writing run is one transaction under SQLite's write lock (BEGIN IMMEDIATE, WAL journal): a second run on the same
ledger waits (bounded) and then merges on top of the first; readers are never blocked for long; a run killed at any
moment leaves the ledger as it was before the run.

Standard library sqlite3 only: one file, no server, transactions, WAL and a busy timeout are all that is needed;
rows are stored as JSON (typed values keep their types through a small codec)."""

from __future__ import annotations

import contextlib
import datetime
import getpass
import hashlib
import json
import os
import socket
import sqlite3
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from iupjong_xl import __version__
from iupjong_xl.errors import IupjongError

APP = "iupjong-xl"
DEFAULT_NAME = "iupjong.db"
SCHEMA_VERSION = 3
WAIT_ENV = "IUPJONG_LEDGER_WAIT"  # seconds a run waits for another run's write lock (default 120)
DEFAULT_WAIT = 120.0
MAX_PAGES_ENV = "IUPJONG_LEDGER_MAX_PAGES"

# Forward migrations: MIGRATIONS[n] takes a ledger of schema n-1 to schema n. A newer program opens an older ledger
# by running the steps it lacks; a ledger of a newer schema than this program knows is refused, untouched.
MIGRATIONS: dict[int, str] = {
    1: """
    CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
    CREATE TABLE runs (
        id INTEGER PRIMARY KEY, started TEXT NOT NULL, finished TEXT, os_user TEXT, host TEXT, pid INTEGER,
        program_version TEXT, rulebook_version TEXT, year INTEGER, level TEXT, command TEXT, inputs TEXT,
        workbook TEXT, run_key TEXT, counts TEXT, outcome TEXT);
    CREATE TABLE blobs (sha256 TEXT PRIMARY KEY, size INTEGER NOT NULL, data BLOB NOT NULL);
    CREATE TABLE files (
        id INTEGER PRIMARY KEY, sha256 TEXT NOT NULL REFERENCES blobs(sha256), path TEXT NOT NULL, name TEXT NOT NULL,
        size INTEGER NOT NULL, first_run INTEGER NOT NULL REFERENCES runs(id), last_run INTEGER NOT NULL,
        UNIQUE (sha256, path));
    CREATE TABLE versions (
        id INTEGER PRIMARY KEY, workbook TEXT NOT NULL, kind TEXT NOT NULL, year INTEGER NOT NULL, unit_key TEXT NOT NULL,
        federation TEXT, sha256 TEXT, source TEXT, via TEXT, status TEXT NOT NULL,
        run_from INTEGER NOT NULL REFERENCES runs(id), run_until INTEGER REFERENCES runs(id));
    CREATE INDEX versions_current ON versions (workbook, run_until);
    CREATE TABLE rows (
        uid TEXT PRIMARY KEY, version_id INTEGER NOT NULL REFERENCES versions(id), sheet TEXT NOT NULL,
        seq INTEGER NOT NULL, data TEXT NOT NULL);
    CREATE INDEX rows_version ON rows (version_id, sheet, seq);
    CREATE TABLE findings (
        id INTEGER PRIMARY KEY, run_id INTEGER NOT NULL REFERENCES runs(id), workbook TEXT, file TEXT, sheet TEXT,
        cell TEXT, row INTEGER, column_name TEXT, code TEXT NOT NULL, severity TEXT NOT NULL, message_ko TEXT,
        message_en TEXT, value TEXT);
    CREATE TABLE rejected (
        id INTEGER PRIMARY KEY, run_id INTEGER NOT NULL REFERENCES runs(id), workbook TEXT, file TEXT, sheet TEXT,
        row INTEGER, codes TEXT, whole INTEGER);
    CREATE TABLE inputs (
        id INTEGER PRIMARY KEY, run_id INTEGER NOT NULL REFERENCES runs(id), workbook TEXT NOT NULL, kind TEXT NOT NULL,
        sheet TEXT, target TEXT, column_name TEXT, old TEXT, new TEXT, os_user TEXT, at TEXT NOT NULL, note TEXT);
    CREATE TABLE views (
        id INTEGER PRIMARY KEY, workbook TEXT NOT NULL, run_id INTEGER NOT NULL REFERENCES runs(id),
        sha256 TEXT NOT NULL, written TEXT NOT NULL, state TEXT NOT NULL);
    CREATE INDEX views_workbook ON views (workbook, id);
    """,
    2: """
    CREATE TABLE extra_cells (
        workbook TEXT NOT NULL, sheet TEXT NOT NULL, header TEXT NOT NULL, position INTEGER NOT NULL,
        uid TEXT NOT NULL, value TEXT, run_id INTEGER NOT NULL REFERENCES runs(id),
        PRIMARY KEY (workbook, sheet, header, uid));
    """,
    # the portal: every upload is a run of its own (command "upload"); a submission is that upload as the club's
    # report (its file in blobs/files, its findings in findings, its rows a version of workbook 'portal'), and its
    # events (uploaded, then submitted, approved, returned ... in later parts) say what happened to it, who and when
    3: """
    CREATE TABLE submissions (
        id INTEGER PRIMARY KEY, run_id INTEGER NOT NULL REFERENCES runs(id),
        sha256 TEXT NOT NULL REFERENCES blobs(sha256), file_name TEXT NOT NULL, size INTEGER NOT NULL,
        account TEXT NOT NULL, account_role TEXT NOT NULL, account_club TEXT, account_federation TEXT,
        received TEXT NOT NULL, kind TEXT, year INTEGER, club_code TEXT, federation TEXT,
        version_id INTEGER REFERENCES versions(id), status TEXT NOT NULL, errors INTEGER NOT NULL,
        warnings INTEGER NOT NULL);
    CREATE INDEX submissions_club ON submissions (account_club, id);
    CREATE INDEX submissions_federation ON submissions (federation, id);
    CREATE TABLE submission_events (
        id INTEGER PRIMARY KEY, submission_id INTEGER NOT NULL REFERENCES submissions(id), kind TEXT NOT NULL,
        account TEXT NOT NULL, at TEXT NOT NULL, note TEXT);
    CREATE INDEX submission_events_submission ON submission_events (submission_id, id);
    """,
}


class LedgerError(IupjongError):
    """The ledger cannot be used: not an iupjong ledger, corrupt, read-only, full, newer, or locked past the wait."""


# ------------------------------------------------------------------------------------------ values as JSON


def _default(v: Any) -> Any:
    if isinstance(v, datetime.datetime):
        return {"$dt": v.isoformat()}
    if isinstance(v, datetime.date):
        return {"$d": v.isoformat()}
    if isinstance(v, tuple):
        return {"$t": list(v)}
    if isinstance(v, float) and v != v:
        return None
    raise TypeError(f"cannot store {type(v).__name__} in the ledger")


def _hook(d: dict[str, Any]) -> Any:
    if len(d) == 1:
        if "$d" in d:
            return datetime.date.fromisoformat(d["$d"])
        if "$dt" in d:
            return datetime.datetime.fromisoformat(d["$dt"])
        if "$t" in d:
            return tuple(d["$t"])
    return d


def _encode(v: Any) -> Any:
    """Tuples (which JSON would silently turn into lists), dates and NaN as tagged values, recursively."""
    if isinstance(v, tuple):
        return {"$t": [_encode(x) for x in v]}
    if isinstance(v, list):
        return [_encode(x) for x in v]
    if isinstance(v, dict):
        return {k: _encode(x) for k, x in v.items()}
    if isinstance(v, (datetime.date, float)) and not isinstance(v, bool):
        return _default(v) if isinstance(v, datetime.date) or v != v else v
    return v


def dumps(v: Any) -> str:
    """A value (dict, list, date, tuple ...) as JSON text that loads() gives back with the same types."""
    return json.dumps(_encode(v), ensure_ascii=False, default=_default, sort_keys=True, allow_nan=False)


def loads(text: str | None) -> Any:
    return None if text is None else json.loads(text, object_hook=_hook)


def sha256_bytes(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def now() -> str:
    return datetime.datetime.now(datetime.UTC).astimezone().isoformat(timespec="seconds")


def os_user() -> str:
    try:
        return getpass.getuser()
    except Exception:  # no user name on some systems (containers): say so rather than fail
        return "?"


def default_path(workbook: str | os.PathLike[str]) -> Path:
    """iupjong.db in the workbook's folder: every workbook written in one folder shares one ledger."""
    return Path(workbook).resolve().parent / DEFAULT_NAME


def _lock_info_path(db: Path) -> Path:
    return db.with_name(db.name + ".holder")


# ------------------------------------------------------------------------------------------ opening


@dataclass
class Ledger:
    """An open ledger file. Use `open_ledger`; writing runs go through `writing()`."""

    path: Path
    conn: sqlite3.Connection
    schema: int

    def close(self) -> None:
        self.conn.close()

    def __enter__(self) -> Ledger:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -------------------------------------------------------------------------------- writing transaction

    @contextlib.contextmanager
    def writing(self, *, wait: float | None = None) -> Iterator[sqlite3.Connection]:
        """The write lock for a whole run: BEGIN IMMEDIATE (waiting at most `wait` seconds for another run), commit
        at the end, roll back on any error. Who holds the lock is written beside the ledger for those who wait."""
        wait = _wait_seconds() if wait is None else wait
        deadline = time.monotonic() + wait
        info = _lock_info_path(self.path)
        while True:
            try:
                self.conn.execute("BEGIN IMMEDIATE")
                break
            except sqlite3.OperationalError as exc:
                if "locked" not in str(exc) and "busy" not in str(exc):
                    raise _ledger_error(self.path, exc) from exc
                if time.monotonic() >= deadline:
                    holder = _read_holder(info)
                    raise LedgerError(
                        f"원장 {self.path}을(를) 다른 작업이 쓰고 있습니다({holder['ko']}). {wait:.0f}초를 기다렸습니다. "
                        "그 작업이 끝난 뒤 다시 실행하세요.",
                        f"the ledger {self.path} is being written by another run ({holder['en']}); waited {wait:.0f} s. "
                        "Run again when it has finished.", file=str(self.path)) from exc
                time.sleep(0.05)
        _write_holder(info)
        try:
            yield self.conn
            self.conn.execute("COMMIT")
        except sqlite3.Error as exc:  # disk full, read-only, damaged: nothing of this run is kept
            with contextlib.suppress(sqlite3.Error):
                self.conn.execute("ROLLBACK")
            raise _ledger_error(self.path, exc) from exc
        except BaseException:
            with contextlib.suppress(sqlite3.Error):
                self.conn.execute("ROLLBACK")
            raise
        finally:
            with contextlib.suppress(OSError):
                info.unlink()


def _wait_seconds() -> float:
    try:
        return float(os.environ.get(WAIT_ENV, DEFAULT_WAIT))
    except ValueError:
        return DEFAULT_WAIT


def _write_holder(info: Path) -> None:
    with contextlib.suppress(OSError):
        info.write_text(json.dumps({"user": os_user(), "host": socket.gethostname(), "pid": os.getpid(),
                                    "since": now()}), encoding="utf-8")


def _read_holder(info: Path) -> dict[str, str]:
    try:
        h = json.loads(info.read_text(encoding="utf-8"))
        return {"ko": f"{h['user']}@{h['host']} (PID {h['pid']}), {h['since']}부터",
                "en": f"{h['user']}@{h['host']}, pid {h['pid']}, since {h['since']}"}
    except (OSError, ValueError, KeyError, TypeError):
        return {"ko": "누가 쓰는지 알 수 없음", "en": "holder unknown"}


def _ledger_error(path: Path, exc: BaseException) -> LedgerError:
    text = str(exc)
    if "readonly" in text or "read-only" in text or isinstance(exc, PermissionError):
        return LedgerError(f"원장 {path}에 쓸 수 없습니다(읽기 전용). 폴더와 파일의 쓰기 권한을 확인하세요.",
                           f"the ledger {path} is read-only; check the folder's and the file's write permissions",
                           file=str(path))
    if "full" in text or "disk" in text:
        return LedgerError(f"원장 {path}을(를) 쓰는 중 디스크가 가득 찼습니다. 공간을 비운 뒤 다시 실행하세요. 원장은 그대로입니다.",
                           f"the disk is full while writing the ledger {path}; free some space and run again "
                           "(the ledger is unchanged)", file=str(path))
    if "not a database" in text or "malformed" in text or "corrupt" in text:
        return LedgerError(f"원장 {path}이(가) 손상되었거나 SQLite 파일이 아닙니다. 백업한 원장으로 바꾸거나 다른 원장을 지정하세요.",
                           f"the ledger {path} is damaged or not an SQLite file; restore it from a backup or name "
                           "another ledger", file=str(path))
    return LedgerError(f"원장 {path}을(를) 쓰지 못했습니다: {text}", f"cannot use the ledger {path}: {text}",
                       file=str(path))


def open_ledger(path: str | os.PathLike[str], *, create: bool = True) -> Ledger:
    """Open (and create, or migrate forward) a ledger; LedgerError for anything that is not a usable iupjong ledger."""
    p = Path(path)
    if not p.exists() and not create:
        raise LedgerError(f"원장 {p}이(가) 없습니다.", f"there is no ledger {p}", file=str(p))
    if p.is_dir():
        raise LedgerError(f"원장 {p}이(가) 폴더입니다. 원장 파일 이름(예: iupjong.db)을 지정하세요.",
                          f"the ledger {p} is a folder; name a ledger file (e.g. iupjong.db)", file=str(p))
    if p.exists() and p.stat().st_size and p.read_bytes()[:16] != b"SQLite format 3\x00":
        raise LedgerError(f"{p}은(는) 원장(SQLite 파일)이 아닙니다. 다른 원장 파일을 지정하세요. 파일은 그대로 두었습니다.",
                          f"{p} is not a ledger (not an SQLite file); name another ledger file (the file was left "
                          "as it is)", file=str(p))
    try:
        conn = sqlite3.connect(str(p), timeout=0.0, isolation_level=None, check_same_thread=False)
    except sqlite3.Error as exc:
        raise _ledger_error(p, exc) from exc
    try:
        conn.execute("PRAGMA busy_timeout = 200")
        schema = _prepare(conn, p)
        if os.environ.get(MAX_PAGES_ENV, "").isdigit():  # a size cap (pages of 4 KiB): past it, writing fails cleanly
            conn.execute(f"PRAGMA max_page_count = {int(os.environ[MAX_PAGES_ENV])}")
    except sqlite3.Error as exc:
        conn.close()
        raise _ledger_error(p, exc) from exc
    except BaseException:
        conn.close()
        raise
    return Ledger(p, conn, schema)


def _prepare(conn: sqlite3.Connection, p: Path) -> int:
    tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    if tables and "meta" not in tables:
        raise LedgerError(f"{p}은(는) SQLite 파일이지만 iupjong 원장이 아닙니다. 다른 원장 파일을 지정하세요. 파일은 그대로 두었습니다.",
                          f"{p} is an SQLite file but not an iupjong ledger; name another ledger file (the file was "
                          "left as it is)", file=str(p))
    version = 0
    if tables:
        meta = dict(conn.execute("SELECT key, value FROM meta").fetchall())
        if meta.get("app") != APP:
            raise LedgerError(f"{p}은(는) iupjong 원장이 아닙니다. 다른 원장 파일을 지정하세요.",
                              f"{p} is not an iupjong ledger; name another ledger file", file=str(p))
        version = int(meta.get("schema_version", "0"))
        if version > SCHEMA_VERSION:
            raise LedgerError(
                f"원장 {p}은(는) 더 새로운 프로그램(원장 형식 {version})이 쓴 것입니다. 이 프로그램은 형식 {SCHEMA_VERSION}까지 "
                "읽습니다. iupjong-xl을 새 버전으로 올리세요. 원장은 그대로 두었습니다.",
                f"the ledger {p} was written by a newer program (schema {version}; this one reads up to "
                f"{SCHEMA_VERSION}); upgrade iupjong-xl (the ledger was left as it is)", file=str(p))
    if version < SCHEMA_VERSION:
        migrate(conn, version, SCHEMA_VERSION, p)
    # WAL once, by whoever creates or first migrates the ledger; asking again needs no lock (another run may hold it)
    if str(conn.execute("PRAGMA journal_mode").fetchone()[0]).lower() != "wal":
        conn.execute(f"PRAGMA busy_timeout = {int(_wait_seconds() * 1000)}")
        conn.execute("PRAGMA journal_mode = WAL")
        conn.execute("PRAGMA busy_timeout = 200")
    conn.execute("PRAGMA foreign_keys = ON")
    return SCHEMA_VERSION


def _schema(conn: sqlite3.Connection) -> int:
    tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    if "meta" not in tables:
        return 0
    row = conn.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
    return int(row[0]) if row else 0


def migrate(conn: sqlite3.Connection, have: int, want: int, path: Path | None = None) -> None:
    """Run the forward migrations have+1 .. want in one transaction, under the write lock (waiting for a run that
    holds it, as a run would); a program that migrated it meanwhile leaves nothing to do."""
    conn.execute(f"PRAGMA busy_timeout = {int(_wait_seconds() * 1000)}")
    try:
        conn.execute("BEGIN IMMEDIATE")
    finally:
        conn.execute("PRAGMA busy_timeout = 200")
    have = _schema(conn)
    if have >= want:
        conn.execute("COMMIT")
        return
    try:
        for n in range(have + 1, want + 1):
            for stmt in [s.strip() for s in MIGRATIONS[n].split(";") if s.strip()]:
                conn.execute(stmt)
        if have == 0:
            conn.execute("INSERT INTO meta (key, value) VALUES ('app', ?), ('created', ?)", (APP, now()))
        conn.execute("INSERT OR REPLACE INTO meta (key, value) VALUES ('schema_version', ?)", (str(want),))
        conn.execute("COMMIT")
    except BaseException:
        conn.execute("ROLLBACK")
        raise


def integrity(path: str | os.PathLike[str]) -> str:
    """SQLite's own integrity check of a ledger file ("ok" when sound)."""
    conn = sqlite3.connect(str(path))
    try:
        return str(conn.execute("PRAGMA integrity_check").fetchone()[0])
    finally:
        conn.close()


def program_version() -> str:
    return __version__
