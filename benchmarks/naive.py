"""The naive pipeline, written honestly with the product's rules, as a whole process:

    python benchmarks/naive.py CORPUS -o OUT.xlsx     -> one JSON line on stdout (work time, files, rows, findings)

Per file: openpyxl `load_workbook(read_only=True, data_only=True)` (what `pandas.read_excel(engine="openpyxl")`
does) -> template id from the `_서식정보` sheet -> per report sheet: the values as a grid, the product's header /
form location (`iupjong_xl.layout`) and tolerant coercion into a typed DataFrame (`iupjong_xl.schemas.build_frame`)
-> **one lazy pandera `DataFrameSchema.validate` per sheet per file** with the product's schema
(`iupjong_xl.schemas.schema_for`, via `run_schema`) and the per-file duplicate checks -> the product's
cross-field rules on the file's records. Then `pd.concat` of the per-file frames of each sheet (with a
`source_file` column) and `DataFrame.to_excel` with the openpyxl engine, one sheet per report sheet.

So the rules, messages and findings are the product's; what differs is the stack: openpyxl instead of calamine,
pandera per file instead of once per sheet kind over the stacked frame, openpyxl instead of xlsxwriter.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
import warnings
from collections import Counter
from pathlib import Path
from typing import Any


def run(folder: str, out: str) -> dict[str, object]:
    import openpyxl
    import pandas as pd

    from iupjong_xl import rulebook
    from iupjong_xl.io.reader import Grid
    from iupjong_xl.rulebook import META_SHEET
    from iupjong_xl.validate.findings import FindingFactory
    from iupjong_xl.validate.layout import match_sheet, read_form, read_meta, read_table
    from iupjong_xl.validate.rules import FileRecords, check_rules
    from iupjong_xl.validate.schemas import SheetInput, build_frame, duplicates, run_schema

    t0 = time.perf_counter()
    files = sorted(p for p in Path(folder).rglob("*.xlsx") if not p.name.startswith(("~$", ".")))
    book = rulebook.load(max(rulebook.available_years()))
    ff = FindingFactory(book)
    frames: dict[str, list[pd.DataFrame]] = {}
    findings = []
    pandera_calls = 0
    for path in files:
        display = str(path)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
        try:
            names = wb.sheetnames

            def grid(name: str, wb: openpyxl.Workbook = wb) -> Grid:
                rows = [["" if v is None else v for v in row] for row in wb[name].iter_rows(values_only=True)]
                while rows and all(v == "" for v in rows[-1]):
                    rows.pop()
                return Grid(name, rows, False, len(rows))

            meta = read_meta(grid(META_SHEET)) if META_SHEET in names else {}
            rep = book.report_for_template(meta.get("template_id", ""))
            if rep is None:
                findings.append(ff.make("FILE_TEMPLATE_UNKNOWN", display, detail=str(meta.get("template_id"))))
                continue
            fr = FileRecords(display, {}, {})
            for sheet in book.report_sheets(rep.kind):
                name = match_sheet(sheet, names)
                if name is None:
                    findings.append(ff.make("FILE_SHEET_MISSING", display, sheet=sheet.name))
                    continue
                g = grid(name)
                data, problems = read_form(sheet, g) if sheet.layout == "form" else read_table(sheet, g, book)
                for p in problems:
                    findings.append(ff.make(p.code, display, sheet=p.sheet, cell=p.cell, row=p.row, column=p.column,
                                            value=p.value, **p.params))
                inp = SheetInput(0, display, data)
                df, coerce_findings = build_frame(book, sheet, [inp], ff)  # the DataFrame of this sheet of this file
                findings += coerce_findings
                skip = {(0, f.record, c.key) for f in coerce_findings if f.record is not None
                        for c in sheet.columns if c.header == f.column}
                findings += run_schema(book, sheet, df, {0: inp}, ff, skip)  # one pandera call (when rows)
                pandera_calls += not df.empty
                findings += duplicates(book, sheet, df, {0: inp}, ff)
                recs: list[Any] = df.astype(object).where(df.notna(), None).to_dict("records") if not df.empty else []
                fr.inputs[sheet.key], fr.records[sheet.key] = inp, recs
                out_df = df.drop(columns=["_f", "_r"])
                out_df.insert(0, "source_file", display)
                frames.setdefault(sheet.key, []).append(out_df)
            findings += check_rules(book, fr, ff)
        finally:
            wb.close()
    t_checked = time.perf_counter()
    rows = 0
    with pd.ExcelWriter(out, engine="openpyxl") as xw:
        for key, parts in frames.items():
            df = pd.concat(parts, ignore_index=True)
            for col in df.columns:  # brn lists are tuples in the typed frame; a cell holds text
                if df[col].dtype == object:
                    df[col] = df[col].map(lambda v: ", ".join(v) if isinstance(v, tuple) else v)
            df.to_excel(xw, sheet_name=book.sheets[key].name, index=False)
            rows += len(df)
    t_end = time.perf_counter()
    sev = Counter(f.severity for f in findings)
    return {"work_s": t_end - t0, "check_s": t_checked - t0, "write_s": t_end - t_checked, "files": len(files),
            "rows": rows, "pandera_calls": pandera_calls, "errors": sev.get("error", 0),
            "warnings": sev.get("warning", 0), "codes": dict(sorted(Counter(f.code for f in findings).items()))}


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description="the naive pipeline (openpyxl -> pandera per file -> openpyxl write)")
    ap.add_argument("corpus")
    ap.add_argument("-o", "--output", required=True)
    a = ap.parse_args(argv)
    print(json.dumps(run(a.corpus, a.output), ensure_ascii=False))


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # run from a fresh clone without install
    main()
