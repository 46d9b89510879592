import frappe
from frappe import _

from pinjaman_online.permissions import SystemFieldsDocument


class CreditAnalysis(SystemFieldsDocument):
	def validate(self):
		self.validate_application_state()
		self.set_figures()

	def on_submit(self):
		frappe.db.set_value("Loan Application", self.loan_application, "credit_analysis", self.name)

	def on_cancel(self):
		app = frappe.db.get_value(
			"Loan Application", self.loan_application, ["credit_analysis", "workflow_state"], as_dict=True
		)
		if app.workflow_state not in ("Submitted", "Analyzing"):
			frappe.throw(_("The application is already with the committee: its analysis cannot be cancelled"))
		if app.credit_analysis == self.name:
			frappe.db.set_value("Loan Application", self.loan_application, "credit_analysis", None)

	def validate_application_state(self):
		state = frappe.db.get_value("Loan Application", self.loan_application, "workflow_state")
		if state not in ("Submitted", "Analyzing"):
			frappe.throw(
				_("Application {0} is {1}: it can be analysed only while Submitted or Analyzing").format(
					frappe.bold(self.loan_application), state
				)
			)

	def set_figures(self):
		if not 0 <= (self.risk_score or 0) <= 100:
			frappe.throw(_("Risk score must be between 0 and 100"))
		self.dsr = frappe.db.get_value("Loan Application", self.loan_application, "dsr")
		self.risk_grade = "Low" if self.risk_score < 34 else "Medium" if self.risk_score < 67 else "High"
