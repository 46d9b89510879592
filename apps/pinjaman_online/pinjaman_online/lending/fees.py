"""Loan fees (biaya provisi, administrasi, asuransi, materai, ...) of a loan product.

A fee is either a fixed amount in Rupiah or a percentage of the principal (rounded half up to whole
Rupiah, see :mod:`~pinjaman_online.lending.money`). By default a fee is deducted from the disbursement
(potong pencairan); a fee with ``deduct_from_disbursement=False`` is payable separately.
Source: seed 004 §5 Loan Product & Pricing (product fees).
"""

from dataclasses import dataclass
from decimal import Decimal

from .choices import Choice
from .errors import InvalidTerms
from .money import HUNDRED, ZERO, percent_of, to_decimal


class FeeBasis(Choice):
	"""How a fee value is read: ``AMOUNT`` ("Amount") Rupiah, or ``PERCENT`` ("Percent") of principal."""

	AMOUNT = "Amount"
	PERCENT = "Percent"

	@classmethod
	def label(cls) -> str:
		return "fee basis"


@dataclass(frozen=True)
class FeeRule:
	"""One fee of a loan product (seed 004 §5 Loan Product & Pricing).

	* ``fee_type``: label, e.g. ``"Provisi"`` or ``"Administrasi"`` (non-empty);
	* ``basis``: :class:`FeeBasis` or its string value, normalised to the enum;
	* ``value``: Rupiah for ``AMOUNT`` (>= 0), percent of principal for ``PERCENT`` (0..100);
	* ``deduct_from_disbursement``: True if the fee is withheld from the amount paid out.

	Raises :class:`~pinjaman_online.lending.errors.InvalidTerms` for an empty type, unknown basis or a value
	out of range; ``TypeError`` for a float value.
	"""

	fee_type: str
	basis: FeeBasis | str
	value: Decimal
	deduct_from_disbursement: bool = True

	def __post_init__(self) -> None:
		if not isinstance(self.fee_type, str) or not self.fee_type.strip():
			raise InvalidTerms("Fee type must be a non-empty text.")
		basis = FeeBasis.parse(self.basis)
		try:
			value = to_decimal(self.value)
		except ValueError as exc:
			raise InvalidTerms(f"Fee {self.fee_type!r} value is not a valid number: {exc}") from None
		if value < ZERO:
			raise InvalidTerms(f"Fee {self.fee_type!r} must not be negative, got {value}.")
		if basis is FeeBasis.PERCENT and value > HUNDRED:
			raise InvalidTerms(f"Fee {self.fee_type!r} must be at most 100% of the principal, got {value}%.")
		object.__setattr__(self, "basis", basis)
		object.__setattr__(self, "value", value)
		object.__setattr__(self, "deduct_from_disbursement", bool(self.deduct_from_disbursement))


def compute_fee(rule: FeeRule, principal: Decimal) -> Decimal:
	"""Return the fee in Rupiah for a loan of ``principal`` Rupiah.

	``PERCENT``: ``value`` percent of the principal rounded half up to whole Rupiah (``percent_of``);
	``AMOUNT``: ``value`` as is. Raises ``TypeError`` for a float principal.
	Source: seed 004 §5 Loan Product & Pricing.
	"""
	principal = to_decimal(principal)
	if rule.basis is FeeBasis.PERCENT:
		return percent_of(principal, rule.value)
	return rule.value
