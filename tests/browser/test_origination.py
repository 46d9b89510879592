"""The origination half of the pension-loan path in the desk, by clicks: the analyst verifies the member's
documents, sales types and submits the application (the simulation shows while typing), the analyst starts
the analysis and creates the Credit Analysis from the application, sends it to the committee, SPV and
Manager approve with a confirmation; a Reject asks for a reason and refuses an empty one.

Labels are looked up through the desk's own ``__()`` so the test reads the user's language (Indonesian).
"""

import datetime as dt
import re
import uuid
from urllib.parse import quote

import pytest
from conftest import http
from playwright.sync_api import expect


def tr(d, text: str, *args) -> str:
	"""``text`` as the desk shows it to this user (Frappe's ``__``, with ``{0}``… replaced by ``args``)."""
	return d.page.evaluate("([s, a]) => __(s, a)", [text, list(args)])


def visible(d, selector: str):
	return d.page.locator(f".page-container:visible {selector}")


def click_button(d, label: str, *args):
	"""Click a form button (custom or standard) whose label is ``label`` in the user's language."""
	button = visible(d, f'button[data-label="{quote(tr(d, label, *args), safe="-_.!~*()")}"]').first
	expect(button).to_be_visible()
	button.click()


def click_action(d, action: str):
	"""Open the form's Actions menu (the workflow's transitions) and click ``action``."""
	visible(d, ".actions-btn-group > button").click()
	item = visible(d, ".actions-btn-group .dropdown-menu .menu-item-label").filter(
		has_text=re.compile(rf"^\s*{re.escape(tr(d, action))}\s*$")
	)
	expect(item.first).to_be_visible()
	item.first.click()


def modal(d, fieldname: str | None = None):
	"""The open dialog (the one holding ``fieldname`` when given)."""
	dialogs = d.page.locator(".modal.show")
	if fieldname:
		dialogs = dialogs.filter(has=d.page.locator(f'[data-fieldname="{fieldname}"]'))
	return dialogs.last


def wait_state(d, state: str):
	d.page.wait_for_function(
		"s => window.cur_frm && cur_frm.doc.workflow_state === s && !cur_frm.is_dirty()", arg=state
	)
	d.wait_idle()


def fill_link(d, fieldname: str, value: str):
	"""Type into a Link field and pick ``value`` from its suggestions."""
	field = visible(d, f'.frappe-control[data-fieldname="{fieldname}"] input')
	field.click()
	field.fill(value)
	option = visible(d, f'.frappe-control[data-fieldname="{fieldname}"] [role="option"]').filter(
		has_text=value
	)
	expect(option.first).to_be_visible()
	option.first.click()
	d.page.wait_for_function("([f, v]) => window.cur_frm && cur_frm.doc[f] === v", arg=[fieldname, value])


def fill(d, fieldname: str, value: str):
	field = visible(d, f'.frappe-control[data-fieldname="{fieldname}"] input')
	field.fill(value)
	field.press("Tab")


def save(d):
	d.page.keyboard.press("Control+s")
	d.page.wait_for_function("() => window.cur_frm && !cur_frm.is_new() && !cur_frm.is_dirty()")
	d.wait_idle()


@pytest.fixture(scope="module")
def product(staff):
	return staff["admin"].insert(
		"Loan Product",
		{
			"product_name": f"Pensiun Desk {uuid.uuid4().hex[:8]}",
			"product_type": "Pension Loan",
			"min_principal": 5000000,
			"max_principal": 300000000,
			"min_tenor_months": 6,
			"max_tenor_months": 180,
			"dsr_limit": 70,
			"max_age_at_maturity": 80,
			"annual_interest_rate": 18,
			"interest_method": "Annuity",
			"rounding_unit": 100,
			"fees": [{"fee_type": "Admin", "basis": "Amount", "amount": 250000}],
		},
	)["name"]


def new_member(staff, name: str) -> dict:
	"""A pensioner member with KTP, KK and SK Pensiun uploaded by sales (not yet verified)."""
	birth = dt.date(1960, 5, 17)
	member = staff["sales"].insert(
		"Member",
		{
			"full_name": name,
			"nik": http.nik_for(birth, http.unique_serial()),
			"gender": "Male",
			"birth_date": str(birth),
			"pension_fund": "Taspen",
			"pension_number": f"TSP{uuid.uuid4().hex[:10]}",
			"monthly_pension_benefit": 7_000_000,
			"bank_accounts": [{"bank_name": "BRI", "account_number": "123456", "account_holder": name}],
		},
	)
	docs = [
		{"document_type": t, "file": http.upload(staff["sales"], member["name"], f"{t}.pdf")}
		for t in ("KTP", "KK", "SK Pensiun")
	]
	return staff["sales"].update("Member", member["name"], {"documents": docs})


def test_origination_by_clicks(desk, desk_user, staff, admin, product):
	member = new_member(staff, f"Bambang Desk {uuid.uuid4().hex[:4]}")
	analyst_login = desk_user("analyst", "Credit Analyst")
	sales_login = desk_user("sales", "Sales")
	# the SPV may also sit at Manager level: after one vote the next level must be offered to someone else
	spv_login = desk_user("spv", "Committee SPV", "Committee Manager")
	manager_login = desk_user("manager", "Committee Manager")

	# a member is found from a link field by NIK, pension number or name
	for text in (member["nik"], member["pension_number"], member["full_name"]):
		found = admin.method("frappe.desk.search.search_link", verb="GET", doctype="Member", txt=text)
		assert member["name"] in [r["value"] for r in found], (text, found)

	# the analyst verifies each document in the member's form
	analyst = desk(*analyst_login)
	analyst.goto(f"/app/member/{member['name']}")
	analyst.shot("analyst-member-documents-unverified")
	for i in range(len(member["documents"])):
		click_button(analyst, "Verify / Reject Document")
		dialog = modal(analyst, "notes")
		expect(dialog.locator('[data-fieldname="document"] select')).to_be_visible()
		dialog.locator('[data-fieldname="notes"] textarea').fill(f"Asli dicocokkan ({i + 1})")
		if i == 0:
			analyst.shot("analyst-verify-dialog")
		dialog.locator(".btn-modal-primary").click()
		analyst.page.wait_for_function(
			"n => window.cur_frm && cur_frm.doc.documents.filter(r => r.verified).length === n", arg=i + 1
		)
		analyst.wait_idle()
	expect(visible(analyst, ".member-document-status .indicator-pill.green")).to_have_count(3)
	analyst.page.wait_for_function("() => cur_frm.doc.documents_verified === 1")
	analyst.shot("analyst-documents-verified")

	# sales types the application: the simulation shows before saving, the first due date is defaulted
	sales = desk(*sales_login)
	sales.goto("/app/loan-application/new")
	fill_link(sales, "member", member["name"])
	fill_link(sales, "loan_product", product)
	fill(sales, "principal", "50000000")
	fill(sales, "tenor_months", "36")
	expect(visible(sales, ".la-simulation")).to_be_visible()
	assert sales.page.evaluate("() => cur_frm.doc.first_due_date"), "first due date not defaulted"
	sales.shot("sales-application-live-simulation")
	save(sales)
	application = sales.page.evaluate("() => cur_frm.doc.name")
	wait_state(sales, "Draft")
	click_action(sales, "Submit")
	wait_state(sales, "Submitted")
	sales.shot("sales-application-submitted")

	# the analyst starts the analysis and creates the Credit Analysis from the application
	analyst.goto(f"/app/loan-application/{application}")
	click_action(analyst, "Start Analysis")
	wait_state(analyst, "Analyzing")
	analyst.shot("analyst-analyzing-create-button")
	click_button(analyst, "Create Credit Analysis")
	analyst.page.wait_for_function(
		"a => window.cur_frm && cur_frm.doctype === 'Credit Analysis' && cur_frm.doc.loan_application === a",
		arg=application,
	)
	expect(visible(analyst, ".ca-application")).to_be_visible()
	fill(analyst, "risk_score", "30")
	visible(analyst, '.frappe-control[data-fieldname="recommendation"] select').select_option("Approve")
	analyst.page.wait_for_function("() => !!cur_frm.fields_dict.notes.quill")
	analyst.wait_idle()
	editor = visible(analyst, '.frappe-control[data-fieldname="notes"] .ql-editor[contenteditable="true"]')
	editor.click()
	expect(editor).to_be_focused()
	analyst.page.keyboard.type("Pensiun cukup, DSR di bawah batas.")
	expect(editor).to_contain_text("DSR")
	analyst.page.wait_for_function("() => (cur_frm.doc.notes || '').includes('DSR')")
	analyst.shot("analyst-credit-analysis-prefilled")
	save(analyst)
	analysis = analyst.page.evaluate("() => cur_frm.doc.name")
	assert re.match(r"CA-\d{4}-\d{5}$", analysis), analysis
	visible(analyst, ".primary-action").click()
	modal(analyst).locator(".btn-primary").click()
	analyst.page.wait_for_function("() => cur_frm.doc.docstatus === 1")
	analyst.wait_idle()
	analyst.shot("analyst-credit-analysis-submitted")
	click_button(analyst, "Loan Application {0}", application)
	analyst.page.wait_for_function(
		"a => window.cur_frm && cur_frm.doctype === 'Loan Application' && cur_frm.doc.credit_analysis === a",
		arg=analysis,
	)
	analyst.wait_idle()
	click_action(analyst, "Send to Committee")
	wait_state(analyst, "Committee SPV")
	analyst.shot("analyst-sent-to-committee")

	# SPV approves after a confirmation; a second vote by the same person is not offered
	spv = desk(*spv_login)
	spv.goto(f"/app/loan-application/{application}")
	click_action(spv, "Approve")
	confirm = modal(spv)
	expect(confirm).to_contain_text(application)
	spv.shot("spv-approve-confirmation")
	confirm.locator(".btn-primary").click()
	wait_state(spv, "Committee Manager")
	spv.goto(f"/app/loan-application/{application}")
	expect(visible(spv, ".form-message")).to_be_visible()
	labels = visible(spv, ".actions-btn-group .dropdown-menu .menu-item-label").all_inner_texts()
	assert tr(spv, "Approve") not in [s.strip() for s in labels], labels
	spv.shot("spv-no-second-vote")

	# the Manager approves: the application is approved and its loan booked
	manager = desk(*manager_login)
	manager.goto(f"/app/loan-application/{application}")
	click_action(manager, "Approve")
	modal(manager).locator(".btn-primary").click()
	wait_state(manager, "Approved")
	manager.page.wait_for_function("() => !!cur_frm.doc.loan")
	manager.shot("manager-approved-loan-booked")

	app = admin.get("Loan Application", application)
	assert [(r["level"], r["decision"]) for r in app["committee_decisions"]] == [
		("SPV", "Approve"),
		("Manager", "Approve"),
	]
	assert app["credit_analysis"] == analysis


def test_reject_needs_a_reason(desk, desk_user, staff, admin, product):
	member = new_member(staff, f"Siti Tolak {uuid.uuid4().hex[:4]}")
	# rejecting a document needs a reason and the verifier's permission; it keeps who and when
	reject = "pinjaman_online.api.members.reject_document"
	first = member["documents"][0]["name"]
	staff["analyst"].method(reject, expect=417, member=member["name"], document=first, notes=" ")
	staff["sales"].method(reject, expect=403, member=member["name"], document=first, notes="buram")
	rejected = staff["analyst"].method(reject, member=member["name"], document=first, notes="Foto KTP buram")
	assert rejected["verified"] == 0 and rejected["rejected_by"] == staff["analyst"].user, rejected
	for row in member["documents"]:
		staff["analyst"].method(
			"pinjaman_online.api.members.verify_document", member=member["name"], document=row["name"]
		)
	app = staff["sales"].insert(
		"Loan Application",
		{"member": member["name"], "loan_product": product, "principal": 40000000, "tenor_months": 24},
	)
	staff["sales"].method("pinjaman_online.api.origination.submit", application=app["name"])
	staff["analyst"].method(
		"pinjaman_online.api.origination.analyze",
		application=app["name"],
		risk_score=80,
		recommendation="Reject",
		notes="Risiko tinggi",
	)
	spv = desk(*desk_user("spv-reject", "Committee SPV"))
	spv.goto(f"/app/loan-application/{app['name']}")
	click_action(spv, "Reject")
	dialog = modal(spv, "reason")
	expect(dialog.locator('[data-fieldname="reason"] textarea')).to_be_visible()
	dialog.locator(".btn-modal-primary").click()
	# an empty reason is refused: the dialog stays (Frappe names the missing field), nothing is voted
	expect(dialog.locator('[data-fieldname="reason"] textarea')).to_be_visible()
	message = spv.page.locator(".modal.show").filter(has=spv.page.locator(".msgprint"))
	expect(message).to_be_visible()
	spv.shot("reject-empty-reason-refused")
	assert admin.get("Loan Application", app["name"])["workflow_state"] == "Committee SPV"
	message.locator(".btn-modal-close").click()
	expect(message).to_have_count(0)
	dialog.locator('[data-fieldname="reason"] textarea').fill("Slip pensiun tidak sesuai dengan SK.")
	spv.shot("reject-reason-typed")
	dialog.locator(".btn-modal-primary").click()
	wait_state(spv, "Rejected")
	spv.shot("rejected-with-reason")
	decisions = admin.get("Loan Application", app["name"])["committee_decisions"]
	assert [(r["decision"], r["notes"]) for r in decisions] == [
		("Reject", "Slip pensiun tidak sesuai dengan SK.")
	]
