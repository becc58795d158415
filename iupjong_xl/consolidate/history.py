"""The history of a workbook as its ledger holds it: every version of every club report and federation roster, what
changed between consecutive versions (rows added and removed, every cell changed, rows matched by their natural
key), and the received files' bytes.

Rows are matched by natural key: a member company by its BRN, an activity by date and kind, a result or a consortium
request by its title, the club profile, the federation profile and a roster line by the club code (or federation).
Provenance columns (source file, row, sha256, template, run) and the row id are not content: they are not compared.
Versions written under different rule-book versions are compared on the columns both hold; the others are named."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass, field
from typing import Any

from iupjong_xl import rulebook
from iupjong_xl.consolidate.ledger import loads
from iupjong_xl.consolidate.model import ALL_SHEETS, PROVENANCE, Consolidation, Previous, Unit
from iupjong_xl.consolidate.rowkeys import equal, row_key, shown
from iupjong_xl.consolidate.sheets import KEY_HEADERS, SOURCE_STATUS_KO, UID
from iupjong_xl.errors import IupjongError

NOT_CONTENT = frozenset({*PROVENANCE, UID})
KEY_HEADERS_EN = {"year": "year", "federation": "federation", "club_code": "club code"}
CHANGE_KO = {"added": "행 추가", "removed": "행 삭제", "changed": "값 변경", "correction": "손 수정"}
KIND_KO = {"club": "교류회 보고서", "federation": "연합회 보고서(명부)"}


class HistoryError(IupjongError):
    """The history asked for is not in the ledger: unknown workbook, year, club code or sha256."""


# ------------------------------------------------------------------------------------------ comparing rows


@dataclass
class Change:
    """One difference between two versions of a unit: a row added or removed, or one cell changed."""

    change: str  # added | removed | changed
    sheet: str  # sheet key (member, activity ...)
    key: str  # the row's natural key
    column: str | None = None  # column key (changed cells only)
    old: Any = None
    new: Any = None


def _keyed(sheet: str, rows: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """Rows by natural key; a key seen again gets its running number ('… (2)') so that no row is lost."""
    out: dict[str, dict[str, Any]] = {}
    seen: dict[str, int] = {}
    for r in rows:
        k = row_key(sheet, r)
        seen[k] = seen.get(k, 0) + 1
        out[k if seen[k] == 1 else f"{k} ({seen[k]})"] = r
    return out


def _columns(rows: list[dict[str, Any]]) -> list[str]:
    cols: dict[str, None] = {}
    for r in rows:
        cols.update(dict.fromkeys(k for k in r if k not in NOT_CONTENT))
    return list(cols)


def diff_rows(old: dict[str, list[dict[str, Any]]],
              new: dict[str, list[dict[str, Any]]]) -> tuple[list[Change], list[tuple[str, str]]]:
    """Rows removed, rows added and cells changed between two versions of a unit (sheet key -> rows), and the
    (sheet, column) pairs one version holds and the other does not (not compared)."""
    changes: list[Change] = []
    not_compared: list[tuple[str, str]] = []
    sheets = [s for s in ALL_SHEETS if s in old or s in new] + sorted((set(old) | set(new)) - set(ALL_SHEETS))
    for sheet in sheets:
        a_rows, b_rows = old.get(sheet, []), new.get(sheet, [])
        a, b = _keyed(sheet, a_rows), _keyed(sheet, b_rows)
        a_cols, b_cols = _columns(a_rows), _columns(b_rows)
        if a_rows and b_rows:
            shared = [c for c in b_cols if c in a_cols]
            not_compared += [(sheet, c) for c in [*a_cols, *b_cols] if c not in shared]
        else:
            shared = b_cols or a_cols
        for k in a:
            if k not in b:
                changes.append(Change("removed", sheet, k))
        for k in b:
            if k not in a:
                changes.append(Change("added", sheet, k))
        for k, row in b.items():
            if k in a:
                changes += [Change("changed", sheet, k, c, shown(a[k].get(c)), shown(row.get(c)))
                            for c in shared if not equal(a[k].get(c), row.get(c))]
    return changes, list(dict.fromkeys(not_compared))


def sheet_name(book: rulebook.RuleBook, sheet: str, lang: str = "ko") -> str:
    s = book.sheets.get(sheet)
    if s is None:
        return sheet
    return s.name_en if lang == "en" else s.name


def column_header(book: rulebook.RuleBook, sheet: str, column: str | None, lang: str = "ko") -> str | None:
    """The column's header as the rule book names it (Korean, or English with lang='en')."""
    if column is None:
        return None
    if column in KEY_HEADERS:
        return KEY_HEADERS_EN[column] if lang == "en" else KEY_HEADERS[column]
    s = book.sheets.get(sheet)
    col = next((c for c in s.columns if c.key == column), None) if s is not None else None
    if col is None:
        return column
    return col.header_en if lang == "en" else col.header


@dataclass
class UnitDiff:
    """What changed from one version of a unit to the next."""

    kind: str  # club | federation
    year: int
    unit: str  # club code or federation name
    federation: str
    old_file: str | None
    new_file: str | None
    changes: list[Change]
    not_compared: list[tuple[str, str]] = field(default_factory=list)
    old_version: int | None = None
    new_version: int | None = None
    rulebooks: tuple[str | None, str | None] = (None, None)

    def counts(self) -> dict[str, int]:
        return {"added": sum(c.change == "added" for c in self.changes),
                "removed": sum(c.change == "removed" for c in self.changes),
                "changed": len({(c.sheet, c.key) for c in self.changes if c.change == "changed"}),
                "cells": sum(c.change == "changed" for c in self.changes)}

    def summary(self) -> dict[str, Any]:
        """The per-club counts of a run's summary."""
        return {"kind": self.kind, "year": self.year, "unit": self.unit, "federation": self.federation,
                "old_file": self.old_file, "new_file": self.new_file, **self.counts()}

    def to_dict(self, book: rulebook.RuleBook, lang: str = "ko") -> dict[str, Any]:
        return {
            **self.summary(), "old_version": self.old_version, "new_version": self.new_version,
            "rulebooks": list(self.rulebooks),
            "changes": [{"change": c.change, "change_label": CHANGE_KO[c.change] if lang != "en" else c.change,
                         "sheet": sheet_name(book, c.sheet, lang), "sheet_key": c.sheet, "key": c.key,
                         "column": column_header(book, c.sheet, c.column, lang), "column_key": c.column,
                         "old": c.old, "new": c.new} for c in self.changes],
            "not_compared": [{"sheet": sheet_name(book, s, lang), "column": column_header(book, s, c, lang),
                              "column_key": c} for s, c in self.not_compared],
        }

    def rows(self, book: rulebook.RuleBook) -> list[dict[str, Any]]:
        """The cell-level rows of the 변경 내역 sheet (Korean)."""
        label = _unit_label(self.kind, self.unit)
        out = [{"change": CHANGE_KO[c.change], "federation": self.federation, "unit": label,
                "sheet": sheet_name(book, c.sheet), "key": c.key, "column": column_header(book, c.sheet, c.column),
                "old": c.old, "new": c.new, "file": self.new_file, "at": None, "user": None, "uid": None}
               for c in self.changes]
        if self.not_compared:
            cols = ", ".join(f"{sheet_name(book, s)} {column_header(book, s, c)}" for s, c in self.not_compared)
            out.append({"change": "비교 못 함", "federation": self.federation, "unit": label, "sheet": None,
                        "key": None, "column": cols, "old": None, "new": None, "file": self.new_file, "at": None,
                        "user": None, "uid": None})
        return out


def _unit_label(kind: str, unit: str) -> str:
    """How the 변경 내역 sheet names a report: the club code, or '<federation> 연합회' for a federation report."""
    return unit if kind == "club" else f"{unit} 연합회"


def _name(path: str | None) -> str | None:
    return path.replace("\\", "/").rsplit("/", 1)[-1] if path else None


def _content(unit: Unit) -> dict[str, list[dict[str, Any]]]:
    return {s: [{k: v for k, v in r.items() if k != UID} for r in rows] for s, rows in unit.rows.items()}


def run_changes(previous: Previous | None, cons: Consolidation,
                status: dict[tuple[str, tuple[int, str]], str]) -> list[UnitDiff]:
    """For every unit this run replaced: what changed from the version the workbook held."""
    out: list[UnitDiff] = []
    if previous is None:
        return out
    for key, unit in sorted(cons.units.items()):
        old = previous.units.get(key)
        if status.get(key) != "replaced" or old is None or old is unit:
            continue
        changes, not_compared = diff_rows(_content(old), _content(unit))
        out.append(UnitDiff(unit.kind, unit.key[0], unit.key[1], unit.federation, _name(old.source),
                            _name(unit.source), changes, not_compared, old.version_id, unit.version_id))
    return out


def correction_rows(cons: Consolidation) -> list[dict[str, Any]]:
    """The hand corrections the ledger recorded for this workbook, as rows of the 변경 내역 sheet."""
    by_uid: dict[str, tuple[Unit, str, dict[str, Any]]] = {}
    if not any(e.get("kind") == "correction" for e in cons.edit_log):
        return []
    for unit in cons.units.values():
        for sheet, rows in unit.rows.items():
            for r in rows:
                if r.get(UID):
                    by_uid[str(r[UID])] = (unit, sheet, r)
    out = []
    for e in cons.edit_log:
        if e.get("kind") != "correction":
            continue
        found = by_uid.get(str(e.get("uid")))
        out.append({"change": CHANGE_KO["correction"], "federation": found[0].federation if found else None,
                    "unit": _unit_label(found[0].kind, found[0].key[1]) if found else None, "sheet": e.get("sheet"),
                    "key": row_key(found[1], found[2]) if found else None, "column": e.get("column"),
                    "old": e.get("old"), "new": e.get("new"), "file": None, "at": e.get("at"), "user": e.get("user"),
                    "uid": e.get("uid")})
    return out


# ------------------------------------------------------------------------------------------ the ledger's history


@dataclass
class Version:
    """One version of a unit as the ledger holds it."""

    id: int
    run: int
    received: str | None  # when the run that took it in started
    user: str | None  # who ran it
    file: str | None
    source: str | None
    sha256: str | None
    status: str  # created | replaced
    current: bool
    replaced_in: int | None  # the run that replaced it
    rulebook: str | None
    via: str | None = None
    again: list[int] = field(default_factory=list)  # later runs that received the same file again (unchanged)

    def to_dict(self, lang: str = "ko") -> dict[str, Any]:
        return {"version": self.id, "run": self.run, "received": self.received, "user": self.user, "file": self.file,
                "source": self.source, "sha256": self.sha256, "status": self.status,
                "status_label": self.status if lang == "en" else SOURCE_STATUS_KO.get(self.status, self.status),
                "current": self.current, "replaced_in_run": self.replaced_in, "rulebook": self.rulebook,
                "via": self.via, "unchanged_in_runs": self.again}


@dataclass
class Receipt:
    """A file received for a unit that did not become a version: a conflict, a duplicate, or rejected whole."""

    run: int
    received: str | None
    user: str | None
    file: str | None
    sha256: str | None
    status: str  # conflict | duplicate | rejected

    def to_dict(self, lang: str = "ko") -> dict[str, Any]:
        return {"run": self.run, "received": self.received, "user": self.user, "file": self.file,
                "sha256": self.sha256, "status": self.status,
                "status_label": self.status if lang == "en" else SOURCE_STATUS_KO.get(self.status, self.status)}


@dataclass
class UnitHistory:
    kind: str
    year: int
    unit: str
    federation: str
    versions: list[Version]
    diffs: list[UnitDiff] = field(default_factory=list)
    others: list[Receipt] = field(default_factory=list)

    def to_dict(self, lang: str = "ko", diff: bool = False) -> dict[str, Any]:
        d: dict[str, Any] = {"kind": self.kind, "kind_label": self.kind if lang == "en" else KIND_KO.get(self.kind),
                             "year": self.year, "unit": self.unit, "federation": self.federation,
                             "versions": [v.to_dict(lang) for v in self.versions],
                             "not_taken": [r.to_dict(lang) for r in self.others]}
        if diff:
            book = rulebook.load(self.year)
            d["diffs"] = [x.to_dict(book, lang) for x in self.diffs]
        return d


@dataclass
class History:
    workbook: str
    ledger: str
    units: list[UnitHistory]
    diff: bool = False

    def to_dict(self, lang: str = "ko") -> dict[str, Any]:
        return {"workbook": self.workbook, "ledger": self.ledger,
                "units": [u.to_dict(lang, self.diff) for u in self.units]}


def history(conn: sqlite3.Connection, workbook: str, *, ledger: str, club: str | None = None,
            year: int | None = None, diff: bool = False) -> History:
    """Every version of every unit of the workbook (filtered by club code or federation, and year), oldest first;
    with diff, what changed between consecutive versions."""
    rows = conn.execute(
        "SELECT v.id, v.kind, v.year, v.unit_key, v.federation, v.sha256, v.source, v.via, v.status, v.run_from,"
        " v.run_until, r.started, r.os_user, r.rulebook_version FROM versions v JOIN runs r ON r.id = v.run_from"
        " WHERE v.workbook = ? ORDER BY v.kind, v.year, v.unit_key, v.id", (workbook,)).fetchall()
    if not rows:
        raise HistoryError(f"원장 {ledger}에는 {workbook}의 기록이 없습니다.",
                           f"the ledger {ledger} holds no record of {workbook}", file=ledger)
    years = sorted({int(r[2]) for r in rows})
    if year is not None and year not in years:
        have = ", ".join(map(str, years))
        raise HistoryError(f"원장 {ledger}에는 {workbook}의 {year}년 기록이 없습니다 (있는 연도: {have}).",
                           f"the ledger {ledger} holds no {year} record of {workbook} (years held: {have})",
                           file=ledger)
    rows = [r for r in rows if year is None or int(r[2]) == year]
    if club is not None:
        chosen = [r for r in rows if r[3] == club]
        if not chosen:
            known = sorted({r[3] for r in rows if r[1] == "club"})
            shown = ", ".join(known[:12]) + (" …" if len(known) > 12 else "")
            raise HistoryError(f"교류회코드 {club}은(는) 원장의 {workbook} 기록에 없습니다 (있는 코드: {shown}).",
                               f"club code {club} is not in the ledger's record of {workbook} (codes held: {shown})",
                               file=ledger)
        rows = chosen
    names = _file_names(conn)
    units: dict[tuple[str, int, str], UnitHistory] = {}
    for vid, kind, yr, key, fed, sha, source, via, status, run_from, run_until, started, user, rb in rows:
        u = units.setdefault((kind, int(yr), key), UnitHistory(kind, int(yr), key, fed or "", []))
        u.versions.append(Version(vid, run_from, started, user, names.get((sha, source)) or _name(source), source,
                                  sha, status, run_until is None, run_until, rb, via))
    _add_receipts(conn, workbook, units, names)
    out = [units[k] for k in sorted(units, key=lambda k: (k[1], k[0] != "club", k[2]))]
    if diff:
        for u in out:
            for a, b in zip(u.versions, u.versions[1:], strict=False):
                changes, not_compared = diff_rows(_version_rows(conn, a.id), _version_rows(conn, b.id))
                u.diffs.append(UnitDiff(u.kind, u.year, u.unit, u.federation, a.file, b.file, changes, not_compared,
                                        a.id, b.id, (a.rulebook, b.rulebook)))
    return History(workbook, ledger, out, diff)


def _add_receipts(conn: sqlite3.Connection, workbook: str, units: dict[tuple[str, int, str], UnitHistory],
                  names: dict[tuple[str, str], str]) -> None:
    """What each consolidation's view listed for the units besides new versions: the same file again (unchanged),
    conflicts, duplicates and files rejected whole."""
    seen: set[tuple[int, str | None, str | None, str]] = set()
    for run_id, state, started, user in conn.execute(
            "SELECT v.run_id, v.state, r.started, r.os_user FROM views v JOIN runs r ON r.id = v.run_id"
            " WHERE v.workbook = ? AND r.command = 'consolidate' ORDER BY v.id", (workbook,)):
        st = loads(state)
        for src in st.get("sources", []):
            status, kind = src.get("status"), src.get("kind")
            key = src.get("club_code") if kind == "club" else src.get("federation") if kind == "federation" else None
            u = units.get((str(kind), int(st.get("year") or 0), str(key)))
            if u is None or status not in ("unchanged", "conflict", "duplicate", "rejected"):
                continue
            sha = src.get("sha256")
            if (run_id, sha, src.get("path"), status) in seen:
                continue
            seen.add((run_id, sha, src.get("path"), status))
            if status == "unchanged":
                for v in u.versions:
                    if v.sha256 == sha and v.run < run_id and (v.replaced_in is None or run_id < v.replaced_in) \
                            and run_id not in v.again:
                        v.again.append(run_id)
                continue
            u.others.append(Receipt(run_id, started, user, names.get((sha, src.get("file"))) or _name(src.get("path")),
                                    sha, status))
    for u in units.values():
        u.others.sort(key=lambda r: (r.run, r.file or "", r.sha256 or ""))


def _file_names(conn: sqlite3.Connection) -> dict[tuple[str, str], str]:
    return {(sha, path): name for sha, path, name in conn.execute("SELECT sha256, path, name FROM files")}


def _version_rows(conn: sqlite3.Connection, version_id: int) -> dict[str, list[dict[str, Any]]]:
    out: dict[str, list[dict[str, Any]]] = {}
    for sheet, data in conn.execute("SELECT sheet, data FROM rows WHERE version_id = ? ORDER BY seq", (version_id,)):
        out.setdefault(sheet, []).append(loads(data))
    return out


def stored_file(conn: sqlite3.Connection, sha: str, *, ledger: str) -> tuple[str, bytes, str | None]:
    """The bytes of a received file by its sha256 (or a unique prefix of at least 8 characters): (sha256, bytes,
    the name it was received under)."""
    want = sha.strip().lower()
    if len(want) < 8 or len(want) > 64 or any(c not in "0123456789abcdef" for c in want):
        raise HistoryError(f"SHA-256 {sha}은(는) 파일의 SHA-256(16진수 64자, 또는 앞 8자 이상)이 아닙니다.",
                           f"{sha} is not a file's sha256 (64 hex digits, or the first 8 or more of them)",
                           file=ledger)
    found = conn.execute("SELECT sha256 FROM blobs WHERE sha256 LIKE ? ORDER BY sha256", (want + "%",)).fetchall()
    if len(found) != 1:
        why_ko = "여럿과 맞습니다. 더 길게 적으세요" if found else "원장에 없습니다"
        why_en = "matches several files; give more of it" if found else "is not in the ledger"
        raise HistoryError(f"SHA-256 {sha}인 파일이 {why_ko} ({ledger}).", f"the file with sha256 {sha} {why_en} ({ledger})",
                           file=ledger)
    digest = str(found[0][0])
    data = conn.execute("SELECT data FROM blobs WHERE sha256 = ?", (digest,)).fetchone()[0]
    name = conn.execute("SELECT name FROM files WHERE sha256 = ? ORDER BY id LIMIT 1", (digest,)).fetchone()
    return digest, bytes(data), name[0] if name else None
