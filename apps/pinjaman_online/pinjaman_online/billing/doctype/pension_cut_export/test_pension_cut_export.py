"""Pension Cut Export: one line per installment due in the period, totals, the file in the fund's format."""

import csv
import io
from decimal import Decimal

import frappe
from frappe.tests.utils import FrappeTestCase

from pinjaman_online.billing.doctype.pension_cut_export.pension_cut_export import (
	DuplicateExportError,
	ExportInUseError,
)
from pinjaman_online.billing.export import EmptyExportError
from pinjaman_online.tests.factories import (
	as_user,
	free_period,
	make_billable_loan,
	make_export,
	make_import,
	make_member,
	realisation_csv,
)


def file_rows(export) -> list[list[str]]:
	content = frappe.get_doc("File", {"file_url": export.file}).get_content()
	delimiter = ";" if export.pension_fund == "Taspen" else ","
	return list(csv.reader(io.StringIO(content), delimiter=delimiter))


class TestPensionCutExport(FrappeTestCase):
	def test_lines_for_installments_due_in_the_period_of_the_funds_deduction_loans(self):
		period = free_period()
		taspen = make_billable_loan(period, due_day=1)
		late_in_month = make_billable_loan(period, due_day=28)
		asabri = make_billable_loan(period, pension_fund="Asabri")
		by_transfer = make_billable_loan(period)
		frappe.db.set_value("Loan", by_transfer.name, "repayment_method", "Bank Transfer")
		not_yet = make_billable_loan(f"{int(period[:4]) + 1}-{period[5:]}")  # due a year later
		export = make_export(period)
		lines = frappe.get_all(
			"Pension Cut Export Line", {"cut_export": export.name}, ["loan", "amount", "line_no"]
		)
		self.assertEqual(sorted(line.loan for line in lines), sorted([taspen.name, late_in_month.name]))
		self.assertEqual(sorted(line.line_no for line in lines), [1, 2])
		self.assertEqual((export.total_lines, export.total_members, export.total_loans), (2, 2, 2))
		self.assertEqual(Decimal(str(export.total_amount)), Decimal(2 * 1_180_000))
		self.assertEqual(
			(Decimal(str(export.total_principal)), Decimal(str(export.total_interest))), (2_000_000, 360_000)
		)
		self.assertEqual((export.status, export.docstatus), ("Generated", 1))
		self.assertNotIn(not_yet.name, [line.loan for line in lines])
		asabri_export = make_export(period, "Asabri")
		self.assertEqual(
			frappe.db.get_value("Pension Cut Export Line", {"cut_export": asabri_export.name}, "loan"),
			asabri.name,
		)

	def test_the_file_follows_each_funds_format(self):
		period = free_period()
		loan = make_billable_loan(period)
		export = make_export(period)
		rows = file_rows(export)
		self.assertEqual(rows[0][:4], ["NOTAS", "NIK", "NAMA", "PERIODE"])
		member = frappe.get_doc("Member", loan.member)
		line = frappe.get_value("Pension Cut Export Line", {"cut_export": export.name}, "name")
		self.assertEqual(
			rows[1],
			[
				member.pension_number,
				member.nik,
				member.full_name,
				period.replace("-", ""),
				loan.name,
				"1",
				f"15/{period[5:]}/{period[:4]}",
				"1.180.000",
				line,
			],
		)
		asabri_loan = make_billable_loan(period, pension_fund="Asabri")
		asabri = file_rows(make_export(period, "Asabri"))
		self.assertEqual(
			asabri[0], ["NO_PENSIUN", "NIK", "NAMA_PENSIUNAN", "BULAN", "NO_KONTRAK", "JUMLAH_TAGIHAN", "REF"]
		)
		self.assertEqual(asabri[1][3:6], [f"{period[5:]}/{period[:4]}", asabri_loan.name, "1180000.00"])

	def test_the_layout_is_data_an_admin_edits(self):
		period = free_period()
		make_billable_loan(period, pension_fund="Asabri")
		fmt = frappe.get_doc("Pension Fund File Format", "Asabri")
		amount = next(r for r in fmt.columns if r.direction == "Export" and r.field == "amount")
		original = (fmt.delimiter, amount.header)
		amount.header, fmt.delimiter = "POTONGAN", "Pipe"
		with as_user("admin"):
			fmt.save()
		try:
			content = frappe.get_doc("File", {"file_url": make_export(period, "Asabri").file}).get_content()
			self.assertIn("|POTONGAN|", content.splitlines()[0])
		finally:
			fmt.reload()
			fmt.delimiter = original[0]
			next(r for r in fmt.columns if r.direction == "Export" and r.field == "amount").header = original[
				1
			]
			fmt.save(ignore_permissions=True)

	def test_one_live_export_per_fund_and_period_cancel_frees_it(self):
		period = free_period()
		make_billable_loan(period)
		first = make_export(period)
		self.assertRaises(DuplicateExportError, make_export, period)
		with as_user("finance"):
			first.cancel()
		self.assertEqual(frappe.db.get_value("Pension Cut Export", first.name, "status"), "Cancelled")
		second = make_export(period)
		self.assertEqual(second.total_lines, 1)

	def test_an_export_with_realised_imports_cannot_be_cancelled(self):
		period = free_period()
		make_billable_loan(period)
		export = make_export(period)
		make_import(period, realisation_csv(export.name))
		with as_user("finance"):
			self.assertRaises(ExportInUseError, frappe.get_doc("Pension Cut Export", export.name).cancel)

	def test_nothing_due_means_no_export_and_sales_cannot_export(self):
		self.assertRaises(EmptyExportError, make_export, free_period())
		make_member()  # a member alone is never billed
		with as_user("sales"):
			from pinjaman_online.api.billing import export

			self.assertRaises(frappe.PermissionError, export, free_period(), "Taspen")
