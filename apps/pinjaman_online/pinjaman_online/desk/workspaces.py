"""Which of Frappe's own workspaces staff see in the desk's sidebar.

Frappe shows a public workspace to every user who reads something of its module: each staff role of the
cooperative therefore saw Frappe's administration workspaces (Users, Website, Tools, Integrations, Build…).
The Frappe way to narrow a workspace to roles is its *Roles* table (``Workspace.roles``, Has Role): Frappe
shows it only to users holding one of them (and to Workspace Managers). ``restrict_admin_workspaces`` gives
every public workspace of the ``frappe`` app that has no roles the role *System Manager*.

A migrate re-imports a workspace of Frappe whose file changed (a Frappe upgrade), which empties its Roles
table; ``after_migrate`` therefore applies this again. A workspace whose Roles an admin has set is left as
it is. This hides entries of the sidebar; what a workspace links to stays guarded by DocPerms.
"""

import frappe

ADMIN_ROLE = "System Manager"
# Frappe's public workspace shown only when a user has no other workspace; it must stay reachable.
KEEP_OPEN = ("Welcome Workspace",)


def frappe_workspaces() -> list[str]:
	"""Names of the public workspaces whose module belongs to the ``frappe`` app."""
	modules = frappe.get_all("Module Def", filters={"app_name": "frappe"}, pluck="name")
	return frappe.get_all(
		"Workspace",
		filters={"public": 1, "module": ["in", modules], "name": ["not in", KEEP_OPEN]},
		pluck="name",
		order_by="name asc",
	)


def restrict_admin_workspaces() -> list[str]:
	"""Give Frappe's public workspaces without roles the role System Manager. Returns the names changed."""
	changed = []
	for name in frappe_workspaces():
		if frappe.db.exists("Has Role", {"parenttype": "Workspace", "parent": name}):
			continue
		# The row alone, not Workspace.save(): that would export Frappe's workspace into Frappe's source
		# folder in developer mode and mark it newer than its file (a later Frappe file would not load).
		row = frappe.new_doc("Has Role", parent_doc=frappe.get_doc("Workspace", name), parentfield="roles")
		row.role = ADMIN_ROLE
		row.idx = 1
		row.db_insert()
		frappe.clear_document_cache("Workspace", name)
		changed.append(name)
	if changed:
		frappe.cache.delete_key("bootinfo")
	return changed
