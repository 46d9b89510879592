// Audit trail of a document and the documents linked to it; opened for one document with
// /app/query-report/Audit Trail?reference_doctype=Loan&reference_name=LN-…
frappe.query_reports["Audit Trail"] = {
	filters: [
		{
			fieldname: "reference_doctype",
			label: __("Document Type"),
			fieldtype: "Link",
			options: "DocType",
		},
		{
			fieldname: "reference_name",
			label: __("Document"),
			fieldtype: "Dynamic Link",
			options: "reference_doctype",
			// the filter's doctype, not the form left open behind the report (Frappe's default reads cur_frm);
			// a document passed in the route (the Loan form's View → Audit Trail) is checked while its doctype,
			// passed with it, is still being set
			get_options: () =>
				frappe.query_report.get_filter_value("reference_doctype") || frappe.route_options?.reference_doctype,
		},
		{
			fieldname: "include_related",
			label: __("Include Linked Documents"),
			fieldtype: "Check",
			default: 1,
		},
		{ fieldname: "user", label: __("User"), fieldtype: "Link", options: "User" },
		{ fieldname: "from_date", label: __("From"), fieldtype: "Date" },
		{ fieldname: "to_date", label: __("To"), fieldtype: "Date" },
	],
};
