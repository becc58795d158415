"""The consolidated (national or federation) workbook, written atomically with live formulas from a consolidation
and its derived tables."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from iupjong_xl.consolidate.derive import Derived
from iupjong_xl.consolidate.indicators import MEASURES, indicator_value
from iupjong_xl.consolidate.model import ALL_SHEETS, Consolidation
from iupjong_xl.consolidate.sheets import (
    FUNDING_COLS,
    MEASURE_HEADERS,
    S_EDITS,
    S_FINDINGS,
    S_FUNDING,
    S_IND,
    S_REJECTED,
    S_REPORTING,
    S_SOURCES,
    S_SUMMARY,
    SOURCE_KIND_KO,
    SOURCE_STATUS_KO,
    UID,
    WHOLE,
    data_headers,
    empty_note,
    shown_rows,
)
from iupjong_xl.io.reader import col_letter as _col
from iupjong_xl.outputs.findings_xlsx import write_findings_sheet
from iupjong_xl.outputs.xlsx import (
    DATA_LABELS,
    Book,
    Formats,
    Sheet,
    add_table,
    column_chart,
    finish,
    hide_empty_columns,
    meta_sheet,
    nothing_here,
    write_rows,
    xlsx,
)
from iupjong_xl.rulebook import CONSOLIDATED_META, RuleBook

# ----------------------------------------------------------------------------------------------------- writing


def write_workbook(cons: Consolidation, path: str | os.PathLike[str], derived: Derived, *,
                   links_from: Path | None = None) -> Path:
    """Write the consolidated workbook atomically from the consolidation and its derived tables (computed by
    consolidate.derive; the writer never computes); an existing file is replaced only when writing succeeded.
    links_from: the folder the findings' links are relative to (default: the workbook's own; verify writes the
    expected view elsewhere)."""
    level_ko = "전국" if cons.level == "national" else f"{cons.target_federation or ''} 연합회"
    with xlsx(path, f"{cons.year}년 이업종 교류 {level_ko} 취합", in_memory=False) as (wb, f):
        _write(wb, f, cons, derived, links_from or Path(path).resolve().parent)
    return Path(path)


def _write(wb: Book, f: Formats, cons: Consolidation, d: Derived, out_dir: Path) -> None:
    ws_sum = wb.add_worksheet(S_SUMMARY)
    ind_total_row = _indicators(wb, f, cons, d)
    _reporting(wb, f, d)
    funding_cells = _funding(wb, f, cons, d)
    _summary(ws_sum, f, cons, d, ind_total_row, funding_cells, out_dir)
    for key in ALL_SHEETS:
        _data_sheet(wb, f, cons.book, key, shown_rows(cons, key), cons.extra_columns.get(key))
    _findings(wb, f, cons, out_dir)
    _rejected(wb, f, cons)
    _sources(wb, f, cons)
    _edit_log(wb, f, cons)
    _changes(wb, f, cons)
    meta_sheet(wb, CONSOLIDATED_META, [("kind", "consolidated"), ("level", cons.level), ("year", str(cons.year)),
                                       ("version", cons.book.version), ("content_hash", cons.content_hash),
                                       ("federation", cons.target_federation or "")])
    ws_sum.activate()


def _indicators(wb: Any, f: Formats, cons: Consolidation, d: Derived) -> int:
    """Measures per federation + indicator formulas; the national row sums the measures. Returns its 0-based row."""
    ws = wb.add_worksheet(S_IND)
    book, t = cons.book, d.table
    ws.write_string(0, 0, f"{cons.year}년 연합회별 지표 (비율은 분자·분모 합계로 다시 계산)", f.title)
    heads = ["연합회", *(MEASURE_HEADERS[m] for m in MEASURES), *(f"{i.ko}({i.unit})" for i in book.indicators if i.denominator)]
    for c, h in enumerate(heads):
        ws.write_string(2, c, h, f.header)
    mcol = {m: 1 + i for i, m in enumerate(MEASURES)}
    ratio = [i for i in book.indicators if i.denominator]
    first = 3
    rows = [(fed, t.measures[fed]) for fed in t.federations]
    for r, (fed, m) in enumerate(rows, start=first):
        ws.write_string(r, 0, fed)
        for k in MEASURES:
            ws.write_number(r, mcol[k], m[k], f.int)
        _ratio_cells(ws, f, r, ratio, mcol, m, len(MEASURES) + 1, f.pct)
    total = first + len(rows)
    ws.write_string(total, 0, "전국 합계" if cons.level == "national" else "합계", f.total)
    for k in MEASURES:
        col = _col(mcol[k])
        if rows:
            ws.write_formula(total, mcol[k], f"=SUM({col}{first + 1}:{col}{total})", f.total, t.total[k])
        else:  # SUM(B4:B3) would include the total cell itself: a circular reference
            ws.write_number(total, mcol[k], t.total[k], f.total)
    _ratio_cells(ws, f, total, ratio, mcol, t.total, len(MEASURES) + 1, f.total_pct)
    ws.freeze_panes(3, 1)
    if rows:
        ws.autofilter(2, 0, total - 1, len(heads) - 1)
        rate_col = len(MEASURES) + 1 + next(i for i, ind in enumerate(ratio) if ind.key == "reporting_rate")
        chart = column_chart(wb, "연합회별 보고율(%)", y_name="%", y_max=100)
        chart.add_series({"name": "보고율(%)", "categories": [S_IND, first, 0, total - 1, 0],
                          "values": [S_IND, first, rate_col, total - 1, rate_col], "data_labels": DATA_LABELS})
        ws.insert_chart(total + 2, 0, chart, {"x_scale": 2.0, "y_scale": 1.1})
    else:
        nothing_here(ws, f, total + 2, "연합회별로 셀 보고서가 없습니다.")
    finish(ws, f, header=2, caps={0: 12}, one_page=True, landscape=True)
    return total


def _ratio_cells(ws: Any, f: Formats, r: int, ratio: list[Any], mcol: dict[str, int], m: dict[str, int], start: int,
                 fmt: Any) -> None:
    for i, ind in enumerate(ratio):
        num, den = _col(mcol[ind.numerator]), _col(mcol[ind.denominator])
        value = indicator_value(ind, m)
        formula = f'=IF({den}{r + 1}=0,"",{num}{r + 1}/{den}{r + 1}*{ind.factor:g})'
        ws.write_formula(r, start + i, formula, fmt, "" if value is None else value)


def _summary(ws: Any, f: Formats, cons: Consolidation, d: Derived, total_row: int, funding: dict[str, str],
             out_dir: Path) -> None:
    book = cons.book
    national = cons.level == "national"
    ws.write_string(0, 0, f"{cons.year}년 이업종 교류 현황 ({'전국' if national else cons.target_federation})", f.title)
    mcol = {m: 1 + i for i, m in enumerate(MEASURES)}
    ratio_start = len(MEASURES) + 1
    ratio = [i for i in book.indicators if i.denominator]
    paper_feds = book.parameters.get("paper_federations") if national else None
    with_paper = national and (paper_feds is not None or any(i.paper is not None for i in book.indicators))
    heads = ["항목", "단위", "값", *(["공표치(2009.3)", "비교"] if with_paper else []), "산식"]
    c_how = len(heads) - 1
    for c, h in enumerate(heads):
        ws.write_string(2, c, h, f.header)
    lines: list[tuple[str, str, str, Any, Any, Any, str]] = []  # label, unit, formula, value, fmt, paper, how
    if national:
        n_feds = len(d.table.federations)
        cats = f"'{S_IND}'!A4:A{total_row}" if n_feds else None
        lines.append(("지역연합회", "개", f"=COUNTA({cats})" if cats else "=0", n_feds, f.int, paper_feds,
                      "연합회별 지표의 연합회 수"))
    for ind in book.indicators:
        value = d.table.value(ind)
        if ind.denominator:
            col = _col(ratio_start + ratio.index(ind))
            formula = f"='{S_IND}'!{col}{total_row + 1}"
            how = f"{MEASURE_HEADERS[ind.numerator]} ÷ {MEASURE_HEADERS[ind.denominator]}" + (
                f" × {ind.factor:g}" if ind.factor != 1 else "")
        else:
            formula = f"='{S_IND}'!{_col(mcol[ind.numerator])}{total_row + 1}"
            how = MEASURE_HEADERS[ind.numerator]
        lines.append((ind.ko, ind.unit, formula, value, f.pct if ind.decimals else f.int, ind.paper, how))
    r = 3
    for label, unit, formula, value, fmt, paper, how in lines:
        ws.write_string(r, 0, label)
        ws.write_string(r, 1, unit)
        ws.write_formula(r, 2, formula, fmt, "" if value is None else value)
        if with_paper and paper is not None:
            ws.write_number(r, 3, paper, fmt)
            digits = 1 if fmt is f.pct else 0
            same = value is not None and round(value, digits) == round(paper, digits)
            ws.write_formula(r, 4, f'=IF(C{r + 1}="","",IF(ROUND(C{r + 1},{digits})=ROUND(D{r + 1},{digits}),"일치",'
                                   f'"차이 "&TEXT(C{r + 1}-D{r + 1},"+0.0;-0.0")))', None,
                             "일치" if same else ("" if value is None else f"차이 {value - paper:+.1f}"))
        ws.write_string(r, c_how, how)
        r += 1
    tot = d.round.totals()
    r += 1
    ws.write_string(r, 0, f"{book.parameters['funding']['round_year']}년 협력체 지원", f.bold)
    for key, label, fmt in [("requests", "신청", f.int), ("eligible", "지원 적격", f.int), ("selected", "선정", f.int),
                            ("selected_total_won", "선정 총사업비(원)", f.won),
                            ("selected_gov_won", "정부지원 합계(원)", f.won),
                            ("selected_company_won", "기업부담 합계(원)", f.won), ("budget_won", "사업 예산(원)", f.won)]:
        r += 1
        ws.write_string(r, 0, label)
        if fmt is not f.won:
            ws.write_string(r, 1, "건")
        if key in funding:  # live: follows the 지원금 sheet when a user edits it
            ws.write_formula(r, 2, f"='{S_FUNDING}'!{funding[key]}", fmt, tot[key])
        else:
            ws.write_number(r, 2, tot[key], fmt)
    budget = book.parameters.get("support_budget_million_won", {})
    if budget:
        r += 2
        ws.write_string(r, 0, "이업종 교류 지원예산(백만원)", f.bold)
        for k, v in budget.items():
            r += 1
            ws.write_string(r, 0, _budget_label(str(k)))
            ws.write_number(r, 2, v, f.int)
    ws.write_string(r + 2, 0, "검증결과 시트의 링크는 이 파일이 있는 폴더 기준 상대 경로입니다. 옮길 때는 보고서 파일과 함께 옮기세요.",
                    f.note)
    ws.freeze_panes(3, 0)
    finish(ws, f, header=2, caps={c_how: 50}, one_page=True, landscape=False)


def _budget_label(key: str) -> str:
    """'total_2001_2009' -> '2001~2009 합계'; '2009' -> '2009년'."""
    parts = key.split("_")
    if len(parts) == 3 and parts[0] == "total":
        return f"{parts[1]}~{parts[2]} 합계"
    return f"{key}년"


def _reporting(wb: Any, f: Formats, d: Derived) -> None:
    ws = wb.add_worksheet(S_REPORTING)
    heads = ["연합회", "교류회코드", "교류회명", "명부 회원사 수", "보고서 접수", "비고"]
    rows = [[r["federation"], r["club_code"], r.get("club_name") or "", r.get("member_count"),
             "예" if r["received"] else "아니오", "명부에 없음" if r.get("not_in_roster") else ""] for r in d.reporting]
    if not any(row[5] for row in rows):  # 비고 only when a club is not on its roster
        heads, rows = heads[:5], [row[:5] for row in rows]
    first, _last = _table(ws, f, heads, rows, {3: f.int})
    for i, row in enumerate(rows):
        if row[4] == "아니오":  # the clubs that did not report stand out
            ws.write_string(first + i, 4, "아니오", f.missing)
    if not rows:
        nothing_here(ws, f, 3, "명부(교류회 명부)가 없어 보고 현황을 셀 수 없습니다.")
    finish(ws, f, header=0)


def _funding(wb: Any, f: Formats, cons: Consolidation, d: Derived) -> dict[str, str]:
    """The 지원금 sheet; returns the A1 cells of its totals (funding total key -> cell) for the 요약 sheet."""
    ws = wb.add_worksheet(S_FUNDING)
    book = cons.book
    p = book.parameters["funding"]
    ws.write_string(0, 0, f"{p['round_year']}년 프로젝트 단위협력체 지원 — 협력체당 {p['max_total_won']:,}원 이내, 정부 "
                          f"{p['gov_share_max']:.0%} + 기업 {p['company_share_min']:.0%}, 최대 {p['max_consortia']}개, "
                          f"예산 {p['program_budget_won']:,}원. 평가점수(노란 칸)를 입력하고 [지표·지원금 갱신]을 누르세요.", f.bold)
    names = {str(m["brn"]): str(m.get("company_name") or "") for m in cons.rows("member") if m.get("brn")}
    rows = []
    for r in d.round.requests:
        rows.append([r.key, r.federation, r.club_code, r.title, r.lead_brn, names.get(r.lead_brn or "", ""),
                     ", ".join(r.partner_brns), ", ".join(names.get(b, "(회원사 아님)") for b in r.partner_brns), r.field,
                     r.total_won, r.gov_won, r.company_won, r.submitted,
                     r.score if r.invalid_score is None else r.invalid_score, "적격" if r.eligible else "부적격",
                     r.reason_text(book), r.rank, "예" if r.selected else "아니오", r.gov_awarded, r.company_awarded,
                     r.note_text(book)])
    cols = list(FUNDING_COLS)  # the reader maps by header: the company names beside the BRNs are for people
    cols.insert(cols.index(("lead_brn", "주관기업")) + 1, ("lead_name", "주관기업명"))
    cols.insert(cols.index(("partner_brns", "참여기업")) + 1, ("partner_names", "참여기업명"))
    heads = [h for _k, h in cols]
    idx = {k: i for i, (k, _h) in enumerate(cols)}
    fmts = {idx["total_won"]: f.won, idx["gov_won"]: f.won, idx["company_won"]: f.won, idx["submitted"]: f.date,
            idx["score"]: f.input, idx["gov_awarded"]: f.won, idx["company_awarded"]: f.won}
    first, last = _table(ws, f, heads, rows, fmts, top=2)
    score_col = next(c for c in book.sheets["consortium"].columns if c.key == "score")
    input_rule(ws, first, last, idx["score"], score_col)
    sel, tot = _col(idx["selected"]), _col(idx["total_won"])
    g, c = _col(idx["gov_awarded"]), _col(idx["company_awarded"])
    t = d.round.totals()
    top = last + 2
    rng = lambda col: f"{col}{first + 1}:{col}{max(last, first) + 1}"
    elig = _col(idx["eligible"])
    lines = [
        ("requests", "신청 건수", f"=COUNTA({rng(_col(idx['key']))})", t["requests"], f.int, None),
        ("eligible", "지원 적격", f'=COUNTIF({rng(elig)},"적격")', t["eligible"], f.int, None),
        ("selected", "선정 건수", f'=COUNTIF({rng(sel)},"예")', t["selected"], f.int, p["max_consortia"]),
        ("selected_total_won", "선정 총사업비(원)", f'=SUMIF({rng(sel)},"예",{rng(tot)})', t["selected_total_won"], f.won,
         p["program_budget_won"]),
        ("selected_gov_won", "정부지원 합계(원)", f"=SUM({rng(g)})", t["selected_gov_won"], f.won, None),
        ("selected_company_won", "기업부담 합계(원)", f"=SUM({rng(c)})", t["selected_company_won"], f.won, None),
    ]
    ws.write_string(top, 0, "합계", f.bold)
    ws.write_string(top, 2, "한도", f.bold)
    ws.write_string(top, 3, "남은 한도", f.bold)
    cells: dict[str, str] = {}
    for i, (key, label, formula, value, fmt, limit) in enumerate(lines, start=1):
        cells[key] = f"B{top + i + 1}"
        ws.write_string(top + i, 0, label)
        ws.write_formula(top + i, 1, formula, fmt, value)
        if limit is not None:
            ws.write_number(top + i, 2, limit, fmt)
            ws.write_formula(top + i, 3, f"=C{top + i + 1}-B{top + i + 1}", fmt, limit - value)
    if not rows:
        nothing_here(ws, f, top - 1, "협력과제 신청이 없습니다.", col=4)
    finish(ws, f, header=2, caps={idx["title"]: 30, idx["partner_brns"]: 26, idx["partner_names"]: 26,
                                  idx["reasons"]: 40, idx["note"]: 30})
    return cells


def _table(ws: Sheet, f: Formats, heads: list[str], rows: list[list[Any]], fmts: dict[int, Any], top: int = 0,
           name: str | None = None) -> tuple[int, int]:
    """An Excel table (filters, banded rows) with the kit's typed cells; the 평가점수 input column keeps its yellow
    cells where nothing was typed yet. Returns (first, last) data row."""
    blank = {c: fmt for c, fmt in fmts.items() if fmt is f.input}
    write_rows(ws, top + 1, rows, fmts, blank=blank)
    return top + 1, add_table(ws, top, heads, len(rows), name=name)


def _data_sheet(wb: Any, f: Formats, book: RuleBook, key: str, records: list[dict[str, Any]],
                extra: list[tuple[str, dict[Any, Any]]] | None = None) -> None:
    sheet = book.sheets[key]
    ws = wb.add_worksheet(sheet.name)
    cols = data_headers(book, key)
    fmts = {}
    for i, (k, _h) in enumerate(cols):
        col = next((c for c in sheet.columns if c.key == k), None)
        if k == "year" or k.endswith("_year") or k == "_row":
            fmts[i] = f.year  # 2009, not 2,009
        elif col is not None and col.type == "date":
            fmts[i] = f.date
        elif col is not None and col.type in ("int", "float"):
            fmts[i] = f.won if k.endswith("_won") else (f.pct if col.type == "float" else f.int)
    extras = extra or []  # columns people added by hand: kept with their values, which follow their row (by row id)
    rows = [[rec.get(k) for k, _h in cols] + [values.get(rec.get(UID)) for _h, values in extras] for rec in records]
    first, last = _table(ws, f, [h for _k, h in cols] + [h for h, _v in extras], rows, fmts)
    for i, (k, _h) in enumerate(cols):  # the cells people may correct carry their column's rule
        col = next((c for c in sheet.columns if c.key == k), None)
        if col is not None and k not in ("year", "federation", "club_code") and rows:
            input_rule(ws, first, last, i, col)
    if not rows:
        nothing_here(ws, f, 3, empty_note(sheet.name))
    hide_empty_columns(ws, len(cols), rows)  # kept for the reader (it maps by header), hidden for people
    keys = [k for k, _h in cols]
    fixed = {keys.index(k): 18 for k in ("_sha256",) if k in keys}
    finish(ws, f, header=0, widths=fixed, keys=3, caps={keys.index("_source"): 30} if "_source" in keys else None,
           nowrap=set(fixed) | ({keys.index("_source")} if "_source" in keys else set()))
    ws.set_column(keys.index(UID), keys.index(UID), None, None, {"hidden": True})  # the ledger's row id


def input_rule(ws: Any, first: int, last: int, c: int, col: Any) -> None:
    """Excel data validation on an input column: its range or list and an input message; error style "warning", so
    a person can still type another value and see the finding the next refresh makes of it."""
    opts: dict[str, Any] = {"error_type": "warning", "input_title": col.header[:32], "error_title": col.header[:32]}
    if col.type in ("int", "float") and (col.min is not None or col.max is not None):
        kind = "whole" if col.type == "int" else "decimal"
        lo, hi = col.min, col.max
        if lo is not None and hi is not None:
            opts.update(validate=kind, criteria="between", minimum=lo, maximum=hi)
            text = f"{lo:g}~{hi:g} 사이 숫자"
        elif lo is not None:
            opts.update(validate=kind, criteria=">=", value=lo)
            text = f"{lo:g} 이상 숫자"
        else:
            opts.update(validate=kind, criteria="<=", value=hi)
            text = f"{hi:g} 이하 숫자"
    elif col.choices and col.type != "bool" and len(", ".join(col.choices)) < 250:
        opts.update(validate="list", source=list(col.choices))
        text = "목록에서 고르세요: " + ", ".join(col.choices)
    else:
        return
    opts["input_message"] = text[:255]
    opts["error_message"] = f"{text}가 아닙니다. 그래도 넣으면 다음 갱신 때 오류로 표시됩니다."[:255]
    ws.data_validation(first, c, last, c, opts)


def _findings(wb: Any, f: Formats, cons: Consolidation, out_dir: Path) -> None:
    ws = wb.add_worksheet(S_FINDINGS)
    paths = {s.file: s.path for s in (*cons.sources, *cons.kept_sources)}
    findings = [*cons.findings, *cons.kept_findings]
    write_findings_sheet(ws, f, findings, paths, out_dir, as_table=True)
    if not findings:
        nothing_here(ws, f, 3, "검증에서 찾은 문제가 없습니다.")


def _rejected(wb: Any, f: Formats, cons: Consolidation) -> None:
    """제외: every row that was read but not consolidated, with the codes of the error findings that kept it out."""
    ws = wb.add_worksheet(S_REJECTED)
    rows = []
    for rr in (*cons.rejected_rows, *cons.kept_rejected):
        codes = ", ".join(rr.get("codes") or ())
        rows.append([rr["file"], rr["sheet"], rr["row"], (WHOLE if rr.get("whole") else "") + codes])
    _table(ws, f, ["원본 파일", "시트", "행", "사유 코드"], rows, {2: f.year})
    if not rows:  # below the table's empty row: the reader stops at that row
        nothing_here(ws, f, 3, "제외된 행이 없습니다: 읽은 행이 모두 취합되었습니다.")
    finish(ws, f, header=0, caps={0: 40, 3: 50})


def _sources(wb: Any, f: Formats, cons: Consolidation) -> None:
    ws = wb.add_worksheet(S_SOURCES)
    sheets = [*ALL_SHEETS, "carried"]
    names = {k: cons.book.sheets[k].name for k in sheets if k in cons.book.sheets} | {"carried": "취합본 행"}
    heads = ["파일", "SHA-256", "종류", "연합회", "교류회코드", "서식 버전", "처리"]
    for k in sheets:
        heads += [f"{names[k]} 입력", f"{names[k]} 반영", f"{names[k]} 제외"]
    rows: list[list[Any]] = []
    for s in (*cons.sources, *cons.kept_sources):
        row: list[Any] = [s.file, s.sha256, SOURCE_KIND_KO.get(s.kind or "", s.kind), s.federation, s.club_code,
                          s.template_version, SOURCE_STATUS_KO.get(s.status, s.status)]
        for k in sheets:
            row += [s.rows_in.get(k, 0), s.accepted.get(k, 0), s.rejected.get(k, 0)]
        rows.append(row)
    _table(ws, f, heads, rows, {i: f.int for i in range(7, len(heads))})
    finish(ws, f, header=0, caps={0: 40}, widths={1: 18}, nowrap={1})


EDIT_HEADS = ["일시", "작업자", "구분", "시트", "행 ID", "항목", "이전 값", "새 값", "비고"]


def _edit_log(wb: Any, f: Formats, cons: Consolidation) -> None:
    """수정 이력: every correction typed into this workbook, every row restored after a deletion and every row added
    by hand, as the ledger recorded them (newest last)."""
    ws = wb.add_worksheet(S_EDITS)
    rows = [[e.get("at"), e.get("user"), e.get("kind_ko"), e.get("sheet"), e.get("uid"), e.get("column"),
             e.get("old"), e.get("new"), e.get("note")] for e in cons.edit_log]
    _table(ws, f, EDIT_HEADS, rows, {})
    if not rows:
        nothing_here(ws, f, 3, "손으로 고친 내용이 없습니다 (원장이 기록한 수정·복원·추가 행이 여기에 나옵니다).")
    finish(ws, f, header=0, caps={6: 30, 7: 30, 8: 50})


CHANGE_HEADS = ["구분", "연합회", "보고서", "시트", "키", "항목", "이전 값", "새 값", "파일", "일시", "작업자", "행 ID"]
S_CHANGES = "변경 내역"


def _changes(wb: Any, f: Formats, cons: Consolidation) -> None:
    """변경 내역: what this run changed in each report it replaced (rows added and removed, every cell changed, rows
    matched by natural key) and the hand corrections the ledger recorded."""
    ws = wb.add_worksheet(S_CHANGES)
    keys = ["change", "federation", "unit", "sheet", "key", "column", "old", "new", "file", "at", "user", "uid"]
    rows = [[c.get(k) for k in keys] for c in cons.changes]
    _table(ws, f, CHANGE_HEADS, rows, {})
    if not rows:
        nothing_here(ws, f, 3, "이번 취합에서 바뀐 보고서 내용이 없습니다 (교체된 보고서의 추가·삭제 행과 바뀐 값, 손으로 고친 값이 여기에 나옵니다).")
    finish(ws, f, header=0, caps={4: 30, 5: 40, 6: 30, 7: 30, 8: 40})
