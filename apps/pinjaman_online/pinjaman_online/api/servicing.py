"""Loan servicing actions (seed 004 API §4). Lists and details are Frappe's REST (/api/resource/Loan,
/api/resource/Loan Installment?filters=[["loan","=",…]]).

Every POST here that moves money honours an ``Idempotency-Key`` header (:mod:`pinjaman_online.api.idempotency`):
a retry with the same key and arguments answers the first result and posts nothing more."""

import frappe

from pinjaman_online.api import Date, Money, Months, Percent, endpoint
from pinjaman_online.api.idempotency import idempotent
from pinjaman_online.permissions import write_as_system
from pinjaman_online.servicing.utils import loan_outstanding


@frappe.whitelist(methods=["POST"])
@idempotent
@endpoint
def disburse(loan: str, disbursement_date: Date | None = None, reference_no: str | None = None) -> dict:
	"""`POST /loans/{id}/disbursements`: pay the net disbursement to the member's default account."""
	doc = frappe.get_doc(
		{
			"doctype": "Loan Disbursement",
			"loan": loan,
			"reference_no": reference_no,
			**({"disbursement_date": disbursement_date} if disbursement_date else {}),
		}
	)
	doc.insert()
	doc.submit()
	return {
		"name": doc.name,
		"loan": loan,
		"amount": doc.amount,
		"bank_name": doc.bank_name,
		"account_number": doc.account_number,
		"loan_status": frappe.db.get_value("Loan", loan, "status"),
	}


@frappe.whitelist(methods=["POST"])
@idempotent
@endpoint
def pay(
	loan: str,
	amount: Money,
	posting_date: Date | None = None,
	payment_method: str = "Bank Transfer",
	reference_no: str | None = None,
) -> dict:
	"""`POST /loans/{id}/payments`: post a payment (Rupiah), allocated penalty → interest → principal,
	oldest installment first. 417 when it exceeds everything owed."""
	doc = frappe.get_doc(
		{
			"doctype": "Loan Payment",
			"loan": loan,
			"amount": str(amount),
			"payment_method": payment_method,
			"reference_no": reference_no,
			**({"posting_date": posting_date} if posting_date else {}),
		}
	)
	doc.insert()
	doc.submit()
	return {
		"name": doc.name,
		"amount": doc.amount,
		"allocations": [
			{
				"installment": r.installment_number,
				"penalty": r.penalty,
				"interest": r.interest,
				"principal": r.principal,
			}
			for r in doc.allocations
		],
		"outstanding": loan_outstanding(loan),
	}


@frappe.whitelist(methods=["GET"])
@endpoint
def outstanding(loan: str, as_of: Date | None = None) -> dict:
	"""`GET /loans/{id}/outstanding`: unpaid principal, interest and penalty (Rupiah), overdue part, DPD."""
	frappe.get_doc("Loan", loan).check_permission("read")
	return loan_outstanding(loan, as_of)


@frappe.whitelist(methods=["GET"])
@endpoint
def schedule(loan: str) -> list[dict]:
	"""`GET /loans/{id}/schedules`: the installments, oldest first."""
	frappe.get_doc("Loan", loan).check_permission("read")
	return frappe.get_all(
		"Loan Installment",
		filters={"loan": loan},
		fields=[
			"installment_number",
			"due_date",
			"principal_amount",
			"interest_amount",
			"total_amount",
			"balance_after",
			"principal_paid",
			"interest_paid",
			"penalty_amount",
			"penalty_paid",
			"outstanding_amount",
			"status",
		],
		order_by="installment_number asc",
	)


def _new(doctype: str, values: dict, submit: bool = True):
	doc = frappe.get_doc({"doctype": doctype, **{k: v for k, v in values.items() if v is not None}})
	doc.insert()
	if submit:
		doc.submit()
	return doc


@frappe.whitelist(methods=["GET"])
@endpoint
def payoff(loan: str, as_of: Date | None = None) -> dict:
	"""`GET /loans/{id}/payoff`: early-settlement quote (Rupiah): outstanding principal, accrued interest,
	unpaid penalty, the product's early-settlement penalty, interest waived, total."""
	from frappe.utils import today

	from pinjaman_online.servicing.changes import payoff_for

	frappe.get_doc("Loan", loan).check_permission("read")
	return payoff_for(loan, as_of or today())[0].as_dict()


@frappe.whitelist(methods=["POST"])
@idempotent
@endpoint
def settle(
	loan: str,
	settlement_date: Date | None = None,
	settled_by: str = "Member",
	reference_no: str | None = None,
) -> dict:
	"""`POST /loans/{id}/settlements`: early settlement; pays the payoff and closes the schedule and the loan."""
	doc = _new(
		"Loan Settlement",
		{
			"loan": loan,
			"settlement_date": settlement_date,
			"settled_by": settled_by,
			"reference_no": reference_no,
		},
	)
	return {
		"name": doc.name,
		"total_amount": doc.total_amount,
		"waived_interest": doc.waived_interest,
		"loan_payment": doc.loan_payment,
		"loan_status": frappe.db.get_value("Loan", loan, "status"),
	}


@frappe.whitelist(methods=["POST"])
@idempotent
@endpoint
def penalize(
	loan: str, amount: Money, reason: str, installment: str | None = None, posting_date: Date | None = None
) -> dict:
	"""`POST /loans/{id}/penalties`: a manual penalty (Rupiah) with its reason, on the oldest unpaid installment
	unless one is given."""
	doc = _new(
		"Loan Penalty",
		{
			"loan": loan,
			"amount": str(amount),
			"reason": reason,
			"loan_installment": installment,
			"posting_date": posting_date,
		},
	)
	return {"name": doc.name, "loan_installment": doc.loan_installment, "outstanding": loan_outstanding(loan)}


@frappe.whitelist(methods=["POST"])
@idempotent
@endpoint
def reverse_payment(loan_payment: str, reason: str) -> dict:
	"""Reverse a wrong payment (the newest one of its loan): the schedule and outstanding are restored exactly and
	the payment stays on record as cancelled."""
	doc = _new("Payment Reversal", {"loan_payment": loan_payment, "reason": reason})
	return {"name": doc.name, "loan_payment": loan_payment, "outstanding": loan_outstanding(doc.loan)}


@frappe.whitelist(methods=["POST"])
@idempotent
@endpoint
def restructure(
	loan: str,
	restructure_type: str,
	reason: str,
	effective_date: Date | None = None,
	new_tenor_months: Months | None = None,
	new_annual_interest_rate: Percent | None = None,
	deferral_months: Months | None = None,
) -> dict:
	"""`POST /loans/{id}/restructures`: propose a restructure (Tenor Extension, Rate Reduction, Payment Deferral)
	and send it for management approval (Workflow "Loan Restructure Approval")."""
	from frappe.model.workflow import apply_workflow

	doc = _new(
		"Loan Restructure",
		{
			"loan": loan,
			"restructure_type": restructure_type,
			"reason": reason,
			"effective_date": effective_date,
			"new_tenor_months": new_tenor_months,
			"new_annual_interest_rate": new_annual_interest_rate,
			"deferral_months": deferral_months,
		},
		submit=False,
	)
	doc = apply_workflow(doc, "Submit for Approval")
	return _restructure_summary(doc)


@frappe.whitelist(methods=["POST"])
@idempotent
@endpoint
def decide_restructure(restructure: str, decision: str) -> dict:
	"""Approve or reject a restructure (management roles per the workflow; 403 otherwise). Approval applies it."""
	from frappe.model.workflow import apply_workflow, get_transitions

	action = {"approve": "Approve", "reject": "Reject"}.get((decision or "").lower())
	if not action:
		frappe.throw(frappe._("Decision must be approve or reject"))
	doc = frappe.get_doc("Loan Restructure", restructure)
	if action not in {t.action for t in get_transitions(doc)}:
		frappe.throw(
			frappe._("You cannot decide on restructure {0} in state {1}").format(
				restructure, doc.workflow_state
			),
			frappe.PermissionError,
		)
	return _restructure_summary(apply_workflow(doc, action))


def _restructure_summary(doc) -> dict:
	return {
		"name": doc.name,
		"workflow_state": doc.workflow_state,
		"docstatus": doc.docstatus,
		"outstanding_principal": doc.outstanding_principal,
		"old_installment": doc.old_installment,
		"new_installment": doc.new_installment,
		"new_first_due_date": str(doc.new_first_due_date),
		"new_maturity_date": str(doc.new_maturity_date),
	}


@frappe.whitelist(methods=["POST", "PUT"])
@endpoint
def set_status(loan: str, status: str, reason: str) -> dict:
	"""`PUT /loans/{id}/status`: mark a loan Default by hand, or Closed when nothing is owed (Koperasi Admin)."""
	doc = write_as_system(frappe.get_doc("Loan", loan), "write")
	if (
		status == "Closed"
		and frappe.utils.flt(doc.outstanding_principal)
		+ frappe.utils.flt(doc.outstanding_interest)
		+ frappe.utils.flt(doc.outstanding_penalty)
		> 0
	):
		frappe.throw(frappe._("Loan {0} still has an outstanding balance: settle it first").format(loan))
	if status not in ("Default", "Closed") or doc.status not in ("Active", "Default"):
		frappe.throw(frappe._("A loan that is {0} cannot be set to {1}").format(doc.status, status))
	doc.status = status
	doc.flags.status_reason = f"set by hand: {reason}"
	if status == "Default":
		doc.default_date = doc.default_date or frappe.utils.today()
	doc.save()
	doc.add_comment("Info", frappe._("Status set to {0}: {1}").format(status, reason))
	return {"loan": loan, "status": doc.status}


@frappe.whitelist(methods=["POST"])
@endpoint
def run_daily_servicing(as_of: Date | None = None) -> dict:
	"""Start the daily servicing run (DPD, penalties, default flags) on the long queue; returns the job id."""
	frappe.only_for(("System Manager", "Koperasi Admin"))
	job = frappe.enqueue(
		"pinjaman_online.servicing.daily.run_daily_servicing",
		queue="long",
		as_of=as_of,
		job_id=f"daily-servicing::{as_of or frappe.utils.today()}",
		deduplicate=True,
	)
	return {"job_id": getattr(job, "id", None), "queued": bool(job)}


@frappe.whitelist(methods=["POST"])
@endpoint
def resume_daily_servicing(as_of: Date | None = None) -> dict:
	"""Resume the latest daily run of ``as_of`` (default today) on the long queue: its chunks that did not
	complete (a killed worker, an error) are done again; the completed ones are left alone. Returns the job
	id and whether it was queued (``queued`` false while a resume of that date is still queued or running).
	Koperasi Admin or System Manager (403 otherwise)."""
	frappe.only_for(("System Manager", "Koperasi Admin"))
	as_of = as_of or frappe.utils.today()
	if not frappe.db.exists("Servicing Run", str(as_of)):
		frappe.throw(frappe._("No servicing run for {0}").format(as_of), frappe.DoesNotExistError)
	job = frappe.enqueue(
		"pinjaman_online.servicing.daily.resume_run",
		queue="long",
		as_of=as_of,
		job_id=f"daily-servicing-resume::{as_of}",
		deduplicate=True,
	)
	return {"job_id": getattr(job, "id", None), "queued": bool(job)}
