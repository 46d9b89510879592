"""Pension Fund File Format: the shipped Taspen/Asabri layouts, and inconsistent layouts are refused."""

import frappe
from frappe.tests.utils import FrappeTestCase

from pinjaman_online.billing.doctype.pension_fund_file_format.pension_fund_file_format import FileFormatError
from pinjaman_online.billing.file_format import get_file_format
from pinjaman_online.tests.factories import as_user


class TestPensionFundFileFormat(FrappeTestCase):
	def test_shipped_formats(self):
		taspen, _label = get_file_format("Taspen")
		self.assertEqual(
			(taspen.delimiter, taspen.decimal_separator, taspen.period_format), (";", ",", "YYYYMM")
		)
		self.assertEqual({c.field for c in taspen.columns if c.required}, {"period", "amount"})
		asabri, _label = get_file_format("Asabri")
		self.assertEqual(
			(asabri.delimiter, asabri.amount_decimals, asabri.period_format), (",", 2, "MM/YYYY")
		)

	def test_inconsistent_layout_is_refused(self):
		doc = frappe.get_doc("Pension Fund File Format", "Taspen")
		doc.delimiter = "Comma"
		doc.decimal_separator = "Comma"
		self.assertRaises(FileFormatError, doc.save, ignore_permissions=True)
		doc.reload()
		doc.append("columns", {"direction": "Realisation", "header": "NOTAS", "field": "nik"})
		self.assertRaises(FileFormatError, doc.save, ignore_permissions=True)

	def test_only_admins_edit_formats(self):
		doc = frappe.get_doc("Pension Fund File Format", "Taspen")
		with as_user("finance"):
			self.assertRaises(frappe.PermissionError, doc.save)
