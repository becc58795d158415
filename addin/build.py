"""Build addin/iupjong.xlam from the sources in this folder: `python addin/build.py [--check]`, the same as
`iupjong addin build [--check]` (the build itself is iupjong_xl.excel.install, done with pyOpenVBA)."""

from __future__ import annotations

import sys

from iupjong_xl.cli import cli

if __name__ == "__main__":
    sys.exit(cli(["addin", "build", *sys.argv[1:]]))
