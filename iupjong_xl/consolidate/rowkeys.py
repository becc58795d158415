"""What a row *is*, in one place: its natural key, how two values compare, and how a value is shown.

Used wherever rows of two versions are matched or a row is named to a person: the history diff, verify, the edits
read back from a workbook (restored rows), the 변경 내역 sheet.

- Natural keys: a member company by its BRN, an activity by date and kind, a result or a consortium request by its
  title, the club profile, the federation profile and a roster line by the club code (or the federation).
- Equality: blank and None are the same; numbers compare by value (1 == 1.0) but a yes/no is never a number.
- Display: tuples (lists of BRNs) joined with ", ", dates as ISO text (a date-time with its time)."""

from __future__ import annotations

import datetime
from typing import Any

from iupjong_xl.consolidate.model import ALL_SHEETS

NATURAL_KEYS: dict[str, tuple[str, ...]] = {
    "club": ("club_code",), "member": ("brn",), "activity": ("date", "kind"), "result": ("title",),
    "consortium": ("title",), "federation": ("federation",), "roster": ("club_code",),
}
assert set(NATURAL_KEYS) == set(ALL_SHEETS)
NO_KEY = "(키 없음)"


def shown(v: Any) -> Any:
    """A value as a person reads it in a table: '616-81-05401, 134-86-72683', '2009-02-22', '2009-02-22 10:00:00'."""
    if isinstance(v, (tuple, list)):
        return ", ".join(map(str, v))
    if isinstance(v, datetime.datetime):
        return v.isoformat(sep=" ")
    if isinstance(v, datetime.date):
        return v.isoformat()
    return v


def row_key(sheet: str, row: dict[str, Any], *, unit: bool = False) -> str:
    """A row's natural key as text: '616-81-05401', '2009-02-22 세미나', a title, a club code. With unit, the report
    it belongs to comes first ('SEO-01 616-81-05401'), for messages that name a row of a consolidated workbook."""
    parts = [str(shown(row.get(k))) for k in NATURAL_KEYS.get(sheet, ()) if row.get(k) not in (None, "")]
    if unit:
        owner = row.get("club_code") or row.get("federation")
        if owner not in (None, "") and (not parts or parts[0] != str(owner)):
            parts.insert(0, str(owner))
    return " ".join(parts) if parts else NO_KEY


def equal(a: Any, b: Any) -> bool:
    """Two cell values are the same content: blanks alike; numbers by value, a yes/no (bool) only equal to a bool."""
    if a in (None, "") and b in (None, ""):
        return True
    if isinstance(a, bool) or isinstance(b, bool):
        return isinstance(a, bool) and isinstance(b, bool) and a == b
    if isinstance(a, (int, float)) and isinstance(b, (int, float)):
        return float(a) == float(b)
    return bool(a == b)
