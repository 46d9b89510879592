"""A real RQ worker killed in the middle of a daily run's chunk, then the run resumed by another worker: every
loan is changed exactly once (one penalty accrual per installment and date, one status change record).

Like the billing fault test (``billing/tests/test_killed_worker.py``, whose helpers this test uses): the workers
and the ``execute`` that starts the run are subprocesses on a Redis database of their own, held by one run of
such a test at a time; the loans they work on are committed by the test (a worker is another connection) and
deleted at its end.
"""

import time

import frappe
from frappe.database import get_db
from frappe.tests.utils import FrappeTestCase
from frappe.utils import add_days, add_months, getdate, now, today

from pinjaman_online.billing.tests.test_killed_worker import exclusive_queue, frappe_cli, kill_worker
from pinjaman_online.servicing.tests.test_servicing import penalty_product
from pinjaman_online.servicing.utils import INSTALLMENT_FIELDS
from pinjaman_online.utils import insert_rows

LOANS = 40
CHUNK = 8  # the worker is killed while the run is still among this test's loans, inside a chunk
HELD = 20  # the loan the test holds locked, so the worker is caught inside that loan's chunk (the third)
DAYS_LATE = 95


def make_late_loans(product: str, count: int, as_of) -> list[str]:
	"""``count`` Active loans 95 days late on their first installment (12 × Rp 1.180.000), named so that they
	come first in the run's name order, written straight into the tables and committed."""
	tag = frappe.generate_hash(length=6).upper()
	stamp, user = now(), "Administrator"
	first_due = add_days(as_of, -DAYS_LATE)
	loans, rows = [], []
	for i in range(count):
		loan = f"A-COB-{tag}-{i:03d}"
		loans.append(
			(loan, stamp, stamp, user, user, f"Pensiunan {tag} {i}", product, "Active", "IDR", 12_000_000, 12,
				18, "Flat", 100, 1_180_000, first_due, add_months(first_due, 11), add_months(first_due, -1),
				12_000_000, 12_000_000, 2_160_000, 0)
		)  # fmt: skip
		for k in range(1, 13):
			rows.append(
				(f"{loan}-{k:03d}", user, user, stamp, stamp, 0, k, loan, k, add_months(first_due, k - 1),
					"Unpaid", 1_000_000, 180_000, 1_180_000, 12_000_000 - 1_000_000 * k, 0, 0, 0, 0, 1_180_000)
			)  # fmt: skip
	insert_rows(
		"Loan",
		("name", "creation", "modified", "modified_by", "owner", "member_name", "loan_product", "status",
			"currency", "principal", "tenor_months", "annual_interest_rate", "interest_method", "rounding_unit",
			"installment_amount", "first_due_date", "maturity_date", "disbursement_date", "disbursed_amount",
			"outstanding_principal", "outstanding_interest", "outstanding_penalty"),
		loans,
	)  # fmt: skip
	insert_rows("Loan Installment", INSTALLMENT_FIELDS, rows)
	frappe.db.commit()
	return [loan[0] for loan in loans]


def run_state(run: str) -> tuple:
	frappe.db.rollback()  # a fresh snapshot of what the workers committed
	runs, status = frappe.db.get_value("Servicing Run", run, ["runs", "status"])
	chunks = frappe.get_all(
		"Servicing Run Chunk",
		filters={"servicing_run": run, "run_number": runs},
		fields=["name", "chunk_no", "status", "first_loan", "last_loan", "attempts"],
		order_by="chunk_no",
	)
	return runs, status, chunks


class TestKilledDailyRun(FrappeTestCase):
	def tearDown(self):
		for doctype, column in (
			("Loan Penalty Accrual", "loan"),
			("Loan Status Change", "loan"),
			("Loan Installment", "loan"),
			("Loan", "name"),
		):
			frappe.db.sql(f"DELETE FROM `tab{doctype}` WHERE `{column}` LIKE 'A-COB-%%'")
		frappe.db.sql("DELETE FROM `tabVersion` WHERE ref_doctype = 'Loan' AND docname LIKE 'A-COB-%%'")
		frappe.db.commit()

	def test_a_worker_killed_mid_chunk_then_a_resume_changes_every_loan_once(self):
		self.enterContext(exclusive_queue())
		as_of = getdate(today())
		loans = make_late_loans(penalty_product().name, LOANS, as_of)
		frappe.db.commit()
		before = frappe.db.get_value("Servicing Run", str(as_of), "runs") or 0

		# Another connection holds one loan locked: the worker, once it has taken that loan's chunk (marked
		# Running, committed), waits inside the chunk's transaction on its locking read, and is killed there.
		conf = frappe.conf
		holder = get_db(
			host=conf.db_host,
			port=conf.db_port,
			user=conf.get("db_user") or conf.db_name,
			password=conf.db_password,
			cur_db_name=conf.db_name,
		)
		holder.connect()
		holder.sql("SELECT name FROM `tabLoan` WHERE name = %s FOR UPDATE", loans[HELD])
		first = frappe_cli("worker", "--queue", "long", wait=False)
		try:
			# ``execute`` reads its kwargs as a Python literal
			frappe_cli("execute", "pinjaman_online.servicing.daily.run_daily_servicing", "--kwargs",
				repr({"as_of": str(as_of), "chunk_size": CHUNK, "partition": True}))  # fmt: skip
			deadline = time.monotonic() + 120
			while time.monotonic() < deadline:
				runs, status, chunks = run_state(str(as_of))
				if runs > before and any(
					c.status == "Running" and c.first_loan <= loans[HELD] <= c.last_loan for c in chunks
				):
					time.sleep(0.5)  # well inside the chunk's locking read
					break
				time.sleep(0.05)
			else:
				self.fail("the worker never got going")
		finally:
			kill_worker(first)
			holder.rollback()
			holder.close()
		time.sleep(1)  # the server notices the dead connection and rolls its transaction back
		runs, status, chunks = run_state(str(as_of))
		self.assertEqual(runs, before + 1)
		self.assertEqual(status, "Running", "the worker was killed mid-run")
		running = [c for c in chunks if c.status == "Running"]
		self.assertEqual(
			len(running), 1, f"killed during a chunk: {[(c.chunk_no, c.status) for c in chunks]}"
		)
		killed = running[0]
		done = [c for c in chunks if c.status == "Completed"]
		print(f"\nworker killed in chunk {killed.chunk_no} of {len(chunks)} ({len(done)} completed)")
		mine = [loan for loan in loans if killed.first_loan <= loan <= killed.last_loan]
		for loan in mine:  # the killed chunk's work was rolled back whole
			self.assertEqual(frappe.db.get_value("Loan", loan, "status"), "Active")
			self.assertEqual(frappe.db.count("Loan Penalty Accrual", {"loan": loan}), 0)

		second = frappe_cli("worker", "--queue", "long", wait=False)
		try:
			frappe_cli("execute", "pinjaman_online.servicing.daily.resume_run", "--kwargs",
				repr({"as_of": str(as_of), "partition": True}))  # fmt: skip
			deadline = time.monotonic() + 180
			while run_state(str(as_of))[1] != "Completed" and time.monotonic() < deadline:
				time.sleep(0.2)
		finally:
			kill_worker(second)
		runs, status, chunks = run_state(str(as_of))
		self.assertEqual((runs, status), (before + 1, "Completed"))
		self.assertTrue(all(c.status == "Completed" for c in chunks))
		self.assertEqual(next(c.attempts for c in chunks if c.name == killed.name), 2)

		for loan in loans:
			self.assertEqual(
				tuple(frappe.db.get_value("Loan", loan, ["status", "days_past_due"])), ("Default", DAYS_LATE)
			)
			recorded = frappe.get_all(
				"Loan Status Change", {"loan": loan}, ["from_status", "to_status"], as_list=True
			)
			self.assertEqual([tuple(r) for r in recorded], [("Active", "Default")])
			accruals = frappe.get_all(
				"Loan Penalty Accrual", {"loan": loan}, ["loan_installment", "accrual_date", "amount"]
			)
			penalised = frappe.get_all(
				"Loan Installment", {"loan": loan, "penalty_amount": (">", 0)}, ["name", "penalty_amount"]
			)
			self.assertTrue(accruals)
			self.assertEqual(len(accruals), len({(a.loan_installment, a.accrual_date) for a in accruals}))
			self.assertEqual(
				{a.loan_installment: a.amount for a in accruals},
				{p.name: p.penalty_amount for p in penalised},
			)
