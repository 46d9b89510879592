"""Readers shared by the Tier 1 metadata checks: files in, plain data out.

Nothing here imports Frappe or the app; JSON is read with ``json`` and Python with ``ast``. Frappe's source
(apps/frappe) is used only to confirm names when it is checked out; every check also works without it.
"""

import ast
import functools
import json
import keyword
import re
from dataclasses import dataclass
from pathlib import Path

BENCH = Path(__file__).resolve().parents[2]
APP_NAME = "pinjaman_online"
APP_ROOT = BENCH / "apps" / APP_NAME
APP_PKG = APP_ROOT / APP_NAME
HOOKS = APP_PKG / "hooks.py"
MODULES_TXT = APP_PKG / "modules.txt"
API_DIR = APP_PKG / "api"
FIXTURES = APP_PKG / "setup" / "fixtures"
WORKFLOW_JSON = FIXTURES / "workflow.json"
ROLE_JSON = FIXTURES / "role.json"
WORKFLOW_STATE_JSON = FIXTURES / "workflow_state.json"
WORKFLOW_ACTION_JSON = FIXTURES / "workflow_action_master.json"

FRAPPE_PKG = BENCH / "apps" / "frappe" / "frappe"
HAS_FRAPPE = (FRAPPE_PKG / "core" / "doctype" / "doctype" / "doctype.json").is_file()

# Frappe doctypes the app may point Link / Table fields at, with their `istable`. A new target must be added
# here on purpose; when apps/frappe is checked out the tests also confirm each one against Frappe's tree.
FRAPPE_DOCTYPES = {
	"User": 0,
	"Role": 0,
	"Currency": 0,
	"Country": 0,
	"Language": 0,
	"File": 0,
	"DocType": 0,
	"Module Def": 0,
	"Workflow": 0,
	"Workflow State": 0,
	"Workflow Action Master": 0,
	"Print Format": 0,
	"Letter Head": 0,
	"Email Template": 0,
	"Contact": 0,
	"Address": 0,
	"Has Role": 1,
	"Dynamic Link": 1,
	"Personal Data Download Request": 0,  # borrower: personal data export (override_doctype_class)
	"Activity Log": 0,  # login_policy: Frappe's failed-login log (doc_events)
	"Document Follow": 0,  # permissions: a record is followed only by who may read it (doc_events)
	"Error Log": 0,  # monitoring: each Error Log is also an Exception Log (doc_events, Link)
	# permissions: records about a document follow the document; a notification only its user's
	"Version": 0,
	"Comment": 0,
	"Communication": 0,
	"Notification Log": 0,
}

# Roles every Frappe site has; the app's own roles come from setup/fixtures/role.json.
FRAPPE_STANDARD_ROLES = frozenset({"Administrator", "System Manager", "All", "Guest"})

# Field types of a Frappe 15 DocField (the options of DocField.fieldtype).
FIELDTYPES = frozenset(
	{
		"Autocomplete", "Attach", "Attach Image", "Barcode", "Button", "Check", "Code", "Color",
		"Column Break", "Currency", "Data", "Date", "Datetime", "Duration", "Dynamic Link", "Float", "Fold",
		"Geolocation", "Heading", "HTML", "HTML Editor", "Icon", "Image", "Int", "JSON", "Link", "Long Text",
		"Markdown Editor", "Password", "Percent", "Phone", "Read Only", "Rating", "Section Break", "Select",
		"Signature", "Small Text", "Tab Break", "Table", "Table MultiSelect", "Text", "Text Editor", "Time",
	}
)  # fmt: skip
TABLE_FIELDTYPES = frozenset({"Table", "Table MultiSelect"})

# Columns every document has (frappe.model.default_fields, child_table_fields, optional_fields).
STANDARD_FIELDS = frozenset(
	{
		"doctype", "name", "owner", "creation", "modified", "modified_by", "docstatus", "idx",
		"parent", "parentfield", "parenttype", "_user_tags", "_comments", "_assign", "_liked_by", "_seen",
	}
)  # fmt: skip
# Names a DocField may not take: the standard columns, DocType.scrub_field_names' `restricted` and
# BaseDocument._reserved_keywords.
RESERVED_FIELDNAMES = STANDARD_FIELDS | {
	"file_list", "flags", "meta", "parent_doc", "_table_fields", "_valid_columns", "_doc_before_save",
	"_table_fieldnames", "_reserved_keywords", "permitted_fieldnames", "dont_update_if_missing",
}  # fmt: skip
FIELDNAME_RE = re.compile(r"^[a-z_][a-z0-9_]*$")
MAX_FIELDNAME_LENGTH = 64

# Hook strings that name assets (app_include_js = "pinjaman_online.bundle.js"), not Python objects.
ASSET_SUFFIXES = (".js", ".css", ".scss", ".less", ".ts", ".vue", ".html", ".json", ".svg", ".png", ".jpg")


def scrub(name: str) -> str:
	"""frappe.scrub: "Loan Application" → "loan_application"."""
	return name.replace(" ", "_").replace("-", "_").lower()


def rel(path: Path) -> str:
	"""A path relative to the bench, for messages."""
	try:
		return str(path.relative_to(BENCH))
	except ValueError:
		return str(path)


@functools.cache
def read_json(path: Path):
	"""The parsed JSON at ``path``; AssertionError naming the file when it is missing or not JSON."""
	try:
		return json.loads(path.read_text(encoding="utf-8"))
	except OSError as exc:
		raise AssertionError(f"{rel(path)}: cannot read: {exc}") from None
	except ValueError as exc:
		raise AssertionError(f"{rel(path)}: not valid JSON: {exc}") from None


# Modules and doctypes -------------------------------------------------------------------------------------


@functools.cache
def modules() -> tuple[str, ...]:
	"""The module names listed in modules.txt, in order."""
	try:
		text = MODULES_TXT.read_text(encoding="utf-8")
	except OSError:
		return ()  # test_modules_txt reports it
	return tuple(line.strip() for line in text.splitlines() if line.strip())


@functools.cache
def doctype_folders() -> tuple[Path, ...]:
	"""Every <module>/doctype/<name>/ folder of the app (whatever modules.txt says)."""
	return tuple(
		sorted(p for p in APP_PKG.glob("*/doctype/*") if p.is_dir() and not p.name.startswith(("_", ".")))
	)


def doctype_json_path(folder: Path) -> Path:
	return folder / f"{folder.name}.json"


@functools.cache
def app_doctypes() -> dict:
	"""Doctype name → its JSON, for every app doctype JSON that loads (the others fail their own tests)."""
	out = {}
	for folder in doctype_folders():
		try:
			meta = read_json(doctype_json_path(folder))
		except AssertionError:
			continue
		if isinstance(meta, dict) and isinstance(meta.get("name"), str):
			out[meta["name"]] = meta
	return out


def fields_of(meta: dict) -> list[dict]:
	return [f for f in meta.get("fields") or [] if isinstance(f, dict)]


def fieldnames_of(meta: dict) -> set[str]:
	return {f["fieldname"] for f in fields_of(meta) if isinstance(f.get("fieldname"), str)}


def field(meta: dict, fieldname: str) -> dict | None:
	return next((f for f in fields_of(meta) if f.get("fieldname") == fieldname), None)


def has_perm(meta: dict, role: str, ptype: str) -> bool:
	"""Whether a level-0 DocPerm row of ``meta`` gives ``role`` the right ``ptype``."""
	return any(
		p.get("role") == role and not p.get("permlevel") and p.get(ptype)
		for p in meta.get("permissions") or []
		if isinstance(p, dict)
	)


@functools.cache
def frappe_doctype_index() -> dict:
	"""Scrubbed name → JSON of each doctype in Frappe's modules (frappe/<module>/doctype/<s>/<s>.json)."""
	if not HAS_FRAPPE:
		return {}
	return {p.parent.name: p for p in FRAPPE_PKG.glob("*/doctype/*/*.json") if p.stem == p.parent.name}


@functools.cache
def frappe_doctype_json(name: str) -> Path | None:
	"""Frappe's JSON for doctype ``name`` (frappe/**/doctype/<scrub>/<scrub>.json), None if absent."""
	if not HAS_FRAPPE:
		return None
	s = scrub(name)
	if s in frappe_doctype_index():
		return frappe_doctype_index()[s]
	found = sorted(FRAPPE_PKG.glob(f"**/doctype/{s}/{s}.json"))
	return found[0] if found else None


def doctype_istable(name: str) -> tuple[bool | None, str]:
	"""(istable, description) for an app or allowlisted Frappe doctype; (None, why not) when it is neither.

	Frappe doctypes are taken from FRAPPE_DOCTYPES; when apps/frappe is checked out they must also exist in
	its tree, whose JSON then gives `istable`.
	"""
	if name in app_doctypes():
		return bool(app_doctypes()[name].get("istable")), f"app doctype {name!r}"
	if name in FRAPPE_DOCTYPES:
		where = f"Frappe doctype {name!r}"
		if not HAS_FRAPPE:
			return bool(FRAPPE_DOCTYPES[name]), where
		path = frappe_doctype_json(name)
		if path is None:
			return None, f"{where} is in the tests' allowlist but not in Frappe's tree ({rel(FRAPPE_PKG)})"
		return bool(read_json(path).get("istable")), where
	return None, (
		f"{name!r} is neither an app doctype nor an allowlisted Frappe doctype "
		"(standard Frappe targets go in FRAPPE_DOCTYPES, tests/meta/appmeta.py)"
	)


def check_doctype_target(name: str, *, want_table: bool) -> str | None:
	"""Why ``name`` is not a valid Link (want_table False) or Table target, or None when it is."""
	istable, where = doctype_istable(name)
	if istable is None:
		return where
	if want_table and not istable:
		return f"{where} is not a child table (istable is not 1)"
	if not want_table and istable:
		return f"{where} is a child table (istable 1); a Link cannot point at it"
	return None


# Roles and workflow fixtures ---------------------------------------------------------------------------


def fixture_names(path: Path, doctype: str, name_field: str) -> set[str]:
	"""The names of the ``doctype`` records in a fixture list (``name`` and the naming field)."""
	names = set()
	for record in read_json(path):
		if isinstance(record, dict) and record.get("doctype") == doctype:
			names.update(v for v in (record.get("name"), record.get(name_field)) if isinstance(v, str) and v)
	return names


@functools.cache
def app_roles() -> frozenset:
	return frozenset(fixture_names(ROLE_JSON, "Role", "role_name"))


def known_role(role: str) -> bool:
	return role in FRAPPE_STANDARD_ROLES or role in app_roles()


def workflows() -> list[dict]:
	"""The Workflow records of workflow.json; [] when the file cannot be read (its own test fails)."""
	try:
		data = read_json(WORKFLOW_JSON)
	except AssertionError:
		return []
	return (
		[w for w in data if isinstance(w, dict) and w.get("doctype") == "Workflow"]
		if isinstance(data, list)
		else []
	)


# Python source, read with ast ----------------------------------------------------------------------------


@functools.cache
def parse_py(path: Path) -> ast.Module:
	return ast.parse(path.read_text(encoding="utf-8"), filename=str(path))


def _bound_names(stmts, out: dict):
	"""Names bound at module level by ``stmts`` (descending into if / try / with, not into defs)."""
	for node in stmts:
		if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
			out.setdefault(node.name, "def")
		elif isinstance(node, ast.ClassDef):
			out.setdefault(node.name, "class")
		elif isinstance(node, (ast.Assign, ast.AnnAssign, ast.AugAssign)):
			targets = node.targets if isinstance(node, ast.Assign) else [node.target]
			for target in targets:
				for name in ast.walk(target):
					if isinstance(name, ast.Name):
						out.setdefault(name.id, "assignment")
		elif isinstance(node, (ast.Import, ast.ImportFrom)):
			for alias in node.names:
				if alias.name != "*":
					out.setdefault(alias.asname or alias.name.split(".")[0], "import")
		elif isinstance(node, ast.If):
			_bound_names(node.body + node.orelse, out)
		elif isinstance(node, ast.Try):
			_bound_names(node.body + node.orelse + node.finalbody, out)
			for handler in node.handlers:
				_bound_names(handler.body, out)
		elif isinstance(node, (ast.With, ast.AsyncWith)):
			_bound_names(node.body, out)


@functools.cache
def top_level_names(path: Path) -> dict:
	"""Name → how it is bound ("def", "class", "assignment", "import") at the top level of ``path``."""
	out = {}
	_bound_names(parse_py(path).body, out)
	return out


def module_file(dotted_module: str) -> tuple[Path | None, str | None]:
	"""(file, None) for an app module path such as ``pinjaman_online.setup.install``, or (None, why not)."""
	parts = dotted_module.split(".")
	if parts[0] != APP_NAME:
		return None, f"{dotted_module!r} is not in the {APP_NAME} package"
	for i in range(1, len(parts)):
		package = APP_ROOT.joinpath(*parts[:i])
		if not (package / "__init__.py").is_file():
			return None, f"{rel(package)}/ is not a package (no __init__.py)"
	base = APP_ROOT.joinpath(*parts)
	for candidate in (base.with_suffix(".py"), base / "__init__.py"):
		if candidate.is_file():
			return candidate, None
	return None, f"no module file {rel(base.with_suffix('.py'))} (nor {rel(base / '__init__.py')})"


def resolve_dotted(dotted: str) -> str | None:
	"""Why ``pkg.module.attr`` does not name a function/class defined at the top of an app module, or None."""
	module, _, attr = dotted.rpartition(".")
	path, why = module_file(module)
	if path is None:
		return why
	try:
		names = top_level_names(path)
	except SyntaxError as exc:
		return f"{rel(path)} does not parse: {exc}"
	if attr not in names:
		return f"{rel(path)} defines no top-level {attr!r} (no def, class, assignment or import of it)"
	return None


def hook_statement_name(node: ast.stmt) -> str | None:
	"""The hook a top-level hooks.py statement sets: ``x = …``, ``x: T = …``, ``x += …``, ``x["k"] = …``."""
	targets = node.targets if isinstance(node, ast.Assign) else [getattr(node, "target", None)]
	for target in targets:
		while isinstance(target, (ast.Subscript, ast.Attribute)):
			target = target.value
		if isinstance(target, ast.Name):
			return target.id
	return None


@functools.cache
def hooks() -> dict:
	"""Hook name → value, for each top-level hooks.py assignment whose value is a literal."""
	out = {}
	try:
		tree = parse_py(HOOKS)
	except (OSError, SyntaxError):
		return out
	for node in tree.body:
		if isinstance(node, (ast.Assign, ast.AnnAssign)) and node.value is not None:
			target = node.targets[0] if isinstance(node, ast.Assign) else node.target
			name = hook_statement_name(node)
			if name and isinstance(target, ast.Name):
				try:
					out[name] = ast.literal_eval(node.value)
				except ValueError:
					pass
	return out


DOTTED_RE = re.compile(rf"^{APP_NAME}(?:\.[A-Za-z_][A-Za-z0-9_]*)+$")


def _app_strings(node: ast.AST, trail: str):
	"""(trail, string, line) for each app dotted path in ``node``; trail is the ['key'][0] route to it."""
	if isinstance(node, ast.Dict):
		for key, value in zip(node.keys, node.values, strict=True):
			label = repr(key.value) if isinstance(key, ast.Constant) else "?"
			if key is not None:
				yield from _app_strings(key, f"{trail}<key>")
			yield from _app_strings(value, f"{trail}[{label}]")
	elif isinstance(node, (ast.List, ast.Tuple, ast.Set)):
		for i, elt in enumerate(node.elts):
			yield from _app_strings(elt, f"{trail}[{i}]")
	elif isinstance(node, ast.Constant):
		if (
			isinstance(node.value, str)
			and DOTTED_RE.match(node.value)
			and not node.value.endswith(ASSET_SUFFIXES)
		):
			yield trail, node.value, node.lineno
	else:  # calls, comprehensions, f(...) | {...}: any string inside still counts
		for child in ast.iter_child_nodes(node):
			yield from _app_strings(child, trail)


@functools.cache
def hook_dotted_paths() -> tuple[tuple[str, str, str, int], ...]:
	"""(hook, where, dotted path, line) for every ``pinjaman_online.…`` string any hooks.py statement sets.

	``where`` locates the string inside the hook (``has_permission['Loan']``). Strings are collected from the
	whole statement (dict keys and values, lists, nested dicts, expressions), so new hooks need no change
	here; asset names such as ``pinjaman_online.bundle.js`` are left out.
	"""
	found = []
	try:
		tree = parse_py(HOOKS)
	except (OSError, SyntaxError):
		return ()  # test_hooks_parse_and_app_name reports it
	for node in tree.body:
		if isinstance(node, (ast.Assign, ast.AnnAssign, ast.AugAssign)) and node.value is not None:
			name = hook_statement_name(node) or f"<line {node.lineno}>"
			found.extend(
				(name, name + trail, dotted, line) for trail, dotted, line in _app_strings(node.value, "")
			)
	return tuple(found)


# Whitelisted API functions -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Whitelisted:
	path: Path
	dotted: str  # pinjaman_online.api.servicing.pay
	node: ast.FunctionDef | ast.AsyncFunctionDef
	top_level: bool
	decorator: ast.expr

	@property
	def where(self) -> str:
		return f"{rel(self.path)}:{self.node.lineno} {self.node.name}()"


def is_whitelist_decorator(dec: ast.expr) -> bool:
	"""``@frappe.whitelist(...)``, ``@whitelist(...)`` (imported from frappe), with or without the call."""
	target = dec.func if isinstance(dec, ast.Call) else dec
	if isinstance(target, ast.Attribute):
		return (
			target.attr == "whitelist" and isinstance(target.value, ast.Name) and target.value.id == "frappe"
		)
	return isinstance(target, ast.Name) and target.id == "whitelist"


@functools.cache
def whitelisted_functions() -> tuple[Whitelisted, ...]:
	"""Every function decorated with frappe.whitelist in api/*.py, in file and line order."""
	found = []
	for path in sorted(API_DIR.glob("*.py")):
		try:
			tree = parse_py(path)
		except SyntaxError:
			continue  # test_api_file_parses reports it
		top = {id(n) for n in tree.body}
		module = ".".join(path.relative_to(APP_ROOT).with_suffix("").parts)
		if path.name == "__init__.py":
			module = module.rpartition(".")[0]
		for node in ast.walk(tree):
			if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
				for dec in node.decorator_list:
					if is_whitelist_decorator(dec):
						found.append(Whitelisted(path, f"{module}.{node.name}", node, id(node) in top, dec))
						break
	return tuple(sorted(found, key=lambda w: (str(w.path), w.node.lineno)))


def is_valid_fieldname(name) -> str | None:
	"""Why ``name`` cannot be a DocField fieldname, or None."""
	if not isinstance(name, str) or not name:
		return "missing fieldname"
	if not FIELDNAME_RE.match(name) or not name.isidentifier():
		return f"{name!r} is not a lower-case identifier ([a-z_][a-z0-9_]*)"
	if keyword.iskeyword(name):
		return f"{name!r} is a Python keyword"
	if name in RESERVED_FIELDNAMES:
		return f"{name!r} is reserved by Frappe (standard column or Document attribute)"
	if len(name) > MAX_FIELDNAME_LENGTH:
		return f"{name!r} is longer than {MAX_FIELDNAME_LENGTH} characters"
	return None
