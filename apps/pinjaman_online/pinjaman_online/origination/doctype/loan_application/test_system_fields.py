import frappe
from frappe.tests.utils import FrappeTestCase

from pinjaman_online.permissions import (
	SYSTEM_PERMLEVEL,
	SystemFieldWriteError,
	system_fields,
	write_as_system,
)
from pinjaman_online.tests.factories import (
	approve,
	as_user,
	make_active_loan,
	make_application,
	make_staff,
	make_test_user,
)


class TestSystemFields(FrappeTestCase):
	"""Fields at the system permission level: refused when a client changes them on a record, reset to
	their defaults on a new one (an amended copy), kept when the app's code writes them."""

	@classmethod
	def setUpClass(cls):
		super().setUpClass()
		for key in ("sales", "analyst", "spv", "manager", "finance", "admin"):
			make_staff(key)

	def test_votes_and_scores_refused_on_a_submitted_application(self):
		app = approve(make_application(submit=True))
		votes = [(r.level, r.decided_by) for r in app.committee_decisions]
		for who, change in (
			("sales", lambda d: d.append("committee_decisions", {"level": "SPV", "decided_by": "x@y.z"})),
			("sales", lambda d: d.set("committee_decisions", [])),
			("sales", lambda d: d.set("credit_score", 900)),
			("analyst", lambda d: d.set("credit_analysis", None)),
			("manager", lambda d: d.set("precheck_passed", 0)),
		):
			with as_user(who):
				doc = frappe.get_doc("Loan Application", app.name)
				change(doc)
				self.assertRaises(SystemFieldWriteError, doc.save)
		app.reload()
		self.assertEqual([(r.level, r.decided_by) for r in app.committee_decisions], votes)
		self.assertTrue(app.credit_analysis and app.precheck_passed and not app.credit_score)

	def test_loan_figures_refused_to_the_koperasi_admin(self):
		loan = make_active_loan()
		outstanding = loan.outstanding_principal
		with as_user("admin"):
			doc = frappe.get_doc("Loan", loan.name)
			doc.outstanding_principal = 1
			self.assertRaises(SystemFieldWriteError, doc.save)
			doc = frappe.get_doc("Loan", loan.name)
			doc.repayment_method = "Bank Transfer"  # a field the admin may change
			doc.save()
		self.assertEqual(frappe.db.get_value("Loan", loan.name, "outstanding_principal"), outstanding)

	def test_a_new_copy_starts_from_the_defaults(self):
		app = approve(make_application(submit=True))
		copy = frappe.copy_doc(app)
		copy.member = make_application().member  # another member: the first one has a live loan
		copy.workflow_state, copy.docstatus = None, 0  # a new draft, in the workflow's first state
		with as_user("sales"):
			copy.insert()
		self.assertEqual((copy.committee_decisions, copy.precheck_results), ([], []))
		self.assertFalse(copy.credit_analysis or copy.loan or copy.precheck_passed)

	def test_code_writes_through_write_as_system(self):
		loan = make_active_loan()
		with as_user("admin"):
			doc = write_as_system(frappe.get_doc("Loan", loan.name), "write")
			doc.heir_settlement_required = 1
			doc.save()
		self.assertEqual(frappe.db.get_value("Loan", loan.name, "heir_settlement_required"), 1)
		with as_user("sales"):
			self.assertRaises(
				frappe.PermissionError, write_as_system, frappe.get_doc("Loan", loan.name), "write"
			)

	def test_member_user_is_not_a_client_field(self):
		self.assertIn("user", system_fields("Member"))
		self.assertEqual(frappe.get_meta("Member").get_field("user").permlevel, SYSTEM_PERMLEVEL)
		app = make_application()
		borrower = make_test_user("borrower", "Member")
		with as_user("sales"):
			member = frappe.get_doc("Member", app.member)
			member.user = borrower
			self.assertRaises(SystemFieldWriteError, member.save)
		self.assertFalse(frappe.db.get_value("Member", app.member, "user"))

	def test_creator_cannot_approve_by_writing_the_state(self):
		maker = make_test_user("salesspv", "Sales", "Committee SPV")
		app = make_application()
		frappe.db.set_value("Loan Application", app.name, "owner", maker)
		with as_user("sales"):
			from pinjaman_online.api.origination import submit

			submit(app.name)
		with as_user("analyst"):
			from pinjaman_online.api.origination import analyze

			analyze(app.name, 30, "Approve", "Checked")
		previous = frappe.session.user
		frappe.set_user(maker)
		try:
			doc = frappe.get_doc("Loan Application", app.name)
			doc.workflow_state = "Committee Manager"
			self.assertRaises(SystemFieldWriteError, doc.save)
		finally:
			frappe.set_user(previous)
		self.assertEqual(frappe.db.get_value("Loan Application", app.name, "workflow_state"), "Committee SPV")

	def test_a_stale_form_revokes_a_device_used_since(self):
		"""A device's last use is written without touching ``modified``: an admin's form opened before it
		still saves (the status change), and the last use stays the stored one."""
		user = make_test_user("device", "Member")
		device = frappe.get_doc(
			{
				"doctype": "Borrower Device",
				"user": user,
				"device_id": "d-1",
				"public_key": "k",
				"status": "Active",
			}
		).insert(ignore_permissions=True)
		form = frappe.get_doc("Borrower Device", device.name)
		frappe.db.set_value(
			"Borrower Device", device.name, "last_used_on", "2026-12-01 10:00:00", update_modified=False
		)
		with as_user("admin"):
			form.status = "Revoked"
			form.save()
		stored = frappe.db.get_value("Borrower Device", device.name, ["status", "last_used_on"], as_dict=True)
		self.assertEqual((stored.status, str(stored.last_used_on)), ("Revoked", "2026-12-01 10:00:00"))
