"""Credit bureau adapter (seed 003 §8 Risk Engine: the third-party credit score / the borrower's record).

Contract with the provider: ``POST <bureau_base_url>/credit-reports`` with ``Authorization: Bearer
<bureau_api_key>`` (Borrower Settings) and JSON ``{"nik", "full_name", "birth_date" (YYYY-MM-DD),
"reference"}``; a 2xx answer is a JSON object ``{"report_id": str, "score": int, "max_dpd": int,
"flags": [str, ...]}`` (``max_dpd``: the largest days past due on the person's credit lines; ``flags``:
adverse markers such as ``FRAUD``, ``BLACKLIST``, ``WRITE_OFF``). A person unknown to the bureau is an answer
without ``score``.

Connection errors, timeouts, non-2xx answers and malformed bodies are logged in Error Log and raised as
:class:`BureauError`; the credit engine then refers the application to an analyst (never crashes).
"""

import frappe
from frappe import _

from pinjaman_online.integrations.base import Provider, post_json


class BureauError(frappe.ValidationError):
	pass


PROVIDER = Provider("Credit bureau", "bureau_base_url", "bureau_api_key", BureauError)


def _int_or_none(value, name: str, reference: str):
	if value is None:
		return None
	if isinstance(value, bool) or not isinstance(value, int | str):
		_malformed(f"{name} is {value!r}", reference)
	try:
		return int(value)
	except ValueError:
		_malformed(f"{name} is {value!r}", reference)


def _malformed(detail: str, reference: str):
	frappe.log_error(
		title="Credit bureau", message=f"{reference}: malformed answer: {detail}", defer_insert=True
	)
	frappe.throw(_("The credit bureau's answer could not be read"), exc=BureauError)


def credit_report(nik: str, full_name: str, birth_date: str | None, reference: str) -> dict:
	"""The bureau's report on a person: ``{"report_id", "score" (int|None), "max_dpd" (int|None),
	"flags" (list of upper-case str), "raw" (the answer)}``. Raises :class:`BureauError` when the bureau is
	not configured, cannot be reached, refuses or answers something unreadable (logged)."""
	answer = post_json(
		PROVIDER,
		"/credit-reports",
		{"nik": nik, "full_name": full_name, "birth_date": birth_date, "reference": reference},
		failure=_("The credit bureau could not be reached"),
		log_context=f"credit report for {reference}",
	)
	flags = answer.get("flags") or []
	if not isinstance(flags, list) or not all(isinstance(f, str) for f in flags):
		_malformed(f"flags is {flags!r}", reference)
	return {
		"report_id": str(answer.get("report_id") or ""),
		"score": _int_or_none(answer.get("score"), "score", reference),
		"max_dpd": _int_or_none(answer.get("max_dpd"), "max_dpd", reference),
		"flags": [f.strip().upper() for f in flags if f.strip()],
		"raw": answer,
	}
