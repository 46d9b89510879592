"""Repayment allocation and arrears (seed 004 §4 Repayment & Collection).

Documented allocation order for a repayment (the default strategy, :data:`PENALTY_INTEREST_PRINCIPAL`):

1. installments oldest first: by ``due_date``, ties broken by installment ``number``;
2. within one installment: penalty (denda) -> interest (bunga) -> principal (pokok);
3. an installment is fully settled before the next one receives anything; installments with nothing
   due are skipped;
4. whatever exceeds everything due is returned as ``unallocated``; the caller decides whether to refuse
   the payment or refund / park the excess. Nothing is ever allocated beyond what is due.

The order is a product setting (Loan Product ``allocation_order``), one of :data:`STRATEGIES`, modelled on
Apache Fineract's loan transaction processing strategies (``LoanRepaymentScheduleTransactionProcessor``;
installments here carry no fees of their own, so Fineract's fee step is empty):

* :data:`PENALTY_INTEREST_PRINCIPAL` — Fineract ``mifos-standard-strategy`` ("Penalties, Fees, Interest,
  Principal order"): the rules above;
* :data:`INTEREST_PRINCIPAL_PENALTY` — ``interest-principal-penalties-fees-order-strategy``: oldest
  installment first, within it interest -> principal -> penalty;
* :data:`PRINCIPAL_INTEREST_PENALTY` — ``principal-interest-penalties-fees-order-strategy``: oldest
  installment first, within it principal -> interest -> penalty;
* :data:`OVERDUE_CHARGES_FIRST` — ``rbi-india-strategy`` ("Overdue/Due Fee/Int, Principal"): first the
  penalty and interest of every installment due on or before the payment date (oldest first), then their
  principal (oldest first), then later installments as in the default order.

"Overdue" means the due date is strictly before the reference date: an installment due today can still
be paid today without being late, so it is neither overdue nor counted in days past due.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from .errors import InvalidPayment
from .money import ZERO, to_decimal

PENALTY_INTEREST_PRINCIPAL = "Penalty, Interest, Principal (oldest first)"
INTEREST_PRINCIPAL_PENALTY = "Interest, Principal, Penalty (oldest first)"
PRINCIPAL_INTEREST_PENALTY = "Principal, Interest, Penalty (oldest first)"
OVERDUE_CHARGES_FIRST = "Overdue penalty and interest first, then principal"
DEFAULT_STRATEGY = PENALTY_INTEREST_PRINCIPAL

STRATEGIES: dict[str, tuple[str, ...]] = {
	PENALTY_INTEREST_PRINCIPAL: ("penalty", "interest", "principal"),
	INTEREST_PRINCIPAL_PENALTY: ("interest", "principal", "penalty"),
	PRINCIPAL_INTEREST_PENALTY: ("principal", "interest", "penalty"),
	OVERDUE_CHARGES_FIRST: ("penalty", "interest", "principal"),
}
"""Allocation strategy (the Loan Product's ``allocation_order`` option text) -> component order within an
installment. Source: Apache Fineract loan transaction processing strategies (module docstring)."""


def _amount(name: str, value: object) -> Decimal:
	try:
		amount = to_decimal(value)  # type: ignore[arg-type]
	except ValueError as exc:
		raise InvalidPayment(f"{name} is not a valid number: {exc}") from None
	return amount


@dataclass(frozen=True)
class InstallmentDue:
	"""What is still unpaid on one installment, in Rupiah (seed 004 §4).

	``number``: installment number (unique within a loan); ``due_date``: its due date;
	``principal_due``, ``interest_due``, ``penalty_due``: unpaid amounts, each >= 0.
	Amounts accept ``int``/``str``/``Decimal`` (``TypeError`` for float); raises
	:class:`~pinjaman_online.lending.errors.InvalidPayment` for a negative amount.
	"""

	number: int
	due_date: date
	principal_due: Decimal
	interest_due: Decimal
	penalty_due: Decimal = ZERO

	def __post_init__(self) -> None:
		for name in ("principal_due", "interest_due", "penalty_due"):
			value = _amount(name, getattr(self, name))
			if value < ZERO:
				raise InvalidPayment(f"Installment {self.number}: {name} must not be negative, got {value}.")
			object.__setattr__(self, name, value)

	@property
	def total_due(self) -> Decimal:
		"""Penalty + interest + principal still unpaid, Rupiah."""
		return self.penalty_due + self.interest_due + self.principal_due


@dataclass(frozen=True)
class AllocationLine:
	"""The part of a payment applied to one installment, per component, in Rupiah (seed 004 §4)."""

	number: int
	penalty: Decimal
	interest: Decimal
	principal: Decimal

	@property
	def total(self) -> Decimal:
		"""Penalty + interest + principal applied to this installment, Rupiah."""
		return self.penalty + self.interest + self.principal


@dataclass(frozen=True)
class Allocation:
	"""Result of :func:`allocate_payment`: lines in allocation order plus the unallocated excess (Rupiah).

	Invariant: ``sum(line.total for line in lines) + unallocated == amount paid``. Source: seed 004 §4.
	"""

	lines: tuple[AllocationLine, ...]
	unallocated: Decimal

	@property
	def total_penalty(self) -> Decimal:
		"""Rupiah applied to penalties."""
		return sum((line.penalty for line in self.lines), ZERO)

	@property
	def total_interest(self) -> Decimal:
		"""Rupiah applied to interest."""
		return sum((line.interest for line in self.lines), ZERO)

	@property
	def total_principal(self) -> Decimal:
		"""Rupiah applied to principal."""
		return sum((line.principal for line in self.lines), ZERO)

	@property
	def total_allocated(self) -> Decimal:
		"""Rupiah applied to installments (everything except ``unallocated``)."""
		return sum((line.total for line in self.lines), ZERO)


def _sorted_dues(dues: Iterable[InstallmentDue]) -> list[InstallmentDue]:
	items = list(dues)
	seen: set[int] = set()
	for due in items:
		if not isinstance(due, InstallmentDue):
			raise InvalidPayment(f"Dues must be InstallmentDue objects, got {type(due).__name__}.")
		if due.number in seen:
			raise InvalidPayment(f"Installment number {due.number} appears more than once in the dues.")
		seen.add(due.number)
	return sorted(items, key=lambda due: (due.due_date, due.number))


def allocate_payment(
	amount: Decimal,
	dues: list[InstallmentDue],
	strategy: str | None = None,
	as_of: date | None = None,
) -> Allocation:
	"""Allocate a repayment of ``amount`` Rupiah over the unpaid ``dues`` in the order of ``strategy``.

	``strategy``: one of :data:`STRATEGIES` (``None`` or empty: :data:`DEFAULT_STRATEGY`, the documented
	order: oldest installment first (``due_date``, then ``number``); within each, penalty -> interest ->
	principal). ``as_of``: the payment date, used by :data:`OVERDUE_CHARGES_FIRST` only (installments due on
	or before it are "due"; without it every installment counts as due). Rows with nothing due are skipped;
	the excess over everything due is ``unallocated``. Lines exist only for installments that received
	something, in installment order. ``sum(lines) + unallocated == amount`` exactly.

	Raises :class:`~pinjaman_online.lending.errors.InvalidPayment` if ``amount`` <= 0 or not a number, the
	dues repeat an installment number, or ``strategy`` is unknown; ``TypeError`` for a float amount.
	Source: seed 004 §4 Repayment & Collection (allocation order); Apache Fineract's strategies.
	"""
	amount = _amount("Payment amount", amount)
	if amount <= ZERO:
		raise InvalidPayment(f"Payment amount must be greater than zero, got {amount}.")
	strategy = strategy or DEFAULT_STRATEGY
	if strategy not in STRATEGIES:
		raise InvalidPayment(f"Unknown allocation order {strategy!r}.")
	order = STRATEGIES[strategy]
	dues = [due for due in _sorted_dues(dues) if due.total_due > ZERO]
	paid = {due.number: dict.fromkeys(("penalty", "interest", "principal"), ZERO) for due in dues}
	remaining = amount

	def take(due: InstallmentDue, components: tuple[str, ...]) -> None:
		nonlocal remaining
		for component in components:
			if remaining <= ZERO:
				return
			part = min(remaining, getattr(due, f"{component}_due") - paid[due.number][component])
			paid[due.number][component] += part
			remaining -= part

	if strategy == OVERDUE_CHARGES_FIRST:
		current = [due for due in dues if as_of is None or due.due_date <= as_of]
		for due in current:
			take(due, ("penalty", "interest"))
		for due in current:
			take(due, ("principal",))
	for due in dues:
		take(due, order)
	lines = tuple(
		AllocationLine(number=due.number, **paid[due.number])
		for due in dues
		if any(paid[due.number].values())
	)
	return Allocation(lines=lines, unallocated=remaining)


@dataclass(frozen=True)
class Outstanding:
	"""Unpaid amounts by component, in Rupiah (seed 004 §4)."""

	principal: Decimal
	interest: Decimal
	penalty: Decimal

	@property
	def total(self) -> Decimal:
		"""Principal + interest + penalty, Rupiah."""
		return self.principal + self.interest + self.penalty


def _sum_dues(dues: Iterable[InstallmentDue]) -> Outstanding:
	principal = interest = penalty = ZERO
	for due in dues:
		principal += due.principal_due
		interest += due.interest_due
		penalty += due.penalty_due
	return Outstanding(principal=principal, interest=interest, penalty=penalty)


def outstanding_of(dues: list[InstallmentDue]) -> Outstanding:
	"""Total unpaid principal, interest and penalty over all ``dues`` (due or not yet due), Rupiah.

	Source: seed 004 §4 (outstanding balance / sisa pinjaman).
	"""
	return _sum_dues(dues)


def overdue_of(dues: list[InstallmentDue], as_of: date) -> Outstanding:
	"""Unpaid amounts of the installments overdue on ``as_of``, i.e. with ``due_date < as_of``, Rupiah.

	An installment due on ``as_of`` itself is not overdue yet (module docstring).
	Source: seed 004 §4 (tunggakan / arrears).
	"""
	return _sum_dues(due for due in dues if due.due_date < as_of)


def days_past_due(dues: list[InstallmentDue], as_of: date) -> int:
	"""Days from the oldest overdue due date with anything unpaid to ``as_of`` (0 if nothing is overdue).

	Only installments with ``due_date < as_of`` and ``total_due > 0`` count, so a loan whose oldest
	unpaid installment fell due yesterday is 1 day past due. Source: seed 004 §4 (collectibility / DPD).
	"""
	overdue = [due.due_date for due in dues if due.due_date < as_of and due.total_due > ZERO]
	if not overdue:
		return 0
	return (as_of - min(overdue)).days
