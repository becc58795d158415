"""No empty iupjong.db.pending/ is left beside the ledger (issue 19, point 10): the note a run makes of the view it is
about to install is removed once committed, with its folder; the note of a run killed after installing its view is
removed by the next run that installs one."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from click.testing import CliRunner

from iupjong_xl.cli import cli

SAMPLES = Path(__file__).resolve().parents[1] / "sample_workbooks" / "2009"


def test_no_pending_folder_is_left_after_a_run_or_after_a_killed_one(tmp_path: Path) -> None:
    out = tmp_path / "n.xlsx"
    res = CliRunner().invoke(cli, ["consolidate", str(SAMPLES / "제주"), "-o", str(out), "-q"])
    assert res.exit_code == 0, res.output
    assert sorted(p.name for p in tmp_path.iterdir()) == ["iupjong.db", "n.xlsx"]
    killed = subprocess.run([sys.executable, "-m", "iupjong_xl", "consolidate", str(SAMPLES / "제주"),
                             str(SAMPLES / "울산"), "-o", str(out), "-q"], capture_output=True,
                            env={**os.environ, "IUPJONG_FAULT_AT": "replaced"}, timeout=300)
    assert killed.returncode == -9
    assert len(list((tmp_path / "iupjong.db.pending").iterdir())) == 1  # the killed run's view, not yet recorded
    res = CliRunner().invoke(cli, ["consolidate", str(SAMPLES / "제주"), str(SAMPLES / "울산"), "-o", str(out), "-q"])
    assert res.exit_code == 0, res.output
    assert sorted(p.name for p in tmp_path.iterdir()) == ["iupjong.db", "n.xlsx"]
