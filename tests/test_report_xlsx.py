import hashlib
import os

import openpyxl
import pytest

from iupjong_xl.errors import OutputError
from iupjong_xl.outputs.findings_xlsx import link_target, write_findings
from iupjong_xl.validate.findings import FileResult, Finding, Report


def fnd(file, sheet, cell, code, severity="error", ko="메시지", en="message", value=None, row=None, column=None):
    return Finding(file=file, sheet=sheet, cell=cell, row=row, column=column, code=code, severity=severity,
                   messages={"ko": ko, "en": en}, value=value)


def make_report(tmp_path) -> Report:
    (tmp_path / "in" / "서울").mkdir(parents=True)
    a = tmp_path / "in" / "서울" / "a b.xlsx"
    b = tmp_path / "in" / "b.xls"
    c = tmp_path / "in" / "c.xlsx"
    for p in (a, b, c):
        p.write_bytes(b"x")
    findings = [
        fnd("in/서울/a b.xlsx", "회원사", "B2", "NUM_RANGE", ko="범위 밖", en="out of range", value="=1+1", row=2,
            column="매출"),
        fnd("in/서울/a b.xlsx", "회원사", "C3", "TEXT_ODD", "warning", ko="이상한 값", en="odd value", value="-3", row=3,
            column="비고"),
        fnd("in/서울/a b.xlsx", "It's", None, "SHEET_EMPTY", "warning", ko="빈 시트", en="empty sheet"),
        fnd("in/b.xls", None, None, "FILE_CORRUPT", ko="손상된 파일", en="corrupt file"),
        fnd("in/서울/a b.xlsx", "회원사", "D4", "NUM_RANGE", ko="범위 밖", en="out of range", value="@x", row=4),
    ]
    files = [
        FileResult(file="in/서울/a b.xlsx", path=str(a), readable=True, rows={"members": 3}),
        FileResult(file="in/b.xls", path=str(b), readable=False),
        FileResult(file="in/c.xlsx", path=str(c), readable=True, rows={"members": 2}),
    ]
    return Report(findings, files)


def values(ws):
    return [list(r) for r in ws.iter_rows(values_only=True)]


def test_findings_workbook(tmp_path):
    report = make_report(tmp_path)
    out = tmp_path / "reports" / "findings.xlsx"

    assert write_findings(report, out) == out

    wb = openpyxl.load_workbook(out)
    assert wb.sheetnames == ["요약", "검증결과"]
    ws = wb["검증결과"]
    assert values(ws) == [
        ["파일", "시트", "셀", "행", "항목", "코드", "구분", "내용", "값"],
        ["in/서울/a b.xlsx", "회원사", "B2", 2, "매출", "NUM_RANGE", "오류", "범위 밖", "=1+1"],
        ["in/서울/a b.xlsx", "회원사", "C3", 3, "비고", "TEXT_ODD", "경고", "이상한 값", "-3"],
        ["in/서울/a b.xlsx", "It's", None, None, None, "SHEET_EMPTY", "경고", "빈 시트", None],
        ["in/b.xls", None, None, None, None, "FILE_CORRUPT", "오류", "손상된 파일", None],
        ["in/서울/a b.xlsx", "회원사", "D4", 4, None, "NUM_RANGE", "오류", "범위 밖", "@x"],
    ]
    # submitted text stays text
    assert ws["I2"].data_type == "s"
    assert ws["I3"].data_type == "s"
    assert ws["I6"].data_type == "s"
    # links: relative to the output folder (Excel's backslashes, %20 for the space), sheet and cell as location
    assert ws["C2"].hyperlink.target == "..\\in\\서울\\a%20b.xlsx"
    assert ws["C2"].hyperlink.location == "'회원사'!B2"
    assert ws["C3"].hyperlink.location == "'회원사'!C3"
    assert ws["B4"].hyperlink.target == "..\\in\\서울\\a%20b.xlsx"
    assert ws["B4"].hyperlink.location == "'It''s'!A1"
    assert ws["A5"].hyperlink.target == "..\\in\\b.xls"
    assert ws["A5"].hyperlink.location is None
    assert ws["A2"].hyperlink is None
    assert ws["G2"].fill.fgColor.rgb == "FFFFC7CE"
    assert ws["G3"].fill.fgColor.rgb == "FFFFEB9C"
    assert ws["H2"].fill.fill_type is None
    assert ws.freeze_panes == "A2"
    assert ws.auto_filter.ref == "A1:I6"
    assert ws.column_dimensions["H"].width >= 8

    s = wb["요약"]
    rows = values(s)
    assert rows[2][:2] == ["검증 통과", "아니오"]
    assert [r[:2] for r in rows[3:8]] == [
        ["파일 수", 3],
        ["통과한 파일 수", 1],
        ["읽은 데이터 행 수", 5],
        ["오류 건수", 3],
        ["경고 건수", 2],
    ]
    assert rows[9] == ["파일", "오류", "경고", "통과 여부"]
    assert rows[10:13] == [
        ["in/서울/a b.xlsx", 2, 2, "실패"],
        ["in/b.xls", 1, 0, "실패"],
        ["in/c.xlsx", 0, 0, "통과"],
    ]
    assert s["A13"].hyperlink.target == "..\\in\\c.xlsx"
    assert rows[14][:2] == ["코드", "건수"]
    assert [r[:2] for r in rows[15:]] == [["NUM_RANGE", 2], ["FILE_CORRUPT", 1], ["SHEET_EMPTY", 1], ["TEXT_ODD", 1]]


def test_english_and_valid_report(tmp_path):
    f = tmp_path / "ok.xlsx"
    f.write_bytes(b"x")
    report = Report(
        [fnd("ok.xlsx", "Members", "A1", "W", "warning", en="just a warning", value="+82")],
        [FileResult(file="ok.xlsx", path=str(f), readable=True, rows={"m": 1})],
    )
    out = tmp_path / "f.xlsx"
    write_findings(report, out, lang="en")

    wb = openpyxl.load_workbook(out)
    assert wb.sheetnames == ["Summary", "Findings"]
    ws = wb["Findings"]
    assert values(ws) == [
        ["file", "sheet", "cell", "row", "column", "code", "severity", "message", "value"],
        ["ok.xlsx", "Members", "A1", None, None, "W", "warning", "just a warning", "+82"],
    ]
    assert ws["C2"].hyperlink.target == "ok.xlsx"
    assert ws["C2"].hyperlink.location == "'Members'!A1"
    rows = values(wb["Summary"])
    assert rows[2][:2] == ["valid", "yes"]
    assert rows[9] == ["file", "errors", "warnings", "valid"]
    assert rows[10] == ["ok.xlsx", 0, 1, "pass"]


def test_identical_bytes_and_no_temporary_files(tmp_path):
    report = make_report(tmp_path)
    one = write_findings(report, tmp_path / "out" / "one.xlsx")
    first = hashlib.sha256(one.read_bytes()).hexdigest()
    write_findings(report, one)  # overwrite in place
    two = write_findings(report, tmp_path / "out" / "two.xlsx")
    assert hashlib.sha256(one.read_bytes()).hexdigest() == first
    assert one.read_bytes() == two.read_bytes()
    assert sorted(os.listdir(tmp_path / "out")) == ["one.xlsx", "two.xlsx"]


def test_refuses_to_overwrite_a_submitted_file(tmp_path):
    report = make_report(tmp_path)
    target = tmp_path / "in" / "c.xlsx"
    with pytest.raises(OutputError):
        write_findings(report, target)
    assert target.read_bytes() == b"x"


def test_link_target_falls_back_to_display_path(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert link_target(None, "sub/a.xlsx", "out") == "../sub/a.xlsx"
    assert link_target(str(tmp_path / "x" / "b.xlsx"), "ignored", tmp_path) == "x/b.xlsx"
