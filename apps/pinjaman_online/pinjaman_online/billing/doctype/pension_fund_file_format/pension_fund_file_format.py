import frappe
from frappe import _
from frappe.model.document import Document

from pinjaman_online.billing.file_format import file_format_of
from pinjaman_online.lending.billing_file import InvalidFileFormat


class FileFormatError(frappe.ValidationError):
	pass


class PensionFundFileFormat(Document):
	"""How one pension fund's files look (seed 004 §7): separators, formats and the header of each field."""

	def validate(self):
		self.strip_headers()
		self.validate_with_core()

	def strip_headers(self):
		for row in self.columns:
			row.header = (row.header or "").strip()

	def validate_with_core(self):
		try:
			file_format_of(self)
		except InvalidFileFormat as exc:
			frappe.throw(_(str(exc)), title=_("Invalid file format"), exc=FileFormatError)
