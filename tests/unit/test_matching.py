"""Matching realisations with bills (seed 004 §7): statuses, differences, postings, and their invariants."""

from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pinjaman_online.lending.matching import (
	BillLine,
	InvalidMatch,
	Matcher,
	MatchStatus,
	UnmatchedReason,
	compare_amounts,
	normalise_key,
	split_postings,
)

SETTINGS = settings(max_examples=300, deadline=None, database=None)
D = Decimal
rupiah = st.integers(min_value=0, max_value=50_000_000).map(D)
cents = st.integers(min_value=0, max_value=5_000_000_000).map(lambda c: D(c) / 100)


def matcher(tolerance=1000, **bills):
	"""Members M1.. with bill lines (name, loan, amount); pension numbers TSP-<member>, NIKs 3273…<n>."""
	members = {m: [BillLine(*line) for line in lines] for m, lines in bills.items()}
	by_pn = {normalise_key(f"TSP-{m}"): m for m in members}
	by_nik = {f"32730117085800{i:02d}": m for i, m in enumerate(members)}
	return Matcher(members, by_pn, by_nik, D(tolerance))


def test_exact_within_short_over():
	assert compare_amounts(D(1_180_000), D(1_180_000), D(1000)) == (MatchStatus.MATCHED, 0, 1_180_000, 0)
	assert compare_amounts(D(1_179_500), D(1_180_000), D(1000)) == (MatchStatus.MATCHED, -500, 1_179_500, 0)
	assert compare_amounts(D(1_181_000), D(1_180_000), D(1000)) == (MatchStatus.MATCHED, 1000, 1_181_000, 0)
	assert compare_amounts(D(700_000), D(1_180_000), D(1000)) == (MatchStatus.SHORT, -480_000, 700_000, 0)
	assert compare_amounts(D(1_430_000), D(1_180_000), D(1000)) == (
		MatchStatus.OVER,
		250_000,
		1_180_000,
		250_000,
	)


def test_tolerance_zero_makes_every_difference_short_or_over():
	assert compare_amounts(D("1180000.01"), D(1_180_000), D(0))[0] == MatchStatus.OVER
	assert compare_amounts(D("1179999.99"), D(1_180_000), D(0))[0] == MatchStatus.SHORT


def test_negative_inputs_are_refused():
	with pytest.raises(InvalidMatch):
		compare_amounts(D(-1), D(0), D(0))
	with pytest.raises(InvalidMatch):
		compare_amounts(D(1), D(0), D(-5))
	with pytest.raises(InvalidMatch):
		BillLine("E1", "L1", D(-1))


def test_member_found_by_pension_number_or_nik_case_and_spaces_ignored():
	m = matcher(M1=[("E1", "L1", 1_180_000)])
	assert m.match(" tsp-m1 ", "", D(1_180_000)).member == "M1"
	assert m.match("", "3273011708580000", D(0)).member == "M1"


def test_unknown_and_conflicting_keys_are_unmatched_with_reason():
	m = matcher(M1=[("E1", "L1", 100)], M2=[("E2", "L2", 100)])
	unknown = m.match("TSP-X", "", D(100))
	assert (unknown.status, unknown.reason, unknown.postings) == (
		MatchStatus.UNMATCHED,
		UnmatchedReason.UNKNOWN_MEMBER,
		(),
	)
	assert "TSP-X" in unknown.message
	mixed = m.match("TSP-M1", "3273011708580001", D(100))
	assert (mixed.status, mixed.reason) == (MatchStatus.UNMATCHED, UnmatchedReason.CONFLICTING_KEYS)


def test_member_not_billed_and_wrong_reference():
	m = Matcher({"M1": [BillLine("E1", "L1", D(100))]}, {"tsp-m1": "M1", "tsp-m2": "M2"}, {}, D(0))
	assert m.match("TSP-M2", "", D(100)).reason == UnmatchedReason.NOT_BILLED
	assert m.match("TSP-M1", "", D(100), reference="E9").reason == UnmatchedReason.UNKNOWN_REFERENCE


def test_over_posts_the_bill_and_refunds_the_rest_and_a_second_line_finds_nothing_open():
	m = matcher(M1=[("E1", "L1", 1_180_000)])
	first = m.match("TSP-M1", "", D(1_430_000))
	assert (first.status, first.posted, first.refund, first.difference) == (
		MatchStatus.OVER,
		1_180_000,
		250_000,
		250_000,
	)
	again = m.match("TSP-M1", "", D(1_180_000))
	assert (again.status, again.expected, again.posted, again.refund) == (MatchStatus.OVER, 0, 0, 1_180_000)
	assert again.message == "Already realised for this period"


def test_two_loans_filled_in_order_and_per_loan_sums():
	m = matcher(M1=[("E1", "L1", 1_000_000), ("E2", "L2", 500_000), ("E3", "L1", 200_000)])
	result = m.match("TSP-M1", "", D(1_100_000))
	assert result.status == MatchStatus.SHORT
	assert [(p.bill_line, p.amount) for p in result.postings] == [("E1", 1_000_000), ("E2", 100_000)]
	assert result.per_loan() == [("L1", 1_000_000), ("L2", 100_000)]


def test_reference_matches_one_instruction_of_the_member():
	m = matcher(M1=[("E1", "L1", 1_000_000), ("E2", "L2", 500_000)])
	result = m.match("TSP-M1", "", D(500_000), reference="e2")
	assert (result.status, result.expected, result.per_loan()) == (
		MatchStatus.MATCHED,
		500_000,
		[("L2", 500_000)],
	)


def test_excess_within_tolerance_goes_to_the_first_line():
	lines = [BillLine("E1", "L1", D(100)), BillLine("E2", "L2", D(50))]
	assert [(p.bill_line, p.amount) for p in split_postings(D(160), lines)] == [("E1", 110), ("E2", 50)]
	assert [(p.bill_line, p.amount) for p in split_postings(D(0), lines)] == []


@SETTINGS
@given(realised=rupiah, expected=rupiah, tolerance=st.integers(0, 10_000).map(D))
def test_posted_plus_refund_is_what_was_deducted(realised, expected, tolerance):
	status, difference, post, refund = compare_amounts(realised, expected, tolerance)
	assert post + refund == realised
	assert difference == realised - expected
	assert post >= 0 and refund >= 0
	assert (status == MatchStatus.MATCHED) == (abs(difference) <= tolerance)
	if status == MatchStatus.OVER:
		assert post == expected and refund > tolerance
	if status == MatchStatus.SHORT:
		assert post == realised and -difference > tolerance


@SETTINGS
@given(amount=cents, bills=st.lists(cents, min_size=1, max_size=6))
def test_split_never_loses_a_rupiah_and_fills_in_order(amount, bills):
	lines = [BillLine(f"E{i}", f"L{i % 2}", b) for i, b in enumerate(bills)]
	postings = split_postings(amount, lines)
	assert sum((p.amount for p in postings), D(0)) == amount
	assert all(p.amount > 0 for p in postings)
	filled = {p.bill_line: p.amount for p in postings}
	# a later line gets something only when every earlier one is full (the first may take the excess)
	for i, line in enumerate(lines[1:], 1):
		if filled.get(line.name):
			assert all(filled.get(e.name, 0) >= e.open for e in lines[:i])


@SETTINGS
@given(
	deductions=st.lists(rupiah, min_size=1, max_size=5), billed=rupiah, tolerance=st.integers(0, 5000).map(D)
)
def test_lines_of_one_member_never_realise_more_than_billed_plus_tolerance(deductions, billed, tolerance):
	m = matcher(tolerance, M1=[("E1", "L1", billed)])
	line = m.bills["M1"][0]
	for amount in deductions:
		before = line.realised
		result = m.match("TSP-M1", "", amount)
		assert result.posted + result.refund == amount
		assert line.realised - before == result.posted
	assert line.realised <= billed + tolerance * len(deductions)
