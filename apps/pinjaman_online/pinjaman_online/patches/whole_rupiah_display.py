"""The desk shows Rupiah without cents: System Settings' currency precision 0 on sites in IDR.

Frappe's desk formats a Currency value with System Settings' currency precision, else with the two decimals of
the number format (``Rp 87.000.000,00``); amounts in this app are whole Rupiah. Server-side rounding keeps
Frappe's own precision (``get_field_precision`` reads a precision of 0 as unset), so stored amounts and money
handling do not change.
"""

import frappe


def execute():
	if frappe.db.get_default("currency") != "IDR":
		return
	frappe.db.set_single_value("System Settings", "currency_precision", "0")
	frappe.db.set_default("currency_precision", "0")
	frappe.clear_cache()
