import datetime as dt

import pytest

from iupjong_xl.validate.normalize import (
    EXCEL_ERRORS,
    CoerceError,
    brn_check_digit,
    coerce_bool,
    coerce_date,
    coerce_float,
    coerce_int,
    coerce_text,
    excel_error,
    format_brn,
    is_blank,
    is_valid_brn,
    make_brn,
    normalize_brn,
    normalize_header,
    split_brn_list,
)

D = dt.date


def reason_of(fn, value) -> str:
    with pytest.raises(CoerceError) as ei:
        fn(value)
    return ei.value.reason


# ---------------------------------------------------------------- CoerceError


def test_coerce_error_is_value_error_with_reason_and_value():
    e = CoerceError("format", "2009-02-30")
    assert isinstance(e, ValueError)
    assert e.reason == "format"
    assert e.value == "2009-02-30"
    assert "format" in str(e)


# ---------------------------------------------------------------- blanks / errors


@pytest.mark.parametrize(
    "v, expected",
    [
        (None, True),
        ("", True),
        ("   ", True),
        ("\u3000", True),
        ("\xa0", True),
        (" \t\n\u3000\xa0 ", True),
        ("\u200b", True),
        ("a", False),
        (" 0 ", False),
        (0, False),
        (0.0, False),
        (False, False),
        (dt.date(2009, 3, 1), False),
    ],
)
def test_is_blank(v, expected):
    assert is_blank(v) is expected


@pytest.mark.parametrize(
    "v, expected",
    [
        ("#DIV/0!", "#DIV/0!"),
        ("#N/A", "#N/A"),
        ("  #N/A  ", "#N/A"),
        ("#n/a", "#N/A"),
        ("#VALUE!", "#VALUE!"),
        ("#REF!", "#REF!"),
        ("#NAME?", "#NAME?"),
        ("#NUM!", "#NUM!"),
        ("#NULL!", "#NULL!"),
        ("#SPILL!", "#SPILL!"),
        ("#CALC!", "#CALC!"),
        ("#GETTING_DATA", "#GETTING_DATA"),
        ("#FIELD!", "#FIELD!"),
        ("#BLOCKED!", "#BLOCKED!"),
        ("#CONNECT!", "#CONNECT!"),
        ("#BUSY!", "#BUSY!"),
        ("#UNKNOWN!", "#UNKNOWN!"),
        ("Err:502", "Err:502"),
        (" Err:504 ", "Err:504"),
        ("err:511", "Err:511"),
        ("Err:50", None),
        ("Err:5021", None),
        ("#N/A 확인", None),
        ("N/A", None),
        ("#DIV/0", None),
        ("", None),
        (None, None),
        (0, None),
        (1.5, None),
    ],
)
def test_excel_error(v, expected):
    assert excel_error(v) == expected


def test_excel_errors_set():
    assert len(EXCEL_ERRORS) == 15
    assert all(excel_error(e) == e for e in EXCEL_ERRORS)


# ---------------------------------------------------------------- headers


@pytest.mark.parametrize(
    "v, expected",
    [
        ("  사업자 등록번호 * ", "사업자등록번호"),
        ("*사업자등록번호", "사업자등록번호"),
        ("사업자등록번호＊", "사업자등록번호"),
        ("사업자\n등록번호", "사업자등록번호"),
        ("사업자\u3000등록\xa0번호", "사업자등록번호"),
        ("ＫＳＩＣ", "ksic"),
        ("KSIC 코드", "ksic코드"),
        ("매출액(백만원)", "매출액(백만원)"),
        ("매출액 (백만원) *", "매출액(백만원)"),
        ("기업명(필수)", "기업명"),
        ("기업명 [필수]", "기업명"),
        ("[필수] 기업명", "기업명"),
        ("기업명（필수）", "기업명"),
        ("기업명 【필수】", "기업명"),
        ("기업명 (Required)", "기업명"),
        ("Company Name *(required)", "companyname"),
        ("기업명 (*)", "기업명"),
        ("기업명(선택)", "기업명(선택)"),
        ("", ""),
        (None, ""),
        (2023, "2023"),
        (2023.0, "2023"),
    ],
)
def test_normalize_header(v, expected):
    assert normalize_header(v) == expected


# ---------------------------------------------------------------- text


@pytest.mark.parametrize(
    "v, expected",
    [
        (None, None),
        ("", None),
        ("\u3000 ", None),
        ("  abc ", "abc"),
        ("\u3000한글\xa0", "한글"),
        ("a  b", "a  b"),
        (1168200276.0, "1168200276"),
        (1168200276, "1168200276"),
        (0, "0"),
        (-5, "-5"),
        (-3.0, "-3"),
        (1.5, "1.5"),
        (0.1, "0.1"),
        (True, "TRUE"),
        (False, "FALSE"),
        (dt.datetime(2009, 3, 1), "2009-03-01"),
        (dt.datetime(2009, 3, 1, 10, 30), "2009-03-01 10:30:00"),
        (dt.date(2009, 3, 1), "2009-03-01"),
        (dt.time(10, 30), "10:30:00"),
    ],
)
def test_coerce_text(v, expected):
    assert coerce_text(v) == expected


# ---------------------------------------------------------------- int


@pytest.mark.parametrize(
    "v, expected",
    [
        (None, None),
        ("", None),
        ("\u3000", None),
        (0, 0),
        (42, 42),
        (-7, -7),
        (3.0, 3),
        (-3.0, -3),
        (1e15, 1_000_000_000_000_000),
        ("42", 42),
        ("  42 ", 42),
        ("1,234", 1234),
        ("１，２３４", 1234),
        ("１２３４", 1234),
        ("1,000,000원", 1000000),
        ("1,000,000 원", 1000000),
        ("500천원", 500),
        ("1,200 백만원", 1200),
        ("12명", 12),
        ("3개", 3),
        ("5건", 5),
        ("2회", 2),
        ("85점", 85),
        ("4회사", 4),
        ("4개사", 4),
        ("1 000 000", 1000000),
        ("1\u3000000", 1000),
        ("-500", -500),
        ("－500", -500),
        ("\u2212500", -500),
        ("△500", -500),
        ("▲500", -500),
        ("△ 1,500", -1500),
        ("△500원", -500),
        ("+500", 500),
        ("(1,000)", -1000),
        ("（１，０００）", -1000),
        ("(1,000)원", -1000),
        ("(1,000원)", -1000),
        ("1.0", 1),
        ("1,000.00", 1000),
        ("1.", 1),
        ("-0", 0),
        ("1000,000", 1000000),
    ],
)
def test_coerce_int(v, expected):
    got = coerce_int(v)
    assert got == expected
    assert got is None or type(got) is int


@pytest.mark.parametrize(
    "v, reason",
    [
        (True, "type"),
        (False, "type"),
        (1.5, "fraction"),
        (-0.25, "fraction"),
        ("1.5", "fraction"),
        ("1,000.50", "fraction"),
        ("△0.5", "fraction"),
        (float("nan"), "type"),
        (float("inf"), "type"),
        ("abc", "type"),
        ("#DIV/0!", "type"),
        ("12%", "type"),
        ("1,00", "type"),
        ("1,0000", "type"),
        ("1,,000", "type"),
        (",100", "type"),
        ("100,", "type"),
        ("1.2.3", "type"),
        ("원", "type"),
        ("-", "type"),
        ("△", "type"),
        ("()", "type"),
        ("-(1,000)", "type"),
        ("--5", "type"),
        ("5-", "type"),
        ("1e3", "type"),
        ("12kg", "type"),
        ("약 100", "type"),
        ("100원원", "type"),
        (dt.date(2009, 3, 1), "type"),
        ([1], "type"),
    ],
)
def test_coerce_int_errors(v, reason):
    assert reason_of(coerce_int, v) == reason


# ---------------------------------------------------------------- float


@pytest.mark.parametrize(
    "v, expected",
    [
        (None, None),
        ("", None),
        (3, 3.0),
        (1.5, 1.5),
        (-0.25, -0.25),
        ("1.5", 1.5),
        ("１．５", 1.5),
        ("1,234.5", 1234.5),
        ("△12.5", -12.5),
        ("▲0.5", -0.5),
        ("(2.5)", -2.5),
        ("12.5점", 12.5),
        ("1,000,000원", 1000000.0),
        (".5", 0.5),
        ("0.1", 0.1),
    ],
)
def test_coerce_float(v, expected):
    got = coerce_float(v)
    assert got == expected
    assert got is None or type(got) is float


@pytest.mark.parametrize(
    "v",
    [True, "12.5%", "50%", "abc", "#N/A", float("nan"), dt.date(2009, 3, 1), "1.2.3"],
)
def test_coerce_float_errors(v):
    assert reason_of(coerce_float, v) == "type"


# ---------------------------------------------------------------- dates


def test_excel_serial_reference_value():
    assert D(1899, 12, 30) + dt.timedelta(days=39873) == D(2009, 3, 1)


@pytest.mark.parametrize(
    "v, expected",
    [
        (None, None),
        ("", None),
        ("\u3000", None),
        (dt.datetime(2009, 3, 1, 10, 30), D(2009, 3, 1)),
        (D(2009, 3, 1), D(2009, 3, 1)),
        # Excel serials
        (39873, D(2009, 3, 1)),
        (39873.0, D(2009, 3, 1)),
        (39873.75, D(2009, 3, 1)),
        (1, D(1899, 12, 31)),
        (61, D(1900, 3, 1)),
        (2958465, D(9999, 12, 31)),
        ("39873", D(2009, 3, 1)),
        ("３９８７３", D(2009, 3, 1)),
        ("2009", D(1905, 7, 1)),  # digit-only strings are serials, even year-like ones
        # yyyymmdd numbers
        (20090301, D(2009, 3, 1)),
        (20090301.0, D(2009, 3, 1)),
        (19000101, D(1900, 1, 1)),
        (29991231, D(2999, 12, 31)),
        # separated forms
        ("2009-03-01", D(2009, 3, 1)),
        ("2009-3-1", D(2009, 3, 1)),
        ("2009/03/01", D(2009, 3, 1)),
        ("2009/3/1", D(2009, 3, 1)),
        ("2009.3.1", D(2009, 3, 1)),
        ("2009.03.01", D(2009, 3, 1)),
        ("2009.03.01.", D(2009, 3, 1)),
        ("2009. 3. 1.", D(2009, 3, 1)),
        ("2009 . 3 . 1", D(2009, 3, 1)),
        ("  2009-03-01  ", D(2009, 3, 1)),
        ("２００９－０３－０１", D(2009, 3, 1)),
        ("２００９．３．１", D(2009, 3, 1)),
        ("2009\u20133\u20131", D(2009, 3, 1)),
        ("20090301", D(2009, 3, 1)),
        ("２００９０３０１", D(2009, 3, 1)),
        # Korean
        ("2009년 3월 1일", D(2009, 3, 1)),
        ("2009년3월1일", D(2009, 3, 1)),
        ("2009 년 03 월 01 일", D(2009, 3, 1)),
        ("2009년 3월 1일.", D(2009, 3, 1)),
        ("09년 3월 1일", D(2009, 3, 1)),
        # weekday suffix
        ("2009.3.2(월)", D(2009, 3, 2)),
        ("2009.3.2 (월요일)", D(2009, 3, 2)),
        ("2009-03-02 (Mon)", D(2009, 3, 2)),
        ("2009-03-02(mon.)", D(2009, 3, 2)),
        ("2009. 3. 2.(월)", D(2009, 3, 2)),
        ("2009년 3월 2일 (월)", D(2009, 3, 2)),
        ("2009.3.2（월）", D(2009, 3, 2)),
        # datetimes, time ignored
        ("2009-03-01 00:00:00", D(2009, 3, 1)),
        ("2009-03-01T10:30", D(2009, 3, 1)),
        ("2009-03-01T10:30:15.123", D(2009, 3, 1)),
        ("2009/3/1 오후 3:05", D(2009, 3, 1)),
        ("2009-03-01 3:05 PM", D(2009, 3, 1)),
        # two-digit years
        ("'09.3.1", D(2009, 3, 1)),
        ("09.03.01", D(2009, 3, 1)),
        ("09-3-1", D(2009, 3, 1)),
        ("09/3/1", D(2009, 3, 1)),
        ("'69.1.1", D(2069, 1, 1)),
        ("70.1.1", D(1970, 1, 1)),
        ("'99.12.31", D(1999, 12, 31)),
        ("00.1.1", D(2000, 1, 1)),
    ],
)
def test_coerce_date(v, expected):
    assert coerce_date(v) == expected


def test_coerce_date_datetime_returns_plain_date():
    got = coerce_date(dt.datetime(2009, 3, 1))
    assert type(got) is dt.date


@pytest.mark.parametrize(
    "v, reason",
    [
        ("2009-02-30", "format"),
        ("2009-13-01", "format"),
        ("2009.0.10", "format"),
        ("2009년 2월 29일", "format"),
        ("'09.2.29", "format"),
        ("20090230", "format"),
        ("20091301", "format"),
        (20090230, "format"),
        (20091301, "format"),
        ("090301", "format"),
        ("０９０３０１", "format"),
        ("abc", "type"),
        ("2009.3", "type"),
        ("2009년 3월", "type"),
        ("3/1/2009", "type"),
        ("2009-03/01", "type"),
        ("2009-03-01.", "type"),
        ("#N/A", "type"),
        ("0", "type"),
        ("123456789", "type"),
        (0, "type"),
        (-1, "type"),
        (2958466, "type"),
        (0.5, "type"),
        (1e12, "type"),
        (True, "type"),
        (dt.time(10, 0), "type"),
        (dt.timedelta(days=1), "type"),
    ],
)
def test_coerce_date_errors(v, reason):
    assert reason_of(coerce_date, v) == reason


# ---------------------------------------------------------------- bool


@pytest.mark.parametrize(
    "v",
    [True, 1, 1.0, "예", "네", "있음", "유", "해당", "참여", "o", "O", "Ｏ", "○", "◯",
     "●", "〇", "v", "V", "✓", "✔", "y", "Y", "yes", "YES", "Yes", "true", "TRUE",
     "1", "１", "참", " 예 "],
)
def test_coerce_bool_true(v):
    assert coerce_bool(v) is True


@pytest.mark.parametrize(
    "v",
    [False, 0, 0.0, "아니오", "아니요", "아님", "없음", "무", "해당없음", "해당 없음",
     "미해당", "불참", "x", "X", "×", "✕", "n", "N", "no", "No", "false", "FALSE",
     "0", "거짓", "-", "－"],
)
def test_coerce_bool_false(v):
    assert coerce_bool(v) is False


@pytest.mark.parametrize("v", [None, "", "  ", "\u3000"])
def test_coerce_bool_blank(v):
    assert coerce_bool(v) is None


@pytest.mark.parametrize("v", [2, -1, 0.5, "maybe", "예정", "2", "yes!", D(2009, 3, 1)])
def test_coerce_bool_errors(v):
    assert reason_of(coerce_bool, v) == "type"


# ---------------------------------------------------------------- 사업자등록번호


@pytest.mark.parametrize(
    "first9, digit",
    [
        ("116820027", 6),
        ("134867268", 3),
        ("124810553", 8),
        ("211870078", 4),  # d9*5 = 40 -> floor(40/10) = 4 is added
        ("101810001", 6),
        ("220810000", 1),
        ("000000000", 0),
    ],
)
def test_brn_check_digit(first9, digit):
    assert brn_check_digit(first9) == digit


@pytest.mark.parametrize("bad", ["11682002", "1168200276", "11682002a", "１１６８２００２７"])
def test_brn_check_digit_rejects_non_nine_digits(bad):
    with pytest.raises(ValueError):
        brn_check_digit(bad)


@pytest.mark.parametrize(
    "v, expected",
    [
        (None, None),
        ("", None),
        ("\u3000", None),
        ("116-82-00276", "116-82-00276"),
        ("1168200276", "116-82-00276"),
        ("116 82 00276", "116-82-00276"),
        ("116.82.00276", "116-82-00276"),
        (" 116-82-00276 ", "116-82-00276"),
        ("１１６－８２－００２７６", "116-82-00276"),
        ("116\u201082\u201000276", "116-82-00276"),
        ("116\u201182\u201100276", "116-82-00276"),
        ("116\u201382\u201300276", "116-82-00276"),
        ("116\u201482\u201400276", "116-82-00276"),
        ("116\u221282\u221200276", "116-82-00276"),
        ("116\u30fc82\u30fc00276", "116-82-00276"),
        ("116\uff0d82\uff0d00276", "116-82-00276"),
        ("116\u300082\u300000276", "116-82-00276"),
        (1168200276, "116-82-00276"),
        (1168200276.0, "116-82-00276"),
        ("134-86-72683", "134-86-72683"),
        (1348672683, "134-86-72683"),
        ("124-81-05538", "124-81-05538"),
        ("2118700784", "211-87-00784"),
        ("101-81-00016", "101-81-00016"),
    ],
)
def test_normalize_brn(v, expected):
    assert normalize_brn(v) == expected


@pytest.mark.parametrize(
    "v, reason",
    [
        ("116-82-00277", "checksum"),
        ("116-82-00270", "checksum"),
        ("134-86-72684", "checksum"),
        (1168200275, "checksum"),
        ("116-82-0027", "format"),
        ("116-82-002766", "format"),
        ("116-82-0027A", "format"),
        ("116_82_00276", "format"),
        ("116/82/00276", "format"),
        ("사업자번호 116-82-00276", "format"),
        ("000-00-00000", "format"),
        ("100-81-00016", "format"),  # tax office < 101
        ("116-00-00276", "format"),  # business type 00
        ("220-81-00001", "format"),  # serial 0000 (even though check digit fits)
        (116820027, "format"),
        (-1168200276, "format"),
        (1168200276.5, "format"),
        ("#N/A", "format"),
        (True, "type"),
        (D(2009, 3, 1), "type"),
    ],
)
def test_normalize_brn_errors(v, reason):
    assert reason_of(normalize_brn, v) == reason


@pytest.mark.parametrize(
    "v, expected",
    [
        ("116-82-00276", True),
        (1168200276, True),
        ("１３４－８６－７２６８３", True),
        ("116-82-00277", False),
        ("220-81-00001", False),
        ("abc", False),
        ("", False),
        (None, False),
    ],
)
def test_is_valid_brn(v, expected):
    assert is_valid_brn(v) is expected


def test_format_brn():
    assert format_brn("1168200276") == "116-82-00276"
    assert format_brn("1348672683") == "134-86-72683"
    with pytest.raises(CoerceError) as ei:
        format_brn("116820027")
    assert ei.value.reason == "format"
    with pytest.raises(CoerceError):
        format_brn("116-82-00276")


@pytest.mark.parametrize(
    "first9, expected",
    [
        ("116820027", "116-82-00276"),
        ("134867268", "134-86-72683"),
        ("124810553", "124-81-05538"),
        ("211870078", "211-87-00784"),
    ],
)
def test_make_brn(first9, expected):
    got = make_brn(first9)
    assert got == expected
    assert normalize_brn(got) == expected


def test_make_brn_roundtrip_many():
    for i in range(101, 1000, 37):
        for mid in ("01", "81", "86", "87", "99"):
            brn = make_brn(f"{i:03d}{mid}1234")
            assert normalize_brn(brn) == brn
            last = int(brn[-1])
            wrong = brn[:-1] + str((last + 1) % 10)
            assert reason_of(normalize_brn, wrong) == "checksum"


@pytest.mark.parametrize(
    "v, expected",
    [
        (None, []),
        ("", []),
        ("\u3000\n", []),
        ("116-82-00276", ["116-82-00276"]),
        ("116 82 00276", ["116 82 00276"]),
        ("116-82-00276, 134-86-72683", ["116-82-00276", "134-86-72683"]),
        ("116-82-00276;134-86-72683", ["116-82-00276", "134-86-72683"]),
        ("116-82-00276\n134-86-72683", ["116-82-00276", "134-86-72683"]),
        ("116-82-00276\r\n134-86-72683\r\n", ["116-82-00276", "134-86-72683"]),
        ("116-82-00276 / 134-86-72683", ["116-82-00276", "134-86-72683"]),
        ("116-82-00276·134-86-72683", ["116-82-00276", "134-86-72683"]),
        ("116-82-00276、134-86-72683", ["116-82-00276", "134-86-72683"]),
        ("116-82-00276，134-86-72683", ["116-82-00276", "134-86-72683"]),
        ("116-82-00276 134-86-72683", ["116-82-00276", "134-86-72683"]),
        ("1168200276  1348672683", ["1168200276", "1348672683"]),
        ("116-82-00276\u3000134-86-72683", ["116-82-00276", "134-86-72683"]),
        ("116 82 00276, 134 86 72683", ["116 82 00276", "134 86 72683"]),
        ("116 82 00276 134 86 72683", ["116 82 00276", "134 86 72683"]),
        ("１１６－８２－００２７６，１３４－８６－７２６８３", ["１１６－８２－００２７６", "１３４－８６－７２６８３"]),
        ("116-82-00276,,  ,134-86-72683,", ["116-82-00276", "134-86-72683"]),
        ("116-82-00276 (본사)", ["116-82-00276", "(본사)"]),
        ("abc def", ["abc", "def"]),
        ("116-82-0027", ["116-82-0027"]),
        (1168200276, ["1168200276"]),
        (1168200276.0, ["1168200276"]),
    ],
)
def test_split_brn_list(v, expected):
    assert split_brn_list(v) == expected
