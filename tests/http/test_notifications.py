"""Borrower in-app notifications over HTTP (seed 004 "API Struktur – Notification"): the borrower lists their
own notifications (``?is_read=false``), marks one or all read; another user's id is refused.

The notifications are Frappe Notification Logs; here the staff side (Administrator over REST) creates them,
as a manual notification would be.
"""

import uuid

from test_mobile import bearer, registered

N = "pinjaman_online.api.mobile_notifications."


def send(admin, user: str, subject: str) -> str:
	return admin.insert(
		"Notification Log",
		{"for_user": user, "type": "Alert", "subject": subject, "email_content": f"Isi: {subject}"},
	)["name"]


def test_list_unread_mark_one_then_all(admin, guest, sms):
	ident = registered(guest, sms)
	user = ident["registration"]["user"]
	me = bearer(ident["tokens"]["access_token"])
	tag = uuid.uuid4().hex[:6]
	names = [send(admin, user, f"Pemberitahuan {tag} {i}") for i in range(3)]

	got = me.method(N + "notifications", verb="GET", user_id=user, is_read="false")
	assert got["user_id"] == user and got["unread"] == 3
	assert [n["name"] for n in got["notifications"]] == names[::-1]  # newest first
	assert got["notifications"][0]["subject"] == f"Pemberitahuan {tag} 2"
	assert got["notifications"][0]["message"] == f"Isi: Pemberitahuan {tag} 2"
	assert all(n["is_read"] is False for n in got["notifications"])

	assert me.method(N + "mark_read", notification=names[0]) == {"marked": 1, "unread": 2}
	unread = me.method(N + "notifications", verb="GET", is_read="false")["notifications"]
	assert {n["name"] for n in unread} == set(names[1:])
	read = me.method(N + "notifications", verb="GET", is_read="true")["notifications"]
	assert [n["name"] for n in read] == [names[0]] and read[0]["is_read"] is True

	# the seed's verb (PUT) works too; marking all
	r = me.call("PUT", f"/api/method/{N}mark_read", json={"all": True})
	assert r.json()["message"] == {"marked": 2, "unread": 0}
	assert me.method(N + "notifications", verb="GET", is_read="false")["notifications"] == []
	assert len(me.method(N + "notifications", verb="GET")["notifications"]) == 3


def test_another_users_notifications_are_refused(admin, guest, sms):
	first = registered(guest, sms)
	second = registered(guest, sms)
	theirs = send(admin, first["registration"]["user"], "Rahasia")
	other = bearer(second["tokens"]["access_token"])
	r = other.method(N + "notifications", expect=403, verb="GET", user_id=first["registration"]["user"])
	assert "own notifications" in r.text
	assert other.method(N + "notifications", verb="GET")["notifications"] == []
	other.method(N + "mark_read", expect=404, notification=theirs)
	owner = bearer(first["tokens"]["access_token"])
	assert owner.method(N + "notifications", verb="GET", is_read="false")["unread"] == 1
	guest.method(N + "notifications", expect=403, verb="GET")  # Frappe: not whitelisted for Guest
	other.method(N + "mark_read", expect=417)
