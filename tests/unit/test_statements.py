"""Financial statements from account balances, provisioning by collectibility and the journal export rows."""

import datetime as dt
import random
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pinjaman_online.lending import provisioning as prov
from pinjaman_online.lending import statements as st_

SETTINGS = settings(max_examples=200, deadline=None, database=None)
D = Decimal

CHART = [
	("1110", "Kas", "Asset"),
	("1131", "Piutang Pinjaman Pokok", "Asset"),
	("1139", "Cadangan Kerugian Piutang", "Asset"),
	("2110", "Utang Pengembalian", "Liability"),
	("3100", "Simpanan Pokok", "Equity"),
	("4110", "Pendapatan Bunga", "Income"),
	("4120", "Pendapatan Administrasi", "Income"),
	("5110", "Beban Penyisihan", "Expense"),
	("5120", "Beban Komisi", "Expense"),
]


def journals(draw_amounts):
	"""Balanced journals over CHART as (account, debit, credit) rows."""
	rows = []
	for a, b, amount in draw_amounts:
		rows += [(CHART[a][0], D(amount), D(0)), (CHART[b][0], D(0), D(amount))]
	return rows


def balances_of(rows, accounts=None):
	out = {}
	for account, debit, credit in rows:
		out[account] = out.get(account, D(0)) + debit - credit
	return [(n, name, root, out.get(n, D(0))) for n, name, root in CHART if accounts is None or n in accounts]


AMOUNTS = st.lists(
	st.tuples(st.integers(0, len(CHART) - 1), st.integers(0, len(CHART) - 1), st.integers(1, 10**12)),
	min_size=0,
	max_size=40,
)


@SETTINGS
@given(AMOUNTS, AMOUNTS)
def test_trial_balance_balances_and_closing_is_opening_plus_movement(before, during):
	opening = {n: b for n, _name, _root, b in balances_of(journals(before))}
	period = journals(during)
	movements = [
		st_.AccountMovement(
			n,
			name,
			root,
			opening.get(n, D(0)),
			sum((d for a, d, _c in period if a == n), D(0)),
			sum((c for a, _d, c in period if a == n), D(0)),
		)
		for n, name, root in CHART
	]
	tb = st_.trial_balance(movements)
	assert tb.balanced
	assert tb.totals.debit == sum(d for _a, d, _c in period)
	for line in tb.lines:
		assert line.closing_debit - line.closing_credit == (
			line.opening_debit - line.opening_credit + line.debit - line.credit
		)
		assert min(line.closing_debit, line.closing_credit) == 0


@SETTINGS
@given(AMOUNTS)
def test_balance_sheet_balances_with_shu(amounts):
	sheet = st_.balance_sheet(balances_of(journals(amounts)))
	assert sheet.difference == 0
	statement = st_.income_statement(balances_of(journals(amounts)))
	assert statement.shu == sheet.shu


def test_statement_figures_by_hand():
	rows = journals(
		[(0, 4, 1_000_000), (1, 0, 900_000), (0, 5, 60_000), (0, 6, 25_000), (7, 2, 4_500), (8, 0, 10_000)]
	)
	b = balances_of(rows)
	income = st_.income_statement(b)
	assert income.income.total == 85_000 and income.expense.total == 14_500 and income.shu == 70_500
	sheet = st_.balance_sheet(b)
	# Kas 1,000,000 − 900,000 + 60,000 + 25,000 − 10,000 = 175,000; receivable 900,000; allowance −4,500
	assert sheet.assets.total == 175_000 + 900_000 - 4_500
	assert [line.amount for line in sheet.assets.lines] == [175_000, 900_000, -4_500]
	assert sheet.equity.total == 1_000_000 and sheet.shu == 70_500 and sheet.difference == 0


def test_normal_sign_and_unknown_root():
	assert [st_.normal_sign(r) for r in st_.ROOT_TYPES] == [1, -1, -1, -1, 1]
	with pytest.raises(ValueError):
		st_.normal_sign("Revenue")


def test_ledger_vs_loans_rows_and_total():
	rows, total = st_.ledger_vs_loans(
		{"LN-2": D(500), "LN-1": D(1000), None: D(7)}, {"LN-1": D(1000), "LN-2": D(400), "LN-3": D(0)}
	)
	assert [(r.loan, r.ledger, r.loans, r.difference) for r in rows] == [
		("LN-1", 1000, 1000, 0),
		("LN-2", 500, 400, 100),
		("", 7, 0, 7),
	]
	assert (total.ledger, total.loans, total.difference) == (1507, 1400, 107)


def test_journal_export_row():
	row = st_.journal_export_row(
		{
			"journal_no": "JR-2026-0000001",
			"posting_date": dt.date(2026, 11, 30),
			"account_number": "1131",
			"account_name": 'Piutang; "pokok"',
			"debit": 1500000.0,
			"credit": None,
			"event": "Disbursement",
			"voucher_type": "Loan Disbursement",
			"voucher_no": "DSB-1",
			"loan": "LN-1",
			"is_reversal": 0,
		}
	)
	assert len(row) == len(st_.JOURNAL_EXPORT_COLUMNS)
	assert row[:6] == ["JR-2026-0000001", "2026-11-30", "1131", 'Piutang; "pokok"', "1500000", "0"]
	assert row[st_.JOURNAL_EXPORT_COLUMNS.index("member")] == ""
	assert row[st_.JOURNAL_EXPORT_COLUMNS.index("is_reversal")] == "0"


# ---- provisioning


def test_default_rates_are_the_pojk_minimums():
	assert prov.DEFAULT_RATES == {1: D("0.5"), 2: D(3), 3: D(10), 4: D(50), 5: D(100)}


def test_required_allowance_by_hand():
	a = prov.required_allowance(
		[(1, 10_000_001), (1, 5_000_000), (2, 3_000_000), (3, 1_000_000), (5, 250_000)]
	)
	# Kol 1: 15,000,001 × 0.5% = 75,000.005 → 75,000; Kol 2: 90,000; Kol 3: 100,000; Kol 5: 250,000
	assert [a.by_kol[k].allowance for k in prov.KOLS] == [75_000, 90_000, 100_000, 0, 250_000]
	assert a.by_kol[1].loans == 2 and a.outstanding == 19_250_001 and a.total == 515_000


@SETTINGS
@given(st.lists(st.tuples(st.integers(1, 5), st.integers(0, 10**11)), max_size=60))
def test_required_allowance_is_rounded_sum_per_kol(exposures):
	rates = {k: D(random.Random(k).randint(0, 1000)) / 10 for k in prov.KOLS}
	a = prov.required_allowance(exposures, rates)
	for kol in prov.KOLS:
		exact = sum((D(o) for k, o in exposures if k == kol), D(0)) * rates[kol] / 100
		assert abs(a.by_kol[kol].allowance - exact) <= D("0.5")
		assert a.by_kol[kol].allowance == a.by_kol[kol].allowance.to_integral_value()
	assert a.total == sum(k.allowance for k in a.by_kol.values())


def test_bad_rates_and_exposures_are_refused():
	with pytest.raises(prov.InvalidProvisioning):
		prov.required_allowance([(6, 100)])
	with pytest.raises(prov.InvalidProvisioning):
		prov.required_allowance([(1, -1)])
	with pytest.raises(prov.InvalidProvisioning):
		prov.check_rates({1: 1, 2: 2, 3: 3, 4: 4})
	with pytest.raises(prov.InvalidProvisioning):
		prov.check_rates({1: 1, 2: 2, 3: 3, 4: 4, 5: 101})


def test_allowance_adjustment_directions():
	assert prov.allowance_adjustment(1000, 400) == prov.Adjustment(
		"provision_expense", "allowance_for_losses", D(600)
	)
	assert prov.allowance_adjustment(400, 1000) == prov.Adjustment(
		"allowance_for_losses", "provision_expense", D(600)
	)
	assert prov.allowance_adjustment(400, 400) is None
	with pytest.raises(prov.InvalidProvisioning):
		prov.allowance_adjustment(D("1.5"), 0)


@SETTINGS
@given(st.integers(0, 10**12), st.integers(0, 10**12))
def test_write_off_split_adds_up(principal, available):
	from_allowance, expense = prov.write_off_split(principal, available)
	assert from_allowance + expense == principal
	assert from_allowance == min(principal, available) and expense >= 0
