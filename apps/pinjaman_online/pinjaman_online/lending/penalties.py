"""Late-payment penalties (denda keterlambatan), accrued day by day (seed 004 §4 LMS step 5, §5 penalty_rules).

Rule: after a grace period of ``grace_days`` days past an installment's due date, each day accrues
``daily_rate_pct`` percent of what is still unpaid on that installment (principal + interest, penalties
excluded), rounded half up to whole Rupiah per accrual; the penalty charged on one installment never exceeds
``cap_pct`` percent of the installment's total. Accrual is incremental from the last date accrued, so running
it twice for the same date adds nothing (the daily job is idempotent).

The caps that apply to online lending (SEOJK 19/SEOJK.06/2023: late fees capped per day, and interest + fees +
late fees ≤ 100% of principal) apply per loan on top of the product's rule: :class:`LoanLateFeeBudget`, with
the figures of settings (:mod:`.pricing`), never constants here.
"""

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from .errors import InvalidTerms
from .money import HUNDRED, ZERO, percent_of, to_decimal


@dataclass(frozen=True)
class PenaltyRule:
	"""A product's penalty rule: ``grace_days`` (days), ``daily_rate_pct`` (% per day of the unpaid
	installment), ``cap_pct`` (% of the installment total; ``None`` = no cap).

	Raises :class:`~pinjaman_online.lending.errors.InvalidTerms` for negative values or a rate above 100%.
	"""

	grace_days: int
	daily_rate_pct: Decimal
	cap_pct: Decimal | None = None

	def __post_init__(self) -> None:
		rate = to_decimal(self.daily_rate_pct)
		cap = None if self.cap_pct is None else to_decimal(self.cap_pct)
		if int(self.grace_days) < 0:
			raise InvalidTerms("Grace days must not be negative.")
		if not ZERO <= rate <= HUNDRED:
			raise InvalidTerms(f"Daily penalty rate must be between 0% and 100%, got {rate}%.")
		if cap is not None and cap < ZERO:
			raise InvalidTerms(f"Penalty cap must not be negative, got {cap}%.")
		object.__setattr__(self, "grace_days", int(self.grace_days))
		object.__setattr__(self, "daily_rate_pct", rate)
		object.__setattr__(self, "cap_pct", cap)


@dataclass(frozen=True)
class Accrual:
	"""Result of :func:`accrue`: ``amount`` Rupiah to add, ``days`` accrued, ``accrued_to`` the new last date."""

	amount: Decimal
	days: int
	accrued_to: date | None


def accrual_start(due_date: date, rule: PenaltyRule) -> date:
	"""The first day that accrues a penalty: the due date + grace days (that day's accrual counts from it)."""
	return due_date + timedelta(days=rule.grace_days)


def accrue(
	rule: PenaltyRule,
	due_date: date,
	installment_total: Decimal,
	unpaid: Decimal,
	charged_so_far: Decimal,
	last_accrued: date | None,
	as_of: date,
) -> Accrual:
	"""Penalty to add on one installment for the days from its last accrual up to ``as_of``.

	``installment_total``: the installment (principal + interest, Rupiah); ``unpaid``: what is still unpaid
	of it (Rupiah, penalties excluded); ``charged_so_far``: penalty already charged on it (Rupiah);
	``last_accrued``: the date up to which it was accrued (``None`` if never). Days counted = ``as_of`` −
	max(due date + grace, last_accrued). Nothing accrues while unpaid is 0 or within the grace period, and
	never past the cap. Returns :class:`Accrual`; ``accrued_to`` is ``as_of`` whenever accrual applied, so a
	second call with the same ``as_of`` returns 0.
	"""
	installment_total, unpaid, charged_so_far = (
		to_decimal(x) for x in (installment_total, unpaid, charged_so_far)
	)
	start = accrual_start(due_date, rule)
	since = max(start, last_accrued) if last_accrued else start
	days = (as_of - since).days
	if days <= 0 or unpaid <= ZERO:
		return Accrual(ZERO, 0, last_accrued if days <= 0 else as_of)
	amount = percent_of(unpaid, rule.daily_rate_pct * days)  # whole Rupiah, half up
	if rule.cap_pct is not None:
		room = max(ZERO, percent_of(installment_total, rule.cap_pct) - charged_so_far)
		amount = min(amount, room)
	return Accrual(amount, days, as_of)


class LoanLateFeeBudget:
	"""What late fees one loan may still accrue in one run, under the OJK caps (SEOJK 19/SEOJK.06/2023).

	``daily_limit``: Rupiah per day for the whole loan (:func:`~pinjaman_online.lending.pricing.
	late_fee_daily_limit`), ``None`` = no daily cap; ``room``: Rupiah left under the total cap (interest + fees
	+ late fees ≤ the principal; :func:`~pinjaman_online.lending.pricing.late_fee_room`), ``None`` = no total
	cap. The accruals of one run all end on the same date, so the days they cover together are the longest
	of them: the run may charge at most ``daily_limit × that many days``, and never more than ``room``.
	:meth:`limit` takes the installments' accruals one by one (oldest installment first) and cuts each to
	what is left; the days stay accrued (a capped late fee is not charged later).
	"""

	def __init__(self, daily_limit: Decimal | None, room: Decimal | None) -> None:
		self.daily_limit = None if daily_limit is None else max(ZERO, to_decimal(daily_limit))
		self.room = None if room is None else max(ZERO, to_decimal(room))
		self.days = 0
		self.used = ZERO

	def limit(self, accrual: Accrual) -> Accrual:
		"""``accrual`` with its amount cut to what the loan may still accrue; records what it takes."""
		if accrual.amount <= ZERO:
			return accrual
		self.days = max(self.days, accrual.days)
		allowed = []
		if self.daily_limit is not None:
			allowed.append(self.daily_limit * self.days)
		if self.room is not None:
			allowed.append(self.room)
		if not allowed:
			return accrual
		amount = min(accrual.amount, max(ZERO, min(allowed) - self.used))
		self.used += amount
		return Accrual(amount, accrual.days, accrual.accrued_to)
