"""The consortium funding round: eligibility with reasons, then selection by score within count and budget."""

from __future__ import annotations

import dataclasses
import datetime
from dataclasses import dataclass
from typing import Any

from iupjong_xl.rulebook import RuleBook
from iupjong_xl.rulebook.codes import FUNDING_ARGS, MessageArgumentError
from iupjong_xl.validate.findings import render
from iupjong_xl.validate.normalize import share_beyond


@dataclass
class Request:
    """One consortium request (협력과제 row) as the funding round sees it."""

    key: str  # stable natural key: <year>/<club code>/<n-th request of the club>
    club_code: str
    federation: str
    title: str
    lead_brn: str | None
    partner_brns: tuple[str, ...]
    field: str | None
    total_won: int | None
    gov_won: int | None
    company_won: int | None
    submitted: datetime.date | None
    score: float | None
    eligible: bool = False
    reasons: list[tuple[str, dict[str, Any]]] = dataclasses.field(default_factory=list)  # (reason code, params)
    rank: int | None = None
    selected: bool = False
    note: tuple[str, dict[str, Any]] | None = None
    invalid_score: Any = None  # what was typed as its score when its rule refuses it: the request is unscored

    @property
    def companies(self) -> list[str]:
        out: list[str] = []
        for b in (self.lead_brn, *self.partner_brns):
            if b and b not in out:
                out.append(b)
        return out

    def reason_text(self, book: RuleBook, lang: str = "ko") -> str:
        return "; ".join(_reason_text(book, code, params, lang) for code, params in self.reasons)

    def note_text(self, book: RuleBook, lang: str = "ko") -> str:
        return "" if self.note is None else _reason_text(book, *self.note, lang)

    @property
    def gov_awarded(self) -> int:
        return int(self.gov_won or 0) if self.selected else 0

    @property
    def company_awarded(self) -> int:
        return int(self.company_won or 0) if self.selected else 0


def _reason_text(book: RuleBook, code: str, params: dict[str, Any], lang: str) -> str:
    """The rule book's text for a reason code; the bare code (and its values) if the rule book lacks it."""
    missing = FUNDING_ARGS.get(code, frozenset()) - set(params)
    if missing:
        raise MessageArgumentError(f"funding reason {code}: built without {sorted(missing)}")
    texts = book.funding_reasons.get(code)
    if texts is None:
        return code + (" (" + ", ".join(f"{k}={v}" for k, v in params.items()) + ")" if params else "")
    return render(texts.get(lang) or texts["ko"], params)


@dataclass
class Round:
    """The outcome of one funding round, with its parameters."""

    requests: list[Request]
    max_consortia: int
    budget_won: int
    budget_basis: str

    @property
    def selected(self) -> list[Request]:
        return [r for r in self.requests if r.selected]

    def totals(self) -> dict[str, int]:
        sel = self.selected
        return {
            "requests": len(self.requests),
            "eligible": sum(r.eligible for r in self.requests),
            "selected": len(sel),
            "selected_total_won": sum(int(r.total_won or 0) for r in sel),
            "selected_gov_won": sum(r.gov_awarded for r in sel),
            "selected_company_won": sum(r.company_awarded for r in sel),
            "max_consortia": self.max_consortia,
            "budget_won": self.budget_won,
        }




def check_eligibility(req: Request, book: RuleBook, members: dict[str, str | None]) -> None:
    """Fill req.eligible and req.reasons from the yearly funding parameters; members maps BRN -> KSIC division."""
    p = book.parameters["funding"]
    reasons: list[tuple[str, dict[str, Any]]] = []
    total, gov, comp = req.total_won, req.gov_won, req.company_won
    if any(v is not None and v < 0 for v in (gov, comp)) or (total is not None and total <= 0):
        reasons.append(("AMOUNT_INVALID", {"total": total, "gov": gov, "company": comp}))
    if total is not None and total > p["max_total_won"]:
        reasons.append(("OVER_CAP", {"total": total, "limit": p["max_total_won"]}))
    if total and gov is not None and share_beyond(gov, total, p["gov_share_max"], over=True):
        reasons.append(("GOV_SHARE", {"share": gov / total, "limit": float(p["gov_share_max"])}))
    if total and comp is not None and share_beyond(comp, total, p["company_share_min"], over=False):
        reasons.append(("COMPANY_SHARE", {"share": comp / total, "limit": float(p["company_share_min"])}))
    if None not in (total, gov, comp) and gov + comp != total:  # type: ignore[operator]
        reasons.append(("SUM_MISMATCH", {"sum": gov + comp, "total": total}))  # type: ignore[operator]
    companies = req.companies
    if len(companies) < p["min_companies"]:
        reasons.append(("FEW_COMPANIES", {"companies": len(companies), "min": p["min_companies"]}))
    outsiders = [b for b in companies if b not in members]
    if outsiders:
        reasons.append(("NOT_MEMBER", {"brns": ", ".join(outsiders)}))
    divisions = {members[b] for b in companies if members.get(b)}
    if len(companies) >= p["min_companies"] and not outsiders and len(divisions) < p["min_divisions"]:
        reasons.append(("ONE_INDUSTRY", {"divisions": len(divisions), "min": p["min_divisions"]}))
    if None in (total, gov, comp):
        reasons.append(("SUM_MISMATCH", {"sum": (gov or 0) + (comp or 0), "total": total or 0}))
    req.reasons = reasons
    req.eligible = not reasons


def _natural(key: str) -> tuple[tuple[int, int | str], ...]:
    """'2009/SEO-001/10' after '2009/SEO-001/9': numeric parts compare as numbers."""
    return tuple((0, int(p)) if p.isdigit() else (1, p) for p in key.split("/"))


def run_round(requests: list[Request], book: RuleBook, members: dict[str, str | None]) -> Round:
    """Check every request, rank the eligible ones with a score, select until the count or the budget runs out."""
    p = book.parameters["funding"]
    basis = p.get("budget_basis", "total_won")
    rnd = Round(requests, int(p["max_consortia"]), int(p["program_budget_won"]), basis)
    for r in requests:
        r.rank, r.selected, r.note = None, False, None
        check_eligibility(r, book, members)
    ranked = [r for r in requests if r.eligible and r.score is not None and r.invalid_score is None]
    for r in requests:
        if r.eligible and r.score is None:
            r.note = ("NO_SCORE", {}) if r.invalid_score is None else ("SCORE_INVALID", {})
    ranked.sort(key=lambda r: (-float(r.score or 0), r.submitted or datetime.date.max, _natural(r.key)))
    used, count, closed = 0, 0, None
    for i, r in enumerate(ranked, start=1):
        r.rank = i
        cost = int(getattr(r, basis) or 0)
        if closed is None and count >= rnd.max_consortia:
            closed = ("COUNT_FULL", {"limit": rnd.max_consortia})
        if closed is None and used + cost > rnd.budget_won:
            closed = ("BUDGET_FULL", {"budget": rnd.budget_won})
        if closed is not None:
            r.note = closed
            continue
        r.selected = True
        used += cost
        count += 1
    return rnd
