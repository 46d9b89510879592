"""A server error on demand, for the HTTP tests of error responses (tests/http/test_serving.py).

Answers only on a site whose site config has ``allow_tests`` (bin/test sets it on its throwaway site), as
Frappe's own test helpers do; anywhere else it is a 404.
"""

import frappe
from frappe import _


@frappe.whitelist(allow_guest=True, methods=["GET", "POST"])
def raise_server_error(as_older_frappe: int = 0):
	"""Fail with an unhandled ``ZeroDivisionError`` (an HTTP 500 with an Error Log), on test sites only.

	``as_older_frappe=1`` clears Frappe's ``disable_traceback`` flag first, as a Frappe release that does not
	honour it would: Frappe then writes the traceback into the response when System Settings allow it, and only
	the app's after_request hook stands between it and the client.
	Raises ``frappe.DoesNotExistError`` (404) when site config ``allow_tests`` is not set."""
	if not frappe.conf.allow_tests:
		raise frappe.DoesNotExistError(_("Not found"))
	if int(as_older_frappe):
		frappe.local.flags.disable_traceback = False
	return len(frappe.session.user) // 0
