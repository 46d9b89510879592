"""Doctype JSON: identity, module, fields, options, link targets, permissions, submittable amendments.

One test id per doctype folder (``[loan_application]``); messages name the JSON file and the field.
"""

import re

import pytest
from appmeta import (
	FIELDTYPES,
	FRAPPE_DOCTYPES,
	FRAPPE_PKG,
	HAS_FRAPPE,
	STANDARD_FIELDS,
	TABLE_FIELDTYPES,
	app_doctypes,
	check_doctype_target,
	doctype_folders,
	doctype_json_path,
	field,
	fieldnames_of,
	fields_of,
	frappe_doctype_index,
	frappe_doctype_json,
	is_valid_fieldname,
	known_role,
	modules,
	read_json,
	rel,
	scrub,
	top_level_names,
)

FOLDERS = doctype_folders()
by_folder = pytest.mark.parametrize("folder", FOLDERS, ids=[f.name for f in FOLDERS])


def app_doctypes_by_folder() -> dict:
	return {scrub(name): meta for name, meta in app_doctypes().items()}


def load(folder):
	"""(meta, "path/of/file.json") for a doctype folder; the JSON test reports unreadable files."""
	path = doctype_json_path(folder)
	meta = read_json(path)
	assert isinstance(meta, dict), f"{rel(path)}: top level is {type(meta).__name__}, not an object"
	return meta, rel(path)


def describe(f: dict) -> str:
	return f"field {f.get('fieldname')!r} ({f.get('fieldtype')})"


def test_app_has_doctypes():
	assert FOLDERS, "no <module>/doctype/<name>/ folders found under the app package"


@by_folder
def test_json_identity(folder):
	"""The JSON loads, is a DocType, and its name scrubs to its folder (and file) name."""
	meta, where = load(folder)
	assert meta.get("doctype") == "DocType", (
		f"{where}: doctype is {meta.get('doctype')!r}, expected 'DocType'"
	)
	name = meta.get("name")
	assert isinstance(name, str) and name.strip() == name and name, f"{where}: bad name {name!r}"
	assert scrub(name) == folder.name, (
		f"{where}: name {name!r} scrubs to {scrub(name)!r}, but the folder is {folder.name!r}"
	)
	assert isinstance(meta.get("fields"), list), f"{where}: 'fields' is missing or not a list"


@by_folder
def test_controller(folder):
	"""Frappe imports <name>.py from the folder (a package) and takes class <NameWithoutSpaces> from it."""
	meta, where = load(folder)
	assert (folder / "__init__.py").is_file(), f"{rel(folder)}/__init__.py is missing"
	assert (folder.parent / "__init__.py").is_file(), f"{rel(folder.parent)}/__init__.py is missing"
	controller = folder / f"{folder.name}.py"
	assert controller.is_file(), f"{where}: controller {rel(controller)} is missing"
	classname = str(meta.get("name", "")).replace(" ", "").replace("-", "")
	assert top_level_names(controller).get(classname) == "class", (
		f"{rel(controller)}: no top-level class {classname} (Frappe's controller for {meta.get('name')!r})"
	)


@by_folder
def test_module(folder):
	"""`module` is in modules.txt and its scrubbed name is the module folder that holds the doctype."""
	meta, where = load(folder)
	module = meta.get("module")
	assert module in modules(), f"{where}: module {module!r} is not listed in modules.txt {list(modules())}"
	module_dir = folder.parent.parent.name
	assert scrub(module) == module_dir, (
		f"{where}: module {module!r} scrubs to {scrub(module)!r}, but the doctype lives in {module_dir}/"
	)


@by_folder
def test_fields(folder):
	"""Every field has a known fieldtype and a unique, valid, non-reserved fieldname."""
	meta, where = load(folder)
	problems, seen = [], set()
	for i, f in enumerate(meta.get("fields") or []):
		if not isinstance(f, dict):
			problems.append(f"fields[{i}] is not an object")
			continue
		name = f.get("fieldname")
		why = is_valid_fieldname(name)
		if why:
			problems.append(f"fields[{i}] ({f.get('label')!r}): {why}")
		if name in seen:
			problems.append(f"fields[{i}]: fieldname {name!r} appears more than once")
		seen.add(name)
		if f.get("fieldtype") not in FIELDTYPES:
			problems.append(f"{describe(f)}: unknown fieldtype {f.get('fieldtype')!r}")
	assert not problems, f"{where}:\n  " + "\n  ".join(problems)


@by_folder
def test_field_order(folder):
	"""`field_order` lists each field of `fields` exactly once, and nothing else."""
	meta, where = load(folder)
	order = meta.get("field_order")
	names = [f.get("fieldname") for f in fields_of(meta)]
	assert isinstance(order, list), f"{where}: field_order is missing or not a list"
	dupes = sorted({n for n in order if order.count(n) > 1})
	missing = [n for n in names if n not in order]
	extra = [n for n in order if n not in names]
	assert not (dupes or missing or extra), (
		f"{where}: field_order inconsistent with fields: "
		f"repeated {dupes}, fields not in field_order {missing}, field_order entries with no field {extra}"
	)


@by_folder
def test_options_present(folder):
	"""Select fields have options; Link, Table, Table MultiSelect and Dynamic Link fields name a target."""
	meta, where = load(folder)
	problems = []
	for f in fields_of(meta):
		options = f.get("options")
		text = options.strip() if isinstance(options, str) else ""
		if f.get("fieldtype") == "Select" and not [o for o in text.split("\n") if o.strip()]:
			problems.append(f"{describe(f)} has no options")
		elif f.get("fieldtype") in ("Link", "Dynamic Link", *TABLE_FIELDTYPES) and not text:
			problems.append(f"{describe(f)} has no options (target doctype)")
		elif f.get("fieldtype") in ("Link", *TABLE_FIELDTYPES) and text != options:
			problems.append(f"{describe(f)}: options {options!r} has surrounding whitespace")
	assert not problems, f"{where}:\n  " + "\n  ".join(problems)


@by_folder
def test_link_targets(folder):
	"""Links point at existing non-table doctypes, Tables at existing child tables (app or Frappe)."""
	meta, where = load(folder)
	problems = []
	for f in fields_of(meta):
		fieldtype, target = f.get("fieldtype"), f.get("options")
		if fieldtype in ("Link", *TABLE_FIELDTYPES) and isinstance(target, str) and target.strip():
			why = check_doctype_target(target, want_table=fieldtype in TABLE_FIELDTYPES)
			if why:
				problems.append(f"{describe(f)} -> {target!r}: {why}")
		elif fieldtype == "Dynamic Link" and isinstance(target, str) and target.strip():
			source = field(meta, target)
			if not source or not (
				(source.get("fieldtype") == "Link" and source.get("options") == "DocType")
				or source.get("fieldtype") == "Select"
			):
				problems.append(
					f"{describe(f)}: options {target!r} is not a Link-to-DocType or Select field here"
				)
	assert not problems, f"{where}:\n  " + "\n  ".join(problems)


@by_folder
def test_permission_roles(folder):
	"""Every DocPerm role is one of the app's roles (setup/fixtures/role.json) or a Frappe standard role."""
	meta, where = load(folder)
	problems = []
	for i, perm in enumerate(meta.get("permissions") or []):
		role = perm.get("role") if isinstance(perm, dict) else None
		if not role:
			problems.append(f"permissions[{i}] has no role")
		elif not known_role(role):
			problems.append(
				f"permissions[{i}]: role {role!r} is not in setup/fixtures/role.json nor standard"
			)
	if meta.get("istable") and meta.get("is_submittable"):
		problems.append("a child table (istable 1) cannot be is_submittable")
	assert not problems, f"{where}:\n  " + "\n  ".join(problems)


@by_folder
def test_docperm_rules(folder):
	"""DocPerm rows obey Frappe's validate_permissions: one row per role/level/if_owner, level 0 first,
	cancel needs submit, submit/cancel/amend need write, submit/amend only on submittable doctypes."""
	meta, where = load(folder)
	perms = [p for p in meta.get("permissions") or [] if isinstance(p, dict)]
	if meta.get("istable"):
		assert not perms, (
			f"{where}: child table with permissions rows (Frappe uses the parent's; these are dead)"
		)
		return
	problems, seen = [], set()
	for i, p in enumerate(perms):
		at = f"permissions[{i}] ({p.get('role')!r}, level {p.get('permlevel') or 0})"
		key = (p.get("role"), p.get("permlevel") or 0, p.get("if_owner") or 0)
		if key in seen:
			problems.append(f"{at}: a second rule for the same role, level and if_owner")
		seen.add(key)
		if not any(p.get(k) for k in ("select", "read", "write", "submit", "cancel", "create")):
			problems.append(f"{at}: no basic permission set")
		if p.get("cancel") and not p.get("submit"):
			problems.append(f"{at}: cancel without submit")
		if (p.get("submit") or p.get("cancel") or p.get("amend")) and not p.get("write"):
			problems.append(f"{at}: submit/cancel/amend without write")
		if (p.get("submit") or p.get("amend")) and not meta.get("is_submittable"):
			problems.append(f"{at}: submit/amend on a doctype that is not submittable")
		if p.get("import") and not (p.get("create") and meta.get("allow_import")):
			problems.append(f"{at}: import needs create and allow_import")
		has_level_0 = any(q.get("role") == p.get("role") and not q.get("permlevel") for q in perms)
		if (p.get("permlevel") or 0) and p.get("role") not in ("All", "Desk User") and not has_level_0:
			problems.append(f"{at}: no level-0 rule for this role")
	assert not problems, f"{where}:\n  " + "\n  ".join(problems)


def child_tables_of(meta: dict) -> list[dict]:
	return [
		app_doctypes()[f["options"]]
		for f in fields_of(meta)
		if f.get("fieldtype") in TABLE_FIELDTYPES and f.get("options") in app_doctypes()
	]


@by_folder
def test_permlevels(folder):
	"""Each field permlevel above 0 has DocPerm rows at that level (the parent's rows, for a child table's
	fields), and each DocPerm level above 0 is used by some field of the doctype or of its child tables."""
	meta, where = load(folder)
	problems = []
	if meta.get("istable"):
		parents = [m for m in app_doctypes().values() if any(c is meta for c in child_tables_of(m))]
		for f in fields_of(meta):
			level = f.get("permlevel") or 0
			for parent in parents if level else []:
				if not any((p.get("permlevel") or 0) == level for p in parent.get("permissions") or []):
					problems.append(
						f"{describe(f)} has permlevel {level}, but parent {parent['name']!r} has no DocPerm "
						"at that level: nobody but Administrator sees it"
					)
	else:
		levels = {f.get("permlevel") or 0 for f in fields_of(meta)}
		levels |= {f.get("permlevel") or 0 for child in child_tables_of(meta) for f in fields_of(child)}
		perm_levels = {p.get("permlevel") or 0 for p in meta.get("permissions") or [] if isinstance(p, dict)}
		for f in fields_of(meta):
			if (f.get("permlevel") or 0) not in perm_levels | {0}:
				problems.append(
					f"{describe(f)} has permlevel {f.get('permlevel')}, with no DocPerm at that level"
				)
		for level in sorted(perm_levels - levels - {0}):
			problems.append(f"DocPerm rows at level {level}, but no field (here or in child tables) uses it")
	assert not problems, f"{where}:\n  " + "\n  ".join(problems)


SUBMITTABLE = [f for f in FOLDERS if (app_doctypes_by_folder().get(f.name) or {}).get("is_submittable")]


@pytest.mark.parametrize("folder", SUBMITTABLE, ids=[f.name for f in SUBMITTABLE])
def test_submittable_has_amended_from(folder):
	"""A submittable doctype has `amended_from`, a Link to itself (what Frappe's Amend fills in)."""
	meta, where = load(folder)
	f = field(meta, "amended_from")
	assert f, f"{where}: is_submittable but has no amended_from field"
	assert f.get("fieldtype") == "Link" and f.get("options") == meta.get("name"), (
		f"{where}: amended_from is {f.get('fieldtype')} -> {f.get('options')!r}, "
		f"expected Link -> {meta.get('name')!r}"
	)


@by_folder
def test_naming_and_display_fields(folder):
	"""autoname, title_field, image_field, sort_field and search_fields name fields that exist."""
	meta, where = load(folder)
	names = fieldnames_of(meta) | STANDARD_FIELDS
	problems = []
	autoname = meta.get("autoname") or ""
	if autoname.startswith("naming_series:"):
		f = field(meta, "naming_series")
		if not f or f.get("fieldtype") != "Select":
			problems.append("autoname 'naming_series:' needs a Select field naming_series")
	elif autoname.startswith("field:"):
		if autoname[len("field:") :] not in names:
			problems.append(f"autoname {autoname!r}: no such field")
	elif autoname.startswith("format:"):
		for ref in re.findall(r"\{([^}]+)\}", autoname):
			if ref not in names and not re.fullmatch(r"#+|YY|YYYY|MM|DD|MON|WW|FY|timestamp", ref):
				problems.append(f"autoname {autoname!r}: {{{ref}}} is not a field")
	for key in ("title_field", "image_field", "sort_field"):
		if meta.get(key) and meta[key] not in names:
			problems.append(f"{key} {meta[key]!r} is not a field")
	for name in filter(None, (s.strip() for s in (meta.get("search_fields") or "").split(","))):
		if name not in names:
			problems.append(f"search_fields entry {name!r} is not a field")
	assert not problems, f"{where}:\n  " + "\n  ".join(problems)


def test_doctype_folders_have_json():
	"""Every folder under <module>/doctype/ is a doctype (has <folder>.json); names are unique."""
	missing = [rel(doctype_json_path(f)) for f in FOLDERS if not doctype_json_path(f).is_file()]
	assert not missing, f"doctype folders without their JSON: {missing}"
	names = [scrub(n) for n in app_doctypes()]
	assert len(names) == len(set(names)), (
		f"doctype names collide: {sorted(n for n in names if names.count(n) > 1)}"
	)


@pytest.mark.skipif(not HAS_FRAPPE, reason="apps/frappe is not checked out")
def test_allowlist_matches_frappe():
	"""Each allowlisted Frappe doctype exists in Frappe's tree with the `istable` the allowlist claims."""
	problems = []
	for name, istable in FRAPPE_DOCTYPES.items():
		path = frappe_doctype_json(name)
		if path is None:
			problems.append(f"{name!r} not found under {rel(FRAPPE_PKG)}")
		elif bool(read_json(path).get("istable")) != bool(istable):
			problems.append(f"{name!r}: allowlist says istable={istable}, {rel(path)} says otherwise")
	assert not problems, "FRAPPE_DOCTYPES in tests/meta/appmeta.py:\n  " + "\n  ".join(problems)


@pytest.mark.skipif(not HAS_FRAPPE, reason="apps/frappe is not checked out")
def test_no_clash_with_frappe_doctypes():
	"""No app doctype reuses the name of a Frappe doctype (one would replace the other's table)."""
	clashes = sorted(n for n in app_doctypes() if scrub(n) in frappe_doctype_index())
	assert not clashes, f"app doctypes named like Frappe doctypes: {clashes}"
