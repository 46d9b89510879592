"""Browser tests of the desk (Tier 2): Playwright for Python driving Debian's Chromium.

bin/test serves the throwaway test site through nginx (as production) and sets, besides the HTTP tests'
variables (see tests/http/conftest.py, whose fixtures ``admin``, ``guest``, ``make_user``, ``staff``, ``sms``
are available here too):
  PINJAMAN_TEST_OUTPUT   the run's output folder; screenshots go to its ``screenshots/<test>/``

Fixtures:
  browser            one headless Chromium per run (``CHROMIUM`` overrides the executable)
  desk_user(roles…)  a new staff user with a password: returns (email, password)
  desk(email, pwd)   a logged-in desk page (Page subclass ``Desk``) that fails the test on any page showing
                     "Server Error" or a traceback, or on an HTTP 5xx answered to the page
Synchronise on page state (``expect``, ``wait_for_selector``, Frappe's ``frappe.dom.freeze_count``), never sleeps.
"""

import importlib.util
import os
import re
import shutil
import uuid
from pathlib import Path

import pytest
from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import TimeoutError as PlaywrightTimeout

_HTTP_CONFTEST = Path(__file__).resolve().parents[1] / "http" / "conftest.py"
_spec = importlib.util.spec_from_file_location("pinjaman_http_conftest", _HTTP_CONFTEST)
http = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(http)

# the HTTP tests' fixtures and helpers, for preparing data over REST before clicking
admin = http.admin
guest = http.guest
make_user = http.make_user
staff = http.staff
sms = http.sms
cli = http.cli
pytest_collection_modifyitems = http.pytest_collection_modifyitems
URL, SITE = http.URL, http.SITE

OUTPUT = Path(
	os.environ.get("PINJAMAN_TEST_OUTPUT") or Path(__file__).resolve().parents[2] / ".local" / "test-output"
)
SCREENSHOTS = OUTPUT / "screenshots"
PASSWORD = "Desk#Test-2026!"
ERROR_TEXT = re.compile(r"Server Error|Traceback \(most recent call last\)|Internal Server Error")


def chromium_path() -> str:
	"""The system Chromium (Debian package ``chromium``), or ``CHROMIUM`` from the environment."""
	path = os.environ.get("CHROMIUM") or shutil.which("chromium") or shutil.which("chromium-browser")
	if not path:
		raise pytest.UsageError("tests/browser need Debian's chromium (bin/setup installs it)")
	return path


@pytest.fixture(scope="session")
def playwright_instance():
	from playwright.sync_api import sync_playwright

	with sync_playwright() as p:
		yield p


@pytest.fixture(scope="session")
def browser(playwright_instance):
	"""One headless Chromium for the run, with the flags this closed network needs."""
	b = playwright_instance.chromium.launch(
		executable_path=chromium_path(),
		headless=True,
		args=[
			"--no-sandbox",
			"--disable-gpu",
			"--disable-quic",
			"--no-first-run",
			"--disable-background-networking",
			"--disable-component-update",
			"--disable-sync",
			"--disable-dev-shm-usage",
		],
	)
	yield b
	b.close()


@pytest.fixture(scope="session")
def desk_user(admin):
	"""Create a staff user with a password and the given roles; returns (email, password)."""

	def make(prefix: str, *roles: str, language: str = "id") -> tuple[str, str]:
		email = f"{prefix}-{uuid.uuid4().hex[:8]}@desk.koperasi.example"
		admin.insert(
			"User",
			{
				"email": email,
				"first_name": prefix.replace("-", " ").title(),
				"send_welcome_email": 0,
				"user_type": "System User",
				"language": language,
				"new_password": PASSWORD,
				"roles": [{"role": r} for r in roles],
			},
		)
		return email, PASSWORD

	return make


class Desk:
	"""A logged-in desk tab. ``page`` is Playwright's Page; ``shot(step)`` saves a numbered screenshot."""

	def __init__(self, page, test_name: str, user: str):
		self.page = page
		self.user = user
		self.folder = SCREENSHOTS / test_name
		self.folder.mkdir(parents=True, exist_ok=True)
		self.steps = 0
		self.server_errors: list[str] = []
		self.console: list[str] = []
		page.on("response", self._on_response)
		page.on(
			"console", lambda m: m.type in ("error", "warning") and self.console.append(f"{m.type}: {m.text}")
		)

	def _on_response(self, response):
		if response.status >= 500:
			self.server_errors.append(f"{response.status} {response.request.method} {response.url}")

	def check(self):
		"""Fail on a 5xx answered to the page or on an error page / traceback shown."""
		assert not self.server_errors, f"server errors seen by {self.user}: {self.server_errors}"
		text = self.page.locator("body").inner_text(timeout=10_000)
		match = ERROR_TEXT.search(text)
		assert not match, f"{self.page.url} shows {match.group(0)!r} to {self.user}"

	def goto(self, route: str):
		"""Open a desk route (``/app/loan/LN-…``) and wait until Frappe has rendered it."""
		self.page.goto(URL + route)
		if route.startswith("/app"):
			# the desk boots after the page has loaded (the first boot of a new site takes a while)
			self.page.wait_for_function("() => window.frappe?.boot && frappe.container?.page", timeout=60_000)
		self.wait_idle()
		self.check()

	def wait_idle(self):
		"""Wait until the page has loaded and Frappe has no request in flight and no freeze shown."""
		self.page.wait_for_load_state("load")
		self.page.wait_for_function(
			"() => !window.frappe || ((frappe.request?.ajax_count ?? 0) === 0 && !(frappe.dom?.freeze_count > 0))",
			timeout=30_000,
		)

	def fill_dialog_field(self, dialog, fieldname: str, value: str, tag: str = "input"):
		"""Type ``value`` into the open dialog's field and leave it with Tab, until the dialog holds it.

		Frappe takes a field's value on a debounced change event; on a slow machine a value typed while the
		dialog is still rendering a dependent field can be dropped, so the value is typed again (at most
		three times) until the dialog's own ``get_value`` returns it."""
		field = dialog.locator(f"{tag}[data-fieldname={fieldname}]")
		check = """([fieldname, value]) => {
			const dialogs = [window.cur_dialog, ...((frappe.ui && frappe.ui.open_dialogs) || [])];
			const d = dialogs.find((d) => d && d.fields_dict && d.fields_dict[fieldname]);
			return !!d && String(d.get_value(fieldname) ?? "") === value;
		}"""
		for attempt in range(3):
			field.fill(value)
			field.press("Tab")
			try:
				self.page.wait_for_function(check, arg=[fieldname, value], timeout=10_000)
				return
			except PlaywrightTimeout:
				if attempt == 2:
					raise

	def shot(self, step: str) -> Path:
		"""Save a full-page screenshot ``NN-step.png`` and check the page shows no error."""
		self.steps += 1
		path = self.folder / f"{self.steps:02d}-{re.sub(r'[^A-Za-z0-9_-]+', '-', step)}.png"
		self.page.screenshot(path=str(path), full_page=True)
		self.check()
		return path


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
	"""Keep each phase's report on the test item, for the ``desk`` fixture to see whether the test failed."""
	outcome = yield
	report = outcome.get_result()
	setattr(item, f"report_{report.when}", report)


def describe_failure(d: "Desk") -> str:
	"""What a failed test's tab showed: its URL, the dialogs open, the form's status, the last console errors
	and the server errors; and a screenshot ``FAILED-<n>.png``."""
	page = d.page
	lines = [f"tab of {d.user}: {page.url}"]
	try:
		path = d.folder / f"FAILED-{d.steps + 1:02d}.png"
		page.screenshot(path=str(path), full_page=True)
		lines.append(f"  screenshot: {path}")
		state = page.evaluate(
			"""() => ({
				dialogs: $('.modal.show').map((i, m) => $(m).find('.modal-title').text().trim() + ': '
					+ $(m).find('.modal-body').text().replace(/\\s+/g, ' ').trim().slice(0, 300)).get(),
				form: window.cur_frm && cur_frm.doc ? [cur_frm.doctype, cur_frm.docname, cur_frm.doc.status,
					cur_frm.doc.modified, cur_frm.is_dirty()] : null,
				ajax: frappe.request && frappe.request.ajax_count,
				freeze: frappe.dom && frappe.dom.freeze_count,
			})"""
		)
		lines.append(f"  state: {state}")
	except PlaywrightError as e:  # the page may be gone; the description is a help, not a check
		lines.append(f"  (page state not read: {e})")
	lines += [f"  console: {m}" for m in d.console[-15:]]
	lines += [f"  server error: {e}" for e in d.server_errors]
	return "\n".join(lines)


@pytest.fixture
def desk(browser, request):
	"""Open a logged-in desk tab: ``desk(email, password)``; tabs close at the end of the test. When the test
	fails, each tab's state is printed and screenshot (``describe_failure``)."""
	contexts = []
	desks = []

	def open_desk(email: str, password: str = PASSWORD) -> Desk:
		context = browser.new_context(
			viewport={"width": 1400, "height": 900}, extra_http_headers={"X-Frappe-Site-Name": SITE}
		)
		contexts.append(context)
		page = context.new_page()
		page.set_default_timeout(30_000)
		d = Desk(page, request.node.name, email)
		desks.append(d)
		page.goto(URL + "/login")
		page.fill("#login_email", email)
		page.fill("#login_password", password)
		page.click(".btn-login")
		page.wait_for_url(re.compile(r"/app"), timeout=60_000)
		d.wait_idle()
		d.check()
		return d

	yield open_desk
	report = getattr(request.node, "report_call", None)
	if report is not None and report.failed:
		for d in desks:
			print(describe_failure(d))
	for c in contexts:
		c.close()
