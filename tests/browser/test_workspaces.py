"""Role workspaces in the served desk (Tier 2, Chromium): each role lands on its own workspace, in Indonesian,
with its queue's counts, number cards that show an amount and charts that draw; Frappe's administration
workspaces are not in the sidebar; a card the role may not read is not there. A screenshot per role."""

import re

from playwright.sync_api import expect

COUNT = re.compile(r"^\d+ ")  # a shortcut's count pill: "9 perlu dicairkan"
ADMIN_WORKSPACES = ("Pengguna", "Situs Web", "Integrasi", "Build", "Users", "Website", "Integrations")

# role → (workspace title in Indonesian, a queue shortcut, a number card); None: not checked by name
ROLES = {
	"Sales": ("Pemasaran", "Pengajuan Draf Saya", "Pengajuan Bulan Ini"),
	"Credit Analyst": ("Analis Kredit", None, None),
	"Committee SPV": ("Komite Kredit", "Persetujuan Bersyarat", "Menunggu Keputusan Saya"),
	"Committee Manager": ("Komite Kredit", None, None),
	"Finance": ("Keuangan & Penagihan", "Pinjaman untuk Dicairkan", "Pencairan Bulan Ini"),
	"Director": ("Manajemen", None, None),
	"Auditor": ("Audit", "Pinjaman Gagal Bayar", "Portofolio (Sisa Pokok)"),
	"Koperasi Admin": ("Manajemen", None, None),
}

WIDGETS_DRAWN = """() => {
	const loading = __('Loading...');
	const blocks = [...document.querySelectorAll('.ce-block')].filter(b => !b.querySelector('.spacer'));
	if (!blocks.length) return false;
	const filled = blocks.every(b => b.innerText.trim() !== '' && !b.innerText.includes(loading));
	const charts = [...document.querySelectorAll('.dashboard-widget-box')].every(c => c.querySelector('svg')
		|| [...c.querySelectorAll('.chart-loading-state')].some(e => e.offsetParent !== null
			&& e.textContent.trim() !== loading));
	return filled && charts && (frappe.request?.ajax_count ?? 0) === 0;
}"""


# Frappe Charts draws a chart empty first and its figures a moment later (its first update, animated). The page
# counts the charts' data answers (pinjaman_online.desk.charts.*) and those with a figure above zero; the
# screenshot waits until as many charts show a bar (or a percentage segment) of non-zero size.
COUNT_CHART_ANSWERS = """(() => {
	window.__chart_answers = 0;
	window.__charts_with_figures = 0;
	const open = XMLHttpRequest.prototype.open;
	XMLHttpRequest.prototype.open = function (method, url, ...rest) {
		if (String(url).includes("pinjaman_online.desk.charts.")) {
			this.addEventListener("loadend", () => {
				window.__chart_answers += 1;
				try {
					const data = JSON.parse(this.responseText).message;
					if (data.datasets.some(d => d.values.some(v => v > 0))) window.__charts_with_figures += 1;
				} catch (e) {}
			});
		}
		return open.call(this, method, url, ...rest);
	};
})();"""
CHARTS_DRAWN = """() => {
	const boxes = [...document.querySelectorAll('.dashboard-widget-box')];
	const shown = boxes.filter(b => [...b.querySelectorAll('.dataset-units rect, .percentage-bar')]
		.some(e => e.getBoundingClientRect().width > 0 && e.getBoundingClientRect().height > 0)).length;
	return window.__chart_answers >= boxes.length && shown >= window.__charts_with_figures
		&& !document.querySelector('.dashboard-widget-box svg animate, .dashboard-widget-box svg animateTransform');
}"""


def test_each_role_lands_on_its_workspace(desk, desk_user):
	"""One tab per role, in turn: the workspace a new user of that role lands on, with a screenshot each."""
	for role, (title, shortcut, card) in ROLES.items():
		d = desk(*desk_user("ws-" + role.split()[-1].lower(), role))
		d.page.add_init_script(COUNT_CHART_ANSWERS)
		d.goto("/app")
		d.page.wait_for_function(WIDGETS_DRAWN, timeout=60_000)
		d.page.wait_for_function(CHARTS_DRAWN, timeout=60_000)
		expect(d.page.locator(".page-title .title-text").first).to_have_text(title)
		expect(d.page.get_by_text("Antrean Saya")).to_be_visible()
		# every queue shortcut shows its count, every number card its figure
		counted = d.page.locator(".shortcut-widget-box .indicator-pill")
		assert counted.count() > 0, role
		for pill in counted.all():
			expect(pill).to_have_text(COUNT)
		numbers = d.page.locator(".number-widget-box .number")
		for number in numbers.all():
			expect(number).not_to_be_empty()
		if shortcut:
			box = d.page.locator(".shortcut-widget-box", has_text=shortcut)
			expect(box.locator(".indicator-pill")).to_have_text(COUNT)
		if card:
			expect(
				d.page.locator(".number-widget-box", has_text=re.compile(re.escape(card), re.IGNORECASE))
			).to_be_visible()
		sidebar = d.page.locator(".layout-side-section").first.inner_text()
		assert not [w for w in ADMIN_WORKSPACES if w in sidebar.split("\n")], (role, sidebar)
		d.shot(f"workspace-{role}")
		d.page.context.close()
