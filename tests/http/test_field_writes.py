"""Field-level writes: system-set fields cannot be written by a client, through any door (Tier 2).

Committee votes, pre-check results, credit scores, the Credit Analysis link, loan figures, KYC status and
``Member.user`` sit at the app's system permission level (``permissions.SYSTEM_PERMLEVEL``), which no
DocPerm may write. As an attacker would, each staff role that may write (or submit) the doctype tries to
write each such field through each door: ``PUT /api/resource``, ``PATCH /api/v2/document``,
``frappe.client.set_value``, ``frappe.client.save``, ``frappe.client.bulk_update``,
``frappe.desk.form.save.savedocs`` and ``frappe.model.workflow.apply_workflow`` (which receives the whole
document from the client), plus child-row doors (``frappe.client.insert``/``set_value``/``delete`` on
Committee Decision and Eligibility Check rows).

What is asserted: the value read back as Administrator is unchanged, and the try is refused: a 4xx (403
from the system-field guard for a role that may write the record, 403 without write permission, 417 for a
workflow action the user may not take), or for bulk_update (which answers 200) the document listed as
failed. A new record sent with such fields (POST, frappe.client.insert/insert_many) is created with them at
their defaults (Frappe's permlevel reset, so that amended and duplicated copies still save). Every try is
counted and the summary printed (``-s`` shows it).
"""

import datetime as dt
import json
import uuid
from collections import Counter

import pytest
from conftest import nik_for, unique_serial, verified_member

OUTCOMES: Counter = Counter()
CHECKED: list[tuple] = []


def _rows(doc: dict, table: str, keys: tuple) -> list[tuple]:
	return [tuple(row.get(k) for k in keys) for row in doc.get(table) or []]


VOTE = ("name", "level", "decision", "decided_by", "decided_on", "notes")
CHECK = ("name", "check_code", "passed", "value", "limit_value", "reason")


def snapshot(admin, doctype: str, name: str, field: str):
	"""The field's stored value as Administrator reads it (child tables: their rows)."""
	doc = admin.get(doctype, name)
	if field == "committee_decisions":
		return _rows(doc, field, VOTE)
	if field == "precheck_results":
		return _rows(doc, field, CHECK)
	if field in ("allocations", "lines", "adjustments", "history"):
		return [tuple(sorted((k, v) for k, v in r.items() if k not in ("modified",))) for r in doc[field]]
	return doc.get(field)


# --------------------------------------------------------------------------------------------- the doors


def door_put(api, doctype, name, values, doc):
	return api.call("PUT", f"/api/resource/{doctype}/{name}", None, json=values)


def door_v2(api, doctype, name, values, doc):
	return api.call("PATCH", f"/api/v2/document/{doctype}/{name}", None, json=values)


def door_set_value(api, doctype, name, values, doc):
	return api.call(
		"POST",
		"/api/method/frappe.client.set_value",
		None,
		json={"doctype": doctype, "name": name, "fieldname": json.dumps(values)},
	)


def door_client_save(api, doctype, name, values, doc):
	return api.call(
		"POST", "/api/method/frappe.client.save", None, json={"doc": json.dumps({**doc, **values})}
	)


def door_bulk_update(api, doctype, name, values, doc):
	r = api.call(
		"POST",
		"/api/method/frappe.client.bulk_update",
		None,
		json={"docs": json.dumps([{"doctype": doctype, "docname": name, **values}])},
	)
	return r


def door_savedocs(api, doctype, name, values, doc):
	action = "Update" if doc.get("docstatus") == 1 else "Save"
	return api.call(
		"POST",
		"/api/method/frappe.desk.form.save.savedocs",
		None,
		data={"doc": json.dumps({**doc, **values}), "action": action},
	)


def door_apply_workflow(api, doctype, name, values, doc):
	"""A workflow action the user may not take, with the forged document (the real transitions are
	exercised by test_votes_through_apply_workflow)."""
	return api.call(
		"POST",
		"/api/method/frappe.model.workflow.apply_workflow",
		None,
		data={"doc": json.dumps({**doc, **values}), "action": "Disburse"},
	)


DOORS = {
	"PUT /api/resource": door_put,
	"PATCH /api/v2/document": door_v2,
	"frappe.client.set_value": door_set_value,
	"frappe.client.save": door_client_save,
	"frappe.client.bulk_update": door_bulk_update,
	"savedocs": door_savedocs,
}
WORKFLOW_DOCTYPES = {"Loan Application"}


# --------------------------------------------------------------------------------------------- the records


@pytest.fixture(scope="module")
def product(staff):
	return staff["admin"].insert(
		"Loan Product",
		{
			"product_name": f"Field writes {uuid.uuid4().hex[:8]}",
			"product_type": "Pension Loan",
			"min_principal": 5000000,
			"max_principal": 300000000,
			"min_tenor_months": 6,
			"max_tenor_months": 180,
			"dsr_limit": 70,
			"max_age_at_maturity": 80,
			"annual_interest_rate": 18,
			"interest_method": "Annuity",
			"rounding_unit": 100,
		},
	)["name"]


def new_member(staff) -> dict:
	return verified_member(
		staff,
		full_name="Bambang Sutrisno",
		birth=dt.date(1956, 8, 21),
		pension_fund="Taspen",
		benefit=5_500_000,
	)


def application_at_manager(staff, product) -> dict:
	"""A submitted application with its pre-check, an analysis and the SPV's vote, waiting for the Manager."""
	member = new_member(staff)
	first_due = (dt.date.today().replace(day=1) + dt.timedelta(days=40)).replace(day=5)
	app = staff["sales"].insert(
		"Loan Application",
		{
			"member": member["name"],
			"loan_product": product,
			"principal": 30000000,
			"tenor_months": 24,
			"first_due_date": str(first_due),
		},
	)
	staff["sales"].method("pinjaman_online.api.origination.submit", application=app["name"])
	analysis = staff["analyst"].method(
		"pinjaman_online.api.origination.analyze",
		application=app["name"],
		risk_score=30,
		recommendation="Approve",
		notes="ok",
	)["analysis"]["name"]
	staff["spv"].method("pinjaman_online.api.origination.decide", application=app["name"], decision="approve")
	return {"application": app["name"], "member": member["name"], "analysis": analysis}


@pytest.fixture(scope="module")
def borrower(admin) -> str:
	"""A borrower's account (role Member, website user) without a member record."""
	email = f"borrower-{uuid.uuid4().hex[:8]}@pinjol-test.example"
	admin.insert(
		"User",
		{
			"email": email,
			"first_name": "Borrower",
			"send_welcome_email": 0,
			"user_type": "Website User",
			"roles": [{"role": "Member"}],
		},
	)
	return email


@pytest.fixture(scope="module")
def world(admin, staff, product):
	"""Records in the states the findings name: an application with the SPV's vote (then approved, disbursed
	and paid), a second analysis to repoint to, a KYC Submission."""
	w = application_at_manager(staff, product)
	# A second submitted Credit Analysis (of another application) to repoint the first application to.
	other = application_at_manager(staff, product)
	w["other_analysis"] = other["analysis"]
	w["other_application"] = other["application"]
	w["other_member"] = other["member"]
	w["kyc"] = admin.insert(
		"KYC Submission",
		{"member": w["member"], "status": "Pending", "nik_masked": "3201********0001"},
	)["name"]
	return w


# --------------------------------------------------------------------------------------------- the attacks


def record_refusal(r, door: str, what: str):
	"""The try must have been refused: a 4xx, or for bulk_update (which answers 200 with the documents it
	could not save) the document listed as failed."""
	if door == "frappe.client.bulk_update" and r.status_code == 200:
		failed = r.json()["message"]["failed_docs"]
		assert failed, f"{door} {what}: accepted"
		error = failed[0]["exc"].strip().splitlines()[-1].split(":")[0].rsplit(".", 1)[-1]
		OUTCOMES[f"refused (bulk_update: {error})"] += 1
		return
	assert 400 <= r.status_code < 500, f"{door} {what}: {r.status_code} {r.text[:300]}"
	OUTCOMES[f"refused ({r.status_code})"] += 1


def attempt(admin, api, doctype, name, field, values, door, check_field=None):
	"""One try: read the record as the attacker, send the forged values through ``door``, compare."""
	check_field = check_field or field
	before = snapshot(admin, doctype, name, check_field)
	r0 = api.call("GET", f"/api/resource/{doctype}/{name}", None)
	doc = r0.json()["data"] if r0.status_code == 200 else {"doctype": doctype, "name": name}
	r = DOORS.get(door, door_apply_workflow)(api, doctype, name, values, doc)
	after = snapshot(admin, doctype, name, check_field)
	assert r.status_code < 500, f"{door} {doctype}.{field} as {api.user}: {r.status_code} {r.text[:500]}"
	assert after == before, (
		f"{door} as {api.user} changed {doctype}.{check_field}: {before!r} -> {after!r} ({r.status_code})"
	)
	record_refusal(r, door, f"{doctype}.{field} as {api.user}")
	CHECKED.append((doctype, field, door, api.user))
	return r


def application_attacks(staff, w) -> list[tuple]:
	"""(field, forged values) on the application waiting for the Manager."""
	spv = staff["spv"].user
	forged_vote = {
		"level": "SPV",
		"decision": "Approve",
		"decided_by": spv,
		"decided_on": "2026-01-02 10:00:00",
		"notes": "forged",
	}
	return [
		("committee_decisions", {"committee_decisions": [forged_vote, forged_vote]}),  # add / replace
		("committee_decisions", {"committee_decisions": []}),  # erase
		("credit_score", {"credit_score": 999}),
		("credit_decision", {"credit_decision": "Approve"}),
		("credit_analysis", {"credit_analysis": w["other_analysis"]}),
		("precheck_passed", {"precheck_passed": 0}),
		("precheck_results", {"precheck_results": []}),
		("dsr", {"dsr": 1}),
		("requires_director_approval", {"requires_director_approval": 1}),
		("loan", {"loan": "LN-FORGED-0001"}),
	]


APPLICATION_WRITERS = ("sales", "analyst", "spv", "manager", "finance", "admin")


def test_committee_votes_scores_and_analysis_on_a_submitted_application(admin, staff, world):
	"""Finding: Sales forged a committee vote in the SPV's name, erased votes, set the credit score and the
	decision; an analyst repointed the Credit Analysis that gates Send to Committee. Every staff role with
	write/submit on Loan Application, through every door."""
	app = world["application"]
	votes = snapshot(admin, "Loan Application", app, "committee_decisions")
	assert [(v[1], v[3]) for v in votes] == [("SPV", staff["spv"].user)]
	for who in APPLICATION_WRITERS:
		for field, values in application_attacks(staff, world):
			for door in [*DOORS, "apply_workflow"]:
				attempt(admin, staff[who], "Loan Application", app, field, values, door)
	# the named findings, once more explicitly
	assert snapshot(admin, "Loan Application", app, "committee_decisions") == votes
	assert snapshot(admin, "Loan Application", app, "credit_analysis") == world["analysis"]
	assert snapshot(admin, "Loan Application", app, "credit_score") in (None, 0)


def child_row_doors(app: str, table: str, child: str, row: dict, edit: dict) -> dict:
	"""The requests that add, edit or delete one row of ``app``'s ``table`` as a document of its own."""
	fields = {k: v for k, v in row.items() if k in VOTE[1:] + CHECK[1:]}
	new_row = {"doctype": child, "parent": app, "parenttype": "Loan Application", "parentfield": table}
	return {
		"frappe.client.insert (child row)": (
			"POST",
			"/api/method/frappe.client.insert",
			{"json": {"doc": json.dumps({**new_row, **fields})}},
		),
		"frappe.client.set_value (child row)": (
			"POST",
			"/api/method/frappe.client.set_value",
			{"json": {"doctype": child, "name": row["name"], "fieldname": json.dumps(edit)}},
		),
		"frappe.client.delete (child row)": (
			"POST",
			"/api/method/frappe.client.delete",
			{"json": {"doctype": child, "name": row["name"]}},
		),
		"PUT /api/resource (child row)": ("PUT", f"/api/resource/{child}/{row['name']}", {"json": edit}),
		"PATCH /api/v2/document (child row)": (
			"PATCH",
			f"/api/v2/document/{child}/{row['name']}/",
			{"json": edit},
		),
		"DELETE /api/v2/document (child row)": ("DELETE", f"/api/v2/document/{child}/{row['name']}/", {}),
	}


def test_vote_and_precheck_rows_through_child_doors(admin, staff, world):
	"""Committee Decision and Eligibility Check rows added, edited or deleted as rows of their own."""
	app = world["application"]
	doc = admin.get("Loan Application", app)
	vote, check = doc["committee_decisions"][0], doc["precheck_results"][0]
	for who in APPLICATION_WRITERS:
		api = staff[who]
		for table, child, row, edit in (
			("committee_decisions", "Committee Decision", vote, {"decision": "Reject"}),
			("precheck_results", "Eligibility Check", check, {"passed": 0, "reason": "forged"}),
		):
			for door, (verb, path, kw) in child_row_doors(app, table, child, row, edit).items():
				before = snapshot(admin, "Loan Application", app, table)
				r = api.call(verb, path, None, **kw)
				assert r.status_code < 500, f"{door} {child} as {api.user}: {r.status_code} {r.text[:300]}"
				after = snapshot(admin, "Loan Application", app, table)
				assert after == before, f"{door} as {api.user}: {r.status_code} {before} -> {after}"
				record_refusal(r, door, f"{child} as {api.user}")
				CHECKED.append(("Loan Application", table, door, api.user))


def test_forged_votes_on_a_new_draft(admin, staff, world, product):
	"""A new (draft) application, and an amended copy, cannot be created with votes, scores or pre-check
	results: they start from the defaults."""
	spv = staff["spv"].user
	forged = {
		"member": world["member"],
		"loan_product": product,
		"principal": 10000000,
		"tenor_months": 12,
		"first_due_date": str(dt.date.today() + dt.timedelta(days=40)),
		"committee_decisions": [{"level": "SPV", "decision": "Approve", "decided_by": spv}],
		"precheck_results": [{"check_code": "DSR", "passed": 1}],
		"precheck_passed": 1,
		"credit_score": 999,
		"credit_decision": "Approve",
		"credit_analysis": world["analysis"],
	}
	for who in ("sales", "admin"):
		for door, send in {
			"POST /api/resource": lambda api: api.call(
				"POST", "/api/resource/Loan Application", None, json=forged
			),
			"frappe.client.insert": lambda api: api.call(
				"POST",
				"/api/method/frappe.client.insert",
				None,
				json={"doc": json.dumps({"doctype": "Loan Application", **forged})},
			),
			"frappe.client.insert_many": lambda api: api.call(
				"POST",
				"/api/method/frappe.client.insert_many",
				None,
				json={"docs": json.dumps([{"doctype": "Loan Application", **forged}])},
			),
		}.items():
			r = send(staff[who])
			assert r.status_code == 200, f"{door} as {staff[who].user}: {r.status_code} {r.text[:500]}"
			body = r.json()
			if door.endswith("insert_many"):
				names = body["message"]
			else:
				names = [(body.get("data") or body.get("message"))["name"]]
			for name in names:
				doc = admin.get("Loan Application", name)
				assert doc["committee_decisions"] == [] and doc["precheck_results"] == [], door
				assert not any(doc.get(f) for f in ("precheck_passed", "credit_score", "credit_decision"))
				assert not doc.get("credit_analysis") and not doc.get("loan")
				assert admin.call("DELETE", f"/api/resource/Loan Application/{name}", None).ok
			OUTCOMES["new record: reset to defaults (200)"] += 1
			CHECKED.append(("Loan Application", "votes/score/precheck on insert", door, staff[who].user))


def test_votes_through_apply_workflow(admin, staff, world, request):
	"""apply_workflow receives the document from the client: the Manager's real approval, sent with a forged
	document (an extra SPV vote, a score, no pre-check), records exactly the two real votes."""
	app = world["application"]
	manager = staff["manager"]
	doc = manager.get("Loan Application", app)
	before = snapshot(admin, "Loan Application", app, "precheck_results")
	forged = {
		**doc,
		"committee_decisions": [
			*doc["committee_decisions"],
			{"level": "Director", "decision": "Approve", "decided_by": staff["spv"].user},
		],
		"credit_score": 999,
		"credit_decision": "Approve",
		"precheck_results": [],
		"credit_analysis": world["other_analysis"],
	}
	r = manager.call(
		"POST",
		"/api/method/frappe.model.workflow.apply_workflow",
		data={"doc": json.dumps(forged), "action": "Approve"},
	)
	assert r.status_code == 200, r.text[:500]
	assert r.json()["message"]["workflow_state"] == "Approved"
	after = admin.get("Loan Application", app)
	assert [(v["level"], v["decided_by"]) for v in after["committee_decisions"]] == [
		("SPV", staff["spv"].user),
		("Manager", manager.user),
	]
	assert not after.get("credit_score") and not after.get("credit_decision")
	assert after["credit_analysis"] == world["analysis"]
	assert snapshot(admin, "Loan Application", app, "precheck_results") == before
	OUTCOMES["workflow action applied, forged fields ignored"] += 1
	CHECKED.append(("Loan Application", "committee_decisions etc.", "apply_workflow (allowed)", manager.user))
	world["loan"] = after["loan"]
	staff["finance"].method("pinjaman_online.api.servicing.disburse", loan=world["loan"])
	paid = staff["finance"].method(
		"pinjaman_online.api.servicing.pay", loan=world["loan"], amount=500000, payment_method="Bank Transfer"
	)
	world["payment"] = paid["name"]


LOAN_ATTACKS = [
	("outstanding_principal", {"outstanding_principal": 1}),
	("outstanding_interest", {"outstanding_interest": 0}),
	("total_paid", {"total_paid": 999999999}),
	("days_past_due", {"days_past_due": 45}),
	("collectibility", {"collectibility": 5}),
	("aging_bucket", {"aging_bucket": ">90"}),
	("status", {"status": "Closed"}),
	("principal", {"principal": 1}),
	("member", {"member": "MBR-FORGED"}),
]


def test_loan_figures(admin, staff, world):
	"""Finding: a Koperasi Admin rewrote a loan's outstanding principal, total paid, DPD and collectibility
	over REST. Koperasi Admin has write on Loan (reset); the other roles have none (403)."""
	loan = world.get("loan")
	assert loan, "test_votes_through_apply_workflow books the loan"
	for who in ("admin", "finance", "sales"):
		for field, values in LOAN_ATTACKS:
			for door in DOORS:
				attempt(admin, staff[who], "Loan", loan, field, values, door)


def test_installments_payments_and_analysis(admin, staff, world):
	"""Loan Installment figures (no role writes them), a submitted Loan Payment's allocation and totals
	(Finance), a submitted Credit Analysis's figures (Credit Analyst, Koperasi Admin)."""
	installment = admin.list(
		"Loan Installment", filters=json.dumps([["loan", "=", world["loan"]]]), limit_page_length=1
	)[0]["name"]
	for who in ("admin", "finance"):
		for field, values in (
			("outstanding_amount", {"outstanding_amount": 0}),
			("principal_paid", {"principal_paid": 99999999}),
			("status", {"status": "Paid"}),
		):
			for door in DOORS:
				attempt(admin, staff[who], "Loan Installment", installment, field, values, door)
	payment = world["payment"]
	for field, values in (
		("allocations", {"allocations": []}),
		("total_principal", {"total_principal": 1}),
		("source_key", {"source_key": "pg:forged"}),
	):
		for door in DOORS:
			attempt(admin, staff["finance"], "Loan Payment", payment, field, values, door)
	for who in ("analyst", "admin"):
		for field, values in (
			("dsr", {"dsr": 1}),
			("risk_grade", {"risk_grade": "High"}),
			("analyst", {"analyst": staff["spv"].user}),
		):
			for door in DOORS:
				attempt(admin, staff[who], "Credit Analysis", world["analysis"], field, values, door)


def test_funder_allocation_and_settlement(admin, staff, world):
	"""A funder settlement's lines and totals, an allocation's status and end: Finance (and Koperasi Admin on
	allocations) may write these records, never these fields. Generating the settlement as Finance is the
	app's code writing them (write_as_system)."""
	finance = staff["finance"]
	funder = staff["admin"].insert(
		"Funder", {"funder_name": f"Bank Field Writes {uuid.uuid4().hex[:6]}", "funder_type": "Bank"}
	)["name"]
	contract = staff["admin"].insert(
		"Funder Contract",
		{
			"funder": funder,
			"contract_number": f"PKS/{uuid.uuid4().hex[:6]}",
			"scheme": "Fronting",
			"valid_from": str(dt.date.today() - dt.timedelta(days=30)),
			"fee_originator_pct": 10,
			"fee_servicing_pct": 10,
			"interest_share_pct": 100,
		},
	)["name"]
	r = staff["admin"].call(
		"POST",
		"/api/method/upload_file",
		data={"is_private": 1, "doctype": "Funder Contract", "docname": contract, "file_name": "pks.pdf"},
		files={"file": ("pks.pdf", b"%PDF-1.4 pks", "application/pdf")},
	)
	staff["admin"].update(
		"Funder Contract", contract, {"contract_file": r.json()["message"]["file_url"], "docstatus": 1}
	)
	allocation = finance.method(
		"pinjaman_online.api.funding.allocate",
		loan=world["loan"],
		funder=funder,
		funder_contract=contract,
		allocation_type="Full",
	)["name"]
	period = dt.date.today().strftime("%Y-%m")
	settlement = finance.method(
		"pinjaman_online.api.funding.generate_settlement", funder=funder, period=period
	)
	name = settlement["name"]
	assert settlement["created"], settlement
	for field, values in (
		("lines", {"lines": []}),
		("net_to_funder", {"net_to_funder": 1}),
		("total_collected", {"total_collected": 999999999}),
		("status", {"status": "Draft"}),
		("reconciled", {"reconciled": 0}),
	):
		for door in DOORS:
			attempt(admin, finance, "Funder Settlement", name, field, values, door)
	for who in ("finance", "admin"):
		for field, values in (
			("status", {"status": "Ended"}),
			("end_date", {"end_date": str(dt.date.today())}),
		):
			for door in DOORS:
				attempt(admin, staff[who], "Funder Allocation", allocation, field, values, door)


def test_kyc_status(admin, staff, world):
	"""KYC Submission: status and the verification results are the e-KYC flow's and the reviewer action's,
	never a field a reviewer edits."""
	for who in ("analyst", "admin"):
		for field, values in (
			("status", {"status": "Verified"}),
			("decided_by", {"decided_by": staff["spv"].user}),
			("face_match_score", {"face_match_score": 99}),
			("member", {"member": world["other_member"]}),
		):
			for door in DOORS:
				attempt(admin, staff[who], "KYC Submission", world["kyc"], field, values, door)


def test_kyc_review_methods_on_a_forged_copy(admin, staff, world):
	"""``run_doc_method`` (API v1 and v2) builds the document from the request and runs a whitelisted
	controller method on it: a reviewer's Approve (which saves as the system) on a copy with a forged face-match
	score, member and photos is refused, and nothing is stored; Approve on the stored record still works."""
	analyst = staff["analyst"]
	forged_values = {
		"face_match_score": 99,
		"member": world["other_member"],
		"ktp_image": "/private/files/forged-ktp.png",
		"selfie_image": "/private/files/forged-selfie.png",
	}
	for door in ("/api/method/run_doc_method", "/api/v2/method/run_doc_method"):
		kyc = admin.insert(
			"KYC Submission",
			{"member": world["member"], "status": "Pending", "nik_masked": "3201********0002"},
		)["name"]
		before = admin.get("KYC Submission", kyc)
		forged = {**analyst.get("KYC Submission", kyc), **forged_values}
		for method, kwargs in (("approve", {"reason": "ok"}), ("retry_verification", {})):
			if door.startswith("/api/v2"):
				r = analyst.call(
					"POST", door, None, json={"method": method, "document": forged, "kwargs": kwargs}
				)
			else:
				r = analyst.call(
					"POST",
					door,
					None,
					data={"method": method, "docs": json.dumps(forged), "args": json.dumps(kwargs)},
				)
			after = admin.get("KYC Submission", kyc)
			assert r.status_code == 403, f"{door} {method}: {r.status_code} {r.text[:300]}"
			for field in ("status", *forged_values):
				assert after.get(field) == before.get(field), (
					f"{door} {method} stored {field}={after.get(field)}"
				)
			record_refusal(r, door, f"KYC Submission.{method} as {analyst.user}")
			CHECKED.append(("KYC Submission", ",".join(forged_values), f"{door} {method}", analyst.user))
	# the reviewer's own action on the stored record (the desk's form calls it so)
	stored = admin.insert(
		"KYC Submission",
		{
			"member": world["member"],
			"status": "Pending",
			"nik_masked": "3201********0003",
			"ktp_image": "/private/files/ktp-ok.png",
			"selfie_image": "/private/files/selfie-ok.png",
		},
	)["name"]
	doc = analyst.get("KYC Submission", stored)
	r = analyst.call(
		"POST",
		"/api/method/run_doc_method",
		None,
		data={"method": "approve", "docs": json.dumps(doc), "args": json.dumps({"reason": "ok"})},
	)
	assert r.status_code == 200, r.text[:300]
	assert admin.get("KYC Submission", stored)["status"] == "Verified"


def test_member_user_cannot_be_handed_to_a_borrower(admin, staff, world, borrower):
	"""Finding: Sales set Member.user to a borrower's account, handing that borrower another member's record.
	No staff role can set it, on an existing member or a new one; nor the registration channel."""
	member = world["member"]
	for who in ("sales", "analyst", "admin"):
		for field, values in (
			("user", {"user": borrower}),
			("registration_channel", {"registration_channel": "Mobile App"}),
			("documents_verified", {"documents_verified": 0}),
		):
			for door in DOORS:
				attempt(admin, staff[who], "Member", member, field, values, door)
	assert not admin.get("Member", member).get("user")
	birth = dt.date(1955, 2, 9)
	created = staff["sales"].insert(
		"Member",
		{
			"full_name": "Dewi Lestari",
			"nik": nik_for(birth, unique_serial(), female=True),
			"gender": "Female",
			"birth_date": str(birth),
			"pension_fund": "Asabri",
			"pension_number": f"ASB{uuid.uuid4().hex[:10]}",
			"monthly_pension_benefit": 4000000,
			"user": borrower,
			"registration_channel": "Mobile App",
		},
	)
	stored = admin.get("Member", created["name"])
	assert not stored.get("user") and stored["registration_channel"] == "Staff"
	OUTCOMES["new record: reset to defaults (200)"] += 1
	CHECKED.append(("Member", "user", "POST /api/resource", staff["sales"].user))


def test_verifying_a_document_still_works(admin, staff, world):
	"""The desk flow that uses permission level 1 (verifying a member document) is untouched; a verified
	flag sent by a client is not taken."""
	member = new_member(staff)
	assert member["documents_verified"] == 0
	after = admin.get("Member", member["name"])
	assert all(d["verified"] and d["verified_by"] == staff["analyst"].user for d in after["documents"])
	assert after["documents_verified"] == 1


def test_creator_cannot_approve_by_writing_the_state(admin, staff, make_user, product):
	"""The workflow forbids self-approval at committee levels; writing ``workflow_state`` directly (not
	through apply_workflow) by a creator who also holds the committee role is refused too."""
	maker = make_user("salesspv", "Sales", "Committee SPV")
	member = new_member(staff)
	app = maker.insert(
		"Loan Application",
		{
			"member": member["name"],
			"loan_product": product,
			"principal": 20000000,
			"tenor_months": 12,
			"first_due_date": str((dt.date.today().replace(day=1) + dt.timedelta(days=40)).replace(day=5)),
		},
	)["name"]
	maker.method("pinjaman_online.api.origination.submit", application=app)
	staff["analyst"].method(
		"pinjaman_online.api.origination.analyze",
		application=app,
		risk_score=20,
		recommendation="Approve",
		notes="ok",
	)
	assert admin.get("Loan Application", app)["workflow_state"] == "Committee SPV"
	for door in ("PUT /api/resource", "frappe.client.set_value", "savedocs"):
		attempt(
			admin,
			maker,
			"Loan Application",
			app,
			"workflow_state",
			{"workflow_state": "Committee Manager"},
			door,
		)
	r = maker.method(
		"pinjaman_online.api.origination.decide", expect=None, application=app, decision="approve"
	)
	assert r.status_code in (403, 417), r.text[:300]
	assert admin.get("Loan Application", app)["workflow_state"] == "Committee SPV"
	assert admin.get("Loan Application", app).get("committee_decisions") == []


def test_summary():
	"""Prints the figures: fields x doors x users checked."""
	fields = {(d, f) for d, f, _, _ in CHECKED}
	doors = {door for _, _, door, _ in CHECKED}
	users = {u for _, _, _, u in CHECKED}
	print(
		f"\nfield-level writes: {len(CHECKED)} attempts, {len(fields)} fields of "
		f"{len({d for d, _ in fields})} doctypes, {len(doors)} doors, {len(users)} users; "
		f"value unchanged every time; outcomes: {dict(OUTCOMES)}"
	)
	assert CHECKED
