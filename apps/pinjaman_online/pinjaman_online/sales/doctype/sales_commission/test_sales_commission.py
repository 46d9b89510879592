from decimal import Decimal

import frappe
from frappe.tests.utils import FrappeTestCase

from pinjaman_online.api.sales import commissions, pay_commission
from pinjaman_online.permissions import SystemFieldWriteError
from pinjaman_online.sales.doctype.sales_commission.sales_commission import CommissionError
from pinjaman_online.tests.factories import (
	acting_as,
	as_user,
	make_active_loan,
	make_agent,
	make_branch,
	make_member,
	make_product,
	make_staff,
	make_supervisor,
)


def commission_of(loan, **filters):
	name = frappe.db.get_value(
		"Sales Commission", {"loan": loan.name, **filters}, "name", order_by="creation desc"
	)
	return name and frappe.get_doc("Sales Commission", name)


def disbursement_of(loan):
	return frappe.get_last_doc("Loan Disbursement", filters={"loan": loan.name, "docstatus": 1})


class TestSalesCommission(FrappeTestCase):
	@classmethod
	def setUpClass(cls):
		super().setUpClass()
		cls.branch_a = make_branch(default_commission_rate=1)
		cls.branch_b = make_branch()
		cls.supervisor_a = make_supervisor(cls.branch_a)
		cls.agent_a = make_agent(cls.branch_a, cls.supervisor_a)
		cls.agent_b = make_agent(cls.branch_b)
		cls.product = make_product(
			commission_rates=[{"rate_pct": 1.5}, {"sales_branch": cls.branch_b.name, "rate_pct": 2}]
		)

	def test_disbursement_books_the_agents_commission(self):
		loan = make_active_loan(product=self.product, sales_agent=self.agent_a.name, principal=30_000_000)
		commission = commission_of(loan)
		self.assertEqual(
			(commission.docstatus, commission.status, commission.sales_agent, commission.sales_branch),
			(1, "Unpaid", self.agent_a.name, self.branch_a.name),
		)
		self.assertEqual(Decimal(str(commission.amount)), Decimal(450_000))  # 1.5% of 30.000.000
		self.assertEqual(commission.loan_disbursement, disbursement_of(loan).name)
		with as_user("finance"):
			self.assertIn(commission.name, [c.name for c in commissions(self.agent_a.name, "unpaid")])

	def test_rate_per_product_and_branch(self):
		loan_b = make_active_loan(product=self.product, sales_agent=self.agent_b.name, principal=10_000_000)
		self.assertEqual(Decimal(str(commission_of(loan_b).amount)), Decimal(200_000))  # product rate for B
		plain = make_product()
		loan_a = make_active_loan(product=plain, sales_agent=self.agent_a.name, principal=10_000_000)
		self.assertEqual(Decimal(str(commission_of(loan_a).amount)), Decimal(100_000))  # branch A default 1%
		loan_none = make_active_loan(product=plain, sales_agent=self.agent_b.name)
		self.assertIsNone(commission_of(loan_none))  # no rule for B on this product: no commission
		self.assertIsNone(commission_of(make_active_loan(product=self.product)))  # no agent

	def test_cancelling_the_disbursement_reverses_the_commission(self):
		loan = make_active_loan(product=self.product, sales_agent=self.agent_a.name)
		with as_user("finance"):
			disbursement_of(loan).cancel()
		commission = commission_of(loan)
		self.assertEqual((commission.docstatus, commission.status), (2, "Reversed"))
		from pinjaman_online.api.servicing import disburse

		with as_user("finance"):
			disburse(loan.name)
		again = commission_of(loan, docstatus=1)
		self.assertEqual((again.status, again.loan_disbursement), ("Unpaid", disbursement_of(loan).name))

	def test_a_paid_commission_is_clawed_back(self):
		loan = make_active_loan(product=self.product, sales_agent=self.agent_a.name, principal=20_000_000)
		paid = commission_of(loan)
		with as_user("sales"):
			self.assertRaises(frappe.PermissionError, pay_commission, paid.name, None, "PAYROLL-1")
		with as_user("finance"):
			self.assertEqual(pay_commission(paid.name, None, "PAYROLL-1")["status"], "Paid")
			back = frappe.get_doc("Sales Commission", paid.name)
			back.status = "Unpaid"  # the status is the system's: a client's change is refused
			self.assertRaises((CommissionError, SystemFieldWriteError), back.save)
			disbursement_of(loan).cancel()
		clawback = commission_of(loan, commission_type="Clawback")
		self.assertEqual((clawback.status, clawback.reversal_of), ("Unpaid", paid.name))
		self.assertEqual(Decimal(str(clawback.amount)), -Decimal(300_000))
		self.assertEqual(frappe.db.get_value("Sales Commission", paid.name, "status"), "Paid")

	def test_sales_users_see_only_their_branch(self):
		loan = make_active_loan(product=self.product, sales_agent=self.agent_a.name)
		commission = commission_of(loan)
		application = frappe.get_doc("Loan Application", loan.loan_application)
		with acting_as(self.agent_a.user):
			member = make_member(verified=False, full_name="Siti Cabang A")
		self.assertEqual(member.sales_branch, self.branch_a.name)
		for doc in (commission, application, member):
			self.assertTrue(frappe.has_permission(doc.doctype, "read", doc, user=self.agent_a.user))
			self.assertTrue(frappe.has_permission(doc.doctype, "read", doc, user=self.supervisor_a.user))
			self.assertFalse(frappe.has_permission(doc.doctype, "read", doc, user=self.agent_b.user))
			self.assertTrue(frappe.has_permission(doc.doctype, "read", doc, user=make_staff("admin")))
		with acting_as(self.agent_b.user):
			self.assertNotIn(commission.name, frappe.get_list("Sales Commission", pluck="name"))
			self.assertRaises(frappe.PermissionError, commissions, self.agent_a.name)
		with acting_as(self.agent_a.user):
			self.assertIn(commission.name, frappe.get_list("Sales Commission", pluck="name"))

	def test_moving_an_agent_moves_the_permission(self):
		agent = make_agent(self.branch_a)
		agent.sales_branch = self.branch_b.name
		agent.save(ignore_permissions=True)
		allowed = frappe.get_all(
			"User Permission", filters={"user": agent.user, "allow": "Sales Branch"}, pluck="for_value"
		)
		self.assertEqual(allowed, [self.branch_b.name])
		agent.status = "Inactive"
		agent.save(ignore_permissions=True)
		self.assertFalse(frappe.db.exists("User Permission", {"user": agent.user, "allow": "Sales Branch"}))
