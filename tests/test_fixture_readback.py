"""A consolidated workbook written by an earlier version (main at f3d4cc7, before the package moved to its stages)
still reads back, refreshes and takes new reports: users keep their workbooks across upgrades."""

from __future__ import annotations

import shutil
from pathlib import Path

from iupjong_xl import service
from iupjong_xl.analyses.directory import build_directory, open_consolidated

FIXTURE = Path(__file__).parent / "fixtures" / "national_main_f3d4cc7.xlsx"  # 제주 + 울산, 2009
SAMPLES = Path(__file__).resolve().parents[1] / "sample_workbooks" / "2009"


def test_fixture_reads_back() -> None:
    opened = open_consolidated(FIXTURE)
    cons = opened.cons
    assert (cons.year, cons.level, cons.content_hash) == (2009, "national", "949679dce829")
    clubs = sorted(k[1][1] for k in cons.units if k[0] == "club")
    assert len(clubs) == 13 and clubs[:2] == ["JJU-001", "JJU-002"]
    assert sum(len(r) for u in cons.units.values() for r in u.rows.values()) == 499
    assert len(build_directory(opened).companies) == 242  # members of the 13 reporting clubs (380 registered in all)


def test_the_content_hash_of_its_rows_is_read_under_its_old_header() -> None:
    """Its data sheets call the provenance column 실행 ID (now 내용 해시: it holds the content hash, not the ledger's
    run): the rows still read back with it."""
    cons = open_consolidated(FIXTURE).cons
    assert {r.get("_run") for u in cons.units.values() for rs in u.rows.values() for r in rs} == {"949679dce829"}


def test_fixture_refreshes_and_takes_more_reports(tmp_path: Path) -> None:
    book = shutil.copy(FIXTURE, tmp_path / "national.xlsx")
    run = service.refresh(book)
    ind = run.data["indicators"]
    assert (ind["registered_clubs"], ind["reported_clubs"], ind["registered_members"]) == (20, 13, 380)
    run = service.consolidate([SAMPLES / "제주", SAMPLES / "울산", SAMPLES / "강원"], book)
    s = run.data["summary"]
    # the 15 units of the fixture are found again by natural key (the corpus has been regenerated since, so their
    # files now have other bytes: replaced, not duplicated); 강원's reports are new
    assert (s["unchanged"] + s["replaced"], s["created"], s["errors"]) == \
        (15, len(list((SAMPLES / "강원").glob("*.xlsx"))), 0)
    assert s["club_reports"] == 13 + len(list((SAMPLES / "강원").glob("강원_GWN-*.xlsx")))
