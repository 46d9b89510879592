"""Borrower bills, payment-request amounts, webhook signatures (lending/payments.py) and notice timing and
Indonesian formatting (lending/notices.py)."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pinjaman_online.lending.allocation import InstallmentDue
from pinjaman_online.lending.errors import InvalidPayment
from pinjaman_online.lending.notices import (
	overdue_milestone,
	parse_milestones,
	reminder_due,
	rupiah,
	tanggal,
)
from pinjaman_online.lending.payments import (
	bill_of,
	request_amount,
	signature_valid,
	split_received,
	webhook_signature,
)

TODAY = date(2026, 11, 21)


def due(n, days, principal=1000, interest=100, penalty=0):
	return InstallmentDue(
		n, TODAY + timedelta(days=days), Decimal(principal), Decimal(interest), Decimal(penalty)
	)


def test_bill_classifies_overdue_due_upcoming_and_sums():
	dues = [due(1, -40, 0, 0), due(2, -10, 1000, 100, 50), due(3, 0), due(4, 30), due(5, 60)]
	bill = bill_of(dues, TODAY)
	assert [(ln.number, ln.status) for ln in bill.lines] == [
		(2, "Overdue"),
		(3, "Due"),
		(4, "Upcoming"),
		(5, "Upcoming"),
	]
	assert bill.overdue_amount == 1150 and bill.current_amount == 1100
	assert bill.amount_due == 2250 and bill.outstanding == 1150 + 3 * 1100
	assert bill.next_due_date == TODAY and bill.days_past_due == 10


def test_bill_with_only_overdue_has_no_next_due_date():
	bill = bill_of([due(1, -3)], TODAY)
	assert bill.next_due_date is None and bill.amount_due == 1100 and bill.days_past_due == 3
	assert bill_of([], TODAY).outstanding == 0


def test_request_amount_defaults_and_bounds():
	bill = bill_of([due(1, 5), due(2, 35)], TODAY)
	assert request_amount(None, bill) == 1100
	assert request_amount(2200, bill) == 2200
	assert request_amount("500", bill) == 500
	for bad in (0, -1, 2201, "1.5", "abc"):
		with pytest.raises(InvalidPayment):
			request_amount(bad, bill)
	with pytest.raises(InvalidPayment):
		request_amount(None, bill_of([], TODAY))


@given(st.integers(0, 10**9), st.integers(-(10**6), 10**9))
def test_split_received_never_posts_more_than_owed(paid, owed):
	posted, excess = split_received(Decimal(paid), Decimal(owed))
	assert posted + excess == paid and 0 <= posted <= max(owed, 0) and excess >= 0


def test_signature_roundtrip_and_tampering():
	body = b'{"event":"payment.paid","amount":150000}'
	sig = webhook_signature("s3cret", body)
	assert signature_valid("s3cret", body, sig)
	assert signature_valid("s3cret", body, "sha256=" + sig.upper())
	assert not signature_valid("s3cret", body + b" ", sig)
	assert not signature_valid("other", body, sig)
	assert not signature_valid("", body, webhook_signature("", body))
	assert not signature_valid("s3cret", body, None)
	assert not signature_valid("s3cret", body, "é" * 64)


def test_reminder_window_and_overdue_milestones():
	assert reminder_due(TODAY + timedelta(days=3), TODAY, 3)
	assert reminder_due(TODAY + timedelta(days=1), TODAY, 3)
	assert not reminder_due(TODAY + timedelta(days=4), TODAY, 3)
	assert not reminder_due(TODAY, TODAY, 3) and not reminder_due(TODAY + timedelta(days=1), TODAY, 0)
	ms = parse_milestones(" 30, 1,7,,7 ")
	assert ms == (1, 7, 30)
	assert overdue_milestone(TODAY, TODAY, ms) is None
	assert overdue_milestone(TODAY - timedelta(days=1), TODAY, ms) == 1
	assert overdue_milestone(TODAY - timedelta(days=9), TODAY, ms) == 7
	with pytest.raises(ValueError):
		parse_milestones("1, x")


def test_indonesian_formatting():
	assert rupiah(Decimal(1500000)) == "Rp1.500.000"
	assert rupiah(999.5) == "Rp1.000" and rupiah("0") == "Rp0" and rupiah(-2500) == "-Rp2.500"
	assert tanggal(date(2026, 11, 25)) == "25 November 2026" and tanggal("2026-08-17") == "17 Agustus 2026"
	assert tanggal(None) == ""
