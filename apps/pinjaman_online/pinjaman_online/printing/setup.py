"""Site setup of printed documents: each document's own print format opens by default in the desk's Print."""

import frappe
from frappe.custom.doctype.property_setter.property_setter import make_property_setter

# doctype -> the print format the desk's Print opens first (print formats in each module's print_format/)
DEFAULT_PRINT_FORMATS = {
	"Loan": "Perjanjian Kredit",
	"Loan Disbursement": "Bukti Pencairan",
	"Loan Payment": "Kwitansi",
	"Loan Settlement": "Surat Keterangan Lunas",
	"Loan Application": "Surat Kuasa Potong Pensiun",
}


def set_default_print_formats() -> list[str]:
	"""Make each doctype's print format above its default (a Property Setter ``default_print_format``, what
	the desk's Customize Form writes) where the doctype has none yet; an admin's choice is kept. Returns the
	doctypes set."""
	done = []
	for doctype, print_format in DEFAULT_PRINT_FORMATS.items():
		if not frappe.db.exists("Print Format", print_format):
			continue
		if frappe.get_meta(doctype).default_print_format:
			continue
		make_property_setter(
			doctype,
			None,
			"default_print_format",
			print_format,
			"Data",
			for_doctype=True,
			validate_fields_for_doctype=False,
		)
		done.append(doctype)
	return done
