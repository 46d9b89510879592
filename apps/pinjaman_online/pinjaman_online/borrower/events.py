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

	Jobs start only after the caller's transaction commits (``enqueue_after_commit``), so a handler always
	sees what the publisher wrote, and a rolled-back request publishes nothing."""
	stamped = {
		"event_id": str(uuid.uuid4()),
		"event": event,
		"timestamp": now_datetime().isoformat(),
		**payload,
	}
	for handler in frappe.get_hooks("borrower_event_handlers", {}).get(event, []):
		frappe.enqueue(
			handler,
			queue=queue,
			enqueue_after_commit=True,
			payload=stamped,
			job_name=f"{event}:{handler.rsplit('.', 1)[-1]}",
		)
	return stamped
