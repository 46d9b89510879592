"""Borrower KYC (seed 002 §8.2 ``POST /api/v1/kyc/upload``, seed 003 "KYC Service"): KTP photo and selfie
upload, e-KYC verification on RQ, manual review, the status shown to the borrower, and the check that other
parts call before a loan application (``ensure_verified``).

- One KYC Submission per borrower, created Pending at registration (NIK encrypted, keyed hash, masked form).
- Upload: both images at once, JPEG or PNG (checked by decoding them with Pillow), at most Borrower Settings'
  size; saved as private Files attached to the submission and owned by Administrator, so only users who may
  read the submission (staff roles with a DocPerm on it) can open them, not even their borrower.
- Verification: ``run_verification`` on RQ asks the e-KYC adapter (OCR, face match, Dukcapil) and applies
  ``lending.kyc.decide``: Verified, Rejected (reason in Indonesian for the borrower, who may upload again) or
  left Pending with ``needs_review`` for a staff member. Provider errors never reject: they go to review.
- Every status change is a row of the submission's history (and a Version: track_changes).
"""

import json

import frappe
from frappe import _
from frappe.utils import get_datetime, now_datetime
from frappe.utils.password import get_decrypted_password

from pinjaman_online.lending import kyc as rules
from pinjaman_online.lending.credentials import mask_nik
from pinjaman_online.permissions import write_as_system

DOCTYPE = "KYC Submission"
PENDING, VERIFIED, REJECTED = "Pending", "Verified", "Rejected"
SOURCE_PROVIDER, SOURCE_REVIEW, SOURCE_ADMIN = "e-KYC Provider", "Manual Review", "Administrator"
IMAGE_FORMATS = {"JPEG": "jpg", "PNG": "png"}
UPLOADS_PER_HOUR = 10

DEFAULTS = {
	"kyc_face_verify_min": 80.0,
	"kyc_face_reject_below": 60.0,
	"kyc_name_similarity_min": 85.0,
	"kyc_max_image_kb": 5120,
	"kyc_min_image_side": 200,
	"kyc_max_image_megapixels": 25,
}


class KycError(frappe.ValidationError):
	"""A KYC upload or decision that cannot be made (wrong file, wrong state)."""


class KycNotVerified(frappe.ValidationError):
	"""Raised by ``ensure_verified``: the borrower's identity is not (yet) verified; the message says why."""


def setting(fieldname: str):
	"""A KYC number of Borrower Settings, or its default when unset or 0 (Frappe applies a Single's defaults
	only while it has no values at all; a field added later reads, and is saved, as 0)."""
	value = frappe.db.get_singles_dict("Borrower Settings").get(fieldname)
	try:
		number = float(value)
	except (TypeError, ValueError):
		number = 0
	return number or DEFAULTS[fieldname]  # 0 (a save of the never-set field writes it) means the default


def thresholds() -> rules.Thresholds:
	"""The decision thresholds of Borrower Settings (percent)."""
	return rules.Thresholds(
		face_verify_min=float(setting("kyc_face_verify_min")),
		face_reject_below=float(setting("kyc_face_reject_below")),
		name_similarity_min=float(setting("kyc_name_similarity_min")),
	)


def latest_submission(user: str) -> str | None:
	"""Name of the user's latest KYC Submission, or None."""
	return frappe.db.get_value(DOCTYPE, {"user": user}, "name", order_by="creation desc")


# ---------------------------------------------------------------- used by other parts


def ensure_verified(user: str) -> str:
	"""The name of ``user``'s Verified KYC Submission; raises ``KycNotVerified`` (417) with a message the
	borrower understands otherwise: none yet, still pending (being verified or in review), or rejected with
	the reason. Called before a loan application (seed 002 §8.2)."""
	name = latest_submission(user)
	if not name:
		frappe.throw(_("Verify your identity (KTP and selfie) before applying"), exc=KycNotVerified)
	status, reason, ktp = frappe.db.get_value(DOCTYPE, name, ["status", "rejection_reason", "ktp_image"])
	if status == VERIFIED:
		return name
	if status == REJECTED:
		frappe.throw(
			_("Your identity verification was rejected: {0}. Upload your KTP and selfie again.").format(
				reason or _("no reason given")
			),
			title=_("Identity verification rejected"),
			exc=KycNotVerified,
		)
	if not ktp:
		frappe.throw(_("Verify your identity (KTP and selfie) before applying"), exc=KycNotVerified)
	frappe.throw(
		_("Your identity verification is still in progress: you can apply once it is verified"),
		exc=KycNotVerified,
	)


def status_for(user: str) -> dict:
	"""What the borrower sees of their KYC: status, stage, reason if rejected, masked NIK, history."""
	name = latest_submission(user)
	if not name:
		frappe.throw(_("No identity verification found for this account"), exc=frappe.DoesNotExistError)
	doc = frappe.get_doc(DOCTYPE, name)
	return {
		"kyc": doc.name,
		"status": doc.status,
		"stage": stage(doc),
		"nik_masked": doc.nik_masked,
		"rejection_reason": doc.rejection_reason if doc.status == REJECTED else None,
		"documents_submitted": bool(doc.ktp_image and doc.selfie_image),
		"submitted_on": doc.submitted_on,
		"decided_on": doc.decided_on if doc.status != PENDING else None,
		"can_upload": can_upload(doc),
		"history": [
			{
				"changed_on": row.changed_on,
				"from_status": row.from_status,
				"to_status": row.to_status,
				"reason": row.reason if row.to_status == REJECTED else None,
			}
			for row in doc.history
		],
	}


def stage(doc) -> str:
	"""awaiting_documents | verifying | in_review | verified | rejected."""
	if doc.status == VERIFIED:
		return "verified"
	if doc.status == REJECTED:
		return "rejected"
	if not doc.ktp_image:
		return "awaiting_documents"
	return "in_review" if doc.needs_review else "verifying"


def can_upload(doc) -> bool:
	"""A borrower uploads when nothing was submitted yet, or again after a rejection."""
	return doc.status == REJECTED or (doc.status == PENDING and not doc.ktp_image)


# ---------------------------------------------------------------- upload


def check_image(content: bytes | None, label: str) -> str:
	"""The file extension (jpg/png) of an image that Pillow decodes as JPEG or PNG within the size limits of
	Borrower Settings (bytes, shorter side, megapixels); ``KycError`` or a 417 ``IMAGE_PIXELS`` otherwise.

	The pixel size is read from the file's header before anything is decoded, so a small file claiming a huge
	image (a decompression bomb) is refused without decoding it."""
	from io import BytesIO

	from PIL import Image

	from pinjaman_online.lending.errors import LendingError
	from pinjaman_online.lending.inputs import image_pixels
	from pinjaman_online.utils import throw_lending_error

	if not content:
		frappe.throw(_("{0} is missing").format(label), exc=KycError)
	max_kb = int(float(setting("kyc_max_image_kb")))
	if len(content) > max_kb * 1024:
		frappe.throw(
			_("{0} is too large: at most {1} KB").format(label, max_kb),
			title=_("File too large"),
			exc=KycError,
		)
	try:
		with Image.open(BytesIO(content)) as img:  # reads the header only
			fmt = img.format
			width, height = img.size
	except Image.DecompressionBombError:  # Pillow's own ceiling (twice MAX_IMAGE_PIXELS)
		fmt, width, height = "PNG", Image.MAX_IMAGE_PIXELS, 2
	except Exception:  # noqa: BLE001 - Pillow raises many kinds of errors for a file that is not an image
		fmt, width, height = None, 0, 0
	if fmt not in IMAGE_FORMATS or min(width, height) < 1:
		frappe.throw(_("{0} must be a JPEG or PNG photo").format(label), exc=KycError)
	try:
		image_pixels(
			width,
			height,
			label,
			min_side=int(float(setting("kyc_min_image_side"))),
			max_pixels=int(float(setting("kyc_max_image_megapixels")) * 1_000_000),
		)
	except LendingError as exc:
		throw_lending_error(exc, _("Photo size"))
	try:
		with Image.open(BytesIO(content)) as img:
			img.verify()
		with Image.open(BytesIO(content)) as img:
			img.load()  # verify() does not decode the pixels; a truncated file fails here
	except Exception:  # noqa: BLE001 - as above
		frappe.throw(_("{0} must be a JPEG or PNG photo").format(label), exc=KycError)
	return IMAGE_FORMATS[fmt]


def accept_upload(user: str, ktp: bytes | None, selfie: bytes | None) -> dict:
	"""Store the KTP photo and the selfie of ``user``'s submission and queue its verification.

	Refused (``KycError``) unless both are valid images and the submission accepts documents (see
	``can_upload``). Returns ``status_for(user)``."""
	from pinjaman_online.borrower.auth import hit_limit

	hit_limit("kyc-upload", user, UPLOADS_PER_HOUR)
	ktp_ext = check_image(ktp, _("KTP photo"))
	selfie_ext = check_image(selfie, _("Selfie"))
	name = latest_submission(user)
	if not name:
		frappe.throw(_("No identity verification found for this account"), exc=frappe.DoesNotExistError)
	doc = frappe.get_doc(DOCTYPE, name, for_update=True)
	if doc.status == VERIFIED:
		frappe.throw(_("Your identity is already verified"), exc=KycError)
	if not can_upload(doc):
		frappe.throw(_("Your documents are being verified: wait for the result"), exc=KycError)

	stamp = now_datetime().strftime("%Y%m%d%H%M%S")
	doc.ktp_image = save_private_file(doc.name, "ktp_image", f"ktp-{doc.name}-{stamp}.{ktp_ext}", ktp)
	doc.selfie_image = save_private_file(
		doc.name, "selfie_image", f"selfie-{doc.name}-{stamp}.{selfie_ext}", selfie
	)
	reset_verification(doc)
	doc.submitted_on = now_datetime()
	doc.verification_state = "Queued"
	doc.status = PENDING
	doc.flags.kyc_source = "Borrower"
	doc.flags.kyc_reason = "Documents submitted"
	doc.save(ignore_permissions=True)
	queue_verification(doc.name)
	return status_for(user)


def save_private_file(kyc: str, fieldname: str, file_name: str, content: bytes) -> str:
	"""A private File attached to the submission, owned by Administrator (the borrower may not read, change
	or delete it through File's owner rule); returns its URL."""
	f = frappe.get_doc(
		{
			"doctype": "File",
			"file_name": file_name,
			"attached_to_doctype": DOCTYPE,
			"attached_to_name": kyc,
			"attached_to_field": fieldname,
			"is_private": 1,
			"content": content,
		}
	)
	f.flags.ignore_permissions = True
	f.insert()
	frappe.db.set_value("File", f.name, "owner", "Administrator", update_modified=False)
	return f.file_url


def reset_verification(doc):
	for field in (
		"provider_reference",
		"verified_on",
		"ocr_check",
		"ocr_name",
		"face_check",
		"registry_check",
		"verification_log",
		"review_reason",
		"rejection_reason",
		"decision_source",
	):
		doc.set(field, None)
	for field in ("name_similarity", "face_match_score", "needs_review"):
		doc.set(field, 0)


def queue_verification(kyc: str):
	"""Run ``run_verification`` on RQ once the current transaction commits (one job per submission)."""
	frappe.enqueue(
		"pinjaman_online.borrower.kyc.run_verification",
		queue="default",
		enqueue_after_commit=True,
		job_id=f"kyc-verification::{kyc}",
		deduplicate=True,
		kyc=kyc,
	)


# ---------------------------------------------------------------- verification (RQ)


def run_verification(kyc: str):
	"""RQ job: verify a Queued submission with the e-KYC provider and apply the decision.

	Never raises: an unexpected error is logged and leaves the submission Pending for manual review."""
	frappe.set_user("Administrator")
	doc = frappe.get_doc(DOCTYPE, kyc, for_update=True)
	if doc.status != PENDING or doc.verification_state != "Queued":
		return
	try:
		answers = ask_provider(doc)
		decision = rules.decide(
			expected(doc), answers["ocr"], answers["face"], answers["registry"], thresholds()
		)
		apply_decision(doc, decision, answers)
	except Exception:  # noqa: BLE001 - never crash: logged, and a reviewer takes over
		frappe.db.rollback()
		frappe.log_error(title="KYC verification", reference_doctype=DOCTYPE, reference_name=kyc)
		doc = frappe.get_doc(DOCTYPE, kyc, for_update=True)
		doc.verification_state = "Provider Error"
		doc.needs_review = 1
		doc.review_reason = _("The automatic verification failed: see Error Log")
		doc.save(ignore_permissions=True)
	frappe.db.commit()


def expected(doc) -> rules.Expected:
	member = frappe.db.get_value("Member", doc.member, ["full_name", "birth_date"], as_dict=True) or {}
	return rules.Expected(
		nik=get_decrypted_password(DOCTYPE, doc.name, "nik", raise_exception=False) or "",
		name=member.get("full_name") or "",
		birth_date=member.get("birth_date"),
	)


def file_content(file_url: str) -> bytes:
	name = frappe.db.get_value("File", {"file_url": file_url, "attached_to_doctype": DOCTYPE}, "name")
	return frappe.get_doc("File", name).get_content()


def ask_provider(doc) -> dict:
	"""The three provider answers as ``lending.kyc`` inputs (None: no answer) plus the raw answers."""
	from pinjaman_online.integrations import ekyc

	exp = expected(doc)
	ktp, selfie = file_content(doc.ktp_image), file_content(doc.selfie_image)
	raw, errors = {}, []
	ocr = face = registry = None
	try:
		raw["ocr"] = ekyc.ocr_ktp(doc.name, ktp)
		ocr = rules.OcrResult(nik=raw["ocr"].get("nik"), name=raw["ocr"].get("name"))
	except ekyc.EkycError:
		errors.append("ocr")
	try:
		raw["face"] = ekyc.face_match(doc.name, selfie, ktp)
		face = raw["face"]["score"]
	except ekyc.EkycError:
		errors.append("face")
	try:
		birth = exp.birth_date.isoformat() if exp.birth_date else None
		raw["registry"] = ekyc.registry_check(doc.name, exp.nik, exp.name, birth)
		registry = rules.RegistryResult(
			found=bool(raw["registry"]["found"]),
			name_match=raw["registry"].get("name_match"),
			birth_date_match=raw["registry"].get("birth_date_match"),
		)
	except ekyc.EkycError:
		errors.append("registry")
	return {"ocr": ocr, "face": face, "registry": registry, "raw": raw, "errors": errors}


def apply_decision(doc, decision: rules.Decision, answers: dict):
	"""Store the check results and the outcome on the submission (saved)."""
	raw = answers["raw"]
	doc.verified_on = now_datetime()
	doc.verification_state = "Provider Error" if answers["errors"] else "Completed"
	doc.provider_reference = next(
		(str(a.get("reference")) for a in raw.values() if a.get("reference") not in (None, "")), None
	)
	doc.ocr_check = decision.checks.get("ocr")
	doc.face_check = decision.checks.get("face")
	doc.registry_check = decision.checks.get("registry")
	doc.ocr_name = (raw.get("ocr") or {}).get("name")
	doc.name_similarity = decision.name_similarity or 0
	doc.face_match_score = answers["face"] or 0
	doc.verification_log = json.dumps(
		{"answers": redact(raw), "errors": answers["errors"], "checks": decision.checks}, indent=1
	)
	doc.flags.kyc_source = SOURCE_PROVIDER
	if decision.outcome == rules.VERIFIED:
		doc.status = VERIFIED
	elif decision.outcome == rules.REJECTED:
		doc.status = REJECTED
		doc.rejection_reason = "; ".join(_(reason, lang="id") for reason in decision.rejections)
	else:
		doc.needs_review = 1
		doc.review_reason = "\n".join(_(reason) for reason in decision.review_reasons)
	doc.save(ignore_permissions=True)


def redact(raw: dict) -> dict:
	"""Provider answers without the NIK in clear (masked)."""
	out = {}
	for check, answer in raw.items():
		out[check] = {k: (mask_nik(str(v)) if k == "nik" and v else v) for k, v in answer.items()}
	return out


# ---------------------------------------------------------------- manual review (desk)


def review(doc, decision: str, reason: str | None = None) -> dict:
	"""A reviewer's decision on a submission: ``approve`` (→ Verified) or ``reject`` (→ Rejected with the
	reason, shown to the borrower). Needs write permission on the submission (reviewer roles' DocPerm)."""
	write_as_system(doc, "write")
	reason = (reason or "").strip()
	if decision == "approve":
		if doc.status == VERIFIED:
			frappe.throw(_("{0} is already verified").format(doc.name), exc=KycError)
		if not (doc.ktp_image and doc.selfie_image):
			frappe.throw(_("No KTP photo and selfie to verify yet"), exc=KycError)
		doc.status = VERIFIED
		doc.rejection_reason = None
	elif decision == "reject":
		if doc.status == REJECTED:
			frappe.throw(_("{0} is already rejected").format(doc.name), exc=KycError)
		if not reason:
			frappe.throw(_("Give the reason for the rejection: the borrower reads it"), exc=KycError)
		doc.status = REJECTED
		doc.rejection_reason = reason
	else:
		frappe.throw(_("Unknown decision {0}").format(decision), exc=KycError)
	doc.flags.kyc_source = SOURCE_REVIEW
	doc.flags.kyc_reason = reason or None
	doc.save()
	return {"kyc": doc.name, "status": doc.status}


def retry(doc) -> dict:
	"""Queue the e-KYC verification again (e.g. after a provider outage) for a Pending submission."""
	write_as_system(doc, "write")
	if doc.status != PENDING or not (doc.ktp_image and doc.selfie_image):
		frappe.throw(_("Only a pending submission with its documents can be verified again"), exc=KycError)
	reset_verification(doc)
	doc.verification_state = "Queued"
	doc.save()
	queue_verification(doc.name)
	return {"kyc": doc.name, "verification_state": doc.verification_state}


# ---------------------------------------------------------------- controller hooks


def track_status(doc):
	"""Controller ``validate``: a history row for each status change (from any path: upload, provider,
	reviewer buttons, REST), the decision stamp, and the invariants of the decision fields."""
	before = doc.get_doc_before_save()
	old = before.status if before else None
	if doc.status == REJECTED and not (doc.rejection_reason or "").strip():
		frappe.throw(_("A rejected KYC needs a rejection reason for the borrower"), exc=KycError)
	if old == doc.status and not doc.flags.kyc_reason:
		return
	if before is None:
		source = doc.flags.kyc_source or "Registration"
	else:
		source = doc.flags.kyc_source or (SOURCE_ADMIN if frappe.session.user == "Administrator" else "Desk")
	actor = doc.user if before is None and doc.user else frappe.session.user
	if doc.status != PENDING and old != doc.status:
		doc.decided_by = frappe.session.user if source != SOURCE_PROVIDER else None
		doc.decided_on = now_datetime()
		doc.needs_review = 0
		doc.decision_source = (
			source
			if source in (SOURCE_PROVIDER, SOURCE_REVIEW)
			else SOURCE_ADMIN
			if frappe.session.user == "Administrator"
			else SOURCE_REVIEW
		)
		if doc.status == VERIFIED:
			doc.rejection_reason = None
	elif doc.status == PENDING and old != PENDING:
		doc.decided_by = doc.decided_on = None
	doc.append(
		"history",
		{
			"changed_on": now_datetime(),
			"changed_by": actor,
			"from_status": old or "",
			"to_status": doc.status,
			"source": source,
			"reason": doc.flags.kyc_reason or (doc.rejection_reason if doc.status == REJECTED else None),
		},
	)
	doc.flags.kyc_reason = None


def publish_decision(doc):
	"""Controller ``on_update``: ``KycVerified`` / ``KycRejected`` borrower events for a new decision."""
	before = doc.get_doc_before_save()
	if not before or before.status == doc.status or doc.status == PENDING:
		return
	from pinjaman_online.borrower.events import publish

	publish(
		"KycVerified" if doc.status == VERIFIED else "KycRejected",
		{
			"user_id": doc.user,
			"kyc_id": doc.name,
			"status": doc.status,
			"reason": doc.rejection_reason,
			"decided_on": str(get_datetime(doc.decided_on)) if doc.decided_on else None,
		},
	)


def member_nik(member: str) -> str:
	"""The member's NIK in full (16 digits), for the providers that need it (credit bureau, e-KYC): the
	Member's own field for members registered by staff, else the encrypted NIK of the member's latest KYC
	Submission (self-registered borrowers). Empty string when neither has one."""
	nik = frappe.db.get_value("Member", member, "nik")
	if nik:
		return nik
	name = frappe.db.get_value(DOCTYPE, {"member": member}, "name", order_by="creation desc")
	return (get_decrypted_password(DOCTYPE, name, "nik", raise_exception=False) or "") if name else ""
