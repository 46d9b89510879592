"""Borrower mobile API, KYC part (seed 002 §8.2 ``POST /api/v1/kyc/upload``; seed 003 "KYC Service"): upload of
the KTP photo and the selfie, the KYC status, and the personal data export (UU PDP subject access).

Every endpoint needs ``Authorization: Bearer <access token>`` (``borrower.auth``). Logic lives in
``borrower/kyc.py`` and ``borrower/data_export.py``; the contract is ``api/openapi/20_kyc.json``.
"""

import base64
import binascii

import frappe
from frappe import _

from pinjaman_online.api import endpoint
from pinjaman_online.borrower import auth, kyc
from pinjaman_online.borrower import data_export as exports

EXPORTS_PER_DAY = 3


def _decode_base64(value: str | None, label: str) -> bytes | None:
	if not value:
		return None
	text = value.strip()
	if text.startswith("data:") and "," in text:  # data:image/jpeg;base64,....
		text = text.split(",", 1)[1]
	try:
		return base64.b64decode(text, validate=True)
	except (binascii.Error, ValueError):
		frappe.throw(_("{0} is not valid base64").format(label), exc=kyc.KycError)


@frappe.whitelist(methods=["POST"])
@endpoint
def upload(ktp: str | None = None, selfie: str | None = None) -> dict:
	"""`POST /api/v1/kyc/upload`: the KTP photo and the selfie, both at once, as ``multipart/form-data``
	file parts named ``ktp`` and ``selfie``, or as JSON ``{"ktp": <base64>, "selfie": <base64>}``.

	JPEG or PNG, each at most Borrower Settings' size (417 otherwise). Allowed before the first verification
	and again after a rejection. The verification runs in the background; poll ``status``. Returns the same
	shape as ``status``."""
	auth.current_claims()
	files = frappe.request.files if frappe.request else {}
	ktp_bytes = files["ktp"].stream.read() if "ktp" in files else _decode_base64(ktp, _("KTP photo"))
	selfie_bytes = files["selfie"].stream.read() if "selfie" in files else _decode_base64(selfie, _("Selfie"))
	return kyc.accept_upload(frappe.session.user, ktp_bytes, selfie_bytes)


@frappe.whitelist(methods=["GET"])
@endpoint
def status() -> dict:
	"""`GET /api/v1/kyc/status`: the borrower's KYC status (Pending / Verified / Rejected), its stage, the
	rejection reason (Indonesian) when rejected, the masked NIK and the status history."""
	auth.current_claims()
	return kyc.status_for(frappe.session.user)


@frappe.whitelist(methods=["POST"])
@endpoint
def request_data_export() -> dict:
	"""`POST /users/data-export`: ask for an export of all the borrower's personal data (JSON, prepared in the
	background; a private file only they can download). At most 3 requests a day."""
	auth.current_claims()
	user = frappe.session.user
	auth.hit_limit("data-export", user, EXPORTS_PER_DAY, seconds=86400)
	return exports.request_export(user)


@frappe.whitelist(methods=["GET"])
@endpoint
def data_export(request: str | None = None) -> dict:
	"""`GET /users/data-export`: status of the latest (or the given) export request; when ``Ready``,
	``file_url`` is the private file to download with the same bearer token."""
	auth.current_claims()
	return exports.export_status(frappe.session.user, request)
