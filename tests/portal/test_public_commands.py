"""`iupjong portal publish DIR` (the snapshot the public pages read) and `iupjong portal serve --public-index` (robots.txt
lets search engines in), as commands."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import threading
import urllib.request
from pathlib import Path

from click.testing import CliRunner

from iupjong_xl.cli import cli
from iupjong_xl.portal import folder as portal_folder


def test_portal_publish_needs_a_portal_folder(tmp_path: Path) -> None:
    res = CliRunner().invoke(cli, ["portal", "publish", str(tmp_path)])
    assert res.exit_code == 2
    assert f"{tmp_path.resolve()}은(는) 포털 폴더가 아닙니다. 먼저 iupjong portal init {tmp_path} 를 실행하세요." in res.stderr
    assert not (tmp_path / "published").exists()


def test_portal_publish_of_a_portal_folder_without_its_ledger_is_a_usage_error(tmp_path: Path) -> None:
    portal_folder.create(tmp_path)
    res = CliRunner().invoke(cli, ["portal", "publish", str(tmp_path)])
    assert res.exit_code == 2, res.output
    assert res.stderr == (f"오류: 원장 {tmp_path.resolve() / 'iupjong.db'}이(가) 없습니다.\n"
                          f"(there is no ledger {tmp_path.resolve() / 'iupjong.db'})\n")
    assert not (tmp_path / "published").exists()


def test_serve_with_public_index_opens_robots_txt_to_the_public_pages(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k not in (portal_folder.ENV, "DJANGO_SETTINGS_MODULE")}
    cli_args = [sys.executable, "-m", "iupjong_xl", "portal"]
    subprocess.run([*cli_args, "init", str(tmp_path)], check=True, env=env, capture_output=True)
    proc = subprocess.Popen([*cli_args, "serve", str(tmp_path), "--port", "0", "--public-index"], env=env, text=True,
                            stderr=subprocess.PIPE, stdout=subprocess.DEVNULL)
    try:
        assert proc.stderr is not None
        url = None
        for line in proc.stderr:
            found = re.search(r"(http://127\.0\.0\.1:\d+/)", line)
            if found:
                url = found.group(1)
                break
        assert url is not None, "the server did not start"
        threading.Thread(target=proc.stderr.read, daemon=True).start()
        with urllib.request.urlopen(url + "robots.txt", timeout=20) as r:
            assert r.read().decode() == "User-agent: *\nAllow: /public/\nDisallow: /\n"
        with urllib.request.urlopen(url + "public/stats/", timeout=20) as r:  # nothing published in this folder yet
            html = r.read().decode()
            assert "<h1>아직 공개한 자료가 없습니다</h1>" in html and r.headers["X-Robots-Tag"] is None
    finally:
        proc.terminate()
        proc.wait(timeout=10)
