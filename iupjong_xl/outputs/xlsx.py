"""The one xlsx writer kit every workbook the program writes is built with (xlsxwriter): reproducible workbook
properties, one set of cell formats, typed and text-safe cell writes, Excel tables, hidden key/value sheets,
display widths (Korean full-width characters count double) and file links that survive a moved output folder.

The presentation rules every sheet gets from `finish` (call it once per sheet, after writing it): column widths
from the content (Korean counts double) up to a cap, longer text wrapped with an explicit row height, and a page
setup (A4, orientation by width, a print scale that keeps every printed letter at 8 pt or more, key columns and
header rows repeated, pages across then down, footer "sheet name · page x / y", print area over the table and its
charts without trailing provenance columns). Charts from `column_chart` start their value axis at zero; `nothing_here` writes
the Korean line a sheet shows when it has nothing to list."""

from __future__ import annotations

import datetime
import functools
import math
import os
import unicodedata
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any, NamedTuple

from iupjong_xl.io.atomic import atomic_path
from iupjong_xl.messages import text

FIXED_CREATED = datetime.datetime(2009, 1, 1)  # workbook properties carry no clock: same input, same bytes
MAX_TEXT = 32767  # Excel's limit for one cell's text
AUTHOR, COMPANY = "iupjong-xl", "이업종중앙회"
FILL_ERROR, FILL_WARNING, FILL_OK = "#FFC7CE", "#FFEB9C", "#C6EFCE"  # the annotate colours (red / yellow / green)
TABLE_STYLE = "Table Style Light 9"


WRITE_OPTIONS = {"strings_to_numbers": False, "strings_to_formulas": False, "strings_to_urls": False}


class Written(NamedTuple):
    """One cell as the kit wrote it: kind (text, number, date, formula, bool, blank), the value (a formula's text is
    in `value`, its cached result in `result`) and the format."""

    kind: str
    value: Any
    fmt: Any
    result: Any = None


class Col(NamedTuple):
    width: float | None  # characters, as given to set_column (None: the default width)
    fmt: Any
    hidden: bool


class Book:
    """An xlsxwriter workbook written only through the kit: it hands out `Sheet`s (which record what they were given)
    and remembers each format's properties (so a format can be derived from another through the public API).
    Nothing is saved unless `close` is called: a workbook abandoned after an error leaves no file."""

    def __init__(self, path: str | os.PathLike[str], properties: Mapping[str, Any], *, in_memory: bool = True) -> None:
        import xlsxwriter

        self.wb = xlsxwriter.Workbook(str(path), {**WRITE_OPTIONS, **({"in_memory": True} if in_memory else {})})
        self.wb.set_properties(dict(properties))
        self.sheets: list[Sheet] = []
        self._props: dict[int, dict[str, Any]] = {}
        self._date: Any = None

    def add_format(self, props: Mapping[str, Any] | None = None) -> Any:
        fmt = self.wb.add_format(dict(props) if props else None)
        self._props[id(fmt)] = dict(props or {})
        return fmt

    def props(self, fmt: Any) -> dict[str, Any]:
        """The properties a format of this book was made with ({} for None)."""
        return dict(self._props[id(fmt)]) if fmt is not None else {}

    def date_format(self) -> Any:
        """yyyy-mm-dd: what a date cell written without a format gets (never a bare serial number)."""
        if self._date is None:
            self._date = self.add_format({"num_format": "yyyy-mm-dd"})
        return self._date

    def add_worksheet(self, name: str) -> Sheet:
        sheet = Sheet(self, self.wb.add_worksheet(name))
        self.sheets.append(sheet)
        return sheet

    def add_chart(self, spec: Mapping[str, Any]) -> Any:
        return self.wb.add_chart(dict(spec))

    def define_name(self, name: str, formula: str) -> None:
        self.wb.define_name(name, formula)

    def set_custom_property(self, name: str, value: Any) -> None:
        self.wb.set_custom_property(name, value)

    def close(self) -> None:
        self.wb.close()


class Sheet:
    """A worksheet and the kit's record of what was written to it: every cell (kind, value, format), the columns
    (width in characters, format, hidden), row heights, tables and charts. `finish` reads this record, never
    xlsxwriter's internals. Methods the kit does not record (page setup, validations, conditional formats, panes ...)
    go straight to the xlsxwriter worksheet."""

    def __init__(self, book: Book, ws: Any) -> None:
        self.book, self.ws, self.name = book, ws, ws.name
        self.cells: dict[int, dict[int, Written]] = {}
        self.cols: dict[int, Col] = {}
        self.heights: dict[int, float] = {}
        self.table_tops: list[int] = []
        self.charts: list[tuple[int, int, float, float, int, int]] = []  # row, col, x_scale, y_scale, x_off, y_off
        self.last_row = -1
        self.last_col = -1

    def __getattr__(self, name: str) -> Any:
        return getattr(self.ws, name)

    def _put(self, r: int, c: int, w: Written) -> None:
        row = self.cells.get(r)
        if row is None:
            row = self.cells[r] = {}
        row[c] = w
        if r > self.last_row:
            self.last_row = r
        if c > self.last_col:
            self.last_col = c

    def write_string(self, r: int, c: int, text: str, fmt: Any = None) -> int:
        rc: int = self.ws.write_string(r, c, text, fmt)
        if rc >= 0:  # -2: cut to Excel's limit, still written
            self._put(r, c, Written("text", text[:MAX_TEXT], fmt))
        return rc

    def write_number(self, r: int, c: int, v: float, fmt: Any = None) -> int:
        rc: int = self.ws.write_number(r, c, v, fmt)
        if rc == 0:
            self._put(r, c, Written("number", v, fmt))
        return rc

    def write_datetime(self, r: int, c: int, v: datetime.datetime, fmt: Any = None) -> int:
        rc: int = self.ws.write_datetime(r, c, v, fmt)
        if rc == 0:
            self._put(r, c, Written("date", v, fmt))
        return rc

    def write_boolean(self, r: int, c: int, v: bool, fmt: Any = None) -> int:
        rc: int = self.ws.write_boolean(r, c, v, fmt)
        if rc == 0:
            self._put(r, c, Written("bool", v, fmt))
        return rc

    def write_blank(self, r: int, c: int, _v: Any = None, fmt: Any = None) -> int:
        rc: int = self.ws.write_blank(r, c, None, fmt)
        if rc == 0 and fmt is not None:  # a blank without a format is not written at all
            self._put(r, c, Written("blank", None, fmt))
        return rc

    def write_formula(self, r: int, c: int, formula: str, fmt: Any = None, value: Any = 0) -> int:
        rc: int = self.ws.write_formula(r, c, formula, fmt, value)
        if rc == 0:
            self._put(r, c, Written("formula", formula, fmt, value))
        return rc

    def write_url(self, r: int, c: int, url: str, fmt: Any = None, string: str | None = None,
                  tip: str | None = None) -> int:
        rc: int = self.ws.write_url(r, c, url, fmt, string=string, tip=tip)
        if rc == 0:
            self._put(r, c, Written("text", string if string is not None else url, fmt))
        return rc

    def rewrite(self, r: int, c: int, fmt: Any) -> None:
        """The written cell again with another format (a link keeps its target: only the cell is written again)."""
        w = self.cells[r][c]
        if w.kind == "text":
            self.write_string(r, c, w.value, fmt)
        elif w.kind == "number":
            self.write_number(r, c, w.value, fmt)
        elif w.kind == "date":
            self.write_datetime(r, c, w.value, fmt)
        elif w.kind == "bool":
            self.write_boolean(r, c, w.value, fmt)
        elif w.kind == "formula":
            self.write_formula(r, c, w.value, fmt, w.result)
        else:
            self.write_blank(r, c, None, fmt)

    def set_column(self, first: int, last: int, width: float | None = None, fmt: Any = None,
                   options: Mapping[str, Any] | None = None) -> int:
        rc: int = self.ws.set_column(first, last, width, fmt, dict(options) if options else None)
        hidden = bool((options or {}).get("hidden"))
        if rc == 0:
            for c in range(first, last + 1):
                self.cols[c] = Col(width, fmt, hidden)
            if fmt is not None or (width and hidden):  # as xlsxwriter counts the sheet's extent
                self.last_col = max(self.last_col, last)
        return rc

    def set_row(self, r: int, height: float | None = None, fmt: Any = None,
                options: Mapping[str, Any] | None = None) -> int:
        rc: int = self.ws.set_row(r, height, fmt, dict(options) if options else None)
        if rc == 0:
            if height is not None:
                self.heights[r] = height
            self.last_row = max(self.last_row, r)
            self.last_col = max(self.last_col, 0)
        return rc

    def add_table(self, first_row: int, first_col: int, last_row: int, last_col: int,
                  options: Mapping[str, Any] | None = None) -> int:
        o = dict(options or {})
        rc: int = self.ws.add_table(first_row, first_col, last_row, last_col, o or None)
        if rc == 0:
            self.table_tops.append(first_row)
            if o.get("header_row", True):  # the table writes its header cells
                spec = list(o.get("columns") or [])
                for i, c in enumerate(range(first_col, last_col + 1)):
                    col = spec[i] if i < len(spec) else {}
                    self._put(first_row, c, Written("text", col.get("header") or f"Column{i + 1}",
                                                    col.get("header_format")))
        return rc

    def insert_chart(self, r: int, c: int, chart: Any, options: Mapping[str, Any] | None = None) -> int:
        o = dict(options or {})
        rc: int = self.ws.insert_chart(r, c, chart, o or None)
        self.charts.append((r, c, float(o.get("x_scale", 1)), float(o.get("y_scale", 1)), int(o.get("x_offset", 0)),
                            int(o.get("y_offset", 0))))
        return rc


class Formats:
    """The cell formats of a workbook. Formats are registered with xlsxwriter here, but only those a sheet uses are
    written into the file (xlsxwriter indexes formats on first use), so one set serves every workbook."""

    def __init__(self, wb: Book) -> None:
        add = wb.add_format
        self.wb = wb
        self.title = add({"bold": True, "font_size": 14})
        self.note = add({"italic": True, "font_color": "#595959"})
        self.bold = add({"bold": True})
        self.header = add({"bold": True, "bg_color": "#DDEBF7", "border": 1, "text_wrap": True})
        self.head = add({"bold": True, "bg_color": "#D9D9D9", "border": 1, "valign": "top"})  # findings tables
        self.won = add({"num_format": "#,##0"})
        self.int = add({"num_format": "#,##0"})
        self.year = add({"num_format": "0"})  # years, codes and row numbers: never "2,009"
        self.code = self.year
        self.count = self.year
        self.dec = add({"num_format": "#,##0.0"})
        self.pct = add({"num_format": "0.0"})
        self.score = add({"num_format": "0.000"})
        self.date = add({"num_format": "yyyy-mm-dd"})
        self.total = add({"bold": True, "top": 1, "num_format": "#,##0"})
        self.total_pct = add({"bold": True, "top": 1, "num_format": "0.0"})
        self.input = add({"bg_color": "#FFF2CC", "border": 1, "num_format": "0.0"})
        self.link = add({"font_color": "blue", "underline": 1})
        self.url = add({"font_color": "#0563C1", "underline": 1})
        self.missing = add({"bold": True, "font_color": "#9C0006", "bg_color": FILL_ERROR})  # e.g. a club that did not report
        self.text = add({"num_format": "@"})
        self.wrap = add({"text_wrap": True, "valign": "top"})
        self.ok = add({"bold": True, "font_color": "#006100", "bg_color": FILL_OK})
        self.bad = add({"bold": True, "font_color": "#9C0006", "bg_color": FILL_ERROR})
        self.error = add({"bg_color": FILL_ERROR, "font_color": "#9C0006"})
        self.warning = add({"bg_color": FILL_WARNING, "font_color": "#9C5700"})
        self.passed = add({"bg_color": FILL_OK, "font_color": "#006100"})


def properties(title: str, **more: Any) -> dict[str, Any]:
    """The document properties of a workbook the program writes: no clock inside (same input, same bytes)."""
    return {"title": title, "author": AUTHOR, "company": COMPANY, "created": FIXED_CREATED, **more}


def new_workbook(path: str | os.PathLike[str], title: str, *, in_memory: bool = True,
                 props: Mapping[str, Any] | None = None) -> Book:
    """A workbook that never turns text into numbers, formulas or links, with fixed properties (props: more of them,
    e.g. subject and comments)."""
    return Book(path, properties(title, **(props or {})), in_memory=in_memory)


@contextmanager
def xlsx(path: str | os.PathLike[str], title: str, *, in_memory: bool = True,
         props: Mapping[str, Any] | None = None) -> Iterator[tuple[Book, Formats]]:
    """A reproducible workbook written atomically to path: an existing file is replaced only when writing succeeded
    (after an error the workbook is not closed, so nothing is saved and the temp file is removed)."""
    with atomic_path(path) as tmp:
        wb = new_workbook(tmp, title, in_memory=in_memory, props=props)
        yield wb, Formats(wb)
        wb.close()


def is_missing(v: Any) -> bool:
    """None, "" or NaN: nothing to write."""
    return v is None or v == "" or (isinstance(v, float) and math.isnan(v))


def cell(ws: Sheet, r: int, c: int, v: Any, fmt: Any = None, *, blank: Any = None) -> None:
    """Write one value by its type: the one cell writer of the kit. Text always as text (never a formula, even when
    it starts with = + - @), True/False as 예/아니오, dates as dates (yyyy-mm-dd when fmt is None), lists joined with
    ", ". A missing value writes nothing, or an empty cell in the format blank (an input cell people fill in)."""
    if is_missing(v):
        if blank is not None:
            ws.write_blank(r, c, None, blank)
        return
    if isinstance(v, bool):
        ws.write_string(r, c, "예" if v else "아니오", fmt)
    elif isinstance(v, (int, float)):
        ws.write_number(r, c, v, fmt)
    elif isinstance(v, datetime.datetime):
        ws.write_datetime(r, c, v, fmt if fmt is not None else ws.book.date_format())
    elif isinstance(v, datetime.date):
        ws.write_datetime(r, c, datetime.datetime(v.year, v.month, v.day),
                          fmt if fmt is not None else ws.book.date_format())
    elif isinstance(v, (list, tuple)):
        ws.write_string(r, c, ", ".join(map(str, v))[:MAX_TEXT], fmt)
    else:
        ws.write_string(r, c, str(v)[:MAX_TEXT], fmt)


def write_rows(ws: Sheet, first: int, rows: Sequence[Sequence[Any]], fmts: Mapping[int, Any] | None = None, *,
               blank: Mapping[int, Any] | None = None) -> None:
    """Rows of values from row first down, through `cell` (fmts: a format per column; blank: columns whose missing
    values are written as empty cells in that format). A column's format applies to every value in it."""
    fmts, blank = fmts or {}, blank or {}
    n = max((len(row) for row in rows), default=0)
    col_fmts, col_blank = [fmts.get(c) for c in range(n)], [blank.get(c) for c in range(n)]
    write_string = ws.write_string
    for r, row in enumerate(rows, start=first):
        for c, v in enumerate(row):
            if type(v) is str:  # the common case first
                if v:
                    write_string(r, c, v[:MAX_TEXT], col_fmts[c])
                elif col_blank[c] is not None:
                    ws.write_blank(r, c, None, col_blank[c])
            else:
                cell(ws, r, c, v, col_fmts[c], blank=col_blank[c])


def add_table(ws: Sheet, top: int, heads: Sequence[str], n_rows: int, *, name: str | None = None,
              freeze: bool = True, header_format: Any = None) -> int:
    """An Excel table (filters, banded rows) over rows already written below `top`; returns its last row."""
    last = top + max(n_rows, 1)
    cols = [{"header": h, **({"header_format": header_format} if header_format is not None else {})} for h in heads]
    ws.add_table(top, 0, last, len(heads) - 1, {"columns": cols, "style": TABLE_STYLE, "autofilter": True,
                                                **({"name": name} if name else {})})
    if freeze:
        ws.freeze_panes(top + 1, 0)
    return last


def table(ws: Sheet, top: int, heads: Sequence[str], rows: Sequence[Sequence[Any]],
          fmts: Mapping[int, Any] | None = None, freeze: bool = True, *, blank: Mapping[int, Any] | None = None,
          name: str | None = None) -> int:
    """An Excel table with filters at row top (values through `write_rows`); returns the row after it."""
    write_rows(ws, top + 1, rows, fmts, blank=blank)
    return add_table(ws, top, heads, len(rows), freeze=freeze, name=name) + 1


def meta_sheet(wb: Book, name: str, items: Sequence[tuple[str, str]]) -> None:
    """A hidden key/value sheet recording what a workbook was built from."""
    ws = wb.add_worksheet(name)
    for r, (k, v) in enumerate(items):
        ws.write_string(r, 0, k)
        ws.write_string(r, 1, v)
    ws.hide()


def display_width(text: str) -> int:
    """Columns a text takes on screen: Korean (and other East Asian wide) characters count double."""
    if text.isascii():
        return len(text)
    return _wide_width(text)


@functools.lru_cache(maxsize=65536)
def _wide_width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1 for ch in text)


def link_target(path: str | None, display: str, out_dir: str | os.PathLike[str]) -> str:
    """The file part of a link: path (or the display path) relative to out_dir, posix separators. The link keeps
    working when the output and the files move together; `links_note` says on the sheet where links point."""
    target = path or display
    try:
        rel = os.path.relpath(os.path.abspath(target), os.path.abspath(out_dir))
    except ValueError:  # another drive on Windows
        rel = os.path.abspath(target)
    return Path(rel).as_posix()


def links_note(out_dir: str | os.PathLike[str], *, lang: str = "ko") -> str:
    """The line a sheet with file links shows: what the links are relative to."""
    return text("xlsx.links_note", lang, where=Path(os.path.abspath(out_dir)).as_posix())


# ----------------------------------------------------------------------------------------------- presentation

WIDTH_CAP = 50  # characters (Korean counts double); longer text wraps
MIN_WIDTH = 6
LINE_PT = 15.75  # one wrapped line (Korean fonts are a little taller than Calibri's 15)
WIDE_FACTOR = 1.1  # measured in LibreOffice with NanumGothic: a Hangul syllable is about 2.2 digit widths
PORTRAIT_MAX = 95  # printed characters that fit an A4 portrait page at 100 %
_PX_PER_CHAR, _PAD_PX = 7, 5
FOOTER = "&L&A&R&P / &N"  # sheet name, page x / y


def _number_text(v: float, num_format: str) -> str:
    """How a number looks under a (simple) number format, for measuring."""
    if isinstance(v, bool):
        return "아니오"
    decimals = len(num_format.split(".")[1].split('"')[0].rstrip(",")) if "." in num_format else 0
    if "," in num_format.split('"')[0].split(".")[0]:
        text = f"{v:,.{decimals}f}"
    elif num_format in ("General", "", None) and isinstance(v, float) and not v.is_integer():
        text = f"{v:.4g}"
    else:
        text = f"{v:.{decimals}f}"
    if '"' in num_format:
        text += num_format.split('"')[1]
    return text


def lines_needed(text: str, width: float) -> int:
    """Printed lines of a wrapped text in a column of width characters (words are not split: a little slack)."""
    factor = 1.0 if text.isascii() else WIDE_FACTOR
    return sum(max(1, math.ceil(display_width(seg) * factor / max(width * 0.95, 1))) for seg in text.split("\n"))


def _shown(w: Written, props: Mapping[str, Any]) -> tuple[str | None, str | None]:
    """(text, number-as-text) of one written cell: text for wrapping, otherwise what a number shows."""
    nf = props.get("num_format", "General")
    if w.kind == "text":
        return w.value, None
    if w.kind == "number":
        return None, _number_text(w.value, nf)
    if w.kind == "date":
        return None, "yyyy-mm-dd"
    if w.kind == "formula":
        v = w.result
        if isinstance(v, (int, float)) and not isinstance(v, bool):
            return None, _number_text(v, nf)
        return (str(v) if v not in (None, "", 0) else None), None
    return None, None


def _wrapped(book: Book, fmt: Any, cache: dict[tuple[int, bool], Any], top: bool = True) -> Any:
    """fmt with text wrap (top-aligned in a data row; a header row keeps its cells on one baseline): a format made
    from fmt's properties, once per format."""
    props = book.props(fmt)
    if props.get("text_wrap"):
        return fmt
    key = (id(fmt), top)
    if key not in cache:
        props["text_wrap"] = True
        if top and not props.get("valign"):
            props["valign"] = "top"
        cache[key] = book.add_format(props)
    return cache[key]


def _px(width: float | None) -> int:
    """A column width in characters as pixels (Excel's rule, as xlsxwriter writes it)."""
    if width is None:
        return 64
    return int(width * 12 + 0.5) if width < 1 else int(width * 7 + 0.5) + _PAD_PX


def finish(ws: Sheet, f: Formats, *, header: int | None = None, from_row: int | None = None,
           caps: Mapping[int, int] | None = None, widths: Mapping[int, float] | None = None, cap: int = WIDTH_CAP,
           one_page: bool = False, landscape: bool | None = None, wrap: bool = True,
           nowrap: set[int] | frozenset[int] = frozenset(), keys: int = 1) -> None:
    """The presentation of a written sheet: column widths from its content, wrapped long text with row heights,
    and the page setup. header: the 0-based header row (repeated on every printed page; default the first table's
    top row); rows above from_row (default the header row) are titles that never widen a column; caps: per-column
    caps (characters); widths: fixed widths; nowrap: columns whose text may be cut (hashes, paths); one_page: the
    whole sheet on one printed page if the type stays readable (MIN_PT); keys: the columns repeated at the left of
    every page when the sheet is wider than one. Reads only the sheet's own record of what was written."""
    book = ws.book
    if ws.last_row < 0:  # nothing written
        page_setup(ws, 0, 0, header, one_page, landscape, keys)
        return
    if header is None and ws.table_tops:
        header = ws.table_tops[0]
    start = from_row if from_row is not None else (header if header is not None else 0)
    caps, fixed = caps or {}, widths or {}
    want: dict[int, float] = {}
    texts: dict[tuple[int, int], tuple[str, int]] = {}
    for r, row in ws.cells.items():
        if r < start:
            continue
        for c, written in row.items():
            text, shown = _shown(written, book.props(written.fmt))
            if shown is not None:
                want[c] = max(want.get(c, 0), len(shown) + 1)
            elif text:
                dw = display_width(text)
                if not text.isascii():  # Korean glyphs print a little wider than two digits
                    dw = math.ceil(dw * WIDE_FACTOR)
                if r == header:  # a header may wrap at its spaces: its longest word, at least half of it
                    longest = max(text.split(), key=display_width)
                    w = max(math.ceil(display_width(longest) * WIDE_FACTOR) + 1, dw / 2 + 1)
                    want[c] = max(want.get(c, 0), min(w, 24))
                elif "\n" in text:
                    dw = max(display_width(seg) for seg in text.split("\n"))
                    want[c] = max(want.get(c, 0), dw)
                    dw = 10**6  # always wrapped: it has line breaks
                elif dw > want.get(c, 0):
                    want[c] = dw
                texts[(r, c)] = (text, dw)
    final: dict[int, float] = {}
    last_col = max(ws.last_col, 0)
    for c in range(0, last_col + 1):
        info = ws.cols.get(c)
        if c in fixed:
            w = fixed[c]
        elif c in want:
            w = min(caps.get(c, cap), max(MIN_WIDTH, want[c] + 2))
        else:
            w = (_px(info.width) - _PAD_PX) / _PX_PER_CHAR if info is not None and info.width else 8.43
        hidden = info.hidden if info is not None else False
        ws.set_column(c, c, w, info.fmt if info is not None else None, {"hidden": hidden})
        final[c] = 0 if hidden else w
    _pad_numbers(ws, start)
    if wrap:
        cache: dict[tuple[int, bool], Any] = {}
        heights: dict[int, int] = {}
        for (r, c), (text, dw) in texts.items():
            width = final.get(c, 8.43) - 1
            if dw <= width or c in nowrap or width <= 0:
                continue
            row = ws.cells[r]
            right = row.get(c + 1)
            if dw < 10**6 and c < last_col and (right is None or right.kind == "blank") \
                    and (r < (header or 0) or header is None or not ws.table_tops):
                continue  # a note or a title beside empty cells overflows into them, as people write them
            ws.rewrite(r, c, _wrapped(book, row[c].fmt, cache, top=r != header))
            heights[r] = max(heights.get(r, 1), lines_needed(text, width))
        for r, n in heights.items():
            if n <= 1:
                continue
            if r != header:  # the row's other cells start at its top too, beside the wrapped text
                for c, written in list(ws.cells[r].items()):
                    if c not in nowrap:
                        ws.rewrite(r, c, _wrapped(book, written.fmt, cache, top=True))
            have = ws.heights.get(r)
            pt = min(409, LINE_PT * n + 2)
            if have is None or int(have * 4 / 3 + 0.5) * 0.75 < pt:  # as stored: whole pixels
                ws.set_row(r, pt)
    page_setup(ws, ws.last_row, last_col, header, one_page, landscape, keys)


def _is_number(w: Written) -> bool:
    return w.kind in ("number", "date") or (w.kind == "formula" and isinstance(w.result, (int, float))
                                              and not isinstance(w.result, bool))


def _pad_numbers(ws: Sheet, start: int) -> None:
    """A right-aligned number never touches the text of the next column ("151월 월례회", "2009 이병철"): such a number
    is written again with a one-step indent from the right."""
    book = ws.book
    cache: dict[int, Any] = {}
    for r, row in ws.cells.items():
        if r < start:
            continue
        for c, w in list(row.items()):
            right = row.get(c + 1)
            if right is None or not _is_number(w) or not (
                    (right.kind == "text" and right.value) or (right.kind == "formula" and isinstance(right.result, str)
                                                               and right.result)):
                continue
            props = book.props(w.fmt)
            if props.get("align") not in (None, "right") or props.get("indent"):
                continue
            key = id(w.fmt)
            if key not in cache:
                cache[key] = book.add_format({**props, "align": "right", "indent": 1})
            ws.rewrite(r, c, cache[key])


def _chart_extent(ws: Sheet, final_px: dict[int, int]) -> tuple[int, int]:
    """The last (row, column) the sheet's charts cover."""
    last_r, last_c = 0, 0
    for row, col, xs, ys, x_off, y_off in ws.charts:
        h = 288 * ys + y_off
        w = 480 * xs + x_off
        last_r = max(last_r, row + math.ceil(h / 20))
        c, px = col, 0.0
        while px < w:
            px += final_px.get(c, 64)
            c += 1
        last_c = max(last_c, c)
    return last_r, last_c


MIN_PT = 8.0  # printed type never smaller than this
LO_WIDER = 1.4  # LibreOffice prints a character width about 1.4 times as wide as Excel (measured: NanumGothic)
DEFAULT_PT = 11.0  # the workbook's default font size
_MARGIN_IN = {"left": 0.4, "right": 0.4, "top": 0.5, "bottom": 0.6}
# printable A4 area in points (portrait width, height), less the margins and the footer
_A4_PT = (210 / 25.4 * 72, 297 / 25.4 * 72)
# provenance and technical columns: kept in the workbook, printed outside the print area when they come last
TECHNICAL = frozenset({"원본 파일", "원본 시트", "원본 행", "SHA-256", "서식 버전", "실행 ID", "실행", "내용 해시", "행 ID",
                       "Source file", "SHA-256 hash"})


def _printable(landscape: bool) -> tuple[float, float]:
    w, h = _A4_PT if not landscape else _A4_PT[::-1]
    return (w - (_MARGIN_IN["left"] + _MARGIN_IN["right"]) * 72,
            h - (_MARGIN_IN["top"] + _MARGIN_IN["bottom"]) * 72 - 14)


def smallest_font(ws: Sheet, last_row: int, last_col: int) -> float:
    """The smallest font size of the cells in the print area (the default size when a cell has no format)."""
    book, sizes = ws.book, {DEFAULT_PT}
    seen: set[int] = set()
    for r, row in ws.cells.items():
        if r > last_row:
            continue
        for c, w in row.items():
            if c <= last_col and w.fmt is not None and id(w.fmt) not in seen:
                seen.add(id(w.fmt))
                sizes.add(float(book.props(w.fmt).get("font_size", DEFAULT_PT)))
    return min(sizes)


def min_scale(font_pt: float) -> int:
    """The smallest print scale (%) at which font_pt prints at MIN_PT or more."""
    return min(100, math.ceil(100 * MIN_PT / font_pt))


def scale_for(widths: Sequence[float], landscape: bool, font_pt: float = DEFAULT_PT) -> tuple[int, bool]:
    """(print scale %, wider than one page) for columns of these widths (characters) on A4: as large as fits one page
    wide, never below what keeps font_pt at MIN_PT (for sheets written without the kit, e.g. openpyxl copies)."""
    width_pt = sum(_px(w) for w in widths) * 0.75 * LO_WIDER
    fit = 100 * _printable(landscape)[0] / max(width_pt, 1)
    scale = max(min_scale(font_pt), min(100, math.floor(fit)))
    return scale, scale > fit


def page_setup(ws: Sheet, last_row: int, last_col: int, header: int | None, one_page: bool = False,
               landscape: bool | None = None, keys: int = 1) -> None:
    """A4, orientation by width, an explicit print scale: as large as fits one page wide (and one page tall for
    one_page), never so small that any printed cell's type falls under MIN_PT. A sheet wider than that continues on
    the following pages with its key columns repeated at the left, page order over then down (a row's continuation
    follows it); the header row repeats at the top; trailing provenance columns stay outside the print area."""
    px = {c: 0 if i.hidden else _px(i.width) for c, i in ws.cols.items()}
    cr, cc = _chart_extent(ws, px)
    last_row, last_col = max(last_row, cr), max(last_col, cc)
    if header is not None:  # provenance and technical columns at the end: not printed
        heads = ws.cells.get(header, {})
        while last_col > 0 and (px.get(last_col, 64) == 0 or (
                heads.get(last_col) is not None and heads[last_col].kind == "text"
                and heads[last_col].value in TECHNICAL)):
            last_col -= 1
    width = sum(px.get(c, 64) for c in range(last_col + 1)) / _PX_PER_CHAR
    width_pt = sum(px.get(c, 64) for c in range(last_col + 1)) * 0.75 * LO_WIDER
    height_pt = sum(ws.heights.get(r, 15.0) for r in range(last_row + 1)) * 1.02
    least = min_scale(smallest_font(ws, last_row, last_col))

    def fits(wide: bool) -> float:
        page_w, page_h = _printable(wide)
        fit = 100 * page_w / max(width_pt, 1)
        return min(fit, 100 * page_h / max(height_pt, 1)) if one_page else fit

    wide = landscape if landscape is not None else width > PORTRAIT_MAX
    if not wide and fits(False) < least and fits(True) > fits(False):  # readable only across the page
        wide = True
    ws.set_paper(9)  # A4
    ws.set_margins(**_MARGIN_IN)
    if wide:
        ws.set_landscape()
    else:
        ws.set_portrait()
    fit = fits(bool(wide))
    scale = max(least, min(100, math.floor(fit)))
    ws.set_print_scale(scale)
    if scale > fit:  # more than one page wide: the key columns again on every page, across then down
        ws.print_across()
        if keys > 0 and last_col >= keys:
            ws.repeat_columns(0, keys - 1)
    if header is not None:
        ws.repeat_rows(header)
    ws.set_footer(FOOTER)
    ws.print_area(0, 0, last_row, last_col)

CHART_FONT = {"size": DEFAULT_PT}  # chart text at the sheet's size: readable at the smallest print scale too
DATA_LABELS = {"value": True, "font": CHART_FONT}  # a series' value labels (add_series(..., data_labels=DATA_LABELS))


def column_chart(wb: Book, title: str, *, y_name: str | None = None, y_max: float | None = None,
                 legend: bool = False) -> Any:
    """A column chart with a Korean title whose value axis starts at zero (so heights compare honestly); every text
    in it at the sheet's font size, so it prints at 8 pt or more at any scale the kit chooses."""
    chart = wb.add_chart({"type": "column"})
    chart.set_title({"name": title, "name_font": {"size": 12, "bold": True}})
    chart.set_x_axis({"num_font": CHART_FONT})
    chart.set_y_axis({"min": 0, **({"max": y_max} if y_max is not None else {}),
                      **({"name": y_name, "name_font": {**CHART_FONT, "rotation": 0}} if y_name else {}), "num_font": CHART_FONT,
                      "major_gridlines": {"visible": True, "line": {"color": "#D9D9D9"}}})
    if not legend:
        chart.set_legend({"none": True})
    else:
        chart.set_legend({"position": "bottom", "font": CHART_FONT})
    return chart


def nothing_here(ws: Any, f: Formats, row: int, text: str, col: int = 0) -> None:
    """The Korean line a sheet shows when it has nothing to list (e.g. "제외된 행이 없습니다.")."""
    ws.write_string(row, col, text, f.note)


def drop_empty(heads: Sequence[str], rows: Sequence[Sequence[Any]], *, keep: Sequence[int] = ()) -> tuple[list[str], list[list[Any]]]:
    """Headers and rows without the columns that are empty in every row (those in keep stay)."""
    cols = [c for c in range(len(heads)) if c in keep or any(not is_missing(r[c]) for r in rows if c < len(r))]
    return [heads[c] for c in cols], [[r[c] for c in cols] for r in rows]


def hide_empty_columns(ws: Sheet, n_cols: int, rows: Sequence[Sequence[Any]]) -> list[int]:
    """Hide the columns empty in every row (kept for the header names a reader maps by); returns them."""
    empty = [c for c in range(n_cols) if rows and all(c >= len(r) or is_missing(r[c]) for r in rows)]
    for c in empty:
        info = ws.cols.get(c)
        ws.set_column(c, c, None, info.fmt if info is not None else None, {"hidden": True})
    return empty
