"""Funder settlement: splitting what the cooperative collected between funders and the cooperative.

Seed 004 §6 Funder & Fronting ("Satu pinjaman bisa dibiayai funder penuh/parsial", "Settlement periodik",
"Sharing margin dihitung berdasarkan konfigurasi fee_originator & fee_servicing"), "Kerja Sama dengan Bank"
(bank gets interest and principal, cooperative gets originator fee + servicing fee) and "Skema Kerja Sama
Koperasi – Bank" §6 (monthly settlement: the bank gets principal and interest by its portion, the cooperative
its originator and servicing fees).

All amounts are Rupiah (``Decimal``); percentages are percent (``60`` means 60 %).

The documented rules, applied per loan to what was collected on it in a period (the Loan Payments posted,
split into principal, interest and penalty by the payment allocation):

1. **Participants.** Each funder allocation live on the payment date holds ``share_pct`` of the loan
   (full = 100, assignment = 100, participation = its share); the cooperative holds the rest,
   ``100 - sum(shares)``. Shares of one loan never exceed 100 in total.
2. **Principal and interest split by share, largest remainder.** Each component is split among the
   participants in proportion to their shares, in whole Rupiah: every participant first gets the whole-Rupiah
   floor of its exact quota; the Rupiah left over (fewer than the number of participants) go one each to the
   largest fractional remainders, ties to the earlier participant (funders in the order given, the cooperative
   last). Fractions of a Rupiah (sen) in a collected amount stay with the cooperative. The parts therefore add
   up exactly to the collected amount, and none is more than one Rupiah away from its exact quota.
3. **Interest share.** The interest credited to a funder is its interest part times the contract's
   ``interest_share_pct``, rounded half up to whole Rupiah; the rest of its interest part (the interest
   spread, zero when the share is 100 %) is the cooperative's.
4. **Fees on the margin.** The originator fee and the servicing fee are percentages of the interest credited
   to the funder (the margin being shared). Both fees together are ``credited × (originator % + servicing %)``
   rounded half up; the originator fee alone is ``credited × originator %`` rounded half up; the servicing fee
   is the difference. So the two fees add up exactly to their rounded total and never exceed the interest.
5. **Penalties** (denda) are collection work: they stay with the cooperative as servicer.
6. **Paid to the funder** = its principal part + credited interest - fees. Everything else is the
   cooperative's: its own principal and interest parts, penalties, interest spread and fees.

Invariant (tested for any shares and percentages): what is paid to the funders plus what the cooperative keeps
equals what was collected, to the Rupiah (to the sen, when payments carry sen).
"""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_FLOOR, ROUND_HALF_UP, Decimal, localcontext
from fractions import Fraction

from .errors import LendingError
from .money import HUNDRED, PRECISION, ZERO, percent_of, to_decimal

SHARE_QUANTUM = Decimal("0.0001")
"""Shares of a loan are kept to four decimals of a percent (one Rupiah in 10 billion)."""


class InvalidSettlement(LendingError):
	"""Shares, percentages or collected amounts that cannot be settled (code ``INVALID_SETTLEMENT``).

	Source: seed 004 §6 Funder & Fronting.
	"""

	code = "INVALID_SETTLEMENT"


def _amount(name: str, value, *, upper: Decimal | None = None) -> Decimal:
	try:
		amount = to_decimal(value)
	except ValueError as exc:
		raise InvalidSettlement(f"{name} is not a valid number: {exc}") from None
	if amount < ZERO:
		raise InvalidSettlement(f"{name} must not be negative, got {amount}.")
	if upper is not None and amount > upper:
		raise InvalidSettlement(f"{name} must be at most {upper}, got {amount}.")
	return amount


def share_pct_of(amount: Decimal, principal: Decimal) -> Decimal:
	"""The share (percent, four decimals, half up) that funding ``amount`` Rupiah of ``principal`` is.

	``share_pct_of(10_000_000, 36_000_000) == Decimal("27.7778")``. Raises :class:`InvalidSettlement` for a
	principal <= 0 or an amount outside ``0 < amount <= principal``. Source: seed 004 §6 (partial funding).
	"""
	amount, principal = _amount("Share amount", amount), _amount("Loan principal", principal)
	if principal == ZERO:
		raise InvalidSettlement("The loan has no principal to take a share of.")
	if not ZERO < amount <= principal:
		raise InvalidSettlement(f"Share amount must be above zero and at most the principal {principal}.")
	with localcontext() as ctx:
		ctx.prec = PRECISION
		return (amount * HUNDRED / principal).quantize(SHARE_QUANTUM, rounding=ROUND_HALF_UP)


def distribute(total: Decimal, weights: Sequence[Decimal]) -> tuple[Decimal, ...]:
	"""Split ``total`` Rupiah in proportion to ``weights``, in whole Rupiah, by the largest-remainder method.

	Rule (module docstring, rule 2): each part is first the floor of its exact quota
	``floor(total) × weight / sum(weights)`` (exact rational arithmetic); the Rupiah left over go one each to
	the largest fractional remainders, ties to the earlier weight; the sen of ``total`` (its fraction of a
	Rupiah) go to the last part. ``sum(parts) == total`` exactly; each part is >= 0 and less than one Rupiah
	(plus the sen, for the last) away from its exact quota. A zero ``total`` gives zeros.

	Raises :class:`InvalidSettlement` for a negative total or weight, or weights that sum to zero while the
	total is not zero. Source: largest-remainder (Hamilton) apportionment; seed 004 §6 (sharing by portion).
	"""
	total = _amount("Amount to split", total)
	weights = [_amount("Share", w) for w in weights]
	if not weights:
		raise InvalidSettlement("Nothing to split between: no shares given.")
	weight_sum = sum(weights, ZERO)
	if total == ZERO:
		return tuple(ZERO for _ in weights)
	if weight_sum == ZERO:
		raise InvalidSettlement("Shares add up to zero: the amount cannot be split.")
	whole = total.to_integral_value(rounding=ROUND_FLOOR)
	sen = total - whole
	quotas = [Fraction(whole) * Fraction(w) / Fraction(weight_sum) for w in weights]
	parts = [q.numerator // q.denominator for q in quotas]
	left = int(whole) - sum(parts)
	by_remainder = sorted(range(len(weights)), key=lambda i: (-(quotas[i] - parts[i]), i))
	for i in by_remainder[:left]:
		parts[i] += 1
	result = [Decimal(p) for p in parts]
	result[-1] += sen
	return tuple(result)


@dataclass(frozen=True)
class Collection:
	"""What was collected on one loan (in a period), by component, in Rupiah (seed 004 §4 allocation).

	``principal``, ``interest``, ``penalty``: each >= 0. Raises :class:`InvalidSettlement` otherwise.
	"""

	principal: Decimal
	interest: Decimal
	penalty: Decimal = ZERO

	def __post_init__(self) -> None:
		for name in ("principal", "interest", "penalty"):
			object.__setattr__(self, name, _amount(f"Collected {name}", getattr(self, name)))

	@property
	def total(self) -> Decimal:
		"""Principal + interest + penalty collected, Rupiah."""
		return self.principal + self.interest + self.penalty

	def __add__(self, other: "Collection") -> "Collection":
		return Collection(
			self.principal + other.principal, self.interest + other.interest, self.penalty + other.penalty
		)


@dataclass(frozen=True)
class FunderShare:
	"""One funder's participation in a loan and the terms of its contract (seed 004 §6).

	* ``key``: identifies the participation (the Funder Allocation), unique within a loan;
	* ``share_pct``: percent of the loan it funds, 0 < share <= 100;
	* ``interest_share_pct``: percent of the interest on its share credited to it (default 100);
	* ``originator_fee_pct``, ``servicing_fee_pct``: the cooperative's fees, percent of the credited interest;
	  together at most 100.

	Raises :class:`InvalidSettlement` for values out of range.
	"""

	key: str
	share_pct: Decimal
	interest_share_pct: Decimal = HUNDRED
	originator_fee_pct: Decimal = ZERO
	servicing_fee_pct: Decimal = ZERO

	def __post_init__(self) -> None:
		share = _amount("Funder share", self.share_pct, upper=HUNDRED)
		if share == ZERO:
			raise InvalidSettlement(f"Funder share of {self.key} must be above zero.")
		object.__setattr__(self, "share_pct", share)
		for name in ("interest_share_pct", "originator_fee_pct", "servicing_fee_pct"):
			object.__setattr__(self, name, _amount(name, getattr(self, name), upper=HUNDRED))
		if self.originator_fee_pct + self.servicing_fee_pct > HUNDRED:
			raise InvalidSettlement(
				f"Originator and servicing fees of {self.key} add up to more than 100% of the interest."
			)


@dataclass(frozen=True)
class FunderPart:
	"""A funder's part of a collection (seed 004 §6), Rupiah.

	``principal``: its principal part; ``interest_part``: the interest attributable to its share;
	``interest``: the part of that credited to it (rule 3); ``originator_fee``, ``servicing_fee``: the
	cooperative's fees on the credited interest (rule 4).
	"""

	key: str
	share_pct: Decimal
	principal: Decimal = ZERO
	interest_part: Decimal = ZERO
	interest: Decimal = ZERO
	originator_fee: Decimal = ZERO
	servicing_fee: Decimal = ZERO

	@property
	def interest_spread(self) -> Decimal:
		"""Interest on the funder's share kept by the cooperative (interest share below 100 %)."""
		return self.interest_part - self.interest

	@property
	def fees(self) -> Decimal:
		"""Originator + servicing fee, Rupiah."""
		return self.originator_fee + self.servicing_fee

	@property
	def net_interest(self) -> Decimal:
		"""Credited interest after the cooperative's fees."""
		return self.interest - self.fees

	@property
	def net(self) -> Decimal:
		"""Paid to the funder: principal part + credited interest - fees."""
		return self.principal + self.net_interest

	@property
	def cooperative(self) -> Decimal:
		"""What the cooperative keeps out of this funder's part: interest spread + fees."""
		return self.interest_spread + self.fees

	def __add__(self, other: "FunderPart") -> "FunderPart":
		if other.key != self.key:
			raise InvalidSettlement(f"Cannot add the parts of {self.key} and {other.key}.")
		return FunderPart(
			self.key,
			self.share_pct,
			self.principal + other.principal,
			self.interest_part + other.interest_part,
			self.interest + other.interest,
			self.originator_fee + other.originator_fee,
			self.servicing_fee + other.servicing_fee,
		)


@dataclass(frozen=True)
class LoanSplit:
	"""A collection split between funders and the cooperative (rules 1-6), Rupiah.

	``funders``: one part per funder share, in the order given; ``cooperative_principal`` and
	``cooperative_interest``: the cooperative's own parts (its unfunded share). Penalties are the cooperative's.
	Invariant: ``funders_net + cooperative_total == collection.total``.
	"""

	collection: Collection
	funders: tuple[FunderPart, ...]
	cooperative_principal: Decimal
	cooperative_interest: Decimal

	@property
	def funders_net(self) -> Decimal:
		"""Paid to all funders together."""
		return sum((part.net for part in self.funders), ZERO)

	@property
	def cooperative_total(self) -> Decimal:
		"""Kept by the cooperative: own principal and interest, penalties, interest spreads and fees."""
		return (
			self.cooperative_principal
			+ self.cooperative_interest
			+ self.collection.penalty
			+ sum((part.cooperative for part in self.funders), ZERO)
		)

	def part(self, key: str) -> FunderPart:
		"""The part of the funder share ``key``; KeyError when it does not take part."""
		for part in self.funders:
			if part.key == key:
				return part
		raise KeyError(key)


def fees_on(credited: Decimal, originator_pct: Decimal, servicing_pct: Decimal) -> tuple[Decimal, Decimal]:
	"""(originator fee, servicing fee) on ``credited`` interest, Rupiah (module docstring, rule 4).

	Together ``percent_of(credited, originator + servicing)``; the originator fee ``percent_of(credited,
	originator)``; the servicing fee the difference. Source: seed 004 §6 (fee_originator, fee_servicing).
	"""
	both = percent_of(credited, originator_pct + servicing_pct)
	originator = percent_of(credited, originator_pct)
	return originator, both - originator


def split_collection(collection: Collection, shares: Sequence[FunderShare]) -> LoanSplit:
	"""Split what was collected on one loan between its funders and the cooperative (rules 1-6).

	``shares``: the funder participations live when the money was collected (possibly none: then everything
	is the cooperative's). Raises :class:`InvalidSettlement` when the shares add up to more than 100 % or a key
	repeats. Source: seed 004 §6 and "Skema Kerja Sama Koperasi – Bank" §6.
	"""
	shares = tuple(shares)
	keys = [s.key for s in shares]
	if len(keys) != len(set(keys)):
		raise InvalidSettlement(f"A funder share appears more than once: {keys}.")
	funded = sum((s.share_pct for s in shares), ZERO)
	if funded > HUNDRED:
		raise InvalidSettlement(f"Funder shares of one loan add up to {funded}%, more than 100%.")
	weights = [s.share_pct for s in shares] + [HUNDRED - funded]
	principal_parts = distribute(collection.principal, weights)
	interest_parts = distribute(collection.interest, weights)
	parts = []
	for share, principal, interest_part in zip(shares, principal_parts, interest_parts, strict=False):
		credited = percent_of(interest_part, share.interest_share_pct)
		originator, servicing = fees_on(credited, share.originator_fee_pct, share.servicing_fee_pct)
		parts.append(
			FunderPart(share.key, share.share_pct, principal, interest_part, credited, originator, servicing)
		)
	return LoanSplit(collection, tuple(parts), principal_parts[-1], interest_parts[-1])


# Settling one funder over a period -----------------------------------------------------------------------


@dataclass(frozen=True)
class Receipt:
	"""Money collected on a loan on a date (one Loan Payment), by component, Rupiah (seed 004 §4)."""

	loan: str
	posting_date: date
	principal: Decimal
	interest: Decimal
	penalty: Decimal = ZERO

	@property
	def collection(self) -> Collection:
		return Collection(self.principal, self.interest, self.penalty)


@dataclass(frozen=True)
class Participation:
	"""A funder allocation of a loan with its contract terms (seed 004 §6 funder_allocations).

	Live for payments posted on ``effective_from`` and after, until the day before ``end_date`` (``None``: not
	ended). ``terms.key`` identifies the allocation.
	"""

	loan: str
	funder: str
	effective_from: date
	terms: FunderShare
	end_date: date | None = None

	@property
	def key(self) -> str:
		return self.terms.key

	def live_on(self, day: date) -> bool:
		"""Whether a payment posted on ``day`` is shared with this allocation."""
		return self.effective_from <= day and (self.end_date is None or day < self.end_date)


@dataclass(frozen=True)
class SettlementLine:
	"""One loan (and allocation) on a funder's settlement, Rupiah (seed 004 §6 funder_settlements).

	``collection``: collected on the loan while the allocation was live; ``part``: the funder's part of it;
	``other_funders``: paid to the loan's other funders; ``cooperative``: kept by the cooperative.
	``part.net + other_funders + cooperative == collection.total``.
	"""

	loan: str
	allocation: str
	collection: Collection
	part: FunderPart
	other_funders: Decimal
	cooperative: Decimal


@dataclass(frozen=True)
class SettlementTotals:
	"""Sums over a settlement's lines, Rupiah; ``reconciles`` checks them against the collections."""

	collected_principal: Decimal = ZERO
	collected_interest: Decimal = ZERO
	collected_penalty: Decimal = ZERO
	principal: Decimal = ZERO
	interest: Decimal = ZERO
	interest_spread: Decimal = ZERO
	originator_fee: Decimal = ZERO
	servicing_fee: Decimal = ZERO
	net: Decimal = ZERO
	other_funders: Decimal = ZERO
	cooperative: Decimal = ZERO
	lines: int = field(default=0)

	@property
	def collected(self) -> Decimal:
		return self.collected_principal + self.collected_interest + self.collected_penalty

	@property
	def fees(self) -> Decimal:
		return self.originator_fee + self.servicing_fee

	@property
	def reconciles(self) -> bool:
		"""Paid to this funder + paid to other funders + kept by the cooperative == collected, exactly."""
		return self.net + self.other_funders + self.cooperative == self.collected

	@classmethod
	def of(cls, lines: Iterable[SettlementLine]) -> "SettlementTotals":
		t = cls()
		for line in lines:
			t = cls(
				t.collected_principal + line.collection.principal,
				t.collected_interest + line.collection.interest,
				t.collected_penalty + line.collection.penalty,
				t.principal + line.part.principal,
				t.interest + line.part.interest,
				t.interest_spread + line.part.interest_spread,
				t.originator_fee + line.part.originator_fee,
				t.servicing_fee + line.part.servicing_fee,
				t.net + line.part.net,
				t.other_funders + line.other_funders,
				t.cooperative + line.cooperative,
				t.lines + 1,
			)
		return t


def _participation_order(p: Participation):
	return (p.effective_from, p.key)


def split_loan(
	loan: str, receipts: Iterable[Receipt], participations: Iterable[Participation]
) -> list[tuple[tuple[Participation, ...], LoanSplit]]:
	"""Split a loan's receipts: one split per set of allocations live on the receipts' dates.

	Receipts posted while the same allocations were live are added up first and split once (rules 1-6), so
	every funder's settlement of the loan is computed from the same splits. Returns ``(live allocations,
	split)`` pairs in date order of their first receipt. Raises :class:`InvalidSettlement` when the live
	shares exceed 100 %. Source: seed 004 §6.
	"""
	live_parts = sorted((p for p in participations if p.loan == loan), key=_participation_order)
	groups: dict[tuple[str, ...], tuple[tuple[Participation, ...], Collection]] = {}
	for receipt in sorted((r for r in receipts if r.loan == loan), key=lambda r: r.posting_date):
		live = tuple(p for p in live_parts if p.live_on(receipt.posting_date))
		key = tuple(p.key for p in live)
		previous = groups.get(key, (live, Collection(ZERO, ZERO, ZERO)))[1]
		groups[key] = (live, previous + receipt.collection)
	return [
		(live, split_collection(collection, [p.terms for p in live])) for live, collection in groups.values()
	]


def settle_funder(
	funder: str, receipts: Iterable[Receipt], participations: Iterable[Participation]
) -> tuple[SettlementLine, ...]:
	"""The lines of ``funder``'s settlement: per loan and allocation, its part of what was collected.

	``receipts``: the payments of the period on the loans concerned; ``participations``: every allocation of
	those loans (all funders: the split of a shared loan depends on every share). Loans are taken in name order;
	receipts collected while none of the funder's allocations was live are not on its settlement.
	Source: seed 004 §6 ("Akhir bulan → generate settlement") and this module's rules.
	"""
	receipts = tuple(receipts)
	participations = tuple(participations)
	loans = sorted({p.loan for p in participations if p.funder == funder})
	lines: dict[tuple[str, str], SettlementLine] = {}
	for loan in loans:
		for live, split in split_loan(loan, receipts, participations):
			for participation in live:
				if participation.funder != funder:
					continue
				part = split.part(participation.key)
				other = split.funders_net - part.net
				key = (loan, participation.key)
				if key in lines:
					old = lines[key]
					lines[key] = SettlementLine(
						loan,
						participation.key,
						old.collection + split.collection,
						old.part + part,
						old.other_funders + other,
						old.cooperative + split.cooperative_total,
					)
				else:
					lines[key] = SettlementLine(
						loan, participation.key, split.collection, part, other, split.cooperative_total
					)
	return tuple(lines.values())
