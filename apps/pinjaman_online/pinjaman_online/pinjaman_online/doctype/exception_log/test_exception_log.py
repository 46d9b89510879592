"""Exception Log: every Error Log becomes an exception with a source and severity from the rules (data), the
same open exception is counted again, staff resolve it, and old resolved ones are purged by Log Settings."""

import frappe
from frappe.tests.utils import FrappeTestCase
from frappe.utils import add_days, now_datetime

from pinjaman_online.monitoring import (
	classify,
	record_exception,
	record_reconciliation,
	resolve_reconciliation,
)
from pinjaman_online.pinjaman_online.doctype.exception_log.exception_log import ExceptionLog
from pinjaman_online.tests.factories import as_user


def _fail(title: str) -> str:
	try:
		raise ZeroDivisionError("division by zero")
	except ZeroDivisionError:
		return frappe.log_error(title=title).name


class TestExceptionLog(FrappeTestCase):
	def test_a_failed_job_is_an_exception_counted_once_while_open(self):
		title = f"pinjaman_online.servicing.daily.run_daily_servicing {frappe.generate_hash(length=6)}"
		first = _fail(title)
		second = _fail(title)
		rows = frappe.get_all(
			"Exception Log",
			filters={"title": title},
			fields=["source", "severity", "occurrences", "message", "error_log", "status"],
		)
		self.assertEqual(len(rows), 1)
		row = rows[0]
		self.assertEqual(
			(row.source, row.severity, row.occurrences, row.status), ("Background Job", "High", 2, "Open")
		)
		self.assertIn("ZeroDivisionError: division by zero", row.message)
		self.assertEqual(row.error_log, second)
		self.assertNotEqual(first, second)

	def test_rules_are_data_an_admin_changes(self):
		pattern = f"Bureau-{frappe.generate_hash(length=6)}"
		self.assertEqual(classify(f"{pattern} timeout"), ("Provider", "Medium"))
		rule = frappe.get_doc(
			{
				"doctype": "Exception Rule",
				"pattern": pattern,
				"source": "Provider",
				"severity": "Critical",
				"priority": 99,
			}
		).insert()
		self.assertEqual(classify(f"{pattern} timeout"), ("Provider", "Critical"))
		rule.enabled = 0
		rule.save()
		self.assertEqual(classify(f"{pattern} timeout"), ("Provider", "Medium"))
		self.assertEqual(classify("something nobody matches"), ("Other", "Medium"))

	def test_staff_resolve_and_cannot_forge(self):
		name = record_exception(f"Payment webhook: bad signature {frappe.generate_hash(length=6)}")
		self.assertEqual(
			frappe.db.get_value("Exception Log", name, ["source", "severity"]), ("Webhook", "High")
		)
		with as_user("admin"):
			doc = frappe.get_doc("Exception Log", name)
			doc.status, doc.resolution_note = "Resolved", "Gateway key rotated"
			doc.save()
			self.assertEqual(doc.resolved_by, "test-kopadmin@koperasi.example")
			self.assertTrue(doc.resolved_on)
			forged = frappe.get_doc("Exception Log", name)
			forged.severity = "Low"
			self.assertRaises(frappe.PermissionError, forged.save)
			new = frappe.get_doc(
				{"doctype": "Exception Log", "title": "forged", "source": "Other", "severity": "Low"}
			)
			self.assertRaises(frappe.PermissionError, new.insert)

	def test_old_resolved_exceptions_are_purged_open_ones_kept(self):
		old_open = record_exception(f"old open {frappe.generate_hash(length=6)}")
		old_done = record_exception(f"old done {frappe.generate_hash(length=6)}")
		frappe.db.set_value("Exception Log", old_done, "status", "Resolved")
		long_ago = add_days(now_datetime(), -400)
		for name in (old_open, old_done):
			frappe.db.set_value("Exception Log", name, "last_occurred", long_ago)
		ExceptionLog.clear_old_logs(days=365)
		self.assertTrue(frappe.db.exists("Exception Log", old_open))
		self.assertFalse(frappe.db.exists("Exception Log", old_done))
		# Frappe's Log Settings takes the retention from hooks.py and runs clear_old_logs daily
		settings = frappe.get_single("Log Settings")
		settings.save()
		self.assertIn(("Exception Log", 365), [(d.ref_doctype, d.days) for d in settings.logs_to_clear])

	def test_an_import_with_lines_left_to_decide(self):
		self.assertIsNone(record_reconciliation("no-such-import"))
		cut_import = f"IMP-TEST-{frappe.generate_hash(length=6)}"
		for amount in (150_000, 2_350_000):
			row = frappe.new_doc("Reconciliation Exception")
			row.update(
				{"status": "Open", "reason": "Unknown Member", "cut_import": cut_import, "amount": amount}
			)
			row.name = frappe.generate_hash(length=10)
			row.db_insert()
		name = record_reconciliation(cut_import)
		log = frappe.db.get_value(
			"Exception Log", name, ["source", "message", "reference_doctype", "reference_name"], as_dict=True
		)
		self.assertEqual(
			(log.source, log.message, log.reference_doctype, log.reference_name),
			("Reconciliation", "2 lines, Rp 2.500.000", "Pension Cut Import", cut_import),
		)
		# the entry is resolved once nothing of the import is left open, not before
		first, second = frappe.get_all("Reconciliation Exception", {"cut_import": cut_import}, pluck="name")
		frappe.db.set_value("Reconciliation Exception", first, "status", "Resolved")
		self.assertEqual(resolve_reconciliation(cut_import), 0)
		frappe.db.set_value("Reconciliation Exception", second, "status", "Resolved")
		self.assertEqual(resolve_reconciliation(cut_import), 1)
		self.assertEqual(frappe.db.get_value("Exception Log", name, "status"), "Resolved")
