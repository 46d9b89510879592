"""The Loan form in the desk, as a Finance clerk: the schedule, the outstanding summary and the payment history
are shown; Record Payment shows what is due and posts a payment that the schedule then shows paid; a loan
pending disbursement is disbursed from its own form. Loans are booked over REST first (tests/http helpers)."""

import datetime as dt
import re
import uuid

import pytest
from conftest import http
from playwright.sync_api import expect

TODAY = dt.date.today()
AMOUNT = re.compile(r"1[.,]180[.,]000")  # installment of 12,000,000 over 12 months at 18% flat


@pytest.fixture(scope="module")
def product(staff):
	return staff["admin"].insert(
		"Loan Product",
		{
			"product_name": f"Desk Loan {uuid.uuid4().hex[:6]}",
			"min_principal": 1_000_000,
			"max_principal": 200_000_000,
			"min_tenor_months": 6,
			"max_tenor_months": 120,
			"dsr_limit": 70,
			"max_age_at_maturity": 80,
			"annual_interest_rate": 18,
			"interest_method": "Flat",
			"rounding_unit": 100,
			"early_settlement_penalty": 2,
			"fees": [
				{"fee_type": "Admin", "basis": "Amount", "amount": 150_000, "deduct_from_disbursement": 1}
			],
		},
	)["name"]


class _NoDisbursement:
	"""Stands in for Finance in ``book_loan`` so the approved loan stays Pending Disbursement."""

	def method(self, name, **kwargs):
		assert name.endswith(".disburse")


def label(d, text: str) -> str:
	"""The desk's own translation of a label, as the user's language shows it."""
	return d.page.evaluate("(t) => __(t)", text)


def open_loan(d, loan: str):
	d.goto(f"/app/loan/{loan}")
	expect(d.page.locator(".loan-overview .loan-summary")).to_be_visible()


def test_record_payment_from_the_loan(desk, desk_user, staff, product):
	first_due = TODAY - dt.timedelta(days=10)
	loan = http.book_loan(
		staff, product, 12_000_000, 12, first_due, disbursement_date=first_due - dt.timedelta(days=30)
	)
	email, password = desk_user("finance-loan", "Finance")
	d = desk(email, password)
	page = d.page

	open_loan(d, loan)
	rows = page.locator(".loan-overview table.loan-schedule tbody tr")
	expect(rows).to_have_count(12)
	first = rows.nth(0)
	expect(first).to_contain_text(re.compile(r"1[.,]000[.,]000"))
	expect(first).to_contain_text(re.compile(r"180[.,]000"))
	expect(first).to_contain_text(AMOUNT)
	expect(first).to_have_attribute("data-status", "Unpaid")
	expect(page.locator(".loan-summary [data-figure=due-now]")).to_contain_text(AMOUNT)
	expect(page.locator(".loan-summary [data-figure=overdue]")).to_contain_text(AMOUNT)
	indicator = page.locator(".page-head .indicator-pill").first
	expect(indicator).to_contain_text(label(d, "Active"))
	expect(indicator).to_contain_text("10")
	expect(page.locator(".loan-overview")).to_contain_text(label(d, "No payments yet."))
	d.shot("loan-schedule-and-summary")

	page.get_by_role("button", name=label(d, "Record Payment"), exact=True).click()
	dialog = page.locator(".modal.show").filter(has=page.locator(".loan-due"))
	expect(dialog.locator("[data-figure=due-now]")).to_contain_text(AMOUNT)
	expect(dialog.locator("[data-figure=next-installment]")).to_contain_text(AMOUNT)
	expect(dialog.locator("[data-figure=payoff]")).to_contain_text("Rp")
	d.fill_dialog_field(dialog, "amount", "1180000")
	reference = f"TRF-DESK-{uuid.uuid4().hex[:6]}"  # a reference is posted once per site (reused sites too)
	d.fill_dialog_field(dialog, "reference_no", reference)
	d.shot("record-payment-dialog")
	dialog.locator(".btn-primary").click()

	link = page.locator(".modal.show a.loan-action-link[href*='/app/loan-payment/']")
	expect(link).to_be_visible()
	payment = link.inner_text().strip()
	assert payment.startswith("PAY-"), payment
	d.wait_idle()
	d.shot("payment-posted-message")

	posted = staff["admin"].get("Loan Payment", payment)
	assert posted["docstatus"] == 1 and posted["loan"] == loan and int(float(posted["amount"])) == 1_180_000

	close_message(page)
	expect(rows.nth(0)).to_have_attribute("data-status", "Paid")
	expect(rows.nth(1)).to_have_attribute("data-status", "Unpaid")
	history = page.locator(".loan-overview table.loan-payments tbody tr")
	expect(history).to_have_count(1)
	expect(history.nth(0)).to_contain_text(payment)
	expect(history.nth(0)).to_contain_text(reference)
	d.wait_idle()
	d.shot("schedule-shows-installment-paid")


def test_disburse_from_the_loan(desk, desk_user, staff, product):
	booking = {**staff, "finance": _NoDisbursement()}
	first_due = (TODAY.replace(day=1) + dt.timedelta(days=32)).replace(day=1)
	loan = http.book_loan(booking, product, 12_000_000, 12, first_due)
	assert staff["finance"].get("Loan", loan)["status"] == "Pending Disbursement"
	email, password = desk_user("finance-disb", "Finance")
	d = desk(email, password)
	page = d.page

	open_loan(d, loan)
	expect(page.locator(".page-head .indicator-pill").first).to_contain_text(label(d, "Pending Disbursement"))
	expect(page.get_by_role("button", name=label(d, "Record Payment"), exact=True)).to_have_count(0)
	d.shot("loan-pending-disbursement")

	page.get_by_role("button", name=label(d, "Disburse"), exact=True).click()
	dialog = page.locator(".modal.show").filter(has=page.locator("input[data-fieldname=disbursement_date]"))
	expect(dialog).to_contain_text(re.compile(r"11[.,]850[.,]000"))  # 12,000,000 less the 150,000 admin fee
	d.fill_dialog_field(dialog, "reference_no", "TRF-DISB-1")
	d.shot("disburse-dialog")
	dialog.locator(".btn-primary").click()

	link = page.locator(".modal.show a.loan-action-link[href*='/app/loan-disbursement/']")
	expect(link).to_be_visible()
	disbursement = link.inner_text().strip()
	assert disbursement.startswith("DISB-"), disbursement
	d.wait_idle()
	d.shot("disbursement-posted-message")

	assert staff["finance"].get("Loan", loan)["status"] == "Active"
	close_message(page)
	expect(page.locator(".page-head .indicator-pill").first).to_contain_text(label(d, "Active"))
	expect(page.locator(".loan-overview table.loan-schedule tbody tr")).to_have_count(12)
	expect(page.get_by_role("button", name=label(d, "Record Payment"), exact=True)).to_be_visible()
	# the timeline: the status change in the user's language, its reason and a link to the disbursement
	change = page.locator(
		".timeline-item", has=page.locator(f"a[href*='/app/loan-disbursement/{disbursement}']")
	)
	expect(change).to_contain_text(label(d, "Active"))
	reason = page.evaluate("() => __('disbursement', null, 'Loan status change')")
	expect(change).to_contain_text(f"({reason}, {disbursement})")
	assert reason != "disbursement" or page.evaluate("() => frappe.boot.lang") == "en"
	d.wait_idle()
	d.shot("loan-active-after-disbursement")
	# percentages in the number format of the amounts beside them
	percent = "(v) => $('<div>' + frappe.format(v, {fieldtype: 'Percent'}) + '</div>').text()"
	decimal = page.evaluate("() => get_number_format_info(get_number_format()).decimal_str")
	assert page.evaluate(percent, 54.77) == f"54{decimal}77%"
	assert page.evaluate(percent, 18) == "18%"
	# a loan's status Default reads as the badge and the Status dropdown say it, not as "a default value"
	status = (
		"() => $('<div>' + frappe.format('Default', {fieldtype: 'Select', parent: 'Loan'}) + '</div>').text()"
	)
	assert page.evaluate(status) == page.evaluate("() => __('Default', null, 'Loan Status')")


def close_message(page):
	"""Close the message on top and wait until no dialog is shown."""
	page.locator(".modal.show .btn-modal-close").last.click()
	expect(page.locator(".modal.show")).to_have_count(0)
	message_hidden(page)


def message_hidden(page):
	"""Wait until Frappe's message dialog has finished hiding: a message shown while it fades out is emptied
	when the fade ends (a person cannot click that fast, a test can)."""
	page.wait_for_function("() => !frappe.msg_dialog || !frappe.msg_dialog.$wrapper.is(':visible')")


def confirm_top(page):
	"""Answer Yes on the confirmation shown over a dialog."""
	expect(page.locator(".modal.show")).to_have_count(2)
	page.locator(".modal.show .modal-footer .btn-primary").last.click()


def test_servicing_actions_from_the_loan(desk, desk_user, staff, product):
	"""Refused overpayment (translated message), manual penalty, reversal of the newest payment, early settlement
	with its quote; the settled loan reads as closed."""
	first_due = TODAY - dt.timedelta(days=10)
	loan = http.book_loan(
		staff, product, 12_000_000, 12, first_due, disbursement_date=first_due - dt.timedelta(days=30)
	)
	email, password = desk_user("finance-actions", "Finance")
	d = desk(email, password)
	page = d.page
	open_loan(d, loan)
	# Finance does not propose restructures (Credit Analyst, Koperasi Admin)
	expect(page.locator(".loan-overview table.loan-schedule tbody tr")).to_have_count(12)
	actions = page.locator(".inner-group-button button", has_text=label(d, "Actions"))
	actions.click()
	menu = page.locator(".inner-group-button .dropdown-menu.show")
	expect(menu).to_contain_text(label(d, "Manual Penalty"))
	expect(menu).to_contain_text(label(d, "Early Settlement"))
	expect(menu).not_to_contain_text(label(d, "Propose Restructure"))
	expect(menu).not_to_contain_text(label(d, "Reverse Newest Payment"))
	actions.click()
	expect(menu).to_have_count(0)

	# an overpayment is refused with the server's message in the user's language
	page.get_by_role("button", name=label(d, "Record Payment"), exact=True).click()
	dialog = page.locator(".modal.show").filter(has=page.locator(".loan-due"))
	d.fill_dialog_field(dialog, "amount", "99000000")
	dialog.locator(".btn-primary").click()
	refusal = page.locator(".modal.show .msgprint")
	expect(refusal).to_contain_text(
		label(
			d,
			"Payment exceeds everything owed on loan {0} by {1}; use early settlement or refund the excess",
		)[:25]
	)
	d.wait_idle()
	d.shot("overpayment-refused")
	page.locator(".modal.show .btn-modal-close").last.click()
	expect(refusal).to_have_count(0)
	message_hidden(page)

	# then a partial payment that is reversed
	d.fill_dialog_field(dialog, "amount", "500000")
	dialog.locator(".btn-primary").click()
	link = page.locator(".modal.show a.loan-action-link[href*='/app/loan-payment/']")
	expect(link).to_be_visible()
	payment = link.inner_text().strip()
	close_message(page)
	history = page.locator(".loan-overview table.loan-payments tbody tr")
	expect(history).to_have_count(1)
	expect(page.locator(".loan-overview table.loan-schedule tbody tr").nth(0)).to_have_attribute(
		"data-status", "Partially Paid"
	)

	page.locator(".inner-group-button button", has_text=label(d, "Actions")).click()
	page.locator(
		".inner-group-button .dropdown-menu.show a", has_text=label(d, "Reverse Newest Payment")
	).click()
	dialog = page.locator(".modal.show").filter(has=page.locator("textarea[data-fieldname=reason]"))
	expect(dialog).to_contain_text(payment)
	d.fill_dialog_field(dialog, "reason", "Transfer salah akun", tag="textarea")
	d.shot("reverse-payment-dialog")
	dialog.locator(".btn-primary").click()
	confirm_top(page)
	reversal = page.locator(".modal.show a.loan-action-link[href*='/app/payment-reversal/']")
	expect(reversal).to_be_visible()
	assert reversal.inner_text().strip().startswith("REV-")
	d.wait_idle()
	d.shot("payment-reversed-message")
	close_message(page)
	expect(history.nth(0).locator(".indicator-pill")).to_contain_text(label(d, "Reversed"))
	expect(page.locator(".loan-overview table.loan-schedule tbody tr").nth(0)).to_have_attribute(
		"data-status", "Unpaid"
	)

	# a manual penalty on the oldest unpaid installment
	page.locator(".inner-group-button button", has_text=label(d, "Actions")).click()
	page.locator(".inner-group-button .dropdown-menu.show a", has_text=label(d, "Manual Penalty")).click()
	dialog = page.locator(".modal.show").filter(has=page.locator("textarea[data-fieldname=reason]"))
	d.fill_dialog_field(dialog, "amount", "25000")
	d.fill_dialog_field(dialog, "reason", "Keterlambatan konfirmasi", tag="textarea")
	dialog.locator(".btn-primary").click()
	made = page.locator(".modal.show a.loan-action-link[href*='/app/loan-penalty/']")
	expect(made).to_be_visible()
	assert made.inner_text().strip().startswith("PEN-")
	close_message(page)
	expect(page.locator(".loan-overview table.loan-schedule tbody tr").nth(0)).to_contain_text(
		re.compile(r"25[.,]000")
	)
	d.wait_idle()
	d.shot("penalty-on-schedule")

	# early settlement with its quote closes the loan
	page.locator(".inner-group-button button", has_text=label(d, "Actions")).click()
	page.locator(".inner-group-button .dropdown-menu.show a", has_text=label(d, "Early Settlement")).click()
	dialog = page.locator(".modal.show").filter(has=page.locator(".payoff-quote"))
	quote = staff["finance"].method("pinjaman_online.api.servicing.payoff", verb="GET", loan=loan)
	total = f"{int(float(quote['total'])):,}".replace(",", ".")
	expect(dialog.locator("[data-figure=total]")).to_contain_text(total)
	d.shot("early-settlement-quote")
	dialog.locator(".modal-footer .btn-primary").click()
	confirm_top(page)
	settled = page.locator(".modal.show a.loan-action-link[href*='/app/loan-settlement/']")
	expect(settled).to_be_visible()
	assert settled.inner_text().strip().startswith("STL-")
	close_message(page)
	expect(page.locator(".page-head .indicator-pill").first).to_contain_text(label(d, "Closed"))
	assert staff["finance"].get("Loan", loan)["status"] == "Closed"
	expect(page.get_by_role("button", name=label(d, "Record Payment"), exact=True)).to_have_count(0)
	expect(page.locator(".inner-group-button button", has_text=label(d, "Actions"))).to_have_count(0)
	expect(page.locator(".page-head .primary-action:visible")).to_have_count(0)
	d.wait_idle()
	d.shot("loan-closed-read-only")


def test_analyst_proposes_a_restructure_from_the_loan(desk, desk_user, staff, product):
	"""A Credit Analyst is offered only what the role may do (propose a restructure, no payment or penalty)."""
	first_due = (TODAY.replace(day=1) + dt.timedelta(days=32)).replace(day=1)
	loan = http.book_loan(staff, product, 12_000_000, 12, first_due)
	email, password = desk_user("analyst-loan", "Credit Analyst")
	d = desk(email, password)
	page = d.page
	open_loan(d, loan)
	expect(page.locator(".loan-overview table.loan-schedule tbody tr")).to_have_count(12)
	expect(page.get_by_role("button", name=label(d, "Record Payment"), exact=True)).to_have_count(0)
	expect(page.get_by_role("button", name=label(d, "Disburse"), exact=True)).to_have_count(0)
	page.locator(".inner-group-button button", has_text=label(d, "Actions")).click()
	menu = page.locator(".inner-group-button .dropdown-menu.show")
	expect(menu).not_to_contain_text(label(d, "Manual Penalty"))
	expect(menu).not_to_contain_text(label(d, "Early Settlement"))
	menu.locator("a", has_text=label(d, "Propose Restructure")).click()

	dialog = page.locator(".modal.show").filter(has=page.locator("select[data-fieldname=restructure_type]"))
	dialog.locator("select[data-fieldname=restructure_type]").select_option("Payment Deferral")
	deferral = dialog.locator("input[data-fieldname=deferral_months]")
	expect(deferral).to_be_visible()
	d.fill_dialog_field(dialog, "deferral_months", "2")
	reason = dialog.locator("textarea[data-fieldname=reason]")
	d.fill_dialog_field(dialog, "reason", "Pembayaran pensiun tertunda", tag="textarea")
	expect(deferral).to_have_value("2")
	expect(reason).to_have_value("Pembayaran pensiun tertunda")
	d.shot("restructure-dialog")
	dialog.locator(".modal-footer .btn-primary").click()
	made = page.locator(".modal.show a.loan-action-link[href*='/app/loan-restructure/']")
	expect(made).to_be_visible()
	name = made.inner_text().strip()
	assert name.startswith("RST-"), name
	d.wait_idle()
	d.shot("restructure-proposed-message")
	assert staff["admin"].get("Loan Restructure", name)["workflow_state"] == "Pending Approval"
