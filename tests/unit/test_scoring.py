"""Credit scoring with a data-driven scorecard and the automatic decision (seed 003 §7–8), mobile statuses."""

from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pinjaman_online.lending.mobile_status import STATUSES, mobile_status
from pinjaman_online.lending.scoring import (
	APPROVE,
	REFER,
	REJECT,
	Bin,
	BureauReport,
	InvalidScorecard,
	Scorecard,
	application_facts,
	decide,
	percent,
	score,
)

SETTINGS = settings(max_examples=200, deadline=None, database=None)


def card(**overrides) -> Scorecard:
	values = {
		"base_points": 300,
		"approve_from": 600,
		"reject_below": 450,
		"max_bureau_dpd": 30,
		"reject_flags": {"fraud", "BLACKLIST"},
		"bins": (
			Bin("AGE", 0, upper=21),
			Bin("AGE", 40, lower=21, upper=50),
			Bin("AGE", 10, lower=50),
			Bin("OCCUPATION", 60, category="Employee"),
			Bin("OCCUPATION", 20, category="Freelancer"),
			Bin("OCCUPATION", 0, missing=True),
			Bin("INSTALLMENT_TO_INCOME", 100, lower=0, upper=20),
			Bin("INSTALLMENT_TO_INCOME", 30, lower=20, upper=40),
			Bin("INSTALLMENT_TO_INCOME", -100, lower=40),
			Bin("INSTALLMENT_TO_INCOME", -50, missing=True),
			Bin("BUREAU_SCORE", -100, upper=500),
			Bin("BUREAU_SCORE", 0, lower=500, upper=600),
			Bin("BUREAU_SCORE", 120, lower=600),
		),
	}
	values.update(overrides)
	return Scorecard(**values)


OK_BUREAU = BureauReport(available=True, score=720, max_dpd=0, flags=frozenset())


def facts(**overrides):
	values = {
		"AGE": 30,
		"OCCUPATION": "employee",
		"INSTALLMENT_TO_INCOME": Decimal("11.67"),
		"BUREAU_SCORE": 720,
	}
	values.update(overrides)
	return values


def test_points_per_characteristic_and_total():
	result = score(card(), facts())
	assert [(line.characteristic, line.bin, line.points) for line in result.lines] == [
		("AGE", "[21, 50)", 40),
		("OCCUPATION", "Employee", 60),
		("INSTALLMENT_TO_INCOME", "[0, 20)", 100),
		("BUREAU_SCORE", "[600, +inf)", 120),
	]
	assert result.total == 300 + 40 + 60 + 100 + 120
	assert decide(card(), result, OK_BUREAU).outcome == APPROVE


def test_bins_are_half_open_and_missing_values_take_the_missing_bin():
	c = card()
	assert score(c, facts(AGE=21)).lines[0].bin == "[21, 50)"
	assert score(c, facts(AGE=50)).lines[0].bin == "[50, +inf)"
	lines = {
		line.characteristic: line
		for line in score(c, facts(OCCUPATION=None, INSTALLMENT_TO_INCOME=None)).lines
	}
	assert (lines["OCCUPATION"].bin, lines["OCCUPATION"].points) == ("missing", 0)
	assert (lines["INSTALLMENT_TO_INCOME"].bin, lines["INSTALLMENT_TO_INCOME"].points) == ("missing", -50)
	# An unknown category falls to the missing bin; a characteristic without one scores 0 ("no bin").
	assert score(c, facts(OCCUPATION="Astronaut")).lines[1].bin == "missing"
	assert score(c, facts(BUREAU_SCORE=None)).lines[3].bin == "no bin"


def test_cut_offs_decide_approve_refer_reject():
	c = card()
	assert decide(c, score(c, facts()), OK_BUREAU).outcome == APPROVE  # 620
	middle = score(c, facts(BUREAU_SCORE=550))  # 500
	decision = decide(c, middle, OK_BUREAU)
	assert decision.outcome == REFER and "between" in decision.reason
	low = score(c, facts(BUREAU_SCORE=400, INSTALLMENT_TO_INCOME=45))  # 300+40+60-100-100 = 200
	decision = decide(c, low, OK_BUREAU)
	assert decision.outcome == REJECT and "below the reject cut-off of 450" in decision.reason


def test_bureau_hard_rules_and_unavailable_bureau():
	c = card()
	good = score(c, facts())
	assert decide(c, good, BureauReport(True, 720, 0, frozenset({"Fraud"}))).outcome == REJECT
	late = decide(c, good, BureauReport(True, 720, 45, frozenset()))
	assert late.outcome == REJECT and "45 days past due" in late.reason
	assert decide(c, good, BureauReport(True, 720, 30, frozenset({"INQUIRY"}))).outcome == APPROVE
	down = decide(c, score(c, facts(BUREAU_SCORE=None)), BureauReport(available=False))
	assert down.outcome == REFER and "could not be reached" in down.reason
	# A score already under the reject cut-off rejects even without the bureau.
	poor = score(c, facts(BUREAU_SCORE=None, INSTALLMENT_TO_INCOME=80, OCCUPATION=None))
	assert decide(c, poor, BureauReport(available=False)).outcome == REJECT


def test_failed_precheck_rejects():
	c = card()
	decision = decide(c, score(c, facts()), OK_BUREAU, ("Age at maturity 70 years exceeds 65.",))
	assert decision.outcome == REJECT and "pre-check" in decision.reason


@pytest.mark.parametrize(
	"bins, message",
	[
		((Bin("SHOE_SIZE", 1, lower=1),), "Unknown characteristic"),
		((Bin("AGE", 1, lower=30, upper=20),), "lower bound"),
		((Bin("AGE", 1, lower=20, upper=40), Bin("AGE", 2, lower=30)), "overlap"),
		((Bin("AGE", 1, upper=40), Bin("AGE", 2, upper=60)), "overlap"),
		((Bin("AGE", 1, category="young"),), "numeric"),
		((Bin("OCCUPATION", 1, lower=1),), "category"),
		((Bin("OCCUPATION", 1, category="A"), Bin("OCCUPATION", 2, category=" a ")), "more than one bin"),
		((Bin("AGE", 1, missing=True), Bin("AGE", 2, missing=True)), "missing"),
		((), "at least one bin"),
	],
)
def test_inconsistent_scorecards_are_refused(bins, message):
	with pytest.raises(InvalidScorecard, match=message):
		card(bins=bins)


def test_cut_offs_must_be_ordered():
	with pytest.raises(InvalidScorecard, match="reject cut-off"):
		card(approve_from=400, reject_below=500)


def test_application_facts():
	f = application_facts(
		birth_date=date(1990, 6, 15),
		on=date(2026, 6, 14),
		principal=6_000_000,
		product_max_principal=12_000_000,
		tenor_months=6,
		installment=Decimal(1_120_000),
		monthly_income="8000000",
		occupation=" Employee ",
	)
	assert f["AGE"] == 35
	assert f["AMOUNT_TO_PRODUCT_MAX"] == Decimal("50.00")
	assert f["INSTALLMENT_TO_INCOME"] == Decimal("14.00")
	assert f["OCCUPATION"] == "Employee" and f["TENOR"] == 6 and f["BUREAU_SCORE"] is None
	assert (
		application_facts(
			birth_date=None,
			on=date(2026, 1, 1),
			principal=1,
			product_max_principal=2,
			tenor_months=1,
			installment=1,
		)["INSTALLMENT_TO_INCOME"]
		is None
	)
	assert percent(1, 3) == Decimal("33.33") and percent(2, 3) == Decimal("66.67") and percent(1, 0) is None


@SETTINGS
@given(
	age=st.one_of(st.none(), st.integers(0, 120)),
	iti=st.one_of(st.none(), st.decimals(0, 500, places=2)),
	bureau=st.one_of(st.none(), st.integers(0, 900)),
	occupation=st.sampled_from([None, "Employee", "Freelancer", "Other"]),
)
def test_total_is_base_plus_lines_and_every_value_lands_in_one_bin(age, iti, bureau, occupation):
	c = card()
	result = score(c, facts(AGE=age, INSTALLMENT_TO_INCOME=iti, BUREAU_SCORE=bureau, OCCUPATION=occupation))
	assert result.total == 300 + sum(line.points for line in result.lines)
	assert len(result.lines) == len(c.characteristics)
	for line in result.lines:
		if line.value is not None and line.characteristic != "OCCUPATION":
			matching = [
				b for b in c.bins if b.characteristic == line.characteristic and b.matches(line.value)
			]
			assert len(matching) == 1 and matching[0].label == line.bin
	outcome = decide(c, result, OK_BUREAU).outcome
	assert outcome == (APPROVE if result.total >= 600 else REJECT if result.total < 450 else REFER)


@pytest.mark.parametrize(
	"state, loan_status, expected",
	[
		("Draft", None, "SUBMITTED"),
		("Submitted", None, "SUBMITTED"),
		("Analyzing", None, "SUBMITTED"),
		("Committee Manager", None, "SUBMITTED"),
		("Rejected", None, "REJECTED"),
		("Cancelled", "Cancelled", "REJECTED"),
		("Approved", None, "APPROVED"),
		("Approved", "Pending Disbursement", "APPROVED"),
		("Disbursed", "Active", "ACTIVE"),
		("Disbursed", "Default", "ACTIVE"),
		("Disbursed", "Written Off", "ACTIVE"),
		("Disbursed", "Closed", "PAID"),
	],
)
def test_mobile_status(state, loan_status, expected):
	assert mobile_status(state, loan_status) == expected
	assert expected in STATUSES
