"""A committee Reject or Approve with Conditions is kept only with its reason, whichever door it comes through:
the app's decide endpoint, Frappe's workflow action (``frappe.model.workflow.apply_workflow``, what the desk's
Actions menu calls) and a REST update of ``workflow_state``. Without a reason: a 4xx with a message, and the
application stays where it was."""

import datetime as dt
import json
import uuid

import pytest
from conftest import analysed_application, verified_member

DECIDE = "pinjaman_online.api.origination.decide"
APPLY_WORKFLOW = "frappe.model.workflow.apply_workflow"


@pytest.fixture(scope="module")
def product(staff):
	return staff["admin"].insert(
		"Loan Product",
		{
			"product_name": f"Pensiun Alasan {uuid.uuid4().hex[:8]}",
			"product_type": "Pension Loan",
			"min_principal": 5_000_000,
			"max_principal": 300_000_000,
			"min_tenor_months": 6,
			"max_tenor_months": 180,
			"dsr_limit": 70,
			"max_age_at_maturity": 80,
			"annual_interest_rate": 18,
			"interest_method": "Flat",
			"rounding_unit": 100,
		},
	)["name"]


def at_committee(staff, product) -> str:
	"""A new member's application, submitted and analysed: in state Committee SPV."""
	member = verified_member(
		staff, full_name="Rahmat Alasan", birth=dt.date(1959, 3, 9), pension_fund="Taspen", benefit=6_500_000
	)
	return analysed_application(
		staff, product, 30_000_000, 24, member=member["name"], risk_score=40, notes="Cukup"
	)


def refused_without_reason(api, admin, app: str, decision: str, action: str, state: str):
	"""Every door refuses ``action`` without a reason (4xx with a message); the state stays ``state``."""
	for notes in (None, "   "):
		r = api.method(DECIDE, expect=417, application=app, decision=decision, notes=notes)
		assert "reason" in r.json()["_server_messages"].lower(), r.text
	doc = api.get("Loan Application", app)
	r = api.method(APPLY_WORKFLOW, expect=417, doc=json.dumps(doc), action=action)
	assert "reason" in r.json()["_server_messages"].lower(), r.text
	next_state = "Rejected" if action == "Reject" else "Conditional"
	r = api.update("Loan Application", app, {"workflow_state": next_state}, expect=None)
	assert 400 <= r.status_code < 500, (r.status_code, r.text[:500])
	after = admin.get("Loan Application", app)
	assert after["workflow_state"] == state, after["workflow_state"]
	return after


def test_reject_and_conditions_need_a_reason_through_every_door(staff, admin, product):
	app = at_committee(staff, product)
	refused_without_reason(staff["spv"], admin, app, "reject", "Reject", "Committee SPV")
	staff["spv"].method(DECIDE, application=app, decision="approve")

	refused_without_reason(
		staff["manager"],
		admin,
		app,
		"approve_with_conditions",
		"Approve with Conditions",
		"Committee Manager",
	)
	staff["manager"].method(
		DECIDE, application=app, decision="approve_with_conditions", notes="Asuransi jiwa wajib"
	)
	# the conditional approval's Reject (by the same level) needs one too
	refused_without_reason(staff["manager"], admin, app, "reject", "Reject", "Conditional")
	done = staff["manager"].method(DECIDE, application=app, decision="reject", notes="Polis tidak terbit")
	assert done["workflow_state"] == "Rejected"
	decisions = admin.get("Loan Application", app)["committee_decisions"]
	assert [(r["level"], r["decision"], r["notes"] or "") for r in decisions] == [
		("SPV", "Approve", ""),
		("Manager", "Approve with Conditions", "Asuransi jiwa wajib"),
		("Conditions", "Reject", "Polis tidak terbit"),
	]
