"""Early settlement (pelunasan dipercepat) payoff quote (seed 004 §4 LMS: "Pelunasan dipercepat + denda penalti").

Payoff = outstanding principal + interest accrued to the settlement date + unpaid penalties + the product's
early-settlement penalty.

* Interest accrued: the unpaid interest of every installment due on or before the settlement date, plus the
  interest of the current period (the first installment due after the date) pro rata to the days elapsed in
  that period (actual days / actual days of the period), rounded half up to whole Rupiah, less what was already
  paid of it (never below 0). Interest of later periods is waived.
* Early-settlement penalty: ``early_settlement_pct`` percent of the outstanding principal, whole Rupiah half up.
"""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from .errors import InvalidPayment
from .money import ZERO, percent_of, round_rupiah, to_decimal


@dataclass(frozen=True)
class PayoffLine:
	"""One installment as the payoff sees it (Rupiah): its period ``period_start`` (previous due date or the
	disbursement date) to ``due_date``, unpaid principal, scheduled interest, interest already paid, unpaid
	penalty."""

	number: int
	period_start: date
	due_date: date
	principal_unpaid: Decimal
	interest_scheduled: Decimal
	interest_paid: Decimal
	penalty_unpaid: Decimal


@dataclass(frozen=True)
class PayoffQuote:
	"""What settles the loan on ``as_of`` (Rupiah). ``interest_by_installment``: the interest each installment
	keeps (accrued); ``waived_interest``: scheduled interest given up; ``total`` = principal + interest +
	penalty + fee."""

	as_of: date
	principal: Decimal
	interest: Decimal
	penalty: Decimal
	fee: Decimal
	waived_interest: Decimal
	interest_by_installment: dict

	@property
	def total(self) -> Decimal:
		return self.principal + self.interest + self.penalty + self.fee

	def as_dict(self) -> dict:
		return {
			"as_of": self.as_of.isoformat(),
			"principal": str(self.principal),
			"interest": str(self.interest),
			"penalty": str(self.penalty),
			"early_settlement_fee": str(self.fee),
			"waived_interest": str(self.waived_interest),
			"total": str(self.total),
		}


def payoff_quote(lines: list[PayoffLine], as_of: date, early_settlement_pct: Decimal) -> PayoffQuote:
	"""Quote the early settlement of a loan whose live installments are ``lines`` (any order) on ``as_of``.

	Raises :class:`~pinjaman_online.lending.errors.InvalidPayment` when nothing is outstanding.
	"""
	lines = sorted(lines, key=lambda line: (line.due_date, line.number))
	principal = sum((to_decimal(line.principal_unpaid) for line in lines), ZERO)
	if principal <= ZERO and not any(
		to_decimal(line.interest_scheduled) > to_decimal(line.interest_paid) for line in lines
	):
		raise InvalidPayment("The loan has nothing outstanding to settle.")
	interest = penalty = waived = ZERO
	kept: dict[int, Decimal] = {}
	current_seen = False
	for line in lines:
		scheduled = to_decimal(line.interest_scheduled)
		paid = to_decimal(line.interest_paid)
		penalty += to_decimal(line.penalty_unpaid)
		if line.due_date <= as_of:
			keep = scheduled
		elif not current_seen:
			current_seen = True
			period = (line.due_date - line.period_start).days
			elapsed = min(max((as_of - line.period_start).days, 0), period)
			keep = round_rupiah(scheduled * elapsed / period) if period > 0 else scheduled
		else:
			keep = ZERO
		keep = max(keep, paid)  # interest already paid is never given back
		kept[line.number] = keep
		interest += keep - paid
		waived += scheduled - keep
	fee = percent_of(principal, to_decimal(early_settlement_pct))
	return PayoffQuote(as_of, principal, interest, penalty, fee, waived, kept)
