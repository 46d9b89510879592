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
"""

import sys
from pathlib import Path

from playwright.sync_api import expect

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "http"))
from conftest import cli
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
