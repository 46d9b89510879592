"""A string enum for the core's choices (interest method, fee basis) that doctypes store as plain text."""

from enum import Enum

from .errors import InvalidTerms


class Choice(str, Enum):
	"""Base of the core's choice enums: prints as its plain value and parses what a person or a form sends.

	Subclasses override :meth:`label`, the name of the choice used in error messages.
	"""

	def __str__(self) -> str:
		"""The plain value (e.g. ``"Flat"``), also when stored in a database field or formatted."""
		return self.value

	@classmethod
	def parse(cls, value):
		"""Return the member for ``value`` (member, value or name, case-insensitive, e.g. ``"flat"``).

		Raises :class:`~pinjaman_online.lending.errors.InvalidTerms` for anything else.
		"""
		if isinstance(value, cls):
			return value
		if isinstance(value, str):
			wanted = value.strip().casefold()
			for member in cls:
				if wanted in (member.value.casefold(), member.name.casefold()):
					return member
		allowed = ", ".join(m.value for m in cls)
		raise InvalidTerms(f"Unknown {cls.label()} {value!r}; expected one of: {allowed}.")

	@classmethod
	def label(cls) -> str:
		"""What the choice is called in messages (e.g. ``"interest method"``)."""
		return cls.__name__
