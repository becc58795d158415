"""The pages. Every view asks the service, with the account's scope: what a club account may not see is 404."""

from __future__ import annotations

import logging
from typing import Any

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_GET, require_POST

from iupjong_xl import service
from iupjong_xl.errors import IupjongError, NotFoundError, StateError
from iupjong_xl.portal.accounts.forms import UploadForm

log = logging.getLogger("iupjong_xl.portal")

ROLE_LABELS = {"club": "교류회", "federation": "연합회", "center": "중앙회"}
STATUS_LABELS = {"received": "받음", "refused": "받지 않음", "submitted": "제출됨"}
EVENT_LABELS = {"uploaded": "올림", "submitted": "연합회에 제출"}
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def scope_of(request: HttpRequest) -> service.Scope:
    user: Any = request.user
    profile = getattr(user, "profile", None)
    if profile is None:  # an account without a role (e.g. made by hand) sees nothing of anyone
        return service.Scope(user.get_username(), "club", club="", federation="")
    return service.Scope(user.get_username(), profile.role, profile.club_code or None, profile.federation or None)


@require_GET
def home(request: HttpRequest) -> HttpResponseBase:
    if not request.user.is_authenticated:
        return redirect("login")
    return redirect("club" if scope_of(request).role == "club" else "submissions")


@login_required
@require_GET
def club(request: HttpRequest) -> HttpResponseBase:
    scope = scope_of(request)
    if scope.role != "club":
        return redirect("submissions")
    return _club_page(request, scope, UploadForm())


def _club_page(request: HttpRequest, scope: service.Scope, form: UploadForm, status: int = 200) -> HttpResponse:
    rows = service.submissions(settings.LEDGER, scope)
    return render(request, "front/club.html", {"scope": scope, "form": form, "rows": [_listed(s) for s in rows],
                                               "max_mb": settings.MAX_UPLOAD_BYTES // (1024 * 1024)}, status=status)


@login_required
@require_POST
def upload(request: HttpRequest) -> HttpResponseBase:
    scope = scope_of(request)
    if scope.role != "club":
        raise Http404
    form = UploadForm(request.POST, request.FILES)
    if not form.is_valid():
        return _club_page(request, scope, form, status=400)
    f = form.cleaned_data["file"]
    if f.size > settings.MAX_UPLOAD_BYTES:  # a body without a declared length, capped by the server, may get here
        form.add_error("file", f"파일이 너무 큽니다 ({settings.MAX_UPLOAD_BYTES // (1024 * 1024)}MB까지 올릴 수 있습니다).")
        return _club_page(request, scope, form, status=413)
    data = b"".join(f.chunks())
    sub = service.upload(settings.LEDGER, data, f.name or "", scope)
    log.info("upload: submission %s, account %s, %s bytes, %s errors, %s warnings", sub.id, scope.account, sub.size,
             sub.errors, sub.warnings)
    return redirect("submission", sid=sub.id)


@login_required
@require_GET
def submission_list(request: HttpRequest) -> HttpResponse:
    scope = scope_of(request)
    rows = service.submissions(settings.LEDGER, scope)
    return render(request, "front/submissions.html", {"scope": scope, "rows": [_listed(s) for s in rows],
                                                      "role_label": ROLE_LABELS.get(scope.role, scope.role)})


@login_required
@require_GET
def submission_detail(request: HttpRequest, sid: int) -> HttpResponse:
    scope = scope_of(request)
    try:
        sub = service.submission(settings.LEDGER, sid, scope)
    except NotFoundError as exc:
        raise Http404 from exc
    return _submission_page(request, scope, sub)


def _submission_page(request: HttpRequest, scope: service.Scope, sub: service.Submission, *, problem: str = "",
                     status: int = 200) -> HttpResponse:
    findings = [{"sheet": f.sheet or "", "cell": f"{f.sheet}!{f.cell}" if f.sheet and f.cell else (f.cell or ""),
                 "column": f.column or "", "message": f.message("ko"), "value": "" if f.value is None else f.value,
                 "severity": f.severity, "severity_label": "오류" if f.severity == "error" else "경고", "code": f.code}
                for f in sub.findings]
    return render(request, "front/submission.html", {"scope": scope, "sub": sub, "findings": findings,
                                                     "status_line": status_line(sub),
                                                     "received": shown_time(sub.received),
                                                     "problem": problem, "can_submit": _can_submit(scope, sub),
                                                     "events": [{"label": EVENT_LABELS.get(k, k), "account": a,
                                                                 "at": shown_time(t)} for k, a, t, _n in sub.events],
                                                     "status_label": STATUS_LABELS.get(sub.status, sub.status)},
                  status=status)


def _can_submit(scope: service.Scope, sub: service.Submission) -> bool:
    return scope.role == "club" and sub.status == "received"


@login_required
@require_POST
def submit(request: HttpRequest, sid: int) -> HttpResponseBase:
    """연합회에 제출; a report with warnings is sent only once they were listed again and confirmed."""
    scope = scope_of(request)
    try:
        sub = service.submission(settings.LEDGER, sid, scope)
        if scope.role != "club":
            raise Http404
        if sub.warnings and not sub.errors and sub.status == "received" and request.POST.get("confirmed") != "1":
            warnings = [{"cell": f"{f.sheet}!{f.cell}" if f.sheet and f.cell else (f.cell or ""),
                         "column": f.column or "", "message": f.message("ko")}
                        for f in sub.findings if f.severity == "warning"]
            return render(request, "front/confirm.html", {"scope": scope, "sub": sub, "warnings": warnings})
        service.submit(settings.LEDGER, sid, scope)
    except NotFoundError as exc:
        raise Http404 from exc
    except StateError as exc:
        return _submission_page(request, scope, sub, problem=exc.ko, status=409)
    log.info("submit: submission %s, account %s", sid, scope.account)
    return redirect("submission", sid=sid)


def _download(name: str, data: bytes) -> HttpResponse:
    response = HttpResponse(data, content_type=XLSX if name.lower().endswith(".xlsx") else "application/octet-stream")
    response["Content-Disposition"] = content_disposition_header(True, name)
    return response


@login_required
@require_GET
def download_original(request: HttpRequest, sid: int) -> HttpResponse:
    try:
        name, data = service.original_file(settings.LEDGER, sid, scope_of(request))
    except NotFoundError as exc:
        raise Http404 from exc
    return _download(name, data)


@login_required
@require_GET
def download_annotated(request: HttpRequest, sid: int) -> HttpResponse:
    try:
        name, data = service.annotated_copy(settings.LEDGER, sid, scope_of(request),
                                            settings.PORTAL_DIR / "cache" / "annotated")
    except NotFoundError as exc:
        raise Http404 from exc
    return _download(name, data)


@login_required
@require_GET
def history(request: HttpRequest) -> HttpResponseBase:
    """The club's own history: every upload and what happened to it, and the changes between its versions."""
    scope = scope_of(request)
    if scope.role != "club" or not scope.club:
        return redirect("submissions")
    rows = [_listed(s) for s in service.submissions(settings.LEDGER, scope)]
    events = []
    for r in rows:
        full = service.submission(settings.LEDGER, r["id"], scope)
        events += [{"id": r["id"], "seq": i, "file_name": r["file_name"], "label": EVENT_LABELS.get(k, k),
                    "account": a, "at": shown_time(t), "status_line": r["status_line"]}
                   for i, (k, a, t, _n) in enumerate(full.events)]
    events.sort(key=lambda e: (e["at"], e["id"], e["seq"]), reverse=True)  # newest first
    try:
        data = service.club_history(settings.LEDGER, scope.club, scope).to_dict("ko")
        units = data["units"]
    except IupjongError:
        units = []  # nothing uploaded yet
    diffs = [d for u in units for d in reversed(u.get("diffs", []))]
    return render(request, "front/history.html", {"scope": scope, "events": events, "diffs": diffs})


def status_line(sub: service.Submission) -> str:
    """오류 n건 · 경고 n건, or 검증 통과 (no findings at all)."""
    if not sub.errors and not sub.warnings:
        return "검증 통과"
    return f"오류 {sub.errors}건 · 경고 {sub.warnings}건"


def shown_time(iso: str) -> str:
    """2009-03-01T09:30:00+09:00 as 2009-03-01 09:30:00 (the ledger's local time)."""
    return iso[:19].replace("T", " ")


def _listed(s: service.Submission) -> dict[str, Any]:
    return {"id": s.id, "received": shown_time(s.received), "file_name": s.file_name, "account": s.account,
            "club_code": s.club_code or "", "federation": s.federation or "", "year": s.year or "",
            "status_line": status_line(s), "status_label": STATUS_LABELS.get(s.status, s.status)}
