"""Online-loan pricing: a rate per day and the OJK caps (SEOJK 19/SEOJK.06/2023) on interest + fees per day,
late fees per day and interest + fees + late fees in total, checked against hand computations."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pinjaman_online.lending.errors import InvalidTerms
from pinjaman_online.lending.penalties import Accrual, LoanLateFeeBudget, PenaltyRule, accrue
from pinjaman_online.lending.pricing import (
	EconomicBenefitCapExceeded,
	OnlineLendingCaps,
	annual_rate_from_daily,
	check_economic_benefit,
	ensure_within_caps,
	late_fee_daily_limit,
	late_fee_room,
)

SETTINGS = settings(max_examples=200, deadline=None, database=None)
D = Decimal
CAPS_2026 = OnlineLendingCaps(
	benefit_per_day_pct=D("0.1"),
	late_fee_per_day_pct=D("0.1"),
	total_pct=D(100),
	short_tenor_months=6,
	short_benefit_per_day_pct=D("0.3"),
	short_late_fee_per_day_pct=D("0.3"),
)


# --- rate per day -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
	("daily", "annual"), [("0.1", "36.5"), ("0.08", "29.2"), ("0", "0"), ("0.27", "98.55")]
)
def test_annual_rate_is_daily_times_365(daily, annual):
	assert annual_rate_from_daily(D(daily)) == D(annual)


@pytest.mark.parametrize("daily", ["-0.1", "0.095", "101"])
def test_bad_daily_rates_are_refused(daily):
	with pytest.raises(InvalidTerms):
		annual_rate_from_daily(D(daily))


@SETTINGS
@given(st.integers(min_value=0, max_value=10_000))
def test_flat_month_interest_from_daily_rate_is_average_month_of_days(hundredths):
	daily = D(hundredths) / 100
	annual = annual_rate_from_daily(daily)
	# a flat month's interest rate (annual / 12) equals the daily rate times 365/12 days, exactly, and the
	# annual rate has at most 2 decimals (the precision the schedule reads it with)
	assert annual / 12 == daily * D(365) / 12
	assert annual == annual.quantize(D("0.01"))


# --- economic benefit per day ----------------------------------------------------------------------------


def test_seeded_online_product_is_within_the_2026_caps():
	# Rp 6.000.000, 6 months flat 24%/year = 720.000 interest, 1% admin = 60.000; 2026-03-01 → 2026-09-01
	check = check_economic_benefit(
		D(6_000_000), D(720_000), D(60_000), 6, date(2026, 3, 1), date(2026, 9, 1), CAPS_2026
	)
	assert check.days == 184
	assert check.cap_pct == D("0.3")  # short tenor (≤ 6 months)
	assert check.max_benefit == D(3_312_000)  # 6.000.000 × 0.3% × 184
	assert check.per_day_pct == D("0.0707")  # 780.000 / 6.000.000 / 184 = 0.07065…%, rounded up
	assert check.passed


def test_long_tenor_uses_the_lower_cap_and_refuses_above_it():
	# 12 months at 0.1%/day → 36.5%/year flat = 4.380.000 on 12.000.000, + 2% fee 240.000; 365 days
	check = check_economic_benefit(
		D(12_000_000), D(4_380_000), D(240_000), 12, date(2026, 1, 1), date(2027, 1, 1), CAPS_2026
	)
	assert check.days == 365
	assert check.cap_pct == D("0.1")
	assert check.max_benefit == D(4_380_000)
	assert not check.passed
	with pytest.raises(EconomicBenefitCapExceeded) as err:
		ensure_within_caps(check)
	assert err.value.code == "ECONOMIC_BENEFIT_CAP"
	assert err.value.params["maximum"] == D(4_380_000)


def test_total_cap_bounds_a_long_loan_below_the_daily_allowance():
	caps = OnlineLendingCaps(D("0.3"), D("0.3"), total_pct=D(100))
	# 0.3% × 731 days = 219.3% > 100%: the total cap (the principal) is the limit
	check = check_economic_benefit(
		D(1_000_000), D(990_000), D(20_000), 24, date(2026, 1, 1), date(2028, 1, 1), caps
	)
	assert check.max_benefit == D(1_000_000)
	assert not check.passed


def test_short_tier_off_uses_the_main_cap():
	caps = OnlineLendingCaps(D("0.1"), D("0.1"))
	assert caps.benefit_cap(1) == D("0.1")
	assert caps.late_fee_cap(1) == D("0.1")
	assert CAPS_2026.benefit_cap(6) == D("0.3") and CAPS_2026.benefit_cap(7) == D("0.1")


def test_caps_out_of_range_are_refused():
	with pytest.raises(InvalidTerms):
		OnlineLendingCaps(D("-0.1"), D("0.1"))
	with pytest.raises(InvalidTerms):
		OnlineLendingCaps(D("0.1"), D("0.1"), total_pct=D(150))


@SETTINGS
@given(
	st.integers(min_value=100_000, max_value=50_000_000),
	st.integers(min_value=0, max_value=60_000_000),
	st.integers(min_value=1, max_value=24),
	st.integers(min_value=1, max_value=800),
)
def test_benefit_passes_exactly_when_within_both_caps(principal, benefit, tenor, days):
	start = date(2026, 1, 1)
	check = check_economic_benefit(
		D(principal), D(benefit), D(0), tenor, start, start + timedelta(days=days), CAPS_2026
	)
	cap = CAPS_2026.benefit_cap(tenor)
	allowed = min(D(principal) * cap * days / 100, D(principal))
	assert check.passed == (D(benefit) <= allowed.to_integral_value(rounding="ROUND_FLOOR"))
	assert check.max_benefit <= allowed


# --- late fees ----------------------------------------------------------------------------------------------


def test_late_fee_limits_by_hand():
	assert late_fee_daily_limit(D(6_000_000), 12, CAPS_2026) == D(6_000)  # 0.1% of 6.000.000
	assert late_fee_daily_limit(D(6_000_000), 3, CAPS_2026) == D(18_000)  # short tenor 0.3%
	assert late_fee_daily_limit(D(1_999), 12, CAPS_2026) == D(1)  # 1.999 rounded down
	# 100% of 6.000.000 − 720.000 interest − 60.000 fees − 100.000 late fees charged
	assert late_fee_room(D(6_000_000), D(720_000), D(60_000), D(100_000), CAPS_2026) == D(5_120_000)
	assert late_fee_room(D(1_000), D(900), D(200), D(0), CAPS_2026) == D(0)


def test_budget_cuts_one_day_of_several_installments_to_the_daily_limit():
	budget = LoanLateFeeBudget(D(6_000), None)
	day = date(2026, 5, 2)
	first = budget.limit(Accrual(D(4_000), 1, day))
	second = budget.limit(Accrual(D(4_000), 1, day))
	third = budget.limit(Accrual(D(4_000), 1, day))
	assert (first.amount, second.amount, third.amount) == (D(4_000), D(2_000), D(0))
	assert third.accrued_to == day and third.days == 1  # the days stay accrued: not charged later


def test_budget_over_several_days_allows_the_longest_range():
	budget = LoanLateFeeBudget(D(1_000), None)
	assert budget.limit(Accrual(D(2_500), 2, date(2026, 5, 3))).amount == D(2_000)
	assert budget.limit(Accrual(D(900), 3, date(2026, 5, 3))).amount == D(
		900
	)  # 3 days: 3.000 − 2.000 − 0 → 900
	assert budget.limit(Accrual(D(900), 3, date(2026, 5, 3))).amount == D(100)


def test_budget_stops_at_the_total_room():
	budget = LoanLateFeeBudget(D(10_000), D(2_500))
	assert budget.limit(Accrual(D(2_000), 1, date(2026, 5, 2))).amount == D(2_000)
	assert budget.limit(Accrual(D(2_000), 1, date(2026, 5, 2))).amount == D(500)
	assert LoanLateFeeBudget(None, D(0)).limit(Accrual(D(5), 1, date(2026, 5, 2))).amount == D(0)


@SETTINGS
@given(
	st.lists(st.integers(min_value=0, max_value=500_000), min_size=1, max_size=8),
	st.integers(min_value=1, max_value=30),
	st.integers(min_value=0, max_value=50_000),
	st.integers(min_value=0, max_value=2_000_000),
)
def test_budget_never_exceeds_either_cap(amounts, days, daily, room):
	budget = LoanLateFeeBudget(D(daily), D(room))
	charged = sum(budget.limit(Accrual(D(a), days, date(2026, 6, 1))).amount for a in amounts)
	assert charged <= D(daily) * days
	assert charged <= D(room)
	assert charged == min(sum(D(a) for a in amounts), D(daily) * days, D(room))


def test_daily_accrual_with_budget_stops_at_the_principal_over_a_long_delinquency():
	# A 1-month Rp 1.000.000 online loan: interest 20.000 + fees 10.000; late fee 1%/day of the unpaid
	# installment (a rule far above the OJK cap); run every day for 1.200 days.
	caps = OnlineLendingCaps(D("0.1"), D("0.1"))
	rule = PenaltyRule(0, D(1))
	due = date(2026, 1, 1)
	charged, last, day = D(0), None, due
	for _ in range(1200):
		day += timedelta(days=1)
		acc = accrue(rule, due, D(1_020_000), D(1_020_000), charged, last, day)
		budget = LoanLateFeeBudget(
			late_fee_daily_limit(D(1_000_000), 1, caps),
			late_fee_room(D(1_000_000), D(20_000), D(10_000), charged, caps),
		)
		acc = budget.limit(acc)
		assert acc.amount <= D(1_000)  # 0.1% of the principal per day
		charged += acc.amount
		last = acc.accrued_to
	assert charged == D(970_000)  # interest + fees + late fees = 100% of the principal
