"""e-KYC decision rules (seed 003 "KYC Service": OCR KTP, face recognition, Dukcapil), free of Frappe.

The e-KYC adapter asks a provider three questions; this module turns the answers into a decision:

- OCR of the KTP photo: the NIK and name printed on the card.
- Face match of the selfie against the KTP photo: a similarity score 0–100.
- Population registry (Dukcapil) check of NIK + name + birth date: found, and whether the data match.

Outcome (``Decision.outcome``): ``VERIFIED`` when every check passes, ``REJECTED`` when a check clearly fails
(the borrower can fix it by uploading again: the reason says how), ``REVIEW`` when a check is inconclusive or a
provider did not answer (a staff member decides in the desk). A missing answer (provider error, timeout) is
``None`` and never rejects anyone.
"""

import difflib
import re
import unicodedata
from dataclasses import dataclass, field
from datetime import date

VERIFIED, REJECTED, REVIEW = "Verified", "Rejected", "Review"

# Reasons (English source strings: the Frappe side translates them, see locale/id.po). Rejections are what the
# borrower reads; review reasons are for the staff member deciding.
R_KTP_UNREADABLE = "The KTP photo could not be read: upload a sharper photo of the whole card"
R_NIK_MISMATCH = "The NIK on the KTP photo differs from the NIK you registered"
R_FACE_MISMATCH = "The selfie does not match the face on the KTP: take a new selfie holding your own KTP"
R_REGISTRY_NOT_FOUND = "The NIK was not found in the population registry (Dukcapil)"
R_REGISTRY_MISMATCH = "Your name or birth date differs from the population registry (Dukcapil)"
V_NAME_UNSURE = "The name on the KTP is only partly similar to the registered name"
V_FACE_UNSURE = "The face match score is between the rejection and the verification thresholds"
V_OCR_MISSING = "The KTP could not be read automatically (provider did not answer)"
V_FACE_MISSING = "No face match result (provider did not answer)"
V_REGISTRY_MISSING = "No population registry result (provider did not answer)"


@dataclass(frozen=True)
class Thresholds:
	"""Borrower Settings: face scores 0–100, name similarity 0–100."""

	face_verify_min: float = 80.0  # at or above: the faces match
	face_reject_below: float = 60.0  # below: the faces do not match; in between: manual review
	name_similarity_min: float = 85.0  # at or above: same name; below: manual review


@dataclass(frozen=True)
class Expected:
	"""What the borrower registered (Member / KYC Submission)."""

	nik: str
	name: str
	birth_date: date | None = None


@dataclass(frozen=True)
class OcrResult:
	nik: str | None
	name: str | None


@dataclass(frozen=True)
class RegistryResult:
	found: bool
	name_match: bool | None = None
	birth_date_match: bool | None = None


@dataclass
class Decision:
	outcome: str
	rejections: list[str] = field(default_factory=list)  # reasons shown to the borrower
	review_reasons: list[str] = field(default_factory=list)  # reasons for the reviewer
	checks: dict = field(default_factory=dict)  # check name -> "pass" | "fail" | "review" | "missing"
	name_similarity: float | None = None


def normalize_name(name: str | None) -> str:
	"""Upper case, accents and punctuation removed, single spaces: ``"Sari  wulandari, S.E."`` →
	``"SARI WULANDARI S E"``."""
	text = unicodedata.normalize("NFKD", name or "")
	text = "".join(c for c in text if not unicodedata.combining(c))
	text = re.sub(r"[^A-Za-z0-9]+", " ", text)
	return " ".join(text.upper().split())


def name_similarity(a: str | None, b: str | None) -> float:
	"""Similarity of two personal names, 0–100: the better of the character ratio of the normalised names and
	of their sorted words (KTPs and apps disagree on word order), by ``difflib.SequenceMatcher``."""
	x, y = normalize_name(a), normalize_name(b)
	if not x or not y:
		return 0.0
	direct = difflib.SequenceMatcher(None, x, y).ratio()
	sorted_words = difflib.SequenceMatcher(
		None, " ".join(sorted(x.split())), " ".join(sorted(y.split()))
	).ratio()
	return round(max(direct, sorted_words) * 100, 2)


def normalize_nik(nik: str | None) -> str:
	return re.sub(r"\D", "", nik or "")


def decide(
	expected: Expected,
	ocr: OcrResult | None,
	face_score: float | None,
	registry: RegistryResult | None,
	limits: Thresholds,
) -> Decision:
	"""The KYC decision from the provider's answers (``None``: that check got no answer).

	Any clear failure rejects (all failing reasons are listed); otherwise anything inconclusive or missing
	sends the submission to manual review; otherwise it is verified."""
	d = Decision(outcome=VERIFIED)

	if ocr is None:
		d.checks["ocr"] = "missing"
		d.review_reasons.append(V_OCR_MISSING)
	elif not normalize_nik(ocr.nik):
		d.checks["ocr"] = "fail"
		d.rejections.append(R_KTP_UNREADABLE)
	elif normalize_nik(ocr.nik) != normalize_nik(expected.nik):
		d.checks["ocr"] = "fail"
		d.rejections.append(R_NIK_MISMATCH)
	else:
		d.checks["ocr"] = "pass"

	if ocr is not None and ocr.name:
		d.name_similarity = name_similarity(ocr.name, expected.name)
		if d.name_similarity >= limits.name_similarity_min:
			d.checks["name"] = "pass"
		else:
			d.checks["name"] = "review"
			d.review_reasons.append(V_NAME_UNSURE)
	elif ocr is not None and d.checks["ocr"] == "pass":
		d.checks["name"] = "review"
		d.review_reasons.append(V_NAME_UNSURE)
	else:
		d.checks["name"] = "missing"

	if face_score is None:
		d.checks["face"] = "missing"
		d.review_reasons.append(V_FACE_MISSING)
	elif face_score >= limits.face_verify_min:
		d.checks["face"] = "pass"
	elif face_score < limits.face_reject_below:
		d.checks["face"] = "fail"
		d.rejections.append(R_FACE_MISMATCH)
	else:
		d.checks["face"] = "review"
		d.review_reasons.append(V_FACE_UNSURE)

	if registry is None:
		d.checks["registry"] = "missing"
		d.review_reasons.append(V_REGISTRY_MISSING)
	elif not registry.found:
		d.checks["registry"] = "fail"
		d.rejections.append(R_REGISTRY_NOT_FOUND)
	elif registry.name_match is False or registry.birth_date_match is False:
		d.checks["registry"] = "fail"
		d.rejections.append(R_REGISTRY_MISMATCH)
	else:
		d.checks["registry"] = "pass"

	if d.rejections:
		d.outcome = REJECTED
	elif d.review_reasons:
		d.outcome = REVIEW
	return d
