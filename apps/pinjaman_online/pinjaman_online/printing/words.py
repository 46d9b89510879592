"""Figures and words as an Indonesian document writes them (Frappe-free).

* :func:`rupiah`: ``"Rp 87.000.000"`` (whole Rupiah, ``.`` between thousands);
* :func:`terbilang`: ``"delapan puluh tujuh juta rupiah"`` (the amount in words of a receipt, through
  ``num2words`` with ``lang="id"``);
* :func:`long_date`: ``"5 Desember 2026"``; :func:`month_year`: ``"Desember 2026"``; :func:`short_date`:
  ``"05-12-2026"``;
* :func:`percent`: ``"18%"``, ``"1,5%"`` (decimal comma).

Source: Indonesian number-writing convention (PUEBI: titik between thousands, koma for decimals); a receipt
(kwitansi) states its amount in words ("terbilang").
"""

import datetime
from decimal import ROUND_HALF_UP, Decimal

from pinjaman_online.lending.money import ONE, ZERO, format_rupiah, to_decimal
from pinjaman_online.lending.notices import MONTHS_ID as MONTHS


def whole_rupiah(amount) -> Decimal:
	"""``amount`` (int, str, Decimal, or a float as a database column returns it) rounded half up to whole
	Rupiah. A float goes through its shortest string form (``repr``), so ``87000000.0`` is exactly 87,000,000;
	``None`` or ``""`` is zero. Raises ``ValueError`` for text that is not a number."""
	if amount is None or amount == "":
		return ZERO
	if isinstance(amount, float):
		amount = repr(amount)
	return to_decimal(amount).quantize(ONE, rounding=ROUND_HALF_UP)


def rupiah(amount) -> str:
	"""``amount`` in whole Rupiah for a document: ``"Rp 1.234.567"``, ``"-Rp 5.000"``, ``"Rp 0"``."""
	return format_rupiah(whole_rupiah(amount))


def terbilang(amount) -> str:
	"""``amount`` in Indonesian words followed by "rupiah", lower case: ``87000000`` gives ``"delapan puluh
	tujuh juta rupiah"``, ``0`` gives ``"nol rupiah"``. Rounded half up to whole Rupiah first (Rupiah has no
	cents in use). Raises ``ValueError`` for a negative amount (a document never states one in words)."""
	from num2words import num2words

	value = whole_rupiah(amount)
	if value < ZERO:
		raise ValueError(f"an amount in words must not be negative, got {value}")
	return f"{num2words(int(value), lang='id')} rupiah"


def _date(value) -> datetime.date | None:
	if value in (None, ""):
		return None
	if isinstance(value, datetime.datetime):
		return value.date()
	if isinstance(value, datetime.date):
		return value
	return datetime.date.fromisoformat(str(value)[:10])


def long_date(value) -> str:
	"""A date (``date``, ``datetime`` or ISO text) as ``"5 Desember 2026"``; empty text for no date."""
	d = _date(value)
	return f"{d.day} {MONTHS[d.month - 1]} {d.year}" if d else ""


def month_year(value) -> str:
	"""A date's month and year as ``"Desember 2026"``; empty text for no date."""
	d = _date(value)
	return f"{MONTHS[d.month - 1]} {d.year}" if d else ""


def short_date(value) -> str:
	"""A date as ``"05-12-2026"`` (day-month-year, the site's date format); empty text for no date."""
	d = _date(value)
	return d.strftime("%d-%m-%Y") if d else ""


def percent(value) -> str:
	"""A percentage with a decimal comma and no trailing zeros: ``18`` gives ``"18%"``, ``1.5`` gives
	``"1,5%"``; a float goes through its shortest string form."""
	if value is None or value == "":
		value = 0
	if isinstance(value, float):
		value = repr(value)
	number = to_decimal(value).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP).normalize()
	text = f"{number:f}".replace(".", ",")
	return f"{text}%"
