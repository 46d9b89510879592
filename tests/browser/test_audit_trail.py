"""The Audit Trail of a loan in the served desk (Tier 2, Chromium), as an Auditor in Indonesian: reached from the
Loan form (View → Audit Trail), it lists what moved the loan's money (its application, disbursement and payment
with their figures, the payment's allocation row by its contents, the loan's status change) with labels and
document states, never field names or docstatus numbers, and Rupiah without cents."""

import datetime as dt
import re

import pytest
from conftest import http

TODAY = dt.date.today()


@pytest.fixture(scope="module")
def paid_loan(staff):
	product = http.insert_product(staff["admin"], "Audit Desk")
	first_due = TODAY - dt.timedelta(days=10)
	loan = http.book_loan(
		staff, product, 12_000_000, 12, first_due, disbursement_date=first_due - dt.timedelta(days=30)
	)
	staff["finance"].method("pinjaman_online.api.servicing.pay", loan=loan, amount=500_000)
	return loan


def test_loan_audit_trail_from_the_loan_form(desk, desk_user, paid_loan):
	d = desk(*desk_user("auditor-trail", "Auditor"))
	page = d.page

	def tr(text: str) -> str:  # the desk's own translation
		return page.evaluate("(t) => __(t)", text)

	d.goto(f"/app/loan/{paid_loan}")
	page.locator(".inner-group-button", has_text=tr("View")).locator("button").first.click()
	page.locator(".inner-group-button .dropdown-item", has_text=tr("Audit Trail")).click()
	page.wait_for_url(re.compile(r"/app/query-report/Audit"))
	page.wait_for_timeout(8000)
	print(
		page.url,
		page.evaluate(
			"() => [frappe.query_report?.get_values(), frappe.query_report?.data?.length, cur_frm?.doctype]"
		),
	)
	d.shot("debug")
	page.wait_for_function(
		"(loan) => frappe.query_report?.get_filter_value('reference_name') === loan"
		" && frappe.query_report.data?.length > 0",
		arg=paid_loan,
		timeout=60_000,
	)
	d.wait_idle()
	rows = page.evaluate("() => frappe.query_report.data")
	kinds = {(r["ref_doctype"], r["field"]) for r in rows}
	created = tr("Created")
	for doctype in ("Loan Application", "Loan Disbursement", "Loan Payment"):
		assert (doctype, created) in kinds, (doctype, sorted(kinds))
	# the loan's own status change, by state names
	status = [r for r in rows if r["ref_doctype"] == "Loan" and r["field"] == tr("Status")]
	assert any(
		r["old_value"] == tr("Pending Disbursement") and r["new_value"] == tr("Active") for r in status
	), status
	# submission as document states, never docstatus numbers or field names
	submitted = [
		r for r in rows if r["field"] == tr("Document Status") and r["ref_doctype"] == "Loan Payment"
	]
	assert submitted and submitted[0]["new_value"] == tr("Submitted"), submitted
	assert not [r for r in rows if re.fullmatch(r"[a-z]+(_[a-z]+)+|docstatus", r["field"] or "")]
	# the payment's allocation by its contents, in Rupiah without cents
	allocation = [
		r for r in rows if r["ref_doctype"] == "Loan Payment" and r["new_value"] and "#" not in r["field"]
	]
	assert any(tr("Principal") in (r["new_value"] or "") for r in allocation), allocation
	text = page.locator(".report-wrapper").inner_text()
	assert not re.search(r"Rp\s?[\d.]+,00\b", text), text
	assert "500.000" in text
	d.shot("loan-audit-trail")
