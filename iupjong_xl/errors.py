"""Typed errors of the library. Each carries its Korean and English text as two fields and names the file (and
sheet) it concerns; it never names a command-line option. Only cli/ and excel/ turn errors into their own words
(exit codes, message boxes)."""

from __future__ import annotations


class IupjongError(Exception):
    """Base class of every error the library raises on purpose."""

    def __init__(self, ko: str, en: str | None = None, *, file: str | None = None, sheet: str | None = None) -> None:
        self.ko = ko
        self.en = en if en is not None else ko
        self.file = file
        self.sheet = sheet
        super().__init__(ko if en is None or en == ko else f"{ko} / {en}")

    def message(self, lang: str = "ko") -> str:
        """The text in one language ("ko" or "en")."""
        return self.en if lang == "en" else self.ko


class RuleBookError(IupjongError):
    """The rule book (validation/<year>/ or an override folder) is missing or inconsistent."""


class UsageError(IupjongError):
    """The caller asked for something impossible (unknown kind, year, format...)."""


class OutputError(IupjongError):
    """An output file could not be written; the previous file, if any, is left intact."""


class NotConsolidatedError(UsageError):
    """The workbook is not a consolidated (federation/national) workbook written by this program."""


class UnsupportedVersionError(UsageError):
    """A consolidated workbook of a template version or year this program cannot read."""


class NotFoundError(UsageError):
    """What was asked for does not exist, or the asker may not see it (the two are not told apart)."""


class StateError(UsageError):
    """What was asked cannot be done in the present state of the thing (e.g. submitting a report with errors)."""
