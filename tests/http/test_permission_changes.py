"""A permission an admin removes in the desk's Role Permission Manager takes effect at once, on the REST a
user calls, and survives ``bench migrate`` (the app's standard DocPerms are synced on migrate, an admin's edit is
a Custom DocPerm that overrides them); resetting the doctype in the manager brings the standard ones back."""

import subprocess

from conftest import BENCH, SITE

MANAGER = "frappe.core.page.permission_manager.permission_manager"
DOCTYPE, ROLE = "Aging Snapshot", "Auditor"


def can_list(user) -> int:
	return user.call(
		"GET", "/api/resource/Aging Snapshot", expect=None, params={"limit_page_length": 1}
	).status_code


def migrate():
	done = subprocess.run(
		[str(BENCH / "bin" / "frappe"), "--site", SITE, "migrate"],
		check=False,
		capture_output=True,
		text=True,
		timeout=900,
	)
	assert done.returncode == 0, f"migrate failed: {done.stdout[-1500:]} {done.stderr[-3000:]}"


def test_a_permission_removed_in_the_desk_holds_at_once_and_after_migrate(admin, make_user):
	auditor = make_user("permchange", ROLE)
	assert can_list(auditor) == 200
	try:
		admin.method(f"{MANAGER}.remove", doctype=DOCTYPE, role=ROLE, permlevel=0)
		assert can_list(auditor) == 403, "the removal takes effect at once"
		migrate()
		assert can_list(auditor) == 403, "the removal survives migrate"
		rules = admin.method(f"{MANAGER}.get_permissions", verb="GET", doctype=DOCTYPE)
		assert not [r for r in rules if r["role"] == ROLE and r["permlevel"] == 0]
	finally:
		admin.method(f"{MANAGER}.reset", doctype=DOCTYPE)
	assert can_list(auditor) == 200, "resetting the doctype restores the standard permission"
