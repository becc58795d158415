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
    assert wb.sheetnames == ["작성안내", LIST_SHEET, *[s.name for s in sheets], rulebook.META_SHEET]
    assert wb[LIST_SHEET].sheet_state == "hidden"
    assert wb[rulebook.META_SHEET].sheet_state == "hidden"
    assert wb.active.title == "작성안내"
    meta = {r[0].value: r[1].value for r in wb[rulebook.META_SHEET].iter_rows()}
    assert meta["template_id"] == BOOK.reports[kind].template_id
    assert meta["year"] == "2009" and meta["version"] == BOOK.version and meta["kind"] == kind
    for sheet in sheets:
        ws = wb[sheet.name]
        assert ws.freeze_panes == "A2"
        if sheet.layout == "table":
            assert [c.value for c in ws[1]] == [c.header for c in sheet.columns]
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
    book = rulebook.load(year)
    text = (REPO / "validation" / str(year) / "CODES.md").read_text(encoding="utf-8")
    assert text.rstrip("\n") == rulebook.codes_markdown(book), f"run: iupjong codes --year {year} --format markdown"
    assert text.count("\n| `") == len(book.all_codes())
