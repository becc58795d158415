"""LibreOffice round trip: a report saved by `soffice --headless --convert-to ods/xls/xlsx` gives the same findings.

Each soffice start costs seconds, so every conversion is one soffice invocation per target format, with its
own user profile (so a parallel or leftover soffice does not take the job over) and a hard timeout.
"""

from __future__ import annotations

import datetime
import os
import shutil
import signal
import subprocess
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from conftest import BRNS, club_data

from iupjong_xl import rulebook
from iupjong_xl.io.reader import open_workbook
from iupjong_xl.outputs.templates import write_template
from iupjong_xl.validate.pipeline import validate

pytestmark = [
    pytest.mark.libreoffice,
    pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice (soffice) is not on PATH"),
]

BOOK = rulebook.load(2009)
SOFFICE_TIMEOUT = 120


@pytest.fixture(scope="module")
def lo_profile(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One LibreOffice user profile for the module (per xdist worker: tmp_path_factory is per worker)."""
    return tmp_path_factory.mktemp("lo") / "lo_profile"


def soffice_convert(files: list[Path], fmt: str, outdir: Path, profile: Path) -> list[Path]:
    """Convert files to fmt into outdir with one soffice invocation; return the converted paths."""
    outdir.mkdir(parents=True, exist_ok=True)
    cmd = [shutil.which("soffice") or "soffice", f"-env:UserInstallation={profile.as_uri()}", "--headless",
           "--norestore", "--nolockcheck", "--convert-to", fmt, "--outdir", str(outdir), *map(str, files)]
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, stdin=subprocess.DEVNULL,
                            start_new_session=True)
    try:
        out, err = proc.communicate(timeout=SOFFICE_TIMEOUT)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)  # soffice and the soffice.bin it started
        proc.communicate()
        pytest.fail(f"soffice --convert-to {fmt} did not finish in {SOFFICE_TIMEOUT}s")
    converted = [outdir / (f.stem + "." + fmt) for f in files]
    missing = [p.name for p in converted if not p.is_file()]
    assert not missing, f"soffice did not write {missing} (rc={proc.returncode}): {out!r} {err!r}"
    return converted


def mistakes_data() -> dict[str, list[dict[str, Any]]]:
    d = club_data()
    bad = BRNS[3]
    d["member"][3]["brn"] = bad[:-1] + str((int(bad[-1]) + 1) % 10)  # wrong check digit, 회원사!A5
    d["member"][4]["ksic"] = "04 없는 업종"  # KSIC division 04 does not exist, 회원사!D6
    d["activity"][1]["attendees"] = 9  # 9 attending > 6 members, 활동!C3
    d["activity"][2]["date"] = "2009.3.1"  # a date typed as text: fine, 활동!A4
    d["consortium"][0].update(gov_won=16_000_000, company_won=4_000_000)  # government share 80 %
    return d


def comparable(report: Any) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """The report without the file names (stats, and every finding field except `file`)."""
    return report.stats, [{k: v for k, v in f.to_dict().items() if k != "file"} for f in report.findings]


@pytest.mark.parametrize("fmt", ["ods", "xls", "xlsx"])
def test_converted_report_gives_the_same_findings(write_report, tmp_path: Path, lo_profile: Path, fmt: str) -> None:
    original = write_report(mistakes_data(), name="mistakes.xlsx")
    expected = validate([str(original)])
    got_codes = {(f.code, f.sheet, f.cell, f.severity) for f in expected.findings}
    assert got_codes == {
        ("MEMBER_BRN_CHECKSUM", "회원사", "A5", "error"),
        ("MEMBER_KSIC_ALLOWED", "회원사", "D6", "error"),
        ("ACTIVITY_ATTENDANCE_EXCEEDS_MEMBERS", "활동", "C3", "error"),
        ("CONSORTIUM_GOV_SHARE_MAX", "협력과제", "F2", "warning"),
        ("CONSORTIUM_COMPANY_SHARE_MIN", "협력과제", "G2", "warning"),
    }
    assert not any(f.sheet == "활동" and f.cell == "A4" for f in expected.findings)  # "2009.3.1" is a date

    [converted] = soffice_convert([original], fmt, tmp_path / fmt, lo_profile)
    with open_workbook(converted) as wb:
        assert wb.grid("활동").rows[3][0] == "2009.3.1"  # LibreOffice kept the typed text as text
    report = validate([str(converted)])
    assert comparable(report) == comparable(expected)
    assert {f.file for f in report.findings} == {str(converted)}


def test_blank_template_from_libreoffice_filled_with_openpyxl_is_valid(tmp_path: Path, lo_profile: Path) -> None:
    blank = write_template(tmp_path / "club_2009.xlsx", "club", 2009)
    [converted] = soffice_convert([blank], "xlsx", tmp_path / "lo", lo_profile)

    data = club_data()
    wb = openpyxl.load_workbook(converted)
    for sheet in BOOK.report_sheets("club"):
        ws = wb[sheet.name]
        records = data[sheet.key]
        if sheet.layout == "form":
            assert [ws.cell(row=2 + i, column=1).value for i in range(len(sheet.columns))] == \
                [c.header for c in sheet.columns]
            for i, col in enumerate(sheet.columns):
                ws.cell(row=2 + i, column=2, value=records[0].get(col.key))
        else:
            assert [ws.cell(row=1, column=1 + c).value for c in range(len(sheet.columns))] == \
                [c.header for c in sheet.columns]
            for r, rec in enumerate(records):
                for c, col in enumerate(sheet.columns):
                    value = rec.get(col.key)
                    assert value is None or isinstance(value, (str, int, float, datetime.date))
                    ws.cell(row=2 + r, column=1 + c, value=value)
    filled = tmp_path / "filled.xlsx"
    wb.save(filled)
    wb.close()

    report = validate([str(filled)])
    assert [f.to_dict() for f in report.findings] == []
    assert report.valid
    assert report.stats == {"files": 1, "files_valid": 1, "rows": sum(len(v) for v in data.values()),
                            "errors": 0, "warnings": 0}
