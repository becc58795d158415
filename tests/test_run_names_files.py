"""Every run names its files (issue 19, point 6): the terminal summary of consolidate lists each rejected,
conflicting and duplicate file with its code, the club that sent two different reports under 충돌 (not 미제출, in
the JSON's `reporting` too), and the count of findings by code."""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import club_data, federation_data

from iupjong_xl.cli import cli


@pytest.fixture
def inputs(write_report: Callable[..., Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """서울: a roster of SEO-001 and SEO-002; SEO-001 sent twice with different content (a conflict), SEO-002 once
    and the same file copied again (a duplicate); an empty file (rejected)."""
    monkeypatch.chdir(tmp_path)
    folder = tmp_path / "in"
    folder.mkdir()
    write_report(federation_data(), "federation", "in/서울_연합회.xlsx")
    write_report(club_data(), name="in/SEO-001_a.xlsx")
    other = club_data()
    other["club"][0]["secretary"] = "박서준"
    write_report(other, name="in/SEO-001_b.xlsx")
    two = club_data()
    two["club"][0] |= {"club_code": "SEO-002", "club_name": "서울미래교류회"}
    write_report(two, name="in/SEO-002.xlsx")
    shutil.copy(folder / "SEO-002.xlsx", folder / "SEO-002_사본.xlsx")
    (folder / "빈파일.xlsx").write_bytes(b"")
    return folder


def _consolidate(*args: str) -> tuple[int, str]:
    res = CliRunner().invoke(cli, ["consolidate", "in", "-o", "national.xlsx", "-q", *args])
    return res.exit_code, res.output


def test_the_terminal_names_each_file_not_taken_with_its_code(inputs: Path) -> None:
    code, out = _consolidate()
    assert code == 1
    rows = {line.split("│")[1].strip(): [c.strip() for c in line.split("│")[2:-1]]
            for line in out.splitlines() if line.startswith("│ in/")}
    assert rows == {
        "in/SEO-001_a.xlsx": ["충돌", "CONSOLIDATE_CONFLICT"],
        "in/SEO-001_b.xlsx": ["충돌", "CONSOLIDATE_CONFLICT"],
        "in/SEO-002_사본.xlsx": ["중복", "CONSOLIDATE_DUPLICATE_INPUT"],
        "in/빈파일.xlsx": ["제외", "FILE_EMPTY"],
    }
    assert "반영하지 않은 파일" in out
    # the club that sent two different reports is under 충돌, not 미제출
    (seoul,) = [line for line in out.splitlines() if line.startswith("│ 서울")]
    assert [c.strip() for c in seoul.split("│")[1:-1]] == ["서울", "2", "1", "50.0", "SEO-001", ""]
    # the count of findings by code
    counts = {c[0]: (c[1], c[2]) for line in out.splitlines() if line.startswith("│ ")
              and len(c := [x.strip() for x in line.split("│")[1:-1]]) == 3 and c[0].isupper()}
    assert counts == {"CONSOLIDATE_CONFLICT": ("오류", "2"), "FILE_EMPTY": ("오류", "1"),
                      "CONSOLIDATE_DUPLICATE_INPUT": ("경고", "1"), "CONSOLIDATE_MEMBER_COUNT": ("경고", "1")}
    assert "코드별 건수" in out


def test_the_json_lists_the_conflicting_club_under_conflicts(inputs: Path) -> None:
    code, out = _consolidate("--format", "json")
    data = json.loads(out)
    assert code == 1
    assert data["reporting"]["서울"] == {"registered": 2, "reported": 1, "missing": [], "roster": True,
                                       "not_in_roster": [], "conflicts": ["SEO-001"], "reporting_rate": 50.0}
    assert {s["file"]: s["status"] for s in data["sources"] if s["status"] != "created"} == {
        "in/SEO-001_a.xlsx": "conflict", "in/SEO-001_b.xlsx": "conflict", "in/SEO-002_사본.xlsx": "duplicate",
        "in/빈파일.xlsx": "rejected"}
