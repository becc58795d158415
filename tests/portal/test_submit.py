"""POST /submissions/<id>/submit/ (연합회에 제출): refused while the report has errors; warnings are listed again and
confirmed before sending; after sending the status is 제출됨 and the event is in the ledger."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from iupjong_xl import service
from iupjong_xl.errors import StateError
from tests.portal.helpers import PROBLEMS, problem, report_with

pytestmark = pytest.mark.django_db
SEO = service.Scope("seo001", "club", "SEO-001", "서울")


def test_a_report_with_errors_is_not_sent(club_client: Any, ledger: Path) -> None:
    sub = service.upload(ledger, problem("01_사업자번호_검증번호.xlsx"), "오류있음.xlsx", SEO)
    page = club_client.get(f"/submissions/{sub.id}/").content.decode()
    assert '<button type="submit" disabled>연합회에 제출</button>' in page
    answer = club_client.post(f"/submissions/{sub.id}/submit/")
    assert answer.status_code == 409
    assert "오류가 1건 있어 제출할 수 없습니다. 오류를 고친 보고서를 다시 올린 뒤 제출하세요." in answer.content.decode()
    assert service.submission(ledger, sub.id, SEO).status == "received"
    with pytest.raises(StateError):
        service.submit(ledger, sub.id, SEO)


def test_a_clean_report_is_sent_once(club_client: Any, ledger: Path) -> None:
    clean = (PROBLEMS.parent / "2009" / "서울" / "서울_SEO-001_2009.xlsx").read_bytes()
    sub = service.upload(ledger, clean, "깨끗함.xlsx", SEO)
    assert '<button type="submit">연합회에 제출</button>' in club_client.get(f"/submissions/{sub.id}/").content.decode()
    answer = club_client.post(f"/submissions/{sub.id}/submit/")
    assert answer.status_code == 302 and answer.headers["Location"] == f"/submissions/{sub.id}/"
    page = club_client.get(f"/submissions/{sub.id}/").content.decode()
    assert '<p class="status good" id="submitted">제출됨</p>' in page and "연합회에 제출</button>" not in page
    assert "<td>연합회에 제출</td><td>seo001</td>" in page
    db = sqlite3.connect(ledger)
    assert db.execute("SELECT kind, account FROM submission_events WHERE submission_id = ? ORDER BY id",
                      (sub.id,)).fetchall() == [("uploaded", "seo001"), ("submitted", "seo001")]
    assert club_client.post(f"/submissions/{sub.id}/submit/").status_code == 409  # already sent


def test_warnings_are_listed_again_before_sending(club_client: Any, ledger: Path,
                                                  write_report: Callable[..., Path]) -> None:
    def edit(data: dict[str, Any]) -> None:
        data["member"][0]["role"], data["member"][1]["role"] = "회원", "회장"

    sub = service.upload(ledger, report_with(write_report, edit), "경고있음.xlsx", SEO)
    assert (sub.errors, sub.warnings) == (0, 1)
    first = club_client.post(f"/submissions/{sub.id}/submit/")
    page = first.content.decode()
    assert first.status_code == 200 and "경고가 1건 있습니다" in page
    assert '<td class="mono">회원사!H3</td><td>역할</td>' in page
    assert '<input type="hidden" name="confirmed" value="1">' in page
    assert service.submission(ledger, sub.id, SEO).status == "received"
    second = club_client.post(f"/submissions/{sub.id}/submit/", {"confirmed": "1"})
    assert second.status_code == 302 and service.submission(ledger, sub.id, SEO).status == "submitted"


def test_only_the_club_sends_its_own(client: Any, make_user: Any, ledger: Path) -> None:
    clean = (PROBLEMS.parent / "2009" / "서울" / "서울_SEO-001_2009.xlsx").read_bytes()
    sub = service.upload(ledger, clean, "깨끗함.xlsx", SEO)
    client.force_login(make_user("bus001", club="BUS-001"))
    assert client.post(f"/submissions/{sub.id}/submit/").status_code == 404
    client.force_login(make_user("seoul", role="federation", federation="서울"))
    assert client.post(f"/submissions/{sub.id}/submit/").status_code == 404
    assert service.submission(ledger, sub.id, SEO).status == "received"
