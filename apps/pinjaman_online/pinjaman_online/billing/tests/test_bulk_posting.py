"""Bulk posting (servicing/bulk.py) is indistinguishable from posting Loan Payments through the form.

Two identical loans get the same payments, one through the document (``api.servicing.pay``), the other
through ``post_payments``: schedules, loans and payments must match field by field; the bulk payments must
cancel through their own document (``LoanPayment.on_cancel``) back to the original schedule; and
``refresh_loan`` after a bulk posting must find nothing to change.
"""

from decimal import Decimal

import frappe
from frappe.tests.utils import FrappeTestCase
from frappe.utils import getdate, today

from pinjaman_online.api.servicing import pay
from pinjaman_online.servicing.bulk import PaymentItem, cancel_payments, post_payments, reserve_names
from pinjaman_online.servicing.utils import refresh_loan
from pinjaman_online.tests.factories import as_user, make_active_loan, make_member, make_product

SCHEDULE = (
	"installment_number",
	"status",
	"principal_paid",
	"interest_paid",
	"penalty_amount",
	"penalty_paid",
	"outstanding_amount",
	"last_payment_date",
)
LOAN = (
	"status",
	"outstanding_principal",
	"outstanding_interest",
	"outstanding_penalty",
	"total_paid",
	"days_past_due",
	"aging_bucket",
	"collectibility",
	"last_payment_date",
	"closed_date",
)


def schedule(loan: str) -> list[dict]:
	return frappe.get_all("Loan Installment", {"loan": loan}, list(SCHEDULE), order_by="installment_number")


def without_names(rows: list[dict]) -> list[dict]:
	return [{k: v for k, v in r.items() if k != "name"} for r in rows]


def loan_values(loan: str) -> dict:
	return frappe.db.get_value("Loan", loan, list(LOAN), as_dict=True)


def payment_values(name: str) -> dict:
	doc = frappe.get_doc("Loan Payment", name)
	return {
		"docstatus": doc.docstatus,
		"amount": doc.amount,
		"member": doc.member,
		"member_name": doc.member_name,
		"payment_method": doc.payment_method,
		"totals": (doc.total_penalty, doc.total_interest, doc.total_principal),
		"allocations": [(a.installment_number, a.penalty, a.interest, a.principal) for a in doc.allocations],
	}


class TestBulkPosting(FrappeTestCase):
	def twins(self, **overrides):
		"""Two loans of one member-less setup with identical terms and schedules (not the same member:
		a member may not hold two open loans)."""
		product = make_product()
		values = {"principal": 12_000_000, "tenor_months": 12, **overrides}
		a = make_active_loan(member=make_member(), product=product, **values)
		b = make_active_loan(member=make_member(), product=product, **values)
		return a.name, b.name

	def add_penalty(self, loan: str, number: int, amount: int):
		li = frappe.get_value("Loan Installment", {"loan": loan, "installment_number": number}, "name")
		frappe.db.set_value(
			"Loan Installment", li, {"penalty_amount": amount, "outstanding_amount": 1_180_000 + amount}
		)
		refresh_loan(loan)

	def test_same_rows_as_the_form_then_cancel_through_the_document_restores_the_schedule(self):
		form, bulk = self.twins()
		for loan in (form, bulk):
			self.add_penalty(loan, 1, 35_000)
		original = schedule(bulk)
		amounts = [Decimal(700_000), Decimal(1_515_000), Decimal(99)]
		with as_user("finance"):
			form_payments = [
				pay(form, int(a), posting_date=today(), payment_method="Pension Deduction")["name"]
				for a in amounts
			]
			results = post_payments(
				[
					PaymentItem(f"TEST-BULK-{bulk}-{i}", bulk, a, getdate(today()))
					for i, a in enumerate(amounts)
				]
			)
		self.assertEqual([r.error for r in results], [None, None, None])
		self.assertEqual([r.posted for r in results], amounts)
		self.assertEqual(without_names(schedule(bulk)), without_names(schedule(form)))
		self.assertEqual(loan_values(bulk), loan_values(form))
		for f, b in zip(form_payments, (r.payment for r in results), strict=True):
			fv, bv = payment_values(f), payment_values(b)
			self.assertEqual(
				{**fv, "member": None, "member_name": None}, {**bv, "member": None, "member_name": None}
			)
		self.assertTrue(all(r.payment.startswith(f"PAY-{today()[:4]}-") for r in results))

		# refresh_loan (what the form calls) finds nothing to change after a bulk posting
		before = loan_values(bulk)
		refresh_loan(bulk, getdate(today()))
		self.assertEqual(loan_values(bulk), before)

		# each bulk payment cancels through its own document, newest first, back to the original schedule
		with as_user("finance"):
			for r in reversed(results):
				frappe.get_doc("Loan Payment", r.payment).cancel()
		self.assertEqual(schedule(bulk), original)
		self.assertEqual(Decimal(str(loan_values(bulk).outstanding_penalty)), 35_000)

	def test_paying_off_closes_the_loan_and_the_excess_is_returned(self):
		form, bulk = self.twins(principal=6_000_000, tenor_months=6)
		owed = Decimal(6_000_000 + 6 * 90_000)
		with as_user("finance"):
			pay(form, int(owed))
			(result,) = post_payments([PaymentItem(f"TEST-OFF-{bulk}", bulk, owed + 5000, getdate(today()))])
		self.assertEqual((result.posted, result.unallocated, result.error), (owed, Decimal(5000), None))
		self.assertEqual(loan_values(bulk), loan_values(form))
		self.assertEqual(loan_values(bulk).status, "Closed")
		(again,) = post_payments([PaymentItem(f"TEST-OFF2-{bulk}", bulk, Decimal(100), getdate(today()))])
		self.assertIn("payments are taken only on active loans", again.error)

	def test_a_source_key_is_posted_once(self):
		_, loan = self.twins()
		item = PaymentItem(f"TEST-ONCE-{loan}", loan, Decimal(500_000), getdate(today()))
		(first,) = post_payments([item])
		(second,) = post_payments([item])
		self.assertEqual((second.existing, second.payment), (True, first.payment))
		self.assertEqual(frappe.db.count("Loan Payment", {"loan": loan, "docstatus": 1}), 1)
		self.assertIn(
			"twice", post_payments([item.__class__("K2", loan, Decimal(1), getdate(today()))] * 2)[1].error
		)

	def test_refused_like_the_form(self):
		_, loan = self.twins()
		disbursed = frappe.db.get_value("Loan", loan, "disbursement_date")
		early = post_payments(
			[PaymentItem("TEST-EARLY", loan, Decimal(1), frappe.utils.add_days(disbursed, -1))]
		)
		self.assertIn("before the disbursement date", early[0].error)
		self.assertIn(
			"does not exist",
			post_payments([PaymentItem("TEST-NONE", "LN-NOPE", Decimal(1), getdate())])[0].error,
		)
		self.assertIn(
			"above zero", post_payments([PaymentItem("TEST-ZERO", loan, Decimal(0), getdate())])[0].error
		)

	def test_bulk_cancel_is_the_documents_cancel(self):
		by_doc, by_bulk = self.twins()
		items = []
		for loan in (by_doc, by_bulk):
			items += [
				PaymentItem(f"TEST-C-{loan}-{i}", loan, Decimal(a), getdate(today()))
				for i, a in enumerate((1_300_000, 400_000))
			]
		results = post_payments(items)
		with as_user("finance"):
			for r in reversed(results[:2]):
				frappe.get_doc("Loan Payment", r.payment).cancel()
		cancel_payments([r.payment for r in results[2:]])
		self.assertEqual(without_names(schedule(by_bulk)), without_names(schedule(by_doc)))
		self.assertEqual(loan_values(by_bulk), loan_values(by_doc))
		self.assertEqual({frappe.db.get_value("Loan Payment", r.payment, "docstatus") for r in results}, {2})

	def test_reserved_names_continue_the_forms_series(self):
		first = reserve_names("PAY-.YYYY.-.#####", 3)
		_, loan = self.twins()
		with as_user("finance"):
			after = pay(loan, 1000)["name"]
		numbers = [int(n.rsplit("-", 1)[1]) for n in [*first, after]]
		self.assertEqual(numbers[:3], [numbers[0], numbers[0] + 1, numbers[0] + 2])
		self.assertGreater(numbers[3], numbers[2])
