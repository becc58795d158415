"""The 2010 consortium funding round: eligibility at its exact boundaries, selection by score within count and budget."""

from __future__ import annotations

import dataclasses
import datetime
from typing import Any

import pytest
from conftest import BRNS

from iupjong_xl import rulebook
from iupjong_xl.consolidate.funding import Request, check_eligibility, run_round
from iupjong_xl.rulebook import RuleBook

BOOK = rulebook.load(2009)
# BRN -> KSIC division, as derive() builds it from the consolidated 회원사 rows: BRNS[0] and BRNS[4] share division 29.
MEMBERS: dict[str, str | None] = {BRNS[0]: "29", BRNS[1]: "26", BRNS[2]: "20", BRNS[3]: "58", BRNS[4]: "29",
                                  BRNS[5]: "10"}
OUTSIDER = "220-81-62517"  # a well-formed number that is no member
DAY = datetime.date(2010, 3, 2)


def req(n: int = 1, *, total: int | None = 20_000_000, gov: int | None = 15_000_000, company: int | None = 5_000_000,
        lead: str | None = BRNS[0], partners: tuple[str, ...] = (BRNS[1],), score: float | None = None,
        submitted: datetime.date | None = DAY, club: str = "SEO-001") -> Request:
    return Request(f"2009/{club}/{n}", club, "서울", f"과제 {n}", lead, partners, "그린에너지·환경", total, gov, company,
                   submitted, score)


def codes(r: Request) -> list[str]:
    return [c for c, _ in r.reasons]


def checked(r: Request, book: RuleBook = BOOK) -> Request:
    check_eligibility(r, book, MEMBERS)
    return r


def with_funding(**changes: Any) -> RuleBook:
    """A copy of the 2009 rule book with some funding parameters changed (parameters are data, not code)."""
    params = {**BOOK.parameters, "funding": {**BOOK.parameters["funding"], **changes}}
    return dataclasses.replace(BOOK, parameters=params)


def test_the_rule_book_holds_the_2010_program() -> None:
    p = BOOK.parameters["funding"]
    assert (p["max_total_won"], p["gov_share_max"], p["company_share_min"]) == (20_000_000, 0.75, 0.25)
    assert (p["max_consortia"], p["program_budget_won"], p["min_companies"], p["min_divisions"]) == (50, 1_000_000_000, 2, 2)


# ------------------------------------------------------------------------------------------------- eligibility


def test_exactly_75_percent_government_share_is_eligible() -> None:
    r = checked(req(total=20_000_000, gov=15_000_000, company=5_000_000))
    assert (r.eligible, r.reasons) == (True, [])


def test_75_percent_plus_one_won_is_not() -> None:
    r = checked(req(total=20_000_000, gov=15_000_001, company=4_999_999))
    assert r.eligible is False
    assert codes(r) == ["GOV_SHARE", "COMPANY_SHARE"]
    assert r.reason_text(BOOK) == "정부지원 75.0% > 75%; 기업부담 25.0% < 25%"  # the rounding shows, the rule does not round
    assert r.reason_text(BOOK, "en") == "government share 75.0% > 75%; company share 25.0% < 25%"


def test_share_boundary_is_exact_when_75_percent_is_not_whole_won() -> None:
    # 75 % of 10,000,001 won is 7,500,000.75 won: 7,500,000 is within, 7,500,001 is over.
    assert checked(req(total=10_000_001, gov=7_500_000, company=2_500_001)).eligible is True
    assert codes(checked(req(total=10_000_001, gov=7_500_001, company=2_500_000))) == ["GOV_SHARE", "COMPANY_SHARE"]


def test_total_of_exactly_20_million_is_eligible_one_won_more_is_not() -> None:
    assert checked(req(total=20_000_000, gov=15_000_000, company=5_000_000)).eligible is True
    r = checked(req(total=20_000_001, gov=15_000_000, company=5_000_001))
    assert codes(r) == ["OVER_CAP"]
    assert r.reasons[0][1] == {"total": 20_000_001, "limit": 20_000_000}
    assert r.reason_text(BOOK) == "총사업비 20,000,001원 > 한도 20,000,000원"
    assert r.reason_text(BOOK, "en") == "total 20,000,001 won > cap 20,000,000 won"


def test_company_share_of_exactly_25_percent_is_eligible() -> None:
    assert checked(req(total=8_000_000, gov=6_000_000, company=2_000_000)).eligible is True
    assert checked(req(total=20_000_000, gov=10_000_000, company=10_000_000)).eligible is True  # more company is fine
    r = checked(req(total=8_000_000, gov=6_000_001, company=1_999_999))
    assert codes(r) == ["GOV_SHARE", "COMPANY_SHARE"]


def test_government_plus_company_must_equal_the_total() -> None:
    r = checked(req(total=20_000_000, gov=14_000_000, company=5_000_000))
    assert codes(r) == ["SUM_MISMATCH"]
    assert r.reason_text(BOOK) == "정부+기업 19,000,000원 ≠ 총사업비 20,000,000원"
    assert r.reason_text(BOOK, "en") == "government + company 19,000,000 ≠ total 20,000,000 won"


def test_a_missing_amount_is_not_eligible() -> None:
    r = checked(req(total=20_000_000, gov=15_000_000, company=None))
    assert codes(r) == ["SUM_MISMATCH"]
    assert r.reasons[0][1] == {"sum": 15_000_000, "total": 20_000_000}


def test_zero_or_negative_amounts_are_not_eligible() -> None:
    # Cannot come through validation (min 1 / min 0), but can be typed into the consolidated workbook before refresh.
    assert "AMOUNT_INVALID" in codes(checked(req(total=0, gov=0, company=0)))
    r = checked(req(total=20_000_000, gov=-5_000_000, company=25_000_000))
    assert codes(r) == ["AMOUNT_INVALID"]
    assert r.reason_text(BOOK) and r.reason_text(BOOK, "en")


def test_one_company_only_is_not_eligible() -> None:
    r = checked(req(partners=()))
    assert codes(r) == ["FEW_COMPANIES"]
    assert r.reason_text(BOOK) == "참여기업 1곳 < 2곳"
    assert r.reason_text(BOOK, "en") == "1 companies < 2"
    # the lead named again as a partner is still one company
    assert codes(checked(req(partners=(BRNS[0],)))) == ["FEW_COMPANIES"]


def test_two_companies_of_one_ksic_division_are_not_cross_industry() -> None:
    r = checked(req(lead=BRNS[0], partners=(BRNS[4],)))  # both division 29
    assert codes(r) == ["ONE_INDUSTRY"]
    assert r.reason_text(BOOK) == "업종 1개 < 2개 (이업종 아님)"
    assert r.reason_text(BOOK, "en") == "1 KSIC division(s) < 2 (not cross-industry)"
    assert checked(req(lead=BRNS[0], partners=(BRNS[4], BRNS[5]))).eligible is True  # a third division helps


def test_a_partner_that_is_not_a_member_company() -> None:
    r = checked(req(partners=(BRNS[1], OUTSIDER)))
    assert codes(r) == ["NOT_MEMBER"]
    assert r.reason_text(BOOK) == f"회원사 아님: {OUTSIDER}"
    assert r.reason_text(BOOK, "en") == f"not a registered member: {OUTSIDER}"
    assert codes(checked(req(lead=OUTSIDER, partners=(BRNS[1], BRNS[2])))) == ["NOT_MEMBER"]


def test_parameters_come_from_the_rule_book() -> None:
    half = with_funding(gov_share_max=0.5, company_share_min=0.5, max_total_won=30_000_000)
    assert codes(checked(req(), half)) == ["GOV_SHARE", "COMPANY_SHARE"]
    assert checked(req(total=30_000_000, gov=15_000_000, company=15_000_000), half).eligible is True


# --------------------------------------------------------------------------------------------------- selection


def test_selection_by_score_then_earliest_submission() -> None:
    a = req(1, score=80, submitted=datetime.date(2010, 3, 20))
    b = req(2, score=90, submitted=datetime.date(2010, 3, 25))
    c = req(3, score=80, submitted=datetime.date(2010, 3, 10))
    d = req(4, score=None)
    e = req(5, score=99, total=30_000_000, gov=22_500_000, company=7_500_000)  # over the cap: not ranked
    rnd = run_round([a, b, c, d, e], BOOK, MEMBERS)
    assert [(r.key, r.rank, r.selected) for r in rnd.requests] == [
        ("2009/SEO-001/1", 3, True), ("2009/SEO-001/2", 1, True), ("2009/SEO-001/3", 2, True),
        ("2009/SEO-001/4", None, False), ("2009/SEO-001/5", None, False)]
    assert d.note == ("NO_SCORE", {}) and d.eligible is True
    assert (d.note_text(BOOK), d.note_text(BOOK, "en")) == ("평가점수 미입력", "no evaluation score")
    assert (e.note, e.eligible) == (None, False)
    assert rnd.totals() == {"requests": 5, "eligible": 4, "selected": 3, "selected_total_won": 60_000_000,
                            "selected_gov_won": 45_000_000, "selected_company_won": 15_000_000,
                            "max_consortia": 50, "budget_won": 1_000_000_000}


def test_full_ties_are_broken_by_request_number_not_text() -> None:
    r9, r10 = req(9, score=70), req(10, score=70)
    run_round([r10, r9], BOOK, MEMBERS)
    assert (r9.rank, r10.rank) == (1, 2)


def test_a_round_can_be_run_again_after_scores_change() -> None:
    a, b = req(1, score=90), req(2, score=80)
    book = with_funding(max_consortia=1)
    run_round([a, b], book, MEMBERS)
    assert (a.selected, b.selected, b.note) == (True, False, ("COUNT_FULL", {"limit": 1}))
    b.score = 95
    run_round([a, b], book, MEMBERS)
    assert (a.selected, a.rank, a.note, b.selected, b.rank, b.note) == (False, 2, ("COUNT_FULL", {"limit": 1}), True, 1, None)


def test_the_50th_is_selected_and_the_51st_is_not() -> None:
    # 51 eligible requests of 19,000,000 won: 50 of them use 950,000,000 won, so the count binds, not the budget.
    reqs = [req(i, total=19_000_000, gov=14_250_000, company=4_750_000, score=100 - i * 0.5) for i in range(1, 52)]
    rnd = run_round(reqs, BOOK, MEMBERS)
    assert all(r.eligible for r in reqs)
    assert [r.rank for r in reqs] == list(range(1, 52))
    assert reqs[49].selected is True and reqs[49].note is None
    assert reqs[50].selected is False
    assert reqs[50].note == ("COUNT_FULL", {"limit": 50})
    assert reqs[50].note_text(BOOK) == "선정 한도 50건 초과"
    assert reqs[50].note_text(BOOK, "en") == "beyond the 50 consortia limit"
    t = rnd.totals()
    assert t == {"requests": 51, "eligible": 51, "selected": 50, "selected_total_won": 950_000_000,
                 "selected_gov_won": 712_500_000, "selected_company_won": 237_500_000, "max_consortia": 50,
                 "budget_won": 1_000_000_000}
    assert all(type(v) is int for v in t.values())
    assert all(type(r.gov_awarded) is int and type(r.company_awarded) is int for r in reqs)
    assert (reqs[50].gov_awarded, reqs[50].company_awarded) == (0, 0)


def test_the_budget_boundary_exactly_1_billion_won() -> None:
    # Count limit raised so that only the budget binds: 50 × 20,000,000 = 1,000,000,000 won exactly.
    book = with_funding(max_consortia=100)
    reqs = [req(i, score=100 - i * 0.5) for i in range(1, 51)]
    nxt = req(51, score=10)
    small = req(52, score=5, total=1_000_000, gov=750_000, company=250_000)
    rnd = run_round([*reqs, nxt, small], book, MEMBERS)
    assert all(r.selected for r in reqs)
    assert rnd.totals()["selected_total_won"] == 1_000_000_000
    assert (nxt.selected, nxt.rank, nxt.note) == (False, 51, ("BUDGET_FULL", {"budget": 1_000_000_000}))
    assert nxt.note_text(BOOK) == "예산 1,000,000,000원 소진"
    assert nxt.note_text(BOOK, "en") == "budget of 1,000,000,000 won used up"
    # selection stops at the first request that does not fit: a smaller one after it is not slipped in
    assert (small.selected, small.note) == (False, ("BUDGET_FULL", {"budget": 1_000_000_000}))
    assert rnd.totals()["selected"] == 50


def test_one_won_over_the_budget_is_not_selected() -> None:
    book = with_funding(max_consortia=100)
    reqs = [req(i, score=90) for i in range(1, 50)]  # 980,000,000 won
    last = req(50, score=80, total=20_000_000, gov=15_000_000, company=5_000_000)
    run_round([*reqs, last], with_funding(max_consortia=100, program_budget_won=999_999_999), MEMBERS)
    assert (last.selected, last.note) == (False, ("BUDGET_FULL", {"budget": 999_999_999}))
    run_round([*reqs, last], book, MEMBERS)
    assert (last.selected, last.note) == (True, None)


def test_with_the_real_parameters_50_requests_of_20_million_fill_count_and_budget() -> None:
    reqs = [req(i, score=60 + i * 0.1) for i in range(1, 52)]
    rnd = run_round(reqs, BOOK, MEMBERS)
    t = rnd.totals()
    assert (t["selected"], t["selected_total_won"], t["selected_gov_won"], t["selected_company_won"]) == (
        50, 1_000_000_000, 750_000_000, 250_000_000)
    assert reqs[0].selected is False and reqs[0].rank == 51
    assert reqs[0].note == ("COUNT_FULL", {"limit": 50})  # count is checked first when both run out


@pytest.mark.parametrize("basis,expected", [("total_won", 2), ("gov_won", 3)])
def test_budget_basis_is_a_parameter(basis: str, expected: int) -> None:
    book = with_funding(program_budget_won=45_000_000, budget_basis=basis)
    reqs = [req(i, score=90 - i) for i in range(1, 5)]
    assert run_round(reqs, book, MEMBERS).totals()["selected"] == expected
