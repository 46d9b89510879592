"""Structural validation of the NIK (Nomor Induk Kependudukan) printed on the e-KTP.

Dukcapil NIK structure, 16 digits ``PPKKCC DDMMYY SSSS``:

* ``PP`` province code (Kemendagri area code, see :data:`PROVINCES`);
* ``KK`` regency/city (kabupaten/kota) code within the province, 01..99;
* ``CC`` district (kecamatan) code within the regency, 01..99;
* ``DD`` day of birth, 01..31 for men and day + 40 (41..71) for women;
* ``MM`` month of birth 01..12; ``YY`` last two digits of the year of birth;
* ``SSSS`` serial number 0001..9999.

Only the structure is checked; whether the NIK is actually registered can only be confirmed by Dukcapil.
Error messages never repeat the NIK itself (it is personal data under UU 27/2022 Pelindungan Data
Pribadi and messages end up in logs).
Source: Dukcapil NIK structure (UU 23/2006 jo. UU 24/2013 Administrasi Kependudukan); province codes
are the Kemendagri area codes, including the Papua provinces created in 2022 (93-96).
"""

from dataclasses import dataclass, replace
from datetime import date, datetime

from .errors import InvalidNIK

NIK_LENGTH = 16
FEMALE_DAY_OFFSET = 40
MALE = "Male"
FEMALE = "Female"

PROVINCES: dict[str, str] = {
	"11": "Aceh",
	"12": "Sumatera Utara",
	"13": "Sumatera Barat",
	"14": "Riau",
	"15": "Jambi",
	"16": "Sumatera Selatan",
	"17": "Bengkulu",
	"18": "Lampung",
	"19": "Kepulauan Bangka Belitung",
	"21": "Kepulauan Riau",
	"31": "DKI Jakarta",
	"32": "Jawa Barat",
	"33": "Jawa Tengah",
	"34": "DI Yogyakarta",
	"35": "Jawa Timur",
	"36": "Banten",
	"51": "Bali",
	"52": "Nusa Tenggara Barat",
	"53": "Nusa Tenggara Timur",
	"61": "Kalimantan Barat",
	"62": "Kalimantan Tengah",
	"63": "Kalimantan Selatan",
	"64": "Kalimantan Timur",
	"65": "Kalimantan Utara",
	"71": "Sulawesi Utara",
	"72": "Sulawesi Tengah",
	"73": "Sulawesi Selatan",
	"74": "Sulawesi Tenggara",
	"75": "Gorontalo",
	"76": "Sulawesi Barat",
	"81": "Maluku",
	"82": "Maluku Utara",
	"91": "Papua",
	"92": "Papua Barat",
	"93": "Papua Selatan",
	"94": "Papua Tengah",
	"95": "Papua Pegunungan",
	"96": "Papua Barat Daya",
}
"""Province code -> Indonesian province name (Kemendagri codes, 38 provinces)."""

_GENDER_ALIASES = {
	"male": MALE,
	"m": MALE,
	"l": MALE,
	"laki-laki": MALE,
	"laki laki": MALE,
	"pria": MALE,
	"female": FEMALE,
	"f": FEMALE,
	"p": FEMALE,
	"perempuan": FEMALE,
	"wanita": FEMALE,
}


@dataclass(frozen=True)
class NikInfo:
	"""What the NIK digits encode (Dukcapil NIK structure).

	``province_code``, ``regency_code``, ``district_code``: two digits each (e.g. ``"32"``, ``"01"``,
	``"01"``); ``birth_date``: full date, century inferred (see :func:`parse_nik`); ``gender``: ``"Male"``
	or ``"Female"``; ``serial``: four digits.
	"""

	province_code: str
	regency_code: str
	district_code: str
	birth_date: date
	gender: str
	serial: str

	@property
	def province_name(self) -> str:
		"""Indonesian name of the province, e.g. ``"Jawa Barat"``."""
		return PROVINCES[self.province_code]

	@property
	def area_code(self) -> str:
		"""Six-digit Kemendagri district code ``PPKKCC``, e.g. ``"320101"``."""
		return f"{self.province_code}{self.regency_code}{self.district_code}"


def _birth_date(day: int, month: int, yy: int, hint: date) -> date:
	valid: list[date] = []
	for century in (2000, 1900):
		try:
			candidate = date(century + yy, month, day)
		except ValueError:
			continue
		if candidate <= hint:
			return candidate
		valid.append(candidate)
	if not valid:
		raise InvalidNIK(f"NIK birth date {day:02d}-{month:02d}-{yy:02d} is not a real calendar date.")
	raise InvalidNIK(
		f"NIK birth date {day:02d}-{month:02d}-{yy:02d} lies after {hint.isoformat()} in every century."
	)


def parse_nik(nik: str, century_hint: date | None = None) -> NikInfo:
	"""Validate the structure of ``nik`` and decode it into a :class:`NikInfo`.

	``nik``: the 16-digit string (surrounding whitespace is ignored, nothing else is). ``century_hint``:
	reference date (default today); the year is 20YY unless that date would be after the hint, then 19YY.

	Raises :class:`~pinjaman_online.lending.errors.InvalidNIK` with a message naming the first problem:
	not text, not exactly 16 digits, unknown province code, regency or district ``00``, birth day not in
	01..31 / 41..71, month not in 01..12, not a real calendar date, birth date after the hint in both
	centuries, serial ``0000``. Source: Dukcapil NIK structure (module docstring).
	"""
	if not isinstance(nik, str):
		raise InvalidNIK(f"NIK must be text of {NIK_LENGTH} digits, got {type(nik).__name__}.")
	text = nik.strip()
	if len(text) != NIK_LENGTH:
		raise InvalidNIK(f"NIK must be exactly {NIK_LENGTH} digits, got {len(text)} characters.")
	if not (text.isascii() and text.isdigit()):
		raise InvalidNIK(f"NIK must contain digits only (0-9), exactly {NIK_LENGTH} of them.")

	province, regency, district = text[0:2], text[2:4], text[4:6]
	day_field, month_field, year_field, serial = (
		int(text[6:8]),
		int(text[8:10]),
		int(text[10:12]),
		text[12:16],
	)

	if province not in PROVINCES:
		raise InvalidNIK(f"NIK province code {province} is not an Indonesian province code.")
	if regency == "00":
		raise InvalidNIK("NIK regency/city code must not be 00.")
	if district == "00":
		raise InvalidNIK("NIK district (kecamatan) code must not be 00.")
	if 1 <= day_field <= 31:
		gender, day = MALE, day_field
	elif FEMALE_DAY_OFFSET + 1 <= day_field <= FEMALE_DAY_OFFSET + 31:
		gender, day = FEMALE, day_field - FEMALE_DAY_OFFSET
	else:
		raise InvalidNIK(
			f"NIK birth day field {day_field:02d} is neither 01-31 (male) nor 41-71 (female, day + 40)."
		)
	if not 1 <= month_field <= 12:
		raise InvalidNIK(f"NIK birth month {month_field:02d} is not a month (01-12).")

	hint = century_hint if century_hint is not None else date.today()
	if isinstance(hint, datetime):
		hint = hint.date()
	birth_date = _birth_date(day, month_field, year_field, hint)

	if serial == "0000":
		raise InvalidNIK("NIK serial number must not be 0000.")
	return NikInfo(
		province_code=province,
		regency_code=regency,
		district_code=district,
		birth_date=birth_date,
		gender=gender,
		serial=serial,
	)


def normalize_gender(gender: str) -> str:
	"""Return ``"Male"`` or ``"Female"`` for common spellings (English, ``L``/``P``, Indonesian words).

	Raises :class:`~pinjaman_online.lending.errors.InvalidNIK` for anything else.
	Source: e-KTP "Jenis Kelamin" field (LAKI-LAKI / PEREMPUAN) as encoded in the NIK (Dukcapil).
	"""
	if isinstance(gender, str):
		normalized = _GENDER_ALIASES.get(gender.strip().casefold())
		if normalized:
			return normalized
	raise InvalidNIK(f"Unknown gender {gender!r}; expected Male or Female.")


def check_nik_matches(nik: str, birth_date: date, gender: str) -> NikInfo:
	"""Check that ``nik`` agrees with the applicant's recorded ``birth_date`` and ``gender``.

	Compares the NIK's day, month and two-digit year with ``birth_date`` and its gender with ``gender``
	(``"Male"``/``"Female"``, also ``L``/``P``, ``Laki-laki``/``Perempuan``). Returns the decoded
	:class:`NikInfo` with ``birth_date`` set to the recorded (full) date.

	Raises :class:`~pinjaman_online.lending.errors.InvalidNIK` if the NIK is malformed (see
	:func:`parse_nik`) or if any of day, month, year or gender disagree; the message lists every
	disagreement, e.g. ``"NIK does not match the applicant: birth day (NIK 01, applicant 02)."``.
	Source: Dukcapil NIK structure; seed 004 §3 pre-check (identity consistency).
	"""
	if isinstance(birth_date, datetime):
		birth_date = birth_date.date()
	expected_gender = normalize_gender(gender)
	info = parse_nik(nik)
	nik_day, nik_month, nik_yy = info.birth_date.day, info.birth_date.month, info.birth_date.year % 100
	problems = []
	if nik_day != birth_date.day:
		problems.append(f"birth day (NIK {nik_day:02d}, applicant {birth_date.day:02d})")
	if nik_month != birth_date.month:
		problems.append(f"birth month (NIK {nik_month:02d}, applicant {birth_date.month:02d})")
	if nik_yy != birth_date.year % 100:
		problems.append(f"birth year (NIK ..{nik_yy:02d}, applicant {birth_date.year})")
	if info.gender != expected_gender:
		problems.append(f"gender (NIK {info.gender}, applicant {expected_gender})")
	if problems:
		raise InvalidNIK(f"NIK does not match the applicant: {'; '.join(problems)}.")
	return replace(info, birth_date=birth_date)


def lookup_hash(secret: str | bytes, nik: str) -> str:
	"""The keyed lookup hash of a NIK: HMAC-SHA256 under ``secret`` of ``"nik:" + nik`` (surrounding
	whitespace ignored), 64 hex characters.

	Equal NIKs give equal hashes, so one person is found on every channel (staff-registered Member,
	self-registered borrower's KYC Submission) without the NIK stored in clear; without the key the NIK space
	(structured, about 10^10 values) cannot be enumerated offline, which a plain SHA-256 would allow. Raises
	``ValueError`` for an empty ``secret`` (a hash under no key would be a plain hash).
	Source: UU 27/2022 (NIK is personal data; pseudonymisation), RFC 2104 (HMAC)."""
	import hashlib
	import hmac

	key = secret.encode() if isinstance(secret, str) else bytes(secret or b"")
	if not key:
		raise ValueError("The NIK lookup hash needs a secret key.")
	return hmac.new(key, b"nik:" + (nik or "").strip().encode(), hashlib.sha256).hexdigest()
