"""Mobile loans (seeds 001 wireframe "Ajukan Pinjaman" / "Dashboard", 002 §8.2 and §9, 003 §6): apply for the
mobile product, the borrower's statuses and dashboard.

An application from the app is an ordinary Loan Application (channel Mobile App, owned by the borrower) on the
product named in Borrower Settings (``mobile_loan_product``: its limits, price, checks and repayment method are
the product's data). It is submitted into the workflow "Loan Application Approval" by the *credit engine*, a
system user with the role Credit Engine, whose transitions are workflow data; the apply request then only
publishes ``LoanApplied`` (seed 003 §6: the loan service does not decide, it sends the event) and the engine
decides on RQ (``origination/decision.py``).
"""

from contextlib import contextmanager
from decimal import Decimal

import frappe
from frappe import _
from frappe.utils import getdate, today

from pinjaman_online.borrower.auth import settings
from pinjaman_online.borrower.events import publish
from pinjaman_online.lending.mobile_status import REJECTED, mobile_status
from pinjaman_online.lending.money import to_decimal
from pinjaman_online.origination.utils import (
	LIVE_LOAN_STATUSES,
	OWED_LOAN_STATUSES,
	open_application_filters,
)
from pinjaman_online.permissions import own_member
from pinjaman_online.products.utils import check_within_limits
from pinjaman_online.utils import to_money

ENGINE_USER = "credit-engine@pinjaman-online.invalid"
ENGINE_ROLE = "Credit Engine"


class KycNotVerifiedError(frappe.PermissionError):
	pass


class LoanConflictError(frappe.ValidationError):
	http_status_code = 409


class MobileProductError(frappe.ValidationError):
	pass


# ---------------------------------------------------------------- the credit engine's identity


def engine_user() -> str:
	"""The credit engine's system user (Borrower Settings ``credit_engine_user``), created with the role
	Credit Engine the first time it is needed."""
	user = settings().get("credit_engine_user")
	if user and frappe.db.exists("User", user):
		return user
	if not frappe.db.exists("User", ENGINE_USER):
		doc = frappe.get_doc(
			{
				"doctype": "User",
				"email": ENGINE_USER,
				"first_name": "Credit Engine",
				"send_welcome_email": 0,
				"user_type": "System User",
				"roles": [{"role": ENGINE_ROLE}],
			}
		)
		doc.flags.ignore_permissions = True
		doc.flags.no_welcome_mail = True
		doc.insert()
	frappe.db.set_single_value("Borrower Settings", "credit_engine_user", ENGINE_USER)
	frappe.clear_document_cache("Borrower Settings", "Borrower Settings")
	return ENGINE_USER


@contextmanager
def acting_as(user: str):
	"""Run a block as ``user`` (the credit engine) and come back to the request's user, form and claims."""
	local = frappe.local
	previous, sid = frappe.session.user, frappe.session.sid
	form_dict, claims = local.form_dict, getattr(local, "borrower_claims", None)
	frappe.set_user(user)
	try:
		yield
	finally:
		frappe.set_user(previous)
		frappe.session.sid = sid
		local.form_dict = form_dict
		if claims is not None:
			local.borrower_claims = claims


# ---------------------------------------------------------------- checks


def ensure_kyc_verified(user: str | None):
	"""Refuse (403, KycNotVerifiedError) unless the user's latest KYC Submission is Verified; a rejected one
	names its rejection reason. The rule itself is ``borrower.kyc.ensure_verified``."""
	try:
		from pinjaman_online.borrower.kyc import ensure_verified
	except ImportError:
		ensure_verified = None
	if ensure_verified and user:
		ensure_verified(user)
		return
	row = (
		frappe.db.get_value(
			"KYC Submission",
			{"user": user},
			["status", "rejection_reason"],
			as_dict=True,
			order_by="creation desc",
		)
		if user
		else None
	)
	if row and row.status == "Verified":
		return
	if row and row.status == "Rejected":
		frappe.throw(
			_("Your identity verification (KYC) was rejected: {0}").format(row.rejection_reason or "-"),
			KycNotVerifiedError,
			title=_("KYC rejected"),
		)
	frappe.throw(
		_("Your identity (KYC) must be verified before you can apply for a loan"),
		KycNotVerifiedError,
		title=_("KYC not verified"),
	)


def mobile_product():
	"""The Loan Product of the app (Borrower Settings ``mobile_loan_product``), enabled."""
	name = settings().get("mobile_loan_product")
	if not name:
		frappe.throw(_("No mobile loan product is configured in Borrower Settings"), MobileProductError)
	product = frappe.get_cached_doc("Loan Product", name)
	if not product.enabled:
		frappe.throw(_("Loans cannot be applied for in the app at the moment"), MobileProductError)
	return product


def _whole_rupiah(value, label: str) -> Decimal:
	try:
		amount = to_decimal(str(value).strip()) if value not in (None, "") else None
	except (TypeError, ValueError):
		amount = None
	if amount is None or amount <= 0 or amount != amount.to_integral_value():
		frappe.throw(_("{0} must be a whole number of Rupiah above zero").format(_(label)))
	return amount


def _whole_months(value) -> int:
	try:
		months = int(str(value).strip())
	except (TypeError, ValueError):
		months = 0
	if months <= 0 or str(months) != str(value).strip():
		frappe.throw(_("Tenor must be a whole number of months above zero"))
	return months


def open_application(member: str) -> str | None:
	"""The member's application still in progress that has no loan yet (an approved one with a loan counts
	as that loan), or None."""
	return frappe.db.get_value(
		"Loan Application", open_application_filters(member, loan=("is", "not set")), "name"
	)


def refuse_conflicts(member: str):
	"""409 when the person has a live loan or an open application (seed 003 §6, seed 004 §5), on any of
	their members (``members.identity.person_members``: one person registered on both channels)."""
	from pinjaman_online.members.identity import person_members

	members = person_members(member)
	loan = frappe.db.get_value(
		"Loan", {"member": ("in", members), "status": ("in", LIVE_LOAN_STATUSES)}, "name"
	)
	if loan:
		frappe.throw(
			_("You already have an active loan ({0}): pay it off before applying again").format(loan),
			LoanConflictError,
			title=_("Active loan"),
		)
	application = next(filter(None, (open_application(name) for name in members)), None)
	if application:
		frappe.throw(
			_("Your application {0} is still being processed").format(application),
			LoanConflictError,
			title=_("Application in progress"),
		)


# ---------------------------------------------------------------- apply


def apply(
	user: str,
	amount,
	tenor_months,
	purpose: str | None,
	consent,
	monthly_income=None,
	occupation: str | None = None,
	request_id: str | None = None,
	account: dict | None = None,
	consent_list=None,
) -> dict:
	"""Create and submit the borrower's application and publish LoanApplied; see ``api.mobile_loans.apply``.
	The consents given with it (the credit bureau check, required) are recorded with the application
	(``borrower/consents.py``)."""
	from pinjaman_online.borrower import consents

	member = own_member(user)
	if not member:
		frappe.throw(_("No member record is linked to your account"), frappe.PermissionError)
	# Serialises the applications of one borrower: a retried or double-tapped apply sees the first one.
	frappe.db.get_value("Member", member, "name", for_update=True)
	request_id = (request_id or "").strip()[:140] or None
	if request_id:
		earlier = frappe.db.get_value(
			"Loan Application", {"member": member, "mobile_request_id": request_id}, "name"
		)
		if earlier:
			return {**application_summary(frappe.get_doc("Loan Application", earlier)), "replayed": True}

	if not frappe.utils.sbool(consent) and not consent_list:
		frappe.throw(_("You must agree to the loan terms and conditions"))
	given = consents.given_for_application(consent, consent_list)
	consents.ensure_can_apply(user)
	amount = _whole_rupiah(amount, "Amount")
	tenor = _whole_months(tenor_months)
	income = _whole_rupiah(monthly_income, "Monthly income") if monthly_income not in (None, "") else None
	product = mobile_product()
	check_within_limits(product, amount, tenor)
	ensure_kyc_verified(user)
	refuse_conflicts(member)
	set_disbursement_account(member, account or {})

	doc = frappe.get_doc(
		{
			"doctype": "Loan Application",
			"member": member,
			"loan_product": product.name,
			"application_channel": "Mobile App",
			"application_date": today(),
			"principal": amount,
			"tenor_months": tenor,
			"purpose": (purpose or "").strip()[:1000],
			"monthly_income": income,
			"occupation": (occupation or "").strip()[:140] or None,
			"mobile_request_id": request_id,
		}
	)
	doc.flags.ignore_permissions = True  # the borrower applies through this endpoint only, not over REST
	doc.insert()
	consents.record(user, member, given, consents.APPLICATION, application=doc.name)
	from frappe.model.workflow import apply_workflow

	with acting_as(engine_user()):
		doc = apply_workflow(doc, "Submit")
	event = publish(
		"LoanApplied",
		{"user_id": user, "loan_id": doc.name, "amount": int(amount), "tenor_months": tenor},
	)
	return {**application_summary(doc), "event_id": event["event_id"], "replayed": False}


# ---------------------------------------------------------------- status and dashboard


def set_disbursement_account(member: str, account: dict):
	"""Make ``account`` (``bank_name``, ``account_number``, ``account_holder``) the member's default bank
	account, where the loan is disbursed (Loan Disbursement takes the default). All three or none; the account
	number is 6–20 digits. An account already on file is made the default rather than added twice."""
	values = {k: (account.get(k) or "").strip() for k in ("bank_name", "account_number", "account_holder")}
	if not any(values.values()):
		return
	if not all(values.values()):
		frappe.throw(
			_("Give the bank, the account number and the account holder of the disbursement account")
		)
	number = values["account_number"].replace(" ", "").replace("-", "")
	if not number.isdigit() or not 6 <= len(number) <= 20:
		frappe.throw(_("The account number must be 6 to 20 digits"))
	values["account_number"] = number
	doc = frappe.get_doc("Member", member)
	found = None
	for row in doc.bank_accounts:
		row.is_default = 0
		if row.account_number == number and row.bank_name.lower() == values["bank_name"].lower():
			found = row
	if found:
		found.update({**values, "is_default": 1})
	else:
		doc.append("bank_accounts", {**values, "is_default": 1})
	doc.flags.ignore_permissions = True
	doc.flags.ignore_mandatory = True  # a self-registered borrower has no pension data
	doc.save()


def rejection_reason(doc) -> str | None:
	"""Why an application reads REJECTED: the credit engine's reason, the committee's notes, or cancelled."""
	if doc.workflow_state == "Cancelled" or doc.docstatus == 2:
		return _("The application was cancelled")
	if doc.credit_score_result and doc.credit_decision == "Reject":
		# The engine's reasons (score, cut-offs, bureau flags) are for staff, in the Credit Score Result; the
		# borrower is told the outcome and where it came from, not the scorecard.
		return _(
			"Your application could not be approved after our credit assessment. You may apply again later."
		)
	notes = [row.notes for row in doc.committee_decisions if row.decision == "Reject" and row.notes]
	return notes[-1] if notes else _("The application was not approved")


def application_summary(doc) -> dict:
	"""One application as the app shows it (status per ``lending/mobile_status.py``; amounts as strings)."""
	loan_status = frappe.db.get_value("Loan", doc.loan, "status") if doc.loan else None
	status = mobile_status(doc.workflow_state, loan_status)
	return {
		"application": doc.name,
		"status": status,
		"workflow_state": doc.workflow_state,
		"applied_on": str(doc.application_date),
		"amount": str(to_money(doc.principal)),
		"tenor_months": doc.tenor_months,
		"purpose": doc.purpose,
		"installment_amount": str(to_money(doc.installment_amount)),
		"loan": doc.loan,
		"reason": rejection_reason(doc) if status == REJECTED else None,
	}


def status(user: str) -> dict:
	"""The borrower's applications, newest first, with their mobile status."""
	member = own_member(user)
	names = frappe.get_all(
		"Loan Application", {"member": member or ""}, pluck="name", order_by="creation desc"
	)
	applications = [application_summary(frappe.get_doc("Loan Application", n)) for n in names]
	return {"applications": applications, "latest": applications[0] if applications else None}


def dashboard(user: str) -> dict:
	"""The wireframe's dashboard figures (seed 001 "Dashboard"): remaining debt (outstanding principal +
	interest + penalty of disbursed loans: Active or Default), monthly bill (their installment), next due date and amount (the oldest
	installment still owed), the apply limits of the mobile product, and the loan history."""
	member = own_member(user) or ""
	loans = frappe.get_all(
		"Loan",
		{"member": member},
		[
			"name",
			"loan_application",
			"status",
			"principal",
			"tenor_months",
			"installment_amount",
			"outstanding_principal",
			"outstanding_interest",
			"outstanding_penalty",
			"first_due_date",
			"maturity_date",
			"disbursement_date",
			"closed_date",
		],
		order_by="creation desc",
	)
	# what the borrower owes: disbursed loans only (an approved loan awaiting disbursement shows in the history)
	live = [loan for loan in loans if loan.status in OWED_LOAN_STATUSES]
	remaining = sum(
		(
			to_money(x.outstanding_principal)
			+ to_money(x.outstanding_interest)
			+ to_money(x.outstanding_penalty)
			for x in live
		),
		Decimal(0),
	)
	bill = sum((to_money(x.installment_amount) for x in live), Decimal(0))
	next_due = None
	if live:
		row = frappe.get_all(
			"Loan Installment",
			{
				"loan": ("in", [x.name for x in live]),
				"status": ("in", ("Unpaid", "Partially Paid")),
				"outstanding_amount": (">", 0),
			},
			["loan", "installment_number", "due_date", "outstanding_amount"],
			order_by="due_date asc, installment_number asc",
			limit=1,
		)
		if row:
			next_due = {
				"loan": row[0].loan,
				"installment_number": row[0].installment_number,
				"due_date": str(getdate(row[0].due_date)),
				"amount": str(to_money(row[0].outstanding_amount)),
			}
	product = None
	name = settings().get("mobile_loan_product")
	if name:
		p = frappe.get_cached_doc("Loan Product", name)
		product = {
			"product": p.name,
			"min_amount": str(to_money(p.min_principal)),
			"max_amount": str(to_money(p.max_principal)),
			"min_tenor_months": p.min_tenor_months,
			"max_tenor_months": p.max_tenor_months,
			"annual_interest_rate": str(to_money(p.annual_interest_rate)),
		}
	in_progress = open_application(member)
	return {
		"remaining_debt": str(remaining),
		"monthly_bill": str(bill),
		"next_due_date": next_due["due_date"] if next_due else None,
		"next_due": next_due,
		"can_apply": bool(product) and not live and not in_progress,
		"product": product,
		"loans": [
			{
				"loan": x.name,
				"application": x.loan_application,
				"status": mobile_status(None, x.status),
				"loan_status": x.status,
				"amount": str(to_money(x.principal)),
				"tenor_months": x.tenor_months,
				"installment_amount": str(to_money(x.installment_amount)),
				"outstanding": str(
					to_money(x.outstanding_principal)
					+ to_money(x.outstanding_interest)
					+ to_money(x.outstanding_penalty)
				),
				"first_due_date": str(x.first_due_date) if x.first_due_date else None,
				"maturity_date": str(x.maturity_date) if x.maturity_date else None,
				"disbursement_date": str(x.disbursement_date) if x.disbursement_date else None,
				"closed_date": str(x.closed_date) if x.closed_date else None,
			}
			for x in loans
		],
	}
