"""What every HTTP provider adapter shares: base URL and API key from Borrower Settings, a JSON POST with a
timeout and ``Authorization: Bearer <key>``, failures logged in Error Log and raised as the adapter's error.

An adapter names its settings fields and error class::

	post_json(Provider("SMS gateway", "sms_base_url", "sms_api_key", SmsError), "/messages", {...},
	          failure=_("The SMS could not be sent; try again in a moment"))

The failure is logged with ``defer_insert`` so the Error Log survives the caller's rollback.
"""

from dataclasses import dataclass

import frappe
import requests
from frappe import _
from frappe.utils.password import get_decrypted_password

SETTINGS = "Borrower Settings"
TIMEOUT_SECONDS = 10


@dataclass(frozen=True)
class Provider:
	"""An HTTP provider configured in Borrower Settings: a title for logs, its base-URL and API-key
	fields, and the exception class raised when it cannot be reached or refuses."""

	title: str
	base_url_field: str
	api_key_field: str
	error: type[Exception]

	def base_url(self) -> str:
		"""The configured base URL without a trailing slash; raises ``error`` when none is set."""
		# Read from the database, not the cached document: a job that loaded the settings in a transaction
		# begun before an admin's change can put the old document back in the cache after the change's
		# invalidation, and a provider URL must never be stale. One indexed read next to an HTTP call.
		url = (frappe.db.get_single_value(SETTINGS, self.base_url_field) or "").strip().rstrip("/")
		if not url:
			frappe.throw(_("No {0} configured in Borrower Settings").format(_(self.title)), exc=self.error)
		return url

	def api_key(self) -> str:
		return get_decrypted_password(SETTINGS, SETTINGS, self.api_key_field, False) or ""


def post_json(provider: Provider, path: str, payload: dict, failure: str, log_context: str = "") -> dict:
	"""POST ``payload`` as JSON to ``<base URL><path>``; returns the answer's JSON object ({} when the body
	is not JSON). Any connection error, timeout or non-2xx answer is logged (title = provider title, with
	``log_context`` and the answer's status and first 500 characters) and raised as ``provider.error`` with
	the human message ``failure``."""
	url = provider.base_url() + path
	try:
		response = requests.post(
			url,
			json=payload,
			headers={"Authorization": f"Bearer {provider.api_key()}"},
			timeout=TIMEOUT_SECONDS,
		)
		response.raise_for_status()
	except requests.RequestException as exc:
		answer = getattr(exc, "response", None)
		detail = f"{answer.status_code} {answer.text[:500]}" if answer is not None else str(exc)
		frappe.log_error(
			title=provider.title, message=f"{log_context}\nPOST {url}: {detail}", defer_insert=True
		)
		frappe.throw(failure, exc=provider.error)
	try:
		data = response.json()
	except ValueError:
		return {}
	return data if isinstance(data, dict) else {}
