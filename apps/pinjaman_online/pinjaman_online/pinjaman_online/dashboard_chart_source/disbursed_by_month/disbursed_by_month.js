frappe.provide("frappe.dashboards.chart_sources");

frappe.dashboards.chart_sources["Disbursed by Month"] = {
	method: "pinjaman_online.desk.charts.disbursed_by_month",
	filters: [],
};
