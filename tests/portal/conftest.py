"""The portal's tests: one portal folder for the whole run (its ledger shared; each test uploads as its own club so
that nothing depends on the order), pytest-django for the views, one real server (iupjong portal serve) for the
browser tests (Playwright driving Debian's chromium-headless-shell, never a downloaded browser)."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import django
import pytest
from django.contrib.auth.hashers import PBKDF2PasswordHasher
from django.test.utils import override_settings

from iupjong_xl.portal import folder as portal_folder

REPO = Path(__file__).resolve().parents[2]
PROBLEMS = REPO / "sample_workbooks" / "problems"
CHROMIUM = "/usr/bin/chromium-headless-shell"

# The Django settings read this folder at import: made here, before pytest-django sets Django up.
_FOLDER = Path(tempfile.mkdtemp(prefix="iupjong-portal-test-"))
portal_folder.create(_FOLDER)
os.environ[portal_folder.ENV] = str(_FOLDER)
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "iupjong_xl.portal.settings")
_TZ = os.environ.get("TZ")
django.setup()
# Django sets the process's TZ to TIME_ZONE (Asia/Seoul): put it back for the rest of the suite
if _TZ is None:
    os.environ.pop("TZ", None)
else:
    os.environ["TZ"] = _TZ
time.tzset()
# Django's own PBKDF2 with fewer rounds: the tests make many accounts (the deployed portal keeps Django's default)
override_settings(PASSWORD_HASHERS=["tests.portal.conftest.QuickPBKDF2"]).enable()


class QuickPBKDF2(PBKDF2PasswordHasher):
    iterations = 1000


def pytest_sessionfinish(session: pytest.Session) -> None:
    shutil.rmtree(_FOLDER, ignore_errors=True)


@pytest.fixture
def ledger() -> Path:
    from django.conf import settings

    return Path(settings.LEDGER)


@pytest.fixture
def make_user(db: Any) -> Callable[..., Any]:
    from iupjong_xl.portal.accounts.manage import add_user

    def make(username: str, role: str = "club", club: str | None = None, federation: str | None = None) -> Any:
        return add_user(username, "pw-" + username + "-2009", role, club=club, federation=federation).user

    return make


@pytest.fixture
def club_client(client: Any, make_user: Callable[..., Any]) -> Any:
    """A browser session logged in as the secretary of SEO-001 (the club of the sample problem reports)."""
    client.force_login(make_user("seo001", club="SEO-001", federation="서울"))
    return client


def problem(name: str) -> bytes:
    return (PROBLEMS / name).read_bytes()


def report_with(write_report: Callable[..., Path], edit: Callable[[dict[str, Any]], None]) -> bytes:
    """A valid club report (tests/conftest.py) changed by edit, as bytes."""
    from conftest import club_data

    data = club_data()
    edit(data)
    return write_report(data).read_bytes()


# ------------------------------------------------------------------------------------------- the real server


class Server:
    def __init__(self, url: str, folder: Path, proc: subprocess.Popen[str]) -> None:
        self.url, self.folder, self.proc = url, folder, proc


@pytest.fixture(scope="session")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """`iupjong portal init`, two accounts by `user add`, and `iupjong portal serve` on a free port: the portal as
    it is deployed, for the browser tests."""
    folder = tmp_path_factory.mktemp("served")
    cli = [sys.executable, "-m", "iupjong_xl"]
    env = {k: v for k, v in os.environ.items()
           if k not in (portal_folder.ENV, "DJANGO_SETTINGS_MODULE", "DJANGO_ALLOW_ASYNC_UNSAFE")}
    subprocess.run([*cli, "portal", "init", str(folder)], check=True, env=env, capture_output=True)
    for user, args in (("seo001", ["--club", "SEO-001"]), ("bus001", ["--club", "BUS-001"])):
        subprocess.run([*cli, "portal", "user", "add", str(folder), user, "--role", "club", *args, "--password-stdin"],
                       input=f"pw-{user}-2009\n", text=True, check=True, env=env, capture_output=True)
    proc = subprocess.Popen([*cli, "portal", "serve", str(folder), "--port", "0"], env=env, text=True,
                            stderr=subprocess.PIPE, stdout=subprocess.DEVNULL)
    assert proc.stderr is not None
    url = None
    for line in proc.stderr:
        found = re.search(r"(http://127\.0\.0\.1:\d+/)", line)
        if found:
            url = found.group(1)
            break
    assert url is not None, "the server did not start"
    threading.Thread(target=proc.stderr.read, daemon=True).start()  # keep its log from filling the pipe
    yield Server(url, folder, proc)
    proc.terminate()
    proc.wait(timeout=10)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict[str, Any]) -> dict[str, Any]:
    return {**browser_type_launch_args, "executable_path": CHROMIUM}


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args: dict[str, Any]) -> dict[str, Any]:
    return {**browser_context_args, "locale": "ko-KR"}
