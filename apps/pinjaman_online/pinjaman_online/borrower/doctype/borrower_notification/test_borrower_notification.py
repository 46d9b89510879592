"""Borrower notifications: Indonesian templates as data, in-app always, e-mail/SMS/WhatsApp through their
adapters (against FakeGateway), every send recorded, failures recorded without breaking the caller, and
reminders / overdue notices sent once."""

import uuid

import frappe
from frappe.tests.utils import FrappeTestCase
from frappe.utils import add_days, add_months, getdate, today

from pinjaman_online.borrower import notifications as n
from pinjaman_online.tests.factories import make_active_loan, make_member
from pinjaman_online.tests.fake_gateway import FakeGateway


def make_borrower() -> tuple[str, str]:
	"""A borrower User (role Member) with an e-mail and mobile number; returns (user, phone)."""
	email = f"nasabah-{uuid.uuid4().hex[:8]}@test.example"
	phone = f"+62812{uuid.uuid4().int % 10**8:08d}"
	frappe.get_doc(
		{
			"doctype": "User",
			"email": email,
			"first_name": "Siti Aminah",
			"mobile_no": phone,
			"send_welcome_email": 0,
			"user_type": "Website User",
			"roles": [{"role": "Member"}],
		}
	).insert(ignore_permissions=True)
	return email, phone


class TestBorrowerNotification(FrappeTestCase):
	@classmethod
	def setUpClass(cls):
		super().setUpClass()
		cls.sms_ok = True
		cls.wa_status = 200
		cls.fake = FakeGateway()
		cls.fake.route("POST", "/sms/messages", lambda req: (200, {"id": f"sms-{len(cls.fake.requests)}"}))
		cls.fake.route("POST", "/wa/messages", lambda req: (cls.wa_status, {"id": "wa-1"}))
		from pinjaman_online.setup.install import seed_fixtures

		seed_fixtures()
		if not frappe.db.exists("Email Account", {"default_outgoing": 1, "enable_outgoing": 1}):
			# no SMTP is contacted in tests: Frappe marks queued mails sent under the test runner
			frappe.get_doc(
				{
					"doctype": "Email Account",
					"email_account_name": "Koperasi Test Outgoing",
					"email_id": "noreply@koperasi.example",
					"service": "",
					"smtp_server": "127.0.0.1",
					"enable_outgoing": 1,
					"default_outgoing": 1,
					"no_smtp_authentication": 1,
				}
			).insert(ignore_permissions=True)

	@classmethod
	def tearDownClass(cls):
		cls.fake.stop()
		super().tearDownClass()

	def setUp(self):
		type(self).wa_status = 200
		settings = frappe.get_single("Borrower Settings")
		settings.update(
			{
				"sms_base_url": self.fake.url + "/sms",
				"sms_api_key": "sms-key",
				"whatsapp_base_url": self.fake.url + "/wa",
				"whatsapp_api_key": "wa-key",
				"reminder_days_before": 3,
				"overdue_notice_days": "1, 7, 30",
			}
		)
		settings.flags.ignore_permissions = True
		settings.save()
		self.fake.requests.clear()

	def rows(self, user: str, **filters) -> list[dict]:
		return frappe.get_all(
			n.LOG,
			filters={"user": user, **filters},
			fields=["channel", "status", "recipient", "provider_id", "error", "message", "dedupe_key"],
			order_by="creation asc, channel asc",
		)

	def test_every_event_has_an_indonesian_template(self):
		keys = set(frappe.get_all(n.TEMPLATE, pluck="template_key"))
		self.assertLessEqual(
			{
				n.OTP,
				n.APPLICATION_RECEIVED,
				n.LOAN_APPROVED,
				n.LOAN_REJECTED,
				n.PAYMENT_RECEIVED,
				n.PAYMENT_REMINDER,
				n.PAYMENT_OVERDUE,
			},
			keys,
		)
		texts = n.render(
			n.PAYMENT_RECEIVED, {"amount": 1500000, "loan": "LN-2026-00123", "full_name": "Siti"}
		)
		self.assertEqual(
			texts["short_message"],
			"Pembayaran Rp1.500.000 sudah diterima untuk pinjaman LN-2026-00123. Terima kasih.",
		)
		reminder = n.render(
			n.PAYMENT_REMINDER,
			{
				"loan": "LN-1",
				"installment_number": 3,
				"amount": 875000,
				"due_date": "2026-12-25",
				"full_name": "Siti",
			},
		)
		self.assertIn("jatuh tempo pada 25 Desember 2026", reminder["body"])
		self.assertIn("Rp875.000", reminder["body"])
		rejected = n.render(n.LOAN_REJECTED, {"application": "APP-1", "reason": "DSR terlalu tinggi"})
		self.assertIn("Alasan: DSR terlalu tinggi", rejected["body"])

	def test_notify_goes_in_app_and_through_every_ticked_channel(self):
		user, phone = make_borrower()
		names = n.notify(
			user,
			n.LOAN_APPROVED,
			{"application": "APP-9", "loan": "LN-9", "amount": 10_000_000, "tenor_months": 12},
		)
		self.assertEqual(len(names), 4)
		log = frappe.get_all("Notification Log", {"for_user": user}, ["subject", "email_content", "read"])
		self.assertEqual(len(log), 1)
		self.assertEqual(log[0].subject, "Pinjaman Anda disetujui")
		self.assertIn("Rp10.000.000", log[0].email_content)
		rows = {r.channel: r for r in self.rows(user)}
		self.assertEqual(set(rows), {"In-App", "Email", "SMS", "WhatsApp"})
		self.assertEqual(rows["Email"].status, "Queued")
		self.assertTrue(frappe.db.exists("Email Queue", rows["Email"].provider_id))
		self.assertEqual((rows["SMS"].status, rows["SMS"].recipient), ("Sent", phone))
		self.assertEqual((rows["WhatsApp"].status, rows["WhatsApp"].provider_id), ("Sent", "wa-1"))
		wa = self.fake.received("POST", "/wa/messages")[0]
		self.assertEqual(wa.headers.get("Authorization"), "Bearer wa-key")
		self.assertEqual(wa.json["to"], phone)
		self.assertIn("disetujui", wa.json["message"])

	def test_a_failing_channel_is_recorded_and_does_not_break_the_caller(self):
		user, _ = make_borrower()
		type(self).wa_status = 500
		names = n.notify(user, n.LOAN_REJECTED, {"application": "APP-7", "reason": "Data tidak lengkap"})
		rows = {r.channel: r for r in self.rows(user)}
		self.assertEqual(len(names), 3)
		self.assertEqual(rows["In-App"].status, "Sent")
		self.assertEqual(rows["WhatsApp"].status, "Failed")
		self.assertTrue(rows["WhatsApp"].error)
		self.assertEqual(rows["Email"].status, "Queued")

	def test_the_otp_sms_uses_the_template_and_keeps_no_code(self):
		user, phone = make_borrower()
		n.send_otp_sms(phone, user, "482913", 5)
		sms = self.fake.received("POST", "/sms/messages")[-1].json
		self.assertEqual(sms["to"], phone)
		self.assertIn("Kode OTP Pinjaman Online Anda: 482913. Berlaku 5 menit.", sms["message"])
		rows = self.rows(user)
		self.assertEqual([(r.channel, r.status) for r in rows], [("SMS", "Sent")])
		self.assertFalse(rows[0].message)
		self.assertFalse(frappe.db.exists("Notification Log", {"for_user": user}))

	def test_event_handlers_notify_the_borrower(self):
		user, _ = make_borrower()
		n.on_loan_applied({"user_id": user, "loan_id": "APP-1", "amount": 5_000_000})
		n.on_payment_received({"user_id": user, "loan": "LN-1", "payment": "PAY-X-1", "amount": "750000"})
		n.on_payment_received({"user_id": user, "loan": "LN-1", "payment": "PAY-X-1", "amount": "750000"})
		subjects = frappe.get_all(
			"Notification Log", {"for_user": user}, pluck="subject", order_by="creation"
		)
		self.assertEqual(subjects, ["Pengajuan pinjaman diterima", "Pembayaran diterima"])
		n.on_loan_applied({"user_id": "nobody@example.invalid", "loan_id": "APP-2", "amount": 1})

	def test_reminders_and_overdue_notices_are_sent_once(self):
		# one borrower's first installment falls due in 2 days (a reminder); another's is ~30 days late
		user, _ = make_borrower()
		make_active_loan(
			disbursement_date=add_months(add_days(today(), 2), -1),
			member=make_member(user=user),
			principal=12_000_000,
		)
		late_user, _ = make_borrower()
		late = make_active_loan(
			disbursement_date=add_months(today(), -2),
			member=make_member(user=late_user),
			principal=12_000_000,
		)
		first_due = frappe.db.get_value("Loan Installment", f"{late.name}-001", "due_date")
		dpd = (getdate(today()) - getdate(first_due)).days
		self.assertGreaterEqual(dpd, 28)

		counts = n.run_daily(commit=False)
		self.assertGreaterEqual(counts["reminders"], 1)
		self.assertGreaterEqual(counts["overdue"], 1)
		keys = {r.dedupe_key for r in self.rows(user, channel="In-App")}
		self.assertTrue(any(k.startswith("payment_reminder:") for k in keys), keys)
		late_keys = {r.dedupe_key for r in self.rows(late_user, channel="In-App")}
		milestone = max(m for m in (1, 7, 30) if m <= dpd)
		self.assertIn(f"payment_overdue:{late.name}-001:{milestone}", late_keys)
		before = frappe.db.count(n.LOG)
		sms_before = len(self.fake.received("POST", "/sms/messages"))

		again = n.run_daily(commit=False)
		self.assertEqual(again["reminders"] + again["overdue"], 0)
		self.assertEqual(frappe.db.count(n.LOG), before)
		self.assertEqual(len(self.fake.received("POST", "/sms/messages")), sms_before)

	def test_a_template_without_channels_goes_by_the_default_channel(self):
		"""DEFAULT_NOTIFICATION_CHANNEL (Pinjaman Online Settings): a template that ticks no channel is sent
		in-app and by the configured default; "In-App" sends nothing more."""
		key = f"test_default_channel_{uuid.uuid4().hex[:6]}"
		frappe.get_doc(
			{
				"doctype": n.TEMPLATE,
				"template_key": key,
				"enabled": 1,
				"subject": "Info koperasi",
				"body": "Halo {{ full_name }}",
				"short_message": "Halo {{ full_name }}",
			}
		).insert(ignore_permissions=True)
		settings = frappe.get_single("Pinjaman Online Settings")
		try:
			for default, expected in (("In-App", {"In-App"}), ("SMS", {"In-App", "SMS"})):
				frappe.db.set_single_value(
					"Pinjaman Online Settings", "default_notification_channel", default
				)
				frappe.clear_document_cache("Pinjaman Online Settings", "Pinjaman Online Settings")
				user, phone = make_borrower()
				n.notify(user, key, {})
				rows = {r.channel: r for r in self.rows(user)}
				self.assertEqual(set(rows), expected)
			self.assertEqual((rows["SMS"].status, rows["SMS"].recipient), ("Sent", phone))
		finally:
			frappe.db.set_single_value(
				"Pinjaman Online Settings",
				"default_notification_channel",
				settings.default_notification_channel or "In-App",
			)
			frappe.clear_document_cache("Pinjaman Online Settings", "Pinjaman Online Settings")
