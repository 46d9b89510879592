"""The credit engine for staff (seed 003 §7–8): a credit analyst runs the scorecard and the bureau check on an
application in analysis, whatever its channel. The logic is ``origination/decision.py``; the result is a
recommendation stored on the application, never a workflow action."""

import frappe

from pinjaman_online.api import endpoint
from pinjaman_online.origination import decision


@frappe.whitelist(methods=["POST"])
@endpoint
def run(application: str) -> dict:
	"""`POST /applications/{id}/credit-engine`: score the application (Credit Scorecard of Borrower Settings)
	and ask the credit bureau; store the Credit Score Result and the application's score, grade,
	recommendation and reasons. Returns ``{application, credit_score_result, score, grade, recommendation,
	reasons, bureau_status, lines}``. 403 without the Credit Analyst role, 404 unknown application, 417 an
	application not Submitted/Analyzing."""
	return decision.recommend(application)
