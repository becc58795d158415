"""Year-over-year plausibility, as rule-book data: when a ledger holds the previous year, a member company whose
employees or sales changed more than the factor, a club whose member count changed more than the share, and a club
that lists none of last year's members are warnings at the cell with last year's value. Without a previous year
they are silent. The jumps planted in sample_workbooks/2008 (its README.md) are found, and nothing else."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from iupjong_xl.cli import cli
from iupjong_xl.samples.corpus import NATIONAL, plan_corpus, plan_earlier
from iupjong_xl.validate.pipeline import validate
from iupjong_xl.validate.rules import PriorYear

SAMPLES = Path(__file__).resolve().parents[1] / "sample_workbooks"
YOY = {"MEMBER_EMPLOYEES_YOY", "MEMBER_SALES_YOY", "CLUB_MEMBERS_YOY", "CLUB_MEMBERS_ALL_NEW"}
JUMPS = plan_earlier(plan_corpus(NATIONAL, 2009)).jumps


@pytest.fixture(scope="module")
def ledger(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("yoy") / "national_2008.xlsx"
    res = CliRunner().invoke(cli, ["consolidate", str(SAMPLES / "2008"), "-o", str(out), "--year", "2008", "-q"])
    assert res.exit_code == 0, res.output
    return out.parent / "iupjong.db"


def _yoy(findings: list[dict]) -> list[tuple[str, str, str]]:
    return sorted((Path(f["file"]).name, f["code"], f["message"]) for f in findings if f["code"] in YOY)


def test_the_planted_jumps_and_nothing_else(ledger: Path) -> None:
    res = CliRunner().invoke(cli, ["validate", str(SAMPLES / "2009"), "--ledger", str(ledger), "--format", "json",
                                   "-q"])
    assert res.exit_code == 0, res.output
    got = [f for f in json.loads(res.output)["findings"] if f["code"] in YOY]
    expected = []
    for j in JUMPS:
        file = f"{j.federation}_{j.club}_2009.xlsx"
        if j.column == "employees":
            msg = f"작년 {j.earlier:,}명 → 올해 {j.later:,}명: 작년과 5배 넘게 다릅니다. 단위를 확인하세요."
            code = "MEMBER_EMPLOYEES_YOY"
        else:
            msg = f"작년 매출 {j.earlier:,}백만원 → 올해 {j.later:,}백만원: 작년과 5배 넘게 다릅니다. 단위(백만원)를 확인하세요."
            code = "MEMBER_SALES_YOY"
        expected.append((file, code, msg))
    assert _yoy(got) == sorted(expected)
    assert all(f["severity"] == "warning" and f["sheet"] == "회원사" and f["cell"] for f in got)
    assert {f["column"] for f in got} == {"종업원수", "매출액(백만원)"}


def test_without_a_previous_year_they_are_silent(ledger: Path) -> None:
    res = CliRunner().invoke(cli, ["validate", str(SAMPLES / "2009" / "서울"), "--format", "json", "-q"])
    assert [f for f in json.loads(res.output)["findings"] if f["code"] in YOY] == []
    res = CliRunner().invoke(cli, ["validate", str(SAMPLES / "2008" / "제주"), "--ledger", str(ledger), "--format",
                                   "json", "-q"])  # 2008 against the ledger: it holds no 2007
    assert [f for f in json.loads(res.output)["findings"] if f["code"] in YOY] == []


def test_consolidation_applies_them_when_the_ledger_holds_last_year(ledger: Path) -> None:
    out = ledger.parent / "national_2009.xlsx"
    res = CliRunner().invoke(cli, ["consolidate", str(SAMPLES / "2009" / "서울"), str(SAMPLES / "2009" / "부산"), "-o",
                                   str(out), "-q", "--format", "json"])
    assert res.exit_code == 0, res.output
    got = _yoy(json.loads(res.output)["findings"])
    assert [(f, c) for f, c, _m in got] == sorted([(f"{j.federation}_{j.club}_2009.xlsx", c) for j, c in
                                                   zip(JUMPS[:2], ("MEMBER_EMPLOYEES_YOY", "MEMBER_SALES_YOY"),
                                                       strict=True)])


def _club_members(path: Path) -> tuple[str, list[str]]:
    res = validate([str(path)])
    assert res.valid
    import openpyxl

    wb = openpyxl.load_workbook(path, read_only=True)
    rows = [list(r) for r in wb["회원사"].iter_rows(values_only=True)]
    head = next(i for i, r in enumerate(rows) if "사업자등록번호" in r)
    col = rows[head].index("사업자등록번호")
    brns = [str(r[col]) for r in rows[head + 1:] if r[col]]
    return path.name.split("_")[1], brns


def test_member_count_share_and_a_list_with_none_of_last_years_members() -> None:
    path = SAMPLES / "2009" / "제주" / "제주_JJU-001_2009.xlsx"
    code, brns = _club_members(path)
    from iupjong_xl.validate.normalize import normalize_brn

    now = [normalize_brn(b) or b for b in brns]
    few = PriorYear(2008, {}, {code: frozenset(now[:2])})  # last year 2 members, now many: share
    report = validate([str(path)], prior={2008: few})
    (f,) = [f for f in report.findings if f.code in YOY]
    assert (f.code, f.sheet) == ("CLUB_MEMBERS_YOY", "교류회")
    assert f.message() == f"작년 회원사 2곳 → 올해 {len(now)}곳: 회원사 수가 크게 달라졌습니다. 명단이 빠지거나 겹치지 않았는지 확인하세요."
    other = PriorYear(2008, {}, {code: frozenset(f"999-99-{i:05d}" for i in range(len(now)))})  # none of them
    report = validate([str(path)], prior={2008: other})
    assert [(f.code, f.message()) for f in report.findings if f.code in YOY] == [
        ("CLUB_MEMBERS_ALL_NEW", f"작년에 보고한 교류회인데 작년 회원사 {len(now)}곳 가운데 올해 명단에 있는 곳이 하나도 "
                                 "없습니다. 다른 교류회의 명단이 아닌지 확인하세요.")]
    same = PriorYear(2008, {}, {code: frozenset(now)})  # near miss: the same list
    assert not [f for f in validate([str(path)], prior={2008: same}).findings if f.code in YOY]
