"""Loan servicing actions (seed 004 API §4). Lists and details are Frappe's REST (/api/resource/Loan,
/api/resource/Loan Installment?filters=[["loan","=",…]])."""

import frappe

from pinjaman_online.servicing.utils import loan_outstanding


@frappe.whitelist(methods=["POST"])
def disburse(loan: str, disbursement_date: str | None = None, reference_no: str | None = None) -> dict:
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
def pay(
	loan: str,
	amount: float,
	posting_date: str | None = None,
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
def outstanding(loan: str, as_of: str | None = None) -> dict:
	"""`GET /loans/{id}/outstanding`: unpaid principal, interest and penalty (Rupiah), overdue part, DPD."""
	frappe.get_doc("Loan", loan).check_permission("read")
	return loan_outstanding(loan, as_of)


@frappe.whitelist(methods=["GET"])
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
