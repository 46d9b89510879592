"""Frappe's "back up now" buttons of its cloud backup integrations (hooks.py ``override_whitelisted_methods``).

In Frappe any logged-in user may call them and each queues a whole-database backup on the long queue (and, when
configured, its upload); here only a System Manager may, as only a System Manager can open their settings.
"""

import frappe
from frappe.integrations.doctype.dropbox_settings import dropbox_settings
from frappe.integrations.doctype.google_drive import google_drive
from frappe.integrations.doctype.s3_backup_settings import s3_backup_settings


@frappe.whitelist(methods=["POST"])
def dropbox_take_backup():
	"""Frappe's Dropbox "Take Backup Now", for a System Manager only (403 otherwise)."""
	frappe.only_for("System Manager")
	return dropbox_settings.take_backup()


@frappe.whitelist(methods=["POST"])
def google_drive_take_backup():
	"""Frappe's Google Drive "Take Backup Now", for a System Manager only (403 otherwise)."""
	frappe.only_for("System Manager")
	return google_drive.take_backup()


@frappe.whitelist(methods=["POST"])
def s3_take_backup():
	"""Frappe's S3 "Take Backup Now", for a System Manager only (403 otherwise)."""
	frappe.only_for("System Manager")
	return s3_backup_settings.take_backup()


@frappe.whitelist(methods=["POST"])
def s3_take_backups():
	"""Frappe's scheduled S3 backup run, called by hand: for a System Manager only (403 otherwise)."""
	frappe.only_for("System Manager")
	return s3_backup_settings.take_backups_s3()
