"""System-set fields: the doctype JSON keeps every field only code writes at the system permission level.

The rule (``permissions.SYSTEM_PERMLEVEL``): on a doctype that some role may write, create or submit, every
``read_only`` field that is not fetched from a link (and is not Frappe's ``workflow_state``,
``amended_from`` or ``naming_series``) is at that level; every role that reads the doctype reads that
level; no DocPerm writes it; the controller refuses a client's change of it (``SystemFieldsDocument``).
"""

import ast

import pytest
from appmeta import APP_PKG, app_doctypes, doctype_folders, doctype_json_path, field, fields_of, read_json

SYSTEM_PERMLEVEL = 2
NOT_SYSTEM = {"workflow_state", "amended_from", "naming_series"}
LAYOUT = {"Section Break", "Column Break", "Tab Break", "HTML", "Button", "Heading", "Fold"}
WRITE_RIGHTS = ("write", "create", "submit", "cancel", "amend", "delete")
# Fields the findings name, which must stay system-set whatever else changes.
NAMED = {
	"Loan Application": (
		"committee_decisions",
		"precheck_results",
		"precheck_passed",
		"credit_analysis",
		"credit_score",
		"credit_decision",
		"credit_score_result",
		"loan",
	),
	"Loan": ("outstanding_principal", "total_paid", "days_past_due", "collectibility", "status"),
	"Loan Payment": ("allocations", "source_key"),
	"Funder Settlement": ("lines",),
	"KYC Submission": ("status", "member", "user"),
	"Member": ("user", "registration_channel"),
}


def perms(meta: dict) -> list[dict]:
	return [p for p in meta.get("permissions") or [] if isinstance(p, dict)]


def writable(meta: dict) -> bool:
	return any(p.get(k) for p in perms(meta) for k in ("write", "create", "submit"))


def system_candidates(meta: dict) -> list[str]:
	return [
		f["fieldname"]
		for f in fields_of(meta)
		if f.get("read_only")
		and not f.get("fetch_from")
		and f.get("fieldtype") not in LAYOUT
		and f.get("fieldname") not in NOT_SYSTEM
	]


DOCTYPES = sorted(name for name, meta in app_doctypes().items() if not meta.get("istable"))


@pytest.mark.parametrize("doctype", DOCTYPES)
def test_read_only_fields_are_system_set(doctype):
	meta = app_doctypes()[doctype]
	if not writable(meta):
		return
	loose = [f for f in system_candidates(meta) if field(meta, f).get("permlevel") != SYSTEM_PERMLEVEL]
	assert not loose, f"{doctype}: read-only fields a client could write: {loose} (give them permlevel 2)"


@pytest.mark.parametrize("doctype", DOCTYPES)
def test_system_level_is_read_by_readers_and_written_by_nobody(doctype):
	meta = app_doctypes()[doctype]
	if not any(f.get("permlevel") == SYSTEM_PERMLEVEL for f in fields_of(meta)):
		return
	writers = [
		p["role"]
		for p in perms(meta)
		if p.get("permlevel") == SYSTEM_PERMLEVEL and any(p.get(k) for k in WRITE_RIGHTS)
	]
	assert not writers, f"{doctype}: {writers} may write the system level"
	readers = {p["role"] for p in perms(meta) if not p.get("permlevel") and p.get("read")}
	level = {p["role"] for p in perms(meta) if p.get("permlevel") == SYSTEM_PERMLEVEL and p.get("read")}
	assert readers <= level, f"{doctype}: {sorted(readers - level)} read the doctype but not its system level"


@pytest.mark.parametrize("doctype", sorted(NAMED))
def test_named_fields_are_system_set(doctype):
	meta = app_doctypes()[doctype]
	for fieldname in NAMED[doctype]:
		assert field(meta, fieldname).get("permlevel") == SYSTEM_PERMLEVEL, f"{doctype}.{fieldname}"


def controller_bases(folder) -> list[str]:
	path = folder / f"{folder.name}.py"
	if not path.is_file():
		return []
	tree = ast.parse(path.read_text())
	return [
		ast.unparse(base)
		for node in tree.body
		if isinstance(node, ast.ClassDef)
		for base in node.bases
		if ast.unparse(base).endswith("Document")
	]


@pytest.mark.parametrize("folder", doctype_folders(), ids=lambda p: p.name)
def test_controller_guards_system_fields(folder):
	meta = read_json(doctype_json_path(folder))
	if meta.get("istable") or not any(f.get("permlevel") == SYSTEM_PERMLEVEL for f in fields_of(meta)):
		return
	assert "SystemFieldsDocument" in controller_bases(folder), (
		f"{meta['name']}: its controller must subclass permissions.SystemFieldsDocument"
	)


def test_the_level_is_the_apps():
	source = (APP_PKG / "permissions.py").read_text()
	assert f"SYSTEM_PERMLEVEL = {SYSTEM_PERMLEVEL}" in source
