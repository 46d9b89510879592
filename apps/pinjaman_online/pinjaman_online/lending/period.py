"""Monthly periods (``periode`` YYYY-MM) used by funder settlements and sales targets.

A period is a calendar month written ``"YYYY-MM"`` (seed 004 §2 Sales: "Target dicatat per bulan (periode
YYYY-MM)"; §6 Funder & Fronting: "Settlement periodik (misalnya bulanan)"). Its first day and last day are
both inside the period.
"""

import calendar
import re
from dataclasses import dataclass
from datetime import date

from .errors import LendingError

PERIOD_RE = re.compile(r"^(\d{4})-(\d{2})$")


class InvalidPeriod(LendingError):
	"""A period is not a valid ``YYYY-MM`` month (code ``INVALID_PERIOD``). Source: seed 004 §2, §6."""

	code = "INVALID_PERIOD"


@dataclass(frozen=True)
class Period:
	"""One calendar month: ``year`` and ``month`` (1..12). ``str(period)`` is ``"YYYY-MM"``."""

	year: int
	month: int

	def __str__(self) -> str:
		return f"{self.year:04d}-{self.month:02d}"

	@property
	def start(self) -> date:
		"""The first day of the month (inclusive)."""
		return date(self.year, self.month, 1)

	@property
	def end(self) -> date:
		"""The last day of the month (inclusive)."""
		return date(self.year, self.month, calendar.monthrange(self.year, self.month)[1])

	def contains(self, day: date) -> bool:
		"""Whether ``day`` falls in this month."""
		return (day.year, day.month) == (self.year, self.month)

	def previous(self) -> "Period":
		"""The month before this one."""
		return Period(self.year - 1, 12) if self.month == 1 else Period(self.year, self.month - 1)


def parse_period(value: str | Period) -> Period:
	"""Parse ``"YYYY-MM"`` (e.g. ``"2026-03"``) into a :class:`Period`; a Period is returned unchanged.

	Raises :class:`InvalidPeriod` for anything else (``"2026-3"``, ``"2026-13"``, ``"03-2026"``, ``None``).
	Source: seed 004 §2 (periode YYYY-MM).
	"""
	if isinstance(value, Period):
		return value
	match = PERIOD_RE.match(value.strip()) if isinstance(value, str) else None
	if not match or not 1 <= int(match.group(2)) <= 12 or int(match.group(1)) < 1:
		raise InvalidPeriod(f"Period must be a month written YYYY-MM (e.g. 2026-03), got {value!r}.")
	return Period(int(match.group(1)), int(match.group(2)))


def period_of(day: date) -> Period:
	"""The month ``day`` falls in."""
	return Period(day.year, day.month)
