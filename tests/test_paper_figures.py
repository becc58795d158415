"""The README's main command on the checked-in corpus reproduces the paper's table (DOMAIN.md, "The published figures")
and runs the 2010 funding round; every figure is read back from the produced workbook file, not taken from memory."""

from __future__ import annotations

import datetime as dt
import warnings
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from iupjong_xl import rulebook
from iupjong_xl.cli import cli
from iupjong_xl.samples.corpus import FLAWS, NATIONAL, Consortium, corpus_folder, plan_corpus
from iupjong_xl.validate.findings import render

REPO = Path(__file__).resolve().parent.parent
CORPUS = REPO / "sample_workbooks" / corpus_folder(2009)
BOOK = rulebook.load(2009)
FEDERATIONS = list(BOOK.references["federation"].keys)
FUNDING = BOOK.parameters["funding"]
Rows = list[tuple[Any, ...]]


@pytest.fixture(scope="module")
def run(tmp_path_factory: pytest.TempPathFactory) -> tuple[Any, dict[str, Rows]]:
    """`iupjong consolidate sample_workbooks/2009 -o national.xlsx` once; the produced file read back (cached values)."""
    import openpyxl

    out = tmp_path_factory.mktemp("national") / "national.xlsx"
    result = CliRunner().invoke(cli, ["consolidate", str(CORPUS), "-o", str(out)])
    assert out.exists(), result.output
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        wb = openpyxl.load_workbook(out, data_only=True, read_only=True)
    sheets = {name: [tuple(r) for r in wb[name].iter_rows(values_only=True)]
              for name in ("요약", "연합회별 지표", "지원금", "검증결과", "제외", "출처")}
    wb.close()
    return result, sheets


def _table(rows: Rows, first_header: str) -> tuple[list[str], Rows]:
    """(headers, data rows) of the table whose header row starts with first_header; data ends at the first blank row."""
    top = next(i for i, r in enumerate(rows) if r and r[0] == first_header)
    body: Rows = []
    for r in rows[top + 1:]:
        if r[0] is None:
            break
        body.append(r)
    return [str(h) for h in rows[top]], body


def _labelled(rows: Rows, col: int = 1) -> dict[str, Any]:
    """Column A label -> the value in column col (요약: C, after 단위; 지원금's totals: B)."""
    return {r[0]: r[col] for r in rows if r and isinstance(r[0], str) and len(r) > col}


def test_the_main_command_exits_0_and_prints_the_summary(run: tuple[Any, dict[str, Rows]]) -> None:
    result, _ = run
    assert result.exit_code == 0, result.output
    out = " ".join(result.output.split())
    assert "5,684 개 │ 5,684" in out and "83.6 % │ 83.6" in out and "11.0 회 │ 11.0" in out and "오류 0건" in out


def test_summary_sheet_gives_every_paper_figure(run: tuple[Any, dict[str, Rows]]) -> None:
    summary = _labelled(run[1]["요약"], 2)
    assert summary["지역연합회"] == 13  # the paper's 13 federations (issue 13, point 9)
    assert summary["등록 교류회"] == 274
    assert summary["보고 교류회"] == 195
    assert summary["등록 회원사"] == 5684
    assert round(summary["정보교환형 비율"], 1) == 83.6
    assert round(summary["자원협력형 비율"], 1) == 30.8
    assert round(summary["신제품개발형 비율"], 1) == 24.1
    assert summary["기술개발 실적 교류회"] == 46
    assert round(summary["기술개발 실적 교류회 비율"], 1) == 23.6
    assert summary["기술개발 실적 건수"] == 72
    assert round(summary["교류회당 월례회"], 1) == 11.0
    assert round(summary["참석률 70% 이상 교류회 비율"], 1) == 93.3
    assert round(summary["보고율"], 1) == round(195 / 274 * 100, 1) == 71.2
    # and the sheet's own "paper" column agrees with its computed column for every indicator the paper publishes
    _, body = _table(run[1]["요약"], "항목")
    paper = {ind.ko: ind for ind in BOOK.indicators if ind.paper is not None}
    checked = [r[0] for r in body if r[0] in paper and round(r[2], paper[r[0]].decimals or 0) == r[3] == paper[r[0]].paper
               and r[4] == "일치"]  # the 비교 column says so (issue 13, point 9)
    assert sorted(checked) == sorted(paper) and len(paper) == 11


def test_federation_indicators_add_up_to_the_paper_counts(run: tuple[Any, dict[str, Rows]]) -> None:
    heads, body = _table(run[1]["연합회별 지표"], "연합회")
    col = {h: i for i, h in enumerate(heads)}
    feds, total = body[:-1], body[-1]
    assert [r[0] for r in feds] == FEDERATIONS and len(feds) == 13 and total[0] == "전국 합계"
    want = {"등록 교류회": 274, "보고 교류회": 195, "등록 회원사": 5684, "정보교환형": 163, "자원협력형": 60, "신제품개발형": 47,
            "기술개발 실적 교류회": 46, "기술개발 실적": 72, "월례회": 2145, "참석률 70% 이상": 182, "단일업종 교류회": 0}
    for head, n in want.items():
        assert total[col[head]] == n == sum(r[col[head]] for r in feds), head
    spec = {f.name: (f.registered, f.reporting) for f in NATIONAL.federations}
    assert {r[0]: (r[col["등록 교류회"]], r[col["보고 교류회"]]) for r in feds} == spec
    for head, value in [("정보교환형 비율(%)", 83.6), ("자원협력형 비율(%)", 30.8), ("신제품개발형 비율(%)", 24.1),
                        ("기술개발 실적 교류회 비율(%)", 23.6), ("교류회당 월례회(회)", 11.0), ("참석률 70% 이상 교류회 비율(%)", 93.3)]:
        assert round(total[col[head]], 1) == value, head  # recomputed from the summed counts, not averaged
    for r in feds:
        assert r[col["보고율(%)"]] == pytest.approx(r[col["보고 교류회"]] / r[col["등록 교류회"]] * 100)


def _expected_round() -> tuple[dict[str, Consortium], list[str]]:
    """Request key -> planned request, and the keys selected: eligible ones by score, then earliest submission,
    until the count or the budget runs out (DOMAIN.md, "Funding rule")."""
    plan: dict[str, Consortium] = {}
    for club in plan_corpus(NATIONAL, 2009).reporting_clubs():
        for i, req in enumerate(club.consortia, start=1):
            plan[f"2009/{club.code}/{i}"] = req
    ranked = sorted((k for k, r in plan.items() if r.flaw is None), key=lambda k: (-plan[k].score, plan[k].submitted))
    selected, used = [], 0
    for k in ranked:
        if len(selected) == FUNDING["max_consortia"] or used + plan[k].total_won > FUNDING["program_budget_won"]:
            break
        selected.append(k)
        used += plan[k].total_won
    return plan, selected


def _reasons(req: Consortium, members: set[str]) -> str:
    """The reason text the 지원금 sheet should give for a planned ineligible request."""
    params = {
        "OVER_CAP": {"total": req.total_won, "limit": FUNDING["max_total_won"]},
        "GOV_SHARE": {"share": req.gov_won / req.total_won, "limit": float(FUNDING["gov_share_max"])},
        "COMPANY_SHARE": {"share": req.company_won / req.total_won, "limit": float(FUNDING["company_share_min"])},
        "ONE_INDUSTRY": {"divisions": 1, "min": FUNDING["min_divisions"]},
        "NOT_MEMBER": {"brns": ", ".join(b for b in (req.lead, *req.partners) if b not in members)},
    }
    assert req.flaw is not None
    return "; ".join(render(BOOK.funding_reasons[code]["ko"], params[code]) for code in FLAWS[req.flaw].reasons)


def test_funding_round(run: tuple[Any, dict[str, Rows]]) -> None:
    plan, selected = _expected_round()
    members = {m.brn for m in plan_corpus(NATIONAL, 2009).companies()}
    heads, body = _table(run[1]["지원금"], "과제키")
    col = {h: i for i, h in enumerate(heads)}
    rows = {r[col["과제키"]]: r for r in body}
    assert sorted(rows) == sorted(plan)
    for key, req in plan.items():
        r = rows[key]
        assert (r[col["총사업비(원)"]], r[col["정부지원금(원)"]], r[col["기업부담금(원)"]]) == (req.total_won, req.gov_won, req.company_won)
        assert r[col["평가점수"]] == req.score
        submitted = r[col["신청일"]]
        assert (submitted.date() if isinstance(submitted, dt.datetime) else submitted) == req.submitted
        if req.flaw is None:
            assert (r[col["지원자격"]], r[col["부적격 사유"]]) == ("적격", None), key
        else:
            assert (r[col["지원자격"]], r[col["부적격 사유"]]) == ("부적격", _reasons(req, members)), (key, req.flaw)
        assert r[col["선정"]] == ("예" if key in selected else "아니오"), key
        assert r[col["정부지원 선정액(원)"]] == (req.gov_won if key in selected else 0)
        assert r[col["기업부담 선정액(원)"]] == (req.company_won if key in selected else 0)
    assert sorted(plan[k].flaw for k in plan if plan[k].flaw) == sorted(FLAWS)
    # the last place and the first one left out: one score, the earlier submission wins; the count is what binds
    last_in, first_out = rows[selected[-1]], next(r for r in body if r[col["순위"]] == len(selected) + 1)
    assert last_in[col["평가점수"]] == first_out[col["평가점수"]] and last_in[col["신청일"]] < first_out[col["신청일"]]
    assert first_out[col["비고"]] == render(BOOK.funding_reasons["COUNT_FULL"]["ko"], {"limit": FUNDING["max_consortia"]})

    n_eligible = sum(r.flaw is None for r in plan.values())
    total = sum(plan[k].total_won for k in selected)
    gov, company = sum(plan[k].gov_won for k in selected), sum(plan[k].company_won for k in selected)
    assert (len(plan), n_eligible, len(selected)) == (64, 60, 50)
    assert total <= FUNDING["program_budget_won"] and gov + company == total and 4 * gov <= 3 * total
    summary = _labelled(run[1]["요약"], 2)
    assert (summary["신청"], summary["지원 적격"], summary["선정"]) == (64, 60, 50)
    assert (summary["선정 총사업비(원)"], summary["정부지원 합계(원)"], summary["기업부담 합계(원)"]) == (total, gov, company)
    assert summary["사업 예산(원)"] == FUNDING["program_budget_won"] == 1_000_000_000
    totals = _labelled(run[1]["지원금"][run[1]["지원금"].index(next(r for r in run[1]["지원금"] if r[0] == "합계")):])
    assert (totals["신청 건수"], totals["지원 적격"], totals["선정 건수"]) == (64, 60, 50)
    assert (totals["선정 총사업비(원)"], totals["정부지원 합계(원)"], totals["기업부담 합계(원)"]) == (total, gov, company)


def test_findings_are_only_the_planned_warnings(run: tuple[Any, dict[str, Rows]]) -> None:
    heads, body = _table(run[1]["검증결과"], "파일")
    col = {h: i for i, h in enumerate(heads)}
    got = sorted((Path(r[col["파일"]]).name, r[col["코드"]], r[col["구분"]]) for r in body)
    want = sorted((f"{c.federation}_{c.code}_2009.xlsx", code, "경고") for c in plan_corpus(NATIONAL, 2009).reporting_clubs()
                  for req in c.consortia if req.flaw for code in FLAWS[req.flaw].codes)
    assert got == want and len(want) == 5
    assert _table(run[1]["제외"], "원본 파일")[1] == []  # nothing rejected


def test_sources_conserve_rows(run: tuple[Any, dict[str, Rows]]) -> None:
    """For every file and sheet: 입력 = 반영 + 제외; all 208 files consolidated, nothing rejected."""
    heads, body = _table(run[1]["출처"], "파일")
    col = {h: i for i, h in enumerate(heads)}
    sheets = [h[: -len(" 입력")] for h in heads if h.endswith(" 입력")]
    assert {"교류회", "회원사", "활동", "성과", "협력과제", "연합회", "교류회 명부"} <= set(sheets)
    assert len(body) == 13 + 195 == len({r[col["파일"]] for r in body})
    assert {r[col["처리"]] for r in body} == {"신규"}  # created, in Korean (issue 13, point 4)
    for r in body:
        for s in sheets:
            n_in, n_ok, n_out = (r[col[f"{s} {w}"]] for w in ("입력", "반영", "제외"))
            assert n_in == n_ok + n_out and n_out == 0, (r[0], s)
    accepted = {s: sum(r[col[f"{s} 반영"]] for r in body) for s in sheets}
    reporting = plan_corpus(NATIONAL, 2009).reporting_clubs()
    assert (accepted["교류회"], accepted["교류회 명부"], accepted["연합회"], accepted["협력과제"]) == (195, 274, 13, 64)
    assert accepted["회원사"] == sum(len(c.members) for c in reporting)
    assert accepted["활동"] == sum(len(c.events) for c in reporting)
