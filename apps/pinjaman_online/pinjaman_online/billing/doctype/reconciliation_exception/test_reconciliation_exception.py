"""Reconciliation Exception: manual reconciliation (post on a loan, refund, dismiss) and the report."""

from decimal import Decimal

import frappe
from frappe.tests.utils import FrappeTestCase

from pinjaman_online.api.billing import member, reconcile, unmatched
from pinjaman_online.billing.manual import ReconcileError
from pinjaman_online.billing.report.reconciliation_exceptions.reconciliation_exceptions import execute
from pinjaman_online.servicing.utils import loan_outstanding
from pinjaman_online.tests.factories import (
	as_user,
	free_period,
	make_billable_loan,
	make_export,
	make_import,
	realisation_csv,
)


def setup_exceptions():
	"""An import with two unmatched lines: the billed member under a mistyped number, and a stranger."""
	period = free_period()
	loan = make_billable_loan(period)
	export = make_export(period)
	number = frappe.db.get_value("Member", loan.member, "pension_number")
	content = realisation_csv(
		export.name,
		drop=(number,),
		extra=[(number + "Z", "", "Typo", 1_500_000), ("NOBODY-9", "", "Stranger", 40_000)],
	)
	imp = make_import(period, content)
	exceptions = {
		x.pension_number: x.name
		for x in frappe.get_all(
			"Reconciliation Exception", {"cut_import": imp.name}, ["name", "pension_number"]
		)
	}
	return period, loan, imp, exceptions[number + "Z"], exceptions["NOBODY-9"]


class TestReconciliationException(FrappeTestCase):
	def test_post_on_a_loan_caps_at_the_deduction_and_refunds_nothing_when_owed(self):
		period, loan, imp, typo, _stranger = setup_exceptions()
		before = Decimal(loan_outstanding(loan.name)["total"])
		with as_user("finance"):
			self.assertEqual(len(unmatched(period)), 2)
			result = reconcile(typo, "post", loan=loan.name)
		self.assertEqual((result["status"], result["resolution"]), ("Resolved", "Posted"))
		self.assertEqual(before - Decimal(loan_outstanding(loan.name)["total"]), Decimal(1_500_000))
		payment = frappe.get_doc("Loan Payment", result["loan_payment"])
		line = frappe.get_doc("Pension Cut Import Line", payment.source_key)
		self.assertEqual((line.status, line.loan, line.loan_payment), ("Matched", loan.name, payment.name))
		self.assertEqual(frappe.db.get_value("Pension Cut Import", imp.name, "unmatched_count"), 1)
		with as_user("finance"):
			self.assertRaises(ReconcileError, reconcile, typo, "post", loan=loan.name)
			history = member(loan.member)
		(p,) = [p for p in history["periods"] if p["period"] == period]
		self.assertEqual(p["billed"][0]["status"], "Realised")

	def test_refund_and_dismiss(self):
		_period, loan, _imp, typo, stranger = setup_exceptions()
		with as_user("finance"):
			self.assertRaises(ReconcileError, reconcile, stranger, "dismiss")
			dismissed = reconcile(stranger, "dismiss", reason="Not ours")
			refunded = reconcile(typo, "refund", member=loan.member, amount=100_000, reason="Returned")
		self.assertEqual(dismissed["resolution"], "Dismissed")
		refund = frappe.get_doc("Refund Request", refunded["refund_request"])
		self.assertEqual((refund.amount, refund.member, refund.status), (100_000, loan.member, "Requested"))
		with as_user("finance"):
			refund.submit()
		self.assertEqual(refund.status, "Approved")

	def test_auditors_read_but_do_not_reconcile(self):
		period, loan, _imp, typo, _stranger = setup_exceptions()
		auditor = "test-auditor@koperasi.example"
		if not frappe.db.exists("User", auditor):
			frappe.get_doc({"doctype": "User", "email": auditor, "first_name": "Auditor", "send_welcome_email": 0,
				"roles": [{"role": "Auditor"}]}).insert(ignore_permissions=True)  # fmt: skip
		frappe.set_user(auditor)
		try:
			self.assertEqual(len(unmatched(period)), 2)
			self.assertRaises(frappe.PermissionError, reconcile, typo, "post", loan=loan.name)
		finally:
			frappe.set_user("Administrator")

	def test_report(self):
		period, _loan, imp, _typo, _stranger = setup_exceptions()
		columns, rows, _message, chart = execute({"period": period})
		self.assertIn("reason", [c["fieldname"] for c in columns])
		self.assertEqual(
			{r.name for r in rows},
			set(frappe.get_all("Reconciliation Exception", {"cut_import": imp.name}, pluck="name")),
		)
		self.assertEqual(chart["data"]["labels"], ["Unknown Member"])
		self.assertEqual([r.name for r in execute({"period": period, "status": "Resolved"})[1]], [])
