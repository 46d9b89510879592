"""Restructuring (restrukturisasi): the new terms a loan's outstanding principal is rescheduled on
(seed 004 §4 LMS: "Restrukturisasi (perpanjangan, penurunan bunga, penundaan)").

The installments due before the effective date stay as they are (still owed); the unpaid principal of the
later ones is rescheduled from the next due date on:

* ``Tenor Extension``: over ``new_tenor_months`` (> the remaining number of installments), same rate;
* ``Rate Reduction``: at ``new_annual_rate_pct`` (< the current rate), over the remaining installments;
* ``Payment Deferral``: the first new due date moves ``deferral_months`` months later; same rate and count.
"""

from datetime import date
from decimal import Decimal

from .dates import add_months
from .errors import InvalidTerms
from .money import to_decimal
from .schedule import LoanTerms

TENOR_EXTENSION = "Tenor Extension"
RATE_REDUCTION = "Rate Reduction"
PAYMENT_DEFERRAL = "Payment Deferral"
KINDS = (TENOR_EXTENSION, RATE_REDUCTION, PAYMENT_DEFERRAL)


def restructured_terms(
	kind: str,
	outstanding_principal: Decimal,
	annual_rate_pct: Decimal,
	remaining_installments: int,
	next_due_date: date,
	interest_method: str,
	rounding_unit: Decimal,
	new_tenor_months: int | None = None,
	new_annual_rate_pct: Decimal | None = None,
	deferral_months: int = 0,
) -> LoanTerms:
	"""The LoanTerms of the rescheduled part. Amounts in Rupiah, rates in percent per year, tenors in months.

	Raises :class:`~pinjaman_online.lending.errors.InvalidTerms` for an unknown kind, nothing to reschedule,
	an extension that does not extend, a reduction that does not reduce, or a deferral under 1 month.
	"""
	principal = to_decimal(outstanding_principal)
	rate = to_decimal(annual_rate_pct)
	if kind not in KINDS:
		raise InvalidTerms(f"Unknown restructuring {kind!r}; expected one of: {', '.join(KINDS)}.")
	if principal <= 0 or remaining_installments < 1:
		raise InvalidTerms("Nothing left to restructure: no unpaid principal after the effective date.")
	tenor, first_due = remaining_installments, next_due_date
	if kind == TENOR_EXTENSION:
		if not new_tenor_months or new_tenor_months <= remaining_installments:
			raise InvalidTerms(
				f"A tenor extension needs more than the {remaining_installments} remaining months, got {new_tenor_months}."
			)
		tenor = new_tenor_months
	elif kind == RATE_REDUCTION:
		new_rate = None if new_annual_rate_pct is None else to_decimal(new_annual_rate_pct)
		if new_rate is None or new_rate >= rate:
			raise InvalidTerms(
				f"A rate reduction needs a rate below the current {rate}% per year, got {new_rate}."
			)
		rate = new_rate
	else:
		if deferral_months < 1:
			raise InvalidTerms("A payment deferral needs at least 1 month.")
		first_due = add_months(next_due_date, deferral_months)
	return LoanTerms(principal, rate, tenor, interest_method, first_due, to_decimal(rounding_unit))
