"""Borrower bills, payment-request amounts and payment-gateway webhook signatures (seed 002 §8.2
``GET /api/v1/billing``; seed 001 "Pembayaran/Pelunasan": Mobile → Payment Service → Payment Gateway).

Pure Python (no Frappe). Amounts are whole-Rupiah :class:`~decimal.Decimal`.

Bill of a loan, as of a date (the classification shown to the borrower):

* ``Overdue``: unpaid installments whose due date is strictly before the date (same rule as
  :mod:`.allocation`: an installment due today is not late);
* ``Due``: the first unpaid installment that is not overdue — the current bill;
* ``Upcoming``: every later unpaid installment.

``amount_due`` (what the borrower pays now to be up to date through the current bill) is the overdue total
plus the current bill; it is the default amount of a payment request. The largest amount a request may ask
is everything outstanding on the loan (a payment never exceeds what is owed; early settlement with its own
quote is a separate, staff-side operation).
"""

import hashlib
import hmac
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from .allocation import InstallmentDue
from .errors import InvalidPayment
from .money import ZERO, to_decimal

OVERDUE = "Overdue"
DUE = "Due"
UPCOMING = "Upcoming"


@dataclass(frozen=True)
class BillLine:
	"""One unpaid installment on a bill: ``status`` Overdue/Due/Upcoming, amounts still unpaid (Rupiah)."""

	number: int
	due_date: date
	status: str
	principal: Decimal
	interest: Decimal
	penalty: Decimal

	@property
	def total(self) -> Decimal:
		"""Principal + interest + penalty still unpaid, Rupiah."""
		return self.principal + self.interest + self.penalty


@dataclass(frozen=True)
class Bill:
	"""A loan's bill as of ``as_of``: its unpaid ``lines`` (oldest first) and the totals (Rupiah)."""

	as_of: date
	lines: tuple[BillLine, ...]

	def _sum(self, status: str | None = None) -> Decimal:
		return sum((ln.total for ln in self.lines if status is None or ln.status == status), ZERO)

	@property
	def overdue_amount(self) -> Decimal:
		"""Everything unpaid on overdue installments."""
		return self._sum(OVERDUE)

	@property
	def current_amount(self) -> Decimal:
		"""What is unpaid on the current (Due) installment."""
		return self._sum(DUE)

	@property
	def amount_due(self) -> Decimal:
		"""Overdue + current bill: the default amount of a payment request."""
		return self.overdue_amount + self.current_amount

	@property
	def outstanding(self) -> Decimal:
		"""Everything unpaid on the loan: the largest amount a payment request may ask."""
		return self._sum()

	@property
	def next_due_date(self) -> date | None:
		"""Due date of the current bill (None when nothing is left but overdue installments, or nothing)."""
		return next((ln.due_date for ln in self.lines if ln.status == DUE), None)

	@property
	def days_past_due(self) -> int:
		"""Days since the oldest overdue installment fell due (0 when none)."""
		oldest = next((ln.due_date for ln in self.lines if ln.status == OVERDUE), None)
		return (self.as_of - oldest).days if oldest else 0


def bill_of(dues: list[InstallmentDue], as_of: date) -> Bill:
	"""The bill of a loan from its installments' unpaid amounts (any order; paid ones are left out)."""
	lines, current_taken = [], False
	for d in sorted(dues, key=lambda d: (d.due_date, d.number)):
		if d.total_due <= ZERO:
			continue
		if d.due_date < as_of:
			status = OVERDUE
		elif not current_taken:
			status, current_taken = DUE, True
		else:
			status = UPCOMING
		lines.append(BillLine(d.number, d.due_date, status, d.principal_due, d.interest_due, d.penalty_due))
	return Bill(as_of, tuple(lines))


def request_amount(requested: Decimal | int | str | None, bill: Bill) -> Decimal:
	"""The amount of a payment request: ``requested`` (whole Rupiah) or, when None, the bill's
	``amount_due`` (or, with nothing due, the next upcoming installment). Raises :class:`InvalidPayment`
	when the loan owes nothing, the amount is not a positive whole number of Rupiah, or it exceeds the
	outstanding."""
	if bill.outstanding <= ZERO:
		raise InvalidPayment("Nothing is owed on this loan.")
	if requested is None or requested == "":
		amount = bill.amount_due or next((ln.total for ln in bill.lines), ZERO)
	else:
		try:
			amount = to_decimal(requested)
		except (TypeError, ValueError):
			raise InvalidPayment(f"Amount is not a number: {requested!r}.") from None
	if amount <= ZERO:
		raise InvalidPayment("The amount must be above zero.")
	if amount != amount.to_integral_value():
		raise InvalidPayment("The amount must be whole Rupiah.")
	if amount > bill.outstanding:
		raise InvalidPayment(f"The amount exceeds the outstanding Rp {bill.outstanding:,.0f}.")
	return amount.quantize(Decimal(1))


def split_received(paid: Decimal, outstanding: Decimal) -> tuple[Decimal, Decimal]:
	"""What to post of a received payment and what is left over for refund: ``(posted, excess)``.

	The loan never receives more than it owes: ``posted = min(paid, outstanding)`` (never negative) and
	``excess = paid - posted``."""
	if paid < ZERO:
		raise InvalidPayment("A received amount cannot be negative.")
	posted = min(paid, max(outstanding, ZERO))
	return posted, paid - posted


def webhook_signature(secret: str, body: bytes) -> str:
	"""Hex HMAC-SHA256 of the raw request ``body`` with ``secret`` (UTF-8): what the gateway sends in the
	``X-Signature`` header of a webhook."""
	return hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def signature_valid(secret: str, body: bytes, signature: str | None) -> bool:
	"""True when ``signature`` (hex, optionally prefixed ``sha256=``, any case) is the HMAC-SHA256 of
	``body``; compared in constant time. An empty secret or signature is never valid."""
	if not secret or not signature:
		return False
	given = signature.strip()
	if given.lower().startswith("sha256="):
		given = given[len("sha256=") :]
	return hmac.compare_digest(webhook_signature(secret, body).encode(), given.lower().encode())
