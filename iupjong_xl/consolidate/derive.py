"""Derived tables of a consolidation: indicators, reporting status, the funding round (with the scores typed in
지원금), and the plain-data description of a run that the CLI's JSON and the add-in show."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from iupjong_xl.consolidate.funding import Request, Round, run_round
from iupjong_xl.consolidate.indicators import Table, compute, reporting
from iupjong_xl.consolidate.model import Consolidation
from iupjong_xl.consolidate.sheets import _date, _float, _int, _text
from iupjong_xl.validate.normalize import split_brn_list


@dataclass
class Derived:
    """What the derived sheets show: indicators, reporting status, the funding round."""

    table: Table
    reporting: list[dict[str, Any]]
    round: Round


def derive(cons: Consolidation) -> Derived:
    """Indicators, reporting status and the funding round from the consolidated rows (and the typed scores)."""
    frames = cons.frames()
    roster = frames["roster"] if not frames["roster"].empty else None
    table = compute(frames, roster, cons.book)
    members = {r["brn"]: r["ksic"] for r in frames["member"].to_dict("records") if isinstance(r.get("brn"), str)}
    typed = _typed_scores(cons)
    requests: list[Request] = []
    counter: dict[str, int] = {}
    for r in frames["consortium"].to_dict("records"):
        code = str(r["club_code"])
        counter[code] = counter.get(code, 0) + 1
        key = f"{r['year']}/{code}/{counter[code]}"
        title = _text(r.get("title"))
        score = typed(key, title)
        invalid = cons.invalid_scores.get(key)
        if invalid is not None:  # typed against its rule: the request is unscored (never selected on it)
            score = None
        elif score is None:
            score = _float(r.get("score"))
        partners = r.get("partner_brns")
        partners = tuple(str(b) for b in partners) if isinstance(partners, (tuple, list)) else \
            tuple(split_brn_list(partners))
        requests.append(Request(key, code, str(r["federation"]), title or "", _text(r.get("lead_brn")), partners,
                                _text(r.get("field")), _int(r.get("total_won")), _int(r.get("gov_won")),
                                _int(r.get("company_won")), _date(r.get("submitted")), score,
                                invalid_score=invalid))
    return Derived(table, reporting(roster, frames), run_round(requests, cons.book, members))


def _typed_scores(cons: Consolidation) -> Any:
    """score(key, title): the score typed in 지원금 for this request. A score is only given back to the request it
    was typed for: same key and title, or (after a resubmission renumbered the club's requests) the one request of
    the same club with that title."""
    by_title: dict[tuple[str, str], float | None] = {}
    for key, typed in cons.scores.items():
        title = cons.score_titles.get(key)
        if title is not None:
            k = (key.rsplit("/", 1)[0], title)
            by_title[k] = None if k in by_title else typed  # two requests with one title: ambiguous

    def score(key: str, title: str | None) -> float | None:
        if key in cons.scores and cons.score_titles.get(key, title) == title:
            return _float(cons.scores[key])
        return _float(by_title.get((key.rsplit("/", 1)[0], title or "")))

    return score


def describe(cons: Consolidation, derived: Derived, lang: str = "ko") -> dict[str, Any]:
    """Everything a caller (CLI --format json, the add-in) wants to know about a run, as plain data.

    reporting: per federation, registered clubs (its roster ∪ clubs that reported), reported, missing club codes,
    reporting rate, whether a roster came in (without one, registered = reported: the rate says nothing), the
    reporting clubs that are not on the roster, and the clubs whose files conflict in this run (`conflicts`: two
    different reports of one club, neither taken; listed there, not under missing)."""
    book = cons.book
    per_fed: dict[str, dict[str, Any]] = {}
    for r in derived.reporting:
        e = per_fed.setdefault(r["federation"], {"registered": 0, "reported": 0, "missing": [], "roster": False,
                                                 "not_in_roster": []})
        e["registered"] += 1
        e["reported"] += bool(r["received"])
        if not r["received"]:
            e["missing"].append(r["club_code"])
        if r.get("not_in_roster"):
            e["not_in_roster"].append(r["club_code"])
        else:
            e["roster"] = True
    for (fed, code), _files in sorted(cons.conflicts.items()):  # two different reports came in: 충돌, not 미제출
        e = per_fed.setdefault(fed, {"registered": 0, "reported": 0, "missing": [], "roster": False,
                                     "not_in_roster": []})
        e.setdefault("conflicts", []).append(code)
        if code in e["missing"]:
            e["missing"].remove(code)
    for e in per_fed.values():
        e.setdefault("conflicts", [])
        e["reporting_rate"] = round(e["reported"] / e["registered"] * 100, 1) if e["registered"] else None
    ind = {}
    for i in book.indicators:
        v = derived.table.value(i)
        ind[i.key] = None if v is None else (round(v, i.decimals) if i.decimals else round(v))
    return {
        "summary": cons.summary(),
        "reporting": per_fed,
        "indicators": ind,
        "funding": derived.round.totals(),
        "sources": [{"file": s.file, "sha256": s.sha256, "kind": s.kind, "federation": s.federation,
                     "club_code": s.club_code, "status": s.status, "rows_in": s.rows_in, "accepted": s.accepted,
                     "rejected": s.rejected} for s in (*cons.sources, *cons.kept_sources)],
        "findings": [f.to_dict(lang) for f in cons.findings],
    }
