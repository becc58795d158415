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


def test_five_failures_lock_the_name_for_15_minutes(client: Any, make_user: Any, caplog: Any) -> None:
    from django.core.cache import cache

    from iupjong_xl.portal.accounts import forms

    make_user("gwn001", club="GWN-001")
    make_user("gwn002", club="GWN-002")
    try:
        for _ in range(5):
            client.post("/login/", {"username": "gwn001", "password": "wrong-password"})
        assert "login: user name 'gwn001' locked for 15 minutes after 5 failures" in caplog.text
        answer = client.post("/login/", {"username": "gwn001", "password": "pw-gwn001-2009"})  # the right one
        assert "로그인에 5번 실패해 이 아이디는 15분 동안 잠겼습니다. 15분 뒤에 다시 로그인하세요." in answer.content.decode()
        assert "_auth_user_id" not in client.session
        assert client.post("/login/", {"username": "gwn002", "password": "pw-gwn002-2009"}).status_code == 302
        client.post("/logout/")
        cache.delete(forms._key("lock", "gwn001"))  # as 15 minutes later
        assert client.post("/login/", {"username": "gwn001", "password": "pw-gwn001-2009"}).status_code == 302
    finally:
        cache.clear()


def test_four_failures_do_not_lock(client: Any, make_user: Any) -> None:
    from django.core.cache import cache

    make_user("gwn003", club="GWN-003")
    try:
        for _ in range(4):
            client.post("/login/", {"username": "gwn003", "password": "wrong-password"})
        assert client.post("/login/", {"username": "gwn003", "password": "pw-gwn003-2009"}).status_code == 302
    finally:
        cache.clear()
