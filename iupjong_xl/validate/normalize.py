"""Tolerant coercion of what people type into Excel cells: headers, numbers, Korean dates, yes/no, 사업자등록번호."""

from __future__ import annotations

import datetime
import functools
import math
import re
import unicodedata
from collections.abc import Callable
from decimal import Decimal, InvalidOperation
from fractions import Fraction
from typing import Any

__all__ = [
    "EXCEL_ERRORS",
    "CoerceError",
    "brn_check_digit",
    "coerce_bool",
    "coerce_date",
    "coerce_float",
    "coerce_int",
    "coerce_text",
    "excel_error",
    "format_brn",
    "is_blank",
    "is_valid_brn",
    "make_brn",
    "normalize_brn",
    "normalize_header",
    "split_brn_list",
]


class CoerceError(ValueError):
    """A value could not be read as the expected type; .reason is a short stable key."""

    REASONS = frozenset({"type", "format", "checksum", "fraction"})

    def __init__(self, reason: str, value: object) -> None:
        super().__init__(f"{reason}: {value!r}")
        self.reason = reason
        self.value = value


EXCEL_ERRORS: frozenset[str] = frozenset(
    {
        "#DIV/0!",
        "#N/A",
        "#VALUE!",
        "#REF!",
        "#NAME?",
        "#NUM!",
        "#NULL!",
        "#SPILL!",
        "#CALC!",
        "#GETTING_DATA",
        "#FIELD!",
        "#BLOCKED!",
        "#CONNECT!",
        "#BUSY!",
        "#UNKNOWN!",
    }
)
_EXCEL_ERRORS_UPPER = {e.upper(): e for e in EXCEL_ERRORS}
_LIBRE_ERROR_RE = re.compile(r"err:(\d{3})", re.IGNORECASE)

# Characters stripped at the ends of cell text besides str.strip()'s whitespace
# (which already covers U+3000 and NBSP): zero-width space/joiners and BOM.
_EXTRA_STRIP = "\u200b\u200c\u200d\u2060\ufeff"
_WS_RE = re.compile(r"[\s\u200b\u200c\u200d\u2060\ufeff]+")

# Dash-like characters NFKC leaves alone; all read as "-".
_HYPHENS = "\u2010\u2011\u2012\u2013\u2014\u2015\u2212\u30fc\uff0d\ufe63\u2043"
_HYPHEN_TABLE = str.maketrans({c: "-" for c in _HYPHENS})


def _strip(s: str) -> str:
    return s.strip().strip(_EXTRA_STRIP).strip()


def _nfkc(s: str) -> str:
    """NFKC, hyphen variants folded to "-", stripped."""
    return _strip(unicodedata.normalize("NFKC", s).translate(_HYPHEN_TABLE))


def is_blank(v: object) -> bool:
    """True for None, "" and whitespace-only strings (incl. U+3000, NBSP, zero-width)."""
    if v is None:
        return True
    if isinstance(v, str):
        return _strip(v) == ""
    return False


def excel_error(v: object) -> str | None:
    """The canonical error text if v is an Excel/LibreOffice error value string, else None."""
    if not isinstance(v, str):
        return None
    s = _strip(v)
    hit = _EXCEL_ERRORS_UPPER.get(s.upper())
    if hit is not None:
        return hit
    m = _LIBRE_ERROR_RE.fullmatch(s)
    if m:
        return f"Err:{m.group(1)}"
    return None


# ---------------------------------------------------------------- headers

_REQUIRED_MARK_RE = re.compile(
    r"[(\[<【〔〈「]\s*(?:필수|required|\*)\s*[)\]>】〕〉」]"
)


def normalize_header(text: object) -> str:
    """Header key for matching: NFKC, no whitespace, no required markers, casefolded."""
    if text is None or text == "":
        return ""
    if isinstance(text, str):
        return _normalize_header_text(text)
    return _normalize_header_text(coerce_text(text) or "")


@functools.lru_cache(maxsize=4096)
def _normalize_header_text(s: str) -> str:
    s = unicodedata.normalize("NFKC", s)
    s = _WS_RE.sub("", s).casefold()
    while True:
        t = _REQUIRED_MARK_RE.sub("", s).strip("*")
        if t == s:
            return s
        s = t


# ---------------------------------------------------------------- text


def coerce_text(v: object) -> str | None:
    """Cell value as display text; None if blank."""
    if is_blank(v):
        return None
    if isinstance(v, str):
        return _strip(v)
    if isinstance(v, bool):
        return "TRUE" if v else "FALSE"
    if isinstance(v, int):
        return str(v)
    if isinstance(v, float):
        if math.isfinite(v) and v.is_integer():
            return str(int(v))
        return repr(v)
    if isinstance(v, datetime.datetime):
        if v.time() == datetime.time(0, 0):
            return v.date().isoformat()
        return v.isoformat(sep=" ")
    if isinstance(v, (datetime.date, datetime.time)):
        return v.isoformat()
    return _strip(str(v)) or None


# ---------------------------------------------------------------- numbers

_UNIT_RE = re.compile(r"\s*(?:백만원|천원|원|회사|개사|개|건|회|명|점)$", re.ASCII)
_NEG_SIGNS = "-△▲"
_NUMBER_RE = re.compile(
    r"(?P<int>\d+(?:(?:,|\s+)\d{3})*)(?:\.(?P<frac>\d*))?|\.(?P<frac2>\d+)",
    re.ASCII,
)


def _parse_decimal(v: str) -> Decimal:
    """Parse a typed number string; raises CoerceError("type")."""
    s = _nfkc(v)
    unit_done = False
    m = _UNIT_RE.search(s)
    if m:
        s, unit_done = s[: m.start()], True
    neg = False
    if len(s) >= 2 and s[0] == "(" and s[-1] == ")":
        neg = True
        s = _strip(s[1:-1])
        if not unit_done and (m := _UNIT_RE.search(s)):
            s = s[: m.start()]
    if s and s[0] in _NEG_SIGNS + "+":
        if neg:
            raise CoerceError("type", v)
        neg = s[0] in _NEG_SIGNS
        s = s[1:].lstrip()
    m2 = _NUMBER_RE.fullmatch(s)
    if not m2:
        raise CoerceError("type", v)
    if m2.group("frac2") is not None:
        text = "0." + m2.group("frac2")
    else:
        text = re.sub(r"[,\s]", "", m2.group("int"))
        if m2.group("frac"):
            text += "." + m2.group("frac")
    try:
        d = Decimal(text)
    except InvalidOperation:  # pragma: no cover - regex guarantees digits
        raise CoerceError("type", v) from None
    return -d if neg else d


def coerce_int(v: object) -> int | None:
    """Whole number; None if blank. Units are stripped, never scaled."""
    if is_blank(v):
        return None
    if isinstance(v, bool):
        raise CoerceError("type", v)
    if isinstance(v, int):
        return v
    if isinstance(v, float):
        if not math.isfinite(v):
            raise CoerceError("type", v)
        if not v.is_integer():
            raise CoerceError("fraction", v)
        return int(v)
    if isinstance(v, str):
        d = _parse_decimal(v)
        if d != d.to_integral_value():
            raise CoerceError("fraction", v)
        return int(d)
    raise CoerceError("type", v)


def coerce_float(v: object) -> float | None:
    """Number as float; None if blank. Same tolerance as coerce_int; "%" is not accepted."""
    if is_blank(v):
        return None
    if isinstance(v, bool):
        raise CoerceError("type", v)
    if isinstance(v, int):
        return float(v)
    if isinstance(v, float):
        if not math.isfinite(v):
            raise CoerceError("type", v)
        return v
    if isinstance(v, str):
        return float(_parse_decimal(v))
    raise CoerceError("type", v)


# ---------------------------------------------------------------- dates

_EXCEL_EPOCH = datetime.date(1899, 12, 30)
_SERIAL_MAX = 2958465  # 9999-12-31

_WEEKDAY_RE = re.compile(
    r"\s*[(\[]\s*(?:[월화수목금토일](?:요일)?|"
    r"mon|tue|tues|wed|thu|thur|thurs|fri|sat|sun|"
    r"monday|tuesday|wednesday|thursday|friday|saturday|sunday)\.?\s*[)\]]$",
    re.IGNORECASE,
)
_TIME = (
    r"(?:(?:\s+|T)(?:(?:오전|오후|am|pm)\s*)?\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?"
    r"(?:\s*(?:am|pm|오전|오후))?)?"
)
_SEP_DATE_RE = re.compile(
    r"(?P<y>\d{4}|\d{2})\s*(?P<sep>[-/.])\s*(?P<m>\d{1,2})\s*(?P=sep)\s*(?P<d>\d{1,2})"
    r"(?P<trail>\s*\.)?" + _TIME,
    re.IGNORECASE | re.ASCII,
)
_KO_DATE_RE = re.compile(
    r"(?P<y>\d{4}|\d{2})\s*년\s*(?P<m>\d{1,2})\s*월\s*(?P<d>\d{1,2})\s*일\.?" + _TIME,
    re.IGNORECASE | re.ASCII,
)


def _year(y: str) -> int:
    n = int(y)
    if len(y) == 2:
        return 2000 + n if n < 70 else 1900 + n
    return n


def _make_date(y: int, m: int, d: int, v: object) -> datetime.date:
    try:
        return datetime.date(y, m, d)
    except ValueError:
        raise CoerceError("format", v) from None


def _from_serial(n: int) -> datetime.date:
    return _EXCEL_EPOCH + datetime.timedelta(days=n)


def _date_from_number(n: int, v: object) -> datetime.date:
    if 19000101 <= n <= 29991231:
        return _make_date(n // 10000, n // 100 % 100, n % 100, v)
    if 1 <= n <= _SERIAL_MAX:
        return _from_serial(n)
    raise CoerceError("type", v)


def coerce_date(v: object) -> datetime.date | None:
    """Date from a date cell, an Excel serial, yyyymmdd, or a typed Korean/ISO date string."""
    if is_blank(v):
        return None
    if isinstance(v, bool):
        raise CoerceError("type", v)
    if isinstance(v, datetime.datetime):
        return v.date()
    if isinstance(v, datetime.date):
        return v
    if isinstance(v, int):
        return _date_from_number(v, v)
    if isinstance(v, float):
        if not math.isfinite(v):
            raise CoerceError("type", v)
        if v.is_integer():
            return _date_from_number(int(v), v)
        if 1 <= v < _SERIAL_MAX + 1:
            return _from_serial(int(v))
        raise CoerceError("type", v)
    if not isinstance(v, str):
        raise CoerceError("type", v)

    s = _nfkc(v)
    s = _WEEKDAY_RE.sub("", s)
    s = _strip(s.lstrip("'`‘’"))
    if s.isascii() and s.isdigit():
        if len(s) == 8:
            return _make_date(int(s[:4]), int(s[4:6]), int(s[6:]), v)
        if len(s) == 6:
            raise CoerceError("format", v)  # yymmdd vs. serial: ambiguous
        n = int(s)
        if len(s) <= 7 and 1 <= n <= _SERIAL_MAX:
            return _from_serial(n)
        raise CoerceError("type", v)
    m = _SEP_DATE_RE.fullmatch(s)
    if m and (m.group("trail") is None or m.group("sep") == "."):
        return _make_date(_year(m.group("y")), int(m.group("m")), int(m.group("d")), v)
    m = _KO_DATE_RE.fullmatch(s)
    if m:
        return _make_date(_year(m.group("y")), int(m.group("m")), int(m.group("d")), v)
    raise CoerceError("type", v)


# ---------------------------------------------------------------- yes/no

_TRUE_WORDS = frozenset(
    ["예", "네", "있음", "유", "해당", "참여", "o", "○", "◯", "●", "〇", "v", "✓", "✔", "y", "yes", "true", "1", "참"]
)
_FALSE_WORDS = frozenset(
    ["아니오", "아니요", "아님", "없음", "무", "해당없음", "미해당", "불참", "x", "×", "✕", "✗", "✘", "n", "no", "false", "0", "거짓", "-"]
)


def coerce_bool(v: object) -> bool | None:
    """Yes/no answer; None if blank."""
    if is_blank(v):
        return None
    if isinstance(v, bool):
        return v
    if isinstance(v, (int, float)):
        if v == 1:
            return True
        if v == 0:
            return False
        raise CoerceError("type", v)
    if isinstance(v, str):
        key = _WS_RE.sub("", _nfkc(v)).casefold()
        if key in _TRUE_WORDS:
            return True
        if key in _FALSE_WORDS:
            return False
    raise CoerceError("type", v)


# ---------------------------------------------------------------- 사업자등록번호

_BRN_WEIGHTS = (1, 3, 7, 1, 3, 7, 1, 3, 5)
_DIGITS10_RE = re.compile(r"[0-9]{10}")
_BRN_SEPARATORS_RE = re.compile(r"[-.\s]")
_LIST_SEPARATORS_RE = re.compile(r"[,;\n\r/·、，；／ㆍ・•|]")


def brn_check_digit(first9: str) -> int:
    """Check digit of a 사업자등록번호 from its first nine digits."""
    if not re.fullmatch(r"[0-9]{9}", first9):
        raise CoerceError("format", first9)
    d = [int(c) for c in first9]
    s = sum(a * w for a, w in zip(d, _BRN_WEIGHTS, strict=False)) + d[8] * 5 // 10
    return (10 - s % 10) % 10


def format_brn(digits: str) -> str:
    """"1168200276" -> "116-82-00276"."""
    if not _DIGITS10_RE.fullmatch(digits):
        raise CoerceError("format", digits)
    return f"{digits[:3]}-{digits[3:5]}-{digits[5:]}"


def make_brn(first9: str) -> str:
    """Append the check digit and format (no sanity checks of the components)."""
    return format_brn(first9 + str(brn_check_digit(first9)))


def _brn_digits(s: str) -> str:
    return _BRN_SEPARATORS_RE.sub("", _nfkc(s))


def normalize_brn(v: object) -> str | None:
    """Canonical "AAA-BB-CCCCD" form; None if blank; CoerceError("format"/"checksum"/"type")."""
    if is_blank(v):
        return None
    if isinstance(v, bool):
        raise CoerceError("type", v)
    if isinstance(v, int):
        digits = str(v)
    elif isinstance(v, float):
        if not (math.isfinite(v) and v.is_integer()):
            raise CoerceError("format", v)
        digits = str(int(v))
    elif isinstance(v, str):
        digits = _brn_digits(v)
    else:
        raise CoerceError("type", v)
    if not _DIGITS10_RE.fullmatch(digits):
        raise CoerceError("format", v)
    if int(digits[:3]) < 101 or digits[3:5] == "00" or digits[5:9] == "0000":
        raise CoerceError("format", v)
    if brn_check_digit(digits[:9]) != int(digits[9]):
        raise CoerceError("checksum", v)
    return format_brn(digits)


def is_valid_brn(v: object) -> bool:
    """True iff normalize_brn(v) returns a number (blank -> False)."""
    try:
        return normalize_brn(v) is not None
    except CoerceError:
        return False


def _is_one_brn_shape(s: str) -> bool:
    return bool(_DIGITS10_RE.fullmatch(_brn_digits(s)))


def _split_whitespace(piece: str) -> list[str]:
    """Split a separator-free piece on whitespace, keeping "116 82 00276" together."""
    if _is_one_brn_shape(piece):
        return [piece]
    spans = [m.span() for m in re.finditer(r"\S+", piece)]
    # Try to group consecutive tokens into 10-digit numbers ("116 82 00276 134 86 72683").
    groups: list[str] = []
    start: int | None = None
    acc = ""
    for a, b in spans:
        tok = _brn_digits(piece[a:b])
        if not (tok.isascii() and tok.isdigit()):
            break
        if start is None:
            start = a
        acc += tok
        if len(acc) == 10:
            groups.append(piece[start:b])
            start, acc = None, ""
        elif len(acc) > 10:
            break
    else:
        if start is None:
            return groups
    return [piece[a:b] for a, b in spans]


def split_brn_list(v: object) -> list[str]:
    """Raw trimmed pieces of a cell listing several 사업자등록번호; blank -> []."""
    if is_blank(v):
        return []
    if not isinstance(v, str):
        t = coerce_text(v)
        return [t] if t else []
    out: list[str] = []
    for piece in _LIST_SEPARATORS_RE.split(v):
        piece = _strip(piece)
        if piece:
            out.extend(_split_whitespace(piece))
    return out


# ------------------------------------------------------------------------------------------ by column type

COERCE_BY_TYPE: dict[str, Callable[[object], object]] = {
    "int": coerce_int, "float": coerce_float, "date": coerce_date, "bool": coerce_bool, "brn": normalize_brn,
    "text": coerce_text,
}


def coerce_as(kind: str, v: object) -> object:
    """Coerce a value to a rule-book column type (int, float, date, bool, brn, text); raises CoerceError."""
    return COERCE_BY_TYPE.get(kind, coerce_text)(v)


def lenient(kind: str, v: object) -> Any:
    """coerce_as, but a value that does not fit (or NaN) counts as missing: None instead of an error."""
    if v is None or (isinstance(v, float) and math.isnan(v)):
        return None
    try:
        out = coerce_as(kind, v)
    except CoerceError:
        return None
    return None if isinstance(out, float) and math.isnan(out) else out


def share_beyond(part: float, total: float, limit: object, *, over: bool) -> bool:
    """Whether part / total is above (over=True) or below (over=False) the limit (a rule-book share such as 0.75),
    compared exactly: v / t > num / den  <=>  v * den > num * t (no floating-point rounding at the boundary)."""
    frac = Fraction(str(limit))
    lhs, rhs = part * frac.denominator, frac.numerator * total
    return lhs > rhs if over else lhs < rhs
