"""Borrower consents (UU 27/2022 Pelindungan Data Pribadi): which consent is asked when, which may be
withdrawn, and the fingerprint of the text a borrower agreed to.

Consent types (code → the Consent Text / Consent Record ``consent_type``):

* ``terms`` — the terms and conditions of the service: the contract of the account. Required at registration
  (seed 001 wireframe: "Dengan menggunakan aplikasi ini, Anda menyetujui syarat dan ketentuan kami"); not
  withdrawable, a contract is ended by closing the account (UU PDP Art. 20(2)(b): processing to perform a
  contract needs no consent).
* ``data_processing`` — processing of personal data beyond what the contract needs (credit scoring,
  e-KYC checks with providers). Required at registration; withdrawable at any time (UU PDP Art. 9 and 40);
  while withdrawn no new application is accepted; running loans continue on the contract and on the lender's
  legal duties (UU PDP Art. 20(2)(b), (c)).
* ``credit_bureau`` — the credit bureau (SLIK / private bureau) check of one application. Required at each
  application, recorded with it; cannot be withdrawn while that application is still being decided (the
  check is part of the running decision); afterwards it may be withdrawn (no further checks on it). Reporting
  a running loan to SLIK is the lender's legal duty and needs no consent.
* ``marketing`` — offers by SMS, WhatsApp or e-mail. Optional; withdrawable at any time.

The version a borrower agreed to is kept with its SHA-256 (:func:`text_hash`), so that the exact text can be
proven later even if a text is (wrongly) edited in place.
"""

import hashlib
import unicodedata

from .errors import LendingError

TERMS = "terms"
DATA_PROCESSING = "data_processing"
CREDIT_BUREAU = "credit_bureau"
MARKETING = "marketing"

TYPES: dict[str, str] = {
	TERMS: "Terms and Conditions",
	DATA_PROCESSING: "Personal Data Processing",
	CREDIT_BUREAU: "Credit Bureau Check",
	MARKETING: "Marketing",
}
"""Code → consent type (the Select value of Consent Text and Consent Record)."""

CODES: dict[str, str] = {label: code for code, label in TYPES.items()}
"""Consent type → code."""

REGISTRATION = "Registration"
APPLICATION = "Loan Application"

REQUIRED_AT: dict[str, tuple[str, ...]] = {
	REGISTRATION: (TERMS, DATA_PROCESSING),
	APPLICATION: (CREDIT_BUREAU,),
}
"""The consents a step needs (module docstring); a step also accepts the optional ones."""

OPTIONAL = (MARKETING,)

NEEDED_TO_APPLY = (TERMS, DATA_PROCESSING)
"""Consents that must be in force (given, not withdrawn) for a new application, besides the application's
own ``credit_bureau`` consent."""


class ConsentError(LendingError):
	"""A consent missing, unknown, or not withdrawable now (code per instance: ``CONSENT_REQUIRED``,
	``UNKNOWN_CONSENT``, ``CONSENT_NOT_WITHDRAWABLE``, ``CONSENT_APPLICATION_RUNNING``,
	``CONSENT_VERSION_OUTDATED``). Source: UU 27/2022 (module docstring)."""

	code = "CONSENT_ERROR"


def code_of(value: str) -> str:
	"""The code of a consent given as code (``"terms"``) or type (``"Terms and Conditions"``), any case.

	Raises :class:`ConsentError` (``UNKNOWN_CONSENT``) for anything else."""
	text = (value or "").strip() if isinstance(value, str) else ""
	lowered = text.casefold()
	for code, label in TYPES.items():
		if lowered in (code, label.casefold()):
			return code
	raise ConsentError(
		"Unknown consent {consent}: use one of {codes}",
		"UNKNOWN_CONSENT",
		consent=text[:40],
		codes=", ".join(TYPES),
	)


def missing(step: str, given: set[str] | frozenset[str]) -> list[str]:
	"""The codes ``step`` requires (:data:`REQUIRED_AT`) that are not in ``given``, in their order."""
	return [code for code in REQUIRED_AT.get(step, ()) if code not in given]


def ensure_given(step: str, given) -> None:
	"""Raise :class:`ConsentError` (``CONSENT_REQUIRED``, naming the consents) when ``given`` (codes) lacks
	one that ``step`` requires."""
	lacking = missing(step, set(given))
	if lacking:
		raise ConsentError(
			"Your consent is required: {consents}",
			"CONSENT_REQUIRED",
			consents=", ".join(TYPES[c] for c in lacking),
		)


def withdrawal_refusal(code: str, application_running: bool = False) -> ConsentError | None:
	"""Why a consent of ``code`` cannot be withdrawn now, or None when it can.

	``application_running``: for ``credit_bureau``, the application it was given with is still being decided.
	Source: UU 27/2022 Art. 9, 20(2), 40 (module docstring)."""
	if code == TERMS:
		return ConsentError(
			"The terms and conditions are the contract of your account and cannot be withdrawn: to end them, "
			"ask the cooperative to close your account",
			"CONSENT_NOT_WITHDRAWABLE",
		)
	if code == CREDIT_BUREAU and application_running:
		return ConsentError(
			"The credit bureau check consent cannot be withdrawn while its application is being decided",
			"CONSENT_APPLICATION_RUNNING",
		)
	if code not in TYPES:
		return ConsentError("Unknown consent {consent}", "UNKNOWN_CONSENT", consent=str(code)[:40])
	return None


def normalize_text(text: str) -> str:
	"""The text as hashed: Unicode NFC, line ends ``\\n``, outer whitespace removed."""
	return unicodedata.normalize("NFC", (text or "").replace("\r\n", "\n").replace("\r", "\n")).strip()


def text_hash(text: str) -> str:
	"""SHA-256 (hex, 64 characters) of :func:`normalize_text` of ``text``, UTF-8."""
	return hashlib.sha256(normalize_text(text).encode("utf-8")).hexdigest()
