"""Cross-field and cross-sheet rules: each rule `kind` in rules.yaml is one small function here."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from iupjong_xl.rulebook import Rule, RuleBook
from iupjong_xl.validate.findings import Finding, FindingFactory
from iupjong_xl.validate.normalize import share_beyond
from iupjong_xl.validate.schemas import SheetInput


@dataclass
class FileRecords:
    """The typed records of one file, per sheet key, with where they came from."""

    file: str
    records: dict[str, list[dict[str, Any]]]  # sheet key -> typed records (each has "_r")
    inputs: dict[str, SheetInput]  # sheet key -> where the records are


@dataclass(frozen=True)
class PriorYear:
    """What last year's consolidation said, for the year-over-year plausibility rules: per member company (BRN) its
    employees and sales, per club the member companies it listed."""

    year: int
    members: dict[str, tuple[int | None, int | None]]  # BRN -> (employees, sales in million won)
    clubs: dict[str, frozenset[str]]  # club code -> member BRNs


@dataclass
class Ctx:
    book: RuleBook
    rule: Rule
    fr: FileRecords
    ff: FindingFactory
    prior: PriorYear | None = None  # the report year's previous year, when a ledger holds it

    def arg(self, name: str, default: Any = None) -> Any:
        return self.book.param(self.rule.args.get(name, default))

    def rows(self, sheet: str | None = None) -> list[dict[str, Any]]:
        return self.fr.records.get(sheet or self.rule.sheet, [])

    def has(self, *sheets: str) -> bool:
        return all(s in self.fr.records for s in sheets)

    def members(self) -> dict[str, Any]:
        """Valid member BRN -> KSIC division of this file's 회원사 sheet."""
        return {r["brn"]: r.get("ksic") for r in self.rows("member") if r.get("brn")}

    def emit(self, rec: dict[str, Any] | None, column: str | None, value: Any = None, **params: Any) -> Finding:
        inp = self.fr.inputs[self.rule.sheet]
        sheet = self.book.sheets[self.rule.sheet]
        col = sheet.column(column) if column else None
        if rec is not None:
            r = int(rec["_r"])
            cell, row = inp.data.cell(r, column) if column else inp.data.cell(r, "")
        elif column:
            r, cell, row = None, inp.data.header_cell(column), (inp.data.header_row or 0) + 1
        else:
            r = None
            cell, row = inp.data.first_data_cell()
        return self.ff.make(
            self.rule.code, self.fr.file, sheet=inp.data.name, cell=cell, row=row,
            column=col.header if col else None, value=value, record=r, **params,
        )


RuleFn = Callable[[Ctx], Iterator[Finding]]
KINDS: dict[str, RuleFn] = {}


def kind(name: str) -> Callable[[RuleFn], RuleFn]:
    def deco(fn: RuleFn) -> RuleFn:
        KINDS[name] = fn
        return fn

    return deco


def _as_list(v: Any) -> list[Any]:
    if v is None:
        return []
    return list(v) if isinstance(v, (tuple, list)) else [v]


def _num(v: Any) -> int | float | None:
    if v is None:
        return None
    try:
        import pandas as pd

        if pd.isna(v):
            return None
    except (TypeError, ValueError):
        pass
    return int(v) if float(v).is_integer() else float(v)


@kind("equals_param")
def _equals_param(c: Ctx) -> Iterator[Finding]:
    col, expected = c.arg("column"), c.arg("param")
    for rec in c.rows():
        v = _num(rec.get(col))
        if v is not None and v != expected:
            yield c.emit(rec, col, v, expected=expected)


@kind("in_members")
def _in_members(c: Ctx) -> Iterator[Finding]:
    if not c.has("member"):
        return
    col, members = c.arg("column"), c.members()
    for rec in c.rows():
        for brn in _as_list(rec.get(col)):
            if brn not in members:
                yield c.emit(rec, col, brn)


@kind("min_rows")
def _min_rows(c: Ctx) -> Iterator[Finding]:
    if c.rule.sheet in c.fr.records and len(c.rows()) < c.arg("min"):
        yield c.emit(None, None, None, min=c.arg("min"))


@kind("distinct_min")
def _distinct_min(c: Ctx) -> Iterator[Finding]:
    col = c.arg("column")
    ref = c.book.sheets[c.rule.sheet].column(col).ref
    known = set(c.book.references[ref].keys) if ref else None
    values = {rec.get(col) for rec in c.rows() if rec.get(col) is not None and (known is None or rec.get(col) in known)}
    if values and len(values) < c.arg("min"):
        yield c.emit(None, col, ", ".join(sorted(map(str, values))))


@kind("role_matches")
def _role_matches(c: Ctx) -> Iterator[Finding]:
    ref = c.rows(c.arg("ref_sheet"))
    expected = ref[0].get(c.arg("ref_column")) if ref else None
    if expected is None:
        return
    holders = [rec for rec in c.rows() if rec.get(c.arg("column")) == c.arg("role")]
    if holders and all(rec.get("brn") != expected for rec in holders):
        for rec in holders:
            yield c.emit(rec, c.arg("column"), rec.get(c.arg("column")), expected=expected)


@kind("max_member_count")
def _max_member_count(c: Ctx) -> Iterator[Finding]:
    if not c.has("member"):
        return
    col, n = c.arg("column"), len(c.rows("member"))
    for rec in c.rows():
        v = _num(rec.get(col))
        if v is not None and n and v > n:
            yield c.emit(rec, col, v, members=n)


@kind("date_in_year")
def _date_in_year(c: Ctx) -> Iterator[Finding]:
    col, year = c.arg("column"), c.arg("param")
    for rec in c.rows():
        d = rec.get(col)
        if d is not None and d.year != year:
            yield c.emit(rec, col, d, expected=year)


@kind("sum_equals")
def _sum_equals(c: Ctx) -> Iterator[Finding]:
    parts, total = c.arg("columns"), c.arg("total")
    for rec in c.rows():
        vals = [_num(rec.get(p)) for p in parts]
        t = _num(rec.get(total))
        if t is None or any(v is None for v in vals):
            continue
        s = sum(vals)  # type: ignore[arg-type]
        if s != t:
            named = dict(zip(parts, vals, strict=True))
            yield c.emit(rec, parts[0], vals[0], sum=s, **{total: t}, **named)


@kind("max_param")
def _max_param(c: Ctx) -> Iterator[Finding]:
    col, limit = c.arg("column"), c.arg("param")
    for rec in c.rows():
        v = _num(rec.get(col))
        if v is not None and v > limit:
            yield c.emit(rec, col, v, limit=limit)


def _share(c: Ctx, over: bool) -> Iterator[Finding]:
    col, of, limit = c.arg("column"), c.arg("of"), c.arg("param")
    for rec in c.rows():
        v, t = _num(rec.get(col)), _num(rec.get(of))
        if v is None or not t or t <= 0:
            continue
        if share_beyond(v, t, limit, over=over):
            yield c.emit(rec, col, v, share=v / t, limit=float(limit))


@kind("share_max")
def _share_max(c: Ctx) -> Iterator[Finding]:
    return _share(c, over=True)


@kind("share_min")
def _share_min(c: Ctx) -> Iterator[Finding]:
    return _share(c, over=False)


@kind("consortium_divisions")
def _consortium_divisions(c: Ctx) -> Iterator[Finding]:
    if not c.has("member"):
        return
    members = c.members()
    cols = c.arg("columns")
    need_c, need_d = c.arg("min_companies"), c.arg("min_divisions")
    for rec in c.rows():
        companies: list[str] = []
        for col in cols:
            for brn in _as_list(rec.get(col)):
                if brn not in companies:
                    companies.append(brn)
        if not companies or any(b not in members for b in companies):
            continue  # unknown companies are reported by the membership rules; eligibility is decided nationally
        divisions = {members[b] for b in companies if members[b] is not None}
        if len(companies) < need_c or len(divisions) < need_d:
            yield c.emit(rec, cols[0], rec.get(cols[0]), companies=len(companies), divisions=len(divisions),
                         min_companies=need_c, min_divisions=need_d)


@kind("code_prefix")
def _code_prefix(c: Ctx) -> Iterator[Finding]:
    ref = c.rows(c.arg("ref_sheet"))
    fed = ref[0].get(c.arg("ref_column")) if ref else None
    row = c.book.references["federation"].row(fed) if fed else None
    if not row or not row.get("code"):
        return
    prefix = row["code"]
    col = c.arg("column")
    for rec in c.rows():
        v = rec.get(col)
        if v and not str(v).startswith(prefix + "-"):
            yield c.emit(rec, col, v, expected=prefix)


def check_rules(book: RuleBook, fr: FileRecords, ff: FindingFactory,
                prior: Mapping[int, PriorYear] | None = None) -> list[Finding]:
    """Run every rule whose sheet this file has (the year-over-year rules only when last year is known)."""
    out: list[Finding] = []
    last = (prior or {}).get(book.year - 1)
    for rule in book.rules:
        if rule.sheet not in fr.records or (rule.kind.startswith("yoy_") and last is None):
            continue
        fn = KINDS.get(rule.kind)
        if fn is None:
            from iupjong_xl.errors import RuleBookError

            raise RuleBookError(f"규칙 {rule.code}: 규칙 종류 {rule.kind!r}이(가) 없습니다.",
                                f"rule {rule.code}: unknown kind {rule.kind!r}", file=str(book.path / "rules.yaml"))
        out.extend(fn(Ctx(book, rule, fr, ff, last)))
    return out


# ------------------------------------------------------------------------------------------ year over year


@kind("yoy_factor")
def _yoy_factor(c: Ctx) -> Iterator[Finding]:
    """A member company's value changed by more than the factor since last year (×factor or ÷factor)."""
    col, factor = c.arg("column"), float(c.arg("param"))
    which = 0 if col == "employees" else 1
    assert c.prior is not None
    for rec in c.rows():
        before = c.prior.members.get(str(rec.get("brn") or ""))
        v, last = _num(rec.get(col)), None if before is None else before[which]
        if v is None or last is None or v <= 0 or last <= 0:
            continue
        if max(v / last, last / v) > factor:
            yield c.emit(rec, col, v, last=last, factor=factor)


def _club(c: Ctx) -> tuple[dict[str, Any] | None, str | None]:
    club = c.rows("club")[0] if c.rows("club") else None
    return club, (str(club.get("club_code")) if club and club.get("club_code") else None)


@kind("yoy_member_share")
def _yoy_member_share(c: Ctx) -> Iterator[Finding]:
    """The club lists many more or fewer member companies than last year (by more than the share)."""
    assert c.prior is not None
    club, code = _club(c)
    before = c.prior.clubs.get(code or "")
    n, share = len([r for r in c.rows("member") if r.get("brn")]), float(c.arg("param"))
    if club is None or not before or not n:
        return
    if abs(n - len(before)) / len(before) > share:
        yield c.emit(club, "club_code", code, last=len(before), count=n)


@kind("yoy_no_overlap")
def _yoy_no_overlap(c: Ctx) -> Iterator[Finding]:
    """A club that reported last year lists none of last year's member companies (another club's list?)."""
    assert c.prior is not None
    club, code = _club(c)
    before = c.prior.clubs.get(code or "")
    now = {str(r["brn"]) for r in c.rows("member") if r.get("brn")}
    if club is not None and before and now and not (now & before):
        yield c.emit(club, "club_code", code, last=len(before))
