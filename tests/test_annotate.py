import datetime as dt
import hashlib
import shutil
import subprocess
import zipfile
from pathlib import Path, PurePath

import openpyxl
import pytest

from iupjong_xl.errors import OutputError
from iupjong_xl.outputs.annotate import annotate_files, comment_size, mirror_path
from iupjong_xl.validate.findings import FileResult, Finding, Report

RED = "FFFFC7CE"
YELLOW = "FFFFEB9C"


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def fnd(file, sheet, cell, code, severity="error", ko="메시지", en="message", value=None, row=None, column=None):
    return Finding(file=file, sheet=sheet, cell=cell, row=row, column=column, code=code, severity=severity,
                   messages={"ko": ko, "en": en}, value=value)


def make_source(path: Path, extra_sheet: str | None = None) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "회원사"
    ws["A1"] = "상호"
    ws["B1"] = "매출"
    ws["A2"] = "가나상사"
    ws["B2"] = 10
    ws["B3"] = "=SUM(B2:B2)"
    ws["C2"] = "메모"
    if extra_sheet:
        wb.create_sheet(extra_sheet)["A1"] = "old"
    wb.save(path)


def findings_for(display: str) -> list[Finding]:
    return [
        fnd(display, "회원사", "B2", "NUM_RANGE", ko="매출이 범위를 벗어났습니다", en="sales out of range", value="10", row=2,
            column="매출"),
        fnd(display, "회원사", "B2", "NUM_ODD", "warning", ko="값이 이상합니다", en="odd value", value="10", row=2),
        fnd(display, "회원사", "C2", "TEXT_NOTE", "warning", ko="메모 확인", en="check note", value="=1+1"),
        fnd(display, None, None, "FILE_META", ko="작성자 없음", en="no author"),
    ]


def test_annotate_xlsx(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    display = "sample_workbooks/서울/a.xlsx"
    src = tmp_path / display
    make_source(src)
    before = sha(src)
    clean = tmp_path / "sample_workbooks/clean.xlsx"
    make_source(clean)
    report = Report(
        findings_for(display),
        [FileResult(file=display, path=str(src), readable=True), FileResult(file="sample_workbooks/clean.xlsx",
                                                                            path=str(clean), readable=True)],
    )

    written = annotate_files(report, tmp_path / "out")

    copy = tmp_path / "out" / "a_검증.xlsx"  # not the original's name, not under nested folders (issue 13, point 13)
    assert written == [copy]
    assert sha(src) == before
    assert not (tmp_path / "out/sample_workbooks/clean.xlsx").exists()

    wb = openpyxl.load_workbook(copy)
    assert wb.sheetnames == ["검증결과", "회원사"] and wb.active.title == "검증결과"  # opens on the findings
    assert wb["검증결과"].page_setup.orientation == "landscape" and wb["검증결과"].print_title_rows == "$1:$1"
    ws = wb["회원사"]
    assert ws["B2"].fill.fill_type == "solid"
    assert ws["B2"].fill.fgColor.rgb == RED  # error wins over the warning on the same cell
    assert ws["C2"].fill.fgColor.rgb == YELLOW
    assert ws["A2"].fill.fill_type is None
    # Korean first: the message, the code last (point 4)
    assert ws["B2"].comment.text == "매출이 범위를 벗어났습니다 [NUM_RANGE]\n값이 이상합니다 [NUM_ODD]"
    assert ws["B2"].comment.author == "iupjong"
    assert ws["C2"].comment.text == "메모 확인 [TEXT_NOTE]"
    assert ws["A2"].comment is None
    assert ws["B3"].value == "=SUM(B2:B2)"
    assert ws["B3"].data_type == "f"
    assert ws["B2"].value == 10

    fs = wb["검증결과"]
    rows = [list(r) for r in fs.iter_rows(values_only=True)]
    assert rows == [
        ["시트", "셀", "코드", "구분", "내용", "값"],
        ["회원사", "B2", "NUM_RANGE", "오류", "매출이 범위를 벗어났습니다", "10"],
        ["회원사", "B2", "NUM_ODD", "경고", "값이 이상합니다", "10"],
        ["회원사", "C2", "TEXT_NOTE", "경고", "메모 확인", "=1+1"],
        [None, None, "FILE_META", "오류", "작성자 없음", None],
    ]
    assert fs["F4"].data_type == "s"
    assert fs["B2"].hyperlink.location == "'회원사'!B2"
    assert fs["B4"].hyperlink.location == "'회원사'!C2"
    assert fs["B2"].style == "Hyperlink"
    assert fs["B5"].hyperlink is None
    assert fs["D2"].fill.fgColor.rgb == RED
    assert fs["D3"].fill.fgColor.rgb == YELLOW
    assert fs.freeze_panes == "A2"
    assert fs.auto_filter.ref == "A1:F5"
    assert fs.column_dimensions["E"].width > fs.column_dimensions["C"].width

    # the comment box is sized to its text (openpyxl does not read the size back: look at the VML)
    width, height = comment_size(["[NUM_RANGE] 매출이 범위를 벗어났습니다", "[NUM_ODD] 값이 이상합니다"])
    with zipfile.ZipFile(copy) as zf:
        vml = next(zf.read(n).decode() for n in zf.namelist() if n.endswith(".vml"))
    assert f"width:{width}px;height:{height}px" in vml


def test_annotate_english_replaces_existing_findings_sheet(tmp_path):
    src = tmp_path / "in" / "b.xlsx"
    make_source(src, extra_sheet="Findings")
    display = str(src)  # absolute display path: the anchor is dropped below out_dir
    report = Report(findings_for(display), [FileResult(file=display, path=str(src), readable=True)])

    written = annotate_files(report, tmp_path / "out", lang="en")

    expected = tmp_path / "out" / "b_findings.xlsx"
    assert written == [expected]
    wb = openpyxl.load_workbook(expected)
    assert wb.sheetnames == ["Findings", "회원사"]
    fs = wb["Findings"]
    assert [c.value for c in fs[1]] == ["sheet", "cell", "code", "severity", "message", "value"]
    assert [c.value for c in fs[2]] == ["회원사", "B2", "NUM_RANGE", "error", "sales out of range", "10"]
    assert fs.max_row == 5
    assert wb["회원사"]["B2"].comment.text == "[NUM_RANGE] sales out of range\n[NUM_ODD] odd value"


def test_rebuilds_non_openpyxl_formats_as_xlsx(tmp_path, monkeypatch):
    # an .xlsb name holding xlsx content: the reader opens it by content, openpyxl is not used
    monkeypatch.chdir(tmp_path)
    book = openpyxl.Workbook()
    ws = book.active
    ws.title = "명단"
    ws["A1"] = "가입일"
    ws["A2"] = dt.date(2009, 3, 1)
    ws["B2"] = "=1+1"
    ws["B2"].data_type = "s"
    ws["C3"] = 5
    book.save(tmp_path / "tmp.xlsx")
    src = tmp_path / "r.xlsb"
    (tmp_path / "tmp.xlsx").rename(src)
    before = sha(src)
    report = Report(
        [fnd("r.xlsb", "명단", "C3", "NUM_BAD", ko="숫자 오류"), fnd("r.xlsb", "명단", "B2", "TXT", "warning", ko="수식 문자")],
        [FileResult(file="r.xlsb", path=str(src), readable=True)],
    )

    written = annotate_files(report, "out")

    assert written == [Path("out/r_xlsb_검증.xlsx")]
    assert sha(src) == before
    wb = openpyxl.load_workbook(tmp_path / "out/r_xlsb_검증.xlsx")
    assert wb.sheetnames == ["검증결과", "명단"]
    ws = wb["명단"]
    assert ws["A1"].value == "가입일"
    assert ws["A2"].value == dt.datetime(2009, 3, 1)
    assert ws["B2"].value == "=1+1"
    assert ws["B2"].data_type == "s"
    assert ws["C3"].value == 5
    assert ws["C3"].fill.fgColor.rgb == RED
    assert ws["B2"].fill.fgColor.rgb == YELLOW
    assert ws["C3"].comment.text == "숫자 오류 [NUM_BAD]"
    assert wb["검증결과"]["B2"].hyperlink.location == "'명단'!C3"


@pytest.mark.libreoffice
@pytest.mark.skipif(shutil.which("soffice") is None, reason="needs soffice (LibreOffice)")
def test_annotate_ods_made_by_libreoffice(tmp_path):
    make_source(tmp_path / "x.xlsx")
    subprocess.run(
        ["soffice", f"-env:UserInstallation=file://{tmp_path}/lo-profile", "--headless", "--convert-to", "ods",
         "--outdir", str(tmp_path / "in"), str(tmp_path / "x.xlsx")],
        check=True, capture_output=True, timeout=180,
    )
    src = tmp_path / "in" / "x.ods"
    assert src.exists()
    before = sha(src)
    display = str(src)
    report = Report(findings_for(display), [FileResult(file=display, path=str(src), readable=True)])

    written = annotate_files(report, tmp_path / "out")

    expected = tmp_path / "out" / "x_ods_검증.xlsx"
    assert written == [expected]
    assert sha(src) == before
    wb = openpyxl.load_workbook(expected)
    assert wb.sheetnames == ["검증결과", "회원사"]
    ws = wb["회원사"]
    assert [ws["A1"].value, ws["B1"].value, ws["A2"].value, ws["B2"].value] == ["상호", "매출", "가나상사", 10]
    assert ws["B2"].fill.fgColor.rgb == RED
    assert ws["C2"].fill.fgColor.rgb == YELLOW
    assert ws["B2"].comment.text == "매출이 범위를 벗어났습니다 [NUM_RANGE]\n값이 이상합니다 [NUM_ODD]"
    assert wb["검증결과"].max_row == 5


@pytest.mark.parametrize(
    ("display", "expected"),
    [
        ("sample_workbooks/서울/a.xlsx", "sample_workbooks/서울/a.xlsx"),
        ("/abs/x.xlsx", "abs/x.xlsx"),
        ("../../up/x.xlsx", "up/x.xlsx"),
        ("./a/../b.xlsx", "a/b.xlsx"),
        ("a.xlsx", "a.xlsx"),
    ],
)
def test_mirror_path(display, expected):
    assert mirror_path(display) == PurePath(expected)


def test_refuses_to_overwrite_the_source(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    make_source(tmp_path / "a.xlsx")
    make_source(tmp_path / "a_검증.xlsx")  # a submitted file named like the copy would be
    before = sha(tmp_path / "a_검증.xlsx")
    report = Report(findings_for("a.xlsx"), [FileResult(file="a.xlsx", path=str(tmp_path / "a.xlsx"), readable=True),
                                             FileResult(file="a_검증.xlsx", path=str(tmp_path / "a_검증.xlsx"),
                                                        readable=True)])

    with pytest.raises(OutputError, match="refusing to overwrite"):
        annotate_files(report, tmp_path)
    with pytest.raises(OutputError, match="refusing to overwrite"):
        annotate_files(report, ".")

    assert sha(tmp_path / "a_검증.xlsx") == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.xlsx", "a_검증.xlsx"]


def test_skips_unreadable_and_broken_files(tmp_path):
    good = tmp_path / "good.xlsx"
    make_source(good)
    broken = tmp_path / "broken.xlsx"
    broken.write_bytes(b"PK\x03\x04 this is not a zip archive")
    unread = tmp_path / "unread.xlsx"
    make_source(unread)
    files = [
        FileResult(file="broken.xlsx", path=str(broken), readable=True),
        FileResult(file="unread.xlsx", path=str(unread), readable=False),
        FileResult(file="good.xlsx", path=str(good), readable=True),
    ]
    findings = findings_for("broken.xlsx") + findings_for("unread.xlsx") + findings_for("good.xlsx")

    written = annotate_files(Report(findings, files), tmp_path / "out")

    assert written == [tmp_path / "out" / "good_검증.xlsx"]
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["good_검증.xlsx"]  # no temporary files left


def test_comment_size_grows_with_text():
    small = comment_size(["[A] x"])
    wide = comment_size(["[A] " + "가" * 40])
    tall = comment_size([f"[A{i}] 메시지" for i in range(12)])
    assert small == (144, 60)
    assert wide[0] > small[0]
    assert tall[1] > small[1]
    assert comment_size(["가" * 2000]) == (480, 400)


def test_copies_of_files_with_the_same_name_get_their_folders_in_front(tmp_path):
    from iupjong_xl.outputs.annotate import copy_names

    files = [FileResult(file=f"in/{fed}/a.xlsx", path=str(tmp_path / fed / "a.xlsx")) for fed in ("서울", "부산")]
    files.append(FileResult(file="in/b.xlsx", path=str(tmp_path / "b.xlsx")))
    assert {k: str(v) for k, v in copy_names(files).items()} == {
        "in/서울/a.xlsx": "서울_a_검증.xlsx", "in/부산/a.xlsx": "부산_a_검증.xlsx", "in/b.xlsx": "b_검증.xlsx"}
