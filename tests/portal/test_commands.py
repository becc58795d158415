"""`iupjong portal init` (idempotent) and `iupjong portal user add` (password from stdin), run as a user runs them.
`iupjong portal serve` is what the browser tests talk to (conftest.server)."""

from __future__ import annotations

import json
import os
import sqlite3
import stat
import subprocess
import sys
from pathlib import Path

from iupjong_xl.portal import folder as portal_folder

CLI = [sys.executable, "-m", "iupjong_xl"]
ENV = {k: v for k, v in os.environ.items()
       if k not in (portal_folder.ENV, "DJANGO_SETTINGS_MODULE", "DJANGO_ALLOW_ASYNC_UNSAFE")}  # as a user runs it


def run(*args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    return subprocess.run([*CLI, *args], input=stdin, text=True, capture_output=True, env=ENV, check=False)


def test_init_makes_the_folder_and_again_keeps_it(tmp_path: Path) -> None:
    folder = tmp_path / "포털"
    first = run("portal", "init", str(folder))
    assert first.returncode == 0, first.stderr
    assert first.stdout == (f"{folder}: 포털 폴더 준비됨 (새로 만듦: secret_key, portal.json, iupjong.db, "
                            "accounts.sqlite3)\n")
    assert sorted(p.name for p in folder.iterdir() if not p.name.endswith(("-wal", "-shm"))) == [
        "accounts.sqlite3", "iupjong.db", "portal.json", "secret_key"]
    key = (folder / "secret_key").read_text()
    assert len(key.strip()) == 86 and stat.S_IMODE((folder / "secret_key").stat().st_mode) == 0o600
    assert json.loads((folder / "portal.json").read_text()) == {
        "profile": "lan", "allowed_hosts": ["127.0.0.1", "localhost", "[::1]"], "max_upload_mb": 20}
    ledger = sqlite3.connect(folder / "iupjong.db")
    assert ledger.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone() == ("3",)

    again = run("portal", "init", str(folder))
    assert again.returncode == 0 and again.stdout == f"{folder}: 포털 폴더 준비됨 (이미 모두 있음)\n"
    assert (folder / "secret_key").read_text() == key

    added = run("portal", "user", "add", str(folder), "seo001", "--role", "club", "--club", "SEO-001",
                "--password-stdin", stdin="한빛-비밀번호-2009\n")
    assert added.returncode == 0 and added.stdout == "seo001: 계정을 만들었습니다 (교류회 SEO-001)\n"
    accounts = sqlite3.connect(folder / "accounts.sqlite3")
    (stored,) = accounts.execute("SELECT password FROM auth_user WHERE username = 'seo001'").fetchone()
    assert stored.startswith("pbkdf2_sha256$") and "한빛" not in stored
    assert accounts.execute("SELECT role, club_code, federation FROM accounts_profile").fetchall() == [
        ("club", "SEO-001", "")]

    no_club = run("portal", "user", "add", str(folder), "x", "--role", "club", "--password-stdin", stdin="long-enough-1\n")
    assert no_club.returncode == 2 and "교류회 계정에는 교류회코드가 필요합니다 (--club)." in no_club.stderr
    taken = run("portal", "user", "add", str(folder), "seo001", "--role", "center", "--password-stdin",
                stdin="long-enough-1\n")
    assert taken.returncode == 2 and "아이디 'seo001'은(는) 쓸 수 없습니다" in taken.stderr
    short = run("portal", "user", "add", str(folder), "y", "--role", "center", "--password-stdin", stdin="short\n")
    assert short.returncode == 2 and "비밀번호를 쓸 수 없습니다" in short.stderr


def test_commands_on_a_folder_that_is_no_portal(tmp_path: Path) -> None:
    answer = run("portal", "user", "add", str(tmp_path), "a", "--role", "center", "--password-stdin", stdin="pw\n")
    assert answer.returncode == 2 and f"{tmp_path}은(는) 포털 폴더가 아닙니다." in answer.stderr


CHECK = """
import sys
from iupjong_xl.portal import folder
folder.create(sys.argv[1], sys.argv[2])
import os
os.environ[folder.ENV] = sys.argv[1]
os.environ["DJANGO_SETTINGS_MODULE"] = "iupjong_xl.portal.settings"
import django
django.setup()
from django.core.management import call_command
call_command("check", deploy=True, fail_level="WARNING")
"""


def test_check_deploy_is_clean_in_both_profiles(tmp_path: Path) -> None:
    for profile, silenced in (("lan", "4 silenced"), ("https", "0 silenced")):
        done = subprocess.run([sys.executable, "-c", CHECK, str(tmp_path / profile), profile], capture_output=True,
                              text=True, env=ENV, check=False)
        assert done.returncode == 0, done.stderr
        assert f"System check identified no issues ({silenced})." in done.stdout


def test_accounts_from_the_rosters(db: object, tmp_path: Path) -> None:
    """`iupjong portal accounts` (in this process: the test's portal folder and database)."""
    import csv

    from django.conf import settings
    from django.contrib.auth import authenticate

    from iupjong_xl.portal import commands

    fed = Path(__file__).resolve().parents[2] / "sample_workbooks" / "2009" / "제주"
    out = tmp_path / "계정.csv"
    done = commands.accounts(settings.PORTAL_DIR, [fed], out)
    assert stat.S_IMODE(out.stat().st_mode) == 0o600 and out.read_bytes()[:3] == b"\xef\xbb\xbf"
    rows = list(csv.reader(out.read_text(encoding="utf-8-sig").splitlines()))
    assert rows[0] == ["아이디", "비밀번호", "역할", "교류회코드", "연합회", "교류회명"]
    assert [r[0] for r in rows[1:3]] == ["center", "제주연합회"] and rows[2][2:5] == ["연합회", "", "제주"]
    clubs = [r for r in rows[1:] if r[2] == "교류회"]
    assert clubs and all(r[0] == r[3] and r[0].startswith("JJU-") and r[4] == "제주" for r in clubs)
    assert done.created == len(rows) - 1 and done.existing == []
    first = rows[3]
    user = authenticate(username=first[0], password=first[1])
    assert user is not None and user.profile.must_change_password and user.profile.club_code == first[0]
    assert len({r[1] for r in rows[1:]}) == len(rows) - 1 and all(len(r[1]) == 12 for r in rows[1:])
    again = commands.accounts(settings.PORTAL_DIR, [fed], tmp_path / "again.csv")
    assert again.created == 0 and again.existing == [r[0] for r in rows[1:]]
    assert (tmp_path / "again.csv").read_text(encoding="utf-8-sig").splitlines() == [",".join(rows[0])]
