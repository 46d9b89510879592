"""Loan simulation: schedule plus fees plus what the borrower receives.

Backs the endpoint ``GET /loan-products/{id}/simulation?plafon=...&tenor=...`` of seed 004 §5 Loan Product
& Pricing: the caller builds :class:`~pinjaman_online.lending.schedule.LoanTerms` from the product and the
query, passes the product's :class:`~pinjaman_online.lending.fees.FeeRule` list, and returns
``simulate(...).as_dict()``.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from .errors import InvalidTerms
from .fees import FeeRule, compute_fee
from .money import ZERO, format_rupiah
from .schedule import LoanTerms, Schedule, generate_schedule


@dataclass(frozen=True)
class Simulation:
	"""Result of :func:`simulate` (seed 004 §5); all amounts in Rupiah.

	* ``schedule``: the full :class:`~pinjaman_online.lending.schedule.Schedule`;
	* ``installment``: the regular monthly installment (first row's total);
	* ``total_interest``: interest over the whole tenor;
	* ``fees``: ``(fee_type, amount)`` per fee rule, in the order the rules were given;
	* ``total_fees``: sum of all fees, deducted or not;
	* ``net_disbursement``: principal minus the fees deducted from disbursement (dana diterima);
	* ``total_payable``: sum of all installments (principal + interest). Fees not deducted from the
	  disbursement are payable separately and are not included (see :attr:`fees_not_deducted`).
	"""

	schedule: Schedule
	installment: Decimal
	total_interest: Decimal
	fees: tuple[tuple[str, Decimal], ...]
	total_fees: Decimal
	net_disbursement: Decimal
	total_payable: Decimal

	@property
	def fees_not_deducted(self) -> Decimal:
		"""Rupiah of fees not deducted from the disbursement, i.e. payable separately by the borrower."""
		deducted = self.schedule.terms.principal - self.net_disbursement
		return self.total_fees - deducted

	def as_dict(self) -> dict:
		"""Return a JSON-ready ``dict``: Decimals as strings, dates as ISO ``YYYY-MM-DD``.

		Keys: ``principal``, ``annual_rate_pct``, ``tenor_months`` (int), ``interest_method`` (``"Flat"``/
		``"Annuity"``), ``rounding_unit``, ``first_due_date``, ``maturity_date``, ``installment``,
		``total_interest``, ``fees`` (list of ``{"fee_type", "amount"}``), ``total_fees``,
		``net_disbursement``, ``total_payable`` and ``schedule`` (list of rows with ``number`` (int),
		``due_date``, ``principal``, ``interest``, ``total``, ``balance_after``).
		"""
		terms = self.schedule.terms
		return {
			"principal": str(terms.principal),
			"annual_rate_pct": str(terms.annual_rate_pct),
			"tenor_months": terms.tenor_months,
			"interest_method": terms.interest_method.value,
			"rounding_unit": str(terms.rounding_unit),
			"first_due_date": terms.first_due_date.isoformat(),
			"maturity_date": self.schedule.maturity_date.isoformat(),
			"installment": str(self.installment),
			"total_interest": str(self.total_interest),
			"fees": [{"fee_type": fee_type, "amount": str(amount)} for fee_type, amount in self.fees],
			"total_fees": str(self.total_fees),
			"net_disbursement": str(self.net_disbursement),
			"total_payable": str(self.total_payable),
			"schedule": [row.as_dict() for row in self.schedule.installments],
		}


def simulate(terms: LoanTerms, fee_rules: Iterable[FeeRule]) -> Simulation:
	"""Simulate a loan: generate the schedule and apply the product's fees.

	``terms``: validated :class:`~pinjaman_online.lending.schedule.LoanTerms`; ``fee_rules``: the product's
	fee rules (may be empty). ``net_disbursement = principal - sum(fees deducted from disbursement)``.

	Raises :class:`~pinjaman_online.lending.errors.InvalidTerms` if the fees deducted from disbursement
	exceed the principal (nothing would be paid out) or a rule is not a ``FeeRule``.
	Source: seed 004 §5 Loan Product & Pricing, ``GET /loan-products/{id}/simulation?plafon=...&tenor=...``.
	"""
	schedule = generate_schedule(terms)
	fees: list[tuple[str, Decimal]] = []
	deducted = ZERO
	for rule in fee_rules:
		if not isinstance(rule, FeeRule):
			raise InvalidTerms(f"Fee rules must be FeeRule objects, got {type(rule).__name__}.")
		amount = compute_fee(rule, terms.principal)
		fees.append((rule.fee_type, amount))
		if rule.deduct_from_disbursement:
			deducted += amount
	net = terms.principal - deducted
	if net < ZERO:
		raise InvalidTerms(
			f"Fees deducted from the disbursement ({format_rupiah(deducted)}) exceed the principal "
			f"({format_rupiah(terms.principal)})."
		)
	return Simulation(
		schedule=schedule,
		installment=schedule.regular_installment,
		total_interest=schedule.total_interest,
		fees=tuple(fees),
		total_fees=sum((amount for _, amount in fees), ZERO),
		net_disbursement=net,
		total_payable=schedule.total_payable,
	)
