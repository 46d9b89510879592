"""Factories for the app's Frappe tests: make_<thing>(**overrides) with realistic defaults."""

import itertools

import frappe
from frappe.utils import add_months, getdate, today
from frappe.utils.file_manager import save_file

_serial = itertools.count(int(frappe.generate_hash(length=3), 16) % 5000 + 1)

STAFF = {
	"sales": ("test-sales@koperasi.example", ["Sales"]),
	"analyst": ("test-analyst@koperasi.example", ["Credit Analyst"]),
	"spv": ("test-spv@koperasi.example", ["Committee SPV", "Committee Manager"]),
	"manager": ("test-manager@koperasi.example", ["Committee Manager"]),
	"director": ("test-director@koperasi.example", ["Director"]),
	"finance": ("test-finance@koperasi.example", ["Finance"]),
	"admin": ("test-kopadmin@koperasi.example", ["Koperasi Admin"]),
}


def make_staff(key: str) -> str:
	email, roles = STAFF[key]
	if not frappe.db.exists("User", email):
		frappe.get_doc(
			{
				"doctype": "User",
				"email": email,
				"first_name": key.title(),
				"send_welcome_email": 0,
				"user_type": "System User",
				"roles": [{"role": r} for r in roles],
			}
		).insert(ignore_permissions=True)
	return email


def make_product(**overrides):
	values = {
		"doctype": "Loan Product",
		"product_name": f"Test Product {frappe.generate_hash(length=6)}",
		"product_type": "Pension Loan",
		"min_principal": 1_000_000,
		"max_principal": 300_000_000,
		"min_tenor_months": 6,
		"max_tenor_months": 180,
		"dsr_limit": 70,
		"max_age_at_maturity": 80,
		"annual_interest_rate": 18,
		"interest_method": "Flat",
		"rounding_unit": 100,
		"fees": [
			{"fee_type": "Admin", "basis": "Amount", "amount": 250_000},
			{"fee_type": "Provisi", "basis": "Percent", "percent": 1},
		],
	}
	values.update(overrides)
	return frappe.get_doc(values).insert(ignore_permissions=True)


def nik_for(birth_date, gender: str = "Male", serial: int | None = None) -> str:
	birth_date = getdate(birth_date)
	day = birth_date.day + (40 if gender == "Female" else 0)
	serial = serial or next(_serial)
	return f"327301{day:02d}{birth_date.month:02d}{birth_date.year % 100:02d}{serial:04d}"


def make_member(verified: bool = True, **overrides):
	birth_date = getdate(overrides.pop("birth_date", "1958-08-17"))
	gender = overrides.pop("gender", "Male")
	values = {
		"doctype": "Member",
		"full_name": "Bambang Sutrisno",
		"birth_date": birth_date,
		"gender": gender,
		"nik": nik_for(birth_date, gender),
		"pension_fund": "Taspen",
		"pension_number": f"TSP-T{frappe.generate_hash(length=8)}",
		"monthly_pension_benefit": 4_500_000,
		"bank_accounts": [{"bank_name": "BRI", "account_number": "0011223344", "account_holder": "Bambang"}],
	}
	values.update(overrides)
	member = frappe.get_doc(values).insert(ignore_permissions=True)
	for document_type in ("KTP", "KK", "SK Pensiun"):
		file = save_file(
			f"{document_type}.pdf",
			f"%PDF-1.4 {document_type} {member.name}".encode(),
			"Member",
			member.name,
			is_private=1,
		)
		member.append("documents", {"document_type": document_type, "file": file.file_url})
	member.save(ignore_permissions=True)
	if verified:
		from pinjaman_online.members.utils import verify_document

		with as_user("analyst"):
			for row in member.documents:
				verify_document(member.name, row.name)
		member.reload()
	return member


def make_application(member=None, product=None, submit: bool = False, **overrides):
	member = member or make_member()
	product = product or make_product()
	values = {
		"doctype": "Loan Application",
		"member": member.name,
		"loan_product": product.name,
		"principal": 30_000_000,
		"tenor_months": 24,
		"first_due_date": add_months(today(), 1),
	}
	values.update(overrides)
	application = frappe.get_doc(values).insert(ignore_permissions=True)
	if submit:
		from pinjaman_online.api.origination import submit as submit_application

		with as_user("sales"):
			submit_application(application.name)
		application.reload()
	return application


def approve(application, manager: str = "manager"):
	"""Analyse and take the application through SPV and Manager votes; returns it reloaded."""
	from pinjaman_online.api.origination import analyze, decide

	with as_user("analyst"):
		analyze(application.name, 30, "Approve", "Checked")
	with as_user("spv"):
		decide(application.name, "approve")
	with as_user(manager):
		decide(application.name, "approve")
	return frappe.get_doc("Loan Application", application.name)


def make_active_loan(**application_overrides):
	from pinjaman_online.api.servicing import disburse

	application = approve(make_application(submit=True, **application_overrides))
	with as_user("finance"):
		disburse(application.loan)
	return frappe.get_doc("Loan", application.loan)


class as_user:
	"""Context manager: act as one of the STAFF users, then return to the previous user."""

	def __init__(self, key: str):
		self.user = make_staff(key)

	def __enter__(self):
		self.previous = frappe.session.user
		frappe.set_user(self.user)
		return self.user

	def __exit__(self, *exc):
		frappe.set_user(self.previous)
