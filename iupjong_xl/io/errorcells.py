"""Excel error cells (#DIV/0!, #N/A, ...) that python-calamine reads as "": a small format-specific scan finds them."""

from __future__ import annotations

import re
import struct
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from iupjong_xl.io.a1 import col_index

_ERROR_CODES = {
    0x00: "#NULL!",
    0x07: "#DIV/0!",
    0x0F: "#VALUE!",
    0x17: "#REF!",
    0x1D: "#NAME?",
    0x24: "#NUM!",
    0x2A: "#N/A",
    0x2B: "#GETTING_DATA",
}

_XLSX_C_TAG = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?c\s")
_XML_SPACE = (b" ", b"\t", b"\n", b"\r")
_XLSX_R_ATTR = re.compile(rb"\sr\s*=\s*[\"']([A-Za-z]{1,3})([0-9]{1,7})[\"']")
_XLSX_V = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?v(?:\s[^>]*)?>([^<]*)<")
_XLSX_C_END = re.compile(rb"</(?:[A-Za-z_][\w.-]*:)?c>")
_XML_ENTITIES = {b"&amp;": b"&", b"&lt;": b"<", b"&gt;": b">", b"&quot;": b'"', b"&apos;": b"'"}


def _find_all(data: bytes, needles: tuple[bytes, ...]) -> list[int]:
    hits: list[int] = []
    for needle in needles:
        pos = data.find(needle)
        while pos >= 0:
            hits.append(pos)
            pos = data.find(needle, pos + 1)
    return sorted(hits)


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _unescape(raw: bytes) -> str:
    for ent, ch in _XML_ENTITIES.items():
        raw = raw.replace(ent, ch)
    return raw.decode("utf-8", "replace").strip()


class _BrokenPart(Exception):
    """A part that calamine accepted but which is visibly cut short, or XML no Office file holds (a DTD)."""


_DTD = re.compile(rb"<!(?:DOCTYPE|ENTITY)")
MAX_XML_DEPTH = 100  # workbook.xml and its relationships are a few levels deep


def _no_dtd(data: bytes, part: str) -> None:
    """Office files never declare a DTD or entities (Open Packaging Conventions); such a part is an attack
    (billion laughs, external entities) or damage, and is not parsed."""
    if _DTD.search(data, 0, 1 << 16):
        raise _BrokenPart(f"{part} declares a DTD or XML entities, which no Office file does")


def _tree(data: bytes, part: str) -> Any:
    """The parsed root of a small XML part; _BrokenPart when it has a DTD, is nested absurdly deep or is not XML."""
    import io
    import xml.etree.ElementTree as ET

    _no_dtd(data, part)
    depth = 0
    root = None
    try:
        for event, el in ET.iterparse(io.BytesIO(data), events=("start", "end")):
            if event == "start":
                depth += 1
                if root is None:
                    root = el
                if depth > MAX_XML_DEPTH:
                    raise _BrokenPart(f"{part} is nested more than {MAX_XML_DEPTH} levels deep")
            else:
                depth -= 1
    except ET.ParseError as exc:
        raise _BrokenPart(f"{part} is not well-formed XML ({exc})") from exc
    if root is None:
        raise _BrokenPart(f"{part} is empty")
    return root


_XLSX_TAIL = re.compile(rb"</(?:[A-Za-z_][\w.-]*:)?worksheet>\s*\Z")


def _member_of(target: str | None, members: dict[str, str]) -> str | None:
    """The zip member a workbook relationship target points at ("worksheets/sheet1.xml", "/xl/...", "../x")."""
    if not target:
        return None
    target = target.lstrip("/") if target.startswith("/") else "xl/" + target
    parts: list[str] = []
    for seg in target.split("/"):
        if seg == "..":
            if parts:
                parts.pop()
        elif seg and seg != ".":
            parts.append(seg)
    return members.get("/".join(parts).lower())


class _ErrorScan:
    """Finds cells holding Excel error values, which python-calamine reads as ""."""

    def __init__(self, path: Path, fmt: str, sheet_names: list[str]) -> None:
        self.path = path
        self.format = fmt
        self.sheet_names = sheet_names
        self._all: dict[str, dict[tuple[int, int], str]] | None = None

    def sheet(self, name: str) -> dict[tuple[int, int], str]:
        if self.format == "xlsx":
            return self._xlsx(name)
        if self.format == "xlsb":
            return self._xlsb(name)
        if self._all is None:
            self._all = {}
            if self.format == "xls":
                self._all = self._xls()
            elif self.format == "ods":
                self._all = self._ods()
        return self._all.get(name, {})

    # ---- xlsx / xlsm
    def _ooxml_part(self, zf: zipfile.ZipFile, name: str, binary: bool) -> str | None:
        """The zip member of a sheet; the workbook and its relationships are parsed once per workbook."""
        cache = self.__dict__.setdefault("_parts", {})
        if name not in cache:
            cache[name] = self._find_part(zf, name, binary)
        return cache[name]

    def _find_part(self, zf: zipfile.ZipFile, name: str, binary: bool) -> str | None:

        if not binary and "_sheet_parts" not in self.__dict__:
            self.__dict__["_sheet_parts"] = self._all_parts(zf)
        if not binary and name in self.__dict__["_sheet_parts"]:
            return self.__dict__["_sheet_parts"][name]

        members = {n.lower(): n for n in zf.namelist()}
        wb_name = "xl/workbook.bin" if binary else "xl/workbook.xml"
        rels_name = "xl/_rels/workbook.bin.rels" if binary else "xl/_rels/workbook.xml.rels"
        rels: dict[str, str] = {}
        if rels_name in members:
            for el in _tree(zf.read(members[rels_name]), rels_name).iter():
                if _local(el.tag) == "Relationship":
                    rels[el.get("Id", "")] = el.get("Target", "")
        rel_id: str | None = None
        if binary:
            rel_id = _xlsb_rel_id(zf.read(members[wb_name]), name)
        else:
            for el in _tree(zf.read(members[wb_name]), wb_name).iter():
                if _local(el.tag) == "sheet" and el.get("name") == name:
                    rel_id = next((v for k, v in el.attrib.items() if _local(k) == "id"), None)
                    break
        return _member_of(rels.get(rel_id or ""), members)

    def _all_parts(self, zf: zipfile.ZipFile) -> dict[str, str | None]:
        """Sheet name -> zip member for every sheet of an .xlsx, from one read of workbook.xml and its rels."""

        members = {n.lower(): n for n in zf.namelist()}
        if "xl/workbook.xml" not in members:
            return {}
        rels: dict[str, str] = {}
        if "xl/_rels/workbook.xml.rels" in members:
            for el in _tree(zf.read(members["xl/_rels/workbook.xml.rels"]), "xl/_rels/workbook.xml.rels").iter():
                if _local(el.tag) == "Relationship":
                    rels[el.get("Id", "")] = el.get("Target", "")
        out: dict[str, str | None] = {}
        for el in _tree(zf.read(members["xl/workbook.xml"]), "xl/workbook.xml").iter():
            if _local(el.tag) != "sheet":
                continue
            rel_id = next((v for k, v in el.attrib.items() if _local(k) == "id"), None)
            out.setdefault(el.get("name", ""), _member_of(rels.get(rel_id or ""), members))
        return out

    def _zip(self) -> zipfile.ZipFile:
        """The workbook's zip, opened once for all its sheets (closed by close())."""
        zf = self.__dict__.get("_zf")
        if zf is None:
            zf = self.__dict__["_zf"] = zipfile.ZipFile(self.path)
        return zf

    def close(self) -> None:
        zf = self.__dict__.pop("_zf", None)
        if zf is not None:
            zf.close()

    def _xlsx(self, name: str) -> dict[tuple[int, int], str]:
        zf = self._zip()
        part = self._ooxml_part(zf, name, binary=False)
        if part is None:
            return {}
        data = zf.read(part)
        _no_dtd(data, part)
        if not _XLSX_TAIL.search(data[-256:]) and not _well_formed(data):
            # calamine silently returns an empty sheet for some truncated parts
            raise _BrokenPart("broken XML (worksheet part is cut short)")
        if b't="e"' not in data and b"t='e'" not in data:
            return {}
        found: dict[tuple[int, int], str] = {}
        for hit in _find_all(data, (b't="e"', b"t='e'")):
            start = data.rfind(b"<", 0, hit)
            close = data.find(b">", hit)
            if start < 0 or close < 0 or data[hit - 1 : hit] not in _XML_SPACE:
                continue
            tag = data[start : close + 1]
            if not _XLSX_C_TAG.match(tag):
                continue  # t="e" on some other element
            ref = _XLSX_R_ATTR.search(tag)
            if ref is None:
                return _xlsx_errors_by_position(data)
            if tag.endswith(b"/>"):
                continue
            end = _XLSX_C_END.search(data, close)
            body = data[close + 1 : end.start() if end else len(data)]
            v = _XLSX_V.search(body)
            if v is None:
                continue
            text = _unescape(v.group(1))
            if text:
                found[(int(ref.group(2)) - 1, col_index(ref.group(1).decode()))] = text
        return found

    # ---- xlsb
    def _xlsb(self, name: str) -> dict[tuple[int, int], str]:
        with zipfile.ZipFile(self.path) as zf:
            part = self._ooxml_part(zf, name, binary=True)
            if part is None:
                return {}
            data = zf.read(part)
        found: dict[tuple[int, int], str] = {}
        row = 0
        for typ, body in _biff12_records(data):
            if typ == 0x0000 and len(body) >= 4:  # BrtRowHdr
                row = struct.unpack_from("<I", body)[0]
            elif typ in (0x0003, 0x000B) and len(body) >= 9:  # BrtCellError, BrtFmlaError
                col = struct.unpack_from("<I", body)[0]
                text = _ERROR_CODES.get(body[8])
                if text:
                    found[(row, col)] = text
            elif typ == 0x0092:  # BrtEndSheetData
                break
        return found

    # ---- xls
    def _xls(self) -> dict[str, dict[tuple[int, int], str]]:
        import olefile

        with olefile.OleFileIO(str(self.path)) as ole:
            stream = next((s for s in ("Workbook", "Book") if ole.exists(s)), None)
            if stream is None:
                return {}
            data = ole.openstream(stream).read()
        sheets: list[tuple[int, str]] = []
        biff8 = True
        codepage = 1252
        for typ, body, _ in _biff_records(data, 0):
            if typ == 0x0809 and len(body) >= 2:  # BOF
                biff8 = struct.unpack_from("<H", body)[0] == 0x0600
            elif typ == 0x002F:  # FILEPASS: records are encrypted
                return {}
            elif typ == 0x0042 and len(body) >= 2:  # CODEPAGE
                codepage = struct.unpack_from("<H", body)[0]
            elif typ == 0x0085 and len(body) >= 8:  # BOUNDSHEET
                pos = struct.unpack_from("<I", body)[0]
                sheets.append((pos, _biff_sheet_name(body[6:], biff8, codepage)))
            elif typ == 0x000A:  # EOF of the globals substream
                break
        if len(sheets) == len(self.sheet_names):  # calamine keeps BOUNDSHEET order
            sheets = [(pos, real) for (pos, _), real in zip(sheets, self.sheet_names, strict=False)]
        result: dict[str, dict[tuple[int, int], str]] = {}
        for pos, sheet_name in sheets:
            found: dict[tuple[int, int], str] = {}
            depth = 0
            for typ, body, _ in _biff_records(data, pos):
                if typ == 0x0809:
                    depth += 1
                    continue
                if typ == 0x000A:
                    depth -= 1
                    if depth <= 0:
                        break
                    continue
                if depth != 1 or len(body) < 8:
                    continue
                if typ == 0x0205 and body[7] == 1:  # BOOLERR holding an error
                    text = _ERROR_CODES.get(body[6])
                elif typ == 0x0006 and len(body) >= 14 and body[6] == 2 and body[12:14] == b"\xff\xff":
                    text = _ERROR_CODES.get(body[8])  # FORMULA whose cached result is an error
                else:
                    continue
                if text:
                    r, c = struct.unpack_from("<HH", body)
                    found[(r, c)] = text
            if found:
                result[sheet_name] = found
        return result

    # ---- ods
    def _ods(self) -> dict[str, dict[tuple[int, int], str]]:
        import io
        import xml.etree.ElementTree as ET

        with zipfile.ZipFile(self.path) as zf:
            member = next((n for n in zf.namelist() if n.lower() == "content.xml"), None)
            if member is None:
                return {}
            data = zf.read(member)
        _no_dtd(data, member)
        if b'value-type="error"' not in data and b"value-type='error'" not in data:
            return {}
        result: dict[str, dict[tuple[int, int], str]] = {}
        current: dict[tuple[int, int], str] | None = None
        depth = 0  # nesting of table:table (sub-tables inside cells are ignored)
        row = col = 0
        pending: list[tuple[int, str]] = []
        for event, el in ET.iterparse(io.BytesIO(data), events=("start", "end")):
            tag = _local(el.tag)
            if tag == "table":
                if event == "start":
                    depth += 1
                    if depth == 1:
                        current = result.setdefault(_attr(el, "name"), {})
                        row = 0
                else:
                    depth -= 1
                    if depth == 0:
                        current = None
                        el.clear()
                continue
            if depth != 1 or current is None:
                continue
            if tag == "table-row":
                if event == "start":
                    col = 0
                    pending = []
                else:
                    repeat = _int_attr(el, "number-rows-repeated")
                    for k in range(min(repeat, 1000) if pending else 0):
                        for c, text in pending:
                            current[(row + k, c)] = text
                    row += repeat
                    el.clear()
            elif tag in ("table-cell", "covered-table-cell") and event == "end":
                repeat = _int_attr(el, "number-columns-repeated")
                if any(_local(k) == "value-type" and v == "error" for k, v in el.attrib.items()):
                    text = "".join(el.itertext()).strip()
                    if text:
                        for k in range(min(repeat, 1000)):
                            pending.append((col + k, text))
                col += repeat
        return {k: v for k, v in result.items() if v}


def _attr(el: Any, local: str) -> str:
    for k, v in el.attrib.items():
        if _local(k) == local:
            return v
    return ""


def _int_attr(el: Any, local: str) -> int:
    try:
        return max(1, int(_attr(el, local) or 1))
    except ValueError:
        return 1


def _well_formed(data: bytes) -> bool:
    import xml.etree.ElementTree as ET

    try:
        ET.fromstring(data)
    except ET.ParseError:
        return False
    return True


def _xlsx_errors_by_position(data: bytes) -> dict[tuple[int, int], str]:
    """Error cells of a sheet XML whose <c> elements lack the r attribute."""
    import io
    import xml.etree.ElementTree as ET

    found: dict[tuple[int, int], str] = {}
    row, col = -1, -1
    for event, el in ET.iterparse(io.BytesIO(data), events=("start", "end")):
        tag = _local(el.tag)
        if tag == "row" and event == "start":
            r = el.get("r")
            row = int(r) - 1 if r and r.isdigit() else row + 1
            col = -1
        elif tag == "c" and event == "end":
            ref = el.get("r")
            m = re.fullmatch(r"([A-Za-z]{1,3})([0-9]+)", ref or "")
            col = col_index(m.group(1)) if m else col + 1
            if el.get("t") == "e":
                v = next((x for x in el if _local(x.tag) == "v"), None)
                if v is not None and v.text and v.text.strip():
                    found[(row, col)] = v.text.strip()
        elif tag == "row" and event == "end":
            el.clear()
    return found


def _biff_records(data: bytes, pos: int) -> Iterator[tuple[int, bytes, int]]:
    n = len(data)
    while pos + 4 <= n:
        typ, size = struct.unpack_from("<HH", data, pos)
        body = data[pos + 4 : pos + 4 + size]
        yield typ, body, pos
        pos += 4 + size


def _biff_sheet_name(raw: bytes, biff8: bool, codepage: int) -> str:
    if not raw:
        return ""
    cch = raw[0]
    if biff8 and len(raw) >= 2:
        if raw[1] & 1:
            name = raw[2 : 2 + 2 * cch].decode("utf-16-le", "replace")
        else:
            name = raw[2 : 2 + cch].decode("latin-1")
    else:
        enc = "utf-16-le" if codepage == 1200 else f"cp{codepage}"
        try:
            name = raw[1 : 1 + cch].decode(enc, "replace")
        except LookupError:
            name = raw[1 : 1 + cch].decode("latin-1")
    return name.replace("\x00", "")


def _biff12_records(data: bytes) -> Iterator[tuple[int, bytes]]:
    pos, n = 0, len(data)
    while pos < n:
        b = data[pos]
        pos += 1
        typ = b & 0x7F
        if b & 0x80:
            if pos >= n:
                return
            typ |= (data[pos] & 0x7F) << 7
            pos += 1
        size = 0
        for i in range(4):
            if pos >= n:
                return
            b = data[pos]
            pos += 1
            size |= (b & 0x7F) << (7 * i)
            if not b & 0x80:
                break
        yield typ, data[pos : pos + size]
        pos += size


def _xlsb_rel_id(workbook_bin: bytes, name: str) -> str | None:
    for typ, body in _biff12_records(workbook_bin):
        if typ == 0x009C and len(body) >= 12:  # BrtBundleSh
            rel_len = struct.unpack_from("<I", body, 8)[0]
            if rel_len == 0xFFFFFFFF:
                continue
            rel_end = 12 + 2 * rel_len
            rel = body[12:rel_end].decode("utf-16-le", "replace")
            if len(body) >= rel_end + 4:
                cch = struct.unpack_from("<I", body, rel_end)[0]
                sheet = body[rel_end + 4 : rel_end + 4 + 2 * cch].decode("utf-16-le", "replace")
                if sheet == name:
                    return rel
        elif typ == 0x0090:  # BrtEndBundleShs
            break
    return None


