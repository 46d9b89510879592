"""hooks.py, patches.txt and modules.txt, read as files: every dotted path resolves to a definition.

hooks.py is parsed with ``ast``, never imported (it may import frappe one day). Every string of the form
``pinjaman_online.a.b.name`` in any top-level hook statement is checked, so new hooks are covered as they are
added.
"""

import ast
import re

import pytest
from appmeta import (
	APP_NAME,
	APP_PKG,
	HOOKS,
	MODULES_TXT,
	doctype_istable,
	hook_dotted_paths,
	hooks,
	module_file,
	modules,
	parse_py,
	rel,
	resolve_dotted,
	scrub,
	top_level_names,
)

# Hooks whose keys are doctype names ("*" meaning every doctype, where Frappe allows it).
DOCTYPE_KEYED_HOOKS = (
	"permission_query_conditions",
	"has_permission",
	"doc_events",
	"override_doctype_class",
	"override_doctype_dashboards",
	"doctype_js",
	"doctype_list_js",
	"doctype_tree_js",
	"doctype_calendar_js",
	"standard_queries",
	"default_mail_footer_doctypes",
)

PATHS = hook_dotted_paths()


def test_hooks_parse_and_app_name():
	"""hooks.py parses; app_name (a literal) is the package name, the folder of hooks.py."""
	try:
		parse_py(HOOKS)
	except SyntaxError as exc:
		pytest.fail(f"{rel(HOOKS)}:{exc.lineno}: does not parse: {exc.msg}")
	assert hooks().get("app_name") == APP_NAME == APP_PKG.name, (
		f"{rel(HOOKS)}: app_name is {hooks().get('app_name')!r}; the package folder is {APP_PKG.name!r}"
	)
	for key in ("app_title", "app_publisher", "app_description"):
		assert isinstance(hooks().get(key), str) and hooks()[key], f"{rel(HOOKS)}: {key} is missing or empty"


def test_hooks_name_app_functions():
	"""Guard against a silent collector: the hooks set today (after_install, …) are found."""
	assert PATHS, f"{rel(HOOKS)}: no '{APP_NAME}.…' dotted paths found in any hook"


@pytest.mark.parametrize(("hook", "where", "dotted", "line"), PATHS, ids=[f"{w}={d}" for _, w, d, _ in PATHS])
def test_hook_path_resolves(hook, where, dotted, line):
	"""The module file exists and defines the name at top level (def, class, assignment or import)."""
	why = resolve_dotted(dotted)
	assert why is None, f"{rel(HOOKS)}:{line} {where}: {dotted!r} does not resolve: {why}"


def test_hook_function_arity():
	"""Hooks Frappe calls with no arguments (install, migrate, tests, scheduler) take none."""
	zero_arg = {"after_install", "after_migrate", "before_install", "before_migrate", "before_tests",
		"after_sync", "before_uninstall", "after_uninstall", "scheduler_events"}  # fmt: skip
	problems = []
	for hook, where, dotted, line in PATHS:
		if hook not in zero_arg or resolve_dotted(dotted):
			continue
		module, _, name = dotted.rpartition(".")
		path, _ = module_file(module)
		for node in parse_py(path).body:
			if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and node.name == name:
				args = node.args
				required = len(args.posonlyargs) + len(args.args) - len(args.defaults)
				required += sum(1 for d in args.kw_defaults if d is None)
				if required:
					problems.append(f"{rel(HOOKS)}:{line} {where}: {dotted} requires {required} argument(s)")
	assert not problems, "\n".join(problems)


def test_hook_doctype_keys():
	"""Keys of doctype-keyed hooks (permission_query_conditions, doc_events, …) are real doctypes."""
	problems = []
	for hook in DOCTYPE_KEYED_HOOKS:
		value = hooks().get(hook)
		keys = value if isinstance(value, list) else list(value) if isinstance(value, dict) else []
		for key in keys:
			if key == "*" and hook in ("doc_events", "permission_query_conditions", "has_permission"):
				continue  # Frappe applies these to every doctype
			istable, why = doctype_istable(key)
			if istable is None:
				problems.append(f"{rel(HOOKS)}: {hook}[{key!r}]: {why}")
	assert not problems, "\n".join(problems)


def test_permission_hooks_cover_the_same_doctypes():
	"""A doctype narrowed in list views (permission_query_conditions) is narrowed per record too."""
	pqc, hp = hooks().get("permission_query_conditions") or {}, hooks().get("has_permission") or {}
	assert set(pqc) == set(hp), (
		f"{rel(HOOKS)}: only in permission_query_conditions {sorted(set(pqc) - set(hp))}, "
		f"only in has_permission {sorted(set(hp) - set(pqc))}"
	)


def test_patches_resolve():
	"""Each patches.txt entry is a module with a top-level execute() (or an `execute:` one-liner)."""
	path = APP_PKG / "patches.txt"
	problems = []
	for n, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
		line = raw.split("#", 1)[0].strip()
		if not line or re.fullmatch(r"\[\w+\]", line) or line.startswith("execute:"):
			continue
		dotted = line.split()[0]
		why = resolve_dotted(f"{dotted}.execute")
		if why:
			problems.append(f"{rel(path)}:{n}: {dotted!r}: {why}")
		elif top_level_names(module_file(dotted)[0]).get("execute") != "def":
			problems.append(f"{rel(path)}:{n}: {dotted!r}: execute is not a function")
	assert not problems, "\n".join(problems)


def test_package_version():
	"""pyproject's dynamic version (flit) comes from __version__ in the package's __init__.py."""
	init = APP_PKG / "__init__.py"
	assert top_level_names(init).get("__version__") == "assignment", f"{rel(init)}: no __version__"


# modules.txt ---------------------------------------------------------------------------------------------


def test_modules_txt():
	"""modules.txt is there and lists each module once."""
	listed = list(modules())
	assert listed, f"{rel(MODULES_TXT)} is missing or empty"
	dupes = sorted(
		{m for m in listed if listed.count(m) > 1 or [scrub(x) for x in listed].count(scrub(m)) > 1}
	)
	assert not dupes, f"{rel(MODULES_TXT)}: listed more than once: {dupes}"


@pytest.mark.parametrize("module", modules(), ids=[scrub(m) for m in modules()])
def test_module_folder(module):
	"""Each module has a package folder <scrubbed name>/ with __init__.py."""
	folder = APP_PKG / scrub(module)
	assert folder.is_dir(), f"{rel(MODULES_TXT)}: module {module!r} has no folder {rel(folder)}/"
	assert (folder / "__init__.py").is_file(), (
		f"{rel(MODULES_TXT)}: module {module!r}: {rel(folder)}/__init__.py missing"
	)
