"""Loan status changes in the desk's timeline: a Version of a loan written by the servicing code used to carry
its reason as a Version ``comment``, which Frappe's timeline shows instead of the change itself (a clerk read
"disbursement" and not "Status from Pending Disbursement to Active"). Each such Version gets the
``updater_reference`` the servicing code now writes (``servicing.state.updater_reference``): the reason, and
the document that caused the change, found on the Loan Status Change written in the same instant. Versions
without the comment are left alone, so running it again changes nothing.
"""

import json

import frappe

from pinjaman_online.servicing.state import updater_reference

BATCH = 1000


def execute():
	last = ""
	while True:
		versions = frappe.db.sql(
			"""SELECT name, docname, creation, data FROM `tabVersion`
			WHERE ref_doctype = 'Loan' AND name > %s AND data LIKE %s
			ORDER BY name LIMIT %s""",
			(last, '%"comment":%', BATCH),
			as_dict=True,
		)
		if not versions:
			return
		last = versions[-1].name
		for v in versions:
			data = json.loads(v.data or "{}")
			if "comment" not in data or not data.get("changed"):
				continue
			change = (
				frappe.db.get_value(
					"Loan Status Change",
					{"loan": v.docname, "creation": v.creation},
					["reference_doctype", "reference_name"],
					as_dict=True,
				)
				or frappe._dict()
			)
			data["updater_reference"] = updater_reference(
				change.reference_doctype, change.reference_name, data.pop("comment")
			)
			frappe.db.set_value(
				"Version", v.name, "data", json.dumps(data, separators=(",", ":")), update_modified=False
			)
