import frappe
from frappe import _

from pinjaman_online.members.doctype.member.member import missing_documents
from pinjaman_online.origination.utils import record_committee_vote, run_precheck
from pinjaman_online.permissions import SystemFieldsDocument
from pinjaman_online.products.utils import default_first_due_date, simulate_product
from pinjaman_online.utils import get_settings, to_money


class DocumentsNotVerifiedError(frappe.ValidationError):
	pass


# Which kind of product each application channel sells.
CHANNEL_PRODUCT_TYPE = {"Staff": "Pension Loan", "Mobile App": "Online Loan"}


class LoanApplication(SystemFieldsDocument):
	def validate(self):
		self.validate_input()
		self.validate_member()
		self.set_defaults_from_product()
		self.set_simulation()
		self.set_director_approval()

	def before_submit(self):
		self.validate_documents_verified()
		run_precheck(self)

	def before_update_after_submit(self):
		before = self.get_doc_before_save()
		if before and before.workflow_state != self.workflow_state:
			record_committee_vote(self, before.workflow_state, self.workflow_state)

	def on_update_after_submit(self):
		if self.workflow_state == "Approved" and not self.loan:
			from pinjaman_online.servicing.utils import create_loan

			self.db_set("loan", create_loan(self).name)

	def before_cancel(self):
		# Cancelling keeps the analysis as a record, and cancels an undisbursed loan itself (on_cancel).
		self.ignore_linked_doctypes = ("Credit Analysis", "Loan")
		if self.loan and frappe.db.get_value("Loan", self.loan, "status") != "Pending Disbursement":
			frappe.throw(
				_(
					"Loan {0} is already disbursed: it ends by settlement, not by cancelling the application"
				).format(frappe.bold(self.loan))
			)

	def on_cancel(self):
		if self.loan:
			from pinjaman_online.servicing.utils import cancel_undisbursed_loan

			cancel_undisbursed_loan(self.loan)

	def validate_input(self):
		"""Refuse what a client may send wrong before anything is computed from it (417 with a code): the fields
		the simulation needs, a principal in whole Rupiah, a whole number of months, and a product of this
		application's channel (Pension Loan products on the staff path, Online Loan products on the mobile
		path: an online product's limits, scorecard and decision are not the committee's, and vice versa)."""
		from pinjaman_online.api.errors import require_fields
		from pinjaman_online.lending import inputs
		from pinjaman_online.lending.errors import InvalidInput, LendingError
		from pinjaman_online.utils import throw_lending_error

		require_fields(self, "member", "loan_product", "principal", "tenor_months")
		try:
			inputs.whole_rupiah(self.principal, _("Principal"), minimum=1, stored=True)
			inputs.whole_number(self.tenor_months, _("Tenor (Months)"), minimum=1, maximum=600)
			product_type = frappe.db.get_value("Loan Product", self.loan_product, "product_type")
			wanted = CHANNEL_PRODUCT_TYPE.get(self.application_channel or "Staff")
			if product_type and wanted and product_type != wanted:
				raise InvalidInput(
					"Product {product} is a {product_type} product: it cannot be applied for through the "
					"{channel} channel",
					"WRONG_CHANNEL",
					product=self.loan_product,
					product_type=product_type,
					channel=self.application_channel or "Staff",
				)
		except LendingError as exc:
			throw_lending_error(exc, _("Invalid application"))

	def validate_member(self):
		status = frappe.db.get_value("Member", self.member, "status")
		if status != "Active":
			frappe.throw(
				_("Member {0} is {1}: only active members can apply").format(frappe.bold(self.member), status)
			)

	def set_defaults_from_product(self):
		product = frappe.get_cached_doc("Loan Product", self.loan_product)
		self.annual_interest_rate = product.annual_interest_rate
		self.interest_method = product.interest_method
		self.repayment_method = (
			self.repayment_method or product.get("repayment_method") or "Pension Deduction"
		)
		self.first_due_date = self.first_due_date or default_first_due_date(self.application_date, product)

	def set_simulation(self):
		product = frappe.get_cached_doc("Loan Product", self.loan_product)
		sim = simulate_product(
			product,
			self.principal,
			self.tenor_months,
			self.first_due_date,
			self.annual_interest_rate,
			self.interest_method,
			start=self.application_date,
		)
		self.installment_amount = sim.installment
		self.total_interest = sim.total_interest
		self.total_fees = sim.total_fees
		self.net_disbursement = sim.net_disbursement

	def set_director_approval(self):
		threshold = to_money(get_settings().director_approval_threshold)
		self.requires_director_approval = int(bool(threshold) and to_money(self.principal) > threshold)

	def validate_documents_verified(self):
		"""The identity check the product asks for (Loan Product ``identity_check``): the member's documents
		verified (staff path), or the borrower's latest KYC Submission Verified (mobile products)."""
		if frappe.get_cached_value("Loan Product", self.loan_product, "identity_check") == "KYC Submission":
			from pinjaman_online.borrower.loans import ensure_kyc_verified

			ensure_kyc_verified(frappe.db.get_value("Member", self.member, "user"))
			return
		missing = missing_documents(frappe.get_doc("Member", self.member))
		if missing:
			frappe.throw(
				_("Member documents not yet verified: {0}. Verify them before submitting.").format(
					", ".join(missing)
				),
				title=_("Documents not verified"),
				exc=DocumentsNotVerifiedError,
			)
