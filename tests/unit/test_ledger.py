"""Journal rules of the ledger (lending.ledger): each event's lines, the balance check, and a property test over
random sequences of money events on random loans (the ledger always balances; the receivables equal what the
loan still owes)."""

from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pinjaman_online.lending.errors import LendingError
from pinjaman_online.lending.ledger import (
	ACCRUAL,
	CASH,
	EVENTS,
	ROLES,
	JournalLine,
	UnbalancedJournal,
	accrual_lines,
	balances,
	channel_role,
	check_balanced,
	compact,
	cr,
	disbursement_lines,
	dr,
	mirror,
	opening_lines,
	penalty_lines,
	refund_lines,
	repayment_lines,
	settlement_lines,
	suspense_lines,
)

D = Decimal
SETTINGS = settings(max_examples=300, deadline=None, database=None)


def test_roles_and_events_match_the_doctypes():
	"""The pure lists are the Select options of Ledger Account Mapping and Ledger Entry."""
	import json
	from pathlib import Path

	folder = Path(__file__).resolve().parents[2] / "apps/pinjaman_online/pinjaman_online/accounting/doctype"
	mapping = json.loads((folder / "ledger_account_mapping/ledger_account_mapping.json").read_text())
	entry = json.loads((folder / "ledger_entry/ledger_entry.json").read_text())
	role_options = next(f for f in mapping["fields"] if f["fieldname"] == "account_role")["options"]
	event_options = next(f for f in entry["fields"] if f["fieldname"] == "event")["options"]
	assert [o for o in role_options.split("\n") if o] == list(ROLES)
	assert event_options.split("\n") == list(EVENTS)


def test_chart_maps_every_role_to_a_postable_account():
	import json
	from pathlib import Path

	path = Path(__file__).resolve().parents[2] / "apps/pinjaman_online/pinjaman_online/accounting/setup"
	chart = json.loads((path / "chart_of_accounts.json").read_text())
	numbers = {a["account_number"]: a for a in chart}
	roles = [a["account_role"] for a in chart if a.get("account_role")]
	assert sorted(roles) == sorted(ROLES)
	seen = set()
	for a in chart:  # parents first, same root type, postable accounts are not groups
		parent = a["parent_ledger_account"]
		assert not parent or (parent in seen and numbers[parent]["is_group"]), a
		assert not parent or numbers[parent]["root_type"] == a["root_type"], a
		assert not (a.get("account_role") and a["is_group"]), a
		seen.add(a["account_number"])
	assert {a["root_type"] for a in chart if not a["parent_ledger_account"]} == {
		"Asset",
		"Liability",
		"Equity",
		"Income",
		"Expense",
	}


def test_check_balanced():
	assert check_balanced([dr("a", 100), cr("b", 60), cr("c", 40)]) == D(100)
	for bad in (
		[],
		[dr("a", 100), cr("b", 99)],
		[dr("a", 0), cr("b", 0)],
		[JournalLine("a", D(100), D(100))],
		[dr("a", D("100.5")), cr("b", D("100.5"))],
		[dr("a", -5), cr("b", -5)],
		[dr("", 5), cr("b", 5)],
	):
		with pytest.raises(UnbalancedJournal):
			check_balanced(bad)
	with pytest.raises(TypeError):
		check_balanced([JournalLine("a", 1.0, D(0)), cr("b", 1)])


def test_disbursement():
	assert disbursement_lines(D(10_000_000), D(9_700_000), D(300_000)) == [
		dr("loan_principal_receivable", 10_000_000),
		cr("disbursement_bank", 9_700_000),
		cr("fee_income", 300_000),
	]
	assert disbursement_lines(D(5_000_000), D(5_000_000), D(0)) == [
		dr("loan_principal_receivable", 5_000_000),
		cr("disbursement_bank", 5_000_000),
	]
	with pytest.raises(UnbalancedJournal):
		disbursement_lines(D(100), D(90), D(5))


def test_repayment_cash_and_accrual():
	assert repayment_lines("clearing_taspen", D(800), D(150), D(50), CASH) == [
		dr("clearing_taspen", 1000),
		cr("loan_principal_receivable", 800),
		cr("interest_income", 150),
		cr("penalty_income", 50),
	]
	assert repayment_lines("bank_cash", D(800), D(150), D(0), ACCRUAL) == [
		dr("bank_cash", 950),
		cr("loan_principal_receivable", 800),
		cr("interest_receivable", 150),
	]
	with pytest.raises(LendingError):
		repayment_lines("bank_cash", D(1), D(0), D(0), "Modified Cash")


def test_channels():
	assert channel_role("Pension Deduction", "Taspen") == "clearing_taspen"
	assert channel_role("Pension Deduction", "Asabri") == "clearing_asabri"
	assert channel_role("Payment Gateway") == "clearing_virtual_account"
	assert channel_role("Bank Transfer") == "clearing_bank_transfer"
	assert channel_role("Cash") == "bank_cash"
	for method, fund in (("Pension Deduction", None), ("Cheque", None)):
		with pytest.raises(LendingError):
			channel_role(method, fund)


def test_penalty_settlement_refund_suspense_opening():
	assert penalty_lines(D(25_000), CASH) == []
	assert penalty_lines(D(25_000), ACCRUAL) == [
		dr("penalty_receivable", 25_000),
		cr("penalty_income", 25_000),
	]
	assert accrual_lines(D(100), D(0), CASH) == []
	assert accrual_lines(D(100), D(7), ACCRUAL) == [
		dr("interest_receivable", 100),
		cr("interest_income", 100),
		dr("penalty_receivable", 7),
		cr("penalty_income", 7),
	]
	assert settlement_lines("clearing_bank_transfer", D(5_000_000), D(40_000), D(0), D(100_000)) == [
		dr("clearing_bank_transfer", 5_140_000),
		cr("loan_principal_receivable", 5_000_000),
		cr("interest_income", 40_000),
		cr("fee_income", 100_000),
	]
	assert refund_lines(D(70_000)) == [dr("refunds_payable", 70_000), cr("bank_cash", 70_000)]
	assert suspense_lines("clearing_asabri", D(70_000)) == [
		dr("clearing_asabri", 70_000),
		cr("suspense_unmatched", 70_000),
	]
	assert opening_lines(D(0)) == []
	assert opening_lines(D(9)) == [dr("loan_principal_receivable", 9), cr("opening_equity", 9)]


def test_mirror_and_compact():
	lines = repayment_lines("clearing_asabri", D(10), D(5), D(0))
	back = mirror(lines)
	check_balanced(back)
	assert all(b.debit == a.credit and b.credit == a.debit for a, b in zip(lines, back, strict=True))
	assert not any(balances([lines, back]).values())
	assert compact([dr("a", 0), cr("b", 0), dr("c", 1)]) == [dr("c", 1)]


# ---------------------------------------------------------------- property: random sequences of money events

money = st.integers(min_value=0, max_value=50_000_000).map(D)
CHANNELS = (
	"clearing_taspen",
	"clearing_asabri",
	"clearing_virtual_account",
	"clearing_bank_transfer",
	"bank_cash",
)
event = st.one_of(
	st.tuples(st.just("pay"), st.integers(1, 60_000_000), st.sampled_from(CHANNELS)),
	st.tuples(st.just("penalise"), st.integers(1, 500_000)),
	st.tuples(st.just("accrue"), st.integers(0, 2_000_000)),
	st.tuples(st.just("reverse")),
	st.tuples(st.just("settle"), st.integers(0, 1_000_000), st.sampled_from(CHANNELS)),
)


class Loan:
	"""A minimal loan: what it owes (principal, interest fallen due, penalties), paid penalty → interest →
	principal."""

	def __init__(self, principal: D):
		self.principal, self.interest, self.penalty = principal, D(0), D(0)
		self.payments: list[tuple] = []  # (parts, journal)

	def owed(self) -> D:
		return self.principal + self.interest + self.penalty

	def allocate(self, amount: D) -> tuple[D, D, D]:
		penalty = min(amount, self.penalty)
		interest = min(amount - penalty, self.interest)
		principal = min(amount - penalty - interest, self.principal)
		self.penalty -= penalty
		self.interest -= interest
		self.principal -= principal
		return principal, interest, penalty


@SETTINGS
@given(
	principal=st.integers(1_000_000, 500_000_000).map(D),
	fee_pct=st.integers(0, 10),
	basis=st.sampled_from((CASH, ACCRUAL)),
	events=st.lists(event, max_size=40),
	opening=st.booleans(),
)
def test_random_event_sequences_keep_the_ledger_balanced(principal, fee_pct, basis, events, opening):
	fees = principal * fee_pct // 100
	journals = []

	def post(lines):
		if lines:
			check_balanced(lines)
			journals.append(lines)
		return lines

	loan = Loan(principal)
	if opening:
		post(opening_lines(principal))
	else:
		post(disbursement_lines(principal, principal - fees, fees))
	closed = False
	for ev in events:
		kind = ev[0]
		if closed and kind != "reverse":
			continue
		if kind == "accrue":
			amount = min(D(ev[1]), loan.principal)  # interest falls due on a live loan
			loan.interest += amount
			post(accrual_lines(amount, D(0), basis))
		elif kind == "penalise":
			loan.penalty += D(ev[1])
			post(penalty_lines(D(ev[1]), basis))
		elif kind == "pay" and loan.owed():
			amount = min(D(ev[1]), loan.owed())
			parts = loan.allocate(amount)
			loan.payments.append((parts, post(repayment_lines(ev[2], *parts, basis)), False))
		elif kind == "settle" and loan.owed():
			parts = loan.allocate(loan.owed())
			loan.payments.append((parts, post(settlement_lines(ev[2], *parts, D(ev[1]), basis)), True))
			closed = True
		elif kind == "reverse" and loan.payments:
			(principal_part, interest_part, penalty_part), lines, was_settlement = loan.payments.pop()
			loan.principal += principal_part
			loan.interest += interest_part
			loan.penalty += penalty_part
			post(mirror(lines))
			closed = closed and not was_settlement

		totals = balances(journals)
		assert sum(totals.values(), D(0)) == 0  # debits = credits over the whole ledger
		assert totals.get("loan_principal_receivable", D(0)) == loan.principal
		if basis == ACCRUAL:
			assert totals.get("interest_receivable", D(0)) == loan.interest
			assert totals.get("penalty_receivable", D(0)) == loan.penalty
		else:
			assert not totals.get("interest_receivable") and not totals.get("penalty_receivable")
		for line in (line for lines in journals for line in lines):
			assert line.account in ROLES


def test_commission():
	from pinjaman_online.lending.ledger import commission_lines, commission_paid_lines

	assert commission_lines(D(120_000)) == [
		dr("commission_expense", 120_000),
		cr("commission_payable", 120_000),
	]
	assert commission_lines(D(-120_000)) == [
		cr("commission_expense", 120_000),
		dr("commission_payable", 120_000),
	]
	assert commission_paid_lines(D(120_000)) == [dr("commission_payable", 120_000), cr("bank_cash", 120_000)]
	assert commission_paid_lines(D(-5)) == [cr("commission_payable", 5), dr("bank_cash", 5)]
	assert commission_lines(D(0)) == commission_paid_lines(D(0)) == []


# ---------------------------------------------------------------- accrual basis over a schedule, funder shares


def test_accrual_adjustment_target_and_prepaid():
	from pinjaman_online.lending.ledger import accrual_adjustment_lines, accrual_target, prepaid_accrual

	assert accrual_adjustment_lines(D(0), D(0)) == []
	assert accrual_adjustment_lines(D(100), D(-7)) == [
		dr("interest_receivable", 100),
		cr("interest_income", 100),
		dr("penalty_income", 7),
		cr("penalty_receivable", 7),
	]
	rows = [(1, D(100), D(40), D(5), D(0)), (2, D(90), D(0), D(0), D(0)), (3, D(80), D(80), D(0), D(0))]
	assert accrual_target(rows, 2) == (D(150), D(5))  # the third, not due, paid ahead: not receivable
	assert prepaid_accrual(D(-80), D(3)) == [dr("interest_receivable", 80), cr("interest_income", 80)]
	assert prepaid_accrual(D(0), D(0)) == []


def test_funder_journals():
	from pinjaman_online.lending.ledger import funder_paid_lines, funder_share_lines, funding_lines

	assert funding_lines(D(6_000_000)) == [
		dr("disbursement_bank", 6_000_000),
		cr("funder_payable", 6_000_000),
	]
	assert funder_share_lines(D(51_000)) == [dr("interest_income", 51_000), cr("funder_payable", 51_000)]
	assert funder_share_lines(D(-2)) == [cr("interest_income", 2), dr("funder_payable", 2)]
	assert funder_paid_lines(D(700_000)) == [dr("funder_payable", 700_000), cr("bank_cash", 700_000)]
	assert funding_lines(D(0)) == funder_share_lines(D(0)) == funder_paid_lines(D(0)) == []


class Schedule:
	"""A loan's installments (due day, principal, interest, penalty charged; paid parts), paid oldest first
	(penalty, interest, principal of each), for the accrual property test."""

	def __init__(self, rows):
		self.rows = [
			{"due": due, "principal": p, "interest": i, "penalty": D(0), "pp": D(0), "ip": D(0), "np": D(0)}
			for due, p, i in rows
		]

	def owed(self) -> D:
		return sum(
			r["principal"] + r["interest"] + r["penalty"] - r["pp"] - r["ip"] - r["np"] for r in self.rows
		)

	def principal(self) -> D:
		return sum(r["principal"] - r["pp"] for r in self.rows)

	def pay(self, amount: D) -> tuple[D, D, D, list]:
		paid, undo = [D(0), D(0), D(0)], []
		for r in self.rows:
			for key, owed, slot in (("np", "penalty", 2), ("ip", "interest", 1), ("pp", "principal", 0)):
				part = min(amount, r[owed] - r[key])
				if part:
					r[key] += part
					amount -= part
					paid[slot] += part
					undo.append((r, key, part))
		return (*paid, undo)

	def target(self, day) -> tuple[D, D]:
		from pinjaman_online.lending.ledger import accrual_target

		return accrual_target(
			[(r["due"], r["interest"], r["ip"], r["penalty"], r["np"]) for r in self.rows], day
		)


schedule_event = st.one_of(
	st.tuples(st.just("run"), st.integers(1, 40)),
	st.tuples(st.just("pay"), st.integers(1, 3_000_000)),
	st.tuples(st.just("penalise"), st.integers(1, 200_000), st.booleans()),
	st.tuples(st.just("reverse")),
	st.tuples(st.just("settle_funder")),
)


@SETTINGS
@given(
	installments=st.lists(
		st.tuples(st.integers(100_000, 1_000_000), st.integers(0, 300_000)), min_size=1, max_size=6
	),
	basis=st.sampled_from((CASH, ACCRUAL)),
	share=st.sampled_from((D(0), D(100), D(60), D("27.7778"))),
	interest_share=st.sampled_from((D(100), D(80))),
	fees=st.sampled_from(((D(10), D(15)), (D(0), D(0)), (D("12.5"), D("7.5")))),
	events=st.lists(schedule_event, max_size=40),
)
def test_accrual_runs_payments_reversals_and_funder_shares_keep_the_books(
	installments, basis, share, interest_share, fees, events
):
	"""Random daily runs (the accrual true-up of ``accounting.posting.accrue_loans``), payments (with the
	accrual of what they pay ahead and the funder's share), penalties (the daily run's, or manual), reversals
	and funder settlements: the ledger balances; after a run the receivables equal the installments' due and
	unpaid interest and unpaid penalties (Accrual) or stay zero (Cash); no receivable is ever negative; the
	funder payable is the principal funded less the principal settled plus the net interest of the payments
	not settled yet, and a settlement's rounding adjustment is at most one Rupiah per payment it covers."""
	from pinjaman_online.lending.ledger import (
		accrual_adjustment_lines,
		funder_paid_lines,
		funder_share_lines,
		funding_lines,
		prepaid_accrual,
	)
	from pinjaman_online.lending.money import percent_of
	from pinjaman_online.lending.settlement import Collection, FunderShare, split_collection

	loan = Schedule([(30 * (k + 1), D(p), D(i)) for k, (p, i) in enumerate(installments)])
	principal = loan.principal()
	terms = [FunderShare("FA-1", share, interest_share, *fees)] if share else []
	journals: list[list[JournalLine]] = []

	def post(lines):
		if lines:
			check_balanced(lines)
			journals.append(lines)
		return lines

	def receivables():
		totals = balances(journals)
		return totals.get("interest_receivable", D(0)), totals.get("penalty_receivable", D(0))

	post(disbursement_lines(principal, principal, D(0)))
	funded = percent_of(principal, share) if share else D(0)
	post(funding_lines(funded))
	day = 0
	unsettled: list[dict] = []  # payments not settled yet: parts, journals, undo
	settled_principal = D(0)
	for ev in events:
		kind = ev[0]
		if kind == "run":
			day += ev[1]
			if basis == ACCRUAL:
				target, held = loan.target(day), receivables()
				post(accrual_adjustment_lines(target[0] - held[0], target[1] - held[1]))
		elif kind == "penalise":
			due = [r for r in loan.rows if r["due"] <= day]
			if not due:
				continue
			due[0]["penalty"] += D(ev[1])
			if ev[2]:  # a manual Loan Penalty posts its own journal; the daily run's waits for the run
				post(penalty_lines(D(ev[1]), basis))
		elif kind == "pay" and loan.owed():
			p, i, n, undo = loan.pay(min(D(ev[1]), loan.owed()))
			posted = [post(repayment_lines("bank_cash", p, i, n, basis))]
			if basis == ACCRUAL:
				held = receivables()
				posted.append(post(prepaid_accrual(*held)))
			parts = split_collection(Collection(p, i, n), terms).funders
			net_interest = parts[0].net_interest if parts else D(0)
			posted.append(post(funder_share_lines(net_interest)))
			unsettled.append({"parts": (p, i, n), "journals": posted, "undo": undo, "net": net_interest})
		elif kind == "reverse" and unsettled:
			payment = unsettled.pop()
			for r, key, part in payment["undo"]:
				r[key] -= part
			for lines in payment["journals"]:
				post(mirror(lines) if lines else [])
		elif kind == "settle_funder" and unsettled:
			collection = Collection(D(0), D(0), D(0))
			for payment in unsettled:
				collection = collection + Collection(*payment["parts"])
			parts = split_collection(collection, terms).funders
			if parts:
				adjustment = parts[0].net_interest - sum((p["net"] for p in unsettled), D(0))
				assert abs(adjustment) <= len(unsettled)
				post(funder_share_lines(adjustment))
				post(funder_paid_lines(parts[0].net))
				settled_principal += parts[0].principal
			unsettled = []

		totals = balances(journals)
		assert sum(totals.values(), D(0)) == 0
		assert totals.get("loan_principal_receivable", D(0)) == loan.principal()
		interest, penalty = receivables()
		if basis == ACCRUAL:
			assert interest >= 0 or kind == "reverse"
			assert penalty >= 0 or kind == "reverse"
			if kind == "run":
				assert (interest, penalty) == loan.target(day)
		else:
			assert not interest and not penalty
		owed_funder = funded - settled_principal + sum((p["net"] for p in unsettled), D(0))
		assert -totals.get("funder_payable", D(0)) == owed_funder
		for line in (line for lines in journals for line in lines):
			assert line.account in ROLES
