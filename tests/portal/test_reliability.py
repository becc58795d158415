"""Reliability of the portal as deployed (`iupjong portal serve` in its own process, over HTTP): ten uploads at the
same moment are all recorded (the ledger's one-writer lock; each one visible in the club's history); a server
killed with SIGKILL in the middle of an upload restarts with the ledger consistent and that upload whole (killed
after the commit) or absent (killed before it)."""

from __future__ import annotations

import hashlib
import http.client
import shutil
import sqlite3
import subprocess
import threading
import urllib.error
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from conftest import club_data

from iupjong_xl.service import FAULT_ENV
from tests.portal import served


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    """A portal folder made once by `iupjong portal init` and `user add` (seo001, club SEO-001), with an API token
    of seo001 (as the token page makes it: only its hash kept); each test serves a copy."""
    from iupjong_xl.portal.api import tokens

    folder = tmp_path_factory.mktemp("template") / "portal"
    served.init(folder, {"seo001": "SEO-001"})
    token = tokens.PREFIX + "reliability-" + "x" * 31
    db = sqlite3.connect(folder / "accounts.sqlite3")
    with db:
        (user,) = db.execute("SELECT id FROM auth_user WHERE username = 'seo001'").fetchone()
        db.execute("INSERT INTO portal_api_token (user_id, name, digest, prefix, created) VALUES (?, ?, ?, ?,"
                   " '2009-03-01 00:00:00')", (user, "시험", tokens.digest(token), token[:tokens.SHOWN]))
    db.close()
    return folder, token


def copy_of(template: tuple[Path, str], tmp_path: Path) -> tuple[Path, str]:
    folder = tmp_path / "portal"
    shutil.copytree(template[0], folder)
    return folder, template[1]


def reports(write_report: Callable[..., Path], n: int, tag: str) -> list[tuple[str, bytes]]:
    """n valid reports of SEO-001 with different bytes (the club's name differs)."""
    out = []
    for i in range(n):
        data = club_data()
        data["club"][0]["club_name"] = f"서울한빛교류회{tag}{i}"
        name = f"보고서_{tag}{i}.xlsx"
        out.append((name, write_report(data, name=name).read_bytes()))
    return out


def consistent(ledger: Path) -> sqlite3.Connection:
    """The ledger opens, passes SQLite's integrity and foreign-key checks, and no run was left half done."""
    db = sqlite3.connect(ledger)
    assert db.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
    assert db.execute("PRAGMA foreign_key_check").fetchall() == []
    assert db.execute("SELECT COUNT(*) FROM runs WHERE outcome = 'running' OR finished IS NULL").fetchone() == (0,)
    assert db.execute("SELECT COUNT(*) FROM submissions s LEFT JOIN submission_events e ON e.submission_id = s.id"
                      " AND e.kind = 'uploaded' WHERE e.id IS NULL").fetchone() == (0,)
    assert db.execute("SELECT COUNT(*) FROM versions WHERE workbook = 'portal' AND run_until IS NULL"
                      " GROUP BY year, unit_key HAVING COUNT(*) > 1").fetchall() == []
    return db


def test_ten_uploads_at_the_same_moment_are_all_recorded(template: tuple[Path, str], tmp_path: Path,
                                                         write_report: Any) -> None:
    folder, token = copy_of(template, tmp_path)
    proc, url = served.start(folder)
    try:
        browser = served.Browser(url).login("seo001")
        files = reports(write_report, 10, "동시")
        barrier = threading.Barrier(len(files))
        answers: list[tuple[int, dict[str, Any]] | None] = [None] * len(files)

        def send(i: int) -> None:
            barrier.wait()
            answers[i] = served.api_upload(url, token, *files[i])

        threads = [threading.Thread(target=send, args=(i,)) for i in range(len(files))]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=180)
        assert [a[0] if a else None for a in answers] == [201] * 10
        ids = sorted(a[1]["id"] for a in answers if a)
        assert ids == list(range(1, 11))
        assert all(a[1]["valid"] and a[1]["status"] == "received" for a in answers if a)
        # each one in the club's history page
        _status, _url, page = browser.get("/club/history/")
        assert all(f'<a href="/submissions/{sid}/">{sid}</a>' in page for sid in ids)
        # the backup while it runs (docs/portal-api.md): SQLite's online backup of both databases
        for name in ("iupjong.db", "accounts.sqlite3"):
            subprocess.run(["sqlite3", str(folder / name), f".backup {tmp_path / ('backup-' + name)}"], check=True,
                           capture_output=True, timeout=60)
    finally:
        proc.terminate()
        proc.wait(timeout=20)
    db = consistent(folder / "iupjong.db")
    assert db.execute("SELECT COUNT(*), COUNT(DISTINCT run_id), COUNT(DISTINCT sha256) FROM submissions").fetchone() \
        == (10, 10, 10)
    assert db.execute("SELECT COUNT(*) FROM runs WHERE command = 'upload' AND outcome = 'ok'").fetchone() == (10,)
    # one version each, one after the other: nine replaced, the last current
    assert db.execute("SELECT COUNT(*), SUM(run_until IS NULL) FROM versions WHERE workbook = 'portal'"
                      " AND unit_key = 'SEO-001'").fetchone() == (10, 1)
    assert sorted(n for (n,) in db.execute("SELECT file_name FROM submissions")) == sorted(n for n, _ in files)
    backup = consistent(tmp_path / "backup-iupjong.db")
    assert backup.execute("SELECT id, sha256, status FROM submissions ORDER BY id").fetchall() == db.execute(
        "SELECT id, sha256, status FROM submissions ORDER BY id").fetchall()
    assert sqlite3.connect(tmp_path / "backup-accounts.sqlite3").execute(
        "SELECT username FROM auth_user").fetchall() == [("seo001",)]


def killed_in(folder: Path, point: str, token: str, name: str, data: bytes) -> None:
    """Serve the folder with a kill -9 planted at `point` of an upload; upload; the server dies, no answer."""
    proc, url = served.start(folder, **{FAULT_ENV: point})
    try:
        with pytest.raises((urllib.error.URLError, http.client.HTTPException, ConnectionError)):
            served.api_upload(url, token, name, data)
        assert proc.wait(timeout=30) == -9  # killed, not stopped
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()


def test_a_server_killed_in_the_middle_of_an_upload_restarts_consistent(template: tuple[Path, str], tmp_path: Path,
                                                                        write_report: Any) -> None:
    """SIGKILL inside the ledger's write transaction (recorded, not committed): the upload is absent. SIGKILL
    right after the commit, before the answer: the upload is whole (its bytes, findings, version, event). Each
    time the server restarts on the same folder and goes on."""
    folder, token = copy_of(template, tmp_path)
    (absent_name, absent), (whole_name, whole), (next_name, after) = reports(write_report, 3, "kill")
    ledger = folder / "iupjong.db"

    killed_in(folder, "upload_recording", token, absent_name, absent)
    db = consistent(ledger)
    assert db.execute("SELECT COUNT(*) FROM submissions").fetchone() == (0,)
    assert db.execute("SELECT COUNT(*) FROM runs").fetchone() == (0,)
    assert db.execute("SELECT COUNT(*) FROM blobs").fetchone() == (0,)
    db.close()

    killed_in(folder, "upload_recorded", token, whole_name, whole)
    db = consistent(ledger)
    [(sid, run, stored, name, errors, warnings, version)] = db.execute(
        "SELECT id, run_id, sha256, file_name, errors, warnings, version_id FROM submissions").fetchall()
    sha = hashlib.sha256(whole).hexdigest()
    assert (sid, stored, name) == (1, sha, whole_name)
    assert db.execute("SELECT data FROM blobs WHERE sha256 = ?", (sha,)).fetchone()[0] == whole
    assert db.execute("SELECT COUNT(*) FROM findings WHERE run_id = ?", (run,)).fetchone() == (errors + warnings,)
    assert db.execute("SELECT run_from, run_until FROM versions WHERE id = ?", (version,)).fetchone() == (run, None)
    assert db.execute("SELECT COUNT(*) FROM rows WHERE version_id = ?", (version,)).fetchone()[0] > 0
    db.close()

    # restarted without the fault, the portal goes on: the same token, a new upload replacing the whole one
    proc, url = served.start(folder)
    try:
        status, answer = served.api_upload(url, token, next_name, after)
        assert (status, answer["id"], answer["status"]) == (201, 2, "received")
    finally:
        proc.terminate()
        proc.wait(timeout=20)
    db = consistent(ledger)
    assert db.execute("SELECT id, run_until IS NULL FROM versions ORDER BY id").fetchall() == [(version, 0),
                                                                                           (version + 1, 1)]
