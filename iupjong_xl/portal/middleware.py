"""The portal's own middleware: the upload cap (checked on the request's declared length, before anything reads
the body) and the Content-Security-Policy header (Django 5.2 has none of its own)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.template.loader import render_to_string

SLACK = 64 * 1024  # the multipart envelope around the file (boundaries, the CSRF token)


class UploadCap:
    """A request whose body is larger than the cap is answered 413 at once, with a Korean page; its body is never
    read into memory (nor at all). The WSGI server caps bodies without a declared length (serve: waitress)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        if length > settings.MAX_UPLOAD_BYTES + SLACK:
            mb = settings.MAX_UPLOAD_BYTES // (1024 * 1024)
            response: HttpResponse
            if request.path.startswith("/api/"):  # the API answers in JSON (Korean, with an English field)
                from iupjong_xl.portal.api.views import too_large

                response = too_large()
            else:
                body = render_to_string("too_large.html", {"mb": mb, "got": round(length / 1024 / 1024, 1)})
                response = HttpResponse(body, status=413)
            response["Connection"] = "close"  # the unread body is not drained
            return response
        return self.get_response(request)


class ForcePasswordChange:
    """An account handed out with a random password (iupjong portal accounts) changes it before anything else."""

    ALLOWED = ("/password/", "/logout/", "/static/")

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user: Any = getattr(request, "user", None)
        if user is not None and user.is_authenticated and not request.path.startswith(self.ALLOWED):
            profile = getattr(user, "profile", None)
            if profile is not None and profile.must_change_password:
                return redirect("password_change")
        return self.get_response(request)


class ContentSecurityPolicy:
    """Content-Security-Policy on every answer: scripts and styles from this site only, nothing inline, no frames."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        response.setdefault("Content-Security-Policy", settings.CONTENT_SECURITY_POLICY)
        return response
