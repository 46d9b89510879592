frappe.query_reports["Aging Report"] = {
	filters: [
		{
			fieldname: "period",
			label: __("Period (YYYY-MM)"),
			fieldtype: "Data",
			default: frappe.datetime.get_today().slice(0, 7),
		},
	],
};
