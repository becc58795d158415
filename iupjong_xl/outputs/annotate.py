"""Marked-up copies of submitted workbooks: offending cells filled and commented; the originals are never touched.

For every file of a report that has findings and could be read, ``annotate_files``
writes a copy into an output folder, named so it cannot be taken for the original
("sample_workbooks/서울/a.xlsx" -> OUT/a_검증.xlsx; two files of the same name get their
folders in front: OUT/서울_a_검증.xlsx, OUT/부산_a_검증.xlsx):

* .xlsx / .xlsm are loaded with openpyxl (formulas stay formulas, VBA kept for
  .xlsm).  openpyxl itself drops what it does not understand (charts, images,
  shapes), so the copy is for reading the findings, not a replacement.
* .xls / .xlsb / .ods (and an .xlsx/.xlsm whose content is not OOXML) are rebuilt
  as a new .xlsx from the values the reader sees (no formatting, no formulas);
  the copy is named after the original with its format ("a.ods" -> "a_ods_검증.xlsx").

Each finding with a sheet and a cell fills that cell (error red, warning yellow;
error wins) and adds its message to the cell's single comment (Korean: "message
[CODE]", the code last; English: "[CODE] message"); a findings sheet ("검증결과" /
"Findings") comes first and is the sheet the copy opens on, and lists every
finding of the file, the cell column linking to the cell; it is print-ready.
"""

from __future__ import annotations

import contextlib
import math
import os
import re
import unicodedata
from collections.abc import Iterable
from pathlib import Path, PurePath

from iupjong_xl.errors import OutputError
from iupjong_xl.io.a1 import col_index, col_letter
from iupjong_xl.io.atomic import atomic_path, same_file
from iupjong_xl.io.sandbox import Limits
from iupjong_xl.messages import text as message
from iupjong_xl.outputs.xlsx import scale_for
from iupjong_xl.validate.findings import SEVERITY_ORDER, FileResult, Finding, Report

__all__ = ["COMMENT_AUTHOR", "FILL_ERROR", "FILL_WARNING", "annotate_files", "annotate_report", "copy_name",
           "copy_names", "mirror_path"]

FILL_ERROR = "FFC7CE"
FILL_WARNING = "FFEB9C"
COMMENT_AUTHOR = "iupjong"

_OPENPYXL_SUFFIXES = frozenset({".xlsx", ".xlsm"})
_CELL_RE = re.compile(r"^\$?([A-Za-z]{1,3})\$?([0-9]{1,7})$")
_INVALID_TITLE = re.compile(r"[\\*?:/\[\]]")
_ZIP_MAGIC = b"PK\x03\x04"

_COLUMNS = ("sheet", "cell", "code", "severity", "message", "value")


def _labels(lang: str) -> dict:
    """The copies' labels in `lang`, from the message catalogue (messages.py)."""
    return {
        "sheet_title": message("finding.sheet_title", lang),
        "headers": tuple(message(f"finding.head.{c}", lang) for c in _COLUMNS),
        "error": message("severity.error", lang),
        "warning": message("severity.warning", lang),
        "suffix": message("annotate.suffix", lang),
    }


# comment box: pixels per narrow character, line height, limits
_PX_PER_CHAR = 7
_LINE_PX = 15
_MIN_W, _MAX_W = 144, 480
_MIN_H, _MAX_H = 60, 400


# --------------------------------------------------------------------------- paths


def mirror_path(display: str) -> PurePath:
    """The display path made relative: a leading anchor/drive and any "." / ".." parts dropped.

    "sample_workbooks/서울/a.xlsx" -> "sample_workbooks/서울/a.xlsx"; "/abs/x.xlsx" -> "abs/x.xlsx";
    "../../x.xlsx" -> "x.xlsx"."""
    p = PurePath(display)
    parts = p.parts[1:] if p.anchor else p.parts
    kept = [part for part in parts if part not in ("", ".", "..")]
    if not kept:
        kept = [p.name or "workbook"]
    return PurePath(*kept)


def _is_ooxml(path: str | os.PathLike[str]) -> bool:
    try:
        with open(path, "rb") as f:
            return f.read(4) == _ZIP_MAGIC
    except OSError:
        return False


def _uses_openpyxl(fr: FileResult) -> bool:
    return Path(fr.path).suffix.lower() in _OPENPYXL_SUFFIXES and _is_ooxml(fr.path)


def copy_name(fr: FileResult, lang: str = "ko", folders: int = 0) -> PurePath:
    """The name of fr's copy in the output folder: "a.xlsx" -> "a_검증.xlsx" ("a_findings.xlsx" in English), a
    rebuilt one with its format ("a.ods" -> "a_ods_검증.xlsx"); folders: how many parent folders go in front
    ("서울_a_검증.xlsx") to tell apart files of the same name."""
    rel = mirror_path(fr.file)
    suffix = _labels(lang)["suffix"]
    if _uses_openpyxl(fr):
        name = rel.stem + suffix + rel.suffix
    elif rel.suffix.lower() in _OPENPYXL_SUFFIXES:  # rebuilt from its values, still an .xlsx copy
        name = rel.stem + suffix + ".xlsx"
    else:
        name = rel.stem + ("_" + rel.suffix.lstrip(".").lower() if rel.suffix else "") + suffix + ".xlsx"
    parents = list(rel.parts[:-1])[-folders:] if folders else []
    return PurePath("_".join([*parents, name]))


def copy_names(files: Iterable[FileResult], lang: str = "ko") -> dict[str, PurePath]:
    """file -> the name of its copy, every name distinct (parent folders put in front where names repeat)."""
    files = list(files)
    out: dict[str, PurePath] = {}
    depth = {fr.file: 0 for fr in files}
    for _ in range(32):
        out = {fr.file: copy_name(fr, lang, depth[fr.file]) for fr in files}
        seen: dict[str, list[str]] = {}
        for file, name in out.items():
            seen.setdefault(str(name).lower(), []).append(file)
        clashes = [f for group in seen.values() if len(group) > 1 for f in group]
        if not clashes:
            break
        for f in clashes:
            depth[f] += 1
    return out


# --------------------------------------------------------------------------- entry point


NOT_REPORTS = frozenset({"consolidated", "findings"})  # read, skipped with a note: no marked-up copy


def annotate_files(report: Report, out_dir: str | os.PathLike, *, lang: str = "ko",
                   limits: Limits | None = None) -> list[Path]:
    """Write a marked-up copy of every readable file with findings below out_dir; return the written paths (a copy
    refused for the limits is left out: annotate_report says which and why)."""
    return annotate_report(report, out_dir, lang=lang, limits=limits)[0]


def annotate_report(report: Report, out_dir: str | os.PathLike, *, lang: str = "ko",
                    limits: Limits | None = None) -> tuple[list[Path], list[Finding]]:
    """Write a marked-up copy of every readable report with findings below out_dir: (the written paths, a
    FILE_TOO_COMPLEX finding per file whose copy was refused).

    Each copy is made in a worker process (io/sandbox.py) under the per-file limits (`limits`, default the rule
    book's file_memory_mb and file_seconds), as reading is: a file whose copy would take longer or more memory is
    not copied, and gets the finding instead. Raises OutputError (before anything is written) when a copy would
    land on a submitted file, or when a copy cannot be written. A file openpyxl (or the reader) cannot load is
    skipped."""
    from iupjong_xl.io.sandbox import CRASHED, TOO_COMPLEX, run_isolated
    from iupjong_xl.validate.pipeline import file_limits

    out = Path(out_dir)
    by_file = report.by_file()
    todo = [fr for fr in report.files if by_file.get(fr.file) and fr.readable and fr.kind not in NOT_REPORTS]
    names = copy_names(todo, lang)
    jobs: list[tuple[FileResult, Path, list[Finding], str]] = [(fr, out / names[fr.file], by_file[fr.file], lang)
                                                               for fr in todo]

    sources = [Path(fr.path) for fr in report.files]
    for _fr, target, _, _lang in jobs:
        for src in sources:
            if same_file(target, src):
                raise OutputError(f"{target}: 제출된 원본 파일 {src}을(를) 덮어쓰지 않습니다. 다른 폴더를 고르세요.",
                                  f"{target}: refusing to overwrite the submitted file {src}", file=str(target))

    limits = limits or file_limits()
    written: list[Path] = []
    refused: list[Finding] = []
    for (fr, target, _found, _lang), outcome in zip(jobs, run_isolated(_annotate_one, jobs, limits=limits),
                                                    strict=True):
        if outcome.ok:
            kind, *rest = outcome.value
            if kind == "written":
                written.append(target)
            elif kind == "output_error":
                raise OutputError(rest[0], rest[1], file=str(target))
        elif outcome.code in (TOO_COMPLEX, CRASHED):
            refused.append(_refused(fr, outcome.detail, limits))
    return written, refused


def _refused(fr: FileResult, detail: str, limits: Limits) -> Finding:
    """FILE_TOO_COMPLEX for a file whose marked-up copy was not made within the limits."""
    from iupjong_xl import rulebook
    from iupjong_xl.validate.findings import FindingFactory

    book = rulebook.load(fr.year if fr.year in rulebook.available_years() else rulebook.available_years()[-1])
    if detail.startswith("takes longer"):
        ko = f"검증 표시본을 만들지 않았습니다: {limits.seconds:g}초 넘게 걸림"
    elif detail.startswith("needs more"):
        ko = f"검증 표시본을 만들지 않았습니다: 메모리 {limits.memory_mb}MiB 넘게 필요"
    else:
        ko = f"검증 표시본을 만들지 않았습니다: {detail}"
    return FindingFactory(book).make("FILE_TOO_COMPLEX", fr.file, detail=f"marked-up copy not made: {detail}",
                                     i18n={"ko": {"detail": ko}})


def _annotate_one(job: tuple[FileResult, Path, list[Finding], str]) -> tuple[str, ...]:
    """One marked-up copy (in a worker): ("written",), ("skipped",) when the file cannot be loaded or saved, or
    ("output_error", ko, en) when the copy cannot be written."""
    fr, target, found, lang = job
    try:
        wb, sheet_map = _load(fr)
    except MemoryError:
        raise  # over the memory limit: the sandbox says so (FILE_TOO_COMPLEX)
    except Exception:
        return ("skipped",)
    try:
        _mark_up(wb, found, lang, sheet_map)
        with atomic_path(target) as tmp:
            wb.save(tmp)
    except OutputError as exc:
        return ("output_error", exc.ko, exc.en)
    except MemoryError:
        raise
    except Exception:
        return ("skipped",)
    finally:
        with contextlib.suppress(Exception):
            wb.close()
    return ("written",)


# --------------------------------------------------------------------------- loading


def _load(fr: FileResult):
    """(openpyxl workbook, {finding sheet name: workbook sheet title})."""
    import openpyxl

    if _uses_openpyxl(fr):
        keep_vba = Path(fr.path).suffix.lower() == ".xlsm"
        wb = openpyxl.load_workbook(fr.path, keep_vba=keep_vba, rich_text=True)
        return wb, {name: name for name in wb.sheetnames}
    return _rebuild(fr.path)


def _rebuild(path: str):
    """A new openpyxl workbook holding the values the reader sees, at their A1 positions."""
    import openpyxl
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    from iupjong_xl.io.reader import open_workbook

    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    sheet_map: dict[str, str] = {}
    with open_workbook(path) as src:
        for name in src.sheet_names:
            grid = src.grid(name)
            title = _safe_title(name, set(sheet_map.values()))
            sheet_map[name] = title
            ws = wb.create_sheet(title)
            if name in src.hidden_sheets:
                ws.sheet_state = "hidden"
            for r, row in enumerate(grid.rows, start=1):
                for c, value in enumerate(row, start=1):
                    if value == "" or value is None:
                        continue
                    if not isinstance(value, (str, int, float, bool)) and not hasattr(value, "isoformat") \
                            and not hasattr(value, "total_seconds"):
                        value = str(value)
                    if isinstance(value, str):
                        value = ILLEGAL_CHARACTERS_RE.sub("", value)
                    cell = ws.cell(row=r, column=c, value=value)
                    if isinstance(value, str) and cell.data_type == "f":
                        cell.data_type = "s"  # text like "=1+1" stays text
    if not wb.worksheets:
        wb.create_sheet("Sheet1")
    if all(ws.sheet_state != "visible" for ws in wb.worksheets):
        wb.worksheets[0].sheet_state = "visible"
    wb.active = next(i for i, ws in enumerate(wb.worksheets) if ws.sheet_state == "visible")
    return wb, sheet_map


def _safe_title(name: str, taken: set[str]) -> str:
    base = _INVALID_TITLE.sub("_", name).strip("'")[:31] or "Sheet"
    lowered = {t.lower() for t in taken}
    title, n = base, 1
    while title.lower() in lowered:
        n += 1
        suffix = f" ({n})"
        title = base[: 31 - len(suffix)] + suffix
    return title


# --------------------------------------------------------------------------- marking up


def _split_cell(ref: str | None) -> tuple[int, int] | None:
    """A1 -> (row, column) 1-based, or None when not a single-cell reference."""
    if not ref:
        return None
    m = _CELL_RE.match(ref.strip())
    if not m:
        return None
    col = col_index(m.group(1)) + 1  # 1-based, as openpyxl counts
    row = int(m.group(2))
    if row < 1 or row > 1_048_576 or col > 16_384:
        return None
    return row, col


def _display_width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1 for ch in text)


def comment_size(lines: Iterable[str]) -> tuple[int, int]:
    """(width, height) in pixels of a comment box showing the lines (wrapped at the maximum width)."""
    lines = list(lines) or [""]
    widest = max(_display_width(line) for line in lines)
    width = min(_MAX_W, max(_MIN_W, widest * _PX_PER_CHAR + 16))
    per_line = max(1, (width - 16) // _PX_PER_CHAR)
    shown = sum(max(1, math.ceil(_display_width(line) / per_line)) for line in lines)
    height = min(_MAX_H, max(_MIN_H, shown * _LINE_PX + 20))
    return width, height


def _clean(text: object) -> str:
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    return ILLEGAL_CHARACTERS_RE.sub("", "" if text is None else str(text))


def _mark_up(wb, findings: list[Finding], lang: str, sheet_map: dict[str, str]) -> None:
    from openpyxl.cell.cell import MergedCell
    from openpyxl.comments import Comment
    from openpyxl.styles import PatternFill
    from openpyxl.worksheet.worksheet import Worksheet

    lab = _labels(lang)
    # (title, row, col) -> findings, in report order; errors first inside a cell
    per_cell: dict[tuple[str, int, int], list[Finding]] = {}
    for f in findings:
        title = sheet_map.get(f.sheet) if f.sheet is not None else None
        rc = _split_cell(f.cell)
        if title is None or rc is None or title == lab["sheet_title"]:
            continue
        per_cell.setdefault((title, *rc), []).append(f)

    for (title, row, col), items in per_cell.items():
        ws = wb[title]
        if not isinstance(ws, Worksheet):
            continue
        cell = ws.cell(row=row, column=col)
        if isinstance(cell, MergedCell):  # mark the merged range's top-left cell
            for rng in ws.merged_cells.ranges:
                if cell.coordinate in rng:
                    cell = ws.cell(row=rng.min_row, column=rng.min_col)
                    break
        items = sorted(items, key=lambda f: SEVERITY_ORDER.get(f.severity, 9))
        color = FILL_ERROR if any(f.severity == "error" for f in items) else FILL_WARNING
        cell.fill = PatternFill(fill_type="solid", start_color="FF" + color, end_color="FF" + color)
        lines: list[str] = []
        for f in items:
            line = _clean(f"[{f.code}] {f.message(lang)}" if lang == "en" else f"{f.message(lang)} [{f.code}]")
            if line not in lines:
                lines.append(line)
        old = cell.comment
        text_lines = lines + (["", *old.text.splitlines()] if old is not None and old.text else [])
        width, height = comment_size(text_lines)
        cell.comment = Comment("\n".join(text_lines), COMMENT_AUTHOR, height=height, width=width)

    _findings_sheet(wb, findings, lang, sheet_map)


def _findings_sheet(wb, findings: list[Finding], lang: str, sheet_map: dict[str, str]) -> None:
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.worksheet.hyperlink import Hyperlink

    lab = _labels(lang)
    title = lab["sheet_title"]
    if title in wb.sheetnames:
        wb.remove(wb[title])
        if wb.active is None or wb._active_sheet_index >= len(wb.worksheets):
            wb.active = 0
    ws = wb.create_sheet(title, 0)  # first, and the sheet the copy opens on
    for other in wb.worksheets:
        other.sheet_view.tabSelected = False
    wb.active = 0
    ws.sheet_view.tabSelected = True

    headers = lab["headers"]
    ws.append(list(headers))
    bold = Font(bold=True)
    head_fill = PatternFill(fill_type="solid", start_color="FFD9D9D9", end_color="FFD9D9D9")
    for c in range(1, len(headers) + 1):
        ws.cell(row=1, column=c).font = bold
        ws.cell(row=1, column=c).fill = head_fill

    widths = [_display_width(h) for h in headers]
    for i, f in enumerate(findings, start=2):
        texts = [
            _clean(f.sheet) if f.sheet is not None else "",
            _clean(f.cell) if f.cell else "",
            f.code,
            lab.get(f.severity, f.severity),
            _clean(f.message(lang)),
            _clean(f.value) if f.value is not None else "",
        ]
        for c, text in enumerate(texts, start=1):
            if text == "":
                continue
            cell = ws.cell(row=i, column=c)
            cell.value = text
            cell.data_type = "s"  # submitted text stays text ("=1+1", "#N/A")
            widths[c - 1] = max(widths[c - 1], _display_width(text))
        sev = ws.cell(row=i, column=4)
        color = FILL_ERROR if f.severity == "error" else FILL_WARNING
        sev.fill = PatternFill(fill_type="solid", start_color="FF" + color, end_color="FF" + color)
        target_sheet = sheet_map.get(f.sheet) if f.sheet is not None else None
        rc = _split_cell(f.cell)
        if target_sheet is not None and rc is not None:
            link = ws.cell(row=i, column=2)
            quoted = target_sheet.replace("'", "''")
            link.hyperlink = Hyperlink(ref=link.coordinate, location=f"'{quoted}'!{str(f.cell).strip()}")
            link.style = "Hyperlink"

    limits = (24, 10, 34, 8, 60, 30)
    final = []
    for c, (w, cap) in enumerate(zip(widths, limits, strict=False), start=1):
        final.append(min(cap, max(8, w + 2)))
        ws.column_dimensions[col_letter(c - 1)].width = final[-1]
    wrap = Alignment(wrap_text=True, vertical="top")
    for r in range(2, len(findings) + 2):  # long messages wrap, with the row height they need
        lines = 1
        for c, width in enumerate(final, start=1):
            cell = ws.cell(row=r, column=c)
            text = "" if cell.value is None else str(cell.value)
            if _display_width(text) > width - 1:
                cell.alignment = wrap
                lines = max(lines, math.ceil(_display_width(text) / max(1, width - 1)))
        if lines > 1:
            ws.row_dimensions[r].height = 15.75 * lines + 2
    ws.freeze_panes = "A2"
    ws.auto_filter.ref = f"A1:{col_letter(len(headers) - 1)}{len(findings) + 1}"
    # print-ready: A4 landscape at a scale that keeps 8 pt type (the kit's rule), header row on every page, the cell
    # reference repeated at the left when the message continues on the next page, footer sheet name and page x / y
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.orientation = "landscape"
    scale, wider = scale_for(final, landscape=True)
    ws.page_setup.scale = scale
    ws.sheet_properties.pageSetUpPr.fitToPage = False
    ws.print_title_rows = "1:1"
    if wider:
        ws.page_setup.pageOrder = "overThenDown"
        ws.print_title_cols = "A:B"  # sheet and cell beside every message
    ws.oddFooter.left.text = "&A"
    ws.oddFooter.right.text = "&P / &N"
    ws.print_area = f"A1:{col_letter(len(headers) - 1)}{len(findings) + 1}"
