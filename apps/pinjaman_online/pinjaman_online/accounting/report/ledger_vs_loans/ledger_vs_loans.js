frappe.query_reports["Ledger vs Loans"] = {
	filters: [
		{
			fieldname: "as_of_date",
			label: __("As of Date"),
			fieldtype: "Date",
			default: frappe.datetime.get_today(),
			reqd: 1,
		},
		{ fieldname: "only_differences", label: __("Only loans with a difference"), fieldtype: "Check" },
	],
	formatter(value, row, column, data, default_formatter) {
		value = default_formatter(value, row, column, data);
		if (data && column.fieldname === "difference" && data.difference) {
			value = `<span style="color: var(--red-600)">${value}</span>`;
		}
		return data && data.bold ? `<b>${value}</b>` : value;
	},
};
