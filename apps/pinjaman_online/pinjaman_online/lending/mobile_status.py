"""The loan status a borrower sees in the mobile app (seed 003 §6: SUBMITTED, APPROVED, REJECTED, ACTIVE, PAID).

The back office tracks an application by its workflow state (Loan Application Approval) and the loan it
became by the Loan's status; the app shows one of five statuses:

==========================================================  =========
application workflow state / loan status                     mobile
==========================================================  =========
Draft, Submitted, Analyzing, Committee …, Conditional        SUBMITTED
Rejected, Cancelled (application or its loan)                REJECTED
Approved / Disbursed, loan Pending Disbursement (or none)    APPROVED
loan Active, Default, Written Off                            ACTIVE
loan Closed                                                  PAID
==========================================================  =========

A written-off loan is still owed, so it stays ACTIVE; a cancelled application reads as REJECTED (the app has
no other terminal status for it).
"""

SUBMITTED = "SUBMITTED"
APPROVED = "APPROVED"
REJECTED = "REJECTED"
ACTIVE = "ACTIVE"
PAID = "PAID"
STATUSES = (SUBMITTED, APPROVED, REJECTED, ACTIVE, PAID)

LOAN_STATUS = {
	"Pending Disbursement": APPROVED,
	"Active": ACTIVE,
	"Default": ACTIVE,
	"Written Off": ACTIVE,
	"Closed": PAID,
	"Cancelled": REJECTED,
}
DECIDED_STATES = {"Approved": APPROVED, "Disbursed": APPROVED, "Rejected": REJECTED, "Cancelled": REJECTED}


def mobile_status(workflow_state: str | None, loan_status: str | None = None) -> str:
	"""The mobile status of an application in ``workflow_state`` whose loan (if any) has ``loan_status``.

	Any workflow state not decided (see the table above) is SUBMITTED. Source: seed 003 §6.
	"""
	if loan_status in LOAN_STATUS:
		return LOAN_STATUS[loan_status]
	return DECIDED_STATES.get(workflow_state or "", SUBMITTED)
