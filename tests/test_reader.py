from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import os
import pickle
import shutil
import zipfile
from pathlib import Path

import openpyxl
import pytest
import xlsxwriter

from iupjong_xl.io.reader import (
    WORKBOOK_SUFFIXES,
    FileProblem,
    Found,
    Grid,
    a1,
    col_letter,
    discover,
    open_workbook,
    sha256_file,
)
from tests._reader_builders import cfb, ods_file, xls_bytes, xlsb_file

# --------------------------------------------------------------------------- helpers


def make_xlsx(path: Path, build) -> Path:
    wb = openpyxl.Workbook()
    build(wb)
    wb.save(path)
    return path


def simple_xlsx(path: Path) -> Path:
    def build(wb):
        ws = wb.active
        ws.title = "Data"
        ws["A1"] = "name"
        ws["B1"] = "amount"
        ws["A2"] = "kim"
        ws["B2"] = 10

    return make_xlsx(path, build)


def problem(path: Path | str) -> FileProblem:
    with pytest.raises(FileProblem) as info:
        open_workbook(path)
    return info.value


# --------------------------------------------------------------------------- cells


@pytest.mark.parametrize(
    ("c", "letters"),
    [(0, "A"), (1, "B"), (25, "Z"), (26, "AA"), (27, "AB"), (51, "AZ"), (52, "BA"),
     (701, "ZZ"), (702, "AAA"), (16383, "XFD")],
)
def test_col_letter(c, letters):
    assert col_letter(c) == letters


def test_a1_and_bad_indices():
    assert a1(2, 1) == "B3"
    assert a1(0, 0) == "A1"
    assert a1(99, 27) == "AB100"
    with pytest.raises(ValueError):
        col_letter(-1)
    with pytest.raises(ValueError):
        a1(-1, 0)


def test_suffixes():
    assert frozenset({".xlsx", ".xlsm", ".xls", ".xlsb", ".ods"}) == WORKBOOK_SUFFIXES


def test_grid_value_and_frozen():
    g = Grid(name="S", rows=[["a", "b"], ["c"]], truncated=False, total_rows=2)
    assert g.value(0, 1) == "b"
    assert g.value(1, 0) == "c"
    assert g.value(1, 1) == ""  # ragged row
    assert g.value(5, 0) == ""
    assert g.value(-1, 0) == ""
    assert g.value(0, -1) == ""
    assert g.n_rows == 2
    with pytest.raises(dataclasses.FrozenInstanceError):
        g.name = "x"  # type: ignore[misc]


# --------------------------------------------------------------------------- xlsx content


def test_a1_alignment_when_data_starts_at_c3(tmp_path):
    def build(wb):
        ws = wb.active
        ws.title = "보고서"
        ws["C3"] = "구분"
        ws["D3"] = "금액"
        ws["C4"] = "A"
        ws["D4"] = 1500

    path = make_xlsx(tmp_path / "c3.xlsx", build)
    with open_workbook(path) as wb:
        assert wb.sheet_names == ["보고서"]
        assert wb.format == "xlsx"
        g = wb.grid("보고서")
    assert g.rows == [
        ["", "", "", ""],
        ["", "", "", ""],
        ["", "", "구분", "금액"],
        ["", "", "A", 1500.0],
    ]
    assert g.value(2, 2) == "구분"
    assert a1(2, 2) == "C3"
    assert g.value(3, 3) == 1500.0
    assert g.value(0, 0) == ""
    assert (g.n_rows, g.total_rows, g.truncated) == (4, 4, False)


def test_error_cells_and_cached_formula_values(tmp_path):
    path = tmp_path / "formulas.xlsx"
    wb = xlsxwriter.Workbook(str(path))
    ws = wb.add_worksheet("F")
    ws.write(0, 0, "label")
    ws.write_formula(1, 0, "=1/0", None, "#DIV/0!")
    ws.write_formula(1, 1, "=NA()", None, "#N/A")
    ws.write_formula(1, 2, "=1+1", None, 2)
    ws.write_formula(1, 3, '="a"&"b"', None, "ab")
    ws.write_formula(1, 4, "=TRUE()", None, True)
    ws.write_formula(1, 5, "=A1")  # xlsxwriter's default cached value: 0
    ws.write_string(2, 0, "#DIV/0!")  # a plain string that looks like an error
    wb.close()
    with open_workbook(path) as book:
        g = book.grid("F")
    assert g.rows == [
        ["label", "", "", "", "", ""],
        ["#DIV/0!", "#N/A", 2.0, "ab", True, 0.0],
        ["#DIV/0!", "", "", "", "", ""],
    ]


def test_typed_error_and_formula_without_cached_value(tmp_path):
    def build(wb):
        ws = wb.active
        ws.title = "S"
        ws["A1"] = "=1+1"  # openpyxl stores no cached value
        ws["B1"] = "x"
        ws["C2"] = "#REF!"  # openpyxl writes a typed error cell (t="e")

    path = make_xlsx(tmp_path / "typed.xlsx", build)
    with open_workbook(path) as wb:
        g = wb.grid("S")
    assert g.rows == [["", "x", ""], ["", "", "#REF!"]]


def test_error_cell_in_last_row_keeps_the_row(tmp_path):
    def build(wb):
        ws = wb.active
        ws["A1"] = "h"
        ws["B3"] = "#N/A"

    path = make_xlsx(tmp_path / "last.xlsx", build)
    with open_workbook(path) as wb:
        g = wb.grid(wb.sheet_names[0])
    assert g.rows == [["h", ""], ["", ""], ["", "#N/A"]]
    assert g.total_rows == 3


def test_dates_times_numbers(tmp_path):
    path = tmp_path / "dates.xlsx"
    wb = xlsxwriter.Workbook(str(path))
    ws = wb.add_worksheet("D")
    ws.write_datetime(0, 0, dt.datetime(2024, 3, 1), wb.add_format({"num_format": "yyyy-mm-dd"}))
    ws.write_datetime(
        0, 1, dt.datetime(2024, 3, 1, 12, 30), wb.add_format({"num_format": "yyyy-mm-dd hh:mm"})
    )
    ws.write_datetime(0, 2, dt.time(9, 15), wb.add_format({"num_format": "hh:mm"}))
    ws.write_number(0, 3, 3)
    ws.write_number(0, 4, 3.25)
    ws.write_boolean(0, 5, False)
    ws.write_string(0, 6, "  spaced  ")
    wb.close()
    with open_workbook(path) as book:
        row = book.grid("D").rows[0]
    assert row == [
        dt.date(2024, 3, 1),
        dt.datetime(2024, 3, 1, 12, 30),
        dt.time(9, 15),
        3.0,
        3.25,
        False,
        "  spaced  ",
    ]
    assert type(row[0]) is dt.date


def test_hidden_and_very_hidden_sheets(tmp_path):
    def build(wb):
        wb.active.title = "Visible"
        wb.active["A1"] = 1
        h = wb.create_sheet("Hidden")
        h.sheet_state = "hidden"
        h["A1"] = "secret"
        vh = wb.create_sheet("VeryHidden")
        vh.sheet_state = "veryHidden"
        wb.create_sheet("Last")

    path = make_xlsx(tmp_path / "hidden.xlsx", build)
    with open_workbook(path) as wb:
        assert wb.sheet_names == ["Visible", "Hidden", "VeryHidden", "Last"]
        assert wb.hidden_sheets == {"Hidden", "VeryHidden"}
        assert wb.grid("Hidden").rows == [["secret"]]
        empty = wb.grid("Last")
    assert (empty.rows, empty.total_rows, empty.truncated) == ([], 0, False)


def _tall(tmp_path: Path, n_data: int) -> Path:
    def build(wb):
        ws = wb.active
        ws.title = "T"
        ws.append(["no", "name"])
        for i in range(1, n_data + 1):
            ws.append([i, f"n{i}"])

    return make_xlsx(tmp_path / "tall.xlsx", build)


def test_max_rows_truncation(tmp_path):
    path = _tall(tmp_path, 10)  # 11 rows with the header
    with open_workbook(path) as wb:
        g = wb.grid("T", max_rows=5)
        assert g.truncated is True
        assert g.total_rows == 11
        assert g.n_rows == 5
        assert g.rows[0] == ["no", "name"]
        assert g.rows[4] == [4.0, "n4"]

        exact = wb.grid("T", max_rows=11)
        assert (exact.truncated, exact.total_rows, exact.n_rows) == (False, 11, 11)

        roomy = wb.grid("T", max_rows=1000)
        assert (roomy.truncated, roomy.total_rows, roomy.n_rows) == (False, 11, 11)
        assert roomy.rows[10] == [10.0, "n10"]

        zero = wb.grid("T", max_rows=0)
        assert (zero.rows, zero.truncated, zero.total_rows) == ([], True, 11)

        full = wb.grid("T")
        assert (full.truncated, full.total_rows, full.n_rows) == (False, 11, 11)
        with pytest.raises(ValueError):
            wb.grid("T", max_rows=-1)


def test_max_rows_counts_from_a1_when_data_starts_lower(tmp_path):
    def build(wb):
        ws = wb.active
        ws.title = "S"
        for r in range(5, 11):  # rows 5..10
            ws.cell(row=r, column=2, value=r)

    path = make_xlsx(tmp_path / "low.xlsx", build)
    with open_workbook(path) as wb:
        g = wb.grid("S", max_rows=6)
    assert g.truncated is True
    assert g.total_rows == 10
    assert g.rows == [["", ""]] * 4 + [["", 5.0], ["", 6.0]]


def test_trailing_empty_rows_are_stripped(tmp_path):
    # calamine drops empty-string cells from xlsx sheets, but an .xls LABEL "" counts
    path = tmp_path / "trail.xls"
    path.write_bytes(xls_bytes([("S", 0, {(0, 0): "h", (3, 1): "", (4, 2): ""})]))
    with open_workbook(path) as wb:
        g = wb.grid("S")
        t = wb.grid("S", max_rows=2)
    assert g.rows == [["h", "", ""]]
    assert (g.n_rows, g.total_rows, g.truncated) == (1, 1, False)
    # a truncated read cannot know that the rest is blank: total_rows is calamine's height
    assert t.rows == [["h", "", ""]]
    assert (t.total_rows, t.truncated) == (5, True)


def test_formula_results_that_are_empty_strings_do_not_extend_the_sheet(tmp_path):
    path = tmp_path / "template.xlsx"
    wb = xlsxwriter.Workbook(str(path))
    ws = wb.add_worksheet("S")
    ws.write(0, 0, "h")
    for r in range(1, 6):
        ws.write_formula(r, 1, '=IF(A1="","",1)', None, "")
    wb.close()
    with open_workbook(path) as book:
        g = book.grid("S")
    assert (g.rows, g.total_rows) == ([["h"]], 1)


def test_grid_misuse(tmp_path):
    path = simple_xlsx(tmp_path / "s.xlsx")
    wb = open_workbook(path)
    with pytest.raises(KeyError):
        wb.grid("Nope")
    wb.close()
    wb.close()  # idempotent
    with pytest.raises(ValueError):
        wb.grid("Data")
    with open_workbook(path) as wb2:
        assert wb2.grid("Data").rows == [["name", "amount"], ["kim", 10.0]]
    assert wb2.path == path


# --------------------------------------------------------------------------- other formats


def test_xls_biff8_errors_hidden_korean_names(tmp_path):
    cells = {
        (0, 0): "이름",
        (0, 1): "금액",
        (2, 2): "x",
        (2, 3): 3.5,
        (3, 2): ("err", 0x07),
        (3, 3): ("ferr", 0x2A),
        (4, 1): True,
    }
    data = xls_bytes([("자료", 0, cells), ("숨김", 1, {(0, 0): "h"}), ("VH", 2, {})])
    path = tmp_path / "old.xls"
    path.write_bytes(data)
    with open_workbook(path) as wb:
        assert wb.format == "xls"
        assert wb.sheet_names == ["자료", "숨김", "VH"]
        assert wb.hidden_sheets == {"숨김", "VH"}
        g = wb.grid("자료")
        assert wb.grid("숨김").rows == [["h"]]
        assert wb.grid("VH").rows == []
    assert g.rows == [
        ["이름", "금액", "", ""],
        ["", "", "", ""],
        ["", "", "x", 3.5],
        ["", "", "#DIV/0!", "#N/A"],
        ["", True, "", ""],
    ]


def test_xlsb_errors_including_formula_error_calamine_drops(tmp_path):
    path = tmp_path / "bin.xlsb"
    xlsb_file(
        path,
        [
            ("S", 0, {(0, 0): "head", (2, 2): 1.5, (3, 2): ("err", 0x07), (5, 1): ("ferr", 0x2A)}),
            ("Hid", 1, {(0, 0): "z"}),
        ],
    )
    with open_workbook(path) as wb:
        assert wb.format == "xlsb"
        assert wb.sheet_names == ["S", "Hid"]
        assert wb.hidden_sheets == {"Hid"}
        g = wb.grid("S")
        t = wb.grid("S", max_rows=4)
    assert g.rows == [
        ["head", "", ""],
        ["", "", ""],
        ["", "", 1.5],
        ["", "", "#DIV/0!"],
        ["", "", ""],
        ["", "#N/A", ""],
    ]
    assert (g.total_rows, g.truncated) == (6, False)
    assert t.rows == g.rows[:4]
    assert (t.total_rows, t.truncated) == (6, True)


def test_ods_errors_repeats_and_hidden(tmp_path):
    rows = (
        '<table:table-row table:number-rows-repeated="2">'
        '<table:table-cell table:number-columns-repeated="5"/></table:table-row>'
        '<table:table-row><table:table-cell table:number-columns-repeated="2"/>'
        '<table:table-cell office:value-type="string"><text:p>x</text:p></table:table-cell>'
        '<table:table-cell table:formula="of:=1/0" office:value-type="string" '
        'office:string-value="" calcext:value-type="error"><text:p>#DIV/0!</text:p>'
        "</table:table-cell>"
        '<table:table-cell office:value-type="float" office:value="4"><text:p>4</text:p>'
        "</table:table-cell></table:table-row>"
    )
    hidden = (
        '<table:table-row><table:table-cell office:value-type="string"><text:p>h</text:p>'
        "</table:table-cell></table:table-row>"
    )
    path = tmp_path / "calc.ods"
    ods_file(path, [("Data", False, rows), ("Hidden", True, hidden)])
    with open_workbook(path) as wb:
        assert wb.format == "ods"
        assert wb.sheet_names == ["Data", "Hidden"]
        assert wb.hidden_sheets == {"Hidden"}
        g = wb.grid("Data")
    assert g.rows == [
        ["", "", "", "", ""],
        ["", "", "", "", ""],
        ["", "", "x", "#DIV/0!", 4.0],
    ]


def test_extension_not_matching_content_is_opened_by_content(tmp_path):
    xlsx_as_xls = tmp_path / "really_xlsx.xls"
    simple_xlsx(tmp_path / "s.xlsx")
    shutil.copy(tmp_path / "s.xlsx", xlsx_as_xls)
    with open_workbook(xlsx_as_xls) as wb:
        assert wb.format == "xlsx"
        assert wb.grid("Data").rows == [["name", "amount"], ["kim", 10.0]]

    xls_as_xlsx = tmp_path / "really_xls.xlsx"
    xls_as_xlsx.write_bytes(xls_bytes([("S", 0, {(0, 0): "a", (1, 1): ("err", 0x17)})]))
    with open_workbook(xls_as_xlsx) as wb:
        assert wb.format == "xls"
        assert wb.grid("S").rows == [["a", ""], ["", "#REF!"]]

    upper = tmp_path / "UPPER.XLSX"
    shutil.copy(tmp_path / "s.xlsx", upper)
    with open_workbook(upper) as wb:
        assert wb.grid("Data").rows[1] == ["kim", 10.0]


def test_xlsm_suffix(tmp_path):
    path = tmp_path / "macro.xlsm"
    shutil.copy(simple_xlsx(tmp_path / "s.xlsx"), path)
    with open_workbook(path) as wb:
        assert wb.format == "xlsx"
        assert wb.grid("Data").rows[0] == ["name", "amount"]


# --------------------------------------------------------------------------- file problems


def test_missing_and_directory_are_unreadable(tmp_path):
    p = problem(tmp_path / "nope.xlsx")
    assert p.code == "FILE_UNREADABLE"
    assert p.path == str(tmp_path / "nope.xlsx")
    assert problem(tmp_path).code == "FILE_UNREADABLE"


@pytest.mark.skipif(
    not hasattr(os, "geteuid") or os.geteuid() == 0, reason="root can read any file"
)
def test_permission_denied_is_unreadable(tmp_path):
    path = simple_xlsx(tmp_path / "locked.xlsx")
    path.chmod(0)
    try:
        assert problem(path).code == "FILE_UNREADABLE"
    finally:
        path.chmod(0o644)


def test_zero_bytes_is_empty_even_with_other_suffix(tmp_path):
    (tmp_path / "z.xlsx").write_bytes(b"")
    (tmp_path / "z.txt").write_bytes(b"")
    assert problem(tmp_path / "z.xlsx").code == "FILE_EMPTY"
    assert problem(tmp_path / "z.txt").code == "FILE_EMPTY"


def test_unsupported_extension_is_not_workbook(tmp_path):
    real = simple_xlsx(tmp_path / "s.xlsx")
    for name in ("report.csv", "report", "report.xlsx.bak"):
        shutil.copy(real, tmp_path / name)
        p = problem(tmp_path / name)
        assert p.code == "FILE_NOT_WORKBOOK", name


@pytest.mark.parametrize(
    ("content", "word"),
    [
        ("구분,금액\nA,100\n".encode("cp949"), "text"),
        (b"name,amount\nkim,10\n", "text"),
        (b"\xef\xbb\xbfname,amount\n", "text"),
        (b"<html><body><table><tr><td>1</td></tr></table></body></html>", "HTML"),
        (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n", "PDF"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x10", "PNG"),
        (b"\xff\xd8\xff\xe0\x00\x10JFIF\x00", "JPEG"),
        (b"MIME-Version: 1.0\r\nContent-Type: multipart/related;", "MHTML"),
        (
            b'<?xml version="1.0"?><Workbook xmlns="urn:schemas-microsoft-com:office:spreadsheet">',
            "XML spreadsheet",
        ),
    ],
)
def test_non_workbook_content(tmp_path, content, word):
    path = tmp_path / "fake.xls"
    path.write_bytes(content)
    p = problem(path)
    assert p.code == "FILE_NOT_WORKBOOK"
    assert word in p.detail


def test_text_named_xlsx_is_not_workbook(tmp_path):
    path = tmp_path / "notes.xlsx"
    path.write_text("this is not a spreadsheet\n", encoding="utf-8")
    assert problem(path).code == "FILE_NOT_WORKBOOK"


def test_truncated_xlsx_is_corrupt(tmp_path):
    data = simple_xlsx(tmp_path / "s.xlsx").read_bytes()
    path = tmp_path / "cut.xlsx"
    path.write_bytes(data[: len(data) // 2])
    p = problem(path)
    assert p.code == "FILE_CORRUPT"
    assert "ZIP" in p.detail


def test_random_binary_named_xlsx_is_corrupt(tmp_path):
    path = tmp_path / "noise.xlsx"
    path.write_bytes(bytes(range(256)) * 8)
    assert problem(path).code == "FILE_CORRUPT"


def test_zip_without_workbook_is_not_workbook(tmp_path):
    path = tmp_path / "archive.xlsx"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("photos/a.txt", "hello")
    p = problem(path)
    assert p.code == "FILE_NOT_WORKBOOK"
    assert "ZIP" in p.detail

    docx = tmp_path / "letter.xlsx"
    with zipfile.ZipFile(docx, "w") as zf:
        zf.writestr("[Content_Types].xml", "<Types/>")
        zf.writestr("word/document.xml", "<w:document/>")
    p = problem(docx)
    assert p.code == "FILE_NOT_WORKBOOK"
    assert "Word" in p.detail


def _rewrite_member(src: Path, dst: Path, member: str, new: bytes | None) -> Path:
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w") as zout:
        for name in zin.namelist():
            if name == member:
                if new is not None:
                    zout.writestr(name, new)
            else:
                zout.writestr(name, zin.read(name))
    return dst


def test_broken_sheet_xml_is_corrupt_when_reading_the_sheet(tmp_path):
    src = simple_xlsx(tmp_path / "s.xlsx")
    sheet = "xl/worksheets/sheet1.xml"
    with zipfile.ZipFile(src) as zf:
        xml = zf.read(sheet)

    cases = {
        "mismatched.xlsx": xml.replace(b"</c>", b"", 1),
        "cut_early.xlsx": xml[: xml.index(b"<sheetData")],
        "cut_inside.xlsx": xml[: xml.index(b"</sheetData>") - 3],
    }
    for name, new in cases.items():
        path = _rewrite_member(src, tmp_path / name, sheet, new)
        with open_workbook(path) as wb, pytest.raises(FileProblem) as info:
            wb.grid("Data")
        assert info.value.code == "FILE_CORRUPT", name
        assert "Data" in info.value.detail

    missing = _rewrite_member(src, tmp_path / "missing.xlsx", sheet, None)
    with open_workbook(missing) as wb, pytest.raises(FileProblem) as info:
        wb.grid("Data")
    assert info.value.code == "FILE_CORRUPT"


def test_error_cells_in_sheet_xml_without_cell_references(tmp_path):
    src = simple_xlsx(tmp_path / "s.xlsx")
    xml = (
        b'<?xml version="1.0" encoding="UTF-8"?>'
        b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        b'<sheetData><row r="2"><c t="inlineStr"><is><t>a</t></is></c>'
        b'<c t="e"><v>#N/A</v></c></row>'
        b'<row><c t="n"><v>1</v></c><c t="n"><v>2</v></c><c t="e"><v>#VALUE!</v></c></row>'
        b"</sheetData></worksheet>"
    )
    path = _rewrite_member(src, tmp_path / "nor.xlsx", "xl/worksheets/sheet1.xml", xml)
    with open_workbook(path) as wb:
        g = wb.grid("Data")
    assert g.rows == [["", "", ""], ["a", "#N/A", ""], [1.0, 2.0, "#VALUE!"]]


def test_broken_workbook_xml_is_corrupt(tmp_path):
    src = simple_xlsx(tmp_path / "s.xlsx")
    path = _rewrite_member(src, tmp_path / "wb.xlsx", "xl/workbook.xml", b"<workbook><sheets>")
    assert problem(path).code == "FILE_CORRUPT"


def test_encrypted_ooxml_built_with_msoffcrypto(tmp_path):
    ooxml = pytest.importorskip(
        "msoffcrypto.format.ooxml", reason="msoffcrypto-tool is not installed"
    )
    src = simple_xlsx(tmp_path / "plain.xlsx")
    path = tmp_path / "secret.xlsx"
    with open(src, "rb") as fin, open(path, "wb") as fout:
        ooxml.OOXMLFile(fin).encrypt("pw1234", fout)
    assert path.read_bytes()[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
    assert problem(path).code == "FILE_ENCRYPTED"
    renamed = tmp_path / "secret.xls"
    shutil.copy(path, renamed)
    assert problem(renamed).code == "FILE_ENCRYPTED"


def test_encrypted_ole_container_with_encryption_info_stream(tmp_path):
    data = cfb({"EncryptionInfo": b"\x04\x00\x04\x00\x40\x00\x00\x00", "EncryptedPackage": b"\x00"})
    for name in ("enc.xlsx", "enc.xlsb", "enc.xls"):
        (tmp_path / name).write_bytes(data)
        p = problem(tmp_path / name)
        assert p.code == "FILE_ENCRYPTED", name


def test_xls_with_filepass_record_is_encrypted(tmp_path):
    path = tmp_path / "pw.xls"
    path.write_bytes(xls_bytes([("S", 0, {(0, 0): "a"})], filepass=True))
    p = problem(path)
    assert p.code == "FILE_ENCRYPTED"


def test_ole_file_that_is_not_a_workbook(tmp_path):
    doc = tmp_path / "letter.xls"
    doc.write_bytes(cfb({"WordDocument": b"\x00" * 64}))
    p = problem(doc)
    assert p.code == "FILE_NOT_WORKBOOK"
    assert "Word" in p.detail

    hwp = tmp_path / "report.xls"
    hwp.write_bytes(cfb({"FileHeader": b"HWP Document File", "BodyText": b"\x00"}))
    assert "HWP" in problem(hwp).detail


def test_file_problem_fields_str_and_pickle(tmp_path):
    (tmp_path / "e.xlsx").write_bytes(b"")
    p = problem(tmp_path / "e.xlsx")
    assert (p.code, p.path) == ("FILE_EMPTY", str(tmp_path / "e.xlsx"))
    assert p.detail == "file is empty (0 bytes)"
    assert str(p).startswith("FILE_EMPTY: ")
    q = pickle.loads(pickle.dumps(p))
    assert (q.code, q.detail, q.path) == (p.code, p.detail, p.path)
    assert isinstance(p, Exception)


# --------------------------------------------------------------------------- discover


def _touch(path: Path, data: bytes = b"x") -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return path


def test_discover_recursive_order_display_lock_hidden(tmp_path, monkeypatch):
    root = tmp_path / "in"
    for rel in ("b.xlsx", "a.XLSX", "Z.xlsb", "sub/c.xls", "sub/deeper/d.ods", "sub/e.xlsm",
                "~$b.xlsx", "notes.txt", "report.csv", ".hidden.xlsx", ".git/x.xlsx",
                "sub/.cache/y.xlsx", "~$memo.docx"):
        _touch(root / rel)
    monkeypatch.chdir(tmp_path)

    found = discover(["in/"])
    assert [f.display for f in found] == [
        "in/Z.xlsb",
        "in/a.XLSX",
        "in/b.xlsx",
        "in/sub/c.xls",
        "in/sub/deeper/d.ods",
        "in/sub/e.xlsm",
        "in/~$b.xlsx",
    ]
    assert [f.skipped for f in found] == [None] * 6 + ["lock"]
    assert found[3] == Found(display="in/sub/c.xls", path=Path("in/sub/c.xls"), skipped=None)

    found = discover([str(root)])
    assert found[0].display == os.path.join(str(root), "Z.xlsb")
    assert found[0].path == root / "Z.xlsb"


def test_discover_arguments_order_files_missing_and_dedup(tmp_path, monkeypatch):
    one = tmp_path / "one"
    two = tmp_path / "two"
    _touch(one / "b.xlsx")
    _touch(one / "a.xlsx")
    _touch(two / "c.ods")
    _touch(tmp_path / "loose.csv")
    _touch(tmp_path / "~$open.xlsx")
    monkeypatch.chdir(tmp_path)

    found = discover(["two", "one/b.xlsx", "one", Path("loose.csv"), "ghost.xlsx",
                      "~$open.xlsx", "./one/a.xlsx", "two/c.ods", "ghost.xlsx"])
    assert [(f.display, f.skipped) for f in found] == [
        ("two/c.ods", None),
        ("one/b.xlsx", None),
        ("one/a.xlsx", None),
        ("loose.csv", None),
        ("ghost.xlsx", "not_found"),
        ("~$open.xlsx", "lock"),
    ]
    assert found[4].path == Path("ghost.xlsx")


def test_discover_same_file_through_symlink_is_listed_once(tmp_path, monkeypatch):
    _touch(tmp_path / "data" / "real.xlsx")
    try:
        os.symlink(tmp_path / "data" / "real.xlsx", tmp_path / "data" / "link.xlsx")
    except (OSError, NotImplementedError):
        pytest.skip("symlinks not available")
    monkeypatch.chdir(tmp_path)
    found = discover(["data"])
    assert [f.display for f in found] == ["data/link.xlsx"]
    assert discover([]) == []


def test_discover_then_open_reports_non_workbook(tmp_path, monkeypatch):
    _touch(tmp_path / "memo.txt", b"hello")
    monkeypatch.chdir(tmp_path)
    (f,) = discover(["memo.txt"])
    assert f.skipped is None
    assert problem(f.path).code == "FILE_NOT_WORKBOOK"


# --------------------------------------------------------------------------- hashing


def test_sha256_file_streams_large_files(tmp_path):
    data = os.urandom(1024) * 2600 + b"tail"  # > 2 MiB, not a multiple of the chunk
    path = _touch(tmp_path / "big.bin", data)
    assert sha256_file(path) == hashlib.sha256(data).hexdigest()
    empty = _touch(tmp_path / "empty.bin", b"")
    assert sha256_file(empty) == hashlib.sha256(b"").hexdigest()


def test_not_a_workbook_says_what_the_file_is_in_korean(tmp_path):
    """Korean messages carry a Korean detail (issue 13: no English parenthesis in FILE_NOT_WORKBOOK)."""
    from iupjong_xl.validate.pipeline import validate

    html = tmp_path / "보고서.xls"
    html.write_text("<html><body><table><tr><td>1</td></tr></table></body></html>", encoding="utf-8")
    pdf = tmp_path / "보고서.xlsx"
    pdf.write_bytes(b"%PDF-1.4\n" + b"x" * 100)
    txt = tmp_path / "보고서.txt"
    txt.write_text("a,b\n", encoding="utf-8")
    got = {f.file.rsplit("/", 1)[-1]: (f.message("ko"), f.message("en")) for f in validate([str(tmp_path)]).findings}
    got |= {f.file.rsplit("/", 1)[-1]: (f.message("ko"), f.message("en")) for f in validate([str(txt)]).findings}
    assert got["보고서.xls"][0] == ("엑셀 통합문서로 읽을 수 없습니다 (HTML 파일(웹 페이지를 엑셀 확장자로 저장함), 통합문서가 아님). "
                                  ".xlsx 서식 파일에 작성해 보내 주세요.")
    assert "PDF 문서, 통합문서가 아님" in got["보고서.xlsx"][0] and "PDF document, not a workbook" in got["보고서.xlsx"][1]
    assert "통합문서 파일이 아님 (확장자 '.txt'" in got["보고서.txt"][0]
