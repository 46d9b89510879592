import frappe
from frappe import _

from pinjaman_online.billing.realisation import validate_file
from pinjaman_online.billing.reconciliation import (
	ImportStateError,
	cancel_import,
	enqueue_matching,
	is_running,
	job_id_of,
)
from pinjaman_online.lending.errors import LendingError
from pinjaman_online.lending.period import parse_period
from pinjaman_online.permissions import SystemFieldsDocument
from pinjaman_online.utils import throw_lending_error


class DuplicateFileError(frappe.ValidationError):
	pass


class NoExportError(frappe.ValidationError):
	pass


class PensionCutImport(SystemFieldsDocument):
	"""A realisation file of one fund and period (seed 004 §7, ``POST /billing/import``).

	Saving validates the whole file (any bad line refuses it, nothing is written); submitting queues the
	matching job (:mod:`pinjaman_online.billing.reconciliation`), which posts the
	payments, refund requests and exceptions. Cancelling reverses everything the import posted.
	"""

	def validate(self):
		self.validate_period()
		self.validate_export_exists()
		self.read_file()
		self.validate_same_file_once()

	def before_submit(self):
		self.validate_has_lines()
		self.tolerance = (
			frappe.db.get_single_value("Pinjaman Online Settings", "reconciliation_tolerance") or 0
		)
		self.status = "Queued"
		self.job_id = job_id_of(self.name)

	def on_submit(self):
		enqueue_matching(self.name)

	def before_cancel(self):
		if self.status in ("Queued", "Matching") and is_running(self.name):
			frappe.throw(_("The import is being matched right now: wait until it ends"), exc=ImportStateError)

	def on_cancel(self):
		cancel_import(self)
		self.db_set({"status": "Cancelled", "file_hash_key": None})

	def validate_period(self):
		try:
			self.period = str(parse_period(self.period))
		except LendingError as exc:
			throw_lending_error(exc, _("Invalid period"))

	def validate_export_exists(self):
		if not frappe.db.exists(
			"Pension Cut Export", {"pension_fund": self.pension_fund, "period": self.period, "docstatus": 1}
		):
			frappe.throw(
				_(
					"Nothing was billed to {0} for {1}: generate and send the export before importing its realisation"
				).format(self.pension_fund, self.period),
				title=_("No export"),
				exc=NoExportError,
			)

	def read_file(self):
		if not (self.is_new() or self.has_value_changed("file") or self.has_value_changed("period")):
			return
		parsed, file_hash = validate_file(self)
		self.file_hash = self.file_hash_key = file_hash
		self.total_lines = len(parsed.lines)
		self.total_amount = parsed.total_amount
		self.status = "Draft"

	def validate_same_file_once(self):
		other = frappe.db.get_value(
			"Pension Cut Import", {"file_hash_key": self.file_hash_key, "name": ("!=", self.name)}, "name"
		)
		if other:
			frappe.throw(
				_("This file was already imported as {0} (same content): it is not imported twice").format(
					frappe.bold(other)
				),
				title=_("Same file"),
				exc=DuplicateFileError,
			)

	def validate_has_lines(self):
		if not self.total_lines:
			frappe.throw(_("The import has no lines"), exc=ImportStateError)
