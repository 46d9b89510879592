frappe.provide("frappe.dashboards.chart_sources");

frappe.dashboards.chart_sources["Outstanding by DPD"] = {
	method: "pinjaman_online.desk.charts.outstanding_by_dpd",
	filters: [],
};
