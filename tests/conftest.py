"""Shared builders: valid club and federation report data, written as real workbooks in tmp_path."""

from __future__ import annotations

import copy
import datetime
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from iupjong_xl.outputs.templates import write_template
from iupjong_xl.validate.normalize import make_brn

# Six member companies from four KSIC divisions; every BRN has a valid check digit.
BRNS = [make_brn(f"{t}8{k}{s:04d}") for t, k, s in [(116, 2, 27), (134, 6, 7268), (211, 7, 78), (124, 1, 553), (220, 8, 1234), (105, 5, 4321)]]

CLUB: dict[str, list[dict[str, Any]]] = {
    "club": [{
        "club_code": "SEO-001", "club_name": "서울한빛교류회", "federation": "서울", "founded_year": 1995,
        "report_year": 2009, "chair_brn": BRNS[0], "secretary": "김민수", "phone": "02-1234-5678",
        "email": "hanbit@example.kr", "activity_info": "예", "activity_resource": "아니오", "activity_newproduct": "예",
    }],
    "member": [
        {"brn": BRNS[0], "company_name": "한빛정밀(주)", "ceo": "이영호", "ksic": "29 기타 기계 및 장비 제조업",
         "employees": 35, "sales_mwon": 4200, "joined": datetime.date(2001, 3, 1), "role": "회장", "products": "정밀 금형, CNC 가공"},
        {"brn": BRNS[1], "company_name": "새롬전자", "ceo": "박지은", "ksic": "26 전자 부품, 컴퓨터, 영상, 음향 및 통신장비 제조업",
         "employees": 52, "sales_mwon": 8100, "joined": datetime.date(2003, 5, 12), "role": "부회장", "products": "센서 모듈, 임베디드 보드"},
        {"brn": BRNS[2], "company_name": "대한화학", "ceo": "최성민", "ksic": "20 화학물질 및 화학제품 제조업; 의약품 제외",
         "employees": 18, "sales_mwon": 2300, "joined": datetime.date(2005, 9, 1), "role": "총무", "products": "기능성 코팅제"},
        {"brn": BRNS[3], "company_name": "미래소프트", "ceo": "정하늘", "ksic": "58 출판업",
         "employees": 12, "sales_mwon": 900, "joined": datetime.date(2006, 1, 20), "role": "회원", "products": "생산관리 소프트웨어"},
        {"brn": BRNS[4], "company_name": "동양금속", "ceo": "강태식", "ksic": "29 기타 기계 및 장비 제조업",
         "employees": 41, "sales_mwon": 5600, "joined": datetime.date(2007, 4, 2), "role": "회원", "products": "산업용 건조기"},
        {"brn": BRNS[5], "company_name": "푸른식품", "ceo": "윤서연", "ksic": "10 식료품 제조업",
         "employees": 27, "sales_mwon": 3100, "joined": datetime.date(2008, 7, 7), "role": "회원", "products": "건강 음료"},
    ],
    "activity": [
        {"date": datetime.date(2009, 1, 15), "kind": "월례회", "attendees": 5, "note": "1월 월례회"},
        {"date": datetime.date(2009, 2, 12), "kind": "월례회", "attendees": 6, "note": "2월 월례회"},
        {"date": datetime.date(2009, 3, 5), "kind": "기업방문", "attendees": 4, "note": "새롬전자 공장 견학"},
    ],
    "result": [
        {"kind": "신제품", "title": "스마트 센서 내장 금형", "participants": f"{BRNS[0]}, {BRNS[1]}", "amount_won": 15000000,
         "date": datetime.date(2009, 2, 10)},
    ],
    "consortium": [
        {"title": "폐열 회수형 건조기 공동개발", "lead_brn": BRNS[4], "partner_brns": f"{BRNS[2]}, {BRNS[1]}", "field": "그린에너지·환경",
         "total_won": 20000000, "gov_won": 15000000, "company_won": 5000000, "submitted": datetime.date(2009, 3, 20)},
    ],
}

FEDERATION: dict[str, list[dict[str, Any]]] = {
    "federation": [{"federation": "서울", "report_year": 2009, "chair": "박정훈", "staff": "최은영",
                    "phone": "02-2345-6789", "email": "seoul@example.kr"}],
    "roster": [
        {"club_code": "SEO-001", "club_name": "서울한빛교류회", "member_count": 6, "founded_year": 1995,
         "chair_company": "한빛정밀(주)", "reported": "예"},
        {"club_code": "SEO-002", "club_name": "서울미래교류회", "member_count": 22, "founded_year": 2001,
         "chair_company": "미래테크", "reported": "아니오"},
    ],
}


def club_data() -> dict[str, list[dict[str, Any]]]:
    """A fresh deep copy of a valid club report (mutate freely)."""
    return copy.deepcopy(CLUB)


def federation_data() -> dict[str, list[dict[str, Any]]]:
    return copy.deepcopy(FEDERATION)


@pytest.fixture
def write_report(tmp_path: Path) -> Callable[..., Path]:
    """write_report(data, kind="club", name="report.xlsx") -> path of a real filled-in workbook in tmp_path."""

    def _write(data: dict[str, list[dict[str, Any]]], kind: str = "club", name: str = "report.xlsx", year: int = 2009) -> Path:
        path = tmp_path / name
        write_template(path, kind, year, data)
        return path

    return _write


def write_consolidated(cons, path):
    """Derive a consolidation's tables and write its workbook (what the service does after a merge)."""
    from iupjong_xl.consolidate.derive import derive
    from iupjong_xl.outputs.workbook import write_workbook

    return write_workbook(cons, path, derive(cons))


@pytest.fixture(scope="session")
def consolidated_years(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One folder for the whole test run: `iupjong consolidate sample_workbooks/<year> -o national_<year>.xlsx --year
    <year>` for 2008 and 2009, one ledger (iupjong.db) holding both. Read it; never change its workbooks or ledger."""
    from click.testing import CliRunner

    from iupjong_xl.cli import cli

    samples = Path(__file__).resolve().parents[1] / "sample_workbooks"
    out = tmp_path_factory.mktemp("years")
    for year in (2008, 2009):
        res = CliRunner().invoke(cli, ["consolidate", str(samples / str(year)), "-o", str(out / f"national_{year}.xlsx"),
                                       "--year", str(year), "-q"])
        assert res.exit_code == 0, res.output
    return out


@pytest.fixture(scope="session")
def national_workbooks(consolidated_years: Path) -> dict[int, Path]:
    """The national workbook of each sample year, consolidated once for the whole run (consolidated_years). Shared:
    read them, never write them — a test that changes one copies it to its own tmp_path first."""
    return {year: consolidated_years / f"national_{year}.xlsx" for year in (2008, 2009)}


def copy_corpus(corpus: Path, target: Path, name: str = "national_2009.xlsx") -> Path:
    """A consolidated workbook and its ledger copied into target (the ledger names workbooks relative to its folder,
    so the copy is a workbook of the copied ledger); returns the workbook's path."""
    import shutil

    target.mkdir(parents=True, exist_ok=True)
    for file in (name, "iupjong.db"):
        shutil.copy2(corpus / file, target / file)
    return target / name


@pytest.fixture
def national_2009(consolidated_years: Path, tmp_path: Path) -> Path:
    """A fresh copy of the session's consolidated 2009 workbook (sample_workbooks/2009) with its ledger, in
    tmp_path/work: change it freely."""
    return copy_corpus(consolidated_years, tmp_path / "work")


@pytest.fixture
def small_national(write_report: Callable[..., Path], tmp_path: Path) -> Path:
    """One valid club report (SEO-001) consolidated into tmp_path/out/national.xlsx with its ledger: for ledger and
    verify stories that need no corpus (a second or two)."""
    from iupjong_xl import service

    report = write_report(club_data(), name="서울_SEO-001_2009.xlsx")
    out = tmp_path / "out" / "national.xlsx"
    service.consolidate([report], out)
    return out


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_teardown(item: pytest.Item, nextitem: pytest.Item | None) -> None:
    """At the last test's teardown, before the session's fixtures end: stop the kept validation workers. A worker
    is forked with copies of every open descriptor, the Playwright driver's pipes among them, and Playwright's
    teardown waits for its driver to see the end of its input: workers forked after the browser started would
    make the run hang at the end (browser tests run early, validations later)."""
    if nextitem is None:
        from iupjong_xl.io import sandbox

        sandbox.shutdown()
