frappe.provide("frappe.dashboards.chart_sources");

frappe.dashboards.chart_sources["Applications by State"] = {
	method: "pinjaman_online.desk.charts.applications_by_state",
	filters: [],
};
