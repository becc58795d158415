"""Helpers of the portal's tests, without side effects (conftest.py sets the portal up; this module may be imported
under any name)."""

from __future__ import annotations

import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

from django.contrib.auth.hashers import PBKDF2PasswordHasher

REPO = Path(__file__).resolve().parents[2]
PROBLEMS = REPO / "sample_workbooks" / "problems"
CHROMIUM = "/usr/bin/chromium-headless-shell"


class QuickPBKDF2(PBKDF2PasswordHasher):
    """Django's own PBKDF2 with fewer rounds: the tests make many accounts (the deployed portal keeps the default)."""

    iterations = 1000


def problem(name: str) -> bytes:
    return (PROBLEMS / name).read_bytes()


def report_with(write_report: Callable[..., Path], edit: Callable[[dict[str, Any]], None]) -> bytes:
    """A valid club report (tests/conftest.py) changed by edit, as bytes."""
    from conftest import club_data

    data = club_data()
    edit(data)
    return write_report(data).read_bytes()


class Server:
    def __init__(self, url: str, folder: Path, proc: subprocess.Popen[str]) -> None:
        self.url, self.folder, self.proc = url, folder, proc
