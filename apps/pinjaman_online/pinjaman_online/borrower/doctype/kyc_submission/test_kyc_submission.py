"""Self-registration (borrower): User + Member (Mobile App) + Pending KYC Submission with the NIK encrypted."""

import random
import uuid
from datetime import date

import frappe
from frappe.tests.utils import FrappeTestCase
from frappe.utils.password import get_decrypted_password

from pinjaman_online.api.errors import InvalidRequest
from pinjaman_online.borrower import data_export, kyc, registration
from pinjaman_online.tests.fake_gateway import FakeGateway

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
		from pinjaman_online.borrower.kyc import member_nik

		self.assertFalse(frappe.db.get_value("Member", reg["member"], "nik"))  # never in clear on the Member
		nik = member_nik(reg["member"])
		with self.assertRaises(registration.RegistrationError):
			make_registration(nik=nik)

	def test_phone_numbers_are_normalised_to_e164(self):
		for raw in ("0812-3456-7890", "62812 3456 7890", "+6281234567890"):
			self.assertEqual(registration.normalize_phone(raw), "+6281234567890")
		for bad in ("12345", "+6221123", "+14155552671"):
			with self.assertRaises(registration.RegistrationError):
				registration.normalize_phone(bad)


def image(fmt: str = "JPEG", size: tuple[int, int] = (640, 400)) -> bytes:
	"""A plain photo of ``size`` pixels (by default above Borrower Settings' minimum side) in ``fmt``."""
	import io

	from PIL import Image

	buf = io.BytesIO()
	Image.new("RGB", size, (10, 120, 200)).save(buf, fmt)
	return buf.getvalue()


class TestKycVerification(FrappeTestCase):
	"""Upload, e-KYC decision (fake provider over HTTP), manual review, ensure_verified, data export."""

	def setUp(self):
		self.fake = FakeGateway()
		self.score = 91.0
		self.down = False
		self.fake.route(
			"POST", "/ocr/ktp", lambda r: self.answer({"nik": self.nik, "name": "SARI WULANDARI"})
		)
		self.fake.route(
			"POST", "/face/match", lambda r: self.answer({"score": self.score, "reference": "F-1"})
		)
		self.fake.route(
			"POST", "/registry/verify", lambda r: self.answer({"found": True, "name_match": True})
		)
		self.previous = frappe.db.get_single_value("Borrower Settings", "ekyc_base_url")
		frappe.db.set_single_value("Borrower Settings", "ekyc_base_url", self.fake.url)
		frappe.clear_document_cache("Borrower Settings", "Borrower Settings")
		self.reg, _ = make_registration()
		self.nik = kyc.member_nik(self.reg["member"])  # encrypted in the KYC Submission, not on the Member
		self.kyc = frappe.db.get_value("KYC Submission", {"user": self.reg["user"]})

	def tearDown(self):
		frappe.set_user("Administrator")
		frappe.db.set_single_value("Borrower Settings", "ekyc_base_url", self.previous)
		frappe.clear_document_cache("Borrower Settings", "Borrower Settings")
		self.fake.stop()

	def answer(self, body):
		return (503, {"error": "down"}) if self.down else (200, body)

	def upload_and_verify(self) -> "frappe.model.document.Document":
		frappe.set_user(self.reg["user"])
		try:
			kyc.accept_upload(self.reg["user"], image("JPEG"), image("PNG"))
		finally:
			frappe.set_user("Administrator")
		kyc.run_verification(self.kyc)
		return frappe.get_doc("KYC Submission", self.kyc)

	def test_verified_by_the_provider_and_history_kept(self):
		with self.assertRaises(kyc.KycNotVerified):
			kyc.ensure_verified(self.reg["user"])
		doc = self.upload_and_verify()
		self.assertEqual(
			(doc.status, doc.decision_source, doc.face_check), ("Verified", "e-KYC Provider", "pass")
		)
		self.assertEqual(doc.provider_reference, "F-1")
		self.assertEqual(
			[(h.from_status, h.to_status) for h in doc.history],
			[("", "Pending"), ("Pending", "Pending"), ("Pending", "Verified")],
		)
		self.assertEqual(kyc.ensure_verified(self.reg["user"]), self.kyc)
		for url in (doc.ktp_image, doc.selfie_image):
			f = frappe.get_doc("File", {"file_url": url})
			self.assertEqual((f.is_private, f.owner, f.attached_to_name), (1, "Administrator", self.kyc))
		self.assertNotIn(self.nik, doc.verification_log)

	def test_face_mismatch_rejects_and_blocks_applying_with_the_reason(self):
		self.score = 12
		doc = self.upload_and_verify()
		self.assertEqual(doc.status, "Rejected")
		self.assertEqual(doc.rejection_reason, frappe._(kyc.rules.R_FACE_MISMATCH, lang="id"))
		with self.assertRaises(kyc.KycNotVerified) as ctx:
			kyc.ensure_verified(self.reg["user"])
		self.assertIn(doc.rejection_reason, str(ctx.exception))

	def test_provider_down_leaves_it_pending_for_review_and_a_reviewer_decides(self):
		self.down = True
		doc = self.upload_and_verify()
		self.assertEqual(
			(doc.status, doc.needs_review, doc.verification_state), ("Pending", 1, "Provider Error")
		)
		with self.assertRaises(kyc.KycError):
			doc.reject("  ")
		doc.approve()
		doc.reload()
		self.assertEqual(
			(doc.status, doc.needs_review, doc.decision_source), ("Verified", 0, "Manual Review")
		)
		self.assertEqual(doc.decided_by, "Administrator")

	def test_only_images_within_the_size_limit_are_accepted(self):
		for bad in (b"", b"GIF89a not really", image("JPEG")[:200], image("GIF")):
			with self.assertRaises(kyc.KycError):
				kyc.check_image(bad, "KTP")
		min_side = int(kyc.setting("kyc_min_image_side"))
		for small in ((min_side - 1, 2 * min_side), (2 * min_side, min_side - 1)):
			with self.assertRaises(InvalidRequest):
				kyc.check_image(image("PNG", small), "KTP")
			self.assertEqual(frappe.local.response.get("code"), "IMAGE_PIXELS")
		self.assertEqual(kyc.check_image(image("PNG", (min_side, min_side)), "KTP"), "png")
		self.assertEqual(kyc.check_image(image("PNG"), "KTP"), "png")

	def test_personal_data_holds_the_users_own_records(self):
		other, _ = make_registration()
		self.upload_and_verify()
		data = data_export.personal_data(self.reg["user"])
		images = data["KYC Submission"][0]["images"]
		self.assertEqual(set(images), {"ktp_image", "selfie_image"})
		import base64

		ktp = base64.b64decode(images["ktp_image"]["content_base64"])
		self.assertEqual(ktp[:3], b"\xff\xd8\xff")  # the JPEG the borrower uploaded
		self.assertEqual([m["name"] for m in data["Member"]], [self.reg["member"]])
		self.assertEqual(data["KYC Submission"][0]["nik"], self.nik)
		self.assertNotIn(other["member"], frappe.as_json(data))
		self.assertNotIn("nik_hash", data["KYC Submission"][0])


def make_registration(**overrides) -> tuple[dict, list]:
	"""Register a borrower in-process, the OTP going to a local fake SMS gateway; returns (result, SMS sent)."""
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
	sms = sms_gateway()
	before = len(sms.received("POST", "/messages"))
	result = registration.register(**values)
	sent = [(r.json["to"], r.json["message"]) for r in sms.received("POST", "/messages")[before:]]
	return result, sent


_SMS = None


def sms_gateway() -> FakeGateway:
	"""One local fake SMS gateway for this module's tests, and Borrower Settings pointing at it."""
	global _SMS
	if _SMS is None:
		_SMS = FakeGateway().route("POST", "/messages", lambda req: (200, {"id": uuid.uuid4().hex}))
	frappe.db.set_single_value("Borrower Settings", "sms_base_url", _SMS.url)
	frappe.clear_document_cache("Borrower Settings", "Borrower Settings")
	return _SMS
