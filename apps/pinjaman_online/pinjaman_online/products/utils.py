"""Loan products: limits, terms and simulation (seed 004 §5 Loan Product & Pricing)."""

from datetime import date

import frappe
from frappe import _
from frappe.utils import cint, getdate, today

from pinjaman_online.lending.dates import first_due_date
from pinjaman_online.lending.errors import LendingError
from pinjaman_online.lending.fees import FeeRule
from pinjaman_online.lending.money import format_rupiah
from pinjaman_online.lending.schedule import LoanTerms
from pinjaman_online.lending.simulation import Simulation, simulate
from pinjaman_online.utils import throw_lending_error, to_money


class ProductLimitError(frappe.ValidationError):
	pass


def fee_rules(product) -> list[FeeRule]:
	"""The product's fee rows as core FeeRules (percent of principal or fixed amount in Rupiah)."""
	rules = []
	for row in product.fees:
		value = row.percent if row.basis == "Percent" else row.amount
		rules.append(FeeRule(row.fee_type, row.basis, to_money(value), bool(row.deduct_from_disbursement)))
	return rules


def default_first_due_date(start: date | str | None = None, product=None) -> date:
	"""The first installment's due date of an application made on ``start`` (default today), when none is
	given: the rule of ``lending.dates.first_due_date`` with ``product``'s cut-off day and due day (one month
	after ``start`` without a product or a cut-off day)."""
	cutoff = cint(product.get("cutoff_day")) if product else 0
	due_day = cint(product.get("due_day")) if product else 0
	return first_due_date(getdate(start or today()), cutoff or None, due_day or None)


def check_within_limits(product, principal, tenor_months: int):
	"""Raise ProductLimitError when the product is disabled or principal/tenor lie outside its bounds."""
	if not product.enabled:
		frappe.throw(
			_("Loan product {0} is disabled").format(frappe.bold(product.name)), exc=ProductLimitError
		)
	principal = to_money(principal)
	if not to_money(product.min_principal) <= principal <= to_money(product.max_principal):
		frappe.throw(
			_("Principal must be between {0} and {1} for {2}").format(
				format_rupiah(to_money(product.min_principal)),
				format_rupiah(to_money(product.max_principal)),
				product.name,
			),
			title=_("Outside product limits"),
			exc=ProductLimitError,
		)
	if not int(product.min_tenor_months) <= int(tenor_months) <= int(product.max_tenor_months):
		frappe.throw(
			_("Tenor must be between {0} and {1} months for {2}").format(
				product.min_tenor_months, product.max_tenor_months, product.name
			),
			title=_("Outside product limits"),
			exc=ProductLimitError,
		)


def terms_for(
	product, principal, tenor_months: int, first_due_date=None, annual_rate=None, method=None
) -> LoanTerms:
	"""Core LoanTerms from a product, with optional per-application rate, method and first due date."""
	try:
		return LoanTerms(
			principal=to_money(principal),
			annual_rate_pct=to_money(product.annual_interest_rate if annual_rate is None else annual_rate),
			tenor_months=int(tenor_months),
			interest_method=method or product.interest_method,
			first_due_date=getdate(first_due_date)
			if first_due_date
			else default_first_due_date(product=product),
			rounding_unit=to_money(product.rounding_unit or 1),
		)
	except LendingError as exc:
		throw_lending_error(exc, _("Invalid loan terms"))


def simulate_product(
	product, principal, tenor_months: int, first_due_date=None, annual_rate=None, method=None
) -> Simulation:
	"""Simulation of a loan on ``product``: installment, total interest, fees and net disbursement."""
	check_within_limits(product, principal, tenor_months)
	terms = terms_for(product, principal, tenor_months, first_due_date, annual_rate, method)
	try:
		return simulate(terms, fee_rules(product))
	except LendingError as exc:
		throw_lending_error(exc, _("Invalid loan terms"))
