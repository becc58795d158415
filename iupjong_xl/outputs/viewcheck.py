"""Compare a consolidated workbook with the view the ledger says it is, cell by cell: the expected view is written
again by outputs.workbook (the code path that wrote it) and both files are read with openpyxl.

What is compared, on every sheet (hidden ones included): values; formula cells by their formula text (cached results
are not compared, so a save by Excel or LibreOffice is no change); number formats; sheets and rows present. Widths,
fonts, fills and the order of the rows of a data table are not differences: data rows are matched by their key
(행 ID on the data sheets, 과제키 on 지원금, 교류회코드 on 보고현황), every other cell by its position."""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from iupjong_xl.consolidate.rowkeys import equal, shown
from iupjong_xl.io.a1 import a1

# sheet -> the header of the column that keys its data rows
KEYED = {"지원금": "과제키", "보고현황": "교류회코드"}
DATA_KEY = "행 ID"
INPUT_COLUMNS = {"지원금": {"평가점수"}}  # input cells outside the data sheets


@dataclass
class CellDiff:
    kind: str  # tampered | pending_input | row_missing | row_added | sheet_missing
    sheet: str
    cell: str | None
    column: str | None
    expected: Any
    found: Any
    what: str = "value"  # value | formula | format | row | sheet
    label: str | None = None  # the row's label or key (e.g. 등록 회원사, a row id)


@dataclass
class _Sheet:
    cells: dict[tuple[int, int], tuple[Any, str]]  # (row, col) 0-based -> (value or "=formula", number format)
    n_rows: int
    rows: dict[int, dict[int, tuple[Any, str]]]

    def value(self, r: int, c: int) -> Any:
        got = self.cells.get((r, c))
        return None if got is None else got[0]

    def row(self, r: int) -> dict[int, tuple[Any, str]]:
        return self.rows.get(r, {})


def _read(path: Path) -> dict[str, _Sheet]:
    import openpyxl

    wb = openpyxl.load_workbook(path, read_only=True, data_only=False)
    try:
        out = {}
        for ws in wb.worksheets:
            cells: dict[tuple[int, int], tuple[Any, str]] = {}
            n = 0
            for r, row in enumerate(ws.iter_rows()):
                for c, cell in enumerate(row):
                    v = getattr(cell, "value", None)
                    if v is None or (isinstance(v, str) and v == ""):
                        continue
                    cells[(r, c)] = (v, str(getattr(cell, "number_format", None) or "General"))
                    n = r + 1
            rows: dict[int, dict[int, tuple[Any, str]]] = {}
            for (r, c), v in cells.items():
                rows.setdefault(r, {})[c] = v
            out[ws.title] = _Sheet(cells, n, rows)
        return out
    finally:
        wb.close()


_SPACE = re.compile(r"\s+")


def _formula(v: str) -> str:
    """Formula text as written, normalized for what a save by another program rewrites: $, case outside strings,
    quotes around sheet names, _xlfn. prefixes, spaces."""
    parts = re.split(r'("[^"]*")', v.lstrip("="))
    out = []
    for i, p in enumerate(parts):
        if i % 2:
            out.append(p)
        else:
            p = p.replace("$", "").replace("'", "").replace("_xlfn.", "")
            out.append(_SPACE.sub("", p).upper())
    return "".join(out)


def _fmt(f: str) -> str:
    f = f.replace("\\", "").replace('"', "").lower()
    return "general" if f in ("", "general", "@") else f


def _is_formula(v: Any) -> bool:
    return isinstance(v, str) and v.startswith("=")


def _same_value(a: Any, b: Any) -> bool:
    if isinstance(a, datetime.datetime) and isinstance(b, datetime.datetime):
        return a == b
    if isinstance(a, datetime.datetime) or isinstance(b, datetime.datetime):
        return False
    if isinstance(a, str) and isinstance(b, str):
        return a.strip() == b.strip()
    return equal(a, b)


def display(v: Any) -> Any:
    if isinstance(v, datetime.datetime) and v.time() == datetime.time():
        return v.date().isoformat()
    return shown(v)


def _header_row(sheet: _Sheet, header: str) -> tuple[int, int] | None:
    for r in range(min(10, sheet.n_rows)):
        for c, (v, _f) in sheet.row(r).items():
            if isinstance(v, str) and v.strip() == header:
                return r, c
    return None


def _table_end(sheet: _Sheet, head: int) -> int:
    """The last row of the table under a header (the first fully empty row ends it)."""
    r = head
    while r + 1 in sheet.rows:
        r += 1
    return r


def _heads(sheet: _Sheet, r: int) -> dict[int, str]:
    return {c: str(v).strip() for c, (v, _f) in sheet.row(r).items() if isinstance(v, str)}


def _label_header(sheet: _Sheet) -> tuple[int | None, dict[int, str]]:
    """The header row of a sheet that has no keyed table (요약, 연합회별 지표 ...): the first row naming 2+ columns."""
    for r in range(min(8, sheet.n_rows)):
        heads = _heads(sheet, r)
        if len(heads) >= 2 and len(heads) == len(sheet.row(r)):
            return r, heads
    return None, {}


def compare(expected: Path, found: Path, *, data_sheets: set[str], inputs: dict[str, set[str]]) -> list[CellDiff]:
    """Every difference between the expected view and the workbook found. data_sheets: the sheets whose rows are
    keyed by 행 ID; inputs: sheet -> headers of the columns people type into (a difference there is an input not yet
    taken, not a tamper)."""
    exp, got = _read(expected), _read(found)
    diffs: list[CellDiff] = []
    for name, e in exp.items():
        g = got.get(name)
        if g is None:
            diffs.append(CellDiff("sheet_missing", name, None, None, name, None, "sheet"))
            continue
        key_header = DATA_KEY if name in data_sheets else KEYED.get(name)
        _compare_sheet(name, e, g, key_header, inputs.get(name, set()) | INPUT_COLUMNS.get(name, set()), diffs)
    return diffs


def _compare_sheet(name: str, e: _Sheet, g: _Sheet, key_header: str | None, input_heads: set[str],
                   diffs: list[CellDiff]) -> None:
    skip_e: set[int] = set()
    skip_g: set[int] = set()
    he = _header_row(e, key_header) if key_header else None
    hg = _header_row(g, key_header) if key_header else None
    label_row, label_heads = (None, {}) if he else _label_header(e)
    if he is not None and hg is not None:
        (er, ek), (gr, gk) = he, hg
        eh, gh = _heads(e, er), _heads(g, gr)
        col_of = {h: c for c, h in gh.items()}
        for c, h in eh.items():  # the header row itself
            if h not in col_of:
                diffs.append(CellDiff("tampered", name, a1(er, c), h, h, None, "column"))
        e_end, g_end = _table_end(e, er), _table_end(g, gr)
        skip_e.update(range(er, e_end + 1))
        skip_g.update(range(gr, g_end + 1))
        found_rows: dict[str, list[int]] = {}
        for r in range(gr + 1, g_end + 1):
            k = g.value(r, gk)
            found_rows.setdefault(str(k).strip() if k is not None else "", []).append(r)
        used: set[int] = set()
        for r in range(er + 1, e_end + 1):
            k = e.value(r, ek)
            key = str(k).strip() if k is not None else ""
            if not key:
                continue
            cands = [x for x in found_rows.get(key, []) if x not in used]
            if not cands:
                diffs.append(CellDiff("row_missing", name, a1(r, ek), key_header, key, None, "row", key))
                continue
            rg = cands[0]
            used.add(rg)
            for c, h in eh.items():
                if h not in col_of:
                    continue
                _compare_cell(name, e.cells.get((r, c)), g.cells.get((rg, col_of[h])), a1(rg, col_of[h]), h,
                              h in input_heads, key, diffs)
        for r in range(gr + 1, g_end + 1):
            if r not in used and g.row(r):
                k = g.value(r, gk)
                diffs.append(CellDiff("row_added", name, a1(r, 0), key_header, None,
                                      display(k) if k is not None else None, "row",
                                      str(k).strip() if k is not None else None))
    positions = {rc for rc in e.cells if rc[0] not in skip_e} | {rc for rc in g.cells if rc[0] not in skip_g}
    for r, c in sorted(positions):
        if (r in skip_e) != (r in skip_g):  # a row of one table region and not the other's: already compared
            if r in skip_e and (r, c) not in g.cells:
                continue
            if r in skip_g and (r, c) not in e.cells:
                continue
        column = label_heads.get(c) if label_row is not None and r > label_row else None
        label = e.value(r, 0) if c != 0 else None
        _compare_cell(name, e.cells.get((r, c)), g.cells.get((r, c)), a1(r, c), column, False,
                      str(label).strip() if isinstance(label, str) else None, diffs)


def _compare_cell(sheet: str, e: tuple[Any, str] | None, g: tuple[Any, str] | None, cell: str, column: str | None,
                  is_input: bool, label: str | None, diffs: list[CellDiff]) -> None:
    ev, ef = e if e is not None else (None, "General")
    gv, gf = g if g is not None else (None, "General")
    kind = "pending_input" if is_input else "tampered"
    if _is_formula(ev) or _is_formula(gv):
        if not (isinstance(ev, str) and isinstance(gv, str) and _is_formula(ev) and _is_formula(gv)
                and _formula(ev) == _formula(gv)):
            diffs.append(CellDiff(kind, sheet, cell, column, display(ev), display(gv), "formula", label))
            return
    elif not _same_value(ev, gv):
        diffs.append(CellDiff(kind, sheet, cell, column, display(ev), display(gv), "value", label))
        return
    if ev is not None and gv is not None and _fmt(ef) != _fmt(gf):
        diffs.append(CellDiff("tampered", sheet, cell, column, ef, gf, "format", label))
