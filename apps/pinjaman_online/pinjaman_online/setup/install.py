"""Install-time seeding of the app's site data (roles, workflow, settings defaults).

Records in ``setup/fixtures/*.json`` are inserted only when missing, so that what an admin changes in the
desk (workflow transitions, role settings) survives every ``migrate``.
"""

import json
import os

import frappe

FIXTURES = os.path.join(os.path.dirname(__file__), "fixtures")
# Order matters: states and actions before the workflow that names them.
FIXTURE_FILES = (
	"role.json",
	"workflow_state.json",
	"workflow_action_master.json",
	"workflow.json",
	"pension_fund_file_format.json",  # billing: default Taspen and Asabri file layouts (admins edit them)
	"borrower_notification_template.json",  # borrower: Indonesian notification templates (admins edit them)
	"loan_product.json",  # borrower: the mobile app's Online Loan product "Pinjaman Online"
	"credit_scorecard.json",  # borrower: the default credit scorecard of mobile applications
	"permission_code.json",  # access tokens: the seed's permission codes, each mapped to a Frappe permission
	"system_module.json",  # modules an admin switches off and on (system_modules.py)
	"consent_text.json",  # borrower: the consent texts (UU PDP), Indonesian, versioned (admins add versions)
)
DEFAULT_REQUIRED_DOCUMENTS = ("KTP", "KK", "SK Pensiun")


# Read access to Frappe's change log (Version) for the roles that audit, so the Audit Trail report works for
# them; added once as Custom DocPerms, which an admin may change in Role Permission Manager.
AUDIT_ROLES = ("Auditor", "Koperasi Admin")


def after_install():
	from pinjaman_online.patches import no_login_by_email_link, one_login_policy

	fill_settings_defaults()
	seed_fixtures()
	one_login_policy.execute()  # the Member role exists before its fixture: borrowers get no desk access
	no_login_by_email_link.execute()
	seed_settings()
	seed_audit_permissions()
	seed_mobile_lending()
	restrict_admin_workspaces()
	set_default_print_formats()
	install_chart_of_accounts()
	install_exception_rules()


def after_migrate():
	from pinjaman_online.system_modules import reapply_all

	reapply_all()  # a migrate syncs workspaces and scheduled jobs back: switched-off modules stay off
	fill_settings_defaults()
	seed_fixtures()
	seed_audit_permissions()
	seed_mobile_lending()
	restrict_admin_workspaces()
	set_default_print_formats()
	install_chart_of_accounts()
	install_exception_rules()


def install_exception_rules():
	"""monitoring: the default Exception Rules (source and severity by title), where the site has none."""
	from pinjaman_online.monitoring import install_default_rules

	install_default_rules()


def install_chart_of_accounts():
	"""accounting: the shipped chart of accounts and default account of each role, where missing."""
	from pinjaman_online.accounting.provisioning import seed_allowance_rates
	from pinjaman_online.accounting.setup import install_chart

	install_chart()
	seed_allowance_rates()  # the Kol 1–5 allowance rates, where missing


def set_default_print_formats():
	"""printing: each document's own print format opens first in the desk's Print (an admin's choice kept)."""
	from pinjaman_online.printing.setup import set_default_print_formats

	set_default_print_formats()


def restrict_admin_workspaces():
	"""desk: Frappe's administration workspaces (Users, Website, Tools, Integrations, Build…) in the sidebar of
	System Managers only; Frappe's re-import of a changed workspace file empties its roles, so on every migrate."""
	from pinjaman_online.desk.workspaces import restrict_admin_workspaces

	restrict_admin_workspaces()


SETTINGS_DOCTYPES = ("Pinjaman Online Settings", "Borrower Settings")


def fill_settings_defaults() -> dict[str, list[str]]:
	"""Give the settings singles' fields that have a default but no value their default.

	Frappe applies defaults to a single only while it has no values at all: a field added by a later version
	stays empty on existing sites (numbers read as 0, required fields block every save). An admin's values
	are never touched. Returns the fields filled, per doctype."""
	from frappe.model import no_value_fields

	filled = {}
	for doctype in SETTINGS_DOCTYPES:
		meta = frappe.get_meta(doctype)
		stored = dict(frappe.db.sql("SELECT field, value FROM `tabSingles` WHERE doctype = %s", doctype))
		for df in meta.fields:
			if df.default is None or df.default == "" or df.fieldtype in no_value_fields:
				continue
			if stored.get(df.fieldname) in (None, ""):
				frappe.db.set_single_value(doctype, df.fieldname, df.default)
				filled.setdefault(doctype, []).append(df.fieldname)
		frappe.clear_document_cache(doctype, doctype)
	return filled


def seed_audit_permissions():
	from frappe.permissions import add_permission, update_permission_property

	for role in AUDIT_ROLES:
		if not frappe.db.exists("Custom DocPerm", {"parent": "Version", "role": role, "permlevel": 0}):
			add_permission("Version", role, 0)
			update_permission_property("Version", role, 0, "report", 1)


def seed_fixtures() -> list[str]:
	"""Insert the fixture records that the site lacks. Returns the names inserted."""
	inserted = []
	for fname in FIXTURE_FILES:
		with open(os.path.join(FIXTURES, fname)) as fh:
			records = json.load(fh)
		for record in records:
			if frappe.db.exists(record["doctype"], record["name"]):
				continue
			doc = frappe.get_doc(record)
			doc.flags.ignore_permissions = True
			doc.insert(ignore_if_duplicate=True)
			inserted.append(f"{record['doctype']}: {record['name']}")
	return inserted


def seed_settings():
	settings = frappe.get_single("Pinjaman Online Settings")
	if not settings.required_member_documents:
		for document_type in DEFAULT_REQUIRED_DOCUMENTS:
			settings.append("required_member_documents", {"document_type": document_type})
	if not settings.director_approval_threshold:
		settings.director_approval_threshold = 100_000_000
	settings.flags.ignore_permissions = True
	settings.save()


def seed_mobile_lending():
	"""borrower: point Borrower Settings at the seeded mobile product and scorecard when unset, and create the
	credit engine's system user (role Credit Engine). An admin's choices are kept."""
	from pinjaman_online.borrower.loans import engine_user

	for field, doctype, name in (
		("mobile_loan_product", "Loan Product", "Pinjaman Online"),
		("credit_scorecard", "Credit Scorecard", "Default Online Scorecard"),
	):
		# set_single_value: one field, without re-validating the other sections of the settings
		if not frappe.db.get_single_value("Borrower Settings", field) and frappe.db.exists(doctype, name):
			frappe.db.set_single_value("Borrower Settings", field, name)
	frappe.clear_document_cache("Borrower Settings", "Borrower Settings")
	engine_user()


def add_missing_transitions(workflow: str, role: str) -> list[str]:
	"""Add to the site's ``workflow`` the fixture transitions allowed to ``role`` that it lacks (for patches
	that bring new transitions to existing sites once; later edits by an admin are kept). Returns them."""
	with open(os.path.join(FIXTURES, "workflow.json")) as fh:
		record = next(r for r in json.load(fh) if r["name"] == workflow)
	doc = frappe.get_doc("Workflow", workflow)
	have = {(t.state, t.action, t.next_state, t.allowed) for t in doc.transitions}
	added = []
	for t in record["transitions"]:
		key = (t["state"], t["action"], t["next_state"], t["allowed"])
		if t["allowed"] == role and key not in have:
			doc.append(
				"transitions",
				{k: v for k, v in t.items() if k not in ("doctype", "parent", "parentfield", "parenttype")},
			)
			added.append(" -> ".join(key[:3]))
	if added:
		doc.flags.ignore_permissions = True
		doc.save()
	return added
