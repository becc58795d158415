"""Trends say what they count (issue 19, point 5): member companies joined / left / moved / stayed are counted over
the clubs that reported in both years; the companies of clubs that reported in one year only are counted apart, by
year, and labelled so — in the JSON and on the terminal. Over the sample corpus 2008 → 2009 (clubs that did not
report in one of the years: 2008 has clubs that did not report in 2009 and the other way round)."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from iupjong_xl.cli import cli
from iupjong_xl.samples.corpus import NATIONAL, plan_corpus, plan_earlier


def _clubs(plan: object) -> dict[str, set[str]]:
    """BRN -> the codes of the reporting clubs it is a member of, as the corpus planned it."""
    out: dict[str, set[str]] = {}
    for club in plan.reporting_clubs():  # type: ignore[attr-defined]
        for m in club.members:
            out.setdefault(m.brn, set()).add(club.code)
    return out


def _expected() -> dict[str, object]:
    later = plan_corpus(NATIONAL, 2009)
    earlier = plan_earlier(later)
    a, b = _clubs(earlier), _clubs(later)
    ra = {c.code for c in earlier.reporting_clubs()}
    rb = {c.code for c in later.reporting_clubs()}
    both = ra & rb
    a2 = {k: v & both for k, v in a.items() if v & both}
    b2 = {k: v & both for k, v in b.items() if v & both}
    moved = {k for k in set(a2) & set(b2) if a2[k] != b2[k]}
    return {"comparable": (len(both), len(set(b2) - set(a2)), len(set(a2) - set(b2)), len(moved),
                           len(set(a2) & set(b2)) - len(moved)),
            "not_comparable": {"2008": {"clubs": len(ra - both), "companies": sum(1 for v in a.values() if not v & both)},
                               "2009": {"clubs": len(rb - both), "companies": sum(1 for v in b.values() if not v & both)}},
            "all": (len(a), len(b))}


def _run(folder: Path, *args: str) -> CliRunner:
    res = CliRunner().invoke(cli, ["trends", str(folder / "national_2008.xlsx"), str(folder / "national_2009.xlsx"),
                                   "-o", str(folder / f"trends_comparable{len(args)}.xlsx"), *args])
    assert res.exit_code == 0, res.output
    return res


def test_members_are_compared_over_clubs_that_reported_in_both_years(consolidated_years: Path) -> None:
    (flow,) = json.loads(_run(consolidated_years, "--format", "json").output)["members"]
    want = _expected()
    c = flow["comparable"]
    assert (c["clubs"], c["joined"], c["left"], c["moved"], c["stayed"]) == want["comparable"]
    assert flow["not_comparable"] == want["not_comparable"]
    # the corpus has clubs that reported in one year only, on both sides: the two counts differ from the old ones
    assert want["not_comparable"]["2008"]["companies"] > 0 and want["not_comparable"]["2009"]["companies"] > 0  # type: ignore[index]
    assert c["joined"] < flow["joined"] and c["left"] < flow["left"]
    # every member company of a year is counted once: on the comparable side or apart
    n2008, n2009 = want["all"]  # type: ignore[misc]
    assert c["left"] + c["moved"] + c["stayed"] + flow["not_comparable"]["2008"]["companies"] == n2008
    assert c["joined"] + c["moved"] + c["stayed"] + flow["not_comparable"]["2009"]["companies"] == n2009
    # the deprecated top-level figures stay as they were (every member of each year)
    assert set(flow) >= {"from", "to", "joined", "left", "moved", "stayed", "examples", "comparable", "not_comparable"}
    assert flow["joined"] + flow["moved"] + flow["stayed"] == n2009


def test_the_terminal_shows_the_comparable_figures_and_labels_the_rest(consolidated_years: Path) -> None:
    out = _run(consolidated_years).output
    clubs, joined, left, moved, stayed = _expected()["comparable"]  # type: ignore[misc]
    rest = _expected()["not_comparable"]
    line = " ".join(out.split())
    assert (f"회원사 2008→2009 (사업자등록번호로 추적, 두 해 모두 보고한 교류회 {clubs:,}곳): 새로 가입 {joined:,}곳, "
            f"탈퇴 {left:,}곳, 교류회 이동 {moved:,}곳, 계속 {stayed:,}곳") in line
    assert (f"비교 제외 (한 해만 보고한 교류회의 회원사): 2008년에만 보고한 교류회 {rest['2008']['clubs']:,}곳의 회원사 "  # type: ignore[index]
            f"{rest['2008']['companies']:,}곳, 2009년에만 보고한 교류회 {rest['2009']['clubs']:,}곳의 회원사 "  # type: ignore[index]
            f"{rest['2009']['companies']:,}곳") in line  # type: ignore[index]
