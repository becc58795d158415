"""`iupjong portal demo DIR`: a folder to try the portal with — reports uploaded by their clubs' accounts, the national
view consolidated and published, demo accounts printed. Run as its own process (one portal folder per process)."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
from pathlib import Path

JEJU = Path(__file__).resolve().parents[2] / "sample_workbooks" / "2009" / "제주"


def test_demo_uploads_each_report_as_its_club_consolidates_and_publishes(tmp_path: Path) -> None:
    folder = tmp_path / "demo"
    res = subprocess.run([sys.executable, "-m", "iupjong_xl", "portal", "demo", str(folder), "--from", str(JEJU)],
                         capture_output=True, text=True, timeout=240)
    assert res.returncode == 0, res.stderr
    assert res.stdout.splitlines()[0] == (f"{folder}: 데모 포털 준비됨 — 보고서 4개를 교류회 계정으로 올림 (오류 있는 보고서 0개), "
                                          "전국 취합, 공개 자료 냄")
    assert "계정 (모두 비밀번호 demo-2009):" in res.stdout and "  제주연합회  federation 제주" in res.stdout
    with sqlite3.connect(folder / "iupjong.db") as db:
        rows = db.execute("SELECT club_code, account, status FROM submissions ORDER BY club_code").fetchall()
    assert rows == [(c, c, "received") for c in ("JJU-001", "JJU-002", "JJU-003", "JJU-008")]
    with sqlite3.connect(folder / "accounts.sqlite3") as db:
        users = sorted(u for (u,) in db.execute("SELECT username FROM auth_user"))
    assert users[:2] == ["JJU-001", "JJU-002"] and "center" in users and "제주연합회" in users and len(users) == 10
    with sqlite3.connect(folder / "published" / "opendata.sqlite") as db:
        assert db.execute("SELECT count(*) FROM clubs WHERE federation = '제주' AND reported = 1").fetchone() == (4,)
    again = subprocess.run([sys.executable, "-m", "iupjong_xl", "portal", "demo", str(folder), "--from", str(JEJU),
                            "--lang", "en"], capture_output=True, text=True, timeout=240)
    assert again.returncode == 0, again.stderr  # run again: accounts kept, the reports uploaded once more
    assert again.stdout.startswith(f"{folder}: demo portal ready: 4 reports uploaded by their clubs (0 with errors)")
