"""Eligibility pre-check (seed 004 §5 business rules, §3 pre-check): every rule passing and failing."""

import dataclasses
from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pinjaman_online.lending.eligibility import (
	CHECK_CODES,
	EligibilityInput,
	check_eligibility,
)
from pinjaman_online.lending.errors import LendingError

SETTINGS = settings(max_examples=200, deadline=None, database=None)

# A pensioner born 15 June 1955 asking 100.000.000 over 60 months; pension 5.000.000 a month.
BASE = EligibilityInput(
	principal=Decimal(100_000_000),
	tenor_months=60,
	installment=Decimal(2_000_000),
	monthly_pension_benefit=Decimal(5_000_000),
	other_monthly_obligations=Decimal(0),
	birth_date=date(1955, 6, 15),
	maturity_date=date(2030, 6, 14),
	dsr_limit_pct=Decimal(40),
	max_age_at_maturity=75,
)


def with_(**changes):
	return dataclasses.replace(BASE, **changes)


def test_everything_passes():
	result = check_eligibility(BASE)
	assert result.passed
	assert result.failures == ()
	assert tuple(check.code for check in result.checks) == CHECK_CODES
	assert CHECK_CODES == ("DSR", "AGE_AT_MATURITY", "BENEFIT_COVERAGE", "DOUBLE_FINANCING")
	assert all(check.passed and check.reason for check in result.checks)


# --- DSR -------------------------------------------------------------------------------------------


def test_dsr_passes_at_the_limit():
	check = check_eligibility(with_(installment=Decimal(2_000_000))).check("DSR")
	assert check.passed
	assert check.value == Decimal("40.00") and check.limit == Decimal(40)
	assert check.reason.startswith("DSR 40.00% is within the product limit of 40%")
	assert "Rp 2.000.000" in check.reason and "Rp 5.000.000" in check.reason


def test_dsr_fails_above_the_limit_and_counts_other_obligations():
	# (1.675.000 + 500.000) / 5.000.000 = 43,50 %
	result = check_eligibility(
		with_(installment=Decimal(1_675_000), other_monthly_obligations=Decimal(500_000))
	)
	check = result.check("DSR")
	assert not check.passed
	assert check.value == Decimal("43.50")
	assert check.reason.startswith("DSR 43.50% exceeds the product limit of 40%")
	assert "other obligations Rp 500.000" in check.reason
	assert not result.passed
	assert [c.code for c in result.failures] == ["DSR"]


def test_dsr_is_rounded_half_up_to_two_decimals():
	# 2.175.250 / 5.000.000 = 43,505 % -> 43,51 % (half up; banker's rounding would give 43,50 %)
	inp = with_(installment=Decimal(2_175_250), dsr_limit_pct=Decimal("43.51"))
	check = check_eligibility(inp).check("DSR")
	assert check.value == Decimal("43.51") and check.passed
	check = check_eligibility(dataclasses.replace(inp, dsr_limit_pct=Decimal("43.5"))).check("DSR")
	assert not check.passed
	assert check.reason.startswith("DSR 43.51% exceeds the product limit of 43.5%")


@pytest.mark.parametrize("benefit", [0, -1])
def test_dsr_fails_without_a_pension_benefit(benefit):
	result = check_eligibility(with_(monthly_pension_benefit=Decimal(benefit)))
	dsr = result.check("DSR")
	assert not dsr.passed and dsr.value is None
	assert "must be greater than zero" in dsr.reason
	coverage = result.check("BENEFIT_COVERAGE")
	assert not coverage.passed and coverage.limit == 0
	assert len(result.checks) == 4  # the other checks are still evaluated


# --- age at maturity -------------------------------------------------------------------------------


def test_age_at_maturity_passes_up_to_the_maximum():
	check = check_eligibility(with_(maturity_date=date(2030, 6, 15))).check("AGE_AT_MATURITY")
	assert check.passed and check.value == 75 and check.limit == 75
	assert check.reason.startswith("Age at maturity 75 years is within the product maximum of 75 years")
	check = check_eligibility(BASE).check("AGE_AT_MATURITY")
	assert check.value == 74  # the day before the 75th birthday


def test_age_at_maturity_fails_above_the_maximum():
	check = check_eligibility(with_(maturity_date=date(2031, 6, 15))).check("AGE_AT_MATURITY")
	assert not check.passed and check.value == 76
	assert check.reason.startswith("Age at maturity 76 years exceeds the product maximum of 75 years")
	assert "1955-06-15" in check.reason and "2031-06-15" in check.reason


# --- benefit coverage --------------------------------------------------------------------------------


def test_benefit_coverage_limit_is_share_of_benefit_over_tenor():
	# 95 % x 3.000.000 x 60 = 171.000.000
	inp = with_(
		principal=Decimal(171_000_000), monthly_pension_benefit=Decimal(3_000_000), installment=Decimal(0)
	)
	check = check_eligibility(inp).check("BENEFIT_COVERAGE")
	assert check.passed and check.value == Decimal(171_000_000) and check.limit == Decimal(171_000_000)
	assert check.reason.startswith(
		"Principal Rp 171.000.000 is within the pension benefit available over the tenor, Rp 171.000.000"
	)
	assert "95% of the monthly pension benefit of Rp 3.000.000 over 60 months" in check.reason


def test_benefit_coverage_fails_one_rupiah_above():
	inp = with_(
		principal=Decimal(171_000_001), monthly_pension_benefit=Decimal(3_000_000), installment=Decimal(0)
	)
	check = check_eligibility(inp).check("BENEFIT_COVERAGE")
	assert not check.passed
	assert check.reason.startswith("Principal Rp 171.000.001 exceeds the pension benefit available")


def test_benefit_share_is_configurable():
	inp = with_(
		principal=Decimal(160_000_000), monthly_pension_benefit=Decimal(3_000_000), installment=Decimal(0)
	)
	assert check_eligibility(inp).check("BENEFIT_COVERAGE").passed
	check = check_eligibility(dataclasses.replace(inp, max_benefit_share_pct=Decimal(80))).check(
		"BENEFIT_COVERAGE"
	)
	assert not check.passed and check.limit == Decimal(144_000_000)
	assert "80% of the monthly pension benefit" in check.reason


# --- double financing --------------------------------------------------------------------------------


@pytest.mark.parametrize(
	"active, open_app, fragment",
	[
		(True, False, "already has an active loan;"),
		(False, True, "already has another open application;"),
		(True, True, "already has an active loan and another open application;"),
	],
)
def test_double_financing_fails(active, open_app, fragment):
	check = check_eligibility(with_(has_active_loan=active, has_open_application=open_app)).check(
		"DOUBLE_FINANCING"
	)
	assert not check.passed
	assert check.value == int(active) + int(open_app) and check.limit == 0
	assert fragment in check.reason


def test_double_financing_passes():
	check = check_eligibility(BASE).check("DOUBLE_FINANCING")
	assert check.passed and check.value == 0
	assert check.reason == "Applicant has no active loan and no other open application."


def test_all_failures_are_reported_together():
	inp = with_(
		installment=Decimal(4_000_000),
		maturity_date=date(2040, 1, 1),
		principal=Decimal(400_000_000),
		has_active_loan=True,
	)
	result = check_eligibility(inp)
	assert not result.passed
	assert [c.code for c in result.failures] == list(CHECK_CODES)


# --- input validation ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
	"changes, fragment",
	[
		({"principal": Decimal(0)}, "Principal"),
		({"tenor_months": 0}, "Tenor"),
		({"installment": Decimal(-1)}, "Installment"),
		({"other_monthly_obligations": Decimal(-1)}, "Other monthly obligations"),
		({"maturity_date": date(1950, 1, 1)}, "before the birth date"),
		({"dsr_limit_pct": Decimal(0)}, "DSR limit"),
		({"dsr_limit_pct": Decimal(101)}, "DSR limit"),
		({"max_age_at_maturity": 0}, "Maximum age"),
		({"max_benefit_share_pct": Decimal(0)}, "Maximum benefit share"),
	],
)
def test_invalid_input(changes, fragment):
	with pytest.raises(LendingError, match=fragment) as excinfo:
		with_(**changes)
	assert excinfo.value.code == "INVALID_ELIGIBILITY_INPUT"


def test_float_input_is_rejected():
	with pytest.raises(TypeError):
		with_(installment=1_500_000.0)


def test_strings_are_normalised():
	inp = with_(installment="1500000", dsr_limit_pct="40")
	assert inp.installment == Decimal(1_500_000) and isinstance(inp.dsr_limit_pct, Decimal)


@SETTINGS
@given(
	installment=st.integers(min_value=0, max_value=20_000_000),
	other=st.integers(min_value=0, max_value=5_000_000),
	benefit=st.integers(min_value=1, max_value=30_000_000),
	limit=st.integers(min_value=1, max_value=100),
)
def test_dsr_decision_matches_exact_arithmetic(installment, other, benefit, limit):
	inp = with_(
		installment=Decimal(installment),
		other_monthly_obligations=Decimal(other),
		monthly_pension_benefit=Decimal(benefit),
		dsr_limit_pct=Decimal(limit),
	)
	check = check_eligibility(inp).check("DSR")
	# half up to 2 decimals, done in integer hundredths of a percent
	hundredths = ((installment + other) * 10_000 * 2 + benefit) // (2 * benefit)
	assert check.value == Decimal(hundredths) / 100
	assert check.passed == (hundredths <= limit * 100)
	assert len(check_eligibility(inp).checks) == 4
