app_name = "pinjaman_online"
app_title = "Pinjaman Online"
app_publisher = "pinjaman_online maintainers"
app_description = (
	"Lending for Indonesian savings-and-loan cooperatives: pension loans, online loans, billing, funders"
)
app_email = "maintainers@pinjaman-online.invalid"
app_license = "mit"

# Apps
# ------------------

required_apps = []

# Includes in <head>
# ------------------

# Installation
# ------------

after_install = "pinjaman_online.setup.install.after_install"
after_migrate = "pinjaman_online.setup.install.after_migrate"

# Testing
# -------

before_tests = "pinjaman_online.setup.site.before_tests"

# Permissions
# -----------
# Role permissions are DocPerms in each doctype (editable in Role Permission Manager). These hooks only
# narrow what a borrower (role Member, no staff role) sees to their own records.

permission_query_conditions = {
	"Member": "pinjaman_online.permissions.member_query",
	"Loan Application": "pinjaman_online.permissions.member_child_query",
	"Loan": "pinjaman_online.permissions.member_child_query",
	"Loan Installment": "pinjaman_online.permissions.installment_query",
}

has_permission = {
	"Member": "pinjaman_online.permissions.member_has_permission",
	"Loan Application": "pinjaman_online.permissions.member_child_has_permission",
	"Loan": "pinjaman_online.permissions.member_child_has_permission",
	"Loan Installment": "pinjaman_online.permissions.installment_has_permission",
}

# Document Events
# ---------------

doc_events = {
	# Servicing (issue 3) entries go here.
	# Funding and Sales (issue 5) entries go here.
}

# Scheduled Tasks
# ---------------

scheduler_events = {
	"daily_long": [
		# Servicing (issue 3) entries go here.
	],
	"monthly_long": [
		# Funding (issue 5) entries go here.
	],
}

# Fixtures
# --------
# Roles, workflow states/actions and the Loan Application workflow are seeded from setup/fixtures/ by
# after_install/after_migrate, inserting only what is missing: they are site data that an admin edits in
# the desk, and a migrate never overwrites those edits (Frappe's `fixtures` hook would).

# Typed controllers
# -----------------

export_python_type_annotations = True
