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
