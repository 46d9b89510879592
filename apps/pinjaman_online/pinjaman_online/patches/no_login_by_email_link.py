"""No login by an emailed link, on existing sites (and, from after_install, on new ones).

Frappe 15 turns System Settings' *Login with email link* on for new sites: anybody may ask, as a guest and
without any limit, that a one-time login link be mailed to any user (``frappe.www.login.send_login_link``).
Staff log in with their password under the app's login policy and borrowers with the mobile app's OTP; the
link is another door into every staff account (whoever reads the mailbox is in) and a way to have the
cooperative's mail account send mail without end. An admin may turn it on again in System Settings.
"""

import frappe


def execute():
	frappe.db.set_single_value("System Settings", "login_with_email_link", 0)
	frappe.clear_cache()
