"""The public pages in a real browser (Playwright, Debian's chromium-headless-shell, locale ko-KR) against the real
server (`iupjong portal serve`, the session's one) with the shared snapshot in its folder: searching 기계 and 전자, a
federation's statistics equal to `iupjong trends` on the same ledger, axe-core (vendored from npm) on 통계 and
회원사 찾기, the print view on A4, and the manual's two screenshots."""

from __future__ import annotations

import json
import os
import re
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.portal.helpers import Server
from tests.portal.public_snapshot import makers, public_portal

__all__ = ["public_portal"]

AXE = Path(__file__).resolve().parent / "vendor" / "axe.min.js"
SHOTS = Path(__file__).resolve().parents[2] / "docs" / "images"


@pytest.fixture(scope="module")
def public_server(server: Server, public_portal: Path) -> Server:
    """The session's server with the snapshot published into its folder (it reads it at the next request)."""
    target = server.folder / "published"
    if not target.exists():
        shutil.copytree(public_portal / "published", target)
    return server


def _companies(public_portal: Path, year: int) -> list[dict[str, Any]]:
    conn = sqlite3.connect(public_portal / "published" / "opendata.sqlite")
    conn.row_factory = sqlite3.Row
    try:
        return [dict(r) for r in conn.execute("SELECT * FROM companies WHERE year = ?", (year,))]
    finally:
        conn.close()


def _shot(page: Page, name: str, tmp_path: Path) -> None:
    shot = page.screenshot(path=tmp_path / name, full_page=False)
    assert shot[:8] == b"\x89PNG\r\n\x1a\n"
    if os.environ.get("IUPJONG_DOCS_SHOTS"):  # the manual's screenshots (docs/images/)
        SHOTS.mkdir(parents=True, exist_ok=True)
        (SHOTS / name).write_bytes(shot)


@pytest.mark.parametrize("word", ["기계", "전자"])
def test_searching_what_companies_make(page: Page, public_server: Server, public_portal: Path, word: str,
                                       tmp_path: Path) -> None:
    expected = makers(_companies(public_portal, 2009), word)
    page.goto(public_server.url + "public/companies/")
    expect(page.get_by_role("heading", level=1)).to_have_text("회원사 찾기")
    page.get_by_label("찾을 말").fill(word)
    page.get_by_role("button", name="찾기").click()
    expect(page.locator("#count")).to_have_text(f"{len(expected)}곳 (1/{-(-len(expected) // 50)}쪽)")
    links = page.locator("#companies tbody th a")
    expect(links).to_have_count(50)
    ids = {int(h.rstrip("/").rsplit("/", 1)[1]) for h in
           (links.nth(i).get_attribute("href") or "" for i in range(50))}
    assert ids <= expected
    first = links.first.text_content() or ""
    if word == "기계":
        _shot(page, "public-companies.png", tmp_path)
    links.first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text(first)


def test_a_federations_statistics_equal_iupjong_trends(page: Page, public_server: Server, public_portal: Path,
                                                       tmp_path: Path) -> None:
    res = subprocess.run([sys.executable, "-m", "iupjong_xl", "trends", "--ledger", str(public_portal / "iupjong.db"),
                          "-o", str(tmp_path / "trends.xlsx"), "--format", "json"], capture_output=True, text=True)
    assert res.returncode == 0, res.stderr
    trends = json.loads(res.stdout)
    page.set_viewport_size({"width": 1280, "height": 1400})  # the summary and the first chart beside its table
    page.goto(public_server.url + "public/stats/")
    expect(page.get_by_role("heading", level=1)).to_have_text("통계 — 전국")
    _shot(page, "public-stats.png", tmp_path)
    page.get_by_label("범위 (전국 또는 연합회)").select_option("부산")
    page.get_by_role("button", name="보기").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("통계 — 부산")
    rows = {r[0]: r[1:] for r in (page.locator("#summary tbody tr").nth(i).locator("th, td").all_text_contents()
                                  for i in range(page.locator("#summary tbody tr").count()))}
    for ind in trends["indicators"]:
        row = trends["federations"]["부산"][ind["key"]]
        dec, unit = ind["decimals"], ind["unit"]
        values = [f"{row['values'][y]:,.{dec}f}{unit}" for y in ("2008", "2009")]
        change = row["changes"]["2009"]
        sign = "+" if change > 0 else "−" if change < 0 else ""
        assert rows[ind["ko"]] == [*values, f"{sign}{abs(change):,.{dec}f}{ind['change_unit']}"], ind["key"]
    assert len(trends["indicators"]) == 12


def _axe(browser: Browser, url: str) -> list[dict[str, Any]]:
    context = browser.new_context(locale="ko-KR", bypass_csp=True)  # the page's CSP admits no injected script
    try:
        page = context.new_page()
        page.goto(url)
        page.add_script_tag(content=AXE.read_text(encoding="utf-8"))
        result = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
    finally:
        context.close()
    return [{"id": v["id"], "impact": v["impact"], "nodes": [n["target"] for n in v["nodes"]][:3]}
            for v in result["violations"]]


@pytest.mark.parametrize("path", ["public/stats/", "public/stats/?scope=%EC%84%9C%EC%9A%B8",
                                  "public/companies/?q=%EA%B8%B0%EA%B3%84"])
def test_axe_finds_no_serious_or_critical_violation(browser: Browser, public_server: Server, path: str) -> None:
    violations = _axe(browser, public_server.url + path)
    assert [v for v in violations if v["impact"] in ("serious", "critical")] == []


def test_a_page_prints_on_a4_without_the_navigation(page: Page, public_server: Server, tmp_path: Path) -> None:
    page.goto(public_server.url + "public/stats/?scope=%EC%84%9C%EC%9A%B8")
    page.emulate_media(media="print")
    expect(page.locator("form.filters")).to_be_hidden()
    expect(page.locator("header.top nav")).to_be_hidden()
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    pdf = tmp_path / "stats.pdf"
    page.pdf(path=pdf, format="A4", print_background=False)
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout
    assert re.search(r"Page size:\s+595\.92 x 842\.88 pts \(A4\)", info), info
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    assert "통계 — 서울" in text and "보고율" in text and "64.4%" in text
