"""Partner matching on the sample corpus, whose planted companies make the right answers known by construction
(samples.PLANTS): ranking with reasons, the different-division rule, the same-federation filter, the proposed
consortium against the funding rules, and typed errors."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import openpyxl
import pytest

from iupjong_xl import rulebook
from iupjong_xl.analyses.directory import Opened, open_consolidated
from iupjong_xl.analyses.partners import (
    EmptyNeedError,
    TfIdf,
    UnknownCompanyError,
    find_partners,
    matching,
    ngrams,
    write_matches,
)
from iupjong_xl.errors import IupjongError, NotConsolidatedError, UnsupportedVersionError, UsageError
from iupjong_xl.samples.corpus import NATIONAL, PartnerPlant, corpus_folder, plan_corpus
from iupjong_xl.validate.normalize import make_brn

REPO = Path(__file__).resolve().parent.parent
CORPUS = REPO / "sample_workbooks" / corpus_folder(2009)
SETTINGS = matching(rulebook.load(2009))  # the 2009 rule book's parameters.partners


@pytest.fixture(scope="module")
def plants() -> tuple[PartnerPlant, PartnerPlant]:
    heat, vision = plan_corpus(NATIONAL, 2009).plants
    return heat, vision


@pytest.fixture(scope="module")
def national(national_workbooks: dict[int, Path]) -> Path:
    return national_workbooks[2009]


@pytest.fixture(scope="module")
def opened(national: Path) -> Opened:
    return open_consolidated(national)


# ------------------------------------------------------------------------------------------ text similarity


def test_ngrams_ignore_spacing_and_split_items() -> None:
    assert ngrams("폐열 회수") == ngrams("폐열회수") == {"폐열": 1, "열회": 1, "회수": 1, "폐열회": 1, "열회수": 1}
    assert ngrams("CNC 가공, 열") == {"cn": 1, "nc": 1, "cnc": 1, "nc가": 1, "c가": 1, "가공": 1, "c가공": 1, "열": 1}
    model = TfIdf([ngrams("폐열 회수 열교환기"), ngrams("정밀 금형"), ngrams("열교환 코일")])
    want = model.vector(ngrams("폐열 회수 열교환기"))
    assert model.cosine(want, model.vector(ngrams("폐열회수 열교환기"))) == pytest.approx(1.0)
    assert model.cosine(want, model.vector(ngrams("정밀 금형"))) == 0.0
    assert 0 < model.cosine(want, model.vector(ngrams("열교환 코일"))) < 0.5
    # n-grams of the need that no company has still weigh: half a need is no perfect match
    assert model.cosine(model.vector(ngrams("열교환 코일 양자컴퓨터")), model.vector(ngrams("열교환 코일"))) < 0.7


# ------------------------------------------------------------------------------------------ ranking


def test_planted_exact_match_ranks_first_with_its_reasons(opened: Opened, plants: tuple[PartnerPlant, ...]) -> None:
    heat, _ = plants
    m = find_partners(opened, heat.lead, heat.need)
    assert [c.company.brn for c in m.candidates] == [heat.match, heat.near]  # nothing else shares the need's words
    best = m.candidates[0]
    assert best.rank == 1 and best.similarity == pytest.approx(1.0) and best.best_item == "폐열 회수 열교환기"
    assert [r.code for r in best.reasons] == ["similarity", "other_division", "complementary"]
    assert best.reasons[0].ko == "제품·기술 일치도 1.00 (가장 가까운 항목 '폐열 회수 열교환기': 1.00)"
    assert best.reasons[1].ko == "다른 업종: 25 금속가공제품 제조업(기계 및 가구 제외) (주관기업 29 기타 기계 및 장비 제조업)"
    assert best.reasons[1].en == "another KSIC division: 25 (lead: 29)"
    assert best.reasons[2].points == SETTINGS.bonuses["complementary"] and "업종 29·25" in best.reasons[2].ko
    assert best.score == pytest.approx(1.0 + SETTINGS.bonuses["complementary"])
    near = m.candidates[1]
    assert near.best_item == "폐열 회수 보일러" and SETTINGS.min_similarity < near.similarity < 0.6
    assert "same_federation" in [r.code for r in near.reasons]
    assert near.score == pytest.approx(near.similarity + sum(r.points or 0 for r in near.reasons[1:]))
    assert m.lead.brn == heat.lead and m.lead.division == "29" and m.lead.federations == ["서울"]


def test_the_lead_s_own_division_is_never_a_candidate(opened: Opened, plants: tuple[PartnerPlant, ...]) -> None:
    heat, _ = plants
    m = find_partners(opened, heat.lead, heat.need, top=50)
    decoy = opened.directory.company(heat.decoy or "")
    assert decoy is not None and decoy.products == [heat.need] and decoy.division == m.lead.division  # a perfect match…
    assert heat.decoy not in [c.company.brn for c in m.candidates]  # …but not cross-industry
    same = sum(1 for c in opened.directory.companies if c.division == "29") - 1
    assert m.counts == {"members": 4035, "same_division": same, "unknown_division": 0, "other_federation": 0,
                        "no_match": 4035 - 1 - same - 2, "matched": 2}
    assert all(c.company.division != "29" for c in m.candidates)


def test_joint_results_and_top(opened: Opened, plants: tuple[PartnerPlant, ...]) -> None:
    _, vision = plants
    m = find_partners(opened, vision.lead, vision.need, top=3)
    assert [c.rank for c in m.candidates] == [1, 2, 3] and m.counts["matched"] > 3
    assert [c.company.brn for c in m.candidates[:2]] == [vision.match, vision.near]
    near = m.candidates[1]
    codes = {r.code: r for r in near.reasons}
    assert set(codes) >= {"similarity", "other_division", "same_federation", "joint_result_lead"}
    assert codes["joint_result_lead"].points == SETTINGS.bonuses["joint_result_lead"] == 0.10
    assert codes["joint_result_lead"].ko.startswith("+0.10 주관기업과 함께한 성과 '")
    assert codes["joint_result_lead"].en.startswith("+0.10 results together with the lead: '")
    assert near.best_item == "포장 자동화 설비"
    scores = [c.score for c in m.candidates]
    assert scores == sorted(scores, reverse=True)


def test_same_federation_filter(opened: Opened, plants: tuple[PartnerPlant, ...]) -> None:
    heat, vision = plants
    m = find_partners(opened, heat.lead, heat.need, same_federation=True)
    assert [c.company.brn for c in m.candidates] == [heat.near]  # the exact match is in 부산
    assert m.counts["other_federation"] == sum(1 for c in opened.directory.companies
                                               if "서울" not in c.federations and c.division != "29")
    m = find_partners(opened, vision.lead, vision.need, same_federation=True, top=5)
    assert m.candidates[0].company.brn == vision.near and len(m.candidates) == 5
    assert all(c.company.federations == ["경기"] for c in m.candidates)


# ------------------------------------------------------------------------------------------ the proposed consortium


def test_proposed_consortium_from_the_top_candidates_is_eligible(opened: Opened, plants: tuple[PartnerPlant, ...]) -> None:
    heat, vision = plants
    p = find_partners(opened, heat.lead, heat.need).proposal
    assert (p.source, p.eligible, p.reasons, p.round_year) == ("top", True, [], 2010)
    assert [c["brn"] for c in p.companies] == [heat.lead, heat.match, heat.near]
    assert [c["role"] for c in p.companies] == ["lead", "partner", "partner"]
    assert (p.total_won, p.gov_won, p.company_won) == (20_000_000, 15_000_000, 5_000_000)
    assert p.to_dict()["divisions"] == ["25", "28", "29"]
    p = find_partners(opened, vision.lead, vision.need).proposal
    assert len(p.companies) == 4 and p.eligible  # the lead and the three best


def test_proposed_consortium_with_named_partners(opened: Opened, plants: tuple[PartnerPlant, ...]) -> None:
    heat, _ = plants
    p = find_partners(opened, heat.lead, heat.need, partners=[heat.decoy or ""]).proposal
    assert (p.source, p.eligible) == ("with", False)
    assert p.reasons == [{"code": "ONE_INDUSTRY", "ko": "업종 1개 < 2개 (이업종 아님)",
                          "en": "1 KSIC division(s) < 2 (not cross-industry)"}]
    outsider = make_brn("214810001")
    p = find_partners(opened, heat.lead, heat.need, partners=[heat.match.replace("-", ""), outsider, heat.lead]).proposal
    assert [c["brn"] for c in p.companies] == [heat.lead, heat.match, outsider]  # normalized, the lead once
    assert [c["member"] for c in p.companies] == [True, True, False]
    assert not p.eligible and [r["code"] for r in p.reasons] == ["NOT_MEMBER"]
    assert p.reasons[0]["ko"] == f"회원사 아님: {outsider}"


# ------------------------------------------------------------------------------------------ output


def test_json_is_plain_data(opened: Opened, plants: tuple[PartnerPlant, ...]) -> None:
    heat, _ = plants
    data = find_partners(opened, heat.lead, heat.need, top=1).to_dict()
    assert json.loads(json.dumps(data, ensure_ascii=False)) == data
    assert list(data) == ["source", "year", "need", "top", "same_federation", "lead", "method", "counts", "candidates",
                          "proposal"]
    assert data["candidates"][0]["brn"] == heat.match and data["candidates"][0]["similarity"] == 1.0
    assert data["proposal"]["companies"][1]["brn"] == heat.match
    assert data["method"]["bonuses"] == SETTINGS.bonuses


def test_matches_workbook(opened: Opened, plants: tuple[PartnerPlant, ...], tmp_path: Path) -> None:
    _, vision = plants
    m = find_partners(opened, vision.lead, vision.need, top=5)
    out = write_matches(m, tmp_path / "partners.xlsx")
    assert out.read_bytes() == write_matches(m, tmp_path / "again.xlsx").read_bytes()
    wb = openpyxl.load_workbook(out)
    assert wb.sheetnames == ["파트너 후보", "협력체 검토", "_파트너정보"]
    rows = list(wb["파트너 후보"].iter_rows(min_row=5, values_only=True))
    assert [r[0] for r in rows] == [1, 2, 3, 4, 5] and rows[0][1] == vision.match and rows[1][1] == vision.near
    assert "주관기업과 함께한 성과" in rows[1][12]
    assert wb["협력체 검토"]["B3"].value == "적격"
    assert zipfile.ZipFile(out).testzip() is None


# ------------------------------------------------------------------------------------------ errors


def test_errors(opened: Opened, plants: tuple[PartnerPlant, ...], tmp_path: Path) -> None:
    heat, _ = plants
    stranger = make_brn("214810002")
    with pytest.raises(UnknownCompanyError, match=rf"{stranger}은\(는\) .*회원사가 아닙니다.*is not a member company"):
        find_partners(opened, stranger, heat.need)
    with pytest.raises(UnknownCompanyError, match=r"주관기업 '123-45-67890'은\(는\) 사업자등록번호가 아닙니다.*lead company"):
        find_partners(opened, "123-45-67890", heat.need)
    for need in ("", "   ", "!!! ··· ?"):
        with pytest.raises(EmptyNeedError, match=r"비어 있습니다.*The need is empty"):
            find_partners(opened, heat.lead, need)
    with pytest.raises(UnknownCompanyError, match=r"참여기업 'abc'은\(는\) .* / The partner 'abc' is not"):
        find_partners(opened, heat.lead, heat.need, partners=["abc"])
    with pytest.raises(UsageError, match="top"):
        find_partners(opened, heat.lead, heat.need, top=0)
    with pytest.raises(NotConsolidatedError):
        find_partners(next(CORPUS.glob("서울/*SEO-001*.xlsx")), heat.lead, heat.need)
    assert issubclass(UnknownCompanyError, IupjongError) and issubclass(UnsupportedVersionError, IupjongError)
