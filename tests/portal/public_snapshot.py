"""The public pages' shared snapshot: the 2008 + 2009 sample corpus consolidated into one ledger inside a portal
folder, published by `iupjong portal publish DIR` into DIR/published — built once per test run (the fixture is
imported by each test_public_*.py module; the build itself is cached here)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from iupjong_xl.portal import folder as portal_folder

SAMPLES = Path(__file__).resolve().parents[2] / "sample_workbooks"
_BUILT: dict[str, Path] = {}


def build(root: Path) -> Path:
    """The portal folder (its ledger holds the national consolidations of 2008 and 2009; DIR/published is the
    snapshot). The commands run as child processes (`python -m iupjong_xl`), as a user runs them: consolidation's
    worker processes are not forked from a test process that drives a browser."""
    portal_folder.create(root)
    env = {k: v for k, v in os.environ.items() if k not in (portal_folder.ENV, "DJANGO_SETTINGS_MODULE")}
    cli = [sys.executable, "-m", "iupjong_xl"]
    for year in (2008, 2009):
        subprocess.run([*cli, "consolidate", str(SAMPLES / str(year)), "-o", str(root / f"national_{year}.xlsx"),
                        "--year", str(year), "-q"], check=True, env=env, capture_output=True)
    res = subprocess.run([*cli, "portal", "publish", str(root)], env=env, capture_output=True, text=True)
    assert res.returncode == 0, res.stderr
    assert res.stdout == f"공개 자료 -> {root / 'published'}: 2008, 2009년 (회원사 7,469행)\n"
    return root


@pytest.fixture(scope="session")
def public_portal(tmp_path_factory: pytest.TempPathFactory) -> Path:
    if "root" not in _BUILT:
        _BUILT["root"] = build(tmp_path_factory.mktemp("public-portal"))
    return _BUILT["root"]


def clean(text: str) -> str:
    import unicodedata

    return "".join(ch for ch in unicodedata.normalize("NFKC", text).lower() if ch.isalnum())


def makers(rows: list[dict[str, Any]], word: str) -> set[int]:
    """Companies whose products (any item), name or industry contain the word, spaces ignored: what a search for it
    must find."""
    out = set()
    for r in rows:
        items = [*(r["products"] or "").split(","), r["company_name"] or "", r["ksic_division_name"] or ""]
        if any(word in clean(i) for i in items):
            out.add(r["company_id"])
    return out
