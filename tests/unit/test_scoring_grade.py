"""Risk grade from the scorecard's cut-offs (lending.scoring.grade): examples at every boundary, and the
property that a higher score never gets a worse grade for the same outcome."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pinjaman_online.lending.scoring import APPROVE, GRADES, REFER, REJECT, Bin, Scorecard, grade

CARD = Scorecard(bins=(Bin("TENOR", 0, missing=True),), approve_from=600, reject_below=450, base_points=300)


@pytest.mark.parametrize(
	"total,outcome,expected",
	[
		(750, APPROVE, "A"),  # approve_from + band (150)
		(749, APPROVE, "B"),
		(600, APPROVE, "B"),
		(600, REFER, "B"),  # bureau unavailable: graded by the score, still referred
		(599, REFER, "C"),
		(525, REFER, "C"),  # the middle of the refer band
		(524, REFER, "D"),
		(450, REFER, "D"),
		(449, REJECT, "E"),
		(900, REJECT, "E"),  # a hard rule (bureau flag) rejects whatever the score
	],
)
def test_grade_examples(total, outcome, expected):
	assert grade(CARD, total, outcome) == expected


def test_equal_cut_offs_have_a_band_of_one_point():
	card = Scorecard(bins=CARD.bins, approve_from=500, reject_below=500)
	assert [grade(card, t, REFER) for t in (501, 500, 499)] == ["A", "B", "D"]


@settings(max_examples=200, deadline=None, database=None)
@given(
	reject_below=st.integers(0, 800),
	width=st.integers(0, 400),
	a=st.integers(-200, 1500),
	b=st.integers(-200, 1500),
	outcome=st.sampled_from([APPROVE, REFER]),
)
def test_a_higher_score_never_grades_worse(reject_below, width, a, b, outcome):
	card = Scorecard(bins=CARD.bins, approve_from=reject_below + width, reject_below=reject_below)
	low, high = sorted((a, b))
	assert GRADES.index(grade(card, high, outcome)) <= GRADES.index(grade(card, low, outcome))
