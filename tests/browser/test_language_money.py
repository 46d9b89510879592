"""Language and money in the served desk (Tier 2, Chromium): one clerk whose language is Indonesian walks the
pages staff read daily (Member, Loan Application, Credit Analysis, Loan with its schedule, payment history,
connections and timeline, Loan Payment, Pension Cut Import and Funder Settlement lists, the General Ledger and
the Aging Report) and reads no English that was once shown there, no Rupiah amount with cents and no
percentage with a decimal point.

What is read is the text a person sees: visible text nodes and the placeholders of visible inputs."""

import datetime as dt
import json
import re

import pytest
from conftest import http
from playwright.sync_api import expect

TODAY = dt.date.today()

# English once read on these pages by an Indonesian clerk (each now translated)
ENGLISH = (
	"Connections",  # the form's connections header
	"last edited this",  # timeline and sidebar
	"created this",
	"changed the value of",
	"Type a reply / comment",  # the comment box
	"This form is not editable due to a Workflow.",
	"Repayment",  # General Ledger's event column
	"Loan Payment",  # General Ledger's voucher type column
	"View",  # a form's View menu
	"Overdue",  # the loan's status badge
)
CENTS = re.compile(r"Rp\s?-?[\d.]+,\d\d\b")  # "Rp 87.000.000,00"
POINT_PERCENT = re.compile(r"\b\d+\.\d+\s?%")  # "19.67%" beside comma-decimal amounts (the timeline's)

VISIBLE_TEXT = """() => {
	const seen = (el) => el && el.checkVisibility({ checkOpacity: true, checkVisibilityCSS: true })
		&& el.getClientRects().length > 0;
	const out = [];
	const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
	while (walker.nextNode()) {
		const text = walker.currentNode.textContent.trim();
		if (text && seen(walker.currentNode.parentElement)) out.push(text);
	}
	document.querySelectorAll("[placeholder], [data-placeholder]").forEach((el) => {
		const text = el.getAttribute("placeholder") || el.getAttribute("data-placeholder");
		if (text && seen(el)) out.push(text);
	});
	return out;
}"""


@pytest.fixture(scope="module")
def loan_world(staff):
	"""A disbursed loan with a posted payment, its member, application and analysis."""
	admin = staff["admin"]
	fee = {"fee_type": "Admin", "basis": "Amount", "amount": 150_000, "deduct_from_disbursement": 1}
	product = http.insert_product(admin, "Bahasa", fees=[fee])
	first_due = TODAY - dt.timedelta(days=10)
	loan = http.book_loan(
		staff, product, 12_000_000, 12, first_due, disbursement_date=first_due - dt.timedelta(days=30)
	)
	payment = staff["finance"].method("pinjaman_online.api.servicing.pay", loan=loan, amount=500_000)
	doc = admin.get("Loan", loan)
	analysis = admin.list(
		"Credit Analysis", filters=json.dumps([["loan_application", "=", doc["loan_application"]]])
	)[0]["name"]
	return {
		"loan": loan,
		"member": doc["member"],
		"application": doc["loan_application"],
		"analysis": analysis,
		"payment": payment["name"],
	}


def read(d) -> list[str]:
	"""What the page shows, after Frappe has finished rendering it."""
	d.wait_idle()
	return d.page.evaluate(VISIBLE_TEXT)


def test_indonesian_clerk_reads_no_english_and_no_cents(desk, desk_user, loan_world):
	w = loan_world
	roles = ("Finance", "Credit Analyst", "Auditor", "Director", "Committee SPV")
	d = desk(*desk_user("bahasa", *roles))
	pages = {
		"member": f"/app/member/{w['member']}",
		"application": f"/app/loan-application/{w['application']}",
		"analysis": f"/app/credit-analysis/{w['analysis']}",
		"loan": f"/app/loan/{w['loan']}",
		"payment": f"/app/loan-payment/{w['payment']}",
		"imports": "/app/pension-cut-import",
		"settlements": "/app/funder-settlement",
		"ledger": f"/app/query-report/General Ledger?loan={w['loan']}",
		"aging": "/app/query-report/Aging Report",
	}
	found = {}
	for step, route in pages.items():
		d.goto(route)
		if route.startswith("/app/loan/"):
			expect(d.page.locator(".loan-overview table.loan-schedule tbody tr")).to_have_count(12)
			expect(d.page.locator(".loan-overview")).to_contain_text(w["payment"])
		if "query-report" in route:
			d.page.wait_for_function("() => frappe.query_report?.data?.length > 0", timeout=30_000)
		if route.startswith("/app/") and route.count("/") == 3 and "query-report" not in route:
			d.page.locator(".timeline-item").first.wait_for()
		texts = read(d)
		english = sorted({e for e in ENGLISH for t in texts if e == t or (" " in e and e in t)})
		cents = sorted({m.group(0) for t in texts for m in CENTS.finditer(t)})
		percents = sorted({m.group(0) for t in texts for m in POINT_PERCENT.finditer(t)})
		if english or cents or percents:
			found[step] = {"english": english, "cents": cents, "percents": percents}
		d.shot(step)
	assert not found, found
