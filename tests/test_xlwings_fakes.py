"""The stand-ins for xlwings in test_excel_buttons.py speak xlwings' real API: every public name they define exists on
the xlwings class they stand in for, as the same kind of thing (property or method), and every parameter a fake
method takes, the real one takes too. A fake that drifted from xlwings would let the button tests pass on calls that
fail in Excel."""

from __future__ import annotations

import inspect
from typing import Any

import pytest
import xlwings
import xlwings.main as xw
from test_excel_buttons import FakeApp, FakeBook, FakeBooks, FakeNote, FakeRange, FakeSheet, FakeSheets

PAIRS = [(FakeApp, xw.App), (FakeBooks, xw.Books), (FakeBook, xw.Book), (FakeSheets, xw.Sheets),
         (FakeSheet, xw.Sheet), (FakeNote, xw.Note), (FakeRange, xw.Range)]


def _public(cls: type) -> dict[str, Any]:
    return {k: v for k, v in vars(cls).items() if not k.startswith("_")}


@pytest.mark.parametrize(("fake", "real"), PAIRS, ids=lambda c: c.__name__)
def test_each_fake_defines_only_what_xlwings_has(fake: type, real: type) -> None:
    names = _public(fake)
    assert names, fake  # a fake with nothing public checks nothing
    for name, value in names.items():
        assert hasattr(real, name), f"{fake.__name__}.{name}: xlwings {xlwings.__version__} {real.__name__} has no {name}"
        theirs = inspect.getattr_static(real, name)
        if isinstance(value, property):
            assert isinstance(theirs, property), f"{real.__name__}.{name} is not a property in xlwings"
        elif callable(value):
            assert callable(theirs) and not isinstance(theirs, property), f"{real.__name__}.{name} is not a method"
            mine = [p for p in inspect.signature(value).parameters.values()
                    if p.name != "self" and p.kind not in (p.VAR_KEYWORD, p.VAR_POSITIONAL)]
            params = inspect.signature(theirs).parameters
            takes_any = any(p.kind is p.VAR_KEYWORD for p in params.values())
            for p in mine:
                assert p.name in params or takes_any, f"{real.__name__}.{name} takes no {p.name!r}"


def test_the_fakes_cover_the_calls_the_buttons_make() -> None:
    """What excel/ calls on xlwings objects is what the fakes provide (the rest is not exercised by the tests)."""
    assert {"alert", "status_bar"} <= set(_public(FakeApp))
    assert {"value", "options", "color", "note", "add_note", "column_width", "clear_contents"} <= set(_public(FakeRange))
