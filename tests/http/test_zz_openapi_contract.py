"""Runs last (file order): every response that the HTTP tests of this run received from a documented borrower
endpoint — successes and refusals (401, 403, 404, 409, 417, 429 …), from every test module — is checked
against the OpenAPI document: documented method and status, JSON body valid against the documented schema.
"""

from conftest import RECORDED
from openapi_check import check_responses
from test_mobile import openapi_files


def test_every_borrower_api_response_of_the_run_matches_the_openapi_document():
	seen, problems = check_responses(openapi_files(), RECORDED)
	print(
		f"\n  OpenAPI contract: {len(RECORDED)} responses, {len(seen)} documented operations, {len(problems)} problems"
	)
	assert not problems, "\n".join(sorted(set(problems)))
	assert len(seen) >= 25, sorted(seen)
