import frappe
from frappe import _

from pinjaman_online.billing.export import generate_export
from pinjaman_online.lending.errors import LendingError
from pinjaman_online.lending.period import parse_period
from pinjaman_online.permissions import SystemFieldsDocument
from pinjaman_online.utils import throw_lending_error


class DuplicateExportError(frappe.ValidationError):
	pass


class ExportInUseError(frappe.ValidationError):
	pass


class PensionCutExport(SystemFieldsDocument):
	"""The deduction instructions of one pension fund for one period (seed 004 §7, ``POST /billing/export``).

	Submitting generates the lines (one per installment due in the period) and the CSV file in the fund's
	format; only one export per fund and period lives at a time (cancel it to generate again).
	"""

	def validate(self):
		self.validate_period()
		self.validate_one_per_fund_and_period()

	def before_submit(self):
		generate_export(self)
		self.status = "Generated"

	def before_cancel(self):
		self.validate_not_realised()

	def on_cancel(self):
		self.db_set({"status": "Cancelled", "export_key": None})

	def validate_period(self):
		try:
			self.period = str(parse_period(self.period))
		except LendingError as exc:
			throw_lending_error(exc, _("Invalid period"))

	def validate_one_per_fund_and_period(self):
		self.export_key = f"{self.pension_fund}:{self.period}"
		other = frappe.db.get_value(
			"Pension Cut Export", {"export_key": self.export_key, "name": ("!=", self.name)}, "name"
		)
		if other:
			frappe.throw(
				_("{0} already has export {1} for {2}: cancel it before generating another").format(
					self.pension_fund, frappe.bold(other), self.period
				),
				title=_("Export exists"),
				exc=DuplicateExportError,
			)

	def validate_not_realised(self):
		imports = frappe.get_all(
			"Pension Cut Import",
			filters={"pension_fund": self.pension_fund, "period": self.period, "docstatus": 1},
			pluck="name",
		)
		if imports:
			frappe.throw(
				_("Realisations of this export are imported ({0}): cancel those imports first").format(
					", ".join(imports)
				),
				exc=ExportInUseError,
			)
