"""Reference tasks the harness runs as child processes; each prints one JSON line with its in-process work time.

  python benchmarks/tasks.py floor    CORPUS       unzip every workbook and read (decompress) every sheet's XML
                                                   and the shared strings: zipfile + bytes, no parsing.  THE FLOOR.
  python benchmarks/tasks.py calamine CORPUS       python-calamine: open every workbook, every sheet to Python values
                                                   (a parse floor; informative).
  python benchmarks/tasks.py write    SRC.xlsx OUT write every sheet's cells of SRC (the product's consolidated
                                                   workbook, read untimed with calamine) with xlsxwriter alone, typed
                                                   cells, one Excel table per sheet: the "write" in "floor + write".

`work_s` excludes interpreter start and imports; the harness also measures the whole process.
"""

from __future__ import annotations

import json
import sys
import time
import zipfile
from pathlib import Path


def workbooks(folder: str | Path) -> list[Path]:
    return sorted(p for p in Path(folder).rglob("*.xlsx") if not p.name.startswith(("~$", ".")))


def floor(folder: str) -> dict[str, object]:
    files = workbooks(folder)
    t = time.perf_counter()
    n_xml = parts = 0
    for p in files:
        with zipfile.ZipFile(p) as z:
            for name in z.namelist():
                if (name.startswith("xl/worksheets/") and name.endswith(".xml")) or name == "xl/sharedStrings.xml":
                    n_xml += len(z.read(name))
                    parts += 1
    return {"work_s": time.perf_counter() - t, "files": len(files), "xml_parts": parts, "xml_bytes": n_xml}


def calamine(folder: str) -> dict[str, object]:
    from python_calamine import CalamineWorkbook

    files = workbooks(folder)
    t = time.perf_counter()
    cells = 0
    for p in files:
        wb = CalamineWorkbook.from_path(str(p))
        for name in wb.sheet_names:
            cells += sum(len(r) for r in wb.get_sheet_by_name(name).to_python(skip_empty_area=False))
        wb.close()
    return {"work_s": time.perf_counter() - t, "files": len(files), "cells": cells}


def write(src: str, out: str) -> dict[str, object]:
    import datetime as dt

    import xlsxwriter
    from python_calamine import CalamineWorkbook

    wb_in = CalamineWorkbook.from_path(src)
    sheets = [(n, wb_in.get_sheet_by_name(n).to_python()) for n in wb_in.sheet_names]
    wb_in.close()
    t = time.perf_counter()
    wb = xlsxwriter.Workbook(out, {"strings_to_numbers": False, "strings_to_formulas": False, "strings_to_urls": False})
    date_fmt, num_fmt = wb.add_format({"num_format": "yyyy-mm-dd"}), wb.add_format({"num_format": "#,##0"})
    rows = cells = 0
    for name, grid in sheets:
        ws = wb.add_worksheet(name[:31])
        width = max((len(r) for r in grid), default=0)
        for r, row in enumerate(grid):
            for c, v in enumerate(row):
                if v == "" or v is None:
                    continue
                if isinstance(v, str):
                    ws.write_string(r, c, v)
                elif isinstance(v, bool):
                    ws.write_boolean(r, c, v)
                elif isinstance(v, (int, float)):
                    ws.write_number(r, c, v, num_fmt)
                elif isinstance(v, (dt.date, dt.datetime)):
                    ws.write_datetime(r, c, v, date_fmt)
                else:
                    ws.write_string(r, c, str(v))
                cells += 1
        if len(grid) > 1 and width:
            header = [str(h) if h not in ("", None) else f"열{c + 1}" for c, h in enumerate(grid[0])]
            header += [f"열{c + 1}" for c in range(len(header), width)]
            seen: dict[str, int] = {}
            cols = []
            for h in header:  # table headers must be unique
                seen[h] = seen.get(h, 0) + 1
                cols.append({"header": h if seen[h] == 1 else f"{h}{seen[h]}"})
            ws.add_table(0, 0, len(grid) - 1, width - 1, {"columns": cols, "style": "Table Style Light 9"})
        rows += max(0, len(grid) - 1)
    wb.close()
    return {"work_s": time.perf_counter() - t, "sheets": len(sheets), "rows": rows, "cells": cells}


def main(argv: list[str]) -> None:
    cmd, *args = argv
    if cmd == "floor":
        result = floor(*args)
    elif cmd == "calamine":
        result = calamine(*args)
    elif cmd == "write":
        result = write(*args)
    else:
        raise SystemExit(f"unknown task {cmd!r} (floor, calamine, write)")
    print(json.dumps(result))


if __name__ == "__main__":
    main(sys.argv[1:])
