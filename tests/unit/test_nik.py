"""NIK structure (Dukcapil): PPKKCC DDMMYY SSSS, women's day + 40, century from a reference date."""

import re
from datetime import date, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pinjaman_online.lending.errors import InvalidNIK
from pinjaman_online.lending.nik import PROVINCES, NikInfo, check_nik_matches, parse_nik

SETTINGS = settings(max_examples=200, deadline=None, database=None)
HINT = date(2025, 6, 30)


def make_nik(province, regency, district, birth_date, gender, serial):
	day = birth_date.day + (40 if gender == "Female" else 0)
	return f"{province}{regency:02d}{district:02d}{day:02d}{birth_date.month:02d}{birth_date.year % 100:02d}{serial:04d}"


# --- valid examples -------------------------------------------------------------------------------------


def test_valid_female_nik():
	# 32 Jawa Barat, 01 Kabupaten Bogor, 01 kecamatan, 41 = day 01 + 40 (woman), 07 July, 85 -> 1985, 0001
	info = parse_nik("3201014107850001", century_hint=HINT)
	assert info == NikInfo("32", "01", "01", date(1985, 7, 1), "Female", "0001")
	assert info.province_name == "Jawa Barat"
	assert info.area_code == "320101"


def test_valid_male_nik():
	# 31 DKI Jakarta, 71, 01, day 15 (man), May 1990, serial 0123
	info = parse_nik("3171011505900123", century_hint=HINT)
	assert info == NikInfo("31", "71", "01", date(1990, 5, 15), "Male", "0123")
	assert info.province_name == "DKI Jakarta"


def test_surrounding_whitespace_is_ignored():
	assert parse_nik(" 3201014107850001\n", century_hint=HINT).birth_date == date(1985, 7, 1)


def test_default_century_hint_is_today():
	assert parse_nik("3201014107850001").birth_date == date(1985, 7, 1)


@pytest.mark.parametrize(
	"nik, hint, born",
	[
		("3201010105050001", date(2025, 1, 1), date(2005, 5, 1)),  # 2005 is not in the future
		("3201010105050001", date(2004, 12, 31), date(1905, 5, 1)),  # 2005 would be -> 1905
		("3201010105250001", date(2025, 5, 1), date(2025, 5, 1)),  # born on the reference date
		("3201010205250001", date(2025, 5, 1), date(1925, 5, 2)),  # one day later -> previous century
		("3201012902000001", date(2025, 1, 1), date(2000, 2, 29)),  # 2000 was a leap year
		("3201016912800001", date(2025, 1, 1), date(1980, 12, 29)),  # woman, day 29
		("3201017112800001", date(2025, 1, 1), date(1980, 12, 31)),  # woman, day 31
	],
)
def test_century_choice(nik, hint, born):
	assert parse_nik(nik, century_hint=hint).birth_date == born


@pytest.mark.parametrize(
	"code", ["11", "19", "21", "31", "36", "51", "53", "61", "65", "71", "76", "81", "82", "91", "96"]
)
def test_province_codes_accepted(code):
	assert parse_nik(f"{code}01014107850001", century_hint=HINT).province_name == PROVINCES[code]


def test_province_table():
	assert len(PROVINCES) == 38
	assert PROVINCES["31"] == "DKI Jakarta"
	assert PROVINCES["96"] == "Papua Barat Daya"


# --- failures ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
	"nik, fragment",
	[
		("320101410785000", "exactly 16 digits, got 15"),
		("32010141078500011", "exactly 16 digits, got 17"),
		("", "exactly 16 digits, got 0"),
		("3201-0141-0785-01", "exactly 16 digits"),
		("32010141078500O1", "digits only"),
		("３２０１０１４１０７８５０００１", "digits only"),  # full-width digits
		("0001014107850001", "province code 00"),
		("2001014107850001", "province code 20"),
		("3701014107850001", "province code 37"),
		("9701014107850001", "province code 97"),
		("3200014107850001", "regency/city code must not be 00"),
		("3201004107850001", "district (kecamatan) code must not be 00"),
		("3201010007850001", "day field 00"),
		("3201013207850001", "day field 32"),
		("3201014007850001", "day field 40"),
		("3201017207850001", "day field 72"),
		("3201010100850001", "month 00"),
		("3201010113850001", "month 13"),
		("3201013104850001", "31-04-85 is not a real calendar date"),
		("3201012902010001", "29-02-01 is not a real calendar date"),
		("3201014107850000", "serial number must not be 0000"),
	],
)
def test_invalid_niks(nik, fragment):
	with pytest.raises(InvalidNIK, match=re.escape(fragment)) as excinfo:
		parse_nik(nik, century_hint=HINT)
	assert excinfo.value.code == "INVALID_NIK"
	assert nik.strip() == "" or nik not in str(excinfo.value)  # the NIK is never echoed


def test_woman_born_on_the_30th_of_a_30_day_month():
	assert parse_nik("3201017004850001", century_hint=HINT).birth_date == date(1985, 4, 30)


def test_birth_date_after_the_hint_in_both_centuries():
	with pytest.raises(InvalidNIK, match="lies after 1950-01-01"):
		parse_nik("3201014107600001", century_hint=date(1950, 1, 1))


@pytest.mark.parametrize("value", [None, 3201014107850001])
def test_non_text_nik(value):
	with pytest.raises(InvalidNIK, match="must be text"):
		parse_nik(value)


# --- check_nik_matches ------------------------------------------------------------------------------------


@pytest.mark.parametrize("gender", ["Female", "female", "P", "Perempuan", "F"])
def test_matching_nik_returns_info_with_the_recorded_date(gender):
	info = check_nik_matches("3201014107850001", date(1985, 7, 1), gender)
	assert info.birth_date == date(1985, 7, 1) and info.gender == "Female"


def test_matching_nik_keeps_the_recorded_century():
	# "250101" alone decodes to 2025-01-01 (not in the future today); the recorded 1925 date wins
	# because only day, month and the two-digit year are compared
	info = check_nik_matches("3201010101250001", date(1925, 1, 1), "L")
	assert info.birth_date == date(1925, 1, 1) and info.gender == "Male"


@pytest.mark.parametrize(
	"birth_date, gender, fragments",
	[
		(date(1985, 7, 2), "Female", ["birth day (NIK 01, applicant 02)"]),
		(date(1985, 8, 1), "Female", ["birth month (NIK 07, applicant 08)"]),
		(date(1986, 7, 1), "Female", ["birth year (NIK ..85, applicant 1986)"]),
		(date(1985, 7, 1), "Male", ["gender (NIK Female, applicant Male)"]),
		(date(1986, 8, 2), "Laki-laki", ["birth day", "birth month", "birth year", "gender"]),
	],
)
def test_mismatches_are_named(birth_date, gender, fragments):
	with pytest.raises(InvalidNIK) as excinfo:
		check_nik_matches("3201014107850001", birth_date, gender)
	message = str(excinfo.value)
	assert message.startswith("NIK does not match the applicant: ")
	for fragment in fragments:
		assert fragment in message


def test_unknown_gender():
	with pytest.raises(InvalidNIK, match="Unknown gender"):
		check_nik_matches("3201014107850001", date(1985, 7, 1), "X")


def test_malformed_nik_in_match_check():
	with pytest.raises(InvalidNIK, match="serial"):
		check_nik_matches("3201014107850000", date(1985, 7, 1), "Female")


# --- properties -------------------------------------------------------------------------------------------


@st.composite
def nik_cases(draw):
	hint = draw(st.dates(min_value=date(2000, 1, 1), max_value=date(2099, 12, 31)))
	# within the 100-year window ending at the hint the two-digit year is unambiguous
	birth = draw(st.dates(min_value=date(hint.year - 99, 1, 1), max_value=hint))
	fields = (
		draw(st.sampled_from(sorted(PROVINCES))),
		draw(st.integers(min_value=1, max_value=99)),
		draw(st.integers(min_value=1, max_value=99)),
		birth,
		draw(st.sampled_from(["Male", "Female"])),
		draw(st.integers(min_value=1, max_value=9999)),
	)
	return hint, fields


@SETTINGS
@given(case=nik_cases())
def test_nik_round_trip(case):
	hint, (province, regency, district, birth, gender, serial) = case
	nik = make_nik(province, regency, district, birth, gender, serial)
	info = parse_nik(nik, century_hint=hint)
	assert info == NikInfo(province, f"{regency:02d}", f"{district:02d}", birth, gender, f"{serial:04d}")
	assert check_nik_matches(nik, birth, gender).birth_date == birth


@SETTINGS
@given(nik=st.text(alphabet="0123456789", min_size=16, max_size=16))
def test_any_sixteen_digits_parse_or_raise_invalid_nik(nik):
	try:
		info = parse_nik(nik, century_hint=HINT)
	except InvalidNIK:
		return
	assert info.birth_date <= HINT
	assert info.birth_date > HINT - timedelta(days=366 * 100)


# --- keyed lookup hash --------------------------------------------------------------------------------------


def test_lookup_hash_is_keyed_and_never_a_plain_hash():
	import hashlib

	from pinjaman_online.lending.nik import lookup_hash

	nik = "3201014107850001"
	keyed = lookup_hash(b"site-secret", nik)
	assert keyed == lookup_hash(b"site-secret", f" {nik} ")  # surrounding whitespace ignored
	assert keyed != lookup_hash(b"another-site", nik)
	plain = {
		hashlib.new(name, data).hexdigest()
		for name in ("md5", "sha1", "sha256", "sha512")
		for data in (nik.encode(), b"nik:" + nik.encode())
	}
	assert keyed not in plain
	assert nik not in keyed
	with pytest.raises(ValueError):
		lookup_hash(b"", nik)
