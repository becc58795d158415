"""The sample corpus: checked in, byte-reproducible, valid where it should be, and wrong exactly where it should be."""

from __future__ import annotations

from collections import Counter
from dataclasses import replace
from fractions import Fraction
from pathlib import Path

import pytest

from iupjong_xl import rulebook
from iupjong_xl.normalize import is_valid_brn
from iupjong_xl.samples import (
    NATIONAL_TARGETS,
    PROBLEMS,
    PROBLEMS_DIR,
    README_HEAD,
    SMALL,
    STYLES,
    Corpus,
    CorpusSpec,
    FederationSpec,
    Targets,
    plan_corpus,
    readme_rows,
    write_corpus,
)
from iupjong_xl.validate import Checked, check, validate

REPO = Path(__file__).resolve().parent.parent
SAMPLES = REPO / "sample_workbooks"
BOOK = rulebook.load(2009)
FEDERATIONS = BOOK.references["federation"].keys


def _owned(root: Path) -> dict[str, bytes]:
    """Relative path -> bytes of every file the generator owns under root (federation folders and problems/)."""
    return {p.relative_to(root).as_posix(): p.read_bytes()
            for d in (*FEDERATIONS, PROBLEMS_DIR) if (root / d).is_dir() for p in sorted((root / d).rglob("*")) if p.is_file()}


def _valid_files() -> list[str]:
    return [str(SAMPLES / f) for f in sorted(_owned(SAMPLES)) if not f.startswith(PROBLEMS_DIR)]


@pytest.fixture(scope="module")
def corpus() -> Corpus:
    return plan_corpus(SMALL, 2009)


@pytest.fixture(scope="module")
def checked() -> Checked:
    return check(_valid_files())


def test_checked_in_corpus_equals_generator(tmp_path: Path) -> None:
    written = write_corpus(tmp_path, seed=2009)
    fresh, checked_in = _owned(tmp_path), _owned(SAMPLES)
    assert sorted(p.relative_to(tmp_path).as_posix() for p in written) == sorted(fresh)
    assert sorted(checked_in) == sorted(fresh), "sample_workbooks/ is stale: run `iupjong sample -o sample_workbooks`"
    stale = [name for name in fresh if fresh[name] != checked_in[name]]
    assert stale == [], "sample_workbooks/ is stale: run `iupjong sample -o sample_workbooks`"


def test_corpus_layout(corpus: Corpus) -> None:
    files = sorted(_owned(SAMPLES))
    assert len(files) == 2 + 12 + len(PROBLEMS) + 1
    assert "서울/서울_연합회_2009.xlsx" in files and "부산/부산_연합회_2009.xlsx" in files
    clubs = [f"{c.federation}/{c.federation}_{c.code}_2009.xlsx" for c in corpus.reporting_clubs()]
    assert sorted(f for f in files if "연합회" not in f and not f.startswith(PROBLEMS_DIR)) == sorted(clubs)
    assert sorted(f for f in files if f.startswith(PROBLEMS_DIR)) == sorted(
        [f"{PROBLEMS_DIR}/{p.file}" for p in PROBLEMS] + [f"{PROBLEMS_DIR}/README.md"])


def test_rerun_replaces_own_files_only(tmp_path: Path) -> None:
    (tmp_path / "keep.txt").write_text("not ours")
    (tmp_path / "서울").mkdir()
    (tmp_path / "서울" / "서울_SEO-099_2009.xlsx").write_bytes(b"stale")
    (tmp_path / "경기").mkdir()
    (tmp_path / "경기" / "old.xlsx").write_bytes(b"stale")
    first = write_corpus(tmp_path, seed=7)
    snapshot = _owned(tmp_path)
    second = write_corpus(tmp_path, seed=7)
    assert first == second and _owned(tmp_path) == snapshot
    assert (tmp_path / "keep.txt").read_text() == "not ours"
    assert not (tmp_path / "서울" / "서울_SEO-099_2009.xlsx").exists() and not (tmp_path / "경기").exists()


def test_valid_reports_have_no_findings(checked: Checked) -> None:
    assert [f.to_dict() for f in checked.report.findings] == []
    assert Counter(pf.kind for pf in checked.files) == {"club": 12, "federation": 2}


def test_problem_files_give_exactly_the_expected_findings() -> None:
    report = validate([str(SAMPLES / PROBLEMS_DIR)])
    got: dict[str, list[tuple[str, str, str | None, str | None]]] = {Path(fr.file).name: [] for fr in report.files}
    for f in report.findings:
        got[Path(f.file).name].append((f.code, f.severity, f.sheet, f.cell))
    assert sorted(got) == sorted(p.file for p in PROBLEMS)
    for p in PROBLEMS:
        want = [(e.code, e.severity, e.sheet, e.cell) for e in p.expect if e.code is not None]
        assert sorted(got[p.file]) == sorted(want), p.file
        assert bool(got[p.file]) != p.tolerated, p.file
    assert sum(p.tolerated for p in PROBLEMS) == 1
    assert len(PROBLEMS) >= 12


def test_readme_table_matches_the_problems_table() -> None:
    lines = (SAMPLES / PROBLEMS_DIR / "README.md").read_text(encoding="utf-8").splitlines()
    table = [[cell.strip() for cell in line.strip("|").split("|")] for line in lines if line.startswith("| ")]
    assert table[0] == README_HEAD
    assert table[1:] == readme_rows()
    assert [row[0] for row in table[1:]] == [p.file for p in PROBLEMS for _ in p.expect]
    severity = {"error": "오류", "warning": "경고"}
    for row, (p, e) in zip(table[1:], [(p, e) for p in PROBLEMS for e in p.expect], strict=True):
        assert row[4] == (e.code or "— (지적 없음)")
        assert row[5] == severity.get(e.severity, "허용 (tolerated)")
        if e.code:
            assert BOOK.all_codes()[e.code][0] == e.severity


def test_roster_member_counts_equal_member_rows(checked: Checked) -> None:
    members = checked.frames[(2009, "club", "member")].groupby("_f").size()
    codes = checked.frames[(2009, "club", "club")].set_index("_f")["club_code"]
    in_files = {codes[f]: int(n) for f, n in members.items()}
    roster = checked.frames[(2009, "federation", "roster")]
    reported = roster[roster["reported"].astype(bool)]
    assert len(roster) == 15
    assert sorted(reported["club_code"]) == sorted(in_files)
    assert {r.club_code: int(r.member_count) for r in reported.itertuples()} == in_files


def test_brns_are_unique_and_valid(corpus: Corpus, checked: Checked) -> None:
    brns = list(checked.frames[(2009, "club", "member")]["brn"])
    assert len(brns) == sum(len(c.members) for c in corpus.reporting_clubs())
    assert len(set(brns)) == len(brns) and all(is_valid_brn(b) for b in brns)
    planned = [c.brn for c in corpus.companies()]
    assert len(set(planned)) == len(planned) == 272 and all(is_valid_brn(b) for b in planned)


def test_same_seed_same_plan_other_seed_other_plan(corpus: Corpus) -> None:
    assert plan_corpus(SMALL, 2009) == corpus
    assert plan_corpus(SMALL, 2010) != corpus


def _check_plan(corpus: Corpus, t: Targets) -> None:
    """Exact targets, and every club and consortium within the rules."""
    clubs, thr = corpus.reporting_clubs(), Fraction(str(BOOK.parameters["attendance_threshold"]))
    kinds = {"신제품", "신기술", "특허"}
    assert [sum(c.activities[i] for c in clubs) for i in range(3)] == [t.info, t.resource, t.newproduct]
    assert all(any(c.activities) for c in clubs)
    assert sum(any(r.kind in kinds for r in c.results) for c in clubs) == t.tech_clubs
    assert sum(r.kind in kinds for c in clubs for r in c.results) == t.tech_results
    meetings = [[e for e in c.events if e.kind == "월례회"] for c in clubs]
    assert sum(map(len, meetings)) == t.meetings
    assert sum(sum(e.attendees for e in m) >= thr * len(m) * len(c.members) for c, m in zip(clubs, meetings)) == t.high_attendance
    assert sum(len(c.consortia) for c in clubs) == t.consortia
    if t.members is not None:
        assert len(corpus.companies()) == t.members
    fields = set(BOOK.references["growth_field"].keys)
    for fed in corpus.federations:
        assert [c.code for c in fed.clubs] == [f"{fed.code}-{i:03d}" for i in range(1, len(fed.clubs) + 1)]
        for club in fed.clubs:
            divisions = {m.division: m for m in club.members}
            assert len(divisions) >= 3 and all(BOOK.references["ksic"].row(d) for d in divisions)
            assert [m.role for m in club.members].count("회장") == 1 == [m.role for m in club.members].count("총무")
            assert club.members[0].role == "회장"
    for club in clubs:
        division = {m.brn: m.division for m in club.members}
        assert all(e.date.year == 2009 and 0 <= e.attendees < len(club.members) for e in club.events)
        assert all(set(r.participants) <= set(division) for r in club.results)
        for c in club.consortia:
            assert c.total_won <= 20_000_000 and c.gov_won + c.company_won == c.total_won and 4 * c.gov_won <= 3 * c.total_won
            assert {c.lead, *c.partners} <= set(division) and c.lead not in c.partners and c.field in fields
            assert len({division[b] for b in (c.lead, *c.partners)}) >= 2


def test_small_plan_meets_the_scaled_paper_figures(corpus: Corpus) -> None:
    t = SMALL.resolved_targets()
    assert t == Targets(info=10, resource=4, newproduct=3, tech_clubs=3, tech_results=4, meetings=132, high_attendance=11,
                        consortia=4)
    _check_plan(corpus, t)
    assert {c.style for c in corpus.reporting_clubs()} == set(STYLES)


def test_explicit_targets_are_met_exactly() -> None:
    t = Targets(info=9, resource=3, newproduct=2, tech_clubs=2, tech_results=5, meetings=100, high_attendance=9,
                consortia=3, members=150)
    spec = CorpusSpec((FederationSpec("대구경북", 10, 8), FederationSpec("제주", 3, 2)), members=(8, 20), targets=t)
    corpus = plan_corpus(spec, 1)
    assert [(f.code, len(f.clubs)) for f in corpus.federations] == [("DGB", 10), ("JJU", 3)]
    _check_plan(corpus, t)


def test_national_shape_meets_the_published_figures() -> None:
    """Where the next issue plugs in: 13 federations, 274 clubs, 195 reports, the paper's exact counts."""
    registered = [60, 24, 22, 18, 18, 18, 12, 40, 12, 14, 12, 16, 8]
    reporting = [44, 17, 16, 13, 12, 13, 8, 29, 8, 10, 8, 12, 5]
    spec = CorpusSpec(tuple(FederationSpec(n, r, p) for n, r, p in zip(FEDERATIONS, registered, reporting, strict=True)),
                      members=(8, 45), meetings=(6, 12), targets=NATIONAL_TARGETS)
    assert (sum(registered), sum(reporting)) == (274, 195)
    assert Targets.scaled(195) == replace(NATIONAL_TARGETS, members=None)
    corpus = plan_corpus(spec, 2009)
    _check_plan(corpus, NATIONAL_TARGETS)
    assert len({c.brn for c in corpus.companies()}) == 5684
