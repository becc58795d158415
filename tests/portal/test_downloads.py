"""/submissions/<id>/original/ gives the file back byte for byte; /submissions/<id>/annotated/ (검증 표시본 내려받기)
the marked-up copy `validate --annotate` writes, made on the first download and then served from the cache."""

from __future__ import annotations

import io
import urllib.parse
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from django.conf import settings

from iupjong_xl import service
from tests.portal.helpers import PROBLEMS, problem

pytestmark = pytest.mark.django_db
SEO = service.Scope("seo001", "club", "SEO-001", "서울")


def test_the_original_comes_back_as_received(club_client: Any, ledger: Path) -> None:
    data = problem("01_사업자번호_검증번호.xlsx")
    sub = service.upload(ledger, data, "우리 보고서.xlsx", SEO)
    page = club_client.get(f"/submissions/{sub.id}/").content.decode()
    assert f'<a href="/submissions/{sub.id}/original/" download>원본 내려받기</a>' in page
    answer = club_client.get(f"/submissions/{sub.id}/original/")
    assert answer.status_code == 200 and answer.content == data
    assert answer.headers["Content-Disposition"] == (
        "attachment; filename*=utf-8''" + urllib.parse.quote("우리 보고서.xlsx"))


def test_the_annotated_copy_is_made_once_and_marks_the_cells(club_client: Any, ledger: Path, tmp_path: Path) -> None:
    sub = service.upload(ledger, problem("01_사업자번호_검증번호.xlsx"), "표시.xlsx", SEO)
    page = club_client.get(f"/submissions/{sub.id}/").content.decode()
    assert f'<a href="/submissions/{sub.id}/annotated/" download>검증 표시본 내려받기</a>' in page
    answer = club_client.get(f"/submissions/{sub.id}/annotated/")
    assert answer.status_code == 200
    assert answer.headers["Content-Disposition"] == "attachment; filename*=utf-8''" + urllib.parse.quote("표시_검증.xlsx")
    wb = openpyxl.load_workbook(io.BytesIO(answer.content))
    assert "MEMBER_BRN_CHECKSUM" in wb["회원사"]["A7"].comment.text
    # kept in the portal folder under the name it is downloaded as
    cached = Path(settings.PORTAL_DIR) / "cache" / "annotated" / str(sub.id) / "표시_검증.xlsx"
    assert cached.read_bytes() == answer.content
    cached.write_bytes(b"cached")  # served from the cache from now on
    assert club_client.get(f"/submissions/{sub.id}/annotated/").content == b"cached"


def test_downloads_are_scoped_and_a_clean_report_has_no_annotated_copy(client: Any, make_user: Any,
                                                                       ledger: Path) -> None:
    clean = (PROBLEMS.parent / "2009" / "서울" / "서울_SEO-001_2009.xlsx").read_bytes()
    sub = service.upload(ledger, clean, "깨끗함.xlsx", SEO)
    client.force_login(make_user("seo001", club="SEO-001"))
    assert "검증 표시본 내려받기" not in client.get(f"/submissions/{sub.id}/").content.decode()
    assert client.get(f"/submissions/{sub.id}/annotated/").status_code == 404
    client.force_login(make_user("bus001", club="BUS-001"))
    assert client.get(f"/submissions/{sub.id}/original/").status_code == 404
    assert client.get(f"/submissions/{sub.id}/annotated/").status_code == 404
