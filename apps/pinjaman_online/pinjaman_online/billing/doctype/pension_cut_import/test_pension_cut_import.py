"""Pension Cut Import: validation before anything is posted, matching outcomes, retries, reversal (seed 004 §7)."""

from decimal import Decimal
from unittest.mock import patch

import frappe
from frappe.tests.utils import FrappeTestCase

from pinjaman_online.billing.doctype.pension_cut_import.pension_cut_import import DuplicateFileError
from pinjaman_online.billing.realisation import RealisationFileError
from pinjaman_online.billing.reconciliation import realised_on_export_lines, run_matching, write_outcomes
from pinjaman_online.servicing.utils import loan_outstanding
from pinjaman_online.tests.factories import (
	as_user,
	free_period,
	make_billable_loan,
	make_export,
	make_import,
	make_member,
	realisation_csv,
)

INSTALLMENT = Decimal(1_180_000)  # 12.000.000 over 12 months at 18% flat: 1.000.000 + 180.000


def pension_number(loan) -> str:
	return frappe.db.get_value("Member", loan.member, "pension_number")


def outstanding(loan) -> Decimal:
	return Decimal(loan_outstanding(loan.name)["total"])


def line_of(import_name: str, loan) -> frappe._dict:
	return frappe.get_all(
		"Pension Cut Import Line",
		filters={"cut_import": import_name, "pension_number": pension_number(loan)},
		fields=["*"],
	)[0]


class TestPensionCutImport(FrappeTestCase):
	def setUp(self):
		frappe.db.set_single_value("Pinjaman Online Settings", "reconciliation_tolerance", 1000)

	def test_matched_short_over_and_unknown_lines(self):
		period = free_period()
		exact, within, short, over = (make_billable_loan(period) for _ in range(4))
		export = make_export(period)
		before = {loan.name: outstanding(loan) for loan in (exact, within, short, over)}
		content = realisation_csv(
			export.name,
			amounts={
				pension_number(within): INSTALLMENT - 500,
				pension_number(short): Decimal(700_000),
				pension_number(over): INSTALLMENT + 250_000,
			},
			extra=[("TSP-UNKNOWN-1", "", "Orang Asing", 900_000)],
		)
		imp = make_import(period, content)
		imp.reload()
		self.assertEqual(imp.status, "Reconciled")
		self.assertEqual(
			(imp.matched_count, imp.short_count, imp.over_count, imp.unmatched_count), (2, 1, 1, 1)
		)

		self.assertEqual(before[exact.name] - outstanding(exact), INSTALLMENT)
		self.assertEqual(before[within.name] - outstanding(within), INSTALLMENT - 500)
		self.assertEqual(Decimal(str(line_of(imp.name, within).difference)), Decimal(-500))
		self.assertTrue(line_of(imp.name, within).within_tolerance)

		# Short: the deduction is posted as a partial payment, the rest stays due.
		self.assertEqual(before[short.name] - outstanding(short), Decimal(700_000))
		first = frappe.db.get_value(
			"Loan Installment",
			{"loan": short.name, "installment_number": 1},
			["status", "outstanding_amount"],
		)
		self.assertEqual((first[0], Decimal(str(first[1]))), ("Partially Paid", Decimal(480_000)))

		# Over: the billed amount is posted, the excess becomes a refund request.
		self.assertEqual(before[over.name] - outstanding(over), INSTALLMENT)
		line = line_of(imp.name, over)
		refund = frappe.get_doc("Refund Request", line.refund_request)
		self.assertEqual((refund.amount, refund.status, refund.member), (250_000, "Requested", over.member))

		# Unknown: an exception, nothing posted.
		exception = frappe.get_doc("Reconciliation Exception", {"cut_import": imp.name})
		self.assertEqual(
			(exception.reason, exception.status, exception.amount), ("Unknown Member", "Open", 900_000)
		)

		# Each matched line has exactly one payment, with the line as its source key.
		payments = frappe.get_all(
			"Loan Payment",
			filters={"reference_no": imp.name, "docstatus": 1},
			fields=["source_key", "amount"],
		)
		self.assertEqual(len(payments), 4)
		self.assertEqual(len({p.source_key for p in payments}), 4)
		self.assertEqual(sum(Decimal(str(p.amount)) for p in payments), Decimal(str(imp.posted_amount)))

	def test_a_run_that_dies_midway_is_continued_by_the_next_without_posting_twice(self):
		period = free_period()
		loans = [make_billable_loan(period) for _ in range(5)]
		export = make_export(period)
		before = {loan.name: outstanding(loan) for loan in loans}
		with patch("pinjaman_online.billing.doctype.pension_cut_import.pension_cut_import.enqueue_matching"):
			imp = make_import(period, realisation_csv(export.name))
		calls = []

		def dies_on_the_second_batch(outcomes, context, retry_of=None):
			calls.append(len(outcomes))
			if len(calls) == 2:
				raise RuntimeError("worker lost")
			return write_outcomes(outcomes, context, retry_of)

		with patch("pinjaman_online.billing.reconciliation.write_outcomes", dies_on_the_second_batch):
			self.assertRaises(RuntimeError, run_matching, imp.name, batch_size=2)
		self.assertEqual(frappe.db.get_value("Pension Cut Import", imp.name, "status"), "Failed")
		self.assertEqual(frappe.db.count("Pension Cut Import Line", {"cut_import": imp.name}), 2)
		self.assertEqual(frappe.db.count("Loan Payment", {"reference_no": imp.name, "docstatus": 1}), 2)
		run_matching(imp.name, batch_size=2)
		run_matching(imp.name, batch_size=2)  # a third run finds everything done
		self.assertEqual(frappe.db.get_value("Pension Cut Import", imp.name, "status"), "Reconciled")
		self.assertEqual(frappe.db.count("Loan Payment", {"reference_no": imp.name, "docstatus": 1}), 5)
		self.assertEqual(
			{loan.name: before[loan.name] - outstanding(loan) for loan in loans},
			dict.fromkeys(before, INSTALLMENT),
		)

	def test_the_same_file_twice_is_refused(self):
		period = free_period()
		make_billable_loan(period)
		export = make_export(period)
		content = realisation_csv(export.name)
		make_import(period, content, submit=False)
		self.assertRaises(DuplicateFileError, make_import, period, content, submit=False)

	def test_a_file_with_errors_posts_nothing(self):
		period = free_period()
		loan = make_billable_loan(period)
		export = make_export(period)
		good = realisation_csv(export.name).decode()
		bad = good + f"TSP-X;;Someone;{period.replace('-', '')};abc\r\n"
		with self.assertRaises(RealisationFileError) as ctx:
			make_import(period, bad.encode())
		self.assertIn("Line 3", str(ctx.exception))
		self.assertIn("amount &apos;abc&apos; is not a number", str(ctx.exception))
		self.assertFalse(frappe.db.exists("Loan Payment", {"loan": loan.name}))
		self.assertFalse(frappe.db.exists("Pension Cut Import", {"period": period}))

	def test_unmatched_line_is_matched_when_the_next_period_is_imported(self):
		period = free_period(2)
		loan = make_billable_loan(period)
		export = make_export(period)
		real_pn = pension_number(loan)
		typo = real_pn + "X"
		content = realisation_csv(export.name, drop=(real_pn,), extra=[(typo, "", "Typo", INSTALLMENT)])
		first = make_import(period, content)
		exception = frappe.get_doc("Reconciliation Exception", {"cut_import": first.name})
		self.assertEqual(exception.reason, "Unknown Member")
		# The member's pension number was wrong in our records; the fund's was right.
		frappe.db.set_value("Member", loan.member, "pension_number", typo)
		next_period = f"{int(period[:4]) + (period[5:] == '12')}-{int(period[5:]) % 12 + 1:02d}"
		other = make_billable_loan(next_period)
		second = make_import(next_period, realisation_csv(make_export(next_period).name))
		exception.reload()
		self.assertEqual((exception.status, exception.resolution), ("Resolved", "Matched on Retry"))
		self.assertEqual(frappe.db.get_value("Loan Payment", exception.loan_payment, "loan"), loan.name)
		self.assertEqual(frappe.db.get_value("Pension Cut Import", second.name, "retried_count"), 1)
		self.assertEqual(
			frappe.db.get_value("Pension Cut Import Line", exception.import_line, "status"), "Matched"
		)
		self.assertEqual(frappe.db.get_value("Pension Cut Import", first.name, "unmatched_count"), 0)
		self.assertTrue(frappe.db.exists("Loan Payment", {"loan": other.name, "reference_no": second.name}))

	def test_cancel_reverses_payments_refunds_and_exceptions(self):
		period = free_period()
		loan, over = make_billable_loan(period), make_billable_loan(period)
		export = make_export(period)
		before = {x.name: outstanding(x) for x in (loan, over)}
		schedule_before = frappe.get_all(
			"Loan Installment", filters={"loan": loan.name}, fields=["*"], order_by="installment_number"
		)
		content = realisation_csv(
			export.name,
			amounts={pension_number(over): INSTALLMENT + 100_000},
			extra=[("NOBODY-1", "", "X", 5000)],
		)
		imp = make_import(period, content)
		with as_user("finance"):
			frappe.get_doc("Pension Cut Import", imp.name).cancel()
		self.assertEqual({x.name: outstanding(x) for x in (loan, over)}, before)
		schedule_after = frappe.get_all(
			"Loan Installment", filters={"loan": loan.name}, fields=["*"], order_by="installment_number"
		)
		keys = (
			"principal_paid",
			"interest_paid",
			"penalty_paid",
			"outstanding_amount",
			"status",
			"last_payment_date",
		)
		self.assertEqual(
			[{k: r[k] for k in keys} for r in schedule_after],
			[{k: r[k] for k in keys} for r in schedule_before],
		)
		self.assertFalse(frappe.db.exists("Loan Payment", {"reference_no": imp.name, "docstatus": 1}))
		self.assertEqual(
			frappe.db.get_value("Refund Request", {"cut_import": imp.name}, "status"), "Cancelled"
		)
		self.assertEqual(
			frappe.db.get_value("Reconciliation Exception", {"cut_import": imp.name}, "status"), "Resolved"
		)
		self.assertEqual(realised_on_export_lines("Taspen", period), {})
		# The same file may be imported again once the first import is cancelled.
		again = make_import(period, content)
		self.assertEqual(frappe.db.get_value("Pension Cut Import", again.name, "status"), "Reconciled")

	def test_member_key_by_nik_when_the_pension_number_is_missing(self):
		period = free_period()
		loan = make_billable_loan(period)
		export = make_export(period)
		nik = frappe.db.get_value("Member", loan.member, "nik")
		content = realisation_csv(
			export.name, drop=(pension_number(loan),), extra=[("", nik, "By NIK", INSTALLMENT)]
		)
		imp = make_import(period, content)
		line = frappe.get_all(
			"Pension Cut Import Line", filters={"cut_import": imp.name}, fields=["status", "member"]
		)[0]
		self.assertEqual((line.status, line.member), ("Matched", loan.member))

	def test_conflicting_keys_are_an_exception(self):
		period = free_period()
		loan = make_billable_loan(period)
		stranger = make_member(birth_date="1980-01-01")
		export = make_export(period)
		content = realisation_csv(
			export.name,
			drop=(pension_number(loan),),
			extra=[(pension_number(loan), stranger.nik, "Mixed", INSTALLMENT)],
		)
		imp = make_import(period, content)
		self.assertEqual(
			frappe.db.get_value("Reconciliation Exception", {"cut_import": imp.name}, "reason"),
			"Conflicting Keys",
		)
