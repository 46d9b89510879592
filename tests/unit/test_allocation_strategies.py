"""Allocation order as a product setting (Fineract's strategies): each order on worked examples, and
properties every order keeps (nothing beyond what is due, amounts add up, the default is the documented one)."""

from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pinjaman_online.lending.allocation import (
	DEFAULT_STRATEGY,
	INTEREST_PRINCIPAL_PENALTY,
	OVERDUE_CHARGES_FIRST,
	PENALTY_INTEREST_PRINCIPAL,
	PRINCIPAL_INTEREST_PENALTY,
	STRATEGIES,
	AllocationLine,
	InstallmentDue,
	allocate_payment,
)
from pinjaman_online.lending.errors import InvalidPayment

D = Decimal
SETTINGS = settings(max_examples=200, deadline=None, database=None)

DUES = [
	InstallmentDue(1, date(2025, 1, 25), D(800_000), D(200_000), D(50_000)),
	InstallmentDue(2, date(2025, 2, 25), D(810_000), D(190_000), D(20_000)),
	InstallmentDue(3, date(2025, 3, 25), D(820_000), D(180_000)),
]


def test_default_is_penalty_interest_principal_oldest_first():
	assert DEFAULT_STRATEGY == PENALTY_INTEREST_PRINCIPAL
	assert allocate_payment(D(1_250_000), DUES) == allocate_payment(
		D(1_250_000), DUES, PENALTY_INTEREST_PRINCIPAL
	)
	assert allocate_payment(D(1_250_000), DUES, None).lines == (
		AllocationLine(1, D(50_000), D(200_000), D(800_000)),
		AllocationLine(2, D(20_000), D(180_000), D(0)),
	)


def test_interest_principal_penalty_leaves_the_penalty_for_last_within_an_installment():
	# 1.030.000: installment 1's interest and principal (1.000.000), then 30.000 of its 50.000 penalty
	allocation = allocate_payment(D(1_030_000), DUES, INTEREST_PRINCIPAL_PENALTY)
	assert allocation.lines == (AllocationLine(1, D(30_000), D(200_000), D(800_000)),)
	# 1.060.000: installment 1 whole, then 10.000 to installment 2's interest
	allocation = allocate_payment(D(1_060_000), DUES, INTEREST_PRINCIPAL_PENALTY)
	assert allocation.lines == (
		AllocationLine(1, D(50_000), D(200_000), D(800_000)),
		AllocationLine(2, D(0), D(10_000), D(0)),
	)


def test_principal_interest_penalty():
	allocation = allocate_payment(D(900_000), DUES, PRINCIPAL_INTEREST_PENALTY)
	assert allocation.lines == (AllocationLine(1, D(0), D(100_000), D(800_000)),)


def test_overdue_charges_first_pays_every_due_installments_charges_before_principal():
	# on 2025-02-25 installments 1 and 2 are due: their penalties and interest (460.000) first, then
	# principal oldest first; installment 3 (not yet due) gets nothing
	allocation = allocate_payment(D(1_000_000), DUES, OVERDUE_CHARGES_FIRST, as_of=date(2025, 2, 25))
	assert allocation.lines == (
		AllocationLine(1, D(50_000), D(200_000), D(540_000)),
		AllocationLine(2, D(20_000), D(190_000), D(0)),
	)
	# more than everything due by then: the rest goes to the later installment in the default order
	allocation = allocate_payment(D(2_100_000), DUES, OVERDUE_CHARGES_FIRST, as_of=date(2025, 2, 25))
	assert allocation.lines[-1] == AllocationLine(3, D(0), D(30_000), D(0))
	assert allocation.unallocated == 0


def test_unknown_strategy_is_refused():
	with pytest.raises(InvalidPayment):
		allocate_payment(D(1000), DUES, "Whatever comes first")


def test_installments_with_nothing_due_are_skipped_whatever_the_order():
	dues = [InstallmentDue(1, date(2025, 1, 25), D(0), D(0)), *DUES[1:]]
	for strategy in STRATEGIES:
		assert allocate_payment(D(100), dues, strategy).lines[0].number == 2


amounts = st.integers(min_value=0, max_value=2_000_000).map(D)


@st.composite
def schedules(draw):
	n = draw(st.integers(min_value=1, max_value=8))
	return [
		InstallmentDue(
			k + 1,
			date(2025, 1 + k % 12, 1 + (k // 12)),
			draw(amounts),
			draw(amounts),
			draw(amounts),
		)
		for k in range(n)
	]


@SETTINGS
@given(
	schedules(),
	st.integers(min_value=1, max_value=20_000_000).map(D),
	st.sampled_from(sorted(STRATEGIES)),
	st.dates(min_value=date(2024, 12, 1), max_value=date(2025, 12, 31)),
)
def test_every_order_allocates_exactly_and_never_beyond_what_is_due(dues, amount, strategy, as_of):
	allocation = allocate_payment(amount, dues, strategy, as_of)
	assert allocation.total_allocated + allocation.unallocated == amount
	assert allocation.unallocated >= 0
	by_number = {d.number: d for d in dues}
	for line in allocation.lines:
		due = by_number[line.number]
		assert 0 <= line.penalty <= due.penalty_due
		assert 0 <= line.interest <= due.interest_due
		assert 0 <= line.principal <= due.principal_due
		assert line.total > 0
	total_due = sum((d.total_due for d in dues), D(0))
	assert allocation.total_allocated == min(amount, total_due)
	# every order settles the same installments in full when the payment covers everything
	if amount >= total_due:
		assert allocation.unallocated == amount - total_due
