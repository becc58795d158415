"""A realistic, deterministic corpus of filled-in reports: federations, clubs, member companies (problems: sample_problems.py)."""

from __future__ import annotations

import datetime as dt
import random
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, fields, replace
from fractions import Fraction
from typing import Any, NamedTuple

from iupjong_xl import rulebook
from iupjong_xl.validate.normalize import make_brn

YEAR = 2009
PROBLEMS_DIR = "problems"  # beside the year folder: copies of real clubs, never consolidated with the corpus
Data = dict[str, list[dict[str, Any]]]

# ---------------------------------------------------------------- word lists

SURNAMES = "김김김김김이이이이박박박최최정정강조윤장임한오서신권황안송류홍전고문양손배백허유남"
GIVEN = ["영호", "지은", "성민", "하늘", "태식", "서연", "민수", "정훈", "은영", "상철", "경희", "동욱", "미경", "재현", "현주", "준호", "수진", "광수", "영미", "병철", "종구", "승우", "혜진", "기영", "성호", "진우", "명숙", "용수", "창호", "은정", "대현", "형준", "영수", "정민", "동진", "재훈", "인호", "상훈", "미숙", "경수", "윤희", "석진", "지훈", "태호", "선영"]
PREFIXES = ["한빛", "새롬", "대한", "동양", "미래", "태성", "세진", "우진", "성우", "대성", "한영", "삼일", "신흥", "금강", "동아", "서진", "유니", "에이스", "제일", "경인", "영진", "대원", "진성", "아름", "푸른", "가온", "다온", "누리", "한울", "해솔", "청운", "보성", "한성", "동일", "삼원", "세광", "신진", "태양", "정우", "한길", "상록", "남양", "광명", "두원", "명성", "화성", "서광", "동신", "진흥", "창성", "오성", "한결", "이음", "나라", "가람", "신화", "성진", "우성", "지성", "일신"]
TAILS = ("산업", "테크", "코리아", "시스템", "엔지니어링", "인터내셔널", "씨앤씨", "에스티", "글로벌", "하이텍")
CLUB_WORDS = ["한빛", "미래", "새솔", "다솜", "한마음", "어울림", "누리", "가온", "으뜸", "디딤돌", "상생", "융합", "창조", "푸른", "희망", "도약", "동행", "나래", "한길", "벤처", "테크노", "신성장", "해오름", "두드림", "한울", "온누리", "새빛", "모아", "늘푸른", "한우리", "비전", "이음", "다울", "한결", "청솔", "솔빛", "여명", "새날", "한뜻", "큰길"]
EVENTS = {  # activity kind -> notes, besides the monthly meetings
    "세미나": ("기술융합 세미나", "정책자금 설명회", "녹색성장 특강", "수출 마케팅 세미나", "특허 전략 세미나", "노무관리 세미나"),
    "교육": ("ISO 9001 내부심사원 교육", "원가관리 실무 교육", "전자세금계산서 교육"),
    "사회봉사": ("연말 불우이웃돕기", "복지시설 봉사활동", "지역 하천 정화활동"),
    "기타": ("정기총회 및 송년회", "회원 가족 한마음 체육대회", "임원 워크숍"),
}
JOINT = ("공동 구매 (원자재)", "공동 전시회 참가", "공동 홍보 카탈로그 제작", "해외 시장개척단 공동 참가")
# Illustrative phone area code and plausible tax-office codes (BRN digits 1-3) per federation code.
REGIONS = {"SEO": ("02", 101, 220), "BUS": ("051", 601, 623), "DGB": ("053", 501, 516), "ICN": ("032", 121, 137),
           "GJN": ("062", 408, 416), "DCN": ("042", 305, 314), "USN": ("052", 610, 620), "GGI": ("031", 124, 142),
           "GWN": ("033", 221, 227), "CBK": ("043", 301, 304), "JBK": ("063", 401, 404), "GNM": ("055", 608, 615),
           "JJU": ("064", 616, 616)}


class Group(NamedTuple):
    """KSIC divisions sharing company-name words, products/technologies, result titles and a growth field."""

    divisions: tuple[str, ...]
    weight: int
    words: tuple[str, ...]
    products: tuple[str, ...]
    results: tuple[str, ...]
    field: str


def _g(divs: str, weight: int, words: str, products: str, results: str, growth: str) -> Group:
    return Group(tuple(divs.split()), weight, tuple(words.split()), tuple(products.split(", ")),
                 tuple(results.split(", ")), growth)


GROUPS = (  # weighted towards manufacturing (KSIC section C), then business services
    _g("29 25 24 34", 26, "정밀 기계 금속 공업 메탈 엠텍",
       "정밀 금형, CNC 가공, 산업용 건조기, 유압 실린더, 자동화 설비, 판금 가공, 열처리, 감속기",
       "자동 공구 교환 장치, 고효율 산업용 건조기, 경량 알루미늄 프레임, 스마트 센서 내장 금형", "기계·로봇"),
    _g("26 27 28", 22, "전자 전기 테크 일렉트로닉스 광학 계전",
       "센서 모듈, 임베디드 보드, LED 조명, 전원 공급장치, 배전반, 광학 렌즈, 계측기, 제어 회로",
       "무선 온도 감지 센서, LED 절전 조명 제어기, 태양광 인버터, 초음파 유량계", "IT융합"),
    _g("20 22 23 21", 14, "화학 케미칼 소재 플라스틱 바이오",
       "기능성 코팅제, 접착제, 플라스틱 사출품, 세라믹 부품, 고무 패킹, 천연 추출물",
       "친환경 수성 도료, 항균 플라스틱 용기, 내열 세라믹 필터, 천연 항균 소재", "신소재·나노"),
    _g("30 31", 6, "오토텍 모터스 산업 오토", "자동차 부품, 브레이크 패드, 선박 부품, 차량용 배선",
       "경량 브레이크 디스크, 차량용 공기청정 필터", "수송·물류"),
    _g("10 11", 6, "식품 푸드 농산", "건강 음료, 전통 장류, 건강기능식품, 제과, 김치", "발효 홍삼 음료, 저염 전통 장류", "식품"),
    _g("13 14", 3, "섬유 패션 텍스타일", "기능성 원단, 작업복, 산업용 섬유, 니트 원단", "기능성 스포츠 원단, 항균 작업복", "신소재·나노"),
    _g("17 18", 3, "인쇄 지업 패키지", "포장 인쇄, 골판지 상자, 카탈로그 인쇄, 라벨", "친환경 포장 용기, 위조방지 라벨", "그린에너지·환경"),
    _g("32 33", 2, "가구 리빙 디자인", "사무용 가구, 생활용품, 완구, 주방용품", "접이식 사무용 가구", "문화콘텐츠·서비스"),
    _g("58 62 63", 9, "소프트 시스템 정보통신 아이티 네트웍스", "생산관리 소프트웨어, ERP 구축, 웹 서비스, 모바일 앱, 보안 솔루션",
       "공정 모니터링 소프트웨어, RFID 재고관리 시스템", "IT융합"),
    _g("70 71 72 73", 6, "엔지니어링 디자인 컨설팅 기술", "제품 디자인, 시험 인증 대행, 설계 용역, 특허 컨설팅",
       "제품 설계 자동화 도구, 공장 에너지 진단 기법", "문화콘텐츠·서비스"),
    _g("46 47 49 52", 5, "상사 물산 유통 로지스", "산업용 자재 도매, 물류 대행, 수출입 대행, 공구 유통", "공동 물류 배송 체계", "수송·물류"),
    _g("38 39 41 42", 4, "환경 건설 이엔씨 에코", "폐수 처리 설비, 리모델링 공사, 재활용 원료, 토양 정화",
       "음식물 폐기물 건조 장치, 폐열 회수형 건조기", "그린에너지·환경"),
)
GROUP_OF = {d: g for g in GROUPS for d in g.divisions}

# ---------------------------------------------------------------- spec: what to generate


@dataclass(frozen=True, slots=True)
class FederationSpec:
    name: str  # Korean name as in validation/reference/federations.csv; its clubs are <code>-001, <code>-002, ...
    registered: int  # clubs on the federation's roster
    reporting: int  # of which sent their report


@dataclass(frozen=True, slots=True)
class Targets:
    """Exact counts the planner deals out over the reporting clubs (dealt, not drawn)."""

    info: int  # clubs doing information exchange (활동유형-정보교환 = 예)
    resource: int  # ... resource cooperation
    newproduct: int  # ... new-product development
    tech_clubs: int  # clubs with technology results (신제품/신기술/특허)
    tech_results: int  # such results in all
    meetings: int  # 월례회 over all reporting clubs
    high_attendance: int  # clubs whose 월례회 attendance averages >= attendance_threshold of their members
    consortia: int  # eligible consortium requests for the next funding round (CorpusSpec.ineligible come on top)
    members: int | None = None  # member companies over ALL registered clubs; None = drawn per club

    @classmethod
    def scaled(cls, clubs: int) -> Targets:
        """The national figures scaled from the paper's 195 reporting clubs to `clubs`."""
        return cls(*(round(getattr(NATIONAL_TARGETS, f.name) * clubs / PAPER_REPORTING)
                     for f in fields(cls) if f.name != "members"))


# The published figures (DOMAIN.md): 163/60/47 of 195 clubs per activity type, 46 clubs with 72 technology results,
# 11.0 monthly meetings per club, 182 of 195 with attendance >= 70 %, 5,684 companies in 274 clubs. Consortium
# requests are not published: 60 eligible ones are more than the 50 consortia that can be selected.
PAPER_REPORTING = 195
NATIONAL_TARGETS = Targets(info=163, resource=60, newproduct=47, tech_clubs=46, tech_results=72,
                           meetings=11 * 195, high_attendance=182, consortia=60, members=5684)


@dataclass(frozen=True, slots=True)
class CorpusSpec:
    federations: tuple[FederationSpec, ...]
    members: tuple[int, int] = (12, 28)  # member companies per club (min, max)
    meetings: tuple[int, int] = (8, 12)  # 월례회 per reporting club (min, max)
    targets: Targets | None = None  # None: Targets.scaled(number of reporting clubs)
    year: int = YEAR
    ineligible: tuple[str, ...] = ()  # flawed consortium requests on top of the eligible ones (keys of FLAWS)
    plant: bool = False  # plant the partner-matching cases of PLANTS (needs 서울, 부산, 대구경북 and 경기)
    earlier: EarlierYear | None = None  # also generate the year before, with churn

    def resolved_targets(self) -> Targets:
        return self.targets or Targets.scaled(sum(f.reporting for f in self.federations))


@dataclass(frozen=True, slots=True)
class EarlierYear:
    """The year before the corpus year: the same program with realistic churn, per federation in reference order.

    new: the federation's newest clubs of the later year that were not on this year's roster yet (registered later);
    dissolved: clubs on this year's roster that are gone in the later year (codes after the later year's last one);
    reporting: clubs of this year's roster that sent their report. Members are the later year's members who had joined
    by March of this year, plus `leavers` companies per club that left before the later year."""

    year: int
    federations: tuple[tuple[str, int, int, int], ...]  # (federation, new, dissolved, reporting)
    targets: Targets  # dealt over this year's reporting clubs (members: None, they follow from the later year)
    leavers: tuple[int, int] = (0, 2)


SMALL = CorpusSpec((FederationSpec("서울", 8, 6), FederationSpec("부산", 7, 6)))


class Flaw(NamedTuple):
    """A planned ineligible consortium request: the validation warnings it gives and the funding round's reasons."""

    codes: tuple[str, ...]  # warning codes of `iupjong validate` (all on the request's row of 협력과제)
    reasons: tuple[str, ...]  # funding reason codes (messages.yaml `funding:`) in the 지원금 sheet


FLAWS = {
    "over_cap": Flaw(("CONSORTIUM_TOTAL_CAP",), ("OVER_CAP",)),  # total 25,000,000 won, 75 % government
    "gov_share": Flaw(("CONSORTIUM_GOV_SHARE_MAX", "CONSORTIUM_COMPANY_SHARE_MIN"), ("GOV_SHARE", "COMPANY_SHARE")),  # 80 %
    "one_industry": Flaw(("CONSORTIUM_SINGLE_INDUSTRY",), ("ONE_INDUSTRY",)),  # lead and partners from one KSIC division
    "not_member": Flaw(("CONSORTIUM_PARTNER_NOT_MEMBER",), ("NOT_MEMBER",)),  # a supplier that is in no club at all
}

# The whole program as of March 2009 (DOMAIN.md): 13 federations in reference order with 274 registered and 195
# reporting clubs. Sized like the regions' SME base: the capital region (서울, 경기, 인천) holds about 43 % of the clubs,
# the industrial south-east (부산, 대구경북, 울산, 경남) about 27 %, 제주 the fewest; reporting rates 50-78 %.
NATIONAL_FEDERATIONS = (("서울", 60, 41), ("부산", 24, 18), ("대구경북", 22, 17), ("인천", 18, 12), ("광주전남", 18, 13),
                        ("대전충남", 18, 14), ("울산", 12, 9), ("경기", 40, 30), ("강원", 12, 7), ("충북", 14, 10),
                        ("전북", 12, 8), ("경남", 16, 12), ("제주", 8, 4))
# March 2008, one year earlier: 8 clubs of 2009 were not registered yet (서울 3, 부산 1, 인천 1, 대전충남 1, 경기 2),
# 6 clubs of 2008 were dissolved by 2009 (서울 2, 대구경북 1, 광주전남 1, 강원 1, 전북 1): 272 registered clubs, of which
# 179 reported; activity figures a little below 2009's (the 2008 form has no 신제품개발 activity type: the newproduct
# target only steers results and consortium requests); 45 eligible requests for the 40 places of the 2009 round.
EARLIER_FEDERATIONS = (("서울", 3, 2, 38), ("부산", 1, 0, 16), ("대구경북", 0, 1, 16), ("인천", 1, 0, 11),
                       ("광주전남", 0, 1, 12), ("대전충남", 1, 0, 12), ("울산", 0, 0, 8), ("경기", 2, 0, 27), ("강원", 0, 1, 7),
                       ("충북", 0, 0, 9), ("전북", 0, 1, 8), ("경남", 0, 0, 11), ("제주", 0, 0, 4))
EARLIER_TARGETS = Targets(info=146, resource=50, newproduct=38, tech_clubs=39, tech_results=61, meetings=1897,
                          high_attendance=161, consortia=45)
NATIONAL = CorpusSpec(tuple(FederationSpec(*f) for f in NATIONAL_FEDERATIONS), members=(8, 40), meetings=(6, 12),
                      targets=NATIONAL_TARGETS, ineligible=tuple(FLAWS), plant=True,
                      earlier=EarlierYear(2008, EARLIER_FEDERATIONS, EARLIER_TARGETS))

# ---------------------------------------------------------------- plan: what was generated


@dataclass(frozen=True, slots=True)
class InputStyle:
    """How one secretary types values; every style is one the tolerant reader accepts."""

    dates: str = "cell"  # cell | dot ("2009.3.5") | korean ("2009년 3월 5일")
    numbers: str = "cell"  # cell | text ("1,200", "35명")
    brn_dashes: bool = True  # False: "1168200276"
    ksic_code_only: bool = False  # True: "29" instead of the drop-down text
    sep: str = ", "  # between registration numbers in one cell
    yes_no: tuple[str, str] = ("예", "아니오")

    def date(self, d: dt.date) -> Any:
        if self.dates == "cell":
            return d
        return f"{d.year}.{d.month}.{d.day}" if self.dates == "dot" else f"{d.year}년 {d.month}월 {d.day}일"

    def amount(self, v: int | None) -> Any:
        return f"{v:,}" if v is not None and self.numbers == "text" else v

    def brns(self, *brns: str) -> str:
        return self.sep.join(b if self.brn_dashes else b.replace("-", "") for b in brns)


STYLES = (InputStyle(), InputStyle(dates="dot", numbers="text"), InputStyle(),
          InputStyle(dates="korean", brn_dashes=False, sep="\n"), InputStyle(ksic_code_only=True, sep=" / ", yes_no=("O", "X")))


@dataclass(slots=True)
class Member:
    brn: str
    name: str
    ceo: str
    division: str  # KSIC division, e.g. "29"
    employees: int
    sales_mwon: int
    joined: dt.date
    products: str
    role: str = "회원"


class Event(NamedTuple):
    date: dt.date
    kind: str
    attendees: int
    note: str
class Result(NamedTuple):
    kind: str
    title: str
    participants: tuple[str, ...]
    amount_won: int | None
    date: dt.date


class Consortium(NamedTuple):
    title: str
    lead: str
    partners: tuple[str, ...]
    field: str
    total_won: int
    gov_won: int
    company_won: int
    submitted: dt.date
    score: float | None = None  # 평가점수, as if the center had scored the request
    flaw: str | None = None  # key of FLAWS for a planned ineligible request


@dataclass(slots=True)
class Club:
    code: str
    name: str
    federation: str
    founded: int
    reporting: bool
    members: list[Member]  # listed as secretaries do: 회장, 부회장, 총무, then 회원 by joining date
    phone: str
    email: str
    activities: tuple[bool, bool, bool] = (False, False, False)  # information, resources, new products
    events: list[Event] = field(default_factory=list)
    results: list[Result] = field(default_factory=list)
    consortia: list[Consortium] = field(default_factory=list)
    style: InputStyle = InputStyle()

    def role(self, role: str) -> Member:
        return next(c for c in self.members if c.role == role)


@dataclass(slots=True)
class Federation:
    name: str
    code: str
    chair: str
    staff: str
    phone: str
    email: str
    clubs: list[Club]


class YearJump(NamedTuple):
    """A value planted in the earlier year so that the later year's report jumps against it (as a unit mistake would):
    the year-over-year rule must find exactly these."""

    federation: str
    club: str
    brn: str
    column: str  # employees | sales_mwon
    earlier: int
    later: int


# (federation, column, earlier value from the later one): one tenth, or ten times
JUMP_SPECS = (("서울", "employees", "tenth"), ("부산", "sales_mwon", "tenth"), ("대구경북", "employees", "tenfold"))


@dataclass(slots=True)
class Corpus:
    spec: CorpusSpec
    seed: int
    federations: list[Federation]
    plants: list[PartnerPlant] = field(default_factory=list)  # partner-matching cases planted in this corpus
    jumps: list[YearJump] = field(default_factory=list)  # year-over-year jumps planted in this (earlier) year

    def reporting_clubs(self) -> list[Club]:
        return [c for f in self.federations for c in f.clubs if c.reporting]

    def companies(self) -> list[Member]:
        return [m for f in self.federations for c in f.clubs for m in c.members]


# ---------------------------------------------------------------- planner


def plan_corpus(spec: CorpusSpec = NATIONAL, seed: int = 2009) -> Corpus:
    """Decide everything from one seeded random stream; the spec's targets are met exactly."""
    rng, book, t = random.Random(seed), rulebook.load(spec.year), spec.resolved_targets()
    if spec.members[0] < 5:
        raise ValueError("a club needs at least 5 members (회장, 부회장, 총무 and 3 KSIC divisions)")
    used: set[str] = set()  # BRNs
    names: set[str] = set()  # company names
    sizes = iter(_split(rng, t.members, sum(f.registered for f in spec.federations), *spec.members))
    feds = []
    for fs in spec.federations:
        row = book.references["federation"].row(fs.name)
        if row is None or not 0 <= fs.reporting <= fs.registered:
            raise ValueError(f"bad federation spec {fs}")
        area = REGIONS[row["code"]][0]
        words, reporting = rng.sample(CLUB_WORDS, len(CLUB_WORDS)), rng.sample(range(fs.registered), fs.reporting)
        clubs = []
        for i, founded in enumerate(sorted(rng.randint(1990, spec.year - 2) for _ in range(fs.registered))):
            word = words[i % len(words)] + ("" if i < len(words) else str(i // len(words) + 1))
            code = f"{row['code']}-{i + 1:03d}"
            clubs.append(Club(code, f"{fs.name}{word}교류회", fs.name, founded, i in reporting,
                              _members(rng, row["code"], founded, spec.year, next(sizes), used, names), _phone(rng, area),
                              "" if rng.random() < 0.2 else f"{code.lower().replace('-', '')}@example.kr"))
        feds.append(Federation(fs.name, row["code"], _person(rng), _person(rng), _phone(rng, area, mobile=False),
                               f"{row['code'].lower()}@example.or.kr", clubs))
    corpus = Corpus(spec, seed, feds)
    _deal(rng, corpus.reporting_clubs(), t, spec, Fraction(str(book.parameters["attendance_threshold"])))
    _flawed(rng, corpus, spec, used)
    _score(rng, corpus.reporting_clubs(), int(book.parameters["funding"]["max_consortia"]))
    if spec.plant:
        corpus.plants = _plant(corpus)
    return corpus


def _pick(rng: random.Random, n: int, k: int, prefer: Sequence[int] = ()) -> list[int]:
    """k of range(n), the preferred ones first (each group in random order)."""
    first, rest = list(prefer), [i for i in range(n) if i not in prefer]
    rng.shuffle(first)
    rng.shuffle(rest)
    return sorted((first + rest)[:k])


def _split(rng: random.Random, total: int | None, n: int, lo: int, hi: int) -> list[int]:
    """n random values in lo..hi; with a total, drawn around its mean (a triangular distribution whose mean is as near
    total / n as lo..hi allows: many small clubs, a few large ones) and nudged one at a time until they add up exactly."""
    if total is not None and not n * lo <= total <= n * hi:
        raise ValueError(f"cannot split {total} into {n} values within {lo}..{hi}")
    if total is None or not n:
        vals = [rng.randint(lo, hi) for _ in range(n)]
    else:
        mode = min(max(3 * total / n - lo - hi, lo), hi)
        vals = [min(hi, max(lo, round(rng.triangular(lo, hi, mode)))) for _ in range(n)]
    while total is not None and (d := total - sum(vals)):
        i, step = rng.randrange(n), 1 if d > 0 else -1
        if lo <= vals[i] + step <= hi:
            vals[i] += step
    return vals


def _person(rng: random.Random) -> str:
    return rng.choice(SURNAMES) + rng.choice(GIVEN)


def _phone(rng: random.Random, area: str, mobile: bool = True) -> str:
    if mobile and rng.random() < 0.3:
        return f"010-{rng.randint(2000, 9999)}-{rng.randint(0, 9999):04d}"
    return f"{area}-{rng.randint(200, 999) if rng.random() < 0.4 else rng.randint(2000, 8999)}-{rng.randint(0, 9999):04d}"


def _day(rng: random.Random, first: dt.date, last: dt.date) -> dt.date:
    return first + dt.timedelta(days=rng.randint(0, (last - first).days))


def _members(rng: random.Random, fed_code: str, founded: int, year: int, n: int, used: set[str],
             names: set[str]) -> list[Member]:
    """n companies from >= 3 KSIC divisions with corpus-unique BRNs; one 회장, some 부회장, one 총무."""
    _, lo, hi = REGIONS[fed_code]
    weights = [g.weight for g in GROUPS]
    while len(set(divs := [rng.choice(rng.choices(GROUPS, weights)[0].divisions) for _ in range(n)])) < 3:
        pass
    companies: list[Member] = []
    for div in divs:
        companies.append(_company(rng, div, lo, hi, founded, year, used, names, companies))
    companies.sort(key=lambda c: c.joined)
    chair = companies.pop(rng.randrange(max(1, n // 3)))
    vices = [companies.pop(rng.randrange(len(companies))) for _ in range(1 if n < 15 else 2 if n < 25 else 3)]
    secretary = companies.pop(rng.randrange(len(companies)))
    for c, role in [(chair, "회장"), *((v, "부회장") for v in vices), (secretary, "총무")]:
        c.role = role
    return [chair, *vices, secretary, *companies]


def _company(rng: random.Random, div: str, lo: int, hi: int, founded: int, year: int, used: set[str], names: set[str],
             club: list[Member]) -> Member:
    """A company of KSIC division div with a corpus-unique BRN (tax office lo..hi), joined between the club's founding
    and February of the report year."""
    g = GROUP_OF[div]
    for attempt in range(40):  # unique over the corpus while the name pool lasts, always unique in the club
        name = rng.choice(PREFIXES) + rng.choice(g.words) + (rng.choice(TAILS) if attempt >= 20 else "")
        if name not in names:
            break
    while any(name in c.name for c in club):
        name += rng.choice(TAILS)
    names.add(name)
    form = rng.choices(("{}(주)", "㈜{}", "주식회사 {}", "{}"), (35, 10, 10, 45))[0]
    kind = rng.choice((81, 86, 87, 88)) if form != "{}" else rng.randint(1, 79)  # corporations vs. sole traders
    while (brn := make_brn(f"{rng.randint(lo, hi):03d}{kind:02d}{rng.randint(1, 9999):04d}")) in used:
        pass
    used.add(brn)
    employees = max(3, min(300, int(rng.lognormvariate(3.0, 0.75))))
    return Member(brn, form.format(name), _person(rng), div, employees, employees * rng.randint(60, 240),
                   _day(rng, dt.date(founded, 3, 1), dt.date(year, 2, 28)), ", ".join(rng.sample(g.products, 2)))


def _deal(rng: random.Random, clubs: list[Club], t: Targets, spec: CorpusSpec, threshold: Fraction) -> None:
    """Deal the exact targets over the reporting clubs, then fill in each club's year."""
    n = len(clubs)
    info = _pick(rng, n, t.info)
    resource = _pick(rng, n, t.resource, [i for i in range(n) if i not in info])  # every club gets some activity type
    newproduct = _pick(rng, n, t.newproduct, [i for i in range(n) if i not in info and i not in resource])
    tech = _pick(rng, n, t.tech_clubs, newproduct)
    tech_counts = dict(zip(tech, _split(rng, t.tech_results, len(tech), 1, 4), strict=True))
    meetings = _split(rng, t.meetings, n, *spec.meetings)
    high = _pick(rng, n, t.high_attendance)
    # requests come from the new-product clubs first, some of which send two or three
    cons = _pick(rng, n, min(t.consortia, n, max(len(newproduct), -(-t.consortia // 3))), newproduct)
    cons_counts = dict(zip(cons, _split(rng, t.consortia, len(cons), 1, 3), strict=True))
    for i, club in enumerate(clubs):
        club.style = STYLES[i % len(STYLES)]
        club.activities = (i in info, i in resource, i in newproduct)
        club.events = _events(rng, club, spec.year, meetings[i], i in high, threshold)
        for tech_result in [True] * tech_counts.get(i, 0) + [False] * (rng.randint(0, 2) if i in resource else 0):
            club.results.append(_result(rng, club, spec.year, tech_result))
        for _ in range(cons_counts.get(i, 0)):
            club.consortia.append(_consortium(rng, club, spec.year))


def _events(rng: random.Random, club: Club, year: int, meetings: int, high: bool, thr: Fraction) -> list[Event]:
    """Monthly meetings on a fixed weekday of the month (summer and New-Year months skipped first), then the rest."""
    n = len(club.members)
    need = -(-n * thr.numerator // thr.denominator)  # ceil(n * threshold)
    lo, hi = (need, n - 1) if high else (-(-n * 45 // 100), need - 1)
    skip = rng.sample([1, 2, 7, 8], min(4, 12 - meetings))
    skip += rng.sample([m for m in range(3, 13) if m not in (7, 8)], 12 - meetings - len(skip))
    weekday, week = rng.choice((1, 2, 3)), rng.randint(1, 4)
    out = []
    for m in (m for m in range(1, 13) if m not in skip):
        first = dt.date(year, m, 1)
        day = first + dt.timedelta(days=(weekday - first.weekday()) % 7 + 7 * (week - 1))
        note = rng.choice(("", "", f" (회원사 발표: {rng.choice(club.members).name})", " (신입 회원사 소개)"))
        out.append(Event(day, "월례회", rng.randint(lo, hi), f"{m}월 월례회{note}"))
    plants = [c.name for c in club.members if c.division < "35"]
    extra = [("세미나", rng.choice(EVENTS["세미나"])) for _ in range(rng.randint(1, 3))]
    extra += [("기업방문", f"{rng.choice(plants)} 공장 견학") for _ in range(rng.randint(0, 2)) if plants]
    extra += [(k, rng.choice(EVENTS[k])) for k, p in (("교육", 0.5), ("사회봉사", 0.3), ("기타", 0.6)) if rng.random() < p]
    taken = {e.date for e in out}
    for kind, note in extra:
        while (d := _day(rng, dt.date(year, 1, 10), dt.date(year, 12, 20))) in taken:
            pass
        taken.add(d)
        out.append(Event(d, kind, rng.randint(-(-n * 3 // 10), n - 1), note))
    return sorted(out, key=lambda e: e.date)


def _partners(rng: random.Random, club: Club, lead: Member, k: int) -> tuple[str, ...]:
    """k other members, the first from another KSIC division than the lead (cross-industry)."""
    first = rng.choice([c for c in club.members if c.division != lead.division])
    return (first.brn, *(c.brn for c in rng.sample([c for c in club.members if c not in (lead, first)], k - 1)))


def _result(rng: random.Random, club: Club, year: int, tech: bool) -> Result:
    lead = rng.choice(club.members)
    when, parts = _day(rng, dt.date(year, 1, 15), dt.date(year, 12, 15)), (lead.brn, *_partners(rng, club, lead, rng.randint(1, 2)))
    if tech:
        kind, base = rng.choices(("신제품", "신기술", "특허"), (5, 3, 3))[0], rng.choice(GROUP_OF[lead.division].results)
        title = {"신제품": base, "신기술": f"{base} 제조기술", "특허": f"{base} 특허 출원"}[kind]
        amount = None if kind == "특허" else rng.randint(10, 300) * 1_000_000
    else:
        kind = rng.choice(("공동사업", "회원사간 거래", "기타"))
        title = {"공동사업": rng.choice(JOINT), "기타": "회원사간 기술인력 교류"}.get(kind, f"{lead.name} {lead.products.split(', ')[0]} 납품")
        amount = rng.randint(5, 200) * 1_000_000
    return Result(kind, title + (" (2차)" if title in {r.title for r in club.results} else ""), parts, amount, when)


def _consortium(rng: random.Random, club: Club, year: int) -> Consortium:
    """Within the funding rules: total <= 20,000,000 won, government <= 75 %, shares add up, >= 2 divisions."""
    lead = rng.choice([c for c in club.members if c.division < "35"] or club.members)
    total = 20_000_000 if rng.random() < 0.5 else rng.randint(10, 19) * 1_000_000
    gov = int(total * Fraction(rng.choice(("0.75", "0.75", "0.7", "0.6")))) // 100_000 * 100_000
    title = f"{rng.choice(GROUP_OF[lead.division].results)} 공동개발"
    title += " (2차)" if title in {c.title for c in club.consortia} else ""
    return Consortium(title, lead.brn, _partners(rng, club, lead, rng.randint(1, 3)), GROUP_OF[lead.division].field,
                      total, gov, total - gov, _day(rng, dt.date(year, 10, 1), dt.date(year, 12, 15)))


def _flawed(rng: random.Random, corpus: Corpus, spec: CorpusSpec, used: set[str]) -> None:
    """One request per planned flaw, each in another new-product club (after its eligible requests)."""
    year, clubs = spec.year, [c for c in corpus.reporting_clubs() if c.activities[2]] or corpus.reporting_clubs()
    taken: set[str] = set()
    for flaw in spec.ineligible:
        fits = [c for c in clubs if c.code not in taken and (flaw != "one_industry" or _shared_division(c))]
        if not fits:
            raise ValueError(f"no club of the corpus can carry a {flaw} request")
        club = rng.choice(fits)
        taken.add(club.code)
        base = _consortium(rng, club, year)
        if flaw == "over_cap":
            base = base._replace(total_won=25_000_000, gov_won=18_750_000, company_won=6_250_000)
        elif flaw == "gov_share":
            base = base._replace(total_won=20_000_000, gov_won=16_000_000, company_won=4_000_000)
        elif flaw == "one_industry":
            division = rng.choice(sorted(_shared_division(club)))
            same = [m for m in club.members if m.division == division]
            lead, *partners = rng.sample(same, min(len(same), 3))
            title = f"{rng.choice(GROUP_OF[division].results)} 공동개발"
            title += " (2차)" if title in {c.title for c in club.consortia} else ""
            base = base._replace(title=title, lead=lead.brn, partners=tuple(m.brn for m in partners),
                                 field=GROUP_OF[division].field)
        elif flaw == "not_member":  # a supplier of the lead: a valid registration number that no club lists
            _, lo, hi = REGIONS[club.code[:3]]  # club codes start with their federation's code
            while (outsider := make_brn(f"{rng.randint(lo, hi):03d}81{rng.randint(1, 9999):04d}")) in used:
                pass
            used.add(outsider)
            base = base._replace(partners=(*base.partners[:2], outsider))
        else:
            raise ValueError(f"unknown flaw {flaw!r} (choose: {', '.join(FLAWS)})")
        club.consortia.append(base._replace(flaw=flaw))


def _shared_division(club: Club) -> set[str]:
    """KSIC divisions that at least two members of the club share."""
    seen: dict[str, int] = {}
    for m in club.members:
        seen[m.division] = seen.get(m.division, 0) + 1
    return {d for d, k in seen.items() if k >= 2}


def _score(rng: random.Random, clubs: list[Club], places: int) -> None:
    """평가점수 60.0-98.0 for every request, as the center scores them; distinct submission dates among equal scores,
    and the last place that can be selected tied with the first one that cannot (the earlier submission wins)."""
    reqs = [(club, i) for club in clubs for i in range(len(club.consortia))]
    for club, i in reqs:
        club.consortia[i] = club.consortia[i]._replace(score=round(rng.triangular(60.0, 98.0, 84.0), 1))
    eligible = [(club, i) for club, i in reqs if club.consortia[i].flaw is None]
    order = lambda ci: (-ci[0].consortia[ci[1]].score, ci[0].consortia[ci[1]].submitted)
    eligible.sort(key=order)
    if len(eligible) > places:  # tie the first request left out with the last one selected
        (c1, i1), (c2, i2) = eligible[places - 1], eligible[places]
        c2.consortia[i2] = c2.consortia[i2]._replace(score=c1.consortia[i1].score)
    while True:  # equal scores: make the submission dates differ so the tie is broken by date, not by file order
        seen: set[tuple[float | None, dt.date]] = set()
        clash = None
        for club, i in sorted(eligible, key=order):
            c = club.consortia[i]
            if (c.score, c.submitted) in seen:
                clash = (club, i)
                break
            seen.add((c.score, c.submitted))
        if clash is None:
            return
        club, i = clash
        club.consortia[i] = club.consortia[i]._replace(submitted=club.consortia[i].submitted + dt.timedelta(days=1))


# ---------------------------------------------------------------- planted partner-matching cases


class PartnerPlant(NamedTuple):
    """A partner-matching case whose answer is known by construction (`iupjong partners`): the lead's need; match,
    whose products/technologies are exactly the need, from another KSIC division and federation than the lead; near,
    a partial match from the lead's federation and another division (from the lead's club with a joint result when
    the case asks for it); decoy, an exact match from the lead's own division (not cross-industry: never a candidate)."""

    need: str
    lead: str
    match: str
    near: str
    decoy: str | None


class _PlantSpec(NamedTuple):
    need: str
    lead: tuple[str, str, str]  # federation, KSIC division, text its products contain
    match: tuple[str, str]  # federation, KSIC division
    near: str  # products of the partial match
    near_where: tuple[str, str] | None  # (federation, division) of the partial match; None: a joint-result partner
    decoy: str | None  # federation of the same-division exact match


PLANTS = (
    _PlantSpec("폐열 회수 열교환기", ("서울", "29", "산업용 건조기"), ("부산", "25"), "폐열 회수 보일러, 열교환 코일", ("서울", "28"),
               "경기"),
    _PlantSpec("식품 포장 자동화 비전검사", ("경기", "10", ""), ("대구경북", "26"), "포장 자동화 설비, 비전 검사 카메라", None, None),
)


def _plant(corpus: Corpus) -> list[PartnerPlant]:
    """Overwrite the products of a few members (no random draws: the rest of the corpus stays as it was)."""
    clubs = [c for c in corpus.reporting_clubs() if not any(r.flaw for r in c.consortia)]
    taken: set[str] = set()

    def first(fed: str, ok: Callable[[Club, Member], bool]) -> tuple[Club, Member]:
        for club in clubs:
            for m in club.members if club.federation == fed else ():
                if m.brn not in taken and ok(club, m):
                    taken.add(m.brn)
                    return club, m
        raise ValueError(f"no member of {fed} fits a planted partner case")

    def joint(club: Club, m: Member) -> Member | None:
        """A member of another division that has a result together with m."""
        division = {c.brn: c for c in club.members}
        for r in club.results:
            if m.brn in r.participants:
                for b in r.participants:
                    if division[b].division != m.division and b not in taken:
                        return division[b]
        return None

    out = []
    for s in PLANTS:
        fed, div, text = s.lead
        club, lead = first(fed, lambda c, m, s=s, div=div, text=text: m.division == div  # type: ignore[misc]
                           and text in m.products and (s.near_where is not None or joint(c, m) is not None))
        if s.near_where is None:
            near = joint(club, lead)
            assert near is not None
            taken.add(near.brn)
        else:
            where = s.near_where
            near = first(where[0], lambda c, m, where=where, div=div: m.division == where[1] != div)[1]  # type: ignore[misc]
        match = first(s.match[0], lambda c, m, s=s, div=div, near=near: m.division == s.match[1]  # type: ignore[misc]
                      and m.division not in (div, near.division))[1]
        decoy = first(s.decoy, lambda c, m, div=div: m.division == div)[1] if s.decoy else None  # type: ignore[misc]
        match.products = s.need
        near.products = s.near
        if decoy is not None:
            decoy.products = s.need
        out.append(PartnerPlant(s.need, lead.brn, match.brn, near.brn, decoy.brn if decoy else None))
    return out


# ---------------------------------------------------------------- the year before


def plan_earlier(later: Corpus) -> Corpus:
    """The year before `later` (later.spec.earlier): the same clubs and companies with churn, its own activities."""
    e = later.spec.earlier
    if e is None:
        raise ValueError("the corpus spec has no earlier year")
    rng, book = random.Random(f"{later.seed}/{e.year}"), rulebook.load(e.year)
    cut, lo_n, hi_n = dt.date(e.year, 3, 1), *later.spec.members  # members as of March of the earlier year
    used = {m.brn for m in later.companies()} | {b for c in later.reporting_clubs() for r in c.consortia
                                                 for b in (r.lead, *r.partners)}
    names = {re.sub(r"^(주식회사 |㈜)|\(주\)$", "", m.name) for m in later.companies()}
    specs = {f[0]: f for f in e.federations}
    if [f.name for f in later.federations] != list(specs):
        raise ValueError("the earlier year must list the later year's federations in the same order")
    feds, fed_specs = [], []
    for fed in later.federations:
        _, new, dissolved, reporting = specs[fed.name]
        area = REGIONS[fed.code][0]
        clubs = [_earlier_club(rng, c, e.year, cut, (lo_n, hi_n), e.leavers, used, names) for c in fed.clubs[:len(fed.clubs) - new]]
        taken = {c.name for c in fed.clubs}
        words = [n for k in ("", "2", "3", "4") for w in rng.sample(CLUB_WORDS, len(CLUB_WORDS))
                 if (n := f"{fed.name}{w}{k}교류회") not in taken]
        for k in range(dissolved):
            code, founded = f"{fed.code}-{len(fed.clubs) + k + 1:03d}", rng.randint(1995, e.year - 2)
            members = _members(rng, fed.code, founded, e.year, rng.randint(lo_n, min(hi_n, 20)), used, names)
            clubs.append(Club(code, words[k], fed.name, founded, False, members, _phone(rng, area),
                              f"{code.lower().replace('-', '')}@example.kr"))
        if not 0 <= reporting <= len(clubs):
            raise ValueError(f"bad earlier-year spec for {fed.name}")
        for i in rng.sample(range(len(clubs)), reporting):
            clubs[i].reporting = True
        feds.append(Federation(fed.name, fed.code, fed.chair, fed.staff, fed.phone, fed.email, clubs))
        fed_specs.append(FederationSpec(fed.name, len(clubs), reporting))
    spec = CorpusSpec(tuple(fed_specs), members=later.spec.members, meetings=later.spec.meetings, targets=e.targets,
                      year=e.year)
    corpus = Corpus(spec, later.seed, feds)
    _deal(rng, corpus.reporting_clubs(), e.targets, spec, Fraction(str(book.parameters["attendance_threshold"])))
    _score(rng, corpus.reporting_clubs(), int(book.parameters["funding"]["max_consortia"]))
    corpus.jumps = _plant_jumps(corpus, later)
    return corpus


def _plant_jumps(earlier: Corpus, later: Corpus) -> list[YearJump]:
    """Plant JUMP_SPECS (no random draws: the rest of the corpus stays as it was): in each named federation, the
    first reporting club of both years and its first member of both years with a two-digit value or more gets
    one tenth (or ten times) of its later value in the earlier year."""
    now = {c.code: {m.brn: m for m in c.members} for c in later.reporting_clubs()}
    out = []
    for fed, column, how in JUMP_SPECS:
        club = next(c for c in earlier.reporting_clubs() if c.federation == fed and c.code in now)
        member = next(m for m in club.members if m.brn in now[club.code] and getattr(now[club.code][m.brn], column) >= 20)
        value = getattr(now[club.code][member.brn], column)
        planted = max(1, value // 10) if how == "tenth" else value * 10
        setattr(member, column, planted)
        out.append(YearJump(fed, club.code, member.brn, column, planted, value))
    return out


def _earlier_club(rng: random.Random, club: Club, year: int, cut: dt.date, size: tuple[int, int],
                  leavers: tuple[int, int], used: set[str], names: set[str]) -> Club:
    """club as it was in March of `year`: members who had joined by then (last year's sales and staff), plus members
    who left since; the officers stay where they can, else the earliest member chairs and the next one is secretary."""
    _, lo, hi = REGIONS[club.code[:3]]
    members = [replace(m, employees=max(3, round(m.employees * rng.uniform(0.85, 1.02))),
                       sales_mwon=round(m.sales_mwon * rng.uniform(0.8, 1.0))) for m in club.members if m.joined < cut]
    weights = [g.weight for g in GROUPS]
    extra = rng.randint(*leavers)
    while extra > 0 or len(members) < size[0] or len({m.division for m in members}) < 3:
        if len(members) >= size[1]:
            break
        div = rng.choice(rng.choices(GROUPS, weights)[0].divisions)
        members.append(replace(_company(rng, div, lo, hi, club.founded, year, used, names, members), role="회원"))
        extra -= 1
    members.sort(key=lambda m: m.joined)
    for role in ("회장", "총무"):
        if not any(m.role == role for m in members):
            next(m for m in members if m.role == "회원").role = role
    order = {"회장": 0, "부회장": 1, "총무": 2, "회원": 3}
    members.sort(key=lambda m: order[m.role])  # stable: by joining date within a role
    return Club(club.code, club.name, club.federation, club.founded, False, members, club.phone, club.email)


# ---------------------------------------------------------------- plan -> workbooks


def club_data(club: Club, year: int = YEAR) -> Data:
    """The records of a club report, typed the way this club's secretary types them."""
    s, ksic = club.style, rulebook.load(year).references["ksic"]
    yes = [s.yes_no[0] if a else s.yes_no[1] for a in club.activities]
    return {
        "club": [{"club_code": club.code, "club_name": club.name, "federation": club.federation,
                  "founded_year": club.founded, "report_year": year, "chair_brn": s.brns(club.role("회장").brn),
                  "secretary": club.role("총무").ceo, "phone": club.phone, "email": club.email,
                  "activity_info": yes[0], "activity_resource": yes[1], "activity_newproduct": yes[2]}],
        "member": [{"brn": s.brns(c.brn), "company_name": c.name, "ceo": c.ceo,
                    "ksic": c.division if s.ksic_code_only else ksic.display(ksic.row(c.division)),  # type: ignore[arg-type]
                    "employees": f"{c.employees}명" if s.numbers == "text" else c.employees,
                    "sales_mwon": s.amount(c.sales_mwon), "joined": s.date(c.joined), "role": c.role,
                    "products": c.products} for c in club.members],
        "activity": [{"date": s.date(e.date), "kind": e.kind, "attendees": e.attendees, "note": e.note} for e in club.events],
        "result": [{"kind": r.kind, "title": r.title, "participants": s.brns(*r.participants),
                    "amount_won": s.amount(r.amount_won), "date": s.date(r.date)} for r in club.results],
        "consortium": [{"title": c.title, "lead_brn": s.brns(c.lead), "partner_brns": s.brns(*c.partners), "field": c.field,
                        "total_won": s.amount(c.total_won), "gov_won": s.amount(c.gov_won),
                        "company_won": s.amount(c.company_won), "submitted": s.date(c.submitted), "score": c.score}
                       for c in club.consortia],
    }


def federation_data(fed: Federation, year: int = YEAR) -> Data:
    """Profile and roster (교류회 명부) of every registered club; member counts are the clubs' real ones."""
    return {
        "federation": [{"federation": fed.name, "report_year": year, "chair": fed.chair, "staff": fed.staff,
                        "phone": fed.phone, "email": fed.email}],
        "roster": [{"club_code": c.code, "club_name": c.name, "member_count": len(c.members), "founded_year": c.founded,
                    "chair_company": c.role("회장").name, "reported": "예" if c.reporting else "아니오"} for c in fed.clubs],
    }


def corpus_folder(year: int = YEAR) -> str:
    """The folder of one report year's corpus inside the sample folder: <year>/<federation>/<file>."""
    return str(year)


def owned_folders(year: int = YEAR, earlier: Sequence[int] = ()) -> tuple[str, ...]:
    """What write_corpus owns (and removes before writing) inside its output folder: the year's corpus, the earlier
    years' corpora, problems/, and the flat federation folders of the earlier layout (<federation>/<file>)."""
    return (corpus_folder(year), *map(corpus_folder, earlier), PROBLEMS_DIR,
            *rulebook.load(year).references["federation"].keys)
