"""Pension Cut Realisation: one row per import line and export line, linked to the payment that posted it,
written with the payments, reversed with them, read where the realised amounts are needed, migrated from the
import lines' text by the patch."""

from decimal import Decimal

import frappe
from frappe.tests.utils import FrappeTestCase

from pinjaman_online.api.billing import reconcile
from pinjaman_online.billing.doctype.pension_cut_realisation.pension_cut_realisation import (
	RealisationImmutableError,
)
from pinjaman_online.billing.queries import export_detail, realisation_status
from pinjaman_online.billing.reconciliation import realised_on_export_lines
from pinjaman_online.patches import pension_cut_realisations
from pinjaman_online.tests.factories import (
	as_user,
	free_period,
	make_billable_loan,
	make_export,
	make_import,
	realisation_csv,
)

INSTALLMENT = Decimal(1_180_000)
FIELDS = ("name", "import_line", "export_line", "loan", "loan_installment", "installment_number", "member",
	"loan_payment", "amount", "status", "pension_fund", "period")  # fmt: skip


def realisations(**filters) -> list[frappe._dict]:
	rows = frappe.get_all("Pension Cut Realisation", filters=filters, fields=list(FIELDS), order_by="name")
	for row in rows:
		row.amount = Decimal(str(row.amount))
	return rows


def pension_number(loan) -> str:
	return frappe.db.get_value("Member", loan.member, "pension_number")


class TestPensionCutRealisation(FrappeTestCase):
	def setUp(self):
		frappe.db.set_single_value("Pinjaman Online Settings", "reconciliation_tolerance", 1000)

	def imported(self):
		"""An export of two loans and its import: the first deducted in full, the second Rp 700.000 short."""
		period = free_period()
		exact, short = make_billable_loan(period), make_billable_loan(period)
		export = make_export(period)
		content = realisation_csv(export.name, amounts={pension_number(short): Decimal(700_000)})
		return period, exact, short, export, make_import(period, content)

	def test_each_posted_line_realises_its_export_line_through_its_payment(self):
		period, exact, short, export, imp = self.imported()
		rows = realisations(cut_import=imp.name)
		self.assertEqual(len(rows), 2)
		for loan, amount in ((exact, INSTALLMENT), (short, Decimal(700_000))):
			(row,) = [r for r in rows if r.loan == loan.name]
			line = frappe.db.get_value(
				"Pension Cut Import Line",
				row.import_line,
				["loan_payment", "export_line", "member"],
				as_dict=True,
			)
			bill = frappe.db.get_value(
				"Pension Cut Export Line",
				row.export_line,
				["loan", "loan_installment", "installment_number", "cut_export"],
				as_dict=True,
			)
			payment = frappe.db.get_value(
				"Loan Payment", row.loan_payment, ["loan", "amount", "docstatus", "source_key"], as_dict=True
			)
			self.assertEqual((row.amount, row.status, row.member), (amount, "Posted", loan.member))
			self.assertEqual((row.pension_fund, row.period), ("Taspen", period))
			self.assertEqual((row.loan_payment, row.export_line), (line.loan_payment, line.export_line))
			self.assertEqual(
				(bill.cut_export, bill.loan, bill.loan_installment, bill.installment_number),
				(export.name, loan.name, row.loan_installment, row.installment_number),
			)
			self.assertEqual(
				(payment.loan, Decimal(str(payment.amount)), payment.docstatus, payment.source_key),
				(loan.name, amount, 1, row.import_line),
			)
		self.assertEqual(realised_on_export_lines("Taspen", period), {r.export_line: r.amount for r in rows})
		(short_row,) = [r for r in rows if r.loan == short.name]
		status = realisation_status(frappe.get_doc("Pension Cut Export Line", short_row.export_line))
		self.assertEqual(
			status,
			{
				"amount": "1180000",
				"realised_amount": "700000",
				"status": "Partially Realised",
				"realisations": 1,
			},
		)
		with as_user("finance"):
			lines = {line["loan"]: line for line in export_detail(export.name)["lines"]}
		self.assertEqual(
			(lines[exact.name]["status"], lines[short.name]["status"]), ("Realised", "Partially Realised")
		)

	def test_a_payment_cancelled_on_its_own_reverses_its_rows_only(self):
		period, exact, short, _export, imp = self.imported()
		(row,) = realisations(cut_import=imp.name, loan=short.name)
		with as_user("finance"):
			frappe.get_doc("Loan Payment", row.loan_payment).cancel()
		rows = {r.loan: r for r in realisations(cut_import=imp.name)}
		self.assertEqual((rows[short.name].status, rows[exact.name].status), ("Reversed", "Posted"))
		self.assertTrue(frappe.db.get_value("Pension Cut Realisation", row.name, "reversed_on"))
		self.assertEqual(
			realised_on_export_lines("Taspen", period), {rows[exact.name].export_line: INSTALLMENT}
		)
		self.assertEqual(
			frappe.db.get_value("Pension Cut Import Line", row.import_line, ["status", "posted_amount"]),
			("Reversed", 0),
		)

	def test_cancelling_the_import_reverses_every_row(self):
		period, _exact, _short, _export, imp = self.imported()
		with as_user("finance"):
			frappe.get_doc("Pension Cut Import", imp.name).cancel()
		self.assertEqual({r.status for r in realisations(cut_import=imp.name)}, {"Reversed"})
		self.assertEqual(realised_on_export_lines("Taspen", period), {})

	def test_a_deduction_posted_by_hand_realises_the_loans_export_line(self):
		period = free_period()
		loan = make_billable_loan(period)
		export = make_export(period)
		number = pension_number(loan)
		content = realisation_csv(export.name, drop=(number,), extra=[(number + "Z", "", "Typo", 900_000)])
		imp = make_import(period, content)
		self.assertEqual(realisations(cut_import=imp.name), [])
		exception = frappe.db.get_value("Reconciliation Exception", {"cut_import": imp.name}, "name")
		with as_user("finance"):
			result = reconcile(exception, "post", loan=loan.name)
		(row,) = realisations(cut_import=imp.name)
		bill = frappe.db.get_value("Pension Cut Export Line", {"cut_export": export.name}, "name")
		self.assertEqual(
			(row.loan_payment, row.loan, row.export_line, row.amount, row.member),
			(result["loan_payment"], loan.name, bill, Decimal(900_000), loan.member),
		)
		self.assertEqual(realised_on_export_lines("Taspen", period, loan.member), {bill: Decimal(900_000)})

	def test_no_door_writes_a_realisation(self):
		_period, _exact, _short, _export, imp = self.imported()
		row = realisations(cut_import=imp.name)[0]
		doc = frappe.get_doc("Pension Cut Realisation", row.name)
		doc.amount = 1
		self.assertRaises(RealisationImmutableError, doc.save)
		self.assertRaises(RealisationImmutableError, frappe.delete_doc, doc.doctype, doc.name, force=True)
		copy = frappe.copy_doc(doc)
		self.assertRaises(RealisationImmutableError, copy.insert)
		with as_user("finance"):
			self.assertRaises(frappe.PermissionError, frappe.get_doc(doc.doctype, doc.name).save)

	def test_the_patch_turns_the_old_text_into_rows_once(self):
		added = False
		if not frappe.db.has_column("Pension Cut Import Line", "export_split"):
			frappe.db.sql_ddl("ALTER TABLE `tabPension Cut Import Line` ADD COLUMN `export_split` TEXT")
			frappe.cache.hdel("table_columns", "tabPension Cut Import Line")
			added = True
		try:
			period, _exact, _short, _export, imp = self.imported()
			before = realisations(cut_import=imp.name)
			# What the lines held before the rows existed: "export line=amount;…".
			frappe.db.sql("DELETE FROM `tabPension Cut Realisation` WHERE cut_import = %s", imp.name)
			for row in before:
				frappe.db.sql(
					"UPDATE `tabPension Cut Import Line` SET export_split = %s WHERE name = %s",
					(f"{row.export_line}={row.amount}", row.import_line),
				)
			pension_cut_realisations.execute()
			pension_cut_realisations.execute()
			after = realisations(cut_import=imp.name)
			keys = ("import_line", "export_line", "loan", "loan_installment", "installment_number",
				"member", "loan_payment", "amount", "status", "pension_fund", "period")  # fmt: skip
			self.assertEqual(
				sorted(tuple(r[k] for k in keys) for r in after),
				sorted(tuple(r[k] for k in keys) for r in before),
			)
			self.assertEqual(
				frappe.db.sql(
					"SELECT COUNT(*) FROM `tabPension Cut Import Line` WHERE cut_import = %s AND export_split IS NOT NULL",
					imp.name,
				)[0][0],
				0,
			)
			self.assertEqual(len(realised_on_export_lines("Taspen", period)), 2)
			self.assertEqual(
				pension_cut_realisations.parse_split("A=1;B=2.5;A=3"), {"A": 4, "B": Decimal("2.5")}
			)
		finally:
			if added:
				frappe.db.sql_ddl("ALTER TABLE `tabPension Cut Import Line` DROP COLUMN `export_split`")
				frappe.cache.hdel("table_columns", "tabPension Cut Import Line")
