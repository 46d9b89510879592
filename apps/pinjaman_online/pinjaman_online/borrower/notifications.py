"""Borrower notifications (seed 004 "Notification Management"; seed 003 §9 Notification Service).

Templates are data (Borrower Notification Template: an event key, Indonesian Jinja subject/body/short
message, the channels ticked), seeded on install from ``setup/fixtures/borrower_notification_template.json``
and edited by admins in the desk.

``notify(user, event_key, context)``:

1. always creates a Frappe Notification Log for the user (in-app; type Alert, so Frappe sends no e-mail of
   its own);
2. sends through each ticked channel: e-mail (Frappe's Email Queue), SMS (``integrations/sms.py``),
   WhatsApp (``integrations/messaging.py``);
3. records every send — the in-app one too — as a Borrower Notification row (channel, recipient, template,
   status Sent/Queued/Failed/Skipped, provider id or error).

A failing channel never breaks the caller: it is recorded as Failed (the adapter also logs it in Error Log).
Notifications meant to go out once (reminders, overdue notices) carry a ``dedupe_key``, unique on the in-app
row: a second call with the same key sends nothing.

Events (hooks ``borrower_event_handlers``, run on RQ): LoanApplied → application_received, LoanApproved →
loan_approved, LoanRejected → loan_rejected, PaymentReceived → payment_received. The daily scheduler job
sends payment reminders and overdue notices (``run_daily``), and expires unpaid virtual accounts.
"""

import frappe
from frappe import _
from frappe.utils import add_days, getdate, now_datetime, today

from pinjaman_online.lending import notices
from pinjaman_online.origination.utils import OWED_LOAN_STATUSES

OTP = "otp"
APPLICATION_RECEIVED = "application_received"
LOAN_APPROVED = "loan_approved"
LOAN_REJECTED = "loan_rejected"
PAYMENT_RECEIVED = "payment_received"
PAYMENT_REMINDER = "payment_reminder"
PAYMENT_OVERDUE = "payment_overdue"

TEMPLATE = "Borrower Notification Template"
LOG = "Borrower Notification"
CHANNELS = (("channel_email", "Email"), ("channel_sms", "SMS"), ("channel_whatsapp", "WhatsApp"))
BATCH = 200


class TemplateMissing(frappe.ValidationError):
	pass


# ---------------------------------------------------------------- rendering


def render(template, context: dict) -> dict:
	"""``{subject, body, short_message}`` of a template (doc or key) rendered with Jinja
	(``frappe.render_template``); the context gets the helpers ``rupiah(amount)`` and ``tanggal(date)``."""
	if isinstance(template, str):
		template = frappe.get_cached_doc(TEMPLATE, template)
	ctx = {"rupiah": notices.rupiah, "tanggal": notices.tanggal, **context}
	body = frappe.render_template(template.body or "", ctx).strip()
	short = frappe.render_template(template.short_message, ctx).strip() if template.short_message else body
	return {
		"subject": frappe.render_template(template.subject or "", ctx).strip(),
		"body": body,
		"short_message": short,
	}


def _template(event_key: str):
	name = frappe.db.get_value(TEMPLATE, {"template_key": event_key}, "name")
	if not name:
		frappe.throw(_("No notification template {0}").format(event_key), exc=TemplateMissing)
	return frappe.get_cached_doc(TEMPLATE, name)


def _recipient_info(user: str) -> dict:
	info = frappe.db.get_value("User", user, ["email", "mobile_no", "full_name"], as_dict=True) or {}
	member = frappe.db.get_value("Member", {"user": user}, ["name", "full_name", "phone"], as_dict=True) or {}
	return {
		"email": info.get("email"),
		"phone": info.get("mobile_no") or member.get("phone"),
		"full_name": member.get("full_name") or info.get("full_name") or "",
		"member": member.get("name"),
	}


# ---------------------------------------------------------------- sending


def _record(**values) -> "frappe.model.document.Document":
	doc = frappe.get_doc({"doctype": LOG, **values})
	doc.flags.ignore_links = True  # an event's reference may be gone or foreign: the record is kept anyway
	doc.insert(ignore_permissions=True)
	return doc


def _send(channel: str, to: str | None, texts: dict, reference: tuple) -> tuple[str, str | None]:
	"""Send on one channel; returns (status, provider id). Raises the adapter's error on failure."""
	if not to:
		raise frappe.ValidationError(_("No {0} address for this user").format(_(channel)))
	if channel == "Email":
		from pinjaman_online.integrations.messaging import send_email

		return "Queued", send_email(to, texts["subject"], texts["body"], *reference)
	if channel == "SMS":
		from pinjaman_online.integrations import sms

		answer = sms.send_sms(to, texts["short_message"])
	else:
		from pinjaman_online.integrations import messaging

		answer = messaging.send_whatsapp(to, texts["short_message"])
	return "Sent", str(answer.get("id") or "") or None


def notify(
	user: str,
	event_key: str,
	context: dict | None = None,
	reference_doctype: str | None = None,
	reference_name: str | None = None,
	dedupe_key: str | None = None,
) -> list[str] | None:
	"""Notify ``user`` of ``event_key`` with the template's texts rendered on ``context`` (plus the
	borrower's ``full_name``): in-app always, then the template's channels. Returns the Borrower
	Notification names (in-app first); None when the template is disabled or ``dedupe_key`` was already
	used. Raises :class:`TemplateMissing` for an unknown key; channel failures are recorded, never raised."""
	template = _template(event_key)
	if not template.enabled:
		return None
	if dedupe_key and frappe.db.exists(LOG, {"dedupe_key": dedupe_key}):
		return None
	who = _recipient_info(user)
	texts = render(template, {"full_name": who["full_name"], **(context or {})})
	stored = {} if template.sensitive else {"subject": texts["subject"], "message": texts["body"]}
	common = {
		"user": user,
		"template": template.name,
		"reference_doctype": reference_doctype,
		"reference_name": reference_name,
	}

	log = frappe.get_doc(
		{
			"doctype": "Notification Log",
			"for_user": user,
			"type": "Alert",
			"subject": texts["subject"],
			"email_content": texts["body"],
			"document_type": reference_doctype,
			"document_name": reference_name,
		}
	)
	frappe.db.savepoint("borrower_notify")
	try:
		log.insert(ignore_permissions=True)
		names = [
			_record(
				**common,
				**stored,
				channel="In-App",
				recipient=user,
				status="Sent",
				provider_id=log.name,
				dedupe_key=dedupe_key,
			).name
		]
	except (frappe.DuplicateEntryError, frappe.UniqueValidationError):
		frappe.db.rollback(save_point="borrower_notify")  # the same once-only notice, sent concurrently
		frappe.clear_last_message()
		return None
	frappe.db.release_savepoint("borrower_notify")

	reference = (reference_doctype, reference_name)
	ticked = [channel for field, channel in CHANNELS if template.get(field)]
	if not ticked:  # the configured default channel (DEFAULT_NOTIFICATION_CHANNEL) besides in-app
		default = frappe.get_cached_doc("Pinjaman Online Settings").default_notification_channel
		ticked = [default] if default in dict(CHANNELS).values() else []
	for channel in ticked:
		to = who["email"] if channel == "Email" else who["phone"]
		try:
			status, provider_id = _send(channel, to, texts, reference)
			error = None
		except Exception as exc:  # noqa: BLE001 - a channel failure is recorded, never breaks the caller
			frappe.clear_last_message()
			status, provider_id, error = "Failed", None, str(exc) or type(exc).__name__
		names.append(
			_record(
				**common,
				**stored,
				channel=channel,
				recipient=to,
				status=status,
				provider_id=provider_id,
				error=error,
			).name
		)
	return names


def send_otp_sms(phone: str, user: str | None, code: str, minutes: int) -> dict:
	"""Send a one-time code by SMS with the ``otp`` template (short message; the built-in Indonesian text
	when the template is missing or disabled). The code is not kept: the log row stores no text. Raises
	:class:`~pinjaman_online.integrations.sms.SmsError` when the SMS cannot be sent, so registration fails
	as a whole (nothing half-written)."""
	from pinjaman_online.integrations import sms

	name = frappe.db.get_value(TEMPLATE, {"template_key": OTP, "enabled": 1}, "name")
	context = {"code": code, "minutes": minutes}
	if name:
		message = render(name, context)["short_message"]
	else:
		message = (
			f"Kode OTP Pinjaman Online Anda: {code}. Berlaku {minutes} menit. "
			"JANGAN berikan kode ini kepada siapa pun."
		)
	answer = sms.send_sms(phone, message)
	_record(
		user=user,
		template=name,
		channel="SMS",
		recipient=phone,
		status="Sent",
		provider_id=str((answer or {}).get("id") or "") or None,
	)
	return answer


# ---------------------------------------------------------------- event handlers (RQ)


def _user_of_payload(payload: dict) -> str | None:
	user = payload.get("user_id")
	return user if user and frappe.db.exists("User", user) else None


def on_loan_applied(payload: dict):
	"""LoanApplied {user_id, loan_id (Loan Application), amount} → "application received"."""
	if user := _user_of_payload(payload):
		notify(user, APPLICATION_RECEIVED, payload, "Loan Application", payload.get("loan_id"))


def on_loan_approved(payload: dict):
	"""LoanApproved {user_id, application, loan, amount, tenor_months} → "approved"."""
	if user := _user_of_payload(payload):
		notify(user, LOAN_APPROVED, payload, "Loan Application", payload.get("application"))


def on_loan_rejected(payload: dict):
	"""LoanRejected {user_id, application, reason} → "rejected"."""
	if user := _user_of_payload(payload):
		notify(user, LOAN_REJECTED, payload, "Loan Application", payload.get("application"))


def on_payment_received(payload: dict):
	"""PaymentReceived {user_id, loan, payment, amount} → "payment received" (once per Loan Payment)."""
	if user := _user_of_payload(payload):
		notify(
			user,
			PAYMENT_RECEIVED,
			payload,
			"Loan Payment",
			payload.get("payment"),
			dedupe_key=f"{PAYMENT_RECEIVED}:{payload.get('payment')}" if payload.get("payment") else None,
		)


# ---------------------------------------------------------------- daily reminders (scheduler)


def scheduled_daily():
	"""hooks ``scheduler_events`` daily: enqueue :func:`run_daily` on the long queue (once at a time)."""
	frappe.enqueue(
		"pinjaman_online.borrower.notifications.run_daily",
		queue="long",
		job_id="borrower-notifications-daily",
		deduplicate=True,
	)


def run_daily(as_of: str | None = None, commit: bool = True) -> dict:
	"""Payment reminders and overdue notices for ``as_of`` (default today), then expire unpaid virtual
	accounts. Committed every BATCH notifications when ``commit`` (RQ); returns counts
	``{reminders, overdue, expired}``. Re-running the same day sends nothing twice."""
	as_of = getdate(as_of or today())
	settings = frappe.get_single("Borrower Settings")  # fresh: see integrations/base.py
	days_before = int(settings.reminder_days_before or 0)
	milestones = notices.parse_milestones(settings.overdue_notice_days)
	counts = {"reminders": 0, "overdue": 0, "expired": 0}

	sent = 0
	for row in _open_installments(as_of, days_before):
		due = getdate(row.due_date)
		context = {
			"loan": row.loan,
			"installment_number": row.installment_number,
			"amount": row.outstanding_amount,
			"due_date": str(due),
		}
		if notices.reminder_due(due, as_of, days_before):
			key, event, label = f"{PAYMENT_REMINDER}:{row.name}", PAYMENT_REMINDER, "reminders"
		else:
			milestone = notices.overdue_milestone(due, as_of, milestones)
			if milestone is None:
				continue
			context["days_past_due"] = (as_of - due).days
			key, event, label = f"{PAYMENT_OVERDUE}:{row.name}:{milestone}", PAYMENT_OVERDUE, "overdue"
		if notify(row.user, event, context, "Loan Installment", row.name, dedupe_key=key):
			counts[label] += 1
			sent += 1
			if commit and sent % BATCH == 0:
				frappe.db.commit()  # nosemgrep: a long batch job keeps what it has sent
	counts["expired"] = expire_payment_requests()
	if commit:
		frappe.db.commit()  # nosemgrep
	return counts


def _open_installments(as_of, days_before: int) -> list:
	"""Unpaid installments of active loans of borrowers with a user, due up to ``days_before`` days ahead."""
	li, loan, member = (frappe.qb.DocType(d) for d in ("Loan Installment", "Loan", "Member"))
	return (
		frappe.qb.from_(li)
		.join(loan)
		.on(loan.name == li.loan)
		.join(member)
		.on(member.name == loan.member)
		.select(li.name, li.loan, li.installment_number, li.due_date, li.outstanding_amount, member.user)
		.where(
			(loan.status.isin(OWED_LOAN_STATUSES))
			& (li.status.isin(["Unpaid", "Partially Paid"]))
			& (li.outstanding_amount > 0)
			& (li.due_date <= add_days(as_of, max(days_before, 0)))
			& (member.user.isnotnull())
			& (member.user != "")
		)
		.orderby(li.due_date)
		.orderby(li.name)
		.run(as_dict=True)
	)


def expire_payment_requests() -> int:
	"""Mark Pending payment requests whose virtual account has expired as Expired; returns how many."""
	pr = frappe.qb.DocType("Loan Payment Request")
	names = frappe.get_all(
		"Loan Payment Request",
		{"status": "Pending", "expires_on": ("<", now_datetime())},
		pluck="name",
	)
	if names:
		frappe.qb.update(pr).set(pr.status, "Expired").where(
			pr.name.isin(names) & (pr.status == "Pending")
		).run()
	return len(names)
