"""Ledger vs Loans: the principal receivable accounts of the ledger against the loans' outstanding principal at
a date, per loan and in total, with the difference (ledger − loans). Zero on every row when every change of a
loan's principal posted its journal.

The loans' side at a date:
- today or later: each disbursed loan's ``outstanding_principal`` as stored on the Loan (Active, Default,
  Closed; a Written Off loan is off the books);
- an earlier date: recomputed from the documents dated up to it: the principal of loans disbursed (submitted
  Loan Disbursement), less the principal of Loan Payments posted (submitted, or cancelled by a Payment Reversal
  dated after the date), less the principal of submitted Loan Write-offs.
"""

from datetime import date
from decimal import Decimal

import frappe
from frappe import _
from frappe.utils import getdate, today

from pinjaman_online.accounting.report.common import accounts_of_role, as_of, check_access, money, shown
from pinjaman_online.lending.statements import ledger_vs_loans

RECEIVABLE_ROLE = "loan_principal_receivable"
ON_BOOKS = ("Active", "Default", "Closed")


def ledger_by_loan(at: date) -> dict[str | None, Decimal]:
	"""Balance (debit − credit) of the principal receivable accounts per loan, entries up to ``at``."""
	accounts = accounts_of_role(RECEIVABLE_ROLE)
	if not accounts:
		return {}
	rows = frappe.db.sql(
		"""select e.loan, sum(e.debit - e.credit) from `tabLedger Entry` e
		where e.account in %(accounts)s and e.posting_date <= %(at)s group by e.loan""",
		{"accounts": accounts, "at": at},
	)
	return {loan or None: money(balance) for loan, balance in rows}


def loans_outstanding(at: date) -> dict[str, Decimal]:
	"""Outstanding principal per loan at ``at`` (see the module docstring)."""
	if at >= getdate(today()):
		rows = frappe.db.sql(
			"""select name, outstanding_principal from `tabLoan`
			where status in %(statuses)s and exists (select 1 from `tabLoan Disbursement` d
				where d.loan = `tabLoan`.name and d.docstatus = 1)""",
			{"statuses": ON_BOOKS},
		)
		return {name: money(amount) for name, amount in rows}
	values = {"at": at}
	out: dict[str, Decimal] = {}
	for name, principal in frappe.db.sql(
		"""select l.name, l.principal from `tabLoan` l where exists (select 1 from `tabLoan Disbursement` d
			where d.loan = l.name and d.docstatus = 1 and d.disbursement_date <= %(at)s)""",
		values,
	):
		out[name] = money(principal)
	for loan, paid in frappe.db.sql(
		"""select p.loan, sum(p.total_principal) from `tabLoan Payment` p
		where p.posting_date <= %(at)s and (p.docstatus = 1 or (p.docstatus = 2 and exists (
			select 1 from `tabPayment Reversal` r where r.loan_payment = p.name and r.docstatus = 1
				and r.reversal_date > %(at)s)))
		group by p.loan""",
		values,
	):
		if loan in out:
			out[loan] -= money(paid)
	if frappe.db.table_exists("Loan Write-off"):
		for loan, principal in frappe.db.sql(
			"""select loan, sum(principal) from `tabLoan Write-off`
			where docstatus = 1 and posting_date <= %(at)s group by loan""",
			values,
		):
			if loan in out:
				out[loan] -= money(principal)
	return out


def execute(filters=None):
	check_access()
	filters = filters or {}
	at = as_of(filters)
	rows, total = ledger_vs_loans(ledger_by_loan(at), loans_outstanding(at), bool(filters.get("show_zero")))
	if filters.get("only_differences"):
		rows = [r for r in rows if r.difference]
	data = [
		{"loan": r.loan, "ledger": r.ledger, "loans": r.loans, "difference": r.difference}
		if r.loan
		else {
			"loan_label": _("Entries without a loan"),
			"ledger": r.ledger,
			"loans": r.loans,
			"difference": r.difference,
		}
		for r in rows
	]
	data.append(
		{
			"loan_label": _("Total"),
			"ledger": total.ledger,
			"loans": total.loans,
			"difference": total.difference,
			"bold": 1,
		}
	)
	differing = sum(1 for r in rows if r.difference)
	summary = [
		{
			"label": _("Receivable in the ledger"),
			"value": total.ledger,
			"datatype": "Currency",
			"currency": "IDR",
		},
		{
			"label": _("Loans' outstanding principal"),
			"value": total.loans,
			"datatype": "Currency",
			"currency": "IDR",
		},
		{
			"label": _("Difference"),
			"value": total.difference,
			"indicator": "Green" if not total.difference and not differing else "Red",
			"datatype": "Currency",
			"currency": "IDR",
		},
		{"label": _("Loans with a difference"), "value": differing, "datatype": "Int"},
	]
	return columns(), data, _("As of {0}").format(shown(at)), None, summary


def columns():
	def amount(fieldname, label):
		return {
			"fieldname": fieldname,
			"label": label,
			"fieldtype": "Currency",
			"options": "IDR",
			"width": 180,
		}

	return [
		{"fieldname": "loan", "label": _("Loan"), "fieldtype": "Link", "options": "Loan", "width": 150},
		{"fieldname": "loan_label", "label": "", "fieldtype": "Data", "width": 170},
		amount("ledger", _("Receivable (Ledger)")),
		amount("loans", _("Outstanding Principal (Loans)")),
		amount("difference", _("Difference")),
	]
