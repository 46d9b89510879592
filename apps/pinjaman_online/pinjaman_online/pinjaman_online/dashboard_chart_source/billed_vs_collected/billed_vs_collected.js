frappe.provide("frappe.dashboards.chart_sources");

frappe.dashboards.chart_sources["Billed vs Collected"] = {
	method: "pinjaman_online.desk.charts.billed_vs_collected",
	filters: [],
};
