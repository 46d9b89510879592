"""Display figures of the desk's cards and charts: abbreviation precision and millions of Rupiah."""

from decimal import ROUND_HALF_UP, Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pinjaman_online.lending.figures import millions, short_precision

SETTINGS = settings(max_examples=300, deadline=None, database=None)


@pytest.mark.parametrize(
	"amount, decimals",
	[
		(0, 0),
		(9_999, 0),  # 4 digits: shown whole
		(12_345, 2),  # 12.35 thousand
		(87_000_000, 0),  # 87 juta
		(87_500_000, 1),  # 87.5 juta
		(87_450_000, 2),  # 87.45 juta
		(1_234_567_890, 2),  # 1.23 miliar
		(1_000_400_000, 0),  # 1.0004 → 1.00 → 1
		(1_204_000_000, 1),  # 1.204 → 1.20 → 1.2
		(-87_500_000, 1),
		(Decimal("99999.6"), 0),  # rounds to 100,000: 100 thousand
		("5000000000000", 0),
	],
)
def test_short_precision_examples(amount, decimals):
	assert short_precision(amount) == decimals


def _scale(value: Decimal) -> Decimal:
	for divisor in (Decimal(10) ** 12, Decimal(10) ** 9, Decimal(10) ** 6, Decimal(10) ** 3):
		if value >= divisor:
			return divisor
	return Decimal(1)


@SETTINGS
@given(st.integers(min_value=10_000, max_value=10**15))
def test_short_precision_keeps_every_significant_decimal(amount):
	decimals = short_precision(amount)
	assert 0 <= decimals <= 2
	quotient = (Decimal(amount) / _scale(Decimal(amount))).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
	# shown with `decimals` places, the quotient loses nothing that 2 places would show
	assert quotient.quantize(Decimal(1).scaleb(-decimals)) == quotient
	# and no shorter precision would do
	if decimals:
		assert quotient.quantize(Decimal(1).scaleb(-(decimals - 1)), rounding=ROUND_HALF_UP) != quotient


def test_short_precision_refuses_float():
	with pytest.raises(TypeError):
		short_precision(87.5)


@pytest.mark.parametrize(
	"amount, places, expected",
	[
		(87_450_000, 1, Decimal("87.5")),
		(87_449_999, 1, Decimal("87.4")),
		(0, 1, Decimal("0.0")),
		(None, 1, Decimal("0.0")),
		(1_500_000_000, 0, Decimal(1500)),
		("250000", 2, Decimal("0.25")),
	],
)
def test_millions(amount, places, expected):
	assert millions(amount, places) == expected


@SETTINGS
@given(st.integers(min_value=0, max_value=10**15))
def test_millions_is_within_half_a_tenth(amount):
	assert abs(millions(amount) * 1_000_000 - amount) <= 50_000


def test_millions_refuses_negative_places_and_float():
	with pytest.raises(ValueError):
		millions(1, -1)
	with pytest.raises(TypeError):
		millions(1.5)
