"""Sales commission and sales KPIs (seed 004 §2 Sales Management).

Seed rules: "Komisi dihitung % dari pinjaman cair" (commission is a percentage of the disbursed loan) and
"Target dicatat per bulan (periode YYYY-MM)"; flow step 5: after the loan is disbursed the system computes the
commission automatically.

* The commission base is the disbursed loan's principal (plafon), in Rupiah; the amount is
  ``base × rate %`` rounded half up to whole Rupiah (:func:`~pinjaman_online.lending.money.percent_of`).
* The rate is configurable per product and/or branch, the most specific rule winning (:func:`resolve_rate`).
"""

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, localcontext

from .errors import LendingError
from .money import HUNDRED, PRECISION, ZERO, percent_of, to_decimal

ONE_DECIMAL = Decimal("0.1")


class InvalidCommission(LendingError):
	"""A commission rate or base that cannot be used (code ``INVALID_COMMISSION``). Source: seed 004 §2."""

	code = "INVALID_COMMISSION"


def _rate(value, what: str) -> Decimal:
	try:
		rate = to_decimal(value)
	except ValueError as exc:
		raise InvalidCommission(f"{what} is not a valid number: {exc}") from None
	if not ZERO <= rate <= HUNDRED:
		raise InvalidCommission(f"{what} must be between 0 and 100 percent, got {rate}.")
	return rate


@dataclass(frozen=True)
class ProductRate:
	"""A commission rate of a loan product: ``rate_pct`` percent, for ``branch`` only or (None) any branch."""

	rate_pct: Decimal
	branch: str | None = None

	def __post_init__(self) -> None:
		object.__setattr__(self, "rate_pct", _rate(self.rate_pct, "Commission rate"))
		object.__setattr__(self, "branch", self.branch or None)


def resolve_rate(
	branch: str | None, product_rates: Iterable[ProductRate], branch_rate: Decimal | None = None
) -> Decimal | None:
	"""The commission rate (percent) for a loan of a product sold by ``branch``; None when none applies.

	Most specific first: (1) the product's rate for this branch; (2) the product's rate for any branch (no
	branch given); (3) the branch's default rate ``branch_rate`` (None or unset: no default); (4) None, meaning
	no commission. A rate of 0 is a rule too (it stops the search). Raises :class:`InvalidCommission` when the
	product names the same branch (or "any branch") twice, or a rate is outside 0..100.
	Source: seed 004 §2 ("Komisi dihitung % dari pinjaman cair"), rate per product and/or branch.
	"""
	by_branch: dict[str | None, Decimal] = {}
	for rate in product_rates:
		if rate.branch in by_branch:
			raise InvalidCommission(
				f"The product has two commission rates for {rate.branch or 'any branch'}; keep one."
			)
		by_branch[rate.branch] = rate.rate_pct
	if branch and branch in by_branch:
		return by_branch[branch]
	if None in by_branch:
		return by_branch[None]
	if branch_rate is not None:
		return _rate(branch_rate, "Branch commission rate")
	return None


def commission_amount(base: Decimal, rate_pct: Decimal) -> Decimal:
	"""Commission in Rupiah: ``base`` Rupiah (the disbursed principal) × ``rate_pct`` percent, half up.

	Raises :class:`InvalidCommission` for a negative base or a rate outside 0..100; ``TypeError`` for floats.
	Source: seed 004 §2 (commission = % of the disbursed loan).
	"""
	base = to_decimal(base)
	if base < ZERO:
		raise InvalidCommission(f"Commission base must not be negative, got {base}.")
	return percent_of(base, _rate(rate_pct, "Commission rate"))


def achievement_pct(actual: Decimal | int, target: Decimal | int) -> Decimal | None:
	"""``actual`` as a percentage of ``target`` (same unit: visits, applications, Rupiah), to one decimal.

	Rounded half up (``Decimal("66.7")`` for 2 of 3); None when there is no target (zero or negative).
	Source: seed 004 §2 ("Monitor target vs realisasi per sales/cabang").
	"""
	actual, target = to_decimal(actual), to_decimal(target)
	if target <= ZERO:
		return None
	with localcontext() as ctx:
		ctx.prec = PRECISION
		return (actual * HUNDRED / target).quantize(ONE_DECIMAL, rounding=ROUND_HALF_UP)
