"""When to remind a borrower of an installment, and how amounts and dates read in Indonesian notices
(seed 003 §9 Notification Service: "Reminder pembayaran"; seed 004 Notification Management: DPD notices).

Pure Python (no Frappe).

* Payment reminder: an unpaid installment whose due date is 1 to ``days_before`` days ahead is reminded
  once (the caller keys the record by installment), so a missed daily run still reminds the next day.
* Overdue notice: one per installment per DPD milestone (e.g. 1, 7, 30 days past due). When several
  milestones have passed since the last run, only the highest one reached is due (no burst of stale notices).
"""

from datetime import date
from decimal import Decimal

from .money import to_decimal

MONTHS_ID = (
	"Januari",
	"Februari",
	"Maret",
	"April",
	"Mei",
	"Juni",
	"Juli",
	"Agustus",
	"September",
	"Oktober",
	"November",
	"Desember",
)


def reminder_due(due_date: date, as_of: date, days_before: int) -> bool:
	"""True when ``due_date`` is 1..``days_before`` days after ``as_of`` (an installment due today or
	already late gets the overdue notice instead). ``days_before`` <= 0 disables reminders."""
	ahead = (due_date - as_of).days
	return days_before > 0 and 0 < ahead <= days_before


def parse_milestones(text: str | None) -> tuple[int, ...]:
	"""DPD milestones from settings text such as ``"1, 7, 30"``: sorted, unique, positive integers.
	Raises ``ValueError`` naming the bad item."""
	out = set()
	for item in (text or "").replace(";", ",").split(","):
		item = item.strip()
		if not item:
			continue
		if not item.isdigit() or int(item) <= 0:
			raise ValueError(f"Overdue milestone {item!r} is not a positive whole number of days")
		out.add(int(item))
	return tuple(sorted(out))


def overdue_milestone(due_date: date, as_of: date, milestones: tuple[int, ...]) -> int | None:
	"""The highest milestone (days past due) reached on ``as_of`` by an installment due on ``due_date``;
	None before the first one."""
	dpd = (as_of - due_date).days
	reached = [m for m in milestones if m <= dpd]
	return max(reached) if reached else None


def rupiah(amount: Decimal | str | float | None) -> str:
	"""Indonesian Rupiah text: ``Rp1.500.000`` (dot thousands separator, whole Rupiah, half up; negative
	amounts as ``-Rp…``). Floats (from templates) go through their string form."""
	value = to_decimal(str(amount) if isinstance(amount, float) else (amount if amount is not None else 0))
	whole = int(value.quantize(Decimal(1), rounding="ROUND_HALF_UP"))
	text = f"{abs(whole):,}".replace(",", ".")
	return f"-Rp{text}" if whole < 0 else f"Rp{text}"


def tanggal(value: date | str | None) -> str:
	"""A date in Indonesian: ``25 November 2026`` (ISO strings accepted; empty text for None)."""
	if not value:
		return ""
	if isinstance(value, str):
		value = date.fromisoformat(value[:10])
	return f"{value.day} {MONTHS_ID[value.month - 1]} {value.year}"
