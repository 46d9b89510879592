"""e-KYC provider adapter (borrower KYC, seed 003 "KYC Service": OCR KTP, face recognition, Dukcapil).

Contract with the provider (``Borrower Settings``: base URL, API key), JSON over HTTPS with
``Authorization: Bearer <ekyc_api_key>``; images travel base64-encoded:

- ``POST <base>/ocr/ktp`` ``{"reference", "image"}`` → ``{"nik", "name", "birth_date" (YYYY-MM-DD), "reference"}``
- ``POST <base>/face/match`` ``{"reference", "selfie", "ktp"}`` → ``{"score": 0–100, "reference"}``
- ``POST <base>/registry/verify`` ``{"reference", "nik", "name", "birth_date"}`` →
  ``{"found": bool, "name_match": bool, "birth_date_match": bool, "reference"}``

``reference`` is our KYC Submission name; the provider may answer its own reference (stored on the
submission). Any transport error, timeout, non-2xx answer or answer without the expected keys is logged
(Error Log, without the images; ``integrations.base``) and raised as ``EkycError``: the caller sends the
submission to manual review.
"""

import base64

import frappe
from frappe import _

from pinjaman_online.integrations.base import Provider, post_json


class EkycError(frappe.ValidationError):
	"""The provider could not give an answer (not configured, down, timeout, malformed answer)."""


PROVIDER = Provider("e-KYC provider", "ekyc_base_url", "ekyc_api_key", EkycError)


def _post(path: str, payload: dict, required: tuple[str, ...]) -> dict:
	answer = post_json(
		PROVIDER,
		path,
		payload,
		failure=_("The e-KYC provider did not answer"),
		log_context=f"KYC Submission {payload.get('reference')}",
	)
	if any(key not in answer for key in required):
		_log(path, payload, f"answer without {required}: keys {sorted(answer)}")
		raise EkycError(f"{path}: malformed answer")
	return answer


def _log(path: str, payload: dict, problem: str):
	frappe.log_error(
		title="e-KYC provider",
		message=f"POST {path} for KYC Submission {payload.get('reference')}: {problem}",
		defer_insert=True,
	)


def _b64(content: bytes) -> str:
	return base64.b64encode(content).decode()


def ocr_ktp(reference: str, ktp_image: bytes) -> dict:
	"""OCR of the KTP photo: ``{"nik": str | None, "name": str | None, "birth_date": str | None, ...}``.

	Raises ``EkycError``."""
	return _post("/ocr/ktp", {"reference": reference, "image": _b64(ktp_image)}, ("nik",))


def face_match(reference: str, selfie: bytes, ktp_image: bytes) -> dict:
	"""Similarity of the selfie's face and the KTP photo's face: ``{"score": float 0–100, ...}``.

	Raises ``EkycError`` (also for a score that is not a number in 0–100)."""
	answer = _post(
		"/face/match", {"reference": reference, "selfie": _b64(selfie), "ktp": _b64(ktp_image)}, ("score",)
	)
	try:
		score = float(answer["score"])
	except (TypeError, ValueError):
		score = -1
	if not 0 <= score <= 100:
		_log("/face/match", {"reference": reference}, f"score out of range: {answer['score']!r}")
		raise EkycError("/face/match: score out of range")
	return answer | {"score": score}


def registry_check(reference: str, nik: str, name: str, birth_date: str | None) -> dict:
	"""Population registry (Dukcapil) check: ``{"found": bool, "name_match": bool | None,
	"birth_date_match": bool | None, ...}``. Raises ``EkycError``."""
	return _post(
		"/registry/verify",
		{"reference": reference, "nik": nik, "name": name, "birth_date": birth_date},
		("found",),
	)
