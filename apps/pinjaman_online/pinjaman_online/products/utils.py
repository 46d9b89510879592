"""Loan products: limits, terms and simulation (seed 004 §5 Loan Product & Pricing)."""

from datetime import date
from decimal import Decimal

import frappe
from frappe import _
from frappe.utils import cint, flt, getdate, today

from pinjaman_online.lending import pricing
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
	product, principal, tenor_months: int, first_due_date=None, annual_rate=None, method=None, start=None
) -> Simulation:
	"""Simulation of a loan on ``product``: installment, total interest, fees and net disbursement.

	An Online Loan product is refused (417 ``ECONOMIC_BENEFIT_CAP``, the figures in the message) when its
	interest and fees exceed the OJK caps of settings (:func:`check_online_caps`) over the days from
	``start`` (the application date; default today) to the last due date."""
	check_within_limits(product, principal, tenor_months)
	terms = terms_for(product, principal, tenor_months, first_due_date, annual_rate, method)
	try:
		sim = simulate(terms, fee_rules(product))
	except LendingError as exc:
		throw_lending_error(exc, _("Invalid loan terms"))
	check = check_online_caps(product, sim, start)
	if check is not None:
		try:
			pricing.ensure_within_caps(check)
		except LendingError as exc:
			throw_lending_error(exc, _("Above the OJK cap"))
	return sim


# ---------------------------------------------------------------- online lending: rate per day, OJK caps


def percent_value(value) -> Decimal:
	"""A Percent field's value as a Decimal to 3 decimals (``to_money`` keeps 2, too few for 0.095%/day)."""
	return Decimal(str(flt(value, 3)))


def daily_rate(product) -> Decimal:
	"""The product's interest per day (% per day); 0 unless it is quoted per day."""
	return (
		percent_value(product.get("daily_interest_rate"))
		if product.get("rate_basis") == "Per Day"
		else Decimal(0)
	)


def online_caps() -> pricing.OnlineLendingCaps | None:
	"""The OJK caps of Pinjaman Online Settings (section *Online Lending Caps*; defaults and source there:
	SEOJK 19/SEOJK.06/2023), or None when they are switched off. A cap of 0 means none (100%; the total
	cap is never above 100% of the principal)."""
	settings = frappe.get_cached_doc("Pinjaman Online Settings")
	if not cint(settings.get("online_caps_enabled")):
		return None

	def cap(fieldname: str, none=Decimal(100)) -> Decimal:
		value = percent_value(settings.get(fieldname))
		return value if value > 0 else none

	return pricing.OnlineLendingCaps(
		benefit_per_day_pct=cap("ojk_benefit_cap_per_day"),
		late_fee_per_day_pct=cap("ojk_late_fee_cap_per_day"),
		total_pct=cap("ojk_total_cap"),
		short_tenor_months=cint(settings.get("ojk_short_tenor_months")),
		short_benefit_per_day_pct=cap("ojk_short_benefit_cap_per_day", Decimal(0)),
		short_late_fee_per_day_pct=cap("ojk_short_late_fee_cap_per_day", Decimal(0)),
	)


def capped(product) -> pricing.OnlineLendingCaps | None:
	"""The OJK caps when ``product`` is an Online Loan product and the caps are on, else None."""
	if product.get("product_type") != "Online Loan":
		return None
	return online_caps()


def check_online_caps(product, sim: Simulation, start=None) -> pricing.BenefitCheck | None:
	"""The economic-benefit check of a simulated loan on ``product`` (None when the product is not capped):
	interest + every fee of the product over the days from ``start`` (default today) to maturity."""
	caps = capped(product)
	if caps is None:
		return None
	try:
		return pricing.check_economic_benefit(
			sim.schedule.terms.principal,
			sim.total_interest,
			sim.total_fees,
			sim.schedule.terms.tenor_months,
			getdate(start or today()),
			sim.schedule.maturity_date,
			caps,
		)
	except LendingError as exc:
		throw_lending_error(exc, _("Invalid loan terms"))
