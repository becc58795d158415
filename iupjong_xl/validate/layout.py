"""Find a report's template id, sheets, header rows and columns in a workbook, remembering every value's cell."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from iupjong_xl.io.reader import Grid, a1
from iupjong_xl.rulebook import RuleBook, Sheet
from iupjong_xl.validate.normalize import is_blank, normalize_header

META_KEYS = ("template_id", "kind", "year", "version")
CHECK_HEADER = "점검"  # the live-check column of a table sheet (and block of a form sheet): formulas, not data
CHECK_SHEET = "점검"  # the live-check summary sheet: not a report sheet, never read


@dataclass
class SheetData:
    """The records of one sheet as typed by the user, each value with its cell."""

    key: str
    name: str
    layout: str
    header_row: int | None = None  # 0-based; table layout
    columns: dict[str, int] = field(default_factory=dict)  # column key -> 0-based column (table)
    form_cells: dict[str, tuple[int, int]] = field(default_factory=dict)  # column key -> value cell (form)
    records: list[dict[str, Any]] = field(default_factory=list)  # raw values; dropped once coerced (see count)
    count: int = -1  # number of records when the raw ones were dropped
    rows: list[int] = field(default_factory=list)  # 0-based grid row of each record (table)
    skipped: bool = False  # sheet not checked (too many rows)

    @property
    def n_records(self) -> int:
        return self.count if self.count >= 0 else len(self.records)

    def release(self) -> None:
        """Forget the raw values (the typed ones are kept elsewhere); cells and counts stay answerable."""
        self.count = self.n_records
        self.records = []

    def pos(self, rec: int, key: str) -> tuple[int, int] | None:
        """0-based (row, col) of a record's value, or None when the column is absent."""
        if self.layout == "form":
            return self.form_cells.get(key)
        c = self.columns.get(key)
        return None if c is None else (self.rows[rec], c)

    def cell(self, rec: int, key: str) -> tuple[str | None, int | None]:
        """(A1, 1-based row) of a record's value; the row alone when the column is absent."""
        p = self.pos(rec, key)
        if p is not None:
            return a1(*p), p[0] + 1
        if self.layout == "table" and rec < len(self.rows):
            return None, self.rows[rec] + 1
        return None, None

    def header_cell(self, key: str) -> str | None:
        if self.layout == "form":
            p = self.form_cells.get(key)
            return a1(p[0], p[1] - 1) if p else None
        c = self.columns.get(key)
        return a1(self.header_row or 0, c) if c is not None else None

    def first_data_cell(self) -> tuple[str, int]:
        r = (self.header_row or 0) + 1
        return a1(r, 0), r + 1


@dataclass
class LayoutProblem:
    """A layout problem before any value is looked at; becomes a FILE_* finding."""

    code: str
    sheet: str | None = None
    cell: str | None = None
    row: int | None = None
    column: str | None = None
    value: str | None = None
    params: dict[str, Any] = field(default_factory=dict)


def read_meta(grid: Grid) -> dict[str, str]:
    """The template id sheet: key in column A, value in column B."""
    meta: dict[str, str] = {}
    for r in range(grid.n_rows):
        k, v = grid.value(r, 0), grid.value(r, 1)
        if isinstance(k, str) and k.strip() in META_KEYS and not is_blank(v):
            if isinstance(v, float) and v.is_integer():
                v = int(v)
            meta[k.strip()] = str(v).strip()
    return meta


def match_sheet(sheet: Sheet, names: list[str]) -> str | None:
    """The workbook sheet holding a rule-book sheet: its name or an alias, ignoring spaces and width."""
    wanted = {normalize_header(n) for n in (sheet.name, *sheet.aliases)}
    for n in names:
        if normalize_header(n) in wanted:
            return n
    return None


_CHECK_KEY = normalize_header(CHECK_HEADER)
_HEADER_INDEX: dict[int, tuple[Sheet, dict[str, str]]] = {}  # id -> (the sheet itself, kept alive; its index)


def _header_index(sheet: Sheet) -> dict[str, str]:
    """Normalised header/alias -> column key; built once per rule-book sheet."""
    cached = _HEADER_INDEX.get(id(sheet))
    if cached is not None and cached[0] is sheet:
        return cached[1]
    idx: dict[str, str] = {}
    _HEADER_INDEX[id(sheet)] = (sheet, idx)
    for col in sheet.columns:
        for text in (col.header, col.header_en, *col.aliases):
            idx.setdefault(normalize_header(text), col.key)
    return idx


def read_table(sheet: Sheet, grid: Grid, book: RuleBook) -> tuple[SheetData, list[LayoutProblem]]:
    """Locate the header row (the best-matching of the first rows), map columns, collect non-blank records."""
    idx = _header_index(sheet)
    search = book.limits.get("header_search_rows", 10)
    best_row, best_hits = None, 0
    for r in range(min(search, grid.n_rows)):
        hits = len({idx[h] for c in range(len(grid.rows[r])) if (h := normalize_header(grid.value(r, c))) in idx})
        if hits > best_hits:
            best_row, best_hits = r, hits
    data = SheetData(sheet.key, grid.name, "table", header_row=best_row if best_row is not None else 0)
    problems: list[LayoutProblem] = []
    hr = data.header_row or 0
    if best_row is not None:
        for c in range(len(grid.rows[best_row])):
            raw = grid.value(best_row, c)
            if is_blank(raw) or normalize_header(raw) == _CHECK_KEY:
                continue
            key = idx.get(normalize_header(raw))
            if key is None or key in data.columns:
                problems.append(LayoutProblem("FILE_COLUMN_EXTRA", grid.name, a1(best_row, c), best_row + 1, None, str(raw).strip()))
            else:
                data.columns[key] = c
    for col in sheet.columns:
        if col.required and col.key not in data.columns:
            problems.append(LayoutProblem("FILE_COLUMN_MISSING", grid.name, a1(hr, 0), hr + 1, col.header))
    if not data.columns:
        return data, problems
    cols = list(data.columns.items())
    for r in range(hr + 1, grid.n_rows):
        row = grid.rows[r]
        rec = {key: (row[c] if c < len(row) else "") for key, c in cols}
        if all(is_blank(v) for v in rec.values()):
            continue
        data.records.append(rec)
        data.rows.append(r)
    return data, problems


def read_form(sheet: Sheet, grid: Grid) -> tuple[SheetData, list[LayoutProblem]]:
    """A profile sheet: a label per row (column A, or the first labelled column) and its value to the right."""
    idx = _header_index(sheet)
    data = SheetData(sheet.key, grid.name, "form")
    problems: list[LayoutProblem] = []
    for r in range(grid.n_rows):
        row = grid.rows[r]
        for c in range(min(len(row), 3)):
            key = idx.get(normalize_header(row[c]))
            if key is not None:
                if key not in data.form_cells:
                    data.form_cells[key] = (r, c + 1)
                break
    rec = {key: grid.value(r, c) for key, (r, c) in data.form_cells.items()}
    data.records.append(rec)
    data.rows.append(0)
    for col in sheet.columns:
        if col.required and col.key not in data.form_cells:
            problems.append(LayoutProblem("FILE_COLUMN_MISSING", grid.name, None, None, col.header))
    return data, problems
