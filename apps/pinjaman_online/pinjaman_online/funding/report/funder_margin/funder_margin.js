frappe.query_reports["Funder Margin"] = {
	filters: [
		{
			fieldname: "period",
			label: __("Period (YYYY-MM)"),
			fieldtype: "Data",
			default: frappe.datetime.add_months(frappe.datetime.get_today(), -1).substring(0, 7),
		},
		{
			fieldname: "funder",
			label: __("Funder"),
			fieldtype: "Link",
			options: "Funder",
		},
	],
};
