"""Refund Request: a request (draft) until Finance approves it (submit); the payout is recorded on it."""

import frappe
from frappe.tests.utils import FrappeTestCase
from frappe.utils import today

from pinjaman_online.billing.doctype.refund_request.refund_request import RefundRequestError
from pinjaman_online.tests.factories import as_user, make_member


class TestRefundRequest(FrappeTestCase):
	def test_request_approve_pay(self):
		member = make_member()
		with as_user("finance"):
			refund = frappe.get_doc(
				{
					"doctype": "Refund Request",
					"member": member.name,
					"amount": 250_000,
					"reason": "Over-deduction",
				}
			).insert()
			self.assertEqual((refund.status, refund.account_number), ("Requested", "0011223344"))
			refund.submit()
			self.assertEqual(refund.status, "Approved")
			refund.paid_on, refund.payment_reference = today(), "TRF-1"
			refund.save()
			self.assertEqual(refund.status, "Paid")

	def test_amount_must_be_positive_and_sales_cannot_request(self):
		member = make_member()
		doc = {"doctype": "Refund Request", "member": member.name, "amount": 0, "reason": "x"}
		with as_user("finance"):
			self.assertRaises(RefundRequestError, frappe.get_doc(doc).insert)
		with as_user("sales"):
			self.assertRaises(frappe.PermissionError, frappe.get_doc({**doc, "amount": 5}).insert)
