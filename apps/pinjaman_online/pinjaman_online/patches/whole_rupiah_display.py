"""The desk shows Rupiah without cents: System Settings' currency precision 0 on sites in IDR.

Frappe's desk formats a Currency value with System Settings' currency precision, else with the two decimals of
the number format (``Rp 87.000.000,00``); amounts in this app are whole Rupiah. Frappe's server formatting
(``get_field_precision``) reads a currency precision of 0 as unset, so the app's Currency fields also carry
``precision: 0`` in their doctypes: the changes Frappe records formatted in a Version (the form timeline) and
the Standard print format show whole Rupiah too. Frappe rounds to a field's precision only when asked
(``round_floats_in``, which the app does not call), so stored amounts and money handling do not change.
"""

import frappe


def execute():
	if frappe.db.get_default("currency") != "IDR":
		return
	frappe.db.set_single_value("System Settings", "currency_precision", "0")
	frappe.db.set_default("currency_precision", "0")
	frappe.clear_cache()
