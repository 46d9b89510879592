"""Money helpers: the one place where amounts are converted and rounded.

Amounts are Indonesian Rupiah held as :class:`decimal.Decimal`, never ``float``.

Rounding rule of the project (seed 004 §5 Loan Product & Pricing):

* interest and fees are rounded to whole Rupiah, half up (``ROUND_HALF_UP``: 0.5 goes away from zero);
* installments are rounded half up to the product's rounding unit (1, 100, 1,000 Rupiah, ...);
* the last installment absorbs the residue, so the principal parts of a schedule sum exactly to the
  principal.

All arithmetic that can produce long fractions (divisions, powers) runs in a local decimal context with
:data:`PRECISION` significant digits so results do not depend on the caller's global decimal context.
"""

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation, localcontext

ZERO = Decimal(0)
"""Zero Rupiah."""

ONE = Decimal(1)
"""One Rupiah, the default rounding unit."""

HUNDRED = Decimal(100)
"""Divisor turning a percentage into a fraction."""

PRECISION = 34
"""Significant digits used for intermediate money arithmetic (IEEE 754 decimal128)."""


def to_decimal(x: int | str | Decimal) -> Decimal:
	"""Convert ``x`` to a finite :class:`~decimal.Decimal` without going through binary floating point.

	Accepts ``int``, ``str`` (surrounding whitespace ignored, e.g. ``"1250000.50"``) and ``Decimal``.
	Units are whatever the caller means (Rupiah, percent, ...); nothing is rounded here.

	Raises ``TypeError`` for ``float`` (binary floats cannot hold Rupiah exactly; convert with ``str()``
	first if you really have one), ``None``, ``bool`` and any other type; raises ``ValueError`` for a string
	that is not a number and for NaN or infinity. Source: project money convention (this module).
	"""
	if isinstance(x, Decimal):
		value = x
	elif isinstance(x, bool):
		raise TypeError("money must be int, str or Decimal, not bool")
	elif isinstance(x, int):
		value = Decimal(x)
	elif isinstance(x, str):
		try:
			value = Decimal(x.strip())
		except InvalidOperation:
			raise ValueError(f"not a number: {x!r}") from None
	elif isinstance(x, float):
		raise TypeError("money must never be a float; pass a Decimal, int or str instead")
	else:
		raise TypeError(f"money must be int, str or Decimal, not {type(x).__name__}")
	if not value.is_finite():
		raise ValueError(f"money must be a finite number, got {x!r}")
	return value


def _check_unit(unit: Decimal) -> Decimal:
	unit = to_decimal(unit)
	if unit < ONE or unit != unit.to_integral_value():
		raise ValueError(f"rounding unit must be a whole number of Rupiah >= 1, got {unit}")
	return unit


def round_to_unit(amount: int | str | Decimal, unit: int | str | Decimal = ONE) -> Decimal:
	"""Round ``amount`` (Rupiah) half up to the nearest multiple of ``unit`` Rupiah.

	THE rounding rule of the project: ``ROUND_HALF_UP``, i.e. an exact half goes away from zero
	(1,250 to a unit of 100 gives 1,300; -1,250 gives -1,300). ``unit`` is a whole number of Rupiah >= 1
	(typically 1, 100 or 1,000). The result is a ``Decimal`` with exponent 0 (no fraction digits).

	Raises ``TypeError`` for float input and ``ValueError`` for a unit that is < 1 or not whole.
	Source: seed 004 §5 Loan Product & Pricing (product rounding unit).
	"""
	amount = to_decimal(amount)
	unit = _check_unit(unit)
	with localcontext() as ctx:
		ctx.prec = PRECISION
		multiples = (amount / unit).quantize(ONE, rounding=ROUND_HALF_UP)
		return (multiples * unit).quantize(ONE)


def round_rupiah(amount: int | str | Decimal) -> Decimal:
	"""Round ``amount`` (Rupiah) half up to whole Rupiah; same as ``round_to_unit(amount, 1)``.

	Raises ``TypeError`` for float input. Source: seed 004 §5 (interest and fees in whole Rupiah).
	"""
	return round_to_unit(amount, ONE)


def percent_of(amount: int | str | Decimal, pct: int | str | Decimal) -> Decimal:
	"""Return ``pct`` percent of ``amount`` Rupiah, rounded half up to whole Rupiah.

	``pct`` is a percentage (``2.5`` means 2.5 %), not a fraction. Example: ``percent_of(10_000_000, "1.5")``
	is ``Decimal("150000")``. Raises ``TypeError`` for float input.
	Source: seed 004 §5 (percentage fees such as provisi and administrasi).
	"""
	amount = to_decimal(amount)
	pct = to_decimal(pct)
	with localcontext() as ctx:
		ctx.prec = PRECISION
		return round_rupiah(amount * pct / HUNDRED)


def format_rupiah(amount: int | str | Decimal) -> str:
	"""Format ``amount`` Rupiah for people, Indonesian style: ``"Rp 1.234.567"``, ``"Rp 1.234.567,50"``.

	Thousands are separated by ``.`` and decimals (kept only when not whole) by ``,``; negative amounts get
	a leading ``-`` (``"-Rp 5.000"``). Nothing is rounded. Raises ``TypeError`` for float input.
	Source: Indonesian number-writing convention (PUEBI: titik for thousands, koma for decimals).
	"""
	amount = to_decimal(amount)
	sign = "-" if amount < ZERO else ""
	text = f"{abs(amount):,f}"
	whole, _, fraction = text.partition(".")
	whole = whole.replace(",", ".")
	if fraction and fraction.strip("0"):
		return f"{sign}Rp {whole},{fraction}"
	return f"{sign}Rp {whole}"
