"""Frappe-free domain core of pinjaman_online: money, schedules, fees, eligibility, allocation, NIK.

Pure standard-library Python (no ``frappe`` import), so it can be unit-tested and reused outside the
bench. Money is ``decimal.Decimal`` Rupiah everywhere; floats are rejected (see :mod:`.money` for the
single rounding rule). Sources of the rules are given per function (seed 004 §3-§5, Dukcapil NIK
structure).
"""

from .allocation import (
	Allocation,
	AllocationLine,
	InstallmentDue,
	Outstanding,
	allocate_payment,
	days_past_due,
	outstanding_of,
	overdue_of,
)
from .dates import add_months, age_in_years, monthly_due_dates
from .eligibility import (
	CheckResult,
	EligibilityInput,
	EligibilityResult,
	check_eligibility,
)
from .errors import InvalidNIK, InvalidPayment, InvalidTerms, LendingError
from .fees import FeeBasis, FeeRule, compute_fee
from .money import ZERO, format_rupiah, percent_of, round_rupiah, round_to_unit, to_decimal
from .nik import PROVINCES, NikInfo, check_nik_matches, parse_nik
from .schedule import (
	STRATEGIES,
	AnnuityStrategy,
	FlatStrategy,
	Installment,
	InterestMethod,
	InterestStrategy,
	LoanTerms,
	Schedule,
	generate_schedule,
	get_strategy,
)
from .simulation import Simulation, simulate

__all__ = [
	"PROVINCES",
	"STRATEGIES",
	"ZERO",
	"Allocation",
	"AllocationLine",
	"AnnuityStrategy",
	"CheckResult",
	"EligibilityInput",
	"EligibilityResult",
	"FeeBasis",
	"FeeRule",
	"FlatStrategy",
	"Installment",
	"InstallmentDue",
	"InterestMethod",
	"InterestStrategy",
	"InvalidNIK",
	"InvalidPayment",
	"InvalidTerms",
	"LendingError",
	"LoanTerms",
	"NikInfo",
	"Outstanding",
	"Schedule",
	"Simulation",
	"add_months",
	"age_in_years",
	"allocate_payment",
	"check_eligibility",
	"check_nik_matches",
	"compute_fee",
	"days_past_due",
	"format_rupiah",
	"generate_schedule",
	"get_strategy",
	"monthly_due_dates",
	"outstanding_of",
	"overdue_of",
	"parse_nik",
	"percent_of",
	"round_rupiah",
	"round_to_unit",
	"simulate",
	"to_decimal",
]
