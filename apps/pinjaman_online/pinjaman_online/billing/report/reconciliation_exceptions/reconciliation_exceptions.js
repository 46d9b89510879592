frappe.query_reports["Reconciliation Exceptions"] = {
	filters: [
		{ fieldname: "period", label: __("Period (YYYY-MM)"), fieldtype: "Data" },
		{ fieldname: "pension_fund", label: __("Pension Fund"), fieldtype: "Select", options: "\nTaspen\nAsabri" },
		{ fieldname: "status", label: __("Status"), fieldtype: "Select", options: "\nOpen\nResolved", default: "Open" },
		{
			fieldname: "reason",
			label: __("Reason"),
			fieldtype: "Select",
			options: "\nUnknown Member\nConflicting Keys\nNot Billed\nUnknown Reference\nPosting Failed",
		},
		{ fieldname: "member", label: __("Member"), fieldtype: "Link", options: "Member" },
		{ fieldname: "cut_import", label: __("Import"), fieldtype: "Link", options: "Pension Cut Import" },
	],
};
