"""The add-in's self-check (`iupjong addin doctor`, and the end of `iupjong addin install`): what a support call
needs, each problem with its fix, and the repairs that need no Excel.

Checked without starting Excel, from the files Excel and xlwings use:
- Python and the versions of iupjong-xl, xlwings and pyOpenVBA;
- xlwings' add-in (xlwings.xlam) in the user's XLSTART folder, and that its VBA constant XLWINGS_VERSION (read with
  pyOpenVBA) is the Python package's version: RunPython of another version fails;
- on macOS the AppleScript RunPython calls, ``xlwings-<version>.applescript`` in
  ``~/Library/Application Scripts/com.microsoft.Excel``: it must match the installed xlwings exactly, and upgrading
  xlwings without reinstalling it breaks every button;
- iupjong.xlam in XLSTART, and that it is the current build (same bytes, else the same parts and module sources);
- the interpreter in ``~/.xlwings/xlwings.conf`` (INTERPRETER_WIN / INTERPRETER_MAC): it exists and has this
  iupjong-xl.
"""

from __future__ import annotations

import os
import platform as _platform
import re
import shutil
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path
from typing import Any

Runner = Callable[..., Any]
MAC_STARTUP = "Library/Group Containers/UBF8T346G9.Office/User Content.localized/Startup.localized/Excel"
MAC_SCRIPTS = "Library/Application Scripts/com.microsoft.Excel"
INSTALL = "iupjong addin install"


@dataclass(frozen=True)
class Item:
    """One check: what was looked at, what was found, and when it is a problem, the problem and its fix."""

    key: str
    label: tuple[str, str]  # (Korean, English)
    found: str
    ok: bool = True
    problem: tuple[str, str] = ("", "")
    fix: tuple[str, str] = ("", "")
    repair: str | None = None  # what Places.repair can do about it: xlwings_addin, applescript, iupjong_addin, interpreter


@dataclass(frozen=True)
class Diagnosis:
    items: tuple[Item, ...]

    @property
    def ok(self) -> bool:
        return all(i.ok for i in self.items)

    @property
    def problems(self) -> list[Item]:
        return [i for i in self.items if not i.ok]

    def text(self, lang: str = "ko") -> str:
        en = lang == "en"
        k = 1 if en else 0
        lines = ["iupjong addin doctor — " + ("Excel add-in check" if en else "엑셀 추가 기능 점검")]
        for item in self.items:
            mark = ("ok" if en else "정상") if item.ok else ("PROBLEM" if en else "문제")
            lines.append(f"  [{mark}] {item.label[k]}: {item.found}")
            if not item.ok:
                lines.append(f"         {item.problem[k]}")
                lines.append(f"         {'fix' if en else '해결'}: {item.fix[k]}")
        n = len(self.problems)
        if en:
            lines.append("All is well." if not n else f"{n} problem(s): do each fix above, then run iupjong addin doctor again.")
        else:
            lines.append("모두 정상입니다." if not n else f"문제 {n}건: 위의 '해결'을 하나씩 한 뒤 iupjong addin doctor를 다시 실행하세요.")
        return "\n".join(lines) + "\n"


@dataclass(frozen=True)
class Places:
    """Where Excel and xlwings keep their files on this machine (injectable for tests)."""

    platform: str = sys.platform
    home: Path = field(default_factory=Path.home)
    appdata: Path | None = None  # Windows %APPDATA%

    @property
    def windows(self) -> bool:
        return self.platform.startswith("win")

    @property
    def mac(self) -> bool:
        return self.platform == "darwin"

    @property
    def xlstart(self) -> Path:
        if self.windows:
            return (self.appdata or Path(os.environ.get("APPDATA", self.home / "AppData" / "Roaming"))) \
                / "Microsoft" / "Excel" / "XLSTART"
        return self.home / MAC_STARTUP

    @property
    def scripts(self) -> Path:
        return self.home / MAC_SCRIPTS

    @property
    def conf(self) -> Path:
        return self.home / ".xlwings" / "xlwings.conf"

    @property
    def interpreter_key(self) -> str:
        return "INTERPRETER_MAC" if self.mac else "INTERPRETER_WIN"


# ------------------------------------------------------------------------------------------------ reading


def version(dist: str) -> str | None:
    try:
        return metadata.version(dist)
    except metadata.PackageNotFoundError:
        return None


def xlwings_dir() -> Path | None:
    try:
        import xlwings
    except ImportError:
        return None
    return Path(xlwings.__file__).parent


def addin_xlwings_version(path: Path) -> str | None:
    """XLWINGS_VERSION of an xlwings.xlam, read from its Main module with pyOpenVBA; None if not found."""
    from pyopenvba import ExcelFile

    with ExcelFile(path) as wb:
        for source in wb.vba_modules().values():
            found = re.search(r'XLWINGS_VERSION\s+As\s+String\s*=\s*"([^"]+)"', source)
            if found:
                return found.group(1)
    return None


def read_conf(path: Path) -> dict[str, str]:
    """xlwings.conf: one "KEY","VALUE" a line."""
    out: dict[str, str] = {}
    if path.is_file():
        for line in path.read_text(encoding="utf-8", errors="replace").splitlines():
            found = re.match(r'\s*"([^"]+)"\s*,\s*"(.*)"\s*$', line)
            if found:
                out[found.group(1)] = found.group(2)
    return out


def write_conf_value(path: Path, key: str, value: str) -> None:
    """Set one key of xlwings.conf, keeping the other lines (as xlwings' own config writer does)."""
    lines = path.read_text(encoding="utf-8").splitlines() if path.is_file() else []
    kept = [line for line in lines if line.strip() and not line.lstrip().startswith(f'"{key}"')]
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join([f'"{key}","{value}"', *kept]) + "\n", encoding="utf-8")


def _same_python(a: str, b: str) -> bool:
    try:
        return os.path.normcase(os.path.realpath(a)) == os.path.normcase(os.path.realpath(b))
    except OSError:
        return False


# ------------------------------------------------------------------------------------------------ checks


def diagnose(places: Places | None = None, *, run: Runner = subprocess.run, xlam: Path | None = None) -> Diagnosis:
    """Every check, in the order a support call goes through them."""
    from iupjong_xl import __version__
    from iupjong_xl.excel import build as install

    p = places or Places()
    items = [Item("python", ("Python", "Python"), f"{_platform.python_version()} ({sys.executable})")]
    xw = version("xlwings")
    packages = f"iupjong-xl {__version__}, xlwings {xw or '-'}, pyOpenVBA {version('pyopenvba') or '-'}"
    if xw is None:
        items.append(Item("packages", ("패키지", "packages"), packages, False,
                          ("이 파이썬에 xlwings가 없습니다.", "xlwings is not installed in this Python."),
                          ("iupjong-xl 폴더에서 python -m pip install -e . 를 실행하세요.",
                           "run python -m pip install -e . in the iupjong-xl folder.")))
    else:
        items.append(Item("packages", ("패키지", "packages"), packages))
    if not (p.windows or p.mac):
        items.append(Item("excel", ("Excel", "Excel"), p.platform, False,
                          (f"이 컴퓨터({p.platform})에는 Excel이 없습니다: 추가 기능은 Windows·macOS의 Excel에서만 돕니다.",
                           f"there is no Excel on this machine ({p.platform}): the add-in runs in Excel on Windows "
                           "or macOS only."),
                          ("Excel이 있는 Windows·macOS 컴퓨터에서 iupjong addin doctor를 실행하세요.",
                           "run iupjong addin doctor on the Windows or macOS machine that has Excel.")))
        return Diagnosis(tuple(items))
    items.append(_xlwings_addin(p, xw))
    if p.mac:
        items.append(_applescript(p, xw))
    items.append(_iupjong_addin(p, install, xlam))
    items.append(_interpreter(p, run, __version__))
    return Diagnosis(tuple(items))


def _xlwings_addin(p: Places, xw: str | None) -> Item:
    label = ("xlwings 추가 기능", "xlwings add-in")
    path = p.xlstart / "xlwings.xlam"
    fix = (f"Excel을 닫고 {INSTALL}을 실행한 뒤 Excel을 다시 시작하세요.", f"quit Excel, run {INSTALL}, start Excel again.")
    if not path.is_file():
        return Item("xlwings_addin", label, f"{path}", False,
                    ("xlwings 추가 기능(RunPython)이 XLSTART에 없습니다: 모든 단추가 'xlwings 추가 기능을 찾지 못했습니다'로 "
                     "끝납니다.", "xlwings' add-in (RunPython) is not in XLSTART: every button ends with 'xlwings add-in "
                     "not found'."), fix, "xlwings_addin")
    try:
        have = addin_xlwings_version(path)
    except Exception as exc:  # a damaged or foreign file
        have = None
        why = str(exc)
    else:
        why = "XLWINGS_VERSION not found"
    if have is None:
        return Item("xlwings_addin", label, f"{path}", False,
                    (f"xlwings.xlam을 읽지 못했습니다 ({why}).", f"xlwings.xlam cannot be read ({why})."), fix,
                    "xlwings_addin")
    if have != xw:
        return Item("xlwings_addin", label, f"{have} ({path})", False,
                    (f"xlwings 추가 기능은 {have}인데 파이썬의 xlwings는 {xw}입니다: 버전이 다르면 RunPython이 실패합니다.",
                     f"the xlwings add-in is {have} but Python's xlwings is {xw}: RunPython fails across versions."),
                    fix, "xlwings_addin")
    return Item("xlwings_addin", label, f"{have} ({path})")


def _applescript(p: Places, xw: str | None) -> Item:
    label = ("RunPython AppleScript (macOS)", "RunPython AppleScript (macOS)")
    name = f"xlwings-{xw}.applescript"
    path = p.scripts / name
    others = sorted(f.name for f in p.scripts.glob("xlwings-*.applescript") if f.name != name) if p.scripts.is_dir() else []
    fix = (f"{INSTALL}을 실행하세요 (xlwings runpython install과 같습니다). Excel을 다시 시작하세요.",
           f"run {INSTALL} (does what xlwings runpython install does), then restart Excel.")
    if not path.is_file():
        also = (f" (있는 것: {', '.join(others)})" if others else "", f" (found: {', '.join(others)})" if others else "")
        return Item("applescript", label, f"{path}", False,
                    (f"RunPython이 부르는 {name}이(가) 없습니다{also[0]}: xlwings를 올린 뒤 다시 설치하지 않으면 모든 단추가 "
                     "실패합니다.", f"{name}, which RunPython calls, is missing{also[1]}: after an xlwings upgrade every "
                     "button fails until it is reinstalled."), fix, "applescript")
    shipped = (xlwings_dir() or Path()) / name
    if shipped.is_file() and shipped.read_bytes() != path.read_bytes():
        return Item("applescript", label, f"{path}", False,
                    (f"{name}의 내용이 설치된 xlwings의 것과 다릅니다.",
                     f"{name} differs from the one of the installed xlwings."), fix, "applescript")
    return Item("applescript", label, f"{path}")


def _iupjong_addin(p: Places, install: Any, xlam: Path | None) -> Item:
    label = ("iupjong.xlam", "iupjong.xlam")
    path = p.xlstart / install.XLAM
    fix = (f"Excel을 닫고 {INSTALL}을 실행한 뒤 Excel을 다시 시작하세요.", f"quit Excel, run {INSTALL}, start Excel again.")
    if not path.is_file():
        return Item("iupjong_addin", label, f"{path}", False,
                    ("이업종 추가 기능이 XLSTART에 없습니다: Excel에 [이업종] 탭이 없습니다.",
                     "the 이업종 add-in is not in XLSTART: Excel shows no 이업종 tab."), fix, "iupjong_addin")
    current = install.xlam_path(xlam)
    if path.read_bytes() == current.read_bytes():
        return Item("iupjong_addin", label, f"{path} (= {current}, {_short(current)})")
    differs = install.differences(current.read_bytes(), path.read_bytes())
    if not differs:
        return Item("iupjong_addin", label, f"{path} (same content as {current})")
    return Item("iupjong_addin", label, f"{path}", False,
                (f"설치된 iupjong.xlam이 지금 빌드({current})와 다릅니다: {'; '.join(differs[:3])}.",
                 f"the installed iupjong.xlam is not the current build ({current}): {'; '.join(differs[:3])}."),
                fix, "iupjong_addin")


def _short(path: Path) -> str:
    import hashlib

    return "sha256 " + hashlib.sha256(path.read_bytes()).hexdigest()[:12]


def _interpreter(p: Places, run: Runner, own_version: str) -> Item:
    label = ("xlwings.conf 인터프리터", "xlwings.conf interpreter")
    conf = read_conf(p.conf)
    key = p.interpreter_key
    fix_set = (f"{INSTALL}을 실행하세요: 이 파이썬({sys.executable})을 {p.conf}의 {key} 항목에 적습니다.",
               f"run {INSTALL}: it writes this Python ({sys.executable}) as {key} in {p.conf}.")
    if key not in conf:
        if p.windows and conf.get("CONDA PATH") and conf.get("CONDA ENV"):
            return Item("interpreter", label, f"conda {conf['CONDA ENV']} ({conf['CONDA PATH']})")
        if not p.conf.is_file():
            problem = (f"xlwings 설정 파일 {p.conf}이(가) 없어 RunPython이 PATH의 다른 파이썬을 부를 수 있습니다.",
                       f"there is no xlwings config file {p.conf}, so RunPython may start another Python from PATH.")
        else:
            problem = (f"{p.conf}에 {key} 항목이 없어 RunPython이 PATH의 다른 파이썬을 부를 수 있습니다.",
                       f"{p.conf} has no {key}, so RunPython may start another Python from PATH.")
        return Item("interpreter", label, f"{p.conf}", False, problem, fix_set, "interpreter")
    interp = conf[key]
    if not Path(interp).is_file():
        return Item("interpreter", label, interp, False,
                    (f"{key}의 파이썬 {interp}이(가) 없습니다.", f"the {key} Python {interp} does not exist."),
                    fix_set, "interpreter")
    if _same_python(interp, sys.executable):
        return Item("interpreter", label, f"{interp} (iupjong-xl {own_version})")
    # from the home folder, as Excel starts it: not from a checkout whose iupjong_xl/ the working directory would lend
    done = run([interp, "-c", "import iupjong_xl; print(iupjong_xl.__version__)"], capture_output=True, text=True,
               check=False, timeout=60, cwd=str(p.home) if p.home.is_dir() else None)
    theirs = (done.stdout or "").strip() if done.returncode == 0 else None
    if theirs is None:
        return Item("interpreter", label, interp, False,
                    (f"{key}의 파이썬 {interp}에는 iupjong-xl이 없습니다: 단추가 'iupjong-xl이 설치되어 있지 않습니다'로 끝납니다.",
                     f"the {key} Python {interp} has no iupjong-xl: buttons end with 'iupjong-xl is not installed'."),
                    fix_set, "interpreter")
    if theirs != own_version:
        return Item("interpreter", label, f"{interp} (iupjong-xl {theirs})", False,
                    (f"{key}의 파이썬에는 iupjong-xl {theirs}이 있고 이 파이썬에는 {own_version}이 있습니다.",
                     f"the {key} Python has iupjong-xl {theirs}, this Python has {own_version}."), fix_set, "interpreter")
    return Item("interpreter", label, f"{interp} (iupjong-xl {theirs})")


# ------------------------------------------------------------------------------------------------ repairs


def repair(diagnosis: Diagnosis, places: Places | None = None, *, xlam: Path | None = None) -> list[str]:
    """Fix what needs no Excel: copy xlwings' add-in, its AppleScript and iupjong.xlam into place, and write this
    Python into xlwings.conf. Returns what was done (one line each, language-neutral: paths)."""
    from iupjong_xl.excel import build as install

    p = places or Places()
    done: list[str] = []
    package = xlwings_dir()
    for item in diagnosis.problems:
        if item.repair == "xlwings_addin" and package and (package / "addin" / "xlwings.xlam").is_file():
            p.xlstart.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(package / "addin" / "xlwings.xlam", p.xlstart / "xlwings.xlam")
            done.append(f"copy {package / 'addin' / 'xlwings.xlam'} -> {p.xlstart / 'xlwings.xlam'}")
        elif item.repair == "applescript" and package:
            name = f"xlwings-{version('xlwings')}.applescript"
            if (package / name).is_file():
                p.scripts.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(package / name, p.scripts / name)
                done.append(f"copy {package / name} -> {p.scripts / name}")
        elif item.repair == "iupjong_addin":
            p.xlstart.mkdir(parents=True, exist_ok=True)
            source = install.xlam_path(xlam)
            shutil.copyfile(source, p.xlstart / install.XLAM)
            done.append(f"copy {source} -> {p.xlstart / install.XLAM}")
        elif item.repair == "interpreter":
            write_conf_value(p.conf, p.interpreter_key, sys.executable)
            done.append(f'set "{p.interpreter_key}","{sys.executable}" in {p.conf}')
    return done
