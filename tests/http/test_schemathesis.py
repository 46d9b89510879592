"""schemathesis against the served OpenAPI document of the borrower API, with a borrower's bearer token.

The document is the one the site serves (``/api/method/pinjaman_online.api.mobile.openapi``). Every operation
gets up to ``MAX_EXAMPLES`` cases that fit the schema (positive) and as many that do not (negative), generated
deterministically (``derandomize``), sent to the served site, and checked with two of schemathesis' checks:

* ``not_a_server_error``: no 5xx, whatever is sent;
* ``response_schema_conformance``: a response whose status the document lists has the documented body.

The test asserts 0 server errors and 0 schema violations and prints the figures (``bin/test -s``).

Operations left out: ``logout`` ends the borrower session every other case runs with. The SMS provider
is conftest's fake gateway (``sms``), so registrations and OTPs reach no real provider; the e-KYC, bureau
and payment providers are not reached by any case (no borrower here passes KYC).
"""

import time
from collections import Counter

import pytest
import requests
import schemathesis
from conftest import SITE, URL
from hypothesis import HealthCheck, Phase, given, settings
from schemathesis.generation import GenerationMode
from test_mobile import registered

MAX_EXAMPLES = 20
EXCLUDED = {"/api/method/pinjaman_online.api.mobile.logout"}
OPENAPI = "/api/method/pinjaman_online.api.mobile.openapi"


@pytest.fixture(scope="module")
def token(guest, sms) -> str:
	return registered(guest, sms)["tokens"]["access_token"]


def _checks():
	from schemathesis.checks import not_a_server_error
	from schemathesis.specs.openapi.checks import response_schema_conformance

	return {
		"not_a_server_error": not_a_server_error,
		"response_schema_conformance": response_schema_conformance,
	}


def test_schemathesis_finds_no_server_error_and_no_schema_violation(token):
	session = requests.Session()  # not conftest's: these responses are schemathesis' to judge
	session.headers["X-Frappe-Site-Name"] = SITE
	headers = {"Authorization": f"Bearer {token}", "Accept": "application/json"}
	document = session.get(URL + OPENAPI, headers=headers, timeout=60).json()["message"]
	schema = schemathesis.openapi.from_dict(document)
	checks = _checks()

	cases = Counter()  # (mode) -> cases sent
	statuses = Counter()
	failures: dict[str, dict[str, str]] = {name: {} for name in checks}  # check -> {distinct key: example}
	failing_cases = Counter()
	operations = 0
	started = time.monotonic()

	def runner(operation, mode):
		"""Up to MAX_EXAMPLES cases of ``operation`` in ``mode``, each sent and checked; failures recorded."""

		@settings(
			max_examples=MAX_EXAMPLES,
			derandomize=True,
			deadline=None,
			database=None,
			phases=[Phase.explicit, Phase.generate],
			suppress_health_check=list(HealthCheck),
		)
		@given(case=operation.as_strategy(generation_mode=mode))
		def run(case):
			response = case.call(base_url=URL, session=session, headers=headers, timeout=60)
			cases[mode.value] += 1
			statuses[response.status_code] += 1
			for name, check in checks.items():
				try:
					case.validate_response(response, checks=[check], headers=headers)
				except BaseException as exc:  # noqa: BLE001 - a failed check raises a (base) exception group
					failing_cases[name] += 1
					key = f"{operation.method.upper()} {operation.path} → {response.status_code}"
					body = response.text[:200].replace("\n", " ")
					failures[name].setdefault(key, f"{mode.value}: {type(exc).__name__}; body: {body}")

		return run

	for result in schema.get_all_operations():
		operation = result.ok()
		if operation.path in EXCLUDED:
			continue
		operations += 1
		for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
			try:
				runner(operation, mode)()
			except Exception as exc:
				if "unsatisfiable" not in f"{type(exc).__name__} {exc}".lower():
					raise

	seconds = time.monotonic() - started
	total = sum(cases.values())
	print(
		f"\nschemathesis {schemathesis.__version__} against {URL}{OPENAPI}: {operations} operations, "
		f"{total} cases ({dict(cases)}) in {seconds:.0f} s, at most {MAX_EXAMPLES} per operation and mode"
	)
	print(f"  statuses: {dict(sorted(statuses.items()))}")
	for name in checks:
		print(f"  {name}: {failing_cases[name]} failing cases, {len(failures[name])} distinct")
		for key, example in failures[name].items():
			print(f"    {key}: {example}")
	assert total > 0
	assert not failures["not_a_server_error"], failures["not_a_server_error"]
	assert not failures["response_schema_conformance"], failures["response_schema_conformance"]
