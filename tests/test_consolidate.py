"""`iupjong consolidate`: conservation, natural keys (idempotence, resubmission, conflicts, duplicates), dry run,
atomic write, formula injection, federation level, provenance through two levels, expected vs received."""

from __future__ import annotations

import hashlib
import json
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from click.testing import CliRunner, Result
from conftest import club_data, federation_data, write_consolidated

from iupjong_xl.cli import cli
from iupjong_xl.consolidate.derive import derive, describe
from iupjong_xl.consolidate.merge import consolidate
from iupjong_xl.consolidate.model import Consolidation
from iupjong_xl.outputs import workbook

Writer = Callable[..., Path]
DATA_SHEETS = ("교류회", "회원사", "활동", "성과", "협력과제", "연합회", "교류회 명부")
CLUB_ROWS = {"club": 1, "member": 6, "activity": 3, "result": 1, "consortium": 1}  # the conftest club report


def club(code: str = "SEO-001", federation: str = "서울", name: str = "서울한빛교류회") -> dict[str, list[dict[str, Any]]]:
    d = club_data()
    d["club"][0].update(club_code=code, federation=federation, club_name=name)
    return d


def federation(name: str = "서울", roster: list[tuple[str, int]] | None = None) -> dict[str, list[dict[str, Any]]]:
    d = federation_data()
    d["federation"][0]["federation"] = name
    roster = roster if roster is not None else [("SEO-001", 6), ("SEO-002", 6)]
    d["roster"] = [{"club_code": c, "club_name": f"{c} 교류회", "member_count": n, "founded_year": 2000,
                    "chair_company": "한빛정밀(주)", "reported": "예"} for c, n in roster]
    return d


def invoke(*args: str) -> Result:
    return CliRunner().invoke(cli, ["consolidate", "-q", *args])


def invoke_json(*args: str) -> tuple[int, dict[str, Any]]:
    res = invoke(*args, "--format", "json")
    assert res.exception is None or isinstance(res.exception, SystemExit), res.output
    return res.exit_code, json.loads(res.stdout)


def source(cons: Consolidation, path: Path) -> Any:
    return next(s for s in cons.sources if s.file == str(path))


def values(path: Path, sheet: str) -> list[list[Any]]:
    wb = openpyxl.load_workbook(path)
    return [list(r) for r in wb[sheet].iter_rows(values_only=True)]


def codes(cons: Consolidation, path: Path | None = None) -> list[str]:
    return [f.code for f in cons.findings if path is None or f.file == str(path)]


@pytest.fixture
def corpus(write_report: Writer, tmp_path: Path) -> dict[str, Path]:
    """서울: federation report + SEO-001 (clean) + SEO-002 (one activity row with attendance > members) +
    SEO-003 (club profile with an error)."""
    bad_row = club("SEO-002", name="서울미래교류회")
    bad_row["activity"][1]["attendees"] = 9  # 9 attending > 6 members: 활동 row 3
    bad_profile = club("SEO-003", name="서울새빛교류회")
    bad_profile["club"][0]["founded_year"] = 1980  # before 1989: an error on the profile sheet
    return {
        "fed": write_report(federation(roster=[("SEO-001", 6), ("SEO-002", 6), ("SEO-003", 6)]), "federation",
                            "서울_2009.xlsx"),
        "seo1": write_report(club(), name="서울_SEO-001_2009.xlsx"),
        "seo2": write_report(bad_row, name="서울_SEO-002_2009.xlsx"),
        "seo3": write_report(bad_profile, name="서울_SEO-003_2009.xlsx"),
    }


# ------------------------------------------------------------------------------------------------ conservation


def test_conservation_for_every_file_and_sheet(corpus: dict[str, Path], tmp_path: Path) -> None:
    junk = tmp_path / "junk.xlsx"
    junk.write_bytes(b"this is not a workbook")
    cons = consolidate([*map(str, corpus.values()), str(junk)])
    for s in cons.sources:
        assert set(s.rows_in) == set(s.accepted) == set(s.rejected) or not s.rows_in, s.file
        for sheet, n in s.rows_in.items():
            assert n == s.accepted[sheet] + s.rejected[sheet], (s.file, sheet)
    seo2, seo3 = source(cons, corpus["seo2"]), source(cons, corpus["seo3"])
    assert seo2.rows_in == CLUB_ROWS
    assert seo2.rejected == {"club": 0, "member": 0, "activity": 1, "result": 0, "consortium": 0}
    assert seo3.accepted == dict.fromkeys(CLUB_ROWS, 0)
    assert source(cons, junk).rows_in == {} and source(cons, junk).status == "rejected"
    s = cons.summary()
    assert (s["files"], s["rows_in"], s["rows_accepted"], s["rows_rejected"]) == (5, 3 * 12 + 4, 12 + 11 + 4, 13)
    assert s["rows_in"] == s["rows_accepted"] + s["rows_rejected"]
    assert (s["created"], s["rejected"], s["club_reports"]) == (3, 2, 2)


def test_conservation_is_written_to_the_sources_and_rejected_sheets(corpus: dict[str, Path], tmp_path: Path) -> None:
    out = tmp_path / "national.xlsx"
    code, data = invoke_json(*map(str, corpus.values()), "-o", str(out))
    assert code == 1
    rows = values(out, "출처")
    head = rows[0]
    n_in = [i for i, h in enumerate(head) if h.endswith(" 입력")]
    for row in rows[1:]:
        for i in n_in:
            assert row[i] == row[i + 1] + row[i + 2], (row[0], head[i])
    assert sum(row[i] for row in rows[1:] for i in n_in) == data["summary"]["rows_in"] == 40
    rejected = values(out, "제외")[1:]
    assert len(rejected) == data["summary"]["rows_rejected"] == 13
    assert [str(corpus["seo2"]), "활동", 3, "ACTIVITY_ATTENDANCE_EXCEEDS_MEMBERS"] in rejected
    whole = [r for r in rejected if r[0] == str(corpus["seo3"])]
    assert len(whole) == 12
    assert {r[3] for r in whole} == {"보고서 전체 제외: CLUB_FOUNDED_YEAR_RANGE, CONSOLIDATE_REPORT_REJECTED"}


def test_a_row_with_an_error_is_rejected_the_rest_of_the_file_is_accepted(corpus: dict[str, Path]) -> None:
    cons = consolidate([str(corpus["seo2"])])
    assert codes(cons) == ["ACTIVITY_ATTENDANCE_EXCEEDS_MEMBERS"]
    assert cons.rejected_rows == [{"file": str(corpus["seo2"]), "sheet": "활동", "row": 3,
                                   "codes": ["ACTIVITY_ATTENDANCE_EXCEEDS_MEMBERS"], "whole": False}]
    act = cons.frames()["activity"]
    assert act["attendees"].tolist() == [5, 4] and act["_row"].tolist() == [2, 4]
    assert len(cons.frames()["member"]) == 6
    assert source(cons, corpus["seo2"]).status == "created"


def test_a_report_whose_profile_has_an_error_is_rejected_whole(corpus: dict[str, Path]) -> None:
    cons = consolidate([str(corpus["seo3"]), str(corpus["seo1"])])
    assert codes(cons, corpus["seo3"]) == ["CLUB_FOUNDED_YEAR_RANGE", "CONSOLIDATE_REPORT_REJECTED"]
    f = next(f for f in cons.findings if f.code == "CONSOLIDATE_REPORT_REJECTED")
    assert (f.severity, f.sheet) == ("error", "교류회")
    assert source(cons, corpus["seo3"]).status == "rejected"
    assert [u.key for u in cons.units.values()] == [(2009, "SEO-001")]
    assert len([r for r in cons.rejected_rows if r["file"] == str(corpus["seo3"])]) == 12


def test_a_sheet_level_error_rejects_the_report_whole(write_report: Writer) -> None:
    empty = write_report(federation(roster=[]), "federation", "empty_roster.xlsx")  # ROSTER_EMPTY: no row to blame
    cons = consolidate([str(empty)])
    assert codes(cons) == ["ROSTER_EMPTY"]
    assert cons.units == {}
    s = source(cons, empty)
    assert (s.status, s.rows_in, s.rejected) == ("rejected", {"federation": 1, "roster": 0},
                                                 {"federation": 1, "roster": 0})


# ------------------------------------------------------------------------------------------ natural keys, runs


def test_consolidating_twice_gives_the_same_workbook(corpus: dict[str, Path], tmp_path: Path) -> None:
    out = tmp_path / "national.xlsx"
    inputs = [str(corpus["fed"]), str(corpus["seo1"]), str(corpus["seo2"])]
    assert invoke_json(*inputs, "-o", str(out))[1]["summary"]["created"] == 3
    first = tmp_path / "first.xlsx"
    shutil.copy(out, first)
    code, data = invoke_json(*inputs, "-o", str(out))
    s = data["summary"]
    assert code == 1  # the rejected activity row is still an error
    assert (s["unchanged"], s["created"], s["replaced"], s["conflicts"], s["duplicate"]) == (3, 0, 0, 0, 0)
    assert (s["club_reports"], s["rows_accepted"]) == (2, 27)
    for sheet in (*DATA_SHEETS, "요약", "연합회별 지표", "보고현황", "지원금", "검증결과", "제외"):
        assert values(out, sheet) == values(first, sheet), sheet
    assert len(values(out, "회원사")) == 1 + 12  # no duplicates
    second = out.read_bytes()
    invoke_json(*inputs, "-o", str(out))
    assert out.read_bytes() == second  # same inputs, same statuses: byte for byte


def test_an_output_inside_the_input_folder_is_not_an_input(corpus: dict[str, Path], tmp_path: Path) -> None:
    folder = tmp_path / "reports"
    folder.mkdir()
    for k in ("fed", "seo1"):
        shutil.copy(corpus[k], folder / corpus[k].name)
    out = folder / "전국_2009.xlsx"
    code, data = invoke_json(str(folder), "-o", str(out))
    assert (code, data["summary"]["created"]) == (0, 2)
    first = tmp_path / "first.xlsx"
    shutil.copy(out, first)
    code, again = invoke_json(str(folder), "-o", str(out))  # the folder now holds the output too
    s = again["summary"]
    assert (code, s["files"], s["unchanged"], s["rejected"], s["content_hash"]) == (0, 2, 2, 0,
                                                                                 data["summary"]["content_hash"])
    assert s["run_id"] == s["content_hash"]  # deprecated alias, kept for scripts that read it
    assert (data["summary"]["run"], s["run"]) == (1, 2)  # the ledger's run numbers
    assert str(out) not in {x["file"] for x in again["sources"]}
    for sheet in DATA_SHEETS:
        assert values(out, sheet) == values(first, sheet), sheet
    second = out.read_bytes()
    invoke_json(str(folder), "-o", str(out))
    assert out.read_bytes() == second


def test_a_corrected_resubmission_replaces_the_clubs_rows(corpus: dict[str, Path], write_report: Writer,
                                                          tmp_path: Path) -> None:
    out = tmp_path / "national.xlsx"
    inputs = [str(corpus["fed"]), str(corpus["seo1"]), str(corpus["seo2"])]
    invoke_json(*inputs, "-o", str(out))
    fixed = club("SEO-002", name="서울미래교류회")
    fixed["activity"][1]["attendees"] = 3  # the corrected row
    write_report(fixed, name=corpus["seo2"].name)
    code, data = invoke_json(*inputs, "-o", str(out))
    assert code == 0
    status = {Path(s["file"]).name: s["status"] for s in data["sources"]}
    assert status == {"서울_2009.xlsx": "unchanged", "서울_SEO-001_2009.xlsx": "unchanged",
                      "서울_SEO-002_2009.xlsx": "replaced"}
    assert (data["summary"]["replaced"], data["summary"]["unchanged"]) == (1, 2)
    act = [r for r in values(out, "활동")[1:] if r[2] == "SEO-002"]
    assert [r[5] for r in act] == [5, 3, 4]  # replaced, not added: 3 rows, the new value
    sha = hashlib.sha256(corpus["seo2"].read_bytes()).hexdigest()
    head = values(out, "활동")[0]
    assert {r[head.index("SHA-256")] for r in act} == {sha}


def test_a_resubmission_alone_keeps_the_other_reports(corpus: dict[str, Path], write_report: Writer,
                                                      tmp_path: Path) -> None:
    out = tmp_path / "national.xlsx"
    invoke_json(str(corpus["fed"]), str(corpus["seo1"]), "-o", str(out))
    changed = club()
    changed["member"][0]["employees"] = 99
    write_report(changed, name=corpus["seo1"].name)
    code, data = invoke_json(str(corpus["seo1"]), "-o", str(out))
    assert code == 0
    assert (data["summary"]["replaced"], data["summary"]["kept"], data["summary"]["files"]) == (1, 1, 1)
    sources = values(out, "출처")
    assert [(Path(r[0]).name, r[6]) for r in sources[1:]] == [("서울_SEO-001_2009.xlsx", "교체"),  # Korean (issue 13)
                                                              ("서울_2009.xlsx", "유지")]
    assert len(values(out, "교류회 명부")) == 1 + 3  # the roster is still there
    assert data["reporting"]["서울"]["missing"] == ["SEO-002", "SEO-003"]


def test_two_different_files_for_one_club_are_a_conflict(corpus: dict[str, Path], write_report: Writer,
                                                         tmp_path: Path) -> None:
    out = tmp_path / "national.xlsx"
    invoke_json(str(corpus["seo1"]), "-o", str(out))
    before = values(out, "활동")
    a, b = club(), club()
    a["activity"][0]["attendees"], b["activity"][0]["attendees"] = 3, 2
    pa, pb = write_report(a, name="SEO-001_a.xlsx"), write_report(b, name="SEO-001_b.xlsx")
    code, data = invoke_json(str(pa), str(pb), "-o", str(out))
    assert code == 1
    conflicts = [f for f in data["findings"] if f["code"] == "CONSOLIDATE_CONFLICT"]
    assert [(Path(f["file"]).name, f["severity"]) for f in conflicts] == [("SEO-001_a.xlsx", "error"),
                                                                         ("SEO-001_b.xlsx", "error")]
    assert str(pb) in conflicts[0]["message"] and str(pa) in conflicts[1]["message"]
    s = data["summary"]
    assert (s["conflicts"], s["created"], s["replaced"], s["rows_accepted"], s["rows_rejected"]) == (2, 0, 0, 0, 24)
    assert values(out, "활동") == before  # the existing rows stay
    assert len([r for r in values(out, "제외")[1:] if r[3] == "보고서 전체 제외: CONSOLIDATE_CONFLICT"]) == 24


def test_the_same_file_twice_is_counted_once(corpus: dict[str, Path], tmp_path: Path) -> None:
    copy = tmp_path / "copy_of_SEO-001.xlsx"
    shutil.copy(corpus["seo1"], copy)
    cons = consolidate([str(corpus["seo1"]), str(copy)])
    dup = [f for f in cons.findings if f.code == "CONSOLIDATE_DUPLICATE_INPUT"]
    assert [(f.file, f.severity) for f in dup] == [(str(copy), "warning")]
    assert str(corpus["seo1"]) in dup[0].message()
    assert (cons.summary()["club_reports"], len(cons.frames()["member"])) == (1, 6)
    assert (source(cons, corpus["seo1"]).status, source(cons, copy).status) == ("created", "duplicate")
    assert source(cons, copy).rejected == CLUB_ROWS
    res = invoke(str(corpus["seo1"]), str(copy), "-o", str(tmp_path / "n.xlsx"))
    assert res.exit_code == 0  # a warning, not an error
    listed = values(tmp_path / "n.xlsx", "제외")[1:]  # one line per sheet of the copy, not one per row
    assert len(listed) == sum(1 for n in CLUB_ROWS.values() if n)
    assert all(r[2] is None and r[3].startswith("보고서 전체 제외: CONSOLIDATE_DUPLICATE_INPUT (") for r in listed)


def test_dry_run_writes_nothing(corpus: dict[str, Path], write_report: Writer, tmp_path: Path) -> None:
    out = tmp_path / "national.xlsx"
    code, data = invoke_json(str(corpus["seo1"]), "-o", str(out), "--dry-run")
    assert (code, data["summary"]["dry_run"], data["summary"]["created"]) == (0, True, 1)
    assert not out.exists()
    invoke_json(str(corpus["seo1"]), "-o", str(out))
    before, listing = out.read_bytes(), sorted(tmp_path.iterdir())
    changed = club()
    changed["member"][0]["employees"] = 99
    write_report(changed, name=corpus["seo1"].name)
    code, data = invoke_json(str(corpus["seo1"]), "-o", str(out), "--dry-run")
    assert data["summary"]["replaced"] == 1  # what would happen
    assert out.read_bytes() == before and sorted(tmp_path.iterdir()) == listing
    res = invoke(str(corpus["seo1"]), "-o", str(out), "--dry-run")
    assert res.exit_code == 0 and "미리보기" in res.stdout


def test_a_failure_mid_write_leaves_the_old_output_intact(corpus: dict[str, Path], tmp_path: Path,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    out = tmp_path / "national.xlsx"
    invoke_json(str(corpus["seo1"]), "-o", str(out))
    before, listing = out.read_bytes(), sorted(tmp_path.iterdir())
    cons = consolidate([str(corpus["seo1"]), str(corpus["fed"])], output=out)

    def boom(*_a: Any) -> None:
        raise RuntimeError("disk full (simulated)")

    monkeypatch.setattr(workbook, "_sources", boom)
    with pytest.raises(RuntimeError, match="simulated"):
        write_consolidated(cons, out)
    assert out.read_bytes() == before
    assert sorted(tmp_path.iterdir()) == listing  # no temp file left behind


def test_text_that_looks_like_a_formula_is_stored_as_text(write_report: Writer, tmp_path: Path) -> None:
    d = club()
    names = ['=HYPERLINK("http://x","y")', "+1", "-2", "@SUM(A1)"]
    for m, name in zip(d["member"][2:], names, strict=True):
        m["company_name"] = name
    d["activity"][0]["note"] = "=1+1"
    out = tmp_path / "national.xlsx"
    assert invoke(str(write_report(d)), "-o", str(out)).exit_code == 0
    ws = openpyxl.load_workbook(out)["회원사"]
    col = [c.value for c in ws[1]].index("회사명") + 1
    cells = [ws.cell(r, col) for r in range(4, 8)]
    assert [(c.value, c.data_type) for c in cells] == [(n, "s") for n in names]
    note = openpyxl.load_workbook(out)["활동"]["G2"]
    assert (note.value, note.data_type) == ("=1+1", "s")


# --------------------------------------------------------------------------------------------- federation level


def test_federation_level_rejects_clubs_of_another_federation(corpus: dict[str, Path], write_report: Writer,
                                                              tmp_path: Path) -> None:
    busan = write_report(club("BUS-001", "부산", "부산교류회"), name="부산_BUS-001_2009.xlsx")
    out = tmp_path / "서울_취합.xlsx"
    code, data = invoke_json(str(corpus["fed"]), str(corpus["seo1"]), str(busan), "-o", str(out),
                             "--level", "federation")
    assert code == 1
    other = [f for f in data["findings"] if f["code"] == "CONSOLIDATE_OTHER_FEDERATION"]
    assert [(Path(f["file"]).name, f["severity"]) for f in other] == [("부산_BUS-001_2009.xlsx", "error")]
    assert "BUS-001" in other[0]["message"] and "부산" in other[0]["message"] and "서울" in other[0]["message"]
    assert {Path(s["file"]).name: s["status"] for s in data["sources"]}["부산_BUS-001_2009.xlsx"] == "rejected"
    assert data["summary"]["club_reports"] == 1
    meta = dict(values(out, "_취합정보"))
    assert (meta["level"], meta["federation"]) == ("federation", "서울")


def test_federation_level_needs_exactly_one_federation_workbook(corpus: dict[str, Path], write_report: Writer,
                                                                tmp_path: Path) -> None:
    out = tmp_path / "fed_out.xlsx"
    res = invoke(str(corpus["seo1"]), "-o", str(out), "--level", "federation")
    assert res.exit_code == 2 and "exactly one federation workbook" in res.output and "none" in res.output
    busan = write_report(federation("부산", [("BUS-001", 6)]), "federation", "부산_2009.xlsx")
    res = invoke(str(corpus["fed"]), str(busan), str(corpus["seo1"]), "-o", str(out), "--level", "federation")
    assert res.exit_code == 2 and "부산, 서울" in res.output
    assert not out.exists()


def test_consolidating_into_the_federation_report_itself(corpus: dict[str, Path], tmp_path: Path) -> None:
    fed = tmp_path / "서울_연합회.xlsx"
    shutil.copy(corpus["fed"], fed)
    code, data = invoke_json(str(corpus["seo1"]), "-o", str(fed), "--level", "federation")
    assert code == 0 and data["summary"]["created"] == 2
    code, data = invoke_json(str(corpus["seo1"]), "-o", str(fed), "--level", "federation")
    s = data["summary"]
    assert (code, s["unchanged"], s["created"], s["kept"]) == (0, 1, 0, 1)
    assert len(values(fed, "교류회 명부")) == 1 + 3


def test_national_from_federation_workbooks_keeps_the_provenance(corpus: dict[str, Path], write_report: Writer,
                                                                 tmp_path: Path) -> None:
    seoul = tmp_path / "서울_취합.xlsx"
    assert invoke(str(corpus["fed"]), str(corpus["seo1"]), "-o", str(seoul), "--level", "federation").exit_code == 0
    bfed = write_report(federation("부산", [("BUS-001", 6)]), "federation", "부산_2009.xlsx")
    bclub = write_report(club("BUS-001", "부산", "부산교류회"), name="부산_BUS-001_2009.xlsx")
    busan = tmp_path / "부산_취합.xlsx"
    assert invoke(str(bfed), str(bclub), "-o", str(busan), "--level", "federation").exit_code == 0
    out = tmp_path / "전국.xlsx"
    code, data = invoke_json(str(seoul), str(busan), "-o", str(out))
    assert code == 0
    s = data["summary"]
    assert (s["files"], s["created"], s["club_reports"], s["rows_in"], s["rows_accepted"]) == (2, 2, 2, 30, 30)
    src = {Path(x["file"]).name: x for x in data["sources"]}
    assert src["서울_취합.xlsx"]["rows_in"] == src["서울_취합.xlsx"]["accepted"] == {"carried": 16}
    assert (src["서울_취합.xlsx"]["kind"], src["서울_취합.xlsx"]["federation"]) == ("consolidated", "서울")
    rows = values(out, "회원사")
    head = rows[0]
    by_club = {r[2]: r for r in rows[1:]}
    for code_, original in (("SEO-001", corpus["seo1"]), ("BUS-001", bclub)):
        r = by_club[code_]
        assert r[head.index("원본 파일")] == str(original)  # the club file, not the federation workbook
        assert r[head.index("원본 시트")] == "회원사"
        assert r[head.index("SHA-256")] == hashlib.sha256(original.read_bytes()).hexdigest()
    assert data["reporting"]["서울"]["missing"] == ["SEO-002", "SEO-003"]
    assert data["reporting"]["부산"] == {"registered": 1, "reported": 1, "missing": [], "roster": True,
                                       "not_in_roster": [], "conflicts": [], "reporting_rate": 100.0}
    # the same club file sent directly as well: same content, consolidated once
    code, data = invoke_json(str(seoul), str(busan), str(corpus["seo1"]), "-o", str(tmp_path / "전국2.xlsx"))
    assert [f["code"] for f in data["findings"]] == ["CONSOLIDATE_DUPLICATE_INPUT"]
    assert data["summary"]["club_reports"] == 2


# ------------------------------------------------------------------------------------ expected vs received


def test_expected_vs_received_per_federation(corpus: dict[str, Path], write_report: Writer) -> None:
    busan = write_report(club("BUS-001", "부산", "부산교류회"), name="부산_BUS-001_2009.xlsx")  # no 부산 roster
    cons = consolidate([str(corpus["fed"]), str(corpus["seo1"]), str(corpus["seo2"]), str(busan)])
    rep = describe(cons, derive(cons))["reporting"]
    assert rep == {
        "서울": {"registered": 3, "reported": 2, "missing": ["SEO-003"], "roster": True, "not_in_roster": [],
               "conflicts": [], "reporting_rate": 66.7},
        "부산": {"registered": 1, "reported": 1, "missing": [], "roster": False, "not_in_roster": ["BUS-001"],
               "conflicts": [], "reporting_rate": 100.0},
    }


def test_reporting_without_any_roster(corpus: dict[str, Path]) -> None:
    cons = consolidate([str(corpus["seo1"])])
    d = derive(cons)
    assert describe(cons, d)["reporting"] == {"서울": {"registered": 1, "reported": 1, "missing": [], "roster": False,
                                                      "not_in_roster": ["SEO-001"], "conflicts": [],
                                                      "reporting_rate": 100.0}}
    assert d.table.total["registered_clubs"] == 1


def test_roster_checks(write_report: Writer) -> None:
    fed = write_report(federation(roster=[("SEO-001", 6), ("SEO-002", 22)]), "federation", "fed.xlsx")
    seo2 = write_report(club("SEO-002"), name="SEO-002.xlsx")
    seo9 = write_report(club("SEO-009"), name="SEO-009.xlsx")
    cons = consolidate([str(fed), str(seo2), str(seo9)])
    found = [(f.code, f.severity, Path(f.file).name) for f in cons.findings]
    assert found == [("CONSOLIDATE_MEMBER_COUNT", "warning", "SEO-002.xlsx"),
                     ("CONSOLIDATE_NOT_IN_ROSTER", "warning", "SEO-009.xlsx")]
    count = cons.findings[0]
    assert count.sheet == "회원사" and "22" in count.message() and "6" in count.message()
    assert "SEO-009" in cons.findings[1].message() and "서울" in cons.findings[1].message()
    assert {s.status for s in cons.sources} == {"created"}  # warnings: consolidated all the same


def test_a_club_naming_another_federation_is_not_that_rosters_report(corpus: dict[str, Path],
                                                                     write_report: Writer) -> None:
    moved = write_report(club("SEO-002", "부산"), name="SEO-002_busan.xlsx")  # on the 서울 roster, reports as 부산
    cons = consolidate([str(corpus["fed"]), str(moved)])
    d = derive(cons)
    rep = describe(cons, d)["reporting"]
    assert rep["서울"]["missing"] == ["SEO-001", "SEO-002", "SEO-003"]
    assert rep["부산"]["not_in_roster"] == ["SEO-002"]
    assert (d.table.measures["서울"]["reported_clubs"], d.table.measures["부산"]["reported_clubs"]) == (0, 1)


# --------------------------------------------------------------------------------------------------- the CLI


def test_exit_codes_and_json(corpus: dict[str, Path], tmp_path: Path) -> None:
    out = tmp_path / "n.xlsx"
    code, data = invoke_json(str(corpus["fed"]), str(corpus["seo1"]), "-o", str(out))
    assert code == 0
    assert set(data) == {"summary", "reporting", "indicators", "funding", "sources", "findings"}
    s = data["summary"]
    assert (s["year"], s["level"], s["files"], s["created"], s["errors"], s["dry_run"], s["output"]) == (
        2009, "national", 2, 2, 0, False, str(out))
    assert data["indicators"]["reporting_rate"] == 33.3 and data["indicators"]["registered_clubs"] == 3
    assert data["funding"]["requests"] == 1 and data["funding"]["eligible"] == 1
    assert invoke(str(corpus["seo2"]), "-o", str(tmp_path / "n2.xlsx")).exit_code == 1  # a rejected row
    table = invoke(str(corpus["fed"]), str(corpus["seo1"]), "-o", str(out))
    assert table.exit_code == 0 and "변경 없음" in table.stdout and "서울" in table.stdout
    assert "unchanged" not in table.stdout  # English only with --lang en (issue 13, point 4)
    # usage problems
    not_consolidated = tmp_path / "plain.xlsx"
    shutil.copy(corpus["seo1"], not_consolidated)
    res = invoke(str(corpus["seo1"]), "-o", str(not_consolidated))
    assert res.exit_code == 2 and "not a consolidated workbook" in res.output
    assert not_consolidated.read_bytes() == corpus["seo1"].read_bytes()
    assert invoke(str(corpus["seo1"]), "-o", str(out), "--level", "county").exit_code == 2
    assert invoke(str(corpus["seo1"]), "-o", str(out), "--year", "1999").exit_code == 2
    assert CliRunner().invoke(cli, ["consolidate", str(corpus["seo1"])]).exit_code == 2  # no -o
