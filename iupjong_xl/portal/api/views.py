"""The JSON API (`/api/v1/…`, token only) and the account's token page (session, like every page).

The API never looks at the session: a request is the account of its `Authorization: Bearer …` token or it is
answered 401, cookies or not; so it needs no CSRF token (a browser never sends a bearer token on its own). It calls
the same service functions as the pages with the same scope: another club's submission is 404, as on the pages.
Every error is JSON: {"error": code, "message": Korean, "message_en": English}."""

from __future__ import annotations

import logging
from typing import Any

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseBase, JsonResponse
from django.shortcuts import redirect, render
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST

from iupjong_xl import service
from iupjong_xl.errors import IupjongError, NotFoundError
from iupjong_xl.portal.api import tokens
from iupjong_xl.portal.api.models import Token

log = logging.getLogger("iupjong_xl.portal")


def scope_of(user: Any) -> service.Scope:
    """The account's scope (as the pages take it): an account without a role sees nothing of anyone."""
    profile = getattr(user, "profile", None)
    if profile is None:
        return service.Scope(user.get_username(), "club", club="", federation="")
    return service.Scope(user.get_username(), profile.role, profile.club_code or None, profile.federation or None)


def error(status: int, code: str, ko: str, en: str) -> JsonResponse:
    response = JsonResponse({"error": code, "message": ko, "message_en": en}, status=status,
                            json_dumps_params={"ensure_ascii": False})
    if status == 401:
        response["WWW-Authenticate"] = 'Bearer realm="iupjong"'
    return response


def too_large() -> JsonResponse:
    mb = settings.MAX_UPLOAD_BYTES // (1024 * 1024)
    return error(413, "too_large", f"파일이 너무 큽니다. {mb}MB까지 올릴 수 있습니다.",
                 f"the file is too large; at most {mb} MB can be uploaded")


def _bearer(request: HttpRequest) -> Token | None:
    kind, _sep, token = request.META.get("HTTP_AUTHORIZATION", "").strip().partition(" ")
    if kind.lower() != "bearer" or not token.strip():
        return None
    return tokens.authenticate(token.strip())


def _unauthorized() -> JsonResponse:
    return error(401, "unauthorized", "API 토큰이 없거나 맞지 않습니다. 포털의 [API 토큰] 화면에서 토큰을 만들어 "
                 "Authorization: Bearer <토큰> 머리글로 보내세요.",
                 "missing or invalid API token: make one on the portal's API token page and send it as "
                 "Authorization: Bearer <token>")


def _lang(request: HttpRequest) -> str:
    return "en" if (request.GET.get("lang") or request.POST.get("lang")) == "en" else "ko"


def as_json(sub: service.Submission, lang: str = "ko") -> dict[str, Any]:
    """A submission as the API gives it: the findings exactly as `iupjong validate --format json`."""
    return {"id": sub.id, "status": sub.status, "valid": sub.valid, "stats": sub.stats,
            "findings": [f.to_dict(lang) for f in sub.findings]}


def _answer(data: dict[str, Any], status: int = 200) -> JsonResponse:
    return JsonResponse(data, status=status, json_dumps_params={"ensure_ascii": False})


@csrf_exempt
def submissions(request: HttpRequest) -> HttpResponseBase:
    """POST /api/v1/submissions (multipart `file`): upload a report as the token's club account."""
    if request.method != "POST":
        return _method_not_allowed(["POST"])
    token = _bearer(request)
    if token is None:
        return _unauthorized()
    scope = scope_of(token.user)
    if scope.role != "club" or not scope.club:
        return error(403, "not_a_club", "보고서는 교류회 계정만 올릴 수 있습니다.",
                     "only a club account can upload reports")
    f = request.FILES.get("file")
    if f is None:
        return error(400, "file_required", "올릴 보고서 파일이 없습니다. multipart 필드 file로 보내세요.",
                     "no report file: send it as the multipart field file")
    if f.size is not None and f.size > settings.MAX_UPLOAD_BYTES:  # a body without a declared length gets here
        return too_large()
    if not f.size:
        return error(400, "file_empty", "빈 파일입니다. 보고서 파일을 보내세요.", "the file is empty; send the report file")
    data = b"".join(f.chunks())
    try:
        sub = service.upload(settings.LEDGER, data, f.name or "", scope)
    except IupjongError as exc:  # e.g. the ledger held by another run past its wait: nothing was recorded
        log.warning("api upload failed: account %s, %s", scope.account, type(exc).__name__)
        return error(503, "not_recorded", f"올린 보고서를 기록하지 못했습니다: {exc.ko} 잠시 뒤 다시 올리세요.",
                     f"the upload could not be recorded: {exc.en} Upload again in a moment.")
    log.info("api upload: submission %s, account %s, %s bytes, %s errors, %s warnings", sub.id, scope.account,
             sub.size, sub.errors, sub.warnings)
    response = _answer(as_json(sub, _lang(request)), status=201)
    response["Location"] = f"/api/v1/submissions/{sub.id}"
    return response


@csrf_exempt
def submission(request: HttpRequest, sid: str) -> HttpResponseBase:
    """GET /api/v1/submissions/<id>: one submission the token's account may see (else 404, as on the pages)."""
    if request.method != "GET":
        return _method_not_allowed(["GET"])
    token = _bearer(request)
    if token is None:
        return _unauthorized()
    try:
        sub = service.submission(settings.LEDGER, int(sid), scope_of(token.user))
    except NotFoundError:
        return _not_found()
    return _answer(as_json(sub, _lang(request)))


@csrf_exempt
def unknown(request: HttpRequest, rest: str = "") -> HttpResponseBase:
    return _not_found()


def _not_found() -> JsonResponse:
    return error(404, "not_found", "찾는 것이 없습니다.", "not found")


def _method_not_allowed(allowed: list[str]) -> JsonResponse:
    response = error(405, "method_not_allowed", f"이 주소는 {', '.join(allowed)}만 받습니다.",
                     f"this address takes {', '.join(allowed)} only")
    response["Allow"] = ", ".join(allowed)
    return response


# -------------------------------------------------------------------------------------- the token page


@login_required
@require_http_methods(["GET", "POST"])
def token_page(request: HttpRequest) -> HttpResponse:
    """The account's API tokens: make one (shown once, on this answer only), see them, revoke them."""
    made = None
    if request.method == "POST":
        record, made = tokens.create(request.user, request.POST.get("name", ""))
        log.info("api token made: account %s, token %s", request.user.get_username(), record.pk)
    rows = Token.objects.filter(user=request.user)
    response = render(request, "api/tokens.html", {"scope": scope_of(request.user), "made": made, "rows": rows},
                      status=201 if made else 200)
    response["Cache-Control"] = "no-store"  # the one answer that holds a token is never kept by a cache
    return response


@login_required
@require_POST
def revoke(request: HttpRequest, token_id: int) -> HttpResponseBase:
    if tokens.revoke(request.user, token_id):
        log.info("api token revoked: account %s, token %s", request.user.get_username(), token_id)
    return redirect("api_tokens")
