"""Borrower KYC over HTTP (KYC part): KTP + selfie upload (multipart and base64), e-KYC verification
on RQ against a fake provider (verified, rejected by face mismatch, provider down → manual review), the
reviewer's decision in the desk, file and record isolation between borrowers, the Administrator's shortcut,
and the personal data export.

The fake e-KYC provider and the fake SMS gateway are ``FakeGateway``s in this process; Borrower Settings
point the site's adapters at them. The provider answers per KYC Submission (the ``reference`` it receives)
from the scenario the test sets.
"""

import base64
import io
import json
import time

import pytest
from conftest import Api
from PIL import Image
from pinjaman_online.tests.fake_gateway import FakeGateway
from test_mobile import bearer, registered

K = "pinjaman_online.api.mobile_kyc."
SETTINGS = "/api/resource/Borrower Settings/Borrower Settings"
KYC = "KYC Submission"


def image(fmt: str = "JPEG", size=(320, 200), color=(200, 120, 40)) -> bytes:
	buf = io.BytesIO()
	Image.new("RGB", size, color).save(buf, fmt)
	return buf.getvalue()


class FakeEkyc:
	"""The provider: scenario per reference (KYC name): nik, name, score, found, or down (HTTP 503)."""

	def __init__(self):
		self.scenarios: dict[str, dict] = {}
		self.gw = FakeGateway()
		self.gw.route("POST", "/ocr/ktp", self.ocr)
		self.gw.route("POST", "/face/match", self.face)
		self.gw.route("POST", "/registry/verify", self.registry)

	def scenario(self, req):
		return self.scenarios.get((req.json or {}).get("reference"), {"down": True})

	def ocr(self, req):
		s = self.scenario(req)
		if s.get("down"):
			return 503, {"error": "maintenance"}
		return 200, {"nik": s["nik"], "name": s["name"].upper(), "reference": f"prov-{req.json['reference']}"}

	def face(self, req):
		s = self.scenario(req)
		if s.get("down"):
			return 503, {"error": "maintenance"}
		if not (req.json.get("selfie") and req.json.get("ktp")):
			return 400, {"error": "images missing"}
		return 200, {"score": s.get("score", 93.5)}

	def registry(self, req):
		s = self.scenario(req)
		if s.get("down"):
			return 503, {"error": "maintenance"}
		return 200, {"found": s.get("found", True), "name_match": True, "birth_date_match": True}


@pytest.fixture(scope="module")
def ekyc(admin):
	fake = FakeEkyc()
	admin.call(
		"PUT",
		SETTINGS,
		json={"ekyc_base_url": fake.gw.url, "ekyc_api_key": "ekyc-test-key"},
	)
	yield fake
	fake.gw.stop()


def borrower(guest, sms, ekyc, **scenario) -> dict:
	"""A registered, logged-in borrower whose KYC the fake provider answers with ``scenario``."""
	ident = registered(guest, sms)
	ident["api"] = bearer(ident["tokens"]["access_token"])
	ident["kyc"] = ident["api"].method(K + "status", verb="GET")["kyc"]
	ekyc.scenarios[ident["kyc"]] = {"nik": ident["nik"], "name": ident["full_name"], **scenario}
	return ident


def upload_multipart(api: Api, ktp: bytes, selfie: bytes, expect: int = 200, names=("ktp.jpg", "selfie.png")):
	r = api.call(
		"POST",
		f"/api/method/{K}upload",
		expect,
		files={"ktp": (names[0], ktp, "image/jpeg"), "selfie": (names[1], selfie, "image/png")},
	)
	return r.json()["message"] if r.status_code == 200 else r


def wait_for(api: Api, done, timeout: float = 40) -> dict:
	deadline = time.time() + timeout
	while True:
		st = api.method(K + "status", verb="GET")
		if done(st) or time.time() > deadline:
			return st
		time.sleep(0.5)


def decided(st):
	return st["status"] != "Pending" or st["stage"] == "in_review"


def test_upload_and_provider_verification(admin, guest, sms, ekyc, staff):
	b = borrower(guest, sms, ekyc, score=93.5)
	me = b["api"]
	st = me.method(K + "status", verb="GET")
	assert (st["status"], st["stage"], st["can_upload"]) == ("Pending", "awaiting_documents", True)
	assert st["nik_masked"] == b["nik"][:4] + "********" + b["nik"][-4:]

	st = upload_multipart(me, image("JPEG"), image("PNG"))
	assert st["status"] == "Pending" and st["documents_submitted"] and not st["can_upload"]
	st = wait_for(me, decided)
	assert (st["status"], st["stage"]) == ("Verified", "verified"), st
	assert [(h["from_status"], h["to_status"]) for h in st["history"]][-1] == ("Pending", "Verified")
	assert b["nik"] not in json.dumps(st)

	calls = [r for r in ekyc.gw.requests if (r.json or {}).get("reference") == b["kyc"]]
	assert sorted(r.path for r in calls) == ["/face/match", "/ocr/ktp", "/registry/verify"]
	assert all(r.headers.get("Authorization") == "Bearer ekyc-test-key" for r in calls)

	doc = admin.get(KYC, b["kyc"])
	assert doc["face_match_score"] == 93.5 and doc["face_check"] == "pass" and doc["registry_check"] == "pass"
	assert doc["decision_source"] == "e-KYC Provider" and doc["provider_reference"] == f"prov-{b['kyc']}"
	assert b["nik"] not in doc["verification_log"]
	# The images are private files attached to the submission.
	files = admin.list(
		"File",
		filters=json.dumps([["attached_to_doctype", "=", KYC], ["attached_to_name", "=", b["kyc"]]]),
		fields=json.dumps(["file_url", "is_private", "owner"]),
	)
	assert {f["file_url"] for f in files} == {doc["ktp_image"], doc["selfie_image"]}
	assert all(f["is_private"] == 1 and f["file_url"].startswith("/private/files/") for f in files)
	assert staff["analyst"].call("GET", doc["ktp_image"]).content[:3] == b"\xff\xd8\xff"

	# Verified: no more uploads.
	upload_multipart(me, image(), image("PNG"), 417)


def test_face_mismatch_rejects_with_indonesian_reason_then_a_new_upload_verifies(guest, sms, ekyc):
	b = borrower(guest, sms, ekyc, score=21.0)
	me = b["api"]
	upload_multipart(me, image(), image("PNG"))
	st = wait_for(me, decided)
	assert (st["status"], st["stage"], st["can_upload"]) == ("Rejected", "rejected", True), st
	assert "swafoto" in st["rejection_reason"].lower(), st["rejection_reason"]

	ekyc.scenarios[b["kyc"]]["score"] = 88.0
	b64 = {"ktp": base64.b64encode(image()).decode(), "selfie": base64.b64encode(image("PNG")).decode()}
	assert me.method(K + "upload", **b64)["status"] == "Pending"
	st = wait_for(me, decided)
	assert st["status"] == "Verified" and st["rejection_reason"] is None
	assert [(h["from_status"], h["to_status"]) for h in st["history"]] == [
		("", "Pending"),
		("Pending", "Pending"),
		("Pending", "Rejected"),
		("Rejected", "Pending"),
		("Pending", "Verified"),
	]
	assert "swafoto" in st["history"][2]["reason"].lower()


def test_provider_down_goes_to_manual_review_and_a_reviewer_decides(
	admin, guest, sms, ekyc, staff, make_user
):
	b = borrower(guest, sms, ekyc, down=True)
	me = b["api"]
	upload_multipart(me, image(), image("PNG"))
	st = wait_for(me, decided)
	assert (st["status"], st["stage"]) == ("Pending", "in_review"), st
	doc = admin.get(KYC, b["kyc"])
	assert doc["needs_review"] == 1 and doc["verification_state"] == "Provider Error"
	assert {doc["ocr_check"], doc["face_check"], doc["registry_check"]} == {"missing"}
	listed = staff["analyst"].list(KYC, filters=json.dumps([["needs_review", "=", 1]]), limit_page_length=500)
	assert b["kyc"] in [r["name"] for r in listed]

	def review(api, method, expect=200, **args):
		return api.call(
			"POST",
			"/api/method/run_doc_method",
			expect,
			json={"dt": KYC, "dn": b["kyc"], "method": method, "args": args},
		)

	# The borrower cannot decide; an auditor (read only) cannot either; a reject needs a reason.
	assert review(me, "approve", None).status_code in (403, 404)
	auditor = make_user("auditor", "Auditor")
	review(auditor, "approve", 403)
	review(staff["analyst"], "reject", 417, reason=" ")
	review(staff["analyst"], "reject", reason="Foto KTP buram, mohon unggah ulang")
	st = me.method(K + "status", verb="GET")
	assert st["status"] == "Rejected" and st["rejection_reason"] == "Foto KTP buram, mohon unggah ulang"
	doc = admin.get(KYC, b["kyc"])
	assert doc["decided_by"] == staff["analyst"].user and doc["decision_source"] == "Manual Review"
	assert doc["history"][-1]["changed_by"] == staff["analyst"].user
	# A borrower cannot change the decision through REST either.
	me.call("PUT", f"/api/resource/{KYC}/{b['kyc']}", 403, json={"status": "Verified"})


def test_administrator_can_set_verified_through_rest(admin, guest, sms, ekyc):
	b = borrower(guest, sms, ekyc)
	doc = admin.update(KYC, b["kyc"], {"status": "Verified"})
	assert doc["status"] == "Verified" and doc["decision_source"] == "Administrator"
	assert b["api"].method(K + "status", verb="GET")["status"] == "Verified"


def test_non_images_oversize_and_missing_files_are_refused(admin, guest, sms, ekyc):
	b = borrower(guest, sms, ekyc)
	me = b["api"]
	r = upload_multipart(me, b"MZ\x90\x00 not a jpeg at all", image("PNG"), 417)
	assert "JPEG or PNG" in r.text
	upload_multipart(me, b"%PDF-1.4 fake", image("PNG"), 417, names=("ktp.pdf", "selfie.png"))
	gif = io.BytesIO()
	Image.new("RGB", (50, 50)).save(gif, "GIF")
	upload_multipart(me, gif.getvalue(), image("PNG"), 417)
	truncated = image("JPEG", size=(800, 600))[:600]
	upload_multipart(me, truncated, image("PNG"), 417)
	me.method(K + "upload", 417, ktp=base64.b64encode(image()).decode())  # no selfie
	me.method(K + "upload", 417, ktp="***not base64***", selfie="xx")

	admin.call("PUT", SETTINGS, json={"kyc_max_image_kb": 1})
	try:
		noisy = io.BytesIO()
		Image.effect_noise((200, 200), 64).convert("RGB").save(noisy, "PNG")
		assert len(noisy.getvalue()) > 1024
		r = upload_multipart(me, noisy.getvalue(), image("PNG", size=(10, 10)), 417)
		assert "too large" in r.text
	finally:
		admin.call("PUT", SETTINGS, json={"kyc_max_image_kb": 5120})
	# Nothing was stored by the refused uploads.
	assert me.method(K + "status", verb="GET")["stage"] == "awaiting_documents"
	assert not admin.list("File", filters=json.dumps([["attached_to_name", "=", b["kyc"]]]))


def test_another_borrower_cannot_read_the_submission_or_its_files(admin, guest, sms, ekyc):
	first = borrower(guest, sms, ekyc)
	second = borrower(guest, sms, ekyc)
	upload_multipart(first["api"], image(), image("PNG"))
	doc = admin.get(KYC, first["kyc"])
	other = second["api"]
	assert other.call("GET", f"/api/resource/{KYC}/{first['kyc']}", None).status_code in (403, 404)
	other.call("GET", f"/api/resource/{KYC}", 403)
	for url in (doc["ktp_image"], doc["selfie_image"]):
		assert other.call("GET", url, None).status_code in (403, 404)
		# Not even their owner reads them back: only the reviewers do.
		assert first["api"].call("GET", url, None).status_code in (403, 404)
		assert guest.call("GET", url, None).status_code in (403, 404)
	name = admin.list("File", filters=json.dumps([["file_url", "=", doc["ktp_image"]]]))[0]["name"]
	assert first["api"].call("DELETE", f"/api/resource/File/{name}", None).status_code in (403, 404)
	assert other.method(K + "status", verb="GET")["kyc"] == second["kyc"]


def test_personal_data_export_holds_own_data_only(guest, sms, ekyc):
	first = borrower(guest, sms, ekyc)
	second = borrower(guest, sms, ekyc)
	me = first["api"]
	req = me.method(K + "request_data_export")
	assert req["status"] in ("Queued", "Ready")
	deadline = time.time() + 40
	while (st := me.method(K + "data_export", verb="GET"))["status"] != "Ready" and time.time() < deadline:
		time.sleep(0.5)
	assert st["status"] == "Ready" and st["request"] == req["request"], st
	data = me.call("GET", st["file_url"]).json()
	assert data["User"]["name"] == first["email"]
	assert [m["name"] for m in data["Member"]] == [first["registration"]["member"]]
	assert data["KYC Submission"][0]["nik"] == first["nik"]
	text = json.dumps(data)
	assert second["nik"] not in text and second["email"] not in text
	assert second["registration"]["member"] not in text

	other = second["api"]
	assert other.call("GET", st["file_url"], None).status_code in (403, 404)
	other.method(K + "data_export", 404, verb="GET", request=req["request"])
	other.method(K + "data_export", 404, verb="GET")
