"""One place for what a row is: natural keys, value equality and display, shared by history, verify and edits."""

from __future__ import annotations

import datetime

from iupjong_xl.consolidate import history
from iupjong_xl.consolidate.rowkeys import NATURAL_KEYS, equal, row_key, shown
from iupjong_xl.io.a1 import a1, col_index, col_letter


def test_values_compare_as_content() -> None:
    assert equal(None, "") and equal("", None)
    assert equal(1, 1.0) and equal(1200, 1200.0)
    assert not equal(True, 1) and not equal(1, True) and not equal(False, 0)
    assert equal(True, True) and not equal(True, False)
    assert not equal("1", 1)
    assert equal(datetime.date(2009, 3, 1), datetime.date(2009, 3, 1))


def test_a_row_is_named_by_its_natural_key() -> None:
    member = {"club_code": "SEO-01", "brn": "616-81-05401", "ceo": "김철수"}
    assert row_key("member", member) == "616-81-05401"
    assert row_key("member", member, unit=True) == "SEO-01 616-81-05401"
    assert row_key("club", {"club_code": "SEO-01"}, unit=True) == "SEO-01"  # not "SEO-01 SEO-01"
    activity = {"club_code": "SEO-01", "date": datetime.date(2009, 2, 22), "kind": "세미나"}
    assert row_key("activity", activity) == "2009-02-22 세미나"
    assert row_key("roster", {"federation": "서울"}) == "(키 없음)"
    assert set(NATURAL_KEYS) == {"club", "member", "activity", "result", "consortium", "federation", "roster"}


def test_values_are_shown_as_people_read_them() -> None:
    assert shown(("116-82-00276", "134-86-72683")) == "116-82-00276, 134-86-72683"
    assert shown(datetime.datetime(2009, 3, 1, 10, 0)) == "2009-03-01 10:00:00"
    assert shown(datetime.date(2009, 3, 1)) == "2009-03-01"
    assert shown(12) == 12


def test_history_diffs_with_the_same_equality() -> None:
    old = {"member": [{"brn": "616-81-05401", "employees": 12, "joined": True}]}
    new = {"member": [{"brn": "616-81-05401", "employees": 12.0, "joined": 1}]}
    changes, _ = history.diff_rows(old, new)
    assert [(c.change, c.column, c.old, c.new) for c in changes] == [("changed", "joined", True, 1)]


def test_a1_references_come_from_one_library() -> None:
    assert [col_letter(c) for c in (0, 25, 26, 701, 702)] == ["A", "Z", "AA", "ZZ", "AAA"]
    assert a1(2, 1) == "B3"
    assert (col_index("A"), col_index("ab"), col_index("ZZ")) == (0, 27, 701)
