"""App-wide domain events (seed 002 §9: event-driven, asynchronous), on Frappe's RQ.

``publish("LoanApplied", {...})`` stamps the payload with ``event_id`` (UUID4), ``event`` and ``timestamp``
(ISO 8601, site time zone), records it as a *Borrower Event* and, after the current transaction commits,
enqueues one RQ job per handler. The handlers are data of the apps, not code here: the
``borrower_event_handlers`` hook maps an event name to dotted paths of functions ``handler(payload: dict)``;
any installed app can subscribe. A handler that raises is logged in Error Log by RQ and does not stop the
others.

Events and their payloads (every payload may carry ``user_id``, the borrower's user when there is one):

* ``LoanApplied`` (mobile apply; seed 002 §9.2): ``loan_id`` (Loan Application), ``amount``, ``tenor_months``;
* ``LoanSubmitted`` / ``LoanApproved`` / ``LoanRejected`` / ``LoanConditionallyApproved`` (the application's
  workflow, whatever the door: desk, REST, committee endpoint, credit engine): ``application``, ``member``,
  ``amount``, ``tenor_months``, ``loan`` (approved), ``reason`` (rejected, conditional);
* ``LoanDisbursed``: ``disbursement``, ``loan``, ``member``, ``amount`` (net paid), ``disbursement_date``;
* ``PaymentReceived`` (every channel: desk and REST payment, gateway, manual reconciliation, settlement, bulk
  pension deduction): ``payment``, ``loan``, ``amount``, ``payment_method``, ``posting_date``;
* ``DpdMilestone`` (the one writer of loan state, when a loan's days past due pass a milestone):
  ``loan``, ``milestone``, ``days_past_due``, ``overdue_since``;
* ``FunderSettled``: ``settlement``, ``funder``, ``period``, ``net_to_funder``;
* ``KycVerified`` / ``KycRejected``.

Amounts are whole Rupiah as text or int (JSON). **Once per fact**: events about a document carry a
``dedupe_key`` (:data:`DEDUPE`: the event and the document, e.g. ``PaymentReceived:PAY-2026-00001``), unique
on the event log, so the same fact published twice (a retried job, two doors) is recorded and handled once.

**Bulk paths** (pension deductions posted in bulk) call :func:`publish_many`: nothing per row in the money
transaction, one RQ job per batch enqueued after it commits (:func:`run_batch`), which records the events
and runs their handlers in that job.

**Outside systems**: every event is a *Borrower Event* document inserted with ``doc.insert``, so Frappe's
own *Webhook* doctype carries it out: a Webhook on *Borrower Event*, doc event ``after_insert``, condition
e.g. ``doc.event == "PaymentReceived"``, JSON body ``{{ doc.payload }}`` (README, *Notifications*).
"""

import json
import uuid

import frappe
from frappe.utils import now_datetime

LOG = "Borrower Event"

# event -> the payload keys naming the document(s) the event is about; the event's dedupe key is built
# from them (an event without an entry, or a payload lacking a key, is not deduplicated).
DEDUPE = {
	"LoanSubmitted": ("application",),
	"LoanApproved": ("application",),
	"LoanRejected": ("application",),
	"LoanConditionallyApproved": ("application",),
	"LoanDisbursed": ("disbursement",),
	"PaymentReceived": ("payment",),
	"FunderSettled": ("settlement",),
	"DpdMilestone": ("loan", "milestone", "overdue_since"),
}

# payload key -> the document an event is about (the first present wins), for the event log's reference
REFERENCE_KEYS = (
	("payment", "Loan Payment"),
	("disbursement", "Loan Disbursement"),
	("settlement", "Funder Settlement"),
	("application", "Loan Application"),
	("loan_id", "Loan Application"),  # LoanApplied (seed 002 §9.2): the application is the loan request
	("kyc_id", "KYC Submission"),
	("loan", "Loan"),
)

BATCH_COMMIT = 100


def dedupe_key(event: str, payload: dict) -> str | None:
	"""``"<event>:<value>[:<value>…]"`` from the payload's :data:`DEDUPE` keys, or None."""
	keys = DEDUPE.get(event)
	if not keys or not all(payload.get(k) not in (None, "") for k in keys):
		return None
	return ":".join([event, *(str(payload[k]) for k in keys)])


def stamp(event: str, payload: dict) -> dict:
	"""The payload with ``event_id`` (UUID4), ``event`` and ``timestamp`` (ISO 8601) added."""
	return {
		"event_id": str(uuid.uuid4()),
		"event": event,
		"timestamp": now_datetime().isoformat(),
		**payload,
	}


def handlers_of(event: str) -> list[str]:
	"""The dotted paths subscribed to ``event`` (hooks ``borrower_event_handlers``)."""
	return frappe.get_hooks("borrower_event_handlers", {}).get(event, [])


def publish(event: str, payload: dict, queue: str = "default") -> dict | None:
	"""Publish ``event`` with ``payload`` (JSON-serialisable dict); returns the stamped payload, or None when
	the same fact (its :func:`dedupe_key`) was published already.

	The event is recorded as a *Borrower Event* in the caller's transaction and its jobs start only after that
	transaction commits (``enqueue_after_commit``): a handler always sees what the publisher wrote, and a
	rolled-back request neither records nor publishes anything."""
	stamped = stamp(event, payload)
	handlers = handlers_of(event)
	if not record(stamped, handlers):
		return None
	for handler in handlers:
		frappe.enqueue(
			handler,
			queue=queue,
			enqueue_after_commit=True,
			payload=stamped,
			job_name=f"{event}:{handler.rsplit('.', 1)[-1]}",
		)
	return stamped


def publish_many(event: str, payloads: list[dict], queue: str = "default") -> int:
	"""Publish ``event`` once per payload, set-based: one RQ job (:func:`run_batch`) enqueued after the
	caller's transaction commits records the events and runs their handlers. Nothing is written in the
	caller's transaction. Returns how many payloads were handed on."""
	payloads = [p for p in payloads if p]
	if not payloads:
		return 0
	frappe.enqueue(
		"pinjaman_online.borrower.events.run_batch",
		queue=queue,
		enqueue_after_commit=True,
		event_name=event,  # not ``event``: frappe.enqueue takes that argument for itself
		payloads=payloads,
		job_name=f"{event}:batch",
	)
	return len(payloads)


def run_batch(event_name: str, payloads: list[dict], commit: bool = True) -> dict:
	"""RQ job of :func:`publish_many`: for each payload, record the event (skipped when its dedupe key was
	published already) and run its handlers in this job; a handler that raises is logged (Error Log) and the
	others go on. Commits every :data:`BATCH_COMMIT` events when ``commit``. Returns ``{published,
	duplicates, failed}``."""
	counts = {"published": 0, "duplicates": 0, "failed": 0}
	handlers = handlers_of(event_name)
	for n, payload in enumerate(payloads, 1):
		stamped = stamp(event_name, payload)
		if not record(stamped, handlers):
			counts["duplicates"] += 1
			continue
		counts["published"] += 1
		counts["failed"] += dispatch(stamped, handlers)
		if commit and n % BATCH_COMMIT == 0:
			frappe.db.commit()  # nosemgrep: a batch job keeps what it has done
	if commit:
		frappe.db.commit()  # nosemgrep
	return counts


def dispatch(stamped: dict, handlers: list[str] | None = None) -> int:
	"""Run the handlers of a stamped event in this process, each in its own savepoint; returns how many
	failed (each logged in Error Log). Used by :func:`run_batch` and to replay a recorded event."""
	failed = 0
	for handler in handlers if handlers is not None else handlers_of(stamped["event"]):
		frappe.db.savepoint("event_handler")
		try:
			frappe.get_attr(handler)(payload=stamped)
		except Exception:  # noqa: BLE001 - one handler's failure is logged and never stops the others
			frappe.db.rollback(save_point="event_handler")
			frappe.log_error(title=f"Event handler {handler} failed on {stamped['event']}")
			failed += 1
		else:
			frappe.db.release_savepoint("event_handler")
	return failed


def replay(name: str) -> int:
	"""Run the handlers of the recorded event ``name`` (a *Borrower Event*) again, in this process; the
	notifications they send are once-only, so a replay sends only what was not sent. Returns the failures."""
	row = frappe.db.get_value(LOG, name, ["payload", "handlers"], as_dict=True)
	return dispatch(json.loads(row.payload), [h for h in (row.handlers or "").split("\n") if h])


def record(stamped: dict, handlers: list[str]) -> str | None:
	"""Write the event log row (*Borrower Event*) of a stamped payload; returns its name, or None when an
	event with the same dedupe key exists. Append-only: no role may edit or delete these rows (auditors,
	admins and system managers read them)."""
	key = dedupe_key(stamped["event"], stamped)
	if key and frappe.db.exists(LOG, {"dedupe_key": key}):
		return None
	reference = next(((dt, stamped[key]) for key, dt in REFERENCE_KEYS if stamped.get(key)), (None, None))
	doc = frappe.get_doc(
		{
			"doctype": LOG,
			"event": stamped["event"],
			"event_id": stamped["event_id"],
			"dedupe_key": key,
			"published_on": now_datetime(),
			"user": stamped.get("user_id")
			if frappe.db.exists("User", stamped.get("user_id") or "")
			else None,
			"reference_doctype": reference[0],
			"reference_name": reference[1],
			"payload": json.dumps(stamped, indent=1, default=str, ensure_ascii=False),
			"handlers": "\n".join(handlers),
		}
	)
	doc.flags.ignore_links = True  # a reference may be written later in the same transaction
	frappe.db.savepoint("borrower_event")
	try:
		doc.insert(ignore_permissions=True)
	except (frappe.DuplicateEntryError, frappe.UniqueValidationError):
		frappe.db.rollback(save_point="borrower_event")  # the same fact, published at the same moment
		frappe.clear_last_message()
		return None
	frappe.db.release_savepoint("borrower_event")
	return doc.name


# ---------------------------------------------------------------- where events happen (doc_events, hooks.py)

APPLICATION_EVENTS = {
	"Approved": "LoanApproved",
	"Rejected": "LoanRejected",
	"Conditional": "LoanConditionallyApproved",
}


def _member_user(member: str | None) -> str | None:
	return frappe.db.get_value("Member", member, "user") if member else None


def _application_payload(doc) -> dict:
	return {
		"user_id": _member_user(doc.member),
		"application": doc.name,
		"member": doc.member,
		"amount": str(int(doc.principal or 0)),
		"tenor_months": doc.tenor_months,
		"channel": doc.application_channel,
	}


def on_application_submit(doc, method=None):
	"""doc_events *Loan Application* ``on_submit``: ``LoanSubmitted``."""
	publish("LoanSubmitted", _application_payload(doc))


def on_application_update(doc, method=None):
	"""doc_events *Loan Application* ``on_update_after_submit``: a committee (or credit engine) decision that
	moved the workflow to Approved, Rejected or Conditional publishes ``LoanApproved``, ``LoanRejected`` or
	``LoanConditionallyApproved`` with the decision's notes as ``reason``."""
	before = doc.get_doc_before_save()
	event = APPLICATION_EVENTS.get(doc.workflow_state)
	if not event or (before and before.workflow_state == doc.workflow_state):
		return
	votes = doc.get("committee_decisions") or []
	payload = {
		**_application_payload(doc),
		"loan": doc.loan,
		"reason": (votes[-1].notes if votes else None) or None,
	}
	publish(event, payload)


def on_disbursement_submit(doc, method=None):
	"""doc_events *Loan Disbursement* ``on_submit``: ``LoanDisbursed`` (amount = the net paid, Rupiah)."""
	publish(
		"LoanDisbursed",
		{
			"user_id": _member_user(doc.member),
			"disbursement": doc.name,
			"loan": doc.loan,
			"member": doc.member,
			"amount": str(int(doc.amount or 0)),
			"disbursement_date": str(doc.disbursement_date),
			"account_number": doc.account_number,
			"bank_name": doc.bank_name,
		},
	)


def payment_payload(payment: str, loan: str, amount, payment_method: str | None, posting_date) -> dict:
	"""The ``PaymentReceived`` payload of one posted payment (``amount`` whole Rupiah, as text)."""
	return {
		"payment": payment,
		"loan": loan,
		"amount": str(int(amount or 0)),
		"payment_method": payment_method,
		"posting_date": str(posting_date),
	}


def on_payment_submit(doc, method=None):
	"""doc_events *Loan Payment* ``on_submit`` (desk, REST, gateway webhook, manual reconciliation, early
	settlement): ``PaymentReceived``. Bulk pension deductions publish from ``servicing.bulk``."""
	publish(
		"PaymentReceived",
		{
			"user_id": _member_user(doc.member),
			**payment_payload(doc.name, doc.loan, doc.amount, doc.payment_method, doc.posting_date),
		},
	)


def publish_payments(results) -> int:
	"""``PaymentReceived`` for the payments a bulk posting wrote (``servicing.bulk.PostResult`` objects;
	those that existed already are skipped): one job for the batch, after commit."""
	return publish_many(
		"PaymentReceived",
		[
			payment_payload(r.payment, r.item.loan, r.posted, r.item.payment_method, r.item.posting_date)
			for r in results
			if r.payment and not r.existing and not r.error
		],
	)


def on_settlement_submit(doc, method=None):
	"""doc_events *Funder Settlement* ``on_submit``: ``FunderSettled``."""
	publish(
		"FunderSettled",
		{
			"settlement": doc.name,
			"funder": doc.funder,
			"period": doc.period,
			"version": doc.version,
			"net_to_funder": str(int(doc.net_to_funder or 0)),
			"total_collected": str(int(doc.total_collected or 0)),
		},
	)


def dpd_milestones() -> tuple[int, ...]:
	"""The DPD milestones (days past due) that publish ``DpdMilestone``: *Borrower Settings → Overdue Notice
	Days* (e.g. ``1, 7, 30``); an unreadable setting means none."""
	from pinjaman_online.lending import notices

	try:
		return notices.parse_milestones(
			frappe.db.get_single_value("Borrower Settings", "overdue_notice_days")
		)
	except ValueError:
		return ()


def publish_dpd_milestones(crossings: list[tuple]) -> int:
	"""``DpdMilestone`` for loans whose days past due went up (``crossings``: ``(loan, before, after, as_of)``)
	past one or more milestones (:func:`dpd_milestones`; the highest one passed is published): one job for
	all of them, after commit. Returns how many were handed on."""
	import datetime

	from frappe.utils import getdate

	milestones = dpd_milestones() if crossings else ()
	payloads = []
	for loan, before, after, as_of in crossings:
		passed = [m for m in milestones if (before or 0) < m <= (after or 0)]
		if passed:
			day = getdate(as_of)
			payloads.append(
				{
					"loan": loan,
					"milestone": max(passed),
					"days_past_due": after,
					"overdue_since": str(day - datetime.timedelta(days=after)),
					"as_of": str(day),
				}
			)
	return publish_many("DpdMilestone", payloads)
