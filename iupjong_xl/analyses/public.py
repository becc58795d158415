"""Reading the open-data snapshot (공개 자료, `iupjong publish`) for the portal's public pages: the statistics by
scope and year, the member directory's search (the partner finder's character 2-3-grams, through the snapshot's
index `company_grams`), a company, a club, and the snapshot's files.

Only the snapshot is read, never the ledger: what the pages can show is what the allow-list let into the snapshot.
The SQLite file is opened read-only for each question (`mode=ro`, `immutable=1`: a new snapshot is a new file put in
place of the old folder, so an open connection keeps reading the old one whole)."""

from __future__ import annotations

import json
import math
import os
import re
import sqlite3
from collections.abc import Iterator
from contextlib import closing, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from iupjong_xl.analyses.partners import ngrams
from iupjong_xl.analyses.publish import CSV_DIR, DATAPACKAGE, JSON_DIR, METADATA, NATIONAL, SQLITE_NAME
from iupjong_xl.errors import NotFoundError

PAGE_SIZE = 50


class NotPublishedError(NotFoundError):
    """There is no snapshot in the folder (nothing published yet)."""


def is_published(folder: str | os.PathLike[str]) -> bool:
    return (Path(folder) / SQLITE_NAME).is_file() and (Path(folder) / DATAPACKAGE).is_file()


@contextmanager
def _open(folder: str | os.PathLike[str]) -> Iterator[sqlite3.Connection]:
    db = Path(folder).resolve() / SQLITE_NAME
    if not is_published(folder):
        raise NotPublishedError(f"{folder}: 아직 공개한 자료가 없습니다.", f"{folder}: nothing is published yet",
                                file=str(folder))
    conn = sqlite3.connect(f"{db.as_uri()}?mode=ro&immutable=1", uri=True, check_same_thread=False)
    conn.row_factory = sqlite3.Row
    with closing(conn):
        yield conn


# ------------------------------------------------------------------------------------------ about the snapshot


@dataclass
class Source:
    year: int
    run: int
    workbook: str
    run_finished: str
    rulebook_version: str | None
    club_reports: int
    federation_reports: int


@dataclass
class About:
    """What the snapshot is: its years (oldest first), where each year comes from, the scopes (전국 first, then the
    federations in their order), the licence."""

    years: list[int]
    sources: list[Source]
    scopes: list[str]
    title: str
    created: str
    license_title: str
    license_url: str


def about(folder: str | os.PathLike[str]) -> About:
    """(Cached while the snapshot's files are the same files: a new snapshot is a new folder.)"""
    key = identity(folder)
    if key is not None and key in _ABOUT:
        return _ABOUT[key]
    made = _about(folder)
    if key is not None:
        _ABOUT.clear()  # one snapshot at a time
        _ABOUT[key] = made
    return made


_ABOUT: dict[tuple[Any, ...], About] = {}


def identity(folder: str | os.PathLike[str]) -> tuple[Any, ...] | None:
    """The snapshot's files as the file system knows them (path, inode, size, modification time)."""
    try:
        key: tuple[Any, ...] = (str(Path(folder).resolve()),)
        for name in (SQLITE_NAME, DATAPACKAGE):
            st = (Path(folder) / name).stat()
            key += (st.st_ino, st.st_size, st.st_mtime_ns)
    except OSError:
        return None
    return key


def _about(folder: str | os.PathLike[str]) -> About:
    with _open(folder) as conn:
        sources = [Source(r["year"], r["run"], r["workbook"], r["run_finished"], r["rulebook_version"],
                          r["club_reports"], r["federation_reports"])
                   for r in conn.execute("SELECT * FROM runs ORDER BY year")]
        scopes = [r[0] for r in conn.execute("SELECT scope FROM indicators GROUP BY scope ORDER BY MIN(scope_position), "
                                             "scope")]
    dp = _descriptor(folder)
    lic = (dp.get("licenses") or [{}])[0]
    scopes = [NATIONAL, *[s for s in scopes if s != NATIONAL]] if NATIONAL in scopes else scopes
    return About([s.year for s in sources], sources, scopes, dp.get("title", ""), dp.get("created", ""),
                 lic.get("title", ""), lic.get("path", ""))


def _descriptor(folder: str | os.PathLike[str]) -> dict[str, Any]:
    try:
        data = json.loads((Path(folder) / DATAPACKAGE).read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise NotPublishedError(f"{folder}: 공개 자료의 {DATAPACKAGE}를 읽지 못했습니다.",
                                f"{folder}: cannot read the snapshot's {DATAPACKAGE}", file=str(folder)) from exc
    return data if isinstance(data, dict) else {}


# ------------------------------------------------------------------------------------------ statistics


@dataclass
class Point:
    """An indicator in one year: its value (None: not defined that year), numerator and denominator, and the change
    from the year before (None when either year has no value)."""

    year: int
    value: float | None
    numerator: int | None
    denominator: int | None
    change: float | None = None


@dataclass
class Series:
    key: str
    name: str
    name_en: str
    unit: str
    decimals: int
    comparable: bool
    ratio: bool  # a share or mean (numerator over denominator), not a count
    points: list[Point] = field(default_factory=list)

    @property
    def top(self) -> float:
        return max((p.value for p in self.points if p.value is not None), default=0.0)


@dataclass
class Statistics:
    scope: str
    years: list[int]
    series: list[Series]


def statistics(folder: str | os.PathLike[str], scope: str = NATIONAL) -> Statistics:
    """Every indicator of a scope (전국 or a federation) for every year of the snapshot, in the rule book's order,
    with the year-over-year change (NotFoundError for a scope the snapshot does not have)."""
    with _open(folder) as conn:
        years = [r[0] for r in conn.execute("SELECT year FROM runs ORDER BY year")]
        rows = conn.execute("SELECT * FROM indicators WHERE scope = ? ORDER BY position, key, year", (scope,)).fetchall()
    if not rows:
        raise NotFoundError(f"공개 자료에 '{scope}'의 통계가 없습니다.", f"the snapshot has no statistics of '{scope}'")
    by_key: dict[str, Series] = {}
    found: dict[tuple[str, int], sqlite3.Row] = {}
    for r in rows:
        s = by_key.get(r["key"])
        if s is None:
            by_key[r["key"]] = Series(r["key"], r["name_ko"], r["name_en"], r["unit"] or "", int(r["decimals"] or 0),
                                      bool(r["comparable"]), r["denominator_key"] is not None)
        else:
            s.comparable = s.comparable and bool(r["comparable"])
        found[(r["key"], r["year"])] = r
    for s in by_key.values():
        previous: float | None = None
        for y in years:
            r = found.get((s.key, y))
            value = None if r is None or r["value"] is None else float(r["value"])
            p = Point(y, value, None if r is None else r["numerator"], None if r is None else r["denominator"])
            if value is not None and previous is not None:
                p.change = round(value - previous, s.decimals)
            previous = value
            s.points.append(p)
    return Statistics(scope, years, list(by_key.values()))


# ------------------------------------------------------------------------------------------ the directory


@dataclass
class Option:
    value: str
    label: str


@dataclass
class Options:
    """What the directory can be filtered by in a year."""

    year: int
    years: list[int]
    divisions: list[Option]
    federations: list[Option]
    employee_bands: list[Option]
    sales_bands: list[Option]


@dataclass
class Listed:
    company_id: int
    year: int
    name: str
    division: str | None
    division_name: str | None
    section_name: str | None
    employee_band: str | None
    sales_band: str | None
    clubs: list[str]
    federations: list[str]
    products: str | None
    member_since: int | None
    hits: int = 0
    fields: list[str] = field(default_factory=list)  # where the words were found: products, name, industry


@dataclass
class Found:
    year: int
    query: str
    terms: list[str]
    total: int
    page: int
    pages: int
    companies: list[Listed]


def _year(conn: sqlite3.Connection, year: int | None) -> tuple[int, list[int]]:
    years = [r[0] for r in conn.execute("SELECT year FROM runs ORDER BY year")]
    if not years:
        raise NotPublishedError("공개 자료에 연도가 없습니다.", "the snapshot has no year")
    if year is None:
        return years[-1], years
    if year not in years:
        raise NotFoundError(f"공개 자료에 {year}년이 없습니다.", f"the snapshot has no year {year}")
    return year, years


def options(folder: str | os.PathLike[str], year: int | None = None) -> Options:
    """(Cached while the snapshot's files are the same files.)"""
    key = identity(folder)
    if key is not None and (key, year) in _OPTIONS:
        return _OPTIONS[(key, year)]
    made = _options(folder, year)
    if key is not None:
        if any(k[0] != key for k in list(_OPTIONS)):
            _OPTIONS.clear()
        _OPTIONS[(key, year)] = made
    return made


_OPTIONS: dict[tuple[Any, ...], Options] = {}


def _options(folder: str | os.PathLike[str], year: int | None) -> Options:
    with _open(folder) as conn:
        year, years = _year(conn, year)
        divisions = [Option(r[0], f"{r[0]} {r[1]}") for r in conn.execute(
            "SELECT ksic_division, MIN(ksic_division_name) FROM companies WHERE year = ? AND ksic_division IS NOT NULL "
            "GROUP BY ksic_division ORDER BY ksic_division", (year,))]
        feds = [Option(r[0], r[0]) for r in conn.execute(
            "SELECT federation FROM federations WHERE year = ? ORDER BY position, federation", (year,))]
        bands = {k: [Option(r[0], r[0]) for r in conn.execute(
            "SELECT label FROM bands WHERE year = ? AND kind = ? ORDER BY position", (year, k))]
            for k in ("employees", "sales_mwon")}
    return Options(year, years, divisions, feds, bands["employees"], bands["sales_mwon"])


def terms(text: str) -> list[str]:
    """The words of a query (spaces and commas separate them); every word must match."""
    return [t for t in re.split(r"[\s,]+", text.strip()) if t][:8]


def _matches(conn: sqlite3.Connection, year: int, word: str) -> dict[int, tuple[int, set[str]]]:
    """Companies whose indexed text has at least half of the word's grams (all of them for a two-letter word):
    company_id -> (distinct grams found, fields)."""
    grams = sorted(ngrams(word))
    if not grams:
        return {}
    need = math.ceil(len(grams) / 2)
    marks = ", ".join("?" * len(grams))
    found: dict[int, tuple[int, set[str]]] = {}
    hits: dict[int, set[str]] = {}
    fields: dict[int, set[str]] = {}
    for cid, gram, where in conn.execute(f"SELECT company_id, gram, field FROM company_grams WHERE year = ? AND gram "
                                         f"IN ({marks})", (year, *grams)):
        hits.setdefault(cid, set()).add(gram)
        fields.setdefault(cid, set()).add(where)
    for cid, got in hits.items():
        if len(got) >= need:
            found[cid] = (len(got), fields[cid])
    return found


FIELD_ORDER = ("products", "name", "industry")


def search(folder: str | os.PathLike[str], query: str = "", *, year: int | None = None, division: str | None = None,
           federation: str | None = None, employee_band: str | None = None, sales_band: str | None = None,
           page: int = 1, page_size: int = PAGE_SIZE) -> Found:
    """Member companies of a year by what they make (the words of `query`, matched as the partner finder matches: the
    character 2-3-grams of each word, spaces ignored; 기계 and 전자 match) and by industry (KSIC division), federation
    and size band. Best matches first (words found in the products before the name or industry; more of the words'
    grams; more places), then by name."""
    words = terms(query)
    with _open(folder) as conn:
        year, _years = _year(conn, year)
        score: dict[int, tuple[int, set[str]]] | None = None
        for w in words:
            got = _matches(conn, year, w)
            if score is None:
                score = got
            else:
                score = {cid: (score[cid][0] + h, score[cid][1] | f) for cid, (h, f) in got.items() if cid in score}
        where: list[str] = ["c.year = ?"]
        args: list[Any] = [year]
        if division:
            where.append("c.ksic_division = ?")
            args.append(division)
        if federation:
            where.append("c.company_id IN (SELECT company_id FROM memberships WHERE year = ? AND federation = ?)")
            args += [year, federation]
        if employee_band:
            where.append("c.employee_band = ?")
            args.append(employee_band)
        if sales_band:
            where.append("c.sales_band = ?")
            args.append(sales_band)
        sql = f"FROM companies c WHERE {' AND '.join(where)}"
        if score is None:  # no words: the page in name order, straight from SQLite
            total = conn.execute(f"SELECT COUNT(*) {sql}", args).fetchone()[0]
            pages = max(1, math.ceil(total / page_size))
            page = min(max(1, page), pages)
            rows = conn.execute(f"SELECT * {sql} ORDER BY c.company_name, c.company_id LIMIT ? OFFSET ?",
                                [*args, page_size, (page - 1) * page_size]).fetchall()
            return Found(year, query, words, total, page, pages, [_listed(r) for r in rows])
        named = [(cid, name) for cid, name in conn.execute(f"SELECT c.company_id, c.company_name {sql}", args)
                 if cid in score]

        def rank(item: tuple[int, str | None]) -> tuple[Any, ...]:
            hits, fields = score[item[0]]
            return ("products" not in fields, -hits, -len(fields), item[1] or "", item[0])

        named.sort(key=rank)
        pages = max(1, math.ceil(len(named) / page_size))
        page = min(max(1, page), pages)
        ids = [cid for cid, _name in named[(page - 1) * page_size: page * page_size]]
        full = {r["company_id"]: r for r in conn.execute(
            f"SELECT * FROM companies WHERE year = ? AND company_id IN ({', '.join('?' * len(ids))})", [year, *ids])}
    shown = []
    for cid in ids:
        c = _listed(full[cid])
        c.hits = score[c.company_id][0]
        c.fields = [f for f in FIELD_ORDER if f in score[c.company_id][1]]
        shown.append(c)
    return Found(year, query, words, len(named), page, pages, shown)


def _split(text: str | None) -> list[str]:
    return [t.strip() for t in (text or "").split(",") if t.strip()]


def _listed(r: sqlite3.Row) -> Listed:
    return Listed(r["company_id"], r["year"], r["company_name"] or "", r["ksic_division"], r["ksic_division_name"],
                  r["ksic_section_name"], r["employee_band"], r["sales_band"], _split(r["clubs"]),
                  _split(r["federations"]), r["products"], r["member_since"])


@dataclass
class ClubRef:
    club_code: str
    club_name: str | None
    federation: str | None


@dataclass
class CompanyPage:
    company: Listed
    section: str | None
    clubs: list[ClubRef]
    years: list[int]  # the years the company is in the snapshot


def company(folder: str | os.PathLike[str], year: int, company_id: int) -> CompanyPage:
    with _open(folder) as conn:
        r = conn.execute("SELECT * FROM companies WHERE year = ? AND company_id = ?", (year, company_id)).fetchone()
        if r is None:
            raise NotFoundError(f"{year}년 공개 자료에 회원사 {company_id}이(가) 없습니다.",
                                f"no company {company_id} in the snapshot of {year}")
        clubs = [ClubRef(m["club_code"], m["club_name"], m["federation"]) for m in conn.execute(
            "SELECT m.club_code, c.club_name, m.federation FROM memberships m LEFT JOIN clubs c "
            "ON c.year = m.year AND c.club_code = m.club_code WHERE m.year = ? AND m.company_id = ? "
            "ORDER BY m.club_code", (year, company_id))]
        years = [y[0] for y in conn.execute("SELECT year FROM companies WHERE company_id = ? ORDER BY year",
                                            (company_id,))]
    return CompanyPage(_listed(r), r["ksic_section"], clubs, years)


@dataclass
class Industry:
    division: str | None
    name: str
    companies: int


@dataclass
class Result:
    seq: int
    kind: str | None
    tech: bool
    title: str | None
    date: str | None
    companies: int | None


@dataclass
class ClubPage:
    year: int
    club: dict[str, Any]  # the club's row of the snapshot (published columns only)
    industries: list[Industry]
    members: list[Listed]
    results: list[Result]
    consortia: list[dict[str, Any]]
    years: list[int]


def club(folder: str | os.PathLike[str], year: int, club_code: str) -> ClubPage:
    with _open(folder) as conn:
        r = conn.execute("SELECT * FROM clubs WHERE year = ? AND club_code = ?", (year, club_code)).fetchone()
        if r is None:
            raise NotFoundError(f"{year}년 공개 자료에 교류회 {club_code}이(가) 없습니다.",
                                f"no club {club_code} in the snapshot of {year}")
        members = [_listed(m) for m in conn.execute(
            "SELECT c.* FROM memberships m JOIN companies c ON c.year = m.year AND c.company_id = m.company_id "
            "WHERE m.year = ? AND m.club_code = ? ORDER BY c.company_name, c.company_id", (year, club_code))]
        results = [Result(x["seq"], x["kind"], bool(x["tech"]), x["title"], x["date"], x["companies"])
                   for x in conn.execute("SELECT * FROM results WHERE year = ? AND club_code = ? ORDER BY seq",
                                         (year, club_code))]
        consortia = [dict(x) for x in conn.execute("SELECT * FROM consortia WHERE year = ? AND club_code = ? "
                                                   "ORDER BY request", (year, club_code))]
        years = [y[0] for y in conn.execute("SELECT year FROM clubs WHERE club_code = ? ORDER BY year", (club_code,))]
    count: dict[tuple[str | None, str], int] = {}
    for m in members:
        k = (m.division, m.division_name or "미상")
        count[k] = count.get(k, 0) + 1
    industries = [Industry(d, n, c) for (d, n), c in sorted(count.items(), key=lambda kv: (-kv[1], kv[0][0] or ""))]
    return ClubPage(year, dict(r), industries, members, results, consortia, years)


# ------------------------------------------------------------------------------------------ the files


@dataclass
class DataFile:
    name: str  # the file's path inside the snapshot, e.g. csv/companies.csv
    title: str
    format: str
    size: int


def files(folder: str | os.PathLike[str]) -> list[DataFile]:
    """The snapshot's files (the Data Package's resources, the descriptor itself and Datasette's metadata), as the
    descriptor lists them: what a download may name."""
    dp = _descriptor(folder)
    root = Path(folder)
    out = [DataFile(DATAPACKAGE, "Data Package 설명 파일 (Frictionless)", "json", 0),
           DataFile(METADATA, "Datasette 메타데이터", "yaml", 0)]
    for res in dp.get("resources") or []:
        path = res.get("path")
        if isinstance(path, str):
            out.append(DataFile(path, str(res.get("title", "")), str(res.get("format", "")), 0))
    allowed = {SQLITE_NAME, DATAPACKAGE, METADATA}
    shown = []
    for f in out:
        parts = f.name.split("/")
        ok = f.name in allowed or (len(parts) == 2 and parts[0] in (CSV_DIR, JSON_DIR)
                                   and re.fullmatch(r"[a-z_]+\.(csv|json)", parts[1]) is not None)
        p = root / f.name
        if ok and p.is_file():
            f.size = p.stat().st_size
            shown.append(f)
    return shown


def file_path(folder: str | os.PathLike[str], name: str) -> Path:
    """The path of the snapshot's file listed under `name` (NotFoundError for any name `files` does not list: a name
    from a request is looked up, never joined into a path)."""
    for f in files(folder):
        if f.name == name:
            return Path(folder) / f.name
    raise NotFoundError(f"공개 자료에 '{name}' 파일이 없습니다.", f"the snapshot has no file '{name}'")
