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
# desk.js: desk-wide behaviour (a plain file served from sites/assets, no build step)
app_include_js = ["/assets/pinjaman_online/js/desk.js"]

# Jinja
# -----
# printing: figures, words and records for the app's print formats (printing/words.py, printing/jinja.py)

jinja = {
	"methods": [
		"pinjaman_online.printing.words.rupiah",
		"pinjaman_online.printing.words.terbilang",
		"pinjaman_online.printing.words.long_date",
		"pinjaman_online.printing.words.month_year",
		"pinjaman_online.printing.words.short_date",
		"pinjaman_online.printing.words.percent",
		"pinjaman_online.printing.jinja.cooperative",
		"pinjaman_online.printing.jinja.record",
		"pinjaman_online.printing.jinja.loan_schedule",
		"pinjaman_online.printing.jinja.loan_fees",
		"pinjaman_online.printing.jinja.loan_payments",
		"pinjaman_online.printing.jinja.loan_product_terms",
		"pinjaman_online.printing.jinja.member_bank_account",
	],
}

# Installation
# ------------

after_install = "pinjaman_online.setup.install.after_install"

# Exception Log retention in Log Settings (days); open exceptions are never purged
default_log_clearing_doctypes = {"Exception Log": 365}
after_migrate = "pinjaman_online.setup.install.after_migrate"

# Testing
# -------

before_tests = "pinjaman_online.setup.site.before_tests"

# Permissions
# -----------
# Role permissions are DocPerms in each doctype (editable in Role Permission Manager; the README's role
# matrix is generated from them). Record-level read rules are gathered in permissions.py and hold on every
# door: list queries (permission_query_conditions), loaded documents (has_permission), and Frappe methods
# that lack a record-level check on some release (override_whitelisted_methods, pinjaman_online/overrides).

permission_query_conditions = {
	"*": [
		# system_modules.py: nothing of a switched-off module, for every doctype
		"pinjaman_online.system_modules.query_condition",
		# permissions.py rule 4: a member's records follow the member for staff narrowed to a branch
		"pinjaman_online.permissions.member_scope_query",
	],
	# borrowers (role Member only) see their own records
	"Member": "pinjaman_online.permissions.own_records_query",
	"Loan Application": "pinjaman_online.permissions.own_records_query",
	"Loan": "pinjaman_online.permissions.own_records_query",
	"Loan Payment Request": "pinjaman_online.permissions.own_records_query",
	"Loan Payment": "pinjaman_online.permissions.own_records_query",
	"Loan Disbursement": "pinjaman_online.permissions.own_records_query",
	"Credit Score Result": "pinjaman_online.permissions.own_records_query",
	"Credit Analysis": "pinjaman_online.permissions.own_records_query",
	"KYC Submission": "pinjaman_online.permissions.own_records_query",
	"Refund Request": "pinjaman_online.permissions.own_records_query",
	"Aging Snapshot": "pinjaman_online.permissions.own_records_query",
	"Loan Installment": "pinjaman_online.permissions.own_records_query",
	"Loan Penalty": "pinjaman_online.permissions.own_records_query",
	"Loan Restructure": "pinjaman_online.permissions.own_records_query",
	"Loan Settlement": "pinjaman_online.permissions.own_records_query",
	"Payment Reversal": "pinjaman_online.permissions.own_records_query",
	"Borrower Notification": [
		"pinjaman_online.permissions.own_records_query",
		# staff other than admins and auditors: deliveries about a member, and their own
		"pinjaman_online.borrower.notifications.log_query",
	],
	"Borrower Device": "pinjaman_online.permissions.own_records_query",
	"Borrower Event": "pinjaman_online.permissions.own_records_query",
	"Refresh Token": "pinjaman_online.permissions.own_records_query",
	"OTP Challenge": "pinjaman_online.permissions.own_records_query",
	# a child row is readable only by who can read its parent record (every child doctype of the app)
	"Application Document": "pinjaman_online.permissions.child_query",
	"Ledger Account Mapping": "pinjaman_online.permissions.child_query",
	# accounting: reads of the ledger follow the DocPerms; writes are the posting module's only
	"Ledger Entry": "pinjaman_online.permissions.ledger_entry_query",
	# idempotency keys of money requests: written by api/idempotency.py only
	"Idempotency Key": "pinjaman_online.permissions.ledger_entry_query",
	"Loan Loss Provision": "pinjaman_online.permissions.ledger_entry_query",
	"Committee Decision": "pinjaman_online.permissions.child_query",
	"Credit Score Line": "pinjaman_online.permissions.child_query",
	"Credit Scorecard Bin": "pinjaman_online.permissions.child_query",
	"Eligibility Check": "pinjaman_online.permissions.child_query",
	"Funder Settlement Line": "pinjaman_online.permissions.child_query",
	"KYC Status History": "pinjaman_online.permissions.child_query",
	"Loan Payment Allocation": "pinjaman_online.permissions.child_query",
	"Loan Product Fee": "pinjaman_online.permissions.child_query",
	"Loan Product Funder": "pinjaman_online.permissions.child_query",
	"Loan Settlement Adjustment": "pinjaman_online.permissions.child_query",
	"Member Bank Account": "pinjaman_online.permissions.child_query",
	"Member Contact": "pinjaman_online.permissions.child_query",
	"Member Document": "pinjaman_online.permissions.child_query",
	"Pension Fund File Column": "pinjaman_online.permissions.child_query",
	"Required Member Document": "pinjaman_online.permissions.child_query",
	"Sales Commission Rate": "pinjaman_online.permissions.child_query",
	# records about a document follow the document
	"Version": "pinjaman_online.permissions.reference_query",
	"Comment": "pinjaman_online.permissions.reference_query",
	"Communication": "pinjaman_online.permissions.reference_query",
	"Activity Log": "pinjaman_online.permissions.reference_query",
	"File": "pinjaman_online.permissions.reference_query",
	"Notification Log": "pinjaman_online.permissions.notification_log_query",
}

has_permission = {
	"*": [
		# system_modules.py: no document of a switched-off module, for every doctype
		"pinjaman_online.system_modules.has_permission",
		# permissions.py rule 4: a member's records follow the member for staff narrowed to a branch
		"pinjaman_online.permissions.member_scope_has_permission",
	],
	"Member": "pinjaman_online.permissions.own_records_has_permission",
	"Loan Application": "pinjaman_online.permissions.own_records_has_permission",
	"Loan": "pinjaman_online.permissions.own_records_has_permission",
	"Loan Payment Request": "pinjaman_online.permissions.own_records_has_permission",
	"Loan Payment": "pinjaman_online.permissions.own_records_has_permission",
	"Loan Disbursement": "pinjaman_online.permissions.own_records_has_permission",
	"Credit Score Result": "pinjaman_online.permissions.own_records_has_permission",
	"Credit Analysis": "pinjaman_online.permissions.own_records_has_permission",
	"KYC Submission": "pinjaman_online.permissions.own_records_has_permission",
	"Refund Request": "pinjaman_online.permissions.own_records_has_permission",
	"Aging Snapshot": "pinjaman_online.permissions.own_records_has_permission",
	"Loan Installment": "pinjaman_online.permissions.own_records_has_permission",
	"Loan Penalty": "pinjaman_online.permissions.own_records_has_permission",
	"Loan Restructure": "pinjaman_online.permissions.own_records_has_permission",
	"Loan Settlement": "pinjaman_online.permissions.own_records_has_permission",
	"Payment Reversal": "pinjaman_online.permissions.own_records_has_permission",
	"Borrower Notification": [
		"pinjaman_online.permissions.own_records_has_permission",
		"pinjaman_online.borrower.notifications.log_has_permission",
	],
	"Borrower Device": "pinjaman_online.permissions.own_records_has_permission",
	"Borrower Event": "pinjaman_online.permissions.own_records_has_permission",
	"Refresh Token": "pinjaman_online.permissions.own_records_has_permission",
	"OTP Challenge": "pinjaman_online.permissions.own_records_has_permission",
	"Application Document": "pinjaman_online.permissions.child_has_permission",
	"Ledger Account Mapping": "pinjaman_online.permissions.child_has_permission",
	# accounting: ledger entries are written by the posting module only, never through a door
	"Ledger Entry": "pinjaman_online.permissions.ledger_entry_has_permission",
	"Idempotency Key": "pinjaman_online.permissions.ledger_entry_has_permission",
	"Loan Loss Provision": "pinjaman_online.permissions.ledger_entry_has_permission",
	"Committee Decision": "pinjaman_online.permissions.child_has_permission",
	"Credit Score Line": "pinjaman_online.permissions.child_has_permission",
	"Credit Scorecard Bin": "pinjaman_online.permissions.child_has_permission",
	"Eligibility Check": "pinjaman_online.permissions.child_has_permission",
	"Funder Settlement Line": "pinjaman_online.permissions.child_has_permission",
	"KYC Status History": "pinjaman_online.permissions.child_has_permission",
	"Loan Payment Allocation": "pinjaman_online.permissions.child_has_permission",
	"Loan Product Fee": "pinjaman_online.permissions.child_has_permission",
	"Loan Product Funder": "pinjaman_online.permissions.child_has_permission",
	"Loan Settlement Adjustment": "pinjaman_online.permissions.child_has_permission",
	"Member Bank Account": "pinjaman_online.permissions.child_has_permission",
	"Member Contact": "pinjaman_online.permissions.child_has_permission",
	"Member Document": "pinjaman_online.permissions.child_has_permission",
	"Pension Fund File Column": "pinjaman_online.permissions.child_has_permission",
	"Required Member Document": "pinjaman_online.permissions.child_has_permission",
	"Sales Commission Rate": "pinjaman_online.permissions.child_has_permission",
	"Version": "pinjaman_online.permissions.reference_has_permission",
	"Comment": "pinjaman_online.permissions.reference_has_permission",
	"Communication": "pinjaman_online.permissions.reference_has_permission",
	"Activity Log": "pinjaman_online.permissions.reference_has_permission",
	"File": "pinjaman_online.permissions.file_has_permission",
	"Notification Log": "pinjaman_online.permissions.notification_log_has_permission",
}

override_whitelisted_methods = {
	"frappe.client.get_count": "pinjaman_online.overrides.reads.get_count",
	"frappe.client.get_list": "pinjaman_online.overrides.reads.get_list",
	"frappe.client.get_value": "pinjaman_online.overrides.reads.get_value",
	"frappe.client.get_single_value": "pinjaman_online.overrides.reads.get_single_value",
	"frappe.client.validate_link": "pinjaman_online.overrides.reads.validate_link",
	"frappe.desk.reportview.get": "pinjaman_online.overrides.reads.reportview_get",
	"frappe.desk.reportview.get_list": "pinjaman_online.overrides.reads.reportview_get_list",
	"frappe.desk.reportview.get_count": "pinjaman_online.overrides.reads.reportview_get_count",
	"frappe.desk.search.search_widget": "pinjaman_online.overrides.reads.search_widget",
	"frappe.desk.search.search_link": "pinjaman_online.overrides.reads.search_link",
	"frappe.desk.listview.get_group_by_count": "pinjaman_online.overrides.reads.get_group_by_count",
	"frappe.desk.form.linked_with.get_submitted_linked_docs": "pinjaman_online.overrides.reads.get_submitted_linked_docs",
	"frappe.desk.form.linked_with.get": "pinjaman_online.overrides.reads.get_linked_docs_of",
	"frappe.desk.notifications.get_open_count": "pinjaman_online.overrides.reads.get_open_count",
	"frappe.desk.doctype.notification_log.notification_log.mark_as_read": "pinjaman_online.overrides.notification_log.mark_as_read",
	# likes, tags and followers of a record only for who may read it (overrides/social.py)
	"frappe.desk.like.toggle_like": "pinjaman_online.overrides.social.toggle_like",
	"frappe.desk.doctype.tag.tag.add_tag": "pinjaman_online.overrides.social.add_tag",
	"frappe.desk.doctype.tag.tag.add_tags": "pinjaman_online.overrides.social.add_tags",
	"frappe.desk.doctype.tag.tag.remove_tag": "pinjaman_online.overrides.social.remove_tag",
	"frappe.desk.form.document_follow.get_follow_users": "pinjaman_online.overrides.social.get_follow_users",
	# PDFs of what the client sends: a report page loads only the site's own resources, bulk print takes
	# page sizes only and refuses a record the user may not print (overrides/printing.py)
	"frappe.utils.print_format.report_to_pdf": "pinjaman_online.overrides.printing.report_to_pdf",
	"frappe.utils.print_format.download_pdf": "pinjaman_online.overrides.printing.download_pdf",
	"frappe.utils.print_format.download_multi_pdf": "pinjaman_online.overrides.printing.download_multi_pdf",
	"frappe.utils.print_format.download_multi_pdf_async": "pinjaman_online.overrides.printing.download_multi_pdf_async",
	# emails for staff only, no print sent as HTML, attachments the sender may read (overrides/communication.py)
	"frappe.core.doctype.communication.email.make": "pinjaman_online.overrides.communication.make",
	# cloud backups queued by a System Manager only (overrides/backups.py)
	"frappe.integrations.doctype.dropbox_settings.dropbox_settings.take_backup": "pinjaman_online.overrides.backups.dropbox_take_backup",
	"frappe.integrations.doctype.google_drive.google_drive.take_backup": "pinjaman_online.overrides.backups.google_drive_take_backup",
	"frappe.integrations.doctype.s3_backup_settings.s3_backup_settings.take_backup": "pinjaman_online.overrides.backups.s3_take_backup",
	"frappe.integrations.doctype.s3_backup_settings.s3_backup_settings.take_backups_s3": "pinjaman_online.overrides.backups.s3_take_backups",
	# printing: Debian's wkhtmltopdf (no patched Qt) renders the app's print formats; no warning to clerks
	"frappe.utils.pdf.is_wkhtmltopdf_valid": "pinjaman_online.printing.pdf.is_wkhtmltopdf_valid",
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
	# system_modules.py: a switched-off module's doctypes and endpoints answer 403 saying so
	"pinjaman_online.system_modules.enforce_on_request",
	# permissions: run_doc_method on a client's copy of a record the user may not read is refused
	# (overrides/doc_methods.py)
	"pinjaman_online.overrides.doc_methods.check_stored_record",
	# api/errors.py: a whitelisted method called without a required argument is a 417 naming it (a 500 in
	# Frappe); here, not in before_request, because a token's user is known only once Frappe has authenticated it
	"pinjaman_online.api.errors.missing_arguments",
]
before_request = [
	# error_responses.py, first: no traceback in any error response, and a trace id to refer to
	"pinjaman_online.error_responses.before_request",
	# observability.py: the request id (X-Request-ID) and start time, before any hook may refuse the request
	"pinjaman_online.observability.before_request",
	# api/errors.py: a form field whose name is not text is a 400 (Frappe fails calling and logging with it)
	"pinjaman_online.api.errors.unreadable_field_names",
	"pinjaman_online.login_policy.before_request",
	# api/errors.py: an unknown doctype on /api/resource or /api/v2 is a 404 (Frappe fails importing it)
	"pinjaman_online.api.errors.unknown_doctype",
	# api/errors.py: a list naming a table that is not the doctype's or a child table's is a 417 (a 500 in Frappe)
	"pinjaman_online.api.errors.foreign_tables",
	# api/errors.py: a request whose 'cmd' names another method than its path is a 400 (which one runs differs
	# between Frappe releases)
	"pinjaman_online.api.errors.ambiguous_method",
	# replica.py: a read-only or report request reads the primary when the configured read replica is down
	"pinjaman_online.replica.before_request",
]
after_request = [
	# permissions: no debug SQL in any answer to a non-System-Manager (overrides/reads.py)
	"pinjaman_online.overrides.reads.strip_debug_output",
	# api/errors.py, first: a JSON body that does not parse is a 400, not Frappe's 500
	"pinjaman_online.api.errors.malformed_json_response",
	# api/errors.py: a 4xx without a message (frappe.only_for, argument types) gets one a person can read
	"pinjaman_online.api.errors.add_missing_message",
	"pinjaman_online.login_policy.after_request",
	# file_serving.py: a private file a browser would run as a page is downloaded and sandboxed
	"pinjaman_online.file_serving.harden_private_file",
	# observability.py: X-Request-ID on the response, request metrics and the request's JSON log line
	"pinjaman_online.observability.after_request",
	# error_responses.py, last: strips tracebacks from the final error response, adds a 5xx's reference
	"pinjaman_online.error_responses.after_request",
]
on_login = "pinjaman_online.login_policy.on_login"

# Observability (observability.py): RQ jobs carry the request id of the request that enqueued them and log
# JSON lines; /metrics, /healthz and /readyz as plain paths.
before_job = ["pinjaman_online.observability.before_job"]
after_job = ["pinjaman_online.observability.after_job"]
page_renderer = ["pinjaman_online.observability.ObservabilityPage"]

# Personal data export (borrower KYC part): Frappe's request, collected on RQ, with the lending records.
override_doctype_class = {
	"Personal Data Download Request": "pinjaman_online.borrower.data_export.PersonalDataDownloadRequest",
	# permissions: a child row loaded on its own is checked against its parent record (overrides/child_rows.py)
	"Pension Fund File Column": "pinjaman_online.overrides.child_rows.PensionFundFileColumnRow",
	"Credit Score Line": "pinjaman_online.overrides.child_rows.CreditScoreLineRow",
	"Credit Scorecard Bin": "pinjaman_online.overrides.child_rows.CreditScorecardBinRow",
	"KYC Status History": "pinjaman_online.overrides.child_rows.KYCStatusHistoryRow",
	"Funder Settlement Line": "pinjaman_online.overrides.child_rows.FunderSettlementLineRow",
	"Loan Product Funder": "pinjaman_online.overrides.child_rows.LoanProductFunderRow",
	"Member Bank Account": "pinjaman_online.overrides.child_rows.MemberBankAccountRow",
	"Member Contact": "pinjaman_online.overrides.child_rows.MemberContactRow",
	"Member Document": "pinjaman_online.overrides.child_rows.MemberDocumentRow",
	"Application Document": "pinjaman_online.overrides.child_rows.ApplicationDocumentRow",
	"Committee Decision": "pinjaman_online.overrides.child_rows.CommitteeDecisionRow",
	"Eligibility Check": "pinjaman_online.overrides.child_rows.EligibilityCheckRow",
	"Required Member Document": "pinjaman_online.overrides.child_rows.RequiredMemberDocumentRow",
	"Loan Product Fee": "pinjaman_online.overrides.child_rows.LoanProductFeeRow",
	"Sales Commission Rate": "pinjaman_online.overrides.child_rows.SalesCommissionRateRow",
	"Loan Payment Allocation": "pinjaman_online.overrides.child_rows.LoanPaymentAllocationRow",
	"Loan Settlement Adjustment": "pinjaman_online.overrides.child_rows.LoanSettlementAdjustmentRow",
	"Ledger Account Mapping": "pinjaman_online.overrides.child_rows.LedgerAccountMappingRow",
}

# Document Events
# ---------------

doc_events = {
	# accounting: Books Closed Until moves only through Accounting Period Close
	"Accounting Settings": {
		"validate": "pinjaman_online.accounting.doctype.accounting_period_close.accounting_period_close."
		"guard_books_closed_until"
	},
	# permissions: a File record never opens another's private file (permissions.refuse_foreign_private_file)
	"File": {
		"before_insert": "pinjaman_online.permissions.refuse_foreign_private_file",
		"validate": "pinjaman_online.permissions.refuse_foreign_private_file",
	},
	# permissions: a record is followed (its changes mailed) only by who may read it
	"Document Follow": {"before_insert": "pinjaman_online.permissions.refuse_unreadable_follow"},
	# login_policy: Frappe logs each failed password login; the policy counts it against the client
	"Activity Log": {
		"after_insert": [
			"pinjaman_online.login_policy.on_failed_login",
			# observability: failed logins counted for /metrics
			"pinjaman_online.observability.count_login_failure",
		]
	},
	# monitoring: every Error Log is also an Exception Log with its source and severity
	"Error Log": {"after_insert": "pinjaman_online.monitoring.on_error_log"},
	"Exception Rule": {"on_change": "pinjaman_online.monitoring.clear_rules_cache"},
	# billing: a pension-deduction payment cancelled on its own takes back what it realised on the export
	"Loan Payment": {
		"on_cancel": "pinjaman_online.billing.reconciliation.on_payment_cancel",
		# events: PaymentReceived for every payment posted through the document (bulk: servicing.bulk)
		"on_submit": "pinjaman_online.borrower.events.on_payment_submit",
	},
	"Member": {"before_validate": "pinjaman_online.sales.utils.set_member_branch"},
	"Loan Application": {
		"before_validate": "pinjaman_online.sales.utils.set_application_agent",
		# events: LoanSubmitted; LoanApproved / LoanRejected / LoanConditionallyApproved on a workflow decision
		"on_submit": "pinjaman_online.borrower.events.on_application_submit",
		"on_update_after_submit": "pinjaman_online.borrower.events.on_application_update",
		"validate": [
			"pinjaman_online.funding.utils.validate_application_funder",
			"pinjaman_online.servicing.amounts.refuse_fractional_amounts",
		],
	},
	# money enters in whole Rupiah (Loan Payment checks it in its own validate)
	"Loan Penalty": {
		"validate": [
			"pinjaman_online.servicing.amounts.refuse_fractional_amounts",
			"pinjaman_online.servicing.amounts.refuse_amount_off_unit",
		]
	},
	"Refund Request": {"validate": "pinjaman_online.servicing.amounts.refuse_fractional_amounts"},
	"Funder Allocation": {"validate": "pinjaman_online.servicing.amounts.refuse_fractional_amounts"},
	"Loan Settlement": {"validate": "pinjaman_online.servicing.amounts.refuse_fractional_amounts"},
	"Loan Payment Request": {"validate": "pinjaman_online.servicing.amounts.refuse_fractional_amounts"},
	"Sales Target": {"validate": "pinjaman_online.servicing.amounts.refuse_fractional_amounts"},
	"Loan Product": {
		"validate": [
			"pinjaman_online.funding.utils.validate_product_funders",
			"pinjaman_online.sales.utils.validate_product_commission_rates",
		],
	},
	# accounting: a commission booked, paid, or cancelled posts its journal (accounting/posting.py)
	"Sales Commission": {
		"on_submit": "pinjaman_online.accounting.posting.post_commission",
		"on_update_after_submit": "pinjaman_online.accounting.posting.post_commission_paid",
		"on_cancel": "pinjaman_online.accounting.posting.reverse_voucher",
	},
	"Loan Disbursement": {
		"validate": "pinjaman_online.servicing.amounts.refuse_fractional_amounts",
		"on_submit": [
			"pinjaman_online.sales.utils.book_commission",
			"pinjaman_online.borrower.events.on_disbursement_submit",  # events: LoanDisbursed
		],
		"before_cancel": "pinjaman_online.sales.utils.allow_cancel_with_commission",
		"on_cancel": "pinjaman_online.sales.utils.reverse_commission",
	},
}

# Borrower events (borrower/events.py): event name -> handlers run on RQ, each called with the payload.
# ----------------

borrower_event_handlers = {
	"LoanApplied": [
		"pinjaman_online.borrower.notifications.on_loan_applied",
		"pinjaman_online.origination.decision.on_loan_applied",  # credit engine: score, decide
	],
	"LoanSubmitted": ["pinjaman_online.borrower.notifications.on_loan_submitted"],
	"LoanApproved": ["pinjaman_online.borrower.notifications.on_loan_approved"],
	"LoanRejected": ["pinjaman_online.borrower.notifications.on_loan_rejected"],
	"LoanConditionallyApproved": ["pinjaman_online.borrower.notifications.on_loan_conditionally_approved"],
	"LoanDisbursed": ["pinjaman_online.borrower.notifications.on_loan_disbursed"],
	"PaymentReceived": ["pinjaman_online.borrower.notifications.on_payment_received"],
	"DpdMilestone": ["pinjaman_online.borrower.notifications.on_dpd_milestone"],
	"FunderSettled": ["pinjaman_online.borrower.notifications.on_funder_settled"],
}

# Background jobs that may run again when a dead worker interrupted them (jobs.py; every
# borrower_event_handlers handler is one too): their effect is recorded once per fact.
rerun_safe_jobs = [
	"pinjaman_online.borrower.events.run_batch",
	"pinjaman_online.servicing.daily.drain",
]

# Scheduled Tasks
# ---------------

scheduler_events = {
	# observability: the scheduler's heartbeat for the health check
	"all": [
		"pinjaman_online.observability.record_scheduler_heartbeat",
		# jobs.py: rerun-safe jobs whose worker died mid-run go back on their queue
		"pinjaman_online.jobs.rerun_abandoned_jobs",
	],
	# backups.py: an encrypted backup with files when the newest is older than backup_interval_hours
	"hourly_long": ["pinjaman_online.backups.scheduled_backup"],
	"daily_long": [
		"pinjaman_online.servicing.daily.scheduled_run",
	],
	"daily": [
		# money requests' idempotency keys past their keeping time
		"pinjaman_online.api.idempotency.purge_expired",
		# borrower notifications: payment reminders, overdue notices, expired virtual accounts (enqueues a batch)
		"pinjaman_online.borrower.notifications.scheduled_daily",
		# the previous month's aging snapshot when its month-end run did not take it
		"pinjaman_online.servicing.daily.catch_up_aging_snapshot",
	],
	"monthly_long": [
		"pinjaman_online.funding.settlement.scheduled_month_end",
		# accounting: the allowance for losses at the last day of the previous month (provisioning.py)
		"pinjaman_online.accounting.provisioning.scheduled_month_end",
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
