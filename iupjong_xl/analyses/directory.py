"""The company directory (회원사 명부): every member company of a consolidated workbook once, by BRN."""

from __future__ import annotations

import datetime
import os
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

from iupjong_xl.consolidate.ledger import default_path
from iupjong_xl.consolidate.readback import open_checked
from iupjong_xl.consolidate.record import consolidation_from_ledger, prior_years_of
from iupjong_xl.consolidate.sheets import _int, _text  # the one lenient reading of a consolidated value
from iupjong_xl.io.reader import col_letter as _col
from iupjong_xl.outputs.xlsx import (
    CHART_FONT,
    DATA_LABELS,
    Formats,
    column_chart,
    drop_empty,
    finish,
    meta_sheet,
    nothing_here,
    table,
    xlsx,
)
from iupjong_xl.rulebook import RuleBook

if TYPE_CHECKING:
    import pandas as pd

    from iupjong_xl.consolidate.model import Consolidation


DIRECTORY_META = "_명부정보"  # hidden sheet: what the directory was built from (for a refresh by the add-in)
UNKNOWN = "미상"


# ------------------------------------------------------------------------------------------ opening a workbook


@dataclass
class Opened:
    """A consolidated workbook opened for the directory, partner matching or trends."""

    path: Path
    cons: Consolidation
    version: str
    since: dict[str, int] = field(default_factory=dict)  # BRN -> first year the ledger holds it (with a ledger)

    @property
    def book(self) -> RuleBook:
        return self.cons.book

    @property
    def year(self) -> int:
        return self.cons.year

    @cached_property
    def frames(self) -> dict[str, pd.DataFrame]:
        return self.cons.frames()

    @cached_property
    def directory(self) -> Directory:
        return build_directory(self)


def open_consolidated(path: str | os.PathLike[str]) -> Opened:
    """Open a national (or federation) workbook written by consolidation; NotConsolidatedError or
    UnsupportedVersionError (typed, Korean and English) for anything else."""
    p, cons, version = open_checked(path)
    recorded = consolidation_from_ledger(p)  # the record of the program, when the workbook has a ledger beside it
    since: dict[str, int] = {}
    if recorded is not None:
        for year, prior in sorted(prior_years_of(default_path(p)).items(), reverse=True):
            if year <= recorded.year:
                since.update(dict.fromkeys(prior.members, year))  # older years overwrite: the first year wins
    return Opened(p, recorded if recorded is not None else cons, version, since)


# ------------------------------------------------------------------------------------------ the directory


def band(value: int | None, bands: Sequence[tuple[int, str]]) -> str:
    """The label of the band (lowest value, label) a value falls in ("미상" when unknown)."""
    return UNKNOWN if value is None else [label for lo, label in bands if value >= lo][-1]


def employee_band(n: int | None, book: RuleBook) -> str:
    """The employee size band of a head count (the rule book's parameters.directory.employee_bands)."""
    return band(n, book.bands("employee_bands"))


def sales_band(mwon: int | None, book: RuleBook) -> str:
    """The sales band of annual sales in million won (the rule book's parameters.directory.sales_bands_mwon)."""
    return band(mwon, book.bands("sales_bands_mwon"))


@dataclass
class Membership:
    """One club a company belongs to, with its role there."""

    federation: str
    club_code: str
    club_name: str
    role: str | None
    joined: datetime.date | None

    def to_dict(self) -> dict[str, Any]:
        return {"federation": self.federation, "club_code": self.club_code, "club_name": self.club_name,
                "role": self.role, "joined": self.joined.isoformat() if self.joined else None}


@dataclass
class Company:
    """A member company once: its industry, size, clubs and products/technologies."""

    brn: str
    name: str
    ceo: str | None
    section: str | None
    section_name: str | None
    division: str | None
    division_name: str | None
    employees: int | None
    sales_mwon: int | None
    products: list[str]
    memberships: list[Membership]
    differs: list[str] = field(default_factory=list)  # columns whose value differs between the company's clubs
    employee_band: str = UNKNOWN
    sales_band: str = UNKNOWN
    member_since: int | None = None  # first year the ledger holds this company (None: no ledger)

    @property
    def clubs(self) -> list[str]:
        return [m.club_code for m in self.memberships]

    @property
    def federations(self) -> list[str]:
        return list(dict.fromkeys(m.federation for m in self.memberships))

    @property
    def roles(self) -> list[str]:
        return list(dict.fromkeys(m.role for m in self.memberships if m.role))

    def to_dict(self) -> dict[str, Any]:
        return {"brn": self.brn, "name": self.name, "ceo": self.ceo, "ksic_section": self.section,
                "ksic_section_name": self.section_name, "ksic_division": self.division,
                "ksic_division_name": self.division_name, "employees": self.employees,
                "employee_band": self.employee_band, "sales_mwon": self.sales_mwon, "sales_band": self.sales_band,
                "clubs": [m.to_dict() for m in self.memberships], "federations": self.federations,
                "roles": self.roles, "products": self.products, "differs": self.differs,
                "member_since": self.member_since}


@dataclass
class ClubDiversity:
    """How cross-industry one club is: its member rows over distinct KSIC divisions and sections."""

    federation: str
    club_code: str
    club_name: str
    members: int
    divisions: list[str]
    sections: list[str]
    top_division: str | None
    top_share: float | None  # % of the members in the club's most common division

    def to_dict(self) -> dict[str, Any]:
        return {"federation": self.federation, "club_code": self.club_code, "club_name": self.club_name,
                "members": self.members, "divisions": len(self.divisions), "sections": len(self.sections),
                "division_codes": self.divisions, "top_division": self.top_division, "top_share": self.top_share}


@dataclass
class Directory:
    """Every member company once, the clubs' industry diversity and the summary tables."""

    source: str
    year: int
    level: str
    version: str
    content_hash: str
    federations: list[str]  # reference order, those with members
    companies: list[Company]
    clubs: list[ClubDiversity]
    min_divisions: int  # the rule book's cross-industry minimum (funding.min_divisions)
    employee_bands: tuple[tuple[int, str], ...] = ()  # the rule book's size bands (lowest value, label)
    sales_bands: tuple[tuple[int, str], ...] = ()
    sections: tuple[str, ...] = ()  # KSIC section codes in reference order
    reported_clubs: int = 0  # clubs whose report was consolidated: only their members are listed
    registered_clubs: int = 0  # clubs of the rosters (with the reporting ones)
    registered_members: int = 0  # member companies the rosters count (요약's 등록 회원사)

    def coverage_ko(self) -> str:
        """What the directory covers, next to the rosters' figures (요약 counts every registered club)."""
        return (f"보고서를 낸 {self.reported_clubs:,}개 교류회(등록 {self.registered_clubs:,}개)의 회원사만 싣습니다: "
                f"회원사 {len(self.companies):,}곳 (교류회 소속 {self.memberships:,}건). 요약의 등록 회원사 "
                f"{self.registered_members:,}곳은 명부상 모든 교류회의 회원사 수입니다.")

    @property
    def memberships(self) -> int:
        return sum(len(c.memberships) for c in self.companies)

    def company(self, brn: str) -> Company | None:
        return next((c for c in self.companies if c.brn == brn), None)

    def by_section_federation(self) -> list[dict[str, Any]]:
        """Companies per KSIC section and federation; a company in two federations counts in both, once in total."""
        rows: dict[str, dict[str, Any]] = {}
        for c in self.companies:
            key = c.section or UNKNOWN
            row = rows.setdefault(key, {"section": key, "name": c.section_name or "",
                                        "federations": dict.fromkeys(self.federations, 0), "total": 0})
            row["total"] += 1
            for fed in c.federations:
                row["federations"][fed] += 1
        order = list(self.sections)
        return sorted(rows.values(), key=lambda r: (order.index(r["section"]) if r["section"] in order else 99))

    def by_size(self) -> dict[str, Any]:
        """Companies per employee band, per sales band, and employee band × sales band."""
        emp = [label for _lo, label in self.employee_bands] + [UNKNOWN]
        sal = [label for _lo, label in self.sales_bands] + [UNKNOWN]
        cross = {e: dict.fromkeys(sal, 0) for e in emp}
        for c in self.companies:
            cross[c.employee_band][c.sales_band] += 1
        return {"employee_bands": {e: sum(cross[e].values()) for e in emp},
                "sales_bands": {s: sum(cross[e][s] for e in emp) for s in sal},
                "cross": cross}

    def clubs_by_divisions(self) -> dict[int, int]:
        """Number of clubs per number of distinct KSIC divisions among their members."""
        out: dict[int, int] = {}
        for c in self.clubs:
            out[len(c.divisions)] = out.get(len(c.divisions), 0) + 1
        return dict(sorted(out.items()))

    def to_dict(self) -> dict[str, Any]:
        size = self.by_size()
        return {
            "source": self.source, "year": self.year, "level": self.level, "version": self.version,
            "content_hash": self.content_hash, "run_id": self.content_hash,
            "counts": {"companies": len(self.companies), "memberships": self.memberships, "clubs": len(self.clubs),
                       "companies_in_several_clubs": sum(len(c.memberships) > 1 for c in self.companies),
                       "clubs_not_cross_industry": sum(len(c.divisions) < self.min_divisions for c in self.clubs)},
            "coverage": {"reported_clubs": self.reported_clubs, "registered_clubs": self.registered_clubs,
                         "registered_members": self.registered_members},
            "coverage_ko": self.coverage_ko(),
            "by_section_federation": self.by_section_federation(),
            "by_employee_band": size["employee_bands"], "by_sales_band": size["sales_bands"],
            "by_size": size["cross"],
            "clubs_by_divisions": {str(k): v for k, v in self.clubs_by_divisions().items()},
            "clubs": [c.to_dict() for c in self.clubs],
            "companies": [c.to_dict() for c in self.companies],
        }




def split_products(text: str | None) -> list[str]:
    """The items of a 주요 제품·기술 cell (comma, semicolon, slash or line separated)."""
    return [p.strip() for p in re.split(r"[,，、;/\n]+", text or "") if p.strip()]


def _division(book: RuleBook, value: Any) -> str | None:
    """The KSIC division code of a member row (the code itself, or typed-over text the reference recognizes)."""
    text = _text(value)
    return None if text is None else (book.references["ksic"].lookup(text) or text)


def build_directory(source: str | os.PathLike[str] | Opened) -> Directory:
    """Every member company of a consolidated workbook once (keyed by BRN) with its clubs, industry, size, products."""
    opened = source if isinstance(source, Opened) else open_consolidated(source)
    cons, book, frames = opened.cons, opened.book, opened.frames
    ksic, section_ref = book.references["ksic"], book.references["ksic_section"]
    employee_bands, sales_bands = book.bands("employee_bands"), book.bands("sales_bands_mwon")
    club_names = {r["club_code"]: _text(r.get("club_name")) or "" for r in frames["club"].to_dict("records")}
    by_brn: dict[str, list[dict[str, Any]]] = {}
    per_club: dict[tuple[str, str], list[dict[str, Any]]] = {}
    r: dict[str, Any]
    for r in frames["member"].to_dict("records"):  # type: ignore[assignment]
        brn = _text(r.get("brn"))
        per_club.setdefault((str(r["federation"]), str(r["club_code"])), []).append(r)
        if brn:
            by_brn.setdefault(brn, []).append(r)
    companies = []
    for brn, rows in by_brn.items():
        first = rows[0]
        division = _division(book, first.get("ksic"))
        employees, sales = _int(first.get("employees")), _int(first.get("sales_mwon"))
        row = ksic.row(division) if division else None
        section = row.get("section") if row else None
        products: list[str] = []
        for r in rows:
            for item in split_products(_text(r.get("products"))):
                if item not in products:
                    products.append(item)
        differs = [k for k in ("company_name", "ksic", "employees", "sales_mwon")
                   if len({str(_division(book, r.get(k)) if k == "ksic" else r.get(k)) for r in rows}) > 1]
        memberships = [Membership(str(r["federation"]), str(r["club_code"]), club_names.get(r["club_code"], ""),
                                  _text(r.get("role")), r.get("joined") if isinstance(r.get("joined"), datetime.date)
                                  else None) for r in rows]
        companies.append(Company(brn, _text(first.get("company_name")) or "", _text(first.get("ceo")), section,
                                 (section_ref.row(section) or {}).get("name_ko") if section else None, division,
                                 row.get("name_ko") if row else None, employees, sales, products, memberships, differs,
                                 band(employees, employee_bands), band(sales, sales_bands), opened.since.get(brn)))
    companies.sort(key=lambda c: (c.division or "99", c.name, c.brn))
    clubs = []
    for (fed, code), rows in per_club.items():
        divs = [d for r in rows if (d := _division(book, r.get("ksic")))]
        counts: dict[str, int] = {}
        for d in divs:
            counts[d] = counts.get(d, 0) + 1
        top = max(sorted(counts), key=counts.__getitem__) if counts else None
        sections = {s for d in counts if (row := ksic.row(d)) and (s := row.get("section"))}
        clubs.append(ClubDiversity(fed, code, club_names.get(code, ""), len(rows), sorted(counts), sorted(sections),
                                   top, round(counts[top] / len(rows) * 100, 1) if top else None))
    ref = list(book.references["federation"].keys)
    feds = list(dict.fromkeys(m.federation for c in companies for m in c.memberships))
    feds.sort(key=lambda f: (ref.index(f) if f in ref else len(ref), f))
    from iupjong_xl.consolidate.indicators import compute

    roster = frames["roster"] if not frames["roster"].empty else None
    total = compute(frames, roster, book).total
    return Directory(str(opened.path), opened.year, cons.level, opened.version, cons.content_hash, feds, companies, clubs,
                     int(book.parameters.get("funding", {}).get("min_divisions", 2)), employee_bands, sales_bands,
                     section_ref.keys, total.get("reported_clubs", 0), total.get("registered_clubs", 0),
                     total.get("registered_members", 0))


# ------------------------------------------------------------------------------------------ writing


S_DIRECTORY, S_SECTIONS, S_SIZE, S_CLUBS = "회원사 명부", "업종×연합회", "규모별", "교류회 업종 다양성"
DIRECTORY_HEADS = ["사업자등록번호", "회사명", "대표자", "대분류", "대분류명", "중분류(KSIC)", "중분류명", "종업원수", "종업원 규모",
                   "매출액(백만원)", "매출 규모", "소속 교류회", "교류회명", "소속 연합회", "역할", "교류회 수", "주요 제품·기술",
                   "교류회별로 다른 값", "회원 연도(원장 기준)"]


def write_directory(directory: Directory, out_path: str | os.PathLike[str]) -> Path:
    """Write the directory workbook atomically: 회원사 명부, 업종×연합회, 규모별, 교류회 업종 다양성 (with a chart)."""
    d = directory
    with xlsx(out_path, f"{d.year}년 이업종 교류 회원사 명부") as (wb, f):
        ws = wb.add_worksheet(S_DIRECTORY)
        ws.write_string(0, 0, f"{d.year}년 이업종 교류 회원사 명부", f.title)
        ws.write_string(1, 0, d.coverage_ko(), f.note)
        rows = [[c.brn, c.name, c.ceo, c.section, c.section_name, c.division, c.division_name, c.employees,
                 c.employee_band, c.sales_mwon, c.sales_band, ", ".join(c.clubs),
                 ", ".join(m.club_name for m in c.memberships), ", ".join(c.federations),
                 ", ".join(f"{m.club_code} {m.role}" for m in c.memberships if m.role), len(c.memberships),
                 ", ".join(c.products), ", ".join(c.differs), c.member_since] for c in d.companies]
        heads, rows = drop_empty(DIRECTORY_HEADS, rows, keep=range(len(DIRECTORY_HEADS) - 2))
        fmts = {heads.index(h): f.int for h in ("종업원수", "매출액(백만원)")} | {heads.index("교류회 수"): f.count}
        if "회원 연도(원장 기준)" in heads:
            fmts[heads.index("회원 연도(원장 기준)")] = f.year
        table(ws, 2, heads, rows, fmts)
        if not rows:
            nothing_here(ws, f, 4, "회원사가 없습니다.")
        finish(ws, f, header=2, caps={heads.index("주요 제품·기술"): 40, heads.index("교류회명"): 24})
        _sections_sheet(wb, f, d)
        _size_sheet(wb, f, d)
        _clubs_sheet(wb, f, d)
        meta_sheet(wb, DIRECTORY_META, [("kind", "directory"), ("source", d.source), ("year", str(d.year)),
                                        ("level", d.level), ("version", d.version), ("content_hash", d.content_hash),
                                        ("companies", str(len(d.companies)))])
        ws.activate()
    return Path(out_path)


def _sections_sheet(wb: Any, f: Formats, d: Directory) -> None:
    ws = wb.add_worksheet(S_SECTIONS)
    ws.write_string(0, 0, f"{d.year}년 업종(KSIC 대분류)×연합회 회원사 수 — 두 연합회에 속한 회사는 각 연합회에 세고 합계에는 한 번", f.title)
    ws.write_string(1, 0, d.coverage_ko(), f.note)
    heads = ["대분류", "대분류명", *d.federations, "합계(중복 제외)"]
    data = d.by_section_federation()
    rows = [[r["section"], r["name"], *(r["federations"].get(fed, 0) for fed in d.federations), r["total"]] for r in data]
    end = table(ws, 2, heads, rows, {i: f.int for i in range(2, len(heads))})
    ws.write_string(end, 0, "합계", f.total)
    ws.write_blank(end, 1, None, f.total)
    for c in range(2, len(heads)):
        col = _col(c)
        value = sum(r[c] for r in rows) if c < len(heads) - 1 else len(d.companies)
        if c < len(heads) - 1:
            ws.write_formula(end, c, f"=SUM({col}4:{col}{end})", f.total, value)
        else:
            ws.write_number(end, c, value, f.total)
    finish(ws, f, header=2, caps={1: 30}, one_page=True, landscape=True)


def _size_sheet(wb: Any, f: Formats, d: Directory) -> None:
    ws = wb.add_worksheet(S_SIZE)
    size = d.by_size()
    sales = list(size["sales_bands"])
    ws.write_string(0, 0, f"{d.year}년 규모별 회원사 수 (종업원 규모 × 매출 규모)", f.title)
    rows = [[e, *(size["cross"][e][s] for s in sales), sum(size["cross"][e].values())] for e in size["cross"]]
    heads = ["종업원 규모", *sales, "합계"]
    end = table(ws, 2, heads, rows, {i: f.int for i in range(1, len(heads))})
    ws.write_string(end, 0, "합계", f.total)
    for c in range(1, len(heads)):
        col = _col(c)
        ws.write_formula(end, c, f"=SUM({col}4:{col}{end})", f.total, sum(r[c] for r in rows))
    chart = column_chart(wb, "종업원 규모별 회원사 수", y_name="회원사 수")
    chart.add_series({"name": "회원사 수", "categories": [S_SIZE, 3, 0, end - 1, 0],
                      "values": [S_SIZE, 3, len(heads) - 1, end - 1, len(heads) - 1], "data_labels": DATA_LABELS})
    ws.insert_chart(end + 2, 0, chart, {"x_scale": 1.4, "y_scale": 1.1})
    finish(ws, f, header=2, one_page=True)


def _clubs_sheet(wb: Any, f: Formats, d: Directory) -> None:
    ws = wb.add_worksheet(S_CLUBS)
    ws.write_string(0, 0, f"{d.year}년 교류회별 업종 다양성 — 회원사 업종(KSIC 중분류)이 {d.min_divisions}개 미만이면 이업종이 아님",
                    f.title)
    dist = d.clubs_by_divisions()
    heads = ["업종 수", "교류회 수"]
    end = table(ws, 2, heads, [[k, v] for k, v in dist.items()], {0: f.int, 1: f.int}, freeze=False)
    ws.write_string(end, 0, "합계", f.total)
    ws.write_formula(end, 1, f"=SUM(B4:B{end})", f.total, sum(dist.values()))
    if dist:
        chart = column_chart(wb, "회원사 업종 수별 교류회 수", y_name="교류회 수")
        chart.add_series({"name": "교류회 수", "categories": [S_CLUBS, 3, 0, end - 1, 0],
                          "values": [S_CLUBS, 3, 1, end - 1, 1], "data_labels": DATA_LABELS})
        chart.set_x_axis({"name": "서로 다른 업종(KSIC 중분류) 수", "name_font": CHART_FONT, "num_font": CHART_FONT})
        ws.insert_chart(2, 3, chart, {"x_scale": 1.3, "y_scale": 1.1})
    else:
        nothing_here(ws, f, end + 1, "회원사가 있는 교류회가 없습니다.")
    top = max(end + 2, 20)
    heads = ["연합회", "교류회코드", "교류회명", "회원사 수", "업종 수", "대분류 수", "최다 업종", "최다 업종 비중(%)", "이업종"]
    rows = [[c.federation, c.club_code, c.club_name, c.members, len(c.divisions), len(c.sections), c.top_division,
             c.top_share, "예" if len(c.divisions) >= d.min_divisions else "아니오"] for c in d.clubs]
    table(ws, top, heads, rows, {3: f.int, 4: f.int, 5: f.int, 7: f.pct}, freeze=False)
    finish(ws, f, header=top, from_row=2, caps={2: 24})


