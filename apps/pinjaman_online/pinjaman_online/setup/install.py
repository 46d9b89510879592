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
)
DEFAULT_REQUIRED_DOCUMENTS = ("KTP", "KK", "SK Pensiun")


# Read access to Frappe's change log (Version) for the roles that audit, so the Audit Trail report works for
# them; added once as Custom DocPerms, which an admin may change in Role Permission Manager.
AUDIT_ROLES = ("Auditor", "Koperasi Admin")


def after_install():
	seed_fixtures()
	seed_settings()
	seed_audit_permissions()


def after_migrate():
	seed_fixtures()
	seed_audit_permissions()


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
