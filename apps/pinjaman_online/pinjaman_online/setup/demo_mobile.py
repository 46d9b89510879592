"""Demo data of the borrower mobile side, loaded on top of the demo portfolio (setup/demo.py).

``load_mobile_demo()`` creates twelve self-registered borrowers (e-mail ``…@pinjol-demo.example``) and takes
each through the app's own borrower code, as the mobile API would:

* registration (``borrower.registration.register``) and phone verification with the OTP from the SMS;
* KYC upload of a generated KTP photo (JPEG) and selfie (PNG) (``borrower.kyc.accept_upload``) and the e-KYC
  verification job (``borrower.kyc.run_verification``): Verified, Rejected (face mismatch, Indonesian
  reason), left for manual review (``needs_review``: face score between the thresholds, name on the KTP
  only partly similar), or no documents yet;
* loan applications (``borrower.loans.apply``) decided by the credit engine (LoanApplied →
  ``origination.decision``) against the credit bureau: Approved, Rejected (bureau flag BLACKLIST), Referred to
  a credit analyst (score between the cut-offs);
* approved loans disbursed by finance (``api.servicing.disburse``); a virtual-account payment request paid
  by the gateway's signed webhook (``servicing.virtual_account``) on one loan, one request left open on another;
* the borrower notifications that these events send (in-app, e-mail queue, SMS, WhatsApp).

The external providers are HTTP adapters configured in Borrower Settings. While loading, each one is a
``FakeGateway`` in this process answering like the provider (contracts of ``tests/http/test_kyc.py``,
``test_mobile_loans.py``, ``test_mobile_payments.py``, ``test_mobile.py``); Borrower Settings point at them
and get their previous values back at the end, also when loading fails. The jobs that the borrower code
puts on RQ (event handlers, KYC verification) are run here, in order, right after the step that queued
them commits, so the demo does not depend on a worker.

Skipped when demo borrowers exist already. Run alone:
``bin/frappe --site pinjaman.localhost execute pinjaman_online.setup.demo_mobile.load_mobile_demo``.
"""

import inspect
import io
import json
import re
import uuid
from unittest import mock

import frappe
from frappe.utils import now_datetime
from frappe.utils.password import get_decrypted_password

DOMAIN = "pinjol-demo.example"
PASSWORD = "Demo#2026-Pinjol!"
FINANCE = "finance@koperasi.example"
SETTINGS = "Borrower Settings"
# Borrower Settings fields pointed at the fake providers while loading (restored afterwards).
PROVIDER_FIELDS = (
	"sms_base_url",
	"sms_api_key",
	"whatsapp_base_url",
	"whatsapp_api_key",
	"ekyc_base_url",
	"ekyc_api_key",
	"bureau_base_url",
	"bureau_api_key",
	"payment_gateway_base_url",
	"payment_gateway_api_key",
	"payment_webhook_secret",
)
GOOD_BUREAU = {"score": 720, "max_dpd": 0, "flags": []}
ACCOUNT_BANKS = ("BRI", "BCA", "Mandiri", "BNI")

# One row per borrower: identity (NIK area code PPKKCC, birth date, gender, serial), the e-KYC provider's
# answer (``kyc``: None = no documents uploaded yet), the bureau's answer, the application and what follows.
BORROWERS = [
	{
		"full_name": "Rudi Hartono",
		"phone": "081234567801",
		"area": "317103",
		"birth": "1987-03-14",
		"female": False,
		"serial": 2101,
		"kyc": {"score": 94.2},
		"bureau": {"score": 720},
		"apply": (5_000_000, 6, "Modal tambahan usaha warung sembako", 8_000_000, "Employee"),
		"then": "pay",
	},
	{
		"full_name": "Sri Wahyuni",
		"phone": "085712345678",
		"area": "337402",
		"birth": "1980-09-02",
		"female": True,
		"serial": 2102,
		"kyc": {"score": 91.0},
		"bureau": {"score": 690},
		"apply": (8_000_000, 12, "Biaya pendidikan anak", 9_500_000, "Civil Servant"),
		"then": "request",
	},
	{
		"full_name": "Agus Setiawan",
		"phone": "081398765432",
		"area": "357805",
		"birth": "1992-05-21",
		"female": False,
		"serial": 2103,
		"kyc": {"score": 88.6},
		"bureau": {"score": 745},
		"apply": (3_000_000, 3, "Stok barang dagangan toko online", 12_000_000, "Entrepreneur"),
		"then": "disburse",
	},
	{
		"full_name": "Dewi Anggraini",
		"phone": "082145678901",
		"area": "327304",
		"birth": "1995-11-08",
		"female": True,
		"serial": 2104,
		"kyc": {"score": 96.4},
		"bureau": {"score": 705},
		"apply": (10_000_000, 12, "Renovasi dapur rumah", 11_000_000, "Employee"),
		"then": None,  # approved, waiting for finance to disburse
	},
	{
		"full_name": "Bambang Susilo",
		"phone": "087812345670",
		"area": "321606",
		"birth": "1984-01-30",
		"female": False,
		"serial": 2105,
		"kyc": {"score": 90.3},
		"bureau": {"score": 610, "max_dpd": 0, "flags": ["BLACKLIST"]},
		"apply": (7_000_000, 9, "Perbaikan kendaraan untuk ojek online", 6_500_000, "Freelancer"),
	},
	{
		"full_name": "Fitri Handayani",
		"phone": "089612345678",
		"area": "127107",
		"birth": "1998-07-12",
		"female": True,
		"serial": 2106,
		"kyc": {"score": 87.9},
		"bureau": {"score": 580},
		"apply": (9_000_000, 12, "Membeli laptop untuk pekerjaan lepas", 4_500_000, "Freelancer"),
	},
	{
		"full_name": "Yusuf Maulana",
		"phone": "081567891234",
		"area": "737103",
		"birth": "2001-02-17",
		"female": False,
		"serial": 2107,
		"kyc": {"score": 85.5},
		"bureau": {"score": 640},
		"apply": (6_000_000, 10, "Modal usaha kopi keliling", 3_500_000, "Entrepreneur"),
	},
	{
		"full_name": "Nur Aisyah",
		"phone": "085298761234",
		"area": "347102",
		"birth": "1990-04-25",
		"female": True,
		"serial": 2108,
		"kyc": {"score": 92.7},
	},
	{
		"full_name": "Hendra Gunawan",
		"phone": "081187654321",
		"area": "360309",
		"birth": "1986-12-03",
		"female": False,
		"serial": 2109,
		"kyc": {"score": 34.5},  # the selfie is someone else: rejected
	},
	{
		"full_name": "Ratna Sari Dewi",
		"phone": "082233445566",
		"area": "517101",
		"birth": "1993-08-19",
		"female": True,
		"serial": 2110,
		"kyc": {"score": 71.8},  # between the thresholds: manual review
	},
	{
		"full_name": "Muhammad Rizky Pratama",
		"phone": "088812345678",
		"area": "167104",
		"birth": "1996-10-05",
		"female": False,
		"serial": 2111,
		"kyc": {"score": 89.1, "ocr_name": "M RIZKI PRATAMA"},  # name only partly similar: manual review
	},
	{
		"full_name": "Putri Ayu Lestari",
		"phone": "081977665544",
		"area": "647102",
		"birth": "1999-06-11",
		"female": True,
		"serial": 2112,
		"kyc": None,  # registered, documents not uploaded yet
	},
]


def nik_of(row: dict) -> str:
	"""The borrower's NIK: ``PPKKCC DDMMYY SSSS``, the birth day + 40 for women (lending/nik.py)."""
	year, month, day = (int(part) for part in row["birth"].split("-"))
	return (
		f"{row['area']}{day + (40 if row['female'] else 0):02d}{month:02d}{year % 100:02d}{row['serial']:04d}"
	)


def email_of(row: dict) -> str:
	"""``first.last@pinjol-demo.example`` of the borrower's name."""
	return ".".join(row["full_name"].lower().split()[:2]) + f"@{DOMAIN}"


# ------------------------------------------------------------------------------------------ fake providers
class Providers:
	"""The fake SMS/WhatsApp, e-KYC, credit bureau and payment gateways (``FakeGateway``s in this process).

	The e-KYC provider answers per KYC Submission (the ``reference`` it is sent) from ``kyc``; the bureau
	per NIK from ``bureau``; the SMS gateway keeps what it was sent (the OTP is read from it)."""

	def __init__(self):
		from pinjaman_online.tests.fake_gateway import FakeGateway

		self.kyc: dict[str, dict] = {}
		self.bureau: dict[str, dict] = {}
		self.messages = FakeGateway()
		self.messages.route("POST", "/messages", lambda req: (200, {"id": f"msg-{uuid.uuid4().hex[:12]}"}))
		self.ekyc = FakeGateway()
		self.ekyc.route("POST", "/ocr/ktp", self.ocr)
		self.ekyc.route("POST", "/face/match", self.face)
		self.ekyc.route("POST", "/registry/verify", self.registry)
		self.credit = FakeGateway()
		self.credit.route("POST", "/credit-reports", self.report)
		self.payments = FakeGateway()
		self.payments.route("POST", "/virtual-accounts", self.virtual_account)
		self.webhook_secret = f"whsec-demo-{uuid.uuid4().hex}"

	def settings(self) -> dict:
		"""The Borrower Settings values that point the adapters at these fakes."""
		return {
			"sms_base_url": self.messages.url,
			"sms_api_key": "demo-sms-key",
			"whatsapp_base_url": self.messages.url,
			"whatsapp_api_key": "demo-whatsapp-key",
			"ekyc_base_url": self.ekyc.url,
			"ekyc_api_key": "demo-ekyc-key",
			"bureau_base_url": self.credit.url,
			"bureau_api_key": "demo-bureau-key",
			"payment_gateway_base_url": self.payments.url,
			"payment_gateway_api_key": "demo-pg-key",
			"payment_webhook_secret": self.webhook_secret,
		}

	def stop(self):
		for fake in (self.messages, self.ekyc, self.credit, self.payments):
			fake.stop()

	def last_otp(self, phone: str) -> str:
		"""The code of the last SMS sent to ``phone`` (E.164)."""
		for req in reversed(self.messages.received("POST", "/messages")):
			if (req.json or {}).get("to") == phone:
				return re.search(r"\b(\d{6})\b", req.json["message"]).group(1)
		frappe.throw(f"No SMS was sent to {phone}")

	# e-KYC: POST /ocr/ktp, /face/match, /registry/verify
	def _scenario(self, req) -> dict | None:
		return self.kyc.get((req.json or {}).get("reference"))

	def ocr(self, req):
		s = self._scenario(req)
		if not s:
			return 503, {"error": "maintenance"}
		name = s.get("ocr_name") or s["name"].upper()
		return 200, {
			"nik": s["nik"],
			"name": name,
			"birth_date": s["birth"],
			"reference": f"ekyc-{req.json['reference']}",
		}

	def face(self, req):
		s = self._scenario(req)
		if not s:
			return 503, {"error": "maintenance"}
		if not (req.json.get("selfie") and req.json.get("ktp")):
			return 400, {"error": "images missing"}
		return 200, {"score": s["score"]}

	def registry(self, req):
		if not self._scenario(req):
			return 503, {"error": "maintenance"}
		return 200, {"found": True, "name_match": True, "birth_date_match": True}

	# credit bureau: POST /credit-reports
	def report(self, req):
		answer = {**GOOD_BUREAU, **self.bureau.get(req.json["nik"], {})}
		return 200, {"report_id": f"SLIK-{uuid.uuid4().hex[:10].upper()}", **answer}

	# payment gateway: POST /virtual-accounts
	def virtual_account(self, req):
		return 200, {
			"id": f"va-{uuid.uuid4().hex[:12]}",
			"bank": req.json["bank"],
			"va_number": f"8808{uuid.uuid4().int % 10**12:012d}",
			"expires_at": req.json["expires_at"],
		}


def settings_snapshot() -> dict:
	"""The current values of PROVIDER_FIELDS (Password fields decrypted; None when unset)."""
	meta = frappe.get_meta(SETTINGS)
	values = {}
	for field in PROVIDER_FIELDS:
		if meta.get_field(field).fieldtype == "Password":
			values[field] = get_decrypted_password(SETTINGS, SETTINGS, field, raise_exception=False)
		else:
			values[field] = frappe.db.get_single_value(SETTINGS, field)
	return values


def write_settings(values: dict):
	"""Save ``values`` on Borrower Settings through the document (passwords encrypted; None removes one)."""
	doc = frappe.get_single(SETTINGS)
	for field, value in values.items():
		doc.set(field, value)
	doc.flags.ignore_permissions = True
	doc.save()
	frappe.db.commit()


# ------------------------------------------------------------------------------------------------ RQ jobs
class InlineJobs:
	"""Inside ``with``, the jobs that the borrower code enqueues (``pinjaman_online.borrower.*``: event
	handlers, KYC verification) are collected instead of sent to RQ; ``run()`` commits and runs them in
	order, as the user that queued them (as RQ would), including the jobs they queue in turn."""

	PREFIX = "pinjaman_online.borrower."

	def __init__(self):
		self.jobs: list[tuple[str, str, dict]] = []
		self._enqueue = frappe.enqueue
		from frappe.utils.background_jobs import enqueue

		self._options = set(inspect.signature(enqueue).parameters) - {"method", "kwargs"}
		self._patch = mock.patch.object(frappe, "enqueue", self.enqueue)

	def __enter__(self):
		self._patch.start()
		return self

	def __exit__(self, *exc):
		self._patch.stop()

	def enqueue(self, method, *args, **kwargs):
		if isinstance(method, str) and method.startswith(self.PREFIX):
			arguments = {k: v for k, v in kwargs.items() if k not in self._options}
			self.jobs.append((method, frappe.session.user, arguments))
			return None
		return self._enqueue(method, *args, **kwargs)

	def run(self):
		"""Commit, then run the collected jobs (and those they queue) one by one, each committed."""
		frappe.db.commit()
		while self.jobs:
			method, user, arguments = self.jobs.pop(0)
			frappe.set_user(user)
			frappe.get_attr(method)(**arguments)
			frappe.db.commit()
		frappe.set_user("Administrator")


# ------------------------------------------------------------------------------------------------ images
def ktp_photo(row: dict, nik: str) -> bytes:
	"""A small JPEG standing in for the photo of the e-KTP, marked as demo data."""
	from PIL import Image, ImageDraw

	from pinjaman_online.lending.credentials import mask_nik
	from pinjaman_online.setup.demo import placeholder_font

	image = Image.new("RGB", (320, 200), (178, 214, 238))
	draw = ImageDraw.Draw(image)
	font = placeholder_font()
	draw.rectangle((228, 48, 300, 140), fill=(235, 235, 240), outline=(90, 90, 120))
	draw.ellipse((248, 62, 280, 96), fill=(196, 150, 110))
	draw.rectangle((244, 100, 284, 138), fill=(60, 60, 90))
	lines = (
		"KARTU TANDA PENDUDUK",
		f"NIK   : {mask_nik(nik)}",
		f"Nama  : {row['full_name'].upper()}",
		f"Lahir : {row['birth']}",
		"Jenis : " + ("PEREMPUAN" if row["female"] else "LAKI-LAKI"),
		"DEMO - BUKAN KTP ASLI",
	)
	for number, text in enumerate(lines):
		draw.text((12, 14 + 26 * number), text, fill=(20, 20, 60), font=font)
	out = io.BytesIO()
	image.save(out, format="JPEG", quality=80)
	return out.getvalue()


def selfie_photo(row: dict) -> bytes:
	"""A small PNG standing in for the selfie holding the KTP, marked as demo data."""
	from PIL import Image, ImageDraw

	from pinjaman_online.setup.demo import placeholder_font

	image = Image.new("RGB", (240, 240), (225, 232, 220))
	draw = ImageDraw.Draw(image)
	skin = (205, 160, 120) if row["female"] else (185, 140, 100)
	draw.ellipse((80, 40, 160, 130), fill=skin)
	draw.rectangle((60, 140, 180, 240), fill=(70, 110, 160) if row["female"] else (90, 90, 90))
	draw.rectangle((130, 150, 210, 200), fill=(178, 214, 238), outline=(40, 40, 80))
	draw.text((8, 8), "SELFIE DEMO", fill=(20, 20, 60), font=placeholder_font())
	out = io.BytesIO()
	image.save(out, format="PNG")
	return out.getvalue()


# ---------------------------------------------------------------------------------------------- loading
def load_mobile_demo():
	"""Create the mobile borrowers' demo (registration, KYC, applications, loans, payments, notifications)
	through the app's borrower code against fake providers, then print a summary; skipped when demo
	borrowers exist already. Borrower Settings' provider fields are restored afterwards."""
	existing = frappe.db.count("User", {"name": ("like", f"%@{DOMAIN}")})
	if existing:
		print(f"mobile demo already loaded ({existing} borrowers @{DOMAIN}): skipped")
		print_mobile_summary()
		return
	frappe.set_user("Administrator")
	previous = settings_snapshot()
	providers = Providers()
	try:
		write_settings(providers.settings())
		with InlineJobs() as jobs:
			for row in BORROWERS:
				take_borrower(row, providers, jobs)
	except BaseException:
		frappe.db.rollback()
		raise
	finally:
		frappe.set_user("Administrator")
		try:
			write_settings(previous)  # an admin's own provider configuration, never the fakes' dead URLs
		finally:
			providers.stop()
	print(f"mobile demo loaded: {len(BORROWERS)} borrowers @{DOMAIN} (password {PASSWORD})")
	print_mobile_summary()


def take_borrower(row: dict, providers: Providers, jobs: InlineJobs):
	"""One borrower's journey: register and verify the phone, KYC, then the application and what follows."""
	from pinjaman_online.borrower import kyc, registration

	nik = nik_of(row)
	frappe.set_user("Guest")  # the mobile API's register and verify_otp are guest endpoints
	answer = registration.register(row["full_name"], email_of(row), row["phone"], nik, PASSWORD, True)
	user, phone = answer["user"], answer["phone"]
	registration.verify_otp(phone, providers.last_otp(phone))
	jobs.run()
	if row["kyc"] is None:
		return
	frappe.set_user(user)
	submission = kyc.latest_submission(user)
	providers.kyc[submission] = {"nik": nik, "name": row["full_name"], "birth": row["birth"], **row["kyc"]}
	kyc.accept_upload(user, ktp_photo(row, nik), selfie_photo(row))
	jobs.run()  # run_verification: Verified, Rejected or left for review
	if row.get("apply"):
		providers.bureau[nik] = row.get("bureau") or {}
		apply_for_loan(row, user, jobs)


def apply_for_loan(row: dict, user: str, jobs: InlineJobs):
	"""Apply in the borrower's name; the credit engine decides (LoanApplied); then disburse and pay."""
	from pinjaman_online.borrower import loans

	amount, tenor, purpose, income, occupation = row["apply"]
	bank = ACCOUNT_BANKS[row["serial"] % len(ACCOUNT_BANKS)]
	frappe.set_user(user)
	answer = loans.apply(
		user,
		amount,
		tenor,
		purpose,
		True,
		monthly_income=income,
		occupation=occupation,
		request_id=f"demo-{row['serial']}",
		account={
			"bank_name": bank,
			"account_number": f"{row['serial']}{row['phone'][-6:]}",
			"account_holder": row["full_name"],
		},
	)
	jobs.run()  # application_received, the credit engine, then loan_approved / loan_rejected
	loan = frappe.db.get_value("Loan Application", answer["application"], "loan")
	if not loan or not row.get("then"):
		return
	frappe.set_user(FINANCE if frappe.db.exists("User", FINANCE) else "Administrator")
	from pinjaman_online.api import servicing

	servicing.disburse(loan, reference_no=f"BIFAST-{now_datetime():%Y%m%d}-{loan[-5:]}")
	jobs.run()
	if row["then"] in ("pay", "request"):
		pay_by_virtual_account(user, loan, jobs, paid=row["then"] == "pay")


def pay_by_virtual_account(user: str, loan: str, jobs: InlineJobs, paid: bool):
	"""The borrower asks for a virtual account for the next installment; when ``paid``, the gateway's signed
	``payment.paid`` webhook posts the payment (PaymentReceived → notification)."""
	from pinjaman_online.lending.payments import webhook_signature
	from pinjaman_online.servicing import virtual_account as payments

	frappe.set_user(user)
	request = payments.create_request(loan)
	jobs.run()
	if not paid:
		return
	row = frappe.db.get_value(
		"Loan Payment Request", request["payment_request"], ["gateway_reference", "external_id"], as_dict=True
	)
	body = json.dumps(
		{
			"event": "payment.paid",
			"reference": row.gateway_reference,
			"external_id": row.external_id,
			"transaction_id": f"TRX-{uuid.uuid4().hex[:12].upper()}",
			"amount": int(float(request["amount"])),
			"paid_at": now_datetime().isoformat(timespec="seconds"),
		},
		separators=(",", ":"),
	).encode()
	secret = get_decrypted_password(SETTINGS, SETTINGS, "payment_webhook_secret", raise_exception=False)
	frappe.set_user("Guest")  # the gateway's webhook arrives as Guest, authenticated by its signature
	payments.handle_webhook(body, webhook_signature(secret, body))
	jobs.run()


# ---------------------------------------------------------------------------------------------- summary
def print_mobile_summary():
	"""Counts of the mobile demo's records by state (what the desk's queues show)."""
	users = frappe.get_all("User", {"name": ("like", f"%@{DOMAIN}")}, pluck="name")
	members = frappe.get_all("Member", {"user": ("in", users or [""])}, pluck="name")

	def counts(doctype, field, filters):
		rows = frappe.get_all(doctype, filters=filters, fields=[field, "count(name) as n"], group_by=field)
		return ", ".join(f"{r[field] or '-'} {r.n}" for r in sorted(rows, key=lambda r: -r.n)) or "none"

	kyc = frappe.get_all(
		"KYC Submission", {"user": ("in", users or [""])}, ["status", "needs_review", "ktp_image"]
	)
	review = sum(1 for k in kyc if k.status == "Pending" and k.needs_review)
	waiting = sum(1 for k in kyc if k.status == "Pending" and not k.ktp_image)
	print(
		f"  mobile borrowers: {len(users)}; KYC: Verified {sum(k.status == 'Verified' for k in kyc)}, "
		f"Rejected {sum(k.status == 'Rejected' for k in kyc)}, needs review {review}, "
		f"awaiting documents {waiting}"
	)
	apps = {"member": ("in", members or [""]), "application_channel": "Mobile App"}
	print("  mobile applications by state:", counts("Loan Application", "workflow_state", apps))
	print(
		"  credit engine decisions:",
		counts("Credit Score Result", "decision", {"member": ("in", members or [""])}),
	)
	print("  mobile loans by status:", counts("Loan", "status", {"member": ("in", members or [""])}))
	print(
		"  payment requests:", counts("Loan Payment Request", "status", {"member": ("in", members or [""])})
	)
	print(
		"  borrower notifications by channel:",
		counts("Borrower Notification", "channel", {"user": ("in", users or [""])}),
	)
