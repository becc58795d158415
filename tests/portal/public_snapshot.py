"""The public pages' shared snapshot: the 2008 + 2009 sample corpus consolidated into one ledger inside a portal
folder, published by `iupjong portal publish DIR` into DIR/published — built once per test run (the fixture is
imported by each test_public_*.py module; the build itself is cached here)."""

from __future__ import annotations

import os
import re
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


def personal(ledger: Path) -> tuple[set[str], set[str]]:
    """The corpus's people (CEO, secretaries, federation chairs and staff) and numbers (phones, e-mails, BRNs with
    and without hyphens), as the ledger holds them."""
    from iupjong_xl.analyses.trends import ledger_years

    people: set[str] = set()
    numbers: set[str] = set()
    for o in ledger_years(ledger):
        f = o.frames
        for r in f["member"].to_dict("records"):
            people.add(r["ceo"])
            numbers.add(r["brn"])
        for r in f["club"].to_dict("records"):
            people.add(r["secretary"])
            numbers.update([r["phone"], r["email"], r["chair_brn"]])
        for r in f["federation"].to_dict("records"):
            people.update([r["chair"], r["staff"]])
            numbers.update([r["phone"], r["email"]])
    people.discard(None)
    numbers.discard(None)
    numbers |= {n.replace("-", "") for n in numbers if re.fullmatch(r"[\d-]+", n)}
    return people, numbers


def found_personal(text: str, people: set[str], numbers: set[str]) -> set[str]:
    """The people and numbers of the corpus that a text contains."""
    lengths = {len(p) for p in people}
    hits = {run[i:i + n] for run in re.findall(r"[가-힣]+", text) for n in lengths for i in range(len(run) - n + 1)
            if run[i:i + n] in people}
    return hits | (set(re.findall(r"[\w.+-]+@[\w.-]+|[\d-]{7,}", text)) & numbers)


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
