"""Sales commission and KPIs (seed 004 §2): rate per product and/or branch, amount, achievement."""

from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pinjaman_online.lending.commission import (
	InvalidCommission,
	ProductRate,
	achievement_pct,
	commission_amount,
	resolve_rate,
)

D = Decimal


def test_most_specific_rate_wins():
	rates = [ProductRate(D("1.5")), ProductRate(D(2), "JKT")]
	assert resolve_rate("JKT", rates, D(1)) == D(2)  # product rate for the branch
	assert resolve_rate("BDG", rates, D(1)) == D("1.5")  # product rate for any branch
	assert resolve_rate("BDG", [ProductRate(D(2), "JKT")], D(1)) == D(1)  # the branch's default
	assert resolve_rate("BDG", [], None) is None  # no rule: no commission
	assert resolve_rate(None, rates, D(1)) == D("1.5")
	assert resolve_rate("JKT", [ProductRate(D(0), "JKT")], D(3)) == D(0)  # 0 is a rule too


def test_conflicting_or_invalid_rates_are_refused():
	with pytest.raises(InvalidCommission, match="two commission rates"):
		resolve_rate("JKT", [ProductRate(D(1), "JKT"), ProductRate(D(2), "JKT")])
	with pytest.raises(InvalidCommission):
		ProductRate(D(101))
	with pytest.raises(InvalidCommission):
		resolve_rate("JKT", [], D(-1))
	with pytest.raises(InvalidCommission):
		commission_amount(D(-1), D(1))


def test_commission_amount_half_up_to_the_rupiah():
	assert commission_amount(D(30_000_000), D("1.5")) == D(450_000)
	assert commission_amount(D(12_345_678), D("0.75")) == D(92_593)  # 92.592,585 -> 92.593
	assert commission_amount(D(0), D(5)) == 0
	with pytest.raises(TypeError):
		commission_amount(1_000_000.0, D(1))


@settings(max_examples=200, deadline=None, database=None)
@given(
	base=st.integers(min_value=0, max_value=10**12).map(D),
	rate=st.integers(min_value=0, max_value=10_000).map(lambda n: D(n) / 100),
)
def test_commission_is_the_rounded_exact_percentage(base, rate):
	amount = commission_amount(base, rate)
	assert amount == amount.to_integral_value()
	assert abs(amount - base * rate / 100) <= D("0.5")
	assert 0 <= amount <= base


def test_achievement():
	assert achievement_pct(2, 3) == D("66.7")
	assert achievement_pct(D(45_000_000), D(40_000_000)) == D("112.5")
	assert achievement_pct(5, 0) is None
	assert achievement_pct(0, 10) == D(0)
