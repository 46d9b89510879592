from decimal import Decimal

import frappe
from frappe.tests.utils import FrappeTestCase
from frappe.utils import add_days, getdate, today

from pinjaman_online.api.sales import branch_performance, decide_target, performance, record_visit, set_target
from pinjaman_online.lending.period import period_of
from pinjaman_online.sales.doctype.sales_target.sales_target import TargetError
from pinjaman_online.sales.doctype.sales_visit.sales_visit import SalesVisitError
from pinjaman_online.tests.factories import (
	acting_as,
	make_active_loan,
	make_agent,
	make_application,
	make_branch,
	make_member,
	make_product,
	make_supervisor,
)

PERIOD = str(period_of(getdate(today())))


class TestSalesTarget(FrappeTestCase):
	@classmethod
	def setUpClass(cls):
		super().setUpClass()
		cls.branch = make_branch()
		cls.supervisor = make_supervisor(cls.branch)
		cls.other_supervisor = make_supervisor(cls.branch)
		cls.agent = make_agent(cls.branch, cls.supervisor)
		cls.outsider = make_agent(make_branch(), make_supervisor(make_branch()))

	def target(self, agent, period=PERIOD, **figures):
		values = {"target_visits": 10, "target_applications": 4, "target_approvals": 2}
		values.update(figures)
		with acting_as(agent.user):
			return set_target(agent.name, period, target_disbursed_amount=100_000_000, **values)

	def test_the_supervisor_approves_the_target(self):
		target = self.target(self.agent, "2030-01")
		self.assertEqual(target["workflow_state"], "Submitted")
		for user in (self.agent.user, self.other_supervisor.user, self.outsider.user):
			with acting_as(user):
				self.assertRaises(frappe.PermissionError, decide_target, target["name"], "approve")
		with acting_as(self.supervisor.user):
			approved = decide_target(target["name"], "approve")
		self.assertEqual(
			(approved["workflow_state"], approved["approved_by"]), ("Approved", self.supervisor.user)
		)

	def test_no_self_approval_one_target_per_period_reject_and_amend(self):
		with acting_as(self.supervisor.user):
			own = set_target(self.agent.name, "2030-02", target_visits=5)
			self.assertRaises(frappe.ValidationError, decide_target, own["name"], "approve")  # self-approval
		self.assertRaises(TargetError, self.target, self.agent, "2030-02")
		self.assertRaises(frappe.ValidationError, self.target, self.agent, "2030-13")
		self.assertEqual(frappe.db.get_value("Sales Target", own["name"], "workflow_state"), "Submitted")
		target = self.target(self.agent, "2030-03")
		with acting_as(self.supervisor.user):
			self.assertEqual(decide_target(target["name"], "reject")["workflow_state"], "Rejected")
		rejected = frappe.get_doc("Sales Target", target["name"])
		self.assertEqual(rejected.docstatus, 2)
		amended = frappe.copy_doc(rejected)
		amended.update(
			{"amended_from": rejected.name, "docstatus": 0, "workflow_state": None, "target_visits": 8}
		)
		with acting_as(self.agent.user):
			amended.insert()
		self.assertEqual(amended.workflow_state, "Draft")

	def test_performance_against_actuals(self):
		product = make_product(commission_rates=[{"rate_pct": 1}])
		with acting_as(self.agent.user):
			member = make_member(verified=False)
			record_visit(self.agent.name, "Interested", member=member.name, next_step="Bring SK Pensiun")
			record_visit(self.agent.name, "Follow Up", prospect_name="Pak Harjo", prospect_phone="+628111")
			record_visit(self.agent.name, "Applied", member=member.name)
		make_active_loan(product=product, sales_agent=self.agent.name, principal=30_000_000)
		make_application(product=product, sales_agent=self.agent.name, submit=True)
		target = self.target(self.agent)
		with acting_as(self.supervisor.user):
			decide_target(target["name"], "approve")
		with acting_as(self.agent.user):
			kpi = performance(self.agent.name, PERIOD)
		metrics = {k: (v["actual"], v["target"], v["achievement_pct"]) for k, v in kpi["metrics"].items()}
		self.assertEqual(
			metrics,
			{
				"visits": ("3", "10", "30.0"),
				"applications": ("2", "4", "50.0"),
				"approvals": ("1", "2", "50.0"),
				"disbursed": ("30000000", "100000000", "30.0"),
			},
		)
		self.assertEqual(Decimal(kpi["commission"]), Decimal(300_000))
		self.assertEqual(kpi["target"]["status"], "Approved")
		with acting_as(self.outsider.user):
			self.assertRaises(frappe.PermissionError, performance, self.agent.name, PERIOD)
		with acting_as(self.supervisor.user):
			rollup = branch_performance(self.branch.name, PERIOD)
		self.assertEqual(rollup["total"]["metrics"]["visits"]["actual"], "3")
		self.assertEqual(rollup["total"]["metrics"]["disbursed"]["target"], "100000000")
		self.assertEqual(rollup["total"]["approved_targets"], 1)
		self.assertEqual(len(rollup["agents"]), 3)

	def test_visit_rules(self):
		with acting_as(self.agent.user):
			self.assertRaises(SalesVisitError, record_visit, self.agent.name, "Interested")
			self.assertRaises(
				SalesVisitError,
				record_visit,
				self.agent.name,
				"Interested",
				prospect_name="Ibu Sri",
				visit_date=str(add_days(today(), 1)),
			)
		with acting_as(self.outsider.user):  # another branch's agent cannot record for this one
			self.assertRaises(
				frappe.PermissionError, record_visit, self.agent.name, "Interested", prospect_name="X"
			)
