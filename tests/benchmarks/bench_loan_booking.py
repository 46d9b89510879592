"""Benchmark: booking approved loans with their schedules.

Books N approved applications into Loans with 12–180 installments each through the app's own code
(`pinjaman_online.servicing.utils.create_loan`: Loan document + schedule rows), and compares with a raw
bulk insert of the same number of schedule rows on the same database. Everything is rolled back at the end.

Run: bin/bench [--site SITE] [-n N]  (default: the test site, N = 500). Prints its figures; asserts nothing.
"""

import argparse
import random
import time

import frappe
from frappe.utils import add_months, getdate, now, today


def prepare(n: int, rng: random.Random):
	"""N approved applications on one product (not timed): members and applications written directly."""
	from pinjaman_online.tests.factories import make_member, make_product

	product = make_product(max_principal=500_000_000, interest_method="Annuity", annual_interest_rate=15)
	member = make_member(verified=False)
	apps = []
	stamp = now()
	for i in range(n):
		tenor = rng.randint(12, 180)
		app = frappe.get_doc(
			{
				"doctype": "Loan Application",
				"name": f"BENCH-APP-{i:06d}",
				"member": member.name,
				"member_name": member.full_name,
				"loan_product": product.name,
				"principal": rng.randrange(5, 300) * 1_000_000,
				"tenor_months": tenor,
				"first_due_date": getdate(add_months(today(), 1)),
				"application_date": today(),
				"annual_interest_rate": 15,
				"interest_method": "Annuity",
				"workflow_state": "Approved",
				"docstatus": 1,
				"owner": "Administrator",
				"creation": stamp,
				"modified": stamp,
			}
		)
		app.db_insert()
		apps.append(app)
	return apps


def book(apps) -> float:
	from pinjaman_online.servicing.utils import create_loan

	start = time.perf_counter()
	for app in apps:
		create_loan(app)
	return time.perf_counter() - start


def raw_insert(apps) -> tuple[float, int]:
	"""Insert the same schedules' rows with plain multi-row INSERTs of 1000 rows (no document layer)."""
	from pinjaman_online.lending.schedule import generate_schedule
	from pinjaman_online.products.utils import terms_for
	from pinjaman_online.servicing.utils import INSTALLMENT_FIELDS, installment_values
	from pinjaman_online.utils import insert_rows

	product = frappe.get_doc("Loan Product", apps[0].loan_product)
	schedules = [
		generate_schedule(terms_for(product, a.principal, a.tenor_months, a.first_due_date)) for a in apps
	]
	stamp = now()
	rows = [
		installment_values(f"RAW-{i:06d}", r.number, r, stamp, "Administrator")
		for i, schedule in enumerate(schedules)
		for r in schedule.installments
	]
	start = time.perf_counter()
	insert_rows("Loan Installment", INSTALLMENT_FIELDS, rows)
	return time.perf_counter() - start, len(rows)


def main():
	parser = argparse.ArgumentParser()
	parser.add_argument("--site", required=True)
	parser.add_argument("-n", type=int, default=500)
	args = parser.parse_args()
	frappe.init(site=args.site, sites_path=".")
	frappe.connect()
	frappe.set_user("Administrator")
	try:
		rng = random.Random(20261121)
		apps = prepare(args.n, rng)
		booked = book(apps)
		installments = sum(a.tenor_months for a in apps)
		raw, raw_rows = raw_insert(apps)
		print(
			f"loan booking: {args.n} loans, {installments} installments in {booked:.2f} s "
			f"= {args.n / booked:.1f} loans/s ({installments / booked:.0f} installment rows/s)"
		)
		print(
			f"raw bulk insert of the same {raw_rows} schedule rows: {raw:.2f} s "
			f"({raw_rows / raw:.0f} rows/s); booking takes {booked / raw:.2f}x the raw insert"
		)
		print(
			f"targets: >= 50 loans/s [{'met' if args.n / booked >= 50 else 'NOT met'}], "
			f"within 3x of raw [{'met' if booked / raw <= 3 else 'NOT met'}]"
		)
	finally:
		frappe.db.rollback()
		frappe.destroy()


if __name__ == "__main__":
	main()
