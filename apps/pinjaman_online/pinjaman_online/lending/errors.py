"""Domain errors of the lending core.

Every error raised on purpose by ``pinjaman_online.lending`` is a :class:`LendingError`, which is a
``ValueError`` so that generic callers treat it as bad input. Each class carries a stable machine code in
``code`` (upper snake case) that API layers can return next to the human message.

Programming mistakes of the caller (for example passing a ``float`` where money is expected) raise
``TypeError`` instead and are deliberately not ``LendingError``.
"""


class LendingError(ValueError):
	"""Base class of all lending domain errors.

	Shape: ``LendingError(message: str, code: str | None = None)``; ``str(err)`` is the human message
	(English), ``err.code`` the stable machine code (class default unless overridden per instance).
	Source: project convention (API errors carry a stable code and a human message).
	"""

	code: str = "LENDING_ERROR"

	def __init__(self, message: str, code: str | None = None) -> None:
		super().__init__(message)
		self.message = message
		if code is not None:
			self.code = code


class InvalidTerms(LendingError):
	"""Loan terms, product parameters or fee rules are invalid (code ``INVALID_TERMS``).

	Raised by :class:`~pinjaman_online.lending.schedule.LoanTerms`, fee rules and the simulation.
	Source: seed 004 §5 Loan Product & Pricing.
	"""

	code = "INVALID_TERMS"


class InvalidNIK(LendingError):
	"""A Nomor Induk Kependudukan is malformed or disagrees with the applicant (code ``INVALID_NIK``).

	Source: Dukcapil NIK structure (UU 24/2013 Administrasi Kependudukan).
	"""

	code = "INVALID_NIK"


class InvalidPayment(LendingError):
	"""A repayment amount or the dues it is allocated against are invalid (code ``INVALID_PAYMENT``).

	Source: seed 004 §4 repayment allocation.
	"""

	code = "INVALID_PAYMENT"
