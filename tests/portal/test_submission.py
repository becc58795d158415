"""/submissions/<id>/: the status line and the findings table (시트, 셀 as 회원사!B5, 항목, 내용, 값), sorted by sheet
and cell; every value HTML-escaped; another club's submission is 404."""

from __future__ import annotations

import html
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from iupjong_xl import service
from tests.portal.helpers import PROBLEMS, report_with

pytestmark = pytest.mark.django_db
SEO = service.Scope("seo001", "club", "SEO-001", "서울")
SCRIPT = "<script>alert('x')</script>"


def rows(page: str) -> list[list[str]]:
    body = page.split('<table class="findings" id="findings">', 1)[1].split("</table>", 1)[0]
    return [[html.unescape(c) for c in re.findall(r"<td[^>]*>(.*?)</td>", tr, re.S)]
            for tr in re.findall(r"<tr class=\"\w+\">(.*?)</tr>", body, re.S)]


@pytest.fixture
def planted(write_report: Callable[..., Path], ledger: Path) -> service.Submission:
    """A report of SEO-001 with three planted errors, one of them a cell holding a script tag."""

    def edit(data: dict[str, Any]) -> None:
        data["member"][1]["employees"] = SCRIPT
        brn = data["member"][3]["brn"]
        data["member"][3]["brn"] = brn[:-1] + str((int(brn[-1]) + 1) % 10)  # the check digit one off
        data["activity"][2]["date"] = "2009.13.01"

    return service.upload(ledger, report_with(write_report, edit), "심은_오류.xlsx", SEO)


def test_the_findings_at_their_cells_sorted_by_sheet_and_cell(club_client: Any, planted: service.Submission) -> None:
    page = club_client.get(f"/submissions/{planted.id}/").content.decode()
    assert '<p class="status bad" id="status">오류 3건 · 경고 0건</p>' in page
    assert "<thead><tr><th>시트</th><th>셀</th><th>항목</th><th>내용</th><th>값</th><th>구분</th></tr></thead>" in page
    got = rows(page)
    assert [[*r[:3], r[4], r[5]] for r in got] == [
        ["회원사", "회원사!E3", "종업원수", SCRIPT, "오류"],
        ["회원사", "회원사!A5", "사업자등록번호", "124-81-05539", "오류"],
        ["활동", "활동!A4", "일자", "2009.13.01", "오류"],
    ]
    assert [r[3] for r in got] == [f.message("ko") for f in planted.findings]


def test_a_cell_holding_a_script_is_text(club_client: Any, planted: service.Submission) -> None:
    page = club_client.get(f"/submissions/{planted.id}/").content.decode()
    assert "<script" not in page
    assert "<td>&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;</td>" in page


def test_a_clean_report_passes(club_client: Any, ledger: Path) -> None:
    clean = (PROBLEMS.parent / "2009" / "서울" / "서울_SEO-001_2009.xlsx").read_bytes()
    sub = service.upload(ledger, clean, "서울_SEO-001_2009.xlsx", SEO)
    page = club_client.get(f"/submissions/{sub.id}/").content.decode()
    assert '<p class="status good" id="status">검증 통과</p>' in page and "고칠 곳이 없습니다." in page


def test_another_clubs_submission_is_404(client: Any, make_user: Any, planted: service.Submission) -> None:
    client.force_login(make_user("bus001", club="BUS-001", federation="부산"))
    assert client.get(f"/submissions/{planted.id}/").status_code == 404
    assert client.get("/submissions/999999/").status_code == 404
    client.force_login(make_user("busan", role="federation", federation="부산"))
    assert client.get(f"/submissions/{planted.id}/").status_code == 404
    client.force_login(make_user("seoul", role="federation", federation="서울"))
    assert client.get(f"/submissions/{planted.id}/").status_code == 200
    client.force_login(make_user("center", role="center"))
    assert client.get(f"/submissions/{planted.id}/").status_code == 200
