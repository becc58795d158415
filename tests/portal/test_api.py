"""The JSON API (/api/v1/…): per-account tokens made on the token page (shown once, only their hash kept,
revocable); POST /api/v1/submissions answers exactly what `iupjong validate --format json` says of the file;
GET /api/v1/submissions/<id> with the pages' scoping; token only (a session cookie is not enough), no CSRF token
needed; the 20 MB cap; every error JSON in Korean with an English field."""

from __future__ import annotations

import contextlib
import hashlib
import io
import json
import shutil
import sqlite3
from pathlib import Path
from typing import Any

import pytest

from tests.portal.helpers import PROBLEMS, problem
from tests.portal.test_upload import Unreadable

pytestmark = pytest.mark.django_db

NAME = "01_사업자번호_검증번호.xlsx"


def token_for(user: Any, name: str = "스크립트") -> str:
    from iupjong_xl.portal.api import tokens

    return tokens.create(user, name)[1]


def upload(client: Any, token: str | None, name: str, data: bytes, **extra: Any) -> Any:
    f = io.BytesIO(data)
    f.name = name
    headers = {"HTTP_AUTHORIZATION": f"Bearer {token}"} if token else {}
    return client.post("/api/v1/submissions", {"file": f, **extra}, **headers)


def get(client: Any, token: str | None, sid: int | str, query: str = "") -> Any:
    headers = {"HTTP_AUTHORIZATION": f"Bearer {token}"} if token else {}
    return client.get(f"/api/v1/submissions/{sid}{query}", **headers)


@pytest.fixture(scope="module")
def validated(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """`iupjong validate NAME --format json` in the file's folder: the command's own answer (exit 1: errors)."""
    from click.testing import CliRunner

    from iupjong_xl.cli import cli

    folder = tmp_path_factory.mktemp("cli")
    shutil.copy(PROBLEMS / NAME, folder / NAME)
    with contextlib.chdir(folder):
        done = CliRunner().invoke(cli, ["validate", NAME, "--format", "json", "-q"])
    assert done.exit_code == 1, done.output
    return dict(json.loads(done.stdout))


def test_the_token_page_makes_a_token_shown_once_and_keeps_only_its_hash(client: Any, make_user: Any,
                                                                          ledger: Path) -> None:
    from django.db import connection

    from iupjong_xl.portal.api.models import Token

    user = make_user("tok001", club="SEO-001", federation="서울")
    client.force_login(user)
    page = client.get("/account/tokens/")
    assert page.status_code == 200 and "아직 만든 토큰이 없습니다." in page.content.decode()
    made = client.post("/account/tokens/", {"name": "엑셀 추가 기능"})
    assert made.status_code == 201 and made["Cache-Control"] == "no-store"
    text = made.content.decode()
    assert "지금 한 번만 보여 드립니다." in text
    token = text.split('id="token" class="mono" value="', 1)[1].split('"', 1)[0]
    assert token.startswith("iup_") and len(token) == 4 + 43
    record = Token.objects.get(user=user)
    assert (record.name, record.digest, record.prefix, record.revoked) == (
        "엑셀 추가 기능", hashlib.sha256(token.encode()).hexdigest(), token[:12], None)
    # the token itself is nowhere in the accounts database, and never shown again
    with connection.cursor() as cur:
        cur.execute("SELECT * FROM portal_api_token")
        stored = cur.fetchall()
    assert len(stored) == 1 and not any(token in str(v) for v in stored[0])
    again = client.get("/account/tokens/").content.decode()
    assert token not in again and f"{token[:12]}…" in again and "사용 중" in again
    # it works, once revoked it does not
    answer = upload(client, token, NAME, problem(NAME))
    assert answer.status_code == 201
    gone = client.post(f"/account/tokens/{record.pk}/revoke/")
    assert gone.status_code == 302 and gone["Location"] == "/account/tokens/"
    assert "폐기됨" in client.get("/account/tokens/").content.decode()
    assert get(client, token, answer.json()["id"]).status_code == 401


def test_the_token_page_needs_a_login_and_revokes_only_own_tokens(client: Any, make_user: Any) -> None:
    from iupjong_xl.portal.api.models import Token

    assert client.get("/account/tokens/").status_code == 302
    other = make_user("tok002", club="BUS-001", federation="부산")
    token_for(other)
    client.force_login(make_user("tok003", club="SEO-001"))
    client.post(f"/account/tokens/{Token.objects.get(user=other).pk}/revoke/")
    assert Token.objects.get(user=other).revoked is None


def test_the_token_forms_need_their_csrf_token(make_user: Any) -> None:
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(make_user("tok004", club="SEO-001"))
    assert client.post("/account/tokens/", {"name": "x"}).status_code == 403


def test_post_answers_what_validate_format_json_says(client: Any, make_user: Any, ledger: Path,
                                                     validated: dict[str, Any]) -> None:
    token = token_for(make_user("api001", club="SEO-001", federation="서울"))
    answer = upload(client, token, NAME, problem(NAME))
    assert answer.status_code == 201 and answer["Content-Type"] == "application/json"
    body = answer.json()
    sid = body["id"]
    assert answer["Location"] == f"/api/v1/submissions/{sid}"
    assert list(body) == ["id", "status", "valid", "stats", "findings"]
    assert (body["status"], body["valid"]) == ("received", False)
    assert body["stats"] == validated["stats"] == {"files": 1, "files_valid": 0, "rows": body["stats"]["rows"],
                                                   "errors": 1, "warnings": 0}
    assert body["stats"]["rows"] > 16
    assert body["findings"] == validated["findings"]
    assert body["findings"][0]["code"] == "MEMBER_BRN_CHECKSUM" and body["findings"][0]["cell"] == "A7"
    # recorded as the pages record an upload: its own run, by the token's account
    db = sqlite3.connect(ledger)
    assert db.execute("SELECT s.account, s.status, r.command, r.os_user FROM submissions s JOIN runs r"
                      " ON r.id = s.run_id WHERE s.id = ?", (sid,)).fetchone() == ("api001", "received", "upload",
                                                                                   "api001")
    # GET gives the same; in English with ?lang=en (as validate --lang en)
    assert get(client, token, sid).json() == body
    assert get(client, token, f"{sid}/").json() == body  # the slash is optional
    english = get(client, token, sid, "?lang=en").json()
    assert english["findings"][0]["message"] != body["findings"][0]["message"]
    assert [f["code"] for f in english["findings"]] == [f["code"] for f in body["findings"]]


def test_a_clean_report_is_valid(client: Any, make_user: Any, write_report: Any) -> None:
    from conftest import club_data

    token = token_for(make_user("api002", club=club_data()["club"][0]["club_code"]))
    body = upload(client, token, "깨끗한.xlsx", write_report(club_data()).read_bytes()).json()
    assert (body["status"], body["valid"], body["findings"]) == ("received", True, [])
    assert body["stats"]["errors"] == body["stats"]["warnings"] == 0 and body["stats"]["files_valid"] == 1


def test_scoping_is_the_pages_another_clubs_id_is_404(client: Any, make_user: Any) -> None:
    own = token_for(make_user("api003", club="SEO-001", federation="서울"))
    sid = upload(client, own, NAME, problem(NAME)).json()["id"]
    other = token_for(make_user("api004", club="BUS-001", federation="부산"))
    missing = get(client, other, sid)
    assert missing.status_code == 404
    assert missing.json() == {"error": "not_found", "message": "찾는 것이 없습니다.", "message_en": "not found"}
    assert get(client, other, 10**9).json() == missing.json()  # the same answer as an id that does not exist
    assert get(client, token_for(make_user("fed001", "federation", federation="서울")), sid).status_code == 200
    assert get(client, token_for(make_user("fed002", "federation", federation="부산")), sid).status_code == 404
    assert get(client, token_for(make_user("center1", "center")), sid).status_code == 200


def test_another_clubs_report_is_refused_with_the_finding(client: Any, make_user: Any) -> None:
    token = token_for(make_user("api005", club="BUS-001"))
    body = upload(client, token, NAME, problem(NAME)).json()
    assert (body["status"], body["valid"]) == ("refused", False)
    assert [f["code"] for f in body["findings"] if f["code"] == "PORTAL_OTHER_CLUB"] == ["PORTAL_OTHER_CLUB"]


def test_only_a_club_account_uploads(client: Any, make_user: Any) -> None:
    token = token_for(make_user("fed003", "federation", federation="서울"))
    answer = upload(client, token, NAME, problem(NAME))
    assert answer.status_code == 403 and answer.json() == {
        "error": "not_a_club", "message": "보고서는 교류회 계정만 올릴 수 있습니다.",
        "message_en": "only a club account can upload reports"}


def test_a_session_cookie_is_never_enough(club_client: Any, ledger: Path) -> None:
    before = sqlite3.connect(ledger).execute("SELECT COUNT(*) FROM submissions").fetchone()
    for answer in (upload(club_client, None, NAME, problem(NAME)), get(club_client, None, 1),
                   upload(club_client, "iup_wrong", NAME, problem(NAME)),
                   club_client.post("/api/v1/submissions", {}, HTTP_AUTHORIZATION="Basic c2VvMDAxOnB3")):
        assert answer.status_code == 401
        assert answer["WWW-Authenticate"] == 'Bearer realm="iupjong"'
        body = answer.json()
        assert body["error"] == "unauthorized" and body["message"].startswith("API 토큰이 없거나 맞지 않습니다.")
        assert body["message_en"].startswith("missing or invalid API token")
    assert sqlite3.connect(ledger).execute("SELECT COUNT(*) FROM submissions").fetchone() == before


def test_no_csrf_token_is_needed_with_a_bearer_token(make_user: Any) -> None:
    from django.test import Client

    token = token_for(make_user("api006", club="SEO-001"))
    assert upload(Client(enforce_csrf_checks=True), token, NAME, problem(NAME)).status_code == 201


def test_an_inactive_account_s_token_stops_working(client: Any, make_user: Any) -> None:
    user = make_user("api007", club="SEO-001")
    token = token_for(user)
    user.is_active = False
    user.save()
    assert upload(client, token, NAME, problem(NAME)).status_code == 401


def test_over_20_mb_is_refused_in_json_before_the_body_is_read(client: Any, make_user: Any, ledger: Path) -> None:
    token = token_for(make_user("api008", club="SEO-001"))
    before = sqlite3.connect(ledger).execute("SELECT COUNT(*) FROM submissions").fetchone()
    answer = client.generic("POST", "/api/v1/submissions", b"", content_type="multipart/form-data; boundary=x",
                            CONTENT_LENGTH=str(21 * 1024 * 1024), HTTP_AUTHORIZATION=f"Bearer {token}",
                            **{"wsgi.input": Unreadable()})
    assert answer.status_code == 413 and answer.json() == {
        "error": "too_large", "message": "파일이 너무 큽니다. 20MB까지 올릴 수 있습니다.",
        "message_en": "the file is too large; at most 20 MB can be uploaded"}
    assert sqlite3.connect(ledger).execute("SELECT COUNT(*) FROM submissions").fetchone() == before


def test_bad_requests_are_json_errors(client: Any, make_user: Any) -> None:
    token = token_for(make_user("api009", club="SEO-001"))
    auth = {"HTTP_AUTHORIZATION": f"Bearer {token}"}
    none = client.post("/api/v1/submissions", {}, **auth)
    assert none.status_code == 400 and none.json()["error"] == "file_required"
    assert none.json()["message"] == "올릴 보고서 파일이 없습니다. multipart 필드 file로 보내세요."
    empty = upload(client, token, "빈.xlsx", b"")
    assert empty.status_code == 400 and empty.json()["error"] == "file_empty"
    wrong = client.get("/api/v1/submissions", **auth)
    assert wrong.status_code == 405 and wrong["Allow"] == "POST"
    assert wrong.json()["message"] == "이 주소는 POST만 받습니다."
    assert client.delete("/api/v1/submissions/1", **auth).status_code == 405
    unknown = client.get("/api/v2/anything", **auth)
    assert unknown.status_code == 404 and unknown.json()["error"] == "not_found"


def test_a_hostile_file_is_a_finding_not_a_crash(client: Any, make_user: Any) -> None:
    token = token_for(make_user("api010", club="SEO-001"))
    body = upload(client, token, "<script>.xlsx", problem("20_엑셀아님_HTML.xlsx")).json()
    assert body["status"] == "received" and body["valid"] is False
    assert body["findings"][0]["file"] == "<script>.xlsx" and body["findings"][0]["code"].startswith("FILE_")


def test_a_ledger_held_too_long_is_a_json_error_and_nothing_is_recorded(client: Any, make_user: Any, ledger: Path,
                                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    from iupjong_xl.consolidate.ledger import WAIT_ENV

    token = token_for(make_user("api011", club="SEO-001"))
    monkeypatch.setenv(WAIT_ENV, "0.2")
    holder = sqlite3.connect(ledger, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")  # another run writing the ledger
    try:
        before = holder.execute("SELECT COUNT(*) FROM submissions").fetchone()
        answer = upload(client, token, NAME, problem(NAME))
    finally:
        holder.execute("ROLLBACK")
    assert answer.status_code == 503
    body = answer.json()
    assert body["error"] == "not_recorded" and body["message"].startswith("올린 보고서를 기록하지 못했습니다: 원장 ")
    assert body["message"].endswith(" 잠시 뒤 다시 올리세요.") and body["message_en"].endswith("Upload again in a moment.")
    assert holder.execute("SELECT COUNT(*) FROM submissions").fetchone() == before
