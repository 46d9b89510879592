"""Benchmark: the aging report over 100,000 loans (target ≤ 5 s).

Writes N active loans with random days past due and outstanding (plain multi-row INSERTs, not timed), then
times the Aging Report and the Loan Quality report as staff run them (frappe.desk.query_report.run), and
rolls everything back.

Run: bin/bench [--site SITE] [--loans N]  (default 100,000). Prints its figures; asserts nothing.
"""

import argparse
import random
import time

import frappe
from frappe.utils import now, today

FIELDS = (
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
	"days_past_due",
	"outstanding_principal",
	"outstanding_interest",
	"outstanding_penalty",
	"first_due_date",
)


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
	from pinjaman_online.tests.factories import make_member, make_product
	from pinjaman_online.utils import insert_rows

	try:
		rng = random.Random(7)
		member, product = make_member(verified=False), make_product()
		stamp = now()
		rows = []
		for i in range(args.loans):
			dpd = rng.choice([0] * 80 + [rng.randint(1, 30)] * 8 + [rng.randint(31, 200)] * 12)
			principal = rng.randrange(5, 300) * 1_000_000
			rows.append(
				(
					f"BENCH-LN-{i:07d}",
					"Administrator",
					"Administrator",
					stamp,
					stamp,
					0,
					0,
					member.name,
					member.full_name,
					product.name,
					"Default" if dpd > 90 else "Active",
					principal,
					60,
					dpd,
					principal * rng.randint(10, 100) // 100,
					rng.randint(0, 5_000_000),
					0,
					today(),
				)
			)
		start = time.perf_counter()
		insert_rows("Loan", FIELDS, rows)
		setup = time.perf_counter() - start
		live = frappe.db.count("Loan", {"status": ("in", ("Active", "Default"))})
		for report in ("Aging Report", "Loan Quality"):
			start = time.perf_counter()
			out = run(report, filters={})
			took = time.perf_counter() - start
			print(
				f"{report} over {live} live loans: {took:.3f} s [{'met' if took <= 5 else 'NOT met'}: target ≤ 5 s]"
				f" ({len(out['result'])} rows)"
			)
		print(f"(setup: {args.loans} loans inserted in {setup:.1f} s, not part of the figure)")
	finally:
		frappe.db.rollback()
		frappe.destroy()


if __name__ == "__main__":
	main()
