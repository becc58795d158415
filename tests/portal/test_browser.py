"""The portal in a real browser (Playwright, Debian's chromium-headless-shell, locale ko-KR) against the real server
(`iupjong portal serve`): log in, upload a report with a planted error, read the finding at its cell."""

from __future__ import annotations

import io
import os
from pathlib import Path

import openpyxl
from playwright.sync_api import Page, expect

from tests.portal.helpers import PROBLEMS, Server

SHOTS = Path(__file__).resolve().parents[2] / "docs" / "images"


def login(page: Page, server: Server, user: str) -> None:
    page.goto(server.url)
    expect(page).to_have_url(server.url + "login/")
    page.get_by_label("아이디").fill(user)
    page.get_by_label("비밀번호").fill(f"pw-{user}-2009")
    page.get_by_role("button", name="로그인").click()


def test_a_secretary_uploads_and_reads_the_findings_at_their_cells(page: Page, server: Server, tmp_path: Path) -> None:
    login(page, server, "seo001")
    expect(page.get_by_role("heading", level=1)).to_have_text("교류회 SEO-001")
    page.get_by_label("보고서 파일").set_input_files(PROBLEMS / "01_사업자번호_검증번호.xlsx")
    page.get_by_role("button", name="올리기").click()
    expect(page.locator("#status")).to_have_text("오류 1건 · 경고 0건")
    cells = page.locator("#findings tbody tr").first.locator("td")
    expect(cells).to_have_text(["회원사", "회원사!A7", "사업자등록번호",
                                "'사업자등록번호' 값 '185-87-41593'의 검증번호(마지막 자리)가 맞지 않습니다. 사업자등록증을 보고 "
                                "번호를 다시 확인하세요.", "185-87-41593", "오류"])
    shot = page.screenshot(path=tmp_path / "portal-findings.png", full_page=True)
    assert shot[:8] == b"\x89PNG\r\n\x1a\n"
    if os.environ.get("IUPJONG_DOCS_SHOTS"):  # the manual's screenshot (docs/images/portal-findings.png)
        SHOTS.mkdir(parents=True, exist_ok=True)
        (SHOTS / "portal-findings.png").write_bytes(shot)
    with page.expect_download() as got:
        page.get_by_role("link", name="검증 표시본 내려받기").click()
    download = got.value
    assert download.suggested_filename == "01_사업자번호_검증번호_검증.xlsx"
    marked = openpyxl.load_workbook(io.BytesIO(download.path().read_bytes()))  # (saved without a suffix)
    assert "MEMBER_BRN_CHECKSUM" in marked["회원사"]["A7"].comment.text
    expect(page.get_by_role("button", name="연합회에 제출")).to_be_disabled()  # not while it has errors
    page.goto(server.url + "club/")
    expect(page.locator("table.list tbody tr").first.locator("td").nth(2)).to_have_text("01_사업자번호_검증번호.xlsx")


def test_a_clean_report_is_sent_and_the_history_shows_it(page: Page, server: Server) -> None:
    login(page, server, "seo001")
    page.get_by_label("보고서 파일").set_input_files(PROBLEMS.parent / "2009" / "서울" / "서울_SEO-001_2009.xlsx")
    page.get_by_role("button", name="올리기").click()
    expect(page.locator("#status")).to_have_text("검증 통과")
    page.get_by_role("button", name="연합회에 제출").click()
    expect(page.locator("#submitted")).to_have_text("제출됨")
    page.get_by_role("link", name="이력").click()
    first = page.locator("#events tbody tr").first.locator("td")
    expect(first.nth(1)).to_have_text("연합회에 제출")
    expect(first.nth(3)).to_have_text("서울_SEO-001_2009.xlsx")


def test_a_wrong_password_and_another_clubs_page(page: Page, server: Server) -> None:
    login(page, server, "seo001")
    page.get_by_label("보고서 파일").set_input_files(PROBLEMS.parent / "2009" / "서울" / "서울_SEO-001_2009.xlsx")
    page.get_by_role("button", name="올리기").click()
    expect(page.locator("#status")).to_have_text("검증 통과")
    theirs = page.url
    page.get_by_role("button", name="로그아웃").click()
    expect(page).to_have_url(server.url + "login/")
    page.get_by_label("아이디").fill("bus001")
    page.get_by_label("비밀번호").fill("nope-nope-nope")
    page.get_by_role("button", name="로그인").click()
    expect(page.get_by_role("alert")).to_have_text("아이디나 비밀번호가 맞지 않습니다. 다시 입력하세요.")
    login(page, server, "bus001")
    answer = page.goto(theirs)  # seo001's upload
    assert answer is not None and answer.status == 404 and theirs.startswith(server.url + "submissions/")
    expect(page.get_by_role("heading", level=1)).to_have_text("찾을 수 없습니다")
