"""Online-loan pricing: a rate per day, and the OJK caps on the economic benefit of online lending.

Rate per day. Indonesian online lenders quote interest per day (``0,1% per hari``). A product priced per day
keeps its schedule on the annual rate the rest of the core uses (:mod:`.schedule`), converted at
:data:`DAYS_PER_YEAR` = 365 days: ``annual = daily × 365``, so a flat month's interest is
``principal × daily × 365 / 12`` (30.42 days, the average month).

Caps (SEOJK 19/SEOJK.06/2023 under POJK 10/POJK.05/2022, in force 2023-11-08). The "economic benefit"
(manfaat ekonomi) is interest plus every fee except late fees, stamp duty and tax; it is capped per day of
the loan, and so are late fees (denda keterlambatan); interest + fees + late fees together never exceed 100%
of the principal. The daily caps step down for consumer loans: 0.3% (2024), 0.2% (2025), 0.1% (from 2026),
with 0.3% kept for tenors of at most 6 months (a January 2025 adjustment, as reported). The figures are
settings (Pinjaman Online Settings, defaults there), passed in as :class:`OnlineLendingCaps`; nothing here
holds them.

Days of a loan: the calendar days from its start (the application date, or the disbursement) to its last
due date; the per-day figure of a loan is ``(interest + fees) / principal / days``, as a percentage.
"""

from dataclasses import dataclass
from datetime import date
from decimal import ROUND_CEILING, ROUND_FLOOR, Decimal

from .errors import InvalidTerms, LendingError
from .money import HUNDRED, ZERO, to_decimal

DAYS_PER_YEAR = 365
"""Day count converting a rate per day into the annual rate of the schedule (actual/365)."""

RATE_PLACES = Decimal("0.01")
"""A rate per day is kept to 2 decimals of a percent (0.01%/day), so ``daily × 365`` is exact at 2 decimals,
the precision the schedule reads an annual rate with."""


class EconomicBenefitCapExceeded(LendingError):
	"""Interest plus fees of a loan exceed the OJK cap per day (code ``ECONOMIC_BENEFIT_CAP``).

	Source: SEOJK 19/SEOJK.06/2023 (economic benefit of online lending, per day and in total)."""

	code = "ECONOMIC_BENEFIT_CAP"


def annual_rate_from_daily(daily_rate_pct) -> Decimal:
	"""The annual rate (% per year) of a rate per day (% per day, at most 2 decimals): ``daily × 365``.

	Raises :class:`~pinjaman_online.lending.errors.InvalidTerms` for a negative rate, one with more than 2
	decimals (``0.095``) or above 100% per day. Source: :data:`DAYS_PER_YEAR` (module docstring)."""
	daily = to_decimal(daily_rate_pct)
	if daily < ZERO or daily > HUNDRED:
		raise InvalidTerms("The rate per day must be between 0% and 100%, got {rate}%.", rate=daily)
	if daily != daily.quantize(RATE_PLACES):
		raise InvalidTerms("The rate per day has at most 2 decimals (0.01%), got {rate}%.", rate=daily)
	return (daily * DAYS_PER_YEAR).quantize(RATE_PLACES)


@dataclass(frozen=True)
class OnlineLendingCaps:
	"""The OJK caps of online lending, each in percent.

	* ``benefit_per_day_pct``: interest + fees per day, tenors above ``short_tenor_months``;
	* ``short_benefit_per_day_pct``: the same for tenors of at most ``short_tenor_months`` (0 = no such tier);
	* ``late_fee_per_day_pct``, ``short_late_fee_per_day_pct``: late fees per day (of the principal), by tier;
	* ``total_pct``: interest + fees + late fees over the whole loan (of the principal).

	Raises :class:`~pinjaman_online.lending.errors.InvalidTerms` for a negative cap or one above 100%.
	Source: SEOJK 19/SEOJK.06/2023 (module docstring)."""

	benefit_per_day_pct: Decimal
	late_fee_per_day_pct: Decimal
	total_pct: Decimal = HUNDRED
	short_tenor_months: int = 0
	short_benefit_per_day_pct: Decimal = ZERO
	short_late_fee_per_day_pct: Decimal = ZERO

	def __post_init__(self) -> None:
		for name in (
			"benefit_per_day_pct",
			"late_fee_per_day_pct",
			"total_pct",
			"short_benefit_per_day_pct",
			"short_late_fee_per_day_pct",
		):
			value = to_decimal(getattr(self, name))
			if not ZERO <= value <= HUNDRED:
				raise InvalidTerms(
					"A cap must be between 0% and 100%, got {value}% ({name}).", value=value, name=name
				)
			object.__setattr__(self, name, value)
		if int(self.short_tenor_months) < 0:
			raise InvalidTerms("The short-tenor limit must not be negative.")
		object.__setattr__(self, "short_tenor_months", int(self.short_tenor_months))

	def _short(self, tenor_months: int) -> bool:
		return bool(self.short_tenor_months) and int(tenor_months) <= self.short_tenor_months

	def benefit_cap(self, tenor_months: int) -> Decimal:
		"""The cap on interest + fees per day (%) for a loan of ``tenor_months``."""
		if self._short(tenor_months) and self.short_benefit_per_day_pct:
			return self.short_benefit_per_day_pct
		return self.benefit_per_day_pct

	def late_fee_cap(self, tenor_months: int) -> Decimal:
		"""The cap on late fees per day (% of the principal) for a loan of ``tenor_months``."""
		if self._short(tenor_months) and self.short_late_fee_per_day_pct:
			return self.short_late_fee_per_day_pct
		return self.late_fee_per_day_pct


@dataclass(frozen=True)
class BenefitCheck:
	"""Result of :func:`check_economic_benefit`: ``days`` of the loan, ``benefit`` (interest + fees, Rupiah),
	``per_day_pct`` (% of the principal per day, 4 decimals, rounded up), ``cap_pct`` (% per day),
	``max_benefit`` (Rupiah the cap allows over those days, the lower of the daily and the total cap),
	``passed``."""

	days: int
	benefit: Decimal
	per_day_pct: Decimal
	cap_pct: Decimal
	max_benefit: Decimal
	passed: bool

	def as_dict(self) -> dict:
		"""JSON-ready: numbers as strings, ``days`` an int, ``passed`` a bool."""
		return {
			"days": self.days,
			"economic_benefit": str(self.benefit),
			"per_day_pct": str(self.per_day_pct),
			"cap_per_day_pct": str(self.cap_pct),
			"max_economic_benefit": str(self.max_benefit),
			"within_cap": self.passed,
		}


def loan_days(start: date, maturity: date) -> int:
	"""Calendar days from ``start`` to ``maturity`` (at least 1)."""
	return max((maturity - start).days, 1)


def _floor_rupiah(amount: Decimal) -> Decimal:
	return amount.quantize(Decimal(1), rounding=ROUND_FLOOR)


def check_economic_benefit(
	principal,
	total_interest,
	total_fees,
	tenor_months: int,
	start: date,
	maturity: date,
	caps: OnlineLendingCaps,
) -> BenefitCheck:
	"""Whether a loan's interest + fees (Rupiah) stay within the OJK caps (``caps``).

	``principal``, ``total_interest``, ``total_fees``: Rupiah (fees: every fee of the product; late fees,
	stamp duty and tax are not part of the benefit); ``start``: the application (or disbursement) date;
	``maturity``: the last due date. Allowed: ``principal × cap(tenor) × days / 100``, and never more than
	``principal × total_pct / 100``, rounded down to whole Rupiah. Returns :class:`BenefitCheck`.
	Raises :class:`~pinjaman_online.lending.errors.InvalidTerms` for a principal not above 0.
	Source: SEOJK 19/SEOJK.06/2023 (module docstring)."""
	principal, total_interest, total_fees = (to_decimal(x) for x in (principal, total_interest, total_fees))
	if principal <= ZERO:
		raise InvalidTerms("The principal must be above 0, got {principal}.", principal=principal)
	days = loan_days(start, maturity)
	benefit = total_interest + total_fees
	cap = caps.benefit_cap(tenor_months)
	allowed = min(principal * cap * days / HUNDRED, principal * caps.total_pct / HUNDRED)
	max_benefit = _floor_rupiah(allowed)
	per_day = (benefit * HUNDRED / principal / days).quantize(Decimal("0.0001"), rounding=ROUND_CEILING)
	return BenefitCheck(days, benefit, per_day, cap, max_benefit, benefit <= max_benefit)


def ensure_within_caps(check: BenefitCheck) -> BenefitCheck:
	"""``check`` when it passed; raises :class:`EconomicBenefitCapExceeded` (English template with the
	figures) otherwise."""
	if check.passed:
		return check
	raise EconomicBenefitCapExceeded(
		"Interest and fees of {benefit} over {days} days are {per_day}% of the principal per day, above the OJK "
		"cap of {cap}% per day for online lending: at most {maximum} is allowed. Choose a smaller amount of "
		"fees, a lower rate or another tenor.",
		benefit=check.benefit,
		days=check.days,
		per_day=check.per_day_pct,
		cap=check.cap_pct,
		maximum=check.max_benefit,
	)


def late_fee_daily_limit(principal, tenor_months: int, caps: OnlineLendingCaps) -> Decimal:
	"""Rupiah of late fees one loan may accrue per day: ``principal × late_fee_cap(tenor) / 100``, rounded
	down to whole Rupiah. Source: SEOJK 19/SEOJK.06/2023 (late fees capped per day)."""
	return _floor_rupiah(to_decimal(principal) * caps.late_fee_cap(tenor_months) / HUNDRED)


def late_fee_room(
	principal, total_interest, total_fees, penalties_charged, caps: OnlineLendingCaps
) -> Decimal:
	"""Rupiah of late fees a loan may still accrue under the total cap: ``principal × total_pct / 100`` minus
	interest, fees and the late fees already charged (never below 0), rounded down. Source: SEOJK
	19/SEOJK.06/2023 (interest + fees + late fees ≤ 100% of the principal)."""
	principal, total_interest, total_fees, penalties_charged = (
		to_decimal(x) for x in (principal, total_interest, total_fees, penalties_charged)
	)
	room = principal * caps.total_pct / HUNDRED - total_interest - total_fees - penalties_charged
	return max(ZERO, _floor_rupiah(room))
