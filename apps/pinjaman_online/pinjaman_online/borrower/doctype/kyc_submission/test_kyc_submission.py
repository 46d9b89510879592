"""Self-registration (borrower): User + Member (Mobile App) + Pending KYC Submission with the NIK encrypted."""

import random
import uuid
from datetime import date
from unittest.mock import patch

import frappe
from frappe.tests.utils import FrappeTestCase
from frappe.utils.password import get_decrypted_password

from pinjaman_online.borrower import registration

PASSWORD = "Kuat#Sekali-2026!"


class TestKycSubmission(FrappeTestCase):
	def test_registration_creates_user_member_and_encrypted_kyc(self):
		reg, sent = make_registration(nik="3201015506900001")  # a woman born 1990-06-15
		self.assertEqual(len(sent), 1)
		self.assertIn("OTP", sent[0][1])
		self.assertIn("Member", frappe.get_roles(reg["user"]))

		member = frappe.get_doc("Member", reg["member"])
		self.assertEqual(member.registration_channel, "Mobile App")
		self.assertEqual((member.gender, member.birth_date), ("Female", date(1990, 6, 15)))
		self.assertIsNone(member.pension_number)

		kyc = frappe.get_doc("KYC Submission", {"member": member.name})
		self.assertEqual(kyc.status, "Pending")
		self.assertEqual(kyc.nik_masked, "3201********0001")
		self.assertEqual(kyc.nik_hash, registration.nik_hash("3201015506900001"))
		stored = frappe.db.get_value("KYC Submission", kyc.name, "nik")
		self.assertNotEqual(stored, "3201015506900001")
		encrypted = frappe.db.get_value(
			"__Auth",
			{"doctype": "KYC Submission", "name": kyc.name, "fieldname": "nik"},
			"password",
			order_by=None,
		)
		self.assertNotIn("3201015506900001", encrypted)
		self.assertEqual(get_decrypted_password("KYC Submission", kyc.name, "nik"), "3201015506900001")

	def test_two_self_registered_members_have_no_pension_number_clash(self):
		first, _ = make_registration()
		second, _ = make_registration()
		self.assertNotEqual(first["member"], second["member"])

	def test_the_same_nik_cannot_register_twice(self):
		reg, _ = make_registration()
		nik = frappe.db.get_value("Member", reg["member"], "nik")
		with self.assertRaises(registration.RegistrationError):
			make_registration(nik=nik)

	def test_phone_numbers_are_normalised_to_e164(self):
		for raw in ("0812-3456-7890", "62812 3456 7890", "+6281234567890"):
			self.assertEqual(registration.normalize_phone(raw), "+6281234567890")
		for bad in ("12345", "+6221123", "+14155552671"):
			with self.assertRaises(registration.RegistrationError):
				registration.normalize_phone(bad)


def make_registration(**overrides) -> tuple[dict, list]:
	"""Register a borrower in-process with the SMS adapter replaced; returns (result, SMS sent)."""
	serial = random.randint(1, 9999)
	values = {
		"full_name": "Sari Wulandari",
		"email": f"kyc-{uuid.uuid4().hex[:10]}@test.example",
		"phone": f"0813{random.randint(10_000_000, 99_999_999)}",
		"nik": f"320101{random.randint(41, 68)}0690{serial:04d}",
		"password": PASSWORD,
		"consent": True,
	}
	values.update(overrides)
	sent = []
	with patch(
		"pinjaman_online.integrations.sms.send_sms", side_effect=lambda to, msg: sent.append((to, msg))
	):
		result = registration.register(**values)
	return result, sent
