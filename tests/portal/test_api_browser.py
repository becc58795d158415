"""The token page in a real browser against the real server (the session's `iupjong portal serve`): a secretary
makes an API token through the menu, sees it once, a script uploads with it, the secretary revokes it."""

from __future__ import annotations

from playwright.sync_api import Page, expect

from tests.portal import served
from tests.portal.helpers import PROBLEMS, Server
from tests.portal.test_browser import login


def test_a_secretary_makes_a_token_a_script_uploads_then_it_is_revoked(page: Page, server: Server) -> None:
    login(page, server, "bus001")
    page.get_by_role("link", name="API 토큰").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("API 토큰")
    page.get_by_label("이름 (어디에 쓰는지)").fill("엑셀 추가 기능")
    page.get_by_role("button", name="토큰 만들기").click()
    token = page.get_by_label("토큰", exact=True).input_value()
    assert token.startswith("iup_") and len(token) == 47
    row = page.locator("table.list tbody tr").first.locator("td")
    expect(row.nth(0)).to_have_text("엑셀 추가 기능")
    expect(row.nth(1)).to_have_text(token[:12] + "…")
    status, body = served.api_upload(server.url, token, "부산.xlsx", (PROBLEMS / "01_사업자번호_검증번호.xlsx").read_bytes())
    assert (status, body["status"]) == (201, "refused")  # SEO-001's report, uploaded by BUS-001
    page.goto(server.url + "account/tokens/")  # shown once: never again
    expect(page.get_by_label("토큰", exact=True)).to_have_count(0)
    page.get_by_role("button", name="폐기").click()
    expect(page.locator("table.list tbody tr").first.locator("td").nth(4)).to_contain_text("폐기됨")
    assert served.api_upload(server.url, token, "부산.xlsx", b"x")[0] == 401
