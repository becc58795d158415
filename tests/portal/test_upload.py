"""POST /club/upload/: the file is kept in the ledger as received (its own run), validated exactly as `validate`
does, its rows kept as a version of the club's report; another club's report is refused with a finding; an upload
over the cap is refused before its body is read; the form needs its CSRF token."""

from __future__ import annotations

import hashlib
import io
import sqlite3
from pathlib import Path
from typing import Any

import pytest

from iupjong_xl import service
from tests.portal.helpers import PROBLEMS, problem

pytestmark = pytest.mark.django_db


def post(client: Any, name: str, data: bytes) -> Any:
    f = io.BytesIO(data)
    f.name = name
    return client.post("/club/upload/", {"file": f})


def test_an_upload_is_recorded_as_received_and_validated_as_validate_does(club_client: Any, ledger: Path) -> None:
    data = problem("01_사업자번호_검증번호.xlsx")
    answer = post(club_client, "01_사업자번호_검증번호.xlsx", data)
    assert answer.status_code == 302
    sid = int(answer.headers["Location"].strip("/").rsplit("/", 1)[1])
    assert answer.headers["Location"] == f"/submissions/{sid}/"
    db = sqlite3.connect(ledger)
    run, sha, name, size, account, club, status, errors, warnings, version = db.execute(
        "SELECT run_id, sha256, file_name, size, account, club_code, status, errors, warnings, version_id"
        " FROM submissions WHERE id = ?", (sid,)).fetchone()
    assert (sha, name, size, account, club, status, errors, warnings) == (
        hashlib.sha256(data).hexdigest(), "01_사업자번호_검증번호.xlsx", len(data), "seo001", "SEO-001", "received", 1, 0)
    assert db.execute("SELECT data FROM blobs WHERE sha256 = ?", (sha,)).fetchone()[0] == data
    assert db.execute("SELECT command, os_user, workbook, outcome FROM runs WHERE id = ?", (run,)).fetchone() == (
        "upload", "seo001", "portal", "errors")
    assert db.execute("SELECT kind, account FROM submission_events WHERE submission_id = ?", (sid,)).fetchall() == [
        ("uploaded", "seo001")]
    # the rows as a version of the club's report (year, club code), every row as uploaded
    assert db.execute("SELECT kind, year, unit_key, run_from, run_until FROM versions WHERE id = ?",
                      (version,)).fetchone() == ("club", 2009, "SEO-001", run, None)
    report = service.validate([PROBLEMS / "01_사업자번호_검증번호.xlsx"])
    counted = dict(db.execute("SELECT sheet, COUNT(*) FROM rows WHERE version_id = ? GROUP BY sheet", (version,)))
    assert counted == {k: n for k, n in report.files[0].rows.items() if n} and counted["member"] == 16
    # exactly the validator's findings (file named as uploaded)
    expected = report.findings
    got = db.execute("SELECT sheet, cell, row, column_name, code, severity, message_ko, message_en, value FROM findings"
                     " WHERE run_id = ? ORDER BY id", (run,)).fetchall()
    assert got == [(f.sheet, f.cell, f.row, f.column, f.code, f.severity, f.message("ko"), f.message("en"), f.value)
                   for f in expected]
    assert got[0][:5] == ("회원사", "A7", 7, "사업자등록번호", "MEMBER_BRN_CHECKSUM")


def test_uploading_again_replaces_the_version(club_client: Any, ledger: Path) -> None:
    first = post(club_client, "첫번째.xlsx", problem("01_사업자번호_검증번호.xlsx"))
    second = post(club_client, "두번째.xlsx", (PROBLEMS.parent / "2009" / "서울" / "서울_SEO-001_2009.xlsx").read_bytes())
    ids = [int(a.headers["Location"].strip("/").rsplit("/", 1)[1]) for a in (first, second)]
    db = sqlite3.connect(ledger)
    (v1, _r1), (v2, r2) = (db.execute("SELECT version_id, run_id FROM submissions WHERE id = ?", (i,)).fetchone()
                          for i in ids)
    assert db.execute("SELECT run_until FROM versions WHERE id = ?", (v1,)).fetchone() == (r2,)
    assert db.execute("SELECT run_until, status FROM versions WHERE id = ?", (v2,)).fetchone() == (None, "replaced")
    # `iupjong history DIR/portal SEO-001 --diff` between the two uploads (the portal's versions are workbook 'portal')
    unit = service.history(ledger.parent / "portal", club="SEO-001", diff=True).to_dict("ko")["units"][0]
    last = unit["diffs"][-1]
    assert [v["file"] for v in unit["versions"][-2:]] == ["첫번째.xlsx", "두번째.xlsx"]
    assert [v["user"] for v in unit["versions"][-2:]] == ["seo001", "seo001"]
    assert (last["added"], last["removed"], last["changed"]) == (1, 1, 0)
    assert [(c["change_label"], c["sheet"], c["key"]) for c in last["changes"]] == [
        ("행 삭제", "회원사", "(키 없음)"), ("행 추가", "회원사", "185-87-41598")]


def test_another_clubs_report_is_refused_with_a_finding(client: Any, make_user: Any, ledger: Path) -> None:
    client.force_login(make_user("bus001", club="BUS-001", federation="부산"))
    answer = post(client, "서울_보고서.xlsx", problem("01_사업자번호_검증번호.xlsx"))
    sid = int(answer.headers["Location"].strip("/").rsplit("/", 1)[1])
    sub = service.submission(ledger, sid, service.Scope("bus001", "club", "BUS-001"))
    assert (sub.status, sub.errors, sub.warnings) == ("refused", 2, 0)
    first = sub.findings[0]  # in the validator's order: the profile sheet comes first
    assert [f.code for f in sub.findings] == ["PORTAL_OTHER_CLUB", "MEMBER_BRN_CHECKSUM"]
    assert (first.sheet, first.cell, first.column, first.severity, first.value) == (
        "교류회", "B2", "교류회코드", "error", "SEO-001")
    assert first.message("ko") == ("이 보고서의 교류회코드 SEO-001은(는) 이 계정의 교류회 BUS-001이(가) 아닙니다. 보고서를 받지 "
                                  "않았습니다. BUS-001 교류회의 보고서를 올리세요.")
    db = sqlite3.connect(ledger)
    assert db.execute("SELECT version_id FROM submissions WHERE id = ?", (sid,)).fetchone() == (None,)
    assert db.execute("SELECT COUNT(*) FROM versions WHERE unit_key = 'BUS-001'").fetchone() == (0,)


class Unreadable(io.RawIOBase):
    """A request body that must not be read."""

    def read(self, *args: Any) -> bytes:
        raise AssertionError("the body was read")

    readline = read


def test_an_upload_over_20_mb_is_refused_before_its_body_is_read(club_client: Any, ledger: Path) -> None:
    before = sqlite3.connect(ledger).execute("SELECT COUNT(*) FROM submissions").fetchone()
    answer = club_client.generic("POST", "/club/upload/", b"", content_type="multipart/form-data; boundary=x",
                                 CONTENT_LENGTH=str(21 * 1024 * 1024), **{"wsgi.input": Unreadable()})
    assert answer.status_code == 413
    page = answer.content.decode()
    assert "올린 파일(21.0MB)이 20MB를 넘어 받지 않았습니다. 보고서 파일은 20MB까지 올릴 수 있습니다." in page
    assert sqlite3.connect(ledger).execute("SELECT COUNT(*) FROM submissions").fetchone() == before


def test_the_form_needs_its_csrf_token(make_user: Any) -> None:
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(make_user("seo001", club="SEO-001"))
    answer = post(client, "a.xlsx", problem("01_사업자번호_검증번호.xlsx"))
    assert answer.status_code == 403


def test_an_empty_form_says_what_to_do(club_client: Any) -> None:
    answer = club_client.post("/club/upload/", {})
    assert answer.status_code == 400 and "올릴 보고서 파일을 고르세요." in answer.content.decode()
