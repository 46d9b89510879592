"""Billing in the served desk (Tier 2, Chromium): what an import realised, as Pension Cut Realisation rows.

* The import's form lists its realisations among its connections (with its lines, exceptions and refunds).
* An export line's form shows its realisation status (indicator) and what was realised of what was billed,
  in Indonesian, with its realisations among its connections.
"""

import json
import sys
from pathlib import Path

from playwright.sync_api import expect

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "http"))
from test_billing import M, export_csv, realisation_from, seed, upload, wait_reconciled


def test_realisations_on_the_import_and_the_export_line(desk, desk_user, make_user):
	finance = make_user("finance-realised", "Finance")
	period, loans = seed(2)
	export = finance.method(f"{M}.export", period=period, pension_fund="Taspen")
	content = realisation_from(
		export_csv(finance, export), {loans[1]: lambda row: row[:7] + ["700.000"] + row[8:]}, []
	)
	imp = wait_reconciled(finance, upload(finance, period, content)["name"])
	assert imp["status"] == "Reconciled", imp["error"]
	(short,) = finance.list(
		"Pension Cut Realisation",
		fields=json.dumps(["export_line"]),
		filters=json.dumps({"cut_import": imp["name"], "loan": loans[1]}),
	)

	d = desk(*desk_user("finance-realised", "Finance"))
	d.goto(f"/app/pension-cut-import/{imp['name']}")
	connections = d.page.locator(
		".form-dashboard-section .document-link[data-doctype='Pension Cut Realisation']"
	)
	expect(connections).to_be_visible()
	expect(connections.locator(".count")).to_have_text("2", timeout=30_000)
	connections.scroll_into_view_if_needed()
	d.shot("import-connections")

	d.goto(f"/app/pension-cut-export-line/{short['export_line']}")
	expect(d.page.locator(".page-head .indicator-pill")).to_have_text("Terealisasi Sebagian")
	expect(d.page.locator(".form-message").first).to_contain_text("700.000")
	expect(
		d.page.locator(
			".form-dashboard-section .document-link[data-doctype='Pension Cut Realisation'] .count"
		)
	).to_have_text("1", timeout=30_000)
	d.shot("export-line-status")
