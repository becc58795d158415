"""The public pages: no login, Korean, read from the published snapshot through the service (never the ledger).
Everything shown is escaped by the templates; a file is served only under a name the snapshot's Data Package lists."""

from __future__ import annotations

import csv
import io
import os
from collections.abc import Callable
from functools import wraps
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_GET

from iupjong_xl import service
from iupjong_xl.errors import NotFoundError
from iupjong_xl.portal.public import PUBLIC_INDEX_ENV
from iupjong_xl.portal.public.charts import bar_chart

NATIONAL = "전국"
FIELD_LABELS = {"products": "주요 제품·기술", "name": "회사명", "industry": "업종"}
MEDIA = {"csv": "text/csv; charset=utf-8", "json": "application/json", "yaml": "application/yaml",
         "sqlite": "application/vnd.sqlite3"}


def public_index() -> bool:
    """Whether search engines may index the public pages (`iupjong portal serve --public-index`)."""
    return os.environ.get(PUBLIC_INDEX_ENV) == "1"


def snapshot() -> Path:
    return service.published_folder(settings.PORTAL_DIR)


def public_page(view: Callable[..., HttpResponseBase]) -> Callable[..., HttpResponseBase]:
    """GET only; a Korean page when nothing is published yet; closed to search engines unless --public-index."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if not service.is_published(snapshot()):
            response: HttpResponseBase = render(request, "public/unpublished.html", _base(request, None))
        else:
            try:
                response = view(request, *args, **kwargs)
            except NotFoundError as exc:
                raise Http404 from exc
        if not public_index():
            response["X-Robots-Tag"] = "noindex, nofollow"
        return response

    return require_GET(wrapped)


def _base(request: HttpRequest, about: Any, **context: Any) -> dict[str, Any]:
    return {"about": about, "noindex": not public_index(), "section": context.pop("section", ""), **context}


@require_GET
def robots(request: HttpRequest) -> HttpResponse:
    """Closed to every search engine until the server is started with --public-index; then the public pages only."""
    body = ("User-agent: *\nAllow: /public/\nDisallow: /\n" if public_index() else "User-agent: *\nDisallow: /\n")
    return HttpResponse(body, content_type="text/plain; charset=utf-8")


@public_page
def index(request: HttpRequest) -> HttpResponseBase:
    return redirect("public:stats")


# ------------------------------------------------------------------------------------------ 통계


def number(value: float | int | None, decimals: int = 0) -> str:
    """1,159 · 64.4 (thousands separated; years are never passed here)."""
    if value is None:
        return "—"
    return f"{value:,.{decimals}f}"


def with_unit(value: float | None, decimals: int, unit: str) -> str:
    return "자료 없음" if value is None else f"{number(value, decimals)}{unit}"


def change_text(change: float | None, decimals: int, unit: str) -> str:
    """+3.9%p (a share), +1개 (a count), 0개; — when a year has no value."""
    if change is None:
        return "—"
    shown = number(abs(change), decimals)
    sign = "+" if change > 0 else "−" if change < 0 and shown.strip("0.,") else ""
    return f"{sign}{shown}{'%p' if unit == '%' else unit}"


_PAGES: dict[tuple[Any, ...], bytes] = {}  # rendered 통계 pages of the current snapshot (a few dozen at most)


@public_page
def stats(request: HttpRequest) -> HttpResponseBase:
    """(The page depends on the snapshot and the scope only: kept while the snapshot's files stay the same.)"""
    version = service.public_version(snapshot())
    key = (version, request.GET.get("scope") or NATIONAL, public_index())
    if version is not None and key in _PAGES:
        return HttpResponse(_PAGES[key])
    response = _stats(request)
    if version is not None and response.status_code == 200 and isinstance(response, HttpResponse):
        if any(k[0] != version for k in list(_PAGES)) or len(_PAGES) > 64:
            _PAGES.clear()
        _PAGES[key] = response.content
    return response


def _stats(request: HttpRequest) -> HttpResponseBase:
    about = service.public_about(snapshot())
    scope = request.GET.get("scope") or NATIONAL
    if scope not in about.scopes:
        raise Http404
    st = service.public_statistics(snapshot(), scope)
    series = []
    for s in st.series:
        rows = [{"year": p.year, "value": with_unit(p.value, s.decimals, s.unit),
                 "numerator": number(p.numerator), "denominator": number(p.denominator),
                 "change": change_text(p.change, s.decimals, s.unit)} for p in s.points]
        chart = bar_chart([(str(p.year), p.value, with_unit(p.value, s.decimals, s.unit)) for p in s.points])
        series.append({"key": s.key, "name": s.name, "unit": s.unit, "ratio": s.ratio, "comparable": s.comparable,
                       "rows": rows, "chart": chart, "last": rows[-1] if rows else None,
                       "csv": "?" + urlencode({"scope": scope, "key": s.key})})
    return render(request, "public/stats.html", _base(
        request, about, section="stats", scope=scope, years=st.years, series=series,
        scopes=[{"name": s, "current": s == scope, "query": "?" + urlencode({"scope": s})} for s in about.scopes],
        csv_all="?" + urlencode({"scope": scope})))


@public_page
def stats_csv(request: HttpRequest) -> HttpResponseBase:
    """The numbers behind a chart (or all of a scope's): UTF-8 with BOM (Excel shows Korean at once)."""
    scope = request.GET.get("scope") or NATIONAL
    key = request.GET.get("key")
    st = service.public_statistics(snapshot(), scope)
    chosen = [s for s in st.series if key is None or s.key == key]
    if not chosen:
        raise Http404
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\r\n")
    w.writerow(["연도", "범위", "지표 키", "지표", "단위", "분자", "분모", "값", "전년 대비"])
    for s in chosen:
        for p in s.points:
            w.writerow([p.year, scope, s.key, s.name, s.unit, "" if p.numerator is None else p.numerator,
                        "" if p.denominator is None else p.denominator,
                        "" if p.value is None else f"{p.value:.{s.decimals}f}",
                        "" if p.change is None else f"{p.change:.{s.decimals}f}"])
    response = HttpResponse(buf.getvalue().encode("utf-8-sig"), content_type="text/csv; charset=utf-8")
    name = f"통계_{scope}{'_' + chosen[0].key if key else ''}.csv"
    response["Content-Disposition"] = content_disposition_header(True, name)
    return response


# ------------------------------------------------------------------------------------------ 회원사 찾기


def _int(value: str | None) -> int | None:
    try:
        return int(value) if value not in (None, "") else None
    except ValueError:
        return None


@public_page
def companies(request: HttpRequest) -> HttpResponseBase:
    g = request.GET
    year = _int(g.get("year"))
    opts = service.public_options(snapshot(), year)
    chosen = {k: (g.get(k) or "").strip()[:100] for k in ("q", "division", "federation", "employees", "sales")}
    allowed = {"division": {o.value for o in opts.divisions}, "federation": {o.value for o in opts.federations},
               "employees": {o.value for o in opts.employee_bands}, "sales": {o.value for o in opts.sales_bands}}
    for k, values in allowed.items():
        if chosen[k] not in values:
            chosen[k] = ""
    found = service.find_companies(snapshot(), chosen["q"], year=opts.year, division=chosen["division"] or None,
                                   federation=chosen["federation"] or None, employee_band=chosen["employees"] or None,
                                   sales_band=chosen["sales"] or None, page=_int(g.get("page")) or 1)
    keep = {"q": chosen["q"], "year": opts.year, "division": chosen["division"], "federation": chosen["federation"],
            "employees": chosen["employees"], "sales": chosen["sales"]}
    keep = {k: v for k, v in keep.items() if v != ""}

    def page_link(n: int) -> str:
        return "?" + urlencode({**keep, "page": n})

    rows = [{"c": c, "where": ", ".join(FIELD_LABELS[f] for f in c.fields)} for c in found.companies]
    filtered = any(chosen[k] for k in ("q", "division", "federation", "employees", "sales"))
    return render(request, "public/companies.html", _base(
        request, service.public_about(snapshot()), section="companies", opts=opts, chosen=chosen, found=found,
        rows=rows, filtered=filtered,
        previous=page_link(found.page - 1) if found.page > 1 else "",
        next=page_link(found.page + 1) if found.page < found.pages else ""))


@public_page
def company(request: HttpRequest, year: int, company_id: int) -> HttpResponseBase:
    page = service.public_company(snapshot(), year, company_id)
    return render(request, "public/company.html", _base(
        request, service.public_about(snapshot()), section="companies", page=page, c=page.company))


@public_page
def club(request: HttpRequest, year: int, code: str) -> HttpResponseBase:
    page = service.public_club(snapshot(), year, code)
    r = page.club
    kinds = [label for col, label in (("activity_info", "정보교환"), ("activity_resource", "자원협력"),
                                      ("activity_newproduct", "신제품개발")) if r.get(col)]
    return render(request, "public/club.html", _base(
        request, service.public_about(snapshot()), section="companies", page=page, club=r,
        others=[y for y in page.years if y != year],
        kinds=", ".join(kinds) or "—", reported="예" if r.get("reported") else "아니요",
        cross="예" if r.get("cross_industry") else ("아니요" if r.get("cross_industry") is not None else "—")))


# ------------------------------------------------------------------------------------------ 자료 내려받기


@public_page
def data(request: HttpRequest) -> HttpResponseBase:
    listed = service.public_files(snapshot())
    groups: dict[str, list[dict[str, Any]]] = {"csv": [], "json": [], "other": []}
    for f in listed:
        kind = f.format if f.format in ("csv", "json") and "/" in f.name else "other"
        groups[kind].append({"name": f.name, "title": f.title, "size": _size(f.size), "format": f.format.upper()})
    return render(request, "public/data.html", _base(request, service.public_about(snapshot()), section="data",
                                                     groups=groups))


def _size(n: int) -> str:
    if n >= 1024 * 1024:
        return f"{n / 1024 / 1024:,.1f}MB"
    if n >= 1024:
        return f"{n / 1024:,.1f}KB"
    return f"{n:,}B"


@public_page
def data_file(request: HttpRequest, name: str) -> HttpResponseBase:
    path = service.public_file(snapshot(), name)  # a listed name only: the request's text is never a path
    ext = path.suffix.lstrip(".")
    return FileResponse(path.open("rb"), as_attachment=True, filename=path.name,
                        content_type=MEDIA.get(ext, "application/octet-stream"))
