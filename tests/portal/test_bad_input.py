"""Bad input through the upload form: a hostile file (billion laughs) is a finding and the next request is answered;
a file name is never a path; the server's log holds no personal data of the report."""

from __future__ import annotations

import io
import logging
import sqlite3
from pathlib import Path
from typing import Any

import pytest

from tests import hostile
from tests.portal.helpers import PROBLEMS

pytestmark = pytest.mark.django_db


def post(client: Any, name: str, data: bytes) -> Any:
    f = io.BytesIO(data)
    f.name = name
    return client.post("/club/upload/", {"file": f})


def test_billion_laughs_is_a_finding_and_the_next_request_is_answered(club_client: Any, tmp_path: Path) -> None:
    hostile.xml_attacks(PROBLEMS / "01_사업자번호_검증번호.xlsx", tmp_path)
    answer = post(club_client, "웃음.xlsx", (tmp_path / "xml_laughs_workbook.xlsx").read_bytes())
    assert answer.status_code == 302
    page = club_client.get(answer.headers["Location"]).content.decode()
    assert '<p class="status bad" id="status">오류 1건 · 경고 0건</p>' in page
    assert "파일이 손상되어 열 수 없습니다 (sheet &#x27;_서식정보&#x27; cannot be read: xl/workbook.xml declares a DTD" in page
    assert club_client.get("/club/").status_code == 200


def test_a_file_name_is_never_a_path(club_client: Any, ledger: Path) -> None:
    data = (PROBLEMS / "01_사업자번호_검증번호.xlsx").read_bytes()
    answer = post(club_client, "../../../../tmp/evil<b>.xlsx", data)
    sid = int(answer.headers["Location"].strip("/").rsplit("/", 1)[1])
    db = sqlite3.connect(ledger)
    assert db.execute("SELECT file_name FROM submissions WHERE id = ?", (sid,)).fetchone() == ("evil<b>.xlsx",)
    assert not Path("/tmp/evil<b>.xlsx").exists()
    page = club_client.get(f"/submissions/{sid}/").content.decode()
    assert "evil&lt;b&gt;.xlsx" in page and "evil<b>" not in page


def test_the_log_holds_no_personal_data(club_client: Any, caplog: Any) -> None:
    caplog.set_level(logging.DEBUG)
    data = (PROBLEMS.parent / "2009" / "서울" / "서울_SEO-001_2009.xlsx").read_bytes()
    post(club_client, "서울_SEO-001_2009.xlsx", data)
    from iupjong_xl import service

    report = service.validate([PROBLEMS.parent / "2009" / "서울" / "서울_SEO-001_2009.xlsx"])
    assert report.valid
    import openpyxl

    wb = openpyxl.load_workbook(PROBLEMS.parent / "2009" / "서울" / "서울_SEO-001_2009.xlsx", read_only=True)
    personal = {str(v) for row in wb["회원사"].iter_rows(min_row=2, values_only=True) for v in (row[0], row[2]) if v}
    assert len(personal) > 10  # BRNs and CEO names of the members
    assert caplog.text and not [p for p in personal if p in caplog.text]
    assert "서울_SEO-001_2009.xlsx" not in caplog.text
