"""Benchmark: the accounting reports over the ledger of 100,000 loans (two journals each, five rows).

Writes N active loans with a submitted disbursement (plain multi-row INSERTs) and, through the posting module
(``posting.post_journals``), a disbursement journal and a repayment journal per loan (not timed); then times each
report as staff run them (``frappe.desk.query_report.run``) and the journal export of the month, next to the floor
measured in the same run: one grouped SQL pass summing debits and credits per account over the same rows.
Rolls everything back.

Run: bin/bench [--site SITE] [--loans N]  (default 100,000). Prints its figures; asserts nothing.
"""

import argparse
import random
import time
from decimal import Decimal

import frappe
from frappe.utils import get_first_day, now, today

LOAN_FIELDS = (
	"name",
	"owner",
	"modified_by",
	"creation",
	"modified",
	"docstatus",
	"idx",
	"member",
	"member_name",
	"loan_product",
	"status",
	"principal",
	"tenor_months",
	"outstanding_principal",
	"collectibility",
	"first_due_date",
)
DISBURSEMENT_FIELDS = (
	"name",
	"owner",
	"modified_by",
	"creation",
	"modified",
	"docstatus",
	"idx",
	"loan",
	"member",
	"disbursement_date",
	"amount",
)


def timed(label: str, fn, floor: float | None = None):
	start = time.perf_counter()
	out = fn()
	took = time.perf_counter() - start
	ratio = f" = {took / floor:.1f}× the floor" if floor else ""
	print(f"{label}: {took:.3f} s{ratio}")
	return out, took


def main():
	parser = argparse.ArgumentParser()
	parser.add_argument("--site", required=True)
	parser.add_argument("--loans", type=int, default=100_000)
	parser.add_argument("-n", type=int, help="ignored (the loan-booking benchmark's option)")
	args = parser.parse_args()
	frappe.init(site=args.site, sites_path=".")
	frappe.connect()
	frappe.set_user("Administrator")
	from frappe.desk.query_report import run
	from pinjaman_online.accounting.posting import JournalRequest, post_journals
	from pinjaman_online.api.accounting import journal_csv
	from pinjaman_online.lending.ledger import cr, dr
	from pinjaman_online.tests.factories import make_member, make_product
	from pinjaman_online.utils import insert_rows

	try:
		rng = random.Random(11)
		member, product = make_member(verified=False), make_product()
		stamp, day, month_start = now(), today(), get_first_day(today())
		loans, disbursements, journals = [], [], []
		for i in range(args.loans):
			name = f"BENCH-AC-{i:07d}"
			principal = rng.randrange(5, 300) * 1_000_000
			paid = principal * rng.randint(0, 30) // 100
			interest = principal // 100
			loans.append(
				(name, "Administrator", "Administrator", stamp, stamp, 0, 0, member.name, member.full_name,
				 product.name, "Active", principal, 60, principal - paid, rng.choice([1] * 8 + [2, 3]), day)
			)  # fmt: skip
			disbursements.append(
				(f"BENCH-DS-{i:07d}", "Administrator", "Administrator", stamp, stamp, 1, 0, name, member.name,
				 day, principal)
			)  # fmt: skip
			journals.append(
				JournalRequest(
					"Disbursement",
					day,
					[dr("loan_principal_receivable", principal), cr("disbursement_bank", principal)],
					"Loan Disbursement",
					f"BENCH-DS-{i:07d}",
					name,
					member.name,
				)
			)
			if paid:
				journals.append(
					JournalRequest(
						"Repayment",
						day,
						[
							dr("bank_cash", paid + interest),
							cr("loan_principal_receivable", paid),
							cr("interest_income", interest),
						],
						"Loan",
						name,
						name,
						member.name,
					)
				)
		start = time.perf_counter()
		insert_rows("Loan", LOAN_FIELDS, loans)
		insert_rows("Loan Disbursement", DISBURSEMENT_FIELDS, disbursements)
		for chunk in range(0, len(journals), 10_000):
			post_journals(journals[chunk : chunk + 10_000])
		setup = time.perf_counter() - start
		rows = frappe.db.count("Ledger Entry")
		print(f"{args.loans} loans, {len(journals)} journals, {rows} ledger rows on the site")
		frappe.db.sql(
			"select account, sum(debit), sum(credit) from `tabLedger Entry` group by account"
		)  # warm
		_, floor = timed(
			"floor: one grouped pass, debits and credits per account",
			lambda: frappe.db.sql(
				"select account, sum(debit), sum(credit) from `tabLedger Entry` group by account"
			),
		)
		month = {"from_date": str(month_start), "to_date": day}
		for report, filters in (
			("Trial Balance", month),
			("Balance Sheet", {"as_of_date": day}),
			("Income Statement", month),
			("Ledger vs Loans", {"as_of_date": day}),
			("General Ledger", {**month, "account": "1131"}),
		):
			out, _took = timed(f"{report}", lambda r=report, f=filters: run(r, filters=f), floor)
			summary = {s["label"]: s["value"] for s in out.get("report_summary") or []}
			shown = {k: v for k, v in summary.items() if k in ("Difference", "Debits = Credits")}
			print(f"    {len(out['result'])} rows {shown}")
		text, _took = timed("Journal export (CSV) of the month", lambda: journal_csv(month_start, day), floor)
		print(f"    {text.count(chr(10)) - 1} lines, {len(text) / 1e6:.1f} MB")
		lvl = run("Ledger vs Loans", filters={"as_of_date": day})
		total = lvl["result"][-1]
		assert Decimal(str(total["difference"])) == total["ledger"] - total["loans"]
		print(f"(setup: {setup:.1f} s, not part of the figures)")
	finally:
		frappe.db.rollback()
		frappe.destroy()


if __name__ == "__main__":
	main()
