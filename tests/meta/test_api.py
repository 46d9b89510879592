"""Whitelisted API methods in api/*.py: reachable by dotted path, fully type-hinted, documented.

Frappe 15 validates a whitelisted method's arguments against its annotations on every request, so a missing
hint is a missing check; the project requires a docstring on each endpoint. The methods found are listed in
the terminal summary and each gets its own test id (``[pinjaman_online.api.servicing.pay]``).
"""

import ast

import pytest
from appmeta import API_DIR, module_file, parse_py, rel, resolve_dotted, whitelisted_functions

FOUND = whitelisted_functions()
by_method = pytest.mark.parametrize("w", FOUND, ids=[w.dotted for w in FOUND])


def test_api_has_whitelisted_methods():
	assert FOUND, f"no @frappe.whitelist() functions found in {rel(API_DIR)}/*.py"


API_FILES = sorted(API_DIR.glob("*.py"))


@pytest.mark.parametrize("path", API_FILES, ids=[p.name for p in API_FILES])
def test_api_file_parses(path):
	try:
		parse_py(path)
	except SyntaxError as exc:
		pytest.fail(f"{rel(path)}:{exc.lineno}: does not parse: {exc.msg}")


def test_api_package():
	assert (API_DIR / "__init__.py").is_file(), f"{rel(API_DIR)}/__init__.py is missing: api is not a package"


@by_method
def test_importable_by_path(w):
	"""The dotted path resolves (module file, packages) to a top-level def that is not redefined later."""
	assert w.top_level, f"{w.where}: whitelisted function is nested; /api/method/{w.dotted} cannot reach it"
	why = resolve_dotted(w.dotted)
	assert why is None, f"{w.where}: /api/method/{w.dotted} does not resolve: {why}"
	path, _ = module_file(w.dotted.rpartition(".")[0])
	assert path == w.path, f"{w.where}: {w.dotted} resolves to {rel(path)} instead"
	defs = [
		n.lineno
		for n in parse_py(w.path).body
		if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)) and n.name == w.node.name
	]
	assert defs == [w.node.lineno], f"{w.where}: {w.node.name} is defined at lines {defs}; the last one wins"


@by_method
def test_decorator_is_called(w):
	"""``@frappe.whitelist`` without parentheses replaces the function with a decorator: use ``()``."""
	assert isinstance(w.decorator, ast.Call), f"{w.where}: write @frappe.whitelist() (with parentheses)"


@by_method
def test_parameters_have_type_hints(w):
	"""Every parameter (positional, keyword-only, *args, **kwargs) has an annotation."""
	args = w.node.args
	params = [*args.posonlyargs, *args.args, *args.kwonlyargs, *filter(None, (args.vararg, args.kwarg))]
	missing = [p.arg for p in params if p.annotation is None]
	assert not missing, f"{w.where}: parameters without type hints: {missing}"


@by_method
def test_has_docstring(w):
	doc = ast.get_docstring(w.node)
	assert doc and doc.strip(), f"{w.where}: whitelisted method has no docstring"
