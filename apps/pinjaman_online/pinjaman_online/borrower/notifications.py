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

Recipients: a user (:func:`notify`), a member (:func:`notify_member`: through their user when they have one,
else SMS/WhatsApp to the member's phone by :func:`notify_contact`), any contact address (a funder's e-mail).

Events (hooks ``borrower_event_handlers``, run on RQ; ``borrower/events.py``), each recipient once (dedupe
key: template, document, recipient): LoanApplied and LoanSubmitted → ``application_received`` (member) and
``loan_submitted_sales`` (the sales agent who entered it); LoanApproved, LoanRejected,
LoanConditionallyApproved, LoanDisbursed → the member and the sales agent; PaymentReceived →
``payment_received`` (member, whatever the channel); DpdMilestone → ``dpd_milestone`` (a member without an
account) and ``dpd_milestone_sales``; FunderSettled → ``funder_settled_finance`` (every Finance user) and
``funder_settled_funder`` (the funder's contact user and e-mail). Manual and broadcast notifications:
*Notification Broadcast* (:func:`check_broadcast`, :func:`send_broadcast`). The daily scheduler job sends
payment reminders and overdue notices (``run_daily``), and expires unpaid virtual accounts.
"""

import frappe
from frappe import _
from frappe.utils import add_days, getdate, now_datetime, today

from pinjaman_online.lending import notices
from pinjaman_online.origination.utils import OWED_LOAN_STATUSES
from pinjaman_online.utils import to_money

OTP = "otp"
APPLICATION_RECEIVED = "application_received"
LOAN_APPROVED = "loan_approved"
LOAN_REJECTED = "loan_rejected"
PAYMENT_RECEIVED = "payment_received"
PAYMENT_REMINDER = "payment_reminder"
PAYMENT_OVERDUE = "payment_overdue"
LOAN_SUBMITTED_SALES = "loan_submitted_sales"
LOAN_APPROVED_SALES = "loan_approved_sales"
LOAN_REJECTED_SALES = "loan_rejected_sales"
LOAN_CONDITIONAL = "loan_conditional"
LOAN_CONDITIONAL_SALES = "loan_conditional_sales"
LOAN_DISBURSED = "loan_disbursed"
LOAN_DISBURSED_SALES = "loan_disbursed_sales"
DPD_MILESTONE = "dpd_milestone"
DPD_MILESTONE_SALES = "dpd_milestone_sales"
FUNDER_SETTLED_FINANCE = "funder_settled_finance"
FUNDER_SETTLED_FUNDER = "funder_settled_funder"
MANUAL_MESSAGE = "manual_message"

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


def _ticked(template) -> list[str]:
	"""The template's channels besides in-app; none ticked → the configured default channel
	(DEFAULT_NOTIFICATION_CHANNEL) when it is one of them."""
	ticked = [channel for field, channel in CHANNELS if template.get(field)]
	if not ticked:
		default = frappe.get_cached_doc("Pinjaman Online Settings").default_notification_channel
		ticked = [default] if default in dict(CHANNELS).values() else []
	return ticked


def _send_channels(channels, who: dict, texts: dict, common: dict, stored: dict, first: dict | None = None):
	"""Send ``texts`` on each channel to ``who`` (``email``, ``phone``) and record each send; ``first``: the
	record (name) already written for the first channel, whose status is updated instead. Returns the
	Borrower Notification names."""
	names = []
	reference = (common.get("reference_doctype"), common.get("reference_name"))
	for n, channel in enumerate(channels):
		to = who.get("email") if channel == "Email" else who.get("phone")
		try:
			status, provider_id = _send(channel, to, texts, reference)
			error = None
		except Exception as exc:  # noqa: BLE001 - a channel failure is recorded, never breaks the caller
			frappe.clear_last_message()
			status, provider_id, error = "Failed", None, str(exc) or type(exc).__name__
		values = {"recipient": to, "status": status, "provider_id": provider_id, "error": error}
		if n == 0 and first:
			frappe.db.set_value(LOG, first["name"], values, update_modified=False)
			names.append(first["name"])
			continue
		names.append(_record(**common, **stored, channel=channel, **values).name)
	return names


def _claim(dedupe_key: str | None, **values) -> "frappe.model.document.Document | None":
	"""Insert the first delivery record of a notification with its ``dedupe_key`` (unique), in a savepoint;
	None when the key was used already (the same once-only notification, sent before or at this moment)."""
	if dedupe_key and frappe.db.exists(LOG, {"dedupe_key": dedupe_key}):
		return None
	frappe.db.savepoint("borrower_notify")
	try:
		doc = _record(**values, dedupe_key=dedupe_key)
	except (frappe.DuplicateEntryError, frappe.UniqueValidationError):
		frappe.db.rollback(save_point="borrower_notify")
		frappe.clear_last_message()
		return None
	frappe.db.release_savepoint("borrower_notify")
	return doc


def notify(
	user: str,
	event_key: str,
	context: dict | None = None,
	reference_doctype: str | None = None,
	reference_name: str | None = None,
	dedupe_key: str | None = None,
	member: str | None = None,
	broadcast: str | None = None,
) -> list[str] | None:
	"""Notify ``user`` of ``event_key`` with the template's texts rendered on ``context`` (plus the
	borrower's ``full_name``): in-app always, then the template's channels. Returns the Borrower
	Notification names (in-app first); None when the template is disabled or ``dedupe_key`` was already
	used. ``member``: the member the notification is about (the user's own member by default);
	``broadcast``: the Notification Broadcast it belongs to. Raises :class:`TemplateMissing` for an unknown
	key; channel failures are recorded, never raised."""
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
		"member": member or who["member"],
		"broadcast": broadcast,
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
	frappe.db.savepoint("borrower_notify_log")
	try:
		log.insert(ignore_permissions=True)
		first = _claim(
			dedupe_key, **common, **stored, channel="In-App", recipient=user, status="Sent",
			provider_id=log.name,
		)  # fmt: skip
	except (frappe.DuplicateEntryError, frappe.UniqueValidationError):
		first = None
	if not first:
		frappe.db.rollback(save_point="borrower_notify_log")  # the same once-only notice, sent already
		frappe.clear_last_message()
		return None
	frappe.db.release_savepoint("borrower_notify_log")
	return [first.name, *_send_channels(_ticked(template), who, texts, common, stored)]


def notify_contact(
	contact: dict,
	event_key: str,
	context: dict | None = None,
	reference_doctype: str | None = None,
	reference_name: str | None = None,
	dedupe_key: str | None = None,
	broadcast: str | None = None,
	phone_fallback: bool = True,
) -> list[str] | None:
	"""Notify someone without a user account — ``contact``: ``{full_name, phone, email, member}`` (a member
	registered by staff, a funder's contact address) — on the template's channels that have an address.
	With ``phone_fallback``, a contact with a phone number whose template ticks neither SMS nor WhatsApp
	gets the default channel when that is SMS or WhatsApp, else SMS (seed 004: a member is always told).
	Nothing to send on (no address) is recorded as Skipped. Returns the Borrower Notification names; None
	when the template is disabled or ``dedupe_key`` was used."""
	template = _template(event_key)
	if not template.enabled:
		return None
	if dedupe_key and frappe.db.exists(LOG, {"dedupe_key": dedupe_key}):
		return None
	who = {"email": contact.get("email"), "phone": contact.get("phone")}
	channels = [c for c in _ticked(template) if who.get("email" if c == "Email" else "phone")]
	if phone_fallback and who["phone"] and not {"SMS", "WhatsApp"} & set(channels):
		default = frappe.get_cached_doc("Pinjaman Online Settings").default_notification_channel
		channels.append(default if default in ("SMS", "WhatsApp") else "SMS")
	texts = render(template, {"full_name": contact.get("full_name") or "", **(context or {})})
	stored = {} if template.sensitive else {"subject": texts["subject"], "message": texts["body"]}
	common = {
		"user": None,
		"member": contact.get("member"),
		"broadcast": broadcast,
		"template": template.name,
		"reference_doctype": reference_doctype,
		"reference_name": reference_name,
	}
	first_channel = channels[0] if channels else "SMS"
	first = _claim(
		dedupe_key, **common, **stored, channel=first_channel,
		recipient=who.get("email" if first_channel == "Email" else "phone") or contact.get("full_name") or "-",
		status="Queued" if channels else "Skipped",
		error=None if channels else _("No contact number or e-mail address"),
	)  # fmt: skip
	if not first:
		return None
	if not channels:
		return [first.name]
	return _send_channels(channels, who, texts, common, stored, first={"name": first.name})


def member_contact(member: str) -> dict:
	"""``{name, full_name, phone, email, user}`` of a member (the user only when enabled)."""
	row = frappe.db.get_value("Member", member, ["name", "full_name", "phone", "email", "user"], as_dict=True)
	if not row:
		return {}
	if row.user and not frappe.db.get_value("User", row.user, "enabled"):
		row.user = None
	return row


def notify_member(
	member: str,
	event_key: str,
	context: dict | None = None,
	reference_doctype: str | None = None,
	reference_name: str | None = None,
	dedupe_key: str | None = None,
	broadcast: str | None = None,
) -> list[str] | None:
	"""Notify a member: through their user account (:func:`notify`: in-app and the template's channels)
	when they have one, else by SMS or WhatsApp to their contact number (:func:`notify_contact`). Same
	returns as those."""
	m = member_contact(member)
	if not m:
		return None
	if m.user:
		return notify(
			m.user, event_key, context, reference_doctype, reference_name, dedupe_key, member, broadcast
		)
	return notify_contact(
		{"full_name": m.full_name, "phone": m.phone, "email": m.email, "member": m.name},
		event_key,
		context,
		reference_doctype,
		reference_name,
		dedupe_key,
		broadcast,
	)


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
# Every handler notifies once per event and recipient: the dedupe key is the template, the document and the
# recipient, so a retried job or the same fact published by two doors sends nothing twice.


def _user_of_payload(payload: dict) -> str | None:
	user = payload.get("user_id")
	return user if user and frappe.db.exists("User", user) else None


def _key(template_key: str, reference: str | None, recipient: str) -> str | None:
	return f"{template_key}:{reference}:{recipient}" if reference else None


def _to_member(member, template_key, context, reference_doctype, reference_name):
	if member:
		return notify_member(
			member,
			template_key,
			context,
			reference_doctype,
			reference_name,
			dedupe_key=_key(template_key, reference_name, member),
		)


def _to_user(user, template_key, context, reference_doctype, reference_name, member=None):
	if user and frappe.db.get_value("User", user, "enabled"):
		return notify(
			user,
			template_key,
			context,
			reference_doctype,
			reference_name,
			dedupe_key=_key(template_key, reference_name, user),
			member=member,
		)


def _application(name: str | None) -> dict:
	if not name:
		return frappe._dict()
	row = frappe.db.get_value(
		"Loan Application",
		name,
		["name", "member", "member_name", "principal", "tenor_months", "loan", "sales_user", "sales_agent",
			"loan_product"],
		as_dict=True,
	)  # fmt: skip
	return row or frappe._dict()


def sales_user_of(application: dict) -> str | None:
	"""The sales agent's user of an application: its *Sales User*, else its agent's user."""
	if application.get("sales_user"):
		return application.sales_user
	if application.get("sales_agent"):
		return frappe.db.get_value("Sales Agent", application.sales_agent, "user")
	return None


def _application_context(payload: dict, app: dict) -> dict:
	return {
		**payload,
		"application": app.get("name") or payload.get("application") or payload.get("loan_id"),
		"loan_id": app.get("name") or payload.get("loan_id"),
		"member_name": app.get("member_name"),
		"amount": payload.get("amount") or app.get("principal"),
		"tenor_months": payload.get("tenor_months") or app.get("tenor_months"),
		"loan": payload.get("loan") or app.get("loan"),
		"loan_product": app.get("loan_product"),
	}


def _application_event(payload: dict, member_key: str, sales_key: str):
	app = _application(payload.get("application") or payload.get("loan_id"))
	if not app:
		return
	context = _application_context(payload, app)
	_to_member(app.member, member_key, context, "Loan Application", app.name)
	sales = sales_user_of(app)
	if sales and sales != frappe.db.get_value("Member", app.member, "user"):
		_to_user(sales, sales_key, context, "Loan Application", app.name, member=app.member)


def on_loan_applied(payload: dict):
	"""LoanApplied {user_id, loan_id (Loan Application), amount} → "application received" to the member."""
	app = _application(payload.get("loan_id"))
	if app:
		_to_member(
			app.member, APPLICATION_RECEIVED, _application_context(payload, app), "Loan Application", app.name
		)
	elif user := _user_of_payload(payload):  # the application is not readable here: the payload's user
		_to_user(user, APPLICATION_RECEIVED, payload, "Loan Application", payload.get("loan_id"))


def on_loan_submitted(payload: dict):
	"""LoanSubmitted {application, member, amount, tenor_months} → "application received" to the member
	(once, also when LoanApplied told them) and ``loan_submitted_sales`` to the sales agent."""
	_application_event(payload, APPLICATION_RECEIVED, LOAN_SUBMITTED_SALES)


def on_loan_approved(payload: dict):
	"""LoanApproved {application, loan, amount, tenor_months} → member and sales agent."""
	_application_event(payload, LOAN_APPROVED, LOAN_APPROVED_SALES)


def on_loan_rejected(payload: dict):
	"""LoanRejected {application, reason} → member and sales agent."""
	_application_event(payload, LOAN_REJECTED, LOAN_REJECTED_SALES)


def on_loan_conditionally_approved(payload: dict):
	"""LoanConditionallyApproved {application, reason (the conditions)} → member and sales agent."""
	_application_event(payload, LOAN_CONDITIONAL, LOAN_CONDITIONAL_SALES)


def _loan(name: str | None) -> dict:
	if not name:
		return frappe._dict()
	fields = ["name", "member", "member_name", "loan_application", "principal", "days_past_due",
		"outstanding_principal", "outstanding_interest", "outstanding_penalty"]  # fmt: skip
	return frappe.db.get_value("Loan", name, fields, as_dict=True) or frappe._dict()


def on_loan_disbursed(payload: dict):
	"""LoanDisbursed {disbursement, loan, member, amount, disbursement_date} → member and sales agent."""
	loan = _loan(payload.get("loan"))
	if not loan:
		return
	context = {**payload, "member_name": loan.member_name, "principal": loan.principal}
	_to_member(loan.member, LOAN_DISBURSED, context, "Loan Disbursement", payload.get("disbursement"))
	sales = sales_user_of(_application(loan.loan_application))
	if sales:
		_to_user(
			sales,
			LOAN_DISBURSED_SALES,
			context,
			"Loan Disbursement",
			payload.get("disbursement"),
			loan.member,
		)


def on_payment_received(payload: dict):
	"""PaymentReceived {loan, payment, amount, payment_method, posting_date} → "payment received" to the
	member (once per Loan Payment, whatever the channel)."""
	loan = _loan(payload.get("loan"))
	if not payload.get("payment"):
		return
	if not loan:  # the loan is not readable here: the payload's user, when it names one
		if user := _user_of_payload(payload):
			_to_user(user, PAYMENT_RECEIVED, payload, "Loan Payment", payload["payment"])
		return
	context = {
		**payload,
		"member_name": loan.member_name,
		"outstanding": sum(
			to_money(loan.get(f) or 0)
			for f in ("outstanding_principal", "outstanding_interest", "outstanding_penalty")
		),
	}
	_to_member(loan.member, PAYMENT_RECEIVED, context, "Loan Payment", payload["payment"])


def on_dpd_milestone(payload: dict):
	"""DpdMilestone {loan, milestone, days_past_due, overdue_since} → the member (``dpd_milestone``; members
	with a user account are told per installment by :func:`run_daily` at the same milestones, so only members
	without one) and the sales agent (``dpd_milestone_sales``)."""
	loan = _loan(payload.get("loan"))
	if not loan:
		return
	context = {**payload, "member_name": loan.member_name}
	key = f"{payload.get('milestone')}:{payload.get('overdue_since')}"
	m = member_contact(loan.member)
	if m and not m.user:
		notify_contact(
			{"full_name": m.full_name, "phone": m.phone, "email": m.email, "member": m.name},
			DPD_MILESTONE,
			context,
			"Loan",
			loan.name,
			dedupe_key=f"{DPD_MILESTONE}:{loan.name}:{key}",
		)
	sales = sales_user_of(_application(loan.loan_application))
	if sales:
		notify(
			sales,
			DPD_MILESTONE_SALES,
			context,
			"Loan",
			loan.name,
			dedupe_key=f"{DPD_MILESTONE_SALES}:{loan.name}:{key}:{sales}",
			member=loan.member,
		)


def on_funder_settled(payload: dict):
	"""FunderSettled {settlement, funder, period, net_to_funder} → every Finance user (in-app,
	``funder_settled_finance``) and the funder: its contact user and its contact e-mail
	(``funder_settled_funder``)."""
	name = payload.get("settlement")
	doc = frappe.db.get_value(
		"Funder Settlement",
		name,
		["name", "funder", "period", "version", "net_to_funder", "total_collected", "total_principal",
			"total_interest", "total_originator_fee", "total_servicing_fee"],
		as_dict=True,
	)  # fmt: skip
	if not doc:
		return
	funder = frappe.db.get_value(
		"Funder", doc.funder, ["funder_name", "contact_user", "contact_email", "contact_name", "contact_phone"],
		as_dict=True,
	) or frappe._dict()  # fmt: skip
	context = {**payload, **doc, "settlement": doc.name, "funder_name": funder.funder_name or doc.funder}
	from pinjaman_online.funding.settlement import users_with_role

	for user in users_with_role("Finance"):
		_to_user(user, FUNDER_SETTLED_FINANCE, context, "Funder Settlement", doc.name)
	emailed = None
	if funder.contact_user:
		_to_user(funder.contact_user, FUNDER_SETTLED_FUNDER, context, "Funder Settlement", doc.name)
		emailed = frappe.db.get_value("User", funder.contact_user, "email")
	if funder.contact_email and (funder.contact_email or "").lower() != (emailed or "").lower():
		notify_contact(
			{"full_name": funder.contact_name, "email": funder.contact_email},
			FUNDER_SETTLED_FUNDER,
			{**context, "full_name": funder.contact_name or funder.funder_name},
			"Funder Settlement",
			doc.name,
			dedupe_key=f"{FUNDER_SETTLED_FUNDER}:{doc.name}:{funder.contact_email}",
			phone_fallback=False,
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


# ---------------------------------------------------------------- manual and broadcast notifications

BROADCAST = "Notification Broadcast"
LIVE_LOANS = ("Active", "Default")


def check_broadcast(doc):
	"""Validate a new Notification Broadcast for its creator (every door): the target named by its type is
	given and exists, the creator may read it (a member, a user's member, a branch, a product: User
	Permissions narrow a sales agent to their branch), and there is a message: an enabled template, or a
	subject and a message for ``manual_message``. Raises ValidationError (417), PermissionError (403) or
	DoesNotExistError (404) with a message."""
	from pinjaman_online.api.errors import require_fields

	require_fields(doc, "target_type")
	field = {"Member": "member", "User": "target_user", "Branch": "sales_branch", "Product": "loan_product"}
	if doc.target_type not in (*field, "Overdue"):
		frappe.throw(_("Send To must be Member, User, Branch, Overdue or Product"))
	for other in field.values():  # only the target's own field is kept
		if other != field.get(doc.target_type):
			doc.set(other, None)
	if doc.target_type in field:
		require_fields(doc, field[doc.target_type])
	doctype = {"Member": "Member", "User": "User", "Branch": "Sales Branch", "Product": "Loan Product"}
	target = doc.get(field[doc.target_type]) if doc.target_type in field else None
	if target and not frappe.db.exists(doctype[doc.target_type], target):
		frappe.throw(
			_("Could not find {0}").format(f"{_(doctype[doc.target_type])}: {target}"),
			frappe.DoesNotExistError,
		)
	user = frappe.session.user
	if doc.target_type == "User":
		member = frappe.db.get_value("Member", {"user": target}, "name")
		readable = not member or frappe.has_permission("Member", "read", doc=member, user=user)
	elif target:
		readable = frappe.has_permission(doctype[doc.target_type], "read", doc=target, user=user)
	else:
		readable = frappe.has_permission("Member", "read", user=user)
	if not readable:
		frappe.throw(
			_("You may not send notifications to {0}").format(
				f"{_(doctype.get(doc.target_type, 'Member'))}: {target or ''}"
			),
			frappe.PermissionError,
		)
	doc.template = doc.template or MANUAL_MESSAGE
	if not frappe.db.get_value(TEMPLATE, {"name": doc.template, "enabled": 1}):
		frappe.throw(_("Notification template {0} does not exist or is disabled").format(doc.template))
	if doc.template == MANUAL_MESSAGE:
		require_fields(doc, "subject", "message")


def broadcast_members(doc, user: str | None = None) -> list[str]:
	"""The members a broadcast reaches, in name order, as ``user`` (default: its creator) may read them:
	Member → that member; Branch → the branch's active members; Overdue → members with an active or defaulted
	loan more than 0 days past due; Product → members with an active or defaulted loan of the product.
	User → none (the user is notified instead)."""
	from pinjaman_online.permissions import readable_condition

	user = user or doc.owner
	column = "`tabMember`.`name`"
	if doc.target_type == "Member":
		condition, values = f"{column} = %s", [doc.member]
	elif doc.target_type == "Branch":
		condition, values = (
			"`tabMember`.`sales_branch` = %s AND `tabMember`.`status` = 'Active'",
			[doc.sales_branch],
		)
	elif doc.target_type == "Overdue":
		condition = (
			f"{column} IN (SELECT `member` FROM `tabLoan` WHERE `status` IN %s AND `days_past_due` > 0)"
		)
		values = [LIVE_LOANS]
	elif doc.target_type == "Product":
		condition = (
			f"{column} IN (SELECT `member` FROM `tabLoan` WHERE `status` IN %s AND `loan_product` = %s)"
		)
		values = [LIVE_LOANS, doc.loan_product]
	else:
		return []
	readable = readable_condition("Member", "`outer_member`.`name`", user=user)
	return [
		r[0]
		for r in frappe.db.sql(
			f"""SELECT `outer_member`.`name` FROM `tabMember` AS `outer_member`
			WHERE `outer_member`.`name` IN (SELECT {column} FROM `tabMember` WHERE {condition}) AND {readable}
			ORDER BY `outer_member`.`name`""",
			values,
		)
	]


def send_broadcast(broadcast: str, commit: bool = True) -> dict:
	"""RQ job of a Notification Broadcast: notify each recipient once (dedupe key ``broadcast:<name>:<member
	or user>``, so a rerun or a retried job sends only what was not sent), committing every :data:`BATCH`,
	then record the counts (recipients, sent, failed) and the status (Completed, or Failed with the error).
	Returns the counts."""
	doc = frappe.get_doc(BROADCAST, broadcast)
	frappe.db.set_value(BROADCAST, broadcast, "status", "Sending", update_modified=False)
	context = {"subject": doc.subject or "", "message": doc.message or "", "broadcast": doc.name}
	try:
		if doc.target_type == "User":
			targets = [("user", doc.target_user)]
		else:
			targets = [("member", m) for m in broadcast_members(doc)]
		for n, (kind, target) in enumerate(targets, 1):
			key = f"broadcast:{doc.name}:{target}"
			if kind == "user":
				notify(target, doc.template, context, BROADCAST, doc.name, dedupe_key=key, broadcast=doc.name)
			else:
				notify_member(
					target, doc.template, context, BROADCAST, doc.name, dedupe_key=key, broadcast=doc.name
				)
			if commit and n % BATCH == 0:
				frappe.db.commit()  # nosemgrep: a long batch job keeps what it has sent
		counts = broadcast_counts(doc.name)
		frappe.db.set_value(
			BROADCAST,
			broadcast,
			{**counts, "recipients": len(targets), "status": "Completed", "finished_on": now_datetime()},
			update_modified=False,
		)
	except Exception:
		if commit:
			frappe.db.rollback()
		frappe.db.set_value(
			BROADCAST,
			broadcast,
			{"status": "Failed", "error": frappe.get_traceback()[-1000:]},
			update_modified=False,
		)
		if commit:
			frappe.db.commit()  # nosemgrep
		raise
	if commit:
		frappe.db.commit()  # nosemgrep
	return {**counts, "recipients": len(targets)}


def broadcast_counts(broadcast: str) -> dict:
	"""``{sent, failed}``: the broadcast's deliveries Sent or Queued, and Failed or Skipped."""
	rows = frappe.db.sql(
		f"SELECT status, COUNT(*) FROM `tab{LOG}` WHERE broadcast = %s GROUP BY status", broadcast
	)
	by = dict(rows)
	return {
		"sent": int(by.get("Sent", 0) + by.get("Queued", 0)),
		"failed": int(by.get("Failed", 0) + by.get("Skipped", 0)),
	}


# ---------------------------------------------------------------- who reads the delivery log

LOG_READERS = frozenset({"System Manager", "Koperasi Admin", "Auditor"})


def log_query(user: str | None = None, doctype: str | None = None) -> str:
	"""permission_query_conditions of Borrower Notification: staff other than admins and auditors read the
	deliveries about a member (narrowed to their members by the member rule) and their own, not others'
	staff notices or codes sent to registrants."""
	user = user or frappe.session.user
	if user == "Administrator" or LOG_READERS & set(frappe.get_roles(user)):
		return ""
	return f"(`tab{LOG}`.`member` is not null or `tab{LOG}`.`user` = {frappe.db.escape(user)})"


def log_has_permission(doc, ptype: str | None = None, user: str | None = None) -> bool | None:
	"""has_permission of Borrower Notification: as :func:`log_query` for one record."""
	user = user or frappe.session.user
	if user == "Administrator" or LOG_READERS & set(frappe.get_roles(user)):
		return None
	return None if (doc.get("member") or doc.get("user") == user) else False
