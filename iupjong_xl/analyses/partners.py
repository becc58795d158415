"""Partner matching for coordinators: member companies of other KSIC divisions ranked for a lead company's need."""

from __future__ import annotations

import math
import os
import unicodedata
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import Path
from typing import Any

from iupjong_xl.analyses.directory import Company, Opened, open_consolidated, split_products
from iupjong_xl.consolidate.funding import Request, check_eligibility
from iupjong_xl.errors import RuleBookError, UsageError
from iupjong_xl.outputs.xlsx import Formats, cell, finish, meta_sheet, nothing_here, table, xlsx
from iupjong_xl.rulebook import RuleBook
from iupjong_xl.validate.findings import render
from iupjong_xl.validate.normalize import CoerceError, normalize_brn, split_brn_list

NGRAM_SIZES = (2, 3)  # character n-grams of each product item with its spaces removed (Korean has no reliable spacing)


@dataclass(frozen=True)
class Matching:
    """The partner-matching parameters of a rule book (parameters.partners): the similarity floor, the transparent
    bonuses added to it (each one a reason of the candidate's rank), what makes two divisions complementary, and how
    many top candidates the proposed consortium takes."""

    min_similarity: float
    bonuses: dict[str, float]
    complementary_min: int
    proposal_partners: int


def matching(book: RuleBook) -> Matching:
    p = book.parameters.get("partners") or {}
    try:
        return Matching(float(p["min_similarity"]), {k: float(v) for k, v in p["bonuses"].items()},
                        int(p["complementary_min"]), int(p["proposal_partners"]))
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        raise RuleBookError(f"규칙집 {book.path}: parameters.partners가 올바르지 않습니다 ({exc}).",
                            f"{book.path}: parameters.partners is incomplete ({exc})", file=str(book.path)) from exc


class UnknownCompanyError(UsageError):
    """A registration number that is malformed or not a member company of the workbook."""


class EmptyNeedError(UsageError):
    """The need to match is empty."""


# ------------------------------------------------------------------------------------------ text similarity


def _clean(text: str) -> str:
    """NFKC, lower case, letters and digits only (spaces removed: '폐열회수' and '폐열 회수' are one text)."""
    return "".join(ch for ch in unicodedata.normalize("NFKC", text).lower() if ch.isalnum())


def ngrams(text: str | None) -> Counter[str]:
    """Character n-grams (NGRAM_SIZES) of every item of a products text; a one-character item is its own gram."""
    out: Counter[str] = Counter()
    for item in split_products(text):
        s = _clean(item)
        if 0 < len(s) < min(NGRAM_SIZES):
            out[s] += 1
        for n in NGRAM_SIZES:
            out.update(s[i:i + n] for i in range(len(s) - n + 1))
    return out


class TfIdf:
    """Character n-gram TF-IDF with cosine similarity, as scikit-learn's TfidfVectorizer(analyzer="char",
    sublinear_tf=True, smooth_idf=True, norm="l2") computes it, in plain Python: the corpus is a few thousand short
    texts. Unlike scikit-learn, n-grams of the need that no company has still count in the need's norm, so a need
    that is only partly covered never looks like a perfect match."""

    def __init__(self, docs: Iterable[Counter[str]]) -> None:
        docs = list(docs)
        df: Counter[str] = Counter()
        for d in docs:
            df.update(d.keys())
        self.n = len(docs)
        self.idf = {g: math.log((1 + self.n) / (1 + k)) + 1 for g, k in df.items()}
        self.unseen = math.log(1 + self.n) + 1

    def vector(self, grams: Counter[str]) -> dict[str, float]:
        v = {g: (1 + math.log(k)) * self.idf.get(g, self.unseen) for g, k in grams.items() if k > 0}
        norm = math.sqrt(sum(x * x for x in v.values()))
        return {g: x / norm for g, x in v.items()} if norm else {}

    @staticmethod
    def cosine(a: dict[str, float], b: dict[str, float]) -> float:
        if len(a) > len(b):
            a, b = b, a
        return min(1.0, sum(x * b.get(g, 0.0) for g, x in a.items()))


# ------------------------------------------------------------------------------------------ results


@dataclass
class Reason:
    """One reason of a candidate's rank (points: what it adds to the score; None for a rule that is no bonus)."""

    code: str
    points: float | None
    ko: str
    en: str

    def to_dict(self) -> dict[str, Any]:
        return {"code": self.code, "points": self.points, "ko": self.ko, "en": self.en}


@dataclass
class Candidate:
    """A ranked partner: the similarity of its products to the need plus its bonuses, with the reasons."""

    rank: int
    company: Company
    similarity: float
    best_item: str | None
    reasons: list[Reason]

    @property
    def score(self) -> float:
        return self.similarity + sum(r.points or 0.0 for r in self.reasons if r.code != "similarity")

    def to_dict(self) -> dict[str, Any]:
        c = self.company
        return {"rank": self.rank, "brn": c.brn, "name": c.name, "ksic_division": c.division,
                "ksic_division_name": c.division_name, "ksic_section": c.section, "federations": c.federations,
                "clubs": c.clubs, "products": c.products, "best_item": self.best_item,
                "similarity": round(self.similarity, 4), "score": round(self.score, 4),
                "reasons": [r.to_dict() for r in self.reasons]}


@dataclass
class Proposal:
    """The proposed consortium (lead + partners) checked against the funding round's eligibility rules."""

    source: str  # "top": the lead and the best candidates; "with": the partners the caller named
    round_year: int
    companies: list[dict[str, Any]]
    total_won: int
    gov_won: int
    company_won: int
    eligible: bool
    reasons: list[dict[str, str]]

    def to_dict(self) -> dict[str, Any]:
        return {"source": self.source, "round_year": self.round_year, "companies": self.companies,
                "divisions": sorted({c["ksic_division"] for c in self.companies if c["ksic_division"]}),
                "assumed_amounts": {"total_won": self.total_won, "gov_won": self.gov_won,
                                    "company_won": self.company_won},
                "eligible": self.eligible, "reasons": self.reasons}


@dataclass
class Matches:
    """The ranked partners for a lead company's need, what was left out and why, and the proposed consortium."""

    source: str
    year: int
    lead: Company
    need: str
    top: int
    same_federation: bool
    candidates: list[Candidate]
    counts: dict[str, int]
    proposal: Proposal
    bonuses: dict[str, float] = field(default_factory=dict)
    min_similarity: float = 0.0
    complementary_min: int = 0
    contacts: dict[str, str] = field(default_factory=dict)  # club code -> its secretary's name, phone, e-mail

    def contact(self, c: Company) -> str:
        """How to reach a company: the secretary (총무) of each of its clubs."""
        return "\n".join(f"{code} {self.contacts[code]}" for code in c.clubs if self.contacts.get(code))

    def to_dict(self) -> dict[str, Any]:
        lead = self.lead
        return {
            "source": self.source, "year": self.year, "need": self.need, "top": self.top,
            "same_federation": self.same_federation,
            "lead": {"brn": lead.brn, "name": lead.name, "ksic_division": lead.division,
                     "ksic_division_name": lead.division_name, "federations": lead.federations, "clubs": lead.clubs,
                     "products": lead.products},
            "method": {"similarity": f"character {min(NGRAM_SIZES)}-{max(NGRAM_SIZES)}-gram TF-IDF cosine",
                       "min_similarity": self.min_similarity, "bonuses": self.bonuses,
                       "complementary_min": self.complementary_min},
            "counts": self.counts,
            "candidates": [c.to_dict() for c in self.candidates],
            "proposal": self.proposal.to_dict(),
        }


# ------------------------------------------------------------------------------------------ matching


def _brn(value: str, what: tuple[str, str]) -> str:
    """The canonical BRN of a typed registration number; what = (Korean, English) name of the company's role."""
    try:
        brn = normalize_brn(value)
    except CoerceError:
        brn = None
    if brn is None:
        raise UnknownCompanyError(f"{what[0]} '{value}'은(는) 사업자등록번호가 아닙니다 (예: 116-82-00276).",
                                  f"The {what[1]} "
                                  f"'{value}' is not a business registration number (e.g. 116-82-00276).")
    return brn


def _joint_results(opened: Opened, lead: Company, bonuses: dict[str, float]) -> dict[str, list[Reason]]:
    """BRN -> its bonus for results (성과) shared with the lead, else for results of the lead's club (once each)."""
    titles: dict[str, dict[str, list[str]]] = {}  # BRN -> kind -> "title (club)"
    clubs = set(lead.clubs)
    for r in opened.frames["result"].to_dict("records"):
        parts = [b for b in (r.get("participants") or ()) if isinstance(b, str)]
        code = str(r.get("club_code"))
        kind = "joint_result_lead" if lead.brn in parts else "joint_result_club" if code in clubs else None
        for b in parts if kind else ():
            if b != lead.brn:
                titles.setdefault(b, {}).setdefault(kind, []).append(f"'{r.get('title') or ''}' ({code})")  # type: ignore[arg-type]
    out: dict[str, list[Reason]] = {}
    for b, kinds in titles.items():
        if "joint_result_lead" in kinds:
            p, items = bonuses["joint_result_lead"], ", ".join(kinds["joint_result_lead"])
            out[b] = [Reason("joint_result_lead", p, f"+{p:.2f} 주관기업과 함께한 성과 {items}",
                             f"+{p:.2f} results together with the lead: {items}")]
        else:
            p, items = bonuses["joint_result_club"], ", ".join(kinds["joint_result_club"])
            out[b] = [Reason("joint_result_club", p, f"+{p:.2f} 주관기업 교류회의 성과 {items}에 참여",
                             f"+{p:.2f} took part in results of the lead's club: {items}")]
    return out


def _division_pairs(opened: Opened, division: dict[str, str | None]) -> Counter[frozenset[str]]:
    """How many results and consortium requests of the workbook combine each pair of KSIC divisions."""
    pairs: Counter[frozenset[str]] = Counter()
    groups = [r.get("participants") for r in opened.frames["result"].to_dict("records")]
    for r in opened.frames["consortium"].to_dict("records"):
        partners = r.get("partner_brns")
        partners = partners if isinstance(partners, tuple) else tuple(split_brn_list(partners))
        groups.append((r.get("lead_brn"), *partners))
    for g in groups:
        divs = sorted({d for b in (g or ()) if isinstance(b, str) and (d := division.get(b))})
        pairs.update(frozenset((a, b)) for i, a in enumerate(divs) for b in divs[i + 1:])
    return pairs


def find_partners(source: str | os.PathLike[str] | Opened, lead_brn: str, need: str, top: int = 10,
                  same_federation: bool = False, partners: Sequence[str] | None = None) -> Matches:
    """Rank the member companies of other KSIC divisions for the lead's need and check the proposed consortium."""
    opened = source if isinstance(source, Opened) else open_consolidated(source)
    directory = opened.directory
    if top < 1:
        raise UsageError(f"후보 수(top) {top}: 1 이상이어야 합니다.", f"the number of candidates (top) must be at least 1, not {top}")
    if not _clean(need or ""):
        raise EmptyNeedError("찾는 기술·제품이 비어 있습니다. 예: \"폐열 회수 열교환기\"",
                             "The need is empty: say which technology or product the partner should bring, "
                             "e.g. \"폐열 회수 열교환기\".")
    brn = _brn(lead_brn, ("주관기업", "lead company"))
    lead = directory.company(brn)
    if lead is None:
        raise UnknownCompanyError(
            f"{brn}은(는) {opened.path.name}의 회원사가 아닙니다 ({directory.year}년 회원사 {len(directory.companies):,}곳 중 "
            f"없음).",
            f"{brn} is not a member company of {opened.path.name} ({len(directory.companies):,} companies in "
            f"{directory.year}).")
    if lead.division is None:
        raise UnknownCompanyError(f"주관기업 {brn}의 업종(KSIC)이 비어 있어 다른 업종의 파트너를 가릴 수 없습니다. 회원사 시트의 업종을 "
                                  f"채우세요.",
                                  f"The lead {brn} has no KSIC division, so partners of other divisions cannot "
                                  f"be told apart; fill in its division on the 회원사 sheet.")
    grams = {c.brn: ngrams(", ".join(c.products)) for c in directory.companies}
    model = TfIdf(grams.values())
    want = model.vector(ngrams(need))
    settings = matching(opened.book)
    joint = _joint_results(opened, lead, settings.bonuses)
    division = {c.brn: c.division for c in directory.companies}
    pairs = _division_pairs(opened, division)
    counts = {"members": len(directory.companies), "same_division": 0, "unknown_division": 0, "other_federation": 0,
              "no_match": 0, "matched": 0}
    scored: list[tuple[float, float, str, Company, list[Reason]]] = []
    for c in directory.companies:
        if c.brn == lead.brn:
            continue
        if c.division is None:
            counts["unknown_division"] += 1
            continue
        if c.division == lead.division:
            counts["same_division"] += 1
            continue
        shared = [f for f in c.federations if f in lead.federations]
        if same_federation and not shared:
            counts["other_federation"] += 1
            continue
        sim = model.cosine(want, model.vector(grams[c.brn]))
        if sim < settings.min_similarity:
            counts["no_match"] += 1
            continue
        reasons = [Reason("other_division", None,
                          f"다른 업종: {c.division} {c.division_name or ''} (주관기업 {lead.division} {lead.division_name or ''})",
                          f"another KSIC division: {c.division} (lead: {lead.division})")]
        if shared:
            p = settings.bonuses["same_federation"]
            reasons.append(Reason("same_federation", p, f"+{p:.2f} 같은 연합회({', '.join(shared)})",
                                  f"+{p:.2f} same federation ({', '.join(shared)})"))
        reasons += joint.get(c.brn, [])
        n = pairs.get(frozenset((lead.division, c.division)), 0)
        if n >= settings.complementary_min:
            p = settings.bonuses["complementary"]
            reasons.append(Reason("complementary", p,
                                  f"+{p:.2f} 보완 업종: 업종 {lead.division}·{c.division}이(가) 성과·협력과제 {n}건에서 함께함",
                                  f"+{p:.2f} complementary divisions: {lead.division} and {c.division} worked together in "
                                  f"{n} results or consortium requests"))
        bonus = sum(r.points or 0.0 for r in reasons)
        scored.append((sim + bonus, sim, c.brn, c, reasons))
    counts["matched"] = len(scored)
    scored.sort(key=lambda s: (-round(s[0], 9), -round(s[1], 9), s[2]))
    candidates = []
    for rank, (_score, sim, _lead_brn, c, reasons) in enumerate(scored[:top], start=1):
        best, best_sim = _best_item(model, want, c)
        sim_reason = Reason("similarity", round(sim, 4),
                            f"제품·기술 일치도 {sim:.2f} (가장 가까운 항목 '{best}': {best_sim:.2f})",
                            f"products/technologies match the need {sim:.2f} (closest item '{best}': {best_sim:.2f})")
        candidates.append(Candidate(rank, c, sim, best, [sim_reason, *reasons]))
    proposal = _proposal(opened, lead, need, candidates, partners)
    contacts = {}
    for r in opened.frames["club"].to_dict("records"):
        parts = [str(r[k]) for k in ("secretary", "phone", "email") if r.get(k) is not None and str(r[k]) not in ("", "nan")]
        if parts:
            contacts[str(r["club_code"])] = "총무 " + " ".join(parts)
    return Matches(str(opened.path), directory.year, lead, need, top, same_federation, candidates, counts, proposal,
                   dict(settings.bonuses), settings.min_similarity, settings.complementary_min, contacts)


def _best_item(model: TfIdf, want: dict[str, float], c: Company) -> tuple[str | None, float]:
    best, best_sim = None, -1.0
    for item in c.products:
        s = model.cosine(want, model.vector(ngrams(item)))
        if s > best_sim:
            best, best_sim = item, s
    return best, max(best_sim, 0.0)


def _proposal(opened: Opened, lead: Company, need: str, candidates: list[Candidate],
              partners: Sequence[str] | None) -> Proposal:
    """Lead + partners as a consortium request at the round's largest amounts, checked by funding.check_eligibility."""
    book, directory = opened.book, opened.directory
    p = book.parameters["funding"]
    if partners:
        chosen = list(dict.fromkeys(b for x in partners if (b := _brn(x, ("참여기업", "partner"))) != lead.brn))
        source = "with"
    else:
        chosen = [c.company.brn for c in candidates[:matching(book).proposal_partners]]
        source = "top"
    total = int(p["max_total_won"])
    gov = int(Fraction(str(p["gov_share_max"])) * total)
    members = {c.brn: c.division for c in directory.companies}
    req = Request("proposal", lead.clubs[0], lead.federations[0], need, lead.brn, tuple(chosen), None, total, gov,
                  total - gov, None, None)
    check_eligibility(req, book, members)
    companies = []
    for i, b in enumerate((lead.brn, *chosen)):
        c = directory.company(b)
        companies.append({"brn": b, "role": "lead" if i == 0 else "partner", "member": c is not None,
                          "name": c.name if c else None, "ksic_division": c.division if c else None})
    reasons = []
    for code, params in req.reasons:
        texts = book.funding_reasons.get(code, {})
        reasons.append({"code": code, **{lang: render(texts[lang], params) if lang in texts else code
                                         for lang in ("ko", "en")}})
    return Proposal(source, int(p["round_year"]), companies, total, gov, total - gov, req.eligible, reasons)


# ------------------------------------------------------------------------------------------ writing

S_CANDIDATES, S_PROPOSAL = "파트너 후보", "협력체 검토"


def write_matches(matches: Matches, out_path: str | os.PathLike[str]) -> Path:
    """Write the ranked candidates (with reasons) and the proposed consortium's eligibility to an .xlsx, atomically."""
    m = matches
    with xlsx(out_path, f"파트너 찾기: {m.lead.name}") as (wb, f):
        ws = wb.add_worksheet(S_CANDIDATES)
        ws.write_string(0, 0, f"주관기업 {m.lead.brn} {m.lead.name} (업종 {m.lead.division} {m.lead.division_name or ''}, "
                              f"{', '.join(m.lead.federations)}) — 찾는 기술: {m.need}", f.title)
        ws.write_string(1, 0, _counts_text(m))
        heads = ["순위", "사업자등록번호", "회사명", "업종(KSIC)", "업종명", "연합회", "교류회", "주요 제품·기술", "가장 가까운 항목", "일치도",
                 "가산점", "점수", "순위 근거", "연락처 (교류회 총무)"]
        rows = [[c.rank, c.company.brn, c.company.name, c.company.division, c.company.division_name,
                 ", ".join(c.company.federations), ", ".join(c.company.clubs), ", ".join(c.company.products),
                 c.best_item, round(c.similarity, 4), round(c.score - c.similarity, 4), round(c.score, 4),
                 "\n".join(r.ko for r in c.reasons), m.contact(c.company)] for c in m.candidates]
        table(ws, 3, heads, rows, {0: f.count, 9: f.score, 10: f.score, 11: f.score, 12: f.wrap, 13: f.wrap})
        if not rows:
            nothing_here(ws, f, 5, "조건에 맞는 파트너 후보가 없습니다.")
        finish(ws, f, header=3, caps={7: 30, 8: 20, 12: 60, 13: 30}, landscape=True)
        _proposal_sheet(wb, f, m)
        meta_sheet(wb, "_파트너정보", [("kind", "partners"), ("source", m.source), ("year", str(m.year)),
                                      ("lead", m.lead.brn), ("need", m.need), ("top", str(m.top)),
                                      ("same_federation", "yes" if m.same_federation else "no")])
        ws.activate()
    return Path(out_path)


def _counts_text(m: Matches) -> str:
    n = m.counts
    return (f"회원사 {n['members']:,}곳 중 같은 업종 {n['same_division']:,}곳 제외"
            + (f", 다른 연합회 {n['other_federation']:,}곳 제외" if m.same_federation else "")
            + f", 일치도 {m.min_similarity} 미만 {n['no_match']:,}곳 제외 → 후보 {n['matched']:,}곳 중 상위 {len(m.candidates)}곳")


def _proposal_sheet(wb: Any, f: Formats, m: Matches) -> None:
    ws = wb.add_worksheet(S_PROPOSAL)
    p = m.proposal
    ws.write_string(0, 0, f"{p.round_year}년 협력체 지원 자격 검토 — "
                          f"{'주관기업 + 상위 후보' if p.source == 'top' else '주관기업 + 지정한 참여기업'}", f.title)
    ws.write_string(2, 0, "지원 자격", f.bold)
    ws.write_string(2, 1, "적격" if p.eligible else "부적격", f.ok if p.eligible else f.bad)
    ws.write_string(3, 0, "부적격 사유", f.bold)
    ws.write_string(3, 1, "; ".join(r["ko"] for r in p.reasons) or "없음")
    for r, (label, v) in enumerate([("총사업비(원, 가정)", p.total_won), ("정부지원금(원)", p.gov_won),
                                    ("기업부담금(원)", p.company_won)], start=4):
        ws.write_string(r, 0, label, f.bold)
        cell(ws, r, 1, v, f.int)
    rows = [[(c["role"] == "lead" and "주관기업") or "참여기업", c["brn"], c["name"], c["ksic_division"],
             "예" if c["member"] else "아니오"] for c in p.companies]
    table(ws, 8, ["구분", "사업자등록번호", "회사명", "업종(KSIC)", "회원사"], rows, freeze=False)
    finish(ws, f, header=8, from_row=2, caps={1: 40}, one_page=True)

