"""Printed documents over HTTP (Tier 2): the app's print formats of a booked, paid and settled loan downloaded as
PDF from the served site (Frappe's download_pdf, wkhtmltopdf), their text read back with pypdf; the HTML print
view without a traceback; printing refused to a borrower for another member's loan and to a user without a
role on loans, on the PDF door and on the print view that renders a document sent by the client.
"""

import datetime as dt
import io
import json
import re
import uuid
from decimal import Decimal

import pytest
from conftest import ADMIN_PASSWORD, URL, book_loan, new_session
from test_mobile import bearer, registered

PDF = "/api/method/frappe.utils.print_format.download_pdf"
TODAY = dt.date.today()
COOPERATIVE = {
	"cooperative_name": "KSP Sejahtera Purna Bakti",
	"cooperative_legal_entity_number": "AHU-0004321.AH.01.26.TAHUN 2021",
	"cooperative_address": "Jl. Merdeka No. 10, Bandung",
	"cooperative_city": "Bandung",
	"signatory_name": "Siti Rahayu",
	"signatory_title": "Ketua Koperasi",
}


def first_of_next_month(d: dt.date) -> dt.date:
	return (d.replace(day=1) + dt.timedelta(days=32)).replace(day=1)


def idr(amount) -> str:
	"""Rupiah as the documents print it, written here independently of the app: Rp 1.234.567."""
	return "Rp " + f"{int(Decimal(str(amount))):,}".replace(",", ".")


def ddmmyyyy(iso: str) -> str:
	y, m, d = iso[:10].split("-")
	return f"{d}-{m}-{y}"


def pdf_text(api, doctype: str, name: str, print_format: str) -> str:
	"""The PDF of ``name`` in ``print_format`` as text with its whitespace collapsed."""
	from pypdf import PdfReader

	r = api.call("GET", PDF, params={"doctype": doctype, "name": name, "format": print_format})
	assert r.headers["Content-Type"].startswith("application/pdf"), r.headers
	assert r.content.startswith(b"%PDF-"), r.content[:200]
	reader = PdfReader(io.BytesIO(r.content))
	return " ".join(" ".join(page.extract_text() for page in reader.pages).split())


@pytest.fixture(scope="module")
def product(staff):
	admin = staff["admin"]
	rule = admin.insert(
		"Penalty Rule",
		{"rule_name": f"Print {uuid.uuid4().hex[:6]}", "grace_days": 5, "daily_rate": 0.1, "cap_percent": 50},
	)
	return admin.insert(
		"Loan Product",
		{
			"product_name": f"Print HTTP {uuid.uuid4().hex[:6]}",
			"min_principal": 1_000_000,
			"max_principal": 200_000_000,
			"min_tenor_months": 6,
			"max_tenor_months": 120,
			"dsr_limit": 70,
			"max_age_at_maturity": 80,
			"annual_interest_rate": 18,
			"interest_method": "Flat",
			"rounding_unit": 100,
			"penalty_rule": rule["name"],
			"early_settlement_penalty": 2,
			"fees": [
				{"fee_type": "Admin", "basis": "Amount", "amount": 150_000, "deduct_from_disbursement": 1},
				{"fee_type": "Provisi", "basis": "Percent", "percent": 1, "deduct_from_disbursement": 1},
			],
		},
	)["name"]


@pytest.fixture(scope="module")
def printed(admin, staff, product):
	"""A loan of 12,000,000 over 12 months at 18% flat (installments of 1,180,000), disbursed and paid once,
	with the cooperative's identity in the settings."""
	admin.update("Pinjaman Online Settings", "Pinjaman Online Settings", COOPERATIVE)
	loan = book_loan(staff, product, 12_000_000, 12, first_of_next_month(TODAY))
	finance = staff["finance"]
	schedule = finance.method("pinjaman_online.api.servicing.schedule", verb="GET", loan=loan)
	payment = finance.method(
		"pinjaman_online.api.servicing.pay", loan=loan, amount=int(Decimal(str(schedule[0]["total_amount"])))
	)
	disbursement = finance.list("Loan Disbursement", filters=json.dumps([["loan", "=", loan]]))[0]["name"]
	return {
		"loan": finance.get("Loan", loan),
		"schedule": schedule,
		"payment": payment["name"],
		"disbursement": disbursement,
	}


def test_loan_agreement_pdf_has_parties_terms_fees_and_the_whole_schedule(staff, printed):
	loan, schedule = printed["loan"], printed["schedule"]
	text = pdf_text(staff["finance"], "Loan", loan["name"], "Perjanjian Kredit")
	print(f"\n  Perjanjian Kredit {loan['name']}: {len(text)} characters; excerpt:\n  {text[:900]}")
	assert "PERJANJIAN KREDIT" in text and loan["name"] in text
	for expected in COOPERATIVE.values():
		assert expected in text, expected
	assert "Hendra Gunawan" in text
	assert schedule[0]["total_amount"] == 1_180_000
	for figure in ("Rp 12.000.000", "12 bulan", "18% per tahun", "Rp 1.180.000", "Rp 2.160.000"):
		assert figure in text, figure
	# fees: Admin 150,000 and Provisi 1% = 120,000, both deducted: 11,730,000 paid out
	for figure in ("Biaya Admin : Rp 150.000", "Biaya Provisi : Rp 120.000", "Rp 270.000", "Rp 11.730.000"):
		assert figure in text, figure
	assert "dua belas juta rupiah" in text
	assert len(schedule) == 12
	for row in schedule:
		line = f"{row['installment_number']} {ddmmyyyy(row['due_date'])} {idr(row['principal_amount'])}"
		assert line in text, line
		assert idr(row["total_amount"]) in text
	assert "Rp 14.160.000" in text  # total of the installments
	assert "Traceback" not in text


def test_schedule_receipt_disbursement_slip_and_authorisation_pdfs(staff, printed):
	finance, loan, schedule = staff["finance"], printed["loan"], printed["schedule"]

	text = pdf_text(finance, "Loan", loan["name"], "Jadwal Angsuran")
	assert "JADWAL ANGSURAN" in text and "Hendra Gunawan" in text
	assert all(ddmmyyyy(r["due_date"]) in text for r in schedule)
	assert "Lunas" in text and "Belum Dibayar" in text  # the first installment is paid

	text = pdf_text(finance, "Loan Payment", printed["payment"], "Kwitansi")
	print(f"\n  Kwitansi {printed['payment']}: {text[:600]}")
	assert "KWITANSI" in text and "Hendra Gunawan" in text and "Rp 1.180.000" in text
	assert "satu juta seratus delapan puluh ribu rupiah" in text
	assert "Rp 180.000" in text and "Rp 1.000.000" in text  # interest and principal of installment 1

	text = pdf_text(finance, "Loan Disbursement", printed["disbursement"], "Bukti Pencairan")
	assert "BUKTI PENCAIRAN" in text and "Rp 11.730.000" in text
	assert "sebelas juta tujuh ratus tiga puluh ribu rupiah" in text
	assert "BNI" in text and "987654" in text

	application = loan["loan_application"]
	text = pdf_text(staff["sales"], "Loan Application", application, "Surat Kuasa Potong Pensiun")
	assert "SURAT KUASA POTONG PENSIUN" in text and "Hendra Gunawan" in text
	assert "Rp 1.180.000" in text and "satu juta seratus delapan puluh ribu rupiah" in text
	assert "12 bulan" in text and "Asabri" in text


def test_payoff_letter_of_an_early_settlement(staff, product):
	finance = staff["finance"]
	loan = book_loan(staff, product, 6_000_000, 6, first_of_next_month(TODAY))
	settled = finance.method(
		"pinjaman_online.api.servicing.settle", loan=loan, reference_no=f"TRF-LUNAS-{uuid.uuid4().hex[:6]}"
	)
	assert settled["loan_status"] == "Closed"
	text = pdf_text(finance, "Loan Settlement", settled["name"], "Surat Keterangan Lunas")
	print(f"\n  Surat Keterangan Lunas {settled['name']}: {text[:500]}")
	assert "SURAT KETERANGAN LUNAS" in text and "MELUNASI" in text and loan in text
	assert "Hendra Gunawan" in text and idr(settled["total_amount"]) in text
	assert "Rp 6.000.000" in text  # the outstanding principal paid off

	# the same letter on the closed Loan itself (closed by a settlement or by its last installment)
	text = pdf_text(finance, "Loan", loan, "Surat Keterangan Lunas Pinjaman")
	assert "MELUNASI" in text and "Hendra Gunawan" in text and settled["loan_payment"] in text
	assert "Rp 6.000.000" in text  # paid on the loan; the early-settlement fee is the settlement's


def test_payoff_letter_of_an_open_loan_says_it_is_not_paid_off(staff, printed):
	text = pdf_text(staff["finance"], "Loan", printed["loan"]["name"], "Surat Keterangan Lunas Pinjaman")
	assert "belum lunas" in text and "MELUNASI" not in text


def test_default_print_format_and_html_print_view(admin, staff, printed):
	loan = printed["loan"]["name"]
	docs = (
		staff["finance"]
		.call("GET", "/api/method/frappe.desk.form.load.getdoctype", params={"doctype": "Loan"})
		.json()["docs"]
	)
	assert docs[0]["default_print_format"] == "Perjanjian Kredit"
	for doctype, name, print_format in (
		("Loan", loan, "Perjanjian Kredit"),
		("Loan", loan, "Jadwal Angsuran"),
		("Loan Payment", printed["payment"], "Kwitansi"),
		("Loan Disbursement", printed["disbursement"], "Bukti Pencairan"),
	):
		r = staff["finance"].call(
			"GET", "/printview", params={"doctype": doctype, "name": name, "format": print_format}
		)
		assert "Traceback" not in r.text and "Server Error" not in r.text
		assert "po-doc" in r.text and "Hendra Gunawan" in r.text
	html = staff["finance"].method(
		"frappe.www.printview.get_html_and_style", doc="Loan", name=loan, print_format="Perjanjian Kredit"
	)["html"]
	assert "PERJANJIAN KREDIT" in html and "Rp 1.180.000" in html


def test_desk_shows_whole_rupiah():
	"""System Settings' currency precision 0: the desk formats Currency without cents (Rp 87.000.000)."""
	s = new_session()  # its own session: loading the desk gives a session a CSRF token
	r = s.post(URL + "/api/method/login", json={"usr": "Administrator", "pwd": ADMIN_PASSWORD}, timeout=60)
	assert r.status_code == 200, r.text
	boot = s.get(URL + "/app", timeout=60).text
	assert re.search(r'\\?"currency_precision\\?":\s*\\?"0\\?"', boot), (
		"currency_precision is not 0 in the boot"
	)


def test_printing_is_refused_to_a_borrower_for_another_members_loan_and_to_an_outsider(
	guest, sms, staff, make_user, product, printed
):
	other = printed["loan"]["name"]
	ident = registered(guest, sms)
	own = book_loan(
		staff, product, 5_000_000, 6, first_of_next_month(TODAY), member=ident["registration"]["member"]
	)
	borrower = bearer(ident["tokens"]["access_token"])
	# the borrower's own loan prints
	text = pdf_text(borrower, "Loan", own, "Jadwal Angsuran")
	assert own in text and other not in text

	outsider = make_user("outsider", "Blogger")
	for api in (borrower, outsider):
		for doctype, name, print_format in (
			("Loan", other, "Perjanjian Kredit"),
			("Loan Payment", printed["payment"], "Kwitansi"),
		):
			r = api.call("GET", PDF, None, params={"doctype": doctype, "name": name, "format": print_format})
			assert r.status_code == 403, (api.user, doctype, r.status_code, r.text[:300])
			assert not r.content.startswith(b"%PDF")
		r = api.call("GET", "/printview", None, params={"doctype": "Loan", "name": other})
		assert "Hendra Gunawan" not in r.text and idr(1_180_000) not in r.text

	# a document sent by the client, dressed as the borrower's own, does not open the other loan's records
	crafted = {"doctype": "Loan", "name": other, "member": ident["registration"]["member"]}
	r = borrower.call(
		"POST",
		"/api/method/frappe.www.printview.get_html_and_style",
		None,
		json={"doc": json.dumps(crafted), "print_format": "Jadwal Angsuran"},
	)
	assert r.status_code in (403, 417), (r.status_code, r.text[:300])
	due_dates = [ddmmyyyy(row["due_date"]) for row in printed["schedule"]]
	assert not any(d in r.text for d in due_dates)


class InternalService:
	"""A service on the server's own network that nobody outside should read: an HTTP server on 127.0.0.1 that
	answers a secret and records every request it gets."""

	SECRET = "INTERNAL-ONLY-" + uuid.uuid4().hex[:8]

	def __init__(self):
		import http.server
		import threading

		self.requests: list[str] = []
		service = self

		class Handler(http.server.BaseHTTPRequestHandler):
			def do_GET(self):
				service.requests.append(self.path)
				body = service.SECRET.encode()
				self.send_response(200)
				self.send_header("Content-Type", "text/html")
				self.send_header("Content-Length", str(len(body)))
				self.end_headers()
				self.wfile.write(body)

			def log_message(self, *args):
				pass

		self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
		self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
		threading.Thread(target=self.server.serve_forever, daemon=True).start()


@pytest.fixture(scope="module")
def internal():
	service = InternalService()
	yield service
	service.server.shutdown()


REPORT_PDF = "/api/method/frappe.utils.print_format.report_to_pdf"
MULTI_PDF = "/api/method/frappe.utils.print_format.download_multi_pdf"


def pdf_words(content: bytes) -> str:
	from pypdf import PdfReader

	assert content.startswith(b"%PDF-"), content[:300]
	reader = PdfReader(io.BytesIO(content))
	return " ".join(" ".join(page.extract_text() for page in reader.pages).split())


def test_a_report_pdf_loads_nothing_from_the_servers_network(staff, internal):
	"""The report "PDF" button's door renders HTML the client sends: frames, objects, images, style sheets and
	CSS naming an internal address are not loaded and the page's own content prints."""
	attacks = [
		f'<iframe src="{internal.url}/iframe" width="600" height="100"></iframe>',
		f'<object data="{internal.url}/object" width="600" height="100"></object>',
		f'<embed src="{internal.url}/embed">',
		f'<img src="{internal.url}/img.png">',
		f'<link rel="stylesheet" href="{internal.url}/link.css">',
		f'<style>@import "{internal.url}/import.css"; p {{ background: url({internal.url}/bg.png) }}</style>',
		f'<div style="background: u\\72l({internal.url}/escaped.png)">x</div>',
		f'<svg width="10" height="10"><image href="{internal.url}/svg.png" width="10" height="10"/></svg>',
		f'<iframe src="{internal.url.replace("127.0.0.1", "localhost")}/by-name"></iframe>',
		f'<meta http-equiv="refresh" content="0; url={internal.url}/refresh">',
	]
	page = (
		f"<html><head><title>Aging</title></head><body><h1>Aging Report {uuid.uuid4().hex[:6]}</h1>"
		f"<p>Rp 1.000.000</p>{''.join(attacks)}</body></html>"
	)
	r = staff["finance"].call("POST", REPORT_PDF, data={"html": page, "orientation": "Portrait"})
	text = pdf_words(r.content)
	assert "Aging Report" in text and "Rp 1.000.000" in text
	assert internal.SECRET not in text
	assert internal.requests == [], internal.requests
	print(f"report PDF: {len(attacks)} ways of loading an internal address, none loaded; the page printed")


def test_a_report_pdf_is_for_staff_only(guest, sms, internal):
	"""A borrower's token and a guest cannot have the server render HTML at all."""
	ident = registered(guest, sms)
	borrower = bearer(ident["tokens"]["access_token"])
	page = f'<html><body><h1>x</h1><iframe src="{internal.url}/as-borrower"></iframe></body></html>'
	for api in (borrower, guest):
		r = api.call("POST", REPORT_PDF, None, data={"html": page})
		assert r.status_code == 403, (api.user, r.status_code, r.text[:300])
		assert not r.content.startswith(b"%PDF")
	assert internal.requests == [], internal.requests


def test_bulk_print_takes_page_sizes_only_and_refuses_what_the_user_may_not_print(
	guest, sms, staff, product, printed
):
	finance = staff["finance"]
	loan = printed["loan"]["name"]
	names = json.dumps([loan])
	r = finance.call(
		"POST",
		MULTI_PDF,
		data={
			"doctype": "Loan",
			"name": names,
			"format": "Jadwal Angsuran",
			"options": '{"page-size": "A5"}',
		},
	)
	assert loan in pdf_words(r.content)
	for options in (
		{"enable-local-file-access": None},
		{"user-style-sheet": "http://127.0.0.1:9/x.css"},
		{"page-size": "A4", "proxy": "http://127.0.0.1:9"},
		{"page-width": "100mm --enable-local-file-access"},
		{"dump-outline": "/tmp/outline.xml"},
		["page-size", "A4"],
	):
		r = finance.call(
			"POST",
			MULTI_PDF,
			None,
			data={
				"doctype": "Loan",
				"name": names,
				"format": "Jadwal Angsuran",
				"options": json.dumps(options),
			},
		)
		assert r.status_code == 417, (options, r.status_code, r.text[:300])
		assert not r.content.startswith(b"%PDF")

	ident = registered(guest, sms)
	borrower = bearer(ident["tokens"]["access_token"])
	for doctype, name_list in (("Loan", [loan]), ("Loan", ["LN-DOES-NOT-EXIST"]), ("No Such Doctype", ["x"])):
		for path in (MULTI_PDF, "/api/method/frappe.utils.print_format.download_multi_pdf_async"):
			r = borrower.call("POST", path, None, data={"doctype": doctype, "name": json.dumps(name_list)})
			assert r.status_code == 403, (path, doctype, name_list, r.status_code, r.text[:300])
			assert not r.content.startswith(b"%PDF")
	# a record is named, not sent (Frappe's door took a "doc" meant for Python callers and failed with a 500)
	r = finance.call(
		"POST", PDF, None, data={"doctype": "Loan", "name": loan, "doc": json.dumps({"doctype": "Loan"})}
	)
	assert r.status_code == 417, (r.status_code, r.text[:300])
	# the dict form names the records by doctype
	r = borrower.call("POST", MULTI_PDF, None, data={"doctype": json.dumps({"Loan": [loan]}), "name": "x"})
	assert r.status_code == 403, r.text[:300]


EMAIL = "/api/method/frappe.core.doctype.communication.email.make"


def test_the_email_door_is_for_staff_sends_no_html_print_and_attaches_only_readable_files(
	guest, sms, staff, make_user, printed, internal
):
	"""Frappe's "send an email" door: a borrower's token could mail anything from the cooperative's account;
	print_html was rendered by wkhtmltopdf (an internal page, mailed to the caller); attachments copied any File
	by name (a member's private document)."""
	loan = printed["loan"]
	email = {"recipients": "someone@example.com", "subject": "Hello", "content": "Hi", "send_email": 0}
	ident = registered(guest, sms)
	borrower = bearer(ident["tokens"]["access_token"])
	for api in (borrower, guest):
		r = api.call("POST", EMAIL, None, data=email)
		assert r.status_code == 403, (api.user, r.status_code, r.text[:300])

	finance = staff["finance"]
	page = f'<html><body><iframe src="{internal.url}/mailed"></iframe></body></html>'
	r = finance.call(
		"POST", EMAIL, None, data={**email, "doctype": "Loan", "name": loan["name"], "print_html": page}
	)
	assert r.status_code == 417, (r.status_code, r.text[:300])
	assert internal.requests == [], internal.requests

	r = staff["sales"].call(
		"POST",
		"/api/method/upload_file",
		data={"is_private": 1, "doctype": "Member", "docname": loan["member"], "file_name": "ktp.pdf"},
		files={"file": ("ktp.pdf", b"%PDF-1.4 ktp", "application/pdf")},
	)
	document = r.json()["message"]["name"]
	outsider = make_user("mail-outsider", "Blogger")
	for attachments in ([document], ["no-such-file"], "not json"):
		r = outsider.call("POST", EMAIL, None, data={**email, "attachments": json.dumps(attachments)})
		assert r.status_code in (403, 417), (attachments, r.status_code, r.text[:300])
	assert not outsider.list("Communication", filters=json.dumps([["subject", "=", "Hello"]]))

	# staff who may email a member send from the member's record, with a document they may read
	r = staff["admin"].call(
		"POST",
		EMAIL,
		data={**email, "doctype": "Member", "name": loan["member"], "attachments": json.dumps([document])},
	)
	assert r.json()["message"]["name"]
