import frappe
from frappe import _
from frappe.model.document import Document
from frappe.utils import getdate

from pinjaman_online.sales.utils import agent_of, check_own_agent


class SalesVisitError(frappe.ValidationError):
	pass


class SalesVisit(Document):
	"""A sales agent's visit to a member or a prospect, its outcome and next step (seed 004 §2 `sales_visits`)."""

	def before_validate(self):
		if not self.sales_agent:
			self.sales_agent = agent_of()

	def validate(self):
		self.validate_agent()
		self.validate_visitee()
		self.validate_dates()

	def validate_agent(self):
		if not self.sales_agent:
			frappe.throw(
				_("You are not a sales agent: choose the agent who made the visit"), exc=SalesVisitError
			)
		check_own_agent(self.sales_agent)
		self.sales_branch = frappe.db.get_value("Sales Agent", self.sales_agent, "sales_branch")

	def validate_visitee(self):
		if not self.member and not (self.prospect_name or "").strip():
			frappe.throw(
				_("A visit is to a member or a prospect: give the member or the prospect's name"),
				title=_("Who was visited?"),
				exc=SalesVisitError,
			)

	def validate_dates(self):
		if getdate(self.visit_date) > getdate():
			frappe.throw(_("Visit date is in the future"), exc=SalesVisitError)
		if self.next_visit_date and getdate(self.next_visit_date) < getdate(self.visit_date):
			frappe.throw(_("Next visit is before this visit"), exc=SalesVisitError)
