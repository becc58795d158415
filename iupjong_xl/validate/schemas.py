"""Rule book -> typed frames and pandera schemas; one lazy pandera call per sheet over all files, failures -> cell findings."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from iupjong_xl.rulebook import Column, RuleBook, Sheet
from iupjong_xl.validate.findings import Finding, FindingFactory
from iupjong_xl.validate.layout import SheetData
from iupjong_xl.validate.normalize import (
    COERCE_BY_TYPE,
    CoerceError,
    coerce_text,
    excel_error,
    is_blank,
    normalize_brn,
    split_brn_list,
)

if TYPE_CHECKING:
    import pandas as pd

MAX_LISTED_CHOICES = 15


@dataclass
class SheetInput:
    """One file's records of one sheet, with the file's display name and its index in the run."""

    file_index: int
    file: str
    data: SheetData


def allowed_values(book: RuleBook, col: Column) -> list[str]:
    if col.ref:
        return list(book.references[col.ref].keys)
    return list(col.choices)


def allowed_text(book: RuleBook, col: Column, lang: str) -> str:
    if col.ref:
        ref = book.references[col.ref]
        if len(ref.rows) > MAX_LISTED_CHOICES:
            return "칸의 드롭다운 목록 참조" if lang == "ko" else "see the cell's drop-down list"
        return ", ".join(ref.displays)
    return ", ".join(col.choices)


def _squash(text: str) -> str:
    return "".join(unicodedata.normalize("NFKC", text).split()).casefold()


def _coercer(book: RuleBook, col: Column) -> Callable[[Any], Any]:
    """A function raw value -> typed value (raising CoerceError) for one column."""
    if col.type in COERCE_BY_TYPE and col.type != "text":
        return COERCE_BY_TYPE[col.type]
    if col.ref:
        ref = book.references[col.ref]

        def to_ref(v: Any) -> Any:
            t = coerce_text(v)
            return None if t is None else (ref.lookup(t) or t)

        return to_ref
    if col.choices:
        canon = {_squash(c): c for c in col.choices}

        def to_choice(v: Any) -> Any:
            t = coerce_text(v)
            return None if t is None else canon.get(_squash(t), t)

        return to_choice
    return coerce_text


TypedColumns = dict[str, list[Any]]  # column key -> coerced values of one file's records


def coerce_records(book: RuleBook, sheet: Sheet, inp: SheetInput, ff: FindingFactory) -> tuple[TypedColumns, list[Finding]]:
    """Coerce one file's records of one sheet (pure per-file work: it can run in a worker process)."""
    findings: list[Finding] = []
    cols: TypedColumns = {c.key: [] for c in sheet.columns}
    coercers = [(c, _coercer(book, c), cols[c.key]) for c in sheet.columns]
    for r, rec in enumerate(inp.data.records):
        for col, coerce, out in coercers:
            out.append(_coerce_cell(book, sheet, col, coerce, rec.get(col.key, ""), inp, r, ff, findings))
    return cols, findings


def stack_frame(sheet: Sheet, parts: Sequence[tuple[int, TypedColumns]]) -> pd.DataFrame:
    """One typed frame of a sheet kind over all files (+ _f file index, _r record), in the order of `parts`."""
    import pandas as pd

    frame: dict[str, Any] = {}
    for col in sheet.columns:
        values = [v for _f, cols in parts for v in cols[col.key]]
        if col.type == "int":
            frame[col.key] = pd.array(values, dtype="Int64")
        elif col.type == "float":
            frame[col.key] = pd.array(values, dtype="Float64")
        elif col.type == "bool":
            frame[col.key] = pd.array(values, dtype="boolean")
        else:
            frame[col.key] = pd.Series(values, dtype=object)
    lengths = [(f, len(next(iter(cols.values()), []))) for f, cols in parts]
    frame["_f"] = pd.array([f for f, n in lengths for _ in range(n)], dtype="int64")
    frame["_r"] = pd.array([r for _f, n in lengths for r in range(n)], dtype="int64")
    return pd.DataFrame(frame)


def build_frame(
    book: RuleBook, sheet: Sheet, inputs: Sequence[SheetInput], ff: FindingFactory
) -> tuple[pd.DataFrame, list[Finding]]:
    """Coerce every record of one sheet kind over all files into one typed frame (+ _f file index, _r record)."""
    parts: list[tuple[int, TypedColumns]] = []
    findings: list[Finding] = []
    for inp in inputs:
        cols, found = coerce_records(book, sheet, inp, ff)
        parts.append((inp.file_index, cols))
        findings.extend(found)
    return stack_frame(sheet, parts), findings


def _coerce_cell(
    book: RuleBook,
    sheet: Sheet,
    col: Column,
    coerce: Callable[[Any], Any],
    raw: Any,
    inp: SheetInput,
    rec: int,
    ff: FindingFactory,
    out: list[Finding],
) -> Any:
    if is_blank(raw):
        return None
    data = inp.data

    def emit(code: str, value: Any) -> None:
        cell, row = data.cell(rec, col.key)
        out.append(
            ff.make(code, inp.file, sheet=data.name, cell=cell, row=row, column=col.header, value=value, record=rec,
                    i18n={lang: {"hint": col.hint(lang)} for lang in ("ko", "en")})
        )

    err = excel_error(raw)
    if err:
        emit("CELL_EXCEL_ERROR", err)
        return None
    if col.type == "brn_list":
        items: list[str] = []
        for piece in split_brn_list(raw):
            try:
                brn = normalize_brn(piece)
            except CoerceError as exc:
                emit(f"{sheet.prefix}_{col.code}_{'CHECKSUM' if exc.reason == 'checksum' else 'FORMAT'}", piece)
                continue
            if brn and brn not in items:
                items.append(brn)
        return tuple(items) if items else None
    try:
        return coerce(raw)
    except CoerceError as exc:
        if col.type == "brn":
            emit(f"{sheet.prefix}_{col.code}_{'CHECKSUM' if exc.reason == 'checksum' else 'FORMAT'}", raw)
        else:
            emit(f"{sheet.prefix}_{col.code}_TYPE", raw)
        return None


def schema_for(book: RuleBook, sheet: Sheet) -> tuple[Any, dict[tuple[str, int], str]]:
    """The pandera schema of a sheet and a map (column, check number) -> CHECK name (made once per loaded book)."""
    return book.memo(("schema", sheet.key), lambda: _schema(book, sheet))


def _schema(book: RuleBook, sheet: Sheet) -> tuple[Any, dict[tuple[str, int], str]]:
    import pandera.pandas as pa

    columns = {}
    names: dict[tuple[str, int], str] = {}
    for col in sheet.columns:
        checks = []
        if col.type != "bool" and (col.ref or col.choices):
            checks.append(pa.Check.isin(allowed_values(book, col), ignore_na=True))
            names[(col.key, len(checks) - 1)] = "ALLOWED"
        if col.min is not None or col.max is not None:
            lo = col.min if col.min is not None else float("-inf")
            hi = col.max if col.max is not None else float("inf")
            checks.append(pa.Check.in_range(lo, hi, ignore_na=True))
            names[(col.key, len(checks) - 1)] = "RANGE"
        if col.pattern:
            rx = re.compile(col.pattern)
            checks.append(pa.Check(lambda s, rx=rx: s.map(lambda v: bool(rx.match(str(v)))), element_wise=False, ignore_na=True))
            names[(col.key, len(checks) - 1)] = "PATTERN"
        columns[col.key] = pa.Column(None, checks=checks, nullable=not col.required, required=True)
    return pa.DataFrameSchema(columns, coerce=False, strict=False), names


def run_schema(
    book: RuleBook,
    sheet: Sheet,
    df: pd.DataFrame,
    inputs: dict[int, SheetInput],
    ff: FindingFactory,
    skip: set[tuple[int, int, str]],
) -> list[Finding]:
    """Validate the stacked frame lazily; map failure cases back to file + cell. `skip` = cells already reported."""
    import pandera.pandas as pa

    if df.empty:
        return []
    schema, names = schema_for(book, sheet)
    try:
        schema.validate(df, lazy=True)
        return []
    except pa.errors.SchemaErrors as exc:
        cases = exc.failure_cases
    out: list[Finding] = []
    fcol, rcol = df["_f"].to_numpy(), df["_r"].to_numpy()
    for column, check, number, value, index in zip(
        cases["column"], cases["check"], cases["check_number"], cases["failure_case"], cases["index"], strict=True
    ):
        if index is None or column not in df.columns:
            continue
        name = "REQUIRED" if check == "not_nullable" else names.get((column, int(number)))
        if name is None:
            continue
        f, r = int(fcol[int(index)]), int(rcol[int(index)])
        if (f, r, column) in skip:
            continue
        col = sheet.column(column)
        out.append(_column_finding(book, sheet, col, name, inputs[f], r, None if name == "REQUIRED" else value, ff))
    return out


def _column_finding(book: RuleBook, sheet: Sheet, col: Column, check: str, inp: SheetInput, rec: int, value: Any,
                    ff: FindingFactory, **params: Any) -> Finding:
    from iupjong_xl.rulebook import col_severity

    cell, row = inp.data.cell(rec, col.key)
    if check == "REQUIRED" and cell is None and inp.data.layout == "form":
        cell, row = None, None
    i18n = {lang: {"hint": col.hint(lang), "allowed": allowed_text(book, col, lang)} for lang in ("ko", "en")}
    return ff.make(
        f"{sheet.prefix}_{col.code}_{check}", inp.file, sheet=inp.data.name, cell=cell, row=row, column=col.header,
        value=_plain(value), record=rec, severity=col_severity(book, col, check), i18n=i18n,
        min=_num(col.min), max=_num(col.max), **params,
    )


def _plain(v: Any) -> Any:
    if v is None:
        return None
    if hasattr(v, "item"):
        v = v.item()
    return v


def _num(v: float | None) -> str:
    if v is None:
        return ""
    if not float(v).is_integer():
        return str(v)
    return f"{int(v):,}" if abs(v) >= 10000 else str(int(v))  # 1989 (a year), 20,000,000 (won)


def duplicates(book: RuleBook, sheet: Sheet, df: pd.DataFrame, inputs: dict[int, SheetInput], ff: FindingFactory) -> list[Finding]:
    """Unique columns are unique per file (per club), not over the stacked frame."""
    out: list[Finding] = []
    for col in sheet.columns:
        if not col.unique or df.empty:
            continue
        sub = df[["_f", "_r", col.key]].dropna(subset=[col.key])
        dup = sub.duplicated(subset=["_f", col.key], keep="first")
        if not dup.any():
            continue
        first = sub.drop_duplicates(subset=["_f", col.key], keep="first").set_index(["_f", col.key])["_r"]
        for f, r, v in sub[dup].itertuples(index=False, name=None):
            inp = inputs[int(f)]
            _c, first_row = inp.data.cell(int(first[(f, v)]), col.key)
            out.append(_column_finding(book, sheet, col, "DUPLICATE", inp, int(r), v, ff, first_row=first_row))
    return out
