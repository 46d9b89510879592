"""Funder settlement (seed 004 §6): largest-remainder split, interest share, fees, reconciliation."""

from datetime import date
from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from pinjaman_online.lending.money import percent_of
from pinjaman_online.lending.period import InvalidPeriod, Period, parse_period, period_of
from pinjaman_online.lending.settlement import (
	Collection,
	FunderShare,
	InvalidSettlement,
	Participation,
	Receipt,
	SettlementTotals,
	distribute,
	fees_on,
	settle_funder,
	split_collection,
	split_loan,
)

SETTINGS = settings(max_examples=300, deadline=None, database=None)
D = Decimal

rupiah = st.integers(min_value=0, max_value=10**12).map(D)
rupiah_sen = st.integers(min_value=0, max_value=10**13).map(lambda n: D(n) / 100)
pct = st.integers(min_value=0, max_value=10_000).map(lambda n: D(n) / 100)  # 0.00 .. 100.00
share = st.integers(min_value=1, max_value=10_000).map(lambda n: D(n) / 100)


@st.composite
def shares_strategy(draw, max_funders=4):
	"""1..max_funders funder shares adding up to at most 100 %, with any contract percentages."""
	n = draw(st.integers(min_value=0, max_value=max_funders))
	remaining = 10_000
	out = []
	for i in range(n):
		if remaining < 1:
			break
		basis_points = draw(st.integers(min_value=1, max_value=remaining))
		remaining -= basis_points
		originator = draw(st.integers(min_value=0, max_value=10_000))
		servicing = draw(st.integers(min_value=0, max_value=10_000 - originator))
		out.append(
			FunderShare(
				f"ALLOC-{i}",
				D(basis_points) / 100,
				draw(pct),
				D(originator) / 100,
				D(servicing) / 100,
			)
		)
	return out


# distribute -----------------------------------------------------------------------------------------------


def test_distribute_gives_leftover_rupiah_to_largest_remainders():
	# 100 split 1:1:1 -> quotas 33.33 each; the one Rupiah left goes to the first (ties to the earlier).
	assert distribute(D(100), [D(1), D(1), D(1)]) == (D(34), D(33), D(33))
	# 1.000.001 split 60/25/15 -> quotas 600000.6, 250000.25, 150000.15: the leftover Rupiah goes to 60 %.
	assert distribute(D(1_000_001), [D(60), D(25), D(15)]) == (D(600_001), D(250_000), D(150_000))
	# 10 split 45/45/10 -> 4.5, 4.5, 1.0: one Rupiah left, tie between the first two -> the first.
	assert distribute(D(10), [D(45), D(45), D(10)]) == (D(5), D(4), D(1))


def test_distribute_sen_stay_with_the_last_part():
	assert distribute(D("1000.75"), [D(50), D(50), D(0)]) == (D(500), D(500), D("0.75"))


def test_distribute_zero_and_errors():
	assert distribute(D(0), [D(0), D(0)]) == (D(0), D(0))
	with pytest.raises(InvalidSettlement):
		distribute(D(5), [D(0), D(0)])
	with pytest.raises(InvalidSettlement):
		distribute(D(-1), [D(1)])
	with pytest.raises(InvalidSettlement):
		distribute(D(1), [])
	with pytest.raises(TypeError):
		distribute(1.5, [D(1)])


@SETTINGS
@given(total=rupiah_sen, weights=st.lists(pct, min_size=1, max_size=6))
def test_distribute_adds_up_and_stays_within_a_rupiah_of_the_quota(total, weights):
	assume(sum(weights) > 0)
	parts = distribute(total, weights)
	assert sum(parts) == total
	whole = int(total)
	for i, (part, weight) in enumerate(zip(parts, weights, strict=True)):
		assert part >= 0
		quota = Fraction(whole) * Fraction(weight) / Fraction(sum(weights))
		whole_part = Fraction(part) - (Fraction(total - whole) if i == len(parts) - 1 else 0)
		assert abs(whole_part - quota) < 1
		assert whole_part.denominator == 1


# split_collection: examples ------------------------------------------------------------------------------


def test_full_funding_with_fees_on_the_interest():
	# A loan fully funded by a bank: 10 % originator and 15 % servicing fee on the interest.
	split = split_collection(
		Collection(D(1_000_000), D(450_000), D(20_000)),
		[FunderShare("A", D(100), D(100), D(10), D(15))],
	)
	bank = split.part("A")
	assert (bank.principal, bank.interest, bank.originator_fee, bank.servicing_fee) == (
		D(1_000_000),
		D(450_000),
		D(45_000),
		D(67_500),
	)
	assert bank.net == D(1_000_000 + 450_000 - 112_500)
	assert split.cooperative_principal == split.cooperative_interest == 0
	assert split.cooperative_total == D(112_500 + 20_000)  # fees + penalty
	assert split.funders_net + split.cooperative_total == D(1_470_000)


def test_two_funders_and_the_cooperative_share_one_loan():
	# 60 % bank (fees 8 % + 12 %), 25 % another cooperative (interest share 90 %, fees 5 % + 10 %), 15 % own.
	split = split_collection(
		Collection(D(1_234_567), D(333_333)),
		[FunderShare("BANK", D(60), D(100), D(8), D(12)), FunderShare("KOP", D(25), D(90), D(5), D(10))],
	)
	bank, kop = split.part("BANK"), split.part("KOP")
	# principal quotas 740740.2, 308641.75, 185185.05 -> floors 740740 + 308641 + 185185 = 1234566, +1 to KOP
	assert (bank.principal, kop.principal, split.cooperative_principal) == (
		D(740_740),
		D(308_642),
		D(185_185),
	)
	# interest quotas 199999.8, 83333.25, 49999.95 -> floors 199999 + 83333 + 49999 = 333331: +1 BANK, +1 coop
	assert (bank.interest_part, kop.interest_part, split.cooperative_interest) == (
		D(200_000),
		D(83_333),
		D(50_000),
	)
	assert kop.interest == D(75_000)  # 83.333 × 90 % = 74.999,7 -> 75.000 (half up)
	assert kop.interest_spread == D(8_333)
	assert fees_on(D(75_000), D(5), D(10)) == (D(3_750), D(7_500))
	assert (bank.originator_fee, bank.servicing_fee) == (D(16_000), D(24_000))
	assert split.funders_net + split.cooperative_total == D(1_234_567 + 333_333)


def test_fees_never_exceed_the_credited_interest():
	# 1 Rupiah of interest with 50 % + 50 %: rounding each fee half up would give 2 Rupiah of fees.
	assert fees_on(D(1), D(50), D(50)) == (D(1), D(0))
	assert fees_on(D(3), D("16.67"), D("16.67")) == (D(1), D(0))


def test_no_funders_everything_stays_with_the_cooperative():
	split = split_collection(Collection(D(500), D(100), D(7)), [])
	assert split.funders == ()
	assert split.cooperative_total == D(607)


def test_invalid_shares_are_refused():
	with pytest.raises(InvalidSettlement, match="more than 100%"):
		split_collection(Collection(D(1), D(1)), [FunderShare("A", D(60)), FunderShare("B", D("40.01"))])
	with pytest.raises(InvalidSettlement, match="more than once"):
		split_collection(Collection(D(1), D(1)), [FunderShare("A", D(10)), FunderShare("A", D(10))])
	with pytest.raises(InvalidSettlement):
		FunderShare("A", D(0))
	with pytest.raises(InvalidSettlement):
		FunderShare("A", D(50), D(100), D(60), D(41))
	with pytest.raises(InvalidSettlement):
		Collection(D(-1), D(0))


# split_collection: properties ----------------------------------------------------------------------------


@SETTINGS
@given(principal=rupiah_sen, interest=rupiah_sen, penalty=rupiah_sen, shares=shares_strategy())
def test_funders_plus_cooperative_equal_what_was_collected(principal, interest, penalty, shares):
	split = split_collection(Collection(principal, interest, penalty), shares)
	assert split.funders_net + split.cooperative_total == principal + interest + penalty
	assert sum(p.principal for p in split.funders) + split.cooperative_principal == principal
	assert sum(p.interest_part for p in split.funders) + split.cooperative_interest == interest
	for share, part in zip(shares, split.funders, strict=True):
		assert 0 <= part.fees <= part.interest <= part.interest_part
		assert part.interest == percent_of(part.interest_part, share.interest_share_pct)
		assert part.fees == percent_of(part.interest, share.originator_fee_pct + share.servicing_fee_pct)
		assert part.originator_fee == percent_of(part.interest, share.originator_fee_pct)
		assert part.net >= part.principal >= 0


@SETTINGS
@given(principal=rupiah, interest=rupiah, shares=shares_strategy())
def test_each_part_is_within_a_rupiah_of_its_exact_share(principal, interest, shares):
	split = split_collection(Collection(principal, interest), shares)
	for share, part in zip(shares, split.funders, strict=True):
		assert abs(part.principal - principal * share.share_pct / 100) < 1
		assert abs(part.interest_part - interest * share.share_pct / 100) < 1


# settle_funder over a period -----------------------------------------------------------------------------


def participation(loan, funder, key, share_pct, start=date(2026, 1, 1), end=None, **terms):
	return Participation(loan, funder, start, FunderShare(key, D(share_pct), **terms), end)


def test_settlement_lines_per_loan_and_the_shared_loan_reconciles_across_funders():
	receipts = [
		Receipt("LN-1", date(2026, 3, 25), D(1_000_000), D(180_000)),
		Receipt("LN-2", date(2026, 3, 25), D(800_000), D(150_000), D(10_000)),
		Receipt("LN-2", date(2026, 3, 28), D(1), D(0)),
		Receipt("LN-3", date(2026, 3, 25), D(500_000), D(90_000)),  # not funded: the cooperative's alone
	]
	parts = [
		participation("LN-1", "BANK", "FA-1", 100, originator_fee_pct=D(10), servicing_fee_pct=D(15)),
		participation("LN-2", "BANK", "FA-2", 60, originator_fee_pct=D(8), servicing_fee_pct=D(12)),
		participation("LN-2", "KOP", "FA-3", 25, interest_share_pct=D(90), servicing_fee_pct=D(10)),
	]
	bank = settle_funder("BANK", receipts, parts)
	kop = settle_funder("KOP", receipts, parts)
	assert [(line.loan, line.allocation) for line in bank] == [("LN-1", "FA-1"), ("LN-2", "FA-2")]
	assert [(line.loan, line.allocation) for line in kop] == [("LN-2", "FA-3")]
	for line in (*bank, *kop):
		assert line.part.net + line.other_funders + line.cooperative == line.collection.total
	shared_bank, shared_kop = bank[1], kop[0]
	assert shared_bank.collection.total == D(960_001)
	assert shared_bank.part.net + shared_kop.part.net + shared_bank.cooperative == D(960_001)
	assert shared_bank.other_funders == shared_kop.part.net
	totals = SettlementTotals.of(bank)
	assert totals.reconciles and totals.lines == 2
	assert totals.collected == D(1_180_000 + 960_001)


def test_payments_outside_an_allocation_are_not_on_the_funder_settlement():
	receipts = [
		Receipt("LN-1", date(2026, 3, 5), D(100), D(10)),
		Receipt("LN-1", date(2026, 3, 20), D(200), D(20)),
	]
	# The bank's allocation ends on 15 March; another funder starts on that day.
	parts = [
		participation("LN-1", "BANK", "FA-1", 100, end=date(2026, 3, 15)),
		participation("LN-1", "KOP", "FA-2", 50, start=date(2026, 3, 15)),
	]
	(bank_line,) = settle_funder("BANK", receipts, parts)
	(kop_line,) = settle_funder("KOP", receipts, parts)
	assert bank_line.collection.total == D(110)
	assert kop_line.collection.total == D(220) and kop_line.part.principal == D(100)
	assert len(split_loan("LN-1", receipts, parts)) == 2


@SETTINGS
@given(
	shares=shares_strategy(max_funders=3),
	amounts=st.lists(st.tuples(rupiah, rupiah, rupiah), min_size=1, max_size=5),
)
def test_every_funder_settlement_and_the_cooperative_add_up_to_the_collections(shares, amounts):
	receipts = [Receipt("LN", date(2026, 3, 1 + i), p, i_, pen) for i, (p, i_, pen) in enumerate(amounts)]
	parts = [Participation("LN", f"F{i}", date(2026, 1, 1), s) for i, s in enumerate(shares)]
	collected = sum((r.principal + r.interest + r.penalty for r in receipts), D(0))
	lines = [line for i in range(len(shares)) for line in settle_funder(f"F{i}", receipts, parts)]
	if not lines:
		return
	paid = sum((line.part.net for line in lines), D(0))
	assert paid + lines[0].cooperative == collected
	assert all(SettlementTotals.of([line]).reconciles for line in lines)


# periods --------------------------------------------------------------------------------------------------


def test_periods():
	p = parse_period("2024-02")
	assert (p.start, p.end, str(p)) == (date(2024, 2, 1), date(2024, 2, 29), "2024-02")
	assert parse_period(" 2026-12 ").previous() == Period(2026, 11)
	assert Period(2026, 1).previous() == Period(2025, 12)
	assert period_of(date(2026, 3, 31)) == Period(2026, 3) and p.contains(date(2024, 2, 29))
	for bad in ("2026-3", "2026-13", "2026-00", "03-2026", "", None, "2026-03-01"):
		with pytest.raises(InvalidPeriod):
			parse_period(bad)


def test_share_of_an_amount():
	from pinjaman_online.lending.settlement import share_pct_of

	assert share_pct_of(D(10_000_000), D(36_000_000)) == D("27.7778")
	assert share_pct_of(D(36_000_000), D(36_000_000)) == D(100)
	for amount, principal in ((D(0), D(1)), (D(2), D(1)), (D(1), D(0))):
		with pytest.raises(InvalidSettlement):
			share_pct_of(amount, principal)
