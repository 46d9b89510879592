"""Events for every channel and the notifications they send, in Frappe's runner (the handlers are run here,
as the RQ job would after the commit): the staff path's events carry dedupe keys and publish once; a bulk
posting publishes one job after commit; the batch job records and notifies once; a member without a user
account is told by SMS; a broadcast
reaches its segment once and refuses a member the sender may not read."""

import json
from decimal import Decimal
from unittest.mock import patch

import frappe
from frappe.tests.utils import FrappeTestCase
from frappe.utils import add_days, getdate

from pinjaman_online.borrower import events
from pinjaman_online.borrower import notifications as n
from pinjaman_online.tests.factories import as_user, make_active_loan, make_member
from pinjaman_online.tests.fake_gateway import FakeGateway


def event_rows(reference: str) -> list[dict]:
	return frappe.get_all(
		"Borrower Event",
		filters={"reference_name": reference},
		fields=["name", "event", "dedupe_key", "payload"],
		order_by="creation asc",
	)


def run_recorded(reference: str):
	for row in event_rows(reference):
		events.replay(row.name)


class TestEventsAndNotifications(FrappeTestCase):
	@classmethod
	def setUpClass(cls):
		super().setUpClass()
		cls.fake = FakeGateway()
		cls.fake.route("POST", "/sms/messages", lambda req: (200, {"id": "sms-1"}))
		cls.fake.route("POST", "/wa/messages", lambda req: (200, {"id": "wa-1"}))
		from pinjaman_online.setup.install import seed_fixtures

		seed_fixtures()

	@classmethod
	def tearDownClass(cls):
		cls.fake.stop()
		super().tearDownClass()

	def setUp(self):
		settings = frappe.get_single("Borrower Settings")
		settings.update(
			{
				"sms_base_url": self.fake.url + "/sms",
				"sms_api_key": "k",
				"whatsapp_base_url": self.fake.url + "/wa",
				"whatsapp_api_key": "k",
				"overdue_notice_days": "1, 30",
			}
		)
		settings.flags.ignore_permissions = True
		settings.save()
		self.fake.requests.clear()

	def sms_to(self, phone: str) -> list[str]:
		return [
			r.json["message"] for r in self.fake.received("POST", "/sms/messages") if r.json["to"] == phone
		]

	def test_staff_path_publishes_each_fact_once_and_notifies_the_member_by_sms(self):
		phone = "+6281298765432"
		member = make_member(phone=phone)
		loan = make_active_loan(member=member)
		app = loan.loan_application
		self.assertEqual([e.event for e in event_rows(app)], ["LoanSubmitted", "LoanApproved"])
		self.assertEqual(event_rows(app)[1].dedupe_key, f"LoanApproved:{app}")
		disbursement = frappe.db.get_value("Loan Disbursement", {"loan": loan.name}, "name")
		self.assertEqual([e.event for e in event_rows(disbursement)], ["LoanDisbursed"])
		from pinjaman_online.api.servicing import pay

		with as_user("finance"):
			payment = pay(loan.name, Decimal(200_000))["name"]
		self.assertEqual([e.event for e in event_rows(payment)], ["PaymentReceived"])
		# the gateway's own publish of the same payment is a duplicate
		self.assertIsNone(events.publish("PaymentReceived", {"payment": payment, "loan": loan.name}))

		for reference in (app, disbursement, payment):
			run_recorded(reference)
			run_recorded(reference)  # a retried job sends nothing twice
		texts = self.sms_to(phone)
		self.assertEqual(len(texts), 4, texts)
		self.assertIn(f"Pembayaran Rp200.000 sudah diterima untuk pinjaman {loan.name}", texts[-1])
		rows = frappe.get_all(n.LOG, {"member": member.name, "channel": "SMS"}, ["template", "status"])
		self.assertEqual(
			sorted(r.template for r in rows),
			sorted([n.APPLICATION_RECEIVED, n.LOAN_APPROVED, n.LOAN_DISBURSED, n.PAYMENT_RECEIVED]),
		)
		# the sales user who entered the application is told in-app
		sales = frappe.db.get_value("Loan Application", app, "sales_user")
		if sales and sales != "Administrator":
			self.assertTrue(frappe.db.exists("Notification Log", {"for_user": sales, "document_name": app}))

	def test_bulk_posting_publishes_one_job_after_commit_and_the_job_notifies_once(self):
		from pinjaman_online.servicing.bulk import PaymentItem, post_payments

		phone = "+6281211112222"
		loan = make_active_loan(member=make_member(phone=phone))
		items = [
			PaymentItem(
				f"test-bulk-{frappe.generate_hash(length=8)}-{i}", loan.name, Decimal(50_000), getdate()
			)
			for i in range(3)
		]
		with patch("frappe.enqueue") as enqueue:
			results = post_payments(items)
		calls = [c for c in enqueue.call_args_list if c.args[0].endswith("events.run_batch")]
		self.assertEqual(len(calls), 1)
		self.assertTrue(calls[0].kwargs["enqueue_after_commit"])
		payloads = calls[0].kwargs["payloads"]
		self.assertEqual([p["payment"] for p in payloads], [r.payment for r in results])
		self.assertEqual({p["payment_method"] for p in payloads}, {"Pension Deduction"})
		self.assertFalse(event_rows(results[0].payment))  # nothing written in the money transaction

		counts = events.run_batch("PaymentReceived", payloads, commit=False)
		self.assertEqual(counts, {"published": 3, "duplicates": 0, "failed": 0})
		again = events.run_batch("PaymentReceived", payloads, commit=False)
		self.assertEqual(again, {"published": 0, "duplicates": 3, "failed": 0})
		self.assertEqual(len([t for t in self.sms_to(phone) if "Rp50.000 sudah diterima" in t]), 3)

	def test_dpd_milestone_from_the_one_writer(self):
		from pinjaman_online.servicing.state import refresh_loans

		phone = "+6281233334444"
		loan = make_active_loan(member=make_member(phone=phone))
		due = frappe.db.get_value(
			"Loan Installment", {"loan": loan.name, "installment_number": 1}, "due_date"
		)
		with patch("frappe.enqueue") as enqueue:
			refresh_loans({loan.name: add_days(due, 31)}, "daily run")
		calls = [c for c in enqueue.call_args_list if c.args[0].endswith("events.run_batch")]
		self.assertEqual(len(calls), 1)
		self.assertEqual(calls[0].kwargs["event_name"], "DpdMilestone")
		(payload,) = calls[0].kwargs["payloads"]
		self.assertEqual((payload["milestone"], payload["days_past_due"]), (30, 31))
		self.assertEqual(payload["overdue_since"], str(getdate(due)))
		events.run_batch("DpdMilestone", [payload], commit=False)
		events.run_batch("DpdMilestone", [payload], commit=False)
		self.assertEqual(len([t for t in self.sms_to(phone) if "terlambat 31 hari" in t]), 1)
		with patch("frappe.enqueue") as enqueue:  # the same day again: no milestone passed
			refresh_loans({loan.name: add_days(due, 31)}, "daily run")
		self.assertFalse([c for c in enqueue.call_args_list if c.args[0].endswith("events.run_batch")])

	def test_rejection_carries_the_committee_reason(self):
		from pinjaman_online.api.origination import analyze, decide
		from pinjaman_online.tests.factories import make_application

		phone = "+6281255556666"
		app = make_application(member=make_member(phone=phone), submit=True)
		with as_user("analyst"):
			analyze(app.name, 80, "Reject", "Risky")
		with as_user("spv"):
			decide(app.name, "reject", "Tanggungan terlalu besar")
		row = event_rows(app.name)[-1]
		self.assertEqual(row.event, "LoanRejected")
		self.assertEqual(json.loads(row.payload)["reason"], "Tanggungan terlalu besar")
		run_recorded(app.name)
		# the template ticks WhatsApp (and e-mail): the member without an account gets it on WhatsApp
		sent = [
			r.json["message"] for r in self.fake.received("POST", "/wa/messages") if r.json["to"] == phone
		]
		self.assertTrue([t for t in sent if "Tanggungan terlalu besar" in t], sent)

	def test_a_broadcast_reaches_its_branch_once_and_respects_the_senders_branch(self):
		from pinjaman_online.tests.factories import make_agent, make_branch

		mine, other = make_branch(), make_branch()
		members = [make_member(phone=f"+628129000{i:04d}", sales_branch=mine.name) for i in range(2)]
		stranger = make_member(phone="+6281290009999", sales_branch=other.name)
		doc = frappe.get_doc(
			{"doctype": n.BROADCAST, "target_type": "Branch", "sales_branch": mine.name, "subject": "Info",
				"message": "Kantor tutup besok."}
		).insert()  # fmt: skip
		self.assertEqual(doc.template, n.MANUAL_MESSAGE)
		counts = n.send_broadcast(doc.name, commit=False)
		self.assertEqual(counts["recipients"], 2)
		reached = set(frappe.get_all(n.LOG, {"broadcast": doc.name}, pluck="member"))
		self.assertEqual(reached, {m.name for m in members})
		self.assertEqual(n.send_broadcast(doc.name, commit=False)["recipients"], 2)
		self.assertEqual(len(frappe.get_all(n.LOG, {"broadcast": doc.name})), 2)  # nothing sent twice
		self.assertEqual(self.sms_to(stranger.phone), [])

		agent = make_agent(mine, restrict_to_branch=1)
		frappe.set_user(agent.user)
		try:
			with self.assertRaises(frappe.PermissionError):
				frappe.get_doc(
					{"doctype": n.BROADCAST, "target_type": "Member", "member": stranger.name, "subject": "x",
						"message": "y"}
				).insert()  # fmt: skip
		finally:
			frappe.set_user("Administrator")
