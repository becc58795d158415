"""The `iupjong` command line: the JSON contract, exit codes, output formats, annotate, template, codes.

Every test runs the real click command on real workbooks written into tmp_path.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from click.testing import CliRunner
from conftest import BRNS, club_data, federation_data

from iupjong_xl import __version__, rulebook
from iupjong_xl.cli import cli
from iupjong_xl.outputs.annotate import COMMENT_AUTHOR, FILL_ERROR

REPO = Path(__file__).resolve().parent.parent
BOOK = rulebook.load(2009)

TOP_KEYS = {"valid", "stats", "findings"}
STATS_KEYS = {"files", "files_valid", "rows", "errors", "warnings"}
FINDING_TYPES: dict[str, tuple[type, ...]] = {
    "file": (str,),
    "sheet": (str, type(None)),
    "cell": (str, type(None)),
    "row": (int, type(None)),
    "column": (str, type(None)),
    "code": (str,),
    "severity": (str,),
    "message": (str,),
    "value": (str, type(None)),
}
CLUB_ROWS = sum(len(v) for v in club_data().values())  # 1 form record + 6 members + 3 activities + 1 + 1 = 12


# --------------------------------------------------------------------------- helpers


def invoke(*args: str, env: dict[str, str] | None = None):
    return CliRunner().invoke(cli, list(args), env=env)


def wrong_check_digit(brn: str) -> str:
    return brn[:-1] + str((int(brn[-1]) + 1) % 10)


def expected_message(code: str, lang: str = "ko", **params: Any) -> str:
    """A message rendered straight from the rule book's template (not through the package's renderer)."""
    _sev, templates = BOOK.all_codes()[code]
    return templates[lang].format(**params)


def check_json_contract(data: Any) -> None:
    assert isinstance(data, dict)
    assert set(data) == TOP_KEYS
    assert isinstance(data["valid"], bool)
    assert set(data["stats"]) == STATS_KEYS
    for k, v in data["stats"].items():
        assert type(v) is int, (k, v)
    assert isinstance(data["findings"], list)
    for f in data["findings"]:
        assert set(f) == set(FINDING_TYPES), f
        for k, types in FINDING_TYPES.items():
            assert isinstance(f[k], types) and not isinstance(f[k], bool), (k, f[k])
        assert f["severity"] in {"error", "warning"}
        assert f["message"]
    assert data["valid"] == (data["stats"]["errors"] == 0)
    assert data["stats"]["errors"] == sum(f["severity"] == "error" for f in data["findings"])
    assert data["stats"]["warnings"] == sum(f["severity"] == "warning" for f in data["findings"])


def run_json(*args: str) -> tuple[Any, dict[str, Any]]:
    result = invoke("validate", "--format", "json", *args)
    assert result.exit_code in (0, 1), (result.exit_code, result.stdout, result.stderr, result.exception)
    data = json.loads(result.stdout)
    check_json_contract(data)
    return result, data


def bad_member_data(index: int = 0) -> dict[str, list[dict[str, Any]]]:
    d = club_data()
    d["member"][index]["brn"] = wrong_check_digit(BRNS[index])
    return d


def one_error_one_warning() -> dict[str, list[dict[str, Any]]]:
    """MEMBER_BRN_CHECKSUM at 회원사!A5 (a plain member, nothing refers to it) + CLUB_EMAIL_PATTERN (a warning)."""
    d = bad_member_data(3)
    d["club"][0]["email"] = "hanbit-at-example.kr"
    return d


def only_warning() -> dict[str, list[dict[str, Any]]]:
    d = club_data()
    d["club"][0]["email"] = "hanbit-at-example.kr"
    return d


def squash(text: str) -> str:
    """Text without whitespace and table borders: a wrapped table cell reads as one string again."""
    return re.sub(r"[\s│┃┆┊|]+", "", text)


def sha256(p: Path) -> str:
    return hashlib.sha256(p.read_bytes()).hexdigest()


@pytest.fixture
def in_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Run with tmp_path as the working directory, so paths can be given relative ("as the user typed them")."""
    monkeypatch.chdir(tmp_path)
    return tmp_path


# --------------------------------------------------------------------------- the JSON contract


def test_json_complete_finding_for_wrong_check_digit(write_report, in_tmp: Path) -> None:
    write_report(bad_member_data(0), name="bad.xlsx")
    result, data = run_json("bad.xlsx")
    assert result.exit_code == 1
    bad = wrong_check_digit(BRNS[0])
    column = BOOK.sheets["member"].column("brn").header
    expected = {
        "file": "bad.xlsx",
        "sheet": BOOK.sheets["member"].name,
        "cell": "A2",
        "row": 2,
        "column": column,
        "code": "MEMBER_BRN_CHECKSUM",
        "severity": BOOK.all_codes()["MEMBER_BRN_CHECKSUM"][0],
        "message": expected_message("MEMBER_BRN_CHECKSUM", column=column, value=bad),
        "value": bad,
    }
    assert expected["sheet"] == "회원사" and expected["severity"] == "error"
    assert expected in data["findings"]
    assert data["valid"] is False
    assert data["stats"]["files"] == 1 and data["stats"]["files_valid"] == 0
    assert data["stats"]["rows"] == CLUB_ROWS


def test_json_english_message(write_report, in_tmp: Path) -> None:
    write_report(bad_member_data(0), name="bad.xlsx")
    _, ko = run_json("bad.xlsx")
    _, en = run_json("--lang", "en", "bad.xlsx")
    column = BOOK.sheets["member"].column("brn").header
    bad = wrong_check_digit(BRNS[0])
    [f] = [f for f in en["findings"] if f["code"] == "MEMBER_BRN_CHECKSUM"]
    assert f["message"] == expected_message("MEMBER_BRN_CHECKSUM", "en", column=column, value=bad)
    assert "check digit" in f["message"]
    # only the message changes with the language
    strip = [{k: v for k, v in g.items() if k != "message"} for g in ko["findings"]]
    assert strip == [{k: v for k, v in g.items() if k != "message"} for g in en["findings"]]
    assert ko["stats"] == en["stats"] and ko["valid"] == en["valid"]


def test_json_stats_of_a_small_batch(write_report, in_tmp: Path) -> None:
    write_report(club_data(), name="a_valid.xlsx")
    write_report(one_error_one_warning(), name="b_mixed.xlsx")
    (in_tmp / "c_corrupt.xlsx").write_bytes(b"PK\x03\x04" + b"not really a zip" * 20)
    result, data = run_json("a_valid.xlsx", "b_mixed.xlsx", "c_corrupt.xlsx")
    assert result.exit_code == 1
    assert data["valid"] is False
    assert data["stats"] == {"files": 3, "files_valid": 1, "rows": 2 * CLUB_ROWS, "errors": 2, "warnings": 1}
    got = sorted((f["file"], f["code"], f["severity"], f["sheet"], f["cell"]) for f in data["findings"])
    assert got == [
        ("b_mixed.xlsx", "CLUB_EMAIL_PATTERN", "warning", "교류회", "B10"),
        ("b_mixed.xlsx", "MEMBER_BRN_CHECKSUM", "error", "회원사", "A5"),
        ("c_corrupt.xlsx", "FILE_CORRUPT", "error", None, None),
    ]
    # file-level finding: no place inside the workbook
    [corrupt] = [f for f in data["findings"] if f["file"] == "c_corrupt.xlsx"]
    assert corrupt["row"] is None and corrupt["column"] is None and corrupt["value"] is None


@pytest.mark.parametrize("given", ["./bad.xlsx", "bad.xlsx", "ABS"])
def test_json_file_is_the_path_as_given(write_report, in_tmp: Path, given: str) -> None:
    write_report(bad_member_data(0), name="bad.xlsx")
    if given == "ABS":
        given = str(in_tmp / "bad.xlsx")
    _, data = run_json(given)
    assert data["findings"]
    assert {f["file"] for f in data["findings"]} == {given}


@pytest.mark.parametrize("folder", ["in", "in/", "./in", "ABS"])
def test_json_file_is_joined_under_the_folder_as_given(write_report, in_tmp: Path, folder: str) -> None:
    (in_tmp / "in" / "서울" / "강남").mkdir(parents=True)
    write_report(bad_member_data(0), name="in/top.xlsx")
    write_report(bad_member_data(0), name="in/서울/강남/deep.xlsx")
    write_report(club_data(), name="in/서울/ok.xlsx")
    if folder == "ABS":
        folder = str(in_tmp / "in")
    result, data = run_json(folder)
    assert result.exit_code == 1
    files = {f["file"] for f in data["findings"]}
    assert files == {
        os.path.join(folder, "top.xlsx"),
        os.path.join(folder, os.path.join("서울", "강남", "deep.xlsx")),
    }
    assert data["stats"]["files"] == 3 and data["stats"]["files_valid"] == 1


def test_json_output_file_is_the_same_json(write_report, in_tmp: Path) -> None:
    write_report(one_error_one_warning(), name="bad.xlsx")
    write_report(club_data(), name="ok.xlsx")
    printed = invoke("validate", "--format", "json", "bad.xlsx", "ok.xlsx")
    written = invoke("validate", "--format", "json", "-o", "out.json", "bad.xlsx", "ok.xlsx")
    assert printed.exit_code == written.exit_code == 1
    assert written.stdout == ""
    text = (in_tmp / "out.json").read_text(encoding="utf-8")
    assert json.loads(text) == json.loads(printed.stdout)
    assert text.rstrip("\n") == printed.stdout.rstrip("\n")
    check_json_contract(json.loads(text))


# --------------------------------------------------------------------------- exit codes


def test_exit_0_for_valid_files(write_report, in_tmp: Path) -> None:
    write_report(club_data(), name="club.xlsx")
    write_report(federation_data(), kind="federation", name="fed.xlsx")
    result, data = run_json("club.xlsx", "fed.xlsx")
    assert result.exit_code == 0
    assert data == {"valid": True, "findings": [],
                    "stats": {"files": 2, "files_valid": 2, "rows": CLUB_ROWS + 3, "errors": 0, "warnings": 0}}
    assert invoke("validate", "club.xlsx", "fed.xlsx").exit_code == 0


def test_exit_0_with_only_warnings(write_report, in_tmp: Path) -> None:
    write_report(only_warning(), name="warn.xlsx")
    result, data = run_json("warn.xlsx")
    assert result.exit_code == 0
    assert data["valid"] is True
    assert [(f["code"], f["severity"]) for f in data["findings"]] == [("CLUB_EMAIL_PATTERN", "warning")]
    assert data["stats"] == {"files": 1, "files_valid": 1, "rows": CLUB_ROWS, "errors": 0, "warnings": 1}
    assert invoke("validate", "warn.xlsx").exit_code == 0


def test_exit_1_for_any_error(write_report, in_tmp: Path) -> None:
    write_report(club_data(), name="ok.xlsx")
    write_report(bad_member_data(3), name="bad.xlsx")
    for fmt in ("table", "json"):
        assert invoke("validate", "--format", fmt, "ok.xlsx", "bad.xlsx").exit_code == 1
    assert invoke("validate", "--format", "xlsx", "-o", "r.xlsx", "ok.xlsx", "bad.xlsx").exit_code == 1
    missing = invoke("validate", "missing.xlsx")  # a path that does not exist is a usage error, named (issue 19)
    assert missing.exit_code == 2 and "missing.xlsx: 이런 파일이나 폴더가 없습니다" in missing.output


@pytest.mark.parametrize("args", [
    ["validate", "--no-such-option", "ok.xlsx"],
    ["validate", "--format", "xlsx", "ok.xlsx"],
    ["validate", "--year", "1999", "ok.xlsx"],
    ["validate"],
    ["validate", "--format", "csv", "ok.xlsx"],
    ["validate", "--max-rows", "0", "ok.xlsx"],
    ["no-such-command"],
], ids=["unknown-option", "xlsx-without-o", "year-without-rulebook", "no-paths", "bad-format", "max-rows-0",
        "unknown-command"])
def test_exit_2_for_usage_problems(write_report, in_tmp: Path, args: list[str]) -> None:
    write_report(club_data(), name="ok.xlsx")
    result = invoke(*args)
    assert result.exit_code == 2, (result.stdout, result.stderr, result.exception)
    assert result.stdout == ""
    assert result.stderr.strip()
    assert not (in_tmp / "r.xlsx").exists()


def test_year_without_rule_book_names_the_year(write_report, in_tmp: Path) -> None:
    write_report(club_data(), name="ok.xlsx")
    result = invoke("validate", "--year", "1999", "ok.xlsx")
    assert result.exit_code == 2
    assert "1999" in result.stderr and "2009" in result.stderr


def test_xlsx_without_o_writes_nothing(write_report, in_tmp: Path) -> None:
    write_report(club_data(), name="ok.xlsx")
    before = sorted(p.name for p in in_tmp.iterdir())
    result = invoke("validate", "--format", "xlsx", "ok.xlsx")
    assert result.exit_code == 2
    assert "-o" in result.stderr
    assert sorted(p.name for p in in_tmp.iterdir()) == before


# --------------------------------------------------------------------------- table and xlsx output


def test_table_output_names_file_sheet_cell_and_korean_message(write_report, in_tmp: Path) -> None:
    write_report(bad_member_data(3), name="bad.xlsx")
    write_report(club_data(), name="ok.xlsx")
    result = invoke("validate", "bad.xlsx", "ok.xlsx")
    assert result.exit_code == 1
    out = result.stdout
    column = BOOK.sheets["member"].column("brn").header
    message = expected_message("MEMBER_BRN_CHECKSUM", column=column, value=wrong_check_digit(BRNS[3]))
    assert "bad.xlsx" in out
    assert "회원사" in out and "A5" in out and "MEMBER_BRN_CHECKSUM" in out and "오류" in out
    assert squash(message) in squash(out)
    # the row reads sheet, cell, code, severity, message in that order
    assert squash("회원사 A5 MEMBER_BRN_CHECKSUM 오류") + squash(message)[:20] in squash(out)
    assert re.search(r"ok\.xlsx\s*—\s*문제 없음", out)
    assert "파일 2개 (통과 1개)" in out and "오류 1건" in out and "경고 0건" in out


def test_table_clean_file_says_no_problems(write_report, in_tmp: Path) -> None:
    write_report(club_data(), name="ok.xlsx")
    result = invoke("validate", "ok.xlsx")
    assert result.exit_code == 0
    assert re.search(r"ok\.xlsx\s*—\s*문제 없음", result.stdout)
    assert "오류 0건" in result.stdout
    en = invoke("validate", "--lang", "en", "ok.xlsx")
    assert "no problems" in en.stdout and "0 errors" in en.stdout


def test_table_shows_values_that_look_like_markup(write_report, in_tmp: Path) -> None:
    d = club_data()
    d["member"][3]["role"] = "[/b]"
    d["member"][4]["role"] = "[bold]x"
    write_report(d, name="markup.xlsx")
    result = invoke("validate", "markup.xlsx")
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    assert result.exit_code == 1
    assert "[/b]" in squash(result.stdout) and "[bold]x" in squash(result.stdout)


def test_table_shows_file_names_that_look_like_markup(write_report, in_tmp: Path) -> None:
    write_report(club_data(), name="[red]ok.xlsx")
    result = invoke("validate", "[red]ok.xlsx")
    assert result.exit_code == 0
    assert "[red]ok.xlsx" in result.stdout


def test_xlsx_report_has_the_finding_row(write_report, in_tmp: Path) -> None:
    write_report(one_error_one_warning(), name="bad.xlsx")
    write_report(club_data(), name="ok.xlsx")
    result = invoke("validate", "--format", "xlsx", "-o", "report.xlsx", "bad.xlsx", "ok.xlsx")
    assert result.exit_code == 1
    assert "파일 2개 (통과 1개), 행 24개, 오류 1건, 경고 1건" in result.stdout
    wb = openpyxl.load_workbook(in_tmp / "report.xlsx")
    assert wb.sheetnames == ["요약", "검증결과"]
    rows = [list(r) for r in wb["검증결과"].iter_rows(values_only=True)]
    assert rows[0] == ["파일", "시트", "셀", "행", "항목", "코드", "구분", "내용", "값"]
    column = BOOK.sheets["member"].column("brn").header
    bad = wrong_check_digit(BRNS[3])
    assert ["bad.xlsx", "회원사", "A5", 5, column, "MEMBER_BRN_CHECKSUM", "오류",
            expected_message("MEMBER_BRN_CHECKSUM", column=column, value=bad), bad] in rows
    assert len(rows) == 3
    # the cell links to the submitted file's cell
    ws = wb["검증결과"]
    [r] = [i for i, row in enumerate(rows, start=1) if row[5] == "MEMBER_BRN_CHECKSUM"]
    link = ws.cell(row=r, column=3).hyperlink
    assert link is not None and link.target.endswith("bad.xlsx") and link.location == "'회원사'!A5"


def test_xlsx_report_refuses_to_overwrite_a_submitted_file(write_report, in_tmp: Path) -> None:
    p = write_report(bad_member_data(3), name="bad.xlsx")
    before = sha256(p)
    result = invoke("validate", "--format", "xlsx", "-o", "bad.xlsx", "bad.xlsx")
    assert result.exit_code == 2
    assert sha256(p) == before


@pytest.mark.parametrize("fmt", [
    "xlsx",
    "json",
])
def test_unwritable_output_is_a_usage_error(write_report, in_tmp: Path, fmt: str) -> None:
    write_report(club_data(), name="ok.xlsx")
    (in_tmp / "not_a_dir").write_text("x")
    result = invoke("validate", "--format", fmt, "-o", f"not_a_dir/out.{fmt}", "ok.xlsx")
    assert result.exit_code == 2, repr(result.exception)
    assert isinstance(result.exception, SystemExit)
    assert "not_a_dir" in result.stderr


# --------------------------------------------------------------------------- --annotate


def test_annotate_marks_a_copy_and_leaves_the_originals(write_report, in_tmp: Path) -> None:
    (in_tmp / "in" / "서울").mkdir(parents=True)
    bad = write_report(bad_member_data(3), name="in/서울/bad.xlsx")
    ok = write_report(club_data(), name="in/ok.xlsx")
    before = {p: sha256(p) for p in (bad, ok)}
    result = invoke("validate", "--annotate", "marked", "--format", "json", "in")
    assert result.exit_code == 1
    assert {p: sha256(p) for p in (bad, ok)} == before
    copy = in_tmp / "marked" / "bad_검증.xlsx"
    assert copy.is_file()
    assert not (in_tmp / "marked" / "ok_검증.xlsx").exists()  # no findings, no copy
    wb = openpyxl.load_workbook(copy)
    cell = wb["회원사"]["A5"]
    assert cell.fill.fill_type == "solid"
    assert cell.fill.fgColor.rgb == "FF" + FILL_ERROR
    assert cell.comment is not None
    assert "MEMBER_BRN_CHECKSUM" in cell.comment.text
    assert cell.comment.author == COMMENT_AUTHOR
    assert cell.value == wrong_check_digit(BRNS[3])
    assert wb["회원사"]["A4"].comment is None
    assert "검증결과" in wb.sheetnames


def test_annotate_refuses_to_overwrite_a_submitted_file(write_report, in_tmp: Path) -> None:
    write_report(bad_member_data(3), name="bad.xlsx")
    p = write_report(bad_member_data(3), name="bad_검증.xlsx")  # named like bad.xlsx's copy
    before = sha256(p)
    result = invoke("validate", "--annotate", ".", "bad.xlsx", "bad_검증.xlsx")
    assert result.exit_code == 2
    assert "bad_검증.xlsx" in result.stderr
    assert sha256(p) == before


# --------------------------------------------------------------------------- stderr


def test_quiet_and_non_tty_write_nothing_to_stderr(write_report, in_tmp: Path) -> None:
    write_report(club_data(), name="ok.xlsx")
    write_report(one_error_one_warning(), name="bad.xlsx")
    for args in (["-q"], ["--quiet"], []):
        for fmt in ("table", "json"):
            result = invoke("validate", *args, "--format", fmt, "ok.xlsx", "bad.xlsx")
            assert result.exit_code == 1
            assert result.stderr == "", (args, fmt, result.stderr)


def test_subprocess_non_tty_stderr_is_empty(write_report, in_tmp: Path) -> None:
    write_report(club_data(), name="ok.xlsx")
    write_report(one_error_one_warning(), name="bad.xlsx")
    proc = subprocess.run([sys.executable, "-m", "iupjong_xl", "validate", "--format", "json", "ok.xlsx", "bad.xlsx"],
                          capture_output=True, text=True, encoding="utf-8", timeout=120, stdin=subprocess.DEVNULL,
                          env={**os.environ, "PYTHONPATH": str(REPO)})
    assert proc.returncode == 1, proc.stderr
    assert proc.stderr == ""
    check_json_contract(json.loads(proc.stdout))


# --------------------------------------------------------------------------- template


REQUIRED_LIKE = {r.code for r in BOOK.rules if r.kind == "min_rows"}  # "no rows at all": CLUB_NO_MEMBERS, ROSTER_EMPTY


@pytest.mark.parametrize("kind", ["club", "federation"])
def test_template_command_writes_a_blank_report(in_tmp: Path, kind: str) -> None:
    result = invoke("template", "--kind", kind, "--year", "2009", "-o", "x.xlsx")
    assert result.exit_code == 0, (result.stdout, result.stderr)
    assert result.stdout.strip() == "x.xlsx"
    assert result.stderr == ""
    _, data = run_json("x.xlsx")
    assert data["valid"] is False
    assert data["findings"]
    for f in data["findings"]:
        assert f["severity"] == "error"
        assert f["code"].endswith("_REQUIRED") or f["code"] in REQUIRED_LIKE, f
    codes = {f["code"] for f in data["findings"]}
    sheets = BOOK.report_sheets(kind)
    form = sheets[0]
    assert form.layout == "form"
    expected = {f"{form.prefix}_{c.code}_REQUIRED" for c in form.columns if c.required}
    expected |= {r.code for r in BOOK.rules if r.kind == "min_rows" and r.sheet in {s.key for s in sheets}}
    assert codes == expected
    assert len(data["findings"]) == len(expected)


@pytest.mark.parametrize("kind", ["club", "federation"])
def test_template_command_equals_the_checked_in_template(in_tmp: Path, kind: str) -> None:
    checked_in = REPO / "templates" / f"{kind}_2009.xlsx"
    if not checked_in.exists():
        pytest.skip(f"{checked_in.relative_to(REPO)} is not checked in yet")
    assert invoke("template", "--kind", kind, "-o", "x.xlsx").exit_code == 0
    assert (in_tmp / "x.xlsx").read_bytes() == checked_in.read_bytes()


@pytest.mark.parametrize("args", [
    ["template", "--kind", "village", "-o", "x.xlsx"],
    ["template", "-o", "x.xlsx"],
    ["template", "--kind", "club"],
    ["template", "--kind", "club", "--year", "1999", "-o", "x.xlsx"],
], ids=["bad-kind", "no-kind", "no-output", "no-rulebook"])
def test_template_usage_problems(in_tmp: Path, args: list[str]) -> None:
    result = invoke(*args)
    assert result.exit_code == 2, (result.stdout, result.stderr, result.exception)
    assert not (in_tmp / "x.xlsx").exists()


# --------------------------------------------------------------------------- codes, help, version


def test_codes_json_lists_every_code() -> None:
    result = invoke("codes", "--format", "json")
    assert result.exit_code == 0
    rows = json.loads(result.stdout)
    book = rulebook.load(2009)
    all_codes = book.all_codes()
    assert [r["code"] for r in rows] == list(all_codes)
    for r in rows:
        assert set(r) == {"code", "severity", "message"}
        sev, messages = all_codes[r["code"]]
        assert r["severity"] == sev and sev in {"error", "warning"}
        assert r["message"] == messages["ko"]
    assert {"MEMBER_BRN_CHECKSUM", "FILE_CORRUPT", "CONSORTIUM_GOV_SHARE_MAX"} <= {r["code"] for r in rows}
    en = json.loads(invoke("codes", "--format", "json", "--lang", "en").stdout)
    assert [r["message"] for r in en] == [all_codes[r["code"]][1]["en"] for r in en]


def test_codes_table_and_unknown_year() -> None:
    result = invoke("codes")
    assert result.exit_code == 0
    assert "MEMBER_BRN_CHECKSUM" in result.stdout
    assert invoke("codes", "--year", "1999").exit_code == 2


def test_python_m_help() -> None:
    proc = subprocess.run([sys.executable, "-m", "iupjong_xl", "--help"], capture_output=True, text=True,
                          encoding="utf-8", timeout=120, env={**os.environ, "PYTHONPATH": str(REPO)})
    assert proc.returncode == 0, proc.stderr
    for command in ("template", "validate", "codes", "sample", "templates"):
        assert command in proc.stdout
    assert "iupjong" in proc.stdout


def test_version() -> None:
    result = invoke("--version")
    assert result.exit_code == 0
    assert result.stdout.strip() == f"iupjong, version {__version__}"


# --------------------------------------------------------------------------- one bad file never stops the batch


def test_batch_with_corrupt_empty_and_valid_file(write_report, in_tmp: Path) -> None:
    (in_tmp / "batch").mkdir()
    (in_tmp / "batch" / "a_corrupt.xlsx").write_bytes(b"PK\x03\x04" + os.urandom(300))
    (in_tmp / "batch" / "b_empty.xlsx").write_bytes(b"")
    write_report(club_data(), name="batch/c_valid.xlsx")
    for args in (["batch"], ["batch/a_corrupt.xlsx", "batch/b_empty.xlsx", "batch/c_valid.xlsx"]):
        result, data = run_json(*args)
        assert result.exit_code == 1
        assert data["stats"]["files"] == 3
        assert data["stats"]["files_valid"] == 1
        assert data["stats"]["rows"] == CLUB_ROWS
        by_file: dict[str, list[str]] = {}
        for f in data["findings"]:
            by_file.setdefault(f["file"], []).append(f["code"])
        valid = os.path.join("batch", "c_valid.xlsx")
        assert valid not in by_file
        assert by_file[os.path.join("batch", "a_corrupt.xlsx")] == ["FILE_CORRUPT"]
        assert by_file[os.path.join("batch", "b_empty.xlsx")] == ["FILE_EMPTY"]
    table = invoke("validate", "batch")
    assert table.exit_code == 1
    assert re.search(r"c_valid\.xlsx\s*—\s*문제 없음", table.stdout)
