"""Indicators per federation: measures counted from the consolidated frames, ratios defined in the rule book."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from iupjong_xl.rulebook import Indicator, RuleBook

if TYPE_CHECKING:
    import pandas as pd

MEASURES = (
    "registered_clubs", "reported_clubs", "registered_members", "clubs_info", "clubs_resource", "clubs_newproduct",
    "clubs_with_tech_results", "tech_results", "monthly_meetings", "clubs_attendance_ok", "clubs_single_industry",
)


@dataclass
class Table:
    """Measures per federation (rows in reference order) plus the national total row (sums of the measures)."""

    federations: list[str]
    measures: dict[str, dict[str, int]]  # federation -> measure -> count
    total: dict[str, int]

    def value(self, ind: Indicator, fed: str | None = None) -> float | None:
        row = self.total if fed is None else self.measures[fed]
        return indicator_value(ind, row)


def indicator_value(ind: Indicator, row: dict[str, int]) -> float | None:
    num = row.get(ind.numerator, 0)
    if ind.denominator is None:
        return float(num)
    den = row.get(ind.denominator, 0)
    return None if not den else num / den * ind.factor


def _count(v: Any) -> int:
    """A count from a consolidated cell: ints as they are; blank, NaN or text typed over a number count as 0."""
    if isinstance(v, bool) or v is None:
        return 0
    if isinstance(v, int):
        return v
    if isinstance(v, float):
        return int(v) if v == v and v.is_integer() else 0
    return 0


def _club_sets(frames: dict[str, pd.DataFrame], book: RuleBook) -> dict[str, dict[str, Any]]:
    """Per club code: federation, members, meetings, attendance etc. from the consolidated club sheets."""
    clubs: dict[str, dict[str, Any]] = {}
    club = frames.get("club")
    if club is not None:
        for rec in club.to_dict("records"):
            clubs[rec["club_code"]] = {
                "federation": rec["federation"],
                "info": bool(rec.get("activity_info") is True),
                "resource": bool(rec.get("activity_resource") is True),
                "newproduct": bool(rec.get("activity_newproduct") is True),
                "members": 0, "divisions": set(), "meetings": 0, "attendance": 0, "tech": 0,
            }
    member = frames.get("member")
    if member is not None:
        for code, ksic in zip(member["club_code"], member["ksic"], strict=True):
            if code in clubs:
                clubs[code]["members"] += 1
                if isinstance(ksic, str) and ksic:
                    clubs[code]["divisions"].add(ksic)
    meeting_kind = book.measures.get("meeting_kind", "월례회")
    act = frames.get("activity")
    if act is not None:
        for code, kind, att in zip(act["club_code"], act["kind"], act["attendees"], strict=True):
            if code in clubs and kind == meeting_kind:
                clubs[code]["meetings"] += 1
                clubs[code]["attendance"] += _count(att)
    tech_kinds = set(book.measures.get("tech_result_kinds", ()))
    res = frames.get("result")
    if res is not None:
        for code, kind in zip(res["club_code"], res["kind"], strict=True):
            if code in clubs and kind in tech_kinds:
                clubs[code]["tech"] += 1
    return clubs


def compute(frames: dict[str, pd.DataFrame], roster: pd.DataFrame | None, book: RuleBook,
            federations: list[str] | None = None) -> Table:
    """Count every measure per federation; registered clubs = roster ∪ reporting clubs."""
    from fractions import Fraction

    threshold = Fraction(str(book.parameters.get("attendance_threshold", 0.7)))
    clubs = _club_sets(frames, book)
    ref = list(book.references["federation"].keys)
    registered: dict[str, dict[str, int]] = {}  # federation -> club code -> roster member count
    if roster is not None:
        for fed, code, n in zip(roster["federation"], roster["club_code"], roster["member_count"], strict=True):
            if code is not None:
                registered.setdefault(fed, {})[code] = _count(n)
    for code, c in clubs.items():
        registered.setdefault(c["federation"], {}).setdefault(code, c["members"])
    feds = federations or [f for f in ref if f in registered] + sorted(f for f in registered if f not in ref)
    measures: dict[str, dict[str, int]] = {f: dict.fromkeys(MEASURES, 0) for f in feds}
    for fed in feds:
        m = measures[fed]
        m["registered_clubs"] = len(registered.get(fed, {}))
        m["registered_members"] = sum(registered.get(fed, {}).values())
    for c in clubs.values():
        if c["federation"] not in measures:
            continue
        m = measures[c["federation"]]
        m["reported_clubs"] += 1
        m["clubs_info"] += c["info"]
        m["clubs_resource"] += c["resource"]
        m["clubs_newproduct"] += c["newproduct"]
        m["clubs_with_tech_results"] += c["tech"] > 0
        m["tech_results"] += c["tech"]
        m["monthly_meetings"] += c["meetings"]
        if c["meetings"] and c["members"] and (
            c["attendance"] * threshold.denominator >= threshold.numerator * c["meetings"] * c["members"]
        ):
            m["clubs_attendance_ok"] += 1
        m["clubs_single_industry"] += len(c["divisions"]) < 2
    total = {k: sum(measures[f][k] for f in feds) for k in MEASURES}
    return Table(feds, measures, total)


def reporting(roster: pd.DataFrame | None, frames: dict[str, pd.DataFrame]) -> list[dict[str, Any]]:
    """Expected vs received: one row per registered club with whether its report came in. A club counts for the
    federation its report names (as in compute): a report naming another federation than the roster's is not
    that roster's club reporting."""
    club = frames.get("club")
    got = set(zip(club["federation"], club["club_code"], strict=True)) if club is not None else set()
    rows: list[dict[str, Any]] = []
    seen: set[tuple[str, str]] = set()
    if roster is not None:
        for rec in roster.to_dict("records"):
            if rec["club_code"] is None:
                continue
            pair = (rec["federation"], rec["club_code"])
            seen.add(pair)
            rows.append({**{str(k): v for k, v in rec.items()}, "received": pair in got})
    if club is not None:
        for rec in club.to_dict("records"):
            if (rec["federation"], rec["club_code"]) not in seen:
                rows.append({"federation": rec["federation"], "club_code": rec["club_code"], "club_name": rec["club_name"],
                             "member_count": None, "received": True, "not_in_roster": True})
    return rows
