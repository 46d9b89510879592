"""Loan state written by one writer: every status change recorded (who, when, why, which document); the daily
run in chunks, its penalty accruals as rows, a chunk that fails undone whole and done again on resume."""

import json
from unittest.mock import patch

import frappe
from frappe.tests.utils import FrappeTestCase
from frappe.utils import add_days, add_months, getdate, today

from pinjaman_online.api.servicing import pay, reverse_payment
from pinjaman_online.servicing import daily
from pinjaman_online.servicing.daily import resume_run, run_daily_servicing
from pinjaman_online.servicing.state import reason_text, updater_reference
from pinjaman_online.servicing.tests.test_servicing import penalty_product
from pinjaman_online.tests.factories import as_user, make_active_loan


def changes(loan: str) -> list[tuple]:
	return [
		(c.from_status, c.to_status, c.reason, c.reference_doctype, c.reference_name)
		for c in frappe.get_all(
			"Loan Status Change",
			filters={"loan": loan},
			fields=["from_status", "to_status", "reason", "reference_doctype", "reference_name", "creation"],
			order_by="creation asc",
		)
	]


def late_loan(days: int = 95):
	first_due = add_days(getdate(today()), -days)
	return make_active_loan(
		product=penalty_product(),
		principal=12_000_000,
		tenor_months=12,
		disbursement_date=add_months(first_due, -1),
		first_due_date=first_due,
	)


class TestStatusChanges(FrappeTestCase):
	def test_disbursement_payoff_and_reversal_are_recorded(self):
		loan = make_active_loan(principal=12_000_000, tenor_months=12)
		disbursement = frappe.db.get_value("Loan Disbursement", {"loan": loan.name, "docstatus": 1})
		self.assertEqual(
			changes(loan.name),
			[("Pending Disbursement", "Active", "disbursement", "Loan Disbursement", disbursement)],
		)
		owed = frappe.db.sql(
			"""SELECT outstanding_principal + outstanding_interest + outstanding_penalty FROM `tabLoan`
			WHERE name = %s""",
			loan.name,
		)[0][0]
		with as_user("finance") as cashier:
			paid = pay(loan.name, int(owed))
		self.assertEqual(frappe.db.get_value("Loan", loan.name, "status"), "Closed")
		self.assertEqual(
			changes(loan.name)[-1], ("Active", "Closed", "payment: paid off", "Loan Payment", paid["name"])
		)
		change = frappe.get_last_doc("Loan Status Change", filters={"loan": loan.name})
		self.assertEqual((change.changed_by, getdate(change.change_date)), (cashier, getdate()))
		with as_user("finance"):
			reverse_payment(paid["name"], "Wrong loan")
		self.assertEqual(frappe.db.get_value("Loan", loan.name, "status"), "Active")
		self.assertEqual(
			changes(loan.name)[-1], ("Closed", "Active", "reversal: owes again", "Loan Payment", paid["name"])
		)
		self.assertEqual(len(changes(loan.name)), 3)
		# each transition is also in the loan's version history (the Audit Trail)
		versions = frappe.get_all(
			"Version", filters={"ref_doctype": "Loan", "docname": loan.name}, pluck="data"
		)
		self.assertTrue(any('["status","Active","Closed"]' in v for v in versions))
		self.assertTrue(any('["status","Closed","Active"]' in v for v in versions))
		# the desk's timeline reads the change and, after it, the reason and a link to the document
		payoff = next(json.loads(v) for v in versions if '["status","Active","Closed"]' in v)
		self.assertNotIn("comment", payoff)  # a comment would hide the change in the timeline
		self.assertEqual(
			payoff["updater_reference"],
			{
				"doctype": "Loan Payment",
				"docname": paid["name"],
				"label": f"({reason_text('payment: paid off')}, {paid['name']})",
				"reason": "payment: paid off",
			},
		)

	def test_a_status_changes_reason_reads_in_the_writers_language_and_is_escaped(self):
		self.assertEqual(reason_text("payment: paid off", lang="id"), "pembayaran: lunas")
		self.assertEqual(reason_text("daily run: DPD 95 > 90", lang="id"), "proses harian: DPD 95 > 90")
		lang, frappe.local.lang = frappe.local.lang, "id"
		try:
			self.assertEqual(
				updater_reference(None, None, "set by hand: <img src=x onerror=alert(1)>"),
				{
					"label": "(diubah manual: &lt;img src=x onerror=alert(1)&gt;)",
					"reason": "set by hand: <img src=x onerror=alert(1)>",
				},
			)
		finally:
			frappe.local.lang = lang

	def test_default_by_the_daily_run_is_recorded_once_with_its_accruals(self):
		loan = late_loan(95)
		as_of = getdate(today())
		run_daily_servicing(as_of)
		self.assertEqual(frappe.db.get_value("Loan", loan.name, "status"), "Default")
		self.assertEqual(
			[c[:3] for c in changes(loan.name)][-1], ("Active", "Default", "daily run: DPD 95 > 90")
		)
		accruals = frappe.get_all(
			"Loan Penalty Accrual",
			filters={"loan": loan.name},
			fields=["loan_installment", "accrual_date", "amount", "days", "penalty_rule"],
		)
		penalties = {
			r.name: r.penalty_amount
			for r in frappe.get_all(
				"Loan Installment", filters={"loan": loan.name}, fields=["name", "penalty_amount"]
			)
		}
		self.assertTrue(accruals)
		for a in accruals:
			self.assertEqual(getdate(a.accrual_date), as_of)
			self.assertEqual(a.amount, penalties[a.loan_installment])  # the first accrual is all of it
		run_daily_servicing(as_of, chunk_size=2)
		self.assertEqual(len(changes(loan.name)), 2)  # disbursement, default: nothing more
		self.assertEqual(frappe.db.count("Loan Penalty Accrual", {"loan": loan.name}), len(accruals))
		# the next day accrues one more row per installment, and changes the status no more
		tomorrow = add_days(as_of, 1)
		run_daily_servicing(tomorrow)
		self.assertGreaterEqual(
			frappe.db.count("Loan Penalty Accrual", {"loan": loan.name, "accrual_date": tomorrow}),
			len(accruals),
		)
		rows = frappe.get_all(
			"Loan Penalty Accrual", filters={"loan": loan.name}, fields=["loan_installment", "accrual_date"]
		)
		self.assertEqual(len(rows), len({(r.loan_installment, r.accrual_date) for r in rows}))
		self.assertEqual(len(changes(loan.name)), 2)


class TestChunks(FrappeTestCase):
	def test_a_failed_chunk_is_undone_whole_and_done_once_on_resume(self):
		loans = [late_loan(95), late_loan(40)]
		as_of = getdate(today())
		real = daily.state.write_states
		calls = []

		def fail_once(*args, **kwargs):
			# the second chunk fails after its penalties were written: the chunk's work is undone whole
			calls.append(1)
			if len(calls) == 2:
				raise RuntimeError("worker lost")
			return real(*args, **kwargs)

		live = frappe.db.count("Loan", {"status": ("in", ("Active", "Default"))})
		accrued = dict(
			frappe.db.sql(
				"SELECT loan, COUNT(*) FROM `tabLoan Penalty Accrual` WHERE accrual_date = %s GROUP BY loan",
				as_of,
			)
		)
		with patch.object(daily.state, "write_states", fail_once), self.assertRaises(RuntimeError):
			run_daily_servicing(as_of, chunk_size=1)
		run = frappe.get_doc("Servicing Run", str(as_of))
		chunks = frappe.get_all(
			"Servicing Run Chunk",
			filters={"servicing_run": run.name, "run_number": run.runs},
			fields=["chunk_no", "status", "first_loan", "attempts"],
			order_by="chunk_no",
		)
		self.assertEqual(len(chunks), live)
		self.assertEqual([c.status for c in chunks[:2]], ["Completed", "Failed"])
		self.assertEqual(run.status, "Running")
		failed = chunks[1].first_loan
		self.assertEqual(
			frappe.db.count("Loan Penalty Accrual", {"loan": failed, "accrual_date": as_of}),
			accrued.get(failed, 0),
		)

		result = resume_run(as_of, partition=False)
		self.assertEqual((result["status"], result["chunks_completed"]), ("Completed", live))
		for loan in loans:
			rows = frappe.get_all(
				"Loan Penalty Accrual",
				filters={"loan": loan.name},
				fields=["loan_installment", "accrual_date"],
			)
			self.assertTrue(rows)
			self.assertEqual(len(rows), len({(r.loan_installment, r.accrual_date) for r in rows}))
		self.assertEqual(frappe.db.get_value("Loan", loans[0].name, "status"), "Default")
		self.assertEqual(
			frappe.db.count("Loan Status Change", {"loan": loans[0].name, "to_status": "Default"}), 1
		)
		self.assertEqual(
			frappe.db.get_value("Servicing Run Chunk", f"{run.name}-{run.runs}-0002", "attempts"), 2
		)
		again = run_daily_servicing(as_of)
		self.assertEqual(
			(again["loans_changed"], again["penalties_accrued"], again["status_changes"]), (0, 0, 0)
		)
