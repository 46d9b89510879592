"""Opening journals: the ledger of a site that had loans before it had a ledger.

For each loan on the books (not pending disbursement, cancelled or written off) whose principal receivable in the
ledger differs from its outstanding principal and that has no Opening journal yet, one *Opening* journal (voucher: the Loan) posts the difference: Dr principal receivable,
Cr opening equity (``opening_equity``, "Saldo Awal Pembukuan"), or the reverse for a negative difference.
Afterwards the receivables equal the loans' outstanding principal. Run by the patch
``patches.ledger_opening_balances`` on existing sites and at the end of the demo loader.
"""

import frappe

from pinjaman_online.accounting.posting import JournalRequest, opening_date, post_journals, settings
from pinjaman_online.lending.ledger import mirror, opening_lines
from pinjaman_online.servicing.bulk import money


def principal_accounts() -> list[str]:
	"""Every ledger account mapped to ``loan_principal_receivable`` (the default and any product's)."""
	accounts = {settings()["mapping"].get("loan_principal_receivable")}
	accounts |= set(
		frappe.db.sql_list(
			"""SELECT account FROM `tabLedger Account Mapping`
			WHERE parenttype = 'Loan Product' AND account_role = 'loan_principal_receivable'"""
		)
	)
	return sorted(a for a in accounts if a)


def post_opening_journals(posting_date=None) -> int:
	"""Post the Opening journal of every loan that needs one (module docstring), dated ``posting_date``
	(default: today, or the first day after the closed books), in multi-row INSERTs. Returns how many were
	posted. Runs in the caller's transaction."""
	accounts = principal_accounts()
	if not accounts:
		return 0
	marks = ", ".join(["%s"] * len(accounts))
	rows = frappe.db.sql(
		f"""SELECT l.name, l.member, l.loan_product, l.outstanding_principal,
			COALESCE(b.balance, 0) AS booked
		FROM `tabLoan` l
		LEFT JOIN (
			SELECT loan, SUM(debit - credit) AS balance FROM `tabLedger Entry`
			WHERE account IN ({marks}) AND loan IS NOT NULL GROUP BY loan
		) b ON b.loan = l.name
		WHERE l.status NOT IN ('Pending Disbursement', 'Cancelled', 'Written Off')
			AND NOT EXISTS (SELECT 1 FROM `tabLedger Entry` o WHERE o.loan = l.name AND o.event = 'Opening')
			AND COALESCE(l.outstanding_principal, 0) != COALESCE(b.balance, 0)""",
		accounts,
		as_dict=True,
	)
	day = posting_date or opening_date()
	requests = []
	for row in rows:
		difference = money(row.outstanding_principal) - money(row.booked)
		lines = opening_lines(abs(difference))
		if difference < 0:
			lines = mirror(lines)
		requests.append(
			JournalRequest(
				"Opening",
				day,
				lines,
				"Loan",
				row.name,
				row.name,
				row.member,
				row.loan_product,
				"Opening balance: principal outstanding before the ledger",
			)
		)
	post_journals(requests)
	return len(requests)
