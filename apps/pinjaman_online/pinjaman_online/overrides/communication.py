"""Frappe's "send an email" door, ``frappe.core.doctype.communication.email.make`` (hooks.py
``override_whitelisted_methods``).

In Frappe any logged-in user may call it, a borrower's token too, and with no record named it checks nothing:
an email of any content to any address from the cooperative's mail account. Its ``print_html`` is HTML that is
rendered to a PDF by wkhtmltopdf when the email is sent, loading whatever the HTML names from the server's
network (an internal page, emailed to the caller); its ``attachments`` copy any File by name onto the email, a
member's private KYC photo too. Here:

- only desk users (staff) send emails; a borrower's token or a website user gets 403;
- ``print_html`` is refused (417): the desk attaches a record's print by its print format, never as HTML;
- every attachment must be a File the user may read (403 otherwise, as a File that does not exist);
- the record named must be one the user may email (Frappe's own check).
"""

import frappe
from frappe import _
from frappe.core.doctype.communication import email as frappe_email

from pinjaman_online.login_policy import desk_user
from pinjaman_online.overrides import json_argument


def _attachment_names(attachments) -> list:
	"""The attachments argument as a list (Frappe takes a list or its JSON)."""
	if attachments in (None, "", "[]"):
		return []
	return json_argument(attachments, list, _("Attachments must be a JSON list of file names."))


@frappe.whitelist(methods=["POST"])
def make(
	doctype=None,
	name=None,
	content=None,
	subject=None,
	sent_or_received="Sent",
	sender=None,
	sender_full_name=None,
	recipients=None,
	communication_medium="Email",
	send_email=False,
	print_html=None,
	print_format=None,
	attachments=None,
	send_me_a_copy=False,
	cc=None,
	bcc=None,
	read_receipt=None,
	print_letterhead=True,
	email_template=None,
	communication_type=None,
	send_after=None,
	print_language=None,
	now=False,
):
	"""Frappe's ``make`` (same arguments and answer: ``{"name": communication}``) for staff.

	:raises frappe.PermissionError: a user without desk access; an attachment that is not a File the user may
	  read; a record the user may not email — 403
	:raises frappe.ValidationError: ``print_html`` given; attachments that are not a list — 417
	"""
	if not desk_user(frappe.session.user):
		frappe.throw(_("Only staff can send emails."), frappe.PermissionError)
	if print_html:
		frappe.throw(_("Attach a record's print by its print format; a print cannot be sent as HTML."))
	attachments = _attachment_names(attachments)
	for attachment in attachments:
		if isinstance(attachment, dict):
			continue  # Frappe copies only File names; other entries it skips
		if (
			not isinstance(attachment, str)
			or not frappe.db.exists("File", attachment)
			or not frappe.has_permission("File", "read", attachment)
		):
			frappe.throw(
				_("You may not attach file {0}.").format(frappe.bold(str(attachment)[:60])),
				frappe.PermissionError,
			)
	return frappe_email.make(
		doctype=doctype,
		name=name,
		content=content,
		subject=subject,
		sent_or_received=sent_or_received,
		sender=sender,
		sender_full_name=sender_full_name,
		recipients=recipients,
		communication_medium=communication_medium,
		send_email=send_email,
		print_format=print_format,
		attachments=[a for a in attachments if isinstance(a, str)],
		send_me_a_copy=send_me_a_copy,
		cc=cc,
		bcc=bcc,
		read_receipt=read_receipt,
		print_letterhead=print_letterhead,
		email_template=email_template,
		communication_type=communication_type,
		send_after=send_after,
		print_language=print_language,
		now=now,
	)
