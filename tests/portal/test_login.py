"""/login/: the Korean login form (아이디, 비밀번호, 로그인), where each role lands, and logging out."""

from __future__ import annotations

from typing import Any

import pytest

pytestmark = pytest.mark.django_db


def test_the_form_speaks_korean(client: Any) -> None:
    page = client.get("/login/").content.decode()
    assert '<label for="id_username">아이디</label>' in page
    assert '<label for="id_password">비밀번호</label>' in page
    assert '<button type="submit">로그인</button>' in page
    assert 'name="csrfmiddlewaretoken"' in page


def test_a_visitor_is_sent_to_the_login(client: Any) -> None:
    assert client.get("/").headers["Location"] == "/login/"
    assert client.get("/club/").headers["Location"] == "/login/?next=/club/"
    assert client.get("/submissions/1/").headers["Location"] == "/login/?next=/submissions/1/"


def test_a_wrong_password_is_told_in_korean(client: Any, make_user: Any) -> None:
    make_user("seo001", club="SEO-001")
    answer = client.post("/login/", {"username": "seo001", "password": "wrong-password"})
    assert answer.status_code == 200
    assert "아이디나 비밀번호가 맞지 않습니다. 다시 입력하세요." in answer.content.decode()
    assert "_auth_user_id" not in client.session


def test_a_club_lands_on_its_page_and_others_on_the_list(client: Any, make_user: Any) -> None:
    make_user("seo001", club="SEO-001")
    make_user("seoul", role="federation", federation="서울")
    answer = client.post("/login/", {"username": "seo001", "password": "pw-seo001-2009"})
    assert answer.status_code == 302 and answer.headers["Location"] == "/"
    assert client.get("/").headers["Location"] == "/club/"
    client.post("/logout/")
    assert client.get("/club/").status_code == 302  # logged out
    client.post("/login/", {"username": "seoul", "password": "pw-seoul-2009"})
    assert client.get("/").headers["Location"] == "/submissions/"
    assert client.get("/club/").headers["Location"] == "/submissions/"


def test_the_password_is_stored_hashed(make_user: Any) -> None:
    user = make_user("seo001", club="SEO-001")
    assert user.password.startswith("pbkdf2_sha256$") and "pw-seo001-2009" not in user.password
