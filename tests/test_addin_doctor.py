"""`iupjong addin doctor` and the checks and repairs at the end of `iupjong addin install`, on real files: xlwings'
own xlwings.xlam and AppleScript from the installed package, iupjong.xlam from addin/, an xlwings.conf, in an
XLSTART / home folder under tmp_path (Windows and macOS layouts)."""

from __future__ import annotations

import shutil
import subprocess
import sys
import zipfile
from importlib import metadata
from pathlib import Path

import pytest
from click.testing import CliRunner
from pyopenvba import ExcelFile

from iupjong_xl import __version__
from iupjong_xl.cli import cli
from iupjong_xl.errors import UsageError
from iupjong_xl.excel import doctor, install
from iupjong_xl.excel.doctor import Places

ADDIN = Path(__file__).resolve().parent.parent / "addin"
XW = metadata.version("xlwings")
XW_DIR = doctor.xlwings_dir()


def windows(tmp_path: Path) -> Places:
    return Places("win32", home=tmp_path / "home", appdata=tmp_path / "AppData" / "Roaming")


def states(d: doctor.Diagnosis) -> list[tuple[str, bool]]:
    return [(i.key, i.ok) for i in d.items]


def no_run(cmd: list[str], **_: object) -> subprocess.CompletedProcess:
    raise AssertionError(f"unexpected command {cmd}")


def test_places_are_excels_and_xlwings_folders(tmp_path: Path) -> None:
    win, mac = windows(tmp_path), Places("darwin", home=tmp_path)
    assert win.xlstart == tmp_path / "AppData" / "Roaming" / "Microsoft" / "Excel" / "XLSTART"
    assert mac.xlstart == tmp_path / "Library/Group Containers/UBF8T346G9.Office/User Content.localized/Startup.localized/Excel"
    assert mac.scripts == tmp_path / "Library/Application Scripts/com.microsoft.Excel"
    assert win.conf == tmp_path / "home" / ".xlwings" / "xlwings.conf"
    assert (win.interpreter_key, mac.interpreter_key) == ("INTERPRETER_WIN", "INTERPRETER_MAC")


def test_nothing_installed_then_repaired_then_all_well(tmp_path: Path) -> None:
    p = windows(tmp_path)
    first = doctor.diagnose(p, run=no_run)
    assert states(first) == [("python", True), ("packages", True), ("xlwings_addin", False), ("iupjong_addin", False),
                             ("interpreter", False)]
    text = first.text()
    assert text.splitlines()[0] == "iupjong addin doctor — 엑셀 추가 기능 점검"
    assert f"  [문제] xlwings 추가 기능: {p.xlstart / 'xlwings.xlam'}" in text
    assert "         해결: Excel을 닫고 iupjong addin install을 실행한 뒤 Excel을 다시 시작하세요." in text
    assert text.endswith("문제 3건: 위의 '해결'을 하나씩 한 뒤 iupjong addin doctor를 다시 실행하세요.\n")
    assert first.items[4].problem == (
        f"xlwings 설정 파일 {p.conf}이(가) 없어 RunPython이 PATH의 다른 파이썬을 부를 수 있습니다.",
        f"there is no xlwings config file {p.conf}, so RunPython may start another Python from PATH.")
    english = first.text("en")
    assert "  [PROBLEM] iupjong.xlam: " in english and "         fix: quit Excel, run iupjong addin install" in english
    assert english.endswith("3 problem(s): do each fix above, then run iupjong addin doctor again.\n")
    done = doctor.repair(first, p)
    assert done == [f"copy {XW_DIR / 'addin' / 'xlwings.xlam'} -> {p.xlstart / 'xlwings.xlam'}",
                    f"copy {ADDIN / 'iupjong.xlam'} -> {p.xlstart / 'iupjong.xlam'}",
                    f'set "INTERPRETER_WIN","{sys.executable}" in {p.conf}']
    assert p.conf.read_text(encoding="utf-8") == f'"INTERPRETER_WIN","{sys.executable}"\n'
    again = doctor.diagnose(p, run=no_run)
    assert again.ok and again.text().endswith("모두 정상입니다.\n")
    assert [i.found for i in again.items][2:] == [f"{XW} ({p.xlstart / 'xlwings.xlam'})",
                                                  f"{p.xlstart / 'iupjong.xlam'} (= {ADDIN / 'iupjong.xlam'}, "
                                                  f"{doctor._short(ADDIN / 'iupjong.xlam')})",
                                                  f"{sys.executable} (iupjong-xl {__version__})"]


def test_an_xlwings_add_in_of_another_version_is_found_by_its_vba_constant(tmp_path: Path) -> None:
    p = windows(tmp_path)
    p.xlstart.mkdir(parents=True)
    old = p.xlstart / "xlwings.xlam"
    shutil.copy(XW_DIR / "addin" / "xlwings.xlam", old)
    with ExcelFile(old) as wb:
        main = wb.get_module("Main")
        assert f'XLWINGS_VERSION As String = "{XW}"' in main
        wb.set_module("Main", main.replace(f'XLWINGS_VERSION As String = "{XW}"', 'XLWINGS_VERSION As String = "0.30.0"'))
        wb.save(allow_protected=True)  # xlwings ships it locked; this copy is only read back
    assert doctor.addin_xlwings_version(old) == "0.30.0"
    item = doctor.diagnose(p, run=no_run).items[2]
    assert (item.key, item.ok, item.found, item.repair) == ("xlwings_addin", False, f"0.30.0 ({old})", "xlwings_addin")
    assert item.problem[0] == (f"xlwings 추가 기능은 0.30.0인데 파이썬의 xlwings는 {XW}입니다: 버전이 다르면 RunPython이 "
                               "실패합니다.")


def test_an_old_iupjong_build_is_named_and_the_same_content_passes(tmp_path: Path) -> None:
    p = windows(tmp_path)
    p.xlstart.mkdir(parents=True)
    folder = tmp_path / "old_sources"
    shutil.copytree(ADDIN, folder, ignore=shutil.ignore_patterns("*.py", "__pycache__"))
    bas = folder / "IupjongRibbon.bas"
    bas.write_text(bas.read_text(encoding="ascii").replace("Option Explicit", "Option Explicit\n' old", 1),
                   encoding="ascii")
    install.build(p.xlstart / "iupjong.xlam", folder)
    item = doctor.diagnose(p, run=no_run).items[3]
    assert (item.key, item.ok, item.repair) == ("iupjong_addin", False, "iupjong_addin")
    assert item.problem[0] == (f"설치된 iupjong.xlam이 지금 빌드({ADDIN / 'iupjong.xlam'})와 다릅니다: VBA module "
                               "IupjongRibbon: source differs.")
    with zipfile.ZipFile(ADDIN / "iupjong.xlam") as src, \
            zipfile.ZipFile(p.xlstart / "iupjong.xlam", "w", zipfile.ZIP_DEFLATED) as out:
        for name in src.namelist():
            out.writestr(name, src.read(name))
    item = doctor.diagnose(p, run=no_run).items[3]
    assert item.ok and item.found == f"{p.xlstart / 'iupjong.xlam'} (same content as {ADDIN / 'iupjong.xlam'})"


def test_macos_applescript_must_match_the_installed_xlwings(tmp_path: Path) -> None:
    p = Places("darwin", home=tmp_path)
    p.scripts.mkdir(parents=True)
    (p.scripts / "xlwings-0.30.0.applescript").write_text("old", encoding="utf-8")
    first = doctor.diagnose(p, run=no_run)
    assert [k for k, ok in states(first)] == ["python", "packages", "xlwings_addin", "applescript", "iupjong_addin",
                                              "interpreter"]
    script = first.items[3]
    assert not script.ok and script.problem[0] == (
        f"RunPython이 부르는 xlwings-{XW}.applescript이(가) 없습니다 (있는 것: xlwings-0.30.0.applescript): xlwings를 "
        "올린 뒤 다시 설치하지 않으면 모든 단추가 실패합니다.")
    doctor.repair(first, p)
    assert (p.scripts / f"xlwings-{XW}.applescript").read_bytes() == (XW_DIR / f"xlwings-{XW}.applescript").read_bytes()
    assert p.conf.read_text(encoding="utf-8") == f'"INTERPRETER_MAC","{sys.executable}"\n'
    assert doctor.diagnose(p, run=no_run).ok
    (p.scripts / f"xlwings-{XW}.applescript").write_text("edited", encoding="utf-8")
    assert doctor.diagnose(p, run=no_run).items[3].problem[1] == (
        f"xlwings-{XW}.applescript differs from the one of the installed xlwings.")


def test_the_interpreter_in_xlwings_conf(tmp_path: Path) -> None:
    p = windows(tmp_path)
    p.conf.parent.mkdir(parents=True)
    p.conf.write_text('"LICENSE_KEY","x"\n"INTERPRETER_WIN","C:\\\\nowhere\\\\python.exe"\n', encoding="utf-8")
    item = doctor.diagnose(p, run=no_run).items[4]
    assert (item.ok, item.found) == (False, "C:\\\\nowhere\\\\python.exe")
    p.conf.write_text('"LICENSE_KEY","x"\n', encoding="utf-8")
    assert doctor.diagnose(p, run=no_run).items[4].problem[0] == (
        f"{p.conf}에 INTERPRETER_WIN 항목이 없어 RunPython이 PATH의 다른 파이썬을 부를 수 있습니다.")
    other = shutil.which("python3", path="/usr/bin")
    if other is None or doctor._same_python(other, sys.executable):
        pytest.skip("needs a second Python (/usr/bin/python3) without iupjong-xl")
    p.conf.write_text(f'"INTERPRETER_WIN","{other}"\n', encoding="utf-8")
    item = doctor.diagnose(p, run=subprocess.run).items[4]  # really runs that Python
    assert (item.ok, item.repair) == (False, "interpreter")
    assert item.problem[0].startswith(f"INTERPRETER_WIN의 파이썬 {other}에는 iupjong-xl이 없습니다")

    def older(cmd: list[str], **_: object) -> subprocess.CompletedProcess:
        return subprocess.CompletedProcess(cmd, 0, "0.0.1\n", "")

    item = doctor.diagnose(p, run=older).items[4]
    assert (item.ok, item.found) == (False, f"{other} (iupjong-xl 0.0.1)")
    doctor.write_conf_value(p.conf, "INTERPRETER_WIN", sys.executable)
    assert p.conf.read_text(encoding="utf-8") == f'"INTERPRETER_WIN","{sys.executable}"\n'
    conda = windows(tmp_path / "conda")
    conda.conf.parent.mkdir(parents=True)
    conda.conf.write_text('"CONDA PATH","C:\\\\conda"\n"CONDA ENV","iupjong"\n', encoding="utf-8")
    assert doctor.diagnose(conda, run=no_run).items[4].found == "conda iupjong (C:\\\\conda)"


def test_install_runs_xlwings_then_repairs_and_checks(tmp_path: Path) -> None:
    calls: list[list[str]] = []

    def run(cmd: list[str], check: bool = False, **_: object) -> subprocess.CompletedProcess:
        calls.append(cmd)
        return subprocess.CompletedProcess(cmd, 0)

    p = windows(tmp_path)
    done = install.install(run=run, places=p)
    assert calls == done.commands and done.commands[0][-2:] == ["addin", "install"]
    assert done.commands[1][-3:] == ["install", "--file", str(ADDIN / "iupjong.xlam")]
    assert len(done.repaired) == 3 and done.diagnosis.ok
    assert install.install(run=run, places=p).repaired == []
    with pytest.raises(UsageError, match="Windows나 macOS"):
        install.install(run=run, places=Places("linux", home=tmp_path))
    with pytest.raises(UsageError, match="실패"):
        install.install(run=lambda cmd, check: subprocess.CompletedProcess(cmd, 1), places=p)


def test_the_doctor_command_here_exits_1_with_the_reason(tmp_path: Path) -> None:
    if sys.platform.startswith("win") or sys.platform == "darwin":
        pytest.skip("this checks the message on a machine without Excel")
    ko = CliRunner().invoke(cli, ["addin", "doctor"])
    assert ko.exit_code == 1
    assert f"  [문제] Excel: {sys.platform}\n" in ko.output and "         해결: Excel이 있는 Windows·macOS" in ko.output
    assert f"  [정상] 패키지: iupjong-xl {__version__}, xlwings {XW}, pyOpenVBA {metadata.version('pyopenvba')}\n" in ko.output
    en = CliRunner().invoke(cli, ["addin", "doctor", "--lang", "en"])
    assert en.exit_code == 1 and f"  [PROBLEM] Excel: {sys.platform}\n" in en.output and "fix: run iupjong addin" in en.output
    refused = CliRunner().invoke(cli, ["addin", "install"])
    assert refused.exit_code == 2 and "Windows나 macOS" in refused.output
