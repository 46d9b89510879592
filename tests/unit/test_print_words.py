"""Figures and words of printed documents (pinjaman_online.printing.words): Rupiah, amount in words, dates."""

import datetime as dt
import importlib.util
from decimal import Decimal

import pytest
from pinjaman_online.printing.words import (
	long_date,
	month_year,
	percent,
	rupiah,
	short_date,
	terbilang,
	whole_rupiah,
)

# terbilang uses num2words (a dependency of Frappe): present in the bench's env, not in a bare Tier 1 env
needs_num2words = pytest.mark.skipif(
	importlib.util.find_spec("num2words") is None, reason="num2words is not installed"
)


@pytest.mark.parametrize(
	("amount", "text"),
	[
		(87_000_000, "Rp 87.000.000"),
		(87000000.0, "Rp 87.000.000"),
		("1234567", "Rp 1.234.567"),
		(Decimal("999.5"), "Rp 1.000"),
		(0, "Rp 0"),
		(None, "Rp 0"),
		(-5000, "-Rp 5.000"),
	],
)
def test_rupiah_whole_with_dots_between_thousands(amount, text):
	assert rupiah(amount) == text


@needs_num2words
@pytest.mark.parametrize(
	("amount", "words"),
	[
		(87_000_000, "delapan puluh tujuh juta rupiah"),
		(1_180_000, "satu juta seratus delapan puluh ribu rupiah"),
		(11_730_000, "sebelas juta tujuh ratus tiga puluh ribu rupiah"),
		(1_001, "seribu satu rupiah"),
		(115, "seratus lima belas rupiah"),
		(0, "nol rupiah"),
		(2_500_000_000, "dua miliar lima ratus juta rupiah"),
	],
)
def test_terbilang(amount, words):
	assert terbilang(amount) == words


@needs_num2words
def test_terbilang_refuses_a_negative_amount():
	with pytest.raises(ValueError):
		terbilang(-1)


def test_whole_rupiah_rounds_half_up_and_floats_through_their_text():
	assert whole_rupiah(0.1 + 0.2) == 0
	assert whole_rupiah(1180000.5) == 1180001
	assert whole_rupiah(Decimal("2.49")) == 2


def test_dates_and_percentages():
	d = dt.date(2026, 12, 5)
	assert long_date(d) == "5 Desember 2026"
	assert long_date("2027-01-31") == "31 Januari 2027"
	assert long_date(dt.datetime(2026, 8, 17, 10, 0)) == "17 Agustus 2026"
	assert month_year(d) == "Desember 2026"
	assert short_date(d) == "05-12-2026"
	assert long_date(None) == short_date("") == ""
	assert percent(18) == "18%"
	assert percent(1.5) == "1,5%"
	assert percent("0.10") == "0,1%"
	assert percent(None) == "0%"
