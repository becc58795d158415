"""The open-data snapshot (공개 자료): each year's current national view in the ledger, without personal data, as a
SQLite file, CSV and JSON per table, a Frictionless Data Package descriptor and Datasette metadata.

What may be published is data, not code: `validation/publish/opendata.yaml` declares every table and column (with
Korean and English titles and Table Schema types). The gate (`gate`) runs before anything is written: a table or
column the declaration does not name fails the build (NotPublishableError names the table and column); free text is
redacted (phone numbers, e-mail addresses, registration numbers); sums and means of employees or sales over fewer
than `min_companies` companies are withheld. Counts are exact.

Everything is read from the ledger with the readers the analyses already use (trends.ledger_years, the directory,
derive); the same ledger gives the same bytes (no time but the runs' own)."""

from __future__ import annotations

import contextlib
import csv
import datetime
import hashlib
import io
import json
import os
import re
import shutil
import sqlite3
import tempfile
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from fractions import Fraction
from functools import cache
from pathlib import Path
from typing import Any

import yaml

from iupjong_xl import rulebook
from iupjong_xl.analyses.directory import UNKNOWN, Company, Directory, Opened, build_directory
from iupjong_xl.analyses.partners import ngrams
from iupjong_xl.analyses.trends import ALWAYS_COUNTED, compare, ledger_years
from iupjong_xl.errors import IupjongError, OutputError, RuleBookError, UsageError
from iupjong_xl.rulebook import Indicator

SPEC_FILE = Path("publish") / "opendata.yaml"  # inside the rule-book folder (validation/)
SQLITE_NAME = "opendata.sqlite"
DATAPACKAGE = "datapackage.json"
METADATA = "metadata.yaml"
CSV_DIR, JSON_DIR = "csv", "json"
NATIONAL = "전국"
TYPES = {"integer": "INTEGER", "year": "INTEGER", "boolean": "INTEGER", "number": "REAL", "string": "TEXT",
         "date": "TEXT", "datetime": "TEXT"}


class NotPublishableError(IupjongError):
    """The snapshot would publish a table or column the allow-list does not declare (or one that is never
    published): nothing is written."""

    def __init__(self, table: str, column: str | None, ko: str, en: str, *, file: str | None = None) -> None:
        super().__init__(ko, en, file=file)
        self.table = table
        self.column = column


# ------------------------------------------------------------------------------------------ the declaration


@dataclass(frozen=True)
class Column:
    name: str
    type: str
    title: str
    title_en: str
    description: str | None = None
    redact: bool = False
    size_of: str | None = None  # the count of companies a sum or mean of employees / sales is over


@dataclass(frozen=True)
class TableSpec:
    name: str
    title: str
    title_en: str
    description: str
    description_en: str
    primary_key: tuple[str, ...]
    columns: tuple[Column, ...]
    foreign_keys: tuple[dict[str, Any], ...] = ()
    indexes: tuple[tuple[str, ...], ...] = ()
    sqlite_only: bool = False
    without_rowid: bool = False  # an index-like table: stored in primary-key order, no second copy of the key
    datasette: dict[str, Any] = field(default_factory=dict)  # facets, label_column ... for metadata.yaml

    @property
    def names(self) -> list[str]:
        return [c.name for c in self.columns]


@dataclass(frozen=True)
class Spec:
    """The declared snapshot: tables and their allowed columns, redaction patterns, suppression threshold."""

    path: Path
    raw: dict[str, Any]
    tables: dict[str, TableSpec]
    redact: tuple[tuple[str, re.Pattern[str], str], ...]
    never: frozenset[str]
    min_companies: int
    suppressed_label: str
    attendance_bands: tuple[tuple[Fraction, str], ...]
    no_meetings_label: str

    def redact_text(self, text: str) -> tuple[str, Counter[str]]:
        """The text with phone numbers, e-mail addresses and registration numbers replaced; what was replaced."""
        found: Counter[str] = Counter()
        for name, pattern, label in self.redact:
            text, n = pattern.subn(label, text)
            if n:
                found[name] += n
        return text, found

    def without_labels(self, text: str) -> str:
        for _name, _pattern, label in self.redact:
            text = text.replace(label, " ")
        return text


def spec_path() -> Path:
    """The declaration of the rule-book folder in use (an override folder without one uses the packaged one)."""
    p = rulebook.default_root() / SPEC_FILE
    return p if p.is_file() else rulebook.packaged_root() / SPEC_FILE


def load_spec(path: str | os.PathLike[str] | None = None) -> Spec:
    """Read and check the declaration; an allow-list naming a column that is never published is refused."""
    p = Path(path) if path is not None else spec_path()
    return _load_spec(p.resolve(), p.stat().st_mtime_ns if p.is_file() else 0)


@cache
def _load_spec(p: Path, _mtime: int) -> Spec:
    try:
        raw = yaml.safe_load(p.read_text(encoding="utf-8"))
        never = frozenset(raw.get("never") or ())
        tables: dict[str, TableSpec] = {}
        for name, t in raw["tables"].items():
            cols = tuple(Column(c["name"], c["type"], c["title"], c["title_en"], c.get("description"),
                                bool(c.get("redact")), c.get("size_of")) for c in t["columns"])
            names = [c.name for c in cols]
            for c in cols:
                if c.type not in TYPES:
                    raise RuleBookError(f"{p}: {name}.{c.name}의 형식 {c.type}을(를) 모릅니다.",
                                        f"{p}: unknown type {c.type} of {name}.{c.name}", file=str(p))
            if len(set(names)) < len(names) or not set(t["primary_key"]) <= set(names):
                raise RuleBookError(f"{p}: {name} 표의 열이 겹치거나 기본 키가 열에 없습니다.",
                                    f"{p}: table {name} repeats a column or its primary key is not among its columns",
                                    file=str(p))
            tables[name] = TableSpec(name, t["title"], t["title_en"], t["description"], t["description_en"],
                                     tuple(t["primary_key"]), cols, tuple(t.get("foreign_keys") or ()),
                                     tuple(tuple(i) for i in t.get("indexes") or ()), bool(t.get("sqlite_only")),
                                     bool(t.get("without_rowid")), dict(t.get("datasette") or {}))
        redact = tuple((r["name"], re.compile(r["pattern"]), r["label"]) for r in raw.get("redact") or ())
        bands = tuple((Fraction(str(lo)), str(label)) for lo, label in raw["attendance_bands"])
        spec = Spec(p, raw, tables, redact, never, int(raw["min_companies"]), str(raw["suppressed_label"]), bands,
                    str(raw["no_meetings_label"]))
    except (OSError, yaml.YAMLError, KeyError, TypeError, ValueError, re.error) as exc:
        raise RuleBookError(f"공개 자료 명세 {p}를 읽지 못했습니다 ({exc}).", f"cannot read the open-data declaration {p} "
                            f"({exc})", file=str(p)) from exc
    for t in spec.tables.values():
        for c in t.columns:
            if c.name in never:
                raise NotPublishableError(
                    t.name, c.name, f"공개 자료 명세가 절대 공개하지 않는 열을 허용합니다: {t.name} 표의 {c.name} 열 ({p}).",
                    f"the open-data declaration allows a column that is never published: table {t.name}, column "
                    f"{c.name} ({p})", file=str(p))
    return spec


# ------------------------------------------------------------------------------------------ the snapshot


@dataclass
class Snapshot:
    """The tables to publish (rows as dicts), where they come from, and what the gate did."""

    spec: Spec
    ledger: str
    years: list[int]
    runs: list[dict[str, Any]]
    tables: dict[str, list[dict[str, Any]]]
    redacted: dict[str, int] = field(default_factory=dict)  # "table.column" -> texts redacted
    suppressed: dict[str, int] = field(default_factory=dict)  # "table.column" -> values withheld ("3곳 미만")
    output: Path | None = None
    files: list[str] = field(default_factory=list)
    gated: bool = False

    def to_dict(self) -> dict[str, Any]:
        return {"ledger": self.ledger, "output": str(self.output) if self.output else None, "years": self.years,
                "runs": self.runs, "tables": {k: len(v) for k, v in self.tables.items()},
                "redacted": self.redacted, "suppressed": self.suppressed, "files": self.files,
                "sqlite": SQLITE_NAME, "datapackage": DATAPACKAGE, "metadata": METADATA}


def _since(years: dict[int, Any], year: int) -> dict[str, int]:
    """BRN -> the first year the ledger holds the company, up to `year` (as open_consolidated computes it)."""
    since: dict[str, int] = {}
    for y, prior in sorted(years.items(), reverse=True):
        if y <= year:
            since.update(dict.fromkeys(prior.members, y))
    return since


def _runs(ledger: Path, opened: list[Opened]) -> dict[int, dict[str, Any]]:
    """Per year, the run that wrote the current national view (no user or host: only what the run was)."""
    from iupjong_xl.consolidate.ledger import open_ledger
    from iupjong_xl.consolidate.record import current_view, workbook_key

    out = {}
    with open_ledger(ledger, create=False) as led:
        for o in opened:
            key = workbook_key(ledger, o.path)
            view = current_view(led.conn, key)
            run = led.conn.execute("SELECT id, finished, program_version, rulebook_version FROM runs WHERE id = ?",
                                   (view["run_id"],)).fetchone() if view is not None else None
            units = [u.kind for u in o.cons.units.values()]
            out[o.year] = {"year": o.year, "level": o.cons.level, "workbook": key,
                           "run": run[0] if run else None, "content_hash": o.cons.content_hash,
                           "run_finished": run[1] if run else None, "rulebook_version": (run[3] if run else None)
                           or o.book.version, "program_version": run[2] if run else None,
                           "club_reports": units.count("club"), "federation_reports": units.count("federation")}
    return out


def _company_ids(directories: Iterable[Directory], since: dict[str, int]) -> dict[str, int]:
    """A public number per company, stable across the years of the snapshot: companies in order of the first year
    the ledger holds them, within a year in the order of a hash of the registration number (which it does not
    reveal, nor its order)."""
    first: dict[str, int] = {}
    for d in directories:
        for c in d.companies:
            first.setdefault(c.brn, since.get(c.brn, d.year))
    order = sorted(first, key=lambda b: (first[b], hashlib.sha256(b.encode()).hexdigest()))
    return {b: i for i, b in enumerate(order, start=1)}


def _size(companies: list[Company]) -> dict[str, Any]:
    """Employees and sales of these companies: how many gave them, their sum and mean (the gate withholds sums and
    means over too few companies)."""
    emp = [c.employees for c in companies if c.employees is not None]
    sal = [c.sales_mwon for c in companies if c.sales_mwon is not None]
    return {"employees_companies": len(emp), "employees_sum": sum(emp) if emp else None,
            "employees_mean": round(sum(emp) / len(emp), 1) if emp else None,
            "sales_companies": len(sal), "sales_mwon_sum": sum(sal) if sal else None,
            "sales_mwon_mean": round(sum(sal) / len(sal), 1) if sal else None, "size_note": None}


def _attendance(spec: Spec, book: rulebook.RuleBook, club: dict[str, Any] | None) -> tuple[str | None, bool | None]:
    """A club's attendance band (share of its members at its monthly meetings) and whether it meets the rule book's
    threshold, counted as the indicators count it."""
    if club is None:
        return None, None
    if not club["meetings"] or not club["members"]:
        return spec.no_meetings_label, False
    share = Fraction(club["attendance"], club["meetings"] * club["members"])
    band = [label for lo, label in spec.attendance_bands if share >= lo][-1]
    return band, share >= Fraction(str(book.parameters.get("attendance_threshold", 0.7)))


def build_snapshot(ledger: str | os.PathLike[str], spec: Spec | None = None) -> Snapshot:
    """Read each year's current national consolidation from the ledger and lay out the tables to publish."""
    from iupjong_xl.consolidate.derive import derive
    from iupjong_xl.consolidate.indicators import _club_sets

    spec = spec or load_spec()
    db = Path(ledger)
    opened = [o for o in ledger_years(db) if o.cons.level == "national"]
    if not opened:
        raise UsageError(f"원장 {db}에 전국 취합 기록이 없습니다. 공개 자료는 전국 취합에서만 만듭니다.",
                         f"the ledger {db} holds no national consolidation; open data is published from national "
                         "consolidations only", file=str(db))
    opened.sort(key=lambda o: o.year)
    runs = _runs(db, opened)
    years = [o.year for o in opened]
    from iupjong_xl.consolidate.record import prior_years_of

    prior = prior_years_of(db)
    dirs: dict[int, Directory] = {}
    for o in opened:
        dirs[o.year] = build_directory(Opened(o.path, o.cons, o.version, _since(prior, o.year)))
    since_all = _since(prior, max(years))
    ids = _company_ids(dirs.values(), since_all)
    indicators, comparable = _indicators([o.book for o in opened])
    t: dict[str, list[dict[str, Any]]] = {name: [] for name in spec.tables}
    for o in opened:
        book, year, d = o.book, o.year, dirs[o.year]
        frames = o.frames
        derived = derive(o.cons)
        table, rnd = derived.table, derived.round
        clubs = _club_sets(frames, book)
        tech_kinds = set(book.measures.get("tech_result_kinds", ()))
        has_newproduct = any(c.key == "activity_newproduct" for c in book.sheets["club"].columns)
        feds_reported = {str(f) for f in frames["federation"]["federation"]}
        by_fed: dict[str, list[Company]] = {}
        by_club: dict[str, list[Company]] = {}
        for c in d.companies:
            for fed in c.federations:
                by_fed.setdefault(fed, []).append(c)
            for code in dict.fromkeys(c.clubs):
                by_club.setdefault(code, []).append(c)
        results = [r for r in frames["result"].to_dict("records")]
        requests = rnd.requests
        t["runs"].append(runs[year])
        for pos, fed in enumerate(table.federations, start=1):
            m = table.measures[fed]
            fed_requests = [r for r in requests if r.federation == fed]
            t["federations"].append({
                "year": year, "federation": fed, "position": pos, "roster_received": fed in feds_reported,
                **{k: m[k] for k in ("registered_clubs", "reported_clubs", "registered_members", "clubs_info",
                                     "clubs_resource", "clubs_with_tech_results", "tech_results", "monthly_meetings",
                                     "clubs_attendance_ok", "clubs_single_industry")},
                "clubs_newproduct": m["clubs_newproduct"] if has_newproduct else None,
                "member_companies": len(by_fed.get(fed, [])),
                "results": sum(1 for r in results if r["federation"] == fed),
                "consortium_requests": len(fed_requests), "consortium_eligible": sum(r.eligible for r in fed_requests),
                "consortium_selected": sum(r.selected for r in fed_requests),
                "selected_gov_won": sum(r.gov_awarded for r in fed_requests),
                **_size(by_fed.get(fed, []))})
        # clubs: every club of the rosters and every club that reported (once, under the federation its report names)
        seen: dict[str, dict[str, Any]] = {}
        diversity = {c.club_code: c for c in d.clubs}
        for r in derived.reporting:
            code = str(r["club_code"])
            row = seen.get(code)
            if row is None:
                row = seen[code] = {"year": year, "club_code": code, "club_name": r.get("club_name"),
                                    "federation": r["federation"], "founded_year": r.get("founded_year"),
                                    "in_roster": False, "reported": False, "roster_members": None}
            if not r.get("not_in_roster"):
                row["in_roster"] = True
                row["roster_members"] = r.get("member_count")
            if r["received"]:
                row["reported"] = True
                row["federation"] = r["federation"]
        club_names = {str(r["club_code"]): r for r in frames["club"].to_dict("records")}
        for code, row in seen.items():
            cs = clubs.get(code) if row["reported"] else None
            div = diversity.get(code) if row["reported"] else None
            profile = club_names.get(code) if row["reported"] else None
            if profile is not None:
                row["club_name"] = profile.get("club_name") or row["club_name"]
                row["founded_year"] = profile.get("founded_year") or row["founded_year"]
            band, ok = _attendance(spec, book, cs)
            club_requests = [q for q in requests if q.club_code == code]
            row.update({
                "members": cs["members"] if cs else None,
                "ksic_divisions": len(div.divisions) if div else (0 if cs else None),
                "ksic_sections": len(div.sections) if div else (0 if cs else None),
                "cross_industry": (len(div.divisions) >= d.min_divisions if div else False) if cs else None,
                "activity_info": cs["info"] if cs else None, "activity_resource": cs["resource"] if cs else None,
                "activity_newproduct": cs["newproduct"] if cs and has_newproduct else None,
                "activities": sum(1 for a in frames["activity"]["club_code"] if a == code) if cs else None,
                "monthly_meetings": cs["meetings"] if cs else None, "attendance_band": band, "attendance_ok": ok,
                "results": sum(1 for r in results if r["club_code"] == code) if cs else None,
                "tech_results": cs["tech"] if cs else None,
                "consortium_requests": len(club_requests) if cs else None,
                "consortium_selected": sum(q.selected for q in club_requests) if cs else None,
                **(_size(by_club.get(code, [])) if cs else dict.fromkeys(_size([])))})
            t["clubs"].append(row)
        # indicators: national and per federation, numerators and denominators
        for spos, scope in enumerate((NATIONAL, *table.federations)):
            measures = table.total if scope == NATIONAL else table.measures[scope]
            for ipos, ind in indicators[year]:
                v = table.value(ind, None if scope == NATIONAL else scope)
                t["indicators"].append({
                    "year": year, "scope": scope, "scope_position": spos, "key": ind.key, "position": ipos,
                    "name_ko": ind.ko, "name_en": ind.en, "unit": ind.unit, "numerator_key": ind.numerator,
                    "numerator": measures.get(ind.numerator, 0), "denominator_key": ind.denominator,
                    "denominator": measures.get(ind.denominator, 0) if ind.denominator else None,
                    "factor": float(ind.factor), "decimals": ind.decimals, "comparable": ind.key in comparable,
                    "value": None if v is None else (round(v, ind.decimals) if ind.decimals else round(v)),
                    "paper": ind.paper if scope == NATIONAL else None})
        budget = (book.parameters.get("support_budget_million_won") or {}).get(str(year))
        t["funding_rounds"].append({"year": year, "round_year": book.parameters["funding"].get("round_year"),
                                    **{k: v for k, v in rnd.totals().items()},
                                    "support_budget_million_won": budget})
        division = {c.brn: c.division for c in d.companies}
        for q in requests:
            if q.selected:
                t["consortia"].append({
                    "year": year, "request": q.key, "round_year": book.parameters["funding"].get("round_year"),
                    "federation": q.federation, "club_code": q.club_code, "title": q.title, "field": q.field,
                    "companies": len(q.companies),
                    "ksic_divisions": len({division[b] for b in q.companies if division.get(b)}),
                    "total_won": q.total_won, "gov_won": q.gov_won, "company_won": q.company_won, "rank": q.rank})
        counter: Counter[str] = Counter()
        for res in results:
            code = str(res["club_code"])
            counter[code] += 1
            parts = res.get("participants")
            n = len(parts) if isinstance(parts, (tuple, list)) else len([p for p in str(parts or "").split(",") if p.strip()])
            date = res.get("date")
            t["results"].append({"year": year, "club_code": code, "seq": counter[code], "federation": res["federation"],
                                 "kind": res.get("kind"), "tech": res.get("kind") in tech_kinds, "title": res.get("title"),
                                 "date": date.isoformat() if isinstance(date, datetime.date) else None, "companies": n})
        emp_bands = [label for _lo, label in d.employee_bands]
        sal_bands = [label for _lo, label in d.sales_bands]
        for c in d.companies:
            cid = ids[c.brn]
            products = ", ".join(c.products)
            t["companies"].append({
                "year": year, "company_id": cid, "company_name": c.name, "ksic_section": c.section,
                "ksic_section_name": c.section_name, "ksic_division": c.division, "ksic_division_name": c.division_name,
                "employee_band": c.employee_band, "employee_band_position": _position(c.employee_band, emp_bands),
                "sales_band": c.sales_band, "sales_band_position": _position(c.sales_band, sal_bands),
                "clubs": ", ".join(dict.fromkeys(c.clubs)), "federations": ", ".join(c.federations),
                "products": products or None, "member_since": c.member_since})
            for ms in c.memberships:
                t["memberships"].append({"year": year, "company_id": cid, "club_code": ms.club_code,
                                         "federation": ms.federation})
            for where, text in (("products", products), ("name", c.name), ("industry", c.division_name or "")):
                clean = spec.without_labels(spec.redact_text(text)[0])  # redacted text's grams only
                for gram, n in sorted(ngrams(clean).items()):
                    t["company_grams"].append({"gram": gram, "year": year, "company_id": cid, "field": where, "n": n})
        for kind, bands in (("employees", d.employee_bands), ("sales_mwon", d.sales_bands)):
            for pos, (lo, label) in enumerate(bands, start=1):
                t["bands"].append({"year": year, "kind": kind, "position": pos, "lower_bound": lo, "label": label})
            t["bands"].append({"year": year, "kind": kind, "position": len(bands) + 1, "lower_bound": None,
                               "label": UNKNOWN})
    t["memberships"] = list({(r["year"], r["company_id"], r["club_code"]): r for r in t["memberships"]}.values())
    return Snapshot(spec, db.name, years, [runs[y] for y in years], t)


def _indicators(books: list[rulebook.RuleBook]) -> tuple[dict[int, list[tuple[int, Indicator]]], set[str]]:
    """Per year, the indicators published (with their order) as `iupjong trends` shows them: the year's own, and
    those of other years' rule books over measures every year counts alike (e.g. 교류회당 회원사); and the keys
    comparable across all the years (defined alike everywhere)."""
    order: list[str] = []
    latest: dict[str, Indicator] = {}
    for b in reversed(books):  # the latest year's order and definition first
        for i in b.indicators:
            if i.key not in latest:
                order.append(i.key)
                latest[i.key] = i
    out: dict[int, list[tuple[int, Indicator]]] = {}
    for b in books:
        own = {i.key: i for i in b.indicators}
        out[b.year] = []
        for pos, key in enumerate(order, start=1):
            ind = own.get(key) or latest[key]
            if key in own or ({ind.numerator, ind.denominator} - {None}) <= ALWAYS_COUNTED:
                out[b.year].append((pos, ind))
    return out, {i.key for i in compare(books)[0]}


def _position(label: str, labels: list[str]) -> int:
    return labels.index(label) + 1 if label in labels else len(labels) + 1


# ------------------------------------------------------------------------------------------ the gate


def gate(snap: Snapshot) -> Snapshot:
    """Enforce the declaration before anything is written: only declared tables and columns (NotPublishableError
    naming the first table and column that is not), free text redacted, sums and means of employees or sales over
    too few companies withheld. Runs once per snapshot."""
    if snap.gated:
        return snap
    spec = snap.spec
    for name, rows in snap.tables.items():
        ts = spec.tables.get(name)
        if ts is None:
            raise NotPublishableError(name, None, f"공개 자료 명세({spec.path.name})에 없는 표를 공개하려 했습니다: {name}. "
                                      "아무것도 쓰지 않았습니다.", f"the snapshot would publish a table the open-data "
                                      f"declaration ({spec.path.name}) does not list: {name}; nothing was written",
                                      file=str(spec.path))
        allowed = set(ts.names)
        for row in rows:
            for col in row:
                if col not in allowed or col in spec.never:
                    raise NotPublishableError(
                        name, col, f"공개 자료 명세({spec.path.name})에 없는 열을 공개하려 했습니다: {name} 표의 {col} 열. "
                        "아무것도 쓰지 않았습니다.", f"the snapshot would publish a column the open-data declaration "
                        f"({spec.path.name}) does not allow: table {name}, column {col}; nothing was written",
                        file=str(spec.path))
    for name, rows in snap.tables.items():
        ts = spec.tables[name]
        texts = [c.name for c in ts.columns if c.redact]
        sizes = [c for c in ts.columns if c.size_of]
        for row in rows:
            for col in texts:
                v = row.get(col)
                if isinstance(v, str):
                    row[col], found = spec.redact_text(v)
                    if found:
                        snap.redacted[f"{name}.{col}"] = snap.redacted.get(f"{name}.{col}", 0) + 1
            withheld = False
            for c in sizes:
                n = row.get(c.size_of or "")
                if row.get(c.name) is not None and (n is None or n < spec.min_companies):
                    row[c.name] = None
                    withheld = True
                    snap.suppressed[f"{name}.{c.name}"] = snap.suppressed.get(f"{name}.{c.name}", 0) + 1
            if withheld and "size_note" in ts.names:
                row["size_note"] = spec.suppressed_label
    snap.gated = True
    return snap


# ------------------------------------------------------------------------------------------ writing


def _sorted(ts: TableSpec, rows: list[dict[str, Any]]) -> list[list[Any]]:
    """The rows as lists in the declared column order, sorted by primary key (what makes the bytes reproducible)."""
    names = ts.names
    out = [[row.get(c) for c in names] for row in rows]
    idx = [names.index(k) for k in ts.primary_key]
    try:
        out.sort(key=lambda r: tuple(r[i] for i in idx))
    except TypeError:  # an empty key value: first
        out.sort(key=lambda r: tuple((r[i] is not None, r[i] if r[i] is not None else 0) for i in idx))
    return out


def _csv_value(v: Any) -> str:
    if v is None:
        return ""
    if isinstance(v, bool):
        return "true" if v else "false"
    return str(v)


def _write_sqlite(path: Path, spec: Spec, data: dict[str, list[list[Any]]]) -> None:
    conn = sqlite3.connect(path)
    try:
        conn.execute("PRAGMA journal_mode = OFF")
        with conn:
            for name, ts in spec.tables.items():
                cols = [f'"{c.name}" {TYPES[c.type]}' for c in ts.columns]
                cols.append("PRIMARY KEY (" + ", ".join(f'"{k}"' for k in ts.primary_key) + ")")
                for fk in ts.foreign_keys:
                    cols.append("FOREIGN KEY (" + ", ".join(f'"{k}"' for k in fk["fields"]) + f') REFERENCES "{fk["table"]}" ('
                                + ", ".join(f'"{k}"' for k in fk["reference"]) + ")")
                rowid = " WITHOUT ROWID" if ts.without_rowid else ""
                conn.execute(f'CREATE TABLE "{name}" ({", ".join(cols)}){rowid}')
                marks = ", ".join("?" * len(ts.columns))
                flags = [i for i, c in enumerate(ts.columns) if c.type == "boolean"]
                rows = data[name]
                if flags:
                    rows = [list(r) for r in rows]
                    for r in rows:
                        for i in flags:
                            if r[i] is not None:
                                r[i] = int(r[i])
                conn.executemany(f'INSERT INTO "{name}" VALUES ({marks})', rows)
                for idx in ts.indexes:
                    conn.execute(f'CREATE INDEX "{name}_{"_".join(idx)}" ON "{name}" ('
                                 + ", ".join(f'"{k}"' for k in idx) + ")")
    finally:
        conn.close()


def _schema(ts: TableSpec, *, keys: bool = True) -> dict[str, Any]:
    fields = []
    for c in ts.columns:
        f: dict[str, Any] = {"name": c.name, "type": c.type, "title": c.title, "title_en": c.title_en}
        if c.description:
            f["description"] = c.description
        if c.type == "date":
            f["format"] = "%Y-%m-%d"
        fields.append(f)
    schema: dict[str, Any] = {"fields": fields, "primaryKey": list(ts.primary_key)}
    if keys and ts.foreign_keys:
        schema["foreignKeys"] = [{"fields": list(fk["fields"]), "reference": {"resource": fk["table"],
                                                                              "fields": list(fk["reference"])}}
                                 for fk in ts.foreign_keys]
    return schema


def datapackage(snap: Snapshot) -> dict[str, Any]:
    """The Frictionless Data Package descriptor of the snapshot (Korean title and description first, English beside)."""
    spec, raw = snap.spec, snap.spec.raw
    resources: list[dict[str, Any]] = []
    for name, ts in spec.tables.items():
        if ts.sqlite_only:
            continue
        common = {"title": ts.title, "title_en": ts.title_en, "description": ts.description,
                  "description_en": ts.description_en, "profile": "tabular-data-resource"}
        resources.append({"name": name, "path": f"{CSV_DIR}/{name}.csv", "format": "csv", "mediatype": "text/csv",
                          "encoding": "utf-8-sig", **common, "schema": _schema(ts)})
        resources.append({"name": f"{name}-json", "path": f"{JSON_DIR}/{name}.json", "format": "json",
                          "mediatype": "application/json", "encoding": "utf-8", **common,
                          "schema": _schema(ts, keys=False)})
    resources.append({"name": "opendata-sqlite", "path": SQLITE_NAME, "format": "sqlite",
                      "mediatype": "application/vnd.sqlite3", "profile": "data-resource",
                      "title": "모든 표를 담은 SQLite 파일 (검색 색인 company_grams 포함)",
                      "title_en": "Every table in one SQLite file (with the search index company_grams)"})
    finished = [r["run_finished"] for r in snap.runs if r["run_finished"]]
    lic = raw["license"]
    return {
        "profile": "data-package", "name": raw["name"], "title": raw["title"], "title_en": raw["title_en"],
        "description": raw["description"], "description_en": raw["description_en"],
        "licenses": [{"name": lic["name"], "title": lic["title"], "path": lic["path"]}],
        **({"created": max(finished)} if finished else {}),
        "keywords": ["이업종 교류", "중소기업", "회원사 명부", "cross-industry exchange", "SME", "open data"],
        "sources": [{"title": f"{r['year']}년 전국 취합 {r['workbook']} — 원장 {snap.ledger} 실행 #{r['run']} (내용 해시 {r['content_hash']}), "
                              f"규칙집 {r['rulebook_version']}"} for r in snap.runs],
        "contributors": [{"title": raw["publisher"], "role": "publisher"}],
        "years": snap.years,
        "runs": snap.runs,
        "resources": resources,
    }


def datasette_metadata(snap: Snapshot) -> dict[str, Any]:
    """Datasette's metadata.yaml: titles, descriptions and column meanings for `datasette serve -i`."""
    spec, raw = snap.spec, snap.spec.raw
    tables: dict[str, Any] = {}
    for name, ts in spec.tables.items():
        tables[name] = {"title": f"{ts.title} ({ts.title_en})", "description": f"{ts.description} {ts.description_en}",
                        **ts.datasette, "columns": {c.name: f"{c.title} ({c.title_en})" for c in ts.columns}}
    return {"title": f"{raw['title']} ({raw['title_en']})", "description": raw["description"],
            "license": raw["license"]["name"], "license_url": raw["license"]["path"],
            "source": f"{raw['publisher']} — {', '.join(map(str, snap.years))}년 전국 취합 (원장 {snap.ledger})",
            "databases": {Path(SQLITE_NAME).stem: {"tables": tables}}}


def _is_snapshot(folder: Path) -> bool:
    """A folder this command may replace: empty, or a snapshot it wrote before."""
    if not folder.is_dir():
        return False
    if not any(folder.iterdir()):
        return True
    dp = folder / DATAPACKAGE
    try:
        return json.loads(dp.read_text(encoding="utf-8")).get("name") is not None and (folder / SQLITE_NAME).is_file()
    except (OSError, ValueError, AttributeError):
        return False


def write_snapshot(snap: Snapshot, out: str | os.PathLike[str]) -> Snapshot:
    """Gate the snapshot, then write it into a temporary folder beside `out` and put it in place of `out` (an earlier
    snapshot there is replaced only when the new one is complete)."""
    gate(snap)
    target = Path(out)
    spec = snap.spec
    if target.exists() and not _is_snapshot(target):
        raise OutputError(f"{target}: 공개 자료 폴더가 아닌 파일이나 폴더가 있습니다. 비어 있는 폴더나 새 이름을 지정하세요.",
                          f"{target} exists and is not an open-data snapshot; name an empty or new folder",
                          file=str(target))
    try:
        parent = target.resolve().parent
        parent.mkdir(parents=True, exist_ok=True)
        tmp = Path(tempfile.mkdtemp(prefix=f".{target.name}.", suffix=".tmp", dir=parent))
    except OSError as exc:
        raise OutputError(f"{target}: 폴더를 만들지 못했습니다 ({exc}).", f"{target}: cannot create the folder ({exc})",
                          file=str(target)) from exc
    old: Path | None = None
    try:
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o777 & ~umask)
        data = {name: _sorted(ts, snap.tables.get(name, [])) for name, ts in spec.tables.items()}
        _write_sqlite(tmp / SQLITE_NAME, spec, data)
        (tmp / CSV_DIR).mkdir()
        (tmp / JSON_DIR).mkdir()
        files = [SQLITE_NAME]
        for name, ts in spec.tables.items():
            if ts.sqlite_only:
                continue
            buf = io.StringIO()
            w = csv.writer(buf, lineterminator="\r\n")
            w.writerow(ts.names)
            w.writerows([[_csv_value(v) for v in row] for row in data[name]])
            (tmp / CSV_DIR / f"{name}.csv").write_bytes(buf.getvalue().encode("utf-8-sig"))
            (tmp / JSON_DIR / f"{name}.json").write_text(
                json.dumps([dict(zip(ts.names, row, strict=True)) for row in data[name]], ensure_ascii=False,
                           indent=1) + "\n", encoding="utf-8")
            files += [f"{CSV_DIR}/{name}.csv", f"{JSON_DIR}/{name}.json"]
        (tmp / DATAPACKAGE).write_text(json.dumps(datapackage(snap), ensure_ascii=False, indent=2) + "\n",
                                       encoding="utf-8")
        (tmp / METADATA).write_text(yaml.safe_dump(datasette_metadata(snap), allow_unicode=True, sort_keys=False,
                                                   width=100), encoding="utf-8")
        files += [DATAPACKAGE, METADATA]
        for p in tmp.rglob("*"):
            os.chmod(p, (0o777 if p.is_dir() else 0o666) & ~umask)
        if target.exists():
            old = Path(tempfile.mkdtemp(prefix=f".{target.name}.", suffix=".old", dir=parent))
            os.replace(target, old / "snapshot")
        os.replace(tmp, target)
    except OSError as exc:
        if old is not None and not target.exists():
            with contextlib.suppress(OSError):
                os.replace(old / "snapshot", target)  # put the earlier snapshot back
        raise OutputError(f"{target}: 공개 자료를 쓰지 못했습니다 ({exc}). 이전 자료는 그대로입니다.",
                          f"{target}: cannot write the snapshot ({exc}); the earlier one is left as it was",
                          file=str(target)) from exc
    finally:
        if tmp.exists():
            shutil.rmtree(tmp, ignore_errors=True)
        if old is not None:
            shutil.rmtree(old, ignore_errors=True)
    snap.output = target
    snap.files = sorted(files)
    return snap


def publish(ledger: str | os.PathLike[str], out: str | os.PathLike[str]) -> Snapshot:
    """Build the snapshot of every year's current national view in the ledger, gate it and write it to `out`."""
    return write_snapshot(build_snapshot(ledger), out)
