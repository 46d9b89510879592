"""The credit engine (seed 002 §9, seed 003 §7–8): scorecard + credit bureau for every channel.

* Mobile applications: the handler of LoanApplied, run on RQ. For a submitted mobile application it asks the
  credit bureau (risk engine), scores the application with the Credit Scorecard of Borrower Settings,
  stores a Credit Score Result (score, grade, points per characteristic, bureau answer, decision, reason)
  and moves the application through the workflow as the credit engine user:

  * Approve → workflow action Approve (the Loan and its schedule are booked by the application's own
    ``on_update_after_submit`` → ``servicing.utils.create_loan``, as for the staff path); event LoanApproved;
  * Reject → workflow action Reject; event LoanRejected;
  * Refer → the application stays Submitted for a credit analyst (the staff workflow goes on from there).

  Idempotent: one Credit Score Result per application (named after it); a rerun of the job, or a second
  LoanApplied for the same application, finds it and does nothing.
* Any application a credit analyst works on (Submitted or Analyzing, any channel): :func:`recommend`, from
  the Loan Application form's *Run Credit Engine* button (``api.credit_engine.run``). The same scoring and
  bureau check; the result is stored (the application's one Credit Score Result, updated on a rerun and
  versioned) with the score, grade, reasons and the outcome as a *recommendation*: no workflow action is
  taken, the analyst and the committee decide.
"""

import json

import frappe
from frappe import _
from frappe.model.workflow import apply_workflow
from frappe.utils import now_datetime

from pinjaman_online.borrower.events import publish
from pinjaman_online.borrower.loans import acting_as, engine_user
from pinjaman_online.lending.scoring import APPROVE, REJECT, decide, grade, score
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


ANALYST_STATES = ("Submitted", "Analyzing")
"""Workflow states in which a credit analyst may run the engine on an application."""


def evaluate(application) -> dict:
	"""Score ``application`` (a Loan Application document) with the active scorecard and the bureau's
	report: the values of its Credit Score Result (without ``loan_application``, ``run_by``, ``event_id``)
	plus ``_decision`` (lending.scoring.Decision) and ``_score`` (lending.scoring.Score). The bureau is asked
	first: call it before taking any lock."""
	bureau, answer = bureau_report(application)
	card_doc = active_scorecard()
	card = scorecard_of(card_doc)
	result = score(card, facts_of(application, bureau))
	failed = tuple(row.reason for row in application.precheck_results if not row.passed)
	decision = decide(card, result, bureau, failed)
	return {
		"_decision": decision,
		"_score": result,
		"member": application.member,
		"user": frappe.db.get_value("Member", application.member, "user"),
		"scorecard": card_doc.name,
		"score": result.total,
		"grade": grade(card, result.total, decision.outcome),
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


def _store(name: str, values: dict):
	"""Insert, or update in place (versioned), the Credit Score Result of application ``name`` with
	``values`` (from :func:`evaluate`), and copy score, grade, outcome and reasons onto the application.
	Returns the Credit Score Result document."""
	values = {k: v for k, v in values.items() if not k.startswith("_")}
	if frappe.db.exists("Credit Score Result", name):
		record = frappe.get_doc("Credit Score Result", name)
		record.update(values)
		record.flags.ignore_permissions = True
		record.save()
	else:
		record = frappe.get_doc({"doctype": "Credit Score Result", "loan_application": name, **values})
		record.flags.ignore_permissions = True
		record.insert()
	frappe.db.set_value(
		"Loan Application",
		name,
		{
			"credit_score_result": record.name,
			"credit_score": record.score,
			"credit_grade": record.grade,
			"credit_decision": record.decision,
			"credit_reasons": record.reason,
		},
	)
	return record


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
	values = evaluate(application)  # the bureau outside the lock: a slow bureau holds no row

	frappe.db.get_value("Loan Application", name, "name", for_update=True)
	if frappe.db.exists("Credit Score Result", name):  # a concurrent run decided meanwhile
		return None
	application.reload()
	decision = values["_decision"]
	record = _store(name, {**values, "event_id": event_id})
	application.reload()
	user = values["user"]

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


def recommend(name: str) -> dict:
	"""Run the credit engine on application ``name`` for a credit analyst and store the result as a
	recommendation (no workflow action): ``{application, credit_score_result, score, grade,
	recommendation (Approve/Refer/Reject), reasons (English sentences), bureau_status, lines}``.

	Errors: 404 unknown application; 403 a caller without the Credit Analyst role or who may not read it;
	417 an application not submitted or not in Submitted/Analyzing, or no enabled scorecard. A bureau that
	cannot be reached gives Refer (never an exception)."""
	if not frappe.db.exists("Loan Application", name):
		frappe.throw(_("Loan Application {0} not found").format(name), frappe.DoesNotExistError)
	frappe.only_for(("Credit Analyst",))
	application = frappe.get_doc("Loan Application", name)
	application.check_permission("read")
	if application.docstatus != 1 or application.workflow_state not in ANALYST_STATES:
		frappe.throw(
			_(
				"The credit engine runs on submitted applications in analysis (Submitted or Analyzing); {0} is {1}"
			).format(name, _(application.workflow_state or "Draft")),
			title=_("Cannot run the credit engine"),
		)
	values = evaluate(application)  # the bureau outside the lock
	frappe.db.get_value("Loan Application", name, "name", for_update=True)
	record = _store(name, {**values, "run_by": frappe.session.user})
	application.add_comment(
		"Info",
		_("Credit engine run by {0}: score {1}, grade {2}, recommendation {3}. {4}").format(
			frappe.session.user, record.score, record.grade, _(record.decision), record.reason
		),
	)
	return {
		"application": name,
		"credit_score_result": record.name,
		"score": record.score,
		"grade": record.grade,
		"recommendation": record.decision,
		"reasons": list(values["_decision"].reasons),
		"bureau_status": record.bureau_status,
		"lines": [
			{"characteristic": r.characteristic, "value": r.value, "bin": r.bin, "points": r.points}
			for r in record.lines
		],
	}
