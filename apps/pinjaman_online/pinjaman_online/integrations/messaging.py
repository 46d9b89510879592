"""Borrower messaging adapters besides SMS (integrations/sms.py): WhatsApp over an HTTP gateway, and e-mail.

WhatsApp contract: ``POST <whatsapp_base_url>/messages`` with JSON ``{"to": "+62…", "type": "text",
"message": "…"}`` and ``Authorization: Bearer <whatsapp_api_key>``; any 2xx is accepted, its JSON
(e.g. ``{"id": …}``) returned.

E-mail goes through Frappe's own mail stack (``frappe.sendmail`` → Email Queue → the site's outgoing Email
Account): SMTP settings, retries, bounce tracking and the queue's status are Frappe's, so no HTTP mail
adapter duplicates them; the queue entry's name is the provider id.
"""

import frappe
from frappe import _

from pinjaman_online.integrations.base import Provider, post_json


class WhatsAppError(frappe.ValidationError):
	pass


class EmailError(frappe.ValidationError):
	pass


WHATSAPP = Provider("WhatsApp gateway", "whatsapp_base_url", "whatsapp_api_key", WhatsAppError)


def send_whatsapp(to: str, message: str) -> dict:
	"""Send a text ``message`` to the E.164 number ``to`` by WhatsApp; returns the gateway's JSON answer.
	Raises :class:`WhatsAppError` (HTTP 417) when no gateway is configured or it fails (logged)."""
	return post_json(
		WHATSAPP,
		"/messages",
		{"to": to, "type": "text", "message": message},
		failure=_("The WhatsApp message could not be sent; try again in a moment"),
		log_context=f"to {to}",
	)


def send_email(to: str, subject: str, message: str, reference_doctype=None, reference_name=None) -> str:
	"""Queue an e-mail (plain text ``message``, shown as paragraphs) to ``to`` in Frappe's Email Queue;
	returns the Email Queue name. Raises :class:`EmailError` when the address is not valid or nothing was
	queued."""
	if not frappe.utils.validate_email_address(to or ""):
		frappe.throw(_("{0} is not a valid e-mail address").format(to), exc=EmailError)
	html = "".join(f"<p>{frappe.utils.escape_html(p)}</p>" for p in message.split("\n\n") if p.strip())
	queue = frappe.sendmail(
		recipients=[to],
		subject=subject,
		message=html,
		reference_doctype=reference_doctype,
		reference_name=reference_name,
		delayed=True,
	)
	if not queue:
		frappe.throw(_("The e-mail to {0} could not be queued").format(to), exc=EmailError)
	return queue.name
