"""Money helpers: conversion, THE rounding rule (half up to a unit), percentages, formatting."""

import math
from decimal import Decimal, localcontext
from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pinjaman_online.lending.money import (
	ZERO,
	format_rupiah,
	percent_of,
	round_rupiah,
	round_to_unit,
	to_decimal,
)

SETTINGS = settings(max_examples=200, deadline=None, database=None)
UNITS = [Decimal(1), Decimal(100), Decimal(1000)]


def ref_half_up(x: Fraction, unit: int = 1) -> int:
	"""Independent half-up (away from zero) rounding to a multiple of ``unit`` with exact fractions."""
	q = x / unit
	magnitude = math.floor(abs(q) + Fraction(1, 2))
	return (magnitude if q >= 0 else -magnitude) * unit


# --- to_decimal ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
	"value, expected",
	[
		(12, Decimal(12)),
		("1250000.50", Decimal("1250000.50")),
		("  42 ", Decimal(42)),
		(Decimal("3.14"), Decimal("3.14")),
		(-7, Decimal(-7)),
	],
)
def test_to_decimal_accepts_int_str_decimal(value, expected):
	result = to_decimal(value)
	assert isinstance(result, Decimal)
	assert result == expected


@pytest.mark.parametrize("value", [1.5, 0.0, None, True, [1], object()])
def test_to_decimal_rejects_non_money_types_with_type_error(value):
	with pytest.raises(TypeError):
		to_decimal(value)


@pytest.mark.parametrize("value", ["abc", "", "1,5", "NaN", "Infinity", Decimal("NaN"), Decimal("-Infinity")])
def test_to_decimal_rejects_non_numbers_and_non_finite(value):
	with pytest.raises(ValueError):
		to_decimal(value)


def test_zero_is_decimal_zero():
	assert ZERO == 0 and isinstance(ZERO, Decimal)


# --- round_to_unit / round_rupiah ------------------------------------------------------------------


@pytest.mark.parametrize(
	"amount, unit, expected",
	[
		("1250", 100, "1300"),  # exact half goes up
		("1249", 100, "1200"),
		("1249.99", 100, "1200"),
		("2.5", 1, "3"),  # not banker's rounding (that would give 2)
		("3.5", 1, "4"),
		("0.5", 1, "1"),
		("0.49", 1, "0"),
		("-0.5", 1, "-1"),  # half away from zero
		("-1250", 100, "-1300"),
		("888487.8867", 1, "888488"),
		("888487.8867", 1000, "888000"),
		("888500", 1000, "889000"),
		("0", 1000, "0"),
		("123", 1, "123"),
	],
)
def test_round_to_unit_examples(amount, unit, expected):
	result = round_to_unit(Decimal(amount), Decimal(unit))
	assert result == Decimal(expected)
	assert result.as_tuple().exponent == 0


def test_round_to_unit_default_unit_is_one_rupiah():
	assert round_to_unit(Decimal("10.5")) == Decimal(11)


@pytest.mark.parametrize("unit", [0, -100, Decimal("0.5"), Decimal("1.5"), "100.25"])
def test_round_to_unit_rejects_bad_units(unit):
	with pytest.raises(ValueError):
		round_to_unit(Decimal(100), unit)


def test_round_to_unit_rejects_float():
	with pytest.raises(TypeError):
		round_to_unit(1.5)
	with pytest.raises(TypeError):
		round_to_unit(Decimal(1), 100.0)


def test_rounding_does_not_depend_on_the_global_decimal_context():
	with localcontext() as ctx:
		ctx.prec = 5
		assert round_to_unit(Decimal("123456789.5")) == Decimal(123456790)
		assert round_to_unit(Decimal(123456789), Decimal(1000)) == Decimal(123457000)
		assert percent_of(Decimal(123456789), Decimal(10)) == Decimal(12345679)


@SETTINGS
@given(
	amount=st.decimals(
		min_value=-(10**12), max_value=10**12, places=3, allow_nan=False, allow_infinity=False
	),
	unit=st.sampled_from(UNITS),
)
def test_round_to_unit_matches_independent_half_up(amount, unit):
	result = round_to_unit(amount, unit)
	assert result == ref_half_up(Fraction(amount), int(unit))
	assert result % unit == 0
	assert abs(result - amount) <= unit / 2


@SETTINGS
@given(amount=st.decimals(min_value=0, max_value=10**12, places=2, allow_nan=False, allow_infinity=False))
def test_round_rupiah_is_round_to_unit_one(amount):
	assert round_rupiah(amount) == round_to_unit(amount, Decimal(1)) == ref_half_up(Fraction(amount))


# --- percent_of ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
	"amount, pct, expected",
	[
		(10_000_000, "1.5", 150_000),
		(333_333, 1, 3_333),  # 3,333.33 -> 3,333
		(50, 1, 1),  # 0.50 -> 1 (half up)
		(12_345_679, "0.5", 61_728),  # 61,728.395 -> 61,728
		(150, 1, 2),  # 1.50 -> 2
		(1_000_000, 0, 0),
	],
)
def test_percent_of_examples(amount, pct, expected):
	assert percent_of(Decimal(amount), Decimal(pct)) == Decimal(expected)


@SETTINGS
@given(
	amount=st.integers(min_value=0, max_value=10**12),
	pct=st.decimals(min_value=0, max_value=100, places=3, allow_nan=False, allow_infinity=False),
)
def test_percent_of_matches_fraction_reference(amount, pct):
	assert percent_of(Decimal(amount), pct) == ref_half_up(Fraction(amount) * Fraction(pct) / 100)


# --- format_rupiah --------------------------------------------------------------------------------


@pytest.mark.parametrize(
	"amount, text",
	[
		(Decimal(0), "Rp 0"),
		(Decimal(1_234_567), "Rp 1.234.567"),
		(Decimal("1234567.50"), "Rp 1.234.567,50"),
		(Decimal("12.00"), "Rp 12"),
		(Decimal(-5000), "-Rp 5.000"),
		(Decimal("1E+3"), "Rp 1.000"),
	],
)
def test_format_rupiah(amount, text):
	assert format_rupiah(amount) == text
