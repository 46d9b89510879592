"""The OJK caps on late fees of online loans, for the daily run's penalty accrual (``servicing/daily.py``).

Per loan of an Online Loan product, with the caps of Pinjaman Online Settings (``products.utils.online_caps``):
at most ``late fee cap × principal`` per day for all its installments together, and interest + fees + late
fees never above the total cap of the principal. The rule is ``lending.penalties.LoanLateFeeBudget``; this
module reads each loan's figures for it in one query.
"""

import frappe

from pinjaman_online.lending.penalties import LoanLateFeeBudget
from pinjaman_online.lending.pricing import late_fee_daily_limit, late_fee_room
from pinjaman_online.utils import to_money


def late_fee_budgets(loans: list[str]) -> dict[str, LoanLateFeeBudget]:
	"""A :class:`LoanLateFeeBudget` for each loan of ``loans`` on an Online Loan product while the caps are on
	(others are absent: no cap beyond their product's penalty rule). The room counts the loan's total interest,
	total fees and every late fee already charged on its installments (accrued or entered by staff)."""
	from pinjaman_online.products.utils import online_caps

	if not loans:
		return {}
	caps = online_caps()
	if caps is None:
		return {}
	rows = frappe.db.sql(
		f"""SELECT l.name, l.principal, l.tenor_months, l.total_interest, l.total_fees,
			(SELECT COALESCE(SUM(i.penalty_amount), 0) FROM `tabLoan Installment` i
				WHERE i.loan = l.name AND i.status != 'Cancelled') AS penalties
		FROM `tabLoan` l JOIN `tabLoan Product` p ON p.name = l.loan_product
		WHERE l.name IN ({", ".join(["%s"] * len(loans))}) AND p.product_type = 'Online Loan'""",
		tuple(loans),
		as_dict=True,
	)
	return {
		row.name: LoanLateFeeBudget(
			late_fee_daily_limit(to_money(row.principal), int(row.tenor_months or 0), caps),
			late_fee_room(
				to_money(row.principal),
				to_money(row.total_interest),
				to_money(row.total_fees),
				to_money(row.penalties),
				caps,
			),
		)
		for row in rows
	}
