"""The command line (`iupjong`): click commands and rendering; the only place that knows options and exit codes."""

from iupjong_xl.cli.commands import cli, main

__all__ = ["cli", "main"]
