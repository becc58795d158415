"""Building and checking iupjong.xlam, and where it and its sources are (a checkout or the package data).

The build starts from the blank add-in that Excel itself made and pyOpenVBA ships (`ExcelFile.create_new`): its
package parts and VBA project (ThisWorkbook, Sheet1, Module1). pyOpenVBA writes the modules of addin/*.bas|cls into
that project (Module1 renamed to the .bas module); the build adds the ribbon (customUI/customUI14.xml and its
relationship) and our core properties, and zips every part stored, dated 1980-01-01, in a fixed order: the bytes
depend only on the sources and on pyOpenVBA's writer, not on the clock or the zlib version.
"""

from __future__ import annotations

import io
import re
import tempfile
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

from iupjong_xl.errors import UsageError

REPO = Path(__file__).resolve().parents[2]
XLAM = "iupjong.xlam"
HELP_HEADING = "엑셀 리본"  # the README section for users starts at the "## " heading that contains this
Runner = Callable[..., Any]

VBA_ENTRY = "xl/vbaProject.bin"
RIBBON_PART = "customUI/customUI14.xml"
RIBBON_REL = ('<Relationship Id="rIdIupjongUI" Type="http://schemas.microsoft.com/office/2007/relationships/ui/'
              'extensibility" Target="customUI/customUI14.xml"/>')
ZIP_TIME = (1980, 1, 1, 0, 0, 0)
TEMPLATE_STANDARD = "Module1"  # the blank add-in's standard module; it becomes the one .bas module
CORE = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" \
xmlns:dc="http://purl.org/dc/elements/1.1/">\
<dc:title>이업종 (iupjong-xl)</dc:title><dc:creator>iupjong-xl</dc:creator>\
<dc:description>이업종 교류 보고서 검증·취합 리본 (xlwings RunPython)</dc:description></cp:coreProperties>"""


def _addin_dir() -> Path:
    """addin/ of this checkout (pip install -e .), else the copy shipped in the package (iupjong_xl.excel.addin)."""
    checkout = REPO / "addin"
    if (REPO / "pyproject.toml").is_file() and (checkout / "customUI.xml").is_file():
        return checkout
    try:
        return Path(str(resources.files("iupjong_xl.excel.addin")))
    except (ModuleNotFoundError, TypeError):
        return checkout


ADDIN_DIR = _addin_dir()


def xlam_path(xlam: str | Path | None = None) -> Path:
    """The add-in file: the one given, else addin/iupjong.xlam of this checkout (or of the installed package)."""
    path = Path(xlam) if xlam else ADDIN_DIR / XLAM
    if not path.is_file():
        raise UsageError(f"{path}이(가) 없습니다: iupjong-xl을 다시 설치하세요 (pip install -e .).",
                         f"{path} not found: reinstall iupjong-xl (pip install -e .)")
    return path


# ------------------------------------------------------------------------------------------------- the build


@dataclass(frozen=True)
class Source:
    """One VBA module source: its name, "standard" (.bas) or "class" (.cls), the text with CRLF line ends."""

    name: str
    kind: str
    text: str


def crlf(text: str) -> str:
    return text.replace("\r\n", "\n").replace("\n", "\r\n")


def read_source(path: Path) -> Source:
    """A .bas or .cls source in the stored form; its VB_Name must be its file name, its text ASCII."""
    try:
        text = crlf(path.read_text(encoding="ascii"))  # code page 1252 streams: Korean via hex, see Ko()
    except UnicodeDecodeError as exc:
        raise UsageError(f"{path.name}: VBA 원본은 ASCII만 씁니다 (한글은 Ko()의 16진 코드로).",
                         f"{path.name}: VBA sources are ASCII only (Korean as hex, see Ko())") from exc
    name = re.match(r'Attribute VB_Name = "([A-Za-z][A-Za-z0-9_]*)"', text)
    if name is None or name.group(1) != path.stem:
        raise UsageError(f'{path.name}: 첫 줄은 Attribute VB_Name = "{path.stem}" 이어야 합니다.',
                         f'{path.name}: the first line must be Attribute VB_Name = "{path.stem}"')
    return Source(path.stem, "standard" if path.suffix == ".bas" else "class", text)


def sources(folder: Path | None = None) -> list[Source]:
    """The modules of addin/: the .bas ones, then the .cls ones, each by name."""
    folder = folder or ADDIN_DIR
    return [read_source(p) for p in sorted(folder.glob("*.bas")) + sorted(folder.glob("*.cls"))]


def _template() -> bytes:
    """The Office-made blank add-in pyOpenVBA ships (ExcelFile.create_new of an .xlam)."""
    from pyopenvba import ExcelFile

    with tempfile.TemporaryDirectory(prefix="iupjong-build-") as tmp:
        path = Path(tmp) / "blank.xlam"
        ExcelFile.create_new(path).close()
        return path.read_bytes()


def _vba_project(template: bytes, mods: list[Source]) -> bytes:
    """The template's xl/vbaProject.bin with the modules written into it by pyOpenVBA."""
    from pyopenvba import ExcelFile

    standard = [m for m in mods if m.kind == "standard"]
    if len(standard) != 1:
        raise UsageError(f"addin/에는 .bas 모듈이 하나 있어야 합니다 (지금 {len(standard)}개).",
                         f"addin/ must hold exactly one .bas module (found {len(standard)})")
    with tempfile.TemporaryDirectory(prefix="iupjong-build-") as tmp:
        blank, out = Path(tmp) / "blank.xlam", Path(tmp) / "built.xlam"
        blank.write_bytes(template)
        with ExcelFile(blank) as wb:
            project = wb.vba_project()
            documents = {m.name for m in project.modules if m.name != TEMPLATE_STANDARD}
            classes = {m.name for m in mods if m.kind == "class"}
            if classes != documents:
                raise UsageError(f"addin/의 .cls 모듈 {sorted(classes)}은(는) 빈 추가 기능의 문서 모듈 "
                                 f"{sorted(documents)}과(와) 같아야 합니다.",
                                 f"the .cls modules {sorted(classes)} must be the blank add-in's document modules "
                                 f"{sorted(documents)}")
            project.rename_module(TEMPLATE_STANDARD, standard[0].name)
            for m in mods:
                wb.set_module(m.name, m.text)
            wb.save(out)
        with zipfile.ZipFile(out) as z:
            return z.read(VBA_ENTRY)


def parts(folder: Path | None = None) -> list[tuple[str, bytes]]:
    """Every part of the add-in package, in the order they are zipped."""
    folder = folder or ADDIN_DIR
    template = _template()
    vba = _vba_project(template, sources(folder))
    out: list[tuple[str, bytes]] = []
    with zipfile.ZipFile(io.BytesIO(template)) as z:
        for name in z.namelist():
            data = z.read(name)
            if name == VBA_ENTRY:
                data = vba
            elif name == "docProps/core.xml":
                data = CORE.encode()
            elif name == "_rels/.rels":
                data = data.replace(b"</Relationships>", RIBBON_REL.encode() + b"</Relationships>")
            out.append((name, data))
    out.append((RIBBON_PART, (folder / "customUI.xml").read_bytes()))
    return out


def build_bytes(folder: Path | None = None) -> bytes:
    """iupjong.xlam built from the sources in folder (default addin/)."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_STORED) as z:
        for name, data in parts(folder):
            info = zipfile.ZipInfo(name, date_time=ZIP_TIME)
            info.create_system = 0
            info.external_attr = 0
            z.writestr(info, data)
    return buf.getvalue()


def package_modules(xlam: Path | bytes) -> dict[str, str]:
    """The VBA modules of an Excel package as pyOpenVBA reads them (name -> source, CRLF)."""
    from pyopenvba import ExcelFile

    if isinstance(xlam, bytes):
        with tempfile.TemporaryDirectory(prefix="iupjong-read-") as tmp:
            path = Path(tmp) / XLAM
            path.write_bytes(xlam)
            return package_modules(path)
    with ExcelFile(xlam) as wb:
        return dict(wb.vba_modules())


def differences(built: bytes, existing: bytes) -> list[str]:
    """What differs between two builds by content: the package parts other than the VBA project byte for byte,
    and the VBA modules as pyOpenVBA reads them. Empty when they are the same add-in."""
    out: list[str] = []
    try:
        with zipfile.ZipFile(io.BytesIO(built)) as a, zipfile.ZipFile(io.BytesIO(existing)) as b:
            names_a, names_b = a.namelist(), b.namelist()
            for name in sorted(set(names_a) ^ set(names_b)):
                out.append(f"part {name}: only in the {'fresh build' if name in names_a else 'existing file'}")
            for name in names_a:
                if name in names_b and name != VBA_ENTRY and a.read(name) != b.read(name):
                    out.append(f"part {name}: differs")
    except zipfile.BadZipFile:
        return ["not a zip package"]
    try:
        mods_a, mods_b = package_modules(built), package_modules(existing)
    except Exception as exc:  # pyOpenVBA refuses the project
        return [*out, f"VBA project unreadable: {exc}"]
    if list(mods_a) != list(mods_b):
        out.append(f"VBA modules: {list(mods_b)} instead of {list(mods_a)}")
    out += [f"VBA module {name}: source differs" for name in mods_a if name in mods_b and mods_a[name] != mods_b[name]]
    return out


@dataclass(frozen=True)
class BuildCheck:
    """The checked-in iupjong.xlam against a fresh build: same bytes, else the content differences."""

    path: Path
    identical: bool
    problems: tuple[str, ...]

    @property
    def ok(self) -> bool:
        return self.identical or not self.problems


def check(xlam: Path | None = None, folder: Path | None = None) -> BuildCheck:
    """Compare the add-in file with a fresh build: bytes first; when they differ (another pyOpenVBA writer), the
    package parts and the extracted module sources."""
    path = xlam or (folder or ADDIN_DIR) / XLAM
    built = build_bytes(folder)
    if not path.is_file():
        return BuildCheck(path, False, ("missing",))
    existing = path.read_bytes()
    if existing == built:
        return BuildCheck(path, True, ())
    return BuildCheck(path, False, tuple(differences(built, existing)))


def build(output: Path | None = None, folder: Path | None = None) -> Path:
    """Write iupjong.xlam (default addin/iupjong.xlam) from the sources."""
    path = output or (folder or ADDIN_DIR) / XLAM
    path.write_bytes(build_bytes(folder))
    return path


# ---------------------------------------------------------------------------------------- install and remove
