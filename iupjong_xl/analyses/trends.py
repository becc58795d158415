"""Year-over-year statistics: the indicators of several consolidated workbooks side by side, with their changes."""

from __future__ import annotations

import os
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from iupjong_xl.analyses.directory import Opened, open_consolidated
from iupjong_xl.consolidate.indicators import Table, compute
from iupjong_xl.errors import UsageError
from iupjong_xl.io.reader import col_letter as _col
from iupjong_xl.outputs.xlsx import (
    DATA_LABELS,
    Formats,
    cell,
    column_chart,
    finish,
    meta_sheet,
    nothing_here,
    table,
    xlsx,
)
from iupjong_xl.rulebook import Indicator, RuleBook

# Indicators that get a chart (per federation, one series per year) when every year has them.
HEADLINE = ("registered_clubs", "registered_members", "reporting_rate", "clubs_with_results", "tech_results",
            "avg_meetings")
# Rule-book settings a measure's count depends on: when they differ between years, the indicator is not comparable.
MEASURE_SETTINGS = {
    "clubs_attendance_ok": (("parameters", "attendance_threshold"),),
    "clubs_with_tech_results": (("measures", "tech_result_kinds"),),
    "tech_results": (("measures", "tech_result_kinds"),),
    "monthly_meetings": (("measures", "meeting_kind"),),
}
NATIONAL = "전국"
LEVEL_KO = {"national": "전국", "federation": "연합회"}
# Measures every year counts alike from the roster and the profiles: an indicator over them is computed for a year
# whose rule book does not list it (교류회당 회원사 in 2009), instead of being called not comparable.
ALWAYS_COUNTED = frozenset({"registered_clubs", "reported_clubs", "registered_members"})


@dataclass
class YearData:
    """One year's consolidated workbook: its rule book and indicator table."""

    year: int
    path: Path
    version: str
    level: str
    federation: str | None
    content_hash: str
    book: RuleBook
    table: Table


@dataclass
class Trends:
    """Indicators of each year per federation and nationally, their changes, what could not be compared, budgets."""

    years: list[int]
    data: list[YearData]
    indicators: list[Indicator]  # comparable: defined alike in every year's rule book
    not_comparable: list[dict[str, Any]]
    federations: list[str]
    rows: dict[str, dict[str, dict[str, Any]]]  # "전국" or federation -> indicator key -> row (values, changes)
    budget: list[dict[str, Any]]
    budget_totals: list[dict[str, Any]]
    members: list[dict[str, Any]] = field(default_factory=list)  # member companies followed by BRN, year to year

    def row(self, key: str, federation: str = NATIONAL) -> dict[str, Any]:
        return self.rows[federation][key]

    def to_dict(self) -> dict[str, Any]:
        return {
            "years": self.years,
            "level": self.data[0].level,
            "sources": [{"year": d.year, "path": str(d.path), "version": d.version, "level": d.level,
                         "federation": d.federation, "content_hash": d.content_hash, "run_id": d.content_hash} for d in self.data],
            "indicators": [{"key": i.key, "ko": i.ko, "en": i.en, "unit": i.unit, "decimals": i.decimals,
                            "change_unit": _change_unit(i), "headline": i.key in HEADLINE} for i in self.indicators],
            "not_comparable": self.not_comparable,
            "national": self.rows[NATIONAL],
            "federations": {f: self.rows[f] for f in self.federations},
            "budget": {"by_year": self.budget, "cumulative": self.budget_totals},
            "members": self.members,
        }


def member_flow(opened: Sequence[Opened]) -> list[dict[str, Any]]:
    """Member companies followed across years by their registration number, per pair of consecutive years.

    `comparable`: over the clubs that reported in both years only (a club's members are known only in a year it
    reported), how many companies joined, left, moved to another of those clubs, and stayed: a company counts on
    a side when it is a member of such a club in that year. `not_comparable`: per year, the clubs that reported in
    that year only and their companies that are in no club of both years (not counted above: a club that did not
    report says nothing about who left or joined). For each year, the companies of `comparable` (left + moved +
    stayed in the first year, joined + moved + stayed in the second) plus those of `not_comparable` are all its
    member companies.

    The top-level `joined`, `left`, `moved`, `stayed` (and `examples`) are kept for callers of earlier versions:
    deprecated, they compare every member of each year, whether its club reported in the other year or not."""
    clubs: list[dict[str, set[str]]] = []
    reported: list[set[str]] = []
    for o in opened:
        by_brn: dict[str, set[str]] = {}
        for r in o.frames["member"].to_dict("records"):
            if isinstance(r.get("brn"), str):
                by_brn.setdefault(r["brn"], set()).add(str(r.get("club_code")))
        clubs.append(by_brn)
        codes = {str(c) for c in o.frames["club"]["club_code"] if c is not None}
        reported.append(codes | {c for cs in by_brn.values() for c in cs})
    out = []
    years = [o.year for o in opened]
    for i in range(1, len(opened)):
        a, b, before, after = years[i - 1], years[i], clubs[i - 1], clubs[i]
        both = reported[i - 1] & reported[i]
        rest = {str(y): {"clubs": len(reported[j] - both),
                         "companies": sum(1 for v in clubs[j].values() if not v & both)}
                for j, y in ((i - 1, a), (i, b))}
        comparable = _flow({k: v & both for k, v in before.items() if v & both},
                           {k: v & both for k, v in after.items() if v & both})
        out.append({"from": a, "to": b, **_flow(before, after), "comparable": {"clubs": len(both), **comparable},
                    "not_comparable": rest})
    return out


def _flow(before: dict[str, set[str]], after: dict[str, set[str]]) -> dict[str, Any]:
    joined = sorted(set(after) - set(before))
    left = sorted(set(before) - set(after))
    moved = sorted(brn for brn in set(after) & set(before) if after[brn] != before[brn])
    return {"joined": len(joined), "left": len(left), "moved": len(moved),
            "stayed": len(set(after) & set(before)) - len(moved),
            "examples": {"joined": joined[:5], "left": left[:5],
                         "moved": [{"brn": m, "from": sorted(before[m]), "to": sorted(after[m])} for m in moved[:5]]}}


def _change_unit(ind: Indicator) -> str:
    return "%p" if ind.unit == "%" else ind.unit


def _setting(book: RuleBook, where: str, key: str) -> Any:
    return (book.parameters if where == "parameters" else book.measures).get(key)


def _definition(ind: Indicator) -> tuple[Any, ...]:
    return ind.numerator, ind.denominator, ind.factor


def compare(books: Sequence[RuleBook]) -> tuple[list[Indicator], list[dict[str, Any]]]:
    """Indicators every rule book defines alike (same measures, factor and settings), and the others with why not."""
    years = [b.year for b in books]
    keys: list[str] = []
    for b in reversed(books):  # the latest year's order first
        keys += [i.key for i in b.indicators if i.key not in keys]
    ok, not_ok = [], []
    for key in keys:
        defs = {b.year: next((i for i in b.indicators if i.key == key), None) for b in books}
        present = [y for y in years if defs[y] is not None]
        ind = next(i for y in reversed(years) if (i := defs[y]) is not None)
        entry = {"key": key, "ko": ind.ko, "en": ind.en, "years": present}
        if len(present) < len(years) and not ({ind.numerator, ind.denominator} - {None}) <= ALWAYS_COUNTED:
            missing = [y for y in years if y not in present]
            entry |= {"reason": "missing",
                      "ko": f"{ind.ko}: {', '.join(map(str, missing))}년 규칙집에 없는 지표",
                      "en": f"{ind.en}: not an indicator of the {', '.join(map(str, missing))} rule book"}
            not_ok.append(entry)
            continue
        if len({_definition(defs[y]) for y in present}) > 1:  # type: ignore[arg-type]
            entry |= {"reason": "definition", "ko": f"{ind.ko}: 연도마다 산식이 다름",
                      "en": f"{ind.en}: defined differently in different years"}
            not_ok.append(entry)
            continue
        changed = []
        for measure in {ind.numerator, ind.denominator} - {None}:
            for where, name in MEASURE_SETTINGS.get(measure, ()):  # type: ignore[arg-type]
                values = [_setting(b, where, name) for b in books]
                if any(v != values[0] for v in values):
                    changed.append(f"{name} " + " → ".join(f"{y}: {v}" for y, v in zip(years, values, strict=True)))
        if changed:
            entry |= {"reason": "settings", "ko": f"{ind.ko}: 기준이 다름 ({'; '.join(changed)})",
                      "en": f"{ind.en}: counted under different settings ({'; '.join(changed)})"}
            not_ok.append(entry)
            continue
        ok.append(ind)
    return ok, not_ok


def _value(ind: Indicator, t: Table, fed: str | None) -> float | None:
    if fed is not None and fed not in t.measures:
        return None
    v = t.value(ind, fed)
    if v is None:
        return None
    return round(v, ind.decimals) if ind.decimals else round(v)


def _row(ind: Indicator, years: list[int], values: list[float | None]) -> dict[str, Any]:
    """Values by year, the change from the year before, and the change from the first to the last year."""
    def diff(a: float | None, b: float | None) -> float | None:
        if a is None or b is None:
            return None
        d = b - a
        return round(d, ind.decimals) if ind.decimals else int(d)

    first, last = values[0], values[-1]
    pct = None
    if ind.unit != "%" and first not in (None, 0) and last is not None:
        pct = round((last - first) / first * 100, 1)
    return {"values": {str(y): v for y, v in zip(years, values, strict=True)},
            "changes": {str(y): diff(values[i - 1], values[i]) for i, y in enumerate(years) if i},
            "change": diff(first, last), "change_pct": pct}


def _budgets(books: Sequence[RuleBook]) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Support budget per year and the cumulative totals, from each rule book's support_budget_million_won."""
    by_year: dict[int, dict[str, Any]] = {}
    totals: list[dict[str, Any]] = []
    for b in books:
        for k, v in (b.parameters.get("support_budget_million_won") or {}).items():
            k = str(k)
            if m := re.fullmatch(r"total_(\d{4})_(\d{4})", k):
                totals.append({"from": int(m[1]), "to": int(m[2]), "million_won": v, "rule_book": b.year})
            elif k.isdigit():
                y = int(k)
                if y not in by_year or b.year == y:  # a year's own rule book has the last word
                    by_year[y] = {"year": y, "million_won": v, "rule_book": b.year}
    years = sorted({b.year for b in books} | set(by_year))
    return ([by_year.get(y, {"year": y, "million_won": None, "rule_book": None}) for y in years],
            sorted(totals, key=lambda t: (t["to"], t["from"])))


def ledger_years(ledger: str | os.PathLike[str], level: str = "national") -> list[Opened]:
    """The consolidated workbooks of every year a ledger holds, at one level (national by default; a federation
    ledger holds its federation's workbooks), as the ledger records them."""
    from iupjong_xl.consolidate.record import recorded_workbooks

    found = [Opened(path, cons, cons.book.version) for path, cons in recorded_workbooks(ledger)]
    levels = {o.cons.level for o in found}
    if level not in levels and len(levels) == 1:
        level = levels.pop()  # e.g. a federation's ledger: its own workbooks
    chosen = [o for o in found if o.cons.level == level]
    if not chosen:
        raise UsageError(f"원장 {ledger}에 취합 기록이 없습니다.", f"the ledger {ledger} holds no consolidation",
                         file=str(ledger))
    return chosen


def build_trends(sources: Sequence[str | os.PathLike[str] | Opened]) -> Trends:
    """Compare consolidated workbooks of different years (same level) on the indicators their rule books share."""
    opened = [s if isinstance(s, Opened) else open_consolidated(s) for s in sources]
    if len(opened) < 2:
        raise UsageError("비교하려면 두 해 이상의 취합본이 필요합니다.", "Trends need consolidated workbooks of at least two years.")
    opened.sort(key=lambda o: o.year)
    years = [o.year for o in opened]
    if len(set(years)) < len(years):
        dup = sorted({y for y in years if years.count(y) > 1})
        raise UsageError(f"같은 연도의 취합본이 두 개 있습니다: {', '.join(map(str, dup))}.",
                         f"Two consolidated workbooks of "
                         f"the same year: {', '.join(map(str, dup))}.")
    scopes = {(o.cons.level, o.cons.target_federation) for o in opened}
    if len(scopes) > 1:
        shown = ", ".join(f"{o.year}: {o.cons.level}{' ' + o.cons.target_federation if o.cons.target_federation else ''}"
                          for o in opened)
        raise UsageError(f"전국 취합본과 연합회 취합본을 섞어 비교할 수 없습니다 ({shown}).",
                         f"Workbooks of different levels "
                         f"cannot be compared ({shown}).")
    data = []
    for o in opened:
        frames = o.frames
        roster = frames["roster"] if not frames["roster"].empty else None
        data.append(YearData(o.year, o.path, o.version, o.cons.level, o.cons.target_federation, o.cons.content_hash, o.book,
                             compute(frames, roster, o.book)))
    books = [d.book for d in data]
    indicators, not_comparable = compare(books)
    ref = list(books[-1].references["federation"].keys)
    feds = list(dict.fromkeys(f for d in data for f in d.table.federations))
    feds.sort(key=lambda f: (ref.index(f) if f in ref else len(ref), f))
    rows: dict[str, dict[str, dict[str, Any]]] = {}
    for fed in (NATIONAL, *feds):
        rows[fed] = {i.key: _row(i, years, [_value(i, d.table, None if fed == NATIONAL else fed) for d in data])
                     for i in indicators}
    budget, totals = _budgets(books)
    return Trends(years, data, indicators, not_comparable, feds, rows, budget, totals, member_flow(opened))


# ------------------------------------------------------------------------------------------ writing

S_NATIONAL, S_FEDERATIONS, S_CHARTS, S_BUDGET, S_SOURCES = "전국 추이", "연합회별 추이", "지표별 차트", "지원예산", "출처"


def write_trends(trends: Trends, out_path: str | os.PathLike[str]) -> Path:
    """Write the trends workbook atomically: national and per-federation tables, a chart per headline indicator,
    the support budget by year, and the sources."""
    t = trends
    span = f"{t.years[0]}~{t.years[-1]}"
    with xlsx(out_path, f"이업종 교류 {span} 추이") as (wb, f):
        ws = wb.add_worksheet(S_NATIONAL)
        _national(ws, f, t, span)
        _federations(wb, f, t)
        _charts(wb, f, t)
        _budget(wb, f, t)
        ws_src = wb.add_worksheet(S_SOURCES)
        table(ws_src, 0, ["연도", "취합본", "서식 버전", "수준", "연합회", "내용 해시"],
              [[d.year, str(d.path), d.version, LEVEL_KO.get(d.level, d.level), d.federation or "", d.content_hash]
               for d in t.data], {0: f.year})
        finish(ws_src, f, header=0, caps={1: 60})
        meta_sheet(wb, "_추이정보", [("kind", "trends"), ("years", ",".join(map(str, t.years))),
                                    *((f"source_{d.year}", str(d.path)) for d in t.data)])
        ws.activate()
    return Path(out_path)


def _heads(t: Trends) -> list[str]:
    return [*map(str, t.years), *(f"{y} 증감" for y in t.years[1:]), f"{t.years[0]}→{t.years[-1]} 증감률(%)"]


def _value_cells(ws: Any, f: Formats, r: int, c0: int, ind: Indicator, row: dict[str, Any], years: list[int]) -> None:
    """Values by year, then live change formulas (cached values) and the relative change."""
    fmt = f.dec if ind.decimals else f.int
    for i, y in enumerate(years):
        cell(ws, r, c0 + i, row["values"][str(y)], fmt)
    n = len(years)
    for i, y in enumerate(years[1:], start=1):
        a, b = _col(c0 + i - 1), _col(c0 + i)
        v = row["changes"][str(y)]
        ws.write_formula(r, c0 + n + i - 1, f'=IF(OR({a}{r + 1}="",{b}{r + 1}=""),"",{b}{r + 1}-{a}{r + 1})', fmt,
                         "" if v is None else v)
    a, b = _col(c0), _col(c0 + n - 1)
    if ind.unit != "%":
        first, last = row["values"][str(years[0])], row["values"][str(years[-1])]
        v = "" if row["change_pct"] is None else (last - first) / first * 100  # what Excel computes (shown as 0.0)
        ws.write_formula(r, c0 + 2 * n - 1, f'=IF(OR({a}{r + 1}="",{a}{r + 1}=0,{b}{r + 1}=""),"",'
                                            f'({b}{r + 1}-{a}{r + 1})/{a}{r + 1}*100)', f.pct, v)


def _national(ws: Any, f: Formats, t: Trends, span: str) -> None:
    scope = t.data[0].federation if t.data[0].level == "federation" and t.data[0].federation else NATIONAL
    ws.write_string(0, 0, f"이업종 교류 {span} {scope} 지표 추이", f.title)
    heads = ["지표", "단위", "증감 단위", *_heads(t)]
    top = 2
    for c, h in enumerate(heads):
        ws.write_string(top, c, h, f.header)
    for r, ind in enumerate(t.indicators, start=top + 1):
        ws.write_string(r, 0, ind.ko)
        ws.write_string(r, 1, ind.unit)
        ws.write_string(r, 2, _change_unit(ind))
        _value_cells(ws, f, r, 3, ind, t.row(ind.key), t.years)
    ws.freeze_panes(top + 1, 1)
    r = top + len(t.indicators) + 3
    ws.write_string(r, 0, "비교할 수 없는 지표 (규칙집이 연도마다 다름)", f.bold)
    for k, e in enumerate(t.not_comparable, start=r + 1):
        ws.write_string(k, 0, f"• {e['ko']} (있는 연도: {', '.join(map(str, e['years']))})")
    if not t.not_comparable:
        nothing_here(ws, f, r + 1, "없음: 모든 지표를 비교했습니다.")
    finish(ws, f, header=top, caps={0: 36}, one_page=True)


def _federations(wb: Any, f: Formats, t: Trends) -> None:
    ws = wb.add_worksheet(S_FEDERATIONS)
    heads = ["연합회", "지표", "단위", *_heads(t)]
    top = 0
    for c, h in enumerate(heads):
        ws.write_string(top, c, h, f.header)
    r = top
    for fed in (NATIONAL, *t.federations):
        for ind in t.indicators:
            r += 1
            ws.write_string(r, 0, fed)
            ws.write_string(r, 1, ind.ko)
            ws.write_string(r, 2, ind.unit)
            _value_cells(ws, f, r, 3, ind, t.row(ind.key, fed), t.years)
    ws.autofilter(top, 0, max(r, top + 1), len(heads) - 1)
    ws.freeze_panes(top + 1, 2)
    finish(ws, f, header=top, caps={1: 36})


def _charts(wb: Any, f: Formats, t: Trends) -> None:
    ws = wb.add_worksheet(S_CHARTS)
    r = 0
    labels = [NATIONAL, *t.federations]
    starts = []
    for ind in t.indicators:
        if ind.key not in HEADLINE:
            continue
        starts.append(r)
        ws.write_string(r, 0, f"{ind.ko} ({ind.unit})", f.title)
        ws.write_string(r + 1, 0, "연합회", f.header)
        for i, y in enumerate(t.years):
            ws.write_string(r + 1, 1 + i, str(y), f.header)
        for k, fed in enumerate(labels, start=r + 2):
            ws.write_string(k, 0, fed)
            for i, y in enumerate(t.years):
                cell(ws, k, 1 + i, t.row(ind.key, fed)["values"][str(y)], f.dec if ind.decimals else f.int)
        first, last = r + 2, r + 1 + len(labels)
        chart = column_chart(wb, f"연합회별 {ind.ko} ({' · '.join(map(str, t.years))})", y_name=ind.unit, legend=True)
        for i, y in enumerate(t.years):  # the national value is left out of the chart: it would dwarf the federations
            chart.add_series({"name": str(y), "categories": [S_CHARTS, first + 1, 0, last, 0],
                              "values": [S_CHARTS, first + 1, 1 + i, last, 1 + i]})
        ws.insert_chart(r + 1, len(t.years) + 2, chart, {"x_scale": 1.5, "y_scale": 1.1})
        r = max(last + 2, r + 20)
    if r == 0:
        nothing_here(ws, f, 0, "차트로 그릴 주요 지표가 모든 연도에 있지 않습니다.")
    ws.set_h_pagebreaks(starts[1:])  # one indicator (table and chart) per printed page: no chart cut in half
    finish(ws, f, from_row=1, caps={0: 12}, landscape=True)


def _budget(wb: Any, f: Formats, t: Trends) -> None:
    ws = wb.add_worksheet(S_BUDGET)
    ws.write_string(0, 0, "이업종 교류 지원예산 (백만원, 각 연도 규칙집 기준)", f.title)
    end = table(ws, 2, ["연도", "지원예산(백만원)", "출처 규칙집"],
                [[b["year"], b["million_won"], b["rule_book"]] for b in t.budget],
                {0: f.year, 1: f.int, 2: f.year}, freeze=False)
    table(ws, end + 2, ["누계 시작", "누계 끝", "누계(백만원)", "출처 규칙집"],
          [[b["from"], b["to"], b["million_won"], b["rule_book"]] for b in t.budget_totals] or [["", "", "", ""]],
          {0: f.year, 1: f.year, 2: f.int, 3: f.year}, freeze=False)
    if not t.budget_totals:
        nothing_here(ws, f, end + 4, "규칙집에 누계 예산이 없습니다.")
    chart = column_chart(wb, "연도별 지원예산(백만원)", y_name="백만원")
    chart.add_series({"name": "지원예산(백만원)", "categories": [S_BUDGET, 3, 0, end - 1, 0],
                      "values": [S_BUDGET, 3, 1, end - 1, 1], "data_labels": DATA_LABELS})
    ws.insert_chart(2, 5, chart)
    finish(ws, f, header=2, one_page=True)
