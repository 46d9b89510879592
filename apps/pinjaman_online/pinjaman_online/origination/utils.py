"""Loan origination: the automatic pre-check and the committee's votes (seed 004 §3 LOS, §5 rules)."""

import frappe
from frappe import _
from frappe.utils import getdate, now_datetime

from pinjaman_online.lending.eligibility import (
	AGE_AT_MATURITY,
	BENEFIT_COVERAGE,
	DOUBLE_FINANCING,
	DSR,
	EligibilityInput,
	check_eligibility,
)
from pinjaman_online.lending.errors import LendingError
from pinjaman_online.utils import throw_lending_error, to_money

# Workflow states in which an application is still open (not approved into a loan, rejected or cancelled).
OPEN_STATES = (
	"Draft",
	"Submitted",
	"Analyzing",
	"Committee SPV",
	"Committee Manager",
	"Committee Director",
	"Conditional",
	"Approved",
)
# A vote is recorded whenever the application leaves one of these states; value = the committee level.
COMMITTEE_LEVELS = {
	"Committee SPV": "SPV",
	"Committee Manager": "Manager",
	"Committee Director": "Director",
	"Conditional": "Conditions",
}
LIVE_LOAN_STATUSES = ("Pending Disbursement", "Active", "Default")
# Disbursed and not closed: the loans a borrower owes on, is billed for and may pay.
OWED_LOAN_STATUSES = ("Active", "Default")


def open_application_filters(member: str, **extra) -> dict:
	"""Filters (``frappe.get_all`` style) for ``member``'s loan applications still in progress: not cancelled
	and in one of OPEN_STATES; ``extra`` narrows them further."""
	return {"member": member, "docstatus": ("<", 2), "workflow_state": ("in", OPEN_STATES), **extra}


# Loan Product switches of the rules that only some products apply (an online loan has no pension benefit);
# double financing is always checked.
PRODUCT_CHECK_FIELDS = {
	DSR: "check_dsr",
	AGE_AT_MATURITY: "check_age_at_maturity",
	BENEFIT_COVERAGE: "check_benefit_coverage",
}


class DoubleFinancingError(frappe.ValidationError):
	pass


class CommitteeVoteError(frappe.ValidationError):
	pass


def run_precheck(application) -> bool:
	"""Evaluate every eligibility rule and store the results on the application.

	Sets ``precheck_results`` (one row per rule with value, limit and reason), ``precheck_passed`` and
	``dsr``. Only the rules the product switches on are recorded and count (``PRODUCT_CHECK_FIELDS``:
	an Online Loan product leaves out the pension-benefit rules). Refuses outright (DoubleFinancingError) when the member has a live loan or another open
	application; the other rules are recorded for the analyst and the committee, and the workflow's
	Approve transitions require ``precheck_passed``.
	"""
	member = frappe.get_doc("Member", application.member)
	product = frappe.get_cached_doc("Loan Product", application.loan_product)
	active = frappe.db.count("Loan", {"member": member.name, "status": ("in", LIVE_LOAN_STATUSES)})
	open_apps = frappe.db.count(
		"Loan Application", open_application_filters(member.name, name=("!=", application.name))
	)
	from pinjaman_online.lending.schedule import generate_schedule
	from pinjaman_online.products.utils import terms_for

	terms = terms_for(
		product,
		application.principal,
		application.tenor_months,
		application.first_due_date,
		application.annual_interest_rate,
		application.interest_method,
	)
	schedule = generate_schedule(terms)
	try:
		result = check_eligibility(
			EligibilityInput(
				principal=terms.principal,
				tenor_months=terms.tenor_months,
				installment=schedule.regular_installment,
				monthly_pension_benefit=to_money(member.monthly_pension_benefit),
				other_monthly_obligations=to_money(member.other_monthly_obligations),
				birth_date=getdate(member.birth_date),
				maturity_date=schedule.maturity_date,
				dsr_limit_pct=to_money(product.dsr_limit),
				max_age_at_maturity=int(product.max_age_at_maturity),
				max_benefit_share_pct=to_money(product.max_benefit_share or 95),
				has_active_loan=bool(active),
				has_open_application=bool(open_apps),
			)
		)
	except LendingError as exc:
		throw_lending_error(exc, _("Pre-check failed"))

	if not result.check(DOUBLE_FINANCING).passed:
		frappe.throw(
			_(result.check(DOUBLE_FINANCING).reason), title=_("Double financing"), exc=DoubleFinancingError
		)

	checks = [
		check
		for check in result.checks
		if check.code not in PRODUCT_CHECK_FIELDS or product.get(PRODUCT_CHECK_FIELDS[check.code])
	]
	application.set("precheck_results", [])
	for check in checks:
		application.append(
			"precheck_results",
			{
				"check_code": check.code,
				"passed": int(check.passed),
				"reason": check.reason,
				"value": "" if check.value is None else str(check.value),
				"limit_value": "" if check.limit is None else str(check.limit),
			},
		)
	dsr = result.check(DSR).value if product.get(PRODUCT_CHECK_FIELDS[DSR]) else None
	application.dsr = dsr if dsr is not None else 0
	passed = all(check.passed for check in checks)
	application.precheck_passed = int(passed)
	return passed


def record_committee_vote(application, old_state: str, new_state: str):
	"""Append the vote that moved the application out of a committee state.

	Every vote keeps level, decision, user and time. One user votes once per application: a second vote
	by the same user (at another level) is refused, so SPV and Manager are always different people.
	Self-approval is refused by the workflow's transitions (allow_self_approval = 0).
	"""
	level = COMMITTEE_LEVELS.get(old_state)
	if not level or new_state == "Cancelled":
		return
	user = frappe.session.user
	# Confirming that a conditional approval's conditions are met is not a new level: the same person may do it.
	if level != "Conditions" and any(row.decided_by == user for row in application.committee_decisions):
		frappe.throw(
			_(
				"{0} has already voted on this application; each committee level needs a different person"
			).format(frappe.bold(user)),
			title=_("Committee vote refused"),
			exc=CommitteeVoteError,
		)
	if new_state == "Rejected":
		decision = "Reject"
	elif new_state == "Conditional":
		decision = "Approve with Conditions"
	elif old_state == "Conditional":
		decision = "Conditions Met"
	else:
		decision = "Approve"
	application.append(
		"committee_decisions",
		{
			"level": level,
			"decision": decision,
			"decided_by": user,
			"decided_on": now_datetime(),
			"notes": frappe.flags.committee_notes or "",
		},
	)
