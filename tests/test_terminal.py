"""Terminal tables fit the terminal (issue 21 point 7): at COLUMNS = 60, 80, 100 and 120 no printed line is wider than
the terminal (Korean counts double, as the terminal draws it) and nothing is cut with "…"; long cells wrap."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from click.testing import CliRunner
from rich.cells import cell_len

from iupjong_xl.cli.commands import cli

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT / "sample_workbooks"
WIDTHS = (60, 80, 100, 120)


def run(columns: int, *args: str) -> str:
    res = CliRunner(env={"COLUMNS": str(columns)}).invoke(cli, list(args), catch_exceptions=False)
    assert res.exit_code in (0, 1), res.output
    return res.output


def widest(text: str) -> int:
    return max(cell_len(line) for line in text.splitlines())


@pytest.fixture(scope="module")
def national(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The 제주 clubs with every federation's roster: a small consolidated workbook for `directory`."""
    base = SAMPLES / "2009"
    files = sorted(map(str, base.glob("*/*_연합회_2009.xlsx"))) + sorted(map(str, (base / "제주").glob("*_JJU-*.xlsx")))
    out = tmp_path_factory.mktemp("단말") / "전국.xlsx"
    run(120, "consolidate", *files, "-o", str(out), "-q")
    return out


@pytest.mark.parametrize("columns", WIDTHS)
def test_codes_fit_the_terminal(columns: int) -> None:
    out = run(columns, "codes", "--year", "2009")
    assert widest(out) == columns  # the table takes the terminal's width, no more (it was 200 columns wide)
    assert "…" not in out and "MEMBER_BRN_CHECKSUM"[:columns // 4] in out


@pytest.mark.parametrize("columns", WIDTHS)
def test_validate_table_fits_the_terminal(columns: int) -> None:
    out = run(columns, "validate", str(SAMPLES / "problems" / "01_사업자번호_검증번호.xlsx"))
    assert widest(out) <= columns and "…" not in out
    assert "01_사업자번호_검증번호.xlsx" in re.sub(r" *\n", "", out)  # whole, maybe wrapped


@pytest.mark.parametrize("columns", (60, 100))
def test_consolidate_and_directory_fit_the_terminal(columns: int, national: Path, tmp_path: Path) -> None:
    base = SAMPLES / "2009"
    files = sorted(map(str, base.glob("*/*_연합회_2009.xlsx")))[:2]
    out = run(columns, "consolidate", *files, "-o", str(tmp_path / "n.xlsx"))
    assert widest(out) <= columns and "…" not in out
    assert "외 " in out  # the clubs that did not report: the first eight and how many more, never "…"
    out = run(columns, "directory", str(national), "-o", str(tmp_path / "명부.xlsx"))
    assert widest(out) <= columns and "…" not in out
    assert "제주" in out
