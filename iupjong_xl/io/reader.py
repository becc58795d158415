"""Open any workbook (xlsx, xlsm, xls, xlsb, ods) with python-calamine; sheets as grids that remember A1 cells; file-level problems as typed errors."""

# What python-calamine 0.9.x gives back, and what this module makes of it
# -----------------------------------------------------------------------
#
# * Coordinates.  `CalamineSheet.to_python()` skips the empty rows/columns above
#   and left of the first used cell unless `skip_empty_area=False` is passed; we
#   always pass it, so `Grid.rows[r][c]` is the cell at 0-based `(r, c)` counted
#   from A1 (`a1(r, c)` names it).  `to_python(nrows=n)` counts rows from A1 too
#   (`nrows=0` makes calamine panic, so it is never passed).
# * Empty cells come back as `""`.  Styled cells without a value, and (xlsx)
#   cells holding an empty string, e.g. a template formula whose result is "",
#   do not extend the sheet.  Rows are rectangular up to the last used column;
#   trailing rows that are completely `""` are stripped here.  A worksheet part
#   whose XML is cut short makes calamine fail or (sometimes) return an empty
#   sheet; the latter is caught here too (FILE_CORRUPT from `grid()`).
# * Numbers: `float` for xlsx/xlsm/ods (`5` reads as `5.0`); xls and xlsb may
#   also give `int` (RK-encoded integers).  Booleans: `bool` (ODS files written
#   by LibreOffice may store them as 1.0/0.0).  Strings: `str`, not stripped.
# * Dates are recognised from the number format: a whole-day serial becomes
#   `datetime.date`, a serial with a time part `datetime.datetime`, a serial
#   below 1 `datetime.time`; duration formats (`[h]:mm`) give
#   `datetime.timedelta`.  A date outside years 1..9999 stays a `float`.
# * Formula cells give their *cached* result (what Excel last computed and saved);
#   formulas are never evaluated.  A formula saved without a cached value (files
#   written by openpyxl and never opened in Excel) reads as `""`; xlsxwriter's
#   default cached value is `0`.
# * Excel error values (`#DIV/0!`, `#N/A`, `#VALUE!`, `#REF!`, `#NAME?`,
#   `#NUM!`, `#NULL!`), whether typed or the cached result of a formula, are
#   turned into `""` by python-calamine (indistinguishable from an empty cell),
#   and calamine's xlsb reader drops formula errors altogether.  This module
#   recovers them with a small format-specific scan of the file (xlsx/xlsm sheet
#   XML `t="e"` cells, xls BIFF8/BIFF5 BOOLERR/FORMULA records, xlsb
#   BrtCellError/BrtFmlaError records, ods `calcext:value-type="error"` cells,
#   i.e. files written by LibreOffice) and puts the error string, e.g.
#   `"#DIV/0!"`, into the grid.  The scan is best effort: if it fails, cells stay
#   `""` and no exception escapes from it.
# * Hidden and very hidden sheets are reported via `sheets_metadata`; xlsx very
#   hidden is kept, LibreOffice-written xls/ods only know "hidden".
# * Calamine chooses its reader from the file extension when opening by path, and
#   sniffs the content when reading from a file object; a file whose extension
#   does not match its content (an .xls renamed .xlsx) is opened by content.

from __future__ import annotations

import contextlib
import hashlib
import io
import os
import re
import stat
import struct
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import cast

from python_calamine import (
    CalamineWorkbook,
    PasswordError,
    SheetTypeEnum,
    SheetVisibleEnum,
    WorksheetNotFound,
    XmlError,
)

from iupjong_xl.io.a1 import a1, col_letter
from iupjong_xl.io.errorcells import _BrokenPart, _ErrorScan

__all__ = [
    "FILE_PROBLEM_CODES",
    "WORKBOOK_SUFFIXES",
    "FileProblem",
    "Found",
    "Grid",
    "Workbook",
    "a1",
    "col_letter",
    "discover",
    "open_workbook",
    "sha256_file",
]

WORKBOOK_SUFFIXES: frozenset[str] = frozenset({".xlsx", ".xlsm", ".xls", ".xlsb", ".ods"})

FILE_PROBLEM_CODES: frozenset[str] = frozenset(
    {"FILE_EMPTY", "FILE_NOT_WORKBOOK", "FILE_CORRUPT", "FILE_ENCRYPTED", "FILE_UNREADABLE", "FILE_OLD_FORMAT",
     "FILE_XLSB_UNREADABLE", "FILE_TOO_COMPLEX"}
)
MAX_ZIP_ENTRIES = 10_000  # a workbook has a few dozen parts; tens of thousands is a zip bomb of the "many entries" kind

_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ZIP_MAGICS = (b"PK\x03\x04", b"PK\x05\x06", b"PK\x07\x08")
_SUFFIX_FORMAT = {".xlsx": "xlsx", ".xlsm": "xlsx", ".xls": "xls", ".xlsb": "xlsb", ".ods": "ods"}
_CHUNK = 1 << 20


NOT_WORKBOOK_KO = {  # what a file that is not a workbook turned out to be, in Korean
    "PDF document": "PDF 문서", "PNG image": "PNG 그림", "JPEG image": "JPEG 그림", "GIF image": "GIF 그림",
    "RAR archive": "RAR 압축 파일", "7-Zip archive": "7-Zip 압축 파일", "gzip archive": "gzip 압축 파일",
    "TIFF image": "TIFF 그림", "RTF document": "RTF 문서", "Hangul (HWP 3) document": "한글(HWP 3) 문서",
    "UTF-16 text file": "UTF-16 텍스트 파일", "MHTML web archive (web page saved with a spreadsheet extension)":
    "MHTML 웹 보관 파일(웹 페이지를 엑셀 확장자로 저장함)", "Excel 2003 XML spreadsheet (not supported; save as .xlsx)":
    "Excel 2003 XML 스프레드시트(지원하지 않음, .xlsx로 저장하세요)", "HTML file (web page saved with a spreadsheet extension)":
    "HTML 파일(웹 페이지를 엑셀 확장자로 저장함)", "XML/markup text file": "XML 텍스트 파일",
    "text file (e.g. CSV)": "텍스트 파일(예: CSV)", "Word document (.doc)": "Word 문서(.doc)",
    "PowerPoint document": "PowerPoint 문서", "Hangul (HWP) document": "한글(HWP) 문서",
    "OLE2 compound file without a Workbook stream": "통합문서가 들어 있지 않은 OLE2 복합 파일",
    "Word document (.docx)": "Word 문서(.docx)", "PowerPoint document (.pptx)": "PowerPoint 문서(.pptx)",
    "Hangul (HWPX) document": "한글(HWPX) 문서", "ZIP archive that contains no workbook": "통합문서가 없는 ZIP 압축 파일",
}


class FileProblem(Exception):
    """A file that cannot be read as a workbook. .code is a stable rule-book code, .detail a short English detail."""

    code: str
    detail: str
    path: str

    def __init__(self, code: str, detail: str, path: str | os.PathLike[str] = "") -> None:
        path = os.fspath(path)
        super().__init__(code, detail, path)
        self.code = code
        self.detail = detail
        self.path = path

    @property
    def detail_ko(self) -> str | None:
        """The detail in Korean where it is known (what kind of file it is), else None (the English one is shown)."""
        if self.code != "FILE_NOT_WORKBOOK":
            return None
        if self.detail.startswith("not a workbook file ("):
            what = self.detail[len("not a workbook file ("):].split(";")[0]
            ext = what.replace("extension ", "확장자 ").replace("no extension", "확장자 없음")
            return f"통합문서 파일이 아님 ({ext}; .xlsx, .xlsm, .xls, .xlsb, .ods 가운데 하나여야 함)"
        base = self.detail.removesuffix(", not a workbook")
        ko = NOT_WORKBOOK_KO.get(base)
        return None if ko is None else f"{ko}, 통합문서가 아님"

    def __str__(self) -> str:
        where = f" ({self.path})" if self.path else ""
        return f"{self.code}: {self.detail}{where}"


# --------------------------------------------------------------------------- cells


@dataclass(frozen=True, slots=True)
class Grid:
    """One sheet's values; rows[r][c] is the cell at 0-based (r, c) from A1, "" when empty.

    ``total_rows`` is the sheet's height from A1 (last used row + 1).  When the
    grid is not truncated it equals ``n_rows``; when truncated (``max_rows`` was
    given and the sheet is taller) ``rows`` holds at most ``max_rows`` rows.
    """

    name: str
    rows: list[list[object]]
    truncated: bool
    total_rows: int

    def value(self, r: int, c: int) -> object:
        """The cell value at 0-based (r, c); "" when out of range."""
        if r < 0 or c < 0 or r >= len(self.rows):
            return ""
        row = self.rows[r]
        return row[c] if c < len(row) else ""

    @property
    def n_rows(self) -> int:
        return len(self.rows)


# --------------------------------------------------------------------------- workbook


def _is_panic(exc: BaseException) -> bool:
    # pyo3's PanicException derives from BaseException, not Exception.
    return type(exc).__name__ == "PanicException"


class Workbook:
    """An open workbook; use as a context manager."""

    path: Path
    format: str  # "xlsx" (also xlsm), "xls", "xlsb" or "ods": the content, not the extension
    sheet_names: list[str]
    hidden_sheets: set[str]
    skipped_sheets: list[tuple[str, str]]  # (name, "macro" | "dialog"): sheets that hold no cells to read

    def __init__(self, path: Path, cw: CalamineWorkbook, fmt: str, shown: str | None = None,
                 skipped: Iterable[tuple[str, str]] = ()) -> None:
        self.path = path
        self._shown = str(path) if shown is None else shown
        self.format = fmt
        self._cw: CalamineWorkbook | None = cw
        self.skipped_sheets = list(skipped)
        for m in cw.sheets_metadata:  # the enum is not hashable
            if m.typ == SheetTypeEnum.MacroSheet or m.typ == SheetTypeEnum.DialogSheet:
                self.skipped_sheets.append((m.name, "macro" if m.typ == SheetTypeEnum.MacroSheet else "dialog"))
        gone = {name for name, _ in self.skipped_sheets}
        self.sheet_names = [n for n in cw.sheet_names if n not in gone]
        self.hidden_sheets = {
            m.name for m in cw.sheets_metadata if m.visible != SheetVisibleEnum.Visible and m.name not in gone
        }
        self._errors: _ErrorScan | None = None

    def grid(self, name: str, max_rows: int | None = None) -> Grid:
        """Read one sheet (see Grid).  Raises KeyError for an unknown sheet name and
        FileProblem("FILE_CORRUPT") when the sheet cannot be parsed."""
        if self._cw is None:
            raise ValueError("workbook is closed")
        if name not in self.sheet_names:
            raise KeyError(name)
        if max_rows is not None and max_rows < 0:
            raise ValueError(f"max_rows must be >= 0, got {max_rows}")
        try:
            sheet = self._cw.get_sheet_by_name(name)
            end = sheet.end
            height = end[0] + 1 if end is not None else 0
            truncated = max_rows is not None and height > max_rows
            if not truncated:
                rows = list(sheet.to_python(skip_empty_area=False))
            elif max_rows:
                rows = sheet.to_python(skip_empty_area=False, nrows=max_rows)
            else:
                rows = []
        except BaseException as exc:
            if not isinstance(exc, Exception) and not _is_panic(exc):
                raise
            if isinstance(exc, WorksheetNotFound):
                why = "it is listed but its data is missing"
            elif isinstance(exc, XmlError):
                why = f"broken XML ({_exc_text(exc)})"
            else:
                why = _exc_text(exc)
            code = "FILE_XLSB_UNREADABLE" if self.format == "xlsb" else "FILE_CORRUPT"
            raise FileProblem(code, f"sheet {name!r} cannot be read: {why}", self._shown) from exc

        errors = self._sheet_errors(name)
        if errors:
            limit = max_rows if truncated else None
            for (r, c), text in errors.items():
                height = max(height, r + 1)
                if limit is not None and r >= limit:
                    continue
                while len(rows) <= r:
                    rows.append([""] * len(rows[0]) if rows else [])
                row = rows[r]
                if len(row) <= c:
                    row.extend([""] * (c + 1 - len(row)))
                if row[c] == "":
                    row[c] = text
            if max_rows is not None and height > max_rows:
                truncated = True
                del rows[max_rows:]

        while rows and not any(v != "" for v in rows[-1]):
            rows.pop()
        total = height if truncated else len(rows)
        return Grid(name=name, rows=cast(list[list[object]], rows), truncated=truncated, total_rows=total)

    def _sheet_errors(self, name: str) -> dict[tuple[int, int], str]:
        if self._errors is None:
            self._errors = _ErrorScan(self.path, self.format, self.sheet_names)
        try:
            return self._errors.sheet(name)
        except _BrokenPart as exc:
            raise FileProblem(
                "FILE_CORRUPT", f"sheet {name!r} cannot be read: {exc}", self._shown
            ) from exc
        except Exception:  # best effort: never fail a readable workbook because of it
            return {}

    def close(self) -> None:
        cw, self._cw = self._cw, None
        if cw is not None:
            with contextlib.suppress(Exception):
                cw.close()
        if self._errors is not None:
            self._errors.close()
            self._errors = None

    def __enter__(self) -> Workbook:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    def __repr__(self) -> str:
        state = "closed" if self._cw is None else "open"
        return f"<Workbook {str(self.path)!r} {self.format} {state} sheets={self.sheet_names!r}>"


def _exc_text(exc: BaseException) -> str:
    text = str(exc).strip() or type(exc).__name__
    return text if len(text) <= 300 else text[:297] + "..."


# --------------------------------------------------------------------------- sniffing

_TEXT_CONTROL = frozenset(range(0x20)) - {0x09, 0x0A, 0x0C, 0x0D, 0x1B}


def _sniff(head: bytes) -> tuple[str, str]:
    """(kind, description) of the first bytes of a file.

    kind: "ole", "zip", "not" (clearly not a workbook) or "unknown"."""
    if head.startswith(_OLE_MAGIC):
        return "ole", "OLE2 compound file"
    if head.startswith(_ZIP_MAGICS):
        return "zip", "ZIP archive"
    signatures = (
        (b"%PDF", "PDF document"),
        (b"\x89PNG\r\n\x1a\n", "PNG image"),
        (b"\xff\xd8\xff", "JPEG image"),
        (b"GIF87a", "GIF image"),
        (b"GIF89a", "GIF image"),
        (b"Rar!\x1a\x07", "RAR archive"),
        (b"7z\xbc\xaf\x27\x1c", "7-Zip archive"),
        (b"\x1f\x8b", "gzip archive"),
        (b"II*\x00", "TIFF image"),
        (b"MM\x00*", "TIFF image"),
        (b"{\\rtf", "RTF document"),
        (b"HWP Document File", "Hangul (HWP 3) document"),
    )
    for magic, desc in signatures:
        if head.startswith(magic):
            return "not", desc
    if _looks_like_text(head):
        low = head.lstrip(b"\xef\xbb\xbf \t\r\n").lower()
        if low.startswith(b"\xff\xfe") or low.startswith(b"\xfe\xff"):
            return "not", "UTF-16 text file"
        if low.startswith(b"mime-version:"):
            return "not", "MHTML web archive (web page saved with a spreadsheet extension)"
        if b"urn:schemas-microsoft-com:office:spreadsheet" in head:
            return "not", "Excel 2003 XML spreadsheet (not supported; save as .xlsx)"
        if low.startswith((b"<!doctype html", b"<html", b"<table", b"<meta")) or b"<html" in low[:1024]:
            return "not", "HTML file (web page saved with a spreadsheet extension)"
        if low.startswith(b"<?xml") or low.startswith(b"<"):
            return "not", "XML/markup text file"
        return "not", "text file (e.g. CSV)"
    return "unknown", "unrecognised binary file"


def _looks_like_text(head: bytes) -> bool:
    if head.startswith((b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff")):
        return True
    if not head or b"\x00" in head:
        return False
    sample = head[:4096]
    controls = sum(1 for b in sample if b in _TEXT_CONTROL)
    return controls * 100 <= len(sample)


def _biff_globals(stream: bytes) -> tuple[int | None, int | None]:
    """(BOF version, FILEPASS encryption type) of a BIFF5/BIFF8 workbook stream; None where absent.

    FILEPASS (record 0x002F) in the globals substream means the records that follow are encrypted: type 0 is
    XOR obfuscation, 1 RC4 / RC4 CryptoAPI (Excel 97-2003 "password to open").  Record headers stay readable."""
    n = len(stream)
    if n < 6 or struct.unpack_from("<H", stream, 0)[0] != 0x0809:
        return None, None
    size = struct.unpack_from("<H", stream, 2)[0]
    version = struct.unpack_from("<H", stream, 4)[0] if size >= 2 else None
    pos = 4 + size
    while pos + 4 <= n:
        typ, size = struct.unpack_from("<HH", stream, pos)
        if typ == 0x002F:
            kind = struct.unpack_from("<H", stream, pos + 4)[0] if size >= 2 and pos + 6 <= n else 1
            return version, kind
        if typ in (0x000A, 0x0809):  # EOF of the globals substream (or a damaged one)
            break
        pos += 4 + size
    return version, None


def _ole_workbook_problem(path: Path) -> tuple[str, str] | None:
    """(code, detail) for an OLE2 workbook that is encrypted (EncryptionInfo stream, or a FILEPASS record: XOR/RC4)
    or a BIFF5 (Excel 5.0/95) workbook; None when it looks like an ordinary BIFF8 .xls or cannot be told."""
    import olefile  # lazy: import time matters

    try:
        with olefile.OleFileIO(str(path)) as ole:
            if ole.exists("EncryptionInfo") or ole.exists("EncryptedPackage"):
                return "FILE_ENCRYPTED", "workbook is password-protected (encrypted)"
            name = "Workbook" if ole.exists("Workbook") else "Book" if ole.exists("Book") else None
            if name is None:
                return None
            version, filepass = _biff_globals(ole.openstream(name).read())
    except Exception:
        needle = "EncryptionInfo".encode("utf-16-le")
        if _file_contains(path, needle):
            return "FILE_ENCRYPTED", "workbook is password-protected (encrypted)"
        return None
    if filepass is not None:
        how = "XOR obfuscation" if filepass == 0 else "RC4 encryption"
        return "FILE_ENCRYPTED", f"workbook is password-protected ({how})"
    if name == "Book" or (version is not None and version < 0x0600):
        return "FILE_OLD_FORMAT", "Excel 5.0/95 workbook (BIFF5)"
    return None


_OLD_BIFF_BOF = {0x0009: "Excel 2.x (BIFF2)", 0x0209: "Excel 3.0 (BIFF3)", 0x0409: "Excel 4.0 (BIFF4)"}


def _old_biff(head: bytes) -> str | None:
    """A description when the bytes start like an Excel 2.x-4.0 file (a bare BIFF2-4 BOF record, no OLE2)."""
    if len(head) < 8:
        return None
    typ, size = struct.unpack_from("<HH", head)
    if typ not in _OLD_BIFF_BOF or not 4 <= size <= 16:
        return None
    dt = struct.unpack_from("<H", head, 6)[0]
    if dt not in (0x0010, 0x0020, 0x0040, 0x0100):  # worksheet, chart, macro sheet, workbook (BIFF4W)
        return None
    return _OLD_BIFF_BOF[typ]


def _file_contains(path: Path, needle: bytes) -> bool:
    tail = b""
    with open(path, "rb") as f:
        while chunk := f.read(_CHUNK):
            if needle in tail + chunk[: len(needle)] or needle in chunk:
                return True
            tail = chunk[-len(needle) :]
    return False


def _classify_ole(path: Path) -> tuple[str, str] | None:
    """For an OLE2 file calamine could not open: (code, detail) if it is clearly not a workbook."""
    try:
        import olefile
    except ImportError:
        return None
    try:
        with olefile.OleFileIO(str(path)) as ole:
            if any(ole.exists(n) for n in ("Workbook", "Book")):
                return None
            if ole.exists("WordDocument"):
                return "FILE_NOT_WORKBOOK", "Word document (.doc), not a workbook"
            if ole.exists("PowerPoint Document"):
                return "FILE_NOT_WORKBOOK", "PowerPoint document, not a workbook"
            if ole.exists("FileHeader") and ole.exists("BodyText"):
                return "FILE_NOT_WORKBOOK", "Hangul (HWP) document, not a workbook"
            return "FILE_NOT_WORKBOOK", "OLE2 compound file without a Workbook stream"
    except Exception:
        return None


def _zip_format(names: Iterable[str]) -> tuple[str | None, str]:
    """(format or None, description) from the member names of a ZIP archive."""
    lowered = {n.lower() for n in names}
    if "xl/workbook.xml" in lowered:
        return "xlsx", "xlsx workbook"
    if "xl/workbook.bin" in lowered:
        return "xlsb", "xlsb workbook"
    if "content.xml" in lowered and ("mimetype" in lowered or "meta-inf/manifest.xml" in lowered):
        return "ods", "OpenDocument file"
    if "word/document.xml" in lowered:
        return None, "Word document (.docx), not a workbook"
    if "ppt/presentation.xml" in lowered:
        return None, "PowerPoint document (.pptx), not a workbook"
    if any(n.startswith("contents/section") for n in lowered):
        return None, "Hangul (HWPX) document, not a workbook"
    return None, "ZIP archive that contains no workbook"


# --------------------------------------------------------------------------- opening


def open_workbook(path: str | os.PathLike[str]) -> Workbook:
    """Open a workbook or raise FileProblem.

    Checks, in order: FILE_UNREADABLE (cannot stat/read), FILE_EMPTY (0 bytes),
    FILE_NOT_WORKBOOK (extension not in WORKBOOK_SUFFIXES; content that is
    clearly something else: text/CSV/HTML, PDF, images, a ZIP or OLE2 file
    holding no workbook such as .docx/.doc/.hwp), FILE_ENCRYPTED (OLE2 container
    with an EncryptionInfo/EncryptedPackage stream, or calamine's PasswordError,
    e.g. an .xls with a FILEPASS record), FILE_CORRUPT (anything else calamine
    cannot parse: truncated/damaged ZIP, broken XML, bad BIFF records).
    A file whose extension does not match its content is opened by content."""
    p = Path(path)
    shown = os.fspath(path)
    try:
        st = os.stat(p)
        if stat.S_ISDIR(st.st_mode):
            raise FileProblem("FILE_UNREADABLE", "is a directory, not a file", shown)
        if not stat.S_ISREG(st.st_mode):
            raise FileProblem("FILE_UNREADABLE", "not a regular file", shown)
        with open(p, "rb") as f:
            head = f.read(8192)
    except OSError as exc:
        raise FileProblem("FILE_UNREADABLE", exc.strerror or _exc_text(exc), shown) from exc
    if st.st_size == 0 or not head:
        raise FileProblem("FILE_EMPTY", "file is empty (0 bytes)", shown)
    suffix = p.suffix.lower()
    if suffix not in WORKBOOK_SUFFIXES:
        what = f"extension {suffix!r}" if suffix else "no extension"
        raise FileProblem(
            "FILE_NOT_WORKBOOK",
            f"not a workbook file ({what}; expected .xlsx, .xlsm, .xls, .xlsb or .ods)",
            shown,
        )
    kind, desc = _sniff(head)
    if kind == "not":
        raise FileProblem("FILE_NOT_WORKBOOK", f"{desc}, not a workbook", shown)
    old = _old_biff(head) if kind == "unknown" else None
    if old is not None:
        raise FileProblem("FILE_OLD_FORMAT", f"{old} file", shown)
    if kind == "ole":
        verdict = _ole_workbook_problem(p)
        if verdict is not None:
            raise FileProblem(verdict[0], verdict[1], shown)

    if kind == "zip":
        _zip_guard(p, shown)
    by_suffix = _SUFFIX_FORMAT[suffix]
    # calamine picks its reader from the extension, case-sensitively
    by_path = p.suffix in WORKBOOK_SUFFIXES
    try:
        if kind == "ole":
            if by_suffix == "xls" and by_path:
                return Workbook(p, CalamineWorkbook.from_path(p), "xls", shown)
            return Workbook(p, _from_content(p), "xls", shown)
        if kind == "zip":
            if by_suffix != "xls" and by_path:
                try:
                    return Workbook(p, CalamineWorkbook.from_path(p), by_suffix, shown)
                except PasswordError:
                    raise
                except BaseException as exc:
                    if not isinstance(exc, Exception) and not _is_panic(exc):
                        raise
                    real = _zip_real_format(p, exc, shown)
                    if real == by_suffix:
                        stripped = _without_macro_sheets(p) if real == "xlsx" else None
                        if stripped is None:
                            raise
                        data, names = stripped
                        return Workbook(p, CalamineWorkbook.from_filelike(io.BytesIO(data)), real, shown,
                                        skipped=[(n, "macro") for n in names])
            else:
                real = _zip_real_format(p, None, shown)
            # e.g. an .xlsx renamed .xls / .ods: let calamine sniff the content
            return Workbook(p, _from_content(p), real, shown)
        # unrecognised binary content: let calamine try, it will most likely fail
        cw = CalamineWorkbook.from_path(p) if by_path else _from_content(p)
        return Workbook(p, cw, by_suffix, shown)
    except FileProblem:
        raise
    except PasswordError as exc:
        raise FileProblem(
            "FILE_ENCRYPTED", f"workbook is password-protected: {_exc_text(exc)}", shown
        ) from exc
    except BaseException as exc:
        if not isinstance(exc, Exception) and not _is_panic(exc):
            raise
        if isinstance(exc, (FileNotFoundError, PermissionError)):
            raise FileProblem("FILE_UNREADABLE", exc.strerror or _exc_text(exc), shown) from exc
        if kind == "ole":
            verdict = _classify_ole(p)
            if verdict is not None:
                raise FileProblem(verdict[0], verdict[1], shown) from exc
        code = "FILE_XLSB_UNREADABLE" if kind == "zip" and _zip_is_xlsb(p) else "FILE_CORRUPT"
        raise FileProblem(code, f"cannot be parsed: {_exc_text(exc)}", shown) from exc


def _zip_is_xlsb(p: Path) -> bool:
    try:
        with zipfile.ZipFile(p) as zf:
            return _zip_format(zf.namelist())[0] == "xlsb"
    except (zipfile.BadZipFile, OSError, ValueError, EOFError):
        return False


def _from_content(p: Path) -> CalamineWorkbook:
    """Let calamine detect the format from the bytes (it reads the whole file)."""
    with open(p, "rb") as f:
        return CalamineWorkbook.from_filelike(f)


_SHEET_EL = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?sheet\s[^>]*?/>")
_ATTR = re.compile(rb"([\w.:-]+)\s*=\s*(?:\"([^\"]*)\"|'([^']*)')")


def _without_macro_sheets(p: Path) -> tuple[bytes, list[str]] | None:
    """An in-memory copy of an .xlsx/.xlsm without its Excel 4.0 macro sheets (which python-calamine refuses to
    open at all), and their names; None when the workbook has none.  The file itself is not changed."""
    try:
        with zipfile.ZipFile(p) as zf:
            members = {n.lower(): n for n in zf.namelist()}
            rels_name = members.get("xl/_rels/workbook.xml.rels")
            wb_name = members.get("xl/workbook.xml")
            if rels_name is None or wb_name is None:
                return None
            macro_ids: set[bytes] = set()
            for el in re.findall(rb"<(?:[A-Za-z_][\w.-]*:)?Relationship\s[^>]*>", zf.read(rels_name)):
                attrs = {m.group(1): m.group(2) or m.group(3) or b"" for m in _ATTR.finditer(el)}
                if attrs.get(b"Type", b"").lower().endswith(b"macrosheet"):
                    macro_ids.add(attrs.get(b"Id", b""))
            if not macro_ids:
                return None
            names: list[str] = []

            def drop(m: re.Match[bytes]) -> bytes:
                attrs = {k.split(b":")[-1]: v or w for k, v, w in _ATTR.findall(m.group(0))}
                if attrs.get(b"id") in macro_ids:
                    names.append(_xml_text(attrs.get(b"name", b"")))
                    return b""
                return m.group(0)

            workbook_xml = _SHEET_EL.sub(drop, zf.read(wb_name))
            if not names:
                return None
            buf = io.BytesIO()
            with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as out:
                for info in zf.infolist():
                    out.writestr(info, workbook_xml if info.filename == wb_name else zf.read(info))
    except (zipfile.BadZipFile, OSError, ValueError, EOFError, KeyError):
        return None
    return buf.getvalue(), names


def _xml_text(raw: bytes) -> str:
    import html

    return html.unescape(raw.decode("utf-8", "replace"))


def _zip_guard(p: Path, shown: str) -> None:
    """FILE_TOO_COMPLEX for a ZIP container with absurdly many entries (a damaged one is left to the reader)."""
    try:
        with zipfile.ZipFile(p) as zf:
            n = len(zf.infolist())
    except (zipfile.BadZipFile, OSError, ValueError, EOFError):
        return
    if n > MAX_ZIP_ENTRIES:
        raise FileProblem("FILE_TOO_COMPLEX", f"ZIP container with {n:,} parts (a workbook has far fewer than "
                          f"{MAX_ZIP_ENTRIES:,})", shown)


def _zip_real_format(p: Path, cause: BaseException | None, shown: str) -> str:
    """The workbook format inside a ZIP file, or FileProblem if it holds none or is damaged."""
    try:
        with zipfile.ZipFile(p) as zf:
            real, desc = _zip_format(zf.namelist())
    except (zipfile.BadZipFile, OSError, ValueError, EOFError) as exc:
        detail = _exc_text(cause if cause is not None else exc)
        raise FileProblem(
            "FILE_CORRUPT", f"damaged ZIP container (truncated?): {detail}", shown
        ) from (cause or exc)
    if real is None:
        raise FileProblem("FILE_NOT_WORKBOOK", desc, shown) from cause
    return real


# --------------------------------------------------------------------------- discovery


@dataclass(frozen=True, slots=True)
class Found:
    """A file to check.  display is the path as the user gave it (or joined under the
    given folder); skipped is None, "lock" (Excel "~$" owner file) or "not_found"."""

    display: str
    path: Path
    skipped: str | None


def _is_lock_name(name: str) -> bool:
    return name.startswith("~$")


def discover(paths: Iterable[str | os.PathLike[str]],
             exclude: Iterable[str | os.PathLike[str]] = ()) -> list[Found]:
    """Expand the given files and folders into the list of files to check.

    Files are taken as given (any extension).  Folders are walked recursively
    (symlinked folders are not followed); inside them only workbook files are
    taken (suffix in WORKBOOK_SUFFIXES, any case), Excel "~$" lock files among
    them marked skipped="lock"; hidden files and folders (".name") are ignored,
    and so is everything in the `exclude` folders (e.g. where marked-up copies
    are written).  Each folder's files are sorted by their posix relative path;
    argument order is kept; a file reached twice (same resolved path) is listed
    once."""
    out: list[Found] = []
    seen: set[str] = set()
    skip = [os.path.normcase(os.path.realpath(os.fspath(e))) for e in exclude]

    def add(display: str, skipped: str | None) -> None:
        key = os.path.normcase(os.path.realpath(display))
        if key in seen or any(key == e or key.startswith(e.rstrip(os.sep) + os.sep) for e in skip):
            return
        seen.add(key)
        out.append(Found(display=display, path=Path(display), skipped=skipped))

    for given in paths:
        text = os.fspath(given)
        if isinstance(text, bytes):
            text = os.fsdecode(text)
        if not os.path.exists(text):
            add(text, "not_found")
        elif os.path.isdir(text):
            found: list[tuple[str, str]] = []
            for dirpath, dirnames, filenames in os.walk(text):
                dirnames[:] = [d for d in dirnames if not d.startswith(".")]
                rel_dir = os.path.relpath(dirpath, text)
                for fn in filenames:
                    if fn.startswith("."):
                        continue
                    if os.path.splitext(fn)[1].lower() not in WORKBOOK_SUFFIXES:
                        continue
                    rel = fn if rel_dir == os.curdir else os.path.join(rel_dir, fn)
                    found.append((Path(rel).as_posix(), rel))
            found.sort(key=lambda item: item[0])
            for _, rel in found:
                name = os.path.basename(rel)
                add(os.path.join(text, rel), "lock" if _is_lock_name(name) else None)
        else:
            add(text, "lock" if _is_lock_name(os.path.basename(text)) else None)
    return out


def require_inputs(paths: Iterable[str | os.PathLike[str]],
                   exclude: Iterable[str | os.PathLike[str]] = ()) -> list[Found]:
    """discover(), for a command's inputs: a path that does not exist, or no workbook at all under the paths given
    (Excel lock files aside), is a UsageError that names the paths; nothing has been read."""
    from iupjong_xl.errors import UsageError

    given = [os.fsdecode(os.fspath(p)) for p in paths]
    missing = [p for p in given if not os.path.exists(p)]
    if missing:
        shown = ", ".join(missing)
        raise UsageError(f"{shown}: 이런 파일이나 폴더가 없습니다. 경로를 확인하세요.",
                         f"{shown}: no such file or folder; check the path", file=missing[0])
    found = discover(given, exclude)
    if not any(f.skipped is None for f in found):
        shown = ", ".join(given) or "(없음)"
        raise UsageError(f"{shown}에서 엑셀 파일({', '.join(sorted(WORKBOOK_SUFFIXES))})을 하나도 찾지 못했습니다.",
                         f"no workbook ({', '.join(sorted(WORKBOOK_SUFFIXES))}) found under {shown}",
                         file=given[0] if given else None)
    return found


def sha256_file(path: Path) -> str:
    """Hex SHA-256 of a file, read in 1 MiB chunks."""
    h = hashlib.sha256()
    buf = bytearray(_CHUNK)
    view = memoryview(buf)
    with open(path, "rb", buffering=0) as f:
        while n := f.readinto(view):
            h.update(view[:n])
    return h.hexdigest()
