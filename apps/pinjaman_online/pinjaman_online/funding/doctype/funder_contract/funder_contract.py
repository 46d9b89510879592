import frappe
from frappe import _
from frappe.model.document import Document
from frappe.utils import getdate

from pinjaman_online.lending.errors import LendingError
from pinjaman_online.lending.settlement import FunderShare
from pinjaman_online.utils import throw_lending_error, to_money


class FunderContractError(frappe.ValidationError):
	pass


class FunderContract(Document):
	"""A signed cooperation agreement with a funder: scheme, fees and validity (seed 004 §6 funder_contracts)."""

	def validate(self):
		self.validate_dates()
		self.validate_terms()
		self.validate_contract_file()

	def before_submit(self):
		if not self.contract_file:
			frappe.throw(
				_("Attach the signed contract (a private file) before submitting"),
				title=_("Signed contract missing"),
				exc=FunderContractError,
			)
		if not frappe.db.get_value("Funder", self.funder, "enabled"):
			frappe.throw(
				_("Funder {0} is disabled").format(frappe.bold(self.funder)), exc=FunderContractError
			)

	def validate_dates(self):
		if self.valid_to and getdate(self.valid_to) < getdate(self.valid_from):
			frappe.throw(
				_("Valid To is before Valid From"), title=_("Invalid dates"), exc=FunderContractError
			)

	def validate_terms(self):
		try:
			FunderShare(
				self.contract_number or "contract",
				to_money(100),
				to_money(self.interest_share_pct),
				to_money(self.fee_originator_pct),
				to_money(self.fee_servicing_pct),
			)
		except LendingError as exc:
			throw_lending_error(exc, _("Invalid revenue sharing"))

	def validate_contract_file(self):
		"""The signed contract is personal and commercial data: only a private file is accepted."""
		if not self.contract_file:
			return
		private = frappe.db.get_value("File", {"file_url": self.contract_file}, "is_private")
		if not self.contract_file.startswith("/private/files/") or not private:
			frappe.throw(
				_("The contract must be uploaded as a private file"),
				title=_("Contract file not private"),
				exc=FunderContractError,
			)

	def is_valid_on(self, day) -> bool:
		day = getdate(day)
		return getdate(self.valid_from) <= day and (not self.valid_to or day <= getdate(self.valid_to))
