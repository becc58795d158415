"""`iupjong verify` compares every cell the program wrote (issue 19, point 1): the view the ledger rebuilds with the
writer against the workbook, cell by cell on every sheet. Five tampers a person could make to the figures people
decide on are each caught with sheet and cell; an untouched workbook, the same workbook saved by LibreOffice, and one
with column widths changed and a data sheet sorted are no difference.

All tests share one consolidated corpus (sample_workbooks/2009, the session fixture corpus_2009)."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

import openpyxl
from click.testing import CliRunner, Result

from iupjong_xl.cli import cli


def run(*args: str) -> Result:
    return CliRunner().invoke(cli, list(args))


def verify_json(path: Path) -> tuple[int, dict[str, Any]]:
    res = run("verify", str(path), "--format", "json")
    return res.exit_code, json.loads(res.output)


def cols(ws: Any, row: int) -> dict[str, str]:
    return {c.value: c.column_letter for c in ws[row] if c.value is not None}


def test_five_tampers_each_caught_with_sheet_and_cell(national_2009: Path) -> None:
    wb = openpyxl.load_workbook(national_2009)
    ind = wb["연합회별 지표"]
    assert (ind["A4"].value, ind["B3"].value, ind["B4"].value) == ("서울", "등록 교류회", 60)
    ind["B4"] = 70
    fund = wb["지원금"]
    fc = cols(fund, 3)
    assert (fund["A4"].value, fund[f"{fc['선정']}4"].value) == ("2009/SEO-013/1", "아니오")
    fund[f"{fc['선정']}4"] = "예"
    fund[f"{fc['정부지원 선정액(원)']}5"] = 99_999_999
    rep = wb["보고현황"]
    assert (rep["B2"].value, rep["E1"].value, rep["E2"].value) == ("SEO-001", "보고서 접수", "예")
    rep["E2"] = "아니오"
    summ = wb["요약"]
    assert (summ["A8"].value, summ["C8"].value) == ("등록 회원사", "='연합회별 지표'!D17")
    summ["C8"] = 284
    wb.save(national_2009)

    code, got = verify_json(national_2009)
    assert code == 1 and got["valid"] is False and got["mode"] == "cells"
    diffs = [(d["kind"], d["sheet"], d["cell"], d["column"], d["expected"], d["found"]) for d in got["differences"]]
    assert sorted(diffs) == sorted([
        ("tampered", "연합회별 지표", "B4", "등록 교류회", 60, 70),
        ("tampered", "지원금", "R4", "선정", "아니오", "예"),
        ("tampered", "지원금", "S5", "정부지원 선정액(원)", 9_700_000, 99_999_999),
        ("tampered", "보고현황", "E2", "보고서 접수", "예", "아니오"),
        ("tampered", "요약", "C8", "값", "='연합회별 지표'!D17", 284),
    ])
    for d in got["differences"]:  # today's keys stay
        assert set(d) == {"check", "sheet", "message", "detail", "kind", "cell", "column", "expected", "found"}
        assert d["check"] == "cells" and d["sheet"] in d["message"] and d["cell"] in d["message"]
    summary = next(d for d in got["differences"] if d["sheet"] == "요약")
    assert summary["detail"] == "등록 회원사"  # the row's label: which figure was changed



def test_no_false_alarm_untouched_libreoffice_widths_and_sorting(national_2009: Path, tmp_path: Path) -> None:
    folder = national_2009.parent
    code, got = verify_json(national_2009)
    assert (code, got["differences"]) == (0, [])
    assert got["written_by"]["rulebook"] == "2009.1"

    # saved by LibreOffice: formulas rewritten with their cached results, styles re-encoded
    lo = tmp_path / "lo"
    subprocess.run(["soffice", f"-env:UserInstallation={(tmp_path / 'lo-profile').as_uri()}", "--headless",
                    "--convert-to", "xlsx", "--outdir", str(lo), str(national_2009)], check=True, capture_output=True,
                   timeout=300)
    original = tmp_path / "original.xlsx"
    shutil.copy2(national_2009, original)
    shutil.copy2(lo / national_2009.name, national_2009)
    assert national_2009.read_bytes() != original.read_bytes()
    code, got = verify_json(national_2009)
    assert (code, got["differences"]) == (0, [])

    # column widths changed and 회원사 sorted the other way round: no difference
    shutil.copy2(original, national_2009)
    wb = openpyxl.load_workbook(national_2009)
    ws = wb["회원사"]
    ws.column_dimensions["E"].width = 60
    wb["요약"].column_dimensions["A"].width = 5
    rows = [[c.value for c in r] for r in ws.iter_rows(min_row=2)]
    for i, row in enumerate(reversed(rows), start=2):
        for j, v in enumerate(row, start=1):
            ws.cell(i, j).value = v
    wb.save(national_2009)
    assert openpyxl.load_workbook(national_2009, read_only=True)["회원사"]["D2"].value != rows[0][3]
    code, got = verify_json(national_2009)
    assert (code, got["differences"]) == (0, [])
    assert folder == national_2009.parent


def test_pending_input_row_added_and_missing_sheet(small_national: Path) -> None:
    wb = openpyxl.load_workbook(small_national)
    ws = wb["회원사"]
    mc = cols(ws, 1)
    assert ws[f"{mc['종업원수']}2"].value == 35
    ws[f"{mc['종업원수']}2"] = 25  # a correction typed, not yet taken by refresh
    copy = [c.value for c in ws[3]]
    ws.append(copy)  # a copy of a row: its 행 ID repeats
    n = ws.max_row
    del wb["변경 내역"]
    wb.save(small_national)
    code, got = verify_json(small_national)
    assert code == 1
    diffs = sorted((d["kind"], d["sheet"], d["cell"], d["column"], d["expected"], d["found"])
                   for d in got["differences"])
    uid = copy[list(mc).index("행 ID")]
    assert diffs == [
        ("pending_input", "회원사", f"{mc['종업원수']}2", "종업원수", 35, 25),
        ("row_added", "회원사", f"A{n}", "행 ID", None, uid),
        ("sheet_missing", "변경 내역", None, None, "변경 내역", None),
    ]


def test_a_view_of_another_version_is_compared_row_by_row_and_named(small_national: Path) -> None:
    import sqlite3

    out = small_national
    conn = sqlite3.connect(out.parent / "iupjong.db")
    conn.execute("UPDATE views SET state = json_set(state, '$.program', '0.0.9')")
    conn.commit()
    conn.close()
    code, got = verify_json(out)
    assert (code, got["mode"], got["written_by"]["program"], got["written_by"]["rulebook"], got["differences"]) == \
        (0, "rows", "0.0.9", "2009.1", [])

    wb = openpyxl.load_workbook(out)
    ws = wb["회원사"]
    mc = cols(ws, 1)
    uid = ws[f"{mc['행 ID']}2"].value
    ws[f"{mc['회사명']}2"] = "다른회사"
    wb.save(out)
    code, got = verify_json(out)
    assert code == 1
    assert [(d["check"], d["kind"], d["sheet"], d["detail"], d["column"], d["found"]) for d in got["differences"]] == [
        ("rows", "tampered", "회원사", uid, "회사명", "다른회사")]
    text = run("verify", str(out))
    assert "다른 판(프로그램 0.0.9, 규칙집 2009.1" in text.output
