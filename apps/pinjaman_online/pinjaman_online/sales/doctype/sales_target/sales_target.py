import frappe
from frappe import _
from frappe.utils import cint, flt, now_datetime

from pinjaman_online.permissions import SystemFieldsDocument
from pinjaman_online.sales.utils import period_or_throw


class TargetError(frappe.ValidationError):
	pass


class SalesTarget(SystemFieldsDocument):
	"""An agent's monthly target (seed 004 §2 `sales_targets`), approved by the agent's supervisor through
	the Workflow "Sales Target Approval" (the supervisor named on the agent, never the target's creator)."""

	def validate(self):
		self.set_period()
		self.set_agent_details()
		self.validate_figures()
		self.validate_unique()

	def before_submit(self):
		if not self.supervisor_user:
			frappe.throw(
				_("Agent {0} has no supervisor to approve the target: set one on the agent").format(
					frappe.bold(self.sales_agent)
				),
				exc=TargetError,
			)

	def before_update_after_submit(self):
		"""Approval is recorded by the approving transition only (never typed in)."""
		before = self.get_doc_before_save()
		if before.workflow_state != self.workflow_state and self.workflow_state == "Approved":
			self.approved_by, self.approved_on = frappe.session.user, now_datetime()
		else:
			self.approved_by, self.approved_on = before.approved_by, before.approved_on

	def set_period(self):
		self.period = str(period_or_throw(self.period))

	def set_agent_details(self):
		agent = frappe.db.get_value(
			"Sales Agent", self.sales_agent, ["sales_branch", "supervisor_user", "status"], as_dict=True
		)
		if agent.status != "Active":
			frappe.throw(_("Agent {0} is not active").format(frappe.bold(self.sales_agent)), exc=TargetError)
		self.sales_branch, self.supervisor_user = agent.sales_branch, agent.supervisor_user

	def validate_figures(self):
		figures = (cint(self.target_visits), cint(self.target_applications), cint(self.target_approvals))
		if any(x < 0 for x in figures) or flt(self.target_disbursed_amount) < 0:
			frappe.throw(_("Targets cannot be negative"), exc=TargetError)
		if not any(figures) and not flt(self.target_disbursed_amount):
			frappe.throw(_("Set at least one target figure"), exc=TargetError)

	def validate_unique(self):
		other = frappe.db.get_value(
			"Sales Target",
			{
				"sales_agent": self.sales_agent,
				"period": self.period,
				"docstatus": ("<", 2),
				"name": ("!=", self.name),
			},
			"name",
		)
		if other:
			frappe.throw(
				_("Agent {0} already has target {1} for {2}").format(
					frappe.bold(self.sales_agent), other, self.period
				),
				title=_("Target exists"),
				exc=TargetError,
			)
