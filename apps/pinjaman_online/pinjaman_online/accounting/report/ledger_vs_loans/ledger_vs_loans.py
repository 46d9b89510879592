"""Ledger vs Loans: the principal receivable accounts of the ledger against the loans' outstanding principal at
a date, per loan and in total, with the difference (ledger − loans). Zero on every row when every change of a
loan's principal posted its journal.

The loans' side at a date:
- today or later: each disbursed loan's ``outstanding_principal`` as stored on the Loan (Active, Default,
  Closed; a Written Off loan is off the books);
- an earlier date: recomputed from the documents dated up to it: the principal of loans disbursed (submitted
  Loan Disbursement), less the principal of Loan Payments posted (submitted, or cancelled by a Payment Reversal
  dated after the date), less the principal of submitted Loan Write-offs.

On Accrual basis the interest and penalty receivable accounts are compared too (Cash basis: the loans' side is
zero and so must the ledger's be): per loan on the books whose product is on Accrual basis, the interest of its
installments due on or before the date not paid and the penalties charged not paid (``lending.ledger
.accrual_target``), as the installments stand now. The difference column is the sum of the three differences.
"""

from datetime import date
from decimal import Decimal

import frappe
from frappe import _
from frappe.utils import getdate, today

from pinjaman_online.accounting.report.common import accounts_of_role, as_of, check_access, money, shown
from pinjaman_online.lending.statements import ledger_vs_loans
from pinjaman_online.replica import replica_reads

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


def receivables_by_loan(role: str, at: date) -> dict[str | None, Decimal]:
	"""Balance (debit − credit) of the accounts mapped to ``role`` per loan, entries up to ``at``."""
	accounts = accounts_of_role(role)
	if not accounts:
		return {}
	rows = frappe.db.sql(
		"""select e.loan, sum(e.debit - e.credit) from `tabLedger Entry` e
		where e.account in %(accounts)s and e.posting_date <= %(at)s group by e.loan""",
		{"accounts": accounts, "at": at},
	)
	return {loan or None: money(balance) for loan, balance in rows}


def loans_accrued(at: date) -> tuple[dict[str, Decimal], dict[str, Decimal]]:
	"""(interest, penalty) due and unpaid per loan on the books whose product is on Accrual basis, at ``at``
	(module docstring); loans on Cash basis are absent (nothing is receivable before it is paid)."""
	from pinjaman_online.accounting.posting import settings

	default = settings()["basis"]
	interest, penalty = {}, {}
	for name, due_interest, unpaid_penalty in frappe.db.sql(
		"""select l.name,
			sum(case when i.due_date <= %(at)s then i.interest_amount - i.interest_paid else 0 end),
			sum(i.penalty_amount - i.penalty_paid)
		from `tabLoan` l
		join `tabLoan Product` p on p.name = l.loan_product
		join `tabLoan Installment` i on i.loan = l.name and i.status != 'Cancelled'
		where l.status in %(statuses)s and coalesce(nullif(p.accounting_basis, ''), %(default)s) = 'Accrual'
			and exists (select 1 from `tabLoan Disbursement` d where d.loan = l.name and d.docstatus = 1
				and d.disbursement_date <= %(at)s)
		group by l.name""",
		{"at": at, "statuses": ON_BOOKS, "default": default},
	):
		interest[name], penalty[name] = money(due_interest), money(unpaid_penalty)
	return interest, penalty


@replica_reads
def execute(filters=None):
	check_access()
	filters = filters or {}
	at = as_of(filters)
	interest_loans, penalty_loans = loans_accrued(at)
	interest_ledger = receivables_by_loan("interest_receivable", at)
	penalty_ledger = receivables_by_loan("penalty_receivable", at)
	principal_ledger = ledger_by_loan(at)
	principal_loans = loans_outstanding(at)
	# Loans with an interest or penalty figure but no principal row still get a row.
	for loan in (*interest_ledger, *interest_loans, *penalty_ledger, *penalty_loans):
		if loan and (interest_ledger.get(loan) or interest_loans.get(loan)
			or penalty_ledger.get(loan) or penalty_loans.get(loan)):  # fmt: skip
			principal_loans.setdefault(loan, money(0))
	rows, total = ledger_vs_loans(principal_ledger, principal_loans, bool(filters.get("show_zero")))

	def accrued(loan):
		figures = {
			"interest_ledger": interest_ledger.get(loan, money(0)),
			"interest_loans": interest_loans.get(loan, money(0)) if loan else money(0),
			"penalty_ledger": penalty_ledger.get(loan, money(0)),
			"penalty_loans": penalty_loans.get(loan, money(0)) if loan else money(0),
		}
		extra = (figures["interest_ledger"] - figures["interest_loans"]) + (
			figures["penalty_ledger"] - figures["penalty_loans"]
		)
		return figures, extra

	data = []
	for r in rows:
		figures, extra = accrued(r.loan or None)
		row = {"ledger": r.ledger, "loans": r.loans, "difference": r.difference + extra, **figures}
		row.update({"loan": r.loan} if r.loan else {"loan_label": _("Entries without a loan")})
		data.append(row)
	if filters.get("only_differences"):
		data = [r for r in data if r["difference"]]
	sums = {
		"interest_ledger": sum(interest_ledger.values(), money(0)),
		"interest_loans": sum(interest_loans.values(), money(0)),
		"penalty_ledger": sum(penalty_ledger.values(), money(0)),
		"penalty_loans": sum(penalty_loans.values(), money(0)),
	}
	grand = (
		total.difference
		+ sums["interest_ledger"]
		- sums["interest_loans"]
		+ sums["penalty_ledger"]
		- sums["penalty_loans"]
	)
	data.append(
		{
			"loan_label": _("Total"),
			"ledger": total.ledger,
			"loans": total.loans,
			"difference": grand,
			**sums,
			"bold": 1,
		}
	)
	differing = sum(1 for r in data[:-1] if r["difference"])
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
			"label": _("Interest receivable in the ledger"),
			"value": sums["interest_ledger"],
			"datatype": "Currency",
			"currency": "IDR",
		},
		{
			"label": _("Loans' interest due and unpaid (accrual basis)"),
			"value": sums["interest_loans"],
			"datatype": "Currency",
			"currency": "IDR",
		},
		{
			"label": _("Penalty receivable in the ledger"),
			"value": sums["penalty_ledger"],
			"datatype": "Currency",
			"currency": "IDR",
		},
		{
			"label": _("Loans' unpaid penalties (accrual basis)"),
			"value": sums["penalty_loans"],
			"datatype": "Currency",
			"currency": "IDR",
		},
		{
			"label": _("Difference"),
			"value": grand,
			"indicator": "Green" if not grand and not differing else "Red",
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
		amount("interest_ledger", _("Interest Receivable (Ledger)")),
		amount("interest_loans", _("Interest Due Unpaid (Loans)")),
		amount("penalty_ledger", _("Penalty Receivable (Ledger)")),
		amount("penalty_loans", _("Penalty Unpaid (Loans)")),
		amount("difference", _("Difference")),
	]
