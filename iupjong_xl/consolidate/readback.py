"""Read a consolidated workbook back: units by natural key, typed scores, findings, sources (for reruns and refresh)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from iupjong_xl import rulebook
from iupjong_xl.consolidate.model import ALL_SHEETS, FEDERATION_SHEETS, Consolidation, Previous, SourceFile, Unit
from iupjong_xl.consolidate.sheets import (
    FUNDING_COLS,
    LEGACY_PROV_HEADERS,
    S_FINDINGS,
    S_FUNDING,
    S_REJECTED,
    S_SOURCES,
    SOURCE_CODES,
    WHOLE,
    _float,
    _int,
    data_headers,
    empty_note,
    is_program_note,
)
from iupjong_xl.errors import NotConsolidatedError, RuleBookError, UnsupportedVersionError
from iupjong_xl.rulebook import CONSOLIDATED_META, RuleBook
from iupjong_xl.validate.findings import Finding
from iupjong_xl.validate.normalize import (
    CoerceError,
    coerce_as,
    coerce_int,
    coerce_text,
    normalize_brn,
    split_brn_list,
)


def read_consolidated(path: Path) -> Previous | None:
    """Read a workbook written by write_workbook (None if it is not one); values are coerced back to their types."""
    from iupjong_xl.io.reader import FileProblem, open_workbook

    try:
        wb = open_workbook(path)
    except FileProblem:
        return None
    with wb:
        if CONSOLIDATED_META not in wb.sheet_names:
            return None
        meta = {str(r[0]).strip(): str(r[1]).strip() for r in wb.grid(CONSOLIDATED_META).rows if len(r) > 1}
        try:
            year = coerce_int(meta.get("year"))
        except CoerceError:
            year = None
        if year is None:
            return None
        book = rulebook.load(year)
        grids = {name: wb.grid(name) for name in wb.sheet_names}
    units: dict[tuple[str, tuple[int, str]], Unit] = {}
    for key in ALL_SHEETS:
        grid = grids.get(book.sheets[key].name)
        if grid is None:
            continue
        note = empty_note(book.sheets[key].name)
        for rec in _records(grid, data_headers(book, key) + LEGACY_PROV_HEADERS, stop_at_blank=False):
            if is_program_note(list(rec.values()), note):
                continue  # the program's line under an empty table, never data
            typed = _typed(book, key, rec)
            kind = "federation" if key in FEDERATION_SHEETS else "club"
            ukey = typed["federation"] if kind == "federation" else typed["club_code"]
            if not ukey:
                continue
            row_year = typed["year"] if isinstance(typed["year"], int) else year
            unit_key = (kind, (row_year, str(ukey)))
            unit = units.get(unit_key)
            if unit is None:
                unit = units[unit_key] = Unit(kind, unit_key[1], str(typed["federation"]), "",
                                              str(typed["_source"] or ""), {})
            unit.rows.setdefault(key, []).append(typed)
    for unit in units.values():
        unit.sha256 = _unit_digest(unit)
    scores: dict[str, float] = {}
    titles: dict[str, str] = {}
    if S_FUNDING in grids:
        for rec in _records(grids[S_FUNDING], FUNDING_COLS):
            score = _float(rec.get("score"))
            rkey = coerce_text(rec.get("key"))
            if rkey and score is not None:
                scores[rkey] = score
                titles[rkey] = coerce_text(rec.get("title")) or ""
    return Previous(
        Path(path), meta.get("level", "national"), year, meta.get("content_hash") or meta.get("run_id", ""), meta.get("federation") or None,
        units, scores, titles,
        findings=_read_findings(grids[S_FINDINGS]) if S_FINDINGS in grids else [],
        sources=_read_sources(grids[S_SOURCES], book) if S_SOURCES in grids else [],
        rejected_rows=_read_rejected(grids[S_REJECTED]) if S_REJECTED in grids else [],
    )


def _unit_digest(unit: Unit) -> str:
    """Content identity of a unit read back: the file hash its rows carry (all rows of a report share it)."""
    for rows in unit.rows.values():
        for r in rows:
            if r.get("_sha256"):
                return str(r["_sha256"])
    return ""


def _records(grid: Any, cols: list[tuple[str, str]], stop_at_blank: bool = True) -> list[dict[str, Any]]:
    """Rows of a sheet whose header row (first row that names the columns) maps to the given (key, header) list.
    stop_at_blank: the table ends at the first empty row (totals follow below it); else empty rows are skipped
    (a data sheet where someone deleted a row's contents keeps the rows below it)."""
    from iupjong_xl.validate.normalize import is_blank, normalize_header

    wanted = {normalize_header(h): k for k, h in cols}
    header_row: int | None = None
    mapping: dict[int, str] = {}
    for r in range(min(10, grid.n_rows)):
        m = {c: wanted[normalize_header(v)] for c, v in enumerate(grid.rows[r]) if normalize_header(v) in wanted}
        if len(m) > len(mapping):
            header_row, mapping = r, m
    if header_row is None:
        return []
    out = []
    for r in range(header_row + 1, grid.n_rows):
        row = grid.rows[r]
        rec = {k: (row[c] if c < len(row) else "") for c, k in mapping.items()}
        if all(is_blank(v) for v in rec.values()):
            if stop_at_blank:
                break
            continue
        out.append(rec)
    return out


def _typed(book: RuleBook, key: str, rec: dict[str, Any]) -> dict[str, Any]:
    """A data-sheet row as typed values (the types consolidation produced); a value that does not fit its column's
    type (typed over in Excel) is kept as text, so nothing a user entered is lost."""
    out: dict[str, Any] = {}
    cols = {c.key: c for c in book.sheets[key].columns}
    for k, v in rec.items():
        col = cols.get(k)
        kind = "int" if k in ("year", "_row") else ("text" if col is None else col.type)
        try:
            if kind == "brn_list":
                out[k] = tuple(_brn_or_text(b) for b in split_brn_list(v)) or None
            else:
                out[k] = coerce_as(kind, v)
        except CoerceError:
            out[k] = coerce_text(v)
    return out


def _brn_or_text(v: str) -> str:
    try:
        return normalize_brn(v) or v
    except CoerceError:
        return v


def _read_findings(grid: Any) -> list[Finding]:
    cols = [("file", "파일"), ("sheet", "시트"), ("cell", "셀"), ("row", "행"), ("column", "항목"), ("code", "코드"),
            ("severity", "구분"), ("message", "내용"), ("value", "값")]
    out = []
    for rec in _records(grid, cols):
        t = {k: coerce_text(v) for k, v in rec.items()}
        msg = t["message"] or ""
        out.append(Finding(t["file"] or "", t["sheet"], t["cell"], _int(rec["row"]), t["column"], t["code"] or "",
                           "error" if t["severity"] in ("오류", "error") else "warning", {"ko": msg, "en": msg},
                           t["value"]))
    return out


def _read_sources(grid: Any, book: RuleBook) -> list[SourceFile]:
    sheets = [*ALL_SHEETS, "carried"]
    names = {k: book.sheets[k].name for k in sheets if k in book.sheets} | {"carried": "취합본 행"}
    cols = [("file", "파일"), ("sha256", "SHA-256"), ("kind", "종류"), ("federation", "연합회"),
            ("club_code", "교류회코드"), ("template_version", "서식 버전"), ("status", "처리")]
    for k in sheets:
        cols += [(f"in:{k}", f"{names[k]} 입력"), (f"ok:{k}", f"{names[k]} 반영"), (f"no:{k}", f"{names[k]} 제외")]
    out = []
    for rec in _records(grid, cols):
        file = coerce_text(rec["file"]) or ""
        kind, status = coerce_text(rec.get("kind")), coerce_text(rec.get("status")) or ""
        s = SourceFile(file, file, coerce_text(rec.get("sha256")), SOURCE_CODES.get(kind or "", kind),
                       coerce_text(rec.get("federation")), coerce_text(rec.get("club_code")),
                       coerce_text(rec.get("template_version")), SOURCE_CODES.get(status, status))  # 출처 is Korean
        for k in sheets:
            for prefix, bucket in (("in", s.rows_in), ("ok", s.accepted), ("no", s.rejected)):
                n = _int(rec.get(f"{prefix}:{k}"))
                if n:
                    bucket[k] = n
        out.append(s)
    return out


def _read_rejected(grid: Any) -> list[dict[str, Any]]:
    out = []
    for r in _records(grid, [("file", "원본 파일"), ("sheet", "시트"), ("row", "행"), ("codes", "사유 코드")]):
        text = coerce_text(r["codes"]) or ""
        whole = text.startswith(WHOLE)
        codes = [c.strip() for c in text.removeprefix(WHOLE).split(",") if c.strip()]
        out.append({"file": coerce_text(r["file"]) or "", "sheet": coerce_text(r["sheet"]), "row": _int(r["row"]),
                    "codes": codes, "whole": whole})
    return out


def load_for_refresh(path: str | os.PathLike[str]) -> Consolidation:
    """A consolidated workbook as it is now (including unsaved-then-saved edits): data, scores, findings, sources."""
    prev = read_consolidated(Path(path))
    if prev is None:
        raise NotConsolidatedError(f"{path}: 이 프로그램으로 취합한 통합 문서(전국·연합회 취합본)가 아닙니다.",
                                   f"{path} is not a workbook written by iupjong consolidate (a federation or national workbook)",
                                   file=str(path))
    return as_consolidation(prev)


def as_consolidation(prev: Previous) -> Consolidation:
    """A consolidation that is exactly a previous state (for a refresh: nothing new comes in)."""
    return Consolidation(rulebook.load(prev.year), prev.year, prev.level, prev.content_hash, prev.units, prev.sources,
                         prev.findings, prev.rejected_rows, prev.scores, prev.target_federation,
                         score_titles=prev.score_titles, invalid_cells=prev.invalid_cells,
                         invalid_scores=prev.invalid_scores)


def open_checked(path: str | os.PathLike[str]) -> tuple[Path, Consolidation, str]:
    """Open a consolidated (national or federation) workbook: (path, its consolidation, template version);
    NotConsolidatedError / UnsupportedVersionError for anything else."""
    from iupjong_xl.io.reader import FileProblem, open_workbook

    p = Path(path)
    try:
        wb = open_workbook(p)
    except FileProblem as exc:
        raise NotConsolidatedError(f"{p}: 엑셀 통합 문서로 열 수 없습니다 ({exc.code}).",
                                   f"{p} cannot be opened as a "
                                   f"workbook ({exc.code}: {exc.detail}).") from exc
    with wb:
        if CONSOLIDATED_META not in wb.sheet_names:
            raise NotConsolidatedError(
                f"{p}: `iupjong consolidate`로 만든 취합본(전국·연합회)이 아닙니다. 교류회·연합회 보고서라면 먼저 취합하세요.",
                f"{p} is not a consolidated workbook written by `iupjong consolidate`; consolidate the reports first.")
        meta = {str(r[0]).strip(): str(r[1]).strip() for r in wb.grid(CONSOLIDATED_META).rows if len(r) > 1}
    try:
        year = coerce_int(meta.get("year"))
    except CoerceError:
        year = None
    if meta.get("kind") != "consolidated" or year is None:
        raise NotConsolidatedError(f"{p}: 취합본 정보(_취합정보)가 손상되었습니다.",
                                   f"{p}: its consolidation record "
                                   f"(_취합정보) is damaged.")
    try:
        book = rulebook.load(year)
    except RuleBookError as exc:
        have = ", ".join(map(str, rulebook.available_years()))
        raise UnsupportedVersionError(
            f"{p}: {year}년 취합본인데 {year}년 규칙집이 없습니다 (있는 규칙집: {have}).",
            f"{p} holds {year} data, but there is "
            f"no rule book for {year} (available: {have}).") from exc
    version = meta.get("version", "")
    if version != book.version:
        raise UnsupportedVersionError(
            f"{p}: 서식 버전 {version or '?'}의 취합본입니다. 이 도구의 {year}년 규칙집은 {book.version}입니다. 원본 보고서를 "
            f"`iupjong consolidate`로 다시 취합하세요.",
            f"{p} was consolidated under template version {version or '?'}; "
            f"this installation reads {year} workbooks of version {book.version}. Consolidate the reports again.")
    return p, load_for_refresh(p), version
