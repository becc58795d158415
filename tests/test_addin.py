"""The add-in package: ribbon XML, VBA sources, the reproducible build of iupjong.xlam, install and help logic."""

from __future__ import annotations

import importlib.util
import io
import random
import re
import subprocess
import sys
import zipfile
from pathlib import Path
from xml.etree import ElementTree as ET

import olefile
import pytest
from oletools.olevba import VBA_Parser, decompress_stream

from iupjong_xl import excel
from iupjong_xl.errors import UsageError
from iupjong_xl.excel import install as addin

ADDIN = Path(__file__).resolve().parent.parent / "addin"
XLAM = ADDIN / "iupjong.xlam"
CUI = "{http://schemas.microsoft.com/office/2009/07/customui}"
LABELS = ["검증", "새 서식", "취합", "지표·지원금 갱신", "도움말"]


def _load(name: str):
    sys.path.insert(0, str(ADDIN))
    try:
        spec = importlib.util.spec_from_file_location(f"addin_{name}", ADDIN / f"{name}.py")
        module = importlib.util.module_from_spec(spec)
        sys.modules[spec.name] = module  # dataclasses look their module up
        spec.loader.exec_module(module)
        return module
    finally:
        sys.path.remove(str(ADDIN))


build, ovba, cfb = _load("build"), _load("ovba"), _load("cfb")


def buttons() -> list[ET.Element]:
    return list(ET.parse(ADDIN / "customUI.xml").getroot().iter(f"{CUI}button"))


def vba_sources() -> dict[str, str]:
    return {p.stem: p.read_text(encoding="ascii") for p in sorted(ADDIN.glob("*.bas")) + sorted(ADDIN.glob("*.cls"))}


# ------------------------------------------------------------------------------------------------- the ribbon


def test_ribbon_shape_ids_unique_and_the_five_buttons() -> None:
    root = ET.parse(ADDIN / "customUI.xml").getroot()
    assert root.tag == f"{CUI}customUI"
    tabs = list(root.iter(f"{CUI}tab"))
    assert [t.get("label") for t in tabs] == ["이업종"]
    ids = [e.get("id") for e in root.iter() if e.get("id") is not None]
    assert len(ids) == len(set(ids)) and all(re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", i) for i in ids)
    assert [b.get("label") for b in buttons()] == LABELS
    for b in buttons():
        assert b.get("screentip") and b.get("supertip") and b.get("imageMso")


def test_every_tag_resolves_to_a_button_function_and_every_callback_is_in_the_vba() -> None:
    ribbon = vba_sources()["IupjongRibbon"]
    for b in buttons():
        fn = excel.resolve(b.get("tag"))
        assert callable(fn) and fn.__module__ == "iupjong_xl.excel"
        module, proc = b.get("onAction").split(".")
        assert re.search(rf'^Attribute VB_Name = "{module}"', vba_sources()[module], re.MULTILINE)
        assert re.search(rf"^Public Sub {proc}\(control As Object\)", ribbon, re.MULTILINE)


def test_the_vba_command_is_python_and_the_korean_constants_are_hangul() -> None:
    ribbon = vba_sources()["IupjongRibbon"]
    parts = re.search(r'Private Const PY_COMMAND As String = (.*?)\n\n', ribbon, re.DOTALL).group(1)
    command = "".join(re.findall(r'"([^"]*)"', parts)).replace("{tag}", buttons()[0].get("tag"))
    compile(command, "<RunPython>", "exec")
    assert "|" not in command and '"' not in command  # RunPython's quoting on Windows and macOS
    for name, hexes in re.findall(r"Private Const (MSG_\w+) As String = ((?:\"[0-9A-F]+\"(?: & _\n\s+)?)+)", ribbon):
        text = "".join(chr(int(h, 16)) for h in re.findall(r"[0-9A-F]{4}", "".join(re.findall(r'"(\w+)"', hexes))))
        assert re.search(r"[가-힣]", text), name
    assert all(src.isascii() for src in vba_sources().values())


# --------------------------------------------------------------------------------------------- the built file


def test_the_checked_in_xlam_is_a_fresh_build_byte_for_byte(tmp_path: Path) -> None:
    assert XLAM.read_bytes() == build.build()
    done = subprocess.run([sys.executable, str(ADDIN / "build.py"), "-o", str(tmp_path / "a.xlam")], check=True,
                          capture_output=True, text=True)
    assert (tmp_path / "a.xlam").read_bytes() == XLAM.read_bytes(), done.stdout
    check = subprocess.run([sys.executable, str(ADDIN / "build.py"), "--check"], capture_output=True, text=True,
                           check=False)
    assert check.returncode == 0, check.stdout


def test_olevba_finds_exactly_the_sources() -> None:
    parser = VBA_Parser(str(XLAM))
    try:
        found = {name.rsplit(".", 1)[0]: code for _f, _s, name, code in parser.extract_macros()}
    finally:
        parser.close()
    want = {name: src.replace("\r\n", "\n").rstrip("\n") for name, src in vba_sources().items()}
    got = {name: code.replace("\r\n", "\n").rstrip("\n") for name, code in found.items()}
    assert got == want


def test_the_package_parts_and_the_ribbon_relationship() -> None:
    with zipfile.ZipFile(XLAM) as z:
        names = z.namelist()
        assert names[0] == "[Content_Types].xml" and z.testzip() is None
        assert all(i.date_time == (1980, 1, 1, 0, 0, 0) and i.compress_type == zipfile.ZIP_STORED for i in z.infolist())
        assert z.read("customUI/customUI14.xml") == (ADDIN / "customUI.xml").read_bytes()
        rels = z.read("_rels/.rels").decode()
        assert 'Type="http://schemas.microsoft.com/office/2007/relationships/ui/extensibility" ' \
               'Target="customUI/customUI14.xml"' in rels
        assert "application/vnd.ms-excel.addin.macroEnabled.main+xml" in z.read("[Content_Types].xml").decode()
        assert 'Target="vbaProject.bin"' in z.read("xl/_rels/workbook.xml.rels").decode()
        for name in names:
            if name.endswith((".xml", ".rels")):
                ET.fromstring(z.read(name))
        assert 'codeName="ThisWorkbook"' in z.read("xl/workbook.xml").decode()
        assert 'codeName="Sheet1"' in z.read("xl/worksheets/sheet1.xml").decode()
        vba = z.read("xl/vbaProject.bin")
    ole = olefile.OleFileIO(io.BytesIO(vba))
    assert sorted("/".join(p) for p in ole.listdir()) == ["PROJECT", "PROJECTwm", "VBA/IupjongRibbon", "VBA/Sheet1",
                                                           "VBA/ThisWorkbook", "VBA/_VBA_PROJECT", "VBA/dir"]
    assert ole.openstream("VBA/_VBA_PROJECT").read()[:4] == bytes.fromhex("CC61FFFF")  # no p-code cache
    project = ole.openstream("PROJECT").read().decode("cp1252")
    pid = re.search(r'ID="(\{[0-9A-F-]+\})"', project).group(1)
    fields = dict(re.findall(r'^(CMG|DPB|GC)="([0-9A-F]+)"', project, re.MULTILINE))
    assert ovba.decrypt(pid, fields["CMG"]) == bytes(4)  # not protected
    assert ovba.decrypt(pid, fields["DPB"]) == b"\x00"  # no password
    assert ovba.decrypt(pid, fields["GC"]) == b"\xff"  # visible
    assert "Document=ThisWorkbook/&H00000000" in project and "Module=IupjongRibbon" in project
    dir_stream = bytes(decompress_stream(bytearray(ole.openstream("VBA/dir").read())))
    assert b"IupjongRibbon" in dir_stream and dir_stream.endswith(b"\x10\x00\x00\x00\x00\x00")


def test_an_independent_reader_accepts_the_package() -> None:
    integrity = pytest.importorskip("pyopenvba.integrity")  # optional cross-check (pip install pyOpenVBA)
    assert integrity.check_file(str(XLAM)).issues == ()


# ------------------------------------------------------------------------------------ the writers, directly


def test_compression_round_trips_through_oletools() -> None:
    rnd = random.Random(2009)
    samples = [b"", b"a", b"abc" * 3000, bytes(rnd.getrandbits(8) for _ in range(9000)), b"x" * 10000,
               (ADDIN / "IupjongRibbon.bas").read_bytes(), bytes(range(256)) * 40]
    for data in samples:
        packed = ovba.compress(data)
        assert bytes(decompress_stream(bytearray(packed))) == data
        assert ovba.compress(data) == packed


def test_compound_file_small_and_large_streams() -> None:
    def tree() -> list:
        return [cfb.storage("VBA", *(cfb.stream(f"m{i}", bytes([i]) * (100 * i + 1)) for i in range(12)),
                            cfb.stream("big", b"B" * 70000)), cfb.stream("PROJECT", b"P" * 4096)]

    blob = cfb.write(tree())
    ole = olefile.OleFileIO(io.BytesIO(blob))
    assert ole.openstream("VBA/big").read() == b"B" * 70000 and ole.openstream("PROJECT").read() == b"P" * 4096
    for i in range(12):
        assert ole.openstream(f"VBA/m{i}").read() == bytes([i]) * (100 * i + 1)
    assert len(blob) % 512 == 0 and blob == cfb.write(tree())


def test_module_names_must_match_files(tmp_path: Path) -> None:
    (tmp_path / "Wrong.bas").write_text('Attribute VB_Name = "Other"\n', encoding="ascii")
    with pytest.raises(SystemExit):
        build.modules(tmp_path)


# ----------------------------------------------------------------------------------------- install and help


def test_install_runs_xlwings_for_both_add_ins_and_refuses_linux() -> None:
    calls: list[list[str]] = []

    def run(cmd: list[str], check: bool) -> subprocess.CompletedProcess:
        calls.append(cmd)
        return subprocess.CompletedProcess(cmd, 0)

    with pytest.raises(UsageError):
        addin.install(run=run, platform="linux")
    commands = addin.install(run=run, platform="win32")
    assert calls == commands and commands[0][-2:] == ["addin", "install"]
    assert commands[1][-3:] == ["install", "--file", str(XLAM)]
    assert addin.remove(run=run, platform="darwin")[0][-3:] == ["remove", "--file", "iupjong.xlam"]
    with pytest.raises(UsageError):
        addin.install(run=lambda cmd, check: subprocess.CompletedProcess(cmd, 1), platform="win32")
    with pytest.raises(UsageError):
        addin.xlam_path("/nonexistent/iupjong.xlam")


def test_help_section_and_page(tmp_path: Path) -> None:
    readme = "# t\n\nintro\n\n## 엑셀 리본 (이업종 추가 기능)\n\n- **검증**: `check`\n\n```\ncode <x>\n```\n\n## 다음\nno\n"
    section = addin.help_section(readme)
    assert section.startswith("## 엑셀 리본") and "다음" not in section
    page = addin.help_page(tmp_path / "h.html", readme).read_text(encoding="utf-8")
    assert "<h2>엑셀 리본 (이업종 추가 기능)</h2>" in page and "<li><b>검증</b>: <code>check</code></li>" in page
    assert "code &lt;x&gt;" in page and "no" not in page.split("</h2>", 1)[1]
    assert "이업종" in addin.help_section("# only a title\n")  # no section: the add-in README
