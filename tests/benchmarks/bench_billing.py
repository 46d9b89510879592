"""Benchmark: pension-deduction billing at scale (billing part).

1. Export: the Pension Cut Export of one fund and period for N active pension-deduction loans (lines + CSV),
   through the app's own code (insert + submit of the export). Target: N = 100,000 in <= 20 s.
2. Import + reconcile: a realisation file answering that export (mostly exact, some short, some over, some
   within the tolerance, some unknown pensioners) parsed, validated, stored, matched and posted (Loan Payments
   with their allocations, installments and loans updated, what each line realised on the export lines as
   Pension Cut Realisation rows, refund requests, exceptions), through the app's own
   code: insert + submit of the import, the matching job run in this process (as Frappe's test runner runs it).
   Target: N = 100,000 lines in <= 60 s.
3. For comparison: a raw multi-row INSERT of the same payments and allocation rows (no matching, no reads,
   no updates).

The N loans (with their members and 12-installment schedules) are written directly with multi-row INSERTs
(not timed). The import commits per batch as in production, so nothing can be rolled back: at the end
everything the benchmark wrote is deleted by name and the naming-series counters are put back.

Run: bin/bench [--site SITE] [-n N]  (default: the test site, N = 100,000). Prints figures; asserts nothing.
"""

import argparse
import os
import random
import time
from decimal import Decimal

import frappe
from frappe.utils import add_days, add_months, getdate, now, today

PREFIX = "BENCH-BILL"
SERIES_KEYS = ("PAY-", "PCE-", "PCI-", "REX-", "RFD-", "JR-", "PCR-")
INSTALLMENT = Decimal(1_180_000)  # 12.000.000 over 12 months at 18% flat


def prepare(n: int, period: str) -> None:
	"""N members and Active pension-deduction loans whose first installment falls due in ``period``."""
	from pinjaman_online.servicing.utils import INSTALLMENT_FIELDS
	from pinjaman_online.utils import insert_rows

	stamp, user = now(), "Administrator"
	first_due = getdate(f"{period}-10")
	disbursed = getdate(add_days(today(), -1))
	members, loans, rows = [], [], []
	for i in range(n):
		member, loan = f"{PREFIX}-MBR-{i:06d}", f"{PREFIX}-LN-{i:06d}"
		members.append(
			(member, stamp, stamp, user, user, 0, 0, f"Pensiunan {i:06d}", f"99{i:014d}", "Male", "1960-01-01",
				"Active", "Taspen", f"{PREFIX}-TSP-{i:06d}", 4_500_000, "IDR")
		)  # fmt: skip
		loans.append(
			(loan, stamp, stamp, user, user, 0, 0, member, f"Pensiunan {i:06d}", "Active", "Pension Deduction",
				"Taspen", "IDR", 12_000_000, 12, 18, "Flat", 100, INSTALLMENT, 2_160_000, first_due,
				add_months(first_due, 11), disbursed, 12_000_000, 12_000_000, 2_160_000, 0)
		)  # fmt: skip
		for k in range(1, 13):
			due = add_months(first_due, k - 1)
			rows.append(
				(f"{loan}-{k:03d}", user, user, stamp, stamp, 0, k, loan, k, due, "Unpaid", 1_000_000, 180_000,
					INSTALLMENT, 12_000_000 - 1_000_000 * k, 0, 0, 0, 0, INSTALLMENT)
			)  # fmt: skip
	insert_rows(
		"Member",
		("name", "creation", "modified", "modified_by", "owner", "docstatus", "idx", "full_name", "nik", "gender",
			"birth_date", "status", "pension_fund", "pension_number", "monthly_pension_benefit", "currency"),
		members,
	)  # fmt: skip
	insert_rows(
		"Loan",
		("name", "creation", "modified", "modified_by", "owner", "docstatus", "idx", "member", "member_name",
			"status", "repayment_method", "pension_fund", "currency", "principal", "tenor_months",
			"annual_interest_rate", "interest_method", "rounding_unit", "installment_amount", "total_interest",
			"first_due_date", "maturity_date", "disbursement_date", "disbursed_amount", "outstanding_principal",
			"outstanding_interest", "outstanding_penalty"),
		loans,
	)  # fmt: skip
	insert_rows("Loan Installment", INSTALLMENT_FIELDS, rows)
	frappe.db.commit()


def realisation(export_name: str, rng: random.Random) -> tuple[bytes, dict]:
	"""A Taspen realisation answering the export: 92% exact, 2% within tolerance, 3% short, 2% over,
	1% unknown pensioners instead of billed ones."""
	lines = frappe.db.sql(
		"""SELECT pension_number, nik, member_name, amount FROM `tabPension Cut Export Line`
		WHERE cut_export = %s ORDER BY line_no""",
		export_name,
		as_dict=True,
	)
	period = frappe.db.get_value("Pension Cut Export", export_name, "period").replace("-", "")
	out = ["NOTAS;NIK;NAMA;PERIODE;NOMINAL_POTONGAN"]
	mix = dict.fromkeys(("exact", "within", "short", "over", "unknown"), 0)
	for i, line in enumerate(lines):
		amount, pn, r = Decimal(line.amount), line.pension_number, rng.random()
		if r < 0.01:
			pn, kind = f"UNKNOWN-{i:06d}", "unknown"
		elif r < 0.03:
			amount, kind = amount + 250_000, "over"
		elif r < 0.06:
			amount, kind = amount - 500_000, "short"
		elif r < 0.08:
			amount, kind = amount - 400, "within"
		else:
			kind = "exact"
		mix[kind] += 1
		nik = line.nik if kind != "unknown" else ""
		out.append(f"{pn};{nik};{line.member_name};{period};{int(amount):,}".replace(",", "."))
	return ("\r\n".join(out) + "\r\n").encode(), mix


def raw_insert(import_name: str) -> tuple[float, int, int]:
	"""Insert copies of the import's payments and their allocation rows with plain multi-row INSERTs."""
	from pinjaman_online.servicing.bulk import ALLOCATION_FIELDS, PAYMENT_FIELDS
	from pinjaman_online.utils import insert_rows

	payments = frappe.db.sql(
		f"SELECT {', '.join(f'`{f}`' for f in PAYMENT_FIELDS)} FROM `tabLoan Payment` WHERE reference_no = %s",
		import_name,
	)
	allocations = frappe.db.sql(
		f"""SELECT {", ".join(f"a.`{f}`" for f in ALLOCATION_FIELDS)} FROM `tabLoan Payment Allocation` a
		JOIN `tabLoan Payment` p ON p.name = a.parent WHERE p.reference_no = %s""",
		import_name,
	)
	payments = [(f"RAW-{r[0]}", *r[1:15], f"RAW-{r[15]}", *r[16:]) for r in payments]
	allocations = [(f"RAW-{r[0]}", *r[1:7], f"RAW-{r[7]}", *r[8:]) for r in allocations]
	start = time.perf_counter()
	insert_rows("Loan Payment", PAYMENT_FIELDS, payments)
	insert_rows("Loan Payment Allocation", ALLOCATION_FIELDS, allocations)
	frappe.db.commit()
	return time.perf_counter() - start, len(payments), len(allocations)


def cleanup(export_name: str | None, import_name: str | None, series: dict) -> None:
	"""Delete everything the benchmark wrote (by name) and restore the naming-series counters."""
	like = f"{PREFIX}-%"
	frappe.db.rollback()
	payments = "SELECT name FROM `tabLoan Payment` WHERE loan LIKE %s OR name LIKE 'RAW-%%'"
	frappe.db.sql(
		f"DELETE FROM `tabLoan Payment Allocation` WHERE parent IN ({payments}) OR parent LIKE 'RAW-%%'", like
	)
	frappe.db.sql("DELETE FROM `tabLoan Payment` WHERE loan LIKE %s OR name LIKE 'RAW-%%'", like)
	frappe.db.sql("DELETE FROM `tabLedger Entry` WHERE loan LIKE %s", like)
	for doctype, column in (("Loan Installment", "loan"), ("Loan", "name"), ("Member", "name")):
		frappe.db.sql(f"DELETE FROM `tab{doctype}` WHERE `{column}` LIKE %s", like)
	if import_name:
		for doctype in ("Reconciliation Exception", "Refund Request"):  # their journals (loan may be empty)
			frappe.db.sql(
				f"""DELETE FROM `tabLedger Entry` WHERE voucher_type = %s
				AND voucher_no IN (SELECT name FROM `tab{doctype}` WHERE cut_import = %s)""",
				(doctype, import_name),
			)
		for doctype in (
			"Reconciliation Exception",
			"Refund Request",
			"Pension Cut Realisation",
			"Pension Cut Import Line",
		):
			frappe.db.sql(f"DELETE FROM `tab{doctype}` WHERE cut_import = %s", import_name)
		frappe.db.sql("DELETE FROM `tabPension Cut Import` WHERE name = %s", import_name)
	if export_name:
		frappe.db.sql("DELETE FROM `tabPension Cut Export Line` WHERE cut_export = %s", export_name)
		frappe.db.sql("DELETE FROM `tabPension Cut Export` WHERE name = %s", export_name)
	for name in filter(None, (export_name, import_name)):
		for file in frappe.get_all("File", {"attached_to_name": name}, pluck="name"):
			frappe.delete_doc("File", file, force=True, ignore_permissions=True)
	for file in frappe.get_all("File", {"file_name": ("like", f"{PREFIX}%")}, pluck="name"):
		frappe.delete_doc("File", file, force=True, ignore_permissions=True)
	for key, current in series.items():
		if current is None:
			frappe.db.sql("DELETE FROM `tabSeries` WHERE name = %s", key)
		else:
			frappe.db.sql("UPDATE `tabSeries` SET current = %s WHERE name = %s", (current, key))
	frappe.db.commit()


def sweep() -> None:
	"""Remove what an interrupted earlier run left behind (its exports and imports are found through the
	benchmark's members)."""
	exports = frappe.db.sql_list(
		"SELECT DISTINCT cut_export FROM `tabPension Cut Export Line` WHERE member LIKE %s", f"{PREFIX}-%"
	)
	imports = frappe.db.sql_list(
		"SELECT DISTINCT cut_import FROM `tabPension Cut Import Line` WHERE pension_number LIKE %s",
		f"{PREFIX}-%",
	)
	for export_name in exports:
		cleanup(export_name, None, {})
	for import_name in imports:
		cleanup(None, import_name, {})
	cleanup(None, None, {})


def main():
	parser = argparse.ArgumentParser()
	parser.add_argument("--site", required=True)
	parser.add_argument("-n", type=int, default=100_000)
	args = parser.parse_args()
	frappe.init(site=args.site, sites_path=".")
	frappe.connect()
	frappe.set_user("Administrator")
	frappe.flags.in_test = True  # the matching job runs in this process (inline), not on a shared worker
	from pinjaman_online.tests.factories import free_period

	period = free_period()
	year = now()[:4]
	series = {}
	for p in SERIES_KEYS:
		found = frappe.db.sql("SELECT current FROM `tabSeries` WHERE name = %s", f"{p}{year}-")
		series[f"{p}{year}-"] = found[0][0] if found else None
	export_name = import_name = None
	sweep()
	try:
		started = time.perf_counter()
		prepare(args.n, period)
		print(
			f"prepared {args.n} members, loans and {12 * args.n} installments in {time.perf_counter() - started:.1f} s"
		)

		start = time.perf_counter()
		export = frappe.get_doc({"doctype": "Pension Cut Export", "pension_fund": "Taspen", "period": period})
		export.insert()
		export.submit()
		frappe.db.commit()
		exported = time.perf_counter() - start
		export_name = export.name
		size = os.path.getsize(frappe.get_doc("File", {"file_url": export.file}).get_full_path())
		print(
			f"export {export.name}: {export.total_lines} lines, Rp {export.total_amount:,.0f}, CSV {size / 1e6:.1f} MB "
			f"in {exported:.2f} s ({export.total_lines / exported:.0f} lines/s) "
			f"[target <= 20 s for 100k: {'met' if exported <= 20 * args.n / 100_000 else 'NOT met'}]"
		)

		content, mix = realisation(export.name, random.Random(20261121))
		from pinjaman_online.billing.export import attach_file

		file_url = attach_file(
			frappe._dict(doctype=None, name=None), f"{PREFIX}-{period}.csv", content, "file"
		)
		frappe.db.commit()
		start = time.perf_counter()
		imp = frappe.get_doc(
			{"doctype": "Pension Cut Import", "pension_fund": "Taspen", "period": period, "file": file_url}
		)
		imp.insert()
		frappe.db.commit()
		parsed = time.perf_counter() - start
		imp.submit()  # queues the matching job: run inline here (in_test), committing per batch
		frappe.db.commit()
		total = time.perf_counter() - start
		import_name = imp.name
		imp.reload()
		print(
			f"import {imp.name}: {imp.total_lines} lines ({', '.join(f'{k} {v}' for k, v in mix.items())}), "
			f"{len(content) / 1e6:.1f} MB"
		)
		print(f"  parse + validate + store lines: {parsed:.2f} s")
		print(
			f"  import + reconcile (parse, match, post): {total:.2f} s ({imp.total_lines / total:.0f} lines/s) "
			f"[target <= 60 s for 100k: {'met' if total <= 60 * args.n / 100_000 else 'NOT met'}]"
		)
		payments = frappe.db.count("Loan Payment", {"reference_no": imp.name})
		realisations = frappe.db.sql(
			"SELECT COUNT(*), SUM(amount) FROM `tabPension Cut Realisation` WHERE cut_import = %s", imp.name
		)[0]
		print(
			f"  outcome: matched {imp.matched_count}, short {imp.short_count}, over {imp.over_count}, "
			f"unmatched {imp.unmatched_count}; {payments} payments Rp {imp.posted_amount:,.0f}, "
			f"refunds Rp {imp.refund_amount:,.0f}, status {imp.status}; "
			f"{realisations[0]} realisation rows Rp {realisations[1] or 0:,.0f}"
		)
		raw, n_payments, n_allocations = raw_insert(imp.name)
		print(
			f"raw bulk insert of the same {n_payments} payments + {n_allocations} allocation rows: {raw:.2f} s; "
			f"import + reconcile takes {total / raw:.1f}x the raw insert"
		)
	finally:
		started = time.perf_counter()
		cleanup(export_name, import_name, series)
		print(f"cleaned up in {time.perf_counter() - started:.1f} s")
		frappe.destroy()


if __name__ == "__main__":
	main()
