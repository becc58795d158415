"""The public pages (no login) through Django's test client, on the shared snapshot of the 2008 + 2009 sample corpus
(tests/portal/public_snapshot.py): exact values from the snapshot, search by what companies make, the company and
club pages, the downloads (listed names only), robots.txt, and no personal data in any page."""

from __future__ import annotations

import csv
import io
import re
import sqlite3
from pathlib import Path
from typing import Any

import pytest

from iupjong_xl.portal.public import PUBLIC_INDEX_ENV
from tests.personal_data import found_personal, personal
from tests.portal.public_snapshot import makers, public_portal

__all__ = ["public_portal"]


@pytest.fixture
def site(public_portal: Path, settings: Any) -> Path:
    settings.PORTAL_DIR = public_portal
    return public_portal / "published"


def _rows(site: Path, sql: str, *args: Any) -> list[dict[str, Any]]:
    conn = sqlite3.connect(site / "opendata.sqlite")
    conn.row_factory = sqlite3.Row
    try:
        return [dict(r) for r in conn.execute(sql, args)]
    finally:
        conn.close()


def _text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)).strip()


def _cells(html: str, table_id: str) -> list[list[str]]:
    body = re.search(rf'<table[^>]* id="{table_id}"[^>]*>.*?<tbody>(.*?)</tbody>', html, re.S)
    assert body is not None, table_id
    return [[_text(c) for c in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, re.S)]
            for row in re.findall(r"<tr>(.*?)</tr>", body.group(1), re.S)]


def test_nothing_published_yet_is_said_in_korean(client: Any, settings: Any, tmp_path: Path) -> None:
    settings.PORTAL_DIR = tmp_path
    for url in ("/public/stats/", "/public/companies/", "/public/data/"):
        r = client.get(url)
        assert r.status_code == 200
        html = r.content.decode()
        assert "<h1>아직 공개한 자료가 없습니다</h1>" in html and '<html lang="ko">' in html
        assert r["X-Robots-Tag"] == "noindex, nofollow"


def test_the_national_statistics_with_the_change_from_the_year_before(client: Any, site: Path) -> None:
    r = client.get("/public/stats/")
    assert r.status_code == 200 and "Content-Security-Policy" in r
    html = r.content.decode()
    assert "<h1>통계 — 전국</h1>" in html
    summary = _cells(html, "summary")
    assert summary[0] == ["등록 교류회", "272개", "274개", "+2개"]
    assert summary[2] == ["보고율", "65.8%", "71.2%", "+5.4%p"]
    assert summary[3] == ["등록 회원사", "5,208개", "5,684개", "+476개"]
    assert ["신제품개발형 비율", "자료 없음", "24.1%", "—"] in summary  # not asked in 2008
    assert len(summary) == 14
    # each chart: an SVG that starts at zero, beside its table, with a CSV link
    chart = re.search(r'<section class="indicator" id="ind-reporting_rate".*?</section>', html, re.S)
    assert chart is not None
    part = chart.group(0)
    assert '<text class="tick" x="50" y="170.0" dy="4" text-anchor="end">0</text>' in part
    assert '<text class="tick" x="50" y="14.0" dy="4" text-anchor="end">100</text>' in part  # 71.2 -> axis to 100
    assert _text(re.search(r"<tbody>(.*?)</tbody>", part, re.S).group(1)) == "2008 65.8% 179 272 — 2009 71.2% 195 274 +5.4%p"
    assert 'href="/public/stats.csv?scope=%EC%A0%84%EA%B5%AD&amp;key=reporting_rate"' in part


def test_a_federations_statistics_and_its_csv(client: Any, site: Path) -> None:
    html = client.get("/public/stats/", {"scope": "서울"}).content.decode()
    assert "<h1>통계 — 서울</h1>" in html
    assert _cells(html, "summary")[2] == ["보고율", "64.4%", "68.3%", "+3.9%p"]
    assert _cells(html, "summary")[11] == ["참석률 70% 이상 교류회 비율", "97.4%", "90.2%", "−7.2%p"]
    r = client.get("/public/stats.csv", {"scope": "서울", "key": "reporting_rate"})
    assert r.status_code == 200 and r["Content-Type"] == "text/csv; charset=utf-8"
    assert r.content.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(r.content.decode("utf-8-sig"))))
    assert rows == [["연도", "범위", "지표 키", "지표", "단위", "분자", "분모", "값", "전년 대비"],
                    ["2008", "서울", "reporting_rate", "보고율", "%", "38", "59", "64.4", ""],
                    ["2009", "서울", "reporting_rate", "보고율", "%", "41", "60", "68.3", "3.9"]]
    assert client.get("/public/stats/", {"scope": "없는곳"}).status_code == 404


@pytest.mark.parametrize("word", ["기계", "전자"])
def test_searching_what_companies_make_finds_every_maker(client: Any, site: Path, word: str) -> None:
    rows = _rows(site, "SELECT * FROM companies WHERE year = 2009")
    expected = makers(rows, word)
    assert len(expected) > 100
    html = client.get("/public/companies/", {"q": word}).content.decode()
    assert f'<p id="count" role="status">{len(expected)}곳 (1/{-(-len(expected) // 50)}쪽)</p>' in html
    seen: set[int] = set()
    page = 1
    while True:
        html = client.get("/public/companies/", {"q": word, "page": page}).content.decode()
        seen |= {int(m) for m in re.findall(r'href="/public/companies/2009/(\d+)/"', html)}
        if 'rel="next"' not in html:
            break
        page += 1
    assert seen == expected


def test_search_filters_by_industry_federation_and_size(client: Any, site: Path) -> None:
    rows = _rows(site, "SELECT c.* FROM companies c WHERE year = 2009 AND ksic_division = '26' AND "
                       "employee_band = '20~49명' AND EXISTS (SELECT 1 FROM memberships m WHERE m.year = 2009 AND "
                       "m.company_id = c.company_id AND m.federation = '서울') ORDER BY company_name, company_id")
    assert rows
    html = client.get("/public/companies/", {"division": "26", "federation": "서울", "employees": "20~49명"}
                      ).content.decode()
    got = _cells(html, "companies")
    assert [g[0] for g in got] == [r["company_name"] for r in rows]
    first = rows[0]
    assert got[0] == [first["company_name"], first["ksic_division_name"], first["products"] or "—", first["clubs"],
                      first["federations"], "20~49명", first["sales_band"]]
    assert f'<p id="count" role="status">{len(rows)}곳</p>' in html
    html = client.get("/public/companies/", {"q": "전자", "year": "2008", "federation": "부산"}).content.decode()
    expected = makers(_rows(site, "SELECT c.* FROM companies c JOIN memberships m USING (year, company_id) "
                                  "WHERE year = 2008 AND m.federation = '부산'"), "전자")
    assert f'<p id="count" role="status">{len(expected)}곳</p>' in html and "2008년 회원사 — ‘전자’" in html
    html = client.get("/public/companies/", {"q": "없는제품이름"}).content.decode()
    assert '<p id="count" role="status">찾은 회원사가 없습니다.</p>' in html


def test_a_company_page_and_a_club_page(client: Any, site: Path) -> None:
    html = client.get("/public/companies/2009/2/").content.decode()
    text = _text(html)
    assert "<h1>지성농산인터내셔널(주)</h1>" in html
    assert "업종 (KSIC) 11 음료 제조업 · 대분류 C 제조업" in text
    assert "주요 제품·기술 건강기능식품, 건강 음료 종업원 규모 20~49명 매출 규모 50억~100억 회원 연도 2008" in text
    assert "소속 교류회 경남새날교류회 (GNM-003) · 경남 연합회" in text
    assert 'href="/public/companies/2008/2/"' in html
    assert client.get("/public/companies/2009/999999/").status_code == 404
    html = client.get("/public/clubs/2009/SEO-001/").content.decode()
    text = _text(html)
    assert "<h1>서울솔빛교류회</h1>" in html
    assert ("교류회코드 SEO-001 연합회 서울 연도 2009 (다른 연도: 2008 ) 설립연도 1990 보고서 제출 예 회원사 16곳 "
            "업종 수 중분류 11 · 대분류 5 (이업종: 예) 활동 유형 정보교환 활동 건수 17 월례회 10회 (참석률 70~90%) "
            "성과 0건 (기술개발 0건) 협력과제 신청 0건 · 선정 0건") in text
    industries = _cells(html, "industries")
    assert industries[0] == ["24 1차 금속 제조업", "3곳"] and sum(int(r[1][:-1]) for r in industries) == 16
    assert len(_cells(html, "members")) == 16
    assert client.get("/public/clubs/2009/NOPE-001/").status_code == 404


def test_downloads_serve_only_the_listed_files(client: Any, site: Path) -> None:
    html = client.get("/public/data/").content.decode()
    assert len(re.findall(r'href="/public/data/[^"]', html)) == 23  # the descriptor, Datasette's metadata, 21 resources
    r = client.get("/public/data/csv/companies.csv")
    assert r.status_code == 200 and r["Content-Type"] == "text/csv; charset=utf-8"
    assert b"".join(r.streaming_content) == (site / "csv" / "companies.csv").read_bytes()
    assert "attachment" in r["Content-Disposition"]
    r = client.get("/public/data/opendata.sqlite")
    assert b"".join(r.streaming_content) == (site / "opendata.sqlite").read_bytes()
    for bad in ("../iupjong.db", "csv/../../iupjong.db", "%2e%2e/secret_key", "csv/companies.csv/", "secret_key",
                "/etc/passwd", "csv/nope.csv"):
        assert client.get("/public/data/" + bad).status_code == 404, bad


def test_robots_txt_closes_everything_until_public_index(client: Any, monkeypatch: pytest.MonkeyPatch,
                                                         site: Path) -> None:
    r = client.get("/robots.txt")
    assert r.content.decode() == "User-agent: *\nDisallow: /\n"
    assert client.get("/public/stats/")["X-Robots-Tag"] == "noindex, nofollow"
    monkeypatch.setenv(PUBLIC_INDEX_ENV, "1")
    assert client.get("/robots.txt").content.decode() == "User-agent: *\nAllow: /public/\nDisallow: /\n"
    r = client.get("/public/stats/")
    assert "X-Robots-Tag" not in r and 'name="robots"' not in r.content.decode()


def test_everything_is_escaped(client: Any, site: Path) -> None:
    html = client.get("/public/companies/", {"q": '<script>alert(1)</script>"'}).content.decode()
    assert "<script>alert" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;&quot;" in html
    assert "<script" not in client.get("/public/stats/").content.decode()


def test_no_personal_data_in_any_public_page(client: Any, site: Path, public_portal: Path) -> None:
    people, numbers = personal(public_portal / "iupjong.db")
    assert len(people) > 1000 and len(numbers) > 10000
    pages = ["/public/stats/", "/public/stats/?scope=서울", "/public/companies/", "/public/companies/?q=기계",
             "/public/companies/?q=전자&year=2008", "/public/data/", "/public/companies/2009/2/",
             "/public/clubs/2009/SEO-001/", "/public/clubs/2008/BUS-001/"]
    pages += [f"/public/clubs/2009/{r['club_code']}/" for r in _rows(site, "SELECT club_code FROM clubs WHERE year = "
                                                                         "2009 AND reported = 1 LIMIT 20")]
    for url in pages:
        r = client.get(url)
        assert r.status_code == 200, url
        assert found_personal(r.content.decode(), people, numbers) == set(), url
