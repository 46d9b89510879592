import frappe
from frappe import _
from frappe.model.document import Document

from pinjaman_online.sales.utils import sync_agent_permission

AGENT_ROLES = ("Sales", "Sales Supervisor")


class SalesAgentError(frappe.ValidationError):
	pass


class SalesAgent(Document):
	"""A salesperson: a User with the Sales role, in one Sales Branch, with a supervisor (seed 004 §2 `sales`)."""

	def validate(self):
		self.validate_user_roles()
		self.validate_supervisor()

	def on_update(self):
		sync_agent_permission(self)

	def on_trash(self):
		from pinjaman_online.user_permissions import revoke

		revoke(self.user, "Sales Branch", self.sales_branch)

	def validate_user_roles(self):
		if not set(AGENT_ROLES) & set(frappe.get_roles(self.user)):
			frappe.throw(
				_("User {0} needs the role Sales (or Sales Supervisor) to be a sales agent").format(
					frappe.bold(self.user)
				),
				title=_("Not a sales user"),
				exc=SalesAgentError,
			)

	def validate_supervisor(self):
		if not self.supervisor:
			self.supervisor_user = self.supervisor_name = None
			return
		if self.supervisor == self.name:
			frappe.throw(_("An agent cannot supervise themselves"), exc=SalesAgentError)
		supervisor = frappe.db.get_value(
			"Sales Agent", self.supervisor, ["user", "agent_name", "status"], as_dict=True
		)
		if supervisor.status != "Active" or "Sales Supervisor" not in frappe.get_roles(supervisor.user):
			frappe.throw(
				_("Supervisor {0} must be an active agent with the role Sales Supervisor").format(
					frappe.bold(self.supervisor)
				),
				exc=SalesAgentError,
			)
		self.supervisor_user, self.supervisor_name = supervisor.user, supervisor.agent_name
