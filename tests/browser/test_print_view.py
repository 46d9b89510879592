"""Printing from the desk, as a Finance clerk: the Loan form shows whole Rupiah; the Loan's Print opens its own Perjanjian Kredit (the default
print format) with the schedule; the print-format selector offers Jadwal Angsuran; the PDF button opens a PDF
with no warning about the wkhtmltopdf build. The PDF pages are also saved as images next to the screenshots."""

import datetime as dt
import re
import subprocess
import uuid

import pytest
from conftest import URL, http
from playwright.sync_api import expect

TODAY = dt.date.today()


@pytest.fixture(scope="module")
def loan(staff):
	product = staff["admin"].insert(
		"Loan Product",
		{
			"product_name": f"Desk Print {uuid.uuid4().hex[:6]}",
			"min_principal": 1_000_000,
			"max_principal": 200_000_000,
			"min_tenor_months": 6,
			"max_tenor_months": 120,
			"dsr_limit": 70,
			"max_age_at_maturity": 80,
			"annual_interest_rate": 18,
			"interest_method": "Flat",
			"rounding_unit": 100,
			"fees": [
				{"fee_type": "Admin", "basis": "Amount", "amount": 150_000, "deduct_from_disbursement": 1}
			],
		},
	)["name"]
	first_due = (TODAY.replace(day=1) + dt.timedelta(days=32)).replace(day=1)
	name = http.book_loan(staff, product, 12_000_000, 12, first_due)
	staff["finance"].method("pinjaman_online.api.servicing.pay", loan=name, amount=1_180_000)
	return name


def test_print_a_loan_agreement_from_the_desk(desk, desk_user, loan):
	d = desk(*desk_user("print-finance", "Finance"))
	# whole Rupiah on the form (currency precision 0): Rp 12.000.000, not Rp 12.000.000,00
	d.goto(f"/app/loan/{loan}")
	principal = d.page.locator('.frappe-control[data-fieldname="principal"] .control-value').first
	expect(principal).to_have_text(re.compile(r"^\s*Rp\s12\.000\.000\s*$"))
	d.shot("loan-form-whole-rupiah")

	d.goto(f"/app/print/Loan/{loan}")
	preview = d.page.frame_locator("iframe.print-format-container")
	expect(preview.locator(".po-title")).to_have_text("PERJANJIAN KREDIT", timeout=30_000)
	expect(preview.locator("body")).to_contain_text("Rp 1.180.000")
	expect(preview.locator("body")).to_contain_text("Hendra Gunawan")
	d.wait_idle()
	d.shot("perjanjian-kredit")

	selector = d.page.locator('.print-preview-sidebar input[data-fieldname="print_format"]')
	with d.page.expect_response(lambda r: "search_link" in r.url):
		selector.fill("Jadwal Angsuran")
	selector.press("Enter")
	selector.press("Tab")
	expect(preview.locator(".po-title")).to_have_text("JADWAL ANGSURAN", timeout=30_000)
	expect(preview.locator("body")).to_contain_text("Lunas")
	d.wait_idle()
	d.shot("jadwal-angsuran")

	with d.page.context.expect_page() as opened:
		d.page.get_by_role("button", name="PDF").click()
	pdf_page = opened.value
	d.wait_idle()
	expect(d.page.locator(".modal.show .modal-title")).to_have_count(0)  # no "Invalid wkhtmltopdf version"
	pdf_page.close()

	# each document as the clerk's Full Page view shows it, to look at
	for print_format in ("Perjanjian Kredit", "Jadwal Angsuran"):
		d.goto(f"/printview?doctype=Loan&name={loan}&format={print_format}")
		expect(d.page.locator(".po-doc")).to_be_visible()
		d.shot(f"full-page-{print_format}")

	# the PDF itself as images, to look at
	r = d.page.context.request.get(
		f"{URL}/api/method/frappe.utils.print_format.download_pdf",
		params={"doctype": "Loan", "name": loan, "format": "Perjanjian Kredit"},
	)
	assert r.status == 200 and r.body().startswith(b"%PDF-")
	pdf = d.folder / "perjanjian-kredit.pdf"
	pdf.write_bytes(r.body())
	subprocess.run(
		["pdftoppm", "-png", "-r", "60", str(pdf), str(d.folder / "perjanjian-kredit-pdf")], check=False
	)


def test_a_report_as_pdf_from_the_desk(desk, desk_user, loan):
	"""The report's menu PDF: the desk posts the report page and gets a PDF of the report, in the site's own
	print style (the page's style sheet is the site's own and is loaded, an internal address would not be)."""
	from pypdf import PdfReader

	d = desk(*desk_user("report-pdf-finance", "Finance"))
	d.goto("/app/query-report/Loan Quality")
	d.page.wait_for_function("() => frappe.query_report?.data?.length")
	d.wait_idle()
	d.page.locator(".page-actions .menu-btn-group button").first.click()
	d.page.locator(
		".page-actions .menu-btn-group .dropdown-menu a", has_text=re.compile(r"^\s*PDF\s*$")
	).click()
	dialog = d.page.locator(".modal.show")
	expect(dialog).to_be_visible()
	d.shot("report-pdf-settings")
	with (
		d.page.expect_response(lambda r: "report_to_pdf" in r.url) as answered,
		d.page.expect_download() as downloaded,
	):
		dialog.locator(".btn-primary").click()
	assert answered.value.status == 200
	pdf = d.folder / "loan-quality.pdf"
	downloaded.value.save_as(pdf)
	text = " ".join(page.extract_text() for page in PdfReader(str(pdf)).pages)
	assert re.search(r"Rp\s?[\d.]+", text), text[:500]
	subprocess.run(
		["pdftoppm", "-png", "-r", "60", str(pdf), str(d.folder / "loan-quality-pdf")], check=False
	)
