"""Accounting reports in the served desk (Tier 2, Chromium), as a Finance user in Indonesian: the Accounting
workspace, then each report drawn with rows and its summary; a screenshot of each."""

from playwright.sync_api import expect

# report → its Indonesian title
REPORTS = {
	"Trial Balance": "Neraca Saldo",
	"General Ledger": "Buku Besar",
	"Balance Sheet": "Neraca",
	"Income Statement": "Laporan Perhitungan SHU",
	"Ledger vs Loans": "Buku Besar vs Pinjaman",
}
ROWS_DRAWN = """() => document.querySelectorAll('.dt-scrollable .dt-row').length > 0
	&& (frappe.request?.ajax_count ?? 0) === 0"""


def test_accounting_workspace_and_reports(desk, desk_user):
	d = desk(*desk_user("acc-finance", "Finance"))
	d.goto("/app/accounting")
	expect(d.page.locator(".page-title .title-text").first).to_have_text("Akuntansi")
	expect(d.page.locator(".shortcut-widget-box", has_text="Neraca Saldo")).to_be_visible()
	d.shot("workspace")
	for report, title in REPORTS.items():
		d.goto(f"/app/query-report/{report}")
		expect(d.page.locator(".page-title .title-text").first).to_have_text(title)
		d.page.wait_for_function(ROWS_DRAWN, timeout=60_000)
		expect(d.page.locator(".report-summary")).to_be_visible()
		if report == "General Ledger":
			expect(d.page.get_by_role("button", name="Ekspor Jurnal (CSV)")).to_be_visible()
		d.shot(report)
