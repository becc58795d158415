"""/club/: the club's own page, with the upload form (보고서 파일, 올리기) and the club's uploads."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from iupjong_xl import service
from tests.portal.helpers import problem

pytestmark = pytest.mark.django_db


def test_the_upload_form(club_client: Any) -> None:
    page = club_client.get("/club/").content.decode()
    assert "<h1>교류회 SEO-001</h1>" in page
    assert '<form method="post" action="/club/upload/" enctype="multipart/form-data">' in page
    assert '<label for="id_file">보고서 파일</label>' in page
    assert '<button type="submit">올리기</button>' in page
    assert 'name="csrfmiddlewaretoken"' in page


def test_the_page_lists_only_the_clubs_own_uploads(client: Any, make_user: Any, ledger: Path) -> None:
    mine = service.upload(ledger, problem("12_날짜_13월.xlsx"), "우리_보고서.xlsx", service.Scope("gwn006", "club", "GWN-006"))
    theirs = service.upload(ledger, problem("12_날짜_13월.xlsx"), "남의_보고서.xlsx",
                            service.Scope("gwn007", "club", "GWN-007"))
    client.force_login(make_user("gwn006", club="GWN-006"))
    page = client.get("/club/").content.decode()
    assert f'<a href="/submissions/{mine.id}/">우리_보고서.xlsx</a>' in page
    assert "남의_보고서.xlsx" not in page and f"/submissions/{theirs.id}/" not in page
