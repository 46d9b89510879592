"""Events and notifications over HTTP (seed 004 Notification Management), against the served site and its
RQ workers, with fake SMS and WhatsApp gateways:

* the staff path (member registered by staff, no user account) publishes LoanSubmitted, LoanApproved,
  LoanDisbursed, PaymentReceived and, through the one writer of loan state, DpdMilestone; each notifies the
  member by SMS and WhatsApp from its template and the sales agent in-app, once — a retried handler and the
  same fact published again send nothing more; a committee rejection tells both with its reason;
* a Frappe Webhook on Borrower Event carries PaymentReceived to an outside system;
* a broadcast to a branch reaches exactly that branch's members; ``Idempotency-Key`` makes a retried send
  one broadcast; a borrower, an auditor and a sales agent outside the member's branch cannot send;
  bad input answers 4xx; a template made over REST is used by the next send; staff read a member's history.
"""

import datetime as dt
import json
import time
import uuid

import pytest
from conftest import book_loan, cli, insert_product, nik_for, unique_serial
from pinjaman_online.tests.fake_gateway import FakeGateway
from test_mobile import bearer, registered

N = "pinjaman_online.api.notifications."
H = "pinjaman_online.tests.notification_helpers."


def wait_for(check, timeout: float = 90, what: str = "condition"):
	"""Poll ``check()`` until it returns something truthy (the RQ workers deliver after commit)."""
	deadline = time.monotonic() + timeout
	while True:
		value = check()
		if value:
			return value
		if time.monotonic() > deadline:
			raise AssertionError(f"timed out waiting for {what}")
		time.sleep(0.5)


@pytest.fixture(scope="module")
def wa(admin):
	fake = FakeGateway().route("POST", "/messages", lambda req: (200, {"id": uuid.uuid4().hex}))
	admin.call(
		"PUT",
		"/api/resource/Borrower Settings/Borrower Settings",
		json={
			"whatsapp_base_url": fake.url,
			"whatsapp_api_key": "wa-key",
			"overdue_notice_days": "1, 30, 60",
		},
	)
	yield fake
	fake.stop()


@pytest.fixture(scope="module")
def product(staff):
	return insert_product(staff["admin"], "Notif")


def phone() -> str:
	return f"+62812{uuid.uuid4().int % 10**8:08d}"


def new_member(api, name: str, number: str, **values) -> str:
	birth = dt.date(1957, 5, 9)
	return api.insert(
		"Member",
		{
			"full_name": name,
			"nik": nik_for(birth, unique_serial()),
			"gender": "Male",
			"birth_date": str(birth),
			"phone": number,
			"pension_fund": "Taspen",
			"pension_number": f"TSP{uuid.uuid4().hex[:10]}",
			"monthly_pension_benefit": 6_000_000,
			**values,
		},
	)["name"]


def texts_to(fake, number: str) -> list[str]:
	"""The messages a fake gateway (FakeSms or FakeGateway) was given for ``number``, in order."""
	gateway = getattr(fake, "gateway", fake)
	return [r.json["message"] for r in gateway.received("POST", "/messages") if r.json["to"] == number]


def deliveries(admin, **filters) -> list[dict]:
	return admin.list(
		"Borrower Notification",
		filters=json.dumps(filters),
		fields=json.dumps(
			["name", "template", "channel", "status", "recipient", "member", "user", "dedupe_key"]
		),
		limit_page_length=0,
	)


def in_app(admin, user: str, document: str) -> list[str]:
	return [
		n["subject"]
		for n in admin.list(
			"Notification Log",
			filters=json.dumps({"for_user": user, "document_name": document}),
			fields=json.dumps(["subject"]),
			limit_page_length=0,
		)
	]


def test_every_event_notifies_once_from_templates(admin, staff, sms, wa, product):
	number = phone()
	member = new_member(staff["sales"], "Bambang Sutrisno", number)
	hook = FakeGateway().route("POST", "/events", lambda req: (200, {"ok": True}))
	webhook = admin.insert(
		"Webhook",
		{
			"name": f"Events {uuid.uuid4().hex[:8]}",
			"webhook_doctype": "Borrower Event",
			"webhook_docevent": "after_insert",
			"condition": 'doc.event == "PaymentReceived"',
			"request_url": hook.url + "/events",
			"request_method": "POST",
			"request_structure": "JSON",
			"webhook_json": '{"event": "{{ doc.event }}", "event_id": "{{ doc.event_id }}", '
			'"payload": {{ doc.payload }}}',
			"enabled": 1,
		},
	)["name"]
	try:
		today = dt.date.today()
		first_due = (today.replace(day=1) + dt.timedelta(days=40)).replace(day=10)
		loan = book_loan(staff, product, 12_000_000, 12, first_due, member=member)
		app = staff["finance"].get("Loan", loan)["loan_application"]
		disbursement = admin.list("Loan Disbursement", filters=json.dumps({"loan": loan}))[0]["name"]
		pay = staff["finance"].method("pinjaman_online.api.servicing.pay", loan=loan, amount=150_000)
		payment = pay["name"] if isinstance(pay, dict) and "name" in pay else pay["payment"]

		expected = {
			("application_received", app),
			("loan_approved", app),
			("loan_disbursed", disbursement),
			("payment_received", payment),
		}

		def member_rows():
			rows = deliveries(admin, member=member, user=["is", "not set"])
			got = {(r["template"], r["dedupe_key"].split(":")[1]) for r in rows if r["dedupe_key"]}
			return rows if expected <= got and len(texts_to(sms, number)) >= 4 else None

		rows = wait_for(member_rows, what="the member's SMS and WhatsApp notifications")
		# each event once, on SMS (ticked or the fallback for a member without an account) and where ticked WhatsApp
		for template, reference in expected:
			mine = [r for r in rows if r["template"] == template]
			assert len([r for r in mine if r["channel"] == "SMS"]) == 1, (template, mine)
			assert all(r["status"] == "Sent" and r["recipient"] == number for r in mine), mine
		sms_texts = texts_to(sms, number)
		assert len(sms_texts) == 4, sms_texts
		assert any("Rp150.000 sudah diterima untuk pinjaman " + loan in t for t in sms_texts), sms_texts
		assert any(loan in t and "dicairkan" in t for t in sms_texts), sms_texts
		assert any(app in t and "disetujui" in t for t in texts_to(wa, number))

		# the sales agent (who entered the application) is told in-app of the decision and the disbursement
		sales = staff["sales"].user
		wait_for(lambda: in_app(admin, sales, app), what="the sales agent's notifications")
		assert any("disetujui" in s for s in in_app(admin, sales, app))
		wait_for(lambda: in_app(admin, sales, disbursement), what="the disbursement notice to sales")

		# the webhook carried PaymentReceived out, with the payment in its payload
		# (other tests' payments may be published while the webhook exists: only this payment's delivery is read)
		posted = wait_for(
			lambda: [
				p for p in hook.received("POST", "/events") if p.json["payload"].get("payment") == payment
			],
			what="the webhook delivery",
		)
		assert len(posted) == 1 and posted[0].json["event"] == "PaymentReceived"
		assert posted[0].json["payload"]["amount"] == "150000"

		# retries: the handlers run again, the same fact published again: nothing more is sent
		before = len(deliveries(admin, member=member))
		assert cli(H + "replay_events", payment) == {"failed": 0}
		assert cli(H + "replay_events", app) == {"failed": 0}
		assert (
			cli(
				H + "publish_again", "PaymentReceived", {"payment": payment, "loan": loan, "amount": "150000"}
			)
			is None
		)
		time.sleep(2)
		assert len(deliveries(admin, member=member)) == before
		assert len(texts_to(sms, number)) == 4
		events = [e["event"] for e in cli(H + "events_of", payment)]
		assert events == ["PaymentReceived"]

		# DPD milestone: the loan aged past its first due date by 31 days through the one writer
		aged = cli(H + "age_loan", loan, str(first_due + dt.timedelta(days=31)))
		assert aged == 31
		late = wait_for(
			lambda: [t for t in texts_to(sms, number) if "terlambat 31 hari" in t], what="the DPD notice"
		)
		assert len(late) == 1
		wait_for(
			lambda: [s for s in in_app(admin, sales, loan) if "terlambat" in s],
			what="the DPD notice to sales",
		)
		assert cli(H + "age_loan", loan, str(first_due + dt.timedelta(days=31))) == 31  # again: no new notice
		time.sleep(2)
		assert len([t for t in texts_to(sms, number) if "terlambat" in t]) == 1
	finally:
		admin.call("DELETE", f"/api/resource/Webhook/{webhook}", expect=None)
		hook.stop()


def test_committee_rejection_tells_member_and_sales_with_the_reason(admin, staff, sms, wa, product):
	number = phone()
	member = new_member(staff["sales"], "Wartini", number)
	docs = []
	for t in ("KTP", "KK", "SK Pensiun"):
		from conftest import upload

		docs.append({"document_type": t, "file": upload(staff["sales"], member, f"{t}.pdf")})
	rows = staff["sales"].update("Member", member, {"documents": docs})["documents"]
	for d in rows:
		staff["analyst"].method(
			"pinjaman_online.api.members.verify_document", member=member, document=d["name"]
		)
	app = staff["sales"].insert(
		"Loan Application",
		{"member": member, "loan_product": product, "principal": 5_000_000, "tenor_months": 12},
	)["name"]
	staff["sales"].method("pinjaman_online.api.origination.submit", application=app)
	staff["analyst"].method(
		"pinjaman_online.api.origination.analyze",
		application=app,
		risk_score=80,
		recommendation="Reject",
		notes="x",
	)
	staff["spv"].method(
		"pinjaman_online.api.origination.decide",
		application=app,
		decision="reject",
		notes="Tanggungan terlalu besar",
	)
	texts = wait_for(  # the template ticks WhatsApp: no SMS fallback needed
		lambda: [t for t in texts_to(wa, number) if "belum dapat disetujui" in t],
		what="the rejection message",
	)
	assert "Tanggungan terlalu besar" in texts[0]
	wait_for(
		lambda: [s for s in in_app(admin, staff["sales"].user, app) if "ditolak" in s],
		what="the rejection notice to sales",
	)
	assert [e["event"] for e in cli(H + "events_of", app)] == ["LoanSubmitted", "LoanRejected"]


@pytest.fixture(scope="module")
def branches(admin, staff, make_user):
	"""Two branches with members (with phones); a sales agent restricted to the first."""
	tag = uuid.uuid4().hex[:5].upper()
	names = []
	for code in ("A", "B"):
		names.append(
			admin.insert(
				"Sales Branch", {"branch_code": f"N{tag}{code}", "branch_name": f"Cabang {tag}{code}"}
			)["name"]
		)
	members = {
		b: [new_member(staff["admin"], f"Anggota {b} {i}", phone(), sales_branch=b) for i in range(2)]
		for b in names
	}
	agent_user = make_user("agent", "Sales")
	admin.insert(
		"Sales Agent",
		{"user": agent_user.user, "agent_name": "Agen Notif", "sales_branch": names[0], "status": "Active",
			"restrict_to_branch": 1},
	)  # fmt: skip
	return {"branches": names, "members": members, "agent": agent_user}


def test_a_broadcast_to_a_branch_reaches_exactly_that_branch(admin, staff, sms, wa, branches):
	first, second = branches["branches"]
	key = uuid.uuid4().hex
	body = {
		"target_type": "Branch",
		"sales_branch": first,
		"subject": "Libur",
		"message": "Kantor tutup 25 Desember.",
	}

	def send():
		r = staff["finance"].call("POST", f"/api/method/{N}send", json=body, headers={"Idempotency-Key": key})
		return r.json()["message"]

	sent, again = send(), send()
	assert again["broadcast"] == sent["broadcast"]  # a retried request is the same broadcast
	name = sent["broadcast"]
	done = wait_for(
		lambda: (
			(b := staff["finance"].method(N + "broadcast", verb="GET", name=name))["status"] == "Completed"
			and b
		),
		what="the broadcast to complete",
	)
	reached = {d["member"] for d in done["deliveries"]}
	assert reached == set(branches["members"][first])
	assert done["recipients"] == 2 and done["failed"] == 0 and done["sent"] >= 2
	for m in branches["members"][first]:
		number = admin.get("Member", m)["phone"]
		assert texts_to(sms, number) == ["Kantor tutup 25 Desember."]
	for m in branches["members"][second]:
		assert texts_to(sms, admin.get("Member", m)["phone"]) == []
	# the job run again sends nothing more
	cli("pinjaman_online.borrower.notifications.send_broadcast", name)
	assert len(staff["finance"].method(N + "broadcast", verb="GET", name=name)["deliveries"]) == len(
		done["deliveries"]
	)


def test_who_may_send_and_to_whom(admin, staff, guest, sms, branches, make_user):
	first, second = branches["branches"]
	agent = branches["agent"]
	ok = agent.method(
		N + "send", target_type="Member", member=branches["members"][first][0], subject="Halo", message="Tes"
	)
	assert ok["broadcast"].startswith("NBC-")
	r = agent.method(N + "send", expect=403, target_type="Member", member=branches["members"][second][0],
		subject="Halo", message="Tes")  # fmt: skip
	assert "Notification Broadcast" in r.text or "may not send" in r.text
	agent.method(
		N + "send", expect=403, target_type="Branch", sales_branch=second, subject="Halo", message="Tes"
	)
	agent.method(N + "history", expect=403, verb="GET", member=branches["members"][second][0])
	mine = agent.method(N + "history", verb="GET", member=branches["members"][first][0])
	assert mine["member"] == branches["members"][first][0]
	auditor = make_user("auditor", "Auditor")
	auditor.method(N + "send", expect=403, target_type="Overdue", subject="Halo", message="Tes")
	borrower = bearer(registered(guest, sms)["tokens"]["access_token"])
	borrower.method(N + "send", expect=403, target_type="Overdue", subject="Halo", message="Tes")
	guest.method(N + "send", expect=403, target_type="Overdue", subject="Halo", message="Tes")
	# the same rules over REST
	agent.insert("Notification Broadcast", {"target_type": "Branch", "sales_branch": second, "subject": "x", "message": "y"},
		expect=403)  # fmt: skip


def test_bad_input_answers_4xx(staff, branches):
	finance = staff["finance"]
	first = branches["branches"][0]
	assert (
		finance.method(N + "send", expect=417, subject="x", message="y").json()["code"] == "MISSING_ARGUMENT"
	)
	finance.method(N + "send", expect=417, target_type="Planet", subject="x", message="y")
	finance.method(N + "send", expect=417, target_type="Branch", subject="x", message="y")
	finance.method(N + "send", expect=404, target_type="Member", member="MBR-NOPE", subject="x", message="y")
	finance.method(N + "send", expect=417, target_type="Branch", sales_branch=first)  # no message
	finance.method(
		N + "send", expect=417, target_type="Branch", sales_branch=first, template="no_such_template"
	)
	finance.method(N + "history", expect=417, verb="GET")
	finance.method(N + "history", expect=404, verb="GET", member="MBR-NOPE")
	finance.method(N + "history", expect=417, verb="GET", member=branches["members"][first][0], limit="lots")
	finance.method(N + "broadcast", expect=404, verb="GET", name="NBC-NOPE")


def test_templates_over_rest_and_a_members_history(admin, staff, sms, wa, branches):
	key = f"promo_{uuid.uuid4().hex[:6]}"
	staff["sales"].insert(
		"Borrower Notification Template", {"template_key": key, "subject": "x", "body": "y"}, expect=403
	)
	staff["admin"].insert(
		"Borrower Notification Template",
		{"template_key": key, "enabled": 1, "channel_sms": 1, "subject": "Promo {{ full_name }}",
			"body": "Halo {{ full_name }}, bunga spesial bulan ini.", "short_message": "Promo untuk {{ full_name }}"},
	)  # fmt: skip
	member = branches["members"][branches["branches"][1]][0]
	number = admin.get("Member", member)["phone"]
	name = staff["finance"].method(N + "send", target_type="Member", member=member, template=key)["broadcast"]
	wait_for(lambda: texts_to(sms, number), what="the templated SMS")
	assert texts_to(sms, number) == [f"Promo untuk {admin.get('Member', member)['full_name']}"]
	staff["admin"].update(
		"Borrower Notification Template", key, {"short_message": "Promo baru {{ full_name }}"}
	)
	history = staff["finance"].method(N + "history", verb="GET", member=member)
	assert history["total"] >= 1
	assert {n["broadcast"] for n in history["notifications"]} == {name}
	assert history["notifications"][0]["channel"] == "SMS"
	# the Member form's connection lists them (Frappe's REST, scoped like the member)
	rows = staff["finance"].list("Borrower Notification", filters=json.dumps({"member": member}))
	assert len(rows) == history["total"]
