"""The desk opens for staff through the served port (nginx → gunicorn), with assets and realtime."""

from playwright.sync_api import expect


def test_staff_desk_opens_with_assets_and_realtime(desk, desk_user):
	email, password = desk_user("analyst-smoke", "Credit Analyst")
	d = desk(email, password)
	d.goto("/app/member")
	expect(d.page.locator(".page-title")).to_be_visible()
	# the desk's realtime client connects through nginx's /socket.io on the same port
	d.page.wait_for_function("() => window.frappe?.realtime?.socket?.connected === true", timeout=30_000)
	d.shot("member-list")
