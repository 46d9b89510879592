"""Billing files (seed 004 §7): formats as data, the realisation parser's errors, the export writer."""

import csv
import io
from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pinjaman_online.lending.billing_file import (
	Column,
	FileFormat,
	FileRejected,
	InvalidFileFormat,
	content_hash,
	decode,
	format_amount,
	format_period,
	parse_amount,
	parse_date,
	parse_period_as,
	parse_realisation,
	sniff_delimiter,
	write_export,
)
from pinjaman_online.lending.period import InvalidPeriod, Period

SETTINGS = settings(max_examples=150, deadline=None, database=None)
D = Decimal
NOV = Period(2026, 11)
TASPEN = FileFormat(
	"Taspen",
	delimiter=";",
	decimal_separator=",",
	thousands_separator=".",
	period_format="YYYYMM",
	date_format="DD/MM/YYYY",
	columns=(
		Column("pension_number", "NOTAS"),
		Column("nik", "NIK"),
		Column("member_name", "NAMA"),
		Column("period", "PERIODE", True),
		Column("amount", "NOMINAL_POTONGAN", True),
		Column("reference", "REFERENSI"),
		Column("deduction_date", "TGL_POTONG"),
	),
	export_columns=(
		Column("pension_number", "NOTAS"),
		Column("member_name", "NAMA"),
		Column("period", "PERIODE"),
		Column("due_date", "JATUH_TEMPO"),
		Column("amount", "NOMINAL_TAGIHAN"),
		Column("reference", "REFERENSI"),
	),
)
HEADER = "NOTAS;NIK;NAMA;PERIODE;NOMINAL_POTONGAN\r\n"


def parse(text: str | bytes, fmt=TASPEN, period=NOV):
	data = text.encode() if isinstance(text, str) else text
	return parse_realisation(data, fmt, period)


def reasons(result) -> list[tuple[int, str]]:
	return [(e.line, e.reason) for e in result.errors]


# ------------------------------------------------------------------------------------------------ values


def test_amounts_in_each_convention():
	assert parse_amount("1.500.000", ",", ".") == D(1_500_000)
	assert parse_amount("1.250.000,50", ",", ".") == D("1250000.50")
	assert parse_amount("1500000,5", ",", ".") == D("1500000.5")
	assert parse_amount("1500000.00", ".", "") == D(1_500_000)
	assert parse_amount(" 0 ", ".", "") == 0


@pytest.mark.parametrize(
	"text, why",
	[
		("", "empty"),
		("abc", "not a number"),
		("-1.000", "sign"),
		("Rp 1.000", "not a number"),
		("1.50.000", "misplaced"),
		("1.000,505", "at most 2 decimals"),
		("1,000,000", "not a number"),
		("１２３", "not a number"),  # full-width digits are not ASCII digits
	],
)
def test_bad_amounts_say_why(text, why):
	with pytest.raises(ValueError, match=why):
		parse_amount(text, ",", ".")


@SETTINGS
@given(amount=st.integers(0, 10**11).map(lambda c: D(c) / 100), decimals=st.sampled_from([0, 2]),
	style=st.sampled_from([(",", "."), (".", ""), (".", ","), (",", " ")]))  # fmt: skip
def test_written_amounts_read_back(amount, decimals, style):
	fmt = FileFormat(
		"X", delimiter=";", decimal_separator=style[0], thousands_separator=style[1], amount_decimals=decimals
	)
	expected = amount.quantize(D(1) if decimals == 0 else D("0.01"))
	assert parse_amount(format_amount(amount, fmt), style[0], style[1]) == expected


def test_periods_and_dates_in_a_fund_format():
	assert parse_period_as("202611", "YYYYMM") == NOV
	assert parse_period_as(" 11/2026 ", "MM/YYYY") == NOV
	assert format_period(NOV, "MMYYYY") == "112026"
	assert parse_date("05/11/2026", "DD/MM/YYYY") == date(2026, 11, 5)
	for bad in ("202613", "2026-11", ""):
		with pytest.raises(InvalidPeriod):
			parse_period_as(bad, "YYYYMM")
	with pytest.raises(ValueError, match="not a calendar date"):
		parse_date("31/02/2026", "DD/MM/YYYY")


@SETTINGS
@given(
	year=st.integers(1900, 9999),
	month=st.integers(1, 12),
	fmt=st.sampled_from(["YYYY-MM", "MM/YYYY", "YYYYMM", "MMYYYY"]),
)
def test_periods_round_trip(year, month, fmt):
	assert parse_period_as(format_period(Period(year, month), fmt), fmt) == Period(year, month)


# ------------------------------------------------------------------------------------------------ formats


@pytest.mark.parametrize(
	"overrides, why",
	[
		({"delimiter": ","}, "delimiter ',' is also a separator"),
		({"decimal_separator": ".", "thousands_separator": "."}, "are the same"),
		({"encoding": "klingon-8"}, "unknown encoding"),
		({"period_format": "YYYY"}, "lacks MM"),
		({"columns": (Column("amount", "X"),)}, "no period column"),
		({"columns": (Column("period", "P"), Column("amount", "A"))}, "pension number or NIK"),
		({"columns": (Column("period", "P"), Column("amount", "P"), Column("nik", "N"))}, "appears twice"),
		({"export_columns": (Column("colour", "C"),)}, "unknown field"),
	],
)
def test_inconsistent_formats_are_refused(overrides, why):
	values = {**TASPEN.__dict__, **overrides}
	with pytest.raises(InvalidFileFormat, match=why):
		FileFormat(**values)


# ------------------------------------------------------------------------------------------------ parsing


def test_a_good_file():
	result = parse(
		"\ufeffNOTAS;NIK;NAMA;PERIODE;NOMINAL_POTONGAN;REFERENSI;TGL_POTONG\r\n"
		"TSP1;3273011708580001;Bambang;202611;1.180.000;PCE-1;01/11/2026\r\n"
		'TSP2;;"Sri; Wahyuni";202611;700.000,50;;\r\n'
		"\r\n"
	)
	assert result.errors == []
	assert [(x.line_no, x.pension_number, x.member_name, x.amount) for x in result.lines] == [
		(2, "TSP1", "Bambang", D(1_180_000)),
		(3, "TSP2", "Sri; Wahyuni", D("700000.50")),
	]
	assert result.lines[0].deduction_date == date(2026, 11, 1)
	assert result.total_amount == D("1880000.50")
	assert result.delimiter == ";"


def test_header_matching_ignores_case_spaces_and_order_and_extra_columns():
	result = parse("nominal_potongan ; periode;notas;KETERANGAN\r\n1.000;202611;TSP1;ok\r\n")
	assert result.errors == [] and result.lines[0].amount == 1000


def test_every_bad_line_is_reported_with_its_number_and_nothing_is_returned():
	result = parse(
		HEADER
		+ "TSP1;123;A;202611;1.000\r\n"  # 2: bad NIK
		+ "TSP2;;B;202610;1.000\r\n"  # 3: other period
		+ "TSP3;;C;202611;satu juta\r\n"  # 4: bad amount
		+ ";;D;202611;1.000\r\n"  # 5: no key
		+ "TSP6;;E;202611\r\n"  # 6: missing field
		+ "TSP7;;F;202611;2.000\r\n"  # 7: fine
		+ "TSP7;;F;202611;2.000\r\n"  # 8: duplicate of 7
	)
	assert result.lines == []
	got = reasons(result)
	assert [line for line, _ in got] == [2, 3, 4, 5, 6, 8]
	assert "NIK '123' is not 16 digits" in got[0][1]
	assert "period 2026-10 is not the import's period 2026-11" in got[1][1]
	assert "'satu juta'" in got[2][1]
	assert "neither a pension number nor a NIK" in got[3][1]
	assert "has 4 fields, the header has 5" in got[4][1]
	assert "duplicates line 7" in got[5][1]
	with pytest.raises(FileRejected, match="6 error"):
		result.raise_if_invalid()


@pytest.mark.parametrize(
	"data, line, why",
	[
		(b"", 0, "empty"),
		(b"  \r\n\r\n", 0, "empty"),
		(HEADER.encode(), 1, "no data lines"),
		(b"NOTAS;NIK;NAMA;PERIODE\r\nT1;;A;202611\r\n", 1, "missing column 'NOMINAL_POTONGAN'"),
		(b"NOTAS;NOTAS;PERIODE;NOMINAL_POTONGAN\r\nT;T;202611;1\r\n", 1, "appears twice"),
		(b"NOTAS,NIK,NAMA,PERIODE,NOMINAL_POTONGAN\r\nT1,,A,202611,1000\r\n", 1, "delimited by a comma"),
		(b"PK\x03\x04\x00\x00binary", 1, "NUL bytes"),
		(HEADER.encode() + "T1;;Jos\u00e9;202611;1\r\n".encode("cp1252"), 2, "not valid UTF-8 (byte 0xE9"),
	],
)
def test_malformed_files(data, line, why):
	result = parse(data)
	assert result.lines == []
	assert result.errors[0].line == line
	assert why in result.errors[0].reason


def test_mixed_encodings_name_the_odd_lines():
	data = (
		HEADER.encode()
		+ "T1;;José;202611;1\r\n".encode()
		+ "T2;;Sofía;202611;1\r\n".encode()
		+ "T3;;Andrés;202611;1\r\n".encode("cp1252")
	)
	result = parse(data)
	assert reasons(result) == [
		(4, "mixed encodings: this line is not UTF-8, unlike line(s) 2, 3; save the whole file in utf-8")
	]


def test_a_windows_1252_format_reads_its_own_files_and_refuses_utf8_ones():
	fmt = FileFormat(**{**TASPEN.__dict__, "encoding": "cp1252"})
	good = (HEADER + "T1;;José;202611;1\r\n").encode("cp1252")
	assert parse(good, fmt).lines[0].member_name == "José"
	utf8 = (HEADER + "T1;;José;202611;1\r\n").encode()
	assert "UTF-8 encoded but the format expects cp1252" in parse(utf8, fmt).errors[0].reason


def test_utf16_with_bom_is_read():
	result = parse((HEADER + "T1;;Ana;202611;1\r\n").encode("utf-16"))
	assert result.errors == [] and result.lines[0].member_name == "Ana"


def test_detected_delimiter():
	fmt = FileFormat(**{**TASPEN.__dict__, "delimiter": ""})
	result = parse("NOTAS|PERIODE|NOMINAL_POTONGAN\r\nT1|202611|1.000\r\nT2|202611|2.000\r\n", fmt)
	assert result.errors == [] and result.delimiter == "|"
	assert sniff_delimiter(["just one column"], "")[1] is not None


def test_decode_keeps_lines_and_hash_is_of_the_bytes():
	lines, errors = decode(b"a;b\r\nc;d\n", "utf-8")
	assert (lines, errors) == (["a;b", "c;d"], [])
	assert content_hash(b"x") != content_hash(b"x ")


# ------------------------------------------------------------------------------------------------ writing


def test_export_follows_the_format_and_reads_back():
	rows = [
		{
			"pension_number": "TSP1",
			"member_name": "Bambang; Jr",
			"period": NOV,
			"due_date": date(2026, 11, 15),
			"amount": D(1_180_000),
			"reference": "PCE-2026-00001-000001",
			"nik": "ignored",
		},
	]
	text = write_export(rows, TASPEN).decode()
	assert text.splitlines()[0] == "NOTAS;NAMA;PERIODE;JATUH_TEMPO;NOMINAL_TAGIHAN;REFERENSI"
	assert text.splitlines()[1] == 'TSP1;"Bambang; Jr";202611;15/11/2026;1.180.000;PCE-2026-00001-000001'
	assert text.endswith("\r\n")
	back = list(csv.reader(io.StringIO(text), delimiter=";"))
	assert back[1][1] == "Bambang; Jr"
	with pytest.raises(InvalidFileFormat):
		write_export(rows, FileFormat("Empty"))


@settings(max_examples=40, deadline=None, database=None)
@given(
	names=st.lists(
		st.text(st.characters(blacklist_categories=("Cs", "Cc")), max_size=30), min_size=1, max_size=20
	),
	amounts=st.lists(st.integers(0, 10**10), min_size=20, max_size=20),
)
def test_an_export_turned_into_a_realisation_parses_to_the_same_amounts(names, amounts):
	"""What we send, sent back unchanged (with the amount column renamed), is a valid realisation file."""
	rows = [
		{
			"pension_number": f"TSP{i}",
			"member_name": name,
			"period": NOV,
			"amount": D(amounts[i]),
			"due_date": date(2026, 11, 1),
			"reference": f"R{i}",
		}
		for i, name in enumerate(names)
	]
	fmt = FileFormat(**{**TASPEN.__dict__, "columns": TASPEN.columns[:3] + (Column("period", "PERIODE", True),
		Column("amount", "NOMINAL_TAGIHAN", True), Column("reference", "REFERENSI"))})  # fmt: skip
	result = parse(write_export(rows, fmt), fmt)
	assert result.errors == []
	assert [(x.pension_number, x.member_name.strip(), x.amount) for x in result.lines] == [
		(r["pension_number"], r["member_name"].strip(), r["amount"]) for r in rows
	]
