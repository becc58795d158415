"""`iupjong history`: every version of every report in the ledger, what changed between them (--diff), the change
summary and the 변경 내역 sheet of a run that replaces a report, and the received files back (--extract); on real
sample files, with a corrected resubmission made with openpyxl (two cells changed, one member row removed)."""

from __future__ import annotations

import hashlib
import json
import shutil
import sqlite3
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from click.testing import CliRunner, Result

from iupjong_xl.cli import cli
from iupjong_xl.consolidate import ledger as ledger_mod
from iupjong_xl.consolidate.history import diff_rows

SAMPLES = Path(__file__).resolve().parents[1] / "sample_workbooks" / "2009"
ORIGINAL = SAMPLES / "제주" / "제주_JJU-001_2009.xlsx"
NAME = ORIGINAL.name
REMOVED_BRN = "616-12-81913"  # the member row removed from the corrected report
EXPECTED = [  # what the corrected report changed: (change, sheet, key, column, old, new)
    ("removed", "회원사", REMOVED_BRN, None, None, None),
    ("changed", "회원사", "616-81-05401", "종업원수", 24, 25),
    ("changed", "회원사", "616-88-59788", "매출액(백만원)", 8120, 9000),
]


def run(*args: str) -> Result:
    return CliRunner(env={"COLUMNS": "160"}).invoke(cli, list(args))  # a wide terminal: cells on one line


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def sheet_rows(path: Path, name: str) -> tuple[list[Any], list[list[Any]]]:
    ws = openpyxl.load_workbook(path, read_only=True)[name]
    rows = [list(r) for r in ws.iter_rows(values_only=True)]
    return rows[0], [r for r in rows[1:] if any(v is not None for v in r)]


def corrected(folder: Path) -> Path:
    """A corrected resubmission of JJU-001: one employee count and one sales figure changed, one member removed."""
    src = folder / NAME
    folder.mkdir(parents=True, exist_ok=True)
    shutil.copy(ORIGINAL, src)
    wb = openpyxl.load_workbook(src)
    ws = wb["회원사"]
    head = [c.value for c in ws[1]]
    brns = [ws.cell(r, 1).value for r in range(2, ws.max_row + 1)]
    assert head[0] == "사업자등록번호" and brns[:4] == ["616-81-05401", "616-88-59788", "616-86-31734", REMOVED_BRN]
    assert (ws.cell(2, head.index("종업원수") + 1).value, ws.cell(3, head.index("매출액(백만원)") + 1).value) == ("24명", "8,120")
    ws.cell(2, head.index("종업원수") + 1).value = 25
    ws.cell(3, head.index("매출액(백만원)") + 1).value = 9000
    ws.delete_rows(5)
    wb.save(src)
    return src


@pytest.fixture
def replaced(tmp_path: Path) -> tuple[Path, Path, dict[str, Any]]:
    """Two consolidations: 제주 as sent, then the corrected JJU-001. Returns (workbook, corrected file, 2nd run)."""
    out = tmp_path / "national.xlsx"
    first = run("consolidate", str(SAMPLES / "제주"), "-o", str(out), "-q", "--format", "json")
    assert first.exit_code == 0, first.output
    assert "changes" not in json.loads(first.output)  # nothing was replaced
    src = corrected(tmp_path / "resubmitted")
    second = run("consolidate", str(src), "-o", str(out), "-q", "--format", "json")
    assert second.exit_code == 0, second.output
    return out, src, json.loads(second.output)


def history(out: Path, *args: str) -> dict[str, Any]:
    res = run("history", str(out), *args, "--format", "json")
    assert res.exit_code == 0, res.output
    data: dict[str, Any] = json.loads(res.output)
    return data


# ------------------------------------------------------------------------------------------ the run's summary


def test_the_run_that_replaces_a_report_counts_its_changes(replaced: tuple[Path, Path, dict[str, Any]]) -> None:
    _out, _src, data = replaced
    assert data["summary"]["replaced"] == 1
    assert data["changes"] == [{"kind": "club", "year": 2009, "unit": "JJU-001", "federation": "제주", "old_file": NAME,
                                "new_file": NAME, "added": 0, "removed": 1, "changed": 2, "cells": 2}]


def test_the_table_output_shows_the_changes(tmp_path: Path) -> None:
    out = tmp_path / "n.xlsx"
    assert run("consolidate", str(SAMPLES / "제주"), "-o", str(out), "-q").exit_code == 0
    res = run("consolidate", str(corrected(tmp_path / "in")), "-o", str(out), "-q")
    assert res.exit_code == 0, res.output
    line = next(ln for ln in res.output.splitlines() if "JJU-001" in ln and NAME in ln)
    assert [c.strip() for c in line.split("│")[1:-1]] == ["JJU-001", "제주", NAME, "0", "1", "2", "2"]
    assert "교체된 보고서의 변경" in res.output


def test_the_changes_sheet_lists_the_cells_of_this_run(replaced: tuple[Path, Path, dict[str, Any]]) -> None:
    out, _src, _data = replaced
    wb = openpyxl.load_workbook(out, read_only=True)
    assert wb.sheetnames.index("변경 내역") == wb.sheetnames.index("수정 이력") + 1
    head, rows = sheet_rows(out, "변경 내역")
    assert head == ["구분", "연합회", "보고서", "시트", "키", "항목", "이전 값", "새 값", "파일", "일시", "작업자", "행 ID"]
    assert [r[:9] for r in rows] == [
        ["행 삭제", "제주", "JJU-001", "회원사", REMOVED_BRN, None, None, None, NAME],
        ["값 변경", "제주", "JJU-001", "회원사", "616-81-05401", "종업원수", 24, 25, NAME],
        ["값 변경", "제주", "JJU-001", "회원사", "616-88-59788", "매출액(백만원)", 8120, 9000, NAME],
    ]
    # the next run replaces nothing: its 변경 내역 is empty, the history keeps the change
    res = run("consolidate", str(SAMPLES / "제주" / "제주_JJU-002_2009.xlsx"), "-o", str(out), "-q", "--format", "json")
    assert res.exit_code == 0 and "changes" not in json.loads(res.output)
    assert sheet_rows(out, "변경 내역")[1][0][0].startswith("이번 취합에서 바뀐 보고서 내용이 없습니다")
    assert run("verify", str(out)).exit_code == 0


def test_a_hand_correction_is_listed_on_the_changes_sheet(replaced: tuple[Path, Path, dict[str, Any]]) -> None:
    out, _src, _data = replaced
    head, members = sheet_rows(out, "회원사")
    r = next(i for i, m in enumerate(members, start=2) if m[head.index("사업자등록번호")] == "616-86-31734")
    uid = members[r - 2][head.index("행 ID")]
    assert members[r - 2][head.index("종업원수")] == 7
    wb = openpyxl.load_workbook(out)
    wb["회원사"].cell(r, head.index("종업원수") + 1).value = 8
    wb.save(out)
    res = run("refresh", str(out), "--format", "json")
    assert res.exit_code == 0, res.output
    chead, rows = sheet_rows(out, "변경 내역")
    (fix,) = rows
    got = dict(zip(chead, fix, strict=True))
    assert {k: got[k] for k in ("구분", "연합회", "보고서", "시트", "키", "항목", "이전 값", "새 값", "작업자", "행 ID")} == {
        "구분": "손 수정", "연합회": "제주", "보고서": "JJU-001", "시트": "회원사", "키": "616-86-31734", "항목": "종업원수",
        "이전 값": 7, "새 값": 8, "작업자": ledger_mod.os_user(), "행 ID": uid}
    assert got["일시"]


# ------------------------------------------------------------------------------------------ history, --diff


def test_history_shows_both_versions(replaced: tuple[Path, Path, dict[str, Any]]) -> None:
    out, src, _data = replaced
    data = history(out, "JJU-001")
    assert data["workbook"] == "national.xlsx" and data["ledger"] == str(out.parent / "iupjong.db")
    (unit,) = data["units"]
    assert (unit["kind"], unit["kind_label"], unit["year"], unit["unit"], unit["federation"]) == (
        "club", "교류회 보고서", 2009, "JJU-001", "제주")
    got = [(v["run"], v["file"], v["sha256"], v["status"], v["status_label"], v["current"], v["replaced_in_run"],
            v["user"], v["rulebook"]) for v in unit["versions"]]
    me = ledger_mod.os_user()
    assert got == [(1, NAME, sha(ORIGINAL), "created", "신규", False, 2, me, "2009.1"),
                   (2, NAME, sha(src), "replaced", "교체", True, None, me, "2009.1")]
    conn = sqlite3.connect(out.parent / "iupjong.db")
    started = [s for (s,) in conn.execute("SELECT started FROM runs ORDER BY id")]
    assert [v["received"] for v in unit["versions"]] == started
    assert "diffs" not in unit


def test_history_of_the_whole_workbook_and_by_year(replaced: tuple[Path, Path, dict[str, Any]]) -> None:
    out, _src, _data = replaced
    data = history(out, "--year", "2009")
    assert [(u["unit"], len(u["versions"])) for u in data["units"]] == [
        ("JJU-001", 2), ("JJU-002", 1), ("JJU-003", 1), ("JJU-008", 1), ("제주", 1)]
    assert [u["kind"] for u in data["units"]] == ["club"] * 4 + ["federation"]
    assert all(u["versions"][-1]["current"] for u in data["units"])
    en = history(out, "제주", "--lang", "en")
    assert en["units"][0]["versions"][0]["status_label"] == "created" and en["units"][0]["kind_label"] == "federation"


def test_files_received_again_or_in_conflict_are_listed(replaced: tuple[Path, Path, dict[str, Any]],
                                                         tmp_path: Path) -> None:
    out, _src, _data = replaced
    jju2 = SAMPLES / "제주" / "제주_JJU-002_2009.xlsx"
    other = tmp_path / "other" / "JJU-002_다시.xlsx"
    other.parent.mkdir()
    shutil.copy(jju2, other)
    wb = openpyxl.load_workbook(other)
    wb["활동"].cell(3, 4).value = 5
    wb.save(other)
    res = run("consolidate", str(SAMPLES / "제주" / "제주_JJU-003_2009.xlsx"), str(jju2), str(other), "-o", str(out),
              "-q", "--format", "json")
    assert json.loads(res.output)["summary"]["conflicts"] == 2
    units = {u["unit"]: u for u in history(out)["units"]}
    assert [v["unchanged_in_runs"] for v in units["JJU-003"]["versions"]] == [[3]]
    assert [v["unchanged_in_runs"] for v in units["JJU-001"]["versions"]] == [[], []]
    assert [(r["run"], r["file"], r["sha256"], r["status"], r["status_label"]) for r in units["JJU-002"]["not_taken"]] == [
        (3, other.name, sha(other), "conflict", "충돌"), (3, jju2.name, sha(jju2), "conflict", "충돌")]
    assert len(units["JJU-002"]["versions"]) == 1 and units["JJU-002"]["versions"][0]["current"]
    table = run("history", str(out), "JJU-002").output
    assert table.count("반영 안 함") == 2 and "충돌" in table


def test_diff_shows_exactly_the_changed_cells(replaced: tuple[Path, Path, dict[str, Any]]) -> None:
    out, _src, _data = replaced
    (unit,) = history(out, "JJU-001", "--diff")["units"]
    (d,) = unit["diffs"]
    assert (d["old_version"], d["new_version"]) == tuple(v["version"] for v in unit["versions"])
    assert (d["added"], d["removed"], d["changed"], d["cells"], d["not_compared"]) == (0, 1, 2, 2, [])
    assert [(c["change"], c["sheet"], c["key"], c["column"], c["old"], c["new"]) for c in d["changes"]] == EXPECTED
    assert [c["change_label"] for c in d["changes"]] == ["행 삭제", "값 변경", "값 변경"]
    en = history(out, "JJU-001", "--diff", "--lang", "en")["units"][0]["diffs"][0]
    assert [(c["change"], c["sheet"], c["column"]) for c in en["changes"]] == [
        ("removed", "Members", None), ("changed", "Members", "Employees"), ("changed", "Members", "Sales (million won)")]


def test_diff_table(replaced: tuple[Path, Path, dict[str, Any]]) -> None:
    out, _src, _data = replaced
    res = run("history", str(out), "JJU-001", "--diff")
    assert res.exit_code == 0, res.output
    assert "행 추가 0, 행 삭제 1, 바뀐 행 2 (값 2개)" in res.output
    cells = [[c.strip() for c in ln.split("│")[1:-1]] for ln in res.output.splitlines()
             if ln.startswith("│") and ("값 변경" in ln or "행 삭제" in ln)]
    assert cells == [["행 삭제", "회원사", REMOVED_BRN, "", "", ""],
                     ["값 변경", "회원사", "616-81-05401", "종업원수", "24", "25"],
                     ["값 변경", "회원사", "616-88-59788", "매출액(백만원)", "8120", "9000"]]
    assert "2번 실행에서 교체" in res.output and "현재" in res.output


def test_a_corrected_roster_is_diffed_by_club_code(replaced: tuple[Path, Path, dict[str, Any]], tmp_path: Path) -> None:
    out, _src, _data = replaced
    fed = tmp_path / "fed" / "제주_연합회_2009.xlsx"
    fed.parent.mkdir()
    shutil.copy(SAMPLES / "제주" / fed.name, fed)
    wb = openpyxl.load_workbook(fed)
    ws = wb["교류회 명부"]
    assert [c.value for c in ws[2]][:3] == ["JJU-001", "제주한길교류회", 17]
    ws.cell(2, 3).value = 16  # one member fewer, as the corrected club report says
    wb.save(fed)
    res = run("consolidate", str(fed), "-o", str(out), "-q", "--format", "json")
    assert res.exit_code == 0, res.output
    assert json.loads(res.output)["changes"] == [{
        "kind": "federation", "year": 2009, "unit": "제주", "federation": "제주", "old_file": fed.name,
        "new_file": fed.name, "added": 0, "removed": 0, "changed": 1, "cells": 1}]
    (unit,) = history(out, "제주", "--diff")["units"]
    assert [v["status"] for v in unit["versions"]] == ["created", "replaced"]
    assert [(c["sheet"], c["key"], c["column"], c["old"], c["new"]) for c in unit["diffs"][0]["changes"]] == [
        ("교류회 명부", "JJU-001", "회원사 수", 17, 16)]
    assert [r[:8] for r in sheet_rows(out, "변경 내역")[1]] == [
        ["값 변경", "제주", "제주 연합회", "교류회 명부", "JJU-001", "회원사 수", 17, 16]]


def test_versions_under_different_rule_books_compare_the_shared_columns(
        replaced: tuple[Path, Path, dict[str, Any]]) -> None:
    out, _src, _data = replaced
    conn = sqlite3.connect(out.parent / "iupjong.db")
    (old_vid,) = conn.execute("SELECT id FROM versions WHERE unit_key = 'JJU-001' AND run_from = 1").fetchone()
    # as if the first version had been recorded under an older rule book without the products column
    conn.execute("UPDATE runs SET rulebook_version = '2009.0' WHERE id = 1")
    for uid, text in conn.execute("SELECT uid, data FROM rows WHERE version_id = ? AND sheet = 'member'",
                                  (old_vid,)).fetchall():
        row = ledger_mod.loads(text)
        del row["products"]
        conn.execute("UPDATE rows SET data = ? WHERE uid = ?", (ledger_mod.dumps(row), uid))
    conn.commit()
    conn.close()
    (d,) = history(out, "JJU-001", "--diff")["units"][0]["diffs"]
    assert d["rulebooks"] == ["2009.0", "2009.1"]
    assert d["not_compared"] == [{"sheet": "회원사", "column": "주요 제품·기술", "column_key": "products"}]
    assert [(c["change"], c["key"], c["column"], c["old"], c["new"]) for c in d["changes"]] == [
        (c, k, col, o, n) for c, _s, k, col, o, n in EXPECTED]
    res = run("history", str(out), "JJU-001", "--diff")
    assert "규칙집 2009.0 → 2009.1" in res.output and "비교하지 못한 열 (한쪽 버전에만 있음): 회원사 주요 제품·기술" in res.output


def test_rows_are_matched_by_natural_key(replaced: tuple[Path, Path, dict[str, Any]]) -> None:
    out, _src, _data = replaced
    conn = sqlite3.connect(out.parent / "iupjong.db")
    (vid,) = conn.execute("SELECT id FROM versions WHERE unit_key = 'JJU-002'").fetchone()
    old: dict[str, list[dict[str, Any]]] = {}
    for sheet, text in conn.execute("SELECT sheet, data FROM rows WHERE version_id = ? ORDER BY seq", (vid,)):
        old.setdefault(sheet, []).append(ledger_mod.loads(text))
    new = {s: [dict(r, _row=r["_row"] + 100, _sha256="x") for r in reversed(rows)] for s, rows in old.items()}
    assert diff_rows(old, new) == ([], [])  # order and provenance are not content
    first = new["activity"][-1]
    key = f"{first['date'].isoformat()} {first['kind']}"
    first["attendees"] += 1
    new["activity"].append(dict(first))  # the same date and kind again: a second row, told apart
    new["club"][0]["club_name"] = "새 이름"
    changes, _nc = diff_rows(old, new)
    assert [(c.change, c.sheet, c.key, c.column) for c in changes] == [
        ("changed", "club", "JJU-002", "club_name"), ("added", "activity", f"{key} (2)", None),
        ("changed", "activity", key, "attendees")]


# ------------------------------------------------------------------------------------------ --extract


def test_extract_gives_back_the_bytes_as_received(replaced: tuple[Path, Path, dict[str, Any]], tmp_path: Path) -> None:
    out, src, _data = replaced
    target = tmp_path / "back" / "원본.xlsx"
    res = run("history", str(out), "--extract", sha(ORIGINAL), "-o", str(target))
    assert res.exit_code == 0, res.output
    assert target.read_bytes() == ORIGINAL.read_bytes() and NAME in res.output
    res = run("history", str(out), "--extract", sha(src)[:12].upper(), "-o", str(target), "--format", "json")
    assert res.exit_code == 0 and json.loads(res.output) == {"sha256": sha(src), "file": NAME, "output": str(target)}
    assert target.read_bytes() == src.read_bytes()


# ------------------------------------------------------------------------------------------ bad input


@pytest.mark.parametrize(("args", "ko", "en"), [
    (("NOP-001",), "교류회코드 NOP-001은(는) 원장의 national.xlsx 기록에 없습니다 (있는 코드: JJU-001, JJU-002, JJU-003, JJU-008).",
     "club code NOP-001 is not in the ledger's record of national.xlsx"),
    (("--year", "2008"), "원장 {db}에는 national.xlsx의 2008년 기록이 없습니다 (있는 연도: 2009).",
     "the ledger {db} holds no 2008 record of national.xlsx (years held: 2009)"),
    (("--extract", "0" * 64, "-o", "x.xlsx"), f"SHA-256 {'0' * 64}인 파일이 원장에 없습니다 ({{db}}).",
     "is not in the ledger"),
    (("--extract", "893a", "-o", "x.xlsx"), "SHA-256 893a은(는) 파일의 SHA-256(16진수 64자, 또는 앞 8자 이상)이 아닙니다.",
     "893a is not a file's sha256 (64 hex digits, or the first 8 or more of them)"),
    (("--extract", "제주_JJU-001_2009", "-o", "x.xlsx"), "SHA-256 제주_JJU-001_2009은(는) 파일의 SHA-256", "is not a file's sha256"),
])
def test_unknown_club_year_or_sha256_is_exit_2(replaced: tuple[Path, Path, dict[str, Any]], args: tuple[str, ...],
                                               ko: str, en: str) -> None:
    out, _src, _data = replaced
    db = str(out.parent / "iupjong.db")
    res = run("history", str(out), *args)
    assert res.exit_code == 2 and ko.format(db=db) in res.output and en.format(db=db) in res.output, res.output
    res = run("history", str(out), *args, "--lang", "en")
    assert res.exit_code == 2 and en.format(db=db) in res.output and ko.format(db=db) not in res.output


def test_a_prefix_of_several_files_is_exit_2(replaced: tuple[Path, Path, dict[str, Any]], tmp_path: Path) -> None:
    out, _src, _data = replaced
    conn = sqlite3.connect(out.parent / "iupjong.db")
    twin = sha(ORIGINAL)[:10] + "0" * 54  # a second stored file whose sha256 starts the same way
    conn.execute("INSERT INTO blobs (sha256, size, data) VALUES (?, 1, x'00')", (twin,))
    conn.commit()
    conn.close()
    target = tmp_path / "x.xlsx"
    res = run("history", str(out), "--extract", sha(ORIGINAL)[:10], "-o", str(target))
    assert res.exit_code == 2 and "여럿과 맞습니다. 더 길게 적으세요" in res.output and not target.exists()
    res = run("history", str(out), "--extract", sha(ORIGINAL)[:11], "-o", str(target))
    assert res.exit_code == 0 and target.read_bytes() == ORIGINAL.read_bytes()


def test_no_ledger_or_a_workbook_it_does_not_know_is_exit_2(replaced: tuple[Path, Path, dict[str, Any]],
                                                            tmp_path: Path) -> None:
    out, _src, _data = replaced
    lonely = tmp_path / "elsewhere" / "n.xlsx"
    res = run("history", str(lonely))
    assert res.exit_code == 2 and f"{lonely} 옆에 원장(iupjong.db)이 없습니다" in res.output
    res = run("history", str(out.parent / "other.xlsx"))
    assert res.exit_code == 2 and "에는 other.xlsx의 기록이 없습니다" in res.output
    res = run("history", str(lonely), "--ledger", str(out.parent / "iupjong.db"))
    assert res.exit_code == 2 and "기록이 없습니다" in res.output
    res = run("history", str(out), "--extract", "abc")
    assert res.exit_code == 2 and "--extract에는 -o FILE이 필요합니다" in res.output
