"""/password/: an account handed out with a random password (iupjong portal accounts) must change it at the first
login before any other page; any account may change its password there."""

from __future__ import annotations

from typing import Any

import pytest

from iupjong_xl.portal.accounts.manage import add_user

pytestmark = pytest.mark.django_db


def test_the_first_login_asks_for_a_new_password(client: Any) -> None:
    add_user("JJU-001", "Handed-Out-123", "club", club="JJU-001", must_change=True)
    answer = client.post("/login/", {"username": "JJU-001", "password": "Handed-Out-123"})
    assert answer.status_code == 302
    for path in ("/", "/club/", "/submissions/", "/club/history/"):
        assert client.get(path).headers["Location"] == "/password/", path
    page = client.get("/password/").content.decode()
    assert "처음 로그인했습니다. 받은 비밀번호를 내 비밀번호로 바꿔야 포털을 쓸 수 있습니다." in page
    for label in ("지금 비밀번호", "새 비밀번호", "새 비밀번호 확인"):
        assert f">{label}</label>" in page
    assert '<button type="submit">비밀번호 바꾸기</button>' in page

    wrong = client.post("/password/", {"old_password": "nope", "new_password1": "jeju-secret-2009",
                                       "new_password2": "jeju-secret-2009"})
    assert wrong.status_code == 200 and "기존 비밀번호를 잘못 입력하셨습니다. 다시 입력해 주세요." in wrong.content.decode()
    weak = client.post("/password/", {"old_password": "Handed-Out-123", "new_password1": "12345678",
                                      "new_password2": "12345678"})
    assert weak.status_code == 200 and "비밀번호가 전부 숫자로 되어 있습니다." in weak.content.decode()

    done = client.post("/password/", {"old_password": "Handed-Out-123", "new_password1": "jeju-secret-2009",
                                      "new_password2": "jeju-secret-2009"})
    assert done.status_code == 302 and done.headers["Location"] == "/"
    page = client.get("/club/").content.decode()  # still logged in, free to go, told it is done
    assert '<p class="message" role="status">비밀번호를 바꿨습니다.</p>' in page
    client.post("/logout/")
    assert client.login(username="JJU-001", password="jeju-secret-2009")
    assert not client.login(username="JJU-001", password="Handed-Out-123")


def test_an_account_made_with_its_own_password_goes_straight_in(client: Any) -> None:
    add_user("JJU-002", "own-choice-2009", "club", club="JJU-002")
    client.post("/login/", {"username": "JJU-002", "password": "own-choice-2009"})
    assert client.get("/").headers["Location"] == "/club/" and client.get("/club/").status_code == 200
