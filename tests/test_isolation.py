"""No file can stop a batch: every file is read in a worker process under a memory cap and a time limit.

* the worker pool itself (iupjong_xl.io.sandbox) with real processes: abort, timeout, memory cap, exceptions,
  output that must never reach the terminal, job order for any worker count;
* the validation pipeline over the hostile corpus of tests/hostile.py mixed with good reports: one exact
  file-level finding per hostile file, the good files clean, the sources byte-identical, the same result for one
  or two workers;
* the command line over the hostile corpus plus the sample corpus: exit 1 with JSON, nothing on stderr;
* exit 3 (internal failure) with the JSON of what was done;
* the "right codes" and their near misses.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
import time
import zipfile
from pathlib import Path
from typing import Any

import msoffcrypto
import pytest
from click.testing import CliRunner
from conftest import club_data, federation_data

from iupjong_xl.cli import cli
from iupjong_xl.io.reader import MAX_ZIP_ENTRIES, FileProblem, open_workbook
from iupjong_xl.io.sandbox import CRASHED, INTERNAL, TOO_COMPLEX, Limits, Outcome, run_isolated
from iupjong_xl.outputs.templates import write_template
from iupjong_xl.validate import pipeline
from iupjong_xl.validate.pipeline import check, validate
from tests import hostile
from tests._reader_builders import xls_bytes

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "sample_workbooks"
LIMITS = Limits(memory_mb=256, seconds=20)  # the hostile tests' cap: the zip bomb inflates to more

CRASHED_KO = ("이 파일을 읽다가 프로그램이 멈췄습니다 — 파일이 손상되었을 수 있습니다. "
              "엑셀에서 열어 다른 이름으로 저장한 뒤 다시 내 주세요.")


# ------------------------------------------------------------------------------------------- the worker pool


_HELD: list[bytearray] = []


def _job(x: Any) -> Any:
    """The sandbox test job: ("abort", text) writes text to fd 2 and aborts; ("sleep", s); ("alloc", mib);
    ("raise", text); ("noise", text) writes to fd 1 and 2 and returns; a number is squared."""
    if isinstance(x, tuple):
        kind, arg = x
        if kind == "abort":
            os.write(2, arg.encode())
            os.abort()
        if kind == "sleep":
            time.sleep(arg)
            return "slept"
        if kind == "alloc":
            return len(bytearray(arg << 20))
        if kind == "raise":
            raise ValueError(arg)
        if kind == "cwd":
            return os.getcwd()
        if kind == "pid":
            return os.getpid()
        if kind == "hold":
            _HELD.append(bytearray(arg << 20))
            return arg
        if kind == "noise":
            os.write(1, arg.encode())
            os.write(2, arg.encode())
            print(arg)
            print(arg, file=sys.stderr)
            return "noisy"
    return x * x


def test_results_come_back_in_job_order_for_any_worker_count() -> None:
    jobs = list(range(25))
    one = run_isolated(_job, jobs, workers=1)
    three = run_isolated(_job, jobs, workers=3)
    assert [o.value for o in one] == [o.value for o in three] == [x * x for x in jobs]
    assert all(o.ok for o in one + three)
    assert run_isolated(_job, [], workers=2) == []


def test_kept_workers_follow_the_working_directory(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    assert run_isolated(_job, [("cwd", None)])[0].value == os.getcwd()
    monkeypatch.chdir(tmp_path)
    assert run_isolated(_job, [("cwd", None)])[0].value == str(tmp_path)


def test_a_worker_is_kept_between_jobs_and_retired_when_it_grew() -> None:
    limits = Limits(memory_mb=256)
    out = run_isolated(_job, [("pid", None), ("pid", None), ("hold", 100), ("pid", None)], workers=1, limits=limits)
    pids = [o.value for o in out]
    assert pids[0] == pids[1] != pids[3]  # 100 MiB kept is more than a quarter of the cap: a fresh worker follows
    assert pids[2] == 100
    again = run_isolated(_job, [("pid", None)], workers=1, limits=limits)
    assert again[0].value == pids[3]  # kept for the next call with the same function and limits


def test_an_aborting_worker_costs_only_its_job() -> None:
    panic = "thread '<unnamed>' panicked at src/cfb.rs:12:5:\nindex out of bounds\nnote: run with RUST_BACKTRACE=1\n"
    out = run_isolated(_job, [2, ("abort", panic), 3, ("abort", "second\n"), 4], workers=1)
    assert [o.ok for o in out] == [True, False, True, False, True]
    assert [o.value for o in out if o.ok] == [4, 9, 16]
    bad = out[1]
    assert bad.code == CRASHED
    assert bad.detail == ("the reader stopped (SIGABRT): thread '<unnamed>' panicked at src/cfb.rs:12:5: | "
                          "index out of bounds")
    assert bad.native == panic
    assert out[3].detail == "the reader stopped (SIGABRT): second"


def test_an_allocation_abort_is_too_complex_even_under_a_long_backtrace() -> None:
    """Rust aborts on a failed allocation and, with RUST_BACKTRACE set, prints a backtrace after the message: the
    message (or the handle_alloc_error frame) is still read as running out of memory, not as a crash."""
    frames = "".join(f"  {i}: calamine::cfb::Cfb::new::h{i:016x}\n             at src/cfb.rs:{i}:5\n" for i in range(4000))
    told = "memory allocation of 4294967296 bytes failed\nstack backtrace:\n" + frames
    named = "stack backtrace:\n  3: alloc::alloc::handle_alloc_error\n" + frames
    medium = "memory allocation of 4294967296 bytes failed\nstack backtrace:\n" + frames[:30_000]
    out = run_isolated(_job, [("abort", told), ("abort", named), ("abort", medium)], workers=1)
    assert len(told) > 16_000 * 4 and 16_000 < len(medium) < 16_000 * 4  # longer than what is kept of the output
    assert [o.code for o in out] == [TOO_COMPLEX, TOO_COMPLEX, TOO_COMPLEX]


def test_a_job_over_the_time_limit_is_killed_and_the_batch_goes_on() -> None:
    start = time.monotonic()
    out = run_isolated(_job, [("sleep", 30), 5, ("sleep", 0.01)], workers=1, limits=Limits(seconds=0.5))
    assert time.monotonic() - start < 10
    assert (out[0].ok, out[0].code, out[0].detail) == (False, TOO_COMPLEX, "takes longer than 0.5 s")
    assert (out[1].value, out[2].value) == (25, "slept")


def test_the_memory_cap_holds_per_worker() -> None:
    out = run_isolated(_job, [("alloc", 2048), ("alloc", 64), 6], workers=1, limits=Limits(memory_mb=256))
    assert (out[0].ok, out[0].code, out[0].detail) == (False, TOO_COMPLEX, "needs more than 256 MiB of memory")
    assert (out[1].value, out[2].value) == (64 << 20, 36)  # under the cap, and the next worker is fresh


def test_an_exception_is_an_internal_failure_not_a_crash() -> None:
    out = run_isolated(_job, [("raise", "boom"), 7], workers=2)
    assert (out[0].code, out[0].detail) == (INTERNAL, "ValueError: boom")
    assert "in _job" in out[0].native
    assert out[1].value == 49


def test_worker_output_never_reaches_the_terminal(capfd: pytest.CaptureFixture[str]) -> None:
    out = run_isolated(_job, [("noise", "패닉 panic text\n"), ("abort", "aborted\n")], workers=1)
    assert out[0] == Outcome(True, value="noisy")
    assert out[1].code == CRASHED
    assert capfd.readouterr() == ("", "")


# ------------------------------------------------------------------------------------------- hostile batch


def _sha(folder: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.iterdir())}


@pytest.fixture(scope="module")
def hostile_dir(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, str], list[str]]:
    """A folder with every hostile kind (bad/) and two good reports (good/)."""
    base = tmp_path_factory.mktemp("hostile")
    good = base / "good"
    good.mkdir()
    write_template(good / "club.xlsx", "club", 2009, club_data())
    write_template(good / "federation.xlsx", "federation", 2009, federation_data())
    expected = hostile.write_corpus(base / "bad", good / "club.xlsx")
    return base, expected, [str(good / "club.xlsx"), str(good / "federation.xlsx")]


def _by_name(report: Any) -> dict[str, list[Any]]:
    return {os.path.basename(f): items for f, items in report.by_file().items()}


def test_every_hostile_file_gets_one_file_level_finding(hostile_dir: tuple[Path, dict[str, str], list[str]]) -> None:
    base, expected, _good = hostile_dir
    before = _sha(base / "bad")
    one = check([str(base)], limits=LIMITS, workers=2, keep=False)
    by = _by_name(one.report)
    assert len(expected) == 53  # the kinds of the issue, and a truncation at every part of a template-made report
    got = {name: [f.code for f in by[name]] for name in expected}
    assert got == {name: [code] for name, code in expected.items()}
    for name in expected:
        (f,) = by[name]
        assert (f.sheet, f.cell, f.row, f.severity) == (None, None, None, "error"), name
    assert by["club.xlsx"] == [] and by["federation.xlsx"] == []
    assert one.report.stats["files"] == len(expected) + 2
    assert one.report.stats["files_valid"] == 2
    assert _sha(base / "bad") == before  # sources byte-identical afterwards


def test_a_file_over_the_time_limit_gets_file_too_complex(hostile_dir: tuple[Path, dict[str, str], list[str]]) -> None:
    """10^6 rows take far more than 0.1 s to parse: the worker is killed, the next file is read by a fresh one."""
    base, _expected, good = hostile_dir
    slow = str(base / "bad" / "shared_strings_1e6.xlsx")
    start = time.monotonic()
    report = validate([slow, good[0]], limits=Limits(memory_mb=4096, seconds=0.1))
    assert time.monotonic() - start < 20
    assert [(f.file, f.code, f.message("en")) for f in report.findings] == [(slow, "FILE_TOO_COMPLEX", (
        "This file cannot be read within the limits allowed per file (takes longer than 0.1 s). It is damaged or too "
        "large. Open it in Excel, remove empty rows and extra sheets, save it as .xlsx and resend."))]


def test_hostile_details_name_the_cause(hostile_dir: tuple[Path, dict[str, str], list[str]]) -> None:
    base, _expected, _good = hostile_dir
    bad = base / "bad"
    names = ["cfb_directory_loop.xls", "xor_obfuscated.xls", "excel4.xls", "excel95.xls", "panic.xlsb",
             "zip_many_entries.xlsx", "xml_laughs_workbook.xlsx", "xml_xxe_sheet.xlsx", "deep_nesting.xlsx"]
    report = validate([str(bad / n) for n in names], limits=LIMITS)
    msg = {os.path.basename(f.file): f.message("en") for f in report.findings}
    assert "(needs more than 256 MiB of memory)" in msg["cfb_directory_loop.xls"]
    assert msg["xor_obfuscated.xls"].startswith("The file is password-protected.")
    assert msg["excel4.xls"] == ("A very old Excel format (Excel 4.0 (BIFF4) file). Open it in Excel and save it as "
                                 "'Excel Workbook (*.xlsx)', then resend.")
    assert "(Excel 5.0/95 workbook (BIFF5))" in msg["excel95.xls"]
    assert "range end index 132 out of range for slice of length 26" in msg["panic.xlsb"]
    assert "ZIP container with 20,020 parts" in msg["zip_many_entries.xlsx"]  # a report's parts + 20,000
    assert "xl/workbook.xml declares a DTD or XML entities" in msg["xml_laughs_workbook.xlsx"]
    assert "declares a DTD or XML entities" in msg["xml_xxe_sheet.xlsx"]
    assert "xl/workbook.xml is nested more than 100 levels deep" in msg["deep_nesting.xlsx"]
    ko = {os.path.basename(f.file): f.message("ko") for f in report.findings}
    assert ko["excel4.xls"] == ("아주 오래된 엑셀 형식입니다 (Excel 4.0 (BIFF4) file). 엑셀에서 열어 [다른 이름으로 저장]에서 "
                                "'Excel 통합 문서(*.xlsx)'로 저장한 뒤 보내 주세요.")
    assert ko["cfb_directory_loop.xls"] == (
        "이 파일은 한 파일에 허용된 한도 안에서 읽을 수 없습니다 (needs more than 256 MiB of memory). 파일이 손상되었거나 "
        "너무 큽니다. 엑셀에서 열어 빈 행·불필요한 시트를 지우고 .xlsx로 다시 저장해 보내 주세요.")


def _limited_rulebook(tmp: Path) -> Path:
    """A copy of the packaged rule books whose per-file limits are the hostile tests' ones."""
    from iupjong_xl import rulebook

    root = tmp / "rules"
    shutil.copytree(rulebook.packaged_root(), root, ignore=shutil.ignore_patterns("__pycache__", "*.py"))
    for year in rulebook.available_years(root):
        p = root / str(year) / "rulebook.yaml"
        text = p.read_text(encoding="utf-8")
        assert "  file_memory_mb: 1024 " in text and "  file_seconds: 60 " in text
        text = text.replace("  file_memory_mb: 1024 ", f"  file_memory_mb: {LIMITS.memory_mb} ", 1)
        p.write_text(text.replace("  file_seconds: 60 ", f"  file_seconds: {int(LIMITS.seconds)} ", 1), encoding="utf-8")
    return root


def _iupjong(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "iupjong_xl", *args], capture_output=True, text=True, cwd=ROOT,
                          env={**os.environ, **(env or {})}, timeout=300)


def test_cli_over_hostile_and_sample_corpus_exits_1_with_json_and_nothing_on_stderr(
        hostile_dir: tuple[Path, dict[str, str], list[str]], tmp_path: Path) -> None:
    base, expected, _good = hostile_dir
    rules = _limited_rulebook(tmp_path)
    sample = str(CORPUS / "2009")
    mixed = _iupjong("--rulebook", str(rules), "validate", str(base), sample, "--format", "json")
    assert mixed.returncode == 1, mixed.stderr
    assert mixed.stderr == ""  # no panic text, no traceback, although not --quiet
    data = json.loads(mixed.stdout)
    in_sample = [(f["severity"], f["code"]) for f in data["findings"] if f["file"].startswith(sample)]
    assert sorted(in_sample) == [  # the sample corpus's planned warnings, nothing else: the good files stay valid
        ("warning", "CONSORTIUM_COMPANY_SHARE_MIN"), ("warning", "CONSORTIUM_GOV_SHARE_MAX"),
        ("warning", "CONSORTIUM_PARTNER_NOT_MEMBER"), ("warning", "CONSORTIUM_SINGLE_INDUSTRY"),
        ("warning", "CONSORTIUM_TOTAL_CAP")]
    bad = {os.path.basename(f["file"]): f["code"] for f in data["findings"] if f["file"].startswith(str(base))}
    assert bad == expected
    n_sample = sum(1 for p in (CORPUS / "2009").rglob("*") if p.suffix == ".xlsx")
    assert data["stats"]["files"] == n_sample + len(expected) + 2
    assert data["stats"]["files_valid"] == n_sample + 2


def test_small_batches_are_isolated_too(tmp_path: Path) -> None:
    """The issue's story: a 1 KB .xls whose directory chain loops, next to one good report (2 files)."""
    loop = tmp_path / "loop.xls"
    loop.write_bytes(hostile.cfb_directory_loop())
    assert loop.stat().st_size <= 8192
    good = tmp_path / "club.xlsx"
    write_template(good, "club", 2009, club_data())
    report = validate([str(loop), str(good)])
    assert [(f.file, f.code) for f in report.findings] == [(str(loop), "FILE_TOO_COMPLEX")]
    assert report.findings[0].message("en").startswith(
        "This file cannot be read within the limits allowed per file (needs more than 1024 MiB of memory).")
    assert report.stats["files_valid"] == 1


# ------------------------------------------------------------------------------- crashes and internal failures

_original_read_file = pipeline._read_file


def _read_or_die(job: Any) -> Any:
    """pipeline._read_file, except that a file named crash*.xlsx kills the worker as a native abort does and a
    file named bug*.xlsx raises (a bug of the program)."""
    name = os.path.basename(job[1].display)
    if name.startswith("crash"):
        os.write(2, b"thread '<unnamed>' panicked at src/xlsx/mod.rs:1:1:\nattempt to add with overflow\n")
        os.abort()
    if name.startswith("bug"):
        raise KeyError("sheet key")
    return _original_read_file(job)


@pytest.fixture
def two_reports(tmp_path: Path) -> tuple[Path, Path, Path]:
    good = tmp_path / "club.xlsx"
    write_template(good, "club", 2009, club_data())
    crash, bug = tmp_path / "crash.xlsx", tmp_path / "bug.xlsx"
    shutil.copy(good, crash)
    shutil.copy(good, bug)
    return good, crash, bug


def test_a_worker_that_dies_gives_file_read_crashed(monkeypatch: pytest.MonkeyPatch,
                                                     two_reports: tuple[Path, Path, Path],
                                                     capfd: pytest.CaptureFixture[str]) -> None:
    good, crash, _bug = two_reports
    monkeypatch.setattr(pipeline, "_read_file", _read_or_die)
    report = validate([str(crash), str(good)])
    (f,) = report.findings
    assert (f.file, f.code, f.severity, f.sheet, f.cell) == (str(crash), "FILE_READ_CRASHED", "error", None, None)
    detail = "the reader stopped (SIGABRT): thread '<unnamed>' panicked at src/xlsx/mod.rs:1:1: | attempt to add with overflow"
    assert f.message("ko") == f"{CRASHED_KO} ({detail})"
    assert f.message("en").startswith("Reading this file made the program stop — the file may be damaged.")
    assert report.stats["files_valid"] == 1
    assert "panicked" not in capfd.readouterr().err


def test_exit_codes_of_validate(monkeypatch: pytest.MonkeyPatch, two_reports: tuple[Path, Path, Path]) -> None:
    good, crash, bug = two_reports
    runner = CliRunner()
    assert runner.invoke(cli, ["validate", str(good), "-q"]).exit_code == 0
    missing = runner.invoke(cli, ["validate", str(good), str(good.parent / "nowhere.xlsx"), "-q"])
    assert missing.exit_code == 2 and "nowhere.xlsx: 이런 파일이나 폴더가 없습니다" in missing.output  # a usage error
    assert runner.invoke(cli, ["validate", "--format", "xlsx", str(good)]).exit_code == 2
    monkeypatch.setattr(pipeline, "_read_file", _read_or_die)
    res = runner.invoke(cli, ["validate", str(crash), str(good), "--format", "json", "-q"])
    assert res.exit_code == 1  # a crashing file is the file's problem
    assert [f["code"] for f in json.loads(res.stdout)["findings"]] == ["FILE_READ_CRASHED"]
    res = runner.invoke(cli, ["validate", str(bug), str(good), "--format", "json", "-q"])
    assert res.exit_code == 3  # a bug of the program: the JSON of what was done is still printed
    data = json.loads(res.stdout)
    assert [(os.path.basename(f["file"]), f["code"]) for f in data["findings"]] == [("bug.xlsx", INTERNAL)]
    assert data["stats"]["files"] == 2 and data["stats"]["files_valid"] == 1
    assert data["findings"][0]["message"] == (
        "이 파일을 검사하다가 프로그램 내부 오류가 났습니다 (KeyError: 'sheet key'). 파일 문제가 아닐 수 있으니 "
        "이 메시지를 담당자에게 알려 주세요.")


def test_an_unexpected_exception_exits_3_not_1(monkeypatch: pytest.MonkeyPatch,
                                               two_reports: tuple[Path, Path, Path]) -> None:
    good, _crash, _bug = two_reports

    def broken(*args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("groups exploded")

    monkeypatch.setattr(pipeline, "_check_groups", broken)
    res = CliRunner().invoke(cli, ["validate", str(good), "--format", "json", "-q"])
    assert res.exit_code == 3
    assert res.stdout == ""
    assert res.stderr.startswith("iupjong: 프로그램 내부 오류입니다 / internal error: RuntimeError: groups exploded (")
    res = CliRunner().invoke(cli, ["consolidate", str(good), "-o", str(good.parent / "n.xlsx"), "-q"])
    assert res.exit_code == 3
    assert not (good.parent / "n.xlsx").exists()


# ------------------------------------------------------------------------------------- right codes, near misses


def test_xor_obfuscated_xls_is_encrypted_and_msoffcrypto_agrees(tmp_path: Path) -> None:
    xor = tmp_path / "xor.xls"
    xor.write_bytes(hostile.xor_obfuscated_xls())
    plain = tmp_path / "plain.xls"
    plain.write_bytes(xls_bytes([("S", 0, {(0, 0): "a"})]))
    with open(xor, "rb") as fh:
        assert msoffcrypto.OfficeFile(fh).is_encrypted() is True
    with open(plain, "rb") as fh:
        assert msoffcrypto.OfficeFile(fh).is_encrypted() is False
    with pytest.raises(FileProblem) as exc:
        open_workbook(xor)
    assert (exc.value.code, exc.value.detail) == ("FILE_ENCRYPTED", "workbook is password-protected (XOR obfuscation)")
    with open_workbook(plain) as wb:  # near miss: no FILEPASS record
        assert wb.grid("S").rows == [["a"]]


def test_old_formats_and_their_near_misses(tmp_path: Path) -> None:
    p = tmp_path / "old.xls"
    for data, detail in ((hostile.biff4_xls(), "Excel 4.0 (BIFF4) file"),
                         (hostile.biff5_xls(), "Excel 5.0/95 workbook (BIFF5)")):
        p.write_bytes(data)
        with pytest.raises(FileProblem) as exc:
            open_workbook(p)
        assert (exc.value.code, exc.value.detail) == ("FILE_OLD_FORMAT", detail)
    # near misses: a BIFF4-like start with an unknown sheet type; BIFF8 (version 0x0600) in a Workbook stream
    p.write_bytes(hostile.biff4_xls()[:6] + b"\x77\x00" + hostile.biff4_xls()[8:])
    with pytest.raises(FileProblem) as exc:
        open_workbook(p)
    assert exc.value.code == "FILE_CORRUPT"
    p.write_bytes(xls_bytes([("S", 0, {(0, 0): 1.0})]))
    with open_workbook(p) as wb:
        assert wb.format == "xls"


def test_macro_and_dialog_sheets_are_skipped_with_a_warning(tmp_path: Path) -> None:
    report = tmp_path / "club.xlsx"
    write_template(report, "club", 2009, club_data())
    for kind in ("macro", "dialog", "plain"):
        hostile.with_extra_sheet(report, tmp_path / f"{kind}.xlsm", kind)
    before = _sha(tmp_path)
    result = validate([str(tmp_path / f"{k}.xlsm") for k in ("macro", "dialog", "plain")])
    by = _by_name(result)
    assert [(f.code, f.severity, f.sheet, f.message("ko")) for f in by["macro.xlsm"]] == [
        ("FILE_SHEET_SKIPPED", "warning", "매크로1",
         "'매크로1' 시트는 엑셀 4.0 매크로 시트라서 읽지 않고 건너뜁니다. 보고서 내용이 있다면 일반 워크시트로 옮겨 주세요.")]
    assert [f.message("en") for f in by["dialog.xlsm"]] == [
        "Sheet '매크로1' is an Excel 5.0 dialog sheet and is skipped. Move any report data to an ordinary worksheet."]
    assert by["plain.xlsm"] == []  # near miss: an extra ordinary worksheet is not a skipped sheet
    assert result.valid
    assert _sha(tmp_path) == before
    with open_workbook(tmp_path / "macro.xlsm") as wb:
        assert "매크로1" not in wb.sheet_names and wb.skipped_sheets == [("매크로1", "macro")]


def test_zip_entry_limit_boundary(tmp_path: Path) -> None:
    report = tmp_path / "club.xlsx"
    write_template(report, "club", 2009, club_data())
    with zipfile.ZipFile(report) as zf:
        n = len(zf.infolist())
    at = tmp_path / "at_limit.xlsx"
    hostile.zip_many_entries(report, at, n=MAX_ZIP_ENTRIES - n)
    over = tmp_path / "over_limit.xlsx"
    hostile.zip_many_entries(report, over, n=MAX_ZIP_ENTRIES - n + 1)
    result = validate([str(at), str(over)])
    assert [(os.path.basename(f.file), f.code) for f in result.findings] == [("over_limit.xlsx", "FILE_TOO_COMPLEX")]


def test_dtd_text_inside_a_cell_is_not_a_dtd(tmp_path: Path) -> None:
    data = club_data()
    data["member"][0]["products"] = '<!DOCTYPE html><!ENTITY x "y"> 금형'
    p = tmp_path / "club.xlsx"
    write_template(p, "club", 2009, data)
    assert validate([str(p)]).findings == []


def test_limits_come_from_the_rule_book(tmp_path: Path) -> None:
    from iupjong_xl import rulebook

    book = rulebook.load(2009)
    assert pipeline._limits(book, None) == Limits(memory_mb=1024, seconds=60.0)
    assert pipeline._limits(book, LIMITS) == LIMITS
    root = _limited_rulebook(tmp_path)
    assert pipeline._limits(rulebook.load(2009, root), None) == LIMITS


def test_consolidate_goes_on_past_a_file_that_kills_the_reader(tmp_path: Path) -> None:
    """The issue's story for `iupjong consolidate`: the workbook is written, the bad file rejected with a reason."""
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    (inbox / "loop.xls").write_bytes(hostile.cfb_directory_loop())
    write_template(inbox / "club.xlsx", "club", 2009, club_data())
    out = tmp_path / "national.xlsx"
    res = _iupjong("consolidate", str(inbox), "-o", str(out), "--format", "json", "-q")
    assert res.returncode == 1, res.stderr
    assert res.stderr == ""
    data = json.loads(res.stdout)
    assert data["summary"]["rejected"] == 1 and data["summary"]["created"] == 1
    assert out.is_file()
    assert [(os.path.basename(f["file"]), f["code"]) for f in data["findings"]] == [("loop.xls", "FILE_TOO_COMPLEX")]
    assert [(os.path.basename(s["file"]), s["status"]) for s in data["sources"]] == [
        ("club.xlsx", "created"), ("loop.xls", "rejected")]


def test_in_process_reading_gives_the_same_report(monkeypatch: pytest.MonkeyPatch) -> None:
    """IUPJONG_IN_PROCESS=1 (profiling) reads in the calling process; the findings are the same."""
    paths = [str(CORPUS / "problems")]
    isolated = validate(paths)
    monkeypatch.setenv(pipeline.IN_PROCESS_ENV, "1")
    assert validate(paths).to_dict() == isolated.to_dict()


def test_spawned_workers_as_on_windows_and_macos(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Where fork is not used, workers are spawned: they import the reader and get the rule-book folder from the
    initializer."""
    import multiprocessing

    from iupjong_xl.io import sandbox

    good = tmp_path / "club.xlsx"
    write_template(good, "club", 2009, club_data())
    loop = tmp_path / "loop.xls"
    loop.write_bytes(hostile.cfb_directory_loop())
    forked = validate([str(good), str(loop)], limits=LIMITS)
    sandbox.shutdown()
    monkeypatch.setattr(sandbox, "_context", lambda: multiprocessing.get_context("spawn"))
    try:
        spawned = validate([str(good), str(loop)], limits=LIMITS)
    finally:
        sandbox.shutdown()
    assert spawned.to_dict() == forked.to_dict()
    assert [f.code for f in spawned.findings] == ["FILE_TOO_COMPLEX"]
