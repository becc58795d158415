"""The findings workbook for `iupjong validate --format xlsx`: one row per finding, hyperlinked to the file, sheet and cell.

Two sheets: "요약" (en "Summary": pass/fail, the stats, a per-file table and the
count per code) and "검증결과" (en "Findings": one row per finding).  Links are
``external:`` links relative to the output file's folder, with the sheet and
cell as the location, so they keep working when the output sits next to the
submitted files and the folder is moved as a whole.  Every text is written as
text ("=1+1" from a submitted file is not a formula) and the file's bytes
depend only on the report (fixed creation date).
"""

from __future__ import annotations

import os
import warnings
from collections import Counter
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from iupjong_xl.errors import OutputError
from iupjong_xl.io.atomic import atomic_path, same_file
from iupjong_xl.messages import lang_of, text
from iupjong_xl.outputs.xlsx import (
    MAX_TEXT,
    Formats,
    add_table,
    display_width,
    finish,
    link_target,
    links_note,
    new_workbook,
    nothing_here,
)
from iupjong_xl.validate.findings import Finding, Report

__all__ = ["link_target", "write_findings", "write_findings_sheet"]

_MAX_TIP = 255

FINDING_COLUMNS = ("file", "sheet", "cell", "row", "column", "code", "severity", "message", "value")
_STATS = ("files", "files_valid", "rows", "errors", "warnings")


def _labels(lang: str) -> dict[str, Any]:
    """The workbook's labels in `lang`, from the message catalogue (messages.py)."""
    lang = lang_of(lang)
    return {
        "lang": lang,
        "summary": text("findings_xlsx.summary_title", lang),
        "findings": text("finding.sheet_title", lang),
        "headers": tuple(text(f"finding.head.{c}", lang) for c in FINDING_COLUMNS),
        "error": text("severity.error", lang),
        "warning": text("severity.warning", lang),
        "yes": text("word.yes", lang),
        "no": text("word.no", lang),
        "title": text("findings_xlsx.title", lang),
        "valid": text("findings_xlsx.valid", lang),
        "stats": {k: text(f"findings_xlsx.stat.{k}", lang) for k in _STATS},
        "file_headers": tuple(text(f"findings_xlsx.file_head.{c}", lang) for c in ("file", "errors", "warnings",
                                                                                   "valid")),
        "code_headers": tuple(text(f"findings_xlsx.code_head.{c}", lang) for c in ("code", "count", "severity", "message")),
        "pass": text("findings_xlsx.pass", lang),
        "fail": text("findings_xlsx.fail", lang),
        "open": text("word.open", lang),
        "none": text("findings_xlsx.none", lang),
        "links_copies": text("findings_xlsx.links_copies", lang),
    }


_WIDTH_CAPS = (40, 16, 8, 7, 20, 34, 8, 60, 30)
NO_LOCATION = frozenset({"FILE_SHEET_MISSING"})  # the sheet a finding names is not in the file: link the file


def _cell_text(value: object) -> str:
    text = "" if value is None else str(value)
    return text[:MAX_TEXT]


# Excel's own escaping of file links (as xlsxwriter does it), plus "#" which would start the location
_ESCAPES = (("%", "%25"), ('"', "%22"), (" ", "%20"), ("<", "%3c"), (">", "%3e"), ("[", "%5b"), ("]", "%5d"),
            ("^", "%5e"), ("`", "%60"), ("{", "%7b"), ("}", "%7d"), ("#", "%23"))


def _escape(path: str) -> str:
    for old, new in _ESCAPES:
        path = path.replace(old, new)
    return path


def _location(sheet: str, cell: str | None) -> str:
    return "'" + sheet.replace("'", "''") + "'!" + (cell or "A1")


class _Writer:
    """Writes cells, falling back to plain text when a link cannot be written."""

    def __init__(self, ws: Any) -> None:
        self.ws = ws

    def text(self, row: int, col: int, value: object, fmt: Any = None) -> int:
        text = _cell_text(value)
        if text == "":
            if fmt is not None:
                self.ws.write_blank(row, col, None, fmt)
            return 0
        self.ws.write_string(row, col, text, fmt)
        return display_width(text)

    def link(self, row: int, col: int, file_part: str, location: str | None, shown: str, tip: str,
             fmt: Any = None) -> int:
        url = "external:" + _escape(file_part) + ("#" + location if location else "")
        shown = _cell_text(shown)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            try:
                rc = self.ws.write_url(row, col, url, fmt, string=shown, tip=tip[:_MAX_TIP])
            except (ValueError, TypeError):
                rc = -1
        if rc != 0:
            return self.text(row, col, shown, fmt)
        return display_width(shown)


def write_findings(report: Report, path: str | os.PathLike, *, lang: str = "ko",
                   copies: dict[str, str | os.PathLike[str]] | None = None) -> Path:
    """Write the findings workbook to path (atomically) and return path. copies: file -> its marked-up copy (the
    annotated copies); the links then open the copy at the cell.

    Raises OutputError when path is one of the submitted files or cannot be written."""
    import xlsxwriter.exceptions

    target = Path(path)
    for fr in report.files:
        if same_file(target, Path(fr.path)):
            raise OutputError(f"{target}: 제출된 원본 파일 {fr.path}을(를) 덮어쓰지 않습니다. 다른 파일 이름을 고르세요.",
                              f"{target}: refusing to overwrite the submitted file {fr.path}", file=str(target))
    out_dir = target.parent if str(target.parent) else Path(".")
    paths = {fr.file: fr.path for fr in report.files} | {k: str(v) for k, v in (copies or {}).items()}
    lab = _labels(lang)

    with atomic_path(target) as tmp:
        wb = new_workbook(tmp, lab["findings"], in_memory=False)
        fm = Formats(wb)
        summary = wb.add_worksheet(lab["summary"])
        sheet = wb.add_worksheet(lab["findings"])
        _write_summary(summary, report, lab, fm, paths, out_dir, bool(copies))
        write_findings_sheet(sheet, fm, report.findings, paths, out_dir, lang)
        if not report.findings:
            nothing_here(sheet, fm, 3, lab["none"])
        try:
            wb.close()
        except (OSError, xlsxwriter.exceptions.FileCreateError) as exc:
            raise OutputError(f"{target}: 파일을 쓰지 못했습니다 ({exc}).", f"{target}: cannot write ({exc})",
                              file=str(target)) from exc
    return target


def _write_summary(ws: Any, report: Report, lab: dict[str, Any], f: Formats,
                   paths: dict[str, str], out_dir: Path, copies: bool = False) -> None:
    w = _Writer(ws)
    passed = f.wb.add_format({"bold": True, "font_color": "#006100"})
    failed = f.wb.add_format({"bold": True, "font_color": "#9C0006"})

    def note(col: int, width: int) -> None:
        pass

    w.text(0, 0, lab["title"], f.title)
    w.text(1, 0, (lab["links_copies"] + " " if copies else "") + links_note(out_dir, lang=lab["lang"]), f.note)
    valid = report.valid
    note(0, w.text(2, 0, lab["valid"], f.bold))
    w.text(2, 1, lab["yes"] if valid else lab["no"], f.passed if valid else f.error)
    row = 3
    for key, value in report.stats.items():
        note(0, w.text(row, 0, lab["stats"].get(key, key)))
        ws.write_number(row, 1, value)
        row += 1

    # per-file table
    row += 1
    for c, head in enumerate(lab["file_headers"]):
        note(c, w.text(row, c, head, f.head))
    row += 1
    counts: dict[str, Counter[str]] = {fr.file: Counter() for fr in report.files}
    for x in report.findings:
        counts.setdefault(x.file, Counter())[x.severity] += 1
    for file, sev in counts.items():
        fr_path = paths.get(file)
        note(0, w.link(row, 0, link_target(fr_path, file, out_dir), None, file, f"{lab['open']}: {file}",
                       f.url))
        ws.write_number(row, 1, sev.get("error", 0))
        ws.write_number(row, 2, sev.get("warning", 0))
        ok = sev.get("error", 0) == 0
        # coloured letters, not a fill: this column is as wide as the messages of the code table below
        w.text(row, 3, lab["pass"] if ok else lab["fail"], passed if ok else failed)
        row += 1

    # count per code
    row += 1
    for c, head in enumerate(lab["code_headers"]):
        note(c, w.text(row, c, head, f.head))
    row += 1
    per_code = Counter(x.code for x in report.findings)
    first: dict[str, Finding] = {}
    for x in report.findings:
        first.setdefault(x.code, x)
    for code, n in sorted(per_code.items(), key=lambda item: (-item[1], item[0])):
        note(0, w.text(row, 0, code))
        ws.write_number(row, 1, n)
        level = first[code].severity  # the message in the wide last column: the 경고 column above stays narrow
        w.text(row, 2, lab.get(level, level), {"error": f.error, "warning": f.warning}.get(level))
        w.text(row, 3, first[code].message(lab.get("lang", "ko")))
        row += 1
    if not per_code:
        nothing_here(ws, f, row, lab["none"])
    finish(ws, f, header=None, from_row=2, caps={0: 40, 1: 12, 2: 12, 3: 60}, one_page=True)


def write_findings_sheet(ws: Any, fm: Formats, findings: Sequence[Finding], paths: dict[str, str], out_dir: Path,
                         lang: str = "ko", *, as_table: bool = False) -> None:
    """The findings table (file, sheet, cell, row, column, code, severity, message, value), one row per finding,
    each linked to the file, sheet and cell it names; severities coloured. The one findings-sheet writer of the
    xlsxwriter workbooks (the findings workbook and the consolidated workbook's 검증결과)."""
    lab = _labels(lang)
    w = _Writer(ws)
    headers = lab["headers"]
    widths = [display_width(h) for h in headers]
    for c, head in enumerate(headers):
        w.text(0, c, head, fm.head)

    for i, f in enumerate(findings, start=1):
        file_part = link_target(paths.get(f.file), f.file, out_dir)
        sheet_part = None if f.code in NO_LOCATION else f.sheet
        where = f.file + (f" › {f.sheet}" if f.sheet is not None else "") + (f"!{f.cell}" if f.cell else "")
        tip = f"{lab['open']}: {where}"
        cells: list[int] = [0] * len(headers)
        if sheet_part is None:
            cells[0] = w.link(i, 0, file_part, None, f.file, tip, fm.url)
            cells[1] = w.text(i, 1, f.sheet)
            cells[2] = w.text(i, 2, f.cell)
        else:
            cells[0] = w.text(i, 0, f.file)
            if f.cell:
                cells[1] = w.text(i, 1, sheet_part)
                cells[2] = w.link(i, 2, file_part, _location(sheet_part, f.cell), f.cell, tip, fm.url)
            else:
                cells[1] = w.link(i, 1, file_part, _location(sheet_part, None), sheet_part, tip, fm.url)
        if f.row is not None:
            ws.write_number(i, 3, f.row)
            cells[3] = len(str(f.row))
        cells[4] = w.text(i, 4, f.column)
        cells[5] = w.text(i, 5, f.code)
        cells[6] = w.text(i, 6, lab.get(f.severity, f.severity), {"error": fm.error, "warning": fm.warning}.get(f.severity))
        cells[7] = w.text(i, 7, f.message(lang))
        cells[8] = w.text(i, 8, f.value)
        widths = [max(a, b) for a, b in zip(widths, cells, strict=False)]

    if as_table:  # an Excel table (filters, banded rows) among the consolidated workbook's other tables
        add_table(ws, 0, headers, len(findings), freeze=False, header_format=fm.head)
    else:
        ws.autofilter(0, 0, max(len(findings), 1), len(headers) - 1)
    ws.freeze_panes(1, 0)
    finish(ws, fm, header=0, caps=dict(enumerate(_WIDTH_CAPS)), landscape=True)
