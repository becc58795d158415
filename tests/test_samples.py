"""The sample corpus: checked in, byte-reproducible, valid where it should be, and wrong exactly where it should be."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import replace
from fractions import Fraction
from pathlib import Path

import pytest

from iupjong_xl import rulebook
from iupjong_xl.samples.corpus import (
    EARLIER_FEDERATIONS,
    EARLIER_TARGETS,
    FLAWS,
    NATIONAL,
    NATIONAL_TARGETS,
    PROBLEMS_DIR,
    SMALL,
    STYLES,
    Corpus,
    CorpusSpec,
    FederationSpec,
    Targets,
    corpus_folder,
    owned_folders,
    plan_corpus,
    plan_earlier,
)
from iupjong_xl.samples.problems import PROBLEMS, README_HEAD, readme_rows
from iupjong_xl.samples.write import write_corpus
from iupjong_xl.validate.normalize import is_valid_brn
from iupjong_xl.validate.pipeline import Checked, check, validate

REPO = Path(__file__).resolve().parent.parent
SAMPLES = REPO / "sample_workbooks"
YEAR_DIR = corpus_folder(2009)  # "2009"
EARLIER_DIR = corpus_folder(2008)  # "2008": the same program a year earlier, with churn
BOOK = rulebook.load(2009)
FEDERATIONS = BOOK.references["federation"].keys
STALE = "sample_workbooks/ is stale: run `iupjong sample -o sample_workbooks`"
# The column of 협력과제 each planned warning points at (its cell is <column><row of the request>).
WARNING_COLUMN = {"CONSORTIUM_TOTAL_CAP": "total_won", "CONSORTIUM_GOV_SHARE_MAX": "gov_won",
                  "CONSORTIUM_COMPANY_SHARE_MIN": "company_won", "CONSORTIUM_SINGLE_INDUSTRY": "lead_brn",
                  "CONSORTIUM_PARTNER_NOT_MEMBER": "partner_brns"}


def _owned(root: Path) -> dict[str, bytes]:
    """Relative path -> bytes of every file the generator owns under root (the year folder, problems/, old folders)."""
    return {p.relative_to(root).as_posix(): p.read_bytes()
            for d in owned_folders(2009, [2008]) if (root / d).is_dir() for p in sorted((root / d).rglob("*"))
            if p.is_file()}


def _club_file(club_federation: str, code: str, year: int = 2009) -> str:
    return f"{year}/{club_federation}/{club_federation}_{code}_{year}.xlsx"


@pytest.fixture(scope="module")
def corpus() -> Corpus:
    return plan_corpus(NATIONAL, 2009)


@pytest.fixture(scope="module")
def earlier(corpus: Corpus) -> Corpus:
    return plan_earlier(corpus)


@pytest.fixture(scope="module")
def regenerated(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[Path]]:
    """The default corpus written afresh, once per test session of this module."""
    out = tmp_path_factory.mktemp("samples")
    return out, write_corpus(out, seed=2009)


@pytest.fixture(scope="module")
def checked() -> Checked:
    return check([str(SAMPLES / YEAR_DIR)])


def test_checked_in_corpus_equals_generator(regenerated: tuple[Path, list[Path]]) -> None:
    out, written = regenerated
    fresh, checked_in = _owned(out), _owned(SAMPLES)
    assert sorted(p.relative_to(out).as_posix() for p in written) == sorted(fresh)
    assert sorted(checked_in) == sorted(fresh), STALE
    stale = [name for name in fresh if fresh[name] != checked_in[name]]
    assert stale == [], STALE


def test_corpus_layout(corpus: Corpus, earlier: Corpus) -> None:
    files = sorted(_owned(SAMPLES))
    assert not [d for d in FEDERATIONS if (SAMPLES / d).exists()], "old flat layout left behind"
    feds = [f"{YEAR_DIR}/{f}/{f}_연합회_2009.xlsx" for f in FEDERATIONS]
    clubs = [_club_file(c.federation, c.code) for c in corpus.reporting_clubs()]
    feds_2008 = [f"{EARLIER_DIR}/{f}/{f}_연합회_2008.xlsx" for f in FEDERATIONS]
    clubs_2008 = [_club_file(c.federation, c.code, 2008) for c in earlier.reporting_clubs()]
    problems = [f"{PROBLEMS_DIR}/{p.file}" for p in PROBLEMS] + [f"{PROBLEMS_DIR}/README.md"]
    jumps = [f"{EARLIER_DIR}/README.md"]  # the year-over-year jumps planted in the earlier year
    assert sorted(files) == sorted(feds + clubs + feds_2008 + clubs_2008 + problems + jumps)
    assert (len(feds), len(clubs), len(feds_2008), len(clubs_2008)) == (13, 195, 13, 179)
    assert sorted(p.name for p in (SAMPLES / YEAR_DIR).iterdir()) == sorted(FEDERATIONS)
    assert sorted(p.name for p in (SAMPLES / EARLIER_DIR).iterdir()) == sorted([*FEDERATIONS, "README.md"])


def test_rerun_replaces_own_files_only(tmp_path: Path) -> None:
    (tmp_path / "keep.txt").write_text("not ours")
    (tmp_path / "national_2009.xlsx").write_bytes(b"a consolidation, not ours")
    for old in ("서울/서울_SEO-099_2009.xlsx", "경기/old.xlsx", "2009/서울/서울_SEO-099_2009.xlsx", "problems/99_old.xlsx"):
        (tmp_path / old).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / old).write_bytes(b"stale")
    first = write_corpus(tmp_path, seed=7, spec=SMALL)
    snapshot = _owned(tmp_path)
    second = write_corpus(tmp_path, seed=7, spec=SMALL)
    assert first == second and _owned(tmp_path) == snapshot  # byte-identical
    assert (tmp_path / "keep.txt").read_text() == "not ours"
    assert (tmp_path / "national_2009.xlsx").read_bytes() == b"a consolidation, not ours"
    assert not (tmp_path / "서울").exists() and not (tmp_path / "경기").exists()
    assert sorted(p.name for p in (tmp_path / "2009").iterdir()) == ["부산", "서울"]
    assert not (tmp_path / "2009/서울/서울_SEO-099_2009.xlsx").exists() and not (tmp_path / "problems/99_old.xlsx").exists()


def test_valid_reports_give_only_the_planned_warnings(checked: Checked, corpus: Corpus) -> None:
    """Zero errors; the only warnings are those of the planned ineligible consortium requests, on their cells."""
    cols = [c.key for c in BOOK.sheets["consortium"].columns]
    want = []
    for club in corpus.reporting_clubs():
        for i, req in enumerate(club.consortia):
            for code in FLAWS[req.flaw].codes if req.flaw else ():
                cell = f"{chr(65 + cols.index(WARNING_COLUMN[code]))}{i + 2}"
                want.append((_club_file(club.federation, club.code), code, "warning", "협력과제", cell))
    got = [(Path(f.file).resolve().relative_to(SAMPLES).as_posix(), f.code, f.severity, f.sheet, f.cell)
           for f in checked.report.findings]
    assert sorted(got) == sorted(want)
    assert len({w[0] for w in want}) == len(FLAWS) == len(NATIONAL.ineligible)
    assert Counter(pf.kind for pf in checked.files) == {"club": 195, "federation": 13}


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


def test_problem_files_are_copies_of_clubs_without_planned_findings(corpus: Corpus) -> None:
    problems = check([str(SAMPLES / PROBLEMS_DIR)])
    codes = set(problems.frames[(2009, "club", "club")]["club_code"])
    flawed = {c.code for c in corpus.reporting_clubs() if any(r.flaw for r in c.consortia)}
    assert len(codes) >= 10 and codes <= {c.code for c in corpus.reporting_clubs()} and not codes & flawed


def test_readme_table_matches_the_problems_table() -> None:
    lines = (SAMPLES / PROBLEMS_DIR / "README.md").read_text(encoding="utf-8").splitlines()
    table = [[cell.strip() for cell in line.strip("|").split("|")] for line in lines if line.startswith("| ")]
    assert table[0] == README_HEAD
    assert table[1:] == readme_rows()
    assert [row[0] for row in table[1:]] == [p.file for p in PROBLEMS for _ in p.expect]
    severity = {"error": "오류", "warning": "경고"}
    for row, (_p, e) in zip(table[1:], [(p, e) for p in PROBLEMS for e in p.expect], strict=True):
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
    assert (len(roster), len(reported), int(roster["member_count"].sum())) == (274, 195, 5684)
    assert sorted(reported["club_code"]) == sorted(in_files)
    assert {r.club_code: int(r.member_count) for r in reported.itertuples()} == in_files


def test_brns_are_unique_and_valid(corpus: Corpus, checked: Checked) -> None:
    brns = list(checked.frames[(2009, "club", "member")]["brn"])
    assert len(brns) == sum(len(c.members) for c in corpus.reporting_clubs())
    assert len(set(brns)) == len(brns) and all(is_valid_brn(b) for b in brns)
    planned = [c.brn for c in corpus.companies()]
    assert len(set(planned)) == len(planned) == 5684 and all(is_valid_brn(b) for b in planned)
    outsiders = [b for c in corpus.reporting_clubs() for r in c.consortia if r.flaw == "not_member"
                 for b in r.partners if b not in set(planned)]
    assert len(outsiders) == 1 and is_valid_brn(outsiders[0])
    names = [[m.name for m in c.members] for f in corpus.federations for c in f.clubs]
    assert all(len(set(n)) == len(n) for n in names)  # no two members of a club share a name


def test_same_seed_same_plan_other_seed_other_plan(corpus: Corpus) -> None:
    assert plan_corpus(NATIONAL, 2009) == corpus
    assert plan_corpus(NATIONAL, 2010) != corpus
    assert plan_corpus() == corpus  # NATIONAL is the default


def _check_plan(corpus: Corpus, t: Targets) -> None:
    """Exact targets, and every club and eligible consortium within the rules; the flawed ones flawed as planned."""
    year, book = corpus.spec.year, rulebook.load(corpus.spec.year)
    clubs, thr = corpus.reporting_clubs(), Fraction(str(book.parameters["attendance_threshold"]))
    kinds = {"신제품", "신기술", "특허"}
    assert [sum(c.activities[i] for c in clubs) for i in range(3)] == [t.info, t.resource, t.newproduct]
    assert all(any(c.activities) for c in clubs)
    assert sum(any(r.kind in kinds for r in c.results) for c in clubs) == t.tech_clubs
    assert sum(r.kind in kinds for c in clubs for r in c.results) == t.tech_results
    meetings = [[e for e in c.events if e.kind == "월례회"] for c in clubs]
    assert sum(map(len, meetings)) == t.meetings
    assert sum(sum(e.attendees for e in m) >= thr * len(m) * len(c.members) for c, m in zip(clubs, meetings, strict=True)) == t.high_attendance
    assert sum(r.flaw is None for c in clubs for r in c.consortia) == t.consortia
    assert sorted(r.flaw for c in clubs for r in c.consortia if r.flaw) == sorted(corpus.spec.ineligible)
    if t.members is not None:
        assert len(corpus.companies()) == t.members
    fields = set(book.references["growth_field"].keys)
    for fed in corpus.federations:
        codes = [c.code for c in fed.clubs]
        if year == 2009:
            assert codes == [f"{fed.code}-{i:03d}" for i in range(1, len(fed.clubs) + 1)]
        else:  # the clubs registered later are missing; dissolved clubs follow the later year's last code
            assert codes == sorted(set(codes)) and all(c.startswith(f"{fed.code}-") for c in codes)
        for club in fed.clubs:
            divisions = {m.division: m for m in club.members}
            assert len(divisions) >= 3 and all(book.references["ksic"].row(d) for d in divisions)
            assert [m.role for m in club.members].count("회장") == 1 == [m.role for m in club.members].count("총무")
            assert club.members[0].role == "회장"
            assert corpus.spec.members[0] <= len(club.members) <= corpus.spec.members[1]
    for club in clubs:
        division = {m.brn: m.division for m in club.members}
        assert all(e.date.year == year and 0 <= e.attendees < len(club.members) for e in club.events)
        assert all(set(r.participants) <= set(division) for r in club.results)
        for c in club.consortia:
            assert c.score is not None and 60.0 <= c.score <= 98.0 and round(c.score, 1) == c.score
            assert c.field in fields and c.lead not in c.partners and c.submitted.year == year
            ok_money = c.total_won <= 20_000_000 and c.gov_won + c.company_won == c.total_won and 4 * c.gov_won <= 3 * c.total_won
            members = {c.lead, *c.partners} <= set(division)
            cross = members and len({division[b] for b in (c.lead, *c.partners)}) >= 2
            assert (ok_money, members, bool(cross)) == {
                None: (True, True, True), "over_cap": (False, True, True), "gov_share": (False, True, True),
                "one_industry": (True, True, False), "not_member": (True, False, False)}[c.flaw], (club.code, c)


def test_small_plan_meets_the_scaled_paper_figures() -> None:
    corpus = plan_corpus(SMALL, 2009)
    t = SMALL.resolved_targets()
    assert t == Targets(info=10, resource=4, newproduct=3, tech_clubs=3, tech_results=4, meetings=132, high_attendance=11,
                        consortia=4)
    _check_plan(corpus, t)
    assert {c.style for c in corpus.reporting_clubs()} == set(STYLES)


def test_explicit_targets_are_met_exactly() -> None:
    t = Targets(info=9, resource=3, newproduct=2, tech_clubs=2, tech_results=5, meetings=100, high_attendance=9,
                consortia=3, members=150)
    spec = CorpusSpec((FederationSpec("대구경북", 10, 8), FederationSpec("제주", 3, 2)), members=(8, 20), targets=t,
                      ineligible=("gov_share", "not_member"))
    corpus = plan_corpus(spec, 1)
    assert [(f.code, len(f.clubs)) for f in corpus.federations] == [("DGB", 10), ("JJU", 3)]
    _check_plan(corpus, t)


def test_national_spec_meets_the_published_figures(corpus: Corpus) -> None:
    """13 federations in reference order, 274 clubs, 195 reports, 5,684 companies, the paper's exact counts."""
    assert [f.name for f in NATIONAL.federations] == list(FEDERATIONS)
    assert (sum(f.registered for f in NATIONAL.federations), sum(f.reporting for f in NATIONAL.federations)) == (274, 195)
    assert Targets.scaled(195) == replace(NATIONAL_TARGETS, members=None)
    assert NATIONAL_TARGETS.meetings == 2145 and set(NATIONAL.ineligible) == set(FLAWS)
    size = {f.name: f.registered for f in NATIONAL.federations}
    assert max(size, key=size.__getitem__) == "서울" and sorted(size, key=size.__getitem__)[-2] == "경기"
    assert min(size, key=size.__getitem__) == "제주"
    _check_plan(corpus, NATIONAL_TARGETS)


def test_funding_round_is_oversubscribed_with_a_tie_at_the_last_place(corpus: Corpus) -> None:
    """More eligible requests than the 50 places; the 50th and 51st have one score and differ by submission date."""
    places = BOOK.parameters["funding"]["max_consortia"]
    eligible = sorted((r for c in corpus.reporting_clubs() for r in c.consortia if r.flaw is None),
                      key=lambda r: (-r.score, r.submitted))
    assert len(eligible) == 60 > places
    last_in, first_out = eligible[places - 1], eligible[places]
    assert last_in.score == first_out.score and last_in.submitted < first_out.submitted
    assert len({(r.score, r.submitted) for r in eligible}) == len(eligible)  # every tie is broken by the date
    assert sum(r.total_won for r in eligible[:places]) <= BOOK.parameters["funding"]["program_budget_won"]


# ---------------------------------------------------------------- the earlier year (2008) and planted partner cases


def test_earlier_year_is_the_same_program_with_churn(corpus: Corpus, earlier: Corpus) -> None:
    """2008: the 2009 clubs minus the ones registered later, plus clubs dissolved since; members who joined by
    March 2008, plus members who left since; every company that is in both years is the same company."""
    assert earlier.spec.year == 2008 and NATIONAL.earlier is not None and NATIONAL.earlier.targets == EARLIER_TARGETS
    later = {c.code: c for f in corpus.federations for c in f.clubs}
    then = {c.code: c for f in earlier.federations for c in f.clubs}
    spec = {f: (new, gone, rep) for f, new, gone, rep in EARLIER_FEDERATIONS}
    for f8, f9 in zip(earlier.federations, corpus.federations, strict=True):
        new, gone, reporting = spec[f9.name]
        codes8, codes9 = [c.code for c in f8.clubs], [c.code for c in f9.clubs]
        assert sorted(set(codes9) - set(codes8)) == codes9[len(codes9) - new:]  # the newest clubs came later
        assert sorted(set(codes8) - set(codes9)) == [f"{f9.code}-{len(codes9) + k:03d}" for k in range(1, gone + 1)]
        assert sum(c.reporting for c in f8.clubs) == reporting
    assert (len(then), sum(c.reporting for c in then.values())) == (272, 179)
    cut = dt.date(2008, 3, 1)
    company9 = {m.brn: m for m in corpus.companies()}
    for code, club in then.items():
        if code not in later:
            assert not {m.brn for m in club.members} & set(company9)  # a dissolved club's members left the program
            continue
        assert (club.name, club.federation, club.founded) == (later[code].name, later[code].federation, later[code].founded)
        stayed = [m.brn for m in later[code].members if m.joined < cut]
        assert set(stayed) <= {m.brn for m in club.members}
        for m in club.members:
            assert m.joined < cut
            if m.brn in company9:
                m9 = company9[m.brn]
                assert (m.name, m.division, m.products, m.joined) == (m9.name, m9.division, m9.products, m9.joined)
                assert m.sales_mwon <= m9.sales_mwon
            else:  # left before 2009
                assert m.role == "회원"
    brns8, brns9 = {m.brn for m in earlier.companies()}, set(company9)
    assert len(brns8) == len(earlier.companies()) == 5208 and all(is_valid_brn(b) for b in brns8)
    assert (len(brns8 & brns9), len(brns8 - brns9), len(brns9 - brns8)) == (4850, 358, 834)
    _check_plan(earlier, EARLIER_TARGETS)


def test_earlier_year_reports_are_valid() -> None:
    checked = check([str(SAMPLES / EARLIER_DIR)])
    assert checked.report.findings == []
    assert Counter(pf.kind for pf in checked.files) == {"club": 179, "federation": 13}
    assert all(pf.book is not None and pf.book.year == 2008 for pf in checked.files)
    roster = checked.frames[(2008, "federation", "roster")]
    assert (len(roster), int(roster["reported"].astype(bool).sum()), int(roster["member_count"].sum())) == (272, 179, 5208)
    assert "activity_newproduct" not in checked.frames[(2008, "club", "club")].columns  # not on the 2008 form


def test_planted_partner_cases(corpus: Corpus) -> None:
    """Each need is exactly the products of one company of another division and federation than the lead; the near
    match shares the lead's federation; the decoy has the same products in the lead's own division."""
    company = {m.brn: (m, c) for c in corpus.reporting_clubs() for m in c.members}
    assert [p.need for p in corpus.plants] == ["폐열 회수 열교환기", "식품 포장 자동화 비전검사"]
    for p in corpus.plants:
        (lead, lead_club), (match, match_club), (near, near_club) = company[p.lead], company[p.match], company[p.near]
        assert match.products == p.need and [m.brn for m, _c in company.values() if m.products == p.need] == \
            [b for b in (p.match, p.decoy) if b]
        assert match.division != lead.division and match_club.federation != lead_club.federation
        assert near.division != lead.division and near_club.federation == lead_club.federation and near.products != p.need
        if p.decoy:
            decoy, decoy_club = company[p.decoy]
            assert decoy.division == lead.division and decoy_club.federation != lead_club.federation
    vision = corpus.plants[1]
    club = company[vision.lead][1]
    assert club is company[vision.near][1]  # the near match is in the lead's club, with a joint result
    assert any({vision.lead, vision.near} <= set(r.participants) for r in club.results)
