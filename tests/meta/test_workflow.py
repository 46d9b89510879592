"""Workflow fixtures (setup/fixtures/*.json) against each other and against the app's doctypes.

The seeded workflow must be one Frappe accepts (Workflow.validate_docstatus) and can run
(frappe.model.workflow.apply_workflow): known states, actions and roles, legal docstatus changes, conditions
on real fields, and committee votes that the document's owner cannot cast (allow_self_approval 0).
"""

import ast

import pytest
from appmeta import (
	ROLE_JSON,
	STANDARD_FIELDS,
	WORKFLOW_ACTION_JSON,
	WORKFLOW_JSON,
	WORKFLOW_STATE_JSON,
	app_doctypes,
	field,
	fieldnames_of,
	fixture_names,
	has_perm,
	known_role,
	read_json,
	rel,
	workflows,
)

DOC_STATUSES = ("0", "1", "2")
# (from, to) docstatus changes apply_workflow performs: save, submit, update after submit, cancel.
LEGAL_DOCSTATUS_CHANGES = {
	("0", "0"): "write",
	("0", "1"): "submit",
	("1", "1"): "submit",
	("1", "2"): "cancel",
}
COMMITTEE_MARK = "Committee"  # states whose way out is a committee vote
DECISION_ACTIONS = ("Approve", "Reject")  # action prefixes that are decisions wherever they start
APPROVED_MARK = "Approve"  # states a decision lands in ("Approved")

FIXTURE_FILES = {
	WORKFLOW_JSON: ("Workflow", "workflow_name"),
	WORKFLOW_STATE_JSON: ("Workflow State", "workflow_state_name"),
	WORKFLOW_ACTION_JSON: ("Workflow Action Master", "workflow_action_name"),
	ROLE_JSON: ("Role", "role_name"),
}
WF = workflows()
WHERE = rel(WORKFLOW_JSON)
by_workflow = pytest.mark.parametrize("wf", WF, ids=[str(w.get("name")) for w in WF])


def states_of(wf: dict) -> dict:
	return {s.get("state"): s for s in wf.get("states") or [] if isinstance(s, dict)}


def transitions_of(wf: dict) -> list[dict]:
	return [t for t in wf.get("transitions") or [] if isinstance(t, dict)]


def label(wf: dict, i: int, t: dict) -> str:
	return (
		f"{WHERE}: workflow {wf.get('name')!r} transitions[{i}] "
		f"({t.get('state')} -[{t.get('action')}]-> {t.get('next_state')}, allowed {t.get('allowed')!r})"
	)


def doctype_of(wf: dict) -> dict:
	meta = app_doctypes().get(wf.get("document_type"))
	if meta is None:
		pytest.fail(
			f"{WHERE}: workflow {wf.get('name')!r}: document_type {wf.get('document_type')!r} "
			"is not an app doctype"
		)
	return meta


def fail_on(problems: list[str]):
	assert not problems, "\n".join(problems)


@pytest.mark.parametrize("path", list(FIXTURE_FILES), ids=[p.name for p in FIXTURE_FILES])
def test_fixture_file(path):
	"""Each fixture is a JSON list of records of its doctype, named once each."""
	doctype, name_field = FIXTURE_FILES[path]
	data = read_json(path)
	assert isinstance(data, list) and data, f"{rel(path)}: expected a non-empty JSON list of records"
	problems, names = [], []
	for i, record in enumerate(data):
		if not isinstance(record, dict) or record.get("doctype") != doctype:
			problems.append(f"{rel(path)}[{i}]: not a {doctype!r} record")
			continue
		name = record.get("name")
		if not name or record.get(name_field, name) != name:
			problems.append(
				f"{rel(path)}[{i}]: name {name!r} and {name_field} {record.get(name_field)!r} differ"
			)
		names.append(name)
	problems += [
		f"{rel(path)}: {n!r} appears more than once" for n in sorted({n for n in names if names.count(n) > 1})
	]
	fail_on(problems)


def test_workflows_present():
	assert WF, f"{WHERE}: no Workflow records"
	active = [w.get("document_type") for w in WF if w.get("is_active")]
	assert len(active) == len(set(active)), f"{WHERE}: more than one active workflow for a doctype: {active}"


@by_workflow
def test_document_type_and_state_field(wf):
	"""document_type is an app doctype; workflow_state_field is its Link to Workflow State."""
	meta = doctype_of(wf)
	name = wf.get("workflow_state_field")
	f = field(meta, name) if name else None
	assert f, f"{WHERE}: workflow_state_field {name!r} is not a field of {meta['name']!r}"
	assert f.get("fieldtype") == "Link" and f.get("options") == "Workflow State", (
		f"{WHERE}: {meta['name']}.{name} is {f.get('fieldtype')} -> {f.get('options')!r}, "
		"expected Link -> Workflow State"
	)
	statuses = {s.get("doc_status") for s in states_of(wf).values()}
	if statuses - {"0"}:
		assert meta.get("is_submittable"), (
			f"{WHERE}: states with doc_status 1/2 but {meta['name']!r} is not submittable"
		)
	if any(
		(
			states_of(wf).get(t.get("state"), {}).get("doc_status"),
			states_of(wf).get(t.get("next_state"), {}).get("doc_status"),
		)
		== ("1", "1")
		for t in transitions_of(wf)
	):
		assert f.get("allow_on_submit"), (
			f"{WHERE}: {meta['name']}.{name} lacks allow_on_submit, so transitions between submitted states "
			"fail with 'Not allowed to change … after submission'"
		)


@by_workflow
def test_states(wf):
	"""States are unique and seeded, doc_status is "0"/"1"/"2", allow_edit is a known role."""
	meta = doctype_of(wf)
	known = fixture_names(WORKFLOW_STATE_JSON, "Workflow State", "workflow_state_name")
	states = [s for s in wf.get("states") or [] if isinstance(s, dict)]
	assert states, f"{WHERE}: workflow {wf.get('name')!r} has no states"
	problems = []
	names = [s.get("state") for s in states]
	problems += [
		f"state {n!r} listed more than once" for n in sorted({n for n in names if names.count(n) > 1})
	]
	for i, s in enumerate(states):
		at = f"states[{i}] ({s.get('state')!r})"
		if s.get("state") not in known:
			problems.append(f"{at}: not in {rel(WORKFLOW_STATE_JSON)}")
		if s.get("doc_status") not in DOC_STATUSES:
			problems.append(f"{at}: doc_status {s.get('doc_status')!r} is not one of {DOC_STATUSES}")
		if not s.get("allow_edit") or not known_role(s["allow_edit"]):
			problems.append(
				f"{at}: allow_edit role {s.get('allow_edit')!r} not in {rel(ROLE_JSON)} nor standard"
			)
		if s.get("update_field") and s["update_field"] not in fieldnames_of(meta):
			problems.append(f"{at}: update_field {s['update_field']!r} is not a field of {meta['name']!r}")
	if states[0].get("doc_status") != "0":
		problems.append(
			f"first state {states[0].get('state')!r} (new documents start there) is not doc_status '0'"
		)
	fail_on([f"{WHERE}: workflow {wf.get('name')!r} {p}" for p in problems])


@by_workflow
def test_transitions_reference_states_and_actions(wf):
	"""state / next_state are seeded and are states of this workflow; action is a seeded action master."""
	known_states = fixture_names(WORKFLOW_STATE_JSON, "Workflow State", "workflow_state_name")
	actions = fixture_names(WORKFLOW_ACTION_JSON, "Workflow Action Master", "workflow_action_name")
	own = states_of(wf)
	assert transitions_of(wf), f"{WHERE}: workflow {wf.get('name')!r} has no transitions"
	problems = []
	for i, t in enumerate(transitions_of(wf)):
		for key in ("state", "next_state"):
			if t.get(key) not in known_states:
				problems.append(f"{label(wf, i, t)}: {key} {t.get(key)!r} not in {rel(WORKFLOW_STATE_JSON)}")
			elif t.get(key) not in own:
				problems.append(
					f"{label(wf, i, t)}: {key} {t.get(key)!r} is not among this workflow's states"
				)
		if t.get("action") not in actions:
			problems.append(
				f"{label(wf, i, t)}: action {t.get('action')!r} not in {rel(WORKFLOW_ACTION_JSON)}"
			)
	fail_on(problems)


@by_workflow
def test_states_reachable(wf):
	"""Every state can be reached from the first one."""
	states = [s.get("state") for s in wf.get("states") or [] if isinstance(s, dict)]
	reached, frontier = {states[0]}, [states[0]]
	while frontier:
		current = frontier.pop()
		for t in transitions_of(wf):
			if t.get("state") == current and t.get("next_state") not in reached:
				reached.add(t.get("next_state"))
				frontier.append(t.get("next_state"))
	unreachable = [s for s in states if s not in reached]
	assert not unreachable, (
		f"{WHERE}: workflow {wf.get('name')!r}: states no transition leads to: {unreachable}"
	)


@by_workflow
def test_transition_roles(wf):
	"""`allowed` is a known role holding the DocPerm the docstatus change needs (write / submit / cancel)."""
	meta = doctype_of(wf)
	own = states_of(wf)
	problems = []
	for i, t in enumerate(transitions_of(wf)):
		role = t.get("allowed")
		if not role or not known_role(role):
			problems.append(f"{label(wf, i, t)}: role {role!r} not in {rel(ROLE_JSON)} nor standard")
			continue
		change = (
			own.get(t.get("state"), {}).get("doc_status"),
			own.get(t.get("next_state"), {}).get("doc_status"),
		)
		ptype = LEGAL_DOCSTATUS_CHANGES.get(change)
		if ptype and role != "Administrator" and not has_perm(meta, role, ptype):
			problems.append(f"{label(wf, i, t)}: {role!r} has no {ptype!r} permission on {meta['name']!r}")
	fail_on(problems)


@by_workflow
def test_docstatus_changes(wf):
	"""Each transition moves docstatus 0→0, 0→1, 1→1 or 1→2 (anything else apply_workflow refuses)."""
	own = states_of(wf)
	problems = []
	for i, t in enumerate(transitions_of(wf)):
		change = (
			own.get(t.get("state"), {}).get("doc_status"),
			own.get(t.get("next_state"), {}).get("doc_status"),
		)
		if None not in change and change not in LEGAL_DOCSTATUS_CHANGES:
			problems.append(f"{label(wf, i, t)}: docstatus {change[0]} -> {change[1]} is not allowed")
	fail_on(problems)


def condition_fields(condition: str) -> set[str]:
	"""Fields a condition reads: ``doc.<field>`` and ``doc.get("<field>")`` (other doc methods skipped)."""
	tree = ast.parse(condition, mode="eval")
	called = {id(n.func) for n in ast.walk(tree) if isinstance(n, ast.Call)}
	names = set()
	for node in ast.walk(tree):
		if (
			isinstance(node, ast.Attribute)
			and isinstance(node.value, ast.Name)
			and node.value.id == "doc"
			and id(node) not in called
		):
			names.add(node.attr)
		if (
			isinstance(node, ast.Call)
			and isinstance(node.func, ast.Attribute)
			and node.func.attr == "get"
			and isinstance(node.func.value, ast.Name)
			and node.func.value.id == "doc"
			and node.args
			and isinstance(node.args[0], ast.Constant)
		):
			names.add(node.args[0].value)
	return names


@by_workflow
def test_conditions(wf):
	"""Conditions are Python expressions whose doc.<field> references are fields of the doctype."""
	meta = doctype_of(wf)
	fields = fieldnames_of(meta) | STANDARD_FIELDS | {"amended_from"}
	problems = []
	for i, t in enumerate(transitions_of(wf)):
		condition = (t.get("condition") or "").strip()
		if not condition:
			continue
		try:
			used = condition_fields(condition)
		except SyntaxError as exc:
			problems.append(f"{label(wf, i, t)}: condition {condition!r} is not an expression: {exc.msg}")
			continue
		for name in sorted(used - fields):
			problems.append(f"{label(wf, i, t)}: condition uses doc.{name}, not a field of {meta['name']!r}")
	fail_on(problems)


def is_committee_vote(t: dict, states: dict) -> bool:
	"""A committee decision: out of a 'Committee …' state, an 'Approve…'/'Reject' action, or into 'Approved'.

	Cancelling (a move to a doc_status 2 state) is a withdrawal, not a vote: origination.utils records no
	committee decision for it, so it is left to the role's own allow_self_approval setting.
	"""
	if states.get(t.get("next_state"), {}).get("doc_status") == "2":
		return False
	return (
		COMMITTEE_MARK in (t.get("state") or "")
		or (t.get("action") or "").startswith(DECISION_ACTIONS)
		or APPROVED_MARK in (t.get("next_state") or "")
	)


@by_workflow
def test_committee_transitions_forbid_self_approval(wf):
	"""The owner of an application never approves it: committee votes have allow_self_approval 0."""
	own = states_of(wf)
	problems = [
		f"{label(wf, i, t)}: allow_self_approval is {t.get('allow_self_approval')!r}, must be 0"
		for i, t in enumerate(transitions_of(wf))
		if is_committee_vote(t, own) and t.get("allow_self_approval")
	]
	fail_on(problems)
