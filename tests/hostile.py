"""A hostile-file corpus made by code at test time: every file is a way a workbook can hurt the reader.

``write_corpus(folder, valid_report)`` writes the files and returns {file name: expected code}; the expected code
is the one file-level finding the file must get (every one of them is an error).  Built from the tiny byte-level
writers of _reader_builders.py and from a valid report written by the template writer.  Generation takes about
three seconds; the largest files are the zip bomb (1.4 MB, 300 MiB inflated) and the 10^6 shared strings.
"""

from __future__ import annotations

import random
import struct
import zipfile
from pathlib import Path

from tests._reader_builders import _rec, _wide, cfb, ods_file, xls_bytes, xlsb_file

ENDOFCHAIN = 0xFFFFFFFE
BOMB_MIB = 300  # inflated size of the zip bomb's sheet: more than the memory cap the hostile tests use
FLIP_SEED = 16
FLIPS = 12  # seeded byte-flipped copies of the valid report
READ_SHEETS = ("_서식정보", "교류회", "회원사", "활동", "성과", "협력과제")  # the sheets validation reads


def _small_xls() -> bytes:
    return xls_bytes([("S", 0, {(r, c): f"v{r}{c}" if c % 2 else float(r * c) for r in range(20) for c in range(4)})])


def cfb_directory_loop() -> bytes:
    """The 1 KB .xls of the issue: the directory's sector chain points at itself; the reader asks for 4 GiB, 8 GiB, ..."""
    data = bytearray(_small_xls())
    fat = list(struct.unpack_from("<128I", data, 512))
    fat[1] = 1  # sector 1 (the directory) -> sector 1
    struct.pack_into("<128I", data, 512, *fat)
    return bytes(data)


def cfb_stream_loop() -> bytes:
    """The Workbook stream's chain loops back to its first sector (the stream size stays small)."""
    data = bytearray(_small_xls())
    fat = list(struct.unpack_from("<128I", data, 512))
    last = fat.index(ENDOFCHAIN, 2)
    fat[last] = 2
    struct.pack_into("<128I", data, 512, *fat)
    return bytes(data)


def cfb_stream_4gib() -> bytes:
    """The Workbook stream's directory entry claims 4 GiB - 16 bytes."""
    data = bytearray(_small_xls())
    struct.pack_into("<I", data, 1024 + 128 + 120, 0xFFFFFFF0)
    return bytes(data)


def cfb_fat_claims() -> bytes:
    """The header claims 2^31 FAT sectors and a DIFAT chain that starts at the FAT sector itself."""
    data = bytearray(_small_xls())
    struct.pack_into("<I", data, 0x2C, 0x7FFFFFFF)
    struct.pack_into("<II", data, 0x44, 0, 5)
    return bytes(data)


def xor_obfuscated_xls() -> bytes:
    """An Excel 97-2003 workbook with "password to open" in its weakest form: a FILEPASS record of type 0 (XOR
    obfuscation) and every record body after it XOR-ed, as Excel writes it (record headers stay readable)."""
    key = bytes(range(0x11, 0x21))
    globals_ = bytearray()
    globals_ += _rec(0x0809, struct.pack("<HHHHII", 0x0600, 0x0005, 0x0DBB, 0x07CC, 0, 6))
    globals_ += _rec(0x002F, struct.pack("<HHH", 0, 0x9C3E, 0xCC4B))
    body = _rec(0x0042, struct.pack("<H", 1200))
    out = bytearray()
    pos = 0
    while pos < len(body):
        typ, size = struct.unpack_from("<HH", body, pos)
        chunk = bytes(b ^ key[(i + pos) % 16] for i, b in enumerate(body[pos + 4 : pos + 4 + size]))
        out += struct.pack("<HH", typ, size) + chunk
        pos += 4 + size
    stream = bytes(globals_ + out + _rec(0x000A))
    return cfb({"Workbook": stream})


def biff4_xls() -> bytes:
    """An Excel 4.0 worksheet: bare BIFF4 records, no compound file."""
    bof = _rec(0x0409, struct.pack("<HHH", 0x0000, 0x0010, 0x0000))
    label = _rec(0x0204, struct.pack("<HHBBBH", 0, 0, 0, 0, 0, 3) + b"abc")
    return bof + label + _rec(0x000A)


def biff5_xls() -> bytes:
    """An Excel 5.0/95 workbook: a compound file with a "Book" stream of BIFF5 records."""
    bof = _rec(0x0809, struct.pack("<HHHH", 0x0500, 0x0005, 0x096C, 0x07C9))
    return cfb({"Book": bof + _rec(0x0042, struct.pack("<H", 949)) + _rec(0x000A)})


def xlsb_panic(path: Path) -> None:
    """An .xlsb whose sheet entry (BrtBundleSh) says its relationship id has 60 characters in a 26-byte record:
    the reader panics ("range end index ... out of range for slice", on stderr) instead of returning an error."""
    xlsb_file(path, [("S", 0, {(0, 0): "ok"})])
    with zipfile.ZipFile(path) as zf:
        parts = {i.filename: zf.read(i) for i in zf.infolist()}
    good = _wide("rId1")
    assert good in parts["xl/workbook.bin"]
    parts["xl/workbook.bin"] = parts["xl/workbook.bin"].replace(good, struct.pack("<I", 60) + "rId1".encode("utf-16-le"))
    _write_zip(path, parts)


def _write_zip(path: Path, parts: dict[str, bytes], level: int | None = None) -> None:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=level) as zf:
        for name, body in parts.items():
            zf.writestr(name, body)


def _parts(report: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(report) as zf:
        return {i.filename: zf.read(i) for i in zf.infolist()}


def _sheet_part(parts: dict[str, bytes], sheet: str) -> str:
    wbxml = parts["xl/workbook.xml"].decode()
    order = [p.split('"')[0] for p in wbxml.split('<sheet name="')[1:]]
    return f"xl/worksheets/sheet{order.index(sheet) + 1}.xml"


def zip_bomb(report: Path, path: Path) -> None:
    """The valid report whose 회원사 sheet inflates to BOMB_MIB MiB (whitespace inside <sheetData>), ratio ~200."""
    parts = _parts(report)
    name = _sheet_part(parts, "회원사")
    xml = parts[name]
    cut = xml.index(b"<sheetData>") + len(b"<sheetData>")
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as zf:
        for part, body in parts.items():
            if part != name:
                zf.writestr(part, body)
                continue
            with zf.open(part, "w", force_zip64=True) as fh:
                fh.write(xml[:cut])
                chunk = b" " * (1 << 20)
                for _ in range(BOMB_MIB):
                    fh.write(chunk)
                fh.write(xml[cut:])


def zip_many_entries(report: Path, path: Path, n: int = 20_000) -> None:
    """The valid report plus n tiny extra entries (a central directory the reader must walk)."""
    parts = _parts(report)
    for i in range(n):
        parts[f"customXml/item{i}.xml"] = b"<a/>"
    _write_zip(path, parts, level=1)


_LAUGHS = (b'<?xml version="1.0"?>\n<!DOCTYPE lolz [<!ENTITY lol "lol">'
           + b"".join(b'<!ENTITY lol%d "%s">' % (i, (b"&lol%d;" % (i - 1) if i > 1 else b"&lol;") * 10)
                      for i in range(1, 10))
           + b"]>\n")
_XXE = b'<?xml version="1.0"?>\n<!DOCTYPE x [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>\n'


def _with_dtd(xml: bytes, dtd: bytes, entity: bytes) -> bytes:
    """xml with its declaration replaced by dtd and the entity used in the first element's text."""
    body = xml.split(b"?>", 1)[1] if xml.startswith(b"<?xml") else xml
    close = body.index(b">") + 1
    return dtd + body[:close] + entity + body[close:]


def xml_attacks(report: Path, folder: Path) -> dict[str, str]:
    """Billion laughs and an external entity in each XML part the program parses itself (workbook, its
    relationships, a sheet, an .ods content.xml)."""
    parts = _parts(report)
    expected: dict[str, str] = {}
    targets = {"workbook": "xl/workbook.xml", "rels": "xl/_rels/workbook.xml.rels", "sheet": _sheet_part(parts, "회원사")}
    for label, part in targets.items():
        for attack, dtd, entity in (("laughs", _LAUGHS, b"&lol9;"), ("xxe", _XXE, b"&xxe;")):
            changed = dict(parts)
            changed[part] = _with_dtd(parts[part], dtd, entity)
            name = f"xml_{attack}_{label}.xlsx"
            _write_zip(folder / name, changed)
            expected[name] = "FILE_CORRUPT"
    # an .ods whose content.xml (read by the program for error cells) declares the entities; its first table is
    # the template id sheet, so it is read
    for attack, dtd, entity in (("laughs", _LAUGHS, b"&lol9;"), ("xxe", _XXE, b"&xxe;")):
        name = f"xml_{attack}_ods_content.ods"
        rows = ('<table:table-row><table:table-cell office:value-type="string"><text:p>template_id</text:p>'
                '</table:table-cell><table:table-cell office:value-type="string"><text:p>IUPJONG-CLUB-2009</text:p>'
                "</table:table-cell></table:table-row>")
        ods_file(folder / name, [("_서식정보", False, rows)])
        parts = _parts(folder / name)
        parts["content.xml"] = _with_dtd(parts["content.xml"], dtd, entity)
        with zipfile.ZipFile(folder / name, "w", zipfile.ZIP_DEFLATED) as zf:
            zf.writestr(zipfile.ZipInfo("mimetype"), parts.pop("mimetype"), compress_type=zipfile.ZIP_STORED)
            for part, body in parts.items():
                zf.writestr(part, body)
        expected[name] = "FILE_CORRUPT"
    return expected


def shared_strings_1e6(report: Path, path: Path, n: int = 1_000_000) -> None:
    """The valid report with 10^6 more shared strings, each used by one more 회원사 row (10^6 rows, 9 columns)."""
    parts = _parts(report)
    sst = parts["xl/sharedStrings.xml"]
    first = sst.count(b"<si>")
    end = sst.rindex(b"</sst>")
    parts["xl/sharedStrings.xml"] = sst[:end] + b"".join(b"<si><t>s%d</t></si>" % i for i in range(n)) + sst[end:]
    name = _sheet_part(parts, "회원사")
    xml = parts[name]
    cut = xml.index(b"</sheetData>")
    rows = b"".join(b'<row r="%d"><c r="I%d" t="s"><v>%d</v></c></row>' % (r + 100, r + 100, first + r)
                    for r in range(n))
    parts[name] = xml[:cut] + rows + xml[cut:]
    _write_zip(path, parts, level=1)


def many_member_rows(report: Path, path: Path, n: int = 800_000) -> None:
    """The valid report whose 회원사 sheet holds n more rows (company name, BRN, employees as inline values): what
    a reader truncates at max_rows (FILE_TOO_MANY_ROWS), and a marked-up copy would load whole (issue 19, point 8;
    800,000 rows is a ~20 MB upload)."""
    parts = _parts(report)
    name = _sheet_part(parts, "회원사")
    xml = parts[name]
    cut = xml.index(b"</sheetData>")
    rows = b"".join(b'<row r="%d"><c r="A%d" t="inlineStr"><is><t>company %d</t></is></c><c r="B%d" t="inlineStr">'
                    b'<is><t>%03d-%02d-%05d</t></is></c><c r="E%d"><v>%d</v></c></row>'
                    % (r, r, r, r, r % 1000, r % 100, r % 100000, r, r % 300) for r in range(100, 100 + n))
    parts[name] = xml[:cut] + rows + xml[cut:]
    _write_zip(path, parts, level=1)


def last_cell(report: Path, path: Path) -> None:
    """The valid report with a value in the very last cell of 회원사 (XFD1048576): 16,384 columns x 1,048,576 rows."""
    parts = _parts(report)
    name = _sheet_part(parts, "회원사")
    xml = parts[name]
    end = xml.index(b"</sheetData>")
    cell = b'<row r="1048576"><c r="XFD1048576" t="inlineStr"><is><t>x</t></is></c></row>'
    parts[name] = xml[:end] + cell + xml[end:]
    _write_zip(path, parts)


def deep_nesting(report: Path, path: Path, depth: int = 200_000) -> None:
    """The valid report whose workbook.xml holds 200,000 nested elements."""
    parts = _parts(report)
    xml = parts["xl/workbook.xml"]
    end = xml.rindex(b"</workbook>")
    parts["xl/workbook.xml"] = xml[:end] + b"<x>" * depth + b"</x>" * depth + xml[end:]
    _write_zip(path, parts)


def truncations(report: Path, folder: Path) -> dict[str, str]:
    """The valid report cut at every part boundary (each local file header, and just before the central
    directory)."""
    raw = report.read_bytes()
    with zipfile.ZipFile(report) as zf:
        cuts = sorted({i.header_offset for i in zf.infolist()} - {0})
        cuts.append(zf.start_dir)
    expected = {}
    for k, cut in enumerate(cuts):
        name = f"truncated_{k:02d}.xlsx"
        (folder / name).write_bytes(raw[:cut])
        expected[name] = "FILE_CORRUPT"
    return expected


def byte_flips(report: Path, folder: Path) -> dict[str, str]:
    """Seeded random byte flips inside the compressed data of the report's sheet parts (so the damage is never
    in a field nobody reads): the reader must call each of them damaged."""
    raw = report.read_bytes()
    rng = random.Random(FLIP_SEED)
    spans = []
    parts = _parts(report)
    read = {_sheet_part(parts, name) for name in READ_SHEETS}
    with zipfile.ZipFile(report) as zf:
        for info in zf.infolist():
            if info.filename in read and info.compress_size > 16:
                head = raw[info.header_offset : info.header_offset + 30]
                n, m = struct.unpack_from("<HH", head, 26)
                start = info.header_offset + 30 + n + m
                spans.append((start, start + info.compress_size))
    expected = {}
    for k in range(FLIPS):
        data = bytearray(raw)
        start, end = rng.choice(spans)
        for _ in range(rng.randint(1, 4)):
            pos = rng.randrange(start, end)
            data[pos] ^= rng.randrange(1, 256)
        name = f"flipped_{k:02d}.xlsx"
        (folder / name).write_bytes(bytes(data))
        expected[name] = "FILE_CORRUPT"
    return expected


def with_extra_sheet(report: Path, out: Path, kind: str, rows: int = 0) -> None:
    """report plus one Excel 4.0 macro sheet ("macro"), dialog sheet ("dialog") or ordinary worksheet ("plain");
    rows > 0: the sheet holds that many rows of three values instead (not a sheet of the report: a reader does not
    read it, a marked-up copy loads it whole)."""
    rel_type = {"macro": "http://schemas.microsoft.com/office/2006/relationships/xlMacrosheet",
                "dialog": "http://schemas.openxmlformats.org/officeDocument/2006/relationships/dialogsheet",
                "plain": "http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet"}[kind]
    folder = {"macro": "macrosheets", "dialog": "dialogsheets", "plain": "worksheets"}[kind]
    root = {"macro": "xm:macrosheet", "dialog": "dialogsheet", "plain": "worksheet"}[kind]
    ctype = {"macro": "application/vnd.ms-excel.macrosheet+xml",
             "dialog": "application/vnd.openxmlformats-officedocument.spreadsheetml.dialogsheet+xml",
             "plain": "application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"}[kind]
    body = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
            f'<{root} xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
            'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships" '
            'xmlns:xm="http://schemas.microsoft.com/office/excel/2006/main">'
            '<sheetData><row r="1"><c r="A1"><f>HALT()</f><v>1</v></c></row></sheetData>'
            f'</{root}>')
    if rows:
        data = "".join(f'<row r="{r}"><c r="A{r}" t="inlineStr"><is><t>memo {r}</t></is></c><c r="B{r}"><v>{r}</v></c>'
                       f'<c r="C{r}"><v>{r * 1.5}</v></c></row>' for r in range(1, rows + 1))
        body = body.replace('<row r="1"><c r="A1"><f>HALT()</f><v>1</v></c></row>', data)
    with zipfile.ZipFile(report) as zin, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            data = zin.read(info)
            if info.filename == "xl/workbook.xml":
                data = data.replace(b"</sheets>", '<sheet name="매크로1" sheetId="99" r:id="rId99"/></sheets>'.encode())
            elif info.filename == "xl/_rels/workbook.xml.rels":
                data = data.replace(b"</Relationships>", (f'<Relationship Id="rId99" Type="{rel_type}" '
                                                          f'Target="{folder}/sheet99.xml"/></Relationships>').encode())
            elif info.filename == "[Content_Types].xml":
                data = data.replace(b"</Types>", (f'<Override PartName="/xl/{folder}/sheet99.xml" '
                                                  f'ContentType="{ctype}"/></Types>').encode())
            zout.writestr(info, data)
        zout.writestr(f"xl/{folder}/sheet99.xml", body)


def write_corpus(folder: Path, report: Path) -> dict[str, str]:
    """Write every hostile file into folder; {file name: the code its one finding must have}."""
    folder.mkdir(parents=True, exist_ok=True)
    expected: dict[str, str] = {}

    def put(name: str, data: bytes, code: str) -> None:
        (folder / name).write_bytes(data)
        expected[name] = code

    put("cfb_directory_loop.xls", cfb_directory_loop(), "FILE_TOO_COMPLEX")
    put("cfb_stream_loop.xls", cfb_stream_loop(), "FILE_TEMPLATE_UNKNOWN")
    put("cfb_stream_4gib.xls", cfb_stream_4gib(), "FILE_TEMPLATE_UNKNOWN")
    put("cfb_fat_claims.xls", cfb_fat_claims(), "FILE_TEMPLATE_UNKNOWN")
    put("xor_obfuscated.xls", xor_obfuscated_xls(), "FILE_ENCRYPTED")
    put("excel4.xls", biff4_xls(), "FILE_OLD_FORMAT")
    put("excel95.xls", biff5_xls(), "FILE_OLD_FORMAT")
    xlsb_panic(folder / "panic.xlsb")
    expected["panic.xlsb"] = "FILE_XLSB_UNREADABLE"
    zip_bomb(report, folder / "zip_bomb.xlsx")
    expected["zip_bomb.xlsx"] = "FILE_TOO_COMPLEX"
    zip_many_entries(report, folder / "zip_many_entries.xlsx")
    expected["zip_many_entries.xlsx"] = "FILE_TOO_COMPLEX"
    expected.update(xml_attacks(report, folder))
    shared_strings_1e6(report, folder / "shared_strings_1e6.xlsx")
    expected["shared_strings_1e6.xlsx"] = "FILE_TOO_COMPLEX"
    last_cell(report, folder / "last_cell_xfd1048576.xlsx")
    expected["last_cell_xfd1048576.xlsx"] = "FILE_TOO_COMPLEX"
    deep_nesting(report, folder / "deep_nesting.xlsx")
    expected["deep_nesting.xlsx"] = "FILE_CORRUPT"
    expected.update(truncations(report, folder))
    expected.update(byte_flips(report, folder))
    return expected


def bomb_bytes() -> int:
    return BOMB_MIB << 20


__all__ = ["FLIPS", "bomb_bytes", "with_extra_sheet", "write_corpus"]

