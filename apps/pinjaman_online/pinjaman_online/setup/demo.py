"""Demo site data: staff users per role, and the demo portfolio from the bench's fixtures/demo.

The portfolio (``fixtures/demo/portfolio.json``, made by ``fixtures/demo/generate.py``) is loaded through
the app's own actions, each by the staff user whose role the workflow and the permissions require: sales
registers members and enters applications, the analyst verifies documents and records the credit analysis,
SPV / Manager / Director vote, finance disburses and posts pension-deduction payments, the cooperative admin
cancels. Every application therefore reaches its state the way staff take it there, with its pre-check,
committee votes, loan, schedule, disbursement and payments written by the app itself.

Dates are relative to the day of loading: a loan the fixture says was disbursed ``start_months_ago`` months
ago is disbursed on that date, its first installment falls due one month later, and the installments it has
paid (``payments``, only those already due) are posted on their due dates.
"""

import functools
import io
import json
import os
import time

import frappe
from frappe.utils import add_days, add_months, get_bench_path, getdate, today

DEMO_USERS = [
	# email, full name, roles
	("sales@koperasi.example", "Siti Sales", ["Sales"]),
	("analyst@koperasi.example", "Agus Analis", ["Credit Analyst"]),
	("spv@koperasi.example", "Budi Supervisor", ["Committee SPV"]),
	("manager@koperasi.example", "Maya Manajer", ["Committee Manager"]),
	("director@koperasi.example", "Dewi Direktur", ["Director"]),
	("finance@koperasi.example", "Fajar Keuangan", ["Finance"]),
	("admin@koperasi.example", "Koperasi Admin", ["Koperasi Admin", "System Manager"]),
	("auditor@koperasi.example", "Ani Auditor", ["Auditor"]),
]
SALES, ANALYST, SPV, MANAGER, DIRECTOR, FINANCE, ADMIN = (
	"sales@koperasi.example",
	"analyst@koperasi.example",
	"spv@koperasi.example",
	"manager@koperasi.example",
	"director@koperasi.example",
	"finance@koperasi.example",
	"admin@koperasi.example",
)
PORTFOLIO = ("fixtures", "demo", "portfolio.json")
COMMIT_EVERY = 20
# Keys of a fixture member that are loader instructions, not Member fields.
MEMBER_EXTRA_KEYS = ("kk_number", "verify_documents")
# Which committee member votes in each committee state.
VOTER = {"Committee SPV": SPV, "Committee Manager": MANAGER, "Committee Director": DIRECTOR}
LEVEL = {"Committee SPV": "SPV", "Committee Manager": "Manager", "Committee Director": "Director"}


def ensure_user(email: str, full_name: str, roles: list[str], password: str) -> str:
	if not frappe.db.exists("User", email):
		first, _, last = full_name.partition(" ")
		user = frappe.get_doc(
			{
				"doctype": "User",
				"email": email,
				"first_name": first,
				"last_name": last,
				"send_welcome_email": 0,
				"user_type": "System User",
				"language": "id",  # the desk in Indonesian for the cooperative's staff
				"time_zone": "Asia/Jakarta",
			}
		)
		user.flags.ignore_permissions = True
		user.insert()
	user = frappe.get_doc("User", email)
	missing = [role for role in roles if role not in {row.role for row in user.roles}]
	if missing:
		user.add_roles(*missing)  # saves the user: skipped when a re-run finds every role in place
	from frappe.utils.password import update_password

	update_password(email, password)
	return email


def load_demo(password: str = "Demo#2026"):
	"""Create the demo staff users and load the demo portfolio (idempotent)."""
	for email, full_name, roles in DEMO_USERS:
		ensure_user(email, full_name, roles, password)
	frappe.db.commit()
	load_portfolio()
	from pinjaman_online.setup.demo_funding import load_funding_demo

	load_funding_demo()
	from pinjaman_online.setup.demo_mobile import load_mobile_demo

	load_mobile_demo()
	from pinjaman_online.accounting.setup.opening import post_opening_journals

	post_opening_journals()  # ledger: what a portfolio loaded before the ledger owes
	frappe.db.commit()


def print_logins(password: str = "Demo#2026"):
	print(f"    Demo staff (password {password}):")
	for email, _full_name, roles in DEMO_USERS:
		print(f"      {email:<28} {', '.join(roles)}")


# ------------------------------------------------------------------------------------------- portfolio
def act_as(user: str):
	"""Switch the session user (only when it changes: frappe.set_user also drops the request caches)."""
	if frappe.session.user != user:
		frappe.set_user(user)


def portfolio_path() -> str:
	return os.path.join(get_bench_path(), *PORTFOLIO)


def load_portfolio(path: str | None = None):
	"""Load products, members and applications from the portfolio JSON; idempotent and resumable.

	Records that exist already are skipped: a member by NIK, an application by its member (one application
	per member in the fixture). Work is committed every COMMIT_EVERY members / applications, always between
	two records, so an interrupted load can simply be run again.
	"""
	path = path or portfolio_path()
	if not os.path.exists(path):
		print(f"demo portfolio {path} not found: run python3 fixtures/demo/generate.py")
		return
	with open(path, encoding="utf-8") as fh:
		data = json.load(fh)
	if is_loaded(data):
		print("demo portfolio already loaded")
		return
	from pinjaman_online.servicing.daily import run_daily_servicing

	started = time.monotonic()
	try:
		load_products(data)
		members = load_members(data["members"])
		members_done = time.monotonic()
		load_applications(data["applications"], data["members"], members)
		frappe.set_user("Administrator")
		# What the nightly servicing run does: penalties, days past due, default flags as of today.
		print(f"daily servicing: {run_daily_servicing()}")
		frappe.db.commit()
	finally:
		frappe.set_user("Administrator")
	finished = time.monotonic()
	print(
		f"demo portfolio loaded in {finished - started:.0f} s (members {members_done - started:.0f} s, "
		f"applications and loans {finished - members_done:.0f} s)"
	)
	print_summary()


def is_loaded(data: dict) -> bool:
	"""Marker: the last fixture member exists and the last application's member has an application."""
	last_nik = data["members"][-1]["nik"]
	last_app_nik = data["members"][data["applications"][-1]["member"]]["nik"]
	member = frappe.db.get_value("Member", {"nik": last_app_nik}, "name")
	return bool(
		frappe.db.exists("Member", {"nik": last_nik})
		and member
		and frappe.db.exists("Loan Application", {"member": member})
	)


def print_summary():
	def counts(doctype, field, filters=None):
		rows = frappe.get_all(doctype, filters=filters, fields=[field, "count(name) as n"], group_by=field)
		return ", ".join(f"{r[field]} {r.n}" for r in sorted(rows, key=lambda r: -r.n))

	print("  members:", frappe.db.count("Member"), f"({counts('Member', 'status')})")
	print("  applications by state:", counts("Loan Application", "workflow_state"))
	print("  loans by status:", counts("Loan", "status"))
	print(
		"  disbursements:",
		frappe.db.count("Loan Disbursement", {"docstatus": 1}),
		" payments:",
		frappe.db.count("Loan Payment", {"docstatus": 1}),
	)


def load_products(data: dict):
	"""Penalty rules and loan products, created by the cooperative admin when missing."""
	act_as(ADMIN)
	for row in data.get("penalty_rules", []):
		if not frappe.db.exists("Penalty Rule", row["rule_name"]):
			frappe.get_doc({"doctype": "Penalty Rule", **row}).insert()
	for row in data["products"]:
		if not frappe.db.exists("Loan Product", row["product_name"]):
			frappe.get_doc({"doctype": "Loan Product", **row}).insert()
	frappe.db.commit()


# --------------------------------------------------------------------------------------------- members
def load_members(rows: list[dict]) -> list[str]:
	"""Register the fixture members (skipping NIKs already registered); returns Member names by index."""
	existing = dict(
		frappe.get_all(
			"Member", filters={"nik": ("in", [r["nik"] for r in rows])}, fields=["nik", "name"], as_list=True
		)
	)
	names = []
	for number, row in enumerate(rows, start=1):
		names.append(existing.get(row["nik"]) or register_member(row))
		if number % COMMIT_EVERY == 0 or number == len(rows):
			frappe.db.commit()
			print(f"members {number}/{len(rows)}")
	return names


def register_member(row: dict) -> str:
	"""Sales registers the member and uploads KTP, KK and SK Pensiun as private files; the analyst then
	verifies each document (when the fixture says so) through the app's verification action."""
	from frappe.utils.file_manager import save_file

	from pinjaman_online.members.utils import verify_document

	act_as(SALES)
	member = frappe.get_doc(
		{"doctype": "Member", **{k: v for k, v in row.items() if k not in MEMBER_EXTRA_KEYS}}
	)
	member.insert()
	for document_type, number in (
		("KTP", row["nik"]),
		("KK", row["kk_number"]),
		("SK Pensiun", row["pension_decree_number"]),
	):
		content = placeholder_image(document_type, number, row)
		fname = f"{document_type.replace(' ', '-')}-{member.name}.png"
		file = save_file(fname, content, "Member", member.name, is_private=1)
		member.append(
			"documents", {"document_type": document_type, "file": file.file_url, "document_number": number}
		)
	member.save()
	if row.get("verify_documents"):
		act_as(ANALYST)
		for document in member.documents:
			verify_document(member.name, document.name, "Sesuai dokumen asli")
	return member.name


def placeholder_image(document_type: str, number: str, row: dict) -> bytes:
	"""A tiny PNG standing in for the scanned document (about 0.5 KB), marked as demo data."""
	from PIL import Image, ImageDraw

	background = {"KTP": (200, 225, 245), "KK": (215, 240, 215), "SK Pensiun": (250, 245, 225)}[document_type]
	image = Image.new("P", (200, 90), 0)
	image.putpalette([*background, 30, 30, 60])
	draw = ImageDraw.Draw(image)
	title = {
		"KTP": "KARTU TANDA PENDUDUK",
		"KK": "KARTU KELUARGA",
		"SK Pensiun": f"SK PENSIUN {row['pension_fund'].upper()}",
	}[document_type]
	for line, text in enumerate((title, number, row["full_name"][:30], "DEMO - BUKAN DOKUMEN ASLI")):
		draw.text((8, 8 + 19 * line), text, fill=1, font=placeholder_font())
	out = io.BytesIO()
	image.save(out, format="PNG")
	return out.getvalue()


@functools.cache
def placeholder_font():
	from PIL import ImageFont

	return ImageFont.load_default()


# ---------------------------------------------------------------------------------------- applications
def load_applications(rows: list[dict], member_rows: list[dict], members: list[str]) -> list[str]:
	"""Take every fixture application to its state; returns the loans disbursed in this run."""
	done = set(frappe.get_all("Loan Application", filters={"member": ("in", members)}, pluck="member"))
	loans = []
	for number, row in enumerate(rows, start=1):
		member = members[row["member"]]
		if member not in done:
			loan = take_application(row, member, member_rows[row["member"]])
			if loan:
				loans.append(loan)
		if number % COMMIT_EVERY == 0 or number == len(rows):
			frappe.db.commit()
			print(f"applications {number}/{len(rows)}")
	return loans


def take_application(row: dict, member: str, member_row: dict) -> str | None:
	"""Enter the application and walk it through the workflow to ``row["state"]``.

	Cancelled applications are first taken to ``cancel_from``, disbursed ones to Approved; rejections and
	conditional approvals happen at the level the fixture names (``reject_at`` / ``conditions_at``).
	Returns the loan when the application ends disbursed.
	"""
	from pinjaman_online.api import origination

	now = getdate(today())
	state = row["state"]
	if state == "Disbursed":
		disbursed_on = add_days(add_months(now, -row["start_months_ago"]), -row["start_day_offset"])
		application_date = add_days(disbursed_on, -row["processing_days"])
		first_due_date = add_months(disbursed_on, 1)
	else:
		application_date = add_days(now, -row["days_ago"])
		first_due_date = add_months(now, 1)

	act_as(SALES)
	doc = frappe.get_doc(
		{
			"doctype": "Loan Application",
			"member": member,
			"loan_product": row["product"],
			"principal": row["principal"],
			"tenor_months": row["tenor_months"],
			"application_date": application_date,
			"first_due_date": first_due_date,
			"purpose": row.get("purpose"),
		}
	)
	doc.insert()
	goal = {"Cancelled": row.get("cancel_from"), "Disbursed": "Approved"}.get(state, state)
	for _step in range(8):
		current = frappe.db.get_value("Loan Application", doc.name, "workflow_state")
		if current == goal:
			break
		advance(doc.name, current, goal, row, member_row)
	else:
		frappe.throw(f"Demo application {doc.name} did not reach {goal}")

	if state == "Cancelled":
		act_as(ADMIN)
		origination.cancel(doc.name)
	elif state == "Disbursed":
		loan = frappe.db.get_value("Loan Application", doc.name, "loan")
		disburse_and_pay(loan, disbursed_on, row["payments"])
		return loan
	return None


def advance(application: str, current: str, goal: str, row: dict, member_row: dict):
	"""One workflow step from ``current`` towards ``goal``, by the user whose role takes it."""
	from frappe.model.workflow import apply_workflow

	from pinjaman_online.api import origination

	if current == "Draft":
		act_as(SALES)
		origination.submit(application)
	elif current == "Submitted" and goal == "Analyzing":
		act_as(ANALYST)
		apply_workflow(frappe.get_doc("Loan Application", application), "Start Analysis")
	elif current in ("Submitted", "Analyzing"):
		act_as(ANALYST)
		origination.analyze(
			application,
			row["risk_score"],
			row["recommendation"],
			analysis_notes(application, member_row),
			row.get("conditions"),
		)
	elif current in LEVEL:
		act_as(VOTER[current])
		level = LEVEL[current]
		if goal == "Rejected" and row.get("reject_at") == level:
			origination.decide(application, "reject", rejection_notes(application, level, row))
		elif goal == "Conditional" and row.get("conditions_at") == level:
			origination.decide(
				application,
				"approve_with_conditions",
				f"Disetujui dengan syarat: {row.get('conditions') or 'sesuai catatan analis'}",
			)
		else:
			origination.decide(application, "approve", "Disetujui sesuai rekomendasi analis.")
	else:
		frappe.throw(f"Demo application {application}: no step from {current} towards {goal}")


def analysis_notes(application: str, member_row: dict) -> str:
	doc = frappe.get_doc("Loan Application", application)
	checks = {r.check_code: r for r in doc.precheck_results}
	age = checks["AGE_AT_MATURITY"].value if "AGE_AT_MATURITY" in checks else "?"
	failed = [r.check_code for r in doc.precheck_results if not r.passed]
	benefit, other = member_row["monthly_pension_benefit"], member_row["other_monthly_obligations"]
	return (
		f"Manfaat pensiun {member_row['pension_fund']} Rp {rupiah(benefit)} per bulan, potongan lain Rp "
		f"{rupiah(other)}. Angsuran Rp "
		f"{rupiah(doc.installment_amount)}, DSR {doc.dsr}%, usia saat lunas {age} tahun. "
		+ (
			f"Tidak lolos pre-check: {', '.join(failed)}."
			if failed
			else "Lolos pre-check; dokumen sesuai asli."
		)
	)


def rejection_notes(application: str, level: str, row: dict) -> str:
	if level == "SPV":
		failed = frappe.get_all(
			"Eligibility Check",
			filters={"parent": application, "parenttype": "Loan Application", "passed": 0},
			pluck="check_code",
		)
		return f"Ditolak: tidak memenuhi pre-check ({', '.join(failed) or 'rekomendasi analis'})."
	if level == "Manager":
		return f"Ditolak: skor risiko {row['risk_score']} terlalu tinggi untuk plafon yang diminta."
	return "Ditolak: plafon di atas Rp 100 juta belum sesuai kapasitas pendanaan koperasi."


def rupiah(value) -> str:
	return f"{round(float(value or 0)):,}".replace(",", ".")


def disburse_and_pay(loan: str, disbursed_on, payments: int):
	"""Finance disburses on ``disbursed_on`` and posts the first ``payments`` installments that are already
	due, each on its due date, for the installment's full amount (monthly pension deduction)."""
	from pinjaman_online.api import servicing
	from pinjaman_online.utils import to_money

	act_as(FINANCE)
	servicing.disburse(
		loan,
		disbursement_date=str(disbursed_on),
		reference_no=f"BIFAST-{getdate(disbursed_on):%Y%m%d}-{loan[-5:]}",
	)
	if not payments:
		return
	now = getdate(today())
	installments = frappe.get_all(
		"Loan Installment",
		filters={"loan": loan},
		fields=["installment_number", "due_date", "total_amount"],
		order_by="installment_number asc",
	)
	for row in installments[:payments]:
		if getdate(row.due_date) > now:
			break
		servicing.pay(
			loan,
			to_money(row.total_amount),  # Currency reads back as a float; the endpoint takes whole Rupiah
			posting_date=str(row.due_date),
			payment_method="Pension Deduction",
			reference_no=f"PMP-{getdate(row.due_date):%Y%m}-{loan[-5:]}-{row.installment_number:03d}",
		)
