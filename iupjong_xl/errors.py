"""Typed errors of the library; only cli.py turns them into exit codes."""

from __future__ import annotations


class IupjongError(Exception):
    """Base class of every error the library raises on purpose."""


class RuleBookError(IupjongError):
    """The rule book (validation/<year>/) is missing or inconsistent."""


class UsageError(IupjongError):
    """The caller asked for something impossible (unknown kind, year, format...)."""


class OutputError(IupjongError):
    """An output file could not be written; the previous file, if any, is left intact."""
