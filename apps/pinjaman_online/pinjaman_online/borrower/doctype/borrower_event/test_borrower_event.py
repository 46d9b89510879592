import json

import frappe
from frappe.tests.utils import FrappeTestCase

from pinjaman_online.borrower.events import publish


class TestBorrowerEvent(FrappeTestCase):
	def test_publish_records_the_event_with_its_reference(self):
		stamped = publish("LoanApplied", {"user_id": "Administrator", "loan_id": "APP-TEST-1", "amount": 5})
		row = frappe.get_doc("Borrower Event", {"event_id": stamped["event_id"]})
		self.assertEqual((row.event, row.user), ("LoanApplied", "Administrator"))
		self.assertEqual((row.reference_doctype, row.reference_name), ("Loan Application", "APP-TEST-1"))
		self.assertEqual(json.loads(row.payload)["amount"], 5)
		self.assertIn("on_loan_applied", row.handlers)

	def test_a_rolled_back_publisher_records_nothing(self):
		frappe.db.savepoint("before_event")
		stamped = publish("PaymentReceived", {"user_id": "Administrator", "loan": "LN-X", "payment": "PAY-X"})
		self.assertTrue(frappe.db.exists("Borrower Event", {"event_id": stamped["event_id"]}))
		frappe.db.rollback(save_point="before_event")
		self.assertFalse(frappe.db.exists("Borrower Event", {"event_id": stamped["event_id"]}))

	def test_no_role_may_edit_or_delete_the_log(self):
		perms = frappe.get_meta("Borrower Event").permissions
		self.assertTrue(perms)
		for perm in perms:
			self.assertEqual((perm.write, perm.create, perm.delete), (0, 0, 0), perm.role)
