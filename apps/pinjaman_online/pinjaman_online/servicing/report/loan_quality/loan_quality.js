frappe.query_reports["Loan Quality"] = {
	filters: [
		{
			fieldname: "period",
			label: __("Period (YYYY-MM)"),
			fieldtype: "Data",
			default: frappe.datetime.get_today().slice(0, 7),
		},
	],
};
