"""The open workbook as the buttons see it: its sheets, values, meta sheet and kind, and a snapshot of its current
values (saved or not) as an .xlsx the service can read."""

from __future__ import annotations

import datetime
import os
from pathlib import Path
from typing import Any

from iupjong_xl import service

# The xlwings API surface used here (and nothing else; tests/test_excel_buttons.py fakes exactly this):
#   Book: name, fullname, app, sheets (iterate, [name], .add(name, after=)), save(), close()
#   Sheet: name, used_range, range(address), delete(), activate()
#   Range: value (+ options(ndim=2, err_to_str=True)), row, column, color, note (.text, .delete()), add_note(text), column_width,
#          clear_contents()
#   App: alert(prompt, title, buttons, mode), status_bar, screen_updating, books.open(path); app.api only to show
#        the folder picker on Windows (ask_folder)

def sheet_names(book: Any) -> list[str]:
    return [s.name for s in book.sheets]


def values(sheet: Any) -> tuple[int, int, list[list[Any]]]:
    """(first row, first column, 2-D values) of a sheet's used range: what the user sees now, saved or not."""
    rng = sheet.used_range
    return rng.row, rng.column, rng.options(ndim=2, err_to_str=True).value or []  # '#DIV/0!' as the reader sees it


def snapshot(book: Any, path: Path, skip: tuple[str, ...] = ()) -> Path:
    """Write the book's current values (every sheet, hidden ones too, each value at its own cell) to an .xlsx."""
    import xlsxwriter

    wb = xlsxwriter.Workbook(str(path), {"strings_to_numbers": False, "strings_to_formulas": False,
                                         "strings_to_urls": False, "nan_inf_to_errors": True})
    date = wb.add_format({"num_format": "yyyy-mm-dd hh:mm:ss"})
    for sheet in book.sheets:
        if sheet.name in skip:
            continue
        ws = wb.add_worksheet(sheet.name)
        r0, c0, grid = values(sheet)
        for i, row in enumerate(grid):
            for j, v in enumerate(row):
                r, c = r0 - 1 + i, c0 - 1 + j
                if v is None or v == "":
                    continue
                if isinstance(v, datetime.datetime):
                    ws.write_datetime(r, c, v, date)
                elif isinstance(v, bool):
                    ws.write_boolean(r, c, v)
                elif isinstance(v, (int, float)):
                    ws.write_number(r, c, v)
                else:
                    ws.write_string(r, c, str(v))
    if not wb.worksheets():
        wb.add_worksheet()
    wb.close()
    return path


def meta(book: Any) -> dict[str, str]:
    """The key/value sheet of a template (_서식정보) or of a consolidated workbook (_취합정보), if any."""
    for name in (service.CONSOLIDATED_META, service.META_SHEET):
        if name in sheet_names(book):
            _r, _c, grid = values(book.sheets[name])
            out = {str(r[0]).strip(): shown(r[1]) for r in grid if len(r) > 1 and r[0] not in (None, "")}
            return {"sheet": name, **out}
    return {}


def book_kind(book: Any) -> str | None:
    """"consolidated", "club", "federation" or None, from the meta sheets, else from the report sheet names."""
    m = meta(book)
    if m.get("sheet") == service.CONSOLIDATED_META:
        return "consolidated"
    if m.get("kind") in ("club", "federation"):
        return m["kind"]
    return service.report_kind(sheet_names(book))


def saved_path(book: Any) -> Path | None:
    """The book's file, or None for a workbook never saved (its fullname is then a bare name like 통합 문서1)."""
    full = book.fullname or ""
    return Path(full) if os.path.isabs(full) and Path(full).exists() else None


def shown(v: Any) -> str:
    if isinstance(v, float) and v.is_integer():
        v = int(v)
    return "" if v is None else str(v).strip()


def as_text(v: Any) -> Any:
    """A value as Excel must receive it: text stays text ('=1+1', '0012', '1-2' are not formulas/numbers/dates)."""
    return "'" + v if isinstance(v, str) and v else v


def unique_path(path: Path) -> Path:
    """path, or the first free `name (n).ext` beside it: a button never overwrites a file."""
    n, out = 2, path
    while out.exists():
        out = path.with_name(f"{path.stem} ({n}){path.suffix}")
        n += 1
    return out
