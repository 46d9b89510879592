"""lending/inputs.py: values from outside are converted exactly or refused with a code, never rounded."""

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pinjaman_online.lending import inputs
from pinjaman_online.lending.errors import InvalidInput, LendingError


def code_of(fn, *args, **kw) -> str:
	with pytest.raises(InvalidInput) as err:
		fn(*args, **kw)
	assert str(err.value)  # a message a person can read
	return err.value.code


@pytest.mark.parametrize("value", [1000, "1000", " 1000 ", Decimal(1000)])
def test_money_as_integer_or_text(value):
	assert inputs.whole_rupiah(value, "amount") == Decimal(1000)


@pytest.mark.parametrize("value", [1000.5, 1e30, 1000.0, float("nan"), float("inf")])
def test_money_never_a_float(value):
	assert code_of(inputs.whole_rupiah, value, "amount") == "MONEY_NOT_WHOLE_RUPIAH"


@pytest.mark.parametrize(
	("value", "code"),
	[
		("1000.5", "MONEY_NOT_WHOLE_RUPIAH"),
		("1e3", "MONEY_NOT_WHOLE_RUPIAH"),
		("abc", "MONEY_NOT_WHOLE_RUPIAH"),
		(True, "NOT_A_NUMBER"),
		({"a": 1}, "NOT_A_NUMBER"),
		(-1, "OUT_OF_RANGE"),
		(10**30, "OUT_OF_RANGE"),
		("1" * 40, "OUT_OF_RANGE"),
	],
)
def test_money_refused(value, code):
	assert code_of(inputs.whole_rupiah, value, "amount") == code


@given(st.integers(min_value=0, max_value=inputs.MAX_RUPIAH))
def test_money_roundtrip(n):
	assert inputs.whole_rupiah(n, "x") == inputs.whole_rupiah(str(n), "x") == Decimal(n)


def test_whole_number():
	assert inputs.whole_number("12", "tenor") == inputs.whole_number(12.0, "tenor") == 12
	assert code_of(inputs.whole_number, 12.5, "tenor") == "NOT_A_WHOLE_NUMBER"
	assert code_of(inputs.whole_number, "12.5", "tenor") == "NOT_A_WHOLE_NUMBER"
	assert code_of(inputs.whole_number, True, "tenor") == "NOT_A_WHOLE_NUMBER"
	assert code_of(inputs.whole_number, 10**20, "start", maximum=1000) == "OUT_OF_RANGE"
	assert code_of(inputs.whole_number, float("inf"), "x") == "NOT_A_WHOLE_NUMBER"


def test_decimal_number_flag_text_date():
	assert inputs.decimal_number(12.5, "rate") == Decimal("12.5")
	assert code_of(inputs.decimal_number, float("nan"), "rate") == "NOT_A_NUMBER"
	assert code_of(inputs.decimal_number, "12,5", "rate") == "NOT_A_NUMBER"
	assert code_of(inputs.decimal_number, 101, "rate", maximum=100) == "OUT_OF_RANGE"
	assert inputs.flag("true", "x") is True and inputs.flag(0, "x") is False
	assert code_of(inputs.flag, "maybe", "x") == "NOT_A_FLAG"
	assert inputs.text(123, "x") == "123"
	assert code_of(inputs.text, ["a"], "x") == "NOT_TEXT"
	assert inputs.iso_date(" 2026-01-31 ", "d") == "2026-01-31"
	for bad in ("2026-02-30", "31-01-2026", "2026-1-1", 20260131):
		assert code_of(inputs.iso_date, bad, "d") == "NOT_A_DATE"


def test_error_keeps_template_params_and_code():
	err = LendingError("{name} must be at most {maximum}", "OUT_OF_RANGE", name="limit", maximum=100)
	assert str(err) == err.message == "limit must be at most 100"
	assert err.template == "{name} must be at most {maximum}" and err.params == {
		"name": "limit",
		"maximum": 100,
	}
	assert err.code == "OUT_OF_RANGE" and isinstance(err, ValueError)
	assert LendingError("plain").template == "plain" and LendingError("plain").code == "LENDING_ERROR"
