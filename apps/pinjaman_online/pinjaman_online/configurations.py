"""The seed's global configurations (seed 004, User Management §8 ``sys_configurations``) and where they live.

Each key the seed names is a field of a settings single an admin edits in the desk (Pinjaman Online Settings,
Borrower Settings, Frappe's System Settings); this table only says which field holds which key, so the value
is read and changed in one place, with the settings' own validation and permissions, and takes effect at once
(every reader takes it from the cached settings document, cleared on save).
"""

from typing import NamedTuple


class Configuration(NamedTuple):
	key: str
	doctype: str
	fieldname: str
	unit: str
	description: str


CONFIGURATIONS = (
	Configuration(
		"MAX_LOGIN_ATTEMPTS", "Borrower Settings", "max_failed_logins", "attempts",
		"Failed logins a client may make before it must wait (login policy, every door)",
	),
	Configuration(
		"LOGIN_BACKOFF_SECONDS", "Borrower Settings", "login_backoff_seconds", "seconds",
		"The first wait after too many failed logins; it doubles up to the lockout",
	),
	Configuration(
		"LOCKOUT_MINUTES", "Borrower Settings", "lockout_minutes", "minutes",
		"The longest wait of a client that keeps failing",
	),
	Configuration(
		"ACCESS_TOKEN_MINUTES", "Borrower Settings", "access_token_minutes", "minutes",
		"Lifetime of an access token",
	),
	Configuration(
		"REFRESH_TOKEN_DAYS", "Borrower Settings", "refresh_token_days", "days",
		"Lifetime of a refresh token (a token session)",
	),
	Configuration("OTP_TTL_SECONDS", "Borrower Settings", "otp_ttl_seconds", "seconds", "Lifetime of an OTP code"),
	Configuration(
		"SESSION_EXPIRY", "System Settings", "session_expiry", "hh:mm",
		"Idle time after which a desk session ends (Frappe's own setting)",
	),
	Configuration(
		"INTEREST_CAP", "Pinjaman Online Settings", "max_annual_interest_rate", "% per year",
		"No loan product may charge more; 0 means no cap",
	),
	Configuration(
		"DSR_DEFAULT", "Pinjaman Online Settings", "default_dsr_limit", "%",
		"The DSR limit of a loan product that sets none",
	),
	Configuration(
		"DEFAULT_NOTIFICATION_CHANNEL", "Pinjaman Online Settings", "default_notification_channel", "channel",
		"The channel of a notification whose template ticks none (in-app is always sent)",
	),
	Configuration(
		"DEFAULT_AFTER_DAYS_PAST_DUE", "Pinjaman Online Settings", "default_after_days_past_due", "days",
		"Days past due after which the daily run marks a loan Default",
	),
	Configuration(
		"DIRECTOR_APPROVAL_THRESHOLD", "Pinjaman Online Settings", "director_approval_threshold", "Rupiah",
		"Principal above which the Director approves after the committee",
	),
	Configuration(
		"RECONCILIATION_TOLERANCE", "Pinjaman Online Settings", "reconciliation_tolerance", "Rupiah",
		"Difference between a deduction and its bill matched without an exception",
	),
	Configuration(
		"IDEMPOTENCY_KEY_HOURS", "Pinjaman Online Settings", "idempotency_key_hours", "hours",
		"How long a money endpoint remembers an Idempotency-Key",
	),
)  # fmt: skip
BY_KEY = {c.key: c for c in CONFIGURATIONS}
