"""A member's notifications on the Member form (Connections → Notifications) and a broadcast's form, in the
desk as Finance (Indonesian)."""

import datetime as dt
import json
import time
import uuid

from conftest import http
from playwright.sync_api import expect


def test_member_form_lists_the_members_notifications(admin, staff, sms, desk, desk_user):
	birth = dt.date(1956, 2, 11)
	number = f"+62812{uuid.uuid4().int % 10**8:08d}"
	member = staff["admin"].insert(
		"Member",
		{
			"full_name": "Suparmi",
			"nik": http.nik_for(birth, http.unique_serial(), female=True),
			"gender": "Female",
			"birth_date": str(birth),
			"phone": number,
			"pension_fund": "Taspen",
			"pension_number": f"TSP{uuid.uuid4().hex[:10]}",
			"monthly_pension_benefit": 5_000_000,
		},
	)["name"]
	sent = staff["finance"].method(
		"pinjaman_online.api.notifications.send",
		target_type="Member",
		member=member,
		subject="Undangan",
		message="Rapat anggota tahunan 20 Desember.",
	)["broadcast"]
	deadline = time.monotonic() + 90
	while not admin.list("Borrower Notification", filters=json.dumps({"broadcast": sent})):
		assert time.monotonic() < deadline, "the broadcast was not delivered"
		time.sleep(0.5)

	email, password = desk_user("finance-notif", "Finance")
	d = desk(email, password)
	d.goto(f"/app/member/{member}")
	link = d.page.locator('.form-dashboard-section .document-link[data-doctype="Borrower Notification"]')
	expect(link).to_be_visible()
	link.scroll_into_view_if_needed()
	expect(link.locator(".count")).to_have_text("1")  # the one delivery (SMS) of the broadcast
	d.shot("member-connections")
	d.goto(f"/app/borrower-notification?member={member}")
	expect(d.page.locator(".list-row-container").first).to_be_visible()
	d.shot("member-notifications-list")
	d.goto(f"/app/notification-broadcast/{sent}")
	expect(d.page.locator(".page-title")).to_contain_text("Undangan")
	d.shot("broadcast-form")
