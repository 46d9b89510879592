"""Delinquency classification: DPD buckets of the seed and OJK collectibility (seed 004 §8; POJK 40/2019).

* Aging buckets (seed 004 §8 "Laporan aging DPD (0–30, 31–60, 61–90, >90)"): ``"0-30"``, ``"31-60"``,
  ``"61-90"``, ``">90"`` by days past due.
* Collectibility (SLIK, POJK 40/POJK.03/2019): Kol 1 current (0 DPD); Kol 2 special mention (1–90);
  Kol 3 substandard (91–120); Kol 4 doubtful (121–180); Kol 5 loss (> 180). Kol 3–5 are non-performing.
"""

from collections.abc import Iterable
from decimal import ROUND_HALF_UP, Decimal

from .money import HUNDRED, ZERO, to_decimal

BUCKETS = ("0-30", "31-60", "61-90", ">90")
NON_PERFORMING_FROM = 3


def dpd_bucket(days_past_due: int) -> str:
	"""The seed's aging bucket for ``days_past_due`` (days, ≥ 0). Raises ValueError for a negative value."""
	if days_past_due < 0:
		raise ValueError(f"Days past due must not be negative, got {days_past_due}.")
	if days_past_due <= 30:
		return BUCKETS[0]
	if days_past_due <= 60:
		return BUCKETS[1]
	if days_past_due <= 90:
		return BUCKETS[2]
	return BUCKETS[3]


def collectibility(days_past_due: int) -> int:
	"""OJK collectibility 1–5 for ``days_past_due`` (POJK 40/2019). Raises ValueError when negative."""
	if days_past_due < 0:
		raise ValueError(f"Days past due must not be negative, got {days_past_due}.")
	for kol, upper in ((1, 0), (2, 90), (3, 120), (4, 180)):
		if days_past_due <= upper:
			return kol
	return 5


def is_non_performing(days_past_due: int) -> bool:
	"""True for Kol 3–5 (more than 90 days past due)."""
	return collectibility(days_past_due) >= NON_PERFORMING_FROM


def npl_ratio(loans: Iterable[tuple[int, Decimal]]) -> Decimal:
	"""Non-performing loan ratio in percent, 2 decimals half up: outstanding of Kol 3–5 / total outstanding.

	``loans``: pairs (days past due, outstanding principal in Rupiah). 0 when nothing is outstanding.
	"""
	total = bad = ZERO
	for dpd, outstanding in loans:
		outstanding = to_decimal(outstanding)
		total += outstanding
		if is_non_performing(dpd):
			bad += outstanding
	if total == ZERO:
		return ZERO
	return (bad * HUNDRED / total).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
