"""Year-over-year statistics over the sample corpus of 2008 and 2009 (the same program with churn, rule books that
differ): values side by side, changes, the indicators that could not be compared, the support budget by year."""

from __future__ import annotations

import dataclasses
import json
import re
import zipfile
from pathlib import Path

import openpyxl
import pytest
from conftest import write_consolidated

from iupjong_xl import rulebook
from iupjong_xl.analyses.directory import Opened, open_consolidated
from iupjong_xl.analyses.trends import HEADLINE, Trends, build_trends, compare, write_trends
from iupjong_xl.consolidate.merge import consolidate
from iupjong_xl.errors import NotConsolidatedError, UsageError
from iupjong_xl.samples.corpus import (
    EARLIER_FEDERATIONS,
    NATIONAL,
    NATIONAL_FEDERATIONS,
    plan_corpus,
    plan_earlier,
)

REPO = Path(__file__).resolve().parent.parent
SAMPLES = REPO / "sample_workbooks"
COMPARABLE = ["registered_clubs", "reported_clubs", "reporting_rate", "registered_members", "info_share",
              "resource_share", "clubs_with_results", "results_share", "tech_results", "avg_meetings", "attendance_share",
              "members_per_club"]  # 2008's indicator over measures every year counts: computed for 2009 (issue 13)


@pytest.fixture(scope="module")
def nationals(national_workbooks: dict[int, Path]) -> dict[int, Path]:
    """`iupjong consolidate sample_workbooks/<year> -o national_<year>.xlsx --year <year>` for 2008 and 2009 (once for the
    whole test run)."""
    return {year: national_workbooks[year] for year in (2008, 2009)}


@pytest.fixture(scope="module")
def opened(nationals: dict[int, Path]) -> dict[int, Opened]:
    return {y: open_consolidated(p) for y, p in nationals.items()}


@pytest.fixture(scope="module")
def trends(opened: dict[int, Opened]) -> Trends:
    return build_trends([opened[2009], opened[2008]])  # any order: sorted by year


def test_two_years_side_by_side_with_changes(trends: Trends) -> None:
    assert trends.years == [2008, 2009]
    assert [i.key for i in trends.indicators] == COMPARABLE
    national = {k: (r["values"]["2008"], r["values"]["2009"], r["change"], r["change_pct"])
                for k, r in trends.rows["전국"].items()}
    assert national == {
        "registered_clubs": (272, 274, 2, 0.7), "reported_clubs": (179, 195, 16, 8.9),
        "reporting_rate": (65.8, 71.2, 5.4, None), "registered_members": (5208, 5684, 476, 9.1),
        "info_share": (81.6, 83.6, 2.0, None), "resource_share": (27.9, 30.8, 2.9, None),
        "clubs_with_results": (39, 46, 7, 17.9), "results_share": (21.8, 23.6, 1.8, None),
        "tech_results": (61, 72, 11, 18.0), "avg_meetings": (10.6, 11.0, 0.4, 3.8),
        "attendance_share": (89.9, 93.3, 3.4, None), "members_per_club": (19.1, 20.7, 1.6, 8.4),
    }
    assert trends.row("tech_results")["changes"] == {"2009": 11}


def test_national_values_are_the_plans(trends: Trends) -> None:
    """2008 by construction: 272 clubs on the rosters (8 registered only in 2009, 6 dissolved), their members."""
    later = plan_corpus(NATIONAL, 2009)
    earlier = plan_earlier(later)
    row = trends.row("registered_members")["values"]
    assert (row["2008"], row["2009"]) == (len(earlier.companies()), len(later.companies()))
    clubs = trends.row("registered_clubs")["values"]
    assert (clubs["2008"], clubs["2009"]) == (sum(len(f.clubs) for f in earlier.federations), 274)


def test_per_federation(trends: Trends) -> None:
    assert trends.federations == [f for f, *_ in NATIONAL_FEDERATIONS]
    for (fed, new, gone, reporting), (_f, registered, reported) in zip(EARLIER_FEDERATIONS, NATIONAL_FEDERATIONS,
                                                                        strict=True):
        row = trends.row("registered_clubs", fed)
        assert (row["values"]["2008"], row["values"]["2009"], row["change"]) == (registered - new + gone, registered,
                                                                                 new - gone)
        assert trends.row("reported_clubs", fed)["values"] == {"2008": reporting, "2009": reported}
    seoul = trends.row("reporting_rate", "서울")
    assert seoul == {"values": {"2008": 64.4, "2009": 68.3}, "changes": {"2009": 3.9}, "change": 3.9, "change_pct": None}
    data = trends.to_dict()
    assert list(data["federations"]) == trends.federations and data["national"] == trends.rows["전국"]


def test_indicators_not_shared_by_all_years_are_listed(trends: Trends) -> None:
    assert [(e["key"], e["years"], e["reason"]) for e in trends.not_comparable] == [
        ("newproduct_share", [2009], "missing"), ("not_cross_industry", [2009], "missing")]
    assert trends.not_comparable[0]["ko"] == "신제품개발형 비율: 2008년 규칙집에 없는 지표"
    assert trends.not_comparable[1]["en"] == "Clubs that are not cross-industry: not an indicator of the 2008 rule book"
    assert "newproduct_share" not in trends.rows["전국"] and "members_per_club" in trends.rows["서울"]


def test_indicators_counted_under_other_settings_are_not_comparable() -> None:
    b8, b9 = rulebook.load(2008), rulebook.load(2009)
    looser = dataclasses.replace(b8, parameters={**b8.parameters, "attendance_threshold": 0.6})
    ok, not_ok = compare([looser, b9])
    assert "attendance_share" not in [i.key for i in ok]
    entry = next(e for e in not_ok if e["key"] == "attendance_share")
    assert entry["reason"] == "settings" and "attendance_threshold 2008: 0.6 → 2009: 0.7" in entry["ko"]
    redefined = dataclasses.replace(b8, indicators=tuple(dataclasses.replace(i, factor=1000) if i.key == "reporting_rate"
                                                         else i for i in b8.indicators))
    assert next(e for e in compare([redefined, b9])[1] if e["key"] == "reporting_rate")["reason"] == "definition"


def test_support_budget_by_year(trends: Trends) -> None:
    assert trends.budget == [{"year": 2008, "million_won": 380, "rule_book": 2008},
                             {"year": 2009, "million_won": 400, "rule_book": 2009}]
    assert trends.budget_totals == [{"from": 2001, "to": 2008, "million_won": 3070, "rule_book": 2008},
                                    {"from": 2001, "to": 2009, "million_won": 3470, "rule_book": 2009}]
    assert trends.budget_totals[1]["million_won"] - trends.budget_totals[0]["million_won"] == trends.budget[1]["million_won"]


def test_json_is_plain_data(trends: Trends) -> None:
    data = trends.to_dict()
    assert json.loads(json.dumps(data, ensure_ascii=False)) == data
    assert list(data) == ["years", "level", "sources", "indicators", "not_comparable", "national", "federations", "budget",
                          "members"]  # member companies followed by BRN across the years
    assert [s["version"] for s in data["sources"]] == ["2008.1", "2009.1"]
    assert [i["key"] for i in data["indicators"] if i["headline"]] == [k for k in COMPARABLE if k in HEADLINE]
    assert next(i for i in data["indicators"] if i["key"] == "reporting_rate")["change_unit"] == "%p"


def test_trends_workbook(trends: Trends, tmp_path: Path) -> None:
    out = write_trends(trends, tmp_path / "trends.xlsx")
    assert out.read_bytes() == write_trends(trends, tmp_path / "again.xlsx").read_bytes()
    wb = openpyxl.load_workbook(out)
    assert wb.sheetnames == ["전국 추이", "연합회별 추이", "지표별 차트", "지원예산", "출처", "_추이정보"]
    rows = list(wb["전국 추이"].iter_rows(min_row=3, values_only=True))
    assert rows[0] == ("지표", "단위", "증감 단위", "2008", "2009", "2009 증감", "2008→2009 증감률(%)")
    assert rows[1][:5] == ("등록 교류회", "개", "개", 272, 274) and rows[1][5] == '=IF(OR(D4="",E4=""),"",E4-D4)'
    cached = openpyxl.load_workbook(out, data_only=True)["전국 추이"]
    assert [cached.cell(4, c).value for c in range(4, 8)] == [272, 274, 2, pytest.approx(0.735, abs=0.001)]
    notes = [r[0] for r in rows if isinstance(r[0], str) and r[0].startswith("• ")]
    assert notes == ["• 신제품개발형 비율: 2008년 규칙집에 없는 지표 (있는 연도: 2009)",
                     "• 단일업종 교류회: 2008년 규칙집에 없는 지표 (있는 연도: 2009)"]
    fed_rows = list(wb["연합회별 추이"].iter_rows(min_row=2, values_only=True))
    assert len(fed_rows) == 14 * len(COMPARABLE)
    assert fed_rows[len(COMPARABLE)][:5] == ("서울", "등록 교류회", "개", 59, 60)
    budget = list(wb["지원예산"].iter_rows(min_row=3, max_row=5, values_only=True))
    assert [r[:3] for r in budget] == [("연도", "지원예산(백만원)", "출처 규칙집"), (2008, 380, 2008), (2009, 400, 2009)]
    charts = [n for n in zipfile.ZipFile(out).namelist() if re.fullmatch(r"xl/charts/chart\d+\.xml", n)]
    assert len(charts) == len(HEADLINE) + 1  # one per headline indicator, and the budget


def test_errors(nationals: dict[int, Path], opened: dict[int, Opened], tmp_path: Path) -> None:
    with pytest.raises(UsageError, match=r"두 해 이상.*at least two years"):
        build_trends([opened[2009]])
    with pytest.raises(UsageError, match=r"같은 연도의 취합본이 두 개 있습니다: 2009.*same year: 2009"):
        build_trends([opened[2009], nationals[2009]])
    with pytest.raises(NotConsolidatedError):
        build_trends([nationals[2008], next((SAMPLES / "2009" / "제주").glob("*_연합회_2009.xlsx"))])
    jeju = tmp_path / "제주_2008.xlsx"
    write_consolidated(consolidate([str(SAMPLES / "2008" / "제주")], level="federation", output=jeju), jeju)
    with pytest.raises(UsageError, match=r"섞어 비교할 수 없습니다.*2008: federation 제주, 2009: national"):
        build_trends([jeju, opened[2009]])
