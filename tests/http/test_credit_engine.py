"""The credit engine for staff applications over HTTP (``api.credit_engine.run``), against a fake credit bureau.

A staff application (a pensioner, Civil Servant, Rp 12 million declared income) is submitted and its
pre-check passed; the credit analyst runs the engine: the default scorecard and the bureau's good report give
an Approve *recommendation* with its score, grade and reasons, stored on the application and in its Credit
Score Result, while the application stays where the workflow left it (no automatic approval). A rerun after
the bureau reports a BLACKLIST flag updates the same result (versioned) to Reject, grade E. Sales, a
borrower's token, a draft and an unknown application are refused (403, 403, 417, 404).
"""

import json

import pytest
from conftest import application, insert_product, verified_member
from pinjaman_online.tests.fake_gateway import FakeGateway

RUN = "pinjaman_online.api.credit_engine.run"
SETTINGS = "/api/resource/Borrower Settings/Borrower Settings"


class Bureau:
	"""The fake credit bureau: ``POST /credit-reports`` answers ``report`` (changeable)."""

	def __init__(self):
		self.report = {"report_id": "r-1", "score": 720, "max_dpd": 0, "flags": []}
		self.fake = FakeGateway()
		self.fake.route("POST", "/credit-reports", lambda req: (200, self.report))


@pytest.fixture(scope="module")
def bureau(admin):
	b = Bureau()
	admin.call("PUT", SETTINGS, json={"bureau_base_url": b.fake.url, "bureau_api_key": "bureau-test-key"})
	yield b
	b.fake.stop()


@pytest.fixture(scope="module")
def product(staff):
	return insert_product(staff["admin"], "Pinjaman Analis")


def staff_application(staff, product, submit: bool = True) -> str:
	"""A staff-channel application of Rp 12,000,000 over 12 months for a new pensioner member whose documents
	are verified; submitted (pre-check run) unless ``submit`` is False."""
	member = verified_member(staff, full_name="Bambang Sutrisno", pension_fund="Taspen")
	return application(
		staff,
		product,
		12_000_000,
		12,
		member=member["name"],
		submit=submit,
		monthly_income=12_000_000,
		occupation="Civil Servant",
	)


def test_the_analyst_gets_a_recommendation_and_the_workflow_does_not_move(admin, staff, bureau, product):
	name = staff_application(staff, product)
	analyst = staff["analyst"]
	before = analyst.get("Loan Application", name)
	assert before["workflow_state"] == "Submitted" and before["precheck_passed"] == 1

	out = analyst.method(RUN, application=name)
	assert out["application"] == name and out["credit_score_result"] == name
	assert (out["recommendation"], out["bureau_status"]) == ("Approve", "Available")
	# 300 base + age 68 (10) + income 12M (90) + Civil Servant (70) + installment/income < 20% (100)
	# + 6% of the product maximum (40) + 12 months (15) + bureau 720 (120) + no closed loan (0)
	assert out["score"] == 745 and out["grade"] == "B"
	assert out["reasons"] == ["Credit score 745 reaches the approve cut-off of 600."]
	assert {line["characteristic"]: line["points"] for line in out["lines"]}["BUREAU_SCORE"] == 120
	sent = bureau.fake.received("POST", "/credit-reports")[-1]
	assert sent.headers["Authorization"] == "Bearer bureau-test-key"

	after = analyst.get("Loan Application", name)
	assert (after["workflow_state"], after["docstatus"], after.get("loan")) == ("Submitted", 1, None)
	assert (after["credit_score"], after["credit_grade"], after["credit_decision"]) == (745, "B", "Approve")
	assert after["credit_reasons"] == out["reasons"][0]
	result = analyst.get("Credit Score Result", name)
	assert (result["score"], result["grade"], result["decision"]) == (745, "B", "Approve")
	assert result["run_by"] == analyst.user

	# the analyst starts the analysis and runs it again: the bureau now reports a blacklisting
	analyst.method("frappe.model.workflow.apply_workflow", doc=json.dumps(after), action="Start Analysis")
	bureau.report = {"report_id": "r-2", "score": 720, "max_dpd": 0, "flags": ["BLACKLIST"]}
	try:
		again = analyst.method(RUN, application=name)
	finally:
		bureau.report = {"report_id": "r-1", "score": 720, "max_dpd": 0, "flags": []}
	assert (again["recommendation"], again["grade"], again["credit_score_result"]) == ("Reject", "E", name)
	assert "BLACKLIST" in " ".join(again["reasons"])
	after = analyst.get("Loan Application", name)
	assert (after["workflow_state"], after["credit_decision"], after["credit_grade"]) == (
		"Analyzing",
		"Reject",
		"E",
	)
	versions = admin.list(
		"Version",
		filters=json.dumps([["ref_doctype", "=", "Credit Score Result"], ["docname", "=", name]]),
	)
	assert len(versions) >= 1


def test_only_the_analyst_runs_it_on_an_application_in_analysis(staff, bureau, product):
	draft = staff_application(staff, product, submit=False)
	staff["analyst"].method(RUN, expect=417, application=draft)
	submitted = staff_application(staff, product)
	staff["sales"].method(RUN, expect=403, application=submitted)
	staff["finance"].method(RUN, expect=403, application=submitted)
	staff["analyst"].method(RUN, expect=404, application="LA-NOPE-00000")
	staff["analyst"].method(RUN, expect=417)  # application missing
