"""Domain errors of the lending core.

Every error raised on purpose by ``pinjaman_online.lending`` is a :class:`LendingError`, which is a
``ValueError`` so that generic callers treat it as bad input. Each class carries a stable machine code in
``code`` (upper snake case) that API layers can return next to the human message.

Programming mistakes of the caller (for example passing a ``float`` where money is expected) raise
``TypeError`` instead and are deliberately not ``LendingError``.
"""


class LendingError(ValueError):
	"""Base class of all lending domain errors.

	Shape: ``LendingError(message: str, code: str | None = None, **params)``. ``message`` is English; with
	``params`` it is a template with ``{name}`` placeholders (``str.format``), so an API boundary can translate
	the template and fill in the values afterwards. ``str(err)`` and ``err.message`` are the filled-in message,
	``err.template`` the template, ``err.params`` the values, ``err.code`` the stable machine code (class
	default unless overridden per instance).
	Source: project convention (API errors carry a stable code and a human message).
	"""

	code: str = "LENDING_ERROR"

	def __init__(self, message: str, code: str | None = None, **params) -> None:
		text = message.format(**params) if params else message
		super().__init__(text)
		self.message = text
		self.template = message
		self.params = params
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


class InvalidInput(LendingError):
	"""A value given to the lending core or to the API is missing, of the wrong kind or out of range (code
	``INVALID_INPUT`` or a more precise one per instance: ``MISSING_ARGUMENT``, ``NOT_A_WHOLE_NUMBER``,
	``MONEY_NOT_WHOLE_RUPIAH``, ``OUT_OF_RANGE``, ``NOT_A_NUMBER``, ``NOT_A_DATE``, ``NOT_TEXT``, ``NOT_A_FLAG``).

	Raised by :mod:`pinjaman_online.lending.inputs`. Source: project convention (bad input is refused with a
	message a person can act on, never accepted by rounding it).
	"""

	code = "INVALID_INPUT"
