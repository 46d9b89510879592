"""Loan origination: the automatic pre-check and the committee's votes (seed 004 §3 LOS, §5 rules)."""

import json
from datetime import date
from decimal import Decimal

import frappe
from frappe import _
from frappe.utils import fmt_money, formatdate, getdate, now_datetime

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


class CommitteeReasonRequiredError(frappe.ValidationError):
	pass


# Committee decisions that are kept only with their reason (the conditions, or why the loan is refused).
REASON_DECISIONS = ("Reject", "Approve with Conditions")


def run_precheck(application) -> bool:
	"""Evaluate every eligibility rule and store the results on the application.

	Sets ``precheck_results`` (one row per rule with value, limit and reason), ``precheck_passed`` and
	``dsr``. Only the rules the product switches on are recorded and count (``PRODUCT_CHECK_FIELDS``:
	an Online Loan product leaves out the pension-benefit rules). Refuses outright (DoubleFinancingError) when the person has a live loan or another open
	application on any of their members (``members.identity.person_members``); the other rules are recorded for the analyst and the committee, and the workflow's
	Approve transitions require ``precheck_passed``.
	"""
	from pinjaman_online.members.identity import person_members

	member = frappe.get_doc("Member", application.member)
	product = frappe.get_cached_doc("Loan Product", application.loan_product)
	# Double financing is about the person: every member of theirs (same keyed NIK hash on either channel).
	members = person_members(member.name)
	active = frappe.db.count("Loan", {"member": ("in", members), "status": ("in", LIVE_LOAN_STATUSES)})
	open_apps = frappe.db.count(
		"Loan Application",
		{**open_application_filters(member.name, name=("!=", application.name)), "member": ("in", members)},
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

	double = result.check(DOUBLE_FINANCING)
	if not double.passed:
		frappe.throw(
			precheck_reason(reason_data(double)), title=_("Double financing"), exc=DoubleFinancingError
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
				"reason_data": reason_data(check),
				"value": "" if check.value is None else str(check.value),
				"limit_value": "" if check.limit is None else str(check.limit),
			},
		)
	dsr = result.check(DSR).value if product.get(PRODUCT_CHECK_FIELDS[DSR]) else None
	application.dsr = dsr if dsr is not None else 0
	passed = all(check.passed for check in checks)
	application.precheck_passed = int(passed)
	return passed


def reason_data(check) -> str:
	"""A core CheckResult's reason as stored on an Eligibility Check row (``reason_data``): JSON
	``{"template": …, "params": {…}}`` with decimals as ``{"decimal": "43.50"}`` and dates as
	``{"date": "YYYY-MM-DD"}``, so the reason can be shown later in the reader's language."""

	def encode(value):
		if isinstance(value, Decimal):
			return {"decimal": str(value)}
		if isinstance(value, date):
			return {"date": value.isoformat()}
		return value

	return json.dumps(
		{"template": check.template, "params": {k: encode(v) for k, v in check.params.items()}},
		ensure_ascii=False,
	)


def precheck_reason(data: str | None, recorded: str | None = None) -> str:
	"""A pre-check reason in the current user's language: the English template of ``data`` (see
	:func:`reason_data`) translated through ``_()`` (``locale/id.po``) and filled in, numbers and dates in
	the system's formats (43,50 and 15-06-2031 for an Indonesian site). Rows recorded before templates were
	kept (no ``data``) show ``recorded``, translated when the whole sentence has a translation."""
	try:
		stored = json.loads(data) if data else None
	except ValueError:
		stored = None
	if not stored or not stored.get("template"):
		return _(recorded or "")

	def shown(value):
		if isinstance(value, dict) and "decimal" in value:
			number = Decimal(value["decimal"])
			return fmt_money(number, precision=max(0, -number.as_tuple().exponent))
		if isinstance(value, dict) and "date" in value:
			return formatdate(value["date"])
		return value

	params = {k: shown(v) for k, v in (stored.get("params") or {}).items()}
	try:
		return _(stored["template"]).format(**params)
	except (KeyError, IndexError, ValueError):  # a translation with other placeholders than the template
		return stored["template"].format(**params)


def record_committee_vote(application, old_state: str, new_state: str):
	"""Append the vote that moved the application out of a committee state.

	Every vote keeps level, decision, user, time and notes (``frappe.flags.committee_notes``, set by
	``api.origination.decide``). One user votes once per application: a second vote by the same user (at
	another level) is refused (CommitteeVoteError), so SPV and Manager are always different people.
	Reject and Approve with Conditions need a reason in the notes: without one the transition is refused
	(CommitteeReasonRequiredError, HTTP 417) whichever way it came (``decide``, Frappe's
	``apply_workflow``, a REST update of ``workflow_state``). Self-approval is refused by the workflow's
	transitions (allow_self_approval = 0).
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
	notes = (frappe.flags.committee_notes or "").strip()
	if decision in REASON_DECISIONS and not notes:
		frappe.throw(
			_("{0} needs a reason: write why (or the conditions) with the decision").format(_(decision)),
			title=_("Reason required"),
			exc=CommitteeReasonRequiredError,
		)
	application.append(
		"committee_decisions",
		{
			"level": level,
			"decision": decision,
			"decided_by": user,
			"decided_on": now_datetime(),
			"notes": notes,
		},
	)
