"""Check recorded HTTP responses against the borrower API's OpenAPI document (the contract must
match what the server does, not only its routes).

Every response whose path is documented is checked: its method must be documented, its status code must be
one of the operation's responses, and a JSON body must validate against that response's schema (OpenAPI 3.0
schema dialect, ``nullable`` included, through openapi-schema-validator; ``$ref`` into ``components``).
"""

from urllib.parse import urlsplit

from openapi_schema_validator import OAS30Validator


def _resolve(doc: dict, node: dict) -> dict:
	while "$ref" in node:
		section, name = node["$ref"].split("/")[-2:]
		node = doc["components"][section][name]
	return node


def check_responses(doc: dict, responses) -> tuple[set, list[str]]:
	"""Check ``responses`` (``requests.Response``) against ``doc``; returns (operations seen as
	``"METHOD path"``, problems as readable lines). Paths the document does not describe are skipped."""
	seen, problems = set(), []
	for r in responses:
		path = urlsplit(r.request.url).path
		ops = doc["paths"].get(path)
		if ops is None:
			continue
		method = r.request.method.lower()
		where = f"{method.upper()} {path} → {r.status_code}"
		op = ops.get(method)
		if op is None:
			problems.append(f"{where}: method not documented")
			continue
		seen.add(f"{method.upper()} {path}")
		spec = op["responses"].get(str(r.status_code)) or op["responses"].get("default")
		if spec is None:
			problems.append(f"{where}: status not documented ({', '.join(op['responses'])})")
			continue
		spec = _resolve(doc, spec)
		schema = (spec.get("content") or {}).get("application/json", {}).get("schema")
		if schema is None or not r.content:
			continue
		try:
			body = r.json()
		except ValueError:
			problems.append(f"{where}: body is not JSON")
			continue
		validator = OAS30Validator({**schema, "components": doc["components"]})
		for error in validator.iter_errors(body):
			at = "/".join(str(p) for p in error.absolute_path) or "(body)"
			problems.append(f"{where}: {at}: {error.message[:300]}")
	return seen, problems
