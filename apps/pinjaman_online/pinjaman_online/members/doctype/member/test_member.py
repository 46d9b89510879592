import frappe
from frappe.tests.utils import FrappeTestCase

from pinjaman_online.members.doctype.member.member import DuplicateMemberError, InvalidNIKError
from pinjaman_online.members.utils import verify_document
from pinjaman_online.tests.factories import as_user, make_member, nik_for


class TestMember(FrappeTestCase):
	def test_nik_sets_province_and_must_match_birth_date_and_gender(self):
		member = make_member(verified=False, birth_date="1960-02-29", gender="Female")
		self.assertEqual(member.nik[6:8], "69")  # day 29 + 40 for women
		self.assertEqual(member.province, "Jawa Barat")
		member.gender = "Male"
		self.assertRaisesRegex(InvalidNIKError, "gender", member.save)

	def test_structurally_invalid_nik_is_refused(self):
		for bad in ("12345", "9901011708580001", "3273011713580001"):
			with self.subTest(nik=bad):
				self.assertRaises(InvalidNIKError, make_member, verified=False, nik=bad)

	def test_duplicate_nik_or_pension_number_is_refused_with_the_other_member(self):
		first = make_member(verified=False)
		with self.assertRaisesRegex(DuplicateMemberError, first.name):
			make_member(verified=False, nik=first.nik)
		with self.assertRaisesRegex(DuplicateMemberError, "Pension Number"):
			make_member(verified=False, pension_number=first.pension_number)

	def test_documents_must_be_private_and_verification_records_who_and_when(self):
		member = make_member(verified=False)
		self.assertEqual(member.documents_verified, 0)
		member.append("documents", {"document_type": "Photo", "file": "/files/photo.jpg"})
		self.assertRaisesRegex(frappe.ValidationError, "private", member.save)
		member.reload()
		with as_user("analyst") as analyst:
			for row in member.documents:
				verify_document(member.name, row.name)
		member.reload()
		self.assertEqual(member.documents_verified, 1)
		self.assertEqual({row.verified_by for row in member.documents}, {analyst})
		self.assertTrue(all(row.verified_on for row in member.documents))

	def test_sales_cannot_verify_nor_mark_verified_by_editing(self):
		member = make_member(verified=False)
		with as_user("sales"):
			self.assertRaises(frappe.PermissionError, verify_document, member.name, member.documents[0].name)
			doc = frappe.get_doc("Member", member.name)
			doc.documents[0].verified = 1
			doc.save()
		self.assertEqual(frappe.db.get_value("Member Document", member.documents[0].name, "verified"), 0)

	def test_a_changed_file_loses_its_verification(self):
		member = make_member(verified=True)
		member.documents[0].file = member.documents[1].file
		member.save(ignore_permissions=True)
		self.assertEqual(member.documents[0].verified, 0)
		self.assertEqual(member.documents_verified, 0)

	def test_one_default_bank_account(self):
		member = make_member(verified=False)
		self.assertEqual(member.bank_accounts[0].is_default, 1)
		member.append(
			"bank_accounts",
			{"bank_name": "BNI", "account_number": "9", "account_holder": "B", "is_default": 1},
		)
		self.assertRaisesRegex(frappe.ValidationError, "default", member.save)

	def test_nik_helper_builds_valid_niks(self):
		self.assertEqual(nik_for("1958-08-17", "Female", 12), "327301570858" + "0012")
