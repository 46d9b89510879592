"""Values as they arrive from outside (JSON bodies, query strings, form fields), checked and converted.

Each function takes the raw value of one named argument and returns it converted, or raises
:class:`~pinjaman_online.lending.errors.InvalidInput` with a stable code and an English message template
(``{name}`` etc.) that an API boundary translates. Nothing is rounded or clamped: a value that is not what
the argument means is refused.

* Money is whole Rupiah given as an integer or as text of digits (``1000``, ``"1000"``); never a binary
  float (``1000.5``, ``1e30``, even ``1000.0``): JSON floats cannot carry Rupiah exactly.
* Counts (months, pages, scores) are whole numbers; a float with a fraction (``12.5``) is refused, an exact
  one (``12.0``) accepted.
* Rates and percentages may have a fraction; NaN and infinity are refused.

Source: project money convention (``lending/money.py``) and the API rule that bad input gets a 4xx.
"""

import datetime
import math
import re
from decimal import Decimal, InvalidOperation

from pinjaman_online.lending.errors import InvalidInput

MAX_RUPIAH = 999_999_999_999
"""Largest amount accepted (Rp 999.999.999.999): Frappe's Currency columns hold 12 integer digits."""

MAX_INT = 2_147_483_647
"""Largest whole number accepted by default (a signed 32-bit database INT column)."""

_DIGITS = re.compile(r"[+-]?\d{1,40}")  # longer is out of any range here (and slow to convert)
_TRUE = ("1", "true", "yes", "y", "on")
_FALSE = ("0", "false", "no", "n", "off")


def _kind(value) -> str:
	if isinstance(value, bool):
		return "true/false"
	if isinstance(value, int | float | Decimal):
		return "number"
	if isinstance(value, dict):
		return "object"
	if isinstance(value, list | tuple):
		return "list"
	return "text"


def whole_rupiah(
	value, name: str, minimum: int = 0, maximum: int = MAX_RUPIAH, stored: bool = False
) -> Decimal:
	"""``value`` (int, or str of digits) as a whole-Rupiah ``Decimal`` within ``minimum``..``maximum``.

	Refused (``InvalidInput``): floats (code ``MONEY_NOT_WHOLE_RUPIAH``), booleans, other types and text
	that is not digits (``NOT_A_NUMBER`` / ``MONEY_NOT_WHOLE_RUPIAH``), values outside the range
	(``OUT_OF_RANGE``). With ``stored`` (a value read back from a document, where Frappe keeps Currency as a
	float), an exact whole float such as ``1500000.0`` is accepted; a fraction or a float beyond the range is
	still refused."""
	if stored and isinstance(value, float) and math.isfinite(value):
		value = Decimal(repr(value))
	if isinstance(value, float):
		raise InvalidInput(
			"{name} must be a whole number of Rupiah given as an integer or as text (e.g. 1500000), "
			"not a decimal number",
			"MONEY_NOT_WHOLE_RUPIAH",
			name=name,
		)
	if isinstance(value, bool) or not isinstance(value, int | str | Decimal):
		raise InvalidInput(
			"{name} must be a whole number of Rupiah, not {kind}",
			"NOT_A_NUMBER",
			name=name,
			kind=_kind(value),
		)
	if isinstance(value, Decimal):
		amount = value
	elif isinstance(value, int):
		amount = Decimal(value)
	else:
		text = value.strip()
		if not _DIGITS.fullmatch(text):
			raise InvalidInput(
				"{name} must be a whole number of Rupiah written with digits only (e.g. 1500000)",
				"MONEY_NOT_WHOLE_RUPIAH",
				name=name,
			)
		amount = Decimal(text)
	if not amount.is_finite() or amount != amount.to_integral_value():
		raise InvalidInput("{name} must be a whole number of Rupiah", "MONEY_NOT_WHOLE_RUPIAH", name=name)
	return _in_range(amount, name, minimum, maximum).quantize(Decimal(1))


def whole_number(value, name: str, minimum: int = 0, maximum: int = MAX_INT) -> int:
	"""``value`` (int, exact float such as ``12.0``, or text of digits) as an ``int`` within the range.

	Refused (``InvalidInput``): a fraction (``12.5``, code ``NOT_A_WHOLE_NUMBER``), booleans, other kinds,
	out of range (``OUT_OF_RANGE``)."""
	if isinstance(value, bool) or not isinstance(value, int | float | str | Decimal):
		raise InvalidInput(
			"{name} must be a whole number, not {kind}", "NOT_A_WHOLE_NUMBER", name=name, kind=_kind(value)
		)
	if isinstance(value, str):
		text = value.strip()
		if not _DIGITS.fullmatch(text):
			raise InvalidInput("{name} must be a whole number (e.g. 12)", "NOT_A_WHOLE_NUMBER", name=name)
		number = int(text)
	elif isinstance(value, int):
		number = value
	else:
		if not math.isfinite(value) or value != int(value):
			raise InvalidInput("{name} must be a whole number (e.g. 12)", "NOT_A_WHOLE_NUMBER", name=name)
		number = int(value)
	return int(_in_range(number, name, minimum, maximum))


def decimal_number(value, name: str, minimum=None, maximum=None) -> Decimal:
	"""``value`` (int, float, or numeric text) as a finite ``Decimal`` within the range (bounds optional).

	For rates and percentages, where a fraction is meaningful; a float goes through ``str`` (its shortest
	repr), never through its binary expansion. Refused (``InvalidInput``): NaN, infinity, booleans, other kinds
	(``NOT_A_NUMBER``), out of range (``OUT_OF_RANGE``)."""
	if isinstance(value, bool) or not isinstance(value, int | float | str | Decimal):
		raise InvalidInput(
			"{name} must be a number, not {kind}", "NOT_A_NUMBER", name=name, kind=_kind(value)
		)
	try:
		number = Decimal(str(value).strip())
	except InvalidOperation:
		number = None
	if number is None or not number.is_finite():
		raise InvalidInput("{name} must be a number (e.g. 12.5)", "NOT_A_NUMBER", name=name)
	return _in_range(number, name, minimum, maximum)


def flag(value, name: str) -> bool:
	"""``value`` (bool, 0/1, or text true/false/yes/no/1/0) as a ``bool``; ``InvalidInput`` (``NOT_A_FLAG``)
	otherwise."""
	if isinstance(value, bool):
		return value
	if isinstance(value, int) and value in (0, 1):
		return bool(value)
	if isinstance(value, str):
		text = value.strip().lower()
		if text in _TRUE:
			return True
		if text in _FALSE:
			return False
	raise InvalidInput("{name} must be true or false", "NOT_A_FLAG", name=name)


def text(value, name: str, max_length: int = 10_000) -> str:
	"""``value`` as text: a string, or a number written as text; objects, lists and booleans are refused
	(``NOT_TEXT``), as is text longer than ``max_length`` characters (``OUT_OF_RANGE``)."""
	if isinstance(value, bool | dict | list | tuple):
		raise InvalidInput("{name} must be text, not {kind}", "NOT_TEXT", name=name, kind=_kind(value))
	if isinstance(value, float) and not math.isfinite(value):
		raise InvalidInput("{name} must be text", "NOT_TEXT", name=name)
	result = value if isinstance(value, str) else str(value)
	if len(result) > max_length:
		raise InvalidInput(
			"{name} is too long: at most {maximum} characters", "OUT_OF_RANGE", name=name, maximum=max_length
		)
	return result


def iso_date(value, name: str) -> str:
	"""``value`` as an ISO calendar date ``YYYY-MM-DD`` (returned as that text); ``InvalidInput``
	(``NOT_A_DATE``) otherwise."""
	raw = value.strip() if isinstance(value, str) else None
	try:
		if raw is None or len(raw) != 10:
			raise ValueError(raw)
		return datetime.date.fromisoformat(raw).isoformat()
	except ValueError:
		raise InvalidInput(
			"{name} must be a date written as YYYY-MM-DD (e.g. 2026-01-31)", "NOT_A_DATE", name=name
		) from None


def _in_range(number, name: str, minimum, maximum):
	if minimum is not None and number < minimum:
		raise InvalidInput(
			"{name} must be at least {minimum}", "OUT_OF_RANGE", name=name, minimum=minimum, maximum=maximum
		)
	if maximum is not None and number > maximum:
		raise InvalidInput(
			"{name} must be at most {maximum}", "OUT_OF_RANGE", name=name, minimum=minimum, maximum=maximum
		)
	return number


def image_pixels(width: int, height: int, name: str, min_side: int, max_pixels: int) -> None:
	"""Refuse a photo whose shorter side has fewer than ``min_side`` pixels or which has more than
	``max_pixels`` pixels in all (code ``IMAGE_PIXELS``): too small to read a KTP from, or so large that
	decoding it would take hundreds of megabytes. Source: Borrower Settings (KYC image limits)."""
	if min(width, height) < min_side:
		raise InvalidInput(
			"{name} is too small: {width}×{height} pixels, the shorter side needs at least {min_side}",
			"IMAGE_PIXELS",
			name=name,
			width=width,
			height=height,
			min_side=min_side,
		)
	if width * height > max_pixels:
		raise InvalidInput(
			"{name} is too large: {width}×{height} pixels, at most {megapixels} megapixels",
			"IMAGE_PIXELS",
			name=name,
			width=width,
			height=height,
			megapixels=max_pixels // 1_000_000,
		)
