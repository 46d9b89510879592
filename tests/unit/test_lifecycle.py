"""Loan lifecycle, installment status and days past due (lending.lifecycle)."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pinjaman_online.lending.allocation import InstallmentDue
from pinjaman_online.lending.allocation import days_past_due as dpd_of_dues
from pinjaman_online.lending.lifecycle import (
	ACTIVE,
	CANCELLED,
	CLOSED,
	DEFAULT,
	PENDING,
	STATUSES,
	TRANSITIONS,
	WRITTEN_OFF,
	InvalidTransition,
	check_transition,
	days_past_due,
	installment_status,
	next_state,
)

AS_OF = date(2026, 6, 30)
ZERO = Decimal(0)


def state(status, principal=0, interest=0, penalty=0, oldest=None, default_after=None, **kw):
	return next_state(
		status,
		kw.get("closed_date"),
		kw.get("default_date"),
		Decimal(principal),
		Decimal(interest),
		Decimal(penalty),
		Decimal(kw.get("paid", 0)),
		oldest,
		AS_OF,
		default_after,
	)


def test_installment_status():
	assert installment_status(Decimal(1000), ZERO) == "Unpaid"
	assert installment_status(Decimal(1000), Decimal(1)) == "Partially Paid"
	assert installment_status(Decimal(1000), Decimal(1000)) == "Paid"
	assert installment_status(ZERO, ZERO) == "Paid"  # nothing charged: nothing remains


def test_days_past_due_counts_from_the_oldest_overdue_date():
	assert days_past_due(None, AS_OF) == 0
	assert days_past_due(AS_OF, AS_OF) == 0  # due today is not late
	assert days_past_due(AS_OF - timedelta(days=1), AS_OF) == 1
	assert days_past_due(AS_OF - timedelta(days=91), AS_OF) == 91


@given(st.lists(st.tuples(st.integers(-200, 200), st.integers(0, 3)), max_size=12))
def test_days_past_due_agrees_with_the_allocation_rule(rows):
	dues = [
		InstallmentDue(i, AS_OF + timedelta(days=offset), Decimal(unpaid), ZERO)
		for i, (offset, unpaid) in enumerate(rows)
	]
	overdue = [d.due_date for d in dues if d.due_date < AS_OF and d.total_due > 0]
	assert days_past_due(min(overdue) if overdue else None, AS_OF) == dpd_of_dues(dues, AS_OF)


def test_paid_off_loan_closes_and_owing_again_reopens():
	closed = state(ACTIVE, paid=1000)
	assert (closed.status, closed.closed_date, closed.reason) == (CLOSED, AS_OF, "paid off")
	assert state(DEFAULT).status == CLOSED
	reopened = state(CLOSED, principal=500, closed_date=date(2026, 5, 1))
	assert (reopened.status, reopened.closed_date, reopened.reason) == (ACTIVE, None, "owes again")


def test_default_only_when_asked_and_beyond_the_threshold():
	oldest = AS_OF - timedelta(days=91)
	assert state(ACTIVE, principal=1, oldest=oldest).status == ACTIVE  # a payment never defaults
	assert state(ACTIVE, principal=1, oldest=AS_OF - timedelta(days=90), default_after=90).status == ACTIVE
	flagged = state(ACTIVE, principal=1, oldest=oldest, default_after=90)
	assert (flagged.status, flagged.default_date, flagged.reason) == (DEFAULT, AS_OF, "DPD 91 > 90")
	assert (flagged.days_past_due, flagged.aging_bucket, flagged.collectibility) == (91, ">90", 3)
	kept = state(ACTIVE, principal=1, oldest=oldest, default_after=90, default_date=date(2026, 1, 1))
	assert kept.default_date == date(2026, 1, 1)
	# Default is never cleared automatically, Written Off and Pending loans keep their status
	assert state(DEFAULT, principal=1, default_after=90).status == DEFAULT
	assert state(WRITTEN_OFF, principal=1, oldest=oldest, default_after=90).status == WRITTEN_OFF
	assert state(PENDING, principal=1).status == PENDING


@given(
	st.sampled_from(STATUSES),
	st.integers(0, 10**9),
	st.integers(0, 10**8),
	st.integers(0, 10**6),
	st.one_of(st.none(), st.integers(0, 400)),
	st.one_of(st.none(), st.integers(0, 180)),
)
def test_every_change_is_an_allowed_transition_with_a_reason(status, p, i, n, late, threshold):
	oldest = None if late is None else AS_OF - timedelta(days=late)
	s = state(status, p, i, n, oldest, threshold)
	assert s.outstanding == p + i + n
	if s.status != status:
		assert (status, s.status) in TRANSITIONS and s.reason
	else:
		assert s.reason is None
	# applying the rules again changes nothing (a reopened loan may be defaulted by the next daily run)
	if (status, s.status) == (CLOSED, ACTIVE):
		return
	again = next_state(
		s.status, s.closed_date, s.default_date, s.outstanding_principal, s.outstanding_interest,
		s.outstanding_penalty, s.total_paid, oldest, AS_OF, threshold,
	)  # fmt: skip
	assert again.status == s.status and again.reason is None


def test_transition_table():
	check_transition(PENDING, ACTIVE)
	check_transition(CLOSED, ACTIVE)
	check_transition(DEFAULT, WRITTEN_OFF)
	for bad in ((CLOSED, DEFAULT), (CANCELLED, ACTIVE), (WRITTEN_OFF, ACTIVE), (PENDING, CLOSED)):
		with pytest.raises(InvalidTransition) as err:
			check_transition(*bad)
		assert err.value.code == "INVALID_TRANSITION"


def test_needs_refresh_only_when_time_changes_the_loan():
	from pinjaman_online.lending.lifecycle import needs_refresh

	owed = Decimal(1000)
	late = AS_OF - timedelta(days=10)
	# nothing overdue, figures as stored: nothing to do
	assert not needs_refresh(ACTIVE, 0, "0-30", 1, owed, None, AS_OF, 90)
	# a day later the overdue loan is one day later
	assert needs_refresh(ACTIVE, 9, "0-30", 2, owed, late, AS_OF, 90)
	assert not needs_refresh(ACTIVE, 10, "0-30", 2, owed, late, AS_OF, 90)
	# an installment paid since: DPD back to 0
	assert needs_refresh(ACTIVE, 10, "0-30", 2, owed, None, AS_OF, 90)
	# figures never written, nothing owed, the default rule
	assert needs_refresh(ACTIVE, None, None, None, owed, None, AS_OF, 90)
	assert needs_refresh(ACTIVE, 0, "0-30", 1, ZERO, None, AS_OF, 90)
	very_late = AS_OF - timedelta(days=100)
	assert needs_refresh(ACTIVE, 100, ">90", 3, owed, very_late, AS_OF, 90)
	assert not needs_refresh(DEFAULT, 100, ">90", 3, owed, very_late, AS_OF, 90)


@given(
	st.sampled_from((ACTIVE, DEFAULT)),
	st.integers(0, 10**6),
	st.one_of(st.none(), st.integers(0, 400)),
	st.one_of(st.none(), st.integers(0, 180)),
)
def test_a_loan_not_refreshed_is_one_the_rules_leave_as_it_is(status, owed, late, threshold):
	from pinjaman_online.lending.lifecycle import needs_refresh

	oldest = None if late is None else AS_OF - timedelta(days=late)
	s = state(status, owed, 0, 0, oldest, threshold)
	stored = (s.days_past_due, s.aging_bucket, s.collectibility)
	if not needs_refresh(status, *stored, Decimal(owed), oldest, AS_OF, threshold):
		assert s.status == status and s.reason is None
