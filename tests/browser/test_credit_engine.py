"""The credit analyst runs the credit engine from a staff Loan Application's form: the *Run Credit Engine*
button (Indonesian labels) shows the score, grade, recommendation and points per characteristic; the
application then shows them in its Credit Engine section and stays Submitted (a recommendation, no automatic
approval). Sales does not get the button. The application is prepared over REST (tests/http helpers) against a
fake credit bureau."""

import re
from urllib.parse import quote

import pytest
from conftest import http
from pinjaman_online.tests.fake_gateway import FakeGateway
from playwright.sync_api import Expect

expect = Expect()
expect.set_options(timeout=30_000)


@pytest.fixture(scope="module")
def bureau(admin):
	"""The fake credit bureau (a clean report, score 720), configured in Borrower Settings."""
	fake = FakeGateway()
	report = {"report_id": "r-desk", "score": 720, "max_dpd": 0, "flags": []}
	fake.route("POST", "/credit-reports", lambda req: (200, report))
	admin.call(
		"PUT",
		"/api/resource/Borrower Settings/Borrower Settings",
		json={"bureau_base_url": fake.url, "bureau_api_key": "bureau-test-key"},
	)
	yield fake
	fake.stop()


@pytest.fixture(scope="module")
def product(staff):
	return http.insert_product(staff["admin"], "Pinjaman Analis Desk")


def staff_application(staff, product) -> str:
	"""A submitted staff application (Rp 12 million, 12 months; declared income Rp 12 million, Civil Servant)
	of a new pensioner member whose documents are verified."""
	member = http.verified_member(staff, full_name="Bambang Sutrisno", pension_fund="Taspen")
	return http.application(
		staff,
		product,
		12_000_000,
		12,
		member=member["name"],
		monthly_income=12_000_000,
		occupation="Civil Servant",
	)


def tr(d, text: str) -> str:
	return d.page.evaluate("(s) => __(s)", text)


def engine_button(d):
	label = quote(tr(d, "Run Credit Engine"), safe="-_.!~*()")
	return d.page.locator(f'.page-container:visible button[data-label="{label}"]')


def test_analyst_runs_the_credit_engine_from_the_application(desk, desk_user, staff, bureau, product):
	name = staff_application(staff, product)

	email, password = desk_user("sales-engine", "Sales")
	s = desk(email, password)
	s.goto(f"/app/loan-application/{name}")
	expect(s.page.locator(".page-head .indicator-pill").first).to_be_visible()
	expect(engine_button(s)).to_have_count(0)

	email, password = desk_user("analyst-engine", "Credit Analyst")
	d = desk(email, password)
	d.goto(f"/app/loan-application/{name}")
	button = engine_button(d)
	expect(button).to_be_visible()
	d.shot("application-with-run-credit-engine")
	button.click()

	dialog = d.page.locator(".modal:visible .la-credit-result")
	expect(dialog).to_be_visible()
	expect(dialog).to_contain_text("745")
	expect(dialog).to_contain_text(tr(d, "Approve"))
	expect(dialog).to_contain_text("BUREAU_SCORE")
	d.shot("credit-engine-result")
	d.page.locator(".modal:visible .btn-modal-close").first.click()
	d.wait_idle()

	section = d.page.locator('.page-container:visible [data-fieldname="credit_grade"]')
	expect(section).to_contain_text("B")
	expect(d.page.locator('.page-container:visible [data-fieldname="credit_score"]')).to_contain_text("745")
	expect(d.page.locator(".page-head .indicator-pill").first).to_contain_text(
		re.compile(re.escape(tr(d, "Submitted")))
	)
	d.page.locator('.page-container:visible [data-fieldname="credit_score"]').scroll_into_view_if_needed()
	d.shot("application-shows-score-grade-recommendation")
	app = staff["analyst"].get("Loan Application", name)
	assert (app["workflow_state"], app["credit_decision"], app["credit_grade"]) == (
		"Submitted",
		"Approve",
		"B",
	)
