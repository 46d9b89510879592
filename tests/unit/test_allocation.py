"""Repayment allocation (seed 004 §4): oldest first, penalty -> interest -> principal; arrears helpers."""

import random
from datetime import date, timedelta
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pinjaman_online.lending.allocation import (
	Allocation,
	AllocationLine,
	InstallmentDue,
	Outstanding,
	allocate_payment,
	days_past_due,
	outstanding_of,
	overdue_of,
)
from pinjaman_online.lending.errors import InvalidPayment

SETTINGS = settings(max_examples=200, deadline=None, database=None)
D = Decimal


def due(number, due_date, principal, interest, penalty=0):
	return InstallmentDue(number, due_date, D(principal), D(interest), D(penalty))


DUES = [
	due(1, date(2025, 1, 25), 800_000, 200_000, 50_000),
	due(2, date(2025, 2, 25), 810_000, 190_000, 20_000),
	due(3, date(2025, 3, 25), 820_000, 180_000),
]


def test_partial_payment_oldest_first_penalty_interest_principal():
	allocation = allocate_payment(D(1_250_000), DUES)
	assert allocation.lines == (
		# 1.050.000 settles installment 1
		AllocationLine(1, D(50_000), D(200_000), D(800_000)),
		# the remaining 200.000 goes to penalty (20.000), then interest (180.000), nothing to principal
		AllocationLine(2, D(20_000), D(180_000), D(0)),
	)
	assert allocation.unallocated == 0
	assert allocation.total_penalty == D(70_000)
	assert allocation.total_interest == D(380_000)
	assert allocation.total_principal == D(800_000)
	assert allocation.lines[1].total == D(200_000)


def test_unsorted_input_is_allocated_by_due_date_then_number():
	same_day = date(2025, 1, 25)
	dues = [
		due(3, date(2025, 3, 25), 100, 10),
		due(2, same_day, 100, 10),
		due(1, same_day, 100, 10),
	]
	allocation = allocate_payment(D(150), dues)
	assert [line.number for line in allocation.lines] == [1, 2]
	assert allocation.lines[1] == AllocationLine(2, D(0), D(10), D(30))


def test_excess_is_unallocated():
	allocation = allocate_payment(D(4_000_000), DUES)
	assert [line.number for line in allocation.lines] == [1, 2, 3]
	assert allocation.total_allocated == D(3_070_000)
	assert allocation.unallocated == D(930_000)


def test_rows_with_nothing_due_are_skipped():
	dues = [due(1, date(2025, 1, 25), 0, 0, 0), due(2, date(2025, 2, 25), 100, 0, 0)]
	allocation = allocate_payment(D(60), dues)
	assert allocation.lines == (AllocationLine(2, D(0), D(0), D(60)),)


def test_nothing_due_leaves_everything_unallocated():
	allocation = allocate_payment(D(1000), [])
	assert allocation == Allocation(lines=(), unallocated=D(1000))


@pytest.mark.parametrize("amount", [D(0), D(-1), "0"])
def test_amount_must_be_positive(amount):
	with pytest.raises(InvalidPayment, match="greater than zero") as excinfo:
		allocate_payment(amount, DUES)
	assert excinfo.value.code == "INVALID_PAYMENT"


def test_float_amount_is_a_type_error():
	with pytest.raises(TypeError):
		allocate_payment(100.0, DUES)


def test_duplicate_installment_numbers_are_refused():
	with pytest.raises(InvalidPayment, match="more than once"):
		allocate_payment(D(100), [DUES[0], DUES[0]])


def test_negative_due_is_refused():
	with pytest.raises(InvalidPayment, match="must not be negative"):
		due(1, date(2025, 1, 25), -1, 0)


# --- outstanding / overdue / days past due -------------------------------------------------------------


def test_outstanding_of_sums_everything():
	assert outstanding_of(DUES) == Outstanding(D(2_430_000), D(570_000), D(70_000))
	assert outstanding_of(DUES).total == D(3_070_000)
	assert outstanding_of([]).total == 0


def test_overdue_excludes_installments_due_on_the_reference_date():
	# installment 2 is due on 25 February: not overdue on that day, overdue the day after
	assert overdue_of(DUES, date(2025, 2, 25)) == Outstanding(D(800_000), D(200_000), D(50_000))
	assert overdue_of(DUES, date(2025, 2, 26)).total == D(1_050_000 + 1_020_000)
	assert overdue_of(DUES, date(2025, 1, 1)).total == 0


def test_days_past_due_counts_from_the_oldest_unpaid_due_date():
	assert days_past_due(DUES, date(2025, 1, 25)) == 0
	assert days_past_due(DUES, date(2025, 1, 26)) == 1
	assert days_past_due(DUES, date(2025, 3, 1)) == 35
	paid_first = [due(1, date(2025, 1, 25), 0, 0, 0), *DUES[1:]]
	assert days_past_due(paid_first, date(2025, 3, 1)) == 4
	assert days_past_due([], date(2025, 3, 1)) == 0


# --- properties ---------------------------------------------------------------------------------------

amounts = st.integers(min_value=0, max_value=5_000_000)


@st.composite
def dues_lists(draw):
	count = draw(st.integers(min_value=0, max_value=12))
	start = draw(st.dates(min_value=date(2020, 1, 1), max_value=date(2030, 1, 1)))
	offsets = draw(st.lists(st.integers(min_value=0, max_value=400), min_size=count, max_size=count))
	return [
		due(n, start + timedelta(days=offset), draw(amounts), draw(amounts), draw(amounts))
		for n, offset in enumerate(offsets, start=1)
	]


@SETTINGS
@given(dues=dues_lists(), amount=st.integers(min_value=1, max_value=80_000_000))
def test_allocation_sums_to_the_amount(dues, amount):
	allocation = allocate_payment(D(amount), dues)
	assert sum((line.total for line in allocation.lines), D(0)) + allocation.unallocated == amount
	assert allocation.unallocated == max(D(0), amount - outstanding_of(dues).total)
	assert allocation.total_penalty + allocation.total_interest + allocation.total_principal == (
		allocation.total_allocated
	)
	assert all(line.total > 0 for line in allocation.lines)


@SETTINGS
@given(dues=dues_lists(), amount=st.integers(min_value=1, max_value=80_000_000), seed=st.integers())
def test_allocation_follows_the_documented_order(dues, amount, seed):
	allocation = allocate_payment(D(amount), dues)
	received = {line.number: (line.penalty, line.interest, line.principal) for line in allocation.lines}
	# flatten the dues in the documented order and check the payment fills them as a prefix
	ordered = sorted(dues, key=lambda d: (d.due_date, d.number))
	wanted, got = [], []
	for d in ordered:
		wanted += [d.penalty_due, d.interest_due, d.principal_due]
		got += list(received.get(d.number, (D(0), D(0), D(0))))
	filled = True
	for want, have in zip(wanted, got):
		assert 0 <= have <= want
		if filled:
			filled = have == want
		else:
			assert have == 0  # nothing after the first component that was not fully paid
	# line order is allocation order
	order = [d.number for d in ordered if d.number in received]
	assert [line.number for line in allocation.lines] == order
	# the order of the input list does not matter
	shuffled = list(dues)
	random.Random(seed).shuffle(shuffled)
	assert allocate_payment(D(amount), shuffled) == allocation


@SETTINGS
@given(dues=dues_lists(), as_of=st.dates(min_value=date(2019, 1, 1), max_value=date(2032, 1, 1)))
def test_overdue_and_days_past_due_agree(dues, as_of):
	overdue = overdue_of(dues, as_of)
	assert overdue.total <= outstanding_of(dues).total
	dpd = days_past_due(dues, as_of)
	assert dpd >= 0
	assert (dpd > 0) == (overdue.total > 0)
