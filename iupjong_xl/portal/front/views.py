"""The pages. Every view asks the service, with the account's scope: what a club account may not see is 404."""

from __future__ import annotations

import logging
from typing import Any

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from iupjong_xl import service
from iupjong_xl.errors import NotFoundError
from iupjong_xl.portal.accounts.forms import UploadForm

log = logging.getLogger("iupjong_xl.portal")

ROLE_LABELS = {"club": "교류회", "federation": "연합회", "center": "중앙회"}
STATUS_LABELS = {"received": "받음", "refused": "받지 않음"}


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
    findings = [{"sheet": f.sheet or "", "cell": f"{f.sheet}!{f.cell}" if f.sheet and f.cell else (f.cell or ""),
                 "column": f.column or "", "message": f.message("ko"), "value": "" if f.value is None else f.value,
                 "severity": f.severity, "severity_label": "오류" if f.severity == "error" else "경고", "code": f.code}
                for f in sub.findings]
    return render(request, "front/submission.html", {"scope": scope, "sub": sub, "findings": findings,
                                                     "status_line": status_line(sub),
                                                     "received": shown_time(sub.received),
                                                     "status_label": STATUS_LABELS.get(sub.status, sub.status)})


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
