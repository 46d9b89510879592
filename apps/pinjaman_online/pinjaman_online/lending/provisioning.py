"""Allowance for loan losses by collectibility (Kol 1–5) and the journal that brings it to its required level.

Rates are data (the *Allowance Rate* records on a site); :data:`DEFAULT_RATES` are the minimums of the
Indonesian rule for rural banks, which cooperatives' savings-and-loan units commonly adopt:

* POJK 33/POJK.03/2018 (Kualitas Aset Produktif dan Pembentukan Penyisihan Penghapusan Aset Produktif Bank
  Perkreditan Rakyat), Pasal 16: general allowance (PPAP umum) at least 0.5% of assets rated *Lancar*;
  special allowance (PPAP khusus) at least 3% of *Dalam Perhatian Khusus*, 10% of *Kurang Lancar*, 50% of
  *Diragukan* and 100% of *Macet*, after deducting eligible collateral. The same minimums are kept by
  POJK 1/2024 (Kualitas Aset BPR, "PPKA").
* No rate table of the cooperative ministry for savings-and-loan cooperatives was found; the BPR minimums are
  used as the default.

Pension loans hold no collateral that these rules let a lender deduct (an SK Pensiun is not an eligible
collateral), so the rate applies to the whole outstanding principal. Amounts are ``Decimal`` whole Rupiah,
rates are percentages (``Decimal("0.5")`` = 0.5%). The allowance is rounded half up to whole Rupiah once per
collectibility class (:func:`pinjaman_online.lending.money.round_rupiah`).
"""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal

from .errors import LendingError
from .money import HUNDRED, ZERO, round_rupiah, to_decimal

KOLS = (1, 2, 3, 4, 5)

KOL_NAMES = {
	1: "Lancar",
	2: "Dalam Perhatian Khusus",
	3: "Kurang Lancar",
	4: "Diragukan",
	5: "Macet",
}
"""Indonesian names of the collectibility classes (POJK 40/2019 for SLIK; POJK 33/2018 for BPR assets)."""

DEFAULT_RATES = {
	1: Decimal("0.5"),
	2: Decimal(3),
	3: Decimal(10),
	4: Decimal(50),
	5: Decimal(100),
}
"""Minimum allowance in percent of outstanding principal per Kol: POJK 33/POJK.03/2018 Pasal 16 (2)–(3)."""

RATE_SOURCE = (
	"POJK 33/POJK.03/2018 Pasal 16 (BPR): PPAP umum 0.5% of Lancar; PPAP khusus 3% Dalam Perhatian Khusus, "
	"10% Kurang Lancar, 50% Diragukan, 100% Macet; kept by POJK 1/2024"
)


class InvalidProvisioning(LendingError):
	"""Allowance rates or exposures are invalid (code ``INVALID_PROVISIONING``): a rate outside 0–100 or
	missing for a collectibility class, a class outside 1–5, a negative outstanding or allowance."""

	code = "INVALID_PROVISIONING"


@dataclass(frozen=True)
class KolAllowance:
	"""The allowance of one collectibility class: ``kol`` 1–5, number of ``loans``, their ``outstanding``
	principal (Rupiah), the ``rate`` (percent) and the ``allowance`` (Rupiah, whole)."""

	kol: int
	loans: int
	outstanding: Decimal
	rate: Decimal
	allowance: Decimal


@dataclass(frozen=True)
class Allowance:
	"""The required allowance: one :class:`KolAllowance` per class 1–5 (``by_kol``), and the totals."""

	by_kol: dict[int, KolAllowance]
	outstanding: Decimal
	total: Decimal


@dataclass(frozen=True)
class Adjustment:
	"""The journal that moves the booked allowance to the required one: Dr ``debit_role`` Cr ``credit_role``
	``amount`` (whole Rupiah, > 0). Roles are account roles of the ledger's mapping."""

	debit_role: str
	credit_role: str
	amount: Decimal


def check_rates(rates: Mapping[int, Decimal | int | str]) -> dict[int, Decimal]:
	"""``rates`` as ``{kol: Decimal percent}`` for every class 1–5, each 0–100.

	Raises :class:`InvalidProvisioning` when a class is missing or a rate is out of range."""
	checked = {}
	for kol in KOLS:
		if kol not in rates or rates[kol] in (None, ""):
			raise InvalidProvisioning("No allowance rate for Kol {kol}", kol=kol)
		rate = to_decimal(rates[kol])
		if rate < ZERO or rate > HUNDRED:
			raise InvalidProvisioning(
				"Allowance rate of Kol {kol} must be 0–100%, got {rate}", kol=kol, rate=rate
			)
		checked[kol] = rate
	return checked


def required_allowance(
	exposures: Iterable[tuple[int, Decimal | int | str]],
	rates: Mapping[int, Decimal | int | str] | None = None,
) -> Allowance:
	"""The allowance required for ``exposures``: pairs (collectibility 1–5, outstanding principal in Rupiah),
	one per loan. Per class: allowance = round half up (Σ outstanding × rate / 100). ``rates`` default to
	:data:`DEFAULT_RATES`.

	Raises :class:`InvalidProvisioning` for a class outside 1–5, a negative outstanding or bad rates."""
	rates = check_rates(DEFAULT_RATES if rates is None else rates)
	loans = dict.fromkeys(KOLS, 0)
	outstanding = dict.fromkeys(KOLS, ZERO)
	for kol, amount in exposures:
		if kol not in loans:
			raise InvalidProvisioning("Collectibility must be 1–5, got {kol}", kol=kol)
		amount = to_decimal(amount)
		if amount < ZERO:
			raise InvalidProvisioning(
				"Outstanding principal must not be negative, got {amount}", amount=amount
			)
		loans[kol] += 1
		outstanding[kol] += amount
	by_kol = {
		kol: KolAllowance(
			kol,
			loans[kol],
			outstanding[kol],
			rates[kol],
			round_rupiah(outstanding[kol] * rates[kol] / HUNDRED),
		)
		for kol in KOLS
	}
	return Allowance(
		by_kol,
		sum(outstanding.values(), ZERO),
		sum((k.allowance for k in by_kol.values()), ZERO),
	)


def allowance_adjustment(required: Decimal | int | str, booked: Decimal | int | str) -> Adjustment | None:
	"""The journal bringing the allowance booked in the ledger (credit balance of *allowance_for_losses*,
	Rupiah) to ``required``: more needed → Dr provision_expense Cr allowance_for_losses; less → the reverse
	(a release of allowance); equal → None. Amounts must be whole Rupiah ≥ 0 (``booked`` may be negative
	only if the ledger is wrong, and is then refused).

	Raises :class:`InvalidProvisioning` for a negative or fractional amount."""
	required, booked = to_decimal(required), to_decimal(booked)
	for name, value in (("required", required), ("booked", booked)):
		if value < ZERO or value != value.to_integral_value():
			raise InvalidProvisioning(
				"The {name} allowance must be whole Rupiah ≥ 0, got {value}", name=name, value=value
			)
	difference = required - booked
	if difference > ZERO:
		return Adjustment("provision_expense", "allowance_for_losses", difference)
	if difference < ZERO:
		return Adjustment("allowance_for_losses", "provision_expense", -difference)
	return None


def write_off_split(
	principal: Decimal | int | str, allowance_available: Decimal | int | str
) -> tuple[Decimal, Decimal]:
	"""How a written-off ``principal`` (Rupiah) is charged: ``(from_allowance, to_expense)``. The allowance
	for losses (its booked credit balance ``allowance_available``) absorbs it first, any remainder is a
	write-off expense; the two add up to ``principal``. Source: the allowance is the contra-asset formed for
	such losses, so a loss is charged to it before the income statement (this app's rule).

	Raises :class:`InvalidProvisioning` for a negative or fractional amount."""
	principal, available = to_decimal(principal), to_decimal(allowance_available)
	for name, value in (("principal", principal), ("allowance", available)):
		if value < ZERO or value != value.to_integral_value():
			raise InvalidProvisioning(
				"The {name} must be whole Rupiah ≥ 0, got {value}", name=name, value=value
			)
	from_allowance = min(principal, available)
	return from_allowance, principal - from_allowance
