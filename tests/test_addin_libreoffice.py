"""LibreOffice as a second, independent reader of iupjong.xlam's VBA project.

LibreOffice refuses .xlam files, but imports the same VBA project once the workbook's content type says
macro-enabled workbook. The test switches it in a temporary copy (nothing else changes), converts that copy to
.ods with VBA import on (Tools > Options > Load/Save > VBA Properties: load Basic code, executable), and reads the
Basic library LibreOffice made of it: every module must be there with exactly the text of addin/*.bas|cls, the
Attribute lines aside (LibreOffice keeps them out and writes its own two header lines).
"""

from __future__ import annotations

import io
import shutil
import subprocess
import zipfile
from pathlib import Path
from xml.etree import ElementTree as ET

import pytest

ADDIN = Path(__file__).resolve().parent.parent / "addin"
XLAM = ADDIN / "iupjong.xlam"
ADDIN_TYPE = b"application/vnd.ms-excel.addin.macroEnabled.main+xml"
WORKBOOK_TYPE = b"application/vnd.ms-excel.sheet.macroEnabled.main+xml"
SCRIPT = "{http://openoffice.org/2000/script}"
LIBRARY = "{http://openoffice.org/2000/library}"
VBA_ON = """<?xml version="1.0" encoding="UTF-8"?>
<oor:items xmlns:oor="http://openoffice.org/2001/registry" xmlns:xs="http://www.w3.org/2001/XMLSchema" \
xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
<item oor:path="/org.openoffice.Office.Calc/Filter/Import/VBA"><prop oor:name="Load" oor:op="fuse"><value>true</value>\
</prop></item>
<item oor:path="/org.openoffice.Office.Calc/Filter/Import/VBA"><prop oor:name="Executable" oor:op="fuse"><value>true\
</value></prop></item>
</oor:items>
"""

pytestmark = [
    pytest.mark.libreoffice,
    pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice (soffice) is not on PATH"),
]


def as_macro_workbook(xlam: Path, out: Path) -> Path:
    """A copy of the add-in whose only change is the workbook's content type (add-in -> macro-enabled workbook)."""
    with zipfile.ZipFile(xlam) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_STORED) as dst:
        for info in src.infolist():
            data = src.read(info.filename)
            if info.filename == "[Content_Types].xml":
                assert data.count(ADDIN_TYPE) == 1
                data = data.replace(ADDIN_TYPE, WORKBOOK_TYPE)
            dst.writestr(info, data)
    return out


@pytest.fixture(scope="module")
def converted(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """(folder of the .ods outputs, the macro-workbook copy): the add-in and its copy in one soffice run."""
    tmp = tmp_path_factory.mktemp("lo_addin")
    profile = tmp / "profile"
    (profile / "user").mkdir(parents=True)
    (profile / "user" / "registrymodifications.xcu").write_text(VBA_ON, encoding="utf-8")
    shutil.copy(XLAM, tmp / "iupjong.xlam")
    copy = as_macro_workbook(XLAM, tmp / "iupjong_as_workbook.xlsm")
    out = tmp / "ods"
    subprocess.run(["soffice", f"-env:UserInstallation={profile.as_uri()}", "--headless", "--norestore",
                    "--nolockcheck", "--convert-to", "ods", "--outdir", str(out), str(tmp / "iupjong.xlam"),
                    str(copy)], capture_output=True, text=True, timeout=180, check=False)
    return out, copy


def basic_modules(ods: Path) -> dict[str, tuple[str, str]]:
    """name -> (module type, source) of the document's VBAProject Basic library."""
    with zipfile.ZipFile(ods) as z:
        index = ET.fromstring(z.read("Basic/VBAProject/script-lb.xml"))
        names = [e.get(f"{LIBRARY}name") for e in index.iter(f"{LIBRARY}element")]
        out = {}
        for name in names:
            module = ET.parse(io.BytesIO(z.read(f"Basic/VBAProject/{name}.xml"))).getroot()
            out[name] = (module.get(f"{SCRIPT}moduleType"), module.text or "")
    return out


def without_attributes(source: str) -> str:
    return "\n".join(line for line in source.replace("\r\n", "\n").split("\n") if not line.startswith("Attribute "))


def test_only_the_content_type_changes_in_the_copy(converted: tuple[Path, Path]) -> None:
    _out, copy = converted
    with zipfile.ZipFile(XLAM) as a, zipfile.ZipFile(copy) as b:
        assert a.namelist() == b.namelist()
        assert [n for n in a.namelist() if a.read(n) != b.read(n)] == ["[Content_Types].xml"]


def test_libreoffice_refuses_the_xlam_itself(converted: tuple[Path, Path]) -> None:
    out, _copy = converted
    assert not (out / "iupjong.ods").exists()


def test_libreoffice_imports_every_module_with_exactly_the_sources(converted: tuple[Path, Path]) -> None:
    out, _copy = converted
    modules = basic_modules(out / "iupjong_as_workbook.ods")
    sources = {p.stem: p.read_text(encoding="ascii") for p in sorted(ADDIN.glob("*.bas")) + sorted(ADDIN.glob("*.cls"))}
    assert sorted(modules) == sorted(sources) == ["IupjongRibbon", "Sheet1", "ThisWorkbook"]
    assert {name: kind for name, (kind, _text) in modules.items()} == {
        "IupjongRibbon": "normal", "Sheet1": "document", "ThisWorkbook": "document"}
    for name, (_kind, text) in modules.items():
        header = ("Rem Attribute VBA_ModuleType=VBAModule" if name == "IupjongRibbon"
                  else "Rem Attribute VBA_ModuleType=VBADocumentModule")
        lines = text.split("\n")
        assert lines[:2] == [header, "Option VBASupport 1"], name  # LibreOffice's own two lines
        assert "\n".join(lines[2:]).rstrip("\n") == without_attributes(sources[name]).rstrip("\n"), name
