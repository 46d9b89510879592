"""Loan write-off through the Director's approval, recoveries after it, and their journals."""

from decimal import Decimal

import frappe
from frappe.model.workflow import apply_workflow
from frappe.tests.utils import FrappeTestCase
from frappe.utils import today

from pinjaman_online.accounting import posting
from pinjaman_online.accounting.report.general_ledger.general_ledger import execute as general_ledger
from pinjaman_online.accounting.report.ledger_vs_loans.ledger_vs_loans import execute as ledger_vs_loans
from pinjaman_online.accounting.write_off import loan_receivable
from pinjaman_online.tests.factories import as_user, make_active_loan, make_test_user

D = Decimal


def journal_rows(voucher: str) -> list[dict]:
	return [
		r
		for r in general_ledger({"from_date": "2000-01-01", "to_date": today(), "voucher_no": voucher})[1]
		if r.get("journal_no")
	]


def difference_of(loan: str) -> Decimal:
	rows = ledger_vs_loans({"as_of_date": today(), "show_zero": 1})[1]
	return next((r["difference"] for r in rows if r.get("loan") == loan), D(0))


class TestWriteOff(FrappeTestCase):
	def test_write_off_approved_by_a_director_then_a_recovery_and_both_cancelled(self):
		loan = make_active_loan()
		posting.post_opening(loan.name)
		principal = D(str(loan.outstanding_principal))
		self.assertEqual(loan_receivable(loan.name, "loan_principal_receivable", today()), principal)
		with as_user("finance"):
			doc = frappe.get_doc(
				{"doctype": "Loan Write-off", "loan": loan.name, "reason": "Member absconded"}
			)
			doc.insert()
			doc = apply_workflow(doc, "Submit for Approval")
			self.assertRaises(frappe.ValidationError, apply_workflow, doc, "Approve")
		with as_user("director"):
			doc = apply_workflow(frappe.get_doc(doc.doctype, doc.name), "Approve")
		self.assertEqual(doc.docstatus, 1)
		self.assertEqual(D(str(doc.principal)), principal)
		self.assertEqual(
			D(str(doc.from_allowance)) + D(str(doc.to_expense)) - D(str(doc.accrued_receivable)), principal
		)
		self.assertEqual(frappe.db.get_value("Loan", loan.name, "status"), "Written Off")
		rows = journal_rows(doc.name)
		self.assertEqual(sum(r["debit"] for r in rows), sum(r["credit"] for r in rows))
		self.assertEqual(loan_receivable(loan.name, "loan_principal_receivable", today()), 0)
		self.assertEqual(difference_of(loan.name), 0)

		with as_user("finance"):
			recovery = frappe.get_doc(
				{"doctype": "Loan Recovery", "loan": loan.name, "amount": 500_000, "payment_method": "Cash"}
			).insert()
			recovery.submit()
		rows = journal_rows(recovery.name)
		recovery_account = posting.settings()["mapping"]["recovery_income"]
		self.assertEqual(
			[(r["account"], r["credit"]) for r in rows if r["credit"]], [(recovery_account, D(500_000))]
		)
		with as_user("director"):
			self.assertRaises(frappe.ValidationError, frappe.get_doc(doc.doctype, doc.name).cancel)
		with as_user("finance"):
			frappe.get_doc(recovery.doctype, recovery.name).cancel()
		self.assertEqual(sum(r["debit"] - r["credit"] for r in journal_rows(recovery.name)), 0)
		with as_user("director"):
			frappe.get_doc(doc.doctype, doc.name).cancel()
		self.assertEqual(frappe.db.get_value("Loan", loan.name, "status"), "Default")
		self.assertEqual(loan_receivable(loan.name, "loan_principal_receivable", today()), principal)
		self.assertEqual(difference_of(loan.name), 0)

	def test_the_proposer_cannot_approve_and_a_closed_loan_cannot_be_written_off(self):
		loan = make_active_loan()
		both = make_test_user("wo", "Finance", "Director")
		frappe.set_user(both)
		try:
			doc = frappe.get_doc({"doctype": "Loan Write-off", "loan": loan.name, "reason": "Test"}).insert()
			doc = apply_workflow(doc, "Submit for Approval")
			self.assertRaises(frappe.ValidationError, apply_workflow, doc, "Approve")
		finally:
			frappe.set_user("Administrator")
		frappe.db.set_value("Loan", loan.name, "status", "Closed")
		bad = frappe.get_doc({"doctype": "Loan Write-off", "loan": loan.name, "reason": "Test"})
		self.assertRaises(frappe.ValidationError, bad.insert)
		frappe.db.set_value("Loan", loan.name, "status", "Active")

	def test_a_recovery_needs_a_written_off_loan(self):
		loan = make_active_loan()
		doc = frappe.get_doc({"doctype": "Loan Recovery", "loan": loan.name, "amount": 1000})
		self.assertRaises(frappe.ValidationError, doc.insert)
