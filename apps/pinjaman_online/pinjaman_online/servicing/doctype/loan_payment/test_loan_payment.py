from decimal import Decimal

import frappe
from frappe.tests.utils import FrappeTestCase
from frappe.utils import add_days, today

from pinjaman_online.api.errors import InvalidRequest
from pinjaman_online.api.servicing import outstanding, pay
from pinjaman_online.servicing.doctype.loan_payment.loan_payment import OverpaymentError
from pinjaman_online.servicing.utils import LoanStateError
from pinjaman_online.tests.factories import as_user, make_active_loan


def installments(loan):
	return frappe.get_all(
		"Loan Installment",
		filters={"loan": loan},
		fields=[
			"installment_number",
			"principal_amount",
			"interest_amount",
			"principal_paid",
			"interest_paid",
			"status",
			"outstanding_amount",
		],
		order_by="installment_number",
	)


class TestLoanPayment(FrappeTestCase):
	def test_allocation_interest_then_principal_oldest_first(self):
		loan = make_active_loan(principal=12_000_000, tenor_months=12)  # 18% flat: 1.000.000 + 180.000
		with as_user("finance"):
			result = pay(loan.name, 1_500_000)
		lines = [(a["installment"], a["interest"], a["principal"]) for a in result["allocations"]]
		self.assertEqual(lines, [(1, 180_000, 1_000_000), (2, 180_000, 140_000)])
		rows = installments(loan.name)
		self.assertEqual([r.status for r in rows[:3]], ["Paid", "Partially Paid", "Unpaid"])
		self.assertEqual(Decimal(result["outstanding"]["principal"]), Decimal(12_000_000 - 1_140_000))
		self.assertEqual(Decimal(result["outstanding"]["interest"]), Decimal(12 * 180_000 - 360_000))

	def test_cancel_restores_the_schedule_exactly(self):
		loan = make_active_loan(principal=12_000_000, tenor_months=12)
		before = installments(loan.name)
		with as_user("finance"):
			first = pay(loan.name, 1_180_000)
			second = pay(loan.name, 777_777)
			frappe.get_doc("Loan Payment", second["name"]).cancel()
			frappe.get_doc("Loan Payment", first["name"]).cancel()
		self.assertEqual(installments(loan.name), before)
		self.assertEqual(Decimal(outstanding(loan.name)["total"]), Decimal(12_000_000 + 2_160_000))

	def test_paying_everything_closes_the_loan_and_overpaying_is_refused(self):
		loan = make_active_loan(principal=6_000_000, tenor_months=6)
		total = Decimal(outstanding(loan.name)["total"])
		with as_user("finance"):
			self.assertRaises(OverpaymentError, pay, loan.name, int(total + 1))
			self.assertRaises(InvalidRequest, pay, loan.name, float(total))  # a float never carries Rupiah
			self.assertEqual(frappe.db.count("Loan Payment", {"loan": loan.name, "docstatus": 1}), 0)
			pay(loan.name, int(total))
		self.assertEqual(frappe.db.get_value("Loan", loan.name, "status"), "Closed")
		self.assertEqual(Decimal(outstanding(loan.name)["total"]), 0)

	def test_sales_cannot_post_payments(self):
		loan = make_active_loan()
		with as_user("sales"):
			self.assertRaises(frappe.PermissionError, pay, loan.name, 100_000)

	def test_disbursement_with_payments_cannot_be_cancelled(self):
		loan = make_active_loan()
		with as_user("finance"):
			pay(loan.name, 100_000)
			disbursement = frappe.get_last_doc("Loan Disbursement", filters={"loan": loan.name})
			self.assertRaises(LoanStateError, disbursement.cancel)

	def test_days_past_due_from_the_oldest_unpaid_installment(self):
		loan = make_active_loan()
		first_due = frappe.db.get_value(
			"Loan Installment", {"loan": loan.name, "installment_number": 1}, "due_date"
		)
		self.assertEqual(outstanding(loan.name, as_of=str(add_days(first_due, 10)))["days_past_due"], 10)
		self.assertEqual(outstanding(loan.name, as_of=today())["days_past_due"], 0)
