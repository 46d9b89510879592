"""Personal data export (UU PDP 27/2022 subject access: a member can request an export of their
data) on Frappe's Personal Data Download Request.

Frappe's request (website "Download my data", desk) collects the ``user_data_fields`` doctypes in the web
request and then writes a private JSON File attached to the request on RQ and e-mails a signed link. This app
overrides the class (hooks ``override_doctype_class``) so that:

- the whole collection runs on RQ (the request only inserts the document);
- the export also holds the lending records, which are linked to the Member, not to the user, so
  ``user_data_fields`` (a user-valued filter) cannot reach them: User, Member (with child tables), KYC
  Submission (the NIK decrypted: it is the borrower's own), loan applications, loans, installments,
  payments, payment requests, credit score results, notifications, consents, registered devices;
- the File is owned by the requesting user (private: only they and Administrator can read it);
- without an outgoing e-mail account the link is not mailed (Frappe's request would fail): the borrower
  downloads the file in the app.

A borrower asks through ``api.mobile_kyc.request_data_export`` and polls ``api.mobile_kyc.data_export``.
"""

import json

import frappe
from frappe.utils.password import get_decrypted_password
from frappe.website.doctype.personal_data_download_request.personal_data_download_request import (
	PersonalDataDownloadRequest as FrappePersonalDataDownloadRequest,
)
from frappe.website.doctype.personal_data_download_request.personal_data_download_request import (
	get_user_data,
)

REQUEST = "Personal Data Download Request"
# Doctypes whose records hang off the member: (doctype, link field to Member).
MEMBER_RECORDS = (
	("Loan Application", "member"),
	("Loan", "member"),
	("Loan Payment", "member"),
	("Loan Payment Request", "member"),
	("Credit Score Result", "member"),
)
# Doctypes whose records carry the user: (doctype, user field, fields or ["*"]).
USER_RECORDS = (
	("Borrower Notification", "user", ["*"]),
	("Consent Record", "user", ["*"]),
	("Notification Log", "for_user", ["name", "subject", "email_content", "type", "read", "creation"]),
	("Borrower Device", "user", ["name", "device_id", "device_name", "status", "creation", "last_used_on"]),
)
USER_FIELDS = ("name", "full_name", "email", "mobile_no", "language", "creation", "last_login", "enabled")
HIDDEN_KEYS = {"nik_hash", "public_key", "code_hash", "token_hash", "jwt_secret"}


class PersonalDataDownloadRequest(FrappePersonalDataDownloadRequest):
	def after_insert(self):
		frappe.enqueue_doc(self.doctype, self.name, "build_and_send", queue="short", now=frappe.flags.in_test)

	def build_and_send(self):
		"""RQ job (run as the requesting user): the private JSON File attached to the request, then Frappe's
		e-mail with a signed download link when the site has an outgoing e-mail account."""
		data = personal_data(self.user)
		f = frappe.get_doc(
			{
				"doctype": "File",
				"file_name": f"Personal-Data-{(self.user_name or self.user).replace(' ', '-')}-{self.name}.json",
				"attached_to_doctype": self.doctype,
				"attached_to_name": self.name,
				"content": json.dumps(data, indent=1, default=str, sort_keys=True),
				"is_private": 1,
			}
		)
		f.save(ignore_permissions=True)
		try:
			self.send_link(f.file_url)
		except frappe.OutgoingEmailError:
			frappe.clear_last_message()  # the borrower downloads it in the app instead

	def send_link(self, file_url: str):
		"""Frappe's "Download Your Data" e-mail with a signed link (as in the standard request)."""
		from frappe import _
		from frappe.utils.verified_command import get_signed_params

		link = (
			frappe.utils.get_url("/api/method/frappe.utils.file_manager.download_file")
			+ "?"
			+ get_signed_params({"file_url": file_url})
		)
		frappe.sendmail(
			recipients=self.user,
			subject=_("Download Your Data"),
			template="download_data",
			args={
				"user": self.user,
				"user_name": self.user_name,
				"link": link,
				"host_name": frappe.local.site,
			},
			header=[_("Download Your Data"), "green"],
		)


def personal_data(user: str) -> dict:
	"""Everything the app keeps about ``user`` (see the module docstring), as JSON-ready dicts."""
	data = {"User": frappe.db.get_value("User", user, list(USER_FIELDS), as_dict=True)}
	frappe_data = json.loads(get_user_data(user) or "{}")
	if frappe_data:
		data["frappe"] = frappe_data
	members = frappe.get_all("Member", {"user": user}, pluck="name")
	data["Member"] = [clean(frappe.get_doc("Member", m).as_dict()) for m in members]
	kyc = []
	for name in frappe.get_all("KYC Submission", {"user": user}, pluck="name"):
		row = clean(frappe.get_doc("KYC Submission", name).as_dict())
		row["nik"] = get_decrypted_password("KYC Submission", name, "nik", raise_exception=False)
		row["images"] = kyc_images(row)
		kyc.append(row)
	data["KYC Submission"] = kyc
	for doctype, field in MEMBER_RECORDS:
		if members and frappe.db.exists("DocType", doctype):
			data[doctype] = [clean(r) for r in frappe.get_all(doctype, {field: ("in", members)}, ["*"])]
	loans = [loan["name"] for loan in data.get("Loan", [])]
	data["Loan Installment"] = (
		[clean(r) for r in frappe.get_all("Loan Installment", {"loan": ("in", loans)}, ["*"])]
		if loans
		else []
	)
	for doctype, field, fields in USER_RECORDS:
		if frappe.db.exists("DocType", doctype):
			data[doctype] = [clean(r) for r in frappe.get_all(doctype, {field: user}, fields)]
	return data


def kyc_images(row: dict) -> dict:
	"""The KTP photo and selfie of a KYC Submission as ``{field: {"file_name", "content_base64"}}``: the
	member's own personal data, which they cannot download from the desk (reviewers only)."""
	import base64
	import os

	from pinjaman_online.borrower.kyc import file_content

	images = {}
	for field in ("ktp_image", "selfie_image"):
		if row.get(field):
			try:
				content = file_content(row[field])
			except Exception:  # noqa: BLE001 - a missing file must not stop the export; it is named instead
				frappe.log_error(title="Personal data export", message=f"{row['name']} {field}: unreadable")
				content = None
			images[field] = {
				"file_name": os.path.basename(row[field]),
				"content_base64": base64.b64encode(content).decode() if content is not None else None,
			}
	return images


def clean(row: dict) -> dict:
	"""A record without internal keys (hashes, keys) and Frappe's bookkeeping of child rows."""
	out = {}
	for key, value in dict(row).items():
		if key in HIDDEN_KEYS or key in (
			"docstatus",
			"idx",
			"_user_tags",
			"_comments",
			"_assign",
			"_liked_by",
		):
			continue
		if isinstance(value, list):
			value = [clean(v) if isinstance(v, dict) else v for v in value]
		out[key] = value
	return out


def request_export(user: str) -> dict:
	"""Insert a Personal Data Download Request for ``user`` (the export follows on RQ); its status."""
	doc = frappe.get_doc({"doctype": REQUEST, "user": user})
	doc.insert(ignore_permissions=True)
	return export_status(user, doc.name)


def export_status(user: str, request: str | None = None) -> dict:
	"""``{"request", "status": "Queued" | "Ready", "requested_on", "file_url"}`` of the user's latest (or the
	given) request; another user's request is not found (404)."""
	filters = {"user": user}
	if request:
		filters["name"] = request
	row = frappe.db.get_value(REQUEST, filters, ["name", "creation"], as_dict=True, order_by="creation desc")
	if not row:
		frappe.throw(frappe._("No data export request found"), exc=frappe.DoesNotExistError)
	file_url = frappe.db.get_value(
		"File",
		{"attached_to_doctype": REQUEST, "attached_to_name": row.name, "is_private": 1},
		"file_url",
		order_by="creation desc",
	)
	return {
		"request": row.name,
		"status": "Ready" if file_url else "Queued",
		"requested_on": row.creation,
		"file_url": file_url,
	}
