"""Borrower mobile API, consents (UU 27/2022 Pelindungan Data Pribadi): the current consent texts, the
borrower's own consents, giving and withdrawing them. Logic and rules: ``borrower/consents.py`` and
``lending/consent.py``; contract: ``api/openapi/70_consents.json``.

``texts`` is open to guests (the app shows the texts before registration; limited per client address);
the others need ``Authorization: Bearer <access token>`` and act on the borrower's own records only.
"""

import frappe
from frappe.rate_limiter import rate_limit

from pinjaman_online.api import endpoint
from pinjaman_online.borrower import auth, consents

HOUR = 3600


@frappe.whitelist(allow_guest=True, methods=["GET"])
@rate_limit(limit=auth.guest_requests_per_ip, seconds=HOUR)
def texts() -> dict:
	"""`GET /consents/texts`: the current text of every consent type (type, version, title, text, its
	SHA-256, the steps that require it, whether it can be withdrawn)."""
	return {"texts": consents.texts_payload()}


@frappe.whitelist(methods=["GET"])
@endpoint
def mine() -> dict:
	"""`GET /consents`: the borrower's consents (given and withdrawn, newest first, with version, hash,
	channel, application), which types are in force, and the current texts."""
	auth.current_claims()
	return consents.listing(frappe.session.user)


@frappe.whitelist(methods=["POST"])
@endpoint
def give(consents_given: list | str) -> dict:
	"""`POST /consents`: give consents again or for the first time (``consents_given``: codes such as
	``["marketing"]`` or ``[{"type": "data_processing", "version": "2026-01"}]``), at the current versions.
	The credit bureau check is given with each application, not here (417). Returns the same as ``mine``."""
	auth.current_claims()
	return consents.give(frappe.session.user, consents_given)


@frappe.whitelist(methods=["POST"])
@endpoint
def withdraw(consent_type: str) -> dict:
	"""`POST /consents/withdraw`: withdraw the borrower's consent of ``consent_type`` (code or type).
	Marketing and personal data processing any time (no new application while data processing is
	withdrawn); the terms never (417); the credit bureau check not while its application is being decided
	(409). Returns the same as ``mine``."""
	auth.current_claims()
	return consents.withdraw(frappe.session.user, consent_type)
