"""Fees and the loan simulation (seed 004 §5 ``GET /loan-products/{id}/simulation``)."""

import json
from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pinjaman_online.lending.errors import InvalidTerms
from pinjaman_online.lending.fees import FeeBasis, FeeRule, compute_fee
from pinjaman_online.lending.schedule import LoanTerms, generate_schedule
from pinjaman_online.lending.simulation import Simulation, simulate

SETTINGS = settings(max_examples=200, deadline=None, database=None)
TERMS = LoanTerms(Decimal(12_000_000), Decimal(24), 12, "Flat", date(2025, 2, 25))
PROVISI = FeeRule("Provisi", FeeBasis.PERCENT, Decimal("1.5"))
ADMIN = FeeRule("Administrasi", "Amount", Decimal(50_000))
MATERAI = FeeRule("Materai", "amount", Decimal(10_000), deduct_from_disbursement=False)


# --- fees -------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
	"rule, principal, expected",
	[
		(PROVISI, 12_000_000, 180_000),
		(ADMIN, 12_000_000, 50_000),
		(FeeRule("Asuransi", "Percent", Decimal("0.5")), 12_345_679, 61_728),  # 61.728,395 -> 61.728
		(FeeRule("Kecil", "Percent", Decimal(1)), 150, 2),  # 1,50 -> 2 (half up)
		(FeeRule("Gratis", "Percent", Decimal(0)), 5_000_000, 0),
	],
)
def test_compute_fee(rule, principal, expected):
	assert compute_fee(rule, Decimal(principal)) == Decimal(expected)


def test_fee_rule_normalises_basis_and_value():
	rule = FeeRule("Provisi", "percent", "2")
	assert rule.basis is FeeBasis.PERCENT
	assert str(rule.basis) == "Percent"
	assert rule.value == Decimal(2)
	assert rule.deduct_from_disbursement is True


@pytest.mark.parametrize(
	"args, fragment",
	[
		(("", "Amount", Decimal(1)), "non-empty"),
		(("Provisi", "Ratio", Decimal(1)), "Unknown fee basis"),
		(("Provisi", "Amount", Decimal(-1)), "must not be negative"),
		(("Provisi", "Percent", Decimal("100.5")), "at most 100%"),
		(("Provisi", "Amount", "abc"), "not a valid number"),
	],
)
def test_fee_rule_validation(args, fragment):
	with pytest.raises(InvalidTerms, match=fragment):
		FeeRule(*args)


def test_fee_rule_rejects_float():
	with pytest.raises(TypeError):
		FeeRule("Provisi", "Percent", 1.5)


# --- simulate ---------------------------------------------------------------------------------------


def test_simulation_example():
	sim = simulate(TERMS, [PROVISI, ADMIN, MATERAI])
	assert sim.installment == Decimal(1_240_000)
	assert sim.total_interest == Decimal(2_880_000)
	assert sim.fees == (
		("Provisi", Decimal(180_000)),
		("Administrasi", Decimal(50_000)),
		("Materai", Decimal(10_000)),
	)
	assert sim.total_fees == Decimal(240_000)
	# materai is paid separately, the other two are withheld from the disbursement
	assert sim.net_disbursement == Decimal(12_000_000 - 180_000 - 50_000)
	assert sim.fees_not_deducted == Decimal(10_000)
	assert sim.total_payable == Decimal(14_880_000)
	assert sim.schedule == generate_schedule(TERMS)


def test_simulation_without_fees():
	sim = simulate(TERMS, [])
	assert sim.fees == ()
	assert sim.total_fees == 0
	assert sim.net_disbursement == TERMS.principal


def test_fees_exceeding_the_principal_are_refused():
	small = LoanTerms(Decimal(40_000), Decimal(12), 2, "Flat", date(2025, 2, 25))
	with pytest.raises(InvalidTerms, match="exceed the principal"):
		simulate(small, [ADMIN])


def test_simulation_rejects_non_rules():
	with pytest.raises(InvalidTerms):
		simulate(TERMS, [("Provisi", 1)])


def test_as_dict_is_json_ready():
	data = simulate(TERMS, [PROVISI, MATERAI]).as_dict()
	json.dumps(data)  # only str/int/list/dict inside
	assert data["principal"] == "12000000"
	assert data["interest_method"] == "Flat"
	assert data["tenor_months"] == 12
	assert data["first_due_date"] == "2025-02-25"
	assert data["maturity_date"] == "2026-01-25"
	assert data["installment"] == "1240000"
	assert data["total_interest"] == "2880000"
	assert data["fees"] == [
		{"fee_type": "Provisi", "amount": "180000"},
		{"fee_type": "Materai", "amount": "10000"},
	]
	assert data["total_fees"] == "190000"
	assert data["net_disbursement"] == "11820000"
	assert data["total_payable"] == "14880000"
	assert len(data["schedule"]) == 12
	assert data["schedule"][0] == {
		"number": 1,
		"due_date": "2025-02-25",
		"principal": "1000000",
		"interest": "240000",
		"total": "1240000",
		"balance_after": "11000000",
	}
	assert data["schedule"][-1]["balance_after"] == "0"


fee_rules = st.lists(
	st.one_of(
		st.builds(
			FeeRule,
			fee_type=st.sampled_from(["Provisi", "Administrasi", "Asuransi"]),
			basis=st.just(FeeBasis.PERCENT),
			value=st.decimals(min_value=0, max_value=3, places=2, allow_nan=False, allow_infinity=False),
			deduct_from_disbursement=st.booleans(),
		),
		st.builds(
			FeeRule,
			fee_type=st.sampled_from(["Materai", "Survey"]),
			basis=st.just(FeeBasis.AMOUNT),
			value=st.integers(min_value=0, max_value=200_000).map(Decimal),
			deduct_from_disbursement=st.booleans(),
		),
	),
	max_size=5,
)


@SETTINGS
@given(
	principal=st.integers(min_value=1_000_000, max_value=500_000_000).map(Decimal),
	rate=st.decimals(min_value=0, max_value=36, places=2, allow_nan=False, allow_infinity=False),
	tenor=st.integers(min_value=1, max_value=180),
	method=st.sampled_from(["Flat", "Annuity"]),
	rules=fee_rules,
)
def test_simulation_invariants(principal, rate, tenor, method, rules):
	terms = LoanTerms(principal, rate, tenor, method, date(2025, 1, 31), Decimal(100))
	sim = simulate(terms, rules)
	assert isinstance(sim, Simulation)
	deducted = sum(
		(amount for (_, amount), r in zip(sim.fees, rules) if r.deduct_from_disbursement), Decimal(0)
	)
	assert sim.net_disbursement + deducted == principal
	assert sim.total_fees == sum((amount for _, amount in sim.fees), Decimal(0))
	assert sim.total_payable == principal + sim.total_interest
	assert sim.installment == sim.schedule.installments[0].total
	assert [fee_type for fee_type, _ in sim.fees] == [r.fee_type for r in rules]
	assert all(amount == amount.to_integral_value() for _, amount in sim.fees)
