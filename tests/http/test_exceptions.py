"""The exception log over HTTP (Tier 2): a refused webhook (a real request to the served site) is listed with
its source and severity for the Auditor and the Koperasi Admin (``GET /logs/exceptions``), nobody else reads
it, the admin resolves it, and nobody forges one."""

import pytest
from conftest import URL, new_session

P = "pinjaman_online.api.monitoring.exceptions"


@pytest.fixture(scope="module")
def refused_webhook():
	"""POST a payment webhook with a wrong signature, as the gateway's impostor would."""
	r = new_session().post(
		URL + "/api/method/pinjaman_online.api.mobile_payments.payment_webhook",
		data=b'{"event": "payment.paid"}',
		headers={"X-Signature": "0" * 64, "Content-Type": "application/json"},
		timeout=60,
	)
	assert 400 <= r.status_code < 500, r.text[:300]


def test_a_refused_webhook_is_listed_for_the_auditor(refused_webhook, staff, make_user):
	auditor = make_user("auditor-exc", "Auditor")
	listed = auditor.method(P, verb="GET", source="Webhook", status="Open")
	row = next(r for r in listed["data"] if r["title"] == "Payment webhook: bad signature")
	assert (row["source"], row["severity"], row["status"]) == ("Webhook", "High", "Open")
	assert row["occurrences"] >= 1 and row["last_occurred"]
	assert listed["total"] >= 1
	# the auditor reads, and writes nothing
	auditor.update("Exception Log", row["name"], {"status": "Resolved"}, expect=403)
	# the Error Log behind it (a traceback that may hold personal data) stays System Manager's
	auditor.call("GET", "/api/resource/Error Log", 403)

	admin = staff["admin"]
	resolved = admin.update(
		"Exception Log", row["name"], {"status": "Resolved", "resolution_note": "Kunci gateway diganti"}
	)
	assert resolved["status"] == "Resolved" and resolved["resolved_by"] == admin.user
	admin.update("Exception Log", row["name"], {"severity": "Low"}, expect=403)
	admin.call("POST", "/api/resource/Exception Log", 403, json={"title": "forged", "source": "Other"})


def test_filters_are_checked_and_other_roles_refused(staff):
	admin = staff["admin"]
	r = admin.method(P, expect=417, verb="GET", severity="Urgent")
	assert "Critical" in r.text
	admin.method(P, expect=417, verb="GET", from_date="kemarin")
	for key in ("sales", "finance", "analyst"):
		staff[key].method(P, expect=403, verb="GET")
		staff[key].call("GET", "/api/resource/Exception Log", 403)
