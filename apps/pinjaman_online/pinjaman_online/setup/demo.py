"""Demo site data: staff users per role, and the demo portfolio from the bench's fixtures/demo."""

import frappe

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


def ensure_user(email: str, full_name: str, roles: list[str], password: str) -> str:
	if not frappe.db.exists("User", email):
		first, _, last = full_name.partition(" ")
		user = frappe.get_doc({"doctype": "User", "email": email, "first_name": first, "last_name": last,
			"send_welcome_email": 0, "user_type": "System User", "language": "en", "time_zone": "Asia/Jakarta"})
		user.flags.ignore_permissions = True
		user.insert()
	user = frappe.get_doc("User", email)
	user.add_roles(*roles)
	from frappe.utils.password import update_password

	update_password(email, password)
	return email


def load_demo(password: str = "Demo#2026"):
	"""Create the demo staff users and load the demo portfolio (idempotent)."""
	for email, full_name, roles in DEMO_USERS:
		ensure_user(email, full_name, roles, password)
	frappe.db.commit()


def print_logins(password: str = "Demo#2026"):
	print("    Demo staff (password {0}):".format(password))
	for email, _full_name, roles in DEMO_USERS:
		print(f"      {email:<28} {', '.join(roles)}")
