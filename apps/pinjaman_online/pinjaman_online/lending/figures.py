"""Figures for the desk's number cards and charts: how an amount is shown, never how it is computed.

* :func:`short_precision` — the decimals to show for an amount that the desk abbreviates (``Rp 87 jt``,
  ``Rp 1,23 M``): Frappe's number card divides an amount of 5 digits or more by 10³, 10⁶, 10⁹ or 10¹² and
  keeps at most 2 decimals of the quotient; this gives how many of them are not zero, so a whole quotient
  prints without ``,00``.
* :func:`millions` — an amount in millions of Rupiah (*juta*) for chart axes, whose own abbreviations
  (K, M, B) read wrongly in Indonesian (M is *miliar* there).
"""

from decimal import ROUND_HALF_UP, Decimal

from .money import ZERO, to_decimal

SHORT_SCALE = (Decimal(10) ** 12, Decimal(10) ** 9, Decimal(10) ** 6, Decimal(10) ** 3)
SHORT_MIN_DIGITS = 5  # Frappe's number card abbreviates numbers of at least this many digits
SHORT_MAX_DECIMALS = 2
MILLION = Decimal(1_000_000)


def short_precision(amount: int | str | Decimal) -> int:
	"""Decimals (0–2) to show for ``amount`` (Rupiah) once Frappe's number card has abbreviated it.

	Mirrors ``frappe.utils.shorten_number(amount, country, 5)`` of Frappe 15: below 5 digits the amount is
	shown whole (0); else it is divided by the largest power of 10³ it reaches and the quotient is rounded
	half up to 2 decimals; trailing zeros are dropped. Examples: 87,000,000 → 0 (``87``); 87,500,000 → 1
	(``87,5``); 1,234,567,890 → 2 (``1,23``); 1,000,400,000 → 0 (``1``). Raises TypeError for a float.
	"""
	value = abs(to_decimal(amount)).quantize(Decimal(1), rounding=ROUND_HALF_UP)
	if len(str(value)) < SHORT_MIN_DIGITS:
		return 0
	for divisor in SHORT_SCALE:
		if value >= divisor:
			quotient = (value / divisor).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP).normalize()
			return min(max(-quotient.as_tuple().exponent, 0), SHORT_MAX_DECIMALS)
	return 0


def millions(amount: int | str | Decimal, places: int = 1) -> Decimal:
	"""``amount`` Rupiah in millions (*juta*), rounded half up to ``places`` decimals (default 1).

	``millions(87_450_000)`` is ``Decimal("87.5")``; ``millions(0)`` is ``Decimal("0.0")``. Raises TypeError
	for a float, ValueError for a negative ``places``."""
	if places < 0:
		raise ValueError(f"places must not be negative, got {places}")
	value = to_decimal(amount) if amount is not None else ZERO
	return (value / MILLION).quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
