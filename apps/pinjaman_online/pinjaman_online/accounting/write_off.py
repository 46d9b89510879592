"""Write-off of a loan and recoveries after it.

A *Loan Write-off* (workflow *Loan Write-off Approval*: proposed by Finance or a Koperasi Admin, approved by a
Director, never by its proposer) takes the loan off the books when approved (submitted):

- journal ``Write-off``: Cr loan_principal_receivable = the loan's outstanding principal, charged first to the
  allowance for losses as far as it is booked (Dr allowance_for_losses), the rest to Dr write_off_expense
  (lending.provisioning.write_off_split); interest and penalty receivable the ledger holds for the loan
  (accrual basis) are credited too, against write_off_expense;
- the loan moves to *Written Off* through the one writer of loan state (``servicing.state.set_status``). Its
  figures stay as they are: the member still owes them.

Cancelling the write-off (Director) posts the mirror journal and returns the loan to *Default*; it is refused
while a recovery of the loan is submitted. A *Loan Recovery* records money received on a written-off loan:
Dr the channel's clearing account, Cr recovery_income (journal ``Recovery``); cancelling it posts the mirror.
"""

from decimal import Decimal

import frappe

from pinjaman_online.accounting.report.common import accounts_of_role, money

ZERO = Decimal(0)
LIVE = ("Active", "Default")


def loan_receivable(loan: str, role: str, at) -> Decimal:
	"""Debit balance of the accounts mapped to ``role`` for ``loan``, entries up to ``at`` (Rupiah)."""
	accounts = accounts_of_role(role)
	if not accounts:
		return ZERO
	return money(
		frappe.db.sql(
			"""select sum(debit - credit) from `tabLedger Entry`
			where loan = %(loan)s and account in %(accounts)s and posting_date <= %(at)s""",
			{"loan": loan, "accounts": accounts, "at": at},
		)[0][0]
	)


def write_off_figures(loan, posting_date) -> dict:
	"""What writing off ``loan`` (a Loan row with ``outstanding_principal``) on ``posting_date`` charges:
	``principal``, ``accrued_receivable`` (interest + penalty receivable in the ledger), ``from_allowance``,
	``to_expense`` (Rupiah)."""
	from pinjaman_online.accounting.provisioning import booked_allowance
	from pinjaman_online.lending.provisioning import write_off_split

	principal = money(loan.outstanding_principal)
	accrued = loan_receivable(loan.name, "interest_receivable", posting_date) + loan_receivable(
		loan.name, "penalty_receivable", posting_date
	)
	from_allowance, to_expense = write_off_split(principal, max(booked_allowance(posting_date), ZERO))
	return {
		"principal": principal,
		"accrued_receivable": max(accrued, ZERO),
		"from_allowance": from_allowance,
		"to_expense": to_expense + max(accrued, ZERO),
	}


def write_off_lines(doc) -> list:
	"""The journal lines of a Loan Write-off ``doc`` whose figures are filled in."""
	from pinjaman_online.lending.ledger import compact, cr, dr

	interest = max(loan_receivable(doc.loan, "interest_receivable", doc.posting_date), ZERO)
	penalty = max(loan_receivable(doc.loan, "penalty_receivable", doc.posting_date), ZERO)
	return compact(
		[
			dr("allowance_for_losses", money(doc.from_allowance)),
			dr("write_off_expense", money(doc.to_expense)),
			cr("loan_principal_receivable", money(doc.principal)),
			cr("interest_receivable", interest),
			cr("penalty_receivable", penalty),
		]
	)
