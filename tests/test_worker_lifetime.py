"""Worker processes end with the run that started them, however it ends (issue 19, point 9): a consolidation killed
with SIGKILL (no cleanup of its own runs) leaves no reader worker behind — not one sleeping forever, re-parented to
init. The run is started in a session of its own; its workers are the other processes of that session. And a run
leaves no empty iupjong.db.pending/ behind (point 10)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from iupjong_xl.cli import cli
from iupjong_xl.io import sandbox

SAMPLES = Path(__file__).resolve().parents[1] / "sample_workbooks" / "2009"


def _session(sid: int) -> list[int]:
    """The live (not zombie) processes of a session, by pid."""
    out = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            stat = Path(f"/proc/{entry}/stat").read_text()
        except OSError:
            continue
        fields = stat[stat.rindex(")") + 2:].split()  # state ppid pgrp session ...
        if fields[0] != "Z" and int(fields[3]) == sid:
            out.append(int(entry))
    return out


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
def test_a_run_killed_with_sigkill_leaves_no_worker_and_no_pending_folder(tmp_path: Path) -> None:
    """Also (point 10): no empty iupjong.db.pending/ is left beside the ledger. A run's note of the view it is about
    to install is removed once committed, with its folder; the note of a run killed after installing its view stays
    until the next run installs one."""
    out = tmp_path / "n.xlsx"
    res = CliRunner().invoke(cli, ["consolidate", str(SAMPLES / "제주"), "-o", str(out), "-q"])
    assert res.exit_code == 0, res.output
    assert sorted(p.name for p in tmp_path.iterdir()) == ["iupjong.db", "n.xlsx"]
    p = subprocess.Popen([sys.executable, "-m", "iupjong_xl", "consolidate", str(SAMPLES / "제주"), str(SAMPLES / "울산"),
                          "-o", str(out), "-q"], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                         env={**os.environ, "IUPJONG_FAULT_AT": "replaced"}, start_new_session=True)
    left: list[int] = []
    try:
        assert p.wait(120) == -signal.SIGKILL, p.stderr.read() if p.stderr else ""
        deadline = time.monotonic() + 10
        while (left := _session(p.pid)) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert left == []  # its reader worker ended with it
    finally:
        for pid in left:  # what this test started and the run left behind
            os.kill(pid, signal.SIGKILL)
    assert len(list((tmp_path / "iupjong.db.pending").iterdir())) == 1  # the killed run's view, not yet recorded
    res = CliRunner().invoke(cli, ["consolidate", str(SAMPLES / "제주"), str(SAMPLES / "울산"), "-o", str(out), "-q"])
    assert res.exit_code == 0, res.output
    assert sorted(p.name for p in tmp_path.iterdir()) == ["iupjong.db", "n.xlsx"]


def test_a_worker_sees_its_parent_die_from_any_thread(tmp_path: Path) -> None:
    """Workers started from another thread (no parent-death signal: it follows the thread) end by the watchdog on
    the parent's pid: a parent process that starts a worker from a thread and is killed leaves nothing behind."""
    script = tmp_path / "parent.py"
    script.write_text(
        "import os, signal, threading\n"
        "from iupjong_xl.io.sandbox import run_isolated\n"
        "def work():\n"
        "    run_isolated(abs, [-1])  # a worker, kept idle afterwards\n"
        "t = threading.Thread(target=work); t.start(); t.join()\n"
        "os.kill(os.getpid(), signal.SIGKILL)\n", encoding="utf-8")
    p = subprocess.Popen([sys.executable, str(script)], start_new_session=True, stderr=subprocess.PIPE)
    left: list[int] = []
    try:
        assert p.wait(60) == -signal.SIGKILL, p.stderr.read() if p.stderr else ""
        deadline = time.monotonic() + 10
        while (left := _session(p.pid)) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert left == []
    finally:
        for pid in left:
            os.kill(pid, signal.SIGKILL)
    assert sandbox.WATCH_SECONDS <= 1
