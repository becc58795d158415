"""The README is short and says what CI runs; the manual lives in docs/ (MkDocs). `.ci/run` builds the manual with
`mkdocs build --strict` (broken links and anchors, pages left out of the nav); these tests check what the build
cannot see: the README's commands against .ci/run, the README's own links, and the add-in's help section."""

from __future__ import annotations

import re
from pathlib import Path

from iupjong_xl.excel.install import help_section

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")
CI = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
SETUP = "python3 -m venv .venv && . .venv/bin/activate && pip install -q -e "
MAIN_JOB = SETUP + ". && iupjong consolidate sample_workbooks/2009 -o national_2009.xlsx"
TESTS = SETUP + '".[test]" && python -m pytest -q'


def _bash_blocks(text: str) -> list[str]:
    return re.findall(r"^```bash\n(.*?)\n```$", text, flags=re.S | re.M)


def test_the_readme_quick_start_is_the_two_commands() -> None:
    """The README's first two code blocks are the install-and-run-the-main-job and the install-and-run-the-tests
    commands, byte for byte; the manual's first page shows the same two."""
    assert _bash_blocks(README)[:2] == [MAIN_JOB, TESTS]
    assert _bash_blocks((ROOT / "docs" / "index.md").read_text(encoding="utf-8"))[:2] == [MAIN_JOB, TESTS]


def test_ci_runs_the_readme_commands() -> None:
    """.ci/run runs the test command verbatim (one line), and the main job (consolidate the 2009 sample program into
    national_2009.xlsx) with the installed wheel."""
    assert TESTS in CI.splitlines()
    job = MAIN_JOB.rsplit(" && ", 1)[1]
    assert job == "iupjong consolidate sample_workbooks/2009 -o national_2009.xlsx"
    assert '"$work/venv/bin/iupjong" consolidate "$OLDPWD/sample_workbooks/2009" -o "$work/national_2009.xlsx"' in CI
    assert 'pip install -q -e ".[docs]"' in CI and "mkdocs build --strict" in CI


def test_the_readme_links_resolve() -> None:
    """Every relative link of the README names a file of the repository (and an anchor that page declares): the README
    is not part of the MkDocs build, so the strict build does not check it."""
    links = re.findall(r"\]\(([^)\s]+)\)", README)
    assert len(links) >= 20
    for link in links:
        assert not link.startswith(("http:", "https:")), link
        path, _, anchor = link.partition("#")
        target = ROOT / path
        assert target.is_file(), link
        if anchor:
            assert f"{{ #{anchor} }}" in target.read_text(encoding="utf-8"), link
    pages = {p.relative_to(ROOT).as_posix() for p in (ROOT / "docs").rglob("*.md")}
    assert {"docs/index.md", "docs/commands/index.md", "docs/ledger.md", "docs/livecheck.md", "docs/addin.md",
            "docs/codes/index.md", "docs/performance.md", "docs/development.md"} <= {link.partition("#")[0] for link in links}
    assert {link.partition("#")[0] for link in links if link.startswith("docs/")} <= pages


def test_the_add_in_help_section_is_on_the_manual_page() -> None:
    """The 도움말 button shows the README's 엑셀 리본 section; the manual's add-in page says the same for each button."""
    section = help_section(README)
    assert section.startswith("## 엑셀 리본 (이업종 추가 기능)\n")
    buttons = [line for line in section.splitlines() if line.startswith("- **")]
    assert [b.split("**")[1] for b in buttons] == ["검증", "새 서식", "취합", "지표·지원금 갱신", "회원사 명부", "파트너 찾기",
                                                   "도움말"]
    page = (ROOT / "docs" / "addin.md").read_text(encoding="utf-8")
    assert [b for b in buttons if b not in page] == []
