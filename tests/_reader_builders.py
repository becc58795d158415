"""Tiny byte-level writers for test workbooks that openpyxl/xlsxwriter cannot make:
an OLE2 compound file, a BIFF8 .xls, an .xlsb and an .ods."""

from __future__ import annotations

import struct
import zipfile
from pathlib import Path

ENDOFCHAIN = 0xFFFFFFFE
FREESECT = 0xFFFFFFFF
FATSECT = 0xFFFFFFFD
NOSTREAM = 0xFFFFFFFF
SECTOR = 512


# --------------------------------------------------------------------------- OLE2


def _dir_entry(name: str, typ: int, child: int, right: int, start: int, size: int) -> bytes:
    raw = name.encode("utf-16-le") + b"\x00\x00" if name else b""
    entry = raw.ljust(64, b"\x00")
    entry += struct.pack("<HBB", len(raw), typ, 1 if typ else 0)
    entry += struct.pack("<III", NOSTREAM, right, child)
    entry += b"\x00" * 16 + b"\x00" * 4 + b"\x00" * 16
    entry += struct.pack("<IQ", start, size)
    assert len(entry) == 128
    return entry


def cfb(streams: dict[str, bytes]) -> bytes:
    """A version-3 compound file with the given top-level streams (each padded to
    at least 4096 bytes so that no mini stream is needed)."""
    names = sorted(streams, key=lambda n: (len(n), n.upper()))
    datas = [streams[n].ljust(4096, b"\x00") for n in names]
    n_entries = 1 + len(names)
    dir_sectors = -(-n_entries // 4)
    fat: list[int] = [FATSECT] + [i + 2 for i in range(dir_sectors - 1)] + [ENDOFCHAIN]
    starts: list[int] = []
    body = b""
    for data in datas:
        data = data.ljust(-(-len(data) // SECTOR) * SECTOR, b"\x00")
        count = len(data) // SECTOR
        first = len(fat)
        starts.append(first)
        fat += [first + i + 1 for i in range(count - 1)] + [ENDOFCHAIN]
        body += data
    assert len(fat) <= 128, "test helper supports one FAT sector only"
    fat_sector = struct.pack("<128I", *(fat + [FREESECT] * (128 - len(fat))))

    entries = [_dir_entry("Root Entry", 5, 1 if names else NOSTREAM, NOSTREAM, ENDOFCHAIN, 0)]
    for i, name in enumerate(names):
        right = i + 2 if i + 1 < len(names) else NOSTREAM
        entries.append(_dir_entry(name, 2, NOSTREAM, right, starts[i], len(datas[i])))
    while len(entries) < dir_sectors * 4:
        entries.append(_dir_entry("", 0, NOSTREAM, NOSTREAM, 0, 0))
    directory = b"".join(entries)

    header = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 16
    header += struct.pack("<HHHHH", 0x3E, 3, 0xFFFE, 9, 6) + b"\x00" * 6
    header += struct.pack("<IIIIIIIII", 0, 1, 1, 0, 4096, ENDOFCHAIN, 0, ENDOFCHAIN, 0)
    header += struct.pack("<109I", 0, *([FREESECT] * 108))
    assert len(header) == SECTOR
    return header + fat_sector + directory + body


# --------------------------------------------------------------------------- BIFF8 .xls


def _rec(typ: int, body: bytes = b"") -> bytes:
    return struct.pack("<HH", typ, len(body)) + body


def _bof(dt: int) -> bytes:
    return _rec(0x0809, struct.pack("<HHHHII", 0x0600, dt, 0x0DBB, 0x07CC, 0, 6))


def _short_name(name: str) -> bytes:
    try:
        raw, flag = name.encode("latin-1"), 0
    except UnicodeEncodeError:
        raw, flag = name.encode("utf-16-le"), 1
    return struct.pack("<BB", len(name), flag) + raw


def _cell_record(r: int, c: int, value: object) -> bytes:
    head = struct.pack("<HHH", r, c, 0)
    if isinstance(value, tuple) and value[0] == "err":  # ("err", code) typed error
        return _rec(0x0205, head + struct.pack("<BB", value[1], 1))
    if isinstance(value, tuple) and value[0] == "ferr":  # ("ferr", code) formula error
        cached = struct.pack("<BBBBHH", 2, 0, value[1], 0, 0, 0xFFFF)
        rgce = b"\x1e\x01\x00\x1e\x00\x00\x06"  # 1/0
        return _rec(0x0006, head + cached + struct.pack("<HIH", 0, 0, len(rgce)) + rgce)
    if isinstance(value, bool):
        return _rec(0x0205, head + struct.pack("<BB", int(value), 0))
    if isinstance(value, (int, float)):
        return _rec(0x0203, head + struct.pack("<d", float(value)))
    assert isinstance(value, str)
    try:
        raw, flag = value.encode("latin-1"), 0
    except UnicodeEncodeError:
        raw, flag = value.encode("utf-16-le"), 1
    return _rec(0x0204, head + struct.pack("<HB", len(value), flag) + raw)


def xls_bytes(
    sheets: list[tuple[str, int, dict[tuple[int, int], object]]], *, filepass: bool = False
) -> bytes:
    """BIFF8 workbook stream wrapped in OLE2.  sheets: (name, hsState 0/1/2, {(r, c): value}).
    Values: str, float/int, bool, ("err", code) typed error, ("ferr", code) formula error."""
    substreams = []
    for _, _, cells in sheets:
        rows = [r for r, _ in cells] or [0]
        cols = [c for _, c in cells] or [0]
        dims = struct.pack("<IIHHH", min(rows), max(rows) + 1, min(cols), max(cols) + 1, 0)
        body = _bof(0x0010) + _rec(0x0200, dims)
        for (r, c), v in sorted(cells.items()):
            body += _cell_record(r, c, v)
        substreams.append(body + _rec(0x000A))
    globals_ = _bof(0x0005)
    if filepass:
        globals_ += _rec(0x002F, struct.pack("<HHH", 1, 1, 1) + b"\x11" * 48)
    globals_ += _rec(0x0042, struct.pack("<H", 1200))
    sheet_recs = [
        (struct.pack("<BB", state, 0) + _short_name(name)) for name, state, _ in sheets
    ]
    size = len(globals_) + sum(4 + 4 + len(s) for s in sheet_recs) + 4
    out = globals_
    pos = size
    for rec, sub in zip(sheet_recs, substreams, strict=True):
        out += _rec(0x0085, struct.pack("<I", pos) + rec)
        pos += len(sub)
    out += _rec(0x000A)
    assert len(out) == size
    return cfb({"Workbook": out + b"".join(substreams)})


# --------------------------------------------------------------------------- .xlsb


def _b12(typ: int, body: bytes = b"") -> bytes:
    if typ < 0x80:
        head = bytes([typ])
    else:
        head = bytes([(typ & 0x7F) | 0x80, (typ >> 7) & 0x7F])
    size, enc = len(body), b""
    while True:
        b = size & 0x7F
        size >>= 7
        enc += bytes([b | (0x80 if size else 0)])
        if not size:
            break
    return head + enc + body


def _wide(s: str) -> bytes:
    return struct.pack("<I", len(s)) + s.encode("utf-16-le")


def xlsb_file(path: Path, sheets: list[tuple[str, int, dict[tuple[int, int], object]]]) -> None:
    """sheets: (name, hsState, {(r, c): value}); values: str, float, ("err", code), ("ferr", code)."""
    wb = b""
    rels = []
    for i, (name, state, _) in enumerate(sheets, 1):
        wb += _b12(0x009C, struct.pack("<II", state, i) + _wide(f"rId{i}") + _wide(name))
        rels.append(
            f'<Relationship Id="rId{i}" Type="http://schemas.openxmlformats.org/officeDocument/'
            f'2006/relationships/worksheet" Target="worksheets/sheet{i}.bin"/>'
        )
    wb += _b12(0x0090) + _b12(0x009D, b"\x00" * 8)
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr(
            "[Content_Types].xml",
            '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/'
            'content-types"/>',
        )
        zf.writestr("xl/workbook.bin", wb)
        zf.writestr(
            "xl/_rels/workbook.bin.rels",
            '<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/'
            'package/2006/relationships">' + "".join(rels) + "</Relationships>",
        )
        for i, (_, _, cells) in enumerate(sheets, 1):
            rows = [r for r, _ in cells] or [0]
            cols = [c for _, c in cells] or [0]
            sh = _b12(0x0081) + _b12(
                0x0094, struct.pack("<IIII", min(rows), max(rows), min(cols), max(cols))
            )
            sh += _b12(0x0091)
            current = None
            for (r, c), v in sorted(cells.items()):
                if r != current:
                    sh += _b12(0x0000, struct.pack("<I", r) + b"\x00" * 13)
                    current = r
                head = struct.pack("<II", c, 0)
                if isinstance(v, tuple) and v[0] == "err":
                    sh += _b12(0x0003, head + bytes([v[1]]))
                elif isinstance(v, tuple) and v[0] == "ferr":
                    sh += _b12(0x000B, head + bytes([v[1]]) + struct.pack("<HII", 0, 0, 0))
                elif isinstance(v, (int, float)):
                    sh += _b12(0x0005, head + struct.pack("<d", float(v)))
                else:
                    sh += _b12(0x0006, head + _wide(str(v)))
            sh += _b12(0x0092) + _b12(0x0082)
            zf.writestr(f"xl/worksheets/sheet{i}.bin", sh)


# --------------------------------------------------------------------------- .ods

_ODS_NS = (
    'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
    'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
    'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" '
    'xmlns:style="urn:oasis:names:tc:opendocument:xmlns:style:1.0" '
    'xmlns:calcext="urn:org:documentfoundation:names:experimental:calc:xmlns:calcext:1.0"'
)


def ods_file(path: Path, tables: list[tuple[str, bool, str]]) -> None:
    """tables: (name, hidden, inner XML of table:table (rows))."""
    body = "".join(
        f'<table:table table:name="{name}" table:style-name="{"ta2" if hidden else "ta1"}">'
        f"{rows}</table:table>"
        for name, hidden, rows in tables
    )
    content = (
        f'<?xml version="1.0" encoding="UTF-8"?><office:document-content {_ODS_NS} '
        'office:version="1.2"><office:automatic-styles>'
        '<style:style style:name="ta1" style:family="table">'
        '<style:table-properties table:display="true"/></style:style>'
        '<style:style style:name="ta2" style:family="table">'
        '<style:table-properties table:display="false"/></style:style>'
        "</office:automatic-styles><office:body><office:spreadsheet>"
        f"{body}</office:spreadsheet></office:body></office:document-content>"
    )
    manifest = (
        '<?xml version="1.0" encoding="UTF-8"?><manifest:manifest '
        'xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" '
        'manifest:version="1.2"><manifest:file-entry manifest:full-path="/" '
        'manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/>'
        '<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/>'
        "</manifest:manifest>"
    )
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr(
            zipfile.ZipInfo("mimetype"),
            "application/vnd.oasis.opendocument.spreadsheet",
            compress_type=zipfile.ZIP_STORED,
        )
        zf.writestr("content.xml", content)
        zf.writestr("META-INF/manifest.xml", manifest)
