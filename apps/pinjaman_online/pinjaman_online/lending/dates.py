"""Calendar helpers: monthly due dates and ages.

Due dates follow the usual Indonesian monthly-installment practice (and Apache Fineract's monthly
repayment frequency): the same day of month as the first due date, clamped to the last day of shorter
months, and anchored to the original day so a loan due on the 31st is due on 28/29 February and back on
31 March rather than drifting to the 28th for the rest of the tenor.
"""

import calendar
from datetime import date


def add_months(d: date, months: int, anchor_day: int | None = None) -> date:
	"""Return the date ``months`` calendar months after ``d`` (before it when ``months`` is negative).

	The day of month is ``anchor_day`` (default ``d.day``) clamped to the target month's last day, so with
	``anchor_day=31``: 31 Jan + 1 -> 28 Feb (29 in leap years), + 2 -> 31 Mar, + 3 -> 30 Apr.

	Raises ``ValueError`` if ``anchor_day`` is not in 1..31 or the result falls outside ``date`` range.
	Source: monthly repayment frequency as in Apache Fineract (same day of month, month-end clamped).
	"""
	day = d.day if anchor_day is None else anchor_day
	if isinstance(day, bool) or not isinstance(day, int) or not 1 <= day <= 31:
		raise ValueError(f"anchor_day must be an int in 1..31, got {anchor_day!r}")
	year, month_index = divmod(d.year * 12 + (d.month - 1) + months, 12)
	month = month_index + 1
	if not 1 <= year <= 9999:
		raise ValueError(f"{d.isoformat()} + {months} months is outside the supported date range")
	last_day = calendar.monthrange(year, month)[1]
	return date(year, month, min(day, last_day))


def monthly_due_dates(first_due_date: date, count: int) -> list[date]:
	"""Return ``count`` monthly due dates starting at ``first_due_date`` (included).

	Each date is ``add_months(first_due_date, i, anchor_day=first_due_date.day)`` for ``i`` in
	``0..count-1``; the list is strictly increasing, one per calendar month. ``count`` 0 gives ``[]``.

	Raises ``ValueError`` for a negative ``count``. Source: seed 004 §5 (monthly installments).
	"""
	if isinstance(count, bool) or not isinstance(count, int) or count < 0:
		raise ValueError(f"count must be a non-negative int, got {count!r}")
	anchor = first_due_date.day
	return [add_months(first_due_date, i, anchor_day=anchor) for i in range(count)]


def age_in_years(birth_date: date, on: date) -> int:
	"""Return the age in completed years of someone born on ``birth_date``, on the date ``on``.

	The birthday counts as completed on the day itself; someone born on 29 February completes a year on
	1 March in non-leap years. Raises ``ValueError`` if ``on`` is before ``birth_date``.
	Source: seed 004 §5 business rules (maximum age at maturity).
	"""
	if on < birth_date:
		raise ValueError(f"date {on.isoformat()} is before the birth date {birth_date.isoformat()}")
	years = on.year - birth_date.year
	if (on.month, on.day) < (birth_date.month, birth_date.day):
		years -= 1
	return years


def first_due_date(application_date: date, cutoff_day: int | None = None, due_day: int | None = None) -> date:
	"""Return the first installment's due date for an application made on ``application_date``.

	The product's cut-off day (``cutoff_day``, a day of month 1..31) decides the month: an application
	on or before the cut-off day of its month is first due in the next month, one after it in the month
	after that. A cut-off day beyond the month's last day means the last day (31 in February: every
	February application is on or before it). The day is the product's ``due_day`` (1..31, clamped to
	the month's last day), or the application's own day of month when the product has none.

	Without a cut-off day (``None`` or 0) the first due date is one month after the application date,
	the same day of month, clamped (31 Jan -> 28/29 Feb).

	Examples, cut-off 20 and due day 1: applied 20 Mar -> 1 Apr; applied 21 Mar -> 1 May.
	Raises ``ValueError`` for a cut-off or due day outside 1..31 (0 and ``None`` mean none).
	Source: the cooperative's monthly billing cycle: deductions for a month are billed from the loans
	booked before its cut-off, so a later loan's first installment falls in the following cycle.
	"""
	for name, value in (("cutoff_day", cutoff_day), ("due_day", due_day)):
		if value is not None and (
			isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= 31
		):
			raise ValueError(f"{name} must be an int in 1..31 (0 or None for none), got {value!r}")
	if not cutoff_day:
		return add_months(application_date, 1, anchor_day=due_day or application_date.day)
	last_day = calendar.monthrange(application_date.year, application_date.month)[1]
	months = 1 if application_date.day <= min(cutoff_day, last_day) else 2
	return add_months(application_date, months, anchor_day=due_day or application_date.day)
