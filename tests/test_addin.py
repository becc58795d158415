"""The add-in package: ribbon XML, Excel control ids, VBA sources, the pyOpenVBA build of iupjong.xlam and its
readers (pyOpenVBA, olevba), install and help logic. LibreOffice's reading is in test_addin_libreoffice.py."""

from __future__ import annotations

import io
import re
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path
from xml.etree import ElementTree as ET

import olefile
import pytest
from click.testing import CliRunner
from oletools.olevba import VBA_Parser
from pyopenvba import ExcelFile, check_file

from iupjong_xl import excel
from iupjong_xl.cli import cli
from iupjong_xl.errors import UsageError
from iupjong_xl.excel import install as addin

ADDIN = Path(__file__).resolve().parent.parent / "addin"
XLAM = ADDIN / "iupjong.xlam"
CUI = "{http://schemas.microsoft.com/office/2009/07/customui}"
LABELS = ["검증", "새 서식", "포털에 제출", "취합", "지표·지원금 갱신", "회원사 명부", "파트너 찾기", "도움말"]
ICONS = ["DataValidation", "FileSaveAsExcelXlsx", "FileSendMenu", "Consolidate", "Refresh", "TableInsertExcel", "FindDialogExcel",
         "Help"]
TAGS = ["iupjong_xl.excel:validate_book", "iupjong_xl.excel:new_template", "iupjong_xl.excel.portal:submit_to_portal",
        "iupjong_xl.excel:consolidate_folder",
        "iupjong_xl.excel:refresh_book", "iupjong_xl.excel.coordinator:directory_book",
        "iupjong_xl.excel.coordinator:partners_book", "iupjong_xl.excel:show_help"]


def buttons() -> list[ET.Element]:
    return list(ET.parse(ADDIN / "customUI.xml").getroot().iter(f"{CUI}button"))


def vba_sources() -> dict[str, str]:
    return {p.stem: p.read_text(encoding="ascii") for p in sorted(ADDIN.glob("*.bas")) + sorted(ADDIN.glob("*.cls"))}


def excel_control_ids() -> set[str]:
    lines = (ADDIN / "excel_control_ids.txt").read_text(encoding="utf-8").splitlines()
    return {line for line in lines if line and not line.startswith("#")}


# ------------------------------------------------------------------------------------------------- the ribbon


def test_ribbon_shape_ids_unique_and_the_eight_buttons() -> None:
    root = ET.parse(ADDIN / "customUI.xml").getroot()
    assert root.tag == f"{CUI}customUI"
    tabs = list(root.iter(f"{CUI}tab"))
    assert [t.get("label") for t in tabs] == ["이업종"]
    assert [g.get("label") for g in root.iter(f"{CUI}group")] == ["보고서", "취합", "회원사", "도움말"]
    ids = [e.get("id") for e in root.iter() if e.get("id") is not None]
    assert len(ids) == len(set(ids)) and all(re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", i) for i in ids)
    assert [b.get("label") for b in buttons()] == LABELS
    assert [b.get("tag") for b in buttons()] == TAGS
    assert [b.get("imageMso") for b in buttons()] == ICONS
    for b in buttons():
        assert b.get("screentip") and b.get("supertip") and b.get("size") == "large"


def test_every_icon_is_an_excel_control_id_of_microsofts_list() -> None:
    text = (ADDIN / "excel_control_ids.txt").read_text(encoding="utf-8")
    assert "github.com/OfficeDev/office-fluent-ui-command-identifiers" in text and "excelcontrols.xlsx" in text
    ids = excel_control_ids()
    assert len(ids) == 1809
    icons = [e.get("imageMso") for e in ET.parse(ADDIN / "customUI.xml").getroot().iter() if e.get("imageMso")]
    assert icons == ICONS
    assert [i for i in icons if i not in ids] == []
    assert "AcceptInvitation" not in ids and "CreateTable" not in ids  # Outlook's and Access's: blank in Excel


def test_every_tag_resolves_to_a_button_function_and_every_callback_is_in_the_vba() -> None:
    ribbon = vba_sources()["IupjongRibbon"]
    for b in buttons():
        fn = excel.resolve(b.get("tag"))
        # the tag's module defines the button or re-exports it from its buttons module (iupjong_xl.excel: the tags
        # of add-ins already installed keep working after excel/__init__.py was split into modules)
        assert callable(fn) and fn.__module__ in {(m := b.get("tag").split(":")[0]), f"{m}.buttons"}
        module, proc = b.get("onAction").split(".")
        assert (module, proc) == ("IupjongRibbon", "OnButton")
        assert re.search(rf'^Attribute VB_Name = "{module}"', vba_sources()[module], re.MULTILINE)
        assert re.search(rf"^Public Sub {proc}\(control As Object\)", ribbon, re.MULTILINE)


def test_the_vba_command_is_python_and_the_korean_constants_are_hangul() -> None:
    ribbon = vba_sources()["IupjongRibbon"]
    parts = re.search(r'Private Const PY_COMMAND As String = (.*?)\n\n', ribbon, re.DOTALL).group(1)
    for b in buttons():
        command = "".join(re.findall(r'"([^"]*)"', parts)).replace("{tag}", b.get("tag"))
        compile(command, "<RunPython>", "exec")
        assert "|" not in command and '"' not in command  # RunPython's quoting on Windows and macOS
    for name, hexes in re.findall(r"Private Const (MSG_\w+) As String = ((?:\"[0-9A-F]+\"(?: & _\n\s+)?)+)", ribbon):
        text = "".join(chr(int(h, 16)) for h in re.findall(r"[0-9A-F]{4}", "".join(re.findall(r'"(\w+)"', hexes))))
        assert re.search(r"[가-힣]", text), name
    assert all(src.isascii() for src in vba_sources().values())


# --------------------------------------------------------------------------------------------- the built file


def test_the_checked_in_xlam_is_a_fresh_build_byte_for_byte(tmp_path: Path) -> None:
    assert XLAM.read_bytes() == addin.build_bytes()
    assert addin.build(tmp_path / "a.xlam").read_bytes() == XLAM.read_bytes()
    result = addin.check()
    assert (result.identical, result.ok, result.problems) == (True, True, ())
    done = CliRunner().invoke(cli, ["addin", "build", "--check"])
    assert done.exit_code == 0 and done.output == f"{XLAM}: up to date (byte for byte)\n"
    script = subprocess.run([sys.executable, str(ADDIN / "build.py"), "--check"], capture_output=True, text=True,
                            check=False)
    assert script.returncode == 0, script.stdout + script.stderr


def test_check_compares_parts_and_sources_when_the_bytes_differ(tmp_path: Path) -> None:
    # the same parts zipped another way (deflated): other bytes, the same add-in
    rezipped = tmp_path / "deflated.xlam"
    with zipfile.ZipFile(XLAM) as src, zipfile.ZipFile(rezipped, "w", zipfile.ZIP_DEFLATED) as out:
        for name in src.namelist():
            out.writestr(name, src.read(name))
    result = addin.check(rezipped)
    assert (result.identical, result.ok, result.problems) == (False, True, ())
    # a changed source: the module and the ribbon are named
    folder = tmp_path / "addin"
    shutil.copytree(ADDIN, folder, ignore=shutil.ignore_patterns("*.py", "__pycache__"))
    bas = folder / "IupjongRibbon.bas"
    bas.write_text(bas.read_text(encoding="ascii") + "' one more line\n", encoding="ascii")
    ui = folder / "customUI.xml"
    ui.write_text(ui.read_text(encoding="utf-8").replace("도움말", "안내", 1), encoding="utf-8")
    result = addin.check(XLAM, folder)
    assert (result.identical, result.ok) == (False, False)
    assert result.problems == ("part customUI/customUI14.xml: differs", "VBA module IupjongRibbon: source differs")
    missing = addin.check(tmp_path / "none.xlam")
    assert (missing.ok, missing.problems) == (False, ("missing",))
    done = CliRunner().invoke(cli, ["addin", "build", "--check"])  # the checkout's own file still passes
    assert done.exit_code == 0


def test_pyopenvba_reads_exactly_the_sources_and_its_integrity_check_passes() -> None:
    assert check_file(str(XLAM)).issues == ()
    report = check_file(str(XLAM))
    assert report.complete and report.checked_parts == 11
    with ExcelFile(XLAM) as wb:
        assert wb.validate() == []
        assert wb.vba_modules() == {"ThisWorkbook": addin.crlf(vba_sources()["ThisWorkbook"]),
                                    "Sheet1": addin.crlf(vba_sources()["Sheet1"]),
                                    "IupjongRibbon": addin.crlf(vba_sources()["IupjongRibbon"])}
        project = wb.vba_project()
        assert project.protection is not None and not project.protection.has_password
        assert [r.name for r in wb.references()] == ["stdole", "Office"]
        assert [(m.name, m.kind.name) for m in project.modules] == [("ThisWorkbook", "other"), ("Sheet1", "other"),
                                                                    ("IupjongRibbon", "standard")]


def test_olevba_finds_exactly_the_sources() -> None:
    parser = VBA_Parser(str(XLAM))
    try:
        found = {name: code for _f, _s, name, code in parser.extract_macros()}
    finally:
        parser.close()
    want = {f"{name}.{'bas' if name == 'IupjongRibbon' else 'cls'}": src.replace("\r\n", "\n").rstrip("\n")
            for name, src in vba_sources().items()}
    got = {name: code.replace("\r\n", "\n").rstrip("\n") for name, code in found.items()}
    assert got == want


def test_the_package_parts_and_the_ribbon_relationship() -> None:
    with zipfile.ZipFile(XLAM) as z:
        names = z.namelist()
        assert names == ["[Content_Types].xml", "_rels/.rels", "xl/workbook.xml", "xl/_rels/workbook.xml.rels",
                         "xl/worksheets/sheet1.xml", "xl/theme/theme1.xml", "xl/styles.xml", "xl/vbaProject.bin",
                         "docProps/core.xml", "docProps/app.xml", "customUI/customUI14.xml"]
        assert z.testzip() is None
        assert all(i.date_time == (1980, 1, 1, 0, 0, 0) and i.compress_type == zipfile.ZIP_STORED for i in z.infolist())
        assert z.read("customUI/customUI14.xml") == (ADDIN / "customUI.xml").read_bytes()
        rels = ET.fromstring(z.read("_rels/.rels"))
        assert sorted((r.get("Type").rsplit("/", 1)[1], r.get("Target")) for r in rels) == [
            ("core-properties", "docProps/core.xml"), ("extended-properties", "docProps/app.xml"),
            ("extensibility", "customUI/customUI14.xml"), ("officeDocument", "xl/workbook.xml")]
        assert "application/vnd.ms-excel.addin.macroEnabled.main+xml" in z.read("[Content_Types].xml").decode()
        assert 'Target="vbaProject.bin"' in z.read("xl/_rels/workbook.xml.rels").decode()
        for name in names:
            if name.endswith((".xml", ".rels")):
                ET.fromstring(z.read(name))
        assert 'codeName="ThisWorkbook"' in z.read("xl/workbook.xml").decode()
        assert 'codeName="Sheet1"' in z.read("xl/worksheets/sheet1.xml").decode()
        assert "<dc:creator>iupjong-xl</dc:creator>" in z.read("docProps/core.xml").decode()
        vba = z.read("xl/vbaProject.bin")
    ole = olefile.OleFileIO(io.BytesIO(vba))
    assert sorted("/".join(p) for p in ole.listdir()) == ["PROJECT", "PROJECTwm", "VBA/IupjongRibbon", "VBA/Sheet1",
                                                           "VBA/ThisWorkbook", "VBA/_VBA_PROJECT", "VBA/dir"]
    cache = ole.openstream("VBA/_VBA_PROJECT").read()
    assert cache[:2] == bytes.fromhex("CC61") and set(cache[7:]) == {0}  # the performance cache zeroed: compiled anew
    project = ole.openstream("PROJECT").read().decode("cp1252")
    assert project.splitlines()[1:4] == ["Document=ThisWorkbook/&H00000000", "Document=Sheet1/&H00000000",
                                         "Module=IupjongRibbon"]


def test_module_names_must_match_files_and_sources_stay_ascii(tmp_path: Path) -> None:
    (tmp_path / "Wrong.bas").write_text('Attribute VB_Name = "Other"\n', encoding="ascii")
    with pytest.raises(UsageError, match='첫 줄은 Attribute VB_Name = "Wrong"'):
        addin.sources(tmp_path)
    (tmp_path / "Wrong.bas").write_text('Attribute VB_Name = "Wrong"\n\' 검증\n', encoding="utf-8")
    with pytest.raises(UsageError, match="ASCII"):
        addin.sources(tmp_path)


# ----------------------------------------------------------------------------------------- install and help


def test_remove_runs_xlwings_and_refuses_linux() -> None:
    calls: list[list[str]] = []

    def run(cmd: list[str], check: bool) -> subprocess.CompletedProcess:
        calls.append(cmd)
        return subprocess.CompletedProcess(cmd, 0)

    assert addin.remove(run=run, platform="darwin") == calls
    assert calls[0][-4:] == ["addin", "remove", "--file", "iupjong.xlam"]
    with pytest.raises(UsageError):
        addin.remove(run=run, platform="linux")
    with pytest.raises(UsageError, match="없습니다"):
        addin.xlam_path("/nonexistent/iupjong.xlam")


def test_help_section_and_page(tmp_path: Path) -> None:
    readme = "# t\n\nintro\n\n## 엑셀 리본 (이업종 추가 기능)\n\n- **검증**: `check`\n\n```\ncode <x>\n```\n\n## 다음\nno\n"
    section = addin.help_section(readme)
    assert section.startswith("## 엑셀 리본") and "다음" not in section
    page = addin.help_page(tmp_path / "h.html", readme).read_text(encoding="utf-8")
    assert "<h2>엑셀 리본 (이업종 추가 기능)</h2>" in page and "<li><b>검증</b>: <code>check</code></li>" in page
    assert "code &lt;x&gt;" in page and "no" not in page.split("</h2>", 1)[1]
    assert "이업종" in addin.help_section("# only a title\n")  # no section: the add-in README


def test_outside_a_checkout_the_add_in_comes_from_the_package(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(addin, "REPO", tmp_path)  # no pyproject.toml there: an installed wheel
    folder = addin._addin_dir()
    assert (folder / "iupjong.xlam").read_bytes() == XLAM.read_bytes()
    assert (folder / "customUI.xml").read_bytes() == (ADDIN / "customUI.xml").read_bytes()
