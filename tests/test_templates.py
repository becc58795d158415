"""The standard templates: generated from the rule book, checked in, friendly to fill in."""

from __future__ import annotations

import hashlib
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner

from iupjong_xl import rulebook
from iupjong_xl.cli import cli
from iupjong_xl.outputs.templates import LIST_SHEET, generate_all, template_filename, write_template
from iupjong_xl.validate.pipeline import validate

REPO = Path(__file__).resolve().parent.parent
BOOK = rulebook.load(2009)


def _sha(p: Path) -> str:
    return hashlib.sha256(p.read_bytes()).hexdigest()


def test_checked_in_templates_equal_generator(tmp_path: Path) -> None:
    written = generate_all(tmp_path)
    assert sorted(p.name for p in written) == ["club_2008.xlsx", "club_2009.xlsx", "federation_2008.xlsx",
                                               "federation_2009.xlsx"]
    checked_in = sorted(p.name for p in (REPO / "templates").glob("*.xlsx"))
    assert checked_in == sorted(p.name for p in written)
    for p in written:
        assert _sha(p) == _sha(REPO / "templates" / p.name), f"templates/{p.name} is stale: run `iupjong templates`"


def test_generation_is_byte_reproducible(tmp_path: Path) -> None:
    a = write_template(tmp_path / "a.xlsx", "club", 2009)
    b = write_template(tmp_path / "b.xlsx", "club", 2009)
    assert a.read_bytes() == b.read_bytes()


@pytest.mark.parametrize("kind", ["club", "federation"])
def test_template_structure(kind: str) -> None:
    wb = openpyxl.load_workbook(REPO / "templates" / template_filename(kind, 2009))
    sheets = BOOK.report_sheets(kind)
    assert wb.sheetnames == ["작성안내", "점검", LIST_SHEET, *[s.name for s in sheets], rulebook.META_SHEET, "_점검기준"]
    assert wb[LIST_SHEET].sheet_state == "hidden"
    assert wb[rulebook.META_SHEET].sheet_state == "hidden"
    assert wb["_점검기준"].sheet_state == "hidden"
    assert wb.active.title == "작성안내"
    meta = {r[0].value: r[1].value for r in wb[rulebook.META_SHEET].iter_rows()}
    assert meta["template_id"] == BOOK.reports[kind].template_id
    assert meta["year"] == "2009" and meta["version"] == BOOK.version and meta["kind"] == kind
    for sheet in sheets:
        ws = wb[sheet.name]
        assert ws.freeze_panes == "A2"
        if sheet.layout == "table":
            assert [c.value for c in ws[1]][:len(sheet.columns) + 1] == [c.header for c in sheet.columns] + ["점검"]
            assert all(c.value is None for c in ws[1][len(sheet.columns) + 1:])  # hidden helper columns
            for i, _col in enumerate(sheet.columns):
                letter = openpyxl.utils.get_column_letter(i + 1)
                assert ws.column_dimensions[letter].width >= 8
        else:
            assert [ws.cell(r + 2, 1).value for r in range(len(sheet.columns))] == [c.header for c in sheet.columns]
        # every column has an input hint; every reference/choice column a drop-down list
        dvs = ws.data_validations.dataValidation
        prompts = {dv.promptTitle for dv in dvs}
        assert {c.header[:32] for c in sheet.columns} <= prompts
        for col in sheet.columns:
            if col.ref or col.choices:
                dv = next(d for d in dvs if d.promptTitle == col.header[:32])
                assert dv.type == "list" and dv.formula1.startswith(f"'{LIST_SHEET}'!")


def test_dropdown_lists_hold_reference_data() -> None:
    wb = openpyxl.load_workbook(REPO / "templates" / "club_2009.xlsx")
    ws = wb[LIST_SHEET]
    columns = {ws.cell(1, c).value: [ws.cell(r, c).value for r in range(2, ws.max_row + 1) if ws.cell(r, c).value]
               for c in range(1, ws.max_column + 1)}
    assert columns["ksic"][:2] == ["01 농업", "02 임업"]
    assert len(columns["ksic"]) == 77
    assert columns["federation"] == ["서울", "부산", "대구경북", "인천", "광주전남", "대전충남", "울산", "경기", "강원", "충북",
                                     "전북", "경남", "제주"]


def test_instructions_sheet_lists_every_column() -> None:
    wb = openpyxl.load_workbook(REPO / "templates" / "club_2009.xlsx")
    text = [c.value for row in wb["작성안내"].iter_rows() for c in row if c.value]
    assert text[0] == "2009년 단위교류회 실적보고서 작성안내"
    for sheet in BOOK.report_sheets("club"):
        assert f"[{sheet.name}] 시트" in text
        for col in sheet.columns:
            assert col.header in text


def test_blank_template_reports_only_missing_values(tmp_path: Path) -> None:
    path = write_template(tmp_path / "blank.xlsx", "club", 2009)
    codes = {f.code for f in validate([str(path)]).findings}
    assert codes and all(c.endswith("_REQUIRED") or c == "CLUB_NO_MEMBERS" for c in codes)


def test_cli_template(tmp_path: Path) -> None:
    out = tmp_path / "서식.xlsx"
    res = CliRunner().invoke(cli, ["template", "--kind", "federation", "--year", "2009", "-o", str(out)])
    assert res.exit_code == 0, res.output
    assert out.read_bytes() == (REPO / "templates" / "federation_2009.xlsx").read_bytes()
    res = CliRunner().invoke(cli, ["template", "--kind", "club", "--year", "1999", "-o", str(out)])
    assert res.exit_code == 2 and "1999" in res.output


@pytest.mark.parametrize("year", rulebook.available_years())
def test_codes_markdown_is_current(year: int) -> None:
    """The rule book's CODES.md and the manual's page of the same year are the generator's text, byte for byte."""
    book = rulebook.load(year)
    expected = rulebook.codes_markdown(book) + "\n"
    for path in (REPO / "validation" / str(year) / "CODES.md", REPO / "docs" / "codes" / f"{year}.md"):
        text = path.read_text(encoding="utf-8")
        assert text == expected, f"run: iupjong codes --year {year} --format markdown > {path.relative_to(REPO)}"
        assert text.count("\n| `") == len(book.all_codes())


def test_the_manual_lists_every_code_live_or_not() -> None:
    from iupjong_xl.outputs.livecheck import readme_table

    table = readme_table(BOOK)
    page = (REPO / "docs" / "livecheck.md").read_text(encoding="utf-8")
    assert table in page, "docs/livecheck.md: the live-check table is stale (livecheck.readme_table)"
    assert table.count("\n| `") == len(BOOK.all_codes())
    assert "| `CONSORTIUM_SINGLE_INDUSTRY` | warning | 협력과제 · 주관기업 사업자등록번호 | checked by the validator only |" in table
    assert "| `MEMBER_BRN_CHECKSUM` | error | 회원사 · 사업자등록번호 | checked live in the template |" in table


def test_instructions_send_the_secretary_to_the_check_sheet() -> None:
    wb = openpyxl.load_workbook(REPO / "templates" / "club_2009.xlsx")
    text = [c.value for row in wb["작성안내"].iter_rows() for c in row if c.value]
    assert "6. 보내기 전에 두 번째 '점검' 시트를 보세요. 오류가 0건이 될 때까지 고친 뒤 연합회에 보내세요 (경고는 확인만)." in text
    assert wb.sheetnames[1] == "점검"


def test_check_names_and_parameter_cells_come_from_the_rule_book() -> None:
    wb = openpyxl.load_workbook(REPO / "templates" / "club_2009.xlsx")
    dest = {n: list(wb.defined_names[n].destinations) for n in ("CHECK_ERRORS", "CHECK_WARNINGS")}
    assert dest == {"CHECK_ERRORS": [("점검", "$B$12")], "CHECK_WARNINGS": [("점검", "$C$12")]}
    assert wb["점검"]["A12"].value == "합계"

    def param(name: str) -> object:
        [(sheet, cell)] = list(wb.defined_names[name].destinations)
        assert sheet == "_점검기준"
        return wb[sheet][cell.replace("$", "")].value

    funding = BOOK.parameters["funding"]
    assert param("LC_YEAR") == 2009
    assert param("LC_CONSORTIUM_TOTAL_CAP") == funding["max_total_won"] == 20_000_000
    assert param("LC_CONSORTIUM_GOV_SHARE_MAX") == funding["gov_share_max"] == 0.75
    assert param("LC_CONSORTIUM_COMPANY_SHARE_MIN") == funding["company_share_min"] == 0.25
    assert param("LC_MEMBER_EMPLOYEES_MAX") == 100000 and param("LC_CLUB_FOUNDED_YEAR_MAX") == 2009
    assert wb["_점검기준"].sheet_state == "hidden"
    ws = wb["회원사"]
    assert ws["J1"].value == "점검" and ws["J2"].value.startswith("=IF(")
    assert ws.column_dimensions["K"].hidden
    guard = [dv for dv in ws.data_validations.dataValidation if "J2" in str(dv.sqref)]
    assert guard and guard[0].type == "custom" and guard[0].errorStyle in (None, "stop")
    fills = {r.dxf.fill.bgColor.rgb for cf in ws.conditional_formatting for r in cf.rules}
    assert fills == {"FFFFC7CE", "FFFFEB9C"}
    assert wb["점검"]["A1"].value == "2009년 단위교류회 실적보고서 점검"


def test_validator_ignores_the_check_column_and_sheet(tmp_path: Path) -> None:
    """Messages in the 점검 column, a broken formula there, or no 점검 column and sheet at all: same findings."""
    from conftest import club_data

    data = club_data()
    data["member"][1]["employees"] = "많음"
    path = write_template(tmp_path / "r.xlsx", "club", 2009, data)
    want = [f.to_dict() for f in validate([str(path)]).findings]
    assert [f["code"] for f in want] == ["MEMBER_EMPLOYEES_TYPE"]
    wb = openpyxl.load_workbook(path)
    wb["회원사"]["J3"] = "[오류] 종업원수 ..."  # what a spreadsheet shows after recalculation
    wb["회원사"]["J4"] = "=1/0"
    wb["교류회"]["D2"] = "#REF!"
    wb.save(broken := tmp_path / "broken.xlsx")
    wb["회원사"].delete_cols(10, 40)
    wb["활동"].delete_cols(5, 40)
    del wb["점검"]
    wb.save(deleted := tmp_path / "deleted.xlsx")
    for p in (broken, deleted):
        got = [{**f.to_dict(), "file": None} for f in validate([str(p)]).findings]
        assert got == [{**f, "file": None} for f in want]
