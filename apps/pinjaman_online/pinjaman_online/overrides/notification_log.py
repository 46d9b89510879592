"""Notification Log methods of the desk's notification drawer, for the user's own notifications only."""

import frappe


@frappe.whitelist()
def mark_as_read(docname: str):
	"""``frappe.desk.doctype.notification_log.notification_log.mark_as_read`` of one of the user's own
	notifications; another user's (or one that does not exist) is left as it is, with the same empty answer.
	Frappe 15.44 marks any notification read by name, so any desk user could hide a borrower's unread
	notifications (a payment reminder) from them. Needed on v15 up to at least 15.44.2."""
	if frappe.flags.read_only or not docname:
		return
	if frappe.db.get_value("Notification Log", str(docname), "for_user") != frappe.session.user:
		return
	frappe.db.set_value("Notification Log", str(docname), "read", 1, update_modified=False)
