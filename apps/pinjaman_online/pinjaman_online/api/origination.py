"""Loan origination actions (seed 004 API §3). Creating and editing drafts is Frappe's REST:
``POST /api/resource/Loan Application``. Who may take each step is the workflow's data
(Workflow "Loan Application Approval"), not code here.
"""

import frappe
from frappe import _
from frappe.model.workflow import apply_workflow, get_transitions

from pinjaman_online.api import Score, endpoint

DECISIONS = {
	"approve": "Approve",
	"reject": "Reject",
	"approve_with_conditions": "Approve with Conditions",
	"conditions_met": "Conditions Met",
}


def _act(application: str, action: str):
	"""Apply a workflow action; 403 when the workflow offers it to none of the user's roles."""
	doc = frappe.get_doc("Loan Application", application)
	doc.check_permission("read")
	if action not in {t.action for t in get_transitions(doc)}:
		frappe.throw(
			_("You cannot {0} application {1} in state {2}").format(
				_(action).lower(), application, _(doc.workflow_state)
			),
			frappe.PermissionError,
			title=_("Not permitted"),
		)
	return apply_workflow(doc, action)


def _summary(doc) -> dict:
	return {
		"name": doc.name,
		"workflow_state": doc.workflow_state,
		"docstatus": doc.docstatus,
		"precheck_passed": doc.precheck_passed,
		"loan": doc.loan,
		"credit_analysis": doc.credit_analysis,
		"precheck_results": [
			{"check": r.check_code, "passed": bool(r.passed), "reason": r.reason}
			for r in doc.precheck_results
		],
		"committee_decisions": [
			{
				"level": r.level,
				"decision": r.decision,
				"decided_by": r.decided_by,
				"decided_on": str(r.decided_on),
			}
			for r in doc.committee_decisions
		],
	}


@frappe.whitelist(methods=["POST"])
@endpoint
def submit(application: str) -> dict:
	"""`POST /applications/{id}/submit`: documents must be verified; runs and stores the pre-check."""
	return _summary(_act(application, "Submit"))


@frappe.whitelist(methods=["POST"])
@endpoint
def analyze(
	application: str, risk_score: Score, recommendation: str, notes: str, conditions: str | None = None
) -> dict:
	"""`POST /applications/{id}/analyze`: record the credit analysis and send the application to committee.

	``risk_score`` 0–100 (higher is riskier); ``recommendation``: Approve / Approve with Conditions / Reject.
	"""
	doc = frappe.get_doc("Loan Application", application)
	if doc.workflow_state == "Submitted":
		doc = _act(application, "Start Analysis")
	analysis = frappe.get_doc(
		{
			"doctype": "Credit Analysis",
			"loan_application": application,
			"risk_score": risk_score,
			"recommendation": recommendation,
			"notes": notes,
			"conditions": conditions,
		}
	)
	analysis.insert()
	analysis.submit()
	doc = _act(application, "Send to Committee")
	return {
		**_summary(doc),
		"analysis": {"name": analysis.name, "dsr": analysis.dsr, "risk_grade": analysis.risk_grade},
	}


@frappe.whitelist(methods=["POST"])
@endpoint
def decide(application: str, decision: str, notes: str | None = None) -> dict:
	"""`POST /applications/{id}/decide`: a committee vote at the application's current level.

	``decision``: approve, reject, approve_with_conditions or conditions_met. Each vote is kept with user and
	time; 403 for a user whose roles the workflow does not allow at this level; 417 for a second vote by the
	same user, a self-approval, or a reject / approve_with_conditions without ``notes`` (the reason).
	"""
	action = DECISIONS.get((decision or "").strip().lower())
	if not action:
		frappe.throw(
			_("Decision must be one of: {0}").format(", ".join(DECISIONS)), title=_("Invalid decision")
		)
	frappe.flags.committee_notes = notes
	try:
		return _summary(_act(application, action))
	finally:
		frappe.flags.committee_notes = None


@frappe.whitelist(methods=["POST"])
@endpoint
def cancel(application: str) -> dict:
	"""`POST /applications/{id}/cancel`."""
	return _summary(_act(application, "Cancel"))
