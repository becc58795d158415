"""Writing the live checks of a plan into a template (the 점검 column and block, the 점검 sheet, the hidden
parameter sheet), through the public API of xlsxwriter: every formula with `write_formula` and an empty cached
result (LibreOffice computes it on load; Excel recalculates every formula on load anyway)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from iupjong_xl.io.reader import col_letter
from iupjong_xl.outputs.livecheck.plan import (
    NAME_ERRORS,
    NAME_WARNINGS,
    PARAM_SHEET,
    STATUS_FORMULA,
    Check,
    Plan,
    SheetPlan,
    check_lines,
    checked,
    first_problem,
    folded_formula,
    positions,
    row_formulas,
    typed_formula,
)
from iupjong_xl.validate.layout import CHECK_HEADER, CHECK_SHEET


def put_formula(ws: Any, r: int, c: int, formula: str, cell_format: Any = None) -> None:
    """A formula cell whose cached result is "" (computed by the spreadsheet on load)."""
    ws.write_formula(r, c, formula, cell_format, "")


@dataclass
class Formats:
    head: Any
    cell: Any
    error: Any
    warning: Any
    guard: dict[str, Any]


def formats(wb: Any) -> Formats:
    guard = {"validate": "custom", "value": "=FALSE", "error_type": "stop", "error_title": "점검 칸",
             "error_message": "점검 칸은 수식으로 자동 계산됩니다. 여기에 입력하지 말고 왼쪽의 입력 칸을 고치세요.",
             "input_title": CHECK_HEADER, "input_message": "자동 계산: 이 행의 첫 번째 문제 (비어 있으면 문제 없음)",
             "show_input": True}
    return Formats(
        head=wb.add_format({"bold": True, "bg_color": "#D9D9D9", "font_color": "#595959", "border": 1, "valign": "vcenter"}),
        cell=wb.add_format({"bg_color": "#F2F2F2", "font_color": "#9C0006"}),
        error=wb.add_format({"bg_color": "#FFC7CE", "font_color": "#9C0006"}),
        warning=wb.add_format({"bg_color": "#FFEB9C", "font_color": "#9C5700"}),
        guard=guard,
    )


def _cf(ws: Any, fmt: Formats, r0: int, r1: int, c: int, r_cell: str, checks: list[Check], key: str) -> None:
    for sev, cell_fmt in (("error", fmt.error), ("warning", fmt.warning)):
        pos = [k for k, ch in positions(checks, key) if ch.severity == sev]
        if pos:
            crit = "=OR(" + ",".join(f'MID({r_cell},{k},1)>"0"' for k in pos) + ")"
            ws.conditional_format(r0, c, r1, c, {"type": "formula", "criteria": crit, "format": cell_fmt,
                                                  "stop_if_true": sev == "error"})


def _write_down(ws: Any, r0: int, r1: int, c: int, formula: str, cell_format: Any) -> None:
    """The same formula text in rows r0..r1 (0-based) of column c."""
    for r in range(r0, r1 + 1):
        put_formula(ws, r, c, formula, cell_format)


def write_table(ws: Any, sp: SheetPlan, fmt: Formats) -> None:
    """The 점검 column, the hidden helpers and the conditional formats of a table sheet."""
    ws.write_string(0, sp.check_col, CHECK_HEADER, fmt.head)
    ws.set_column(sp.check_col, sp.check_col, 48, fmt.cell)
    helpers = [sp.r_col, *sp.t_col.values(), *sp.f_col.values(), *sp.u_col.values(), *sp.v_col.values()]
    ws.set_column(min(helpers), max(helpers), 6, None, {"hidden": True})
    for c, text in row_formulas(sp):
        _write_down(ws, 1, sp.rows, c, text, fmt.cell if c == sp.check_col else None)
    ws.data_validation(1, sp.check_col, sp.rows, sp.check_col, fmt.guard)
    r_cell = f"${col_letter(sp.r_col)}2"
    for col in sp.sheet.columns:
        _cf(ws, fmt, 1, sp.rows, sp.data[col.key], r_cell, sp.checks, col.key)


def write_form(ws: Any, sp: SheetPlan, fmt: Formats) -> None:
    """The 점검 cell block of a form sheet: a message per field (D), hidden helpers (E:G), a summary below."""
    ws.write_string(0, sp.check_col, CHECK_HEADER, fmt.head)
    ws.set_column(sp.check_col, sp.check_col, 48, fmt.cell)
    ws.set_column(sp.r_col, max([*sp.t_col.values(), *sp.u_col.values(), *sp.v_col.values()]), 6, None,
                  {"hidden": True})
    for col in sp.sheet.columns:
        row = sp.form_row[col.key]
        mine = [c for c in sp.checks if c.column == col.key]
        if col.key in sp.u_col:
            put_formula(ws, row, sp.u_col[col.key], checked("=" + folded_formula(sp, col), col.header), None)
        put_formula(ws, row, sp.t_col[col.key], checked("=" + typed_formula(sp, col), col.header), None)
        if col.key in sp.v_formula:
            put_formula(ws, row, sp.v_col[col.key], checked("=" + sp.v_formula[col.key], col.header), None)
        r = sp.ref(sp.r_col, col.key)
        digits = '""&' + "&".join(f"({c.digit})" for c in mine) if mine else '""'
        put_formula(ws, row, sp.r_col, checked("=" + digits, col.header), None)
        if mine:
            put_formula(ws, row, sp.check_col, checked(first_problem(r, mine), col.header), fmt.cell)
            _cf(ws, fmt, row, row, sp.data[col.key], f"${col_letter(sp.r_col)}${row + 1}", mine, col.key)
        else:
            ws.write_blank(row, sp.check_col, None, fmt.cell)
    ws.data_validation(1, sp.check_col, sp.rows, sp.check_col, fmt.guard)
    at = sp.rows + 2
    ws.write_string(at, 0, "점검 결과", fmt.head)
    put_formula(ws, at, 1, STATUS_FORMULA, fmt.cell)
    ws.write_string(at, 2, f"시트마다 건수는 '{CHECK_SHEET}' 시트를 보세요.")


def write_params(wb: Any, ws: Any, p: Plan) -> None:
    """The hidden parameter sheet: every number of the rule book the formulas use, the lists, the row counts."""
    head = ["이름", "값", "설명"]
    for c, h in enumerate(head):
        ws.write_string(0, c, h)
    rows = list(p.params)
    for sp in p.sheets.values():
        if not sp.form:
            rows.append((sp.rows_name(), None, f"{sp.sheet.name} 입력 행 수 (자동 계산)"))
    for r, (name, value, what) in enumerate(rows, start=1):
        ws.write_string(r, 0, name)
        if value is None:
            sp = next(s for s in p.sheets.values() if s.rows_name() == name)
            put_formula(ws, r, 1, f'=SUMPRODUCT(--(LEN({sp.r_range()})>0))', None)
        else:
            ws.write_number(r, 1, float(value))
        ws.write_string(r, 2, what)
        wb.define_name(name, f"='{PARAM_SHEET}'!$B${r + 1}")
    for i, (name, values) in enumerate(p.lists.items()):
        c = 4 + i
        ws.write_string(0, c, name)
        for r, v in enumerate(values, start=1):
            ws.write_string(r, c, v)
        letter = col_letter(c)
        wb.define_name(name, f"='{PARAM_SHEET}'!${letter}$2:${letter}${max(2, len(values) + 1)}")
    ws.hide()


def write_check_sheet(wb: Any, ws: Any, p: Plan, fmt: Formats, title: str, bold: Any, header: Any) -> None:
    """The 점검 sheet: errors and warnings per sheet, the totals (CHECK_ERRORS, CHECK_WARNINGS), a line per rule."""
    ws.set_column(0, 0, 34)
    ws.set_column(1, 2, 9)
    ws.set_column(3, 3, 12)
    ws.set_column(4, 4, 18)
    ws.set_column(5, 5, 56)
    ws.set_column(6, 6, 8)
    ws.set_column(7, 7, 60)
    ws.write_string(0, 0, title, bold)
    ws.write_string(1, 0, "입력하는 동안 자동으로 계산됩니다. 보내기 전에 오류가 0건인지 확인하세요. "
                          "빨간 칸은 오류, 노란 칸은 경고이며 각 표의 '점검' 열에 이유가 나옵니다.")
    put_formula(ws, 2, 0, STATUS_FORMULA, bold)
    ws.write_string(3, 0, "아래 '검증 프로그램에서만' 항목은 연합회의 iupjong validate가 검사합니다.")
    for c, h in enumerate(["시트", "오류", "경고"]):
        ws.write_string(5, c, h, header)
    sheets = list(p.sheets.values())
    total_row = 6 + len(sheets)
    first_line = total_row + 4
    lines = check_lines(p)
    last_line = first_line + len(lines) - 1
    for c, h in enumerate(["코드", "구분", "시트", "항목", "점검 내용 / 서식에서 못 하는 이유", "점검", "건수", "메시지"]):
        ws.write_string(first_line - 1, c, h, header)
    ws.write_string(first_line - 2, 0, "규칙별 점검", bold)
    for i, (code, sev, sheet_name, col_header, what, how, count, msg) in enumerate(lines):
        r = first_line + i
        ws.write_string(r, 0, code)
        ws.write_string(r, 1, "오류" if sev == "error" else "경고")
        ws.write_string(r, 2, sheet_name)
        ws.write_string(r, 3, col_header)
        ws.write_string(r, 4, what)
        ws.write_string(r, 5, how)
        if count is not None:
            put_formula(ws, r, 6, checked("=" + count, code), None)
        if msg is not None:
            put_formula(ws, r, 7, checked(f'=IF(G{r + 1}>0,{msg},"")', code), None)
    g = f"$G${first_line + 1}:$G${last_line + 1}"
    cs = f"$C${first_line + 1}:$C${last_line + 1}"
    bs = f"$B${first_line + 1}:$B${last_line + 1}"
    for i, sp in enumerate(sheets):
        r = 6 + i
        ws.write_string(r, 0, sp.sheet.name)
        put_formula(ws, r, 1, f'=SUMIFS({g},{cs},"{sp.sheet.name}",{bs},"오류")', None)
        put_formula(ws, r, 2, f'=SUMIFS({g},{cs},"{sp.sheet.name}",{bs},"경고")', None)
    ws.write_string(total_row, 0, "합계", header)
    put_formula(ws, total_row, 1, f"=SUM(B7:B{total_row})", header)
    put_formula(ws, total_row, 2, f"=SUM(C7:C{total_row})", header)
    wb.define_name(NAME_ERRORS, f"='{CHECK_SHEET}'!$B${total_row + 1}")
    wb.define_name(NAME_WARNINGS, f"='{CHECK_SHEET}'!$C${total_row + 1}")
    ws.conditional_format(6, 1, total_row, 1, {"type": "cell", "criteria": ">", "value": 0, "format": fmt.error})
    ws.conditional_format(6, 2, total_row, 2, {"type": "cell", "criteria": ">", "value": 0, "format": fmt.warning})
    ws.conditional_format(first_line, 6, last_line, 6, {"type": "formula", "format": fmt.error,
                                                          "criteria": f'=AND($G{first_line + 1}>0,$B{first_line + 1}="오류")'})
    ws.conditional_format(first_line, 6, last_line, 6, {"type": "formula", "format": fmt.warning,
                                                          "criteria": f'=AND($G{first_line + 1}>0,$B{first_line + 1}="경고")'})


