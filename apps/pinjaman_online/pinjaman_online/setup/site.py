"""Site-level setup: the setup wizard for an Indonesian cooperative, and the test site's baseline."""

import frappe

INDONESIA = {
	"language": "English",
	"country": "Indonesia",
	"timezone": "Asia/Jakarta",
	"currency": "IDR",
}


def complete_setup(email: str = "admin@koperasi.example", full_name: str = "Koperasi Admin"):
	"""Complete Frappe's setup wizard for Indonesia (IDR, Asia/Jakarta) so the desk opens directly.

	Idempotent: does nothing when setup is already complete except re-applying the regional defaults.
	"""
	from frappe.desk.page.setup_wizard.setup_wizard import setup_complete

	if not frappe.db.get_single_value("System Settings", "setup_complete"):
		setup_complete(
			{**INDONESIA, "email": email, "full_name": full_name, "password": frappe.generate_hash()}
		)
	apply_regional_defaults()
	frappe.db.commit()


def apply_regional_defaults():
	system = frappe.get_single("System Settings")
	system.country = "Indonesia"
	system.time_zone = "Asia/Jakarta"
	system.currency = "IDR"
	system.date_format = "dd-mm-yyyy"
	system.number_format = "#.###,##"
	system.float_precision = 3
	system.currency_precision = "0"  # whole Rupiah in the desk: Rp 87.000.000, not Rp 87.000.000,00
	system.flags.ignore_permissions = True
	system.save()
	frappe.db.set_default("currency", "IDR")
	frappe.db.set_default("country", "Indonesia")
	frappe.db.set_default("time_zone", "Asia/Jakarta")
	frappe.db.set_value("Currency", "IDR", "enabled", 1)


def before_tests():
	"""Frappe's test runner calls this once per run: the wizard done, IDR/Jakarta set."""
	frappe.clear_cache()
	complete_setup()
