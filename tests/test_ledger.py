"""The ledger (iupjong.db beside the outputs) is the record of the program; the consolidated workbook is a view of it.

The stories of the ledger issue, on real files: hand edits (sort, delete, a new column, a correction, a row added
by hand) are detected and recorded, never silently kept or lost; two runs at once lose nothing; a run killed with
kill -9 at any point leaves a consistent ledger and the next run finishes the job; `verify` proves a workbook; a
workbook without a ledger is taken in; bad ledgers are clear errors that change nothing."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from click.testing import CliRunner, Result

from iupjong_xl.cli import cli
from iupjong_xl.consolidate import ledger as ledger_mod
from iupjong_xl.consolidate.ledger import MIGRATIONS, SCHEMA_VERSION, integrity, open_ledger

SAMPLES = Path(__file__).resolve().parents[1] / "sample_workbooks" / "2009"
FIXTURE = Path(__file__).parent / "fixtures" / "national_main_f3d4cc7.xlsx"


def run(*args: str, env: dict[str, str] | None = None) -> Result:
    return CliRunner().invoke(cli, list(args), env=env)


def consolidate(out: Path, *folders: str, extra: tuple[str, ...] = ()) -> Result:
    return run("consolidate", *(str(SAMPLES / f) for f in folders), "-o", str(out), "-q", "--format", "json", *extra)


def data(res: Result) -> dict[str, Any]:
    return json.loads(res.output)


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def sheet_rows(path: Path, name: str) -> tuple[list[Any], list[list[Any]]]:
    ws = openpyxl.load_workbook(path, read_only=True)[name]
    rows = [list(r) for r in ws.iter_rows(values_only=True)]
    return rows[0], [r for r in rows[1:] if any(v is not None for v in r)]


def codes(res: Result) -> list[str]:
    return sorted(f["code"] for f in data(res)["findings"] if f["code"].startswith("LEDGER_"))


@pytest.fixture
def national(tmp_path: Path) -> Path:
    out = tmp_path / "national.xlsx"
    res = consolidate(out, "제주", "울산")
    assert res.exit_code == 0, res.output
    return out


# ------------------------------------------------------------------------------------------ what it records


def test_first_run_records_files_versions_rows_and_the_view(national: Path) -> None:
    db = national.parent / "iupjong.db"
    assert db.exists() and integrity(db) == "ok"
    conn = sqlite3.connect(db)
    files = conn.execute("SELECT count(*), count(DISTINCT sha256) FROM files").fetchone()
    assert files == (15, 15)  # 13 club reports + 2 federation reports, each with its bytes
    for sha256, data_ in conn.execute("SELECT sha256, data FROM blobs"):
        assert hashlib.sha256(data_).hexdigest() == sha256
    assert conn.execute("SELECT count(*) FROM versions WHERE run_until IS NULL").fetchone() == (15,)
    _head, members = sheet_rows(national, "회원사")
    assert conn.execute("SELECT count(*) FROM rows WHERE sheet = 'member'").fetchone() == (len(members),)
    run_ = conn.execute("SELECT command, outcome, year, level, os_user, program_version FROM runs").fetchall()
    assert [r[:4] for r in run_] == [("consolidate", "ok", 2009, "national")] and run_[0][4] and run_[0][5]
    (view_sha,) = conn.execute("SELECT sha256 FROM views").fetchone()
    assert view_sha == sha(national)
    assert conn.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone() == (str(SCHEMA_VERSION),)


def test_rerun_of_unchanged_inputs_adds_a_run_but_no_version(national: Path) -> None:
    res = consolidate(national, "제주", "울산")
    assert res.exit_code == 0 and data(res)["summary"]["unchanged"] == 15
    conn = sqlite3.connect(national.parent / "iupjong.db")
    assert conn.execute("SELECT count(*) FROM runs").fetchone() == (2,)
    assert conn.execute("SELECT count(*) FROM versions").fetchone() == (15,)
    assert run("verify", str(national)).exit_code == 0


def test_a_replaced_report_keeps_its_earlier_version(national: Path, tmp_path: Path) -> None:
    src = tmp_path / "in" / "제주_JJU-001_2009.xlsx"
    src.parent.mkdir()
    shutil.copy(SAMPLES / "제주" / "제주_JJU-001_2009.xlsx", src)
    wb = openpyxl.load_workbook(src)
    ws = wb["회원사"]
    header_row = next(r for r in range(1, 6) if "종업원수" in [c.value for c in ws[r]])
    col = [c.value for c in ws[header_row]].index("종업원수") + 1
    ws.cell(header_row + 1, col).value = 77
    wb.save(src)
    res = run("consolidate", str(src), "-o", str(national), "-q", "--format", "json")
    assert res.exit_code == 0 and data(res)["summary"]["replaced"] == 1
    conn = sqlite3.connect(national.parent / "iupjong.db")
    versions = conn.execute("SELECT sha256, run_from, run_until FROM versions WHERE unit_key = 'JJU-001'"
                            " ORDER BY id").fetchall()
    assert [v[1:] for v in versions] == [(1, 2), (2, None)] and versions[1][0] == sha(src)
    assert run("verify", str(national)).exit_code == 0


# ------------------------------------------------------------------------------------------ hand edits


def _edit(path: Path, fn: Any) -> None:
    wb = openpyxl.load_workbook(path)
    fn(wb)
    wb.save(path)


def test_sort_delete_memo_correction_and_added_row(national: Path) -> None:
    head, before = sheet_rows(national, "회원사")
    name_col, emp_col, uid_col = head.index("회사명"), head.index("종업원수"), head.index("행 ID")
    target_uid = before[10][uid_col]

    def edit(wb: Any) -> None:
        ws = wb["회원사"]
        rows = [[c.value for c in r] for r in ws.iter_rows(min_row=2)]
        rows.sort(key=lambda r: str(r[name_col]))  # sort by company name
        kept = rows[5:]  # ... and delete 5 rows
        for r in range(2, ws.max_row + 1):
            for c in range(1, ws.max_column + 1):
                ws.cell(r, c).value = None
        for i, row in enumerate(kept, start=2):
            for c, v in enumerate(row, start=1):
                ws.cell(i, c).value = v
        memo = len(head) + 1
        ws.cell(1, memo).value = "메모"
        for i, row in enumerate(kept, start=2):
            ws.cell(i, memo).value = f"메모 {row[uid_col]}"
            if row[uid_col] == target_uid:
                ws.cell(i, emp_col + 1).value = 123  # a correction
        added = len(kept) + 2
        ws.cell(added, name_col + 1).value = "손으로 넣은 회사"

    _edit(national, edit)
    deleted = sorted(before, key=lambda r: str(r[name_col]))[:5]
    assert run("verify", str(national)).exit_code == 1  # the workbook no longer matches its ledger

    res = consolidate(national, "제주", "울산")
    assert res.exit_code == 0, res.output
    assert codes(res) == ["LEDGER_ROW_ADDED"] + ["LEDGER_ROW_RESTORED"] * 5
    edits = data(res)["edits"]
    assert edits["corrections"] == 1 and edits["restored"] == 5 and edits["added"] == 1
    backup = Path(edits["backup"])
    assert backup.exists() and backup.parent == national.parent
    assert "손으로 넣은 회사" in [r[name_col] for r in sheet_rows(backup, "회원사")[1]]

    head2, after = sheet_rows(national, "회원사")
    assert len(after) == len(before)  # every deleted row is back, the added one is not consolidated
    assert head2[-1] == "메모"
    by_uid = {r[head2.index("행 ID")]: r for r in after}
    assert by_uid[target_uid][head2.index("종업원수")] == 123
    for r in deleted:  # restored rows have no memo: they were deleted before anyone wrote one
        assert by_uid[r[uid_col]][-1] is None
    memos = [r for r in after if r[-1]]
    assert len(memos) == len(before) - 5 and all(r[-1] == f"메모 {r[head2.index('행 ID')]}" for r in memos)

    # 출처 says exactly what the sheet holds, and verify proves it
    src_head, sources = sheet_rows(national, "출처")
    accepted = sum(r[src_head.index("회원사 반영")] or 0 for r in sources)
    assert accepted == len(after)
    assert run("verify", str(national)).exit_code == 0

    log_head, log = sheet_rows(national, "수정 이력")
    kinds = [r[log_head.index("구분")] for r in log]
    assert kinds.count("수정") == 1 and kinds.count("행 복원") == 5 and kinds.count("추가 행(미반영)") == 1
    fix = next(r for r in log if r[log_head.index("구분")] == "수정")
    assert (fix[log_head.index("항목")], fix[log_head.index("새 값")]) == ("종업원수", 123)
    assert fix[log_head.index("작업자")] and fix[log_head.index("행 ID")] == target_uid

    # running again with nothing edited: nothing new is found, the memo stays
    res = consolidate(national, "제주", "울산")
    assert res.exit_code == 0 and codes(res) == [] and "edits" not in data(res)
    assert sheet_rows(national, "회원사")[0][-1] == "메모"


def test_a_correction_that_breaks_a_rule_is_an_error_finding(national: Path) -> None:
    head, _rows = sheet_rows(national, "회원사")
    emp = head.index("종업원수") + 1
    _edit(national, lambda wb: setattr(wb["회원사"].cell(3, emp), "value", "많음"))
    res = consolidate(national, "제주", "울산")
    assert res.exit_code == 1
    (f,) = [f for f in data(res)["findings"] if f["code"] == "LEDGER_CORRECTION_INVALID"]
    assert (f["sheet"], f["cell"], f["severity"]) == ("회원사", f"{openpyxl.utils.get_column_letter(emp)}3", "error")
    assert "많음" in f["message"] and "종업원수" in f["message"]


def test_an_edited_provenance_cell_is_not_taken_and_the_workbook_is_backed_up(national: Path) -> None:
    head, _rows = sheet_rows(national, "활동")
    col = head.index("원본 파일") + 1
    _edit(national, lambda wb: setattr(wb["활동"].cell(2, col), "value", "다른 파일.xlsx"))
    res = consolidate(national, "제주", "울산")
    assert res.exit_code == 0 and codes(res) == ["LEDGER_EDIT_NOT_TAKEN"]
    assert Path(data(res)["edits"]["backup"]).exists()
    assert sheet_rows(national, "활동")[1][0][col - 1] != "다른 파일.xlsx"


def test_sorting_and_widths_are_not_changes(national: Path) -> None:
    def edit(wb: Any) -> None:
        ws = wb["활동"]
        ws.column_dimensions["B"].width = 40
        rows = [[c.value for c in r] for r in ws.iter_rows(min_row=2)]
        rows.reverse()
        for i, row in enumerate(rows, start=2):
            for c, v in enumerate(row, start=1):
                ws.cell(i, c).value = v

    _edit(national, edit)
    res = consolidate(national, "제주", "울산")
    assert res.exit_code == 0 and codes(res) == [] and "edits" not in data(res)


def test_scores_typed_in_the_funding_sheet_are_recorded_with_who(national: Path) -> None:
    ws = openpyxl.load_workbook(national, read_only=True)["지원금"]
    hr, header = next((i, list(r)) for i, r in enumerate(ws.iter_rows(values_only=True), start=1) if "평가점수" in r)
    score_col = header.index("평가점수") + 1
    _edit(national, lambda wb: setattr(wb["지원금"].cell(hr + 1, score_col), "value", 91.5))
    res = run("refresh", str(national), "--format", "json")
    assert res.exit_code == 0, res.output
    conn = sqlite3.connect(national.parent / "iupjong.db")
    got = conn.execute("SELECT kind, column_name, new, os_user FROM inputs WHERE kind = 'score'").fetchall()
    assert [(k, c, json.loads(n)) for k, c, n, _u in got] == [("score", "평가점수", 91.5)] and got[0][3]
    assert run("verify", str(national)).exit_code == 0


# ------------------------------------------------------------------------------------------ two at once


def _cli(*args: str, env: dict[str, str] | None = None) -> subprocess.Popen[str]:
    return subprocess.Popen([sys.executable, "-m", "iupjong_xl", *args], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, env={**os.environ, **(env or {})})


def test_two_runs_at_once_lose_nothing(tmp_path: Path) -> None:
    out = tmp_path / "c.xlsx"
    assert consolidate(out, "울산", "전북").exit_code == 0
    a = _cli("consolidate", str(SAMPLES / "강원"), "-o", str(out), "-q")
    b = _cli("consolidate", str(SAMPLES / "제주"), "-o", str(out), "-q")
    assert a.wait(120) == 0 and b.wait(120) == 0, (a.stderr.read() if a.stderr else "", b.stderr.read() if b.stderr else "")
    head, clubs = sheet_rows(out, "교류회")
    prefixes = {str(r[head.index("교류회코드")])[:3] for r in clubs}
    assert prefixes == {"USN", "JBK", "GWN", "JJU"}
    assert run("verify", str(out)).exit_code == 0


def test_two_first_runs_at_once_create_one_ledger(tmp_path: Path) -> None:
    out = tmp_path / "c.xlsx"  # no workbook and no ledger yet: both runs create them
    a = _cli("consolidate", str(SAMPLES / "강원"), "-o", str(out), "-q")
    b = _cli("consolidate", str(SAMPLES / "제주"), "-o", str(out), "-q")
    assert a.wait(120) == 0 and b.wait(120) == 0, (a.stderr.read() if a.stderr else "", b.stderr.read() if b.stderr else "")
    head, clubs = sheet_rows(out, "교류회")
    assert {str(r[head.index("교류회코드")])[:3] for r in clubs} == {"GWN", "JJU"}
    assert run("verify", str(out)).exit_code == 0


def test_a_run_waits_for_the_lock_and_names_who_holds_it(national: Path) -> None:
    db = national.parent / "iupjong.db"
    holder = sqlite3.connect(db, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    (db.parent / "iupjong.db.holder").write_text(json.dumps(
        {"user": "김총무", "host": "fed-pc", "pid": 4242, "since": "2009-03-02T10:00:00+09:00"}), encoding="utf-8")
    try:
        before = sha(national)
        res = run("consolidate", str(SAMPLES / "제주"), "-o", str(national), "-q", env={"IUPJONG_LEDGER_WAIT": "0.5"})
        assert res.exit_code == 2
        assert "다른 작업이 쓰고 있습니다" in res.output and "김총무@fed-pc" in res.output
        assert sha(national) == before
    finally:
        holder.execute("ROLLBACK")
        holder.close()


# ------------------------------------------------------------------------------------------ kill -9


@pytest.mark.parametrize("point", ["recorded", "view_written", "replaced"])
def test_kill_9_at_any_point_then_the_next_run_finishes(tmp_path: Path, point: str) -> None:
    out = tmp_path / "n.xlsx"
    assert consolidate(out, "제주").exit_code == 0
    before = sha(out)
    p = _cli("consolidate", str(SAMPLES / "제주"), str(SAMPLES / "울산"), "-o", str(out), "-q",
             env={"IUPJONG_FAULT_AT": point})
    assert p.wait(120) == -9
    assert integrity(tmp_path / "iupjong.db") == "ok"
    assert (sha(out) == before) == (point != "replaced")  # the old workbook or the new one, never half-written
    conn = sqlite3.connect(tmp_path / "iupjong.db")
    runs = conn.execute("SELECT count(*) FROM runs").fetchone()[0]
    assert runs == 1  # killed before its commit: the ledger is as it was before the run
    assert run("verify", str(out)).exit_code == (1 if point == "replaced" else 0)  # the new view, not yet recorded
    res = consolidate(out, "제주", "울산")
    assert res.exit_code == 0 and codes(res) == []
    assert run("verify", str(out)).exit_code == 0
    assert not list(tmp_path.glob(".n.xlsx.*.tmp"))  # what a killed run left behind is cleaned up
    _head, clubs = sheet_rows(out, "교류회")
    assert len(clubs) == 13


# ------------------------------------------------------------------------------------------ bootstrap, verify


def test_a_workbook_without_a_ledger_is_taken_in(tmp_path: Path) -> None:
    out = tmp_path / "national.xlsx"
    shutil.copy(FIXTURE, out)  # written by main at f3d4cc7, before there was a ledger
    res = consolidate(out, "제주", "울산")
    assert res.exit_code == 0 and codes(res) == ["LEDGER_BOOTSTRAP"]
    s = data(res)["summary"]
    assert s["unchanged"] + s["replaced"] == 15 and s["created"] == 0  # found again by key (bytes of a later corpus)
    assert run("verify", str(out)).exit_code == 0
    res = consolidate(out, "제주", "울산")
    assert codes(res) == []


def test_verify_json_lists_each_difference(national: Path) -> None:
    _edit(national, lambda wb: wb["회원사"].delete_rows(2, 2))
    res = run("verify", str(national), "--format", "json")
    assert res.exit_code == 1
    got = json.loads(res.output)
    assert got["valid"] is False
    checks = [(d["check"], d["kind"], d["sheet"], d["column"]) for d in got["differences"]]
    assert checks == [("rows", "row_missing", "회원사", "행 ID")] * 2  # two rows gone (출처 is the ledger's, unchanged)


# ------------------------------------------------------------------------------------------ bad ledgers


def test_bad_ledgers_are_clear_errors_and_change_nothing(national: Path, tmp_path: Path) -> None:
    text = tmp_path / "notes.db"
    text.write_text("회의록", encoding="utf-8")
    foreign = tmp_path / "other.db"
    c = sqlite3.connect(foreign)
    c.execute("CREATE TABLE t (x)")
    c.commit()
    c.close()
    newer = tmp_path / "newer.db"
    shutil.copy(national.parent / "iupjong.db", newer)
    c = sqlite3.connect(newer)
    c.execute("UPDATE meta SET value = '99' WHERE key = 'schema_version'")
    c.commit()
    c.close()
    for path, words in ((text, "SQLite 파일)이 아닙니다"), (foreign, "iupjong 원장이 아닙니다"), (newer, "더 새로운 프로그램")):
        before = sha(path)
        res = run("consolidate", str(SAMPLES / "제주"), "-o", str(national), "--ledger", str(path), "-q")
        assert res.exit_code == 2 and words in res.output, res.output
        assert sha(path) == before
    res = run("consolidate", str(SAMPLES / "제주"), "-o", str(national), "--ledger", str(tmp_path), "-q")
    assert res.exit_code == 2 and "폴더입니다" in res.output


def test_a_full_disk_rolls_back_the_run(national: Path) -> None:
    db = national.parent / "iupjong.db"
    before_db, before_wb = integrity(db), sha(national)
    pages = sqlite3.connect(db).execute("PRAGMA page_count").fetchone()[0]
    res = run("consolidate", str(SAMPLES / "강원"), "-o", str(national), "-q",
              env={"IUPJONG_LEDGER_MAX_PAGES": str(pages + 2)})
    assert res.exit_code == 2 and "디스크가 가득 찼습니다" in res.output, res.output
    assert integrity(db) == before_db == "ok" and sha(national) == before_wb
    conn = sqlite3.connect(db)
    assert conn.execute("SELECT count(*) FROM runs").fetchone() == (1,)


@pytest.mark.skipif(os.name != "posix" or os.geteuid() == 0, reason="root (or no POSIX permissions) can write anyway")
def test_a_read_only_ledger_is_a_clear_error(national: Path) -> None:
    db = national.parent / "iupjong.db"
    db.chmod(0o444)
    try:
        res = run("consolidate", str(SAMPLES / "제주"), "-o", str(national), "-q")
        assert res.exit_code == 2 and "읽기 전용" in res.output
    finally:
        db.chmod(0o644)


def test_an_older_ledger_is_migrated_forward(tmp_path: Path) -> None:
    db = tmp_path / "iupjong.db"
    c = sqlite3.connect(db, isolation_level=None)
    for stmt in [s for s in MIGRATIONS[1].split(";") if s.strip()]:
        c.execute(stmt)
    c.execute("INSERT INTO meta VALUES ('app', 'iupjong-xl'), ('schema_version', '1'), ('created', 'x')")
    c.close()
    with open_ledger(db) as led:
        assert led.schema == SCHEMA_VERSION == 3
        tables = {r[0] for r in led.conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        assert {"extra_cells", "submissions", "submission_events"} <= tables
    assert ledger_mod.integrity(db) == "ok"
    res = consolidate(tmp_path / "n.xlsx", "제주")
    assert res.exit_code == 0 and run("verify", str(tmp_path / "n.xlsx")).exit_code == 0


# ------------------------------------------------------------------------------------------ re-runs


def test_a_rerun_reads_only_what_changed_and_gives_what_a_full_run_gives(national: Path, tmp_path: Path) -> None:
    res = consolidate(national, "제주", "울산")
    assert data(res)["summary"]["files_reused"] == 15
    plain = tmp_path / "plain" / "national.xlsx"  # the same two runs without a ledger: every file read again
    assert consolidate(plain, "제주", "울산", extra=("--no-ledger",)).exit_code == 0
    full = consolidate(plain, "제주", "울산", extra=("--no-ledger",))
    a, b = data(res), data(full)
    for part in ("indicators", "funding", "reporting"):
        assert a[part] == b[part], part
    assert (a["summary"]["run"], b["summary"]["run"]) == (2, None)  # the ledger's run number; none without it
    drop = ("output", "ledger", "files_reused", "run")
    assert {k: v for k, v in a["summary"].items() if k not in drop} == \
           {k: v for k, v in b["summary"].items() if k not in drop}
    assert sorted(map(str, a["findings"])) == sorted(map(str, b["findings"]))
    for sheet in ("출처", "제외", "회원사"):
        head, rows = sheet_rows(national, sheet)
        _head2, rows2 = sheet_rows(plain, sheet)
        cut = head.index("행 ID") if "행 ID" in head else len(head)
        assert sorted(map(str, (r[:cut] for r in rows))) == sorted(map(str, (r[:cut] for r in rows2))), sheet


def test_a_new_file_claiming_a_reused_unit_is_judged_against_it(national: Path, tmp_path: Path) -> None:
    other = tmp_path / "again"
    other.mkdir()
    shutil.copy(SAMPLES / "제주" / "제주_JJU-001_2009.xlsx", other / "사본_JJU-001.xlsx")  # the same bytes again
    res = run("consolidate", str(SAMPLES / "제주"), str(SAMPLES / "울산"), str(other), "-o", str(national), "-q",
              "--format", "json")
    assert data(res)["summary"]["duplicate"] == 1 and data(res)["summary"]["files_reused"] == 14
    changed = tmp_path / "changed"
    changed.mkdir()
    src = changed / "JJU-001_수정.xlsx"
    shutil.copy(SAMPLES / "제주" / "제주_JJU-001_2009.xlsx", src)
    wb = openpyxl.load_workbook(src)
    wb["활동"].cell(4, 4).value = 3
    wb.save(src)
    res = run("consolidate", str(SAMPLES / "제주"), str(changed), "-o", str(national), "-q", "--format", "json")
    assert data(res)["summary"]["conflicts"] == 2
    assert sorted(f["file"] for f in data(res)["findings"] if f["code"] == "CONSOLIDATE_CONFLICT") == \
        sorted([str(SAMPLES / "제주" / "제주_JJU-001_2009.xlsx"), str(src)])


def test_the_analyses_read_the_ledger_when_it_is_there(national: Path, tmp_path: Path) -> None:
    from iupjong_xl.analyses.directory import build_directory

    head, rows = sheet_rows(national, "회원사")
    brn, name = rows[0][head.index("사업자등록번호")], rows[0][head.index("회사명")]
    _edit(national, lambda wb: setattr(wb["회원사"].cell(2, head.index("회사명") + 1), "value", "고친 이름(미반영)"))
    alone = tmp_path / "alone" / "national.xlsx"  # the same workbook without its ledger: read as it is
    alone.parent.mkdir()
    shutil.copy(national, alone)
    assert build_directory(national).company(brn).name == name  # the record, until a run takes the edit in
    assert build_directory(alone).company(brn).name == "고친 이름(미반영)"
    assert consolidate(national, "제주", "울산").exit_code == 0  # the run records the correction ...
    assert build_directory(national).company(brn).name == "고친 이름(미반영)"  # ... and now the ledger has it


def test_a_schema_2_ledger_gets_the_portal_tables_and_keeps_its_runs(tmp_path: Path) -> None:
    db = tmp_path / "iupjong.db"
    c = sqlite3.connect(db, isolation_level=None)
    for n in (1, 2):
        for stmt in [s for s in MIGRATIONS[n].split(";") if s.strip()]:
            c.execute(stmt)
    c.execute("INSERT INTO meta VALUES ('app', 'iupjong-xl'), ('schema_version', '2'), ('created', 'x')")
    c.execute("INSERT INTO runs (id, started, command, outcome) VALUES (7, '2009-03-01T09:00:00', 'consolidate', 'ok')")
    c.close()
    with open_ledger(db) as led:
        assert led.schema == 3
        assert led.conn.execute("SELECT id, command FROM runs").fetchall() == [(7, "consolidate")]
        cols = [r[1] for r in led.conn.execute("PRAGMA table_info(submissions)")]
        assert cols[:6] == ["id", "run_id", "sha256", "file_name", "size", "account"]
        assert [r[1] for r in led.conn.execute("PRAGMA table_info(submission_events)")] == [
            "id", "submission_id", "kind", "account", "at", "note"]
        assert led.conn.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone() == ("3",)
    assert ledger_mod.integrity(db) == "ok"
