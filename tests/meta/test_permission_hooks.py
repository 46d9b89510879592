"""Every child doctype of the app is readable only with its parent record, on every door: hooks.py registers
the child-row rules of permissions.py for each (list queries, loaded rows) and the controller that checks a row
loaded on its own against its parent record (overrides/child_rows.py)."""

from appmeta import HOOKS, app_doctypes, hooks, rel


def test_every_child_doctype_has_the_child_row_rules():
	children = sorted(name for name, meta in app_doctypes().items() if meta.get("istable"))
	assert children
	pqc = hooks().get("permission_query_conditions") or {}
	hp = hooks().get("has_permission") or {}
	classes = hooks().get("override_doctype_class") or {}
	missing = [
		f"{child}: {what}"
		for child in children
		for what, ok in (
			(
				"permission_query_conditions → permissions.child_query",
				pqc.get(child, "").endswith(".child_query"),
			),
			(
				"has_permission → permissions.child_has_permission",
				hp.get(child, "").endswith(".child_has_permission"),
			),
			(
				"override_doctype_class → overrides.child_rows",
				".overrides.child_rows." in classes.get(child, ""),
			),
		)
		if not ok
	]
	assert not missing, f"{rel(HOOKS)}:\n" + "\n".join(missing)
