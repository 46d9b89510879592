"""The pension-loan path in the desk, by clicks only, each step by the role that owns it: sales registers a
new member with their bank account and documents, the analyst verifies the documents, sales types and submits
the application (the simulation shows while typing, the first due date comes from the product's cut-off day,
the pre-check reasons read in Indonesian), the analyst starts the analysis, creates the Credit Analysis from
the application and sends it to the committee, SPV and Manager approve with a confirmation, Finance disburses
the loan, records the first installment and prints the receipt (Kwitansi). A Reject asks for a reason,
refuses an empty one, and the reason reads on the application afterwards.

Labels are looked up through the desk's own ``__()`` so the test reads the user's language (Indonesian).
Screenshots of the click path are numbered in one sequence across the users' tabs.
"""

import datetime as dt
import re
import uuid
from urllib.parse import quote

import pytest
from conftest import http
from pinjaman_online.lending.dates import first_due_date
from playwright.sync_api import Expect
from playwright.sync_api import TimeoutError as PlaywrightTimeout

CUTOFF_DAY, DUE_DAY = 20, 1
SERVER = 30_000  # ms: a wait on the server's answer (a posting, a reload) on a busy machine

# this module's assertions wait for what the server answers (postings, reloads): up to SERVER, not 5 s
expect = Expect()
expect.set_options(timeout=SERVER)


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
	"""The open dialog (the one holding ``fieldname`` when given), once it has finished appearing: Bootstrap
	ignores a hide() during the fade-in, so a button clicked earlier (faster than a person can) would act
	and leave its dialog open."""
	d.page.wait_for_function(
		"""() => { const m = $('.modal.show').last().data('bs.modal'); return !!m && !m._isTransitioning; }"""
	)
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
			"cutoff_day": CUTOFF_DAY,
			"due_day": DUE_DAY,
			"fees": [{"fee_type": "Admin", "basis": "Amount", "amount": 250000}],
		},
	)["name"]


def new_member(staff, name: str) -> dict:
	"""A pensioner member with KTP, KK and SK Pensiun uploaded by sales (not yet verified), over REST."""
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


class Steps:
	"""One numbering of the screenshots across the tabs of a test (each tab counts its own otherwise)."""

	def __init__(self):
		self.count = 0
		self.files: list[str] = []

	def shot(self, d, step: str):
		d.steps = self.count
		path = d.shot(step)
		self.count = d.steps
		self.files.append(path.name)


def field(d, fieldname: str, tag: str = "input"):
	return visible(d, f'.frappe-control[data-fieldname="{fieldname}"] {tag}').first


def set_field(d, fieldname: str, value: str):
	"""Type into a form field (Data, Int, Currency, Date in the user's format) and leave it with Tab."""
	control = field(d, fieldname)
	control.fill(value)
	control.press("Tab")


def add_row(d, table: str, values: dict, files: dict | None = None):
	"""Add a row to a form's child table through the row's own form: ``values`` typed or selected,
	``files`` ({fieldname: file name}) uploaded as private files through Frappe's uploader."""
	count = d.page.evaluate("t => (cur_frm.doc[t] || []).length", table)
	grid = visible(d, f'.frappe-control[data-fieldname="{table}"]')
	grid.locator(".grid-add-row").click()
	d.page.wait_for_function("([t, n]) => (cur_frm.doc[t] || []).length === n", arg=[table, count + 1])
	grid.locator(".grid-body .grid-row").nth(count).locator(".btn-open-row").click()
	row = d.page.locator(".grid-row-open")
	expect(row).to_be_visible()
	for name, value in values.items():
		select = row.locator(f'.frappe-control[data-fieldname="{name}"] select')
		if select.count():
			select.select_option(value)
		else:
			box = row.locator(f'.frappe-control[data-fieldname="{name}"] input')
			box.fill(value)
			box.press("Tab")
	for name, file_name in (files or {}).items():
		uploader = d.page.locator(".modal.show").filter(has=d.page.locator(".file-uploader")).last
		# Frappe loads its uploader's bundle after the desk has booted
		d.page.wait_for_function("() => typeof frappe.ui.FileUploader === 'function'")
		for attempt in range(3):
			# a click while the row's form is still re-rendering its controls can hit a replaced button
			row.locator(f'.frappe-control[data-fieldname="{name}"] button.btn-attach').click()
			try:
				expect(uploader).to_be_visible(timeout=5_000)
				break
			except AssertionError:
				if attempt == 2:
					raise
		uploader.locator('input[type="file"]').first.set_input_files(
			files=[
				{"name": file_name, "mimeType": "application/pdf", "buffer": f"%PDF-1.4 {file_name}".encode()}
			]
		)
		uploader.locator(".btn-modal-primary").click()
		d.page.wait_for_function(
			"([t, i, f]) => (cur_frm.doc[t][i][f] || '').startsWith('/private/files/')",
			arg=[table, count, name],
			timeout=30_000,
		)
		expect(uploader).to_have_count(0)
	d.page.wait_for_function(
		"([t, i, v]) => Object.entries(v).every(([k, x]) => String(cur_frm.doc[t][i][k] ?? '') === x)",
		arg=[table, count, values],
	)
	expect(d.page.locator(".modal:visible")).to_have_count(0)
	if not files:  # an upload closes the row's form itself
		row.locator(".grid-collapse-row").first.click()
	expect(d.page.locator(".grid-row-open")).to_have_count(0)


def close_message(d):
	"""Close the message on top and wait until Frappe's message dialog has finished hiding."""
	d.page.locator(".modal.show .btn-modal-close").last.click()
	expect(d.page.locator(".modal.show")).to_have_count(0)
	d.page.wait_for_function("() => !frappe.msg_dialog || !frappe.msg_dialog.$wrapper.is(':visible')")


def dialog_value(d, dialog, fieldname: str, value: str):
	"""Type into the open dialog's field until the dialog holds it (a debounced change can be dropped while
	the dialog is still rendering): at most three times."""
	box = dialog.locator(f"input[data-fieldname={fieldname}]")
	holds = """([f, v]) => {
		const d = [window.cur_dialog, ...(frappe.ui.open_dialogs || [])].find((d) => d && d.fields_dict?.[f]);
		return !!d && String(d.get_value(f) ?? "") === v;
	}"""
	for attempt in range(3):
		box.fill(value)
		box.press("Tab")
		try:
			d.page.wait_for_function(holds, arg=[fieldname, value], timeout=5_000)
			return
		except PlaywrightTimeout:
			if attempt == 2:
				raise


def test_pension_loan_path_by_clicks(desk, desk_user, admin, product):
	steps = Steps()
	sales_login = desk_user("sales", "Sales")
	analyst_login = desk_user("analyst", "Credit Analyst")
	# the SPV may also sit at Manager level: after one vote the next level must be offered to someone else
	spv_login = desk_user("spv", "Committee SPV", "Committee Manager")
	manager_login = desk_user("manager", "Committee Manager")
	finance_login = desk_user("finance", "Finance")

	# sales registers the member in the desk: identity, pension, bank account, then the documents
	full_name = f"Bambang Desk {uuid.uuid4().hex[:4]}"
	birth = dt.date(1960, 5, 17)
	nik = http.nik_for(birth, http.unique_serial())
	pension_number = f"TSP{uuid.uuid4().hex[:10]}"
	sales = desk(*sales_login)
	sales.goto("/app/member/new")
	set_field(sales, "full_name", full_name)
	set_field(sales, "nik", nik)
	field(sales, "gender", "select").select_option("Male")
	set_field(sales, "birth_date", sales.page.evaluate("d => frappe.datetime.str_to_user(d)", str(birth)))
	field(sales, "pension_fund", "select").select_option("Taspen")
	set_field(sales, "pension_number", pension_number)
	set_field(sales, "monthly_pension_benefit", "7000000")
	add_row(
		sales,
		"bank_accounts",
		{"bank_name": "BRI", "account_number": "0123456789", "account_holder": full_name},
	)
	sales.page.wait_for_function(
		"b => cur_frm.doc.birth_date === b && cur_frm.doc.monthly_pension_benefit === 7000000", arg=str(birth)
	)
	steps.shot(sales, "sales-new-member")
	save(sales)
	member = sales.page.evaluate("() => cur_frm.doc.name")
	for document_type in ("KTP", "KK", "SK Pensiun"):
		add_row(sales, "documents", {"document_type": document_type}, {"file": f"{document_type}.pdf"})
	save(sales)
	expect(visible(sales, ".member-document-status")).to_have_count(3)
	steps.shot(sales, "sales-member-documents-uploaded")

	# a member is found from a link field by NIK, pension number or name
	for text in (nik, pension_number, full_name):
		found = admin.method("frappe.desk.search.search_link", verb="GET", doctype="Member", txt=text)
		assert member in [r["value"] for r in found], (text, found)

	# the analyst verifies each document in the member's form
	analyst = desk(*analyst_login)
	analyst.goto(f"/app/member/{member}")
	steps.shot(analyst, "analyst-member-documents-unverified")
	for i in range(3):
		click_button(analyst, "Verify / Reject Document")
		dialog = modal(analyst, "notes")
		expect(dialog.locator('[data-fieldname="document"] select')).to_be_visible()
		dialog.locator('[data-fieldname="notes"] textarea').fill(f"Asli dicocokkan ({i + 1})")
		if i == 0:
			steps.shot(analyst, "analyst-verify-dialog")
		dialog.locator(".btn-modal-primary").click()
		analyst.page.wait_for_function(
			"n => window.cur_frm && cur_frm.doc.documents.filter(r => r.verified).length === n", arg=i + 1
		)
		analyst.wait_idle()
	expect(visible(analyst, ".member-document-status .indicator-pill.green")).to_have_count(3)
	analyst.page.wait_for_function("() => cur_frm.doc.documents_verified === 1")
	steps.shot(analyst, "analyst-documents-verified")

	# sales types the application: the simulation shows before saving; the first due date comes from the
	# product's cut-off day (nothing typed into it)
	sales.goto("/app/loan-application/new")
	fill_link(sales, "member", member)
	fill_link(sales, "loan_product", product)
	fill(sales, "principal", "50000000")
	fill(sales, "tenor_months", "36")
	expect(visible(sales, ".la-simulation")).to_be_visible()
	today = dt.date.fromisoformat(sales.page.evaluate("() => frappe.datetime.get_today()"))
	expected_due = str(first_due_date(today, CUTOFF_DAY, DUE_DAY))
	sales.page.wait_for_function("d => cur_frm.doc.first_due_date === d", arg=expected_due)
	steps.shot(sales, "sales-application-live-simulation")
	save(sales)
	application = sales.page.evaluate("() => cur_frm.doc.name")
	wait_state(sales, "Draft")
	click_action(sales, "Submit")
	wait_state(sales, "Submitted")
	# the pre-check's reasons read in Indonesian (the core's English templates translated)
	checks = visible(sales, '.frappe-control[data-fieldname="precheck_results"] .grid-body')
	expect(checks).to_contain_text("masih dalam batas produk")
	expect(checks).not_to_contain_text("is within")
	steps.shot(sales, "sales-application-submitted-precheck")

	# the analyst starts the analysis and creates the Credit Analysis from the application
	analyst.goto(f"/app/loan-application/{application}")
	click_action(analyst, "Start Analysis")
	wait_state(analyst, "Analyzing")
	steps.shot(analyst, "analyst-analyzing-create-button")
	click_button(analyst, "Create Credit Analysis")
	analyst.page.wait_for_function(
		"a => window.cur_frm && cur_frm.doctype === 'Credit Analysis' && cur_frm.is_new()"
		" && cur_frm.doc.loan_application === a && frappe.get_route()[1] === 'Credit Analysis'",
		arg=application,
	)
	expect(visible(analyst, ".ca-application")).to_be_visible()
	expect(visible(analyst, ".form-dashboard")).to_contain_text("masih dalam batas produk")
	fill(analyst, "risk_score", "30")
	visible(analyst, '.frappe-control[data-fieldname="recommendation"] select').select_option("Approve")
	analyst.page.wait_for_function("() => !!cur_frm.fields_dict.notes.quill")
	analyst.wait_idle()
	editor = visible(analyst, '.frappe-control[data-fieldname="notes"] .ql-editor[contenteditable="true"]')
	editor.click()
	expect(editor).to_be_focused()
	analyst.page.keyboard.type("Pensiun cukup, DSR di bawah batas.")
	expect(editor).to_contain_text("DSR")
	analyst.page.wait_for_function(
		"() => cur_frm.doctype === 'Credit Analysis' && (cur_frm.doc.notes || '').includes('DSR')"
	)
	steps.shot(analyst, "analyst-credit-analysis-prefilled")
	save(analyst)
	analysis = analyst.page.evaluate("() => cur_frm.doc.name")
	assert re.match(r"CA-\d{4}-\d{5}$", analysis), analysis
	visible(analyst, ".primary-action").click()
	modal(analyst).locator(".btn-primary").click()
	analyst.page.wait_for_function(
		"() => cur_frm.doctype === 'Credit Analysis' && cur_frm.doc.docstatus === 1"
	)
	analyst.wait_idle()
	steps.shot(analyst, "analyst-credit-analysis-submitted")
	click_button(analyst, "Loan Application {0}", application)
	analyst.page.wait_for_function(
		"a => window.cur_frm && cur_frm.doctype === 'Loan Application' && cur_frm.doc.credit_analysis === a",
		arg=analysis,
	)
	analyst.wait_idle()
	click_action(analyst, "Send to Committee")
	wait_state(analyst, "Committee SPV")
	steps.shot(analyst, "analyst-sent-to-committee")

	# SPV approves after a confirmation; a second vote by the same person is not offered
	spv = desk(*spv_login)
	spv.goto(f"/app/loan-application/{application}")
	click_action(spv, "Approve")
	confirm = modal(spv)
	expect(confirm).to_contain_text(application)
	steps.shot(spv, "spv-approve-confirmation")
	confirm.locator(".btn-primary").click()
	wait_state(spv, "Committee Manager")
	spv.goto(f"/app/loan-application/{application}")
	expect(visible(spv, ".form-message")).to_be_visible()
	labels = visible(spv, ".actions-btn-group .dropdown-menu .menu-item-label").all_inner_texts()
	assert tr(spv, "Approve") not in [s.strip() for s in labels], labels
	steps.shot(spv, "spv-no-second-vote")

	# the Manager approves: the application is approved and its loan booked
	manager = desk(*manager_login)
	manager.goto(f"/app/loan-application/{application}")
	click_action(manager, "Approve")
	modal(manager).locator(".btn-primary").click()
	wait_state(manager, "Approved")
	manager.page.wait_for_function("() => !!cur_frm.doc.loan")
	loan = manager.page.evaluate("() => cur_frm.doc.loan")
	steps.shot(manager, "manager-approved-loan-booked")

	# Finance disburses from the Loan form
	finance = desk(*finance_login)
	finance.goto(f"/app/loan/{loan}")
	expect(visible(finance, ".loan-overview .loan-summary")).to_be_visible()
	steps.shot(finance, "finance-loan-pending-disbursement")
	click_button(finance, "Disburse")
	dialog = modal(finance, "disbursement_date")
	dialog_value(finance, dialog, "reference_no", f"TRF-DISB-{uuid.uuid4().hex[:8]}")
	steps.shot(finance, "finance-disburse-dialog")
	dialog.locator(".btn-modal-primary").click()
	expect(
		finance.page.locator(".modal.show a.loan-action-link[href*='/app/loan-disbursement/']")
	).to_be_visible()
	finance.wait_idle()
	steps.shot(finance, "finance-disbursed-message")
	close_message(finance)
	finance.page.wait_for_function("() => cur_frm.doctype === 'Loan' && cur_frm.doc.status === 'Active'")
	finance.wait_idle()

	# ... records the first installment (the dialog shows what is due and suggests the next installment)
	first_row = visible(finance, ".loan-overview table.loan-schedule tbody tr").first
	expect(first_row).to_have_attribute("data-status", "Unpaid")
	expect(first_row).to_contain_text(
		finance.page.evaluate("d => frappe.datetime.str_to_user(d)", expected_due)
	)
	click_button(finance, "Record Payment")
	dialog = modal(finance, "amount")
	expect(dialog.locator(".loan-due [data-figure=next-installment]")).to_contain_text("Rp")
	amount = finance.page.evaluate("() => cur_dialog.get_value('amount')")
	assert amount and amount == int(amount) and amount > 0, amount
	dialog_value(finance, dialog, "reference_no", f"TRF-PAY-{uuid.uuid4().hex[:8]}")
	steps.shot(finance, "finance-record-payment-dialog")
	dialog.locator(".btn-modal-primary").click()
	link = finance.page.locator(".modal.show a.loan-action-link[href*='/app/loan-payment/']")
	expect(link).to_be_visible()
	payment = link.inner_text().strip()
	finance.wait_idle()
	steps.shot(finance, "finance-payment-posted-message")
	close_message(finance)
	expect(first_row).to_have_attribute("data-status", "Paid")
	history = visible(finance, ".loan-overview table.loan-payments tbody tr")
	expect(history).to_have_count(1)
	finance.wait_idle()
	steps.shot(finance, "finance-installment-paid")

	# ... and prints the receipt from the payment (its default print format, Kwitansi)
	history.first.locator('a[href*="/app/loan-payment/"]').click()
	finance.page.wait_for_function(
		"p => window.cur_frm && cur_frm.doctype === 'Loan Payment' && cur_frm.doc.name === p", arg=payment
	)
	finance.wait_idle()
	printer = tr(finance, "Print")  # Bootstrap's tooltip moves the title to data-original-title
	visible(finance, f'.page-icon-group button[data-original-title="{printer}"]').click()
	preview = finance.page.frame_locator("iframe.print-format-container")
	expect(preview.locator("body")).to_contain_text("KWITANSI", timeout=30_000)
	expect(preview.locator("body")).to_contain_text(payment)
	expect(preview.locator("body")).to_contain_text(full_name)
	expect(preview.locator(".po-words")).to_contain_text("rupiah", ignore_case=True)
	finance.wait_idle()
	steps.shot(finance, "finance-kwitansi-preview")
	# the receipt as printed (Full Page opens it in a tab of its own; a full-page screenshot of the desk
	# leaves the preview's frame blank)
	with finance.page.context.expect_page() as opened:
		visible(finance, ".page-actions button").filter(has_text=tr(finance, "Full Page")).first.click()
	desk_page, finance.page = finance.page, opened.value
	finance.page.wait_for_load_state("load")
	expect(finance.page.locator(".po-words")).to_contain_text("rupiah", ignore_case=True)
	expect(finance.page.locator("body")).to_contain_text(payment)
	steps.shot(finance, "finance-kwitansi-printed")
	finance.page.close()
	finance.page = desk_page

	app = admin.get("Loan Application", application)
	assert [(r["level"], r["decision"]) for r in app["committee_decisions"]] == [
		("SPV", "Approve"),
		("Manager", "Approve"),
	]
	assert app["credit_analysis"] == analysis and app["first_due_date"] == expected_due
	posted = admin.get("Loan Payment", payment)
	assert posted["docstatus"] == 1 and posted["loan"] == loan and float(posted["amount"]) == amount
	print("\nclick path screenshots:", *steps.files, sep="\n  ")


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
	# the reason reads on the application: in its intro and in the Committee Decisions table
	reason = "Slip pensiun tidak sesuai dengan SK."
	expect(visible(spv, ".form-message .la-decision-reason")).to_contain_text(reason)
	expect(visible(spv, '.frappe-control[data-fieldname="committee_decisions"] .grid-body')).to_contain_text(
		reason
	)
	spv.shot("rejected-with-reason")
	decisions = admin.get("Loan Application", app["name"])["committee_decisions"]
	assert [(r["decision"], r["notes"]) for r in decisions] == [
		("Reject", "Slip pensiun tidak sesuai dengan SK.")
	]
