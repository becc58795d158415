"""Build addin/iupjong.xlam from the text sources in addin/ (VBA modules, customUI.xml), byte for byte reproducibly.

    python addin/build.py            # writes addin/iupjong.xlam
    python addin/build.py --check    # exit 1 when the checked-in iupjong.xlam differs from a fresh build
    python addin/build.py -o X.xlam  # write elsewhere

Pure standard library: ovba.py writes the VBA project ([MS-OVBA]), cfb.py its compound file ([MS-CFB]); the
package is a stored (uncompressed) zip with fixed timestamps, so neither the clock nor zlib changes the bytes.
"""

from __future__ import annotations

import argparse
import io
import re
import sys
import uuid
import zipfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import ovba

HERE = Path(__file__).resolve().parent
TARGET = HERE / "iupjong.xlam"
PROJECT_NAME = "IupjongXL"
PROJECT_ID = "{" + str(uuid.uuid5(uuid.NAMESPACE_URL, "iupjong-xl/addin/vbaProject")).upper() + "}"
ZIP_TIME = (1980, 1, 1, 0, 0, 0)
DOCUMENT_BASES = (ovba.WORKBOOK_BASE, ovba.SHEET_BASE)
MODULE_ORDER = ("ThisWorkbook", "Sheet1")  # document modules first, as Excel lists them; then by name

CONTENT_TYPES = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">\
<Default Extension="bin" ContentType="application/vnd.ms-office.vbaProject"/>\
<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>\
<Default Extension="xml" ContentType="application/xml"/>\
<Override PartName="/xl/workbook.xml" ContentType="application/vnd.ms-excel.addin.macroEnabled.main+xml"/>\
<Override PartName="/xl/worksheets/sheet1.xml" \
ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>\
<Override PartName="/xl/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>\
<Override PartName="/docProps/core.xml" ContentType="application/vnd.openxmlformats-package.core-properties+xml"/>\
</Types>"""

ROOT_RELS = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">\
<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" \
Target="xl/workbook.xml"/>\
<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/package/2006/relationships/metadata/core-properties" \
Target="docProps/core.xml"/>\
<Relationship Id="rId3" Type="http://schemas.microsoft.com/office/2007/relationships/ui/extensibility" \
Target="customUI/customUI14.xml"/>\
</Relationships>"""

WORKBOOK_RELS = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">\
<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" \
Target="worksheets/sheet1.xml"/>\
<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" \
Target="styles.xml"/>\
<Relationship Id="rId3" Type="http://schemas.microsoft.com/office/2006/relationships/vbaProject" \
Target="vbaProject.bin"/>\
</Relationships>"""

WORKBOOK = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" \
xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">\
<workbookPr codeName="ThisWorkbook"/><bookViews><workbookView/></bookViews>\
<sheets><sheet name="iupjong" sheetId="1" r:id="rId1"/></sheets></workbook>"""

SHEET = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">\
<sheetPr codeName="Sheet1"/><dimension ref="A1"/><sheetData><row r="1"><c r="A1" t="inlineStr"><is>\
<t>iupjong-xl: 이업종 리본 추가 기능 (addin/README.md)</t></is></c></row></sheetData></worksheet>"""

STYLES = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">\
<fonts count="1"><font><sz val="11"/><name val="맑은 고딕"/><family val="3"/><charset val="129"/></font></fonts>\
<fills count="2"><fill><patternFill patternType="none"/></fill><fill><patternFill patternType="gray125"/></fill></fills>\
<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>\
<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>\
<cellXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/></cellXfs>\
<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles></styleSheet>"""

CORE = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" \
xmlns:dc="http://purl.org/dc/elements/1.1/">\
<dc:title>이업종 (iupjong-xl)</dc:title><dc:creator>iupjong-xl</dc:creator>\
<dc:description>이업종 교류 보고서 검증·취합 리본 (xlwings RunPython)</dc:description></cp:coreProperties>"""


def crlf(text: str) -> str:
    return text.replace("\r\n", "\n").replace("\n", "\r\n")


def read_module(path: Path) -> ovba.Module:
    """A .bas (standard) or .cls (document or class) source; its VB_Name must be its file name."""
    text = path.read_text(encoding="ascii")  # code page 1252 streams; keep sources ASCII (Korean via hex, see Ko)
    source = crlf(text)
    name = re.match(r'Attribute VB_Name = "([A-Za-z][A-Za-z0-9_]*)"', source)
    if name is None or name.group(1) != path.stem:
        raise SystemExit(f"{path.name}: first line must be Attribute VB_Name = \"{path.stem}\"")
    if path.suffix == ".bas":
        kind = "standard"
    else:
        base = re.search(r'Attribute VB_Base = "([^"]+)"', source)
        kind = "document" if base and base.group(1) in DOCUMENT_BASES else "class"
    return ovba.Module(path.stem, kind, source)


def modules(folder: Path = HERE) -> list[ovba.Module]:
    found = [read_module(p) for p in sorted(folder.glob("*.bas")) + sorted(folder.glob("*.cls"))]
    rank = {n: i for i, n in enumerate(MODULE_ORDER)}
    return sorted(found, key=lambda m: (rank.get(m.name, len(rank)), m.kind != "standard", m.name))


def parts(folder: Path = HERE) -> list[tuple[str, bytes]]:
    """Every part of the package, in the order they are zipped."""
    custom_ui = (folder / "customUI.xml").read_bytes()
    return [
        ("[Content_Types].xml", CONTENT_TYPES.encode()),
        ("_rels/.rels", ROOT_RELS.encode()),
        ("docProps/core.xml", CORE.encode()),
        ("customUI/customUI14.xml", custom_ui),
        ("xl/workbook.xml", WORKBOOK.encode()),
        ("xl/_rels/workbook.xml.rels", WORKBOOK_RELS.encode()),
        ("xl/worksheets/sheet1.xml", SHEET.encode()),
        ("xl/styles.xml", STYLES.encode()),
        ("xl/vbaProject.bin", ovba.vba_project(PROJECT_ID, PROJECT_NAME, modules(folder))),
    ]


def build(folder: Path = HERE) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_STORED) as z:
        for name, data in parts(folder):
            info = zipfile.ZipInfo(name, date_time=ZIP_TIME)
            info.create_system = 0
            info.external_attr = 0
            z.writestr(info, data)
    return buf.getvalue()


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("-o", "--output", type=Path, default=TARGET)
    ap.add_argument("--check", action="store_true", help="compare the existing file with a fresh build")
    args = ap.parse_args(argv)
    data = build()
    if args.check:
        same = args.output.exists() and args.output.read_bytes() == data
        print(f"{args.output}: {'up to date' if same else 'DIFFERS from a fresh build (run python addin/build.py)'}")
        return 0 if same else 1
    args.output.write_bytes(data)
    print(f"{args.output} ({len(data):,} bytes)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
