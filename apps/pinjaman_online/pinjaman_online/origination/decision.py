"""The credit engine: handler of LoanApplied (seed 002 §9, seed 003 §7–8), run on RQ.

For a submitted mobile application it asks the credit bureau (risk engine), scores the application with the
Credit Scorecard of Borrower Settings, stores a Credit Score Result (score, points per characteristic, bureau
answer, decision, reason) and moves the application through the workflow as the credit engine user:

* Approve → workflow action Approve (the Loan and its schedule are booked by the application's own
  ``on_update_after_submit`` → ``servicing.utils.create_loan``, as for the staff path); event LoanApproved;
* Reject → workflow action Reject; event LoanRejected;
* Refer → the application stays Submitted for a credit analyst (the staff workflow goes on from there).

Idempotent: one Credit Score Result per application (named after it); a rerun of the job, or a second
LoanApplied for the same application, finds it and does nothing.
"""

import json

import frappe
from frappe import _
from frappe.model.workflow import apply_workflow
from frappe.utils import now_datetime

from pinjaman_online.borrower.events import publish
from pinjaman_online.borrower.loans import acting_as, engine_user
from pinjaman_online.lending.scoring import APPROVE, REJECT, decide, score
from pinjaman_online.origination.scoring import active_scorecard, bureau_report, facts_of, scorecard_of


def on_loan_applied(payload: dict):
	"""``borrower_event_handlers["LoanApplied"]``: decide the application ``payload["loan_id"]``."""
	name = (payload or {}).get("loan_id")
	if not name or not frappe.db.exists("Loan Application", name):
		frappe.log_error(title="Credit engine", message=f"LoanApplied for an unknown application: {payload}")
		return
	if frappe.db.exists("Credit Score Result", name):
		return
	with acting_as(engine_user()):
		decide_application(name, event_id=payload.get("event_id"))


def decide_application(name: str, event_id: str | None = None) -> str | None:
	"""Score and decide one submitted mobile application; returns the Credit Score Result's name, or None
	when there is nothing to decide (not a mobile application, not Submitted, or already scored)."""
	application = frappe.get_doc("Loan Application", name)
	if (
		application.application_channel != "Mobile App"
		or application.docstatus != 1
		or application.workflow_state != "Submitted"
		or frappe.db.exists("Credit Score Result", name)
	):
		return None
	bureau, answer = bureau_report(application)  # outside the lock: a slow bureau holds no row

	frappe.db.get_value("Loan Application", name, "name", for_update=True)
	if frappe.db.exists("Credit Score Result", name):  # a concurrent run decided meanwhile
		return None
	application.reload()
	card_doc = active_scorecard()
	card = scorecard_of(card_doc)
	facts = facts_of(application, bureau)
	result = score(card, facts)
	failed = tuple(row.reason for row in application.precheck_results if not row.passed)
	decision = decide(card, result, bureau, failed)

	user = frappe.db.get_value("Member", application.member, "user")
	record = frappe.get_doc(
		{
			"doctype": "Credit Score Result",
			"loan_application": name,
			"member": application.member,
			"user": user,
			"scorecard": card_doc.name,
			"event_id": event_id,
			"score": result.total,
			"decision": decision.outcome,
			"decided_on": now_datetime(),
			"reason": decision.reason,
			"bureau_status": "Available" if bureau.available else "Unavailable",
			"bureau_score": bureau.score,
			"bureau_max_dpd": bureau.max_dpd,
			"bureau_flags": ", ".join(sorted(bureau.flags)),
			"bureau_response": json.dumps(answer["raw"], indent=1, default=str) if answer else None,
			"lines": [
				{
					"characteristic": line.characteristic,
					"value": "" if line.value is None else str(line.value),
					"bin": line.bin,
					"points": line.points,
				}
				for line in result.lines
			],
		}
	)
	record.flags.ignore_permissions = True
	record.insert()
	application.db_set(
		{
			"credit_score_result": record.name,
			"credit_score": result.total,
			"credit_decision": decision.outcome,
		}
	)

	if decision.outcome == APPROVE:
		application = apply_workflow(application, "Approve")
		publish(
			"LoanApproved",
			{
				"user_id": user,
				"application": name,
				"loan": application.loan,
				"amount": int(application.principal),
				"tenor_months": application.tenor_months,
			},
		)
	elif decision.outcome == REJECT:
		apply_workflow(application, "Reject")
		publish("LoanRejected", {"user_id": user, "application": name, "reason": decision.reason})
	else:
		application.add_comment(
			"Info", _("Credit engine: referred to a credit analyst. {0}").format(decision.reason)
		)
	return record.name
