"""Years in one ledger: `iupjong trends --ledger iupjong.db` shows every year the ledger holds, with the same
figures as `iupjong trends` over the per-year workbooks (sample_workbooks/2008 + 2009 consolidated into one folder)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from iupjong_xl.cli import cli

SAMPLES = Path(__file__).resolve().parents[1] / "sample_workbooks"


@pytest.fixture(scope="module")
def folder(consolidated_years: Path) -> Path:
    return consolidated_years  # the session's 2008 and 2009 consolidations, one ledger


def _trends(*args: str) -> dict:
    res = CliRunner().invoke(cli, ["trends", *args, "--format", "json"])
    assert res.exit_code == 0, res.output
    return json.loads(res.output)


def _without_paths(v: object) -> object:
    """The JSON without where the workbooks lie (the workbook paths themselves)."""
    if isinstance(v, dict):
        return {k: _without_paths(x) for k, x in v.items() if k not in ("path", "paths", "output", "source", "sources")}
    if isinstance(v, list):
        return [_without_paths(x) for x in v]
    return v


def test_trends_from_the_ledger_equal_trends_from_the_workbooks(folder: Path) -> None:
    a = _trends(str(folder / "national_2008.xlsx"), str(folder / "national_2009.xlsx"), "-o", str(folder / "a.xlsx"))
    b = _trends("--ledger", str(folder / "iupjong.db"), "-o", str(folder / "b.xlsx"))
    assert b["years"] == [2008, 2009]
    assert _without_paths(a) == _without_paths(b)
    assert json.dumps(a).count("national_2009.xlsx") == json.dumps(b).count("national_2009.xlsx") > 0


def test_a_ledger_without_consolidations_is_a_clear_error(tmp_path: Path) -> None:
    from iupjong_xl.consolidate.ledger import open_ledger

    open_ledger(tmp_path / "iupjong.db").close()
    res = CliRunner().invoke(cli, ["trends", "--ledger", str(tmp_path / "iupjong.db"), "-o", str(tmp_path / "t.xlsx")])
    assert res.exit_code == 2 and "취합 기록이 없습니다" in res.output
    res = CliRunner().invoke(cli, ["trends", "-o", str(tmp_path / "t.xlsx")])
    assert res.exit_code == 2


def test_member_companies_are_followed_across_years_by_brn(folder: Path) -> None:
    from iupjong_xl.samples.corpus import NATIONAL, plan_corpus, plan_earlier

    later = plan_corpus(NATIONAL, 2009)
    earlier = plan_earlier(later)

    def clubs(c: object) -> dict[str, set[str]]:
        out: dict[str, set[str]] = {}
        for club in c.reporting_clubs():  # type: ignore[attr-defined]
            for m in club.members:
                out.setdefault(m.brn, set()).add(club.code)
        return out

    a, b = clubs(earlier), clubs(later)
    moved = {x for x in set(a) & set(b) if a[x] != b[x]}
    (flow,) = _trends("--ledger", str(folder / "iupjong.db"), "-o", str(folder / "c.xlsx"))["members"]
    assert (flow["from"], flow["to"]) == (2008, 2009)
    assert (flow["joined"], flow["left"], flow["moved"], flow["stayed"]) == \
        (len(set(b) - set(a)), len(set(a) - set(b)), len(moved), len(set(a) & set(b)) - len(moved))
    assert flow["joined"] > 0 and flow["left"] > 0


def test_the_directory_shows_since_when_a_company_is_a_member(folder: Path) -> None:
    import openpyxl

    from iupjong_xl.analyses.directory import build_directory, write_directory

    trends = _trends("--ledger", str(folder / "iupjong.db"), "-o", str(folder / "d.xlsx"))["members"][0]
    d = build_directory(folder / "national_2009.xlsx")
    since = {c.brn: c.member_since for c in d.companies}
    assert set(since.values()) == {2008, 2009}
    assert sum(1 for v in since.values() if v == 2009) == trends["joined"]
    assert build_directory(folder / "national_2008.xlsx").companies[0].member_since == 2008
    out = write_directory(d, folder / "directory.xlsx")
    ws = openpyxl.load_workbook(out)["회원사 명부"]
    head = [c.value for c in ws[3]]
    col = head.index("회원 연도(원장 기준)") + 1
    assert {ws.cell(r, col).number_format for r in range(4, 10)} == {"0"}
