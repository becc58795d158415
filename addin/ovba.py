"""A VBA project (vbaProject.bin) from module sources: [MS-OVBA] compression, dir, PROJECT and PROJECTwm streams."""

from __future__ import annotations

import struct
from dataclasses import dataclass

import cfb

CODE_PAGE = 1252
ENCODING = "cp1252"
LCID = 0x0409
HOST_EXTENDER = "&H00000001={3832D640-CF90-11CF-8E43-00A0C911005A};VBE;&H00000000"
STDOLE = ("stdole", "*\\G{00020430-0000-0000-C000-000000000046}#2.0#0#C:\\Windows\\System32\\stdole2.tlb#OLE Automation")
WORKBOOK_BASE = "0{00020819-0000-0000-C000-000000000046}"
SHEET_BASE = "0{00020820-0000-0000-C000-000000000046}"


@dataclass(frozen=True)
class Module:
    """One VBA module: its name, kind ("standard" .bas, "document" .cls of the workbook or a sheet) and source."""

    name: str
    kind: str
    source: str  # stream form: Attribute lines first, CRLF line ends


# ------------------------------------------------------------------------------------------ compression (2.4.1)


def compress(data: bytes) -> bytes:
    """[MS-OVBA] 2.4.1 CompressedContainer: longest match (nearest on ties) per position, 4096-byte chunks."""
    out = bytearray(b"\x01")
    for start in range(0, len(data), 4096):
        chunk = data[start:start + 4096]
        packed = _compress_chunk(chunk)
        if len(packed) > 4096 and len(chunk) == 4096:
            out += struct.pack("<H", 0x3000 | 4095) + chunk  # stored raw (flag 0)
        else:
            out += struct.pack("<H", 0xB000 | (len(packed) + 2 - 3)) + packed
    return bytes(out)


def _split(pos: int) -> tuple[int, int]:
    """(bit count of the offset, maximum length) of a copy token at decompressed chunk position pos."""
    bits = max((pos - 1).bit_length(), 4)
    return bits, (0xFFFF >> bits) + 3


def _compress_chunk(chunk: bytes) -> bytes:
    out = bytearray()
    heads: dict[bytes, list[int]] = {}
    pos, n = 0, len(chunk)

    def remember(i: int) -> None:
        if i + 3 <= n:
            heads.setdefault(chunk[i:i + 3], []).append(i)

    while pos < n:
        flag_at = len(out)
        out.append(0)
        flags = 0
        for bit in range(8):
            if pos >= n:
                break
            bits, max_len = _split(pos)
            best_len, best_at = 0, 0
            for cand in reversed(heads.get(chunk[pos:pos + 3], [])):
                length = 0
                limit = min(max_len, n - pos)
                while length < limit and chunk[cand + length] == chunk[pos + length]:
                    length += 1
                if length > best_len:
                    best_len, best_at = length, cand
                    if length == limit:
                        break
            if best_len >= 3:
                token = ((pos - best_at - 1) << (16 - bits)) | (best_len - 3)
                out += struct.pack("<H", token)
                flags |= 1 << bit
                for i in range(pos, pos + best_len):
                    remember(i)
                pos += best_len
            else:
                out.append(chunk[pos])
                remember(pos)
                pos += 1
        out[flag_at] = flags
    return bytes(out)


# -------------------------------------------------------------------------------------------- dir stream (2.3.4.2)


def _rec(rid: int, data: bytes) -> bytes:
    return struct.pack("<HI", rid, len(data)) + data


def _mbcs(text: str) -> bytes:
    return text.encode(ENCODING)


def dir_stream(project_name: str, modules: list[Module]) -> bytes:
    """The decompressed dir stream: project information, one reference (stdole), the modules."""
    out = bytearray()
    out += _rec(0x0001, struct.pack("<I", 3))  # SYSKIND: 64-bit Windows (no compiled cache is written anyway)
    out += _rec(0x0002, struct.pack("<I", LCID))
    out += _rec(0x0014, struct.pack("<I", LCID))
    out += _rec(0x0003, struct.pack("<H", CODE_PAGE))
    out += _rec(0x0004, _mbcs(project_name))
    out += _rec(0x0005, b"") + _rec(0x0040, b"")  # docstring, ANSI and Unicode
    out += _rec(0x0006, b"") + _rec(0x003D, b"")  # help file, twice
    out += _rec(0x0007, struct.pack("<I", 0))  # help context
    out += _rec(0x0008, struct.pack("<I", 0))  # lib flags
    out += struct.pack("<HIIH", 0x0009, 4, 1, 0)  # VERSION: reserved size 4, then major (4) and minor (2)
    out += _rec(0x000C, b"") + _rec(0x003C, b"")  # constants
    name, libid = STDOLE
    out += _rec(0x0016, _mbcs(name)) + _rec(0x003E, name.encode("utf-16-le"))
    lib = _mbcs(libid)
    out += struct.pack("<HII", 0x000D, 4 + len(lib) + 6, len(lib)) + lib + struct.pack("<IH", 0, 0)
    out += _rec(0x000F, struct.pack("<H", len(modules)))
    out += _rec(0x0013, struct.pack("<H", 0xFFFF))
    for m in modules:
        out += _rec(0x0019, _mbcs(m.name)) + _rec(0x0047, m.name.encode("utf-16-le"))
        out += _rec(0x001A, _mbcs(m.name)) + _rec(0x0032, m.name.encode("utf-16-le"))
        out += _rec(0x001C, b"") + _rec(0x0048, b"")
        out += _rec(0x0031, struct.pack("<I", 0))  # text offset: no performance cache before the source
        out += _rec(0x001E, struct.pack("<I", 0))
        out += _rec(0x002C, struct.pack("<H", 0xFFFF))
        out += _rec(0x0021 if m.kind == "standard" else 0x0022, b"")
        out += _rec(0x002B, b"")
    out += _rec(0x0010, b"")
    return bytes(out)


# -------------------------------------------------------------------------------- PROJECT stream (2.3.1, 2.4.3)


def encrypt(project_id: str, data: bytes, seed: int) -> str:
    """[MS-OVBA] 2.4.3.2 data encryption as upper-case hex; a fixed seed makes the output reproducible."""
    version, key = 2, sum(_mbcs(project_id)) & 0xFF
    enc = [seed, seed ^ version, seed ^ key]
    unenc1, enc1, enc2 = key, enc[2], enc[1]

    def put(byte: int) -> None:
        nonlocal unenc1, enc1, enc2
        e = byte ^ ((enc2 + unenc1) & 0xFF)
        enc.append(e)
        enc2, enc1, unenc1 = enc1, e, byte

    for _ in range((seed & 6) // 2):
        put(0)
    for byte in struct.pack("<I", len(data)) + data:
        put(byte)
    return bytes(enc).hex().upper()


def decrypt(project_id: str, text: str) -> bytes:
    """The inverse of encrypt (2.4.3.3), for tests."""
    raw = bytes.fromhex(text)
    seed, key = raw[0], raw[2] ^ raw[0]
    unenc1, enc1, enc2 = key, raw[2], raw[1]
    plain = []
    for e in raw[3:]:
        byte = e ^ ((enc2 + unenc1) & 0xFF)
        plain.append(byte)
        enc2, enc1, unenc1 = enc1, e, byte
    plain = plain[(seed & 6) // 2:]
    length = struct.unpack("<I", bytes(plain[:4]))[0]
    return bytes(plain[4:4 + length])


def project_stream(project_id: str, project_name: str, modules: list[Module]) -> bytes:
    lines = [f'ID="{project_id}"']
    for m in modules:
        lines.append(f"Document={m.name}/&H00000000" if m.kind == "document" else f"Module={m.name}")
    cmg = encrypt(project_id, bytes(4), 0x21)  # protection state: none
    dpb = encrypt(project_id, bytes(1), 0x43)  # password: none
    gc = encrypt(project_id, bytes([0xFF]), 0x65)  # visibility: visible
    lines += [f'Name="{project_name}"', 'HelpContextID="0"', 'VersionCompatible32="393222000"',
              f'CMG="{cmg}"', f'DPB="{dpb}"', f'GC="{gc}"',
              "", "[Host Extender Info]", HOST_EXTENDER, "", "[Workspace]"]
    lines += [f"{m.name}=0, 0, 0, 0, C" for m in modules]
    return _mbcs("\r\n".join(lines) + "\r\n")


def project_wm(modules: list[Module]) -> bytes:
    return b"".join(_mbcs(m.name) + b"\0" + m.name.encode("utf-16-le") + b"\0\0" for m in modules) + b"\0\0"


# ---------------------------------------------------------------------------------------------------- assembly


def document_header(name: str, base: str) -> str:
    """The attribute header Excel stores for the workbook or a sheet document module."""
    return (f'Attribute VB_Name = "{name}"\r\nAttribute VB_Base = "{base}"\r\n'
            "Attribute VB_GlobalNameSpace = False\r\nAttribute VB_Creatable = False\r\n"
            "Attribute VB_PredeclaredId = True\r\nAttribute VB_Exposed = True\r\n"
            "Attribute VB_TemplateDerived = False\r\nAttribute VB_Customizable = True\r\n")


def vba_project(project_id: str, project_name: str, modules: list[Module]) -> bytes:
    """vbaProject.bin: VBA/{_VBA_PROJECT, dir, modules}, PROJECT, PROJECTwm. No p-code: Office compiles the source."""
    names = [m.name.casefold() for m in modules]
    if len(set(names)) != len(names):
        raise ValueError("duplicate module names")
    vba = [cfb.stream("_VBA_PROJECT", struct.pack("<HHBH", 0x61CC, 0xFFFF, 0x00, 0x0003)),
           cfb.stream("dir", compress(dir_stream(project_name, modules)))]
    vba += [cfb.stream(m.name, compress(_mbcs(m.source))) for m in modules]
    return cfb.write([cfb.storage("VBA", *vba), cfb.stream("PROJECT", project_stream(project_id, project_name, modules)),
                      cfb.stream("PROJECTwm", project_wm(modules))])
