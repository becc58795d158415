"""Every step that opens a submitted file runs under the reader's limits, annotating included (issue 19, point 8):
the marked-up copy is made in a worker process under the per-file limits of the rule book; a file whose copy would
exceed them gets no copy but a FILE_TOO_COMPLEX finding, whatever options are given. The limits are lowered here
so that a small file provokes it: a valid report with one error and a big sheet that is not part of the report (the
reader never reads it, a marked-up copy loads it whole)."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import club_data

from iupjong_xl import rulebook
from iupjong_xl.cli import cli
from iupjong_xl.outputs.templates import write_template
from tests.hostile import with_extra_sheet

EXTRA_ROWS = 50_000  # ~1 MB: read in a fraction of a second, a marked-up copy takes seconds and far more memory


@pytest.fixture(scope="module")
def reports(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """in/small.xlsx: a report with one error (a member's employee count is text); in/hostile.xlsx: the same with
    a sheet of EXTRA_ROWS rows besides the report's sheets."""
    folder = tmp_path_factory.mktemp("annotate") / "in"
    folder.mkdir()
    data = club_data()
    data["member"][1]["employees"] = "많음"
    write_template(folder / "small.xlsx", "club", 2009, data)
    with_extra_sheet(folder / "small.xlsx", folder / "hostile.xlsx", "plain", rows=EXTRA_ROWS)
    return folder


def _rule_books(tmp: Path, memory_mb: int, seconds: int) -> Path:
    root = tmp / "rules"
    shutil.copytree(rulebook.packaged_root(), root, ignore=shutil.ignore_patterns("__pycache__", "*.py"))
    for year in rulebook.available_years(root):
        p = root / str(year) / "rulebook.yaml"
        text = p.read_text(encoding="utf-8").replace("  file_memory_mb: 1024 ", f"  file_memory_mb: {memory_mb} ", 1)
        p.write_text(text.replace("  file_seconds: 60 ", f"  file_seconds: {seconds} ", 1), encoding="utf-8")
    return root


def test_a_copy_over_the_time_limit_is_refused_with_a_finding(reports: Path, tmp_path: Path) -> None:
    rules = _rule_books(tmp_path, 1024, 2)
    try:
        res = CliRunner().invoke(cli, ["--rulebook", str(rules), "validate", str(reports), "--annotate",
                                       str(tmp_path / "ann"), "--format", "json", "-q"])
    finally:
        rulebook.use_root(None)
    assert res.exit_code == 1, res.output
    findings = json.loads(res.output)["findings"]
    got = [(Path(f["file"]).name, f["code"], f["cell"]) for f in findings]
    assert got == [("hostile.xlsx", "MEMBER_EMPLOYEES_TYPE", "E3"), ("hostile.xlsx", "FILE_TOO_COMPLEX", None),
                   ("small.xlsx", "MEMBER_EMPLOYEES_TYPE", "E3")]
    assert findings[1]["message"] == (
        "이 파일은 한 파일에 허용된 한도 안에서 읽을 수 없습니다 (검증 표시본을 만들지 않았습니다: 2초 넘게 걸림). 파일이 손상되었거나 "
        "너무 큽니다. 엑셀에서 열어 빈 행·불필요한 시트를 지우고 .xlsx로 다시 저장해 보내 주세요.")
    # the small report got its copy within the same limits; the hostile one none
    assert sorted(p.name for p in (tmp_path / "ann").iterdir()) == ["small_검증.xlsx"]


def test_a_copy_over_the_memory_limit_is_refused_with_a_finding(reports: Path, tmp_path: Path) -> None:
    """In a process of its own (the cap is address space over what the worker starts with: a fresh run's)."""
    rules = _rule_books(tmp_path, 30, 60)
    res = subprocess.run([sys.executable, "-m", "iupjong_xl", "--rulebook", str(rules), "validate",
                          str(reports / "hostile.xlsx"), "--annotate", str(tmp_path / "ann"), "--format", "json", "-q",
                          "--lang", "en"], capture_output=True, text=True, timeout=300)
    assert res.returncode == 1, res.stderr
    findings = json.loads(res.stdout)["findings"]
    assert [(f["code"], f["severity"]) for f in findings] == [("MEMBER_EMPLOYEES_TYPE", "error"),
                                                             ("FILE_TOO_COMPLEX", "error")]  # read within 30 MiB
    assert "(marked-up copy not made: " in findings[1]["message"]
    assert not (tmp_path / "ann").exists() or list((tmp_path / "ann").iterdir()) == []


def test_a_consolidated_workbook_given_as_input_is_read_under_the_limits(reports: Path, tmp_path: Path) -> None:
    """A federation's consolidated workbook is an input of the national run: a submitted file like any report, read
    under the same limits. One with a big sheet besides its own (100,000 rows, ~2 MB) is refused with
    FILE_TOO_COMPLEX (30 MiB here) and nothing of it is taken; checking what it is stays within the limits."""
    from conftest import federation_data

    from tests.hostile import with_extra_sheet

    write_template(tmp_path / "fed.xlsx", "federation", 2009, federation_data())
    res = CliRunner().invoke(cli, ["consolidate", str(tmp_path / "fed.xlsx"), str(reports / "small.xlsx"), "-o",
                                   str(tmp_path / "서울.xlsx"), "--level", "federation", "-q", "--no-ledger"])
    assert res.exit_code == 1, res.output  # the small report's error: that row is left out, the report taken
    (tmp_path / "in").mkdir()
    with_extra_sheet(tmp_path / "서울.xlsx", tmp_path / "in" / "서울.xlsx", "plain", rows=100_000)
    rules = _rule_books(tmp_path, 30, 60)

    def iupjong(*args: str) -> dict:
        done = subprocess.run([sys.executable, "-m", "iupjong_xl", "--rulebook", str(rules), *args, "--format", "json"],
                              capture_output=True, text=True, timeout=300)
        assert done.returncode in (0, 1), done.stderr
        return {"exit": done.returncode, **json.loads(done.stdout)}

    checked = iupjong("validate", str(tmp_path / "in"), str(reports / "small.xlsx"), "-q")
    assert [(Path(f["file"]).name, f["code"]) for f in checked["findings"]] == [
        ("서울.xlsx", "FILE_CONSOLIDATED_SKIPPED"), ("small.xlsx", "MEMBER_EMPLOYEES_TYPE")]
    national = iupjong("consolidate", str(tmp_path / "in"), "-o", str(tmp_path / "national.xlsx"), "-q",
                       "--no-ledger")
    assert national["exit"] == 1
    assert [(Path(f["file"]).name, f["code"]) for f in national["findings"]] == [("서울.xlsx", "FILE_TOO_COMPLEX")]
    assert "needs more than 30 MiB of memory" in national["findings"][0]["message"]
    assert national["summary"]["club_reports"] == 0 and national["summary"]["rejected"] == 1
