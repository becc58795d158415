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

import pytest
from django.test.utils import override_settings

from iupjong_xl.portal import commands
from iupjong_xl.portal import folder as portal_folder
from tests.portal.helpers import CHROMIUM, Server

# The Django settings read this folder at import: made here, before pytest-django sets Django up.
_FOLDER = Path(tempfile.mkdtemp(prefix="iupjong-portal-test-"))
_TZ = os.environ.get("TZ")
commands.init(_FOLDER)  # as `iupjong portal init` makes it; Django is set up for this folder (tests use a test DB)
# Django sets the process's TZ to TIME_ZONE (Asia/Seoul): put it back for the rest of the suite
if _TZ is None:
    os.environ.pop("TZ", None)
else:
    os.environ["TZ"] = _TZ
time.tzset()
# Django's own PBKDF2 with fewer rounds (helpers.QuickPBKDF2): the tests make many accounts
override_settings(PASSWORD_HASHERS=["tests.portal.helpers.QuickPBKDF2"]).enable()


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
    assert proc.wait(timeout=20) == 0
    # its validation workers stop with it (none left holding the folder's ledger)
    deadline = time.monotonic() + 10
    while _processes_of(folder) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert _processes_of(folder) == []


def _processes_of(folder: Path) -> list[int]:
    found = []
    for cmdline in Path("/proc").glob("[0-9]*/cmdline"):
        try:
            if str(folder).encode() in cmdline.read_bytes():
                found.append(int(cmdline.parent.name))
        except OSError:
            continue
    return found


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict[str, Any]) -> dict[str, Any]:
    return {**browser_type_launch_args, "executable_path": CHROMIUM}


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args: dict[str, Any]) -> dict[str, Any]:
    return {**browser_context_args, "locale": "ko-KR"}
