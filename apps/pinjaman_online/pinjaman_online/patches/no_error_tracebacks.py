"""Existing sites: System Settings' *allow_error_traceback* off (sites first made by older Frappe releases have
it on). New sites have it off by default. error_responses.py keeps tracebacks out of responses either way; this
keeps Frappe from building them at all."""

import frappe


def execute():
	frappe.db.set_single_value("System Settings", "allow_error_traceback", 0)
