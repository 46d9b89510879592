"""Live progress in the served desk (Tier 2, Chromium): realtime events reach the browser through nginx's
/socket.io on the served port.

* Submitting a Pension Cut Import in its form queues the matching job on RQ; the job's progress events
  (``frappe.publish_progress``) arrive in the open page and the form shows the final status (Reconciled)
  without any reload of the page.
* The daily servicing run: a run whose chunks were left undone (a worker killed before taking them) is resumed
  from its form (Resume Run, as the Koperasi Admin); the chunk jobs' progress events move the form's progress
  bar and the form shows the run Completed, without any reload of the page.
* A list refreshes on change: a Pension Cut Import created by another user (over REST) appears in the open
  list (Frappe's ``list_update`` event), without a reload.
* Funder settlement: Finance runs the month-end settlement of every funder from the Funder Settlement list;
  the job's progress ("n of m funders") shows in Frappe's progress dialog and the new settlement appears in
  the open list, without a reload.
"""

import datetime as dt
import json
import sys
import uuid
from pathlib import Path

from playwright.sync_api import expect

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "http"))
from conftest import cli, http
from test_billing import M, export_csv, realisation_from, seed

MARK = "() => { window.__not_reloaded = true; window.__progress = [];"
MARK += " frappe.realtime.on('progress', d => window.__progress.push(d.percent)); }"


def draft_import(finance) -> str:
	"""A period with 3 billable loans, its export, and the export's realisation uploaded as a draft import."""
	period, _loans = seed(3)
	export = finance.method(f"{M}.export", period=period, pension_fund="Taspen")
	content = realisation_from(export_csv(finance, export), {}, [])
	r = finance.call(
		"POST",
		f"/api/method/{M}.import_realisation",
		data={"period": period, "pension_fund": "Taspen", "submit": 0},
		files={"file": ("realisasi.csv", content, "text/csv")},
	)
	return r.json()["message"]["name"]


def test_import_progress_reaches_the_form_without_reload(desk, desk_user, make_user):
	finance = make_user("finance-live", "Finance")
	name = draft_import(finance)
	d = desk(*desk_user("finance-live", "Finance"))
	d.goto(f"/app/pension-cut-import/{name}")
	d.page.wait_for_function("() => window.frappe?.realtime?.socket?.connected === true", timeout=30_000)
	d.page.evaluate(MARK)
	d.shot("draft")
	d.page.locator(".page-actions .primary-action").click()  # Submit
	d.page.locator(".modal.show .btn-primary").click()  # "Permanently submit?" — yes
	# the job runs on the worker; only realtime events can bring its end into this page
	d.page.wait_for_function(
		f"() => cur_frm && cur_frm.doc.name === '{name}' && cur_frm.doc.status === 'Reconciled'",
		timeout=120_000,
	)
	assert d.page.evaluate("() => window.__not_reloaded === true"), "the page was reloaded"
	progress = d.page.evaluate("() => window.__progress")
	assert progress and max(progress) >= 100, progress
	d.wait_idle()
	d.shot("reconciled")


def test_servicing_run_progress_reaches_the_form_without_reload(desk, desk_user):
	seed(3)  # live loans to service, whatever the site holds
	run = cli("pinjaman_online.tests.factories.servicing_run_to_resume", 3)
	assert run["chunks"] >= 2, run
	d = desk(*desk_user("admin-live", "Koperasi Admin"))
	d.goto(f"/app/servicing-run/{run['name']}")
	d.page.wait_for_function("() => window.frappe?.realtime?.socket?.connected === true", timeout=30_000)
	expect(d.page.locator(".form-dashboard .progress").first).to_be_visible()
	d.page.evaluate(MARK)
	d.shot("running")
	d.page.get_by_role("button", name=d.page.evaluate("() => __('Resume Run')")).click()
	# the chunks are done by jobs on the worker; only realtime events bring their progress into this page
	d.page.wait_for_function(
		f"() => cur_frm && cur_frm.doc.name === '{run['name']}' && cur_frm.doc.status === 'Completed'"
		f" && cur_frm.doc.runs === {run['runs']} && cur_frm.doc.chunks_completed === {run['chunks']}",
		timeout=120_000,
	)
	assert d.page.evaluate("() => window.__not_reloaded === true"), "the page was reloaded"
	progress = d.page.evaluate("() => window.__progress")
	assert len(progress) >= 2 and max(progress) >= 100, progress  # one event per chunk
	expect(d.page.locator(".modal-backdrop")).to_have_count(0)  # Frappe's progress dialog closes at 100%
	d.wait_idle()
	d.shot("completed")


def test_list_refreshes_when_another_user_adds_a_record(desk, desk_user, make_user):
	finance = make_user("finance-list", "Finance")
	d = desk(*desk_user("finance-list", "Finance"))
	d.goto("/app/pension-cut-import?status=Draft")
	d.page.wait_for_function("() => window.frappe?.realtime?.socket?.connected === true", timeout=30_000)
	d.page.evaluate(MARK)
	name = draft_import(finance)
	expect(
		d.page.locator(f".list-row-container a[data-name='{name}'], .list-row a[href$='/{name}']")
	).to_have_count(1, timeout=60_000)
	assert d.page.evaluate("() => window.__not_reloaded === true"), "the page was reloaded"
	d.shot("list-updated")


def funded_loan_with_a_payment(staff) -> str:
	"""A new funder whose contract funds, in full, a loan booked and paid this month: the funder's name."""
	admin, finance = staff["admin"], staff["finance"]
	product = http.insert_product(admin, f"Pinjaman Dana {uuid.uuid4().hex[:6]}")
	today = dt.date.today()
	loan = http.book_loan(staff, product, 12_000_000, 12, today + dt.timedelta(days=20))
	funder = admin.insert(
		"Funder", {"funder_name": f"Bank Progres {uuid.uuid4().hex[:6]}", "funder_type": "Bank"}
	)["name"]
	contract = admin.insert(
		"Funder Contract",
		{
			"funder": funder,
			"contract_number": f"PKS/{uuid.uuid4().hex[:6]}",
			"scheme": "Fronting",
			"valid_from": str(today - dt.timedelta(days=60)),
			"fee_originator_pct": 10,
			"fee_servicing_pct": 10,
			"interest_share_pct": 100,
		},
	)["name"]
	r = admin.call(
		"POST",
		"/api/method/upload_file",
		data={"is_private": 1, "doctype": "Funder Contract", "docname": contract, "file_name": "pks.pdf"},
		files={"file": ("pks.pdf", b"%PDF-1.4 pks", "application/pdf")},
	)
	admin.update(
		"Funder Contract", contract, {"contract_file": r.json()["message"]["file_url"], "docstatus": 1}
	)
	finance.method(
		"pinjaman_online.api.funding.allocate",
		loan=loan,
		funder=funder,
		funder_contract=contract,
		allocation_type="Full",
	)
	finance.method("pinjaman_online.api.servicing.pay", loan=loan, amount=1_180_000)
	return funder


def test_funder_month_end_progress_and_the_list_without_reload(desk, desk_user, staff):
	funder = funded_loan_with_a_payment(staff)
	period = dt.date.today().strftime("%Y-%m")
	d = desk(*desk_user("finance-settle", "Finance"))
	d.goto("/app/funder-settlement")
	d.page.wait_for_function("() => window.frappe?.realtime?.socket?.connected === true", timeout=30_000)
	d.page.evaluate(MARK)
	label = d.page.evaluate("() => __('Run Month-End Settlement')")
	d.page.get_by_role("button", name=label).click()
	dialog = d.page.locator(".modal.show").filter(has=d.page.locator("input[data-fieldname=period]"))
	dialog.locator("input[data-fieldname=period]").fill(period)
	d.shot("run-month-end")
	dialog.locator(".btn-primary").click()
	# the funders are settled by a job on the worker; only realtime events bring its progress into this page
	d.page.wait_for_function("() => window.__progress.some(p => p >= 100)", timeout=120_000)
	settlement = staff["finance"].list(
		"Funder Settlement",
		filters=json.dumps([["funder", "=", funder], ["period", "=", period], ["docstatus", "=", 1]]),
	)
	assert len(settlement) == 1, settlement
	name = settlement[0]["name"]
	expect(
		d.page.locator(f".list-row-container a[data-name='{name}'], .list-row a[href$='/{name}']")
	).to_have_count(1, timeout=60_000)
	assert d.page.evaluate("() => window.__not_reloaded === true"), "the page was reloaded"
	expect(d.page.locator(".modal-backdrop")).to_have_count(0)  # Frappe's progress dialog closes at 100%
	d.wait_idle()
	d.shot("settled")
