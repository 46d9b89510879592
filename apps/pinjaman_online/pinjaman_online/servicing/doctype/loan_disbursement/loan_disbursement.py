import frappe
from frappe import _
from frappe.model.workflow import apply_workflow
from frappe.utils import getdate

from pinjaman_online.accounting.posting import post_disbursement, reverse_journals
from pinjaman_online.permissions import SystemFieldsDocument
from pinjaman_online.servicing.state import set_status
from pinjaman_online.servicing.utils import LoanStateError, refresh_loan
from pinjaman_online.utils import lock_row


class LoanDisbursement(SystemFieldsDocument):
	def validate(self):
		loan = frappe.get_doc("Loan", self.loan)
		self.validate_loan_state(loan)
		self.set_amount_and_account(loan)
		self.validate_date(loan)

	def before_submit(self):
		lock_row("Loan", self.loan)
		self.validate_loan_state(frappe.get_doc("Loan", self.loan))

	def on_submit(self):
		set_status(
			self.loan,
			"Active",
			"disbursement",
			self.disbursement_date,
			values={
				"disbursement_date": self.disbursement_date,
				"disbursed_amount": self.amount,
				"bank_name": self.bank_name,
				"account_number": self.account_number,
				"account_holder": self.account_holder,
			},
			reference=self,
		)
		refresh_loan(self.loan, self.disbursement_date, reason="disbursement", reference=self)
		post_disbursement(self)  # ledger: principal receivable, bank paid out, fees deducted
		application = frappe.db.get_value("Loan", self.loan, "loan_application")
		if (
			application
			and frappe.db.get_value("Loan Application", application, "workflow_state") == "Approved"
		):
			apply_workflow(frappe.get_doc("Loan Application", application), "Disburse")

	def before_cancel(self):
		lock_row("Loan", self.loan)
		if frappe.db.exists("Loan Payment", {"loan": self.loan, "docstatus": 1}):
			frappe.throw(
				_("Loan {0} already has payments: cancel them first").format(frappe.bold(self.loan)),
				exc=LoanStateError,
			)

	def on_cancel(self):
		set_status(
			self.loan,
			"Pending Disbursement",
			"disbursement cancelled",
			values={"disbursement_date": None, "disbursed_amount": 0},
			reference=self,
		)
		reverse_journals(self.doctype, self.name)  # ledger: the disbursement's journal mirrored
		application = frappe.db.get_value("Loan", self.loan, "loan_application")
		if (
			application
			and frappe.db.get_value("Loan Application", application, "workflow_state") == "Disbursed"
		):
			frappe.db.set_value("Loan Application", application, "workflow_state", "Approved")
			frappe.get_doc("Loan Application", application).add_comment(
				"Workflow", _("Approved (disbursement {0} cancelled)").format(self.name)
			)

	def validate_loan_state(self, loan):
		if loan.status != "Pending Disbursement":
			frappe.throw(
				_("Loan {0} is {1}: only a loan pending disbursement can be disbursed").format(
					frappe.bold(loan.name), loan.status
				),
				title=_("Cannot disburse"),
				exc=LoanStateError,
			)
		others = frappe.db.exists(
			"Loan Disbursement", {"loan": loan.name, "docstatus": 1, "name": ("!=", self.name)}
		)
		if others:
			frappe.throw(
				_("Loan {0} is already disbursed by {1}").format(loan.name, others), exc=LoanStateError
			)

	def set_amount_and_account(self, loan):
		self.amount = loan.net_disbursement
		member = frappe.get_doc("Member", loan.member)
		account = next((row for row in member.bank_accounts if row.is_default), None)
		if not account:
			frappe.throw(
				_("Member {0} has no default bank account for the disbursement").format(
					frappe.bold(member.name)
				),
				title=_("No bank account"),
			)
		self.bank_name, self.account_number, self.account_holder = (
			account.bank_name,
			account.account_number,
			account.account_holder,
		)

	def validate_date(self, loan):
		if getdate(self.disbursement_date) >= getdate(loan.first_due_date):
			frappe.throw(
				_("Disbursement date must be before the first due date {0}").format(
					frappe.format(loan.first_due_date, "Date")
				),
				title=_("Invalid date"),
			)
