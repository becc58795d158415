"""Edits people made in a consolidated workbook, found by comparing it (row by row, through the hidden row id) with
what the ledger holds. Sorting, filtering, widths and formats are not changes. A changed cell of a data sheet is a
correction; a deleted row is restored; a row added by hand is not consolidated; a column added by hand is kept with
its values; a score typed into 지원금 is an input. Nothing here writes: the service records what is found."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from iupjong_xl.consolidate.model import ALL_SHEETS, KEY_COLUMNS, PROVENANCE, Previous
from iupjong_xl.consolidate.readback import _float, _typed
from iupjong_xl.consolidate.sheets import (
    FUNDING_COLS,
    S_FUNDING,
    UID,
    UID_HEADER,
    data_headers,
    empty_note,
    is_program_note,
)
from iupjong_xl.io.reader import FileProblem, a1, open_workbook
from iupjong_xl.rulebook import Column, RuleBook
from iupjong_xl.validate.normalize import is_blank, normalize_header

TYPED = {"int", "float", "date", "bool", "brn", "brn_list"}


@dataclass
class Correction:
    sheet: str  # sheet key
    uid: str
    column: str  # column key
    old: Any
    new: Any
    cell: str  # where it was typed, in the edited workbook
    problem: tuple[str, str] | None = None  # (ko, en) when the new value breaks the column's rule


@dataclass
class ScoreProblem:
    key: str  # the request's key (과제키)
    title: str
    value: Any  # what was typed
    cell: str  # where, on 지원금
    problem: tuple[str, str]  # (ko, en)


@dataclass
class Edits:
    """What differs between the workbook on disk and the ledger's state of it."""

    corrections: list[Correction] = field(default_factory=list)
    restored: list[tuple[str, str, dict[str, Any]]] = field(default_factory=list)  # (sheet key, uid, the row)
    added: list[tuple[str, int, str]] = field(default_factory=list)  # (sheet key, 1-based row, first cell A1)
    not_taken: list[tuple[str, str, str, str]] = field(default_factory=list)  # (sheet key, uid, header, cell)
    extras: dict[str, list[tuple[str, int, dict[str, Any]]]] = field(default_factory=dict)  # key -> (header, pos, uid→v)
    scores: dict[str, float] = field(default_factory=dict)  # 지원금 as it is now (request key -> score)
    score_titles: dict[str, str] = field(default_factory=dict)
    invalid_scores: dict[str, Any] = field(default_factory=dict)  # request key -> a typed score its rule refuses
    score_problems: list[ScoreProblem] = field(default_factory=list)  # the refused scores typed since the last view
    score_cells: dict[str, str] = field(default_factory=dict)  # request key -> the 지원금 cell a score was typed in
    readable: bool = True

    @property
    def needs_backup(self) -> bool:
        """Something people typed cannot stay in the rewritten workbook: keep the edited one beside it."""
        return bool(self.added or self.not_taken) or not self.readable


def _same(a: Any, b: Any) -> bool:
    if a is None or a == "":
        return b is None or b == ""
    if isinstance(a, (int, float)) and isinstance(b, (int, float)) and not isinstance(a, bool):
        return float(a) == float(b)
    return bool(a == b)


def _canonical(book: RuleBook, col: Column, v: Any) -> Any:
    if isinstance(v, str) and col.ref:
        return book.references[col.ref].lookup(v) or v
    if isinstance(v, str) and col.choices:
        squashed = {"".join(c.split()): c for c in col.choices}
        return squashed.get("".join(v.split()), v)
    return v


def check_value(book: RuleBook, col: Column, v: Any) -> tuple[str, str] | None:
    """The rule a corrected value breaks, as (ko, en), or None: type, required, the list it must come from, range."""
    if v is None or v == "":
        return ("필수 항목이 비었습니다", "a required value is empty") if col.required else None
    if col.type in ("int", "float") and isinstance(v, str):
        return ("숫자가 아닙니다", "not a number")
    if col.type in TYPED and isinstance(v, str):
        return (f"{col.header}의 형식({col.type})으로 읽을 수 없습니다", f"cannot be read as {col.type}")
    if col.ref and isinstance(v, str) and book.references[col.ref].lookup(v) is None:
        return ("목록에 없는 값입니다", "not in the reference list")
    if col.choices and col.type != "bool" and isinstance(v, str) and v not in col.choices:
        return (f"허용된 값({', '.join(col.choices)})이 아닙니다", f"not one of {', '.join(col.choices)}")
    if isinstance(v, (int, float)) and not isinstance(v, bool):
        if col.min is not None and v < col.min:
            return (f"{col.min:g} 이상이어야 합니다", f"must be at least {col.min:g}")
        if col.max is not None and v > col.max:
            return (f"{col.max:g} 이하여야 합니다", f"must be at most {col.max:g}")
    return None


def detect(path: Path, previous: Previous, book: RuleBook) -> Edits:
    """Compare the workbook at `path` with the ledger's state of it (previous: units with row ids)."""
    edits = Edits(scores=dict(previous.scores), score_titles=dict(previous.score_titles),
                  invalid_scores=dict(previous.invalid_scores))
    try:
        wb = open_workbook(path)
    except FileProblem:
        edits.readable = False
        return edits
    with wb:
        names = set(wb.sheet_names)
        grids = {key: wb.grid(book.sheets[key].name) for key in ALL_SHEETS if book.sheets[key].name in names}
        funding = wb.grid(S_FUNDING) if S_FUNDING in names else None
    stored: dict[str, dict[str, dict[str, Any]]] = {k: {} for k in ALL_SHEETS}
    for unit in previous.units.values():
        for key, rows in unit.rows.items():
            for r in rows:
                if r.get(UID):
                    stored.setdefault(key, {})[str(r[UID])] = r
    for key, grid in grids.items():
        _compare_sheet(key, grid, stored.get(key, {}), book, edits, previous.invalid_cells)
    for key in ALL_SHEETS:
        if key not in grids:
            continue
        seen = {c.uid for c in edits.corrections if c.sheet == key}
        present = _present_uids(grids[key])
        for uid, row in stored.get(key, {}).items():
            if uid not in present and uid not in seen:
                edits.restored.append((key, uid, row))
    if funding is not None:
        _read_scores(funding, previous, book, edits)
    return edits


def _read_scores(grid: Any, previous: Previous, book: RuleBook, edits: Edits) -> None:
    """The scores typed into 지원금: each checked with the 평가점수 column's rule (a refused one is kept as typed, its
    request unscored); a score equal to the one the view showed was not typed now."""
    found = _header(grid, FUNDING_COLS)
    if found is None:
        return
    head, known, _extra = found
    where = {k: c for c, k in known.items()}
    if "key" not in where or "score" not in where:
        return
    col = next(c for c in book.sheets["consortium"].columns if c.key == "score")
    shown = previous.shown_scores
    for r in range(head + 1, grid.n_rows):
        row = grid.rows[r]

        def cell(k: str, row: list[Any] = row) -> Any:
            return row[where[k]] if k in where and where[k] < len(row) else ""

        if all(is_blank(cell(k)) for k in where):
            break  # the table ends at its first empty row (the totals follow)
        rkey = str(cell("key")).strip() if not is_blank(cell("key")) else None
        if not rkey:
            continue
        raw = cell("score")
        number = _float(raw)
        typed: Any = None if is_blank(raw) else (number if number is not None else str(raw).strip())
        before = edits.invalid_scores.get(rkey, shown.get(rkey) if shown is not None else None)
        if shown is not None and (rkey in shown or rkey in edits.invalid_scores) and _same(typed, before):
            continue  # the score 지원금 showed (the request's own, or typed earlier): nothing typed now
        title = str(cell("title") or "").strip()
        edits.score_cells[rkey] = a1(r, where["score"])
        problem = None if typed is None else check_value(book, col, typed)
        if typed is None:
            edits.scores.pop(rkey, None)
            edits.score_titles.pop(rkey, None)
            edits.invalid_scores.pop(rkey, None)
        elif problem is not None:
            edits.scores.pop(rkey, None)
            edits.score_titles[rkey] = title
            edits.invalid_scores[rkey] = typed
            edits.score_problems.append(ScoreProblem(rkey, title, typed, a1(r, where["score"]), problem))
        else:
            edits.scores[rkey] = float(typed)
            edits.score_titles[rkey] = title
            edits.invalid_scores.pop(rkey, None)


def _header(grid: Any, cols: list[tuple[str, str]]) -> tuple[int, dict[int, str], dict[int, str]] | None:
    """(header row, column -> key of a known column, column -> header of a column added by hand)."""
    wanted = {normalize_header(h): k for k, h in cols}
    best: tuple[int, dict[int, str]] | None = None
    for r in range(min(10, grid.n_rows)):
        m = {c: wanted[normalize_header(v)] for c, v in enumerate(grid.rows[r]) if normalize_header(v) in wanted}
        if best is None or len(m) > len(best[1]):
            best = (r, m)
    if best is None or not best[1]:
        return None
    r, known = best
    extra = {c: str(v).strip() for c, v in enumerate(grid.rows[r]) if c not in known and not is_blank(v)}
    return r, known, extra


def _present_uids(grid: Any) -> set[str]:
    for r in range(min(10, grid.n_rows)):
        row = grid.rows[r]
        for c, v in enumerate(row):
            if normalize_header(v) == normalize_header(UID_HEADER):
                return {str(grid.rows[i][c]).strip() for i in range(r + 1, grid.n_rows)
                        if c < len(grid.rows[i]) and not is_blank(grid.rows[i][c])}
    return set()


def _compare_sheet(key: str, grid: Any, stored: dict[str, dict[str, Any]], book: RuleBook, edits: Edits,
                   invalid: dict[str, dict[str, Any]]) -> None:
    cols = data_headers(book, key)
    found = _header(grid, cols)
    if found is None:
        return
    head, known, extra = found
    uid_col = next((c for c, k in known.items() if k == UID), None)
    columns = {c.key: c for c in book.sheets[key].columns}
    protected = {*KEY_COLUMNS, *PROVENANCE}
    headers = dict(cols)
    note = empty_note(book.sheets[key].name)
    seen: set[str] = set()
    for r in range(head + 1, grid.n_rows):
        row = grid.rows[r]
        raw = {k: (row[c] if c < len(row) else "") for c, k in known.items()}
        if all(is_blank(v) for v in raw.values()) and all(c >= len(row) or is_blank(row[c]) for c in extra):
            continue
        if is_program_note(row, note):
            continue  # the program's own line under an empty table, not a row
        uid = str(raw.get(UID, "")).strip() if uid_col is not None and not is_blank(raw.get(UID)) else ""
        if not uid or uid not in stored or uid in seen:  # a repeated row id: a copy of a row, added by hand
            edits.added.append((key, r + 1, a1(r, 0)))
            continue
        seen.add(uid)
        old_row = {**stored[uid], **invalid.get(uid, {})}  # as the view showed it: a refused input as typed
        typed = _typed(book, key, {k: v for k, v in raw.items() if k != UID})
        for c, k in known.items():
            if k == UID:
                continue
            col = columns.get(k)
            new = _canonical(book, col, typed.get(k)) if col is not None else typed.get(k)
            if _same(old_row.get(k), new):
                continue
            if k in protected:
                edits.not_taken.append((key, uid, headers[k], a1(r, c)))
                continue
            if col is None:
                continue
            edits.corrections.append(Correction(key, uid, k, old_row.get(k), new, a1(r, c), check_value(book, col, new)))
        for pos, (c, h) in enumerate(sorted(extra.items())):
            value = row[c] if c < len(row) and not is_blank(row[c]) else None
            column = next((vals for hh, _p, vals in edits.extras.setdefault(key, []) if hh == h), None)
            if column is None:
                column = {}
                edits.extras[key].append((h, pos, column))
            column[uid] = value
