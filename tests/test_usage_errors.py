"""Input mistakes are usage errors (issue 19, points 7 and 10): a path that does not exist (named), no workbook
under the paths, -o whose suffix does not match the format — exit 2, nothing written. The --annotate folder is never
read; consolidated and findings workbooks among the inputs are skipped with a note saying what they are; an
annotated copy is a report like any other. A broken pipe ends quietly with the usual status. The published figures
are labelled 공표치(2009.3), and only on the run of their year and level."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from conftest import club_data

from iupjong_xl.cli import cli
from iupjong_xl.outputs.templates import write_template

SAMPLES = Path(__file__).resolve().parents[1] / "sample_workbooks"


def run(*args: str) -> Result:
    return CliRunner().invoke(cli, list(args))


def files(folder: Path) -> list[str]:
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*"))


@pytest.fixture
def here(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    return tmp_path


@pytest.fixture
def reports(here: Path) -> Path:
    """in/: a valid club report and one with an error (a member's employee count is text)."""
    folder = here / "in"
    folder.mkdir()
    write_template(folder / "good.xlsx", "club", 2009, club_data())
    bad = club_data()
    bad["member"][1]["employees"] = "많음"
    write_template(folder / "bad.xlsx", "club", 2009, bad)
    return folder


def test_a_path_that_does_not_exist_is_named_and_nothing_is_written(reports: Path, here: Path) -> None:
    before = files(here)
    for args in (("validate", "in", "없는폴더"), ("consolidate", "in", "없는폴더", "-o", "n.xlsx")):
        res = run(*args)
        assert res.exit_code == 2, res.output
        assert "없는폴더: 이런 파일이나 폴더가 없습니다. 경로를 확인하세요." in res.output
    assert files(here) == before  # no workbook, no ledger


def test_no_workbook_under_the_paths_is_a_usage_error(here: Path) -> None:
    (here / "empty").mkdir()
    (here / "empty" / "메모.txt").write_text("보고서는 다음 주에", encoding="utf-8")
    before = files(here)
    for args in (("validate", "empty"), ("consolidate", "empty", "-o", "n.xlsx")):
        res = run(*args)
        assert res.exit_code == 2, res.output
        assert "empty에서 엑셀 파일(.ods, .xls, .xlsb, .xlsm, .xlsx)을 하나도 찾지 못했습니다." in res.output
    assert files(here) == before


def test_an_output_suffix_that_does_not_match_is_a_usage_error(reports: Path, here: Path) -> None:
    before = files(here)
    for args, words in ((("consolidate", "in", "-o", "x.txt"), "consolidate의 출력 파일 이름은 .xlsx(으)로 끝나야"),
                        (("validate", "in", "--format", "xlsx", "-o", "f.txt"), "--format xlsx의 출력 파일 이름은 .xlsx"),
                        (("validate", "in", "--format", "json", "-o", "f.xlsx"), "--format json의 출력 파일 이름은 .json"),
                        (("validate", "in", "-o", "f.xlsx"), "표 형식(table)은 화면에만 씁니다"),
                        (("template", "--kind", "club", "-o", "t.xls"), "template의 출력 파일 이름은 .xlsx")):
        res = run(*args)
        assert res.exit_code == 2, (args, res.output)
        assert words in res.output, res.output
    assert files(here) == before


def test_the_annotate_folder_is_never_read_as_input(reports: Path, here: Path) -> None:
    first = run("validate", "in", "--annotate", "in/검증", "--format", "json")
    second = run("validate", "in", "--annotate", "in/검증", "--format", "json")  # its own copies are in in/ now
    assert first.exit_code == second.exit_code == 1, second.output
    assert json.loads(first.output) == json.loads(second.output)
    assert json.loads(second.output)["stats"]["files"] == 2
    assert files(here / "in" / "검증") == ["bad_검증.xlsx"]


def test_an_annotated_copy_is_a_report_like_any_other(reports: Path) -> None:
    assert run("validate", "in", "--annotate", "ann").exit_code == 1
    original = json.loads(run("validate", "in/bad.xlsx", "--format", "json").output)["findings"]
    copy = json.loads(run("validate", "ann/bad_검증.xlsx", "--format", "json").output)["findings"]
    assert [(f["sheet"], f["cell"], f["code"]) for f in copy] == [(f["sheet"], f["cell"], f["code"]) for f in original]
    assert [(f["sheet"], f["cell"], f["code"]) for f in copy] == [("회원사", "E3", "MEMBER_EMPLOYEES_TYPE")]


def test_a_consolidated_workbook_is_skipped_with_a_note(reports: Path, consolidated_years: Path) -> None:
    national = str(consolidated_years / "national_2009.xlsx")
    alone = run("validate", national)
    assert alone.exit_code == 2
    assert "검증할 보고서가 없습니다" in alone.output and "취합 문서입니다 — `iupjong verify`로 확인하세요" in alone.output
    assert "문제 없음" not in alone.output
    res = run("validate", national, "in/good.xlsx", "--format", "json")
    assert res.exit_code == 0, res.output
    data = json.loads(res.output)
    assert [(f["file"], f["code"], f["severity"]) for f in data["findings"]] == [
        (national, "FILE_CONSOLIDATED_SKIPPED", "warning")]
    assert data["findings"][0]["message"].startswith("취합 문서입니다 — `iupjong verify`로 확인하세요.")


def test_a_findings_workbook_among_the_inputs_is_skipped_with_a_note(reports: Path) -> None:
    assert run("validate", "in", "--format", "xlsx", "-o", "in/검증결과.xlsx").exit_code == 1
    data = json.loads(run("validate", "in", "--format", "json").output)
    notes = [(f["file"], f["code"], f["severity"]) for f in data["findings"] if f["file"].endswith("검증결과.xlsx")]
    assert notes == [("in/검증결과.xlsx", "FILE_FINDINGS_SKIPPED", "warning")]
    os.remove("in/bad.xlsx")
    res = run("consolidate", "in", "-o", "n.xlsx", "-q", "--format", "json")
    assert res.exit_code == 0, res.output  # a note, not an error: the report is consolidated
    cons = json.loads(res.output)
    assert [(f["code"], f["severity"]) for f in cons["findings"]] == [("FILE_FINDINGS_SKIPPED", "warning")]
    assert cons["summary"]["club_reports"] == 1


@pytest.mark.parametrize(("name", "status", "fmt"), [("good.xlsx", 0, "json"), ("bad.xlsx", 1, "table")])
def test_a_broken_pipe_ends_quietly_with_the_usual_status(reports: Path, name: str, status: int, fmt: str) -> None:
    """`iupjong validate … | head`: the reader is gone before the table is printed."""
    p = subprocess.Popen([sys.executable, "-m", "iupjong_xl", "validate", str(reports / name), "--format", fmt],
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert p.stdout is not None and p.stderr is not None
    p.stdout.close()
    err = p.stderr.read()
    assert p.wait(120) == status
    assert err == b""


def _consolidate_samples(here: Path, year: int, *extra: str) -> str:
    folder = here / f"제주{year}"
    shutil.copytree(SAMPLES / str(year) / "제주", folder, dirs_exist_ok=True)
    res = run("consolidate", str(folder), "-o", f"out{year}{len(extra)}.xlsx", "-q", "--year", str(year), *extra)
    assert res.exit_code in (0, 1), res.output
    return res.output


def test_published_figures_only_for_their_year_and_level(here: Path) -> None:
    national09 = _consolidate_samples(here, 2009)
    assert "전국 지표" in national09 and "공표치(2009.3)" in national09 and "논문" not in national09
    national08 = _consolidate_samples(here, 2008)
    assert "전국 지표" in national08 and "공표치" not in national08 and "논문" not in national08
    federation = _consolidate_samples(here, 2009, "--level", "federation")
    assert "연합회 지표 (제주)" in federation
    assert "전국" not in federation and "공표치" not in federation and "논문" not in federation
