"""포털에 제출 (iupjong_xl.excel.portal) without Excel: the xlwings test double of test_excel_buttons.py on a real
report file, posting with urllib.request to a real running portal (pytest-django's live server, the portal's own
settings and ledger). The findings come back exactly as the API gives them and are shown as 검증 shows them."""

from __future__ import annotations

import json
import shutil
import socket
import sqlite3
import stat
import sys
from pathlib import Path
from typing import Any

import pytest
from test_excel_buttons import FakeApp, FakeBook, table
from test_excel_coordinator import InputApp

from iupjong_xl import excel
from iupjong_xl.excel import portal
from tests.portal.helpers import PROBLEMS

NAME = "01_사업자번호_검증번호.xlsx"
TAG = "iupjong_xl.excel.portal:submit_to_portal"


@pytest.fixture
def settings_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "settings" / "addin.json"
    monkeypatch.setenv(portal.SETTINGS_ENV, str(path))
    return path


@pytest.fixture
def report(tmp_path: Path) -> Path:
    path = tmp_path / "book" / NAME
    path.parent.mkdir()
    shutil.copy(PROBLEMS / NAME, path)
    return path


def token_for(user: Any) -> str:
    from iupjong_xl.portal.api import tokens

    return tokens.create(user, "엑셀 추가 기능")[1]


def test_the_saved_file_goes_to_the_portal_and_its_findings_are_shown_as_validate_shows_them(
        live_server: Any, make_user: Any, settings_file: Path, report: Path, write_report: Any) -> None:
    from django.conf import settings

    token = token_for(make_user("xl001", club="SEO-001", federation="서울"))
    portal.write_settings({"portal_url": live_server.url + "/", "token": token})
    app = FakeApp()
    book = FakeBook(report, app)
    answer = excel.dispatch(TAG, book)

    assert answer is not None and answer["status"] == "received" and answer["valid"] is False
    sid = answer["id"]
    row = sqlite3.connect(settings.LEDGER).execute(
        "SELECT account, file_name, status, errors, warnings FROM submissions WHERE id = ?", (sid,)).fetchone()
    assert row == ("xl001", NAME, "received", 1, 0)
    # the same marks and 검증결과 rows as the 검증 button on the same file
    shown = table(book, excel.S_FINDINGS)
    other = FakeBook(shutil.copy(report, report.with_name("검증.xlsx")), FakeApp())
    excel.dispatch("iupjong_xl.excel:validate_book", other)
    assert shown == table(other, excel.S_FINDINGS)
    assert [(r["시트"], r["칸"], r["코드"], r["구분"]) for r in shown] == [
        ("회원사", "A7", "MEMBER_BRN_CHECKSUM", "오류")]
    assert book.sheets["회원사"].range("A7").color == excel.FILL["error"]
    assert book.sheets["회원사"].range("A7").note.text == other.sheets["회원사"].range("A7").note.text
    assert book.sheets["회원사"].range("A7").note.text.startswith("[이업종 검증]\n[MEMBER_BRN_CHECKSUM] '사업자등록번호'")
    assert app.statuses[-1] == f"이업종 포털 제출: 제출 {sid}번 — 오류 1건 · 경고 0건"
    assert app.alerts == [(
        f"저장된 파일 {NAME}을(를) 포털에 올렸습니다 (제출 {sid}번, 받음).\n\n검증 결과: 오류 1건 · 경고 0건\n\n"
        "오류를 고치고 저장한 뒤 다시 [포털에 제출]을 누르세요. 오류가 있으면 연합회에 제출할 수 없습니다.\n\n"
        f"포털에서 보기: {live_server.url}/submissions/{sid}/", "이업종", "ok", "info")]
    # a clean report pressed in the same Excel: the marks of the first press are not carried over, the report passes
    from conftest import club_data

    clean = write_report(club_data(), name="깨끗한.xlsx")
    portal.write_settings({"portal_url": live_server.url + "/",
                           "token": token_for(make_user("xl009", club=club_data()["club"][0]["club_code"]))})
    again = excel.dispatch(TAG, FakeBook(clean, app))
    assert again is not None and (again["status"], again["valid"], again["findings"]) == ("received", True, [])
    assert app.alerts[-1][0].endswith("검증 결과: 검증 통과\n\n포털의 제출 화면에서 [연합회에 제출]을 누르면 연합회로 "
                                      f"보냅니다.\n\n포털에서 보기: {live_server.url}/submissions/{again['id']}/")


def test_asks_for_the_address_and_token_once_and_keeps_them(live_server: Any, make_user: Any, settings_file: Path,
                                                            report: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    real = portal.ask_text

    def on_windows(*args: Any) -> str | None:  # Excel's InputBox (app.api.InputBox), as Windows asks; only while
        was, sys.platform = sys.platform, "win32"  # asking: the portal's validation workers must start as here
        try:
            return real(*args)
        finally:
            sys.platform = was

    monkeypatch.setattr(portal, "ask_text", on_windows)
    token = token_for(make_user("xl002", club="SEO-001", federation="서울"))
    app = InputApp([live_server.url, " " + token + " "])
    assert excel.dispatch(TAG, FakeBook(report, app))["status"] == "received"
    assert [p[0] for p in app.prompts] == ["포털 주소를 입력하세요 (예: http://192.168.0.10:8000/).",
                                           "포털의 [API 토큰] 화면에서 만든 토큰을 붙여 넣으세요."]
    assert json.loads(settings_file.read_text(encoding="utf-8")) == {"portal_url": live_server.url, "token": token}
    assert stat.S_IMODE(settings_file.stat().st_mode) == 0o600  # it holds the token
    app = InputApp([])
    assert excel.dispatch(TAG, FakeBook(report, app))["status"] == "received" and app.prompts == []
    # 취소 in the first box: nothing is sent, nothing is said
    settings_file.unlink()
    app = InputApp([False])
    assert excel.dispatch(TAG, FakeBook(report, app)) is None and app.alerts == []


def test_every_problem_is_a_message_with_the_fix(live_server: Any, make_user: Any, settings_file: Path,
                                                 report: Path, tmp_path: Path) -> None:
    # a token the portal refuses: its message, and the token is forgotten (the next press asks again)
    portal.write_settings({"portal_url": live_server.url, "token": "iup_revoked"})
    app = FakeApp()
    assert excel.dispatch(TAG, FakeBook(report, app)) is None
    assert app.alerts == [("포털이 API 토큰을 받지 않았습니다: API 토큰이 없거나 맞지 않습니다. 포털의 [API 토큰] 화면에서 "
                           "토큰을 만들어 Authorization: Bearer <토큰> 머리글로 보내세요.\n\n해결: 포털에 로그인해 [API 토큰] "
                           "화면에서 새 토큰을 만들고, 다시 [포털에 제출]을 눌러 붙여 넣으세요.", "이업종", "ok", "critical")]
    assert portal.read_settings() == {"portal_url": live_server.url}
    # a federation account's token: the portal says only clubs upload
    portal.write_settings({"portal_url": live_server.url,
                           "token": token_for(make_user("xlfed", "federation", federation="서울"))})
    app = FakeApp()
    excel.dispatch(TAG, FakeBook(report, app))
    assert app.alerts[0][0] == ("포털이 올리기를 거절했습니다: 보고서는 교류회 계정만 올릴 수 있습니다.\n\n해결: 교류회 "
                                "계정에서 만든 API 토큰을 쓰세요.")
    # nobody listens at the address
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    portal.write_settings({"portal_url": f"http://127.0.0.1:{port}", "token": "iup_x"})
    app = FakeApp()
    excel.dispatch(TAG, FakeBook(report, app))
    assert app.alerts[0][0].startswith(f"포털(http://127.0.0.1:{port})에 연결하지 못했습니다 (")
    assert f"설정 파일 {settings_file}의 portal_url을 고치거나" in app.alerts[0][0]


def test_a_book_never_saved_is_a_message(settings_file: Path, report: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    book = FakeBook(report, FakeApp())
    monkeypatch.setattr(FakeBook, "fullname", property(lambda self: "통합 문서1"))
    excel.dispatch(TAG, book)
    assert book.app.alerts == [("이 통합 문서는 아직 파일로 저장되지 않았습니다.\n\n해결: 통합 문서를 저장한 뒤 다시 "
                                "[포털에 제출]을 누르세요 (저장된 파일을 올립니다).", "이업종", "ok", "critical")]
    assert not settings_file.exists()
