"""SMS gateway adapter (borrower).

Contract with the gateway: ``POST <sms_base_url>/messages`` with JSON ``{"to": "+62…", "message": "…"}`` and
``Authorization: Bearer <sms_api_key>``; any 2xx is accepted and its JSON (e.g. ``{"id": …}``) returned.
"""

import frappe
import requests
from frappe import _
from frappe.utils.password import get_decrypted_password

TIMEOUT_SECONDS = 10


class SmsError(frappe.ValidationError):
	pass


def send_sms(to: str, message: str) -> dict:
	settings = frappe.get_cached_doc("Borrower Settings")
	base_url = (settings.sms_base_url or "").rstrip("/")
	if not base_url:
		frappe.throw(_("No SMS gateway configured in Borrower Settings"), exc=SmsError)
	api_key = get_decrypted_password("Borrower Settings", "Borrower Settings", "sms_api_key", False) or ""
	try:
		response = requests.post(
			f"{base_url}/messages",
			json={"to": to, "message": message},
			headers={"Authorization": f"Bearer {api_key}"},
			timeout=TIMEOUT_SECONDS,
		)
		response.raise_for_status()
	except requests.RequestException as exc:
		frappe.log_error(title="SMS gateway", message=f"to {to}: {exc}")
		frappe.throw(_("The SMS could not be sent; try again in a moment"), exc=SmsError)
	try:
		return response.json()
	except ValueError:
		return {}
