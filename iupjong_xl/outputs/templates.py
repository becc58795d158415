"""Standard report workbooks from the rule book: blank templates, or filled in (sample corpus, tests)."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from iupjong_xl import __version__, rulebook
from iupjong_xl.errors import UsageError
from iupjong_xl.io.atomic import atomic_path
from iupjong_xl.io.reader import col_letter
from iupjong_xl.messages import text
from iupjong_xl.outputs import livecheck
from iupjong_xl.outputs.xlsx import LINE_PT, cell, display_width, lines_needed, new_workbook, page_setup
from iupjong_xl.rulebook import META_SHEET, Column, RuleBook, Sheet

LIST_SHEET = "_목록"
INSTRUCTIONS_SHEET = "작성안내"
TEMPLATE_ROWS = 1000  # table rows that carry drop-downs and input hints
CHECK_ROWS = 200  # table rows of a blank template that carry the live-check formulas (clubs have 8-40 members)
CHECK_SPARE = 5  # a filled-in workbook: its rows plus these carry them
PRINT_ROWS = 30  # table rows a blank template prints (the form); a filled-in one prints its rows and a few spare


@dataclass(frozen=True, slots=True)
class Formula:
    """A cell holding a formula and the value Excel would have cached for it (for realistic test files)."""

    formula: str
    value: Any = 0


def template_filename(kind: str, year: int) -> str:
    return f"{'club' if kind == 'club' else 'federation'}_{year}.xlsx"


def write_template(path: str | os.PathLike[str], kind: str, year: int,
                   data: dict[str, list[dict[str, Any]]] | None = None, *, lang: str = "ko", live: bool = True) -> Path:
    """Write the standard workbook of a report kind and year, optionally filled with records; atomic.

    live=False leaves out the live checks (점검 column, block and sheet, hidden parameter sheet): the bulk sample
    corpus is written that way, small and fast; templates, problem workbooks and test reports carry them."""
    book = rulebook.load(year)
    if kind not in book.reports:
        raise UsageError(f"보고서 종류 {kind!r}이(가) 없습니다 (있는 종류: {', '.join(book.reports)}).",
                         f"unknown report kind {kind!r} (choose: {', '.join(book.reports)})")
    with atomic_path(path) as tmp:
        _write(tmp, book, kind, data or {}, live)
    return Path(path)


def _write(path: Path, book: RuleBook, kind: str, data: dict[str, list[dict[str, Any]]], live: bool = True) -> None:
    rep = book.reports[kind]
    wb = new_workbook(path, f"{rep.title_ko} ({book.year})",
                      props={"subject": rep.template_id, "comments": f"{rep.template_id} {book.version}"})
    wb.set_custom_property("iupjong_template_id", rep.template_id)
    wb.set_custom_property("iupjong_year", str(book.year))
    wb.set_custom_property("iupjong_version", book.version)
    fmt = _Formats(wb)
    live_fmt = livecheck.formats(wb) if live else None
    sheets = book.report_sheets(kind)
    blank = not any(data.values())
    rows = {s.key: CHECK_ROWS if blank else len(data.get(s.key, [])) + CHECK_SPARE for s in sheets}
    extras = {s.key: len(_extra_columns(data.get(s.key, []))) for s in sheets}
    checks = livecheck.plan(book, kind, rows, extras) if live else None
    _instructions(wb, fmt, book, kind, sheets, live)
    check_ws = wb.add_worksheet(livecheck.CHECK_SHEET) if checks else None
    list_refs = _lists(wb, book, sheets)
    for sheet in sheets:
        records = data.get(sheet.key, [])
        if sheet.layout == "form":
            ws = _form_sheet(wb, fmt, book, sheet, records[0] if records else {}, list_refs)
            if checks and live_fmt:
                livecheck.write_form(ws, checks.sheets[sheet.key], live_fmt)
            last_col = checks.sheets[sheet.key].check_col if checks else 2
            page_setup(ws, ws.last_row, last_col, header=0, keys=1, one_page=True)
        else:
            last = checks.sheets[sheet.key].check_col if checks else len(sheet.columns) - 1
            ws = _table_sheet(wb, fmt, book, sheet, records, list_refs, last)
            if checks and live_fmt:
                livecheck.write_table(ws, checks.sheets[sheet.key], live_fmt)
            inputs = len(sheet.columns) - 1 + extras[sheet.key]  # a blank form prints its input columns (no 점검)
            ws.hide_gridlines(0)  # the empty rows print as a grid to fill in
            page_setup(ws, PRINT_ROWS if blank else len(records) + CHECK_SPARE, inputs if blank else max(last, inputs),
                       header=0, keys=1, one_page=blank)
    if checks and live_fmt and check_ws is not None:
        livecheck.write_check_sheet(wb, check_ws, checks, live_fmt, f"{book.year}년 {rep.title_ko} 점검", fmt.title,
                                    fmt.header)
        page_setup(check_ws, check_ws.last_row, check_ws.last_col, header=None, landscape=True)
    meta = wb.add_worksheet(META_SHEET)
    for r, (k, v) in enumerate([("template_id", rep.template_id), ("kind", kind), ("year", str(book.year)),
                                 ("version", book.version), ("generator", f"iupjong-xl {__version__}")]):
        meta.write_string(r, 0, k)
        meta.write_string(r, 1, v)
    meta.hide()
    if checks:
        livecheck.write_params(wb, wb.add_worksheet(livecheck.PARAM_SHEET), checks)
    wb.close()


class _Formats:
    def __init__(self, wb: Any) -> None:
        self.title = wb.add_format({"bold": True, "font_size": 14})
        self.bold = wb.add_format({"bold": True})
        self.header = wb.add_format({"bold": True, "bg_color": "#DDEBF7", "border": 1, "text_wrap": True, "valign": "vcenter"})
        self.required = wb.add_format({"bold": True, "bg_color": "#FCE4D6", "border": 1, "text_wrap": True, "valign": "vcenter"})
        self.hint = wb.add_format({"italic": True, "font_color": "#7F7F7F", "text_wrap": True, "valign": "top"})
        self.wrap = wb.add_format({"text_wrap": True, "valign": "top"})
        self.input = wb.add_format({"border": 1, "bg_color": "#FFFFF0"})
        self._cache: dict[str, Any] = {}
        self._wb = wb

    def number(self, num_format: str | None, *, boxed: bool = False) -> Any:
        key = f"{num_format}|{boxed}"
        if key not in self._cache:
            spec: dict[str, Any] = {}
            if num_format:
                spec["num_format"] = num_format
            if boxed:
                spec.update({"border": 1, "bg_color": "#FFFFF0"})
            self._cache[key] = self._wb.add_format(spec)
        return self._cache[key]


def _column_format(col: Column) -> str | None:
    if col.format:
        return col.format
    if col.type in {"brn", "brn_list", "text"}:
        return "@"
    return None


def _type_text(col: Column, lang: str = "ko") -> str:
    return text(f"column_type.{col.type}", lang)


def _instructions(wb: Any, fmt: _Formats, book: RuleBook, kind: str, sheets: list[Sheet], live: bool = True) -> None:
    rep = book.reports[kind]
    ws = wb.add_worksheet(INSTRUCTIONS_SHEET)
    ws.set_column(0, 0, 22)
    ws.set_column(1, 1, 16)
    ws.set_column(2, 2, 10)
    examples = [str(c.example) for s in sheets for c in s.columns if c.example not in (None, "")]
    example_width = min(30, max(14, *(display_width(e) + 2 for e in examples))) if examples else 14
    ws.set_column(3, 3, example_width)
    ws.set_column(4, 4, 60)
    ws.write_string(0, 0, f"{book.year}년 {rep.title_ko} 작성안내", fmt.title)
    lines = [
        f"서식: {rep.template_id}  버전: {book.version}",
        f"파일 이름: {rep.file_hint}",
        "1. 시트 이름과 제목 행을 바꾸거나 지우지 마세요. 열 순서는 바꿔도 되지만 제목은 그대로 두세요.",
        "2. 주황색 제목은 필수 항목입니다. 칸을 고르면 입력 안내가 나타나고, 목록이 있는 칸은 드롭다운에서 고르세요.",
    ]
    types = {c.type for s in sheets for c in s.columns}
    money = any(c.key.endswith("_won") for s in sheets for c in s.columns)
    if money or "date" in types:  # only what this form has
        lines.append(f"{len(lines) - 1}. " + " ".join(
            ([("금액은 원 단위 정수로 적습니다.")] if money else [])
            + (["날짜는 2009-03-01 / 2009.3.1 / 2009년 3월 1일 처럼 입력합니다."] if "date" in types else [])))
    if types & {"brn", "brn_list"}:
        lines.append(f"{len(lines) - 1}. 사업자등록번호는 10자리(예: 116-82-00276)이며 마지막 검증번호까지 확인합니다.")
    to = "이업종중앙회" if kind == "federation" else "연합회"  # a federation sends its report on to the center
    n = len(lines) - 1
    if live:
        lines += [
            f"{n}. 입력하는 동안 서식이 바로 점검합니다: 빨간 칸은 오류, 노란 칸은 경고이고, 각 표 오른쪽 '점검' 열에 이유가 나옵니다.",
            f"{n + 1}. 보내기 전에 두 번째 '점검' 시트를 보세요. 오류가 0건이 될 때까지 고친 뒤 {to}에 보내세요 (경고는 확인만).",
            f"{n + 2}. 서식에서 못 하는 검사(코드·전화번호 형식 등)는 'iupjong validate 파일' 또는 엑셀의 [이업종 > 검증] 단추가 합니다.",
        ]
    else:
        lines.append(f"{n}. 다 쓴 뒤 'iupjong validate 파일' 또는 엑셀의 [이업종 > 검증] 단추로 검사하고, 지적된 칸을 고쳐서 {to}에 보내세요.")
    for i, line in enumerate(lines, start=2):
        ws.write_string(i, 0, line)
    r = len(lines) + 3
    for sheet in sheets:
        ws.write_string(r, 0, f"[{sheet.name}] 시트", fmt.bold)
        ws.write_string(r, 1, "한 줄에 한 건" if sheet.layout == "table" else "항목마다 오른쪽 칸에 입력")
        r += 1
        for c, h in enumerate(["항목", "형식", "필수", "예시", "안내 / 허용 값"]):
            ws.write_string(r, c, h, fmt.header)
        r += 1
        for col in sheet.columns:
            ws.write_string(r, 0, col.header)
            ws.write_string(r, 1, _type_text(col))
            ws.write_string(r, 2, "필수" if col.required else "")
            ws.write_string(r, 3, "" if col.example in (None, "") else str(col.example), fmt.wrap)
            extra = ""
            if col.choices:
                extra = " — " + ", ".join(col.choices)
            elif col.ref and len(book.references[col.ref].rows) <= 15:
                extra = " — " + ", ".join(book.references[col.ref].displays)
            elif col.ref:
                extra = f" — '{LIST_SHEET}' 목록 ({len(book.references[col.ref].rows)}개) 중 선택"
            if col.min is not None or col.max is not None:
                extra += f" (범위 {_fmt_bound(col.min, col)}~{_fmt_bound(col.max, col)})"
            ws.write_string(r, 4, col.hint_ko + extra, fmt.wrap)
            tall = max(lines_needed(col.hint_ko + extra, 59), lines_needed(str(col.example or ""), example_width - 1))
            if tall > 1:  # a long hint wraps inside its row instead of running over the next one
                ws.set_row(r, LINE_PT * tall + 2)
            r += 1
        r += 1
    page_setup(ws, r, 4, header=None, landscape=True)  # one page wide: the instructions are read top to bottom
    ws.activate()


def _fmt_bound(v: float | None, col: Column | None = None) -> str:
    """A limit as people read it: amounts with thousands separators, years without (1989~2009, not 1,989~2,009)."""
    if v is None:
        return ""
    if not (float(v).is_integer() and v < 1e15):
        return str(v)
    return str(int(v)) if col is not None and col.key.endswith("year") else f"{int(v):,}"


def _lists(wb: Any, book: RuleBook, sheets: list[Sheet]) -> dict[str, str]:
    """A hidden sheet with every drop-down list; returns list key -> absolute range formula."""
    ws = wb.add_worksheet(LIST_SHEET)
    refs: dict[str, str] = {}
    wanted: list[tuple[str, list[str]]] = []
    for sheet in sheets:
        for col in sheet.columns:
            key = f"ref:{col.ref}" if col.ref else (f"choice:{','.join(col.choices)}" if col.choices else None)
            if key is None or key in refs or any(k == key for k, _ in wanted):
                continue
            values = list(book.references[col.ref].displays) if col.ref else list(col.choices)
            wanted.append((key, values))
    for c, (key, values) in enumerate(wanted):
        ws.write_string(0, c, key.split(":", 1)[1] if key.startswith("ref:") else "선택")
        for i, v in enumerate(values, start=1):
            ws.write_string(i, c, v)
        letter = col_letter(c)
        refs[key] = f"='{LIST_SHEET}'!${letter}$2:${letter}${len(values) + 1}"
    ws.hide()
    return refs


def _validation(book: RuleBook, col: Column, list_refs: dict[str, str]) -> dict[str, Any]:
    title = col.header[:32]
    msg = col.hint_ko
    if col.required:
        msg = "[필수] " + msg
    spec: dict[str, Any] = {"input_title": title, "input_message": msg[:255], "show_input": True}
    key = f"ref:{col.ref}" if col.ref else (f"choice:{','.join(col.choices)}" if col.choices else None)
    if key:
        spec.update({"validate": "list", "source": list_refs[key], "error_type": "warning",
                     "error_title": "목록에 없는 값", "error_message": f"{col.header}: 목록에서 고르세요."})
    elif col.type == "int" and col.min is not None and col.max is not None:
        spec.update({"validate": "integer", "criteria": "between", "minimum": int(col.min), "maximum": int(col.max),
                     "error_type": "warning", "error_title": "범위 확인",
                     "error_message": f"{col.header}: {_fmt_bound(col.min, col)}~{_fmt_bound(col.max, col)} 사이의 정수"})
    else:
        spec["validate"] = "any"
    return spec


def _form_sheet(wb: Any, fmt: _Formats, book: RuleBook, sheet: Sheet, record: dict[str, Any],
                list_refs: dict[str, str]) -> Any:
    ws = wb.add_worksheet(sheet.name)
    ws.set_column(0, 0, 24)
    ws.set_column(1, 1, 30)
    ws.set_column(2, 2, 50)
    for c, h in enumerate(["항목", "입력", "입력 안내"]):
        ws.write_string(0, c, h, fmt.header)
    for r, col in enumerate(sheet.columns, start=1):
        ws.write_string(r, 0, col.header, fmt.required if col.required else fmt.header)
        ws.write_string(r, 2, col.hint_ko, fmt.hint)
        cell_fmt = fmt.number(_column_format(col), boxed=True)
        _write_value(ws, r, 1, record.get(col.key), cell_fmt, blank_format=cell_fmt)
        ws.data_validation(r, 1, r, 1, _validation(book, col, list_refs))
    ws.freeze_panes(1, 0)
    return ws


def _extra_columns(records: list[dict[str, Any]]) -> list[str]:
    """"+<header>" keys of the records: columns that are not in the template (test and sample files)."""
    return list(dict.fromkeys(k for rec in records for k in rec if k.startswith("+")))


def _table_sheet(wb: Any, fmt: _Formats, book: RuleBook, sheet: Sheet, records: list[dict[str, Any]],
                 list_refs: dict[str, str], check_col: int) -> Any:
    ws = wb.add_worksheet(sheet.name)
    ws.set_row(0, 32)
    for c, col in enumerate(sheet.columns):
        ws.set_column(c, c, col.width or max(10, len(col.header) * 2 + 2), fmt.number(_column_format(col)))
        ws.write_string(0, c, col.header, fmt.required if col.required else fmt.header)
        last = max(TEMPLATE_ROWS, len(records))
        ws.data_validation(1, c, last, c, _validation(book, col, list_refs))
    ws.freeze_panes(1, 0)
    ws.autofilter(0, 0, max(len(records), 1), check_col)
    extra = _extra_columns(records)
    for i, k in enumerate(extra):
        ws.write_string(0, len(sheet.columns) + i, k[1:], fmt.header)
    for r, rec in enumerate(records, start=1):
        for c, col in enumerate(sheet.columns):
            _write_value(ws, r, c, rec.get(col.key), fmt.number(_column_format(col)))
        for i, k in enumerate(extra):
            _write_value(ws, r, len(sheet.columns) + i, rec.get(k), None)
    return ws


def _write_value(ws: Any, r: int, c: int, v: Any, cell_fmt: Any, blank_format: Any = None) -> None:
    if v is None or v == "":
        if blank_format is not None:
            ws.write_blank(r, c, None, blank_format)
        return
    if isinstance(v, Formula):
        ws.write_formula(r, c, v.formula, cell_fmt, v.value)
    elif isinstance(v, bool):
        ws.write_boolean(r, c, v, cell_fmt)  # a true yes/no cell in a report (the kit writes 예/아니오 for people)
    else:
        cell(ws, r, c, v, cell_fmt)


def generate_all(out_dir: str | os.PathLike[str], years: list[int] | None = None) -> list[Path]:
    """Write every template of every rule-book year into out_dir (the checked-in templates/ folder)."""
    written = []
    for year in years or rulebook.available_years():
        book = rulebook.load(year)
        for kind in book.reports:
            written.append(write_template(Path(out_dir) / template_filename(kind, year), kind, year))
    return written
