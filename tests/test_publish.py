"""`iupjong publish LEDGER -o SITE_DIR`: the open-data snapshot of a ledger (sample_workbooks/2008 + 2009 consolidated
into one folder), checked value by value against the ledger's own analyses, validated with the real frictionless
library, byte-reproducible, and free of personal data: the allow-list gate (planted columns fail the build), free
text redacted, sums and means over fewer than 3 companies withheld."""

from __future__ import annotations

import csv
import json
import re
import shutil
import sqlite3
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner

from iupjong_xl import rulebook
from iupjong_xl.analyses.publish import (
    DATAPACKAGE,
    METADATA,
    SQLITE_NAME,
    NotPublishableError,
    build_snapshot,
    load_spec,
    write_snapshot,
)
from iupjong_xl.cli import cli
from tests.personal_data import found_personal, personal

VALIDATION = Path(__file__).resolve().parents[1] / "validation"
TABLES = ["runs", "federations", "clubs", "indicators", "funding_rounds", "consortia", "results", "companies",
          "memberships", "bands"]
FILES = sorted([SQLITE_NAME, DATAPACKAGE, METADATA, *(f"csv/{t}.csv" for t in TABLES),
                *(f"json/{t}.json" for t in TABLES)])


def _invoke(*args: str) -> Any:
    return CliRunner().invoke(cli, list(args))


@pytest.fixture(scope="module")
def folder(consolidated_years: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The session's consolidation of sample_workbooks/2008 and 2009 (one ledger), copied so that this module may
    write beside it, and published into site/."""
    out = tmp_path_factory.mktemp("published")
    for name in ("national_2008.xlsx", "national_2009.xlsx", "iupjong.db"):
        shutil.copy2(consolidated_years / name, out / name)
    res = _invoke("publish", str(out / "iupjong.db"), "-o", str(out / "site"))
    assert res.exit_code == 0, res.output
    (out / "publish.txt").write_text(res.output, encoding="utf-8")
    return out


@pytest.fixture(autouse=True)
def _packaged_rulebook() -> Any:
    yield
    rulebook.use_root(None)  # --rulebook changes the process-wide folder


def _csv(site: Path, table: str) -> list[dict[str, str]]:
    with (site / "csv" / f"{table}.csv").open(encoding="utf-8-sig", newline="") as f:
        return list(csv.DictReader(f))


def _db(site: Path, sql: str, *args: Any) -> list[tuple[Any, ...]]:
    conn = sqlite3.connect(site / SQLITE_NAME)
    try:
        return conn.execute(sql, args).fetchall()
    finally:
        conn.close()


def _files(site: Path) -> list[str]:
    return sorted(p.relative_to(site).as_posix() for p in site.rglob("*") if p.is_file())


# ------------------------------------------------------------------------------------------ what is written


def test_the_snapshot_has_every_file_and_the_command_says_what_it_wrote(folder: Path) -> None:
    site = folder / "site"
    assert _files(site) == FILES
    assert [p.name for p in folder.iterdir() if p.name.startswith(".site")] == []  # no temporary folder left
    output = (folder / "publish.txt").read_text(encoding="utf-8").splitlines()
    assert output[0] == f"공개 자료 -> {site}: 2008, 2009년 (2008: 실행 #1, 2009: 실행 #2)"
    assert output[1:11] == ["  runs: 2행", "  federations: 26행", "  clubs: 546행", "  indicators: 364행",
                            "  funding_rounds: 2행", "  consortia: 90행", "  results: 249행", "  companies: 7,469행",
                            "  memberships: 7,469행", "  bands: 28행"]
    assert output[-1] == "개인정보 열 없음(허용 목록 확인); 자유 기재에서 연락처·이메일·등록번호를 지운 칸 0개; 3곳 미만이라 싣지 않은 합계·평균 0개"


def test_sqlite_tables_and_columns_are_exactly_the_declared_ones(folder: Path) -> None:
    spec = load_spec()
    site = folder / "site"
    tables = [r[0] for r in _db(site, "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")]
    assert tables == sorted(spec.tables)
    for name, ts in spec.tables.items():
        cols = [r[1] for r in _db(site, f'PRAGMA table_info("{name}")')]
        assert cols == ts.names
        if not ts.sqlite_only:
            assert list(_csv(site, name)[0]) == ts.names
            assert list(json.loads((site / "json" / f"{name}.json").read_text(encoding="utf-8"))[0]) == ts.names
    indexes = {r[0] for r in _db(site, "SELECT name FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL")}
    assert {"companies_ksic_section_year", "clubs_federation_year", "memberships_club_code_year"} <= indexes


def test_the_funding_rounds_are_the_consolidations_totals(folder: Path) -> None:
    rows = _db(folder / "site", "SELECT * FROM funding_rounds ORDER BY year")
    assert rows == [(2008, 2009, 45, 45, 40, 659000000, 464100000, 194900000, 40, 800000000, 380),
                    (2009, 2010, 64, 60, 50, 902000000, 621200000, 280800000, 50, 1000000000, 400)]
    assert _db(folder / "site", "SELECT year, COUNT(*), SUM(gov_won) FROM consortia GROUP BY year") == \
        [(2008, 40, 464100000), (2009, 50, 621200000)]


def test_national_indicators_are_the_papers_with_numerators_and_denominators(folder: Path) -> None:
    got = {k: (num, den, v) for k, num, den, v in _db(
        folder / "site", "SELECT key, numerator, denominator, value FROM indicators WHERE year = 2009 AND scope = '전국'")}
    assert got == {
        "registered_clubs": (274, None, 274), "reported_clubs": (195, None, 195),
        "reporting_rate": (195, 274, 71.2), "registered_members": (5684, None, 5684),
        "info_share": (163, 195, 83.6), "resource_share": (60, 195, 30.8), "newproduct_share": (47, 195, 24.1),
        "clubs_with_results": (46, None, 46), "results_share": (46, 195, 23.6), "tech_results": (72, None, 72),
        "avg_meetings": (2145, 195, 11.0), "attendance_share": (182, 195, 93.3), "not_cross_industry": (0, None, 0),
        "members_per_club": (5684, 274, 20.7)}  # a 2008 indicator, over measures every year counts (as trends shows)
    assert _db(folder / "site", "SELECT year, COUNT(*), SUM(comparable) FROM indicators WHERE scope = '전국' "
                                "GROUP BY year") == [(2008, 12, 12), (2009, 14, 12)]


def test_every_indicator_equals_iupjong_trends_on_the_same_ledger(folder: Path) -> None:
    res = _invoke("trends", "--ledger", str(folder / "iupjong.db"), "-o", str(folder / "trends.xlsx"), "--format", "json")
    assert res.exit_code == 0, res.output
    trends = json.loads(res.output)
    published = {(y, s, k): v for y, s, k, v in _db(folder / "site", "SELECT year, scope, key, value FROM indicators")}
    compared = 0
    for scope, rows in [("전국", trends["national"]), *trends["federations"].items()]:
        for key, row in rows.items():
            for year, value in row["values"].items():
                assert published[(int(year), scope, key)] == value, (year, scope, key)
                compared += 1
    assert len(trends["indicators"]) == 12
    assert compared == 14 * 12 * 2  # 13 federations + 전국, 12 comparable indicators, 2 years


def test_federations_and_clubs_by_year(folder: Path) -> None:
    site = folder / "site"
    assert _db(site, "SELECT year, SUM(registered_clubs), SUM(reported_clubs), SUM(registered_members), "
                     "SUM(consortium_selected) FROM federations GROUP BY year") == \
        [(2008, 272, 179, 5208, 40), (2009, 274, 195, 5684, 50)]
    assert _db(site, "SELECT year, COUNT(*), SUM(reported), SUM(in_roster) FROM clubs GROUP BY year") == \
        [(2008, 272, 179, 272), (2009, 274, 195, 274)]
    # new-product development was not asked in 2008: empty, not zero
    assert _db(site, "SELECT year, COUNT(clubs_newproduct), SUM(clubs_newproduct) FROM federations GROUP BY year") == \
        [(2008, 0, None), (2009, 13, 47)]
    assert _db(site, "SELECT attendance_band, COUNT(*), SUM(attendance_ok) FROM clubs WHERE year = 2009 "
                     "GROUP BY attendance_band ORDER BY attendance_band") == \
        [(None, 79, None), ("50~70%", 13, 0), ("70~90%", 182, 182)]
    club = _db(site, "SELECT club_name, federation, reported, members, monthly_meetings, results FROM clubs "
                     "WHERE year = 2009 AND club_code = 'SEO-001'")
    assert club == [("서울솔빛교류회", "서울", 1, 16, 10, 0)]  # as in sample_workbooks/2009/서울/서울_SEO-001_2009.xlsx


def test_the_member_directory_is_the_directorys_and_follows_companies_across_years(folder: Path) -> None:
    from iupjong_xl.analyses.directory import build_directory

    site = folder / "site"
    d = build_directory(folder / "national_2009.xlsx")
    rows = _csv(site, "companies")
    mine = sorted((r["company_name"], r["ksic_division"], r["employee_band"], r["sales_band"], r["clubs"],
                   r["federations"], r["products"], r["member_since"]) for r in rows if r["year"] == "2009")
    theirs = sorted((c.name, c.division or "", c.employee_band, c.sales_band, ", ".join(c.clubs),
                     ", ".join(c.federations), ", ".join(c.products), str(c.member_since)) for c in d.companies)
    assert mine == theirs
    res = _invoke("trends", "--ledger", str(folder / "iupjong.db"), "-o", str(folder / "t2.xlsx"), "--format", "json")
    (flow,) = json.loads(res.output)["members"]
    ids = {y: {r["company_id"] for r in rows if r["year"] == y} for y in ("2008", "2009")}
    assert len(ids["2008"] & ids["2009"]) == flow["stayed"] + flow["moved"]
    assert len(ids["2009"] - ids["2008"]) == flow["joined"]
    assert len(ids["2008"] - ids["2009"]) == flow["left"]
    joined = {r["company_id"] for r in rows if r["year"] == "2009" and r["member_since"] == "2009"}
    assert joined == ids["2009"] - ids["2008"]
    assert max(int(i) for i in ids["2008"]) < min(int(i) for i in joined)  # numbered by first year


def test_the_search_index_finds_two_syllable_words(folder: Path) -> None:
    site = folder / "site"
    for word in ("기계", "전자", "금형"):
        found = {r[0] for r in _db(site, "SELECT DISTINCT company_id FROM company_grams WHERE gram = ? AND year = 2009",
                                   word)}
        expected = {r[0] for r in _db(site, "SELECT company_id FROM companies WHERE year = 2009 AND ("
                                            "replace(company_name, ' ', '') LIKE ? OR replace(products, ' ', '') LIKE ?"
                                            " OR replace(ksic_division_name, ' ', '') LIKE ?)", *[f"%{word}%"] * 3)}
        assert found == expected and len(found) > 10, word


# ------------------------------------------------------------------------------------------ the Data Package


def test_the_data_package_is_valid_under_frictionless(folder: Path) -> None:
    import frictionless

    report = frictionless.validate(folder / "site" / DATAPACKAGE)
    assert report.valid, report.flatten(["type", "note"])[:5]
    assert [t.name for t in report.tasks] == [n for t in TABLES for n in (t, f"{t}-json")] + ["opendata-sqlite"]


def test_the_descriptor_says_what_where_and_from_which_run(folder: Path) -> None:
    dp = json.loads((folder / "site" / DATAPACKAGE).read_text(encoding="utf-8"))
    runs = _db(folder / "site", "SELECT year, run, content_hash, run_finished FROM runs ORDER BY year")
    assert dp["title"] == "이업종 교류 공개 자료" and dp["title_en"].startswith("SME cross-industry")
    assert dp["licenses"][0]["name"] == "KOGL-Type1"
    assert dp["years"] == [2008, 2009]
    assert [(r["year"], r["run"], r["content_hash"], r["run_finished"]) for r in dp["runs"]] == runs
    assert dp["created"] == runs[-1][3]
    assert dp["sources"][1]["title"] == f"2009년 전국 취합 national_2009.xlsx — 원장 iupjong.db 실행 #2 (내용 해시 {runs[1][2]}), 규칙집 2009.1"
    companies = next(r for r in dp["resources"] if r["name"] == "companies")
    assert (companies["title"], companies["title_en"]) == ("회원사 명부", "Member directory")
    assert {f["name"]: f["type"] for f in companies["schema"]["fields"]}["member_since"] == "year"
    meta = yaml.safe_load((folder / "site" / METADATA).read_text(encoding="utf-8"))
    assert meta["databases"]["opendata"]["tables"]["companies"]["columns"]["products"] == \
        "주요 제품·기술 (Products and technologies)"


def test_the_same_ledger_gives_the_same_bytes_and_a_snapshot_is_replaced_whole(folder: Path, tmp_path: Path) -> None:
    again = tmp_path / "again"
    again.mkdir()
    (again / "stale.csv").write_text("x", encoding="utf-8")
    shutil.copy(folder / "site" / DATAPACKAGE, again / DATAPACKAGE)
    shutil.copy(folder / "site" / SQLITE_NAME, again / SQLITE_NAME)  # an earlier snapshot: replaced as a whole
    res = _invoke("publish", str(folder / "iupjong.db"), "-o", str(again), "--format", "json")
    assert res.exit_code == 0, res.output
    data = json.loads(res.output)
    assert data["years"] == [2008, 2009] and data["files"] == FILES
    assert data["tables"] == {"runs": 2, "federations": 26, "clubs": 546, "indicators": 364, "funding_rounds": 2,
                              "consortia": 90, "results": 249, "companies": 7469, "memberships": 7469, "bands": 28,
                              "company_grams": _db(folder / "site", "SELECT COUNT(*) FROM company_grams")[0][0]}
    assert data["redacted"] == {} and data["suppressed"] == {}
    site = folder / "site"
    assert _files(again) == _files(site) == FILES
    for name in _files(site):
        assert (again / name).read_bytes() == (site / name).read_bytes(), name
    assert sorted(p.name for p in tmp_path.iterdir()) == ["again"]  # no temporary or old folder left


# ------------------------------------------------------------------------------------------ no personal data


def test_no_personal_data_anywhere_in_the_snapshot(folder: Path) -> None:
    people, numbers = personal(folder / "iupjong.db")
    assert len(people) > 1000 and len(numbers) > 10000
    ceo, brn = sorted(people)[0], sorted(n for n in numbers if "-" in n)[0]
    assert found_personal(f"대표 {ceo}, 번호 {brn} {brn.replace('-', '')}", people, numbers) == \
        {ceo, brn, brn.replace("-", "")}  # the scan finds them where they are
    site = folder / "site"
    for name in _files(site):
        text = (site / name).read_bytes().decode("utf-8", "ignore")
        assert found_personal(text, people, numbers) == set(), name


def test_a_planted_column_or_table_fails_the_build_and_writes_nothing(folder: Path, tmp_path: Path) -> None:
    snap = build_snapshot(folder / "iupjong.db")
    snap.tables["companies"][5]["ceo"] = "홍길동"
    with pytest.raises(NotPublishableError) as err:
        write_snapshot(snap, tmp_path / "site")
    assert (err.value.table, err.value.column) == ("companies", "ceo")
    assert "companies 표의 ceo 열" in err.value.ko and "table companies, column ceo" in err.value.en
    assert list(tmp_path.iterdir()) == []
    del snap.tables["companies"][5]["ceo"]
    snap.tables["members"] = [{"brn": "116-82-00276"}]
    with pytest.raises(NotPublishableError) as err:
        write_snapshot(snap, tmp_path / "site")
    assert (err.value.table, err.value.column) == ("members", None)
    assert list(tmp_path.iterdir()) == []
    del snap.tables["members"]
    snap.tables["clubs"][0]["employees"] = 12  # exact employees: never published, even if a table declared it
    with pytest.raises(NotPublishableError) as err:
        write_snapshot(snap, tmp_path / "site")
    assert (err.value.table, err.value.column) == ("clubs", "employees")
    assert list(tmp_path.iterdir()) == []


def _declaration(tmp_path: Path, edit: Any) -> Path:
    """A copy of the rule-book folder whose open-data declaration `edit` changed."""
    root = tmp_path / "rules"
    shutil.copytree(VALIDATION, root)
    path = root / "publish" / "opendata.yaml"
    raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    edit(raw)
    path.write_text(yaml.safe_dump(raw, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return root


def test_a_column_the_allow_list_no_longer_names_fails_the_command_with_exit_1(folder: Path, tmp_path: Path) -> None:
    def drop(raw: dict[str, Any]) -> None:
        cols = raw["tables"]["companies"]["columns"]
        cols[:] = [c for c in cols if c["name"] != "products"]

    root = _declaration(tmp_path, drop)
    before = {n: (folder / "site" / n).read_bytes() for n in _files(folder / "site")}
    res = _invoke("--rulebook", str(root), "publish", str(folder / "iupjong.db"), "-o", str(folder / "site"))
    assert res.exit_code == 1, res.output
    assert "companies 표의 products 열" in res.output and "table companies, column products" in res.output
    assert {n: (folder / "site" / n).read_bytes() for n in _files(folder / "site")} == before  # left as it was


def test_an_allow_list_naming_a_never_published_column_is_refused(folder: Path, tmp_path: Path) -> None:
    def allow_ceo(raw: dict[str, Any]) -> None:
        raw["tables"]["companies"]["columns"].append({"name": "ceo", "type": "string", "title": "대표자",
                                                      "title_en": "CEO"})

    root = _declaration(tmp_path, allow_ceo)
    res = _invoke("--rulebook", str(root), "publish", str(folder / "iupjong.db"), "-o", str(tmp_path / "site"),
                  "--lang", "en")
    assert res.exit_code == 1, res.output
    assert "never published: table companies, column ceo" in res.output
    assert not (tmp_path / "site").exists()


def test_redaction_patterns() -> None:
    spec = load_spec()
    text = ("정밀 금형, 문의 010-1234-5678 또는 +82 10 1234 5678, (02)123-4567, 1588-1234, a.b@x.co.kr, 116-82-00276, "
            "1168200276, 800101-1234567, CNC 2-4층, 1200-3400 규격, 2009-03-01")
    clean, found = spec.redact_text(text)
    assert clean == ("정밀 금형, 문의 [전화번호 삭제] 또는 [전화번호 삭제], [전화번호 삭제], [전화번호 삭제], [이메일 삭제], "
                     "[등록번호 삭제], [등록번호 삭제], [등록번호 삭제], CNC 2-4층, 1200-3400 규격, 2009-03-01")
    assert dict(found) == {"phone": 4, "email": 1, "brn": 2, "rrn_crn": 1}


# ------------------------------------------------------------------------------------------ planted in a small ledger

PHONE, EMAIL, BRN_TEXT = "010-2345-6789", "sales@hanbit.example.kr", "134-86-72683"


@pytest.fixture(scope="module")
def small(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Two clubs of 서울: SEO-001 with two member companies (a phone number and an e-mail typed into 주요 제품·기술,
    a registration number into a result's 과제명), SEO-002 with three, one of them without sales."""
    from conftest import BRNS, club_data

    from iupjong_xl.outputs.templates import write_template

    out = tmp_path_factory.mktemp("small")
    a = club_data()
    a["member"] = a["member"][:2]
    a["member"][0]["products"] = f"정밀 금형, 문의 {PHONE}, {EMAIL}"
    a["result"][0]["title"] = f"스마트 센서 내장 금형 ({BRN_TEXT} 공동)"
    a["consortium"] = []
    write_template(out / "서울_SEO-001_2009.xlsx", "club", 2009, a)
    b = club_data()
    b["club"][0].update(club_code="SEO-002", club_name="서울미래교류회", chair_brn=BRNS[3], email="mirae@example.kr")
    b["member"] = b["member"][3:]
    b["member"][0]["role"] = "회장"
    b["member"][1]["role"] = "총무"
    b["member"][2]["sales_mwon"] = None
    b["result"] = []
    b["consortium"] = []
    write_template(out / "서울_SEO-002_2009.xlsx", "club", 2009, b)
    res = _invoke("consolidate", str(out / "서울_SEO-001_2009.xlsx"), str(out / "서울_SEO-002_2009.xlsx"), "-o",
                  str(out / "national_2009.xlsx"), "-q", "--format", "json")
    assert json.loads(res.output)["summary"]["club_reports"] == 2, res.output
    res = _invoke("publish", str(out / "iupjong.db"), "-o", str(out / "site"), "--format", "json")
    assert res.exit_code == 0, res.output
    (out / "publish.json").write_text(res.output, encoding="utf-8")
    return out


def test_phone_email_and_registration_number_in_free_text_are_redacted(small: Path) -> None:
    site = small / "site"
    products = {r["company_name"]: r["products"] for r in _csv(site, "companies")}
    assert products["한빛정밀(주)"] == "정밀 금형, 문의 [전화번호 삭제], [이메일 삭제]"
    assert [r["title"] for r in _csv(site, "results")] == ["스마트 센서 내장 금형 ([등록번호 삭제] 공동)"]
    data = json.loads((small / "publish.json").read_text(encoding="utf-8"))
    assert data["redacted"] == {"companies.products": 1, "results.title": 1}
    for name in _files(site):
        raw = (site / name).read_bytes().decode("utf-8", "ignore")
        for planted in (PHONE, PHONE.replace("-", ""), EMAIL, BRN_TEXT):
            assert planted not in raw, (name, planted)
    grams = {r[0] for r in _db(site, "SELECT gram FROM company_grams WHERE field = 'products'")}
    assert "금형" in grams and not grams & {"전화", "이메", "sa", "01", "67"}


def test_sums_and_means_over_fewer_than_three_companies_are_withheld(small: Path) -> None:
    site = small / "site"
    rows = _db(site, "SELECT club_code, employees_companies, employees_sum, employees_mean, sales_companies, "
                     "sales_mwon_sum, sales_mwon_mean, size_note FROM clubs ORDER BY club_code")
    assert rows == [("SEO-001", 2, None, None, 2, None, None, "3곳 미만"),      # 35 + 52 employees: two companies
                    ("SEO-002", 3, 80, 26.7, 2, None, None, "3곳 미만")]         # 12 + 41 + 27; sales of two only
    assert _db(site, "SELECT federation, member_companies, employees_companies, employees_sum, employees_mean, "
                     "sales_companies, sales_mwon_sum, sales_mwon_mean, size_note FROM federations") == \
        [("서울", 5, 5, 167, 33.4, 4, 18800, 4700.0, None)]  # 35+52+12+41+27; 4200+8100+900+5600
    data = json.loads((small / "publish.json").read_text(encoding="utf-8"))
    assert data["suppressed"] == {"clubs.employees_sum": 1, "clubs.employees_mean": 1, "clubs.sales_mwon_sum": 2,
                                  "clubs.sales_mwon_mean": 2}
    assert _db(site, "SELECT COUNT(*) FROM companies") == [(5,)]  # counts are exact


# ------------------------------------------------------------------------------------------ usage


def test_a_folder_that_is_not_a_snapshot_is_left_alone(folder: Path, tmp_path: Path) -> None:
    (tmp_path / "mine").mkdir()
    (tmp_path / "mine" / "메모.txt").write_text("내 파일", encoding="utf-8")
    res = _invoke("publish", str(folder / "iupjong.db"), "-o", str(tmp_path / "mine"))
    assert res.exit_code == 2 and "공개 자료 폴더가 아닌" in res.output
    assert _files(tmp_path / "mine") == ["메모.txt"]


def test_a_ledger_without_a_national_consolidation_is_a_clear_error(tmp_path: Path) -> None:
    from iupjong_xl.consolidate.ledger import open_ledger

    open_ledger(tmp_path / "iupjong.db").close()
    res = _invoke("publish", str(tmp_path / "iupjong.db"), "-o", str(tmp_path / "site"))
    assert res.exit_code == 2 and "취합 기록이 없습니다" in res.output
    assert not (tmp_path / "site").exists()


def test_the_manual_lists_every_published_table_and_column() -> None:
    text = (Path(__file__).resolve().parents[1] / "docs" / "publish.md").read_text(encoding="utf-8")
    for name, ts in load_spec().tables.items():
        section = text.split(f"### `{name}` — ", 1)[1].split("\n### ", 1)[0]
        assert [m for m in re.findall(r"^\| `(\w+)` \|", section, re.M)] == ts.names, name
