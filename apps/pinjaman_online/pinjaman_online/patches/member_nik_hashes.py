"""Give every member the keyed lookup hash of their NIK (``members/identity.py``), so that one person is
found on both channels: from ``Member.nik`` for members registered by staff, from their KYC Submission's
hash for borrowers registered in the app (their NIK stays encrypted there).

Idempotent: only members without a hash are filled, and a second run finds none. A person already
registered twice (a staff member and an app borrower with the same NIK, made before this rule) keeps the
hash on the older member only (the hash is unique per member); the double-financing check still sees both
through the KYC Submission's hash, and an Error Log names the pair for staff to merge.
"""

import frappe

from pinjaman_online.members.identity import nik_hash


def execute():
	if not frappe.db.has_column("Member", "nik_hash"):
		return
	taken = {
		h: name
		for name, h in frappe.db.sql(
			"select name, nik_hash from `tabMember` where ifnull(nik_hash, '') != ''"
		)
	}
	kyc_hashes = {
		member: h
		for member, h in frappe.db.sql(
			"""select member, nik_hash from `tabKYC Submission`
			where ifnull(member, '') != '' and ifnull(nik_hash, '') != '' order by creation asc"""
		)
	}
	duplicates = []
	for name, nik in frappe.db.sql(
		"select name, nik from `tabMember` where ifnull(nik_hash, '') = '' order by creation asc, name asc"
	):
		lookup = nik_hash(nik) if (nik or "").strip() else kyc_hashes.get(name)
		if not lookup:
			continue
		if lookup in taken:
			duplicates.append((taken[lookup], name))
			continue
		frappe.db.set_value("Member", name, "nik_hash", lookup, update_modified=False)
		taken[lookup] = name
	if duplicates:
		frappe.log_error(
			title="Members registered twice (same NIK)",
			message="\n".join(
				f"{first} and {second}: one person, to be merged" for first, second in duplicates
			),
		)
