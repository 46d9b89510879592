"""Loan product actions (seed 004 API §5)."""

import frappe

from pinjaman_online.api import Date, Money, Months, endpoint
from pinjaman_online.products.utils import (
	check_online_caps,
	daily_rate,
	default_first_due_date,
	simulate_product,
)


@frappe.whitelist(methods=["GET", "POST"])
@endpoint
def simulate(loan_product: str, principal: Money, tenor: Months, first_due_date: Date | None = None) -> dict:
	"""`GET /loan-products/{id}/simulation?plafon=…&tenor=…`.

	``principal`` (plafon) in Rupiah, ``tenor`` in months, optional ``first_due_date`` (YYYY-MM-DD, default one
	month from today). Returns installment, total interest, fees, net disbursement and the schedule, amounts
	as decimal strings in Rupiah. 417 with a message when outside the product's limits, or (Online Loan
	products) when interest and fees exceed the OJK caps (``ECONOMIC_BENEFIT_CAP``). ``rate_basis`` and
	``daily_rate_pct`` say how the product quotes its rate; ``ojk_cap`` (Online Loan products, caps on) has
	the loan's days, economic benefit, its share per day and the cap.
	"""
	product = frappe.get_doc("Loan Product", loan_product)
	product.check_permission("read")
	sim = simulate_product(product, str(principal), tenor, first_due_date)
	check = check_online_caps(product, sim)
	return sim.as_dict() | {
		"rate_basis": product.get("rate_basis") or "Per Year",
		"daily_rate_pct": str(daily_rate(product)) if product.get("rate_basis") == "Per Day" else None,
		"ojk_cap": check.as_dict() if check else None,
	}


@frappe.whitelist(methods=["GET", "POST"])
@endpoint
def first_due_date(loan_product: str, application_date: Date | None = None) -> dict:
	"""The first due date of an application made on ``application_date`` (YYYY-MM-DD, default today) for
	``loan_product``: from the product's cut-off day and due day (rule: ``lending.dates.first_due_date``).

	Returns ``{"first_due_date": "YYYY-MM-DD"}``; 403 without read access to the product, 404 when it does
	not exist, 417 for a malformed date.
	"""
	product = frappe.get_doc("Loan Product", loan_product)
	product.check_permission("read")
	return {"first_due_date": str(default_first_due_date(application_date, product))}
