"""The company directory: every member company once by BRN, on the sample corpus and on a small national workbook
where companies belong to two clubs; summary sheets; typed errors for workbooks that are not consolidated ones."""

from __future__ import annotations

import json
import re
import shutil
import zipfile
from collections import Counter
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from conftest import BRNS, club_data, federation_data, write_consolidated

from iupjong_xl import rulebook
from iupjong_xl.analyses.directory import (
    DIRECTORY_HEADS,
    DIRECTORY_META,
    Directory,
    build_directory,
    employee_band,
    open_consolidated,
    sales_band,
    write_directory,
)
from iupjong_xl.consolidate.merge import consolidate
from iupjong_xl.errors import NotConsolidatedError, UnsupportedVersionError
from iupjong_xl.outputs.templates import write_template
from iupjong_xl.samples.corpus import NATIONAL, Corpus, corpus_folder, plan_corpus
from iupjong_xl.validate.normalize import make_brn

REPO = Path(__file__).resolve().parent.parent
CORPUS = REPO / "sample_workbooks" / corpus_folder(2009)
BOOK = rulebook.load(2009)
KSIC = BOOK.references["ksic"]
NEW = [make_brn(f"6018{k}{s:04d}") for k, s in [(1, 1201), (6, 3402), (7, 5603), (8, 7804)]]  # 부산 companies


# ------------------------------------------------------------------------------------------ fixtures


@pytest.fixture(scope="module")
def plan() -> Corpus:
    return plan_corpus(NATIONAL, 2009)


@pytest.fixture(scope="module")
def national(national_workbooks: dict[int, Path]) -> Path:
    """The sample corpus consolidated once for the run: `iupjong consolidate sample_workbooks/2009 -o national_2009.xlsx`."""
    return national_workbooks[2009]


@pytest.fixture(scope="module")
def directory(national: Path) -> Directory:
    return build_directory(national)


def _busan_club() -> dict[str, list[dict[str, Any]]]:
    """BUS-001: 새롬전자 (부회장 of SEO-001) chairs it, 미래소프트 (회원 of SEO-001) is a member again with other products
    and head count, and four companies of its own."""
    d = club_data()
    seoul = {m["brn"]: m for m in d["member"]}
    d["club"][0].update(club_code="BUS-001", federation="부산", club_name="부산한빛교류회", chair_brn=BRNS[1],
                        phone="051-123-4567")
    d["member"] = [
        dict(seoul[BRNS[1]], role="회장"),
        dict(seoul[BRNS[3]], role="회원", employees=14, products="웹 서비스, 생산관리 소프트웨어"),
        {"brn": NEW[0], "company_name": "해솔정밀", "ceo": "김태호", "ksic": "29", "employees": 61, "sales_mwon": 9100,
         "role": "부회장", "products": "감속기"},
        {"brn": NEW[1], "company_name": "동신화학", "ceo": "이미숙", "ksic": "20", "employees": 8, "sales_mwon": 700,
         "role": "총무", "products": "접착제"},
        {"brn": NEW[2], "company_name": "한결물산", "ceo": "박상훈", "ksic": "46", "employees": 4, "role": "회원",
         "products": "공구 유통"},
        {"brn": NEW[3], "company_name": "가온푸드", "ceo": "최윤희", "ksic": "10", "employees": 130, "sales_mwon": 52000,
         "role": "회원", "products": "제과"},
    ]
    d["result"][0]["participants"] = f"{BRNS[1]}, {NEW[0]}"
    d["consortium"][0].update(lead_brn=NEW[0], partner_brns=f"{BRNS[1]}, {NEW[1]}")
    return d


@pytest.fixture(scope="module")
def small(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """서울 SEO-001 (the six conftest companies) and 부산 BUS-001, which shares two of them: 12 memberships, 10 companies."""
    d = tmp_path_factory.mktemp("small")
    fed_seoul, fed_busan = federation_data(), federation_data()
    fed_seoul["roster"] = fed_seoul["roster"][:1]
    fed_busan["federation"][0].update(federation="부산", phone="051-234-5678")
    fed_busan["roster"] = [dict(fed_seoul["roster"][0], club_code="BUS-001", club_name="부산한빛교류회")]
    files = [d / "서울.xlsx", d / "부산.xlsx", d / "SEO-001.xlsx", d / "BUS-001.xlsx"]
    for path, kind, data in zip(files, ["federation", "federation", "club", "club"],
                                [fed_seoul, fed_busan, club_data(), _busan_club()], strict=True):
        write_template(path, kind, 2009, data)
    out = d / "전국_2009.xlsx"
    cons = consolidate(list(map(str, files)), output=out)
    assert not [f for f in cons.findings if f.severity == "error"], [f.code for f in cons.findings]
    write_consolidated(cons, out)
    return out


def _rewrite_meta(src: Path, dst: Path, old: str, new: str) -> Path:
    """A copy of a consolidated workbook whose shared string `old` (e.g. its version in _취합정보) reads `new`."""
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            body = zin.read(info.filename)
            if info.filename == "xl/sharedStrings.xml":
                assert f"<t>{old}</t>".encode() in body
                body = body.replace(f"<t>{old}</t>".encode(), f"<t>{new}</t>".encode())
            zout.writestr(info, body)
    return dst


# ------------------------------------------------------------------------------------------ every company once


def test_a_company_in_two_clubs_appears_once_with_both_clubs(small: Path) -> None:
    d = build_directory(small)
    assert (len(d.companies), d.memberships, len(d.clubs)) == (10, 12, 2)
    assert sorted(c.brn for c in d.companies) == sorted({*BRNS, *NEW})
    saerom = d.company(BRNS[1])
    assert saerom is not None and saerom.name == "새롬전자"
    assert [(m.federation, m.club_code, m.club_name, m.role) for m in saerom.memberships] == [
        ("서울", "SEO-001", "서울한빛교류회", "부회장"), ("부산", "BUS-001", "부산한빛교류회", "회장")]
    assert (saerom.clubs, saerom.federations, saerom.roles) == (["SEO-001", "BUS-001"], ["서울", "부산"], ["부회장", "회장"])
    mirae = d.company(BRNS[3])
    assert mirae is not None and mirae.products == ["생산관리 소프트웨어", "웹 서비스"]  # both clubs' items, once each
    assert mirae.employees == 12 and mirae.differs == ["employees"]  # the first club's value; the difference is shown
    assert (mirae.section, mirae.section_name, mirae.division, mirae.division_name) == ("J", "정보통신업", "58", "출판업")
    assert [c.brn for c in d.companies if len(c.memberships) > 1] == [BRNS[1], BRNS[3]]  # by division: 26, 58
    data = d.to_dict()
    assert data["counts"] == {"companies": 10, "memberships": 12, "clubs": 2, "companies_in_several_clubs": 2,
                              "clubs_not_cross_industry": 0}
    assert json.loads(json.dumps(data, ensure_ascii=False)) == data


def test_section_by_federation_counts_a_company_in_both_federations_once_in_total(small: Path) -> None:
    d = build_directory(small)
    assert d.federations == ["서울", "부산"]
    rows = {r["section"]: (r["federations"], r["total"]) for r in d.by_section_federation()}
    # C: 한빛정밀 29, 새롬전자 26 (both), 대한화학 20, 동양금속 29, 푸른식품 10 | 해솔정밀 29, 동신화학 20, 가온푸드 10
    assert rows == {"C": ({"서울": 5, "부산": 4}, 8), "G": ({"서울": 0, "부산": 1}, 1), "J": ({"서울": 1, "부산": 1}, 1)}


def test_sample_corpus_every_brn_once(directory: Directory, plan: Corpus) -> None:
    members = [m for c in plan.reporting_clubs() for m in c.members]
    assert len(directory.companies) == len({m.brn for m in members}) == directory.memberships == 4035
    assert sorted(c.brn for c in directory.companies) == sorted(m.brn for m in members)
    planned = {m.brn: (m, c) for c in plan.reporting_clubs() for m in c.members}
    for company in directory.companies[::97]:
        m, club = planned[company.brn]
        assert (company.name, company.division, company.employees, company.sales_mwon) == (m.name, m.division, m.employees,
                                                                                         m.sales_mwon)
        assert company.clubs == [club.code] and company.roles == [m.role] and company.federations == [club.federation]
        assert company.products == m.products.split(", ")
        assert company.section == KSIC.row(m.division)["section"]  # type: ignore[index]


def test_sample_corpus_summaries(directory: Directory, plan: Corpus) -> None:
    members = [(m, c) for c in plan.reporting_clubs() for m in c.members]
    sections = Counter(KSIC.row(m.division)["section"] for m, _c in members)  # type: ignore[index]
    rows = directory.by_section_federation()
    assert {r["section"]: r["total"] for r in rows} == dict(sections)
    assert [r["section"] for r in rows] == ["C", "E", "F", "G", "H", "J", "M"]
    assert rows[0]["total"] == 3102 and sum(r["total"] for r in rows) == 4035
    for fed in ("서울", "제주"):
        assert sum(r["federations"][fed] for r in rows) == sum(1 for _m, c in members if c.federation == fed)
    size = directory.by_size()
    assert {b: n for b, n in size["employee_bands"].items() if n} == Counter(employee_band(m.employees, BOOK) for m, _c in members)
    assert size["employee_bands"]["20~49명"] == 1583 and size["employee_bands"]["미상"] == 0
    assert size["sales_bands"]["10억~50억"] == sum(1 for m, _c in members if sales_band(m.sales_mwon, BOOK) == "10억~50억") == 2566
    assert sum(sum(row.values()) for row in size["cross"].values()) == 4035
    diversity = Counter(len({m.division for m in c.members}) for c in plan.reporting_clubs())
    assert directory.clubs_by_divisions() == dict(sorted(diversity.items()))
    assert sum(directory.clubs_by_divisions().values()) == 195 and min(directory.clubs_by_divisions()) == 7


def test_bands() -> None:
    assert [employee_band(n, BOOK) for n in (None, 0, 4, 5, 9, 10, 49, 50, 299, 300)] == [
        "미상", "5명 미만", "5명 미만", "5~9명", "5~9명", "10~19명", "20~49명", "50~99명", "100~299명", "300명 이상"]
    assert [sales_band(n, BOOK) for n in (None, 999, 1000, 4999, 5000, 10_000, 50_000)] == [
        "미상", "10억 미만", "10억~50억", "10억~50억", "50억~100억", "100억~500억", "500억 이상"]


# ------------------------------------------------------------------------------------------ the workbook


def test_directory_workbook(directory: Directory, tmp_path: Path) -> None:
    out = write_directory(directory, tmp_path / "directory.xlsx")
    again = write_directory(directory, tmp_path / "again.xlsx")
    assert out.read_bytes() == again.read_bytes()  # reproducible
    wb = openpyxl.load_workbook(out)
    assert wb.sheetnames == ["회원사 명부", "업종×연합회", "규모별", "교류회 업종 다양성", DIRECTORY_META]
    assert wb[DIRECTORY_META].sheet_state == "hidden" and wb.active.title == "회원사 명부"
    meta = {r[0].value: r[1].value for r in wb[DIRECTORY_META].iter_rows()}
    assert meta["kind"] == "directory" and meta["companies"] == "4035" and meta["year"] == "2009"
    ws = wb["회원사 명부"]
    # a title and what the directory covers above the table (issue 13, point 9); the column no company fills
    # (교류회별로 다른 값) is left out (point 10)
    assert ws["A2"].value.startswith("보고서를 낸 195개 교류회(등록 274개)의 회원사만 싣습니다: 회원사 4,035곳")
    assert "요약의 등록 회원사 5,684곳" in ws["A2"].value
    assert [c.value for c in ws[3]] == DIRECTORY_HEADS[:-2]  # no differing values, no ledger: both last columns left out
    assert ws.max_row == 4038 and ws.freeze_panes == "A4"
    rows = {r[0]: r for r in ws.iter_rows(min_row=4, values_only=True)}
    assert len(rows) == 4035
    first = directory.companies[0]
    row = rows[first.brn]
    assert row[1:7] == (first.name, first.ceo, first.section, first.section_name, first.division, first.division_name)
    assert all(isinstance(r[0], str) and isinstance(r[5], str) for r in rows.values())  # BRN and "01" stay text
    sections = [r for r in wb["업종×연합회"].iter_rows(min_row=3, values_only=True) if r[0]]
    assert sections[0][:2] == ("대분류", "대분류명") and sections[1][0] == "C" and sections[1][-1] == 3102
    assert sections[-1][0] == "합계" and sections[-1][-1] == 4035
    assert str(sections[-1][2]).startswith("=SUM(")
    names = zipfile.ZipFile(out).namelist()
    assert len([n for n in names if re.fullmatch(r"xl/charts/chart\d+\.xml", n)]) == 2  # size bands, club diversity
    clubs = list(wb["교류회 업종 다양성"].iter_rows(values_only=True))
    dist = {r[0]: r[1] for r in clubs[3:] if isinstance(r[0], int)}
    assert dist == directory.clubs_by_divisions()


def test_text_that_looks_like_a_formula_is_written_as_text(small: Path, tmp_path: Path) -> None:
    d = build_directory(small)
    d.companies[0].products = ["=HYPERLINK(\"http://x\")", "+1"]
    out = write_directory(d, tmp_path / "dir.xlsx")
    ws = openpyxl.load_workbook(out)["회원사 명부"]
    cell = ws.cell(4, DIRECTORY_HEADS.index("주요 제품·기술") + 1)
    assert cell.value == "=HYPERLINK(\"http://x\"), +1" and cell.data_type == "s"


# ------------------------------------------------------------------------------------------ errors


def test_a_club_report_is_not_a_consolidated_workbook(tmp_path: Path) -> None:
    club = next(CORPUS.glob("서울/*SEO-001*.xlsx"))
    with pytest.raises(NotConsolidatedError, match=r"취합본\(전국·연합회\)이 아닙니다.*is not a consolidated workbook"):
        build_directory(club)
    text = tmp_path / "notes.xlsx"
    text.write_text("사업자등록번호,회사명\n", encoding="utf-8")
    with pytest.raises(NotConsolidatedError, match=r"열 수 없습니다 \(FILE_NOT_WORKBOOK\).*cannot be opened"):
        build_directory(text)


def test_other_template_version_or_year(small: Path, tmp_path: Path) -> None:
    old = _rewrite_meta(small, tmp_path / "old.xlsx", "2009.1", "2009.0")
    with pytest.raises(UnsupportedVersionError, match=r"서식 버전 2009\.0의 취합본입니다.*2009\.1.*template version 2009\.0"):
        open_consolidated(old)
    shutil.copy(small, tmp_path / "copy.xlsx")
    assert open_consolidated(tmp_path / "copy.xlsx").version == "2009.1"
    year = _rewrite_meta(small, tmp_path / "y2007.xlsx", "2009", "2007")
    with pytest.raises(UnsupportedVersionError, match=r"2007년 취합본인데 2007년 규칙집이 없습니다.*no rule book for 2007"):
        build_directory(year)
