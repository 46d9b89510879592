"""Factories for the app's Frappe tests: make_<thing>(**overrides) with realistic defaults."""

import itertools

import frappe
from frappe.utils import add_months, getdate, today
from frappe.utils.file_manager import save_file

_serial = itertools.count(int(frappe.generate_hash(length=3), 16) % 5000 + 1)

STAFF = {
	"sales": ("test-sales@koperasi.example", ["Sales"]),
	"analyst": ("test-analyst@koperasi.example", ["Credit Analyst"]),
	"spv": ("test-spv@koperasi.example", ["Committee SPV", "Committee Manager"]),
	"manager": ("test-manager@koperasi.example", ["Committee Manager"]),
	"director": ("test-director@koperasi.example", ["Director"]),
	"finance": ("test-finance@koperasi.example", ["Finance"]),
	"admin": ("test-kopadmin@koperasi.example", ["Koperasi Admin"]),
}


def make_staff(key: str) -> str:
	email, roles = STAFF[key]
	if not frappe.db.exists("User", email):
		insert_user(email, key.title(), roles)
	return email


def insert_user(email: str, first_name: str, roles) -> str:
	"""Insert an enabled System User with ``roles``; returns the e-mail."""
	frappe.get_doc(
		{
			"doctype": "User",
			"email": email,
			"first_name": first_name,
			"send_welcome_email": 0,
			"user_type": "System User",
			"roles": [{"role": r} for r in roles],
		}
	).insert(ignore_permissions=True)
	return email


def make_product(**overrides):
	values = {
		"doctype": "Loan Product",
		"product_name": f"Test Product {frappe.generate_hash(length=6)}",
		"product_type": "Pension Loan",
		"min_principal": 1_000_000,
		"max_principal": 300_000_000,
		"min_tenor_months": 6,
		"max_tenor_months": 180,
		"dsr_limit": 70,
		"max_age_at_maturity": 80,
		"annual_interest_rate": 18,
		"interest_method": "Flat",
		"rounding_unit": 100,
		"fees": [
			{"fee_type": "Admin", "basis": "Amount", "amount": 250_000},
			{"fee_type": "Provisi", "basis": "Percent", "percent": 1},
		],
	}
	values.update(overrides)
	return frappe.get_doc(values).insert(ignore_permissions=True)


def nik_for(birth_date, gender: str = "Male", serial: int | None = None) -> str:
	birth_date = getdate(birth_date)
	day = birth_date.day + (40 if gender == "Female" else 0)
	serial = serial or next(_serial)
	return f"327301{day:02d}{birth_date.month:02d}{birth_date.year % 100:02d}{serial:04d}"


def make_member(verified: bool = True, **overrides):
	birth_date = getdate(overrides.pop("birth_date", "1958-08-17"))
	gender = overrides.pop("gender", "Male")
	values = {
		"doctype": "Member",
		"full_name": "Bambang Sutrisno",
		"birth_date": birth_date,
		"gender": gender,
		"nik": nik_for(birth_date, gender),
		"pension_fund": "Taspen",
		"pension_number": f"TSP-T{frappe.generate_hash(length=8)}",
		"monthly_pension_benefit": 4_500_000,
		"bank_accounts": [{"bank_name": "BRI", "account_number": "0011223344", "account_holder": "Bambang"}],
	}
	values.update(overrides)
	member = frappe.get_doc(values).insert(ignore_permissions=True)
	for document_type in ("KTP", "KK", "SK Pensiun"):
		file = save_file(
			f"{document_type}.pdf",
			f"%PDF-1.4 {document_type} {member.name}".encode(),
			"Member",
			member.name,
			is_private=1,
		)
		member.append("documents", {"document_type": document_type, "file": file.file_url})
	member.save(ignore_permissions=True)
	if verified:
		from pinjaman_online.members.utils import verify_document

		with as_user("analyst"):
			for row in member.documents:
				verify_document(member.name, row.name)
		member.reload()
	return member


def make_application(member=None, product=None, submit: bool = False, **overrides):
	member = member or make_member()
	product = product or make_product()
	values = {
		"doctype": "Loan Application",
		"member": member.name,
		"loan_product": product.name,
		"principal": 30_000_000,
		"tenor_months": 24,
		"first_due_date": add_months(today(), 1),
	}
	values.update(overrides)
	application = frappe.get_doc(values).insert(ignore_permissions=True)
	if submit:
		from pinjaman_online.api.origination import submit as submit_application

		with as_user("sales"):
			submit_application(application.name)
		application.reload()
	return application


def approve(application, manager: str = "manager"):
	"""Analyse and take the application through SPV and Manager votes; returns it reloaded."""
	from pinjaman_online.api.origination import analyze, decide

	with as_user("analyst"):
		analyze(application.name, 30, "Approve", "Checked")
	with as_user("spv"):
		decide(application.name, "approve")
	with as_user(manager):
		decide(application.name, "approve")
	return frappe.get_doc("Loan Application", application.name)


def make_active_loan(disbursement_date=None, **application_overrides):
	"""An approved and disbursed loan. For history, give a past ``disbursement_date``: the application date is that
	day and the first installment falls due a month later (unless ``first_due_date`` is given)."""
	from pinjaman_online.api.servicing import disburse

	if disbursement_date:
		application_overrides.setdefault("application_date", disbursement_date)
		application_overrides.setdefault("first_due_date", add_months(disbursement_date, 1))
	application = approve(make_application(submit=True, **application_overrides))
	with as_user("finance"):
		disburse(application.loan, disbursement_date=str(disbursement_date) if disbursement_date else None)
	return frappe.get_doc("Loan", application.loan)


class as_user:
	"""Context manager: act as one of the STAFF users, then return to the previous user."""

	def __init__(self, key: str):
		self.user = make_staff(key)

	def __enter__(self):
		self.previous = frappe.session.user
		frappe.set_user(self.user)
		return self.user

	def __exit__(self, *exc):
		frappe.set_user(self.previous)


# Funding and sales -----------------------------------------------------------------------------


def make_test_user(prefix: str, *roles: str) -> str:
	"""A new enabled System User with ``roles``; returns its name (the e-mail)."""
	return insert_user(
		f"{prefix}-{frappe.generate_hash(length=8)}@test.koperasi.example", prefix.title(), roles
	)


def make_funder(**overrides):
	values = {
		"doctype": "Funder",
		"funder_name": f"Bank Test {frappe.generate_hash(length=6)}",
		"funder_type": "Bank",
		"contact_name": "Rina Treasury",
		"contact_email": "treasury@bank.example",
	}
	values.update(overrides)
	return frappe.get_doc(values).insert(ignore_permissions=True)


def make_contract(funder, submit: bool = True, **overrides):
	"""A signed Funder Contract (submitted, with a private contract file) for ``funder`` (doc or name)."""
	funder = getattr(funder, "name", funder)
	values = {
		"doctype": "Funder Contract",
		"funder": funder,
		"contract_number": f"PKS/{frappe.generate_hash(length=6)}",
		"scheme": "Participation",
		"valid_from": add_months(today(), -12),
		"valid_to": add_months(today(), 36),
		"fee_originator_pct": 10,
		"fee_servicing_pct": 15,
		"interest_share_pct": 100,
	}
	values.update(overrides)
	contract = frappe.get_doc(values).insert(ignore_permissions=True)
	if "contract_file" not in overrides:
		file = save_file("contract.pdf", b"%PDF-1.4 signed", "Funder Contract", contract.name, is_private=1)
		contract.contract_file = file.file_url
		contract.save(ignore_permissions=True)
	if submit:
		contract.submit()
	return contract


def make_allocation(loan, contract, allocation_type: str = "Full", submit: bool = True, **overrides):
	"""A Funder Allocation of ``loan`` under ``contract`` (docs or names), submitted by default."""
	contract = contract if not isinstance(contract, str) else frappe.get_doc("Funder Contract", contract)
	values = {
		"doctype": "Funder Allocation",
		"loan": getattr(loan, "name", loan),
		"funder": contract.funder,
		"funder_contract": contract.name,
		"allocation_type": allocation_type,
		"effective_date": today(),
	}
	values.update(overrides)
	allocation = frappe.get_doc(values).insert(ignore_permissions=True)
	if submit:
		allocation.submit()
	return allocation


def make_branch(**overrides):
	code = overrides.pop("branch_code", f"BR{frappe.generate_hash(length=5).upper()}")
	values = {
		"doctype": "Sales Branch",
		"branch_code": code,
		"branch_name": f"Cabang {code}",
		"city": "Bandung",
	}
	values.update(overrides)
	return frappe.get_doc(values).insert(ignore_permissions=True)


def make_agent(branch, supervisor=None, roles=("Sales",), **overrides):
	"""A Sales Agent (with a new user holding ``roles``) in ``branch``; ``supervisor`` an agent doc or name."""
	values = {
		"doctype": "Sales Agent",
		"user": overrides.pop("user", None) or make_test_user("agent", *roles),
		"sales_branch": getattr(branch, "name", branch),
		"supervisor": getattr(supervisor, "name", supervisor),
	}
	values.update(overrides)
	return frappe.get_doc(values).insert(ignore_permissions=True)


def make_supervisor(branch, **overrides):
	return make_agent(branch, roles=("Sales", "Sales Supervisor"), **overrides)


class acting_as:
	"""Context manager: act as any user (by name), then return to the previous user."""

	def __init__(self, user: str):
		self.user = user

	def __enter__(self):
		self.previous = frappe.session.user
		frappe.set_user(self.user)
		return self.user

	def __exit__(self, *exc):
		frappe.set_user(self.previous)


# ---------------------------------------------------------------------------------------------- billing
# Billing tests each take their own far-future period (free_period), so exports and imports of different
# tests never meet: the matching job commits per batch, which FrappeTestCase cannot roll back.

_billing_months = itertools.count(int(frappe.generate_hash(length=4), 16) % 660)


def free_period(months: int = 1) -> str:
	"""A period (YYYY-MM, years 2045–2099: after any loan booked today ends) such that it and the ``months`` - 1
	periods after it have no export and no installment falling due: billing tests each take their own, as their
	matching job commits. A test that exports the following month too asks for ``months=2``."""
	import calendar

	months = int(months)
	for _ in range(660):
		n = next(_billing_months) % (660 - months + 1)
		periods = []
		for k in range(n, n + months):
			year, month = 2045 + k // 12, k % 12 + 1
			periods.append((f"{year}-{month:02d}", year, month))
		if all(
			not frappe.db.exists("Pension Cut Export", {"period": period})
			and not frappe.db.exists(
				"Loan Installment",
				{
					"due_date": (
						"between",
						(
							f"{year}-{month:02d}-01",
							f"{year}-{month:02d}-{calendar.monthrange(year, month)[1]}",
						),
					)
				},
			)
			for period, year, month in periods
		):
			return periods[0][0]
	raise RuntimeError("no free billing period left on this site: recreate the test site")


def make_billable_loan(period: str, pension_fund: str = "Taspen", due_day: int = 15, **overrides):
	"""An active pension-deduction loan whose first installment falls due in ``period`` (12 × Rp 1.180.000 by
	default: Rp 12.000.000 at 18% flat). ``overrides`` go to the application (``member`` a Member doc)."""
	member = overrides.pop("member", None) or make_member(birth_date="1985-05-05", pension_fund=pension_fund)
	overrides.setdefault("product", make_product(max_age_at_maturity=120))  # periods lie far in the future
	values = {"principal": 12_000_000, "tenor_months": 12, "first_due_date": f"{period}-{due_day:02d}"}
	values.update(overrides)
	return make_active_loan(member=member, **values)


def make_export(period: str, pension_fund: str = "Taspen"):
	"""Generate and submit the Pension Cut Export of ``pension_fund`` for ``period`` (as finance)."""
	from pinjaman_online.api.billing import export

	with as_user("finance"):
		return frappe.get_doc("Pension Cut Export", export(period, pension_fund)["name"])


def realisation_csv(
	export_name: str, amounts: dict | None = None, extra: list | None = None, drop=()
) -> bytes:
	"""A Taspen-format realisation file answering an export: each export line's member deducted its billed
	amount, unless ``amounts`` (pension number → Rupiah) says otherwise; ``drop`` leaves members out;
	``extra`` adds (pension number, NIK, name, amount) lines for people we never billed."""
	amounts, rows = amounts or {}, {}
	for line in frappe.get_all(
		"Pension Cut Export Line",
		filters={"cut_export": export_name},
		fields=["pension_number", "nik", "member_name", "period", "amount"],
		order_by="line_no",
	):
		if line.pension_number in drop:
			continue
		row = rows.setdefault(
			line.pension_number, [line.pension_number, line.nik, line.member_name, line.period, 0]
		)
		row[4] += line.amount
	out = ["NOTAS;NIK;NAMA;PERIODE;NOMINAL_POTONGAN"]
	for pn, (pn, nik, name, period, amount) in rows.items():
		value = amounts.get(pn, amount)
		out.append(f"{pn};{nik};{name};{period.replace('-', '')};{_taspen_amount(value)}")
	period = frappe.db.get_value("Pension Cut Export", export_name, "period").replace("-", "")
	for pn, nik, name, value in extra or []:
		out.append(f"{pn};{nik};{name};{period};{_taspen_amount(value)}")
	return ("\r\n".join(out) + "\r\n").encode()


def _taspen_amount(value) -> str:
	"""Rupiah as the Taspen format writes it: thousands with points, decimals after a comma."""
	from decimal import Decimal

	value = Decimal(str(value))
	whole = f"{int(value):,}".replace(",", ".")
	cents = value - int(value)
	return whole + (f",{int(cents * 100):02d}" if cents else "")


def make_import(period: str, content: bytes, pension_fund: str = "Taspen", submit: bool = True, **values):
	"""Upload ``content`` as the realisation of ``period`` (as finance) and, with ``submit``, submit it: under
	Frappe's test runner the matching job then runs inline (it commits per batch)."""
	from pinjaman_online.billing.export import attach_file

	with as_user("finance"):
		file_url = attach_file(
			frappe._dict(doctype=None, name=None), f"realisation-{period}.csv", content, "file"
		)
		doc = frappe.get_doc(
			{
				"doctype": "Pension Cut Import",
				"period": period,
				"pension_fund": pension_fund,
				"file": file_url,
				**values,
			}
		).insert()
		if submit:
			doc.submit()
	return doc


def make_billable_loans_fast(period: str, count: int, pension_fund: str = "Taspen") -> list[str]:
	"""``count`` members with an Active pension-deduction loan each (Rp 12.000.000, 12 × Rp 1.180.000, the
	first due on the 15th of ``period``), written straight into the tables: for tests that need many loans.
	Not committed. Returns the loans' names."""
	from pinjaman_online.servicing.utils import INSTALLMENT_FIELDS
	from pinjaman_online.utils import insert_rows

	tag = frappe.generate_hash(length=6).upper()
	stamp, user = frappe.utils.now(), "Administrator"
	first_due = getdate(f"{period}-15")
	disbursed = getdate(frappe.utils.add_days(today(), -1))
	members, loans, rows = [], [], []
	for i in range(count):
		member, loan = f"FAST-{tag}-M{i:05d}", f"FAST-{tag}-L{i:05d}"
		nik = f"99{int(tag, 16) % 10**6:06d}{i:08d}"
		members.append(
			(member, stamp, stamp, user, user, f"Pensiunan {tag} {i}", nik, "Male", "1960-01-01", "Active",
				pension_fund, f"FAST-{tag}-{i:05d}", 4_500_000, "IDR")
		)  # fmt: skip
		loans.append(
			(loan, stamp, stamp, user, user, member, f"Pensiunan {tag} {i}", "Active", "Pension Deduction",
				pension_fund, "IDR", 12_000_000, 12, 18, "Flat", 100, 1_180_000, 2_160_000, first_due,
				add_months(first_due, 11), disbursed, 12_000_000, 12_000_000, 2_160_000, 0)
		)  # fmt: skip
		for k in range(1, 13):
			rows.append(
				(f"{loan}-{k:03d}", user, user, stamp, stamp, 0, k, loan, k, add_months(first_due, k - 1), "Unpaid",
					1_000_000, 180_000, 1_180_000, 12_000_000 - 1_000_000 * k, 0, 0, 0, 0, 1_180_000)
			)  # fmt: skip
	insert_rows(
		"Member",
		("name", "creation", "modified", "modified_by", "owner", "full_name", "nik", "gender", "birth_date",
			"status", "pension_fund", "pension_number", "monthly_pension_benefit", "currency"),
		members,
	)  # fmt: skip
	insert_rows(
		"Loan",
		("name", "creation", "modified", "modified_by", "owner", "member", "member_name", "status",
			"repayment_method", "pension_fund", "currency", "principal", "tenor_months", "annual_interest_rate",
			"interest_method", "rounding_unit", "installment_amount", "total_interest", "first_due_date",
			"maturity_date", "disbursement_date", "disbursed_amount", "outstanding_principal", "outstanding_interest",
			"outstanding_penalty"),
		loans,
	)  # fmt: skip
	insert_rows("Loan Installment", INSTALLMENT_FIELDS, rows)
	return [loan[0] for loan in loans]


def sleepy_job(key: str, seconds: int = 300):
	"""A background job for the abandoned-job tests: counts its starts in the cache Redis (``<key>:started``),
	then waits up to ``seconds`` unless ``<key>:fast`` is set, then counts its ends (``<key>:done``)."""
	import time

	import redis

	cache = redis.Redis.from_url(frappe.conf.redis_cache)
	cache.incr(f"{key}:started")
	deadline = time.monotonic() + int(seconds)
	while time.monotonic() < deadline and not cache.exists(f"{key}:fast"):
		time.sleep(0.1)
	cache.incr(f"{key}:done")


def enqueue_sleepy_job(key: str, queue: str = "short") -> str:
	""":func:`sleepy_job` queued on ``queue``; returns the RQ job's id."""
	return frappe.enqueue("pinjaman_online.tests.factories.sleepy_job", queue=queue, key=key, job_name=key).id


def servicing_run_to_resume(chunks: int = 3) -> dict:
	"""Today's daily servicing run started and split into about ``chunks`` chunks that are left Queued, as a
	worker killed before taking them leaves them: the run is Running until resumed. Returns
	``{"name", "runs", "chunks"}``."""
	from math import ceil

	from pinjaman_online.lending.lifecycle import LIVE
	from pinjaman_online.servicing.daily import _start_run

	live = frappe.db.count("Loan", {"status": ("in", LIVE)})
	run, names = _start_run(getdate(today()), max(1, ceil(live / max(1, int(chunks)))))
	frappe.db.commit()
	return {"name": run.name, "runs": run.runs, "chunks": len(names)}
