"""Loan product actions (seed 004 API §5)."""

import frappe

from pinjaman_online.api import Date, Money, Months, endpoint
from pinjaman_online.products.utils import simulate_product


@frappe.whitelist(methods=["GET", "POST"])
@endpoint
def simulate(loan_product: str, principal: Money, tenor: Months, first_due_date: Date | None = None) -> dict:
	"""`GET /loan-products/{id}/simulation?plafon=…&tenor=…`.

	``principal`` (plafon) in Rupiah, ``tenor`` in months, optional ``first_due_date`` (YYYY-MM-DD, default one
	month from today). Returns installment, total interest, fees, net disbursement and the schedule, amounts
	as decimal strings in Rupiah. 417 with a message when outside the product's limits.
	"""
	product = frappe.get_doc("Loan Product", loan_product)
	product.check_permission("read")
	return simulate_product(product, str(principal), tenor, first_due_date).as_dict()
