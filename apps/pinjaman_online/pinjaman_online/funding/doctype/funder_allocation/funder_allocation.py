import frappe
from frappe import _
from frappe.utils import getdate

from pinjaman_online.funding.utils import FUNDABLE_LOAN_STATUSES, check_funder_allowed, live_allocations
from pinjaman_online.lending.errors import LendingError
from pinjaman_online.lending.money import HUNDRED, ZERO, percent_of
from pinjaman_online.lending.settlement import share_pct_of
from pinjaman_online.permissions import SystemFieldsDocument, write_as_system
from pinjaman_online.utils import lock_row, throw_lending_error, to_money

# Which allocation types a contract scheme allows (seed 004 "Skema Kerja Sama"): a share of a loan next to
# others is a participation; moving the receivable to the funder is not.
PARTIAL_SCHEMES = ("Participation",)
ASSIGNMENT_SCHEMES = ("Fronting", "Channeling")


class AllocationError(frappe.ValidationError):
	pass


class ShareExceededError(AllocationError):
	pass


class FunderAllocation(SystemFieldsDocument):
	"""A loan funded by a funder: fully, partially (participation) or by assignment (seed 004 §6).

	Submitted allocations are the history: an allocation ends (end date, payments from then on are no longer
	shared) rather than being edited, and the shares of one loan live at the same time never exceed 100%.
	"""

	def validate(self):
		self.validate_loan()
		self.validate_contract()
		self.validate_funder_allowed()
		self.set_share()
		self.validate_scheme()
		self.validate_total_share()

	def before_submit(self):
		# One allocation at a time per loan: the share check below sees every submitted allocation.
		lock_row("Loan", self.loan)
		self.validate_loan()
		self.validate_total_share()
		self.status = "Active"

	def on_submit(self):
		from pinjaman_online.accounting.posting import post_funding

		post_funding(self)  # ledger: the funder's money for its share, owed to it (funder payable)
		if self.allocation_type == "Assignment":
			frappe.get_doc("Loan", self.loan).add_comment(
				"Info",
				_("Receivable assigned to funder {0} from {1} ({2})").format(
					self.funder, frappe.format(self.effective_date, "Date"), self.name
				),
			)

	def before_update_after_submit(self):
		"""A submitted allocation changes in one way only: an active one ends (see ``end_allocation``)."""
		before = self.get_doc_before_save()
		ends = before.status == "Active" and self.status == "Ended" and self.end_date
		if not ends or getdate(self.end_date) <= getdate(self.effective_date):
			frappe.throw(
				_(
					"A submitted allocation is not edited; an active one can only be ended after its effective date"
				),
				title=_("Allocation is history"),
				exc=AllocationError,
			)

	def before_cancel(self):
		self.status = "Cancelled"

	def on_cancel(self):
		from pinjaman_online.accounting.posting import reverse_journals

		reverse_journals(self.doctype, self.name)

	def validate_loan(self):
		status = frappe.db.get_value("Loan", self.loan, "status")
		if status not in FUNDABLE_LOAN_STATUSES:
			frappe.throw(
				_(
					"Loan {0} is {1}: only a loan pending disbursement, active or in default can be funded"
				).format(frappe.bold(self.loan), status),
				title=_("Cannot allocate"),
				exc=AllocationError,
			)

	def validate_contract(self):
		contract = frappe.get_doc("Funder Contract", self.funder_contract)
		if contract.funder != self.funder:
			frappe.throw(
				_("Contract {0} belongs to {1}, not to {2}").format(
					contract.name, contract.funder, frappe.bold(self.funder)
				),
				exc=AllocationError,
			)
		if contract.docstatus != 1:
			frappe.throw(
				_("Contract {0} is not signed (submitted)").format(frappe.bold(contract.name)),
				exc=AllocationError,
			)
		if not contract.is_valid_on(self.effective_date):
			frappe.throw(
				_("Contract {0} is not valid on {1}").format(
					frappe.bold(contract.name), frappe.format(self.effective_date, "Date")
				),
				exc=AllocationError,
			)
		if not frappe.db.get_value("Funder", self.funder, "enabled"):
			frappe.throw(_("Funder {0} is disabled").format(frappe.bold(self.funder)), exc=AllocationError)
		self.scheme = contract.scheme

	def validate_funder_allowed(self):
		check_funder_allowed(frappe.db.get_value("Loan", self.loan, "loan_product"), self.funder)

	def set_share(self):
		"""Full and assignment take 100%; a partial share is given in percent or as an amount."""
		principal = to_money(frappe.db.get_value("Loan", self.loan, "principal"))
		self.loan_principal = principal
		if self.allocation_type in ("Full", "Assignment"):
			self.share_pct = HUNDRED
		elif to_money(self.share_amount) > ZERO and not to_money(self.share_pct):
			try:
				self.share_pct = share_pct_of(to_money(self.share_amount), principal)
			except LendingError as exc:
				throw_lending_error(exc, _("Invalid share"))
		share = to_money(self.share_pct)
		if self.allocation_type == "Partial" and not ZERO < share < HUNDRED:
			frappe.throw(
				_(
					"A partial share must be above 0% and below 100% (use Full for the whole loan), got {0}%"
				).format(share),
				title=_("Invalid share"),
				exc=AllocationError,
			)
		self.share_amount = percent_of(principal, share)

	def validate_scheme(self):
		if self.allocation_type == "Partial" and self.scheme not in PARTIAL_SCHEMES:
			frappe.throw(
				_("A partial share needs a Participation contract; {0} is {1}").format(
					self.funder_contract, self.scheme
				),
				exc=AllocationError,
			)
		if self.allocation_type == "Assignment" and self.scheme not in ASSIGNMENT_SCHEMES:
			frappe.throw(
				_("An assignment needs a Fronting or Channeling contract; {0} is {1}").format(
					self.funder_contract, self.scheme
				),
				exc=AllocationError,
			)

	def validate_total_share(self):
		"""Shares of the loan live on or after the effective date, with this one, stay within 100%."""
		others = live_allocations(self.loan, self.effective_date, exclude=self.name)
		if self.allocation_type in ("Full", "Assignment") and others:
			frappe.throw(
				_("Loan {0} already has live allocations ({1}): end them before allocating it {2}").format(
					frappe.bold(self.loan), ", ".join(o.name for o in others), _(self.allocation_type).lower()
				),
				title=_("Share exceeded"),
				exc=ShareExceededError,
			)
		taken = sum((to_money(o.share_pct) for o in others), ZERO)
		if taken + to_money(self.share_pct) > HUNDRED:
			frappe.throw(
				_("Shares of loan {0} would reach {1}%: {2}% is already funded ({3})").format(
					frappe.bold(self.loan),
					taken + to_money(self.share_pct),
					taken,
					", ".join(f"{o.name} {o.funder} {to_money(o.share_pct)}%" for o in others),
				),
				title=_("Share exceeded"),
				exc=ShareExceededError,
			)


def end_allocation(name: str, end_date, reason: str | None = None):
	"""End a live allocation: payments posted on ``end_date`` and after are no longer shared with the funder."""
	doc = write_as_system(frappe.get_doc("Funder Allocation", name), "submit")
	lock_row("Loan", doc.loan)
	if doc.docstatus != 1 or doc.status != "Active":
		frappe.throw(_("Allocation {0} is {1}, not active").format(name, doc.status), exc=AllocationError)
	if getdate(end_date) <= getdate(doc.effective_date):
		frappe.throw(
			_("End date must be after the effective date {0}").format(
				frappe.format(doc.effective_date, "Date")
			),
			exc=AllocationError,
		)
	doc.end_date = getdate(end_date)
	doc.end_reason = reason
	doc.status = "Ended"
	doc.save()
	return doc
