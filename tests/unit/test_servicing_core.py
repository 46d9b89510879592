"""Penalties, aging, early-settlement payoff and restructuring terms (lending core)."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pinjaman_online.lending.aging import collectibility, dpd_bucket, is_non_performing, npl_ratio
from pinjaman_online.lending.errors import InvalidPayment, InvalidTerms
from pinjaman_online.lending.money import percent_of
from pinjaman_online.lending.payoff import PayoffLine, payoff_quote
from pinjaman_online.lending.penalties import PenaltyRule, accrue
from pinjaman_online.lending.restructure import (
	PAYMENT_DEFERRAL,
	RATE_REDUCTION,
	TENOR_EXTENSION,
	restructured_terms,
)
from pinjaman_online.lending.schedule import generate_schedule

DUE = date(2026, 1, 25)
RULE = PenaltyRule(grace_days=5, daily_rate_pct=Decimal("0.1"), cap_pct=Decimal(50))


# ------------------------------------------------------------------ penalties
def test_no_penalty_within_grace_and_then_per_day():
	assert (
		accrue(RULE, DUE, Decimal(1_000_000), Decimal(1_000_000), 0, None, DUE + timedelta(days=5)).amount
		== 0
	)
	a = accrue(RULE, DUE, Decimal(1_000_000), Decimal(1_000_000), 0, None, DUE + timedelta(days=8))
	# 3 days after the grace period at 0.1%/day of Rp 1.000.000 = Rp 3.000
	assert (a.amount, a.days, a.accrued_to) == (Decimal(3000), 3, DUE + timedelta(days=8))


def test_accrual_is_idempotent_for_the_same_day():
	first = accrue(RULE, DUE, Decimal(1_000_000), Decimal(400_000), 0, None, DUE + timedelta(days=30))
	again = accrue(
		RULE,
		DUE,
		Decimal(1_000_000),
		Decimal(400_000),
		first.amount,
		first.accrued_to,
		DUE + timedelta(days=30),
	)
	assert first.amount == Decimal(10_000) and again.amount == 0


def test_nothing_accrues_on_a_paid_installment():
	assert accrue(RULE, DUE, Decimal(1_000_000), Decimal(0), 0, None, DUE + timedelta(days=60)).amount == 0


@settings(max_examples=200, deadline=None)
@given(
	total=st.integers(100_000, 50_000_000),
	unpaid_share=st.integers(1, 100),
	steps=st.lists(st.integers(0, 40), min_size=1, max_size=30),
	rate=st.decimals("0.01", "5", places=2),
	cap=st.decimals("1", "100", places=0),
)
def test_daily_runs_never_exceed_the_cap(total, unpaid_share, steps, rate, cap):
	rule = PenaltyRule(3, rate, cap)
	unpaid = Decimal(total * unpaid_share // 100)
	charged, last, day = Decimal(0), None, DUE
	for step in steps:
		day += timedelta(days=step)
		acc = accrue(rule, DUE, Decimal(total), unpaid, charged, last, day)
		assert acc.amount >= 0
		charged += acc.amount
		last = acc.accrued_to or last
		# the same day again adds nothing
		assert accrue(rule, DUE, Decimal(total), unpaid, charged, last, day).amount == 0
	assert charged <= percent_of(Decimal(total), cap)  # the cap itself is whole Rupiah, half up


def test_invalid_rules_are_refused():
	with pytest.raises(InvalidTerms):
		PenaltyRule(-1, Decimal(1))
	with pytest.raises(InvalidTerms):
		PenaltyRule(0, Decimal(101))


# ------------------------------------------------------------------ aging
@pytest.mark.parametrize(
	"dpd,bucket,kol",
	[
		(0, "0-30", 1),
		(1, "0-30", 2),
		(30, "0-30", 2),
		(31, "31-60", 2),
		(60, "31-60", 2),
		(61, "61-90", 2),
		(90, "61-90", 2),
		(91, ">90", 3),
		(120, ">90", 3),
		(121, ">90", 4),
		(180, ">90", 4),
		(181, ">90", 5),
	],
)
def test_buckets_and_collectibility(dpd, bucket, kol):
	assert dpd_bucket(dpd) == bucket
	assert collectibility(dpd) == kol
	assert is_non_performing(dpd) == (dpd > 90)


def test_npl_ratio():
	assert npl_ratio([(0, Decimal(600)), (91, Decimal(300)), (200, Decimal(100))]) == Decimal("40.00")
	assert npl_ratio([]) == 0
	with pytest.raises(ValueError):
		dpd_bucket(-1)


# ------------------------------------------------------------------ payoff
def lines_of(schedule, start: date, paid_through: int = 0):
	out, previous = [], start
	for row in schedule.installments:
		paid = row.number <= paid_through
		out.append(
			PayoffLine(
				row.number,
				previous,
				row.due_date,
				Decimal(0) if paid else row.principal,
				row.interest,
				row.interest if paid else Decimal(0),
				Decimal(0),
			)
		)
		previous = row.due_date
	return out


def test_payoff_mid_period_keeps_pro_rata_interest_and_waives_the_rest():
	from pinjaman_online.lending.schedule import LoanTerms

	schedule = generate_schedule(LoanTerms(Decimal(12_000_000), Decimal(24), 12, "Flat", date(2026, 2, 1)))
	# 240.000 interest a month; settle 15 days into the 31-day period of installment 3 (1 Mar – 1 Apr 2026)
	quote = payoff_quote(lines_of(schedule, date(2026, 1, 1), paid_through=2), date(2026, 3, 16), Decimal(2))
	assert quote.principal == Decimal(10_000_000)
	assert quote.interest == Decimal(116_129)  # 240.000 × 15/31 = 116.129,03
	assert quote.fee == Decimal(200_000)
	assert quote.waived_interest == 240_000 * 10 - 116_129
	assert quote.total == quote.principal + quote.interest + quote.penalty + quote.fee


def test_payoff_after_maturity_waives_nothing():
	from pinjaman_online.lending.schedule import LoanTerms

	schedule = generate_schedule(LoanTerms(Decimal(6_000_000), Decimal(12), 6, "Annuity", date(2026, 2, 1)))
	quote = payoff_quote(lines_of(schedule, date(2026, 1, 1)), date(2026, 12, 1), Decimal(0))
	assert quote.waived_interest == 0
	assert quote.principal + quote.interest == schedule.total_payable


def test_payoff_of_a_settled_loan_is_refused():
	from pinjaman_online.lending.schedule import LoanTerms

	schedule = generate_schedule(LoanTerms(Decimal(6_000_000), Decimal(12), 6, "Flat", date(2026, 2, 1)))
	with pytest.raises(InvalidPayment):
		payoff_quote(lines_of(schedule, date(2026, 1, 1), paid_through=6), date(2026, 4, 1), Decimal(1))


# ------------------------------------------------------------------ restructuring
def test_restructure_kinds():
	base = {
		"outstanding_principal": Decimal(9_000_000),
		"annual_rate_pct": Decimal(18),
		"remaining_installments": 9,
		"next_due_date": date(2026, 6, 25),
		"interest_method": "Annuity",
		"rounding_unit": Decimal(100),
	}
	ext = restructured_terms(TENOR_EXTENSION, **base, new_tenor_months=18)
	assert (ext.tenor_months, ext.annual_rate_pct) == (18, Decimal(18))
	cut = restructured_terms(RATE_REDUCTION, **base, new_annual_rate_pct=Decimal(12))
	assert (cut.tenor_months, cut.annual_rate_pct) == (9, Decimal(12))
	defer = restructured_terms(PAYMENT_DEFERRAL, **base, deferral_months=3)
	assert defer.first_due_date == date(2026, 9, 25)
	assert generate_schedule(ext).total_principal == Decimal(9_000_000)
	for kind, extra in (
		(TENOR_EXTENSION, {"new_tenor_months": 9}),
		(RATE_REDUCTION, {"new_annual_rate_pct": 20}),
		(PAYMENT_DEFERRAL, {"deferral_months": 0}),
		("Haircut", {}),
	):
		with pytest.raises(InvalidTerms):
			restructured_terms(kind, **base, **extra)
