"""One login policy on existing sites (and, from after_install, on new ones):

- the Member role (borrowers) has no desk access: Frappe creates a role named in a DocPerm with desk
  access before the app's role fixture is seeded, and the fixture never overwrites an existing role;
- users whose roles give no desk access (borrowers) become Website Users: Frappe then refuses them ``/app``;
- Frappe's own login-attempt tracker (System Settings → Allow Consecutive Login Attempts) is turned off: it
  locks an account for everyone after a few failures, which anyone who knows the login can trigger. The
  app's ``login_policy`` throttles per account and client instead.
"""

import frappe
from frappe.sessions import clear_sessions

BORROWER_ROLE = "Member"


def execute():
	member_role_without_desk()
	borrowers_as_website_users()
	frappe.db.set_single_value("System Settings", "allow_consecutive_login_attempts", 0)
	frappe.clear_cache()


def member_role_without_desk():
	if not frappe.db.exists("Role", BORROWER_ROLE):
		return
	role = frappe.get_doc("Role", BORROWER_ROLE)
	if role.desk_access:
		role.desk_access = 0
		role.flags.ignore_permissions = True
		role.save()


def borrowers_as_website_users() -> list[str]:
	"""Users holding the Member role whose roles give no desk access, set to Website User (their desk
	sessions end). Returns their names."""
	converted = []
	users = frappe.get_all(
		"Has Role", {"role": BORROWER_ROLE, "parenttype": "User"}, pluck="parent", distinct=True
	)
	for name in users:
		if name in ("Administrator", "Guest"):
			continue
		user = frappe.get_doc("User", name)
		if user.user_type != "System User" or user.has_desk_access():
			continue
		user.db_set("user_type", "Website User", update_modified=False)
		clear_sessions(name, force=True)
		converted.append(name)
	return converted
