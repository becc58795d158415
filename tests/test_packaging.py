"""The package is complete: the rule books ship inside it, and an override folder (--rulebook DIR or
IUPJONG_RULEBOOK) lets the center add a year without reinstalling; a missing or broken override is a clear error
with exit 2.  (.ci/run builds the wheel, installs it non-editable into a fresh venv and runs the README's commands
with it; here the packaging configuration is checked without a build.)"""

from __future__ import annotations

import fnmatch
import json
import shutil
import tomllib
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from iupjong_xl import rulebook
from iupjong_xl.cli import cli

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(autouse=True)
def packaged_rule_books() -> Iterator[None]:
    """--rulebook changes the process-wide rule-book folder: back to the packaged one after each test."""
    yield
    rulebook.use_root(None)


def test_every_rule_book_file_is_package_data() -> None:
    conf = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["setuptools"]
    assert conf["package-dir"]["iupjong_xl.rulebook.data"] == "validation"  # (the add-in's addin/ is mapped too)
    assert "iupjong_xl.rulebook.data" in conf["packages"]
    globs = conf["package-data"]["iupjong_xl.rulebook.data"]
    files = [p.relative_to(ROOT / "validation").as_posix() for p in (ROOT / "validation").rglob("*")
             if p.is_file() and "__pycache__" not in p.parts and p.suffix != ".pyc"]
    data = [f for f in files if f != "__init__.py"]
    assert sorted(f for f in data if not any(fnmatch.fnmatch(f, g) for g in globs)) == []
    assert {"2009/rulebook.yaml", "2009/messages.yaml", "2009/rules.yaml", "reference/ksic10_divisions.csv"} <= set(data)
    found = {p.name for p in (ROOT / "iupjong_xl").rglob("*") if p.is_dir()}
    assert "validation" not in found  # the folder stays at the top of the repository


def test_the_packaged_rule_books_are_read_through_importlib_resources() -> None:
    root = rulebook.packaged_root()
    assert (root / "2009" / "rulebook.yaml").is_file()
    assert rulebook.available_years(root) == [2008, 2009]


def _copy_rules(tmp_path: Path) -> Path:
    root = tmp_path / "rules"
    shutil.copytree(rulebook.packaged_root(), root, ignore=shutil.ignore_patterns("__pycache__", "*.py"))
    return root


def test_an_override_folder_adds_a_year_without_reinstalling(tmp_path: Path) -> None:
    root = _copy_rules(tmp_path)
    shutil.copytree(root / "2009", root / "2010")
    book = root / "2010" / "rulebook.yaml"
    text = book.read_text(encoding="utf-8")
    assert "\nyear: 2009\n" in text
    book.write_text(text.replace("\nyear: 2009\n", "\nyear: 2010\n", 1), encoding="utf-8")
    runner = CliRunner()
    assert runner.invoke(cli, ["codes", "--year", "2010", "--format", "json"]).exit_code == 2  # not packaged
    rulebook.use_root(None)
    res = runner.invoke(cli, ["--rulebook", str(root), "codes", "--year", "2010", "--format", "json"])
    assert res.exit_code == 0, res.output
    codes = {r["code"] for r in json.loads(res.stdout)}
    assert {"FILE_READ_CRASHED", "FILE_TOO_COMPLEX", "FILE_OLD_FORMAT"} <= codes
    rulebook.use_root(None)
    res = runner.invoke(cli, ["codes", "--year", "2010", "--format", "json"], env={rulebook.ENV_VAR: str(root)})
    assert res.exit_code == 0, res.output


def test_a_missing_override_is_a_clear_usage_error(tmp_path: Path) -> None:
    gone = tmp_path / "nowhere"
    res = CliRunner().invoke(cli, ["--rulebook", str(gone), "codes"])
    assert res.exit_code == 2
    assert f"규칙집 폴더 {gone}이(가) 없습니다." in res.stderr
    assert "Traceback" not in res.output
    res = CliRunner().invoke(cli, ["validate", str(ROOT / "sample_workbooks" / "problems"), "-q"],
                             env={rulebook.ENV_VAR: str(gone)})
    assert res.exit_code == 2
    assert f"the rule-book folder {gone} does not exist" in res.stderr


def test_an_override_without_a_year_folder_is_a_clear_usage_error(tmp_path: Path) -> None:
    (tmp_path / "empty").mkdir()
    res = CliRunner().invoke(cli, ["--rulebook", str(tmp_path / "empty"), "validate", str(ROOT / "sample_workbooks")])
    assert res.exit_code == 2
    assert "연도 폴더(예: 2009/rulebook.yaml)가 없습니다" in res.stderr


def test_a_broken_override_is_a_clear_usage_error(tmp_path: Path) -> None:
    root = _copy_rules(tmp_path)
    (root / "2009" / "rulebook.yaml").write_text("year: 2009\nsheets: [unclosed\n", encoding="utf-8")
    res = CliRunner().invoke(cli, ["--rulebook", str(root), "codes", "--year", "2009"])
    assert res.exit_code == 2
    assert str(root / "2009" / "rulebook.yaml") in res.stderr
    assert "Traceback" not in res.output


def test_every_package_and_the_portals_templates_and_static_files_ship() -> None:
    conf = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["setuptools"]
    pkg = ROOT / "iupjong_xl"
    packages = {".".join(("iupjong_xl", *p.parent.relative_to(pkg).parts)) for p in pkg.rglob("__init__.py")}
    assert sorted(packages - set(conf["packages"])) == []
    portal = pkg / "portal"
    files = [p.relative_to(portal).as_posix() for d in ("templates", "static") for p in (portal / d).rglob("*")
             if p.is_file()]
    globs = conf["package-data"]["iupjong_xl.portal"]
    assert len(files) == 24 and sorted(f for f in files if not any(fnmatch.fnmatch(f, g) for g in globs)) == []
