"""Loan state: installment status, loan lifecycle transitions and days past due (seed 004 §4 LMS; §8 DPD).

Every path that changes a loan's money (payment, bulk pension deduction, reversal, settlement, restructure,
penalty, disbursement, the daily run) asks these rules what the loan's state becomes; servicing writes the
answer in one place (``servicing.state``).

Lifecycle (the transitions a loan may take, :data:`TRANSITIONS`)::

    Pending Disbursement ──disbursed──▶ Active ──nothing owed──▶ Closed
            ▲      │                     │  ▲                      │
            │      └──cancelled──▶ Cancelled   └──owes again (reversal)─┘
            └──disbursement cancelled──┘ │
                                         ├──DPD > Default After (daily run) or by hand──▶ Default
                                         └──write-off──▶ Written Off ◀── Default

A Default loan that is paid off is Closed; a Closed loan that owes again (a payment reversed, a settlement
cancelled) is Active again; a reversed write-off returns the loan to Default. Nothing else moves a loan:
Default is never cleared automatically (the cooperative's finance staff decide a cure), and only the daily
run (or a person) flags Default, so a payment posted with a past date never defaults a loan.

Days past due: days from the oldest due date, strictly before the reference date, of an installment that
still has anything unpaid (same rule as ``lending.allocation.days_past_due``); aging bucket and OJK
collectibility follow from it (``lending.aging``).
"""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from .aging import collectibility, dpd_bucket
from .errors import LendingError
from .money import ZERO, to_decimal

PENDING = "Pending Disbursement"
ACTIVE = "Active"
CLOSED = "Closed"
DEFAULT = "Default"
WRITTEN_OFF = "Written Off"
CANCELLED = "Cancelled"
STATUSES = (PENDING, ACTIVE, CLOSED, DEFAULT, WRITTEN_OFF, CANCELLED)
LIVE = (ACTIVE, DEFAULT)  # loans that owe and are serviced (payments, penalties, the daily run)

TRANSITIONS = frozenset(
	{
		(PENDING, ACTIVE),  # disbursed
		(PENDING, CANCELLED),  # the application was cancelled before disbursement
		(ACTIVE, PENDING),  # the disbursement was cancelled
		(ACTIVE, CLOSED),  # nothing owed any more
		(ACTIVE, DEFAULT),  # more days past due than the settings allow, or by hand
		(ACTIVE, WRITTEN_OFF),
		(DEFAULT, CLOSED),
		(DEFAULT, WRITTEN_OFF),
		(CLOSED, ACTIVE),  # owes again: a payment or settlement reversed
		(WRITTEN_OFF, DEFAULT),  # the write-off reversed
	}
)

# Installment statuses (Loan Installment.status); Cancelled rows (restructured) are kept as history.
UNPAID, PARTIALLY_PAID, PAID = "Unpaid", "Partially Paid", "Paid"


class InvalidTransition(LendingError):
	"""A loan status change the lifecycle does not allow, e.g. Closed → Default (code ``INVALID_TRANSITION``).

	Source: the lifecycle of this module (seed 004 §4 LMS).
	"""

	code = "INVALID_TRANSITION"


def installment_status(due: Decimal, paid: Decimal) -> str:
	"""Status of one installment from what it charges and what was paid on it (Rupiah).

	``due``: principal + interest + penalty charged; ``paid``: principal + interest + penalty paid.
	Paid when nothing remains (remaining ≤ 0), Partially Paid when something was paid, else Unpaid.
	"""
	if due - paid <= ZERO:
		return PAID
	return PARTIALLY_PAID if paid > ZERO else UNPAID


def days_past_due(oldest_overdue: date | None, as_of: date) -> int:
	"""Days from ``oldest_overdue`` (the oldest due date before ``as_of`` with anything unpaid, or None) to
	``as_of``; 0 when nothing is overdue or the date is not before ``as_of``."""
	if oldest_overdue is None or oldest_overdue >= as_of:
		return 0
	return (as_of - oldest_overdue).days


def check_transition(from_status: str, to_status: str) -> None:
	"""Raise :class:`InvalidTransition` unless ``from_status → to_status`` is in :data:`TRANSITIONS`."""
	if (from_status, to_status) not in TRANSITIONS:
		raise InvalidTransition(
			"A loan that is {from_status} cannot become {to_status}.",
			from_status=from_status,
			to_status=to_status,
		)


@dataclass(frozen=True)
class LoanState:
	"""What a loan's stored figures and status become (Rupiah, days).

	``status``, ``closed_date``, ``default_date``: the lifecycle fields; ``reason``: why the status changed
	(None when it did not); the rest are the stored figures.
	"""

	outstanding_principal: Decimal
	outstanding_interest: Decimal
	outstanding_penalty: Decimal
	total_paid: Decimal
	days_past_due: int
	aging_bucket: str
	collectibility: int
	status: str
	closed_date: date | None
	default_date: date | None
	reason: str | None = None

	@property
	def outstanding(self) -> Decimal:
		"""Principal + interest + penalty still owed, Rupiah."""
		return self.outstanding_principal + self.outstanding_interest + self.outstanding_penalty


def next_state(
	status: str,
	closed_date: date | None,
	default_date: date | None,
	principal: Decimal,
	interest: Decimal,
	penalty: Decimal,
	total_paid: Decimal,
	oldest_overdue: date | None,
	as_of: date,
	default_after: int | None = None,
) -> LoanState:
	"""A loan's state after a money event or the daily run, from its installments' figures.

	``status``, ``closed_date``, ``default_date``: what the loan holds now; ``principal``, ``interest``,
	``penalty``: outstanding (Rupiah); ``total_paid``: everything paid (Rupiah); ``oldest_overdue``: oldest
	due date with anything unpaid (None if none); ``as_of``: the event's date (DPD and the closing date are
	as of it); ``default_after``: days past due beyond which an Active loan becomes Default (the daily run
	passes *Pinjaman Online Settings → Default After*; None: the event never defaults a loan).

	Rules (module docstring): Active/Default owing nothing → Closed on ``as_of``; Closed owing again →
	Active (closing date cleared); Active with DPD > ``default_after`` → Default on ``as_of`` (a default date
	already set is kept). Other statuses keep their status.
	"""
	principal, interest, penalty, total_paid = (
		to_decimal(v) for v in (principal, interest, penalty, total_paid)
	)
	dpd = days_past_due(oldest_overdue, as_of)
	owed = principal + interest + penalty
	new_status, reason = status, None
	if status in LIVE and owed == ZERO:
		new_status, closed_date, reason = CLOSED, as_of, "paid off"
	elif status == CLOSED and owed > ZERO:
		new_status, closed_date, reason = ACTIVE, None, "owes again"
	elif status == ACTIVE and default_after is not None and dpd > default_after:
		new_status, reason = DEFAULT, f"DPD {dpd} > {default_after}"
		default_date = default_date or as_of
	return LoanState(
		principal,
		interest,
		penalty,
		total_paid,
		dpd,
		dpd_bucket(dpd),
		collectibility(dpd),
		new_status,
		closed_date,
		default_date,
		reason,
	)


def needs_refresh(
	status: str,
	stored_dpd: int | None,
	stored_bucket: str | None,
	stored_collectibility: int | None,
	stored_outstanding: Decimal,
	oldest_overdue: date | None,
	as_of: date,
	default_after: int | None = None,
) -> bool:
	"""Whether the daily run must recompute a live (Active or Default) loan that had no money event since its
	figures were written.

	Every money event writes the loan's figures from its installments, so without one (and without a
	penalty accrued by the run itself, which the caller checks) only the passage of time changes a loan:
	its days past due (from ``oldest_overdue``, the oldest due date before ``as_of`` with anything unpaid),
	hence its bucket and collectibility, and the default rule (:func:`next_state`). ``stored_*``: what the
	loan holds (Rupiah for the outstanding; None when never written). True also for a live loan holding
	nothing owed (it closes) and for figures never written.
	"""
	dpd = days_past_due(oldest_overdue, as_of)
	if stored_dpd is None or stored_bucket is None or not stored_collectibility:
		return True
	if dpd != stored_dpd or stored_bucket != dpd_bucket(dpd) or stored_collectibility != collectibility(dpd):
		return True
	if status in LIVE and stored_outstanding == ZERO:
		return True
	return status == ACTIVE and default_after is not None and dpd > default_after
