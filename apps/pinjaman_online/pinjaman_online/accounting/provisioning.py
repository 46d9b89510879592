"""Allowance for loan losses at month end: required by collectibility, booked through the ledger.

``run_provisioning(posting_date)`` reads every loan on the books (Active or Default) with its collectibility
(Kol 1–5, kept by the daily run) and outstanding principal, computes the required allowance with the rates of
the *Allowance Rate* records (lending.provisioning), reads the allowance already booked (the credit balance
of the accounts mapped to ``allowance_for_losses`` up to the date) and posts the difference with
``posting.post_journal(event="Provision")``: Dr provision_expense Cr allowance_for_losses when more is needed,
the reverse when less. A *Loan Loss Provision* record keeps the figures and the journal. Running it again for
the same date finds nothing to post (the difference is zero). The monthly scheduler runs it for the last day of
the previous month; Finance and Koperasi Admin run it from the desk (``api.accounting.run_provisioning``).
"""

from datetime import date
from decimal import Decimal

import frappe
from frappe import _
from frappe.utils import add_days, get_first_day, getdate, today

from pinjaman_online.accounting.report.common import accounts_of_role, money
from pinjaman_online.lending.provisioning import (
	DEFAULT_RATES,
	KOL_NAMES,
	KOLS,
	RATE_SOURCE,
	InvalidProvisioning,
	allowance_adjustment,
	required_allowance,
)

ON_BOOKS = ("Active", "Default")
RUN_ROLES = ("Finance", "Koperasi Admin", "System Manager")


def seed_allowance_rates() -> list[str]:
	"""Insert the Allowance Rate of each Kol 1–5 that is missing, at the default rate (DEFAULT_RATES, POJK
	33/POJK.03/2018 Pasal 16). Rates an admin changed are kept. Returns the names inserted."""
	if not frappe.db.table_exists("Allowance Rate"):
		return []
	inserted = []
	for kol in KOLS:
		if frappe.db.exists("Allowance Rate", {"collectibility": kol}):
			continue
		doc = frappe.get_doc(
			{
				"doctype": "Allowance Rate",
				"collectibility": kol,
				"classification": KOL_NAMES[kol],
				"rate": DEFAULT_RATES[kol],
				"source": RATE_SOURCE,
			}
		)
		doc.insert(ignore_permissions=True)
		inserted.append(doc.name)
	return inserted


def allowance_rates() -> dict[int, Decimal]:
	"""``{kol: percent}`` from the Allowance Rate records (the default rate for a missing class)."""
	rates = dict(DEFAULT_RATES)
	for row in frappe.get_all("Allowance Rate", fields=["collectibility", "rate"], ignore_permissions=True):
		rates[int(row.collectibility)] = Decimal(str(row.rate or 0))
	return rates


def exposures() -> list[tuple[int, Decimal]]:
	"""(collectibility, outstanding principal) of every loan on the books; an unclassified loan is Kol 1."""
	rows = frappe.db.sql(
		"""select collectibility, outstanding_principal from `tabLoan`
		where status in %(statuses)s and outstanding_principal > 0""",
		{"statuses": ON_BOOKS},
	)
	return [(min(max(int(kol or 1), 1), 5), money(amount)) for kol, amount in rows]


def booked_allowance(at: date) -> Decimal:
	"""The allowance booked in the ledger at ``at``: credit − debit of the allowance_for_losses accounts."""
	accounts = accounts_of_role("allowance_for_losses")
	if not accounts:
		return Decimal(0)
	value = frappe.db.sql(
		"""select sum(credit - debit) from `tabLedger Entry` where account in %(accounts)s
		and posting_date <= %(at)s""",
		{"accounts": accounts, "at": at},
	)[0][0]
	return money(value)


def run_provisioning(posting_date: date | str | None = None) -> dict:
	"""Compute the required allowance and post the difference (see the module docstring), in the caller's
	transaction. Returns the figures: ``name`` of the Loan Loss Provision, ``required``, ``booked``,
	``adjustment`` (Rupiah, signed: positive = expense) and ``journal_no`` (None when nothing was posted).

	Raises frappe.ValidationError for bad rates, or from the posting module (a date in a closed period)."""
	from pinjaman_online.accounting.posting import post_journal
	from pinjaman_online.lending.ledger import JournalLine

	posting_date = getdate(posting_date or today())
	try:
		allowance = required_allowance(exposures(), allowance_rates())
	except InvalidProvisioning as exc:
		frappe.throw(_(exc.template).format(**exc.params), title=_("Invalid allowance rates"))
	booked = booked_allowance(posting_date)
	move = allowance_adjustment(allowance.total, max(booked, Decimal(0)))
	signed = (
		Decimal(0)
		if move is None
		else (move.amount if move.debit_role == "provision_expense" else -move.amount)
	)
	values = {
		"doctype": "Loan Loss Provision",
		"posting_date": posting_date,
		"loans": sum(k.loans for k in allowance.by_kol.values()),
		"outstanding_principal": allowance.outstanding,
		"required_allowance": allowance.total,
		"booked_allowance": booked,
		"adjustment": signed,
	}
	for kol, figures in allowance.by_kol.items():
		values[f"kol_{kol}_outstanding"] = figures.outstanding
		values[f"kol_{kol}_rate"] = figures.rate
		values[f"kol_{kol}_allowance"] = figures.allowance
	doc = frappe.get_doc(values)
	doc.flags.from_provisioning = True
	doc.insert(ignore_permissions=True)
	journal_no = None
	if move is not None:
		journal_no = post_journal(
			event="Provision",
			posting_date=posting_date,
			lines=[
				JournalLine(move.debit_role, move.amount, Decimal(0)),
				JournalLine(move.credit_role, Decimal(0), move.amount),
			],
			voucher_type="Loan Loss Provision",
			voucher_no=doc.name,
			remarks=_("Allowance for losses: required {0}, booked {1}").format(allowance.total, booked),
		)
		doc.db_set("journal_no", journal_no, update_modified=False)
	return {
		"name": doc.name,
		"posting_date": str(posting_date),
		"required": allowance.total,
		"booked": booked,
		"adjustment": signed,
		"journal_no": journal_no,
	}


def scheduled_month_end():
	"""Scheduler (monthly): the allowance at the last day of the previous month, committed."""
	month_end = add_days(get_first_day(today()), -1)
	try:
		run_provisioning(month_end)
		frappe.db.commit()
	except frappe.ValidationError:
		frappe.db.rollback()
		frappe.log_error(title="Loan loss provisioning", message=frappe.get_traceback())
