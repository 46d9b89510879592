"""Schedules: worked examples, an independent exact-fraction reference, invariants, terms validation.

Also covers the due-date and age helpers of ``dates.py`` that the schedule and eligibility rely on.
"""

import dataclasses
import itertools
import math
from datetime import date, datetime
from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pinjaman_online.lending.dates import add_months, age_in_years, monthly_due_dates
from pinjaman_online.lending.errors import InvalidTerms, LendingError
from pinjaman_online.lending.schedule import (
	STRATEGIES,
	AnnuityStrategy,
	FlatStrategy,
	InterestMethod,
	LoanTerms,
	generate_schedule,
	get_strategy,
)

SETTINGS = settings(max_examples=200, deadline=None, database=None)
JAN_31 = date(2025, 1, 31)


def terms(principal=12_000_000, rate="24", tenor=12, method="Flat", first=JAN_31, unit=1):
	return LoanTerms(Decimal(principal), Decimal(rate), tenor, method, first, Decimal(unit))


# --- independent reference (exact fractions, written separately from the implementation) -----------


def half_up(x: Fraction) -> int:
	"""Round a non-negative exact fraction half up to an integer."""
	assert x >= 0
	return math.floor(x + Fraction(1, 2))


def reference_schedule(principal, rate_pct, tenor, method, unit):
	"""Rows ``(principal, interest, total, balance_after)`` computed with ``fractions.Fraction``."""
	p = Fraction(principal)
	r = Fraction(rate_pct) / 12 / 100
	if method == "Flat":
		flat_interest = half_up(p * r)
		regular = half_up((p / tenor + flat_interest) / unit) * unit
	else:
		exact = p / tenor if r == 0 else p * r / (1 - (1 + r) ** -tenor)
		regular = half_up(exact / unit) * unit
	rows = []
	balance = p
	for k in range(1, tenor + 1):
		interest = flat_interest if method == "Flat" else half_up(balance * r)
		if k == tenor:
			part = balance
		else:
			part = min(max(regular - interest, 0), balance)
		balance -= part
		rows.append((part, interest, part + interest, balance))
	return rows


# --- worked examples ------------------------------------------------------------------------------


def test_flat_example_worked_by_hand():
	# 12.000.000 over 12 months at 24% p.a. flat:
	#   interest per month = 12.000.000 x 24% / 12 = 240.000
	#   principal per month = 12.000.000 / 12 = 1.000.000
	#   installment = 1.240.000; total interest = 12 x 240.000 = 2.880.000
	schedule = generate_schedule(terms())
	assert schedule.regular_installment == Decimal(1_240_000)
	assert schedule.total_interest == Decimal(2_880_000)
	assert schedule.total_principal == Decimal(12_000_000)
	assert schedule.total_payable == Decimal(14_880_000)
	assert all(row.interest == Decimal(240_000) for row in schedule.installments)
	assert all(row.principal == Decimal(1_000_000) for row in schedule.installments)
	assert [row.balance_after for row in schedule.installments][:3] == [
		Decimal(11_000_000),
		Decimal(10_000_000),
		Decimal(9_000_000),
	]
	assert schedule.maturity_date == date(2025, 12, 31)


def test_annuity_example_matches_closed_formula_with_fractions():
	# 10.000.000 over 12 months at 12% p.a. (r = 1% per month):
	#   A = P r / (1 - (1 + r)^-12) = 888.487,886... -> 888.488 (whole Rupiah, half up)
	p, r, n = Fraction(10_000_000), Fraction(1, 100), 12
	exact = p * r / (1 - (1 + r) ** -n)
	assert 888_487 < exact < 888_488
	schedule = generate_schedule(terms(10_000_000, "12", 12, "Annuity"))
	assert schedule.regular_installment == Decimal(888_488) == half_up(exact)
	first = schedule.installments[0]
	assert first.interest == Decimal(100_000)  # 1% of 10.000.000
	assert first.principal == Decimal(788_488)
	last = schedule.installments[-1]
	assert last.balance_after == 0
	# the last installment absorbs the rounding residue: 879.688 + 8.797
	assert (last.principal, last.interest, last.total) == (Decimal(879_688), Decimal(8_797), Decimal(888_485))
	assert schedule.total_interest == Decimal(661_853)
	assert schedule.total_payable == Decimal(10_661_853)


def test_annuity_with_rounding_unit_1000():
	schedule = generate_schedule(terms(10_000_000, "12", 12, "Annuity", unit=1000))
	assert schedule.regular_installment == Decimal(888_000)  # 888.487,89 -> 888.000
	assert schedule.total_principal == Decimal(10_000_000)
	assert schedule.installments[-1].total > Decimal(888_000)  # residue pushed to the last one


def test_flat_with_rounding_unit_100():
	# 10.000.000 / 36 = 277.777,78 + interest 10.000.000 x 18% / 12 = 150.000 -> 427.777,78 -> 427.800
	schedule = generate_schedule(terms(10_000_000, "18", 36, "Flat", unit=100))
	assert schedule.regular_installment == Decimal(427_800)
	assert schedule.installments[0].principal == Decimal(277_800)
	assert schedule.installments[-1].principal == Decimal(10_000_000) - 35 * Decimal(277_800)
	assert schedule.total_interest == 36 * Decimal(150_000)


@pytest.mark.parametrize("method", ["Flat", "Annuity"])
def test_zero_rate_is_principal_over_tenor(method):
	schedule = generate_schedule(terms(1_000_000, "0", 3, method))
	assert [row.total for row in schedule.installments] == [
		Decimal(333_333),
		Decimal(333_333),
		Decimal(333_334),
	]
	assert schedule.total_interest == 0


@pytest.mark.parametrize("method", ["Flat", "Annuity"])
def test_single_installment(method):
	schedule = generate_schedule(terms(5_000_000, "12", 1, method, unit=1000))
	(row,) = schedule.installments
	assert (row.principal, row.interest, row.total, row.balance_after) == (
		Decimal(5_000_000),
		Decimal(50_000),
		Decimal(5_050_000),
		Decimal(0),
	)


def test_interest_half_rupiah_rounds_up_exactly():
	# 60 x 10% / 12 = 0,5 exactly -> 1 (dividing by 1200 first would give 0,4999... -> 0)
	schedule = generate_schedule(terms(60, "10", 2, "Flat"))
	assert schedule.installments[0].interest == Decimal(1)


def test_guard_clamps_overshooting_installments():
	# 1.000.000 / 4 = 250.000 rounded half up to 500.000: the balance is gone after two installments.
	schedule = generate_schedule(terms(1_000_000, "0", 4, "Flat", unit=500_000))
	assert [row.principal for row in schedule.installments] == [Decimal(500_000), Decimal(500_000), 0, 0]
	assert [row.balance_after for row in schedule.installments] == [Decimal(500_000), 0, 0, 0]


def test_guard_clamps_undershooting_installments():
	# 1.000.000 / 250 + 1% p.a. flat interest (833) = 4.833 rounds to 0 with a unit of 10.000:
	# the principal part would be negative; it is clamped to 0 and the last installment takes everything.
	schedule = generate_schedule(terms(1_000_000, "1", 250, "Flat", unit=10_000))
	rows = schedule.installments
	assert all(row.principal == 0 for row in rows[:-1])
	assert rows[-1].principal == Decimal(1_000_000)
	assert all(row.interest == Decimal(833) for row in rows)


def test_principal_with_cents_is_repaid_exactly():
	schedule = generate_schedule(terms("10000000.55", "12", 12, "Annuity"))
	assert schedule.total_principal == Decimal("10000000.55")
	assert schedule.installments[-1].balance_after == 0
	assert all(row.principal >= 0 for row in schedule.installments)


def test_strategy_registry():
	assert isinstance(STRATEGIES[InterestMethod.FLAT], FlatStrategy)
	assert isinstance(STRATEGIES[InterestMethod.ANNUITY], AnnuityStrategy)
	assert get_strategy("annuity") is STRATEGIES[InterestMethod.ANNUITY]
	with pytest.raises(InvalidTerms):
		get_strategy("Balloon")


# --- properties -----------------------------------------------------------------------------------

terms_strategy = st.builds(
	LoanTerms,
	principal=st.integers(min_value=1_000_000, max_value=500_000_000).map(Decimal),
	annual_rate_pct=st.decimals(min_value=0, max_value=36, places=2, allow_nan=False, allow_infinity=False),
	tenor_months=st.integers(min_value=1, max_value=180),
	interest_method=st.sampled_from(["Flat", "Annuity", InterestMethod.FLAT, InterestMethod.ANNUITY]),
	first_due_date=st.dates(min_value=date(2000, 1, 1), max_value=date(2100, 12, 31)),
	rounding_unit=st.sampled_from([Decimal(1), Decimal(100), Decimal(1000)]),
)


@SETTINGS
@given(t=terms_strategy)
def test_schedule_invariants(t):
	schedule = generate_schedule(t)
	rows = schedule.installments
	assert len(rows) == t.tenor_months
	assert [row.number for row in rows] == list(range(1, t.tenor_months + 1))
	assert sum(row.principal for row in rows) == t.principal == schedule.total_principal
	assert rows[-1].balance_after == 0
	balance = t.principal
	for row in rows:
		assert row.principal >= 0
		assert row.interest >= 0
		assert row.total == row.principal + row.interest
		balance -= row.principal
		assert row.balance_after == balance >= 0
		for amount in (row.principal, row.interest, row.total, row.balance_after):
			assert amount == amount.to_integral_value()  # whole Rupiah
	assert schedule.total_payable == schedule.total_principal + schedule.total_interest
	assert schedule.regular_installment == rows[0].total
	assert schedule.maturity_date == rows[-1].due_date


@SETTINGS
@given(t=terms_strategy)
def test_schedule_matches_exact_fraction_reference(t):
	expected = reference_schedule(
		t.principal, t.annual_rate_pct, t.tenor_months, t.interest_method.value, int(t.rounding_unit)
	)
	actual = [(r.principal, r.interest, r.total, r.balance_after) for r in generate_schedule(t).installments]
	assert actual == expected


@SETTINGS
@given(t=terms_strategy)
def test_due_dates_strictly_increasing_monthly(t):
	dates = [row.due_date for row in generate_schedule(t).installments]
	anchor = t.first_due_date.day
	assert dates[0] == t.first_due_date
	for previous, current in itertools.pairwise(dates):
		assert previous < current
		assert (current.year * 12 + current.month) - (previous.year * 12 + previous.month) == 1
	for d in dates:
		last_day = (date(d.year + d.month // 12, d.month % 12 + 1, 1) - date(d.year, d.month, 1)).days
		assert d.day == min(anchor, last_day)


@SETTINGS
@given(
	principal=st.decimals(min_value=1, max_value=10**9, places=2, allow_nan=False, allow_infinity=False),
	t=terms_strategy,
)
def test_principal_with_cents_invariants(principal, t):
	t2 = dataclasses.replace(t, principal=principal)
	rows = generate_schedule(t2).installments
	assert sum(row.principal for row in rows) == t2.principal
	assert all(row.balance_after >= 0 and row.principal >= 0 for row in rows)
	assert rows[-1].balance_after == 0


@SETTINGS
@given(t=terms_strategy.filter(lambda t: t.interest_method is InterestMethod.ANNUITY))
def test_annuity_regular_installment_is_the_rounded_closed_formula(t):
	p, n = Fraction(t.principal), t.tenor_months
	r = Fraction(t.annual_rate_pct) / 1200
	exact = p / n if r == 0 else p * r / (1 - (1 + r) ** -n)
	unit = int(t.rounding_unit)
	assert AnnuityStrategy().regular_installment(t) == half_up(exact / unit) * unit


# --- LoanTerms validation ---------------------------------------------------------------------------


def test_terms_normalise_strings_and_method():
	t = LoanTerms("12000000", "24", 12, "flat", JAN_31)
	assert t.principal == Decimal(12_000_000) and isinstance(t.principal, Decimal)
	assert t.annual_rate_pct == Decimal(24)
	assert t.interest_method is InterestMethod.FLAT
	assert t.rounding_unit == Decimal(1)
	assert LoanTerms(Decimal(1), Decimal(0), 1, "ANNUITY", JAN_31).interest_method is InterestMethod.ANNUITY
	assert LoanTerms(Decimal(1), Decimal(0), 1, "Flat", datetime(2025, 1, 31, 9, 0)).first_due_date == JAN_31


def test_enum_str_is_the_plain_value():
	assert str(InterestMethod.FLAT) == "Flat"
	assert f"{InterestMethod.ANNUITY}" == "Annuity"
	assert InterestMethod.FLAT == "Flat"


def test_terms_are_frozen():
	with pytest.raises(dataclasses.FrozenInstanceError):
		terms().principal = Decimal(1)


@pytest.mark.parametrize(
	"kwargs, fragment",
	[
		({"principal": 0}, "Principal must be greater than zero"),
		({"principal": -5}, "Principal must be greater than zero"),
		({"principal": "1000.001"}, "at most 2 decimals"),
		({"principal": "1E+25"}, "too large"),
		({"rate": "-0.01"}, "between 0% and 100%"),
		({"rate": "100.01"}, "between 0% and 100%"),
		({"tenor": 0}, "between 1 and 600 months"),
		({"tenor": 601}, "between 1 and 600 months"),
		({"method": "Balloon"}, "Unknown interest method"),
		({"unit": 0}, "Rounding unit"),
		({"unit": "1.5"}, "Rounding unit"),
	],
)
def test_terms_validation_messages(kwargs, fragment):
	with pytest.raises(InvalidTerms, match=fragment) as excinfo:
		terms(**kwargs)
	assert excinfo.value.code == "INVALID_TERMS"
	assert isinstance(excinfo.value, LendingError) and isinstance(excinfo.value, ValueError)


@pytest.mark.parametrize("tenor", [True, 12.0, "12"])
def test_terms_tenor_must_be_int(tenor):
	with pytest.raises(InvalidTerms, match="whole number of months"):
		LoanTerms(Decimal(1_000_000), Decimal(12), tenor, "Flat", JAN_31)


def test_terms_reject_bad_numbers_and_dates():
	with pytest.raises(InvalidTerms, match="not a valid number"):
		LoanTerms("lots", Decimal(12), 12, "Flat", JAN_31)
	with pytest.raises(InvalidTerms, match="First due date"):
		LoanTerms(Decimal(1), Decimal(12), 12, "Flat", "2025-01-31")


def test_terms_reject_float_money():
	with pytest.raises(TypeError):
		LoanTerms(12_000_000.0, Decimal(24), 12, "Flat", JAN_31)
	with pytest.raises(TypeError):
		LoanTerms(Decimal(12_000_000), 24.0, 12, "Flat", JAN_31)


# --- dates.py ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
	"start, months, anchor, expected",
	[
		(date(2025, 1, 31), 1, None, date(2025, 2, 28)),
		(date(2024, 1, 31), 1, None, date(2024, 2, 29)),
		(date(2025, 2, 28), 1, 31, date(2025, 3, 31)),
		(date(2025, 1, 31), 3, None, date(2025, 4, 30)),
		(date(2025, 11, 15), 2, None, date(2026, 1, 15)),
		(date(2025, 3, 31), -1, None, date(2025, 2, 28)),
		(date(2025, 1, 10), 0, None, date(2025, 1, 10)),
		(date(2025, 1, 10), 12, None, date(2026, 1, 10)),
	],
)
def test_add_months(start, months, anchor, expected):
	assert add_months(start, months, anchor_day=anchor) == expected


@pytest.mark.parametrize("anchor", [0, 32, True])
def test_add_months_rejects_bad_anchor(anchor):
	with pytest.raises(ValueError):
		add_months(JAN_31, 1, anchor_day=anchor)


def test_monthly_due_dates_keep_the_anchor_day():
	assert monthly_due_dates(JAN_31, 4) == [
		date(2025, 1, 31),
		date(2025, 2, 28),
		date(2025, 3, 31),
		date(2025, 4, 30),
	]
	assert monthly_due_dates(JAN_31, 0) == []
	with pytest.raises(ValueError):
		monthly_due_dates(JAN_31, -1)


@pytest.mark.parametrize(
	"birth, on, age",
	[
		(date(1960, 6, 15), date(2025, 6, 14), 64),
		(date(1960, 6, 15), date(2025, 6, 15), 65),
		(date(1960, 6, 15), date(2025, 12, 31), 65),
		(date(1960, 2, 29), date(2025, 2, 28), 64),
		(date(1960, 2, 29), date(2025, 3, 1), 65),
		(date(1960, 2, 29), date(2024, 2, 29), 64),
		(date(2000, 1, 1), date(2000, 1, 1), 0),
	],
)
def test_age_in_years(birth, on, age):
	assert age_in_years(birth, on) == age


def test_age_before_birth_is_an_error():
	with pytest.raises(ValueError):
		age_in_years(date(2000, 1, 2), date(2000, 1, 1))
