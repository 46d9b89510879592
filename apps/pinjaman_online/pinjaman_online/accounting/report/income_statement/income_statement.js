frappe.query_reports["Income Statement"] = {
	filters: [
		{
			fieldname: "from_date",
			label: __("From Date"),
			fieldtype: "Date",
			default: frappe.datetime.year_start(),
			reqd: 1,
		},
		{
			fieldname: "to_date",
			label: __("To Date"),
			fieldtype: "Date",
			default: frappe.datetime.get_today(),
			reqd: 1,
		},
	],
	formatter(value, row, column, data, default_formatter) {
		if (data && data.heading && column.fieldname === "amount") return "";
		value = default_formatter(value, row, column, data);
		if (data && column.fieldname === "account_name" && data.nested) value = `&emsp;${value}`;
		return data && data.bold ? `<b>${value}</b>` : value;
	},
};
