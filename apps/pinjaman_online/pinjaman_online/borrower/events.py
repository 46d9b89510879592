"""Borrower domain events (seed 002 §9: event-driven, asynchronous), on Frappe's RQ.

``publish("LoanApplied", {...})`` stamps the payload with ``event_id`` (UUID4), ``event`` and ``timestamp``
(ISO 8601, site time zone) and, after the current transaction commits, enqueues one RQ job per handler. The
handlers are data of the apps, not code here: the ``borrower_event_handlers`` hook maps an event name to
dotted paths of functions ``handler(payload: dict)``; any installed app can subscribe. A handler that
raises is logged in Error Log by RQ and does not stop the others.

Events: LoanApplied (event_id, user_id, loan_id, amount, timestamp — seed 002 §9.2), LoanApproved,
LoanRejected, PaymentReceived; each payload at least has ``user_id``.
"""

import uuid

import frappe
from frappe.utils import now_datetime


def publish(event: str, payload: dict, queue: str = "default") -> dict:
	"""Publish ``event`` with ``payload`` (JSON-serialisable dict); returns the stamped payload.

	The event is recorded as a *Borrower Event* in the caller's transaction and its jobs start only after that
	transaction commits (``enqueue_after_commit``): a handler always sees what the publisher wrote, and a
	rolled-back request neither records nor publishes anything."""
	stamped = {
		"event_id": str(uuid.uuid4()),
		"event": event,
		"timestamp": now_datetime().isoformat(),
		**payload,
	}
	handlers = frappe.get_hooks("borrower_event_handlers", {}).get(event, [])
	record(stamped, handlers)
	for handler in handlers:
		frappe.enqueue(
			handler,
			queue=queue,
			enqueue_after_commit=True,
			payload=stamped,
			job_name=f"{event}:{handler.rsplit('.', 1)[-1]}",
		)
	return stamped


# payload key -> the document an event is about (the first present wins), for the event log's reference
REFERENCE_KEYS = (
	("payment", "Loan Payment"),
	("application", "Loan Application"),
	("loan_id", "Loan Application"),  # LoanApplied (seed 002 §9.2): the application is the loan request
	("kyc_id", "KYC Submission"),
	("loan", "Loan"),
)


def record(stamped: dict, handlers: list[str]) -> str:
	"""Write the event log row (*Borrower Event*) of a stamped payload; returns its name. Append-only: no
	role may edit or delete these rows (auditors, admins and system managers read them)."""
	import json

	reference = next(((dt, stamped[key]) for key, dt in REFERENCE_KEYS if stamped.get(key)), (None, None))
	doc = frappe.get_doc(
		{
			"doctype": "Borrower Event",
			"event": stamped["event"],
			"event_id": stamped["event_id"],
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
	doc.insert(ignore_permissions=True)
	return doc.name
