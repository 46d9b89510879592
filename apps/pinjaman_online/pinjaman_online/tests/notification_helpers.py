"""Test helpers for events and notifications, run on a served test site through ``bin/frappe execute``
(tests/http/test_notification_events.py): nothing here is reachable over HTTP."""

import frappe


def age_loan(loan: str, as_of: str) -> int:
	"""Recompute ``loan``'s state as of ``as_of`` (YYYY-MM-DD) through the one writer of loan state, as the
	daily run does for that loan, and commit (its events go to RQ after the commit); returns its days past
	due."""
	from pinjaman_online.servicing.state import refresh_loans

	states = refresh_loans({loan: as_of}, "daily run")
	frappe.db.commit()  # nosemgrep: the caller is a test driving the site from outside
	return states[loan].days_past_due


def events_of(reference_name: str) -> list[dict]:
	"""The Borrower Events about a document: ``[{name, event, dedupe_key}]`` oldest first."""
	return frappe.get_all(
		"Borrower Event",
		filters={"reference_name": reference_name},
		fields=["name", "event", "dedupe_key"],
		order_by="creation asc",
	)


def replay_events(reference_name: str) -> dict:
	"""Run the handlers of every recorded event about a document again (a retried job) and commit; returns
	``{"failed": n}``."""
	from pinjaman_online.borrower.events import replay

	failed = sum(replay(e["name"]) for e in events_of(reference_name))
	frappe.db.commit()  # nosemgrep
	return {"failed": failed}


def publish_again(event: str, payload: dict):
	"""Publish ``event`` again (a second door publishing the same fact) and commit; the stamped payload or
	None when it was a duplicate."""
	from pinjaman_online.borrower.events import publish

	stamped = publish(event, payload)
	frappe.db.commit()  # nosemgrep
	return stamped
