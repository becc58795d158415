"""The one xlsx writer kit every workbook the program writes is built with (xlsxwriter): reproducible workbook
properties, one set of cell formats, typed and text-safe cell writes, Excel tables, hidden key/value sheets,
display widths (Korean full-width characters count double) and file links that survive a moved output folder."""

from __future__ import annotations

import datetime
import math
import os
import unicodedata
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from iupjong_xl.io.atomic import atomic_path

FIXED_CREATED = datetime.datetime(2009, 1, 1)  # workbook properties carry no clock: same input, same bytes
MAX_TEXT = 32767  # Excel's limit for one cell's text
AUTHOR, COMPANY = "iupjong-xl", "이업종중앙회"
FILL_ERROR, FILL_WARNING, FILL_OK = "#FFC7CE", "#FFEB9C", "#C6EFCE"  # the annotate colours (red / yellow / green)
TABLE_STYLE = "Table Style Light 9"


class Formats:
    """The cell formats of a workbook. Formats are registered with xlsxwriter here, but only those a sheet uses are
    written into the file (xlsxwriter indexes formats on first use), so one set serves every workbook."""

    def __init__(self, wb: Any) -> None:
        add = wb.add_format
        self.title = add({"bold": True, "font_size": 14})
        self.bold = add({"bold": True})
        self.header = add({"bold": True, "bg_color": "#DDEBF7", "border": 1, "text_wrap": True})
        self.head = add({"bold": True, "bg_color": "#D9D9D9", "border": 1, "valign": "top"})  # findings tables
        self.won = add({"num_format": "#,##0"})
        self.kwon = add({"num_format": '#,##0,"천원"'})
        self.int = add({"num_format": "#,##0"})
        self.dec = add({"num_format": "#,##0.0"})
        self.pct = add({"num_format": "0.0"})
        self.score = add({"num_format": "0.000"})
        self.date = add({"num_format": "yyyy-mm-dd"})
        self.total = add({"bold": True, "top": 1, "num_format": "#,##0"})
        self.total_pct = add({"bold": True, "top": 1, "num_format": "0.0"})
        self.input = add({"bg_color": "#FFF2CC", "border": 1, "num_format": "0.0"})
        self.link = add({"font_color": "blue", "underline": 1})
        self.url = add({"font_color": "#0563C1", "underline": 1})
        self.red = add({"font_color": "#C00000"})
        self.text = add({"num_format": "@"})
        self.wrap = add({"text_wrap": True, "valign": "top"})
        self.ok = add({"bold": True, "font_color": "#006100", "bg_color": FILL_OK})
        self.bad = add({"bold": True, "font_color": "#9C0006", "bg_color": FILL_ERROR})
        self.error = add({"bg_color": FILL_ERROR, "font_color": "#9C0006"})
        self.warning = add({"bg_color": FILL_WARNING, "font_color": "#9C5700"})
        self.passed = add({"bg_color": FILL_OK, "font_color": "#006100"})


def new_workbook(path: str | os.PathLike[str], title: str, *, in_memory: bool = True) -> Any:
    """An xlsxwriter workbook that never turns text into numbers, formulas or links, with fixed properties."""
    import xlsxwriter

    wb = xlsxwriter.Workbook(str(path), {"strings_to_numbers": False, "strings_to_formulas": False,
                                         "strings_to_urls": False, **({"in_memory": True} if in_memory else {})})
    wb.set_properties({"title": title, "author": AUTHOR, "company": COMPANY, "created": FIXED_CREATED})
    return wb


@contextmanager
def xlsx(path: str | os.PathLike[str], title: str, *, in_memory: bool = True) -> Iterator[tuple[Any, Formats]]:
    """A reproducible workbook written atomically to path: an existing file is replaced only when writing succeeded."""
    with atomic_path(path) as tmp:
        wb = new_workbook(tmp, title, in_memory=in_memory)
        try:
            yield wb, Formats(wb)
        except BaseException:
            wb.fileclosed = True  # nothing to save: the temp file is removed, an existing output stays
            raise
        wb.close()


def is_missing(v: Any) -> bool:
    """None, "" or NaN: nothing to write."""
    return v is None or v == "" or (isinstance(v, float) and math.isnan(v))


def cell(ws: Any, r: int, c: int, v: Any, fmt: Any = None) -> None:
    """Write one value by its type; text always as text (never a formula, even when it starts with = + - @)."""
    if is_missing(v):
        return
    if isinstance(v, bool):
        ws.write_string(r, c, "예" if v else "아니오", fmt)
    elif isinstance(v, (int, float)):
        ws.write_number(r, c, v, fmt)
    elif isinstance(v, datetime.datetime):
        ws.write_datetime(r, c, v, fmt)
    elif isinstance(v, datetime.date):
        ws.write_datetime(r, c, datetime.datetime(v.year, v.month, v.day), fmt)
    elif isinstance(v, (list, tuple)):
        ws.write_string(r, c, ", ".join(map(str, v)), fmt)
    else:
        ws.write_string(r, c, str(v)[:MAX_TEXT], fmt)


def add_table(ws: Any, top: int, heads: Sequence[str], n_rows: int, *, name: str | None = None,
              freeze: bool = True) -> int:
    """An Excel table (filters, banded rows) over rows already written below `top`; returns its last row."""
    last = top + max(n_rows, 1)
    ws.add_table(top, 0, last, len(heads) - 1, {"columns": [{"header": h} for h in heads], "style": TABLE_STYLE,
                                                "autofilter": True, **({"name": name} if name else {})})
    if freeze:
        ws.freeze_panes(top + 1, 0)
    return last


def table(ws: Any, top: int, heads: Sequence[str], rows: Sequence[Sequence[Any]], fmts: dict[int, Any] | None = None,
          freeze: bool = True) -> int:
    """An Excel table with filters at row top; returns the row after it."""
    fmts = fmts or {}
    for r, row in enumerate(rows, start=top + 1):
        for c, v in enumerate(row):
            cell(ws, r, c, v, fmts.get(c))
    return add_table(ws, top, heads, len(rows), freeze=freeze) + 1


def meta_sheet(wb: Any, name: str, items: Sequence[tuple[str, str]]) -> None:
    """A hidden key/value sheet recording what a workbook was built from."""
    ws = wb.add_worksheet(name)
    for r, (k, v) in enumerate(items):
        ws.write_string(r, 0, k)
        ws.write_string(r, 1, v)
    ws.hide()


def display_width(text: str) -> int:
    """Columns a text takes on screen: Korean (and other East Asian wide) characters count double."""
    return sum(2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1 for ch in text)


def link_target(path: str | None, display: str, out_dir: str | os.PathLike[str]) -> str:
    """The file part of a link: path (or the display path) relative to out_dir, posix separators."""
    target = path or display
    try:
        rel = os.path.relpath(os.path.abspath(target), os.path.abspath(out_dir))
    except ValueError:  # another drive on Windows
        rel = os.path.abspath(target)
    return Path(rel).as_posix()
