"""First due date from the product's cut-off day (lending/dates.first_due_date)."""

from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pinjaman_online.lending.dates import add_months, first_due_date


@pytest.mark.parametrize(
	("applied", "cutoff", "due_day", "expected"),
	[
		(date(2026, 3, 20), 20, 1, date(2026, 4, 1)),  # on the cut-off day: next month
		(date(2026, 3, 21), 20, 1, date(2026, 5, 1)),  # after it: the month after
		(date(2026, 3, 1), 20, 25, date(2026, 4, 25)),
		(date(2026, 12, 28), 25, 5, date(2027, 2, 5)),  # across the year end
		(date(2026, 12, 10), 25, 5, date(2027, 1, 5)),
		(date(2027, 2, 28), 31, 10, date(2027, 3, 10)),  # a cut-off past February's end is its last day
		(date(2026, 1, 30), 28, 31, date(2026, 3, 31)),  # due day 31 in a 31-day month
		(date(2026, 1, 10), 28, 31, date(2026, 2, 28)),  # ... clamped in February
		(date(2026, 1, 15), 20, None, date(2026, 2, 15)),  # no due day: the application's day
		(date(2026, 1, 25), 20, None, date(2026, 3, 25)),
		(date(2026, 1, 31), None, None, date(2026, 2, 28)),  # no cut-off: one month later, clamped
		(date(2026, 1, 31), 0, 5, date(2026, 2, 5)),  # no cut-off, a due day
	],
)
def test_first_due_date_examples(applied, cutoff, due_day, expected):
	assert first_due_date(applied, cutoff, due_day) == expected


@pytest.mark.parametrize("bad", [-1, 32, 1.5, True, "20"])
def test_days_outside_the_month_are_refused(bad):
	with pytest.raises(ValueError):
		first_due_date(date(2026, 1, 1), bad, 1)
	with pytest.raises(ValueError):
		first_due_date(date(2026, 1, 1), 20, bad)


@given(
	applied=st.dates(min_value=date(2000, 1, 1), max_value=date(2090, 12, 31)),
	cutoff=st.integers(1, 31),
	due_day=st.integers(1, 31),
)
def test_first_due_date_falls_one_or_two_months_later_on_the_due_day(applied, cutoff, due_day):
	due = first_due_date(applied, cutoff, due_day)
	months = (due.year - applied.year) * 12 + due.month - applied.month
	# on or before the cut-off: next month; after it: the month after (checked independently of the rule)
	assert months == (1 if applied.day <= cutoff else 2)
	next_month_first = (due.replace(day=1) + timedelta(days=32)).replace(day=1)
	month_days = (next_month_first - due.replace(day=1)).days
	assert due.day == min(due_day, month_days)
	assert due > applied


@given(applied=st.dates(min_value=date(2000, 1, 1), max_value=date(2090, 12, 31)))
def test_without_a_cutoff_it_is_one_month_later(applied):
	assert first_due_date(applied) == add_months(applied, 1)
