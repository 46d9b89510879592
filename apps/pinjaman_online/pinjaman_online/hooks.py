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

# Authentication
# --------------
# borrower: `Authorization: Bearer <access JWT>` of the mobile API authenticates any request (REST too).
# login_policy: one login policy for every door (mobile, biometric, /api/method/login, API keys, bearer):
# the client's address from trusted proxies only, throttling per account and client, disabled users and
# borrowers without a verified phone refused after Frappe authenticated them.

auth_hooks = [
	"pinjaman_online.borrower.auth.authenticate_bearer",
	"pinjaman_online.login_policy.enforce_on_authenticated_request",
]
before_request = ["pinjaman_online.login_policy.before_request"]
after_request = ["pinjaman_online.login_policy.after_request"]
on_login = "pinjaman_online.login_policy.on_login"
before_request = [
	# error_responses.py, first: no traceback in any error response, and a trace id to refer to
	"pinjaman_online.error_responses.before_request",
	# api/errors.py: an unknown doctype on /api/resource or /api/v2 is a 404 (Frappe fails importing it)
	"pinjaman_online.api.errors.unknown_doctype",
]
after_request = [
	# api/errors.py, first: a JSON body that does not parse is a 400, not Frappe's 500
	"pinjaman_online.api.errors.malformed_json_response",
	# error_responses.py, last: strips tracebacks from the final error response, adds a 5xx's reference
	"pinjaman_online.error_responses.after_request",
]

# Personal data export (borrower KYC part): Frappe's request, collected on RQ, with the lending records.
override_doctype_class = {
	"Personal Data Download Request": "pinjaman_online.borrower.data_export.PersonalDataDownloadRequest",
}

# Document Events
# ---------------

doc_events = {
	# login_policy: Frappe logs each failed password login; the policy counts it against the client
	"Activity Log": {"after_insert": "pinjaman_online.login_policy.on_failed_login"},
	# Servicing (issue 3) entries go here.
	# billing: a pension-deduction payment cancelled on its own takes back what it realised on the export
	"Loan Payment": {"on_cancel": "pinjaman_online.billing.reconciliation.on_payment_cancel"},
	# Funding and Sales (issue 5) entries go here.
	"Member": {"before_validate": "pinjaman_online.sales.utils.set_member_branch"},
	"Loan Application": {
		"before_validate": "pinjaman_online.sales.utils.set_application_agent",
		"validate": "pinjaman_online.funding.utils.validate_application_funder",
	},
	"Loan Product": {
		"validate": [
			"pinjaman_online.funding.utils.validate_product_funders",
			"pinjaman_online.sales.utils.validate_product_commission_rates",
		],
	},
	"Loan Disbursement": {
		"on_submit": "pinjaman_online.sales.utils.book_commission",
		"before_cancel": "pinjaman_online.sales.utils.allow_cancel_with_commission",
		"on_cancel": "pinjaman_online.sales.utils.reverse_commission",
	},
}

# Borrower events (borrower/events.py): event name -> handlers run on RQ, each called with the payload.
# ----------------

borrower_event_handlers = {
	"LoanApplied": [
		"pinjaman_online.borrower.notifications.on_loan_applied",
		"pinjaman_online.borrower.decision.on_loan_applied",  # credit engine: score, decide
	],
	"LoanApproved": ["pinjaman_online.borrower.notifications.on_loan_approved"],
	"LoanRejected": ["pinjaman_online.borrower.notifications.on_loan_rejected"],
	"PaymentReceived": ["pinjaman_online.borrower.notifications.on_payment_received"],
}

# Scheduled Tasks
# ---------------

scheduler_events = {
	"daily_long": [
		# Servicing (issue 3) entries go here.
		"pinjaman_online.servicing.daily.scheduled_run",
	],
	"daily": [
		# borrower notifications: payment reminders, overdue notices, expired virtual accounts (enqueues a batch)
		"pinjaman_online.borrower.notifications.scheduled_daily",
	],
	"monthly_long": [
		# Funding (issue 5) entries go here.
		"pinjaman_online.funding.settlement.scheduled_month_end",
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
