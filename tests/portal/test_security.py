"""Headers and cookies on every answer: a Content-Security-Policy without inline script, nosniff, Referrer-Policy,
X-Frame-Options; the session and CSRF cookies HttpOnly and SameSite=Lax; no inline script or style in any template
(the policy would block them)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

import iupjong_xl.portal

pytestmark = pytest.mark.django_db
TEMPLATES = Path(iupjong_xl.portal.__file__).parent / "templates"


def test_security_headers(client: Any) -> None:
    for answer in (client.get("/login/"), client.get("/nowhere/")):
        csp = answer.headers["Content-Security-Policy"]
        assert "script-src 'self';" in csp and "unsafe-inline" not in csp and "frame-ancestors 'none'" in csp
        assert answer.headers["X-Content-Type-Options"] == "nosniff"
        assert answer.headers["Referrer-Policy"] == "same-origin"
        assert answer.headers["X-Frame-Options"] == "DENY"


def test_cookies_are_httponly_and_lax(client: Any, make_user: Any) -> None:
    make_user("seo001", club="SEO-001")
    client.get("/login/")
    answer = client.post("/login/", {"username": "seo001", "password": "pw-seo001-2009"})
    session = answer.cookies["sessionid"]
    assert session["httponly"] is True and session["samesite"] == "Lax" and not session["secure"]
    csrf = client.cookies["csrftoken"]
    assert csrf["httponly"] is True and csrf["samesite"] == "Lax"


def test_no_inline_script_or_style_in_the_templates() -> None:
    texts = {p.relative_to(TEMPLATES).as_posix(): p.read_text(encoding="utf-8") for p in TEMPLATES.rglob("*.html")}
    assert len(texts) == 21  # the portal's, the API's token page and the public pages (public/)
    for name, text in texts.items():
        assert not re.search(r"<script|<style|\sstyle=|\son[a-z]+=", text), name


def test_the_404_page_is_korean(client: Any) -> None:
    answer = client.get("/nowhere/")
    assert answer.status_code == 404 and "<h1>찾을 수 없습니다</h1>" in answer.content.decode()
