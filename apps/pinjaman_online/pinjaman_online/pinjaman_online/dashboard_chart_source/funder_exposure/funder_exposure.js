frappe.provide("frappe.dashboards.chart_sources");

frappe.dashboards.chart_sources["Funder Exposure"] = {
	method: "pinjaman_online.desk.charts.funder_exposure",
	filters: [],
};
