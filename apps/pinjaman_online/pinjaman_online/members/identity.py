"""One person, one member, whatever the channel: the keyed NIK hash that finds a person on every path.

A member registered by staff keeps the NIK on the Member (the pension files need it); a borrower who
registered in the app has it only encrypted in the KYC Submission. Both carry the same keyed hash
(``lending.nik.lookup_hash``, HMAC-SHA256 under a per-purpose secret derived from the site's
``encryption_key`` in ``site_config.json``, never stored in the database): ``Member.nik_hash`` and
``KYC Submission.nik_hash``. Registration on either path looks the person up by it:

- staff registering a NIK that a borrower already registered in the app are refused (417, naming the
  member): they complete that member's pension data instead, so the person stays one member;
- a borrower registering in the app with the NIK of a member registered by staff is linked to that member
  (no second member) when the phone given is the one the cooperative has on file; the link is made once that
  phone is verified by its OTP, so knowing someone's NIK and number is not enough. Another phone is refused
  (417: update the phone at the cooperative first), and so is a member already linked to an account.

The double-financing check (``origination.utils.run_precheck``, ``borrower.loans.refuse_conflicts``) counts
the loans and applications of every member of the person (:func:`person_members`), so records made before
this rule (two members of one person) are still seen together.
"""

import frappe

from pinjaman_online.lending.nik import lookup_hash

HASH_PURPOSE = "nik"


def nik_hash(nik: str) -> str:
	"""The keyed lookup hash of ``nik`` (64 hex characters) under this site's secret."""
	from pinjaman_online.borrower.auth import site_secret

	return lookup_hash(site_secret(HASH_PURPOSE), nik)


def member_by_hash(lookup: str, exclude: str | None = None) -> str | None:
	"""The member of the person with keyed hash ``lookup``: a Member carrying it, else the member of a KYC
	Submission carrying it; ``exclude`` (a member name) is left out. None when nobody has it."""
	if not lookup:
		return None
	filters = {"nik_hash": lookup}
	if exclude:
		filters["name"] = ("!=", exclude)
	found = frappe.db.get_value("Member", filters, "name", order_by="creation asc")
	if found:
		return found
	kyc_filters = {"nik_hash": lookup, "member": ("is", "set")}
	if exclude:
		kyc_filters["member"] = ("!=", exclude)
	return frappe.db.get_value("KYC Submission", kyc_filters, "member", order_by="creation asc")


def person_members(member: str) -> list[str]:
	"""``member`` and every other member of the same person (same keyed NIK hash on a Member or on a KYC
	Submission), sorted; just ``[member]`` when the member has no hash."""
	hashes = {frappe.db.get_value("Member", member, "nik_hash")} | set(
		frappe.get_all("KYC Submission", {"member": member}, pluck="nik_hash")
	)
	hashes.discard(None)
	hashes.discard("")
	members = {member}
	if hashes:
		members |= set(frappe.get_all("Member", {"nik_hash": ("in", list(hashes))}, pluck="name"))
		members |= set(
			frappe.get_all(
				"KYC Submission", {"nik_hash": ("in", list(hashes)), "member": ("is", "set")}, pluck="member"
			)
		)
	return sorted(members)
