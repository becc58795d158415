"""The one xlsx writer kit every workbook the program writes is built with (xlsxwriter): reproducible workbook
properties, one set of cell formats, typed and text-safe cell writes, Excel tables, hidden key/value sheets,
display widths (Korean full-width characters count double) and file links that survive a moved output folder.

The presentation rules every sheet gets from `finish` (call it once per sheet, after writing it): column widths
from the content (Korean counts double) up to a cap, longer text wrapped with an explicit row height, and a page
setup (A4, orientation by width, one page wide, header rows repeated, footer "sheet name · page x / y", print area
over the table and its charts). Charts from `column_chart` start their value axis at zero; `nothing_here` writes
the Korean line a sheet shows when it has nothing to list."""

from __future__ import annotations

import datetime
import functools
import math
import os
import re
import unicodedata
from collections.abc import Iterator, Mapping, Sequence
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
        self.wb = wb
        self.strings = _Strings()  # the workbook's shared strings by id, for measuring (see finish)
        self.title = add({"bold": True, "font_size": 14})
        self.note = add({"italic": True, "font_color": "#595959"})
        self.bold = add({"bold": True})
        self.header = add({"bold": True, "bg_color": "#DDEBF7", "border": 1, "text_wrap": True})
        self.head = add({"bold": True, "bg_color": "#D9D9D9", "border": 1, "valign": "top"})  # findings tables
        self.won = add({"num_format": "#,##0"})
        self.kwon = add({"num_format": '#,##0,"천원"'})
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
        self.red = add({"font_color": "#C00000"})
        self.missing = add({"bold": True, "font_color": "#9C0006", "bg_color": FILL_ERROR})  # e.g. a club that did not report
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
    where = Path(os.path.abspath(out_dir)).as_posix()
    if lang == "en":
        return (f"Links are relative to this file's folder ({where}): move this file together with the reports it "
                f"links to.")
    return f"링크는 이 파일이 있는 폴더({where}) 기준입니다. 옮길 때는 링크한 보고서 파일과 함께 옮기세요."


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


def _lines_needed(text: str, width: float) -> int:
    """Printed lines of a wrapped text in a column of width characters (words are not split: a little slack)."""
    factor = 1.0 if text.isascii() else WIDE_FACTOR
    return sum(max(1, math.ceil(display_width(seg) * factor / max(width * 0.95, 1))) for seg in text.split("\n"))


class _Strings:
    """Reverse lookup of a workbook's shared strings (id -> text), rebuilt when strings were added."""

    def __init__(self) -> None:
        self.n = -1
        self.items: list[str] = []

    def get(self, ws: Any) -> list[str]:
        table = ws.str_table.string_table
        if len(table) != self.n:
            self.items = sorted(table, key=table.__getitem__)
            self.n = len(table)
        return self.items




def _cell_text(ws: Any, c: Any, strings: list[str]) -> tuple[str | None, str | None]:
    """(text, number-as-text) of one stored cell: text for wrapping, otherwise what a number shows."""
    kind = c.__class__.__name__
    fmt = getattr(c, "format", None)
    nf = fmt.num_format if fmt is not None else "General"
    if kind == "String":
        return strings[c.string], None
    if kind == "RichString":
        return c.raw_string, None
    if kind == "Number":
        return None, _number_text(c.number, nf)
    if kind == "Datetime":
        return None, "yyyy-mm-dd"
    if kind == "Formula":
        v = c.value
        if isinstance(v, (int, float)) and not isinstance(v, bool):
            return None, _number_text(v, nf)
        return (str(v) if v not in (None, "", 0) else None), None
    return None, None


def _wrapped(fmts: Formats, fmt: Any, cache: dict[tuple[int, bool], Any], top: bool = True) -> Any:
    """fmt with text wrap (top-aligned in a data row; a header row keeps its cells on one baseline): a copy,
    registered once per format."""
    if fmt is not None and fmt.text_wrap:
        return fmt
    key = (id(fmt), top)
    if key not in cache:
        new = fmts.wb.add_format()
        if fmt is not None:
            keep = {"xf_format_indices", "dxf_format_indices", "xf_index", "dxf_index"}
            new.__dict__.update({k: v for k, v in fmt.__dict__.items() if k not in keep})
        new.set_text_wrap()
        if top and not new.text_v_align:
            new.set_align("top")
        cache[key] = new
    return cache[key]


def finish(ws: Any, f: Formats, *, header: int | None = None, from_row: int | None = None,
           caps: Mapping[int, int] | None = None, widths: Mapping[int, float] | None = None, cap: int = WIDTH_CAP,
           one_page: bool = False, landscape: bool | None = None, wrap: bool = True,
           nowrap: set[int] | frozenset[int] = frozenset()) -> None:
    """The presentation of a written sheet: column widths from its content, wrapped long text with row heights,
    and the page setup. header: the 0-based header row (repeated on every printed page; default the first table's
    top row); rows above from_row (default the header row) are titles that never widen a column; caps: per-column
    caps (characters); widths: fixed widths; nowrap: columns whose text may be cut (hashes, paths); one_page: the whole sheet on one printed page."""
    if ws.dim_rowmax is None:  # nothing written
        _page_setup(ws, 0, 0, header, one_page, landscape, 0)
        return
    if header is None and ws.tables:
        header = _table_top(ws.tables[0])
    start = from_row if from_row is not None else (header if header is not None else 0)
    strings = f.strings.get(ws)
    caps, fixed = caps or {}, widths or {}
    want: dict[int, float] = {}
    texts: dict[tuple[int, int], tuple[str, int]] = {}
    for r, row in ws.table.items():
        if r < start:
            continue
        for c, stored in row.items():
            text, shown = _cell_text(ws, stored, strings)
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
    last_col = ws.dim_colmax or 0
    for c in range(0, last_col + 1):
        info = ws.col_info.get(c)
        if c in fixed:
            w = fixed[c]
        elif c in want:
            w = min(caps.get(c, cap), max(MIN_WIDTH, want[c] + 2))
        else:
            w = (info.width - _PAD_PX) / _PX_PER_CHAR if info is not None and info.width else 8.43
        hidden = bool(info.hidden) if info is not None else False
        ws.set_column(c, c, w, info.column_format if info is not None else None, {"hidden": hidden})
        final[c] = 0 if hidden else w
    if wrap:
        cache: dict[tuple[int, bool], Any] = {}
        heights: dict[int, int] = {}
        for (r, c), (text, dw) in texts.items():
            width = final.get(c, 8.43) - 1
            if dw <= width or c in nowrap or width <= 0:
                continue
            row = ws.table[r]
            right = row.get(c + 1)
            if dw < 10**6 and c < last_col and (right is None or right.__class__.__name__ == "Blank") \
                    and (r < (header or 0) or header is None or not ws.tables):
                continue  # a note or a title beside empty cells overflows into them, as people write them
            stored = row[c]
            row[c] = stored._replace(format=_wrapped(f, stored.format, cache, top=r != header))
            heights[r] = max(heights.get(r, 1), _lines_needed(text, width))
        for r, n in heights.items():
            if n <= 1:
                continue
            if r != header:  # the row's other cells start at its top too, beside the wrapped text
                row = ws.table[r]
                for c, stored in row.items():
                    if hasattr(stored, "format") and c not in nowrap:
                        row[c] = stored._replace(format=_wrapped(f, stored.format, cache, top=True))
            have = ws.row_sizes.get(r, [None])[0]
            pt = min(409, LINE_PT * n + 2)
            if have is None or have * 0.75 < pt:
                ws.set_row(r, pt)
    _page_setup(ws, ws.dim_rowmax, last_col, header, one_page, landscape, sum(final.values()))


def _table_top(t: Any) -> int | None:
    rng = t.get("range") if isinstance(t, dict) else None
    if rng:
        m = re.match(r"\$?[A-Z]+\$?(\d+)", rng)
        if m:
            return int(m.group(1)) - 1
    return None


def _chart_extent(ws: Any, final_px: dict[int, int]) -> tuple[int, int]:
    """The last (row, column) the sheet's charts cover."""
    last_r, last_c = 0, 0
    for row, col, _chart, x_off, y_off, xs, ys, *_ in ws.charts:
        h = 288 * ys + y_off
        w = 480 * xs + x_off
        last_r = max(last_r, row + math.ceil(h / 20))
        c, px = col, 0.0
        while px < w:
            px += final_px.get(c, 64)
            c += 1
        last_c = max(last_c, c)
    return last_r, last_c


def _page_setup(ws: Any, last_row: int, last_col: int, header: int | None, one_page: bool, landscape: bool | None,
                width: float) -> None:
    px = {c: (i.width if i.width is not None else 64) if not i.hidden else 0 for c, i in ws.col_info.items()}
    cr, cc = _chart_extent(ws, px)
    last_row, last_col = max(last_row, cr), max(last_col, cc)
    width = sum(px.get(c, 64) for c in range(last_col + 1)) / _PX_PER_CHAR
    ws.set_paper(9)  # A4
    ws.set_margins(left=0.4, right=0.4, top=0.5, bottom=0.6)
    if landscape if landscape is not None else width > PORTRAIT_MAX:
        ws.set_landscape()
    else:
        ws.set_portrait()
    ws.fit_to_pages(1, 1 if one_page else 0)
    if header is not None and not one_page:
        ws.repeat_rows(header)
    ws.set_footer(FOOTER)
    ws.print_area(0, 0, last_row, last_col)


def column_chart(wb: Any, title: str, *, y_name: str | None = None, y_max: float | None = None,
                 legend: bool = False) -> Any:
    """A column chart with a Korean title whose value axis starts at zero (so heights compare honestly)."""
    chart = wb.add_chart({"type": "column"})
    chart.set_title({"name": title, "name_font": {"size": 12, "bold": True}})
    chart.set_y_axis({"min": 0, **({"max": y_max} if y_max is not None else {}), **({"name": y_name} if y_name else {}),
                      "major_gridlines": {"visible": True, "line": {"color": "#D9D9D9"}}})
    if not legend:
        chart.set_legend({"none": True})
    else:
        chart.set_legend({"position": "bottom"})
    return chart


def nothing_here(ws: Any, f: Formats, row: int, text: str, col: int = 0) -> None:
    """The Korean line a sheet shows when it has nothing to list (e.g. "제외된 행이 없습니다.")."""
    ws.write_string(row, col, text, f.note)


def drop_empty(heads: Sequence[str], rows: Sequence[Sequence[Any]], *, keep: Sequence[int] = ()) -> tuple[list[str], list[list[Any]]]:
    """Headers and rows without the columns that are empty in every row (those in keep stay)."""
    cols = [c for c in range(len(heads)) if c in keep or any(not is_missing(r[c]) for r in rows if c < len(r))]
    return [heads[c] for c in cols], [[r[c] for c in cols] for r in rows]


def hide_empty_columns(ws: Any, n_cols: int, rows: Sequence[Sequence[Any]]) -> list[int]:
    """Hide the columns empty in every row (kept for the header names a reader maps by); returns them."""
    empty = [c for c in range(n_cols) if rows and all(c >= len(r) or is_missing(r[c]) for r in rows)]
    for c in empty:
        info = ws.col_info.get(c)
        ws.set_column(c, c, None, info.column_format if info is not None else None, {"hidden": True})
    return empty
