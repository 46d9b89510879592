"""The Exception Log: every process exception in one list, with severity, source, document and status
(seed 004 §8, ``exception_logs`` and ``GET /logs/exceptions``).

What feeds it:

- every Error Log Frappe writes (``frappe.log_error``: a failed or retried background job, a provider's
  error in ``integrations/``, a refused webhook, an unhandled error of a request, a posting failure logged by
  a job) through the ``after_insert`` hook :func:`on_error_log`; the Error Log itself, whose traceback may
  hold personal data, stays readable by System Managers only and is linked from the exception;
- a pension-deduction import that leaves lines for a person to decide (:func:`record_reconciliation`).

An exception's source and severity come from the Exception Rules (data an admin edits: the first enabled
rule, highest priority first, whose text the title contains) unless the caller gives them. The same open
exception (source, title and document) is counted again instead of listed twice. Retention is Frappe's Log
Settings (``default_log_clearing_doctypes`` in hooks.py); open exceptions are never purged.
"""

import frappe
from frappe import _
from frappe.utils import now_datetime

DOCTYPE = "Exception Log"
DEFAULT_SOURCE, DEFAULT_SEVERITY = "Other", "Medium"

# Installed when the site has no rule yet (setup.install); admins change them in the desk afterwards.
DEFAULT_RULES = (
	# (title contains, source, severity, priority)
	("pinjaman_online.servicing.daily", "Background Job", "High", 50),
	("pinjaman_online.billing", "Background Job", "High", 50),
	("pinjaman_online.funding", "Background Job", "High", 50),
	("Loan loss provisioning", "Posting", "Critical", 60),
	("Funder settlement", "Posting", "High", 60),
	("Payment webhook: bad signature", "Webhook", "High", 45),
	("Payment webhook", "Webhook", "Medium", 40),
	("Payment gateway", "Provider", "High", 40),
	("webhook", "Webhook", "Medium", 30),
	("KYC", "Provider", "Medium", 30),
	("Bureau", "Provider", "Medium", 30),
	("SMS", "Provider", "Medium", 30),
	("WhatsApp", "Provider", "Medium", 30),
	("E-mail", "Provider", "Low", 20),
	("Credit engine", "Background Job", "High", 30),
	("pinjaman_online.", "Background Job", "Medium", 10),
	("frappe.", "Web Request", "Medium", 5),
)


def _rules() -> list[dict]:
	def load():
		return frappe.get_all(
			"Exception Rule",
			filters={"enabled": 1},
			fields=["pattern", "source", "severity"],
			order_by="priority desc, creation asc",
		)

	return frappe.cache.get_value("pinjaman_exception_rules", load)


def clear_rules_cache(doc=None, method=None):
	"""doc_events hook of Exception Rule: rules changed in the desk apply to the next exception."""
	frappe.cache.delete_value("pinjaman_exception_rules")


def classify(title: str) -> tuple[str, str]:
	"""``(source, severity)`` of an exception titled ``title``: the first enabled Exception Rule (highest
	priority first) whose pattern the title contains, case-insensitively; ("Other", "Medium") otherwise."""
	lowered = (title or "").lower()
	for rule in _rules():
		if rule.pattern and rule.pattern.lower() in lowered:
			return rule.source, rule.severity
	return DEFAULT_SOURCE, DEFAULT_SEVERITY


def record_exception(
	title: str,
	*,
	source: str | None = None,
	severity: str | None = None,
	message: str | None = None,
	reference_doctype: str | None = None,
	reference_name: str | None = None,
	error_log: str | None = None,
) -> str | None:
	"""Record a process exception in the caller's transaction; returns the Exception Log's name.

	An open exception with the same source, title and document gets one more occurrence (its last seen
	time, message and Error Log updated) instead of a second row. Never raises: a failure to record is
	printed to the worker's log, so the exception being recorded is not hidden by another one.
	"""
	try:
		title = (title or "Error").strip()[:140]
		rule_source, rule_severity = classify(title)
		source, severity = source or rule_source, severity or rule_severity
		now = now_datetime()
		existing = frappe.db.get_value(
			DOCTYPE,
			{
				"status": "Open",
				"source": source,
				"title": title,
				"reference_doctype": reference_doctype or ("is", "not set"),
				"reference_name": reference_name or ("is", "not set"),
			},
			["name", "occurrences"],
			as_dict=True,
		)
		if existing:
			frappe.db.set_value(
				DOCTYPE,
				existing.name,
				{
					"occurrences": (existing.occurrences or 1) + 1,
					"last_occurred": now,
					"message": message,
					"error_log": error_log,
					"severity": severity,
				},
				update_modified=False,
			)
			return existing.name
		doc = frappe.get_doc(
			{
				"doctype": DOCTYPE,
				"title": title,
				"source": source,
				"severity": severity,
				"status": "Open",
				"message": message,
				"reference_doctype": reference_doctype,
				"reference_name": reference_name,
				"error_log": error_log,
				"occurrences": 1,
				"first_occurred": now,
				"last_occurred": now,
			}
		)
		doc.flags.ignore_permissions = True
		doc.flags.ignore_links = True
		doc.insert()
		return doc.name
	except Exception:  # noqa: BLE001 - recording must never hide the exception being recorded
		print(f"Could not record the exception {title!r}: {frappe.get_traceback()}")
		return None


def summary_of(error: str | None) -> str:
	"""The last line of a traceback (the exception and its message), which is what a reader of the list
	needs; the whole traceback stays in the Error Log."""
	lines = [line.strip() for line in (error or "").strip().splitlines() if line.strip()]
	return (lines[-1] if lines else "")[:1000]


def on_error_log(doc, method=None):
	"""doc_events hook: every Error Log also becomes (or counts again) an Exception Log."""
	record_exception(
		doc.method or "Error",
		message=summary_of(doc.error),
		reference_doctype=doc.reference_doctype,
		reference_name=doc.reference_name,
		error_log=doc.name,
	)


def record_reconciliation(import_name: str):
	"""Record (or count again) that the pension-deduction import ``import_name`` left lines for a person to
	decide (open Reconciliation Exceptions); does nothing when it left none. Never raises (the import's own
	work is done when this runs)."""
	try:
		return _record_reconciliation(import_name)
	except Exception:  # noqa: BLE001 - recording must never fail the import it records
		print(f"Could not record the reconciliation exceptions of {import_name}: {frappe.get_traceback()}")
		return None


def _record_reconciliation(import_name: str):
	row = frappe.db.sql(
		"""SELECT COUNT(*) AS n, COALESCE(SUM(amount), 0) AS amount FROM `tabReconciliation Exception`
		WHERE cut_import = %s AND status = 'Open'""",
		import_name,
		as_dict=True,
	)[0]
	if not row.n:
		return None
	from pinjaman_online.lending.money import format_rupiah, round_rupiah
	from pinjaman_online.utils import to_money

	return record_exception(
		"Pension deductions to reconcile by hand",
		source="Reconciliation",
		message=f"{row.n} lines, {format_rupiah(round_rupiah(to_money(row.amount)))}",
		reference_doctype="Pension Cut Import",
		reference_name=import_name,
	)


def resolve_reconciliation(import_name: str | None) -> int:
	"""Mark Resolved the open Exception Log of the pension-deduction import ``import_name`` once it has no open
	Reconciliation Exception left (the last one posted, refunded or dismissed by hand); returns how many rows
	it resolved. Never raises: the reconciliation it follows is done."""
	try:
		if not import_name or frappe.db.exists(
			"Reconciliation Exception", {"cut_import": import_name, "status": "Open"}
		):
			return 0
		names = frappe.get_all(
			DOCTYPE,
			filters={
				"status": "Open",
				"source": "Reconciliation",
				"reference_doctype": "Pension Cut Import",
				"reference_name": import_name,
			},
			pluck="name",
		)
		for name in names:
			frappe.db.set_value(
				DOCTYPE,
				name,
				{
					"status": "Resolved",
					"resolved_by": frappe.session.user,
					"resolved_on": now_datetime(),
					"resolution_note": _("Every line of the import was reconciled"),
				},
				update_modified=False,
			)
		return len(names)
	except Exception:  # noqa: BLE001 - recording must never fail the reconciliation it follows
		print(f"Could not resolve the exception log of {import_name}: {frappe.get_traceback()}")
		return 0


def install_default_rules():
	"""Insert DEFAULT_RULES when the site has no Exception Rule (after_install / after_migrate)."""
	if frappe.db.count("Exception Rule"):
		return
	for pattern, source, severity, priority in DEFAULT_RULES:
		frappe.get_doc(
			{
				"doctype": "Exception Rule",
				"pattern": pattern,
				"source": source,
				"severity": severity,
				"priority": priority,
				"enabled": 1,
			}
		).insert(ignore_permissions=True)
	clear_rules_cache()
