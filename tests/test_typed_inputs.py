"""Typed inputs go through the rule book (issue 19, point 2): a score typed into 지원금 and a correction typed into a
data sheet are checked with their column's rules by refresh and consolidate alike. A refused value is an error
finding at its cell; the request counts as unscored (never selected on it); derived tables use the last valid value
of a corrected cell; what the person typed stays in the cell — never silently reverted. The input cells carry Excel
data validation (error style "warning")."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import openpyxl
from click.testing import CliRunner, Result

from iupjong_xl.cli import cli

SAMPLES = Path(__file__).resolve().parents[1] / "sample_workbooks" / "2009"


def run(*args: str) -> Result:
    return CliRunner().invoke(cli, list(args))


def cols(ws: Any, row: int) -> dict[str, str]:
    return {c.value: c.column_letter for c in ws[row] if c.value is not None}


def test_three_typed_scores_are_error_findings_at_their_cells(national_2009: Path) -> None:
    wb = openpyxl.load_workbook(national_2009)
    ws = wb["지원금"]
    fc = cols(ws, 3)
    before = [(ws[f"A{r}"].value, ws[f"{fc['평가점수']}{r}"].value, ws[f"{fc['선정']}{r}"].value) for r in (4, 5, 6)]
    assert before == [("2009/SEO-013/1", 63.4, "아니오"), ("2009/SEO-013/2", 76.5, "예"),
                      ("2009/SEO-017/1", 69.8, "아니오")]
    ws["N4"], ws["N5"], ws["N6"] = 150, -3, "높음"
    wb.save(national_2009)

    res = run("refresh", str(national_2009), "--format", "json")
    assert res.exit_code == 1, res.output
    got = json.loads(res.output)
    assert [(f["code"], f["severity"], f["sheet"], f["cell"], f["column"], f["value"]) for f in got["findings"]] == [
        ("LEDGER_SCORE_INVALID", "error", "지원금", "N4", "평가점수", "150"),
        ("LEDGER_SCORE_INVALID", "error", "지원금", "N5", "평가점수", "-3"),
        ("LEDGER_SCORE_INVALID", "error", "지원금", "N6", "평가점수", "높음"),
    ]
    assert "100 이하여야 합니다" in got["findings"][0]["message"]
    assert "0 이상이어야 합니다" in got["findings"][1]["message"]
    assert "숫자가 아닙니다" in got["findings"][2]["message"]
    assert got["summary"]["errors"] == 3
    scores = [(i["cell"], i["key"], i["old"], i["new"], i["taken"]) for i in got["edits"]["inputs"]]
    assert scores == [("N4", "2009/SEO-013/1", 63.4, 150, False), ("N5", "2009/SEO-013/2", 76.5, -3, False),
                      ("N6", "2009/SEO-017/1", 69.8, "높음", False)]

    ws = openpyxl.load_workbook(national_2009)["지원금"]
    after = [(ws[f"N{r}"].value, ws[f"{fc['순위']}{r}"].value, ws[f"{fc['선정']}{r}"].value, ws[f"{fc['비고']}{r}"].value)
             for r in (4, 5, 6)]
    unscored = "평가점수 오류 (0~100 사이 숫자가 아님)"
    assert after == [(150, None, "아니오", unscored), (-3, None, "아니오", unscored), ("높음", None, "아니오", unscored)]
    rules = [dv for dv in ws.data_validations.dataValidation if str(dv.sqref).startswith("N")]
    assert [(str(dv.sqref), dv.type, dv.formula1, dv.formula2, dv.errorStyle, dv.prompt) for dv in rules] == [
        ("N4:N67", "decimal", "0", "100", "warning", "0~100 사이 숫자")]

    again = run("refresh", str(national_2009), "--format", "json")  # nothing typed since: nothing new, nothing reverted
    assert again.exit_code == 0, again.output
    assert json.loads(again.output)["findings"] == []
    ws = openpyxl.load_workbook(national_2009, read_only=True)["지원금"]
    assert [ws[f"N{r}"].value for r in (4, 5, 6)] == [150, -3, "높음"]
    assert run("verify", str(national_2009)).exit_code == 0


def test_a_refused_correction_stays_visible_and_derived_tables_use_the_last_valid(
        small_national: Path, tmp_path: Path) -> None:
    out = small_national
    wb = openpyxl.load_workbook(out)
    ws = wb["협력과제"]
    cell = f"{cols(ws, 1)['총사업비(원)']}2"
    assert ws[cell].value == 20_000_000
    ws[cell] = "많음"
    wb.save(out)

    report = tmp_path / "서울_SEO-001_2009.xlsx"  # consolidate again: the same check as refresh
    res = run("consolidate", str(report), "-o", str(out), "-q", "--format", "json")
    assert res.exit_code == 1, res.output
    got = json.loads(res.output)
    ledger = [f for f in got["findings"] if f["code"].startswith("LEDGER_")]
    assert [(f["code"], f["severity"], f["sheet"], f["cell"], f["column"], f["value"]) for f in ledger] == [
        ("LEDGER_CORRECTION_INVALID", "error", "협력과제", cell, "총사업비(원)", "많음")]
    assert "숫자가 아닙니다" in ledger[0]["message"] and "마지막 올바른 값(20000000)" in ledger[0]["message"]

    wb = openpyxl.load_workbook(out)
    assert wb["협력과제"][cell].value == "많음"  # what was typed stays visible
    fund = wb["지원금"]
    fc = cols(fund, 3)
    assert (fund["A4"].value, fund[f"{fc['총사업비(원)']}4"].value, fund[f"{fc['지원자격']}4"].value) == \
        ("2009/SEO-001/1", 20_000_000, "적격")  # the funding round used the last valid total
    log = [[c.value for c in r] for r in wb["수정 이력"].iter_rows(min_row=2)]
    assert [(r[2], r[3], r[5], r[6], r[7], r[8]) for r in log] == [
        ("수정", "협력과제", "총사업비(원)", 20_000_000, "많음", "숫자가 아닙니다")]
    assert run("verify", str(out)).exit_code == 0

    wb = openpyxl.load_workbook(out)  # typed again, valid this time: taken, and the funding round follows
    wb["협력과제"][cell] = 18_000_000
    wb.save(out)
    res = run("refresh", str(out), "--format", "json")
    assert res.exit_code == 0, res.output
    assert [(i["kind"], i["cell"], i["old"], i["new"], i["taken"]) for i in json.loads(res.output)["edits"]["inputs"]] \
        == [("correction", cell, "많음", 18_000_000, True)]
    fund = openpyxl.load_workbook(out, read_only=True)["지원금"]
    assert fund[f"{fc['총사업비(원)']}4"].value == 18_000_000
