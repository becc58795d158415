"""`refresh` reports like `consolidate` (issue 19, point 3) and hand edits are read exactly (point 4): the same JSON
shape with this run's findings, the same exit codes, what was taken, restored and backed up and where; a row whose
행 ID repeats is a row added by hand, reported on its own sheet and row; the program's own line under an empty
table is never read back as a row."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import openpyxl
from click.testing import CliRunner, Result
from conftest import club_data

from iupjong_xl.cli import cli


def run(*args: str) -> Result:
    return CliRunner().invoke(cli, list(args))


def test_refresh_reports_like_consolidate(small_national: Path) -> None:
    national = small_national
    res = run("refresh", str(national), "--format", "json")
    assert res.exit_code == 0, res.output
    got = json.loads(res.output)
    assert {"summary", "reporting", "indicators", "funding", "sources", "findings", "edits"} <= set(got)
    s = got["summary"]
    assert (s["command"], s["run"], s["errors"], s["warnings"], s["files"], s["year"]) == ("refresh", 2, 0, 0, 0, 2009)
    assert got["findings"] == []
    assert got["edits"] == {"corrections": 0, "scores": 0, "restored": 0, "added": 0, "not_taken": 0,
                            "extra_columns": 0, "inputs": [], "backup": None}

    wb = openpyxl.load_workbook(national)
    ws = wb["회원사"]
    heads = [c.value for c in ws[1]]
    uid_col = heads.index("행 ID")
    gone = [c.value for c in ws[2]]
    ws.delete_rows(2)  # a row deleted: restored from the ledger
    ws.append([c.value for c in ws[3]])  # a copy of a row (its 행 ID repeats): added by hand
    added_row = ws.max_row
    wb.save(national)
    res = run("refresh", str(national), "--format", "json")
    assert res.exit_code == 0, res.output  # warnings only
    got = json.loads(res.output)
    backup = national.with_name("national.수정본-3.xlsx")
    assert [(f["code"], f["severity"], f["sheet"], f["cell"]) for f in got["findings"]] == [
        ("LEDGER_ROW_RESTORED", "warning", "회원사", None),
        ("LEDGER_ROW_ADDED", "warning", "회원사", f"A{added_row}"),
    ]
    added = got["findings"][1]["message"]
    assert f"{added_row}행" in added and backup.name in added and "{" not in added
    assert got["summary"]["warnings"] == 2
    e = got["edits"]
    assert (e["restored"], e["added"], e["backup"]) == (1, 1, str(backup))
    assert [(i["kind"], i["sheet"], i.get("row_id"), i.get("cell")) for i in e["inputs"]] == [
        ("restored", "회원사", gone[uid_col], None), ("added", "회원사", None, f"A{added_row}")]
    assert backup.is_file()
    kept = openpyxl.load_workbook(backup, read_only=True)["회원사"]
    assert [c.value for c in next(kept.iter_rows(min_row=added_row, max_row=added_row))][uid_col] == \
        [c.value for c in ws[3]][uid_col]

    text = run("refresh", str(national))
    assert text.exit_code == 0
    assert "갱신 결과" in text.output and "가져온 입력: 수정 0건, 평가점수 0건" in text.output


def _sheet(path: Path, name: str) -> list[list[Any]]:
    return [list(r) for r in openpyxl.load_workbook(path, read_only=True)[name].iter_rows(values_only=True)]


def test_a_repeated_row_id_is_a_row_added_by_hand_and_empty_sheets_stay_quiet(
        write_report: Callable[..., Path], tmp_path: Path) -> None:
    data = club_data()
    data["result"], data["consortium"] = [], []  # 성과 and 협력과제 empty: the program writes its own line there
    report = write_report(data, name="서울_SEO-001_2009.xlsx")
    out = tmp_path / "out" / "national.xlsx"
    res = run("consolidate", str(report), "-o", str(out), "-q", "--format", "json")
    assert res.exit_code == 0, res.output
    assert _sheet(out, "성과")[3][0] == "취합된 성과 행이 없습니다."
    assert _sheet(out, "협력과제")[3][0] == "취합된 협력과제 행이 없습니다."

    wb = openpyxl.load_workbook(out)
    ws = wb["회원사"]
    ws.append([c.value for c in ws[4]])  # the copy of a member row, same hidden 행 ID
    n = ws.max_row
    wb.save(out)
    res = run("consolidate", str(report), "-o", str(out), "-q", "--format", "json")
    got = json.loads(res.output)
    ledger = [f for f in got["findings"] if f["code"].startswith("LEDGER_")]
    assert [(f["code"], f["sheet"], f["cell"]) for f in ledger] == [("LEDGER_ROW_ADDED", "회원사", f"A{n}")]
    assert f"회원사 시트 {n}행은 손으로 더한 행" in ledger[0]["message"] and "{" not in ledger[0]["message"]
    assert got["edits"]["added"] == 1 and Path(got["edits"]["backup"]).is_file()
    assert len([r for r in _sheet(out, "회원사")[1:] if any(v is not None for v in r)]) == 6  # the copy is not data
    assert run("verify", str(out)).exit_code == 0

    wb = openpyxl.load_workbook(out)  # verify's text table names kind, sheet, cell, column, ledger and workbook values
    wb["연합회별 지표"]["B4"] = 7
    wb.save(out)
    text = run("verify", str(out))
    assert text.exit_code == 1
    assert "통합 문서가 원장과 맞지 않습니다: 1건" in text.output
    line = next(x for x in text.output.splitlines() if "B4" in x)
    assert [c.strip() for c in line.split("│")[1:7]] == ["고쳐짐", "연합회별 지표", "B4", "등록 교류회", "1", "7"]
