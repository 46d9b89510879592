"""SMS gateway adapter (borrower).

Contract with the gateway: ``POST <sms_base_url>/messages`` with JSON ``{"to": "+62…", "message": "…"}`` and
``Authorization: Bearer <sms_api_key>``; any 2xx is accepted and its JSON (e.g. ``{"id": …}``) returned.
"""

import frappe
from frappe import _

from pinjaman_online.integrations.base import Provider, post_json


class SmsError(frappe.ValidationError):
	pass


SMS = Provider("SMS gateway", "sms_base_url", "sms_api_key", SmsError)


def send_sms(to: str, message: str) -> dict:
	"""Send ``message`` to the E.164 number ``to``; returns the gateway's JSON answer. Raises
	:class:`SmsError` (HTTP 417) when no gateway is configured or it fails (logged in Error Log)."""
	return post_json(
		SMS,
		"/messages",
		{"to": to, "message": message},
		failure=_("The SMS could not be sent; try again in a moment"),
		log_context=f"to {to}",
	)
