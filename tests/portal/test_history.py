"""/club/history/: every upload and submission of the club (time, account, what), and the changes between its
versions as `history --diff` shows them."""

from __future__ import annotations

import html
from pathlib import Path
from typing import Any

import pytest

from iupjong_xl import service
from tests.portal.helpers import PROBLEMS, problem

pytestmark = pytest.mark.django_db


def test_uploads_submissions_and_changes(client: Any, make_user: Any, ledger: Path) -> None:
    scope = service.Scope("seo001h", "club", "SEO-001", "서울")
    client.force_login(make_user("seo001h", club="SEO-001"))
    first = service.upload(ledger, problem("01_사업자번호_검증번호.xlsx"), "처음.xlsx", scope)
    second = service.upload(ledger, (PROBLEMS.parent / "2009" / "서울" / "서울_SEO-001_2009.xlsx").read_bytes(),
                            "고침.xlsx", scope)
    service.submit(ledger, second.id, scope)
    page = html.unescape(client.get("/club/history/").content.decode())
    events = page.split('id="events"', 1)[1].split("</table>", 1)[0]
    assert events.index(f">{second.id}</a></td><td>고침.xlsx</td><td>seo001h</td><td>검증 통과</td>") < events.index(
        f">{first.id}</a></td><td>처음.xlsx</td><td>seo001h</td><td>오류 1건 · 경고 0건</td>")
    assert "<td>연합회에 제출</td>" in events and events.count("<td>올림</td>") >= 2
    assert "(고침.xlsx): 행 추가 1, 행 삭제 1, 바뀐 행 0 (값 0개)" in page
    assert "<td>행 추가</td><td>회원사</td><td>185-87-41598</td>" in page


def test_a_club_without_uploads(client: Any, make_user: Any) -> None:
    client.force_login(make_user("jju009", club="JJU-009"))
    page = client.get("/club/history/").content.decode()
    assert "아직 올린 보고서가 없습니다." in page and "비교할 버전이 아직 없습니다" in page
    client.force_login(make_user("jeju", role="federation", federation="제주"))
    assert client.get("/club/history/").headers["Location"] == "/submissions/"
