"""Loan Penalty Accrual: the late-payment penalty the daily run accrued on one installment on one date
(rule, days, amount in Rupiah). Named ``<installment>/<date>`` by the run, so an installment accrues at most
once per date whatever happens to the run; nobody writes it through any door."""

import frappe
from frappe.model.document import Document


class LoanPenaltyAccrual(Document):
	pass


def on_doctype_update():
	"""Indexes: one accrual per installment and date; a loan's accruals."""
	frappe.db.add_unique("Loan Penalty Accrual", ["loan_installment", "accrual_date"])
	frappe.db.add_index("Loan Penalty Accrual", ["loan", "accrual_date"])
